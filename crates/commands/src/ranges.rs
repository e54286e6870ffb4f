//! Byte ranges of strings: GETRANGE (and its old name SUBSTR), SETRANGE.

use bytes::Bytes;
use keyspace::Value;
use resp::Frame;

use super::strings::{Lookup, MAX_STRING, lookup_string};
use super::{DataCtx, owned, parse_i64};
use crate::Reply;
use crate::errors;

/// `GETRANGE key start end` (inclusive, negative counts from the end, clamped to the string).
pub fn getrange(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    let (Some(start), Some(end)) = (parse_i64(&argv[2]), parse_i64(&argv[3])) else {
        return Err(errors::reply(errors::NOT_INTEGER));
    };
    let data = match lookup_string(ctx, &argv[1]) {
        Lookup::Missing => return Ok(Frame::Bulk(Bytes::new())),
        Lookup::String(data) => data,
        Lookup::WrongType => return Err(errors::reply(errors::WRONG_TYPE)),
    };
    Ok(match range(start, end, data.len()) {
        Some((from, to)) => Frame::Bulk(data.slice(from..=to)),
        None => Frame::Bulk(Bytes::new()),
    })
}

/// Redis's index arithmetic for GETRANGE; `None` for an empty result.
fn range(start: i64, end: i64, len: usize) -> Option<(usize, usize)> {
    if start < 0 && end < 0 && start > end {
        return None;
    }
    let len_i = i64::try_from(len).ok()?;
    let start = if start < 0 { len_i + start } else { start }.max(0);
    let end = if end < 0 { len_i + end } else { end }.max(0);
    let end = end.min(len_i - 1);
    if len == 0 || start > end {
        return None;
    }
    Some((start as usize, end as usize))
}

/// `SETRANGE key offset value`: overwrites from `offset`, zero-padding a shorter string; returns the new length.
pub fn setrange(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    let Some(offset) = parse_i64(&argv[2]) else {
        return Err(errors::reply(errors::NOT_INTEGER));
    };
    let Ok(offset) = usize::try_from(offset) else {
        return Err(errors::reply("ERR offset is out of range"));
    };
    let value = &argv[3];
    let current = match lookup_string(ctx, &argv[1]) {
        Lookup::Missing if value.is_empty() => return Ok(Frame::Integer(0)),
        Lookup::Missing => Bytes::new(),
        Lookup::String(data) if value.is_empty() => return Ok(Frame::Integer(data.len() as i64)),
        Lookup::String(data) => data,
        Lookup::WrongType => return Err(errors::reply(errors::WRONG_TYPE)),
    };
    if offset
        .checked_add(value.len())
        .is_none_or(|total| total > MAX_STRING)
    {
        return Err(errors::reply(errors::STRING_TOO_LONG));
    }
    let mut updated = current.to_vec();
    if updated.len() < offset + value.len() {
        updated.resize(offset + value.len(), 0);
    }
    updated[offset..offset + value.len()].copy_from_slice(value);
    let length = updated.len();
    let db = ctx.db();
    // Shrunk to size first: a `Bytes` from a `Vec` with spare capacity also carries a sharing header.
    db.insert_keep_ttl(owned(&argv[1]), Value::String(updated.into()));
    // Redis edits (or builds) the string in place: always `raw`.
    db.set_string_encoding(&argv[1], keyspace::StringEncoding::Raw);
    ctx.propagate_verbatim(argv);
    Ok(Frame::Integer(length as i64))
}

/// This family's commands, each bound to its handler; the server's command table joins them with Redis's
/// facts about each command (arity, flags, keys) from [`crate::table`].
pub const HANDLERS: &[(&str, crate::Handler)] = &[
    ("getrange", getrange),
    ("substr", getrange),
    ("setrange", setrange),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn getrange_index_rules() {
        assert_eq!(range(0, -1, 5), Some((0, 4)));
        assert_eq!(range(-3, -1, 5), Some((2, 4)));
        assert_eq!(range(-1, -3, 5), None);
        assert_eq!(range(2, 100, 5), Some((2, 4)));
        assert_eq!(range(-100, 1, 5), Some((0, 1)));
        assert_eq!(range(4, 2, 5), None);
        assert_eq!(range(0, 0, 0), None);
    }
}
