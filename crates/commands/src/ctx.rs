//! [`DataCtx`], all a data command may see of the server, and [`Effects`], what it asks the server to do.
//!
//! A data command reads and changes the keyspace and records its consequences instead of applying them:
//! what to propagate (verbatim or rewritten), how many changes it made, which keys `WATCH`ers must hear
//! about, which keys may now serve blocked clients, and whether its own client blocks. The server applies
//! them after the handler returns, still under its one lock, so nothing here knows of watches, blocked
//! clients, the replication stream or the AOF. The buffers are reused from command to command.

use std::time::Duration;

use bytes::Bytes;
use keyspace::{Db, ExpiryPolicy, Keyspace, Value};
use resp::{Frame, Protocol};

use crate::blocking::BlockedOp;
use crate::errors;

/// Who runs the command, as far as data commands care.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Caller {
    /// The server is a replica: a key found expired is not deleted by its clients' commands.
    pub server_is_replica: bool,
    /// The command comes from a script (`redis.call`).
    pub in_script: bool,
    /// The command comes from our master's stream: its effects are exact (a trim never stops early).
    pub from_master: bool,
    /// The command may block its client (not inside `EXEC`, a script or the master's stream).
    pub may_block: bool,
}

/// The configuration data commands read, copied in when the configuration changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// `stream-node-max-bytes`: a stream node is cut at this many bytes (0: no limit).
    pub stream_node_max_bytes: usize,
    /// `stream-node-max-entries`: a stream node is cut at this many entries (0: no limit).
    pub stream_node_max_entries: i64,
    /// `hll-sparse-max-bytes`: a HyperLogLog turns dense past this size.
    pub hll_sparse_max_bytes: usize,
    /// `maxmemory-policy` is an LFU one: `OBJECT FREQ` answers and `OBJECT IDLETIME` refuses.
    pub lfu_policy: bool,
}

impl Default for Limits {
    /// Redis 7.0's defaults.
    fn default() -> Limits {
        Limits {
            stream_node_max_bytes: 4096,
            stream_node_max_entries: 100,
            hll_sparse_max_bytes: 3000,
            lfu_policy: false,
        }
    }
}

/// A command's request to block its client until one of `keys` (of its database) can serve `op`.
#[derive(Debug)]
pub struct BlockRequest {
    /// The keys waited on, in the order given.
    pub keys: Vec<Bytes>,
    /// How long at most; `None` waits forever.
    pub timeout: Option<Duration>,
    /// What serving the client means.
    pub op: Box<dyn BlockedOp>,
}

/// What the commands run through a [`DataCtx`] asked for, until the server takes it.
#[derive(Debug, Default)]
pub struct Effects {
    /// Propagation is recorded at all (a backlog or an AOF exists).
    recording: bool,
    /// Somebody watches keys or waits on them: touched and ready keys are recorded.
    tracking: bool,
    propagation: Vec<(usize, Vec<Bytes>)>,
    dirty: u64,
    touched: Vec<(usize, Bytes)>,
    touched_explicitly: bool,
    ready: Vec<(usize, Bytes)>,
    block: Option<BlockRequest>,
}

impl Effects {
    /// Empty buffers.
    pub fn new() -> Effects {
        Effects::default()
    }

    /// Says, before a command runs, whether its propagation is wanted (`recording`) and whether anybody
    /// watches or waits on keys (`tracking`), so a command nobody observes records nothing.
    pub fn configure(&mut self, recording: bool, tracking: bool) {
        self.recording = recording;
        self.tracking = tracking;
    }

    /// Whether propagation is recorded.
    pub fn recording(&self) -> bool {
        self.recording
    }

    /// Records a command to propagate, applied to database `db` (ignored when not recording).
    pub fn record(&mut self, db: usize, args: Vec<Bytes>) {
        if self.recording {
            self.propagation.push((db, args));
        }
    }

    /// Records what a script's writes propagate, in order.
    pub fn extend_propagation(&mut self, commands: Vec<(usize, Vec<Bytes>)>) {
        if self.recording {
            self.propagation.extend(commands);
        }
    }

