//! Graceful shutdown, shared by `SHUTDOWN` and SIGTERM: give lagging replicas up to `shutdown-timeout`
//! seconds to acknowledge everything (so a restart or failover loses nothing), save if asked or if save
//! points are configured, then stop the server.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::persistence;
use crate::shared::Shared;

/// How the shutdown was asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ShutdownMode {
    /// `SAVE`: save even without save points.
    pub save: bool,
    /// `NOSAVE`: never save.
    pub nosave: bool,
    /// `NOW`: do not wait for lagging replicas.
    pub now: bool,
    /// `FORCE`: stop even if saving fails.
    pub force: bool,
}

/// Runs the shutdown sequence; on success the server's shutdown token is cancelled. Returns an error text
/// for the client when saving failed and `FORCE` was not given (the server then keeps running).
pub async fn shut_down(shared: &Arc<Shared>, mode: ShutdownMode) -> Result<(), String> {
    if !mode.now && !wait_for_lagging_replicas(shared).await {
        return Err("ERR Errors trying to SHUTDOWN. Check logs.".to_owned());
    }
    let should_save = mode.save || (!mode.nosave && !shared.config().save.is_empty());
    if should_save {
        tracing::info!("Saving the final RDB snapshot before exiting.");
        let mut core = shared.core();
        if let Err(error) = persistence::save_locked(shared, &mut core) {
            tracing::error!("Error trying to save the DB, can't exit: {error}");
            if !mode.force {
                shared.set_writes_paused(false);
                return Err("ERR Errors trying to SHUTDOWN. Check logs.".to_owned());
            }
        }
    }
    shared.shutdown.cancel();
    Ok(())
}

/// Asks every replica for an ACK and waits (up to `shutdown-timeout`, writes paused meanwhile, as in Redis)
/// until each one acknowledged the current offset. Returns false if `SHUTDOWN ABORT` cancelled the wait.
async fn wait_for_lagging_replicas(shared: &Arc<Shared>) -> bool {
    let timeout = shared
        .config()
        .other("shutdown-timeout")
        .and_then(|t| t.parse::<u64>().ok())
        .unwrap_or(10);
    let target = {
        let mut core = shared.core();
        if core.replicas.is_empty() || core.is_replica() || timeout == 0 {
            return true;
        }
        let target = core.repl.offset();
        if core.replicas.acked_count(target) == core.replicas.len() {
            tracing::info!(
                "{} of {} replicas are in sync when shutting down.",
                core.replicas.len(),
                core.replicas.len()
            );
            return true;
        }
        tracing::info!("Waiting for replicas before shutting down.");
        let fed = core.propagate_raw(crate::wait::GETACK);
        let offset = core.repl.offset();
        drop(core);
        if fed {
            shared.notify_stream(offset);
        }
        target
    };
    // A second SHUTDOWN during the wait joins it: one deadline, and one SHUTDOWN ABORT answers both.
    let (deadline, abort) = {
        let mut pending = shared
            .pending_shutdown
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        pending
            .get_or_insert_with(|| {
                (
                    Instant::now() + Duration::from_secs(timeout),
                    tokio_util::sync::CancellationToken::new(),
                )
            })
            .clone()
    };
    shared.set_writes_paused(true);
    let mut acks = shared.ack_notify.subscribe();
    let completed = loop {
        let (acked, total) = {
            let core = shared.core();
            (core.replicas.acked_count(target), core.replicas.len())
        };
        if acked == total || Instant::now() >= deadline {
            for replica in shared
                .core()
                .replicas
                .iter()
                .filter(|replica| replica.ack_offset < target)
            {
                tracing::warn!(
                    "Lagging replica {}:{} reported offset {} behind master, lag={}, state={}.",
                    replica.ip,
                    replica.listening_port,
                    target.0 - replica.ack_offset.0,
                    replica.last_ack.elapsed().as_secs(),
                    replica.state.info_name()
                );
            }
            tracing::info!("{acked} of {total} replicas are in sync when shutting down.");
            break true;
        }
        tokio::select! {
            _ = acks.changed() => {}
            () = tokio::time::sleep_until(tokio::time::Instant::from_std(deadline)) => {}
            () = abort.cancelled() => break false,
        }
    };
    // `SHUTDOWN ABORT` already took the pending shutdown (and logged it); a completed wait ends it here.
    if completed {
        shared
            .pending_shutdown
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
    }
    completed
}
