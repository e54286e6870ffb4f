//! The registry of clients blocked on keys (`BLPOP`, `BRPOP`, `BLMOVE`, `BZPOPMIN`, `XREAD BLOCK`...): who
//! waits on which key, in the order they blocked, and which keys were signalled ready.
//!
//! It lives in the `Core`, so the write that makes a key ready and the serving of its waiters happen under
//! the same lock acquisition, in the order Redis uses (`handleClientsBlockedOnKeys`); the serving itself is
//! `cmd::blocked`, which runs each waiter's operation as its own unit. The waiting connection holds no
//! lock: it awaits a oneshot channel (see [`Pending`]) next to its timeout and its socket, so a blocked client
//! never stalls anyone, and one that disconnects or times out removes itself from the queues. What serving
//! means for a command is the [`BlockedOp`] trait of crate `commands`, implemented next to the command.

use std::collections::{HashMap, HashSet, VecDeque};

use bytes::Bytes;
use commands::BlockRequest;
use resp::{Frame, Protocol};
use tokio::sync::oneshot;
use tokio::time::Instant;

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

/// One blocked client.
#[derive(Debug)]
pub(crate) struct Waiter {
    /// The command that blocked, for its `failed_calls` when it is served an error.
    pub(crate) command: &'static str,
    db: usize,
    keys: Vec<Bytes>,
    /// The client's protocol, for the reply.
    pub(crate) protocol: Protocol,
    /// What serving it means.
    pub(crate) op: Box<dyn BlockedOp>,
    /// Where its reply goes.
    pub(crate) reply: oneshot::Sender<Served>,
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

    /// Blocks client `client_id` of database `db` on `keys` until `op` is served (or `deadline`, `None` =
    /// never); the connection awaits the returned [`Pending`].
    pub fn block(
        &mut self,
        client_id: u64,
        db: usize,
        protocol: Protocol,
        request: BlockRequest,
        deadline: Option<Instant>,
    ) -> Pending {
        let BlockRequest { keys, op, .. } = request;
        let (sender, receiver) = oneshot::channel();
        let waiter = Waiter {
            command: "",
            db,
            keys,
            protocol,
            op,
            reply: sender,
        };
        self.add(client_id, waiter);
        Pending {
            reply: receiver,
            deadline,
        }
    }

    /// Takes client `client_id`'s waiter out to run its operation (the registry is part of the state the
    /// operation changes); [`Blocking::check_in`] puts it back, still queued on its keys.
    pub(crate) fn check_out(&mut self, client_id: u64) -> Option<Waiter> {
        self.waiters.remove(&client_id)
    }

    /// Puts back a waiter taken with [`Blocking::check_out`].
    pub(crate) fn check_in(&mut self, client_id: u64, waiter: Waiter) {
        self.waiters.insert(client_id, waiter);
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
    pub(crate) fn take(&mut self, client_id: u64) -> Option<Waiter> {
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

    /// The next key signalled ready, oldest first.
    pub(crate) fn next_ready(&mut self) -> Option<(usize, Bytes)> {
        let slot = self.ready.pop_front()?;
        self.ready_set.remove(&slot);
        Some(slot)
    }

    /// The clients waiting on `key` of `db`, oldest first.
    pub(crate) fn queue(&self, db: usize, key: &Bytes) -> Vec<u64> {
        self.queues
            .get(&(db, key.clone()))
            .map(|queue| queue.iter().copied().collect())
            .unwrap_or_default()
    }
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
