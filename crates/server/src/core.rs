//! [`Core`]: the data and the replication stream, owned together behind one lock.
//!
//! A write is applied to the keyspace and appended to the replication stream while the same lock is held,
//! so replicas see writes in exactly the order the master applied them (the "one ordering point" rule).

use std::time::Instant;

use bytes::Bytes;
use keyspace::{ExpiryPolicy, Keyspace};
use replication::{ReplOffset, ReplicaLinkState, ReplicationState};

use crate::blocking::Blocking;
use crate::replicas::ReplicaRegistry;

/// Everything guarded by the core lock.
#[derive(Debug)]
pub struct Core {
    /// The databases.
    pub keyspace: Keyspace,
    /// Replication ids, offset, backlog.
    pub repl: ReplicationState,
    /// Master, or replica of some master.
    pub role: Role,
    /// Replicas attached to this server (a replica can have sub-replicas).
    pub replicas: ReplicaRegistry,
    /// Save bookkeeping.
    pub persistence: Persistence,
    /// Clients blocked on keys (`BLPOP` ...), served by the writes that fill those keys.
    pub blocking: Blocking,
}

/// This server's role.
#[derive(Debug, Clone)]
pub enum Role {
    /// Accepts writes and feeds replicas.
    Master,
    /// Follows a master.
    Replica(MasterLinkStatus),
}

/// What INFO and ROLE show about the link to our master.
#[derive(Debug, Clone)]
pub struct MasterLinkStatus {
    /// `master_host`.
    pub host: String,
    /// `master_port`.
    pub port: u16,
    /// Current state of the link.
    pub state: ReplicaLinkState,
    /// Last time a byte arrived from the master on an established link.
    pub last_io: Option<Instant>,
    /// When the link went down; `None` if it was never up.
    pub down_since: Option<Instant>,
    /// Whether our replid/offset name a position in the master's history we can PSYNC from; false means
    /// `PSYNC ? -1` (a replica started from config with no usable RDB).
    pub has_cached_master: bool,
    /// Snapshot transfer progress: (total bytes if known, bytes read, last read).
    pub transfer: Option<TransferProgress>,
}

/// Progress of a snapshot being received.
#[derive(Debug, Clone, Copy)]
pub struct TransferProgress {
    /// Size announced by `$<len>`, or 0 for an EOF-marked (diskless) transfer.
    pub total: u64,
    /// Bytes received so far.
    pub read: u64,
    /// Time of the last read.
    pub last_io: Instant,
}

impl MasterLinkStatus {
    /// A link that has not connected yet.
    pub fn new(host: String, port: u16, has_cached_master: bool) -> MasterLinkStatus {
        MasterLinkStatus {
            host,
            port,
            state: ReplicaLinkState::Connect,
            last_io: None,
            down_since: None,
            has_cached_master,
            transfer: None,
        }
    }
}

/// Changes since the last save, and save status.
#[derive(Debug, Clone, Default)]
pub struct Persistence {
    /// Changes since the last successful save (`rdb_changes_since_last_save`).
    pub dirty: u64,
    /// Unix seconds of the last successful save (or of start-up).
    pub last_save_unix: i64,
    /// A background save is running.
    pub bgsave_in_progress: bool,
    /// Outcome of the last background save.
    pub last_bgsave_ok: bool,
}

impl Core {
    /// A master with empty databases.
    pub fn new(databases: usize, backlog_size: usize, now_unix: i64) -> Core {
        Core {
            keyspace: Keyspace::new(databases),
            repl: ReplicationState::new(backlog_size),
            role: Role::Master,
            replicas: ReplicaRegistry::default(),
            persistence: Persistence {
                last_save_unix: now_unix,
                last_bgsave_ok: true,
                ..Persistence::default()
            },
            blocking: Blocking::default(),
        }
    }

    /// Whether this server follows a master.
    pub fn is_replica(&self) -> bool {
        matches!(self.role, Role::Replica(_))
    }

    /// The link status when this server is a replica.
    pub fn master_link(&self) -> Option<&MasterLinkStatus> {
        match &self.role {
            Role::Replica(link) => Some(link),
            Role::Master => None,
        }
    }

    /// The link status for updating, when this server is a replica.
    pub fn master_link_mut(&mut self) -> Option<&mut MasterLinkStatus> {
        match &mut self.role {
            Role::Replica(link) => Some(link),
            Role::Master => None,
        }
    }

    /// How clients see expired keys: a master deletes them, a replica hides them.
    pub fn client_expiry_policy(&self) -> ExpiryPolicy {
        if self.is_replica() {
            ExpiryPolicy::Hide
        } else {
            ExpiryPolicy::Delete
        }
    }

    /// Appends one execution unit to the stream, then trims the backlog to what is still needed.
    /// Returns whether anything was appended (so the caller wakes the replica senders).
    pub fn propagate(&mut self, db: usize, unit: &[Vec<Bytes>]) -> bool {
        if unit.is_empty() || self.repl.backlog().is_none() {
            return false;
        }
        self.repl.feed_unit(db, unit);
        self.trim_backlog();
        true
    }

    /// Appends already-encoded stream bytes (the master's `ping`, or what a replica applied).
    pub fn propagate_raw(&mut self, bytes: &[u8]) -> bool {
        if self.repl.backlog().is_none() {
            return false;
        }
        self.repl.feed_raw(bytes);
        self.trim_backlog();
        true
    }

    /// Trims the backlog, keeping what the slowest attached replica has not been sent yet.
    pub fn trim_backlog(&mut self) {
        let keep_from = self.replicas.oldest_pending_offset();
        self.repl.trim_backlog(keep_from);
    }

    /// The replica offset shown by INFO/ROLE: what we applied.
    pub fn applied_offset(&self) -> ReplOffset {
        self.repl.offset()
    }
}
