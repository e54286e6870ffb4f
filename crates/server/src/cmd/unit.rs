//! The execution unit: what a command (or `EXEC`, or a script) propagated is appended to the stream as one
//! unit, then the clients blocked on the keys it filled are served, each as its own unit.

use std::sync::Arc;

use bytes::{Bytes, BytesMut};

use crate::core::Core;
use crate::shared::Shared;

/// Appends one execution unit to the stream: a `SELECT` before any command whose database differs from the
/// stream's, and `MULTI`/`EXEC` around two or more commands (the first `SELECT` before the `MULTI`, as Redis
/// 7.0's `propagatePendingCommands` does). Returns whether anything was appended.
pub(crate) fn feed_unit(core: &mut Core, unit: &[(usize, Vec<Bytes>)]) -> bool {
    core.aof.feed_unit(unit);
    if unit.is_empty() || core.repl.backlog().is_none() {
        return false;
    }
    let mut encoded = BytesMut::new();
    let mut stream_db = core.repl.stream_db();
    let mut select = |db: usize, encoded: &mut BytesMut| {
        if stream_db != Some(db) {
            resp::encode_command(&[&b"SELECT"[..], db.to_string().as_bytes()], encoded);
            stream_db = Some(db);
        }
    };
    let wrap = unit.len() > 1;
    if wrap {
        select(unit[0].0, &mut encoded);
        resp::encode_command(&[&b"MULTI"[..]], &mut encoded);
    }
    for (db, command) in unit {
        select(*db, &mut encoded);
        resp::encode_command(command, &mut encoded);
    }
    if wrap {
        resp::encode_command(&[&b"EXEC"[..]], &mut encoded);
    }
    core.repl.set_stream_db(stream_db);
    core.propagate_raw(&encoded)
}

/// After a command (or `EXEC`), still under the lock: serves the clients blocked on keys it filled, each
/// served operation its own unit after the command's (Redis's `handleClientsBlockedOnKeys`). Not while a
/// script runs outside the lock: the keys its calls filled are ready, but its writes reach the stream only
/// when it ends, and a pop served now (after a `MULTI` or `AUTH`, which run meanwhile) would reach the
/// replicas before the push that fed it; the script's end serves them ([`serve_blocked_after_script`]).
pub(crate) fn serve_blocked(core: &mut Core, shared: &Arc<Shared>) -> bool {
    if core.blocking.is_empty() || shared.scripts.phase() != crate::scripting::Phase::Idle {
        return false;
    }
    super::blocked::serve_ready_keys(core, shared)
}

/// At the end of a script run outside the lock, right after its unit was fed (the gate still held): serves
/// the clients blocked on the keys it filled.
pub(crate) fn serve_blocked_after_script(core: &mut Core, shared: &Arc<Shared>) -> bool {
    if core.blocking.is_empty() {
        return false;
    }
    super::blocked::serve_ready_keys(core, shared)
}
