//! `CLIENT`: ID, SETNAME, GETNAME, INFO, LIST, KILL, HELP.

use bytes::Bytes;
use resp::Frame;

use super::connection::{BAD_CLIENT_NAME, valid_client_name};
use super::{Ctx, is, parse_i64};
use crate::client::AfterReply;
use crate::clients::{ClientKind, KillFilter};
use crate::errors;
use commands::Reply;

/// `CLIENT ID | SETNAME name | GETNAME | INFO | LIST [TYPE t] | KILL ...`
pub fn client(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Reply {
    let sub = &argv[1];
    // Redis 7 gives subcommands their own arity, checked before they run.
    let arity = [("id", 2), ("getname", 2), ("setname", 3), ("info", 2)]
        .into_iter()
        .find(|(name, _)| is(sub, name));
    if let Some((name, arity)) = arity
        && argv.len() != arity
    {
        return Err(errors::wrong_arity(&format!("client|{name}")));
    }
    Ok(if is(sub, "id") && argv.len() == 2 {
        Frame::Integer(ctx.client.id as i64)
    } else if is(sub, "setname") && argv.len() == 3 {
        match valid_client_name(&argv[2]) {
            Some(name) => {
                let name = (!name.is_empty()).then_some(name);
                ctx.shared
                    .clients
                    .update(ctx.client.id, |info| info.name = name.clone());
                ctx.client.name = name;
                Frame::ok()
            }
            None => return Err(errors::reply(BAD_CLIENT_NAME)),
        }
    } else if is(sub, "getname") && argv.len() == 2 {
        ctx.client
            .name
            .clone()
            .map(Frame::bulk)
            .unwrap_or(Frame::Null)
    } else if is(sub, "info") && argv.len() == 2 {
        let line = ctx
            .shared
            .clients
            .describe(ctx.client.id, ctx.shared.port)
            .unwrap_or_default();
        Frame::bulk(format!("{line}\n"))
    } else if is(sub, "reply") && argv.len() == 3 {
        reply_mode(ctx, &argv[2])
    } else if is(sub, "unblock") && argv.len() == 2 {
        errors::wrong_arity("client|unblock")
    } else if is(sub, "unblock") && (argv.len() == 3 || argv.len() == 4) {
        unblock(ctx, argv)?
    } else if is(sub, "list") {
        if argv.len() > 3 && is(&argv[2], "id") {
            let mut ids = Vec::with_capacity(argv.len() - 3);
            for id in &argv[3..] {
                match super::parse_i64(id) {
                    Some(id) => ids.push(id),
                    None => return Err(errors::reply("ERR Invalid client ID")),
                }
            }
            return Ok(Frame::bulk(
                ctx.shared.clients.list_ids(&ids, ctx.shared.port),
            ));
        }
        let kind = match argv {
            [_, _] => None,
            [_, _, option, kind] if is(option, "type") => match ClientKind::parse(kind) {
                Some(kind) => Some(kind),
                None => {
                    return Err(errors::reply(&format!(
                        "ERR Unknown client type '{}'",
                        String::from_utf8_lossy(kind)
                    )));
                }
            },
            _ => return Err(errors::reply(errors::SYNTAX)),
        };
        Frame::bulk(ctx.shared.clients.list(kind, ctx.shared.port))
    } else if is(sub, "pause") && (argv.len() == 3 || argv.len() == 4) {
        pause(ctx, argv)?
    } else if is(sub, "unpause") && argv.len() == 2 {
        ctx.shared.client_unpause_if_due(true);
        Frame::ok()
    } else if is(sub, "kill") && argv.len() >= 3 {
        kill(ctx, argv)?
    } else if is(sub, "help") {
        Frame::Array(
            [
                "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                "ID",
                "GETNAME",
                "SETNAME <name>",
                "INFO",
                "LIST [TYPE (NORMAL|MASTER|REPLICA)]",
                "KILL <ip:port> | KILL <option> <value> [<option> <value> ...]",
                "PAUSE <timeout> [WRITE|ALL]",
                "UNPAUSE",
            ]
            .iter()
            .map(|line| Frame::Simple(Bytes::from_static(line.as_bytes())))
            .collect(),
        )
    } else {
        errors::unknown_subcommand(sub, "client")
    })
}

/// Disconnects the matching clients. Replicas among them also leave the registry right here, under the
/// lock, so that their sender stops before the next byte of the stream: in Redis a killed replica gets
/// nothing written after the kill, not even by the rest of a transaction that contained it.
fn kill_matching(ctx: &mut Ctx<'_>, filter: &KillFilter) -> Vec<u64> {
    let killed = ctx.shared.clients.kill(filter, Some(ctx.client.id));
    for id in &killed {
        if let Some(replica) = ctx.core.replicas.remove(*id) {
            replica.cancel.cancel();
        }
    }
    killed
}

/// `CLIENT KILL ip:port` (replies OK or an error) or `CLIENT KILL <filter> <value> ...` (replies the count).
fn kill(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Reply {
    let own_id = ctx.client.id;
    if argv.len() == 3 {
        let filter = KillFilter {
            addr: Some(String::from_utf8_lossy(&argv[2]).into_owned()),
            ..KillFilter::default()
        };
        let killed = kill_matching(ctx, &filter);
        if killed.contains(&own_id) {
            ctx.client.after_reply = Some(AfterReply::Close);
        }
        return Ok(if killed.is_empty() {
            errors::reply("ERR No such client")
        } else {
            Frame::ok()
        });
    }
    if argv.len() % 2 == 1 {
        return Err(errors::reply(errors::SYNTAX));
    }
    let mut filter = KillFilter {
        skip: Some(own_id),
        ..KillFilter::default()
    };
    for pair in argv[2..].chunks_exact(2) {
        let (option, value) = (&pair[0], &pair[1]);
        if is(option, "id") {
            match parse_i64(value)
                .and_then(|id| u64::try_from(id).ok())
                .filter(|id| *id > 0)
            {
                Some(id) => filter.id = Some(id),
                None => return Err(errors::reply("ERR client-id should be greater than 0")),
            }
        } else if is(option, "type") {
            match ClientKind::parse(value) {
                Some(kind) => filter.kind = Some(kind),
                None => {
                    return Err(errors::reply(&format!(
                        "ERR Unknown client type '{}'",
                        String::from_utf8_lossy(value)
                    )));
                }
            }
        } else if is(option, "addr") {
            filter.addr = Some(String::from_utf8_lossy(value).into_owned());
        } else if is(option, "user") {
            if ctx.core.acl.user(value).is_none() {
                return Err(errors::with_argument("ERR No such user '", value, "'"));
            }
            filter.user = Some(String::from_utf8_lossy(value).into_owned());
        } else if is(option, "skipme") {
            if is(value, "yes") {
                filter.skip = Some(own_id);
            } else if is(value, "no") {
                filter.skip = None;
            } else {
                return Err(errors::reply(errors::SYNTAX));
            }
        } else {
            return Err(errors::reply(errors::SYNTAX));
        }
    }
    let killed = kill_matching(ctx, &filter);
    if killed.contains(&own_id) {
        ctx.client.after_reply = Some(AfterReply::Close);
    }
    Ok(Frame::Integer(killed.len() as i64))
}

/// `CLIENT PAUSE timeout [WRITE|ALL]`: client commands (writes only, or all) wait until the timeout passes
/// or `CLIENT UNPAUSE`; replicas and the master link are never paused.
fn pause(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Reply {
    let Some(timeout) = parse_i64(&argv[2]).filter(|timeout| *timeout >= 0) else {
        return Err(errors::reply(
            "ERR timeout is not an integer or out of range",
        ));
    };
    let level = match argv.get(3) {
        None => crate::shared::PauseLevel::All,
        Some(mode) if is(mode, "all") => crate::shared::PauseLevel::All,
        Some(mode) if is(mode, "write") => crate::shared::PauseLevel::Writes,
        Some(_) => return Err(errors::reply(errors::SYNTAX)),
    };
    let until = std::time::Instant::now() + std::time::Duration::from_millis(timeout as u64);
    ctx.shared.client_pause(until, level);
    Ok(Frame::ok())
}

/// `CLIENT UNBLOCK id [TIMEOUT|ERROR]`: ends another client's blocking command, as a timeout (default) or
/// with `-UNBLOCKED`; answers 1 if that client was waiting.
fn unblock(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Reply {
    let error = match argv.get(3) {
        None => None,
        Some(reason) if is(reason, "timeout") => None,
        Some(reason) if is(reason, "error") => Some(errors::reply(
            "UNBLOCKED client unblocked via CLIENT UNBLOCK",
        )),
        Some(_) => {
            return Err(errors::reply(
                "ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR",
            ));
        }
    };
    let Some(id) = super::parse_i64(&argv[2]) else {
        return Err(errors::reply(errors::NOT_INTEGER));
    };
    let unblocked = u64::try_from(id).is_ok_and(|id| ctx.core.blocking.unblock(id, error));
    Ok(Frame::Integer(i64::from(unblocked)))
}

/// `CLIENT REPLY ON|OFF|SKIP`: only ON is answered; SKIP has no effect while replies are off.
fn reply_mode(ctx: &mut Ctx<'_>, mode: &[u8]) -> Frame {
    let client = &mut *ctx.client;
    if is(mode, "on") {
        client.reply_off = false;
        client.reply_skip = false;
        client.reply_skip_next = false;
        Frame::ok()
    } else if is(mode, "off") {
        client.reply_off = true;
        Frame::ok()
    } else if is(mode, "skip") {
        if !client.reply_off {
            client.reply_skip_next = true;
            client.suppress_reply = true;
        }
        Frame::ok()
    } else {
        errors::reply(errors::SYNTAX)
    }
}

/// This family's commands, each bound to its handler; [`crate::cmd`] joins them with Redis's facts about
/// each command (arity, flags, keys) from `commands::table`.
pub const HANDLERS: &[(&str, crate::cmd::ServerHandler)] = &[("client", client)];
