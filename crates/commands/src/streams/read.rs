//! XREAD and XREADGROUP, at once or blocking (`BLOCK ms`).
//!
//! A group read records each delivered entry in the group's and the consumer's pending lists and is
//! propagated as one `XCLAIM key group consumer 0 id TIME t RETRYCOUNT n FORCE JUSTID LASTID last` per
//! entry (and `XGROUP SETID` for `NOACK` reads), never as the read itself, as Redis does: a replica then
//! holds the same pending lists with the same delivery times and counts.

use std::time::Duration;

use bytes::Bytes;
use keyspace::types::stream::{ConsumerGroup, StreamId, StreamView};
use resp::{Frame, Protocol};

use super::{DataCtx, args, entry_frame, parse_long, parse_strict_id, read, write};
use crate::Reply;
use crate::blocking::BlockedOp;
use crate::errors;
use crate::{is, owned};

/// COUNT of a blocked XREAD that gave none: Redis serves at most this many entries per key.
const BLOCKED_DEFAULT_COUNT: usize = 1000;

/// The group part of an XREADGROUP.
#[derive(Debug, Clone)]
struct GroupRead {
    group: Bytes,
    consumer: Bytes,
    noack: bool,
}

/// `XREAD [COUNT count] [BLOCK milliseconds] STREAMS key [key ...] id [id ...]`
pub fn xread(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    Ok(read_command(ctx, argv, false))
}

/// `XREADGROUP GROUP group consumer [COUNT count] [BLOCK milliseconds] [NOACK] STREAMS key [key ...]
/// id [id ...]`
pub fn xreadgroup(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    Ok(read_command(ctx, argv, true))
}

/// Redis's millisecond timeout: an integer, negative refused, 0 = forever.
fn parse_block(arg: &[u8]) -> Result<Option<Duration>, Frame> {
    let ms = crate::args::parse_i64(arg)
        .ok_or_else(|| errors::reply("ERR timeout is not an integer or out of range"))?;
    if ms < 0 {
        return Err(errors::reply(errors::TIMEOUT_NEGATIVE));
    }
    Ok((ms > 0).then(|| Duration::from_millis(ms as u64)))
}

