//! Clients blocked on keys (`BLPOP`, `BRPOP`, `BLMOVE`, ... and any later blocking pop such as `BZPOPMIN`).
//!
//! The registry lives in the [`Core`], so the write that makes a key ready and the serving of its waiters
//! happen under the same lock acquisition, in the order Redis uses (`handleClientsBlockedOnKeys`): the
//! writing command runs and its unit is appended to the stream; then, still under the lock, each key it
//! signalled (`DataCtx::signal_key_ready`) serves its waiters oldest first. Every served waiter is its own
//! execution unit: the operation runs on its behalf (in its database) through an ordinary data context
//! ([`Ctx::run_data`]), so what it propagates (the non-blocking form, `LPOP`, `LMOVE`...) follows the write
//! that woke it.
//!
//! The waiting connection holds no lock: it awaits a oneshot channel (see [`Pending`]) next to its timeout
//! and its socket, so a blocked client never stalls anyone, and one that disconnects or times out removes
//! itself from the queues. What serving means for a command is the [`BlockedOp`] trait of crate `commands`,
//! implemented next to the command (lists in `commands::lists::blocking`); a command asks to block through
//! its effects, and [`Ctx::block`] registers it here.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;

use bytes::Bytes;
use resp::{Frame, Protocol};
use tokio::sync::oneshot;
use tokio::time::Instant;

use crate::client::ClientState;
use crate::cmd::Ctx;
use crate::core::Core;
use crate::shared::Shared;
use crate::util::now_ms;

use commands::BlockRequest;
pub use commands::blocking::BlockedOp;

/// How a blocked client's wait ended, as sent to its connection.
#[derive(Debug)]
pub struct Served {
    /// The reply to write.
    pub reply: Frame,
    /// Close the connection after the reply (the server stopped being a master).
    pub close: bool,
}

/// Handed to the connection of a client that blocked: it awaits `reply` until `deadline`.
#[derive(Debug)]
pub struct Pending {
    /// Receives the reply when a write serves the client.
    pub reply: oneshot::Receiver<Served>,
    /// When the wait times out; `None` waits forever (timeout 0).
    pub deadline: Option<Instant>,
}

/// The blocked clients, queued per (database, key) in the order they blocked.
#[derive(Debug, Default)]
pub struct Blocking {
    queues: HashMap<(usize, Bytes), VecDeque<u64>>,
    waiters: HashMap<u64, Waiter>,
    ready: VecDeque<(usize, Bytes)>,
    ready_set: HashSet<(usize, Bytes)>,
}

#[derive(Debug)]
struct Waiter {
    /// The command that blocked, for its `failed_calls` when it is served an error.
    command: &'static str,
    db: usize,
    keys: Vec<Bytes>,
    protocol: Protocol,
    op: Box<dyn BlockedOp>,
    reply: oneshot::Sender<Served>,
}

impl Blocking {
    /// Number of blocked clients (`blocked_clients` in INFO).
    pub fn len(&self) -> usize {
        self.waiters.len()
    }

    /// Names the command client `id` blocked in (set by the dispatcher once the handler returned).
    pub fn name_waiter(&mut self, id: u64, command: &'static str) {
        if let Some(waiter) = self.waiters.get_mut(&id) {
            waiter.command = command;
        }
    }

    /// Whether no client is blocked.
    pub fn is_empty(&self) -> bool {
        self.waiters.is_empty()
    }

    /// Removes a client from every queue, returning the reply it gets on timeout; `None` if it is not blocked
    /// (anymore: a write may have served it just before).
    pub fn remove(&mut self, client_id: u64) -> Option<Frame> {
        let waiter = self.take(client_id)?;
        Some(waiter.op.timeout_reply())
    }

    /// `CLIENT UNBLOCK`: ends one client's wait as if it timed out, or with `error`; false if it is not waiting.
    pub fn unblock(&mut self, client_id: u64, error: Option<Frame>) -> bool {
        let Some(waiter) = self.take(client_id) else {
            return false;
        };
        let reply = error.unwrap_or_else(|| waiter.op.timeout_reply());
        let _ = waiter.reply.send(Served {
            reply,
            close: false,
        });
        true
    }

    /// Ends every wait with `reply` and asks the connections to close (Redis's `disconnectAllBlockedClients`,
    /// when a master becomes a replica).
    pub fn unblock_all(&mut self, reply: &Frame) {
        let ids: Vec<u64> = self.waiters.keys().copied().collect();
        for id in ids {
            if let Some(waiter) = self.take(id) {
                let _ = waiter.reply.send(Served {
                    reply: reply.clone(),
                    close: true,
                });
            }
        }
    }

    fn add(&mut self, client_id: u64, waiter: Waiter) {
        for key in &waiter.keys {
            self.queues
                .entry((waiter.db, key.clone()))
                .or_default()
                .push_back(client_id);
        }
        self.waiters.insert(client_id, waiter);
    }

    /// Removes a waiter from the map and from the queue of each of its keys.
    fn take(&mut self, client_id: u64) -> Option<Waiter> {
        let waiter = self.waiters.remove(&client_id)?;
        for key in &waiter.keys {
            let slot = (waiter.db, key.clone());
            if let Some(queue) = self.queues.get_mut(&slot) {
                queue.retain(|&id| id != client_id);
                if queue.is_empty() {
                    self.queues.remove(&slot);
                }
            }
        }
        Some(waiter)
    }

    pub(crate) fn signal(&mut self, db: usize, key: &[u8]) {
        if self.waiters.is_empty() {
            return;
        }
        let slot = (db, Bytes::copy_from_slice(key));
        if self.queues.contains_key(&slot) && self.ready_set.insert(slot.clone()) {
            self.ready.push_back(slot);
        }
    }

