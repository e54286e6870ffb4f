//! The data of a Redis-compatible server: [`Keyspace`] holds the numbered [`Db`]s, each a map from key to
//! [`Entry`] (a [`Value`] plus an optional expiry time).
//!
//! Plain synchronous data structures: no RESP, sockets, tokio or replication here. Time is always passed in
//! (`now_ms`, Unix milliseconds) so tests control it. Expiry has two faces, chosen by the caller with
//! [`ExpiryPolicy`]: a master deletes a logically expired key when it is touched (and reports the deletion so the
//! server can propagate a `DEL`), while a replica only hides it and waits for its master's `DEL`.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod compact_bytes;
mod db;
mod expire_index;
mod key;
mod key_table;
mod keyspace;
pub mod listpack;
pub mod pattern;
mod snapshot;
pub mod types;
mod value;

pub use compact_bytes::CompactBytes;
pub use db::{Db, ExpiryPolicy, StringEncoding};
pub use key::Key;
pub use keyspace::{DEFAULT_DATABASES, Keyspace};
pub use snapshot::{DbSize, SnapshotAborted, SnapshotChunk, SnapshotPlan};
pub use value::{Entry, Value};

/// Unix time in milliseconds, the unit of every expiry.
pub type UnixMillis = i64;