fn read_command(ctx: &mut DataCtx<'_>, argv: &[Bytes], xreadgroup: bool) -> Frame {
    let mut block: Option<Option<Duration>> = None;
    let mut count: usize = 0;
    let mut streams_at = 0;
    let mut group: Option<GroupRead> = None;
    let mut noack = false;
    let mut i = 1;
    while i < argv.len() {
        let more = argv.len() - i - 1;
        let opt = &argv[i];
        if is(opt, "block") && more > 0 {
            if ctx.caller.in_script {
                return errors::reply(&format!(
                    "ERR {} command is not allowed with BLOCK option from scripts",
                    String::from_utf8_lossy(&argv[0])
                ));
            }
            i += 1;
            match parse_block(&argv[i]) {
                Ok(timeout) => block = Some(timeout),
                Err(error) => return error,
            }
        } else if is(opt, "count") && more > 0 {
            i += 1;
            match parse_long(&argv[i]) {
                Ok(n) => count = usize::try_from(n).unwrap_or(0),
                Err(error) => return error,
            }
        } else if is(opt, "streams") && more > 0 {
            streams_at = i + 1;
            if !(argv.len() - streams_at).is_multiple_of(2) {
                return errors::reply(
                    "ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.",
                );
            }
            break;
        } else if is(opt, "group") && more >= 2 {
            if !xreadgroup {
                return errors::reply(
                    "ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.",
                );
            }
            group = Some(GroupRead {
                group: owned(&argv[i + 1]),
                consumer: owned(&argv[i + 2]),
                noack: false,
            });
            i += 2;
        } else if is(opt, "noack") {
            if !xreadgroup {
                return errors::reply(
                    "ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.",
                );
            }
            noack = true;
        } else {
            return errors::reply(errors::SYNTAX);
        }
        i += 1;
    }
    if streams_at == 0 {
        return errors::reply(errors::SYNTAX);
    }
    if xreadgroup && group.is_none() {
        return errors::reply("ERR Missing GROUP option for XREADGROUP");
    }
    if let Some(group) = group.as_mut() {
        group.noack = noack;
    }
    let streams_count = (argv.len() - streams_at) / 2;
    let keys = &argv[streams_at..streams_at + streams_count];
    let id_args = &argv[streams_at + streams_count..];

    // Resolve every ID first (and check types and groups), as Redis does before serving anything.
    let mut ids: Vec<Option<StreamId>> = Vec::with_capacity(streams_count);
    for (key, id_arg) in keys.iter().zip(id_args) {
        let stream = match read(ctx, key) {
            Ok(stream) => stream,
            Err(error) => return error,
        };
        if let Some(group) = &group
            && stream.is_none_or(|s| s.group(&group.group).is_none())
        {
            return errors::reply(&format!(
                "NOGROUP No such key '{}' or consumer group '{}' in XREADGROUP with GROUP option",
                String::from_utf8_lossy(key),
                String::from_utf8_lossy(&group.group)
            ));
        }
        if &id_arg[..] == b"$" {
            if xreadgroup {
                return errors::reply(
                    "ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.",
                );
            }
            ids.push(Some(stream.map_or(StreamId::MIN, |s| s.last_id())));
        } else if &id_arg[..] == b">" {
            if !xreadgroup {
                return errors::reply(
                    "ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.",
                );
            }
            // `None` is "new entries for the group".
            ids.push(None);
        } else {
            match parse_strict_id(id_arg) {
                Ok(id) => ids.push(Some(id)),
                Err(error) => return error,
            }
        }
    }

    let mut replies: Vec<(Bytes, Frame)> = Vec::new();
    for (key, id) in keys.iter().zip(&ids) {
        let served = match &group {
            None => serve_plain(ctx, key, id.unwrap_or(StreamId::MAX), count),
            Some(group) => serve_group(ctx, key, group, *id, count),
        };
        if let Some(entries) = served {
            replies.push((owned(key), entries));
        }
    }
    if !replies.is_empty() {
        return keyed_reply(ctx.protocol, replies);
    }
    match block {
        Some(timeout) if ctx.may_block() => {
            let waits = keys
                .iter()
                .zip(&ids)
                .map(|(key, id)| (owned(key), id.unwrap_or(StreamId::MAX)))
                .collect::<Vec<_>>();
            let op = BlockedRead {
                waits,
                count: if count == 0 {
                    BLOCKED_DEFAULT_COUNT
                } else {
                    count
                },
                group,
            };
            ctx.block(keys.iter().map(owned).collect(), timeout, Box::new(op));
            Frame::NullArray
        }
        _ => Frame::NullArray,
    }
}

/// `[[key, entries], ...]` in RESP2, `{key: entries, ...}` in RESP3.
fn keyed_reply(protocol: Protocol, replies: Vec<(Bytes, Frame)>) -> Frame {
    if protocol == Protocol::Resp3 {
        Frame::Map(
            replies
                .into_iter()
                .map(|(key, entries)| (Frame::Bulk(key), entries))
                .collect(),
        )
    } else {
        Frame::Array(
            replies
                .into_iter()
                .map(|(key, entries)| Frame::Array(vec![Frame::Bulk(key), entries]))
                .collect(),
        )
    }
}

/// XREAD of one key: the entries after `after` when the stream has any, `None` otherwise.
fn serve_plain(ctx: &mut DataCtx<'_>, key: &[u8], after: StreamId, count: usize) -> Option<Frame> {
    let stream = read(ctx, key).ok().flatten()?;
    let (top, _) = stream.edge(false)?;
    if top <= after {
        return None;
    }
    let start = after.next()?;
    let entries = stream.range(start, StreamId::MAX, false, (count > 0).then_some(count));
    Some(super::entries_frame(&entries))
}

