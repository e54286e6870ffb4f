//! List commands: LPUSH, RPUSH, LPUSHX, RPUSHX, LPOP, RPOP, LLEN, LRANGE, LINDEX, LSET, LREM, LTRIM, LINSERT and
//! LPOS here; LMOVE, RPOPLPUSH and the blocking pops in [`blocking`].
//!
//! As in Redis, a command that removes the last element deletes the key (its own propagation is enough: the
//! replica's copy of the command empties and deletes the list too), and a command changes the stream only when
//! it changed data (an `LTRIM` or `LREM` removing nothing sends nothing).

use bytes::Bytes;
use keyspace::types::list::{End, List, PositionQuery};
use keyspace::{Entry, Value};
use resp::Frame;

use super::{DataCtx, is, owned, parse_i64};
use crate::Reply;
use crate::errors;

pub mod blocking;

pub use blocking::{blmove, blmpop, blpop, brpop, brpoplpush, lmove, lmpop, rpoplpush};

/// The list under `key`: `Ok(None)` when missing, `Err` (the WRONGTYPE reply) for another type.
fn list_mut<'c>(ctx: &'c mut DataCtx<'_>, key: &[u8]) -> Result<Option<&'c mut List>, Frame> {
    let (now, policy) = (ctx.now_ms, ctx.policy);
    match ctx.db().get_mut(key, now, policy) {
        None => Ok(None),
        Some(Value::List(list)) => Ok(Some(list)),
        Some(_) => Err(errors::reply(errors::WRONG_TYPE)),
    }
}

/// Deletes `key` if its list became empty (an empty list never stays stored).
fn delete_if_empty(ctx: &mut DataCtx<'_>, key: &[u8]) {
    let (now, policy) = (ctx.now_ms, ctx.policy);
    let empty = matches!(ctx.db().get(key, now, policy), Some(Entry { value: Value::List(list), .. }) if list.is_empty());
    if empty {
        ctx.db().remove(key);
    }
}

/// Counts `changes` (at least one) and propagates `argv` as sent.
fn propagate_changes(ctx: &mut DataCtx<'_>, argv: &[Bytes], changes: usize) {
    ctx.propagate_verbatim(argv);
    ctx.add_dirty(changes.saturating_sub(1) as u64);
}

fn integer(value: usize) -> Frame {
    Frame::Integer(i64::try_from(value).unwrap_or(i64::MAX))
}

fn bulks<'a>(items: impl Iterator<Item = &'a Bytes>) -> Frame {
    Frame::Array(items.map(|item| Frame::Bulk(item.clone())).collect())
}

/// `LPUSH key element [element ...]`
pub fn lpush(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    Ok(push(ctx, argv, End::Head, false))
}

/// `RPUSH key element [element ...]`
pub fn rpush(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    Ok(push(ctx, argv, End::Tail, false))
}

/// `LPUSHX key element [element ...]`: only onto an existing list.
pub fn lpushx(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    Ok(push(ctx, argv, End::Head, true))
}

/// `RPUSHX key element [element ...]`: only onto an existing list.
pub fn rpushx(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    Ok(push(ctx, argv, End::Tail, true))
}

fn push(ctx: &mut DataCtx<'_>, argv: &[Bytes], end: End, only_existing: bool) -> Frame {
    let key = &argv[1];
    let elements = &argv[2..];
    let len = match list_mut(ctx, key) {
        Err(error) => return error,
        Ok(Some(list)) => {
            elements
                .iter()
                .for_each(|element| list.push(end, owned(element)));
            list.len()
        }
        Ok(None) if only_existing => return Frame::Integer(0),
        Ok(None) => {
            let mut list = List::new();
            elements
                .iter()
                .for_each(|element| list.push(end, owned(element)));
            let len = list.len();
            ctx.db()
                .insert(key, Entry::new(Value::List(Box::new(list))));
            len
        }
    };
    propagate_changes(ctx, argv, elements.len());
    ctx.signal_key_ready(key);
    integer(len)
}

/// `LPOP key [count]`
pub fn lpop(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    Ok(pop(ctx, argv, End::Head))
}

