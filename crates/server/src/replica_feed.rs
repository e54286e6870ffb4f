//! The master side of one replica link: sends the snapshot of a full resync, then streams from the backlog,
//! while a reader half takes the replica's `REPLCONF ACK`s.
//!
//! Every replica reads the shared backlog from its own position (`send_offset` in the registry); nothing is
//! copied per replica until it is written, and the backlog keeps bytes until the slowest replica has them.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::BytesMut;
use replication::{ReplOffset, ReplicaSyncState};
use resp::CommandDecoder;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::io::{ReadHalf, WriteHalf};
use tokio::sync::{mpsc, oneshot};
use tokio_util::codec::Decoder;
use tracing::Instrument;

use crate::replicas::SyncPlan;
use crate::shared::Shared;
use crate::sync_batch::{Piece, SnapshotStream};

/// Most bytes copied out of the backlog per write.
const CHUNK: usize = 256 * 1024;

/// Serves a replica on `stream` until it disconnects, is cancelled, or the server stops.
pub async fn serve<S: crate::clients::Transport>(
    shared: Arc<Shared>,
    stream: S,
    client_id: u64,
    plan: SyncPlan,
    leftover: BytesMut,
) {
    let Some((name, cancel)) = ({
        let core = shared.core();
        core.replicas
            .iter()
            .find(|r| r.client_id == client_id)
            .map(|r| (format!("{}:{}", r.ip, r.listening_port), r.cancel.clone()))
    }) else {
        return;
    };
    let span = tracing::info_span!("replica", addr = %name);
    async move {
        let (reader, writer) = tokio::io::split(stream);
        let (first_ack_tx, first_ack_rx) = oneshot::channel();
        let reader_task = tokio::spawn(read_acks(
            Arc::clone(&shared),
            reader,
            client_id,
            leftover,
            first_ack_tx,
        ));
        let outcome = tokio::select! {
            outcome = send(&shared, writer, (client_id, &name), plan, first_ack_rx) => outcome,
            () = cancel.cancelled() => Err("disconnected by the master".to_owned()),
            () = shared.shutdown.cancelled() => Err("server shutting down".to_owned()),
        };
        reader_task.abort();
        let mut core = shared.core();
        core.replicas.remove(client_id);
        core.trim_backlog();
        drop(core);
        match outcome {
            Ok(()) => tracing::info!("Connection with replica {name} lost."),
            Err(reason) => tracing::info!("Connection with replica {name} lost: {reason}"),
        }
    }
    .instrument(span)
    .await;
}

/// How often a replica waiting for its snapshot gets a newline, so it knows the master is alive.
const KEEPALIVE: Duration = Duration::from_secs(1);

/// The writer half: snapshot (if any), then the stream.
async fn send<S: crate::clients::Transport>(
    shared: &Arc<Shared>,
    mut writer: WriteHalf<S>,
    (client_id, name): (u64, &str),
    plan: SyncPlan,
    first_ack: oneshot::Receiver<()>,
) -> Result<(), String> {
    if let SyncPlan::Full {
        eof_framing,
        announce,
    } = plan
    {
        let mut snapshot = wait_for_snapshot(shared, &mut writer, client_id).await?;
        if announce {
            let line = format!("+FULLRESYNC {} {}\r\n", snapshot.replid, snapshot.offset);
            writer
                .write_all(line.as_bytes())
                .await
                .map_err(|e| e.to_string())?;
        }
        if eof_framing {
            let mark = replication::ReplId::random();
            let header = format!("$EOF:{mark}\r\n");
            writer
                .write_all(header.as_bytes())
                .await
                .map_err(|e| e.to_string())?;
            while let Some(piece) = next_piece(&mut snapshot.pieces).await? {
                write_snapshot_piece(shared, &mut writer, &piece, name).await?;
            }
            writer
                .write_all(mark.as_str().as_bytes())
                .await
                .map_err(|e| e.to_string())?;
            // A diskless replica cannot tell where its snapshot ended until it has loaded it; it says so with
            // its first ACK, and only then may the stream start (Redis waits the same way).
            tracing::info!("Waiting for REPLCONF ACK from replica to enable streaming");
            first_ack
                .await
                .map_err(|_| "replica closed before acknowledging the snapshot".to_owned())?;
        } else {
            // `$<len>` needs the whole payload first, as Redis's disk-based sync needs the finished file.
            let payload = collect_payload(&mut writer, &mut snapshot.pieces).await?;
            set_state(shared, client_id, ReplicaSyncState::SendBulk);
            let header = format!("${}\r\n", payload.len());
            writer
                .write_all(header.as_bytes())
                .await
                .map_err(|e| e.to_string())?;
            writer
                .write_all(&payload)
                .await
                .map_err(|e| e.to_string())?;
        }
        set_state(shared, client_id, ReplicaSyncState::Online);
        tracing::info!("Synchronization with replica succeeded");
    }
    stream_backlog(shared, writer, client_id).await
}