/// XREADGROUP of one key. `id` is `None` for `>` (new entries), else the consumer's history from it.
fn serve_group(
    ctx: &mut DataCtx<'_>,
    key: &Bytes,
    read_args: &GroupRead,
    id: Option<StreamId>,
    count: usize,
) -> Option<Frame> {
    let now = ctx.now_ms;
    let stream = write(ctx, key).ok().flatten()?;
    let history = id.is_some();
    let start = match id {
        Some(id) => id,
        None => {
            let top = stream.edge(false).map(|(top, _)| top)?;
            let last = stream.group(&read_args.group)?.last_id;
            if top <= last {
                return None;
            }
            last
        }
    };
    Some(deliver(ctx, key, read_args, start, history, count, now))
}

/// Serves a group read from `from` (history: the consumer's pending entries from `from`; else new
/// entries after `from`), creating the consumer if needed, and propagates what Redis propagates.
fn deliver(
    ctx: &mut DataCtx<'_>,
    key: &Bytes,
    read_args: &GroupRead,
    from: StreamId,
    history: bool,
    count: usize,
    now: i64,
) -> Frame {
    let mut propagation: Vec<Vec<Bytes>> = Vec::new();
    let frame = {
        let Ok(Some(stream)) = write(ctx, key) else {
            return Frame::Array(Vec::new());
        };
        let counters = stream.counters();
        let Some((group, view)) = stream.group_and_entries(&read_args.group) else {
            return Frame::Array(Vec::new());
        };
        let created = group.create_consumer(&read_args.consumer, now);
        if let Some(consumer) = group.consumers.get_mut(&read_args.consumer) {
            consumer.seen_time = now;
        }
        if created && read_args.noack {
            propagation.push(vec![
                Bytes::from_static(b"XGROUP"),
                Bytes::from_static(b"CREATECONSUMER"),
                key.clone(),
                read_args.group.clone(),
                read_args.consumer.clone(),
            ]);
        }
        if history {
            // The history starts after the given ID, as new entries do.
            let Some(start) = from.next() else {
                return Frame::Array(Vec::new());
            };
            history_frame(group, view, &read_args.consumer, start, count, now)
        } else {
            let entries = view.after(from, (count > 0).then_some(count));
            let mut frames = Vec::with_capacity(entries.len());
            let mut moved_last = false;
            for (id, fields) in &entries {
                if *id > group.last_id {
                    group.entries_read = match group.entries_read {
                        Some(read) if !counters.range_has_tombstones(*id, StreamId::MAX) => {
                            Some(read + 1)
                        }
                        _ if counters.entries_added() > 0 => {
                            counters.estimate_distance_from_first_ever_entry(*id)
                        }
                        other => other,
                    };
                    group.last_id = *id;
                    moved_last = true;
                }
                frames.push(entry_frame(*id, fields));
                if !read_args.noack {
                    group.deliver(*id, &read_args.consumer, now);
                    let pending = &group.pending[id];
                    propagation.push(xclaim_effect(key, &read_args.group, group, *id, pending));
                }
            }
            if read_args.noack && moved_last {
                propagation.push(setid_effect(key, &read_args.group, group));
            }
            Frame::Array(frames)
        }
    };
    if propagation.is_empty() {
        // Redis counts every group read as a change even when it propagates nothing.
        ctx.add_dirty(1);
    }
    for command in propagation {
        ctx.propagate(command);
    }
    frame
}

/// The consumer's own pending entries from `from`: each with its fields, or `[id, nil]` when the
/// entry was deleted meanwhile; delivered ones count one more delivery.
fn history_frame(
    group: &mut ConsumerGroup,
    view: StreamView<'_>,
    consumer: &Bytes,
    from: StreamId,
    count: usize,
    now: i64,
) -> Frame {
    let ids: Vec<StreamId> = group
        .consumers
        .get(consumer)
        .map(|c| {
            c.pending
                .range(from..)
                .take(if count == 0 { usize::MAX } else { count })
                .copied()
                .collect()
        })
        .unwrap_or_default();
    let mut frames = Vec::with_capacity(ids.len());
    for id in ids {
        match view.get(id) {
            Some(fields) => {
                frames.push(entry_frame(id, fields));
                if let Some(pending) = group.pending.get_mut(&id) {
                    pending.delivery_time = now;
                    pending.delivery_count += 1;
                }
            }
            None => frames.push(Frame::Array(vec![super::id_frame(id), Frame::NullArray])),
        }
    }
    Frame::Array(frames)
}

