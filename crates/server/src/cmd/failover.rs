//! `FAILOVER [TO host port [FORCE]] [TIMEOUT ms] | ABORT`: a coordinated handover to a replica, as in Redis
//! 6.2+. The master pauses writes, waits until the target (or any replica) has acknowledged everything,
//! then becomes a replica of it and asks it, with `PSYNC <id> <offset> FAILOVER`, to take over; writes are
//! released once that PSYNC is answered (they then meet a replica and get `-READONLY`).

use std::time::{Duration, Instant};

use bytes::Bytes;
use replication::ReplicaSyncState;
use resp::Frame;

use super::{Ctx, is, parse_i64};
use crate::core::{Core, FailoverState, FailoverStep, MasterLinkStatus, Role};
use crate::errors;
use crate::shared::Shared;

/// `FAILOVER ...`
pub fn failover(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Frame {
    if argv.len() == 2 && is(&argv[1], "abort") {
        if ctx.core.failover.is_none() {
            return errors::reply("ERR No failover in progress.");
        }
        abort(ctx.shared, ctx.core, "Failover manually aborted");
        return Frame::ok();
    }
    let (mut timeout_ms, mut force, mut target): (i64, bool, Option<(String, u16)>) =
        (0, false, None);
    let mut index = 1;
    while index < argv.len() {
        let option = &argv[index];
        if is(option, "timeout") && index + 1 < argv.len() && timeout_ms == 0 {
            let Some(timeout) = parse_i64(&argv[index + 1]) else {
                return errors::reply(errors::NOT_INTEGER);
            };
            if timeout <= 0 {
                return errors::reply("ERR FAILOVER timeout must be greater than 0");
            }
            timeout_ms = timeout;
            index += 2;
        } else if is(option, "to") && index + 2 < argv.len() && target.is_none() {
            let Some(port) = parse_i64(&argv[index + 2]) else {
                return errors::reply(errors::NOT_INTEGER);
            };
            target = Some((
                String::from_utf8_lossy(&argv[index + 1]).into_owned(),
                port.clamp(0, 65535) as u16,
            ));
            index += 3;
        } else if is(option, "force") && !force {
            force = true;
            index += 1;
        } else {
            return errors::reply(errors::SYNTAX);
        }
    }
    if ctx.core.failover.is_some() {
        return errors::reply("ERR FAILOVER already in progress.");
    }
    if ctx.core.is_replica() {
        return errors::reply("ERR FAILOVER is not valid when server is a replica.");
    }
    if ctx.core.replicas.is_empty() {
        return errors::reply("ERR FAILOVER requires connected replicas.");
    }
    if force && (timeout_ms == 0 || target.is_none()) {
        return errors::reply(
            "ERR FAILOVER with force option requires both a timeout and target HOST and IP.",
        );
    }
    if let Some((host, port)) = &target {
        let Some(replica) = ctx
            .core
            .replicas
            .iter()
            .find(|r| r.ip == *host && r.listening_port == *port)
        else {
            return errors::reply("ERR FAILOVER target HOST and PORT is not a replica.");
        };
        if replica.state != ReplicaSyncState::Online {
            return errors::reply("ERR FAILOVER target replica is not online.");
        }
        tracing::info!("FAILOVER requested to {host}:{port}.");
    } else {
        tracing::info!("FAILOVER requested to any replica.");
    }
    ctx.core.failover = Some(FailoverState {
        step: FailoverStep::WaitForSync,
        target,
        deadline: (timeout_ms > 0)
            .then(|| Instant::now() + Duration::from_millis(timeout_ms as u64)),
        force,
    });
    ctx.shared.set_writes_paused(true);
    Frame::ok()
}

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
