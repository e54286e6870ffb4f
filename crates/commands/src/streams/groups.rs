//! Consumer group commands: XGROUP, XACK, XPENDING, XCLAIM, XAUTOCLAIM.

use bytes::Bytes;
use keyspace::types::stream::{ConsumerGroup, PendingEntry, Stream, StreamId};
use resp::Frame;

use super::entries::parse_bound;
use super::read::{setid_effect, xclaim_effect};
use super::{DataCtx, entry_frame, id_frame, parse_long, parse_strict_id, read, write};
use crate::Reply;
use crate::errors;
use crate::{is, owned};

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn no_group(key: &[u8], group: &[u8]) -> Frame {
    errors::reply(&format!(
        "NOGROUP No such key '{}' or consumer group '{}'",
        lossy(key),
        lossy(group)
    ))
}

/// `XGROUP CREATE|SETID|DESTROY|CREATECONSUMER|DELCONSUMER|HELP ...`
pub fn xgroup(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    let sub = &argv[1];
    let argc = argv.len();
    let mut mkstream = false;
    let mut entries_read: Option<u64> = None;
    if argc >= 4 {
        let create = is(sub, "create");
        let setid = is(sub, "setid");
        let mut i = 5;
        while i < argc {
            if create && is(&argv[i], "mkstream") {
                mkstream = true;
                i += 1;
            } else if (create || setid) && is(&argv[i], "entriesread") && i + 1 < argc {
                match parse_long(&argv[i + 1]) {
                    Ok(-1) => entries_read = None,
                    Ok(n) if n < 0 => {
                        return Err(errors::reply(
                            "ERR value for ENTRIESREAD must be positive or -1",
                        ));
                    }
                    Ok(n) => entries_read = Some(n as u64),
                    Err(error) => return Err(error),
                }
                i += 2;
            } else {
                return Err(errors::subcommand_syntax(sub, "xgroup"));
            }
        }
    }
    if argc == 2 && is(sub, "help") {
        return Ok(help());
    }
    if argc < 4 {
        return Err(errors::subcommand_syntax(sub, "xgroup"));
    }
    let key = &argv[2];
    let group_name = owned(&argv[3]);
    let stream = read(ctx, key)?;
    let exists = stream.map(|s| s.group(&group_name).is_some());
    if !mkstream {
        let Some(group_exists) = exists else {
            return Err(errors::reply(
                "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.",
            ));
        };
        if !group_exists
            && (is(sub, "setid") || is(sub, "createconsumer") || is(sub, "delconsumer"))
        {
            return Err(errors::reply(&format!(
                "NOGROUP No such consumer group '{}' for key name '{}'",
                lossy(&group_name),
                lossy(key)
            )));
        }
    }
    let now = ctx.now_ms;
    Ok(if is(sub, "create") && (5..=8).contains(&argc) {
        let id = if &argv[4][..] == b"$" {
            read(ctx, key)?.map_or(StreamId::MIN, Stream::last_id)
        } else {
            parse_strict_id(&argv[4])?
        };
        let stream = super::write_or_create(ctx, key)?;
        if stream.group(&group_name).is_some() {
            return Err(errors::reply(
                "BUSYGROUP Consumer Group name already exists",
            ));
        }
        stream
            .groups_mut()
            .insert(group_name, ConsumerGroup::new(id, entries_read));
        ctx.propagate_verbatim(argv);
        Frame::ok()
    } else if is(sub, "setid") && (argc == 5 || argc == 7) {
        let Ok(Some(stream)) = write(ctx, key) else {
            return Err(errors::reply(errors::NO_SUCH_KEY));
        };
        let id = if &argv[4][..] == b"$" {
            stream.last_id()
        } else {
            super::parse_id(&argv[4], 0, false)?
        };
        if let Some(group) = stream.group_mut(&group_name) {
            group.last_id = id;
            group.entries_read = entries_read;
        }
        ctx.propagate_verbatim(argv);
        Frame::ok()
    } else if is(sub, "destroy") && argc == 4 {
        let Ok(Some(stream)) = write(ctx, key) else {
            return Ok(Frame::Integer(0));
        };
        if stream.groups_mut().remove(&group_name).is_none() {
            return Ok(Frame::Integer(0));
        }
        ctx.propagate_verbatim(argv);
        // Clients blocked reading through this group learn that it is gone.
        ctx.signal_key_ready(key);
        Frame::Integer(1)
    } else if is(sub, "createconsumer") && argc == 5 {
        let Ok(Some(stream)) = write(ctx, key) else {
            return Ok(Frame::Integer(0));
        };
        let created = stream
            .group_mut(&group_name)
            .is_some_and(|group| group.create_consumer(&owned(&argv[4]), now));
        if created {
            ctx.propagate_verbatim(argv);
        }
        Frame::Integer(i64::from(created))
    } else if is(sub, "delconsumer") && argc == 5 {
        let Ok(Some(stream)) = write(ctx, key) else {
            return Ok(Frame::Integer(0));
        };
        let pending = stream
            .group_mut(&group_name)
            .and_then(|group| group.delete_consumer(&argv[4]));
        match pending {
            Some(pending) => {
                ctx.propagate_verbatim(argv);
                Frame::Integer(pending as i64)
            }
            None => Frame::Integer(0),
        }
    } else {
        errors::subcommand_syntax(sub, "xgroup")
    })
}