/// `XCLAIM key group consumer 0 id TIME t RETRYCOUNT n FORCE JUSTID LASTID last`: how Redis propagates
/// one delivery to a group.
pub(super) fn xclaim_effect(
    key: &Bytes,
    group_name: &Bytes,
    group: &ConsumerGroup,
    id: StreamId,
    pending: &keyspace::types::stream::PendingEntry,
) -> Vec<Bytes> {
    let mut command = args(&[b"XCLAIM"]);
    command.extend([
        key.clone(),
        group_name.clone(),
        pending.consumer.clone(),
        Bytes::from_static(b"0"),
        Bytes::from(id.to_string()),
        Bytes::from_static(b"TIME"),
        Bytes::from(pending.delivery_time.to_string()),
        Bytes::from_static(b"RETRYCOUNT"),
        Bytes::from(pending.delivery_count.to_string()),
        Bytes::from_static(b"FORCE"),
        Bytes::from_static(b"JUSTID"),
        Bytes::from_static(b"LASTID"),
        Bytes::from(group.last_id.to_string()),
    ]);
    command
}

/// `XGROUP SETID key group last ENTRIESREAD n`: how Redis propagates a group's new position.
pub(super) fn setid_effect(key: &Bytes, group_name: &Bytes, group: &ConsumerGroup) -> Vec<Bytes> {
    vec![
        Bytes::from_static(b"XGROUP"),
        Bytes::from_static(b"SETID"),
        key.clone(),
        group_name.clone(),
        Bytes::from(group.last_id.to_string()),
        Bytes::from_static(b"ENTRIESREAD"),
        Bytes::from(
            group
                .entries_read
                .map_or_else(|| "-1".to_owned(), |read| read.to_string()),
        ),
    ]
}

/// An XREAD / XREADGROUP waiting for entries on any of its keys.
#[derive(Debug)]
struct BlockedRead {
    /// Each key and the ID entries must be greater than (`MAX` for a group's `>`).
    waits: Vec<(Bytes, StreamId)>,
    count: usize,
    group: Option<GroupRead>,
}

impl BlockedOp for BlockedRead {
    fn serve(&mut self, ctx: &mut DataCtx<'_>, key: &Bytes) -> Option<Frame> {
        let after = self.waits.iter().find(|(k, _)| k == key)?.1;
        let now = ctx.now_ms;
        let protocol = ctx.protocol;
        let stream = match read(ctx, key) {
            Ok(Some(stream)) => stream,
            // The stream was deleted or replaced: a group read has nothing left to wait for.
            _ if self.group.is_some() => {
                return Some(errors::reply("UNBLOCKED the stream key no longer exists"));
            }
            _ => return None,
        };
        let last_id = stream.last_id();
        let entries = match &self.group {
            None => {
                if last_id <= after {
                    return None;
                }
                let start = after.next()?;
                super::entries_frame(&stream.range(start, StreamId::MAX, false, Some(self.count)))
            }
            Some(read_args) => {
                let Some(group) = stream.group(&read_args.group) else {
                    return Some(errors::reply(
                        "NOGROUP the consumer group this client was blocked on no longer exists",
                    ));
                };
                let from = group.last_id;
                if last_id <= from {
                    return None;
                }
                let read_args = read_args.clone();
                deliver(ctx, key, &read_args, from, false, self.count, now)
            }
        };
        Some(keyed_reply(protocol, vec![(key.clone(), entries)]))
    }

    fn serves_missing_key(&self) -> bool {
        self.group.is_some()
    }

    fn timeout_reply(&self) -> Frame {
        Frame::NullArray
    }
}
