//! Serving clients blocked on keys: after a command's unit, each key it signalled ready serves its waiters,
//! oldest first. Every served waiter is its own execution unit: its operation runs on its behalf (in its
//! database) on an ordinary data context ([`Ctx::run_data`]), so what it propagates (the non-blocking form,
//! `LPOP`, `LMOVE`...) follows the write that woke it.

use std::sync::Arc;

use bytes::Bytes;
use resp::Frame;

use crate::blocking::Served;
use crate::client::ClientState;
use crate::cmd::Ctx;
use crate::core::Core;
use crate::shared::Shared;
use crate::util::now_ms;

/// Serves the clients waiting on every key signalled ready, oldest waiter first, until no key is ready
/// (serving a `BLMOVE` pushes, which may make its destination ready in turn). Called under the core lock
/// right after a command's unit was appended. Returns whether the stream grew.
pub fn serve_ready_keys(core: &mut Core, shared: &Arc<Shared>) -> bool {
    let mut fed = false;
    while let Some((db, key)) = core.blocking.next_ready() {
        let now = now_ms();
        let policy = core.client_expiry_policy();
        for client_id in core.blocking.queue(db, &key) {
            // The waiters left once the key is gone cannot be served by it (a pop deleted the last element).
            let exists = core
                .keyspace
                .db_mut(db)
                .is_some_and(|data| data.contains(&key, now, policy));
            let Some(mut waiter) = core.blocking.check_out(client_id) else {
                continue;
            };
            if !exists && !waiter.op.serves_missing_key() {
                core.blocking.check_in(client_id, waiter);
                fed |= feed(core, Vec::new());
                continue;
            }
            if waiter.reply.is_closed() {
                // The connection is gone and about to remove itself: serving it would lose the element.
                core.blocking.check_in(client_id, waiter);
                core.blocking.take(client_id);
                continue;
            }
            // The stand-in carries what an operation may read of its client: id, database, protocol.
            let mut client = ClientState::new(client_id, None, true);
            client.db = db;
            client.protocol = waiter.protocol;
            let mut ctx = Ctx::new(core, &mut client, shared, now, policy);
            let outcome = ctx.run_data(|data| waiter.op.serve(data, &key));
            let commands = ctx.take_propagation();
            core.blocking.check_in(client_id, waiter);
            if outcome.is_some() {
                touch_watched(core, &commands);
            }
            if let Some(reply) = outcome
                && let Some(waiter) = core.blocking.take(client_id)
            {
                core.error_stats.record(&reply);
                if matches!(reply, Frame::Error(_)) && !waiter.command.is_empty() {
                    core.command_stats.record_failed(waiter.command);
                }
                let _ = waiter.reply.send(Served {
                    reply,
                    close: false,
                });
            }
            fed |= feed(core, commands);
        }
    }
    fed
}

/// A served operation ran outside [`super::call`]: tells `WATCH`ers of the keys its propagated
/// commands name (the popped key, a `BLMOVE` destination).
fn touch_watched(core: &mut Core, commands: &[(usize, Vec<Bytes>)]) {
    if core.watches.is_empty() {
        return;
    }
    for (db, command) in commands {
        let Some(spec) = command.first().and_then(|name| crate::cmd::lookup(name)) else {
            continue;
        };
        for key in spec.keys(command) {
            core.touch_key(*db, key);
        }
    }
}

/// Appends one served operation as its own unit, after the `DEL`s of keys it found expired.
fn feed(core: &mut Core, commands: Vec<(usize, Vec<Bytes>)>) -> bool {
    let expired = core.keyspace.take_expired();
    for (db, key) in &expired {
        core.touch_deleted(*db, key);
    }
    if core.is_replica() {
        return false;
    }
    let mut unit: Vec<(usize, Vec<Bytes>)> = expired
        .into_iter()
        .map(|(db, key)| (db, vec![Bytes::from_static(b"DEL"), key]))
        .collect();
    unit.extend(commands);
    super::feed_unit(core, &unit)
}