/// Writes one piece of a streamed snapshot. A replica that stops reading holds up the whole batch (the
/// snapshot goes at the slowest replica's pace), so once it has taken nothing for `repl-timeout` (read
/// again every second: an operator may lower it to drop a stuck replica) it is dropped, as in Redis.
async fn write_snapshot_piece<S: crate::clients::Transport>(
    shared: &Shared,
    writer: &mut WriteHalf<S>,
    piece: &[u8],
    name: &str,
) -> Result<(), String> {
    // Time spent waiting for the snapshot to produce this piece is not the replica's.
    let mut last_progress = Instant::now();
    let mut written = 0;
    while written < piece.len() {
        match tokio::time::timeout(Duration::from_secs(1), writer.write(&piece[written..])).await {
            Ok(Ok(0)) => return Err("the replica closed the connection".to_owned()),
            Ok(Ok(n)) => {
                written += n;
                last_progress = Instant::now();
            }
            Ok(Err(error)) => return Err(error.to_string()),
            Err(_) => {
                let timeout = Duration::from_secs(shared.config().repl_timeout.max(1));
                if last_progress.elapsed() >= timeout {
                    tracing::warn!("Disconnecting timedout replica (full sync): {name}");
                    return Err("timed out sending the snapshot".to_owned());
                }
            }
        }
    }
    Ok(())
}

/// Waits for the batch snapshot to begin, writing a keepalive newline every second meanwhile (replicas
/// skip them; they tell the replica the master is alive while the delay runs).
async fn wait_for_snapshot<S: crate::clients::Transport>(
    shared: &Arc<Shared>,
    writer: &mut WriteHalf<S>,
    client_id: u64,
) -> Result<SnapshotStream, String> {
    let mut snapshot = crate::full_sync::join(shared, client_id);
    let mut keepalive = tokio::time::interval(KEEPALIVE);
    keepalive.tick().await;
    loop {
        tokio::select! {
            ready = &mut snapshot => return ready.map_err(|_| "snapshot abandoned".to_owned()),
            _ = keepalive.tick() => writer.write_all(b"\n").await.map_err(|e| e.to_string())?,
        }
    }
}

/// The next piece of the payload; `None` after the last one.
async fn next_piece(pieces: &mut mpsc::Receiver<Piece>) -> Result<Option<bytes::Bytes>, String> {
    match pieces.recv().await {
        Some(Piece::Bytes(bytes)) => Ok(Some(bytes)),
        Some(Piece::End) => Ok(None),
        None => Err("snapshot abandoned".to_owned()),
    }
}

/// The whole payload, with keepalive newlines to the replica while it is produced.
async fn collect_payload<S: crate::clients::Transport>(
    writer: &mut WriteHalf<S>,
    pieces: &mut mpsc::Receiver<Piece>,
) -> Result<Vec<u8>, String> {
    let mut payload = Vec::new();
    let mut keepalive = tokio::time::interval(KEEPALIVE);
    keepalive.tick().await;
    loop {
        tokio::select! {
            piece = next_piece(pieces) => match piece? {
                Some(bytes) => payload.extend_from_slice(&bytes),
                None => return Ok(payload),
            },
            _ = keepalive.tick() => writer.write_all(b"\n").await.map_err(|e| e.to_string())?,
        }
    }
}

fn set_state(shared: &Shared, client_id: u64, state: ReplicaSyncState) {
    if let Some(replica) = shared.core().replicas.get_mut(client_id) {
        replica.state = state;
        replica.last_ack = Instant::now();
    }
}

/// Copies whatever the replica has not been sent yet out of the backlog and writes it, then waits for the
/// stream to grow.
async fn stream_backlog<S: crate::clients::Transport>(
    shared: &Arc<Shared>,
    mut writer: WriteHalf<S>,
    client_id: u64,
) -> Result<(), String> {
    let mut grown = shared.stream_notify.subscribe();
    let mut chunk = Vec::with_capacity(CHUNK);
    loop {
        chunk.clear();
        {
            let mut core = shared.core();
            let Some(from) = core
                .replicas
                .get_mut(client_id)
                .map(|replica| replica.send_offset)
            else {
                return Err("replica unregistered".to_owned());
            };
            let Some(backlog) = core.repl.backlog() else {
                return Err("backlog freed".to_owned());
            };
            let Some(copied) = backlog.copy_from(from, CHUNK, &mut chunk) else {
                return Err(format!("offset {from} is no longer in the backlog"));
            };
            if copied > 0 {
                if let Some(replica) = core.replicas.get_mut(client_id) {
                    replica.send_offset = ReplOffset(from.0 + copied as i64);
                }
                core.trim_backlog();
            }
        }
        if chunk.is_empty() {
            grown
                .changed()
                .await
                .map_err(|_| "server shutting down".to_owned())?;
            continue;
        }
        writer.write_all(&chunk).await.map_err(|e| e.to_string())?;
    }
}

