//! Sorted-set writes: ZADD, ZINCRBY, ZREM, ZPOPMIN, ZPOPMAX, ZREMRANGEBYSCORE, ZREMRANGEBYLEX,
//! ZREMRANGEBYRANK. Each propagates verbatim when it changed something and counts one change per member
//! added, updated or removed, as Redis's `server.dirty` does.

use bytes::Bytes;
use keyspace::types::zset::ZSet;
use keyspace::{Entry, Value};
use resp::{Frame, Protocol};

use super::parse::{parse_lex_range, parse_score, parse_score_range};
use super::{
    MIN_MAX_NOT_FLOAT, MIN_MAX_NOT_LEX, SCORE_NAN, parse_long, remove_if_empty, score_frame,
    write_zset,
};
use crate::Reply;
use crate::errors;
use crate::{DataCtx, is, owned};

/// ZADD's options.
#[derive(Debug, Default, Clone, Copy)]
struct AddFlags {
    nx: bool,
    xx: bool,
    gt: bool,
    lt: bool,
    ch: bool,
    incr: bool,
}

/// What one `zsetAdd` did.
enum AddOutcome {
    Added,
    Updated,
    /// Present with the same score: processed, nothing changed.
    Unchanged,
    /// Refused by NX, XX, GT or LT.
    Skipped,
}

/// `ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...]`
pub fn zadd(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    Ok(add_generic(ctx, argv, AddFlags::default()))
}

/// `ZINCRBY key increment member`: ZADD with INCR, propagated verbatim like Redis 7.0.
pub fn zincrby(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    Ok(add_generic(
        ctx,
        argv,
        AddFlags {
            incr: true,
            ..AddFlags::default()
        },
    ))
}

/// Redis's `zaddGenericCommand`: options, then argument checks in Redis's order, then every score parsed
/// before anything is changed.
fn add_generic(ctx: &mut DataCtx<'_>, argv: &[Bytes], mut flags: AddFlags) -> Frame {
    let mut score_index = 2;
    while let Some(option) = argv.get(score_index) {
        let flag = match () {
            _ if is(option, "nx") => &mut flags.nx,
            _ if is(option, "xx") => &mut flags.xx,
            _ if is(option, "ch") => &mut flags.ch,
            _ if is(option, "incr") => &mut flags.incr,
            _ if is(option, "gt") => &mut flags.gt,
            _ if is(option, "lt") => &mut flags.lt,
            _ => break,
        };
        *flag = true;
        score_index += 1;
    }
    let pairs = &argv[score_index..];
    if pairs.is_empty() || !pairs.len().is_multiple_of(2) {
        return errors::reply(errors::SYNTAX);
    }
    if flags.nx && flags.xx {
        return errors::reply("ERR XX and NX options at the same time are not compatible");
    }
    if (flags.nx && (flags.gt || flags.lt)) || (flags.gt && flags.lt) {
        return errors::reply("ERR GT, LT, and/or NX options at the same time are not compatible");
    }
    if flags.incr && pairs.len() > 2 {
        return errors::reply("ERR INCR option supports a single increment-element pair");
    }
    let mut scores = Vec::with_capacity(pairs.len() / 2);
    for pair in pairs.chunks_exact(2) {
        match parse_score(&pair[0]) {
            Some(score) => scores.push(score),
            None => return errors::reply(errors::NOT_VALID_FLOAT),
        }
    }

    let key = &argv[1];
    match write_zset(ctx, key) {
        Err(wrong_type) => return wrong_type,
        Ok(Some(_)) => {}
        Ok(None) if flags.xx => return add_reply(flags, 0, 0, None),
        Ok(None) => {
            ctx.db()
                .insert(key, Entry::new(Value::ZSet(Box::new(ZSet::new()))));
        }
    }
    let Ok(Some(zset)) = write_zset(ctx, key) else {
        unreachable!("the sorted set was just found or created");
    };
    let (mut added, mut updated) = (0, 0);
    let mut last_score = None;
    let mut nan = false;
    for (pair, score) in pairs.chunks_exact(2).zip(scores) {
        match add_one(zset, &pair[1], score, flags) {
            Ok((outcome, new_score)) => {
                match outcome {
                    AddOutcome::Added => added += 1,
                    AddOutcome::Updated => updated += 1,
                    AddOutcome::Unchanged | AddOutcome::Skipped => {}
                }
                last_score = new_score;
            }
            Err(()) => {
                nan = true;
                break;
            }
        }
    }
    // A key created for nothing (only possible through the NaN error) must not stay empty.
    remove_if_empty(ctx, key);
    if added + updated > 0 {
        ctx.propagate_verbatim(argv);
        ctx.add_dirty(added + updated - 1);
        // Serves clients blocked in BZPOPMIN/BZPOPMAX on the key (a lookup only when somebody waits).
        ctx.signal_key_ready(key);
    }
    if nan {
        return errors::reply(SCORE_NAN);
    }
    add_reply(flags, added, updated, last_score)
}