fn help() -> Frame {
    let lines = [
        "XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "CREATE <key> <groupname> <id|$> [option]",
        "    Create a new consumer group. Options are:",
        "    * MKSTREAM",
        "      Create the empty stream if it does not exist.",
        "    * ENTRIESREAD entries_read",
        "      Set the group's entries_read counter (internal use).",
        "CREATECONSUMER <key> <groupname> <consumer>",
        "    Create a new consumer in the specified group.",
        "DELCONSUMER <key> <groupname> <consumer>",
        "    Remove the specified consumer.",
        "DESTROY <key> <groupname>",
        "    Remove the specified group.",
        "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
        "    Set the current group ID and entries_read counter.",
        "HELP",
        "    Prints this help.",
    ];
    errors::help_lines(&lines)
}

/// `XACK key group id [id ...]`
pub fn xack(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    match read(ctx, &argv[1])? {
        Some(stream) if stream.group(&argv[2]).is_some() => {}
        _ => return Ok(Frame::Integer(0)),
    }
    let mut ids = Vec::with_capacity(argv.len() - 3);
    for arg in &argv[3..] {
        ids.push(parse_strict_id(arg)?);
    }
    let Ok(Some(stream)) = write(ctx, &argv[1]) else {
        return Ok(Frame::Integer(0));
    };
    let Some(group) = stream.group_mut(&argv[2]) else {
        return Ok(Frame::Integer(0));
    };
    let acked = ids.into_iter().filter(|id| group.ack(*id)).count() as u64;
    if acked > 0 {
        ctx.propagate_verbatim(argv);
        ctx.add_dirty(acked - 1);
    }
    Ok(Frame::Integer(acked as i64))
}

