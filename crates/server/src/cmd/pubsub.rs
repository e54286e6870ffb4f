//! Pub/Sub commands: SUBSCRIBE, UNSUBSCRIBE, PSUBSCRIBE, PUNSUBSCRIBE, PUBLISH, PUBSUB CHANNELS|NUMSUB|NUMPAT|HELP.
//!
//! (Un)subscribe confirmations are push frames (`>3` in RESP3, `*3` in RESP2), one per channel, the count being
//! the connection's channels plus patterns afterwards. `PUBLISH` posts to the receivers' mailboxes (see
//! [`crate::pubsub`]) and is propagated verbatim to replicas, which deliver it to their own subscribers.

use bytes::Bytes;
use resp::Frame;

use super::{Ctx, is, owned};
use crate::errors;
use commands::Reply;

/// `SUBSCRIBE channel...`
pub fn subscribe(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Reply {
    let mut replies = Vec::with_capacity(argv.len() - 1);
    for channel in &argv[1..] {
        let channel = owned(channel);
        if ctx
            .core
            .pubsub
            .subscribe(ctx.client.id, &ctx.client.mailbox, &channel)
        {
            ctx.client.subscriptions.channels.push(channel.clone());
        }
        replies.push(confirmation("subscribe", Some(channel), ctx));
    }
    note_subscriptions(ctx);
    Ok(several(ctx, replies))
}

/// `UNSUBSCRIBE [channel...]`: without channels, from every channel (one confirmation each, or one with a nil
/// channel when there were none).
pub fn unsubscribe(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Reply {
    let channels: Vec<Bytes> = if argv.len() > 1 {
        argv[1..].to_vec()
    } else {
        ctx.client.subscriptions.channels.clone()
    };
    if channels.is_empty() {
        let reply = confirmation("unsubscribe", None, ctx);
        return Ok(reply);
    }
    let mut replies = Vec::with_capacity(channels.len());
    for channel in channels {
        if ctx.core.pubsub.unsubscribe(ctx.client.id, &channel) {
            ctx.client.subscriptions.channels.retain(|c| *c != channel);
        }
        replies.push(confirmation("unsubscribe", Some(channel), ctx));
    }
    note_subscriptions(ctx);
    Ok(several(ctx, replies))
}

/// `PSUBSCRIBE pattern...`
pub fn psubscribe(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Reply {
    let mut replies = Vec::with_capacity(argv.len() - 1);
    for pattern in &argv[1..] {
        let pattern = owned(pattern);
        if ctx
            .core
            .pubsub
            .psubscribe(ctx.client.id, &ctx.client.mailbox, &pattern)
        {
            ctx.client.subscriptions.patterns.push(pattern.clone());
        }
        replies.push(confirmation("psubscribe", Some(pattern), ctx));
    }
    note_subscriptions(ctx);
    Ok(several(ctx, replies))
}

/// `PUNSUBSCRIBE [pattern...]`
pub fn punsubscribe(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Reply {
    let patterns: Vec<Bytes> = if argv.len() > 1 {
        argv[1..].to_vec()
    } else {
        ctx.client.subscriptions.patterns.clone()
    };
    if patterns.is_empty() {
        return Ok(confirmation("punsubscribe", None, ctx));
    }
    let mut replies = Vec::with_capacity(patterns.len());
    for pattern in patterns {
        if ctx.core.pubsub.punsubscribe(ctx.client.id, &pattern) {
            ctx.client.subscriptions.patterns.retain(|p| *p != pattern);
        }
        replies.push(confirmation("punsubscribe", Some(pattern), ctx));
    }
    note_subscriptions(ctx);
    Ok(several(ctx, replies))
}

/// Shows the connection's subscription counts to `CLIENT LIST` (`sub=`, `psub=`, flag `P`) and to
/// `CLIENT KILL TYPE pubsub`.
pub(crate) fn note_subscriptions(ctx: &Ctx<'_>) {
    let (channels, patterns) = (
        ctx.client.subscriptions.channels.len(),
        ctx.client.subscriptions.patterns.len(),
    );
    ctx.shared.clients.update(ctx.client.id, |info| {
        info.channels = channels;
        info.patterns = patterns;
    });
}

/// `PUBLISH channel message`: the number of receivers (channel and pattern subscriptions).
pub fn publish(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Reply {
    // Only the hard limit is enforced (the soft limit's grace period is not).
    let limit = ctx.shared.config().client_output_buffer_limit.pubsub.hard;
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    let receivers = ctx.core.pubsub.publish(&argv[1], &argv[2], limit);
    // Replicas deliver it to their own subscribers; it changes no data, so no save point counts it.
    ctx.propagate_without_change(argv);
    Ok(Frame::Integer(receivers as i64))
}

/// `PUBSUB CHANNELS [pattern] | NUMSUB [channel...] | NUMPAT | HELP`
pub fn pubsub(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Reply {
    let sub = &argv[1];
    let argc = argv.len();
    let arity = [("channels", -2), ("numsub", -2), ("numpat", 2), ("help", 2)]
        .into_iter()
        .find(|(name, _)| is(sub, name));
    let Some((name, arity)) = arity else {
        return Err(errors::unknown_subcommand(sub, "pubsub"));
    };
    let arity_ok = if arity >= 0 {
        argc == arity as usize
    } else {
        argc >= (-arity) as usize
    };
    if !arity_ok {
        return Err(errors::wrong_arity(&format!("pubsub|{name}")));
    }
    Ok(match name {
        "channels" if argc <= 3 => {
            let pattern = argv.get(2).map(|p| &p[..]);
            Frame::Array(
                ctx.core
                    .pubsub
                    .channels(pattern)
                    .into_iter()
                    .map(Frame::Bulk)
                    .collect(),
            )
        }
        "numsub" => {
            let mut reply = Vec::with_capacity((argc - 2) * 2);
            for channel in &argv[2..] {
                reply.push(Frame::Bulk(channel.clone()));
                reply.push(Frame::Integer(
                    ctx.core.pubsub.subscriber_count(channel) as i64
                ));
            }
            Frame::Array(reply)
        }
        "numpat" => Frame::Integer(ctx.core.pubsub.pattern_count() as i64),
        "help" => help(),
        _ => return Err(errors::subcommand_syntax(sub, "pubsub")),
    })
}

fn help() -> Frame {
    let lines = [
        "PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "CHANNELS [<pattern>]",
        "    Return the currently active channels matching a <pattern> (default: '*').",
        "NUMPAT",
        "    Return number of subscriptions to patterns.",
        "NUMSUB [<channel> ...]",
        "    Return the number of subscribers for the specified channels, excluding",
        "    pattern subscriptions(default: no channels).",
        "SHARDCHANNELS [<pattern>]",
        "    Return the currently active shard level channels matching a <pattern> (default: '*').",
        "SHARDNUMSUB [<shardchannel> ...]",
        "    Return the number of subscribers for the specified shard level channel(s)",
        "HELP",
        "    Prints this help.",
    ];
    errors::help_lines(&lines)
}

/// One (un)subscribe confirmation: `[kind, channel or nil, channels + patterns now]`.
fn confirmation(kind: &'static str, channel: Option<Bytes>, ctx: &Ctx<'_>) -> Frame {
    Frame::Push(vec![
        Frame::bulk(kind),
        channel.map_or(Frame::Null, Frame::Bulk),
        Frame::Integer(ctx.client.subscriptions.count() as i64),
    ])
}

/// Several replies to one command: all but the last are written before the returned one.
fn several(ctx: &mut Ctx<'_>, mut replies: Vec<Frame>) -> Frame {
    let last = replies.pop().unwrap_or(Frame::Null);
    ctx.client.extra_replies.extend(replies);
    last
}

/// This family's commands, each bound to its handler; [`crate::cmd`] joins them with Redis's facts about
/// each command (arity, flags, keys) from `commands::table`.
pub const HANDLERS: &[(&str, crate::cmd::ServerHandler)] = &[
    ("subscribe", subscribe),
    ("unsubscribe", unsubscribe),
    ("psubscribe", psubscribe),
    ("punsubscribe", punsubscribe),
    ("publish", publish),
    ("pubsub", pubsub),
];
