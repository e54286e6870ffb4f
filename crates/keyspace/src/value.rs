//! [`Value`] (what a key holds) and [`Entry`] (a value plus its expiry).

use bytes::Bytes;

use crate::UnixMillis;

/// What a key holds. One variant per Redis type; the string type is the only one so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// A Redis string: arbitrary bytes.
    String(Bytes),
}

impl Value {
    /// The name `TYPE` replies with.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::String(_) => "string",
        }
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

    /// Whether the entry is logically expired at `now_ms` (an expiry equal to now counts as expired, as in Redis).
    pub fn is_expired(&self, now_ms: UnixMillis) -> bool {
        self.expire_at.is_some_and(|at| at <= now_ms)
    }
}