/// `XPENDING key group [[IDLE min-idle-time] start end count [consumer]]`
pub fn xpending(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    let argc = argv.len();
    if argc != 3 && !(6..=9).contains(&argc) {
        return Err(errors::reply(errors::SYNTAX));
    }
    let mut range: Option<(StreamId, StreamId, usize, Option<&Bytes>, i64)> = None;
    if argc >= 6 {
        let mut start_at = 3;
        let mut min_idle = 0;
        if is(&argv[3], "idle") {
            min_idle = parse_long(&argv[4])?;
            if argc < 8 {
                return Err(errors::reply(errors::SYNTAX));
            }
            start_at += 2;
        }
        let count = parse_long(&argv[start_at + 2])?;
        let count = usize::try_from(count).unwrap_or(0);
        let start = parse_bound(&argv[start_at], true)?;
        let end = (parse_bound(&argv[start_at + 1], false))?;
        range = Some((start, end, count, argv.get(start_at + 3), min_idle));
    }
    let now = ctx.now_ms;
    let stream = read(ctx, &argv[1])?;
    let group = match stream.and_then(|s| s.group(&argv[2])) {
        Some(group) => group,
        None => return Err(no_group(&argv[1], &argv[2])),
    };
    let Some((start, end, count, consumer, min_idle)) = range else {
        return Ok(summary(group));
    };
    let ids: Vec<StreamId> = match consumer {
        Some(name) => match group.consumers.get(name) {
            Some(consumer) => consumer
                .pending
                .range(start..=end.max(start))
                .copied()
                .collect(),
            None => return Ok(Frame::Array(Vec::new())),
        },
        None => group
            .pending
            .range(start..=end.max(start))
            .map(|(id, _)| *id)
            .collect(),
    };
    let mut out = Vec::new();
    for id in ids {
        if out.len() >= count || id > end {
            break;
        }
        let Some(pending) = group.pending.get(&id) else {
            continue;
        };
        let idle = now - pending.delivery_time;
        if min_idle != 0 && idle < min_idle {
            continue;
        }
        out.push(Frame::Array(vec![
            id_frame(id),
            Frame::Bulk(pending.consumer.clone()),
            Frame::Integer(idle.max(0)),
            Frame::Integer(pending.delivery_count as i64),
        ]));
    }
    Ok(Frame::Array(out))
}

/// XPENDING without a range: count, smallest and greatest pending ID, and pending per consumer.
fn summary(group: &ConsumerGroup) -> Frame {
    let (Some((first, _)), Some((last, _))) = (
        group.pending.first_key_value(),
        group.pending.last_key_value(),
    ) else {
        return Frame::Array(vec![
            Frame::Integer(0),
            Frame::Null,
            Frame::Null,
            Frame::NullArray,
        ]);
    };
    let per_consumer = group
        .consumers
        .iter()
        .filter(|(_, consumer)| !consumer.pending.is_empty())
        .map(|(name, consumer)| {
            Frame::Array(vec![
                Frame::Bulk(name.clone()),
                Frame::Bulk(Bytes::from(consumer.pending.len().to_string())),
            ])
        })
        .collect();
    Frame::Array(vec![
        Frame::Integer(group.pending.len() as i64),
        id_frame(*first),
        id_frame(*last),
        Frame::Array(per_consumer),
    ])
}

fn option_long(arg: &[u8], message: &str) -> Result<i64, Frame> {
    crate::args::parse_i64(arg).ok_or_else(|| errors::reply(&format!("ERR {message}")))
}