/// `RPOP key [count]`
pub fn rpop(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    Ok(pop(ctx, argv, End::Tail))
}

/// A count that must be zero or more; Redis gives the same error for a non-integer.
fn parse_count(arg: &[u8]) -> Result<usize, Frame> {
    parse_i64(arg)
        .and_then(|count| usize::try_from(count).ok())
        .ok_or_else(|| errors::reply(errors::MUST_BE_POSITIVE))
}

fn pop(ctx: &mut DataCtx<'_>, argv: &[Bytes], end: End) -> Frame {
    let key = &argv[1];
    let count = match argv {
        [_, _] => None,
        [_, _, count] => match parse_count(count) {
            Ok(count) => Some(count),
            Err(error) => return error,
        },
        _ => return errors::wrong_arity(&String::from_utf8_lossy(&argv[0])),
    };
    let list = match list_mut(ctx, key) {
        Err(error) => return error,
        Ok(None) if count.is_some() => return Frame::NullArray,
        Ok(None) => return Frame::Null,
        Ok(Some(list)) => list,
    };
    let (reply, popped) = match count {
        Some(0) => return Frame::Array(Vec::new()),
        None => match list.pop(end) {
            Some(element) => (Frame::Bulk(element), 1),
            None => return Frame::Null,
        },
        Some(count) => {
            let elements = list.pop_many(end, count);
            let popped = elements.len();
            (bulks(elements.iter()), popped)
        }
    };
    delete_if_empty(ctx, key);
    propagate_changes(ctx, argv, popped);
    reply
}

/// `LLEN key`
pub fn llen(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    Ok(match list_mut(ctx, &argv[1]) {
        Err(error) => error,
        Ok(None) => Frame::Integer(0),
        Ok(Some(list)) => integer(list.len()),
    })
}

fn parse_index(arg: &[u8]) -> Result<i64, Frame> {
    parse_i64(arg).ok_or_else(|| errors::reply(errors::NOT_INTEGER))
}

/// `LRANGE key start stop`: the indices are checked before the key.
pub fn lrange(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    let (start, stop) = match (parse_index(&argv[2]), parse_index(&argv[3])) {
        (Ok(start), Ok(stop)) => (start, stop),
        (Err(error), _) | (_, Err(error)) => return Err(error),
    };
    Ok(match list_mut(ctx, &argv[1]) {
        Err(error) => error,
        Ok(None) => Frame::Array(Vec::new()),
        Ok(Some(list)) => bulks(list.range(start, stop)),
    })
}

/// `LINDEX key index`: the key is checked before the index.
pub fn lindex(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    let list = match list_mut(ctx, &argv[1])? {
        None => return Ok(Frame::Null),
        Some(list) => list,
    };
    Ok(match parse_index(&argv[2]) {
        Err(error) => error,
        Ok(index) => list.get(index).cloned().map_or(Frame::Null, Frame::Bulk),
    })
}

/// `LSET key index element`
pub fn lset(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    let list = match list_mut(ctx, &argv[1])? {
        None => return Err(errors::reply(errors::NO_SUCH_KEY)),
        Some(list) => list,
    };
    let index = parse_index(&argv[2])?;
    if !list.set(index, owned(&argv[3])) {
        return Err(errors::reply(errors::INDEX_OUT_OF_RANGE));
    }
    ctx.propagate_verbatim(argv);
    Ok(Frame::ok())
}

/// `LREM key count element`
pub fn lrem(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    let count = parse_index(&argv[2])?;
    let removed = match list_mut(ctx, &argv[1])? {
        None => return Ok(Frame::Integer(0)),
        Some(list) => list.remove(count, &argv[3]),
    };
    if removed > 0 {
        delete_if_empty(ctx, &argv[1]);
        propagate_changes(ctx, argv, removed);
    }
    Ok(integer(removed))
}

