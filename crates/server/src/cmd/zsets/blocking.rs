//! The blocking sorted-set pops: BZPOPMIN and BZPOPMAX.
//!
//! Redis 7.0's `blockingGenericZpopCommand`: the timeout is parsed first; then the keys are looked at in order,
//! a missing key is skipped, the first key of another type answers WRONGTYPE, and the first sorted set is popped
//! (a later key of another type is never looked at). A pop served at once propagates as `ZPOPMIN key` /
//! `ZPOPMAX key`, without a count. When every key is missing the client blocks ([`Ctx::block`]) with a
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
use crate::blocking::{BlockedOp, parse_timeout};
use crate::cmd::{Ctx, owned};
use crate::errors;

/// `BZPOPMIN key [key ...] timeout`
pub fn bzpopmin(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Frame {
    blocking_pop(ctx, argv, false)
}

/// `BZPOPMAX key [key ...] timeout`
pub fn bzpopmax(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Frame {
    blocking_pop(ctx, argv, true)
}

fn blocking_pop(ctx: &mut Ctx<'_>, argv: &[Bytes], highest: bool) -> Frame {
    let Some((timeout_arg, keys)) = argv[1..].split_last() else {
        return errors::wrong_arity(&String::from_utf8_lossy(&argv[0]));
    };
    let timeout = match parse_timeout(timeout_arg) {
        Ok(timeout) => timeout,
        Err(error) => return error,
    };
    for key in keys {
        match pop_one(ctx, key, highest) {
            Err(wrong_type) => return wrong_type,
            Ok(None) => {}
            Ok(Some(reply)) => return reply,
        }
    }
    if !ctx.may_block() {
        return Frame::NullArray;
    }
    let keys = keys.iter().map(owned).collect();
    ctx.block(keys, timeout, Box::new(BlockedZPop { highest }));
    Frame::NullArray
}

/// Pops the lowest (or highest) member of the sorted set at `key` and propagates `ZPOPMIN key` /
/// `ZPOPMAX key`; the reply is `[key, member, score]`. `Ok(None)` when the key is missing; `Err` is the
/// WRONGTYPE reply.
fn pop_one(ctx: &mut Ctx<'_>, key: &Bytes, highest: bool) -> Result<Option<Frame>, Frame> {
    let Some((member, score)) = pop_members(ctx, key, highest, 1)?.pop() else {
        return Ok(None);
    };
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
    fn serve(&mut self, ctx: &mut Ctx<'_>, key: &Bytes) -> Option<Frame> {
        // Another type under the key (a SET after a DEL in one transaction): keep waiting, as Redis does.
        pop_one(ctx, key, self.highest).ok().flatten()
    }

    /// A sorted-set wait that times out answers a null array (`*-1` in RESP2, `_` in RESP3).
    fn timeout_reply(&self) -> Frame {
        Frame::NullArray
    }
}
