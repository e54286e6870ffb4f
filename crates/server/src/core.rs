//! [`Core`]: the data and the replication stream, owned together behind one lock.
//!
//! A write is applied to the keyspace and appended to the replication stream while the same lock is held,
//! so replicas see writes in exactly the order the master applied them (the "one ordering point" rule).

use std::time::Instant;

use bytes::Bytes;
use keyspace::{ExpiryPolicy, Keyspace};
use replication::{ReplOffset, ReplicaLinkState, ReplicationState};

use crate::blocking::Blocking;
use crate::pubsub::PubSub;
use crate::replicas::ReplicaRegistry;
use crate::watch::Watches;

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
    /// The append-only file.
    pub aof: crate::aof::Aof,
    /// `WATCH`ed keys and the clients whose transaction they invalidated.
    pub watches: Watches,
    /// Pub/Sub subscriptions.
    pub pubsub: PubSub,
    /// Clients in `MONITOR` mode.
    pub monitors: crate::monitor::Monitors,
    /// Clients blocked on keys (`BLPOP` ...), served by the writes that fill those keys.
    pub blocking: Blocking,
    /// Active expiry runs (`DEBUG SET-ACTIVE-EXPIRE 0` turns it off for tests).
    pub active_expire_enabled: bool,
    /// `DEBUG SET-DISABLE-DENY-SCRIPTS 1`: scripts may call commands flagged `noscript` (tests use it).
    pub disable_deny_scripts: bool,
    /// Per-command call counts and times (`INFO commandstats`).
    pub command_stats: crate::stats::CommandStats,
    /// Error replies by prefix (`INFO errorstats`).
    pub error_stats: crate::stats::ErrorStats,
    /// A `FAILOVER` under way.
    pub failover: Option<FailoverState>,
    /// The configuration data commands read (stream node sizes, HyperLogLog sparse limit...).
    pub data_limits: commands::Limits,
    /// Keys with a TTL written by clients of a writable replica: the master will never send their `DEL`,
    /// so the replica expires these itself (Redis's `slaveKeysWithExpire`).
    pub replica_local_expires: std::collections::HashSet<(usize, Bytes)>,
    /// Set when a handler appended raw bytes to the stream (`REPLCONF GETACK`), so the batch wakes the
    /// replica senders.
    pub stream_grew: bool,
    /// Loaded function libraries (`FUNCTION LOAD`), as data; compiled in the script engine.
    pub libraries: crate::scripting::registry::Libraries,
    /// Scripts `EVAL` and `SCRIPT LOAD` have seen.
    pub script_cache: crate::scripting::registry::ScriptCache,
    /// `SLOWLOG`.
    pub slowlog: crate::slowlog::SlowLog,
    /// ACL users and the ACL log.
    pub acl: crate::acl::Acl,
}

/// A coordinated failover (`FAILOVER`), shown as INFO `master_failover_state`.
#[derive(Debug, Clone)]
pub struct FailoverState {
    /// Where it stands.
    pub step: FailoverStep,
    /// The chosen replica (`TO host port`), or the first one found caught up.
    pub target: Option<(String, u16)>,
    /// `TIMEOUT`: when to give up (or, with `FORCE`, to hand over anyway).
    pub deadline: Option<Instant>,
    /// `FORCE`.
    pub force: bool,
}

/// The two phases of a failover.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailoverStep {
    /// Writes paused, waiting for a replica to acknowledge everything (`waiting-for-sync`).
    WaitForSync,
    /// Became a replica of the target, waiting for its PSYNC answer (`failover-in-progress`).
    InProgress,
}

impl FailoverStep {
    /// The INFO word.
    pub fn info_name(self) -> &'static str {
        match self {
            FailoverStep::WaitForSync => "waiting-for-sync",
            FailoverStep::InProgress => "failover-in-progress",
        }
    }
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
    /// Keys found already expired (and dropped) by the last load at start-up.
    pub last_load_keys_expired: u64,
    /// A snapshot from the master is being loaded straight from the socket (`repl-diskless-load`):
    /// `Some(true)` while the old data stays served (`async_loading`), `Some(false)` while clients are
    /// answered `-LOADING`.
    pub loading: Option<bool>,
}

