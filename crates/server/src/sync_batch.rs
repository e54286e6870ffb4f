//! The state of full resyncs being batched (`crate::full_sync` runs them): the replicas waiting for the next
//! snapshot, and what each receives once it begins. Held in `Shared`.

use std::sync::{Arc, Mutex};

use bytes::Bytes;
use replication::{ReplId, ReplOffset};
use tokio::sync::{Notify, mpsc, oneshot};

/// A snapshot that has begun: what `+FULLRESYNC` announces, and its bytes as they are produced.
#[derive(Debug)]
pub struct SnapshotStream {
    /// The replication id the replica adopts.
    pub replid: ReplId,
    /// The offset the snapshot corresponds to.
    pub offset: ReplOffset,
    /// Pieces of the RDB payload, in order; [`Piece::End`] after the last. The channel closing without it
    /// means the snapshot was abandoned.
    pub pieces: mpsc::Receiver<Piece>,
}

/// One message of a [`SnapshotStream`].
#[derive(Debug)]
pub enum Piece {
    /// The next bytes of the payload.
    Bytes(Bytes),
    /// The payload is complete.
    End,
}

/// The replicas waiting for the next snapshot.
#[derive(Debug, Default)]
pub struct SyncBatcher {
    pub(crate) pending: Mutex<Option<PendingBatch>>,
}

/// The replicas of the next snapshot.
#[derive(Debug)]
pub(crate) struct PendingBatch {
    pub(crate) waiters: Vec<(u64, oneshot::Sender<SnapshotStream>)>,
    /// Wakes the batch early when enough replicas joined.
    pub(crate) full: Arc<Notify>,
}

impl SyncBatcher {
    /// Takes the batch's replicas: the snapshot is about to begin.
    pub(crate) fn take(&self) -> Vec<(u64, oneshot::Sender<SnapshotStream>)> {
        let mut pending = self
            .pending
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        pending
            .take()
            .map(|batch| batch.waiters)
            .unwrap_or_default()
    }
}
