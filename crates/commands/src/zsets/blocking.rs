//! The blocking sorted-set pops BZPOPMIN and BZPOPMAX, and the multi-key pops ZMPOP and BZMPOP.
//!
//! `ZMPOP`/`BZMPOP` pop up to `COUNT` members from the first non-empty sorted set of their keys (WRONGTYPE for a
//! key of another type met first), reply `[key, [[member, score], ...]]`, and propagate as `ZPOPMIN key n` /
//! `ZPOPMAX key n` with the number actually popped.
//!
//! Redis 7.0's `blockingGenericZpopCommand`: the timeout is parsed first; then the keys are looked at in order,
//! a missing key is skipped, the first key of another type answers WRONGTYPE, and the first sorted set is popped
//! (a later key of another type is never looked at). A pop served at once propagates as `ZPOPMIN key` /
//! `ZPOPMAX key`, without a count. When every key is missing the client blocks ([`DataCtx::block`]) with a
//! [`BlockedOp`] that a later ZADD (or a *STORE, a RENAME...) serves; `serveClientsBlockedOnSortedSetKey`
//! propagates that pop as the same two-argument command, a unit of its own after the write that woke it.
//! Inside `EXEC` and from the master link nothing blocks: missing keys answer as a timeout would.
//!
//! The reply is `[key, member, score]` in both protocols; only the score's encoding differs (a bulk string in
//! RESP2, a double in RESP3).

use bytes::Bytes;
use resp::Frame;

use super::score_frame;
use super::write::pop_members;
use crate::DataCtx;
use crate::Reply;
use crate::blocking::{BlockedOp, parse_multi_pop, parse_timeout};
use crate::errors;

/// `BZPOPMIN key [key ...] timeout`
pub fn bzpopmin(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    Ok(blocking_pop(ctx, argv, false))
}

/// `BZPOPMAX key [key ...] timeout`
pub fn bzpopmax(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    Ok(blocking_pop(ctx, argv, true))
}

/// `ZMPOP numkeys key [key ...] MIN|MAX [COUNT count]`
pub fn zmpop(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    Ok(multi_pop(ctx, &argv[1..], None))
}

/// `BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count]`
pub fn bzmpop(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    Ok(match parse_timeout(&argv[1]) {
        Ok(timeout) => multi_pop(ctx, &argv[2..], Some(timeout)),
        Err(error) => error,
    })
}

/// The shared body of ZMPOP (`timeout` `None`: never blocks) and BZMPOP.
fn multi_pop(
    ctx: &mut DataCtx<'_>,
    args: &[Bytes],
    timeout: Option<Option<std::time::Duration>>,
) -> Frame {
    let parsed = match parse_multi_pop(args) {
        Ok(parsed) => parsed,
        Err(error) => return error,
    };
    let highest = if crate::is(parsed.where_arg, "max") {
        true
    } else if crate::is(parsed.where_arg, "min") {
        false
    } else {
        return errors::reply(errors::SYNTAX);
    };
    let count = parsed.count;
    ctx.pop_first_or_block(
        parsed.keys,
        timeout,
        |ctx, key| pop_many_one(ctx, key, highest, count),
        || Box::new(BlockedMultiZPop { highest, count }),
    )
}

/// Pops up to `count` members of the sorted set at `key`, propagating `ZPOPMIN key n` / `ZPOPMAX key n`; the
/// reply is `[key, [[member, score], ...]]`. `Ok(None)` when the key is missing.
fn pop_many_one(
    ctx: &mut DataCtx<'_>,
    key: &Bytes,
    highest: bool,
    count: u64,
) -> Result<Option<Frame>, Frame> {
    let popped = pop_members(ctx, key, highest, count)?;
    if popped.is_empty() {
        return Ok(None);
    }
    ctx.touch(key);
    ctx.propagate(vec![
        pop_name(highest),
        key.clone(),
        Bytes::from(popped.len().to_string()),
    ]);
    ctx.add_dirty(popped.len() as u64 - 1);
    let members = popped
        .into_iter()
        .map(|(member, score)| Frame::Array(vec![Frame::Bulk(member), score_frame(score)]))
        .collect();
    Ok(Some(Frame::Array(vec![
        Frame::Bulk(key.clone()),
        Frame::Array(members),
    ])))
}

/// A `BZMPOP` waiting for any of its keys.
#[derive(Debug)]
struct BlockedMultiZPop {
    highest: bool,
    count: u64,
}

impl BlockedOp for BlockedMultiZPop {
    fn serve(&mut self, ctx: &mut DataCtx<'_>, key: &Bytes) -> Option<Frame> {
        pop_many_one(ctx, key, self.highest, self.count)
            .ok()
            .flatten()
    }

    fn timeout_reply(&self) -> Frame {
        Frame::NullArray
    }
}

fn blocking_pop(ctx: &mut DataCtx<'_>, argv: &[Bytes], highest: bool) -> Frame {
    let Some((timeout_arg, keys)) = argv[1..].split_last() else {
        return errors::wrong_arity(&String::from_utf8_lossy(&argv[0]));
    };
    let timeout = match parse_timeout(timeout_arg) {
        Ok(timeout) => timeout,
        Err(error) => return error,
    };
    ctx.pop_first_or_block(
        keys,
        Some(timeout),
        |ctx, key| pop_one(ctx, key, highest),
        || Box::new(BlockedZPop { highest }),
    )
}

/// Pops the lowest (or highest) member of the sorted set at `key` and propagates `ZPOPMIN key` /
/// `ZPOPMAX key`; the reply is `[key, member, score]`. `Ok(None)` when the key is missing; `Err` is the
/// WRONGTYPE reply.
fn pop_one(ctx: &mut DataCtx<'_>, key: &Bytes, highest: bool) -> Result<Option<Frame>, Frame> {
    let Some((member, score)) = pop_members(ctx, key, highest, 1)?.pop() else {
        return Ok(None);
    };
    // Only the popped key changed (the generic touch would take every key argument).
    ctx.touch(key);
    ctx.propagate(vec![pop_name(highest), key.clone()]);
    Ok(Some(Frame::Array(vec![
        Frame::Bulk(key.clone()),
        Frame::Bulk(member),
        score_frame(score),
    ])))
}

fn pop_name(highest: bool) -> Bytes {
    Bytes::from_static(if highest { b"ZPOPMAX" } else { b"ZPOPMIN" })
}

/// A `BZPOPMIN`/`BZPOPMAX` waiting for any of its keys.
#[derive(Debug)]
struct BlockedZPop {
    highest: bool,
}

impl BlockedOp for BlockedZPop {
    fn serve(&mut self, ctx: &mut DataCtx<'_>, key: &Bytes) -> Option<Frame> {
        // Another type under the key (a SET after a DEL in one transaction): keep waiting, as Redis does.
        pop_one(ctx, key, self.highest).ok().flatten()
    }

    /// A sorted-set wait that times out answers a null array (`*-1` in RESP2, `_` in RESP3).
    fn timeout_reply(&self) -> Frame {
        Frame::NullArray
    }
}
