//! `XINFO STREAM [FULL [COUNT n]] | GROUPS | CONSUMERS | HELP`.

use bytes::Bytes;
use keyspace::types::stream::{Stream, StreamId};
use resp::Frame;

use super::{DataCtx, entries_frame, entry_frame, id_frame, parse_long, read};
use crate::Reply;
use crate::errors;
use crate::is;

fn field(name: &'static str) -> Frame {
    Frame::Bulk(Bytes::from_static(name.as_bytes()))
}

fn map(pairs: Vec<(&'static str, Frame)>) -> Frame {
    Frame::Map(
        pairs
            .into_iter()
            .map(|(name, value)| (field(name), value))
            .collect(),
    )
}

fn entries_read_frame(read: Option<u64>) -> Frame {
    read.map_or(Frame::Null, |n| Frame::Integer(n as i64))
}

fn lag_frame(stream: &Stream, group: &keyspace::types::stream::ConsumerGroup) -> Frame {
    stream.group_lag(group).map_or(Frame::Null, Frame::Integer)
}

/// `XINFO <subcommand> ...`
pub fn xinfo(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    let sub = &argv[1];
    if is(sub, "help") {
        if argv.len() != 2 {
            return Err(errors::subcommand_syntax(sub, "xinfo"));
        }
        return Ok(help());
    }
    if argv.len() < 3 {
        return Err(errors::subcommand_syntax(sub, "xinfo"));
    }
    let now = ctx.now_ms;
    let stream = match read(ctx, &argv[2])? {
        Some(stream) => stream,
        None => return Err(errors::reply(errors::NO_SUCH_KEY)),
    };
    Ok(if is(sub, "consumers") && argv.len() == 4 {
        let Some(group) = stream.group(&argv[3]) else {
            return Err(errors::reply(&format!(
                "NOGROUP No such consumer group '{}' for key name '{}'",
                String::from_utf8_lossy(&argv[3]),
                String::from_utf8_lossy(&argv[2])
            )));
        };
        Frame::Array(
            group
                .consumers
                .iter()
                .map(|(name, consumer)| {
                    map(vec![
                        ("name", Frame::Bulk(name.clone())),
                        ("pending", Frame::Integer(consumer.pending.len() as i64)),
                        ("idle", Frame::Integer((now - consumer.seen_time).max(0))),
                    ])
                })
                .collect(),
        )
    } else if is(sub, "groups") && argv.len() == 3 {
        Frame::Array(
            stream
                .groups()
                .iter()
                .map(|(name, group)| {
                    map(vec![
                        ("name", Frame::Bulk(name.clone())),
                        ("consumers", Frame::Integer(group.consumers.len() as i64)),
                        ("pending", Frame::Integer(group.pending.len() as i64)),
                        ("last-delivered-id", id_frame(group.last_id)),
                        ("entries-read", entries_read_frame(group.entries_read)),
                        ("lag", lag_frame(stream, group)),
                    ])
                })
                .collect(),
        )
    } else if is(sub, "stream") {
        stream_info(stream, sub, &argv[3..])
    } else {
        errors::subcommand_syntax(sub, "xinfo")
    })
}

fn stream_info(stream: &Stream, sub: &[u8], options: &[Bytes]) -> Frame {
    let mut full = false;
    let mut count: usize = 10;
    if !options.is_empty() {
        if (options.len() != 1 && options.len() != 3) || !is(&options[0], "full") {
            return errors::subcommand_syntax(sub, "xinfo");
        }
        full = true;
        if options.len() == 3 {
            if !is(&options[1], "count") {
                return errors::subcommand_syntax(sub, "xinfo");
            }
            match parse_long(&options[2]) {
                Ok(n) if n < 0 => count = 10,
                Ok(n) => count = usize::try_from(n).unwrap_or(usize::MAX),
                Err(error) => return error,
            }
        }
    }
    let masters: Vec<StreamId> = stream.nodes().map(|(id, _)| *id).collect();
    let mut pairs = vec![
        ("length", Frame::Integer(stream.len() as i64)),
        ("radix-tree-keys", Frame::Integer(masters.len() as i64)),
        (
            "radix-tree-nodes",
            Frame::Integer(rax_nodes(&masters) as i64),
        ),
        ("last-generated-id", id_frame(stream.last_id())),
        (
            "max-deleted-entry-id",
            id_frame(stream.max_deleted_entry_id()),
        ),
        (
            "entries-added",
            Frame::Integer(stream.entries_added() as i64),
        ),
        ("recorded-first-entry-id", id_frame(stream.first_id())),
    ];
    // COUNT 0 means everything.
    let limit = (count != 0).then_some(count);
    if !full {
        pairs.push(("groups", Frame::Integer(stream.groups().len() as i64)));
        let edge = |first: bool| {
            stream
                .edge(first)
                .map_or(Frame::Null, |(id, fields)| entry_frame(id, fields))
        };
        pairs.push(("first-entry", edge(true)));
        pairs.push(("last-entry", edge(false)));
        return map(pairs);
    }
    pairs.push((
        "entries",
        entries_frame(&stream.range(StreamId::MIN, StreamId::MAX, false, limit)),
    ));
    let take = limit.unwrap_or(usize::MAX);
    let groups = stream
        .groups()
        .iter()
        .map(|(name, group)| {
            let pending = group
                .pending
                .iter()
                .take(take)
                .map(|(id, entry)| {
                    Frame::Array(vec![
                        id_frame(*id),
                        Frame::Bulk(entry.consumer.clone()),
                        Frame::Integer(entry.delivery_time),
                        Frame::Integer(entry.delivery_count as i64),
                    ])
                })
                .collect();
            let consumers = group
                .consumers
                .iter()
                .map(|(consumer_name, consumer)| {
                    let own = consumer
                        .pending
                        .iter()
                        .take(take)
                        .map(|id| {
                            let entry = group.pending.get(id);
                            Frame::Array(vec![
                                id_frame(*id),
                                Frame::Integer(entry.map_or(0, |e| e.delivery_time)),
                                Frame::Integer(entry.map_or(0, |e| e.delivery_count as i64)),
                            ])
                        })
                        .collect();
                    map(vec![
                        ("name", Frame::Bulk(consumer_name.clone())),
                        ("seen-time", Frame::Integer(consumer.seen_time)),
                        ("pel-count", Frame::Integer(consumer.pending.len() as i64)),
                        ("pending", Frame::Array(own)),
                    ])
                })
                .collect();
            map(vec![
                ("name", Frame::Bulk(name.clone())),
                ("last-delivered-id", id_frame(group.last_id)),
                ("entries-read", entries_read_frame(group.entries_read)),
                ("lag", lag_frame(stream, group)),
                ("pel-count", Frame::Integer(group.pending.len() as i64)),
                ("pending", Frame::Array(pending)),
                ("consumers", Frame::Array(consumers)),
            ])
        })
        .collect();
    pairs.push(("groups", Frame::Array(groups)));
    map(pairs)
}

/// How many nodes Redis's radix tree has for these 16-byte keys: a compressed node for each run of
/// bytes shared by every key below it, a branching node where keys part, and a leaf per key. An
/// empty tree is its head node alone.
fn rax_nodes(keys: &[StreamId]) -> usize {
    if keys.is_empty() {
        return 1;
    }
    let encoded: Vec<[u8; 16]> = keys.iter().map(|id| id.to_be_bytes()).collect();
    let refs: Vec<&[u8; 16]> = encoded.iter().collect();
    subtree_nodes(&refs, 0)
}

fn subtree_nodes(keys: &[&[u8; 16]], depth: usize) -> usize {
    if depth == 16 {
        return 1;
    }
    let first = keys[0];
    let last = keys[keys.len() - 1];
    let shared = (depth..16).take_while(|&i| first[i] == last[i]).count();
    if shared > 0 {
        // Keys are sorted, so what the first and last share, all share: one compressed node.
        return 1 + subtree_nodes(keys, depth + shared);
    }
    let mut count = 1;
    let mut start = 0;
    while start < keys.len() {
        let byte = keys[start][depth];
        let end = start
            + keys[start..]
                .iter()
                .take_while(|k| k[depth] == byte)
                .count();
        count += subtree_nodes(&keys[start..end], depth + 1);
        start = end;
    }
    count
}

fn help() -> Frame {
    let lines = [
        "XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "CONSUMERS <key> <groupname>",
        "    Show consumers of <groupname>.",
        "GROUPS <key>",
        "    Show the stream consumer groups.",
        "STREAM <key> [FULL [COUNT <count>]",
        "    Show information about the stream.",
        "HELP",
        "    Prints this help.",
    ];
    errors::help_lines(&lines)
}
