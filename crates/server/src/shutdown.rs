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
    if !finish_aof(shared, mode) {
        return Err(failed(shared));
    }
    let should_save = mode.save || (!mode.nosave && !shared.config().save.is_empty());
    if should_save {
        tracing::info!("Saving the final RDB snapshot before exiting.");
        let mut core = shared.core();
        if let Err(error) = persistence::save_locked(shared, &mut core) {
            if mode.force {
                tracing::warn!("Error trying to save the DB. Exit anyway: {error}");
            } else {
                tracing::warn!("Error trying to save the DB, can't exit: {error}");
                drop(core);
                return Err(failed(shared));
            }
        }
    }
    shared.shutdown.cancel();
    Ok(())
}

/// The shutdown cannot complete: logged, and the server goes on (writes resume).
fn failed(shared: &Shared) -> String {
    tracing::warn!("Errors trying to shut down the server. Check the logs for more information.");
    shared.set_writes_paused(false);
    "ERR Errors trying to SHUTDOWN. Check logs.".to_owned()
}

/// The AOF before exiting: a rewrite in progress is abandoned, unless it is the one creating a newly enabled
/// AOF (then the shutdown fails, as nothing would hold the data, unless forced); what is buffered is
/// written and synced. False when the shutdown must not go on.
fn finish_aof(shared: &Shared, mode: ShutdownMode) -> bool {
    let mut core = shared.core();
    if core.aof.rewrite.is_some() {
        if core.aof.state() == crate::aof::AofState::WaitRewrite {
            if mode.force {
                tracing::warn!("Writing initial AOF. Exit anyway.");
            } else {
                tracing::warn!("Writing initial AOF, can't exit.");
                return false;
            }
        }
        tracing::warn!("There is a child rewriting the AOF. Killing it!");
        crate::aof_rewrite::kill(&mut core);
    }
    if core.aof.is_on() {
        tracing::info!("Calling fsync() on the AOF file.");
        core.aof.flush();
        core.aof.sync_now();
    }
    true
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
        if core.replicas.in_sync_count(target) == core.replicas.len() {
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
            (core.replicas.in_sync_count(target), core.replicas.len())
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
