//! Periodic work: active expiry (10 times a second, masters only), and once a second the replication
//! chores (PINGs to replicas, dropping silent replicas, freeing an unused backlog) and save points.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use replication::ReplicaSyncState;

use crate::persistence;
use crate::shared::Shared;
use crate::util::now_ms;

/// Keys sampled per active-expiry step, as Redis's `ACTIVE_EXPIRE_CYCLE_KEYS_PER_LOOP`.
const EXPIRE_SAMPLES: usize = 20;
/// Upper bound on steps per database per tick, so one tick stays short.
const EXPIRE_MAX_STEPS: usize = 16;
/// The master's keepalive in the stream: lower case, exactly as Redis sends it.
const PING: &[u8] = b"*1\r\n$4\r\nping\r\n";

/// Runs until shutdown.
pub async fn run(shared: Arc<Shared>) {
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    let mut ticks: u64 = 0;
    let mut last_ping = Instant::now();
    let mut no_replicas_since: Option<Instant> = None;
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            () = shared.shutdown.cancelled() => return,
        }
        ticks += 1;
        shared.client_unpause_if_due(false);
        crate::failover::update(&shared, &mut shared.core());
        active_expire(&shared);
        if ticks.is_multiple_of(10) {
            replication_chores(&shared, &mut last_ping, &mut no_replicas_since);
            save_points(&shared);
        }
        aof_chores(&shared);
    }
}

/// Every tick: what cron itself fed to the AOF (expired keys) is written, `appendfsync everysec` syncs in
/// the background once a second, and scheduled or automatic rewrites start.
fn aof_chores(shared: &Arc<Shared>) {
    let mut core = shared.core();
    if !core.aof.is_on() {
        return;
    }
    core.aof.flush();
    if let Some(file) = core.aof.due_for_background_fsync() {
        shared.tasks.spawn_blocking(move || {
            if let Err(error) = file.sync_data() {
                tracing::warn!("Fail to fsync the AOF file: {error}");
            }
        });
    }
    crate::aof_rewrite::cron(shared, &mut core);
}

/// Deletes expired keys on a master and propagates each deletion as its own `DEL`.
fn active_expire(shared: &Shared) {
    let mut core = shared.core();
    // Expiring keys is a write: not while writes are paused (failover, CLIENT PAUSE) or a script runs, nor
    // when switched off (DEBUG SET-ACTIVE-EXPIRE 0).
    if !core.active_expire_enabled
        || *shared.pause.borrow() != crate::shared::PauseLevel::None
        || shared.scripts.phase() != crate::scripting::Phase::Idle
    {
        return;
    }
    if core.is_replica() {
        // Replicas never expire their master's keys; only keys their own clients wrote (writable replica).
        if !core.replica_local_expires.is_empty() {
            core.expire_replica_local_keys(now_ms());
        }
        return;
    }
    if core
        .keyspace
        .active_expire(now_ms(), EXPIRE_SAMPLES, EXPIRE_MAX_STEPS)
        == 0
    {
        return;
    }
    let expired = core.keyspace.take_expired();
    shared
        .stats
        .expired_keys
        .fetch_add(expired.len() as u64, std::sync::atomic::Ordering::Relaxed);
    let mut fed = false;
    for (db, key) in expired {
        core.touch_deleted(db, &key);
        core.persistence.dirty += 1;
        fed |= core.propagate(db, &[vec![Bytes::from_static(b"DEL"), key]]);
    }
    if fed {
        let offset = core.repl.offset();
        drop(core);
        shared.notify_stream(offset);
    }
}

fn replication_chores(
    shared: &Shared,
    last_ping: &mut Instant,
    no_replicas_since: &mut Option<Instant>,
) {
    let (period, timeout, backlog_ttl) = {
        let config = shared.config();
        (
            config.repl_ping_replica_period,
            config.repl_timeout,
            config.repl_backlog_ttl,
        )
    };
    let mut core = shared.core();
    let mut fed = false;
    // Only a top-level master pings; an intermediate replica forwards its master's pings.
    if !core.is_replica()
        && !core.replicas.is_empty()
        && last_ping.elapsed() >= Duration::from_secs(period)
    {
        *last_ping = Instant::now();
        fed = core.propagate_raw(PING);
    }
    // The soft output-buffer limit is about time, so it is checked even when nothing is written.
    core.enforce_replica_output_limits();
    let silent: Vec<_> = core
        .replicas
        .iter()
        .filter(|replica| {
            replica.state == ReplicaSyncState::Online
                && replica.last_ack.elapsed() > Duration::from_secs(timeout)
        })
        .map(|replica| {
            (
                replica.client_id,
                format!("{}:{}", replica.ip, replica.listening_port),
                replica.cancel.clone(),
            )
        })
        .collect();
    for (_, name, cancel) in silent {
        tracing::warn!("Disconnecting timedout replica (streaming sync): {name}");
        cancel.cancel();
    }
    if core.replicas.is_empty() && !core.is_replica() && core.repl.backlog().is_some() {
        let since = *no_replicas_since.get_or_insert_with(Instant::now);
        if backlog_ttl > 0 && since.elapsed() > Duration::from_secs(backlog_ttl) {
            core.repl.free_backlog();
            tracing::info!(
                "Replication backlog freed after {backlog_ttl} seconds without connected replicas."
            );
        }
    } else {
        *no_replicas_since = None;
    }
    if fed {
        let offset = core.repl.offset();
        drop(core);
        shared.notify_stream(offset);
    }
}

fn save_points(shared: &Arc<Shared>) {
    let mut core = shared.core();
    if persistence::snapshot_in_progress(&core)
        || !persistence::save_point_due(shared, &core, now_ms() / 1000)
    {
        return;
    }
    tracing::info!(
        "{} changes in the last save window. Saving...",
        core.persistence.dirty
    );
    persistence::start_background_save(shared, &mut core);
}