/// Redis's `zsetAdd` for one member: `Err` when an increment makes the score NaN; otherwise what happened
/// and, unless skipped, the member's score afterwards.
fn add_one(
    zset: &mut ZSet,
    member: &Bytes,
    score: f64,
    flags: AddFlags,
) -> Result<(AddOutcome, Option<f64>), ()> {
    let Some(current) = zset.score(member) else {
        if flags.xx {
            return Ok((AddOutcome::Skipped, None));
        }
        zset.insert(owned(member), score);
        return Ok((AddOutcome::Added, Some(score)));
    };
    if flags.nx {
        return Ok((AddOutcome::Skipped, None));
    }
    let new_score = if flags.incr { score + current } else { score };
    if new_score.is_nan() {
        return Err(());
    }
    if (flags.lt && new_score >= current) || (flags.gt && new_score <= current) {
        return Ok((AddOutcome::Skipped, None));
    }
    if new_score == current {
        return Ok((AddOutcome::Unchanged, Some(new_score)));
    }
    zset.insert(owned(member), new_score);
    Ok((AddOutcome::Updated, Some(new_score)))
}

/// ZADD answers how many were added (with CH: added or updated); with INCR, the new score or nil when the
/// member was skipped.
fn add_reply(flags: AddFlags, added: u64, updated: u64, last_score: Option<f64>) -> Frame {
    if flags.incr {
        return last_score.map_or(Frame::Null, score_frame);
    }
    let count = if flags.ch { added + updated } else { added };
    Frame::Integer(count as i64)
}

/// `ZREM key member [member ...]`
pub fn zrem(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    let key = &argv[1];
    let zset = match write_zset(ctx, key)? {
        None => return Ok(Frame::Integer(0)),
        Some(zset) => zset,
    };
    let mut deleted = 0u64;
    for member in &argv[2..] {
        if zset.remove(member).is_some() {
            deleted += 1;
        }
        if zset.is_empty() {
            break;
        }
    }
    remove_if_empty(ctx, key);
    if deleted > 0 {
        ctx.propagate_verbatim(argv);
        ctx.add_dirty(deleted - 1);
    }
    Ok(Frame::Integer(deleted as i64))
}

/// `ZPOPMIN key [count]`
pub fn zpopmin(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    Ok(pop_generic(ctx, argv, false))
}

/// `ZPOPMAX key [count]`
pub fn zpopmax(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    Ok(pop_generic(ctx, argv, true))
}

/// Redis's `zpopMinMaxCommand`: a flat array of member, score (RESP3 with a count: pairs).
fn pop_generic(ctx: &mut DataCtx<'_>, argv: &[Bytes], highest: bool) -> Frame {
    if argv.len() > 3 {
        return errors::reply(errors::SYNTAX);
    }
    let count = match argv.get(2) {
        None => None,
        // `getPositiveLongFromObjectOrReply`: one message for a non-integer and a negative count.
        Some(arg) => match crate::args::parse_i64(arg) {
            Some(count) if count >= 0 => Some(count as u64),
            _ => return errors::reply("ERR value is out of range, must be positive"),
        },
    };
    let nested = ctx.protocol == Protocol::Resp3 && count.is_some();
    let key = &argv[1];
    let popped = match pop_members(ctx, key, highest, count.unwrap_or(1)) {
        Err(wrong_type) => return wrong_type,
        Ok(popped) => popped,
    };
    if !popped.is_empty() {
        ctx.propagate_verbatim(argv);
        ctx.add_dirty(popped.len() as u64 - 1);
    }
    let mut frames = Vec::new();
    for (member, score) in popped {
        if nested {
            frames.push(Frame::Array(vec![Frame::Bulk(member), score_frame(score)]));
        } else {
            frames.push(Frame::Bulk(member));
            frames.push(score_frame(score));
        }
    }
    Frame::Array(frames)
}

