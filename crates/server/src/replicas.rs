//! [`ReplicaRegistry`]: the replicas attached to this server, as the master side sees them.

use std::collections::BTreeMap;
use std::time::Instant;

use replication::{ReplOffset, ReplicaSyncState};
use tokio_util::sync::CancellationToken;

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
#[derive(Debug, Default)]
pub struct ReplicaRegistry {
    replicas: BTreeMap<u64, AttachedReplica>,
}

impl ReplicaRegistry {
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
