//! A coordinated failover (`FAILOVER`, as in Redis 6.2+): the master pauses writes, waits until the target
//! (or any replica) has acknowledged everything, then becomes a replica of it and asks it, with
//! `PSYNC <id> <offset> FAILOVER`, to take over; writes are released once that PSYNC is answered (they then
//! meet a replica and get `-READONLY`). The command (`cmd/failover.rs`) starts it; the cron drives
//! [`update`], the master link calls [`finish`] or [`abort`]: the state machine lives here, beside the
//! replication links, not among the commands.

use std::time::Instant;

use replication::ReplicaSyncState;

use crate::core::{Core, FailoverStep, MasterLinkStatus, Role};
use crate::shared::Shared;

/// Called by the cron every 100 ms: times the failover out, or starts the handover once a replica has
/// caught up.
pub fn update(shared: &std::sync::Arc<Shared>, core: &mut Core) {
    let Some(state) = core.failover.as_ref() else {
        return;
    };
    if state.step != FailoverStep::WaitForSync {
        return;
    }
    if state
        .deadline
        .is_some_and(|deadline| Instant::now() >= deadline)
    {
        if let (true, Some((host, port))) = (state.force, state.target.clone()) {
            tracing::info!("FAILOVER to {host}:{port} time out exceeded, failing over.");
            hand_over(shared, core, host, port);
        } else {
            abort(shared, core, "Replica never caught up before timeout");
        }
        return;
    }
    let offset = core.repl.offset();
    let caught_up = core.replicas.iter().find(|replica| {
        let is_target = state
            .target
            .as_ref()
            .is_none_or(|(host, port)| replica.ip == *host && replica.listening_port == *port);
        is_target && replica.state == ReplicaSyncState::Online && replica.ack_offset == offset
    });
    if let Some(replica) = caught_up {
        let (host, port) = (replica.ip.clone(), replica.listening_port);
        tracing::info!("Failover target {host}:{port} is synced, failing over.");
        hand_over(shared, core, host, port);
    }
}

/// Becomes a replica of the target; the master link sends `PSYNC ... FAILOVER`.
fn hand_over(shared: &std::sync::Arc<Shared>, core: &mut Core, host: String, port: u16) {
    if let Some(state) = core.failover.as_mut() {
        state.step = FailoverStep::InProgress;
        state.target = Some((host.clone(), port));
    }
    core.role = Role::Replica(MasterLinkStatus::new(host.clone(), port, true));
    // Clients blocked on keys of a master cannot wait on a replica (Redis closes them with -UNBLOCKED).
    core.blocking
        .unblock_all(&crate::errors::reply(crate::errors::UNBLOCKED_ROLE_CHANGE));
    shared.update_config(|config| config.replicaof = Some((host, port)));
    crate::replica_link::start(shared);
}

/// Gives up: back to being a writable master if the handover had started.
pub fn abort(shared: &std::sync::Arc<Shared>, core: &mut Core, reason: &str) {
    let Some(state) = core.failover.take() else {
        return;
    };
    match &state.target {
        Some((host, port)) => tracing::info!("FAILOVER to {host}:{port} aborted: {reason}"),
        None => tracing::info!("FAILOVER to any replica aborted: {reason}"),
    }
    if state.step == FailoverStep::InProgress {
        crate::replica_link::stop(shared);
        core.role = Role::Master;
        core.repl.shift_replid();
        // As after `REPLICAOF NO ONE`: the replicas reconnect and continue under the new replication id.
        core.replicas.disconnect_all();
        shared.update_config(|config| config.replicaof = None);
    }
    shared.set_writes_paused(false);
}

/// The handover's PSYNC was answered: the failover is complete.
pub fn finish(shared: &Shared, core: &mut Core) {
    if core.failover.take().is_some() {
        shared.set_writes_paused(false);
    }
}
