//! Sorted-set commands. Redis 7.0 semantics, replies and propagation: writes go out verbatim when they
//! changed something (ZADD, ZINCRBY, ZREM, ZPOPMIN/ZPOPMAX, ZREMRANGEBY*, the *STORE commands, including
//! a STORE that deletes its destination because the result is empty), reads send nothing. Every write that
//! leaves members under a key signals it ready ([`DataCtx::signal_key_ready`]), so clients blocked in
//! BZPOPMIN/BZPOPMAX on it are served.
//!
//! - [`parse`]: scores, score and lex ranges, cursors, parsed the way Redis's C code does.
//! - [`write`]: ZADD, ZINCRBY, ZREM, ZPOPMIN, ZPOPMAX, ZREMRANGEBYSCORE/LEX/RANK.
//! - [`blocking`]: BZPOPMIN, BZPOPMAX.
//! - [`read`]: ZCARD, ZSCORE, ZMSCORE, ZRANK, ZREVRANK, ZCOUNT, ZLEXCOUNT, ZSCAN, ZRANDMEMBER.
//! - [`range`]: ZRANGE and its older forms, ZRANGESTORE.
//! - [`setops`]: ZUNION, ZINTER, ZDIFF, their STORE forms, ZINTERCARD.

use bytes::Bytes;
use keyspace::types::zset::ZSet;
use keyspace::{Entry, Value};
use resp::{Frame, Protocol};

use super::DataCtx;
use crate::errors;

pub mod blocking;
pub mod parse;
pub mod range;
pub mod read;
pub mod setops;
pub mod write;

pub use blocking::{bzmpop, bzpopmax, bzpopmin, zmpop};
pub use range::{zrange, zrangebylex, zrangebyscore, zrangestore, zrevrange};
pub use read::{zcard, zcount, zlexcount, zmscore, zrandmember, zrank, zrevrank, zscan, zscore};
pub use setops::{zdiff, zdiffstore, zinter, zintercard, zinterstore, zunion, zunionstore};
pub use write::{
    zadd, zincrby, zpopmax, zpopmin, zrem, zremrangebylex, zremrangebyrank, zremrangebyscore,
};

/// `-ERR min or max is not a float`
pub const MIN_MAX_NOT_FLOAT: &str = "ERR min or max is not a float";
/// `-ERR min or max not valid string range item`
pub const MIN_MAX_NOT_LEX: &str = "ERR min or max not valid string range item";
/// `-ERR resulting score is not a number (NaN)`
pub const SCORE_NAN: &str = "ERR resulting score is not a number (NaN)";

/// The sorted set under `key` for reading; `Err` is the WRONGTYPE reply.
fn read_zset<'c>(ctx: &'c mut DataCtx<'_>, key: &[u8]) -> Result<Option<&'c ZSet>, Frame> {
    ctx.read_as(key, |value| match value {
        Value::ZSet(inner) => Some(inner),
        _ => None,
    })
}

/// The sorted set under `key` for modification; `Err` is the WRONGTYPE reply.
fn write_zset<'c>(ctx: &'c mut DataCtx<'_>, key: &[u8]) -> Result<Option<&'c mut ZSet>, Frame> {
    ctx.write_as(key, |value| match value {
        Value::ZSet(inner) => Some(inner),
        _ => None,
    })
}

/// Deletes `key` if its sorted set became empty: an empty collection never stays stored.
fn remove_if_empty(ctx: &mut DataCtx<'_>, key: &[u8]) {
    let (now, policy) = (ctx.now_ms, ctx.policy);
    let empty = matches!(
        ctx.db().get(key, now, policy).map(|entry| &entry.value),
        Some(Value::ZSet(zset)) if zset.is_empty()
    );
    if empty {
        ctx.db().remove(key);
    }
}

/// Stores `zset` under `destination` for a *STORE command, as Redis's `setKey` (any TTL dropped) or, when
/// the result is empty, `dbDelete`. Returns whether the keyspace changed (and so the command must be
/// propagated).
fn store_result(ctx: &mut DataCtx<'_>, destination: &Bytes, zset: ZSet) -> bool {
    if zset.is_empty() {
        // `dbDelete` does not look at the TTL: a logically expired destination is deleted by the command
        // itself, which is what replicas then replay.
        ctx.db().remove(destination).is_some()
    } else {
        ctx.expire_if_needed(destination);
        ctx.db().insert(
            super::owned(destination),
            Entry::new(Value::ZSet(Box::new(zset))),
        );
        ctx.signal_key_ready(destination);
        true
    }
}

/// A score in a reply: a double in RESP3, a `%.17g` bulk string in RESP2.
fn score_frame(score: f64) -> Frame {
    Frame::Double(score)
}

/// Members, with their scores when asked: a flat array in RESP2, an array of `[member, score]` pairs in RESP3
/// (Redis 7.0 keeps the order, so no map).
fn members_reply<M: AsRef<[u8]>>(
    protocol: Protocol,
    items: impl Iterator<Item = (M, f64)>,
    withscores: bool,
) -> Frame {
    let mut frames = Vec::new();
    for (member, score) in items {
        let member = Frame::Bulk(Bytes::copy_from_slice(member.as_ref()));
        match (withscores, protocol) {
            (false, _) => frames.push(member),
            (true, Protocol::Resp2) => {
                frames.push(member);
                frames.push(score_frame(score));
            }
            (true, Protocol::Resp3) => frames.push(Frame::Array(vec![member, score_frame(score)])),
        }
    }
    Frame::Array(frames)
}

/// Redis's `getLongFromObjectOrReply` for options such as LIMIT and ranks.
fn parse_long(arg: &[u8]) -> Result<i64, Frame> {
    super::parse_i64(arg).ok_or_else(|| errors::reply(errors::NOT_INTEGER))
}

/// This family's commands, each bound to its handler; the server's command table joins them with Redis's
/// facts about each command (arity, flags, keys) from [`crate::table`].
pub const HANDLERS: &[(&str, crate::Handler)] = &[
    ("zadd", zadd),
    ("zincrby", zincrby),
    ("zrem", zrem),
    ("zremrangebyscore", zremrangebyscore),
    ("zremrangebylex", zremrangebylex),
    ("zremrangebyrank", zremrangebyrank),
    ("zpopmin", zpopmin),
    ("zmpop", zmpop),
    ("bzmpop", bzmpop),
    ("zpopmax", zpopmax),
    ("bzpopmin", bzpopmin),
    ("bzpopmax", bzpopmax),
    ("zcard", zcard),
    ("zscore", zscore),
    ("zmscore", zmscore),
    ("zrank", zrank),
    ("zrevrank", zrevrank),
    ("zcount", zcount),
    ("zlexcount", zlexcount),
    ("zrange", zrange),
    ("zrevrange", zrevrange),
    ("zrangebyscore", zrangebyscore),
    ("zrevrangebyscore", zrangebyscore),
    ("zrangebylex", zrangebylex),
    ("zrevrangebylex", zrangebylex),
    ("zrangestore", zrangestore),
    ("zunionstore", zunionstore),
    ("zinterstore", zinterstore),
    ("zdiffstore", zdiffstore),
    ("zunion", zunion),
    ("zinter", zinter),
    ("zdiff", zdiff),
    ("zintercard", zintercard),
    ("zscan", zscan),
    ("zrandmember", zrandmember),
];