/// The reader half: `REPLCONF ACK <offset>` updates the replica's acknowledged offset; the first one after a
/// diskless snapshot releases the stream. Any other command ends the link (see [`refuse_replica_command`]).
async fn read_acks<S: crate::clients::Transport>(
    shared: Arc<Shared>,
    mut reader: ReadHalf<S>,
    client_id: u64,
    mut buf: BytesMut,
    first_ack: oneshot::Sender<()>,
) {
    let mut first_ack = Some(first_ack);
    let mut decoder = CommandDecoder::default();
    let timeout = Duration::from_secs(shared.config().repl_timeout.max(1));
    loop {
        loop {
            let command = match decoder.decode(&mut buf) {
                Ok(Some(command)) => command,
                Ok(None) => break,
                Err(error) => {
                    tracing::warn!("Protocol error from replica: {error}");
                    cancel(&shared, client_id);
                    return;
                }
            };
            let args = &command.args;
            if acl_refuses(&shared, client_id, args) {
                return;
            }
            if args.len() == 3
                && crate::cmd::is(&args[0], "replconf")
                && crate::cmd::is(&args[1], "ack")
            {
                let Some(offset) = crate::util::parse_i64(&args[2]) else {
                    continue;
                };
                if let Some(replica) = shared.core().replicas.get_mut(client_id) {
                    replica.ack_offset = replica.ack_offset.max(ReplOffset(offset));
                    replica.last_ack = Instant::now();
                }
                shared
                    .ack_notify
                    .send_modify(|acks| *acks = acks.wrapping_add(1));
                if let Some(sender) = first_ack.take() {
                    let _ = sender.send(());
                }
            } else if !crate::cmd::is(&args[0], "replconf") {
                refuse_replica_command(&shared, client_id, args);
                return;
            }
        }
        buf.reserve(4096);
        let read = tokio::time::timeout(timeout * 2, reader.read_buf(&mut buf)).await;
        if !matches!(read, Ok(Ok(n)) if n > 0) {
            cancel(&shared, client_id);
            return;
        }
    }
}

/// A replica sent a command other than `REPLCONF`. A replica never reads replies (its link carries only the
/// stream), so, as Redis does, the command is answered — keyspace commands with an error, since a replica
/// may not touch the data — and the replica is disconnected, with the reply in the log.
fn refuse_replica_command(shared: &Arc<Shared>, client_id: u64, args: &[bytes::Bytes]) {
    let spec = crate::cmd::lookup(&args[0]);
    let name = spec.map_or_else(
        || "<unknown>".to_owned(),
        |spec| crate::cmd::full_name(spec, args),
    );
    let reply = match spec {
        Some(spec)
            if spec.has(crate::cmd::flags::READONLY) || spec.has(crate::cmd::flags::WRITE) =>
        {
            resp::Frame::error("ERR Replica can't interact with the keyspace")
        }
        _ => {
            let mut client = crate::client::ClientState::new(0, None, true);
            crate::dispatch::execute(shared, &mut client, args)
        }
    };
    report_reply_and_drop(shared, client_id, &name, &reply);
}

/// A replica's commands pass the ACL check like any client's (its user is the one it authenticated as). A
/// refused one is answered with the error, which a replica never reads, so the link is dropped, as in Redis.
fn acl_refuses(shared: &Arc<Shared>, client_id: u64, args: &[bytes::Bytes]) -> bool {
    let user = bytes::Bytes::from(
        shared
            .clients
            .user(client_id)
            .unwrap_or_else(|| "default".to_owned()),
    );
    let mut core = shared.core();
    let Err(denial) = core.acl.check(&user, args) else {
        return false;
    };
    let context = crate::acl::Context::Toplevel;
    crate::cmd::acl_log::log_denial(&mut core, shared, &denial, context, &user, args, client_id);
    drop(core);
    report_reply_and_drop(shared, client_id, denial.command, &denial.error());
    true
}

/// Logs the reply a replica was sent (it never reads replies) and drops its link.
fn report_reply_and_drop(shared: &Arc<Shared>, client_id: u64, name: &str, reply: &resp::Frame) {
    if let resp::Frame::Error(text) = reply {
        tracing::warn!(
            "== CRITICAL == This master is sending an error to its replica: '{}' after processing the command '{name}'",
            crate::errors::as_logged(text)
        );
    }
    let mut encoded = BytesMut::new();
    resp::encode_frame(reply, resp::Protocol::Resp2, &mut encoded);
    tracing::warn!(
        "Replica generated a reply to command '{name}', disconnecting it: {}",
        encoded.escape_ascii()
    );
    cancel(shared, client_id);
}

fn cancel(shared: &Shared, client_id: u64) {
    if let Some(replica) = shared.core().replicas.get_mut(client_id) {
        replica.cancel.cancel();
    }
}
