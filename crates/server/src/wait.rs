//! `WAIT`: a client waits, without holding the core lock, until enough replicas acknowledged its last write
//! or its timeout passes.

use std::sync::Arc;
use std::time::Instant;

use replication::ReplOffset;

use crate::shared::Shared;

/// What a client in `WAIT` waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WaitRequest {
    /// Replicas needed.
    pub replicas: usize,
    /// The offset they must have acknowledged: the stream right after the client's last write.
    pub offset: ReplOffset,
    /// When to give up and answer the current count; `None` waits forever.
    pub deadline: Option<Instant>,
}

/// The `REPLCONF GETACK *` a master puts in the stream so replicas acknowledge now rather than at their
/// next one-second tick.
pub const GETACK: &[u8] = b"*3\r\n$8\r\nREPLCONF\r\n$6\r\nGETACK\r\n$1\r\n*\r\n";

/// Waits until `request` is satisfied, its deadline passes, or the server stops; returns the number of
/// replicas that acknowledged the offset.
pub async fn wait_for_acks(shared: &Arc<Shared>, request: &WaitRequest) -> usize {
    let mut acks = shared.ack_notify.subscribe();
    loop {
        let acked = shared.core().replicas.acked_count(request.offset);
        if acked >= request.replicas
            || request
                .deadline
                .is_some_and(|deadline| Instant::now() >= deadline)
        {
            return acked;
        }
        let deadline = request.deadline.map(tokio::time::Instant::from_std);
        tokio::select! {
            changed = acks.changed() => if changed.is_err() { return acked },
            () = sleep_until(deadline) => {}
            () = shared.shutdown.cancelled() => return acked,
        }
    }
}

async fn sleep_until(deadline: Option<tokio::time::Instant>) {
    match deadline {
        Some(deadline) => tokio::time::sleep_until(deadline).await,
        None => std::future::pending().await,
    }
}