/// Pops up to `count` members from the low or high end, deleting the key when it empties; the shared core of
/// ZPOPMIN/ZPOPMAX and their blocking forms.
pub fn pop_members(
    ctx: &mut DataCtx<'_>,
    key: &[u8],
    highest: bool,
    count: u64,
) -> Result<Vec<(Bytes, f64)>, Frame> {
    let Some(zset) = write_zset(ctx, key)? else {
        return Ok(Vec::new());
    };
    let mut popped = Vec::new();
    while (popped.len() as u64) < count {
        match zset.pop(highest) {
            Some(pair) => popped.push(pair),
            None => break,
        }
    }
    remove_if_empty(ctx, key);
    Ok(popped)
}

/// `ZREMRANGEBYSCORE key min max`
pub fn zremrangebyscore(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    let Some(range) = parse_score_range(&argv[2], &argv[3]) else {
        return Err(errors::reply(MIN_MAX_NOT_FLOAT));
    };
    Ok(remove_ranks(ctx, argv, |zset| {
        Some(zset.score_range_ranks(&range))
    }))
}

/// `ZREMRANGEBYLEX key min max`
pub fn zremrangebylex(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    let Some(range) = parse_lex_range(&argv[2], &argv[3]) else {
        return Err(errors::reply(MIN_MAX_NOT_LEX));
    };
    Ok(remove_ranks(ctx, argv, |zset| {
        Some(zset.lex_range_ranks(&range))
    }))
}

/// `ZREMRANGEBYRANK key start stop`
pub fn zremrangebyrank(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    let (start, stop) = match (parse_long(&argv[2]), parse_long(&argv[3])) {
        (Ok(start), Ok(stop)) => (start, stop),
        (Err(error), _) | (_, Err(error)) => return Err(error),
    };
    Ok(remove_ranks(ctx, argv, |zset| {
        rank_range(start, stop, zset.len()).map(|(first, last)| first..last + 1)
    }))
}

/// Removes the members at the ascending ranks `ranks` picks, for the ZREMRANGEBY* commands.
fn remove_ranks(
    ctx: &mut DataCtx<'_>,
    argv: &[Bytes],
    ranks: impl FnOnce(&ZSet) -> Option<std::ops::Range<usize>>,
) -> Frame {
    let key = &argv[1];
    let zset = match write_zset(ctx, key) {
        Err(wrong_type) => return wrong_type,
        Ok(None) => return Frame::Integer(0),
        Ok(Some(zset)) => zset,
    };
    let Some(ranks) = ranks(zset) else {
        return Frame::Integer(0);
    };
    let doomed: Vec<Bytes> = zset
        .iter_from_rank(ranks.start, false)
        .take(ranks.len())
        .map(|(member, _)| member.clone())
        .collect();
    for member in &doomed {
        zset.remove(member);
    }
    remove_if_empty(ctx, key);
    let deleted = doomed.len() as u64;
    if deleted > 0 {
        ctx.propagate_verbatim(argv);
        ctx.add_dirty(deleted - 1);
    }
    Frame::Integer(deleted as i64)
}

/// Redis's rank-range normalisation: negative indexes count from the end; `None` when the range is empty,
/// else the inclusive `(start, stop)` clamped to the set.
pub fn rank_range(start: i64, stop: i64, len: usize) -> Option<(usize, usize)> {
    let len = len as i64;
    let start = if start < 0 { len + start } else { start }.max(0);
    let stop = if stop < 0 { len + stop } else { stop };
    if start > stop || start >= len {
        return None;
    }
    let stop = stop.min(len - 1);
    Some((start as usize, stop as usize))
}
