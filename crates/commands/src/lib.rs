//! Redis 7.0's data commands: strings, keys, expiry, lists, hashes, sets, sorted sets, streams and
//! HyperLogLog, with their arguments, replies, error texts and propagation, byte for byte as Redis's.
//!
//! A handler gets a [`DataCtx`]: the keyspace, its client's database, the time, how expired keys are seen,
//! the protocol, who calls and the few limits it reads. It records its effects ([`Effects`]: what to
//! propagate, changes counted, keys touched, keys ready, a request to block) and returns its reply; the
//! server applies the effects to watches, blocked clients, the replication stream and the AOF. So this
//! crate has no I/O, no clock, no configuration and no idea of clients or replication, and every command
//! runs in a unit test in microseconds.
//!
//! **Invariant:** depends on `resp`, `keyspace` and `rdb` only; a handler is reached only through the
//! server's command table, which checks its arity first (handlers index `argv` by their declared arity).

#![forbid(unsafe_code)]

pub mod args;
pub mod blocking;
pub mod ctx;
pub mod errors;
pub mod table;

pub mod collections;
pub mod expire;
pub mod float;
pub mod getex;
pub mod hashes;
pub mod hyperloglog;
pub mod keys;
pub mod keys_copy;
pub mod keys_dump;
pub mod keys_scan;
pub mod lists;
pub mod ranges;
pub mod set_ops;
pub mod sets;
pub mod streams;
pub mod strings;
pub mod zsets;

#[cfg(test)]
mod tests;

use bytes::Bytes;
use resp::Frame;

pub use args::{is, owned, parse_i64, stored};
pub use ctx::{BlockRequest, Caller, DataCtx, Effects, Limits};

/// A command's reply: `Err` is an error reply (`-ERR ...`, `-WRONGTYPE ...`), so handlers and their helpers
/// pass errors up with `?`.
pub type Reply = Result<Frame, Frame>;

/// A data command's handler: applies the command (`argv[0]` is its name) and returns the reply.
pub type Handler = fn(&mut DataCtx<'_>, &[Bytes]) -> Reply;

/// Every family's handlers, by command name (each family binds its own, next to its code).
pub const FAMILIES: &[&[(&str, Handler)]] = &[
    strings::HANDLERS,
    getex::HANDLERS,
    ranges::HANDLERS,
    keys::HANDLERS,
    keys_copy::HANDLERS,
    keys_scan::HANDLERS,
    keys_dump::HANDLERS,
    expire::HANDLERS,
    lists::HANDLERS,
    hashes::HANDLERS,
    sets::HANDLERS,
    set_ops::HANDLERS,
    zsets::HANDLERS,
    streams::HANDLERS,
    hyperloglog::HANDLERS,
];
