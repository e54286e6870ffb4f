//! `FAILOVER [TO host port [FORCE]] [TIMEOUT ms] | ABORT`: the command's checks; the handover itself (a state
//! machine the cron and the master link drive) is [`crate::failover`].

use std::time::{Duration, Instant};

use bytes::Bytes;
use replication::ReplicaSyncState;
use resp::Frame;

use super::{Ctx, is, parse_i64};
use crate::core::{FailoverState, FailoverStep};
use crate::errors;
use crate::failover::abort;
use commands::Reply;

/// `FAILOVER ...`
pub fn failover(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Reply {
    if argv.len() == 2 && is(&argv[1], "abort") {
        if ctx.core.failover.is_none() {
            return Err(errors::reply("ERR No failover in progress."));
        }
        abort(ctx.shared, ctx.core, "Failover manually aborted");
        return Ok(Frame::ok());
    }
    let (mut timeout_ms, mut force, mut target): (i64, bool, Option<(String, u16)>) =
        (0, false, None);
    let mut index = 1;
    while index < argv.len() {
        let option = &argv[index];
        if is(option, "timeout") && index + 1 < argv.len() && timeout_ms == 0 {
            let Some(timeout) = parse_i64(&argv[index + 1]) else {
                return Err(errors::reply(errors::NOT_INTEGER));
            };
            if timeout <= 0 {
                return Err(errors::reply("ERR FAILOVER timeout must be greater than 0"));
            }
            timeout_ms = timeout;
            index += 2;
        } else if is(option, "to") && index + 2 < argv.len() && target.is_none() {
            let Some(port) = parse_i64(&argv[index + 2]) else {
                return Err(errors::reply(errors::NOT_INTEGER));
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
            return Err(errors::reply(errors::SYNTAX));
        }
    }
    if ctx.core.failover.is_some() {
        return Err(errors::reply("ERR FAILOVER already in progress."));
    }
    if ctx.core.is_replica() {
        return Err(errors::reply(
            "ERR FAILOVER is not valid when server is a replica.",
        ));
    }
    if ctx.core.replicas.is_empty() {
        return Err(errors::reply("ERR FAILOVER requires connected replicas."));
    }
    if force && (timeout_ms == 0 || target.is_none()) {
        return Err(errors::reply(
            "ERR FAILOVER with force option requires both a timeout and target HOST and IP.",
        ));
    }
    if let Some((host, port)) = &target {
        let Some(replica) = ctx
            .core
            .replicas
            .iter()
            .find(|r| r.ip == *host && r.listening_port == *port)
        else {
            return Err(errors::reply(
                "ERR FAILOVER target HOST and PORT is not a replica.",
            ));
        };
        if replica.state != ReplicaSyncState::Online {
            return Err(errors::reply("ERR FAILOVER target replica is not online."));
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
    Ok(Frame::ok())
}

/// This family's commands, each bound to its handler; [`crate::cmd`] joins them with Redis's facts about
/// each command (arity, flags, keys) from `commands::table`.
pub const HANDLERS: &[(&str, crate::cmd::ServerHandler)] = &[("failover", failover)];