    /// Signals every key of `db` somebody waits on (`SWAPDB` replaced the whole database under them); the
    /// missing ones are skipped when served.
    pub(crate) fn signal_db(&mut self, db: usize) {
        let waited: Vec<Bytes> = self
            .queues
            .keys()
            .filter(|(key_db, _)| *key_db == db)
            .map(|(_, key)| key.clone())
            .collect();
        for key in waited {
            self.signal(db, &key);
        }
    }

    fn next_ready(&mut self) -> Option<(usize, Bytes)> {
        let slot = self.ready.pop_front()?;
        self.ready_set.remove(&slot);
        Some(slot)
    }

    fn queue(&self, db: usize, key: &Bytes) -> Vec<u64> {
        self.queues
            .get(&(db, key.clone()))
            .map(|queue| queue.iter().copied().collect())
            .unwrap_or_default()
    }
}

impl Ctx<'_> {
    /// Blocks the client as its command asked (a [`BlockRequest`] on keys of its database): the handler's own
    /// reply is then ignored, and the connection waits for the request's operation to be served or to time out.
    pub(crate) fn block(&mut self, request: BlockRequest) {
        let BlockRequest { keys, timeout, op } = request;
        let (sender, receiver) = oneshot::channel();
        let deadline = timeout.and_then(|timeout| Instant::now().checked_add(timeout));
        let waiter = Waiter {
            command: "",
            db: self.client.db,
            keys,
            protocol: self.client.protocol,
            op,
            reply: sender,
        };
        self.core.blocking.add(self.client.id, waiter);
        // Under the core lock, so CLIENT LIST shows `flags=b` as soon as INFO counts it as blocked.
        self.shared
            .clients
            .update(self.client.id, |info| info.blocked = true);
        self.client.blocked = Some(Pending {
            reply: receiver,
            deadline,
        });
    }
}

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
            let Some(mut waiter) = core.blocking.waiters.remove(&client_id) else {
                continue;
            };
            if !exists && !waiter.op.serves_missing_key() {
                core.blocking.waiters.insert(client_id, waiter);
                fed |= feed(core, Vec::new());
                continue;
            }
            if waiter.reply.is_closed() {
                // The connection is gone and about to remove itself: serving it would lose the element.
                core.blocking.waiters.insert(client_id, waiter);
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
            core.blocking.waiters.insert(client_id, waiter);
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

/// A served operation ran outside [`crate::dispatch::call`]: tells `WATCH`ers of the keys its propagated
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
            crate::watch::touch_key(core, *db, key);
        }
    }
}

/// Appends one served operation as its own unit, after the `DEL`s of keys it found expired.
fn feed(core: &mut Core, commands: Vec<(usize, Vec<Bytes>)>) -> bool {
    let expired = core.keyspace.take_expired();
    for (db, key) in &expired {
        crate::watch::touch_deleted(core, *db, key);
    }
    if core.is_replica() {
        return false;
    }
    let mut unit: Vec<(usize, Vec<Bytes>)> = expired
        .into_iter()
        .map(|(db, key)| (db, vec![Bytes::from_static(b"DEL"), key]))
        .collect();
    unit.extend(commands);
    crate::dispatch::feed_unit(core, &unit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Nothing;

    impl BlockedOp for Nothing {
        fn serve(&mut self, _ctx: &mut commands::DataCtx<'_>, _key: &Bytes) -> Option<Frame> {
            None
        }

        fn timeout_reply(&self) -> Frame {
            Frame::NullArray
        }
    }

    fn waiter(keys: &[&str]) -> (Waiter, oneshot::Receiver<Served>) {
        let (sender, receiver) = oneshot::channel();
        let waiter = Waiter {
            command: "",
            db: 0,
            keys: keys
                .iter()
                .map(|key| Bytes::from(key.to_string()))
                .collect(),
            protocol: Protocol::Resp2,
            op: Box::new(Nothing),
            reply: sender,
        };
        (waiter, receiver)
    }

    #[test]
    fn queues_are_fifo_per_key_and_removal_cleans_every_key() {
        let mut blocking = Blocking::default();
        let (first, _r1) = waiter(&["a", "b"]);
        let (second, _r2) = waiter(&["b"]);
        blocking.add(1, first);
        blocking.add(2, second);
        assert_eq!(blocking.len(), 2);
        assert_eq!(blocking.queue(0, &Bytes::from("b")), [1, 2]);
        assert_eq!(blocking.remove(1), Some(Frame::NullArray));
        assert_eq!(blocking.remove(1), None);
        assert!(blocking.queue(0, &Bytes::from("a")).is_empty());
        assert_eq!(blocking.queue(0, &Bytes::from("b")), [2]);
        assert!(!blocking.queues.contains_key(&(0, Bytes::from("a"))));
    }

    #[test]
    fn a_key_is_ready_once_and_only_with_waiters() {
        let mut blocking = Blocking::default();
        blocking.signal(0, b"a");
        assert!(blocking.next_ready().is_none());
        let (only, _receiver) = waiter(&["a"]);
        blocking.add(7, only);
        blocking.signal(0, b"a");
        blocking.signal(0, b"a");
        blocking.signal(1, b"a");
        blocking.signal(0, b"other");
        assert_eq!(blocking.next_ready(), Some((0, Bytes::from("a"))));
        assert!(blocking.next_ready().is_none());
    }

    #[test]
    fn unblock_all_replies_and_asks_to_close() {
        let mut blocking = Blocking::default();
        let (only, mut receiver) = waiter(&["a"]);
        blocking.add(3, only);
        blocking.unblock_all(&Frame::error("UNBLOCKED"));
        assert!(blocking.is_empty());
        let served = receiver.try_recv().expect("a reply was sent");
        assert!(served.close);
    }
}