/// `XCLAIM key group consumer min-idle-time id [id ...] [IDLE ms] [TIME unix-time-milliseconds]
/// [RETRYCOUNT count] [FORCE] [JUSTID] [LASTID lastid]`
pub fn xclaim(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    let (key, group_name) = (&argv[1], owned(&argv[2]));
    match read(ctx, key)? {
        Some(stream) if stream.group(&group_name).is_some() => {}
        _ => return Err(no_group(key, &group_name)),
    }
    let idle = option_long(&argv[4], "Invalid min-idle-time argument for XCLAIM")?;
    let min_idle = idle.max(0);
    let mut ids = Vec::new();
    let mut j = 5;
    while j < argv.len() {
        match StreamId::parse(&argv[j], 0) {
            Ok(id) if !matches!(&argv[j][..], b"-" | b"+") => ids.push(id),
            _ => break,
        }
        j += 1;
    }
    let now = ctx.now_ms;
    let (mut force, mut justid) = (false, false);
    let mut delivery_time: Option<i64> = None;
    let mut retry_count: Option<i64> = None;
    let mut last_id = StreamId::MIN;
    while j < argv.len() {
        let more = argv.len() - 1 - j;
        let opt = &argv[j];
        if is(opt, "force") {
            force = true;
        } else if is(opt, "justid") {
            justid = true;
        } else if is(opt, "idle") && more > 0 {
            j += 1;
            let idle = option_long(&argv[j], "Invalid IDLE option argument for XCLAIM")?;
            delivery_time = Some(now - idle);
        } else if is(opt, "time") && more > 0 {
            j += 1;
            delivery_time = Some(option_long(
                &argv[j],
                "Invalid TIME option argument for XCLAIM",
            )?);
        } else if is(opt, "retrycount") && more > 0 {
            j += 1;
            retry_count = Some(option_long(
                &argv[j],
                "Invalid RETRYCOUNT option argument for XCLAIM",
            )?);
        } else if is(opt, "lastid") && more > 0 {
            j += 1;
            last_id = parse_strict_id(&argv[j])?;
        } else {
            return Err(errors::reply(&format!(
                "ERR Unrecognized XCLAIM option '{}'",
                lossy(opt)
            )));
        }
        j += 1;
    }
    let delivery_time = match delivery_time {
        Some(time) if time < 0 || time > now => now,
        Some(time) => time,
        None => now,
    };
    let consumer_name = owned(&argv[3]);
    let mut propagation = Vec::new();
    let mut replies = Vec::new();
    {
        let Ok(Some(stream)) = write(ctx, key) else {
            return Err(no_group(key, &group_name));
        };
        let Some((group, view)) = stream.group_and_entries(&group_name) else {
            return Err(no_group(key, &group_name));
        };
        let mut propagate_last_id = false;
        if last_id > group.last_id {
            group.last_id = last_id;
            propagate_last_id = true;
        }
        let mut consumer_ready = false;
        for id in ids {
            let exists = view.get(id).is_some();
            if !exists {
                if let Some(pending) = group.pending.get(&id).cloned() {
                    propagation.push(xclaim_effect(key, &group_name, group, id, &pending));
                    propagate_last_id = false;
                    group.ack(id);
                }
                continue;
            }
            if force && !group.pending.contains_key(&id) {
                if !consumer_ready {
                    group.create_consumer(&consumer_name, now);
                }
                group.pending.insert(
                    id,
                    PendingEntry {
                        delivery_time: now,
                        delivery_count: 1,
                        consumer: consumer_name.clone(),
                    },
                );
                // A forced entry belongs to nobody yet: it is idle-checked as new.
                if let Some(consumer) = group.consumers.get_mut(&consumer_name) {
                    consumer.pending.insert(id);
                }
                claim(
                    group,
                    id,
                    &consumer_name,
                    delivery_time,
                    retry_count,
                    justid,
                );
                consumer_ready = true;
            } else {
                let Some(pending) = group.pending.get(&id) else {
                    continue;
                };
                if min_idle > 0 && now - pending.delivery_time < min_idle {
                    continue;
                }
                if !consumer_ready {
                    group.create_consumer(&consumer_name, now);
                    consumer_ready = true;
                }
                claim(
                    group,
                    id,
                    &consumer_name,
                    delivery_time,
                    retry_count,
                    justid,
                );
            }
            if let Some(consumer) = group.consumers.get_mut(&consumer_name) {
                consumer.seen_time = now;
            }
            replies.push(if justid {
                id_frame(id)
            } else {
                entry_frame(id, view.get(id).unwrap_or_default())
            });
            let pending = group.pending[&id].clone();
            propagation.push(xclaim_effect(key, &group_name, group, id, &pending));
            propagate_last_id = false;
        }
        if propagate_last_id {
            propagation.push(setid_effect(key, &group_name, group));
        }
    }
    for command in propagation {
        ctx.propagate(command);
    }
    Ok(Frame::Array(replies))
}

