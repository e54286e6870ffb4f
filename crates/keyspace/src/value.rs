//! [`Value`] (what a key holds) and [`Entry`] (a value plus its expiry).

use crate::types::{hash::Hash, list::List, set::Set, stream::Stream, zset::ZSet};
use crate::{CompactBytes, UnixMillis};

/// What a key holds: one variant per Redis type. Collections are boxed so the common case, a string, keeps
/// the entry small.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// A Redis string: arbitrary bytes (inline when short).
    String(CompactBytes),
    /// A list.
    List(Box<List>),
    /// A hash.
    Hash(Box<Hash>),
    /// A set.
    Set(Box<Set>),
    /// A sorted set.
    ZSet(Box<ZSet>),
    /// A stream.
    Stream(Box<Stream>),
}

impl Value {
    /// The name `TYPE` replies with.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::String(_) => "string",
            Value::List(_) => "list",
            Value::Hash(_) => "hash",
            Value::Set(_) => "set",
            Value::ZSet(_) => "zset",
            Value::Stream(_) => "stream",
        }
    }

    /// The name `OBJECT ENCODING` replies with, following Redis 7.0's encoding rules.
    pub fn encoding(&self) -> &'static str {
        match self {
            Value::String(data) => string_encoding(data),
            Value::List(list) => list.encoding(),
            Value::Hash(hash) => hash.encoding(),
            Value::Set(set) => set.encoding(),
            Value::ZSet(zset) => zset.encoding(),
            Value::Stream(_) => "stream",
        }
    }
}

/// `int` for a canonical 64-bit integer of at most 20 bytes, `embstr` up to 44 bytes, else `raw`.
fn string_encoding(data: &[u8]) -> &'static str {
    let canonical_int = data.len() <= 20
        && std::str::from_utf8(data)
            .ok()
            .and_then(|text| text.parse::<i64>().ok())
            .is_some_and(|n| n.to_string().as_bytes() == data);
    if canonical_int {
        "int"
    } else if data.len() <= 44 {
        "embstr"
    } else {
        "raw"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_is_no_bigger_than_a_string() {
        // Per-key memory is a product target: collections must not grow every string entry.
        assert_eq!(
            std::mem::size_of::<Value>(),
            std::mem::size_of::<CompactBytes>()
        );
    }
}

/// A value and the moment it expires, if it has a TTL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The value.
    pub value: Value,
    /// Absolute expiry time; `None` for a persistent key.
    pub expire_at: Option<UnixMillis>,
}

impl Entry {
    /// A persistent entry.
    pub fn new(value: Value) -> Entry {
        Entry {
            value,
            expire_at: None,
        }
    }

    /// Whether the entry is logically expired at `now_ms`: its time is past (Redis's `keyIsExpired`: `now > when`;
    /// a key expiring at this very millisecond is still there).
    pub fn is_expired(&self, now_ms: UnixMillis) -> bool {
        self.expire_at.is_some_and(|at| at < now_ms)
    }
}
