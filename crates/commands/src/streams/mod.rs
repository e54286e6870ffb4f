//! Stream commands (Redis 7.0's `t_stream.c`): XADD, XRANGE, XREVRANGE, XLEN, XDEL, XTRIM, XSETID
//! (`entries`), XREAD and XREADGROUP with BLOCK (`read`), XGROUP, XACK, XPENDING, XCLAIM, XAUTOCLAIM
//! (`groups`), XINFO (`info`).
//!
//! Propagation follows Redis so replicas end up identical: `XADD *` goes out with the ID it got, `~`
//! trims go out as `=` with the resulting threshold, and group reads go out as one `XCLAIM ... FORCE
//! JUSTID LASTID` per delivered entry (plus `XGROUP SETID` / `XGROUP CREATECONSUMER` where Redis adds
//! them), never as the read itself.

mod entries;
mod groups;
mod info;
mod read;

use bytes::Bytes;
use keyspace::types::stream::{NodeLimits, Stream, StreamId};
use keyspace::{Entry, Value};
use resp::Frame;

pub use entries::{xadd, xdel, xlen, xrange, xrevrange, xsetid, xtrim};
pub use groups::{xack, xautoclaim, xclaim, xgroup, xpending};
pub use info::xinfo;
pub use read::{xread, xreadgroup};

use super::DataCtx;
use crate::errors;

/// Redis's reply to an ID that does not parse.
const INVALID_ID: &str = "ERR Invalid stream ID specified as stream command argument";

/// The stream under `key` for reading: `Ok(None)` when missing, WRONGTYPE for another type.
fn read<'c>(ctx: &'c mut DataCtx<'_>, key: &[u8]) -> Result<Option<&'c Stream>, Frame> {
    ctx.read_as(key, |value| match value {
        Value::Stream(inner) => Some(inner),
        _ => None,
    })
}

/// The stream under `key` for changing: `Ok(None)` when missing.
fn write<'c>(ctx: &'c mut DataCtx<'_>, key: &[u8]) -> Result<Option<&'c mut Stream>, Frame> {
    ctx.write_as(key, |value| match value {
        Value::Stream(inner) => Some(inner),
        _ => None,
    })
}

/// The stream under `key`, created empty when missing.
fn write_or_create<'c>(ctx: &'c mut DataCtx<'_>, key: &Bytes) -> Result<&'c mut Stream, Frame> {
    let (now, policy) = (ctx.now_ms, ctx.policy);
    let db = ctx.db();
    match db.get(key, now, policy).map(|entry| &entry.value) {
        Some(Value::Stream(_)) => {}
        Some(_) => return Err(errors::reply(errors::WRONG_TYPE)),
        None => {
            db.insert(key, Entry::new(Value::Stream(Box::default())));
        }
    }
    match db.get_mut(key, now, policy) {
        Some(Value::Stream(stream)) => Ok(stream),
        _ => unreachable!("the key was just checked or created as a stream"),
    }
}

/// Where new nodes are cut, from the config.
fn node_limits(ctx: &DataCtx<'_>) -> NodeLimits {
    NodeLimits {
        max_bytes: ctx.limits.stream_node_max_bytes,
        max_entries: usize::try_from(ctx.limits.stream_node_max_entries).unwrap_or(usize::MAX),
    }
}

/// An ID argument: `-` and `+` allowed unless `strict`, `<ms>` completed with `missing_seq`.
fn parse_id(arg: &[u8], missing_seq: u64, strict: bool) -> Result<StreamId, Frame> {
    match arg {
        b"-" | b"+" if strict => Err(errors::reply(INVALID_ID)),
        b"-" => Ok(StreamId::MIN),
        b"+" => Ok(StreamId::MAX),
        _ => StreamId::parse(arg, missing_seq).map_err(|_| errors::reply(INVALID_ID)),
    }
}

/// A strict ID (no `-` / `+`), the sequence defaulting to 0.
fn parse_strict_id(arg: &[u8]) -> Result<StreamId, Frame> {
    parse_id(arg, 0, true)
}

fn id_frame(id: StreamId) -> Frame {
    Frame::Bulk(Bytes::from(id.to_string()))
}

/// `[id, [field, value, ...]]`.
fn entry_frame(id: StreamId, fields: &[Bytes]) -> Frame {
    Frame::Array(vec![
        id_frame(id),
        Frame::Array(fields.iter().cloned().map(Frame::Bulk).collect()),
    ])
}

fn entries_frame(entries: &[(StreamId, &[Bytes])]) -> Frame {
    Frame::Array(
        entries
            .iter()
            .map(|(id, fields)| entry_frame(*id, fields))
            .collect(),
    )
}

/// A `LONG LONG` option value, Redis's error otherwise.
fn parse_long(arg: &[u8]) -> Result<i64, Frame> {
    super::parse_i64(arg).ok_or_else(|| errors::reply(errors::NOT_INTEGER))
}

/// Propagates one command built from text pieces.
fn args(parts: &[&[u8]]) -> Vec<Bytes> {
    parts
        .iter()
        .map(|part| Bytes::copy_from_slice(part))
        .collect()
}

/// This family's commands, each bound to its handler; the server's command table joins them with Redis's
/// facts about each command (arity, flags, keys) from [`crate::table`].
pub const HANDLERS: &[(&str, crate::Handler)] = &[
    ("xadd", xadd),
    ("xrange", xrange),
    ("xrevrange", xrevrange),
    ("xlen", xlen),
    ("xdel", xdel),
    ("xtrim", xtrim),
    ("xsetid", xsetid),
    ("xread", xread),
    ("xreadgroup", xreadgroup),
    ("xgroup", xgroup),
    ("xack", xack),
    ("xpending", xpending),
    ("xclaim", xclaim),
    ("xautoclaim", xautoclaim),
    ("xinfo", xinfo),
];