    /// Number of commands recorded for propagation so far.
    pub fn propagation_len(&self) -> usize {
        self.propagation.len()
    }

    /// Inserts `commands` at position `at` (the `DEL`s of keys found expired precede the command's effects).
    pub fn insert_propagation(&mut self, at: usize, commands: Vec<(usize, Vec<Bytes>)>) {
        if self.recording {
            self.propagation.splice(at..at, commands);
        }
    }

    /// The commands recorded for propagation, each with its database.
    pub fn propagation(&self) -> &[(usize, Vec<Bytes>)] {
        &self.propagation
    }

    /// Takes the recorded propagation.
    pub fn take_propagation(&mut self) -> Vec<(usize, Vec<Bytes>)> {
        std::mem::take(&mut self.propagation)
    }

    /// Forgets the recorded propagation, keeping the buffer.
    pub fn clear_propagation(&mut self) {
        self.propagation.clear();
    }

    /// Takes the number of changes counted.
    pub fn take_dirty(&mut self) -> u64 {
        std::mem::take(&mut self.dirty)
    }

    /// Whether the command reported the keys it modified itself; resets the mark.
    pub fn take_touched_explicitly(&mut self) -> bool {
        std::mem::take(&mut self.touched_explicitly)
    }

    /// Marks that the command reported the keys it modified itself (the server then touches no others).
    pub fn mark_touched_explicitly(&mut self) {
        self.touched_explicitly = true;
    }

    /// The keys `WATCH`ers must hear about, each with its database, emptying the list.
    pub fn drain_touched(&mut self) -> std::vec::Drain<'_, (usize, Bytes)> {
        self.touched.drain(..)
    }

    /// The keys that may serve blocked clients now, each with its database, emptying the list.
    pub fn drain_ready(&mut self) -> std::vec::Drain<'_, (usize, Bytes)> {
        self.ready.drain(..)
    }

    /// The client's request to block, if the command made one.
    pub fn take_block(&mut self) -> Option<BlockRequest> {
        self.block.take()
    }
}

/// What a data command may touch: the keyspace, its client's database, the time, how expired keys are seen,
/// the reply protocol, who calls, the limits it reads; and the [`Effects`] it records.
pub struct DataCtx<'a> {
    /// Every database.
    pub keyspace: &'a mut Keyspace,
    /// The client's selected database.
    pub db_index: usize,
    /// Unix time in milliseconds, fixed for the whole command (Redis also caches it per command).
    pub now_ms: i64,
    /// How this command sees logically expired keys.
    pub policy: ExpiryPolicy,
    /// The client's protocol (replies differ in RESP3).
    pub protocol: Protocol,
    /// Who runs the command.
    pub caller: Caller,
    /// The configuration data commands read.
    pub limits: Limits,
    effects: &'a mut Effects,
}

