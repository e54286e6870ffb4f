//! Full resyncs, batched and streamed: replicas that ask for one within `repl-diskless-sync-delay` seconds
//! (or until `repl-diskless-sync-max-replicas` of them wait) share one snapshot, produced once and encoded
//! once, as Redis shares one fork among them. The encoded bytes go to every replica of the batch as they are
//! produced (Redis's child writing into a pipe its parent relays), so the transfer overlaps the encoding
//! and no copy of the whole payload is kept.
//!
//! The snapshot's moment and offset are fixed in one critical section of the core lock, and every replica of
//! the batch gets its stream position set in that same section, so each receives exactly the commands that
//! follow the snapshot.

use std::io;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use tokio::sync::{Notify, mpsc, oneshot};

use crate::shared::Shared;
use crate::sync_batch::{PendingBatch, Piece, SnapshotStream};

/// Adds replica `client_id` to the next snapshot (starting a batch if none is pending); the receiver
/// gets the snapshot, or is dropped if the server stops first.
pub fn join(shared: &Arc<Shared>, client_id: u64) -> oneshot::Receiver<SnapshotStream> {
    let (sender, receiver) = oneshot::channel();
    let max_replicas = shared
        .config()
        .other("repl-diskless-sync-max-replicas")
        .and_then(|n| n.parse::<usize>().ok())
        .unwrap_or(0);
    let mut pending = shared
        .full_syncs
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
    let (source, options, replid, offset) = {
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
    let mut senders = Vec::with_capacity(waiters.len());
    for (_, waiter) in waiters {
        let (pieces_tx, pieces) = mpsc::channel(PIECES_IN_FLIGHT);
        let stream = SnapshotStream {
            replid,
            offset,
            pieces,
        };
        if waiter.send(stream).is_ok() {
            senders.push(pieces_tx);
        }
    }
    tracing::info!("Background RDB transfer started");
    let producer = Arc::clone(&shared);
    let produced = tokio::task::spawn_blocking(move || {
        let mut fan_out = FanOut { senders };
        crate::snapshot::write(&producer, source, &options, &mut fan_out)?;
        fan_out.finish();
        Ok::<(), io::Error>(())
    })
    .await;
    match produced {
        Ok(Ok(())) => tracing::info!("Background RDB transfer terminated with success"),
        Ok(Err(error)) => tracing::warn!("Background transfer error: {error}"),
        Err(error) => tracing::error!("Background transfer failed: {error}"),
    }
}

/// Pieces (of about 64 KB) a replica's sender may hold before the snapshot waits for it: the snapshot goes
/// at the pace of the slowest replica of the batch, as Redis's child waits for its pipe to drain, so a slow
/// replica never makes the master buffer the whole payload.
const PIECES_IN_FLIGHT: usize = 16;

/// Hands every piece of the payload to each replica of the batch (waiting while one's queue is full);
/// fails once none is left to read it, so the snapshot stops (as Redis kills a child whose replicas all
/// went away).
struct FanOut {
    senders: Vec<mpsc::Sender<Piece>>,
}

impl FanOut {
    fn finish(self) {
        let mut still_up = 0;
        for sender in &self.senders {
            if sender.blocking_send(Piece::End).is_ok() {
                still_up += 1;
            }
        }
        tracing::warn!(
            "Diskless rdb transfer, done reading from pipe, {still_up} replicas still up."
        );
    }
}

impl io::Write for FanOut {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        let piece = Bytes::copy_from_slice(bytes);
        self.senders
            .retain(|sender| sender.blocking_send(Piece::Bytes(piece.clone())).is_ok());
        if self.senders.is_empty() {
            tracing::warn!("Diskless rdb transfer, last replica dropped, killing fork child.");
            return Err(io::Error::other("every replica of the batch is gone"));
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
