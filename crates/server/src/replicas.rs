//! [`ReplicaRegistry`]: the replicas attached to this server, as the master side sees them.

use std::collections::BTreeMap;
use std::time::Instant;

use replication::{ReplOffset, ReplicaSyncState};
use tokio_util::sync::CancellationToken;

use crate::config::output_limits::ClassLimit;

/// One attached replica.
#[derive(Debug, Clone)]
pub struct AttachedReplica {
    /// The client id of its connection.
    pub client_id: u64,
    /// Address shown in INFO/ROLE (announced ip, else the peer's).
    pub ip: String,
    /// Port from `REPLCONF listening-port` (0 if never sent).
    pub listening_port: u16,
    /// Sync state.
    pub state: ReplicaSyncState,
    /// Highest offset it acknowledged.
    pub ack_offset: ReplOffset,
    /// When it last acknowledged.
    pub last_ack: Instant,
    /// Next stream byte to send it; the backlog keeps every byte from here on.
    pub send_offset: ReplOffset,
    /// Cancelled to disconnect it.
    pub cancel: CancellationToken,
    /// Since when its pending output has been above the soft limit.
    pub over_soft_limit_since: Option<Instant>,
}

/// The attached replicas, by client id (ordered, so INFO lists them in attach order of ids).
#[derive(Debug)]
pub struct ReplicaRegistry {
    replicas: BTreeMap<u64, AttachedReplica>,
    /// `client-output-buffer-limit` for replicas: how far behind the stream a replica may fall.
    pub output_limit: ClassLimit,
}

impl Default for ReplicaRegistry {
    /// No replica, Redis's default limit (`client-output-buffer-limit replica 256mb 64mb 60`).
    fn default() -> ReplicaRegistry {
        ReplicaRegistry {
            replicas: BTreeMap::new(),
            output_limit: crate::config::output_limits::OutputBufferLimits::default().replica,
        }
    }
}

impl ReplicaRegistry {
    /// Disconnects replicas whose unsent stream (up to `stream_end`) exceeds the hard limit, or the soft limit
    /// for longer than allowed, so a replica that cannot keep up never makes the master's memory grow without
    /// bound. (The replica then reconnects; if its offset left the backlog it gets a full resync.)
    pub fn enforce_output_limits(&mut self, stream_end: ReplOffset, backlog_size: u64) {
        let limit = self.output_limit;
        if limit.hard == 0 && limit.soft == 0 {
            return;
        }
        // A hard limit below repl-backlog-size would cut off a replica right after the partial resync the
        // backlog was sized for; Redis then uses the backlog size instead (the bytes are shared anyway).
        let hard = if limit.hard > 0 {
            limit.hard.max(backlog_size)
        } else {
            0
        };
        let mut over = Vec::new();
        for replica in self.replicas.values_mut() {
            let pending = u64::try_from(stream_end.0 - replica.send_offset.0).unwrap_or(0);
            let over_hard = hard > 0 && pending >= hard;
            let over_soft = limit.soft > 0 && pending >= limit.soft;
            if !over_soft {
                replica.over_soft_limit_since = None;
            }
            let soft_expired = over_soft
                && replica
                    .over_soft_limit_since
                    .get_or_insert_with(Instant::now)
                    .elapsed()
                    .as_secs()
                    >= limit.soft_seconds;
            if over_hard || soft_expired {
                over.push(replica.client_id);
            }
        }
        for client_id in over {
            if let Some(replica) = self.remove(client_id) {
                tracing::warn!(
                    "Client replica {}:{} scheduled to be closed ASAP for overcoming of output buffer limits.",
                    replica.ip,
                    replica.listening_port
                );
                replica.cancel.cancel();
            }
        }
    }

    /// Registers a replica.
    pub fn insert(&mut self, replica: AttachedReplica) {
        self.replicas.insert(replica.client_id, replica);
    }

    /// Unregisters a replica.
    pub fn remove(&mut self, client_id: u64) -> Option<AttachedReplica> {
        self.replicas.remove(&client_id)
    }

    /// One replica.
    pub fn get_mut(&mut self, client_id: u64) -> Option<&mut AttachedReplica> {
        self.replicas.get_mut(&client_id)
    }

    /// Every replica, for updating.
    pub fn iter_mut(&mut self) -> impl Iterator<Item = &mut AttachedReplica> {
        self.replicas.values_mut()
    }

    /// Every replica, in id order.
    pub fn iter(&self) -> impl Iterator<Item = &AttachedReplica> {
        self.replicas.values()
    }

    /// Number of attached replicas in any state (`connected_slaves`).
    pub fn len(&self) -> usize {
        self.replicas.len()
    }

    /// Whether no replica is attached.
    pub fn is_empty(&self) -> bool {
        self.replicas.is_empty()
    }

    /// Replicas that are online and acknowledged within `max_lag` seconds (`min_slaves_good_slaves`).
    pub fn good_count(&self, max_lag: u64) -> usize {
        self.replicas
            .values()
            .filter(|replica| {
                replica.state == ReplicaSyncState::Online
                    && replica.last_ack.elapsed().as_secs() <= max_lag
            })
            .count()
    }

    /// Online replicas that acknowledged at least `offset` (what `WAIT` counts).
    pub fn acked_count(&self, offset: ReplOffset) -> usize {
        self.replicas
            .values()
            .filter(|replica| {
                replica.state == ReplicaSyncState::Online && replica.ack_offset >= offset
            })
            .count()
    }

    /// Replicas whose last acknowledged offset is exactly `offset`, whatever their state: what a shutdown
    /// waits for (Redis's `isReadyToShutdown`; a replica that never acknowledged counts as at offset 0, so
    /// one still waiting for its first snapshot from a master with an empty history holds nothing up).
    pub fn in_sync_count(&self, offset: ReplOffset) -> usize {
        self.replicas
            .values()
            .filter(|replica| replica.ack_offset == offset)
            .count()
    }

    /// The oldest stream offset some replica still has to be sent.
    pub fn oldest_pending_offset(&self) -> Option<ReplOffset> {
        self.replicas
            .values()
            .map(|replica| replica.send_offset)
            .min()
    }

    /// Disconnects every replica (on promotion or role change they must resync against the new history).
    pub fn disconnect_all(&mut self) {
        for replica in self.replicas.values() {
            replica.cancel.cancel();
        }
        self.replicas.clear();
    }
}

/// How a replica that was just accepted gets its data.
#[derive(Debug)]
pub enum SyncPlan {
    /// `+CONTINUE`: stream straight from the backlog.
    Continue,
    /// Full resync: wait for the next shared snapshot ([`crate::full_sync`]), then send it.
    Full {
        /// `$EOF:<mark>` framing (diskless) rather than `$<len>`.
        eof_framing: bool,
        /// Send `+FULLRESYNC <id> <offset>` first (PSYNC); the old SYNC gets the payload alone.
        announce: bool,
    },
}