impl<'a> DataCtx<'a> {
    /// A context over `keyspace` for a RESP2 client of database `db_index`, with the default limits and an
    /// ordinary caller that may block; set the public fields for anything else.
    pub fn new(
        keyspace: &'a mut Keyspace,
        effects: &'a mut Effects,
        db_index: usize,
        now_ms: i64,
        policy: ExpiryPolicy,
    ) -> DataCtx<'a> {
        DataCtx {
            keyspace,
            db_index,
            now_ms,
            policy,
            protocol: Protocol::Resp2,
            caller: Caller {
                may_block: true,
                ..Caller::default()
            },
            limits: Limits::default(),
            effects,
        }
    }

    /// The client's selected database.
    pub fn db(&mut self) -> &mut Db {
        self.keyspace
            .db_mut(self.db_index)
            .expect("SELECT only ever stores a valid database index")
    }

    /// The value under `key` for reading, narrowed to one type by `pick`: `Ok(None)` when missing, the
    /// WRONGTYPE reply when it holds another type.
    pub fn read_as<T>(
        &mut self,
        key: &[u8],
        pick: fn(&Value) -> Option<&T>,
    ) -> Result<Option<&T>, Frame> {
        let (now, policy) = (self.now_ms, self.policy);
        match self.db().get(key, now, policy) {
            None => Ok(None),
            Some(entry) => pick(&entry.value)
                .map(Some)
                .ok_or_else(|| errors::reply(errors::WRONG_TYPE)),
        }
    }

    /// Like [`DataCtx::read_as`], for changing the value in place.
    pub fn write_as<T>(
        &mut self,
        key: &[u8],
        pick: fn(&mut Value) -> Option<&mut T>,
    ) -> Result<Option<&mut T>, Frame> {
        let (now, policy) = (self.now_ms, self.policy);
        match self.db().get_mut(key, now, policy) {
            None => Ok(None),
            Some(value) => pick(value)
                .map(Some)
                .ok_or_else(|| errors::reply(errors::WRONG_TYPE)),
        }
    }

    /// Deletes `key` if it is logically expired, as Redis's `lookupKeyWrite` does before a command overwrites
    /// a key, so the deletion reaches replicas as a `DEL` ahead of the command (both in one `MULTI`/`EXEC`).
    pub fn expire_if_needed(&mut self, key: &[u8]) {
        let (now, policy) = (self.now_ms, self.policy);
        self.db().contains(key, now, policy);
    }

    /// Propagates the command exactly as the client sent it, and counts one change.
    pub fn propagate_verbatim(&mut self, argv: &[Bytes]) {
        if self.effects.recording {
            self.effects
                .propagation
                .push((self.db_index, argv.to_vec()));
        }
        self.effects.dirty += 1;
    }

    /// Propagates a rewritten command (relative times made absolute, effects instead of intent), and counts
    /// one change.
    pub fn propagate(&mut self, args: Vec<Bytes>) {
        self.effects.record(self.db_index, args);
        self.effects.dirty += 1;
    }

    /// Counts changes that are not propagated by this command itself (`DEL` of many keys propagated once).
    pub fn add_dirty(&mut self, changes: u64) {
        self.effects.dirty += changes;
    }

    /// Tells `WATCH`ers that `key` of the client's database changed. Commands whose key positions in the
    /// command table describe what they modify need not call it: the server touches those keys whenever a
    /// write counted a change. Calling it (or [`DataCtx::touch_in`]) replaces that generic touch.
    pub fn touch(&mut self, key: &[u8]) {
        self.touch_in(self.db_index, key);
    }

    /// Tells `WATCH`ers that `key` of database `db` changed.
    pub fn touch_in(&mut self, db: usize, key: &[u8]) {
        self.effects.touched_explicitly = true;
        if self.effects.tracking {
            self.effects.touched.push((db, Bytes::copy_from_slice(key)));
        }
    }

    /// Tells the clients blocked on `key` (of the client's database) that it may serve them now; they are
    /// served when the running command (or `EXEC`) ends. Commands that add elements to a list, sorted set or
    /// stream call it; it records nothing when nobody waits.
    pub fn signal_key_ready(&mut self, key: &[u8]) {
        self.signal_key_ready_in(self.db_index, key);
    }

    /// [`DataCtx::signal_key_ready`] for a key of database `db` (`COPY ... DB`, `MOVE`).
    pub fn signal_key_ready_in(&mut self, db: usize, key: &[u8]) {
        if self.effects.tracking {
            self.effects.ready.push((db, Bytes::copy_from_slice(key)));
        }
    }

    /// Whether the running command may block (Redis's `CLIENT_DENY_BLOCKING` is not set): where it may
    /// not, a blocking command on empty keys answers as if it timed out.
    pub fn may_block(&self) -> bool {
        self.caller.may_block
    }

    /// Blocks the client on `keys` (of its database) for at most `timeout` (`None` = forever): the handler's
    /// own reply is then ignored, and the client waits for `op` to be served or to time out.
    pub fn block(&mut self, keys: Vec<Bytes>, timeout: Option<Duration>, op: Box<dyn BlockedOp>) {
        self.effects.block = Some(BlockRequest { keys, timeout, op });
    }

    /// The effects recorded so far (tests read them).
    pub fn effects(&self) -> &Effects {
        self.effects
    }
}
