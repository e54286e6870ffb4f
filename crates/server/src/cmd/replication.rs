//! Replication commands: REPLICAOF/SLAVEOF, ROLE, REPLCONF, PSYNC, SYNC.

use std::time::Instant;

use bytes::Bytes;
use replication::{PsyncDecision, ReplOffset, ReplicaLinkState, ReplicaSyncState};
use resp::Frame;

use super::{Ctx, is, parse_i64};
use crate::client::AfterReply;
use crate::core::{MasterLinkStatus, Role};
use crate::replicas::AttachedReplica;
use crate::replicas::SyncPlan;
use crate::stats::Stats;
use crate::{errors, replica_link};
use commands::Reply;

/// `REPLICAOF host port | NO ONE` (and its old name `SLAVEOF`).
pub fn replicaof(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Reply {
    if ctx.core.failover.is_some() {
        return Err(errors::reply(
            "ERR REPLICAOF not allowed while failing over.",
        ));
    }
    if is(&argv[1], "no") && is(&argv[2], "one") {
        if ctx.core.is_replica() {
            promote(ctx);
            tracing::info!(
                "MASTER MODE enabled (user request from 'id={}')",
                ctx.client.id
            );
        }
        return Ok(Frame::ok());
    }
    let port = match parse_i64(&argv[2]) {
        Some(port) if (0..=65535).contains(&port) => port as u16,
        _ => return Err(errors::reply(errors::INVALID_MASTER_PORT)),
    };
    let host = String::from_utf8_lossy(&argv[1]).into_owned();
    if let Some(link) = ctx.core.master_link()
        && link.host.eq_ignore_ascii_case(&host)
        && link.port == port
    {
        tracing::info!(
            "REPLICAOF would result into synchronization with the master we are already connected with. No operation performed."
        );
        return Ok(Frame::Simple(Bytes::from_static(
            b"OK Already connected to specified master",
        )));
    }
    // Whatever history we hold (our own as a master, or a previous master's) is a position to PSYNC from.
    ctx.core.role = Role::Replica(MasterLinkStatus::new(host.clone(), port, true));
    // Clients blocked on keys of a master cannot wait on a replica (Redis closes them with -UNBLOCKED).
    ctx.core
        .blocking
        .unblock_all(&crate::errors::reply(crate::errors::UNBLOCKED_ROLE_CHANGE));
    tracing::info!(
        "REPLICAOF {host}:{port} enabled (user request from 'id={}')",
        ctx.client.id
    );
    // The config is where CONFIG REWRITE and CONFIG GET replicaof read the current master from.
    ctx.shared
        .update_config(|config| config.replicaof = Some((host.clone(), port)));
    replica_link::start(ctx.shared);
    Ok(Frame::ok())
}

/// Replica to master (`REPLICAOF NO ONE`, or the target of a FAILOVER): a new history that keeps the old id
/// valid up to here, so former siblings can continue; our own sub-replicas reconnect to follow it.
fn promote(ctx: &mut Ctx<'_>) {
    replica_link::stop(ctx.shared);
    ctx.core.role = Role::Master;
    ctx.core.repl.shift_replid();
    ctx.core.replicas.disconnect_all();
    ctx.shared.update_config(|config| config.replicaof = None);
}

/// `WAIT numreplicas timeout`: how many replicas acknowledged this client's last write, waiting up to
/// `timeout` ms (0 = forever) for `numreplicas` of them.
pub fn wait(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Reply {
    if ctx.core.is_replica() {
        return Err(errors::reply(errors::WAIT_ON_REPLICA));
    }
    let Some(replicas) = parse_i64(&argv[1]) else {
        return Err(errors::reply(errors::NOT_INTEGER));
    };
    let timeout = match parse_i64(&argv[2]) {
        None => {
            return Err(errors::reply(
                "ERR timeout is not an integer or out of range",
            ));
        }
        Some(timeout) if timeout < 0 => return Err(errors::reply("ERR timeout is negative")),
        Some(timeout) => timeout,
    };
    let offset = ctx.client.last_write_offset;
    let acked = ctx.core.replicas.acked_count(offset);
    let needed = usize::try_from(replicas).unwrap_or(0);
    if acked >= needed || ctx.client.is_master_link {
        return Ok(Frame::Integer(acked as i64));
    }
    // Ask every replica to acknowledge now rather than at its next periodic ACK.
    if ctx.core.propagate_raw(crate::wait::GETACK) {
        ctx.core.stream_grew = true;
    }
    let deadline = (timeout > 0)
        .then(|| std::time::Instant::now() + std::time::Duration::from_millis(timeout as u64));
    ctx.client.after_reply = Some(AfterReply::Wait(crate::wait::WaitRequest {
        replicas: needed,
        offset,
        deadline,
    }));
    Ok(Frame::Integer(acked as i64))
}

/// `ROLE`
pub fn role(ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> Reply {
    Ok(match &ctx.core.role {
        Role::Master => {
            let replicas = ctx
                .core
                .replicas
                .iter()
                .filter(|replica| replica.state == ReplicaSyncState::Online)
                .map(|replica| {
                    Frame::Array(vec![
                        Frame::bulk(replica.ip.clone()),
                        Frame::bulk(replica.listening_port.to_string()),
                        Frame::bulk(replica.ack_offset.to_string()),
                    ])
                })
                .collect();
            Frame::Array(vec![
                Frame::bulk("master"),
                Frame::Integer(ctx.core.repl.offset().0),
                Frame::Array(replicas),
            ])
        }
        Role::Replica(link) => {
            let offset = if link.state == ReplicaLinkState::Connected {
                ctx.core.applied_offset().0
            } else {
                -1
            };
            Frame::Array(vec![
                Frame::bulk("slave"),
                Frame::bulk(link.host.clone()),
                Frame::Integer(i64::from(link.port)),
                Frame::bulk(link.state.role_name()),
                Frame::Integer(offset),
            ])
        }
    })
}

/// `REPLCONF option value ...` during a replica's handshake. `ACK`/`GETACK` from a connection that is not a
/// replica link get no reply at all, as in Redis.
pub fn replconf(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Reply {
    if argv.len().is_multiple_of(2) {
        return Err(errors::reply(errors::SYNTAX));
    }
    for pair in argv[1..].chunks_exact(2) {
        let (option, value) = (&pair[0], &pair[1]);
        if is(option, "listening-port") {
            match parse_i64(value) {
                Some(port) if (0..=65535).contains(&port) => {
                    ctx.client.replica_listening_port = Some(port as u16)
                }
                _ => return Err(errors::reply(errors::NOT_INTEGER)),
            }
        } else if is(option, "ip-address") {
            if value.len() >= 256 {
                return Err(errors::reply(&format!(
                    "ERR REPLCONF ip-address provided by replica instance is too long: {} bytes",
                    value.len()
                )));
            }
            ctx.client.replica_announced_ip = Some(String::from_utf8_lossy(value).into_owned());
        } else if is(option, "capa") {
            if is(value, "eof") {
                ctx.client.replica_capa_eof = true;
            } else if is(value, "psync2") {
                ctx.client.replica_capa_psync2 = true;
            }
        } else if is(option, "ack") || is(option, "getack") {
            ctx.client.suppress_reply = true;
            return Ok(Frame::ok());
        } else if is(option, "rdb-only") || is(option, "rdb-filter-only") {
            // Accepted for redis-cli --rdb; the full snapshot is always sent.
        } else {
            return Err(errors::reply(&format!(
                "ERR Unrecognized REPLCONF option: {}",
                String::from_utf8_lossy(option)
            )));
        }
    }
    Ok(Frame::ok())
}

/// `PSYNC replid offset`: `+CONTINUE` from the backlog when possible, else `+FULLRESYNC` and a snapshot.
pub fn psync(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Reply {
    if argv.len() > 3 && is(&argv[3], "failover") {
        // Our master is handing over to us (FAILOVER): take over if it speaks for our own history.
        tracing::warn!(
            "Failover request received for replid {}.",
            String::from_utf8_lossy(&argv[1])
        );
        if !ctx.core.is_replica() {
            return Err(errors::reply(
                "ERR PSYNC FAILOVER can't be sent to a master.",
            ));
        }
        if argv[1].as_ref() != ctx.core.repl.replid().as_str().as_bytes() {
            return Err(errors::reply(
                "ERR PSYNC FAILOVER replid must match my replid.",
            ));
        }
        promote(ctx);
        tracing::info!(
            "MASTER MODE enabled (failover request from 'id={}')",
            ctx.client.id
        );
    }
    if let Some(error) = refuse_sync(ctx) {
        return Err(error);
    }
    let Some(requested_offset) = parse_i64(&argv[2]) else {
        tracing::warn!(
            "Replica {} asks for synchronization but with a wrong offset",
            replica_name(ctx)
        );
        return Err(errors::reply(errors::NOT_INTEGER));
    };
    let requested_offset = ReplOffset(requested_offset);
    let who = replica_name(ctx);
    tracing::info!("Replica {who} asks for synchronization");
    let requested_id = &argv[1];
    if ctx.core.repl.psync_decision(requested_id, requested_offset) == PsyncDecision::Continue {
        Stats::bump(&ctx.shared.stats.sync_partial_ok);
        let backlog_end = ctx.core.repl.offset().next();
        attach_replica(ctx, ReplicaSyncState::Online, requested_offset);
        tracing::info!(
            "Partial resynchronization request from {who} accepted. Sending {} bytes of backlog starting from offset {}.",
            backlog_end.0 - requested_offset.0,
            requested_offset
        );
        ctx.client.after_reply = Some(AfterReply::ServeReplica(SyncPlan::Continue));
        let reply = if ctx.client.replica_capa_psync2 {
            format!("CONTINUE {}", ctx.core.repl.replid())
        } else {
            "CONTINUE".to_owned()
        };
        return Ok(Frame::Simple(Bytes::from(reply)));
    }
    if &requested_id[..] != b"?" {
        Stats::bump(&ctx.shared.stats.sync_partial_err);
        tracing::info!(
            "Partial resynchronization not accepted: requested {} {}",
            String::from_utf8_lossy(requested_id),
            requested_offset
        );
    } else {
        tracing::info!("Full resync requested by replica {who}");
    }
    let plan = start_full_sync(ctx, true);
    ctx.client.after_reply = Some(AfterReply::ServeReplica(plan));
    Ok(Frame::ok())
}

/// `SYNC`: the pre-PSYNC full sync: no `+FULLRESYNC` line, just the `$len` payload.
pub fn sync(ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> Reply {
    if let Some(error) = refuse_sync(ctx) {
        return Err(error);
    }
    ctx.client.replica_capa_eof = false;
    let plan = start_full_sync(ctx, false);
    ctx.client.after_reply = Some(AfterReply::ServeReplica(plan));
    Ok(Frame::ok())
}

/// A replica can only serve sub-replicas while its own link is up.
fn refuse_sync(ctx: &Ctx<'_>) -> Option<Frame> {
    if ctx.client.is_master_link {
        return Some(errors::reply(errors::NOT_VALID_FROM_REPLICA));
    }
    if ctx.core.failover.is_some() {
        return Some(errors::reply("NOMASTERLINK Can't SYNC while failing over"));
    }
    match ctx.core.master_link() {
        Some(link) if link.state != ReplicaLinkState::Connected => {
            Some(errors::reply(errors::NOMASTERLINK))
        }
        _ => None,
    }
}

/// Registers the replica for a full resync. The snapshot itself is taken by [`crate::full_sync`], possibly
/// after a delay that lets more replicas share it; `+FULLRESYNC` is sent then, with the snapshot's offset.
fn start_full_sync(ctx: &mut Ctx<'_>, announce: bool) -> SyncPlan {
    Stats::bump(&ctx.shared.stats.sync_full);
    if ctx.core.repl.ensure_backlog_for_new_replica() {
        tracing::info!(
            "Replication backlog created, my new replication IDs are '{}' and '{}'",
            ctx.core.repl.replid(),
            ctx.core.repl.replid2()
        );
    }
    let offset = ctx.core.repl.offset();
    attach_replica(ctx, ReplicaSyncState::WaitBgsaveStart, offset.next());
    let eof_framing = ctx.client.replica_capa_eof && ctx.shared.config().repl_diskless_sync;
    ctx.client.suppress_reply = true;
    SyncPlan::Full {
        eof_framing,
        announce,
    }
}

fn attach_replica(ctx: &mut Ctx<'_>, state: ReplicaSyncState, send_offset: ReplOffset) {
    let ip = ctx
        .client
        .replica_announced_ip
        .clone()
        .or_else(|| ctx.client.addr.map(|addr| addr.ip().to_string()))
        .unwrap_or_default();
    ctx.core.replicas.insert(AttachedReplica {
        client_id: ctx.client.id,
        ip,
        listening_port: ctx.client.replica_listening_port.unwrap_or(0),
        state,
        ack_offset: ReplOffset(0),
        last_ack: Instant::now(),
        send_offset,
        // The connection's own kill token: CLIENT KILL and the master's own disconnects use the same switch.
        cancel: ctx
            .shared
            .clients
            .kill_token(ctx.client.id)
            .unwrap_or_default(),
        over_soft_limit_since: None,
    });
}

fn replica_name(ctx: &Ctx<'_>) -> String {
    let ip = ctx
        .client
        .replica_announced_ip
        .clone()
        .or_else(|| ctx.client.addr.map(|a| a.ip().to_string()))
        .unwrap_or_default();
    match ctx.client.replica_listening_port {
        Some(port) => format!("{ip}:{port}"),
        None => format!("{ip}:<unknown-replica-port>"),
    }
}

/// This family's commands, each bound to its handler; [`crate::cmd`] joins them with Redis's facts about
/// each command (arity, flags, keys) from `commands::table`.
pub const HANDLERS: &[(&str, crate::cmd::ServerHandler)] = &[
    ("replicaof", replicaof),
    ("slaveof", replicaof),
    ("role", role),
    ("replconf", replconf),
    ("wait", wait),
    ("psync", psync),
    ("sync", sync),
];