/// `LTRIM key start stop`
pub fn ltrim(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    let (start, stop) = match (parse_index(&argv[2]), parse_index(&argv[3])) {
        (Ok(start), Ok(stop)) => (start, stop),
        (Err(error), _) | (_, Err(error)) => return Err(error),
    };
    let removed = match list_mut(ctx, &argv[1])? {
        None => return Ok(Frame::ok()),
        Some(list) => list.trim(start, stop),
    };
    if removed > 0 {
        delete_if_empty(ctx, &argv[1]);
        propagate_changes(ctx, argv, removed);
    }
    Ok(Frame::ok())
}

/// `LINSERT key BEFORE|AFTER pivot element`: `-1` when the pivot is missing, 0 when the key is.
pub fn linsert(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    let before = if is(&argv[2], "after") {
        false
    } else if is(&argv[2], "before") {
        true
    } else {
        return Err(errors::reply(errors::SYNTAX));
    };
    let len = match list_mut(ctx, &argv[1])? {
        None => return Ok(Frame::Integer(0)),
        Some(list) => {
            if !list.insert(before, &argv[3], owned(&argv[4])) {
                return Ok(Frame::Integer(-1));
            }
            list.len()
        }
    };
    ctx.propagate_verbatim(argv);
    Ok(integer(len))
}

/// `LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]`: options are checked before the key.
pub fn lpos(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    let mut query = PositionQuery {
        rank: 1,
        count: 0,
        max_len: 0,
    };
    let mut with_count = false;
    let mut options = argv[3..].iter();
    while let Some(option) = options.next() {
        let value = options.as_slice().first();
        match value {
            Some(value) if is(option, "rank") => match parse_i64(value) {
                None => return Err(errors::reply(errors::NOT_INTEGER)),
                Some(0) => return Err(errors::reply(errors::LPOS_RANK_ZERO)),
                Some(rank) => query.rank = rank,
            },
            Some(value) if is(option, "count") => match parse_non_negative(value) {
                None => return Err(errors::reply(errors::LPOS_COUNT_NEGATIVE)),
                Some(count) => {
                    query.count = count;
                    with_count = true;
                }
            },
            Some(value) if is(option, "maxlen") => match parse_non_negative(value) {
                None => return Err(errors::reply(errors::LPOS_MAXLEN_NEGATIVE)),
                Some(max_len) => query.max_len = max_len,
            },
            _ => return Err(errors::reply(errors::SYNTAX)),
        }
        options.next();
    }
    if query.rank == i64::MIN {
        // Redis negates the rank in a C long: LONG_MIN stays negative, then every match passes the rank test
        // and the count test overflows, so it lists every match from the tail.
        query = PositionQuery {
            rank: -1,
            count: 0,
            ..query
        };
    }
    let list = match list_mut(ctx, &argv[1]) {
        Err(error) => return Err(error),
        Ok(None) if with_count => return Ok(Frame::Array(Vec::new())),
        Ok(None) => return Ok(Frame::Null),
        Ok(Some(list)) => list,
    };
    if with_count {
        let found = list.positions(&argv[2], query);
        return Ok(Frame::Array(found.into_iter().map(integer).collect()));
    }
    query.count = 1;
    Ok(match list.positions(&argv[2], query).first() {
        Some(&index) => integer(index),
        None => Frame::Null,
    })
}

fn parse_non_negative(arg: &[u8]) -> Option<usize> {
    parse_i64(arg).and_then(|value| usize::try_from(value).ok())
}

/// This family's commands, each bound to its handler; the server's command table joins them with Redis's
/// facts about each command (arity, flags, keys) from [`crate::table`].
pub const HANDLERS: &[(&str, crate::Handler)] = &[
    ("lpush", lpush),
    ("rpush", rpush),
    ("lpushx", lpushx),
    ("rpushx", rpushx),
    ("lpop", lpop),
    ("lmpop", lmpop),
    ("blmpop", blmpop),
    ("rpop", rpop),
    ("llen", llen),
    ("lrange", lrange),
    ("lindex", lindex),
    ("lset", lset),
    ("lrem", lrem),
    ("ltrim", ltrim),
    ("linsert", linsert),
    ("lpos", lpos),
    ("lmove", lmove),
    ("rpoplpush", rpoplpush),
    ("blpop", blpop),
    ("brpop", brpop),
    ("blmove", blmove),
    ("brpoplpush", brpoplpush),
];
