//! Full resyncs, batched: replicas that ask for one within `repl-diskless-sync-delay` seconds (or until
//! `repl-diskless-sync-max-replicas` of them wait) share one snapshot, taken once and encoded once, as
//! Redis shares one fork among them.
//!
//! The snapshot's data and offset are taken in one critical section of the core lock, and every replica of
//! the batch gets its stream position set in that same section, so each receives exactly the commands that
//! follow the snapshot.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use replication::{ReplId, ReplOffset};
use tokio::sync::{Notify, oneshot};

use crate::shared::Shared;

/// A snapshot ready to send.
#[derive(Debug)]
pub struct Snapshot {
    /// The replication id the replica adopts.
    pub replid: ReplId,
    /// The offset the snapshot corresponds to.
    pub offset: ReplOffset,
    /// The RDB bytes.
    pub payload: Vec<u8>,
}

/// The replicas waiting for the next snapshot.
#[derive(Debug, Default)]
pub struct SyncBatcher {
    pending: Mutex<Option<PendingBatch>>,
}

#[derive(Debug)]
struct PendingBatch {
    waiters: Vec<(u64, oneshot::Sender<Arc<Snapshot>>)>,
    /// Wakes the batch early when enough replicas joined.
    full: Arc<Notify>,
}

impl SyncBatcher {
    /// Adds replica `client_id` to the next snapshot (starting a batch if none is pending); the receiver
    /// gets the snapshot, or is dropped if the server stops first.
    pub fn join(&self, shared: &Arc<Shared>, client_id: u64) -> oneshot::Receiver<Arc<Snapshot>> {
        let (sender, receiver) = oneshot::channel();
        let max_replicas = shared
            .config()
            .other("repl-diskless-sync-max-replicas")
            .and_then(|n| n.parse::<usize>().ok())
            .unwrap_or(0);
        let mut pending = self
            .pending
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        match pending.as_mut() {
            Some(batch) => {
                batch.waiters.push((client_id, sender));
                if max_replicas > 0 && batch.waiters.len() >= max_replicas {
                    batch.full.notify_one();
                }
            }
            None => {
                let full = Arc::new(Notify::new());
                *pending = Some(PendingBatch {
                    waiters: vec![(client_id, sender)],
                    full: Arc::clone(&full),
                });
                if max_replicas == 1 {
                    full.notify_one();
                }
                let shared = Arc::clone(shared);
                shared
                    .tasks
                    .clone()
                    .spawn(async move { run_batch(shared, full).await });
            }
        }
        receiver
    }

    fn take(&self) -> Vec<(u64, oneshot::Sender<Arc<Snapshot>>)> {
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

/// Waits out the delay, takes and encodes the snapshot, hands it to every replica of the batch.
async fn run_batch(shared: Arc<Shared>, full: Arc<Notify>) {
    let delay = {
        let config = shared.config();
        if config.repl_diskless_sync {
            config.repl_diskless_sync_delay
        } else {
            0
        }
    };
    if delay > 0 {
        tokio::select! {
            () = tokio::time::sleep(Duration::from_secs(delay)) => {}
            () = full.notified() => {}
            () = shared.shutdown.cancelled() => return,
        }
    }
    let waiters = shared.full_syncs.take();
    if waiters.is_empty() {
        return;
    }
    let (keyspace, options, replid, offset) = {
        let mut core = shared.core();
        // A master puts a SELECT before the next command; a replica relays its master's stream verbatim,
        // so its sub-replicas learn the database from the RDB's repl-stream-db instead.
        if !core.is_replica() {
            core.repl.force_select();
        }
        let offset = core.repl.offset();
        for (client_id, _) in &waiters {
            if let Some(replica) = core.replicas.get_mut(*client_id) {
                replica.send_offset = offset.next();
            }
        }
        core.trim_backlog();
        let options = crate::persistence::save_options(&core);
        (
            crate::snapshot::begin(&mut core),
            options,
            core.repl.replid(),
            offset,
        )
    };
    tracing::info!(
        "Starting BGSAVE for SYNC with target: replicas sockets ({} replica{})",
        waiters.len(),
        if waiters.len() == 1 { "" } else { "s" }
    );
    let encoder = Arc::clone(&shared);
    let encoded = tokio::task::spawn_blocking(move || {
        crate::snapshot::encode_to_vec(&encoder, keyspace, &options)
    })
    .await;
    let payload = match encoded {
        Ok(Ok(payload)) => payload,
        Ok(Err(error)) => {
            tracing::warn!("Snapshot for SYNC abandoned: {error}");
            return;
        }
        Err(error) => {
            tracing::error!("Snapshot for SYNC failed: {error}");
            return;
        }
    };
    tracing::info!("Background RDB transfer started");
    let snapshot = Arc::new(Snapshot {
        replid,
        offset,
        payload,
    });
    for (_, sender) in waiters {
        let _ = sender.send(Arc::clone(&snapshot));
    }
}