impl Core {
    /// A master with empty databases.
    pub fn new(databases: usize, backlog_size: usize, now_unix: i64) -> Core {
        Core {
            keyspace: Keyspace::new(databases),
            repl: ReplicationState::new(backlog_size),
            role: Role::Master,
            replicas: ReplicaRegistry::default(),
            active_expire_enabled: true,
            disable_deny_scripts: false,
            command_stats: crate::stats::CommandStats::default(),
            error_stats: crate::stats::ErrorStats::default(),
            stream_grew: false,
            replica_local_expires: std::collections::HashSet::new(),
            data_limits: commands::Limits::default(),
            failover: None,
            aof: crate::aof::Aof::default(),
            persistence: Persistence {
                last_save_unix: now_unix,
                last_bgsave_ok: true,
                ..Persistence::default()
            },
            watches: Watches::default(),
            pubsub: PubSub::default(),
            monitors: crate::monitor::Monitors::default(),
            blocking: Blocking::default(),
            libraries: crate::scripting::registry::Libraries::default(),
            script_cache: crate::scripting::registry::ScriptCache::default(),
            slowlog: crate::slowlog::SlowLog::default(),
            acl: crate::acl::Acl::new(),
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

    /// Whether what commands change is recorded for propagation: there is a backlog to feed, or an AOF.
    pub fn records_propagation(&self) -> bool {
        self.repl.backlog().is_some() || self.aof.accepting()
    }

    /// Appends one execution unit to the stream, then trims the backlog to what is still needed.
    /// Returns whether anything was appended (so the caller wakes the replica senders).
    pub fn propagate(&mut self, db: usize, unit: &[Vec<Bytes>]) -> bool {
        self.aof.feed(db, unit);
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
        self.enforce_replica_output_limits();
        let keep_from = self.replicas.oldest_pending_offset();
        self.repl.trim_backlog(keep_from);
    }

    /// Disconnects the replicas over `client-output-buffer-limit replica` (the policy is the registry's,
    /// [`ReplicaRegistry::enforce_output_limits`]); the stream's end and the backlog size are ours.
    pub fn enforce_replica_output_limits(&mut self) {
        let end = self.repl.offset().next();
        let backlog_size = u64::try_from(self.repl.backlog_size()).unwrap_or(u64::MAX);
        self.replicas.enforce_output_limits(end, backlog_size);
    }

    /// After a client's write on a writable replica: remembers which of the command's `keys` now carry a TTL.
    pub fn track_local_expires<'a>(&mut self, db: usize, keys: impl Iterator<Item = &'a Bytes>) {
        for key in keys {
            let has_ttl = self
                .keyspace
                .db(db)
                .and_then(|d| d.peek(key))
                .is_some_and(|entry| entry.expire_at.is_some());
            if has_ttl {
                self.replica_local_expires.insert((db, key.clone()));
            }
        }
    }

    /// Deletes the writable replica's own keys whose TTL passed; keys that lost their TTL are forgotten.
    pub fn expire_replica_local_keys(&mut self, now_ms: i64) {
        let keyspace = &mut self.keyspace;
        self.replica_local_expires.retain(|(db, key)| {
            let Some(db) = keyspace.db_mut(*db) else {
                return false;
            };
            match db.peek(key).and_then(|entry| entry.expire_at) {
                Some(at) if at < now_ms => {
                    db.remove(key);
                    false
                }
                Some(_) => true,
                None => false,
            }
        });
    }

    /// The replica offset shown by INFO/ROLE: what we applied.
    pub fn applied_offset(&self) -> ReplOffset {
        self.repl.offset()
    }
}

/// What writes tell the registries of watched keys and blocked clients.
impl Core {
    /// A write changed `key` of database `db`: marks its watchers, and lets clients blocked on it look again
    /// (an XREADGROUP waiting on a stream that was deleted or replaced must end, as in Redis).
    pub fn touch_key(&mut self, db: usize, key: &[u8]) {
        self.blocking.signal(db, key);
        if self.watches.is_empty() {
            return;
        }
        let exists = self
            .keyspace
            .db(db)
            .is_some_and(|data| data.peek(key).is_some());
        self.watches.touch(db, key, exists);
    }

    /// Expiry deleted `key` of database `db`: marks its watchers, except those that watched it already expired.
    pub fn touch_deleted(&mut self, db: usize, key: &[u8]) {
        self.blocking.signal(db, key);
        if !self.watches.is_empty() {
            self.watches.touch(db, key, false);
        }
    }
}