/// Moves the pending `id` to `consumer` with the delivery time and count a claim gives it.
fn claim(
    group: &mut ConsumerGroup,
    id: StreamId,
    consumer: &Bytes,
    delivery_time: i64,
    retry_count: Option<i64>,
    justid: bool,
) {
    group.reassign(id, consumer);
    if let Some(pending) = group.pending.get_mut(&id) {
        pending.delivery_time = delivery_time;
        match retry_count {
            Some(count) if count >= 0 => pending.delivery_count = count as u64,
            _ if !justid => pending.delivery_count += 1,
            _ => {}
        }
    }
}

/// `XAUTOCLAIM key group consumer min-idle-time start [COUNT count] [JUSTID]`
pub fn xautoclaim(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    let (key, group_name) = (&argv[1], owned(&argv[2]));
    let idle = option_long(&argv[4], "Invalid min-idle-time argument for XAUTOCLAIM")?;
    let min_idle = idle.max(0);
    let start = parse_bound(&argv[5], true)?;
    let mut count: i64 = 100;
    let mut justid = false;
    let mut j = 6;
    while j < argv.len() {
        let more = argv.len() - 1 - j;
        if is(&argv[j], "count") && more > 0 {
            let max = i64::MAX / 16;
            match crate::args::parse_i64(&argv[j + 1]) {
                Some(n) if (1..=max).contains(&n) => count = n,
                _ => return Err(errors::reply("ERR COUNT must be > 0")),
            }
            j += 1;
        } else if is(&argv[j], "justid") {
            justid = true;
        } else {
            return Err(errors::reply(errors::SYNTAX));
        }
        j += 1;
    }
    match read(ctx, key)? {
        Some(stream) if stream.group(&group_name).is_some() => {}
        _ => return Err(no_group(key, &group_name)),
    }
    let now = ctx.now_ms;
    let consumer_name = owned(&argv[3]);
    let mut propagation = Vec::new();
    let mut claimed = Vec::new();
    let mut deleted = Vec::new();
    let end_id;
    {
        let Ok(Some(stream)) = write(ctx, key) else {
            return Err(no_group(key, &group_name));
        };
        let Some((group, view)) = stream.group_and_entries(&group_name) else {
            return Err(no_group(key, &group_name));
        };
        let mut attempts = count.saturating_mul(10);
        let window = usize::try_from(attempts)
            .unwrap_or(usize::MAX)
            .saturating_add(1);
        let ids: Vec<StreamId> = group
            .pending
            .range(start..)
            .take(window)
            .map(|(id, _)| *id)
            .collect();
        let mut next = 0;
        let mut consumer_ready = false;
        while attempts > 0 && count > 0 && next < ids.len() {
            attempts -= 1;
            let id = ids[next];
            next += 1;
            if view.get(id).is_none() {
                if let Some(pending) = group.pending.get(&id).cloned() {
                    propagation.push(xclaim_effect(key, &group_name, group, id, &pending));
                    group.ack(id);
                }
                deleted.push(id);
                count -= 1;
                continue;
            }
            let Some(pending) = group.pending.get(&id) else {
                continue;
            };
            if min_idle > 0 && now - pending.delivery_time < min_idle {
                continue;
            }
            if !consumer_ready {
                group.create_consumer(&consumer_name, now);
                consumer_ready = true;
            }
            if let Some(consumer) = group.consumers.get_mut(&consumer_name) {
                consumer.seen_time = now;
            }
            claim(group, id, &consumer_name, now, None, justid);
            claimed.push(if justid {
                id_frame(id)
            } else {
                entry_frame(id, view.get(id).unwrap_or_default())
            });
            count -= 1;
            let pending = group.pending[&id].clone();
            propagation.push(xclaim_effect(key, &group_name, group, id, &pending));
        }
        end_id = ids.get(next).copied().unwrap_or(StreamId::MIN);
    }
    for command in propagation {
        ctx.propagate(command);
    }
    Ok(Frame::Array(vec![
        id_frame(end_id),
        Frame::Array(claimed),
        Frame::Array(deleted.into_iter().map(id_frame).collect()),
    ]))
}
