//! The replica side: one task that connects to the master, performs the handshake, loads a full resync's
//! snapshot or continues from the backlog, then applies the command stream, forever, reconnecting with
//! back-off while the master is unreachable.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use replication::handshake::{self, HandshakeConfig, HandshakeError, PsyncReply};
use replication::{LinkDownReason, ReplOffset, ReplicaLinkState};
use resp::CommandDecoder;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_util::codec::Decoder;
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

use crate::client::ClientState;
use crate::core::TransferProgress;
use crate::shared::Shared;
use crate::{dispatch, persistence};

/// First retry delay after a failed attempt; doubles up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_millis(100);
/// Redis retries once per second; we never wait longer than that.
const MAX_BACKOFF: Duration = Duration::from_secs(1);

/// Starts (or restarts) the link task for the master recorded in the core's role.
pub fn start(shared: &Arc<Shared>) {
    let token = shared.shutdown.child_token();
    if let Some(previous) = shared
        .master_link_task
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .replace(token.clone())
    {
        previous.cancel();
    }
    let shared_for_task = Arc::clone(shared);
    shared
        .tasks
        .spawn(async move { run(shared_for_task, token).await });
}

/// Stops the link task, if any.
pub fn stop(shared: &Shared) {
    if let Some(previous) = shared
        .master_link_task
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .take()
    {
        previous.cancel();
    }
}

async fn run(shared: Arc<Shared>, token: CancellationToken) {
    let mut backoff = FIRST_BACKOFF;
    while !token.is_cancelled() {
        let Some((host, port)) = shared
            .core()
            .master_link()
            .map(|link| (link.host.clone(), link.port))
        else {
            return;
        };
        let span = tracing::info_span!("master_link", host = %host, port);
        let (reason, was_connected) = connect_and_follow(&shared, &token, &host, port)
            .instrument(span)
            .await;
        if token.is_cancelled() {
            return;
        }
        mark_down(&shared, was_connected, &reason);
        tracing::info!("{reason}");
        if was_connected {
            backoff = FIRST_BACKOFF;
        }
        tokio::select! {
            () = tokio::time::sleep(backoff) => {}
            () = token.cancelled() => return,
        }
        backoff = (backoff * 2).min(MAX_BACKOFF);
    }
}

fn set_state(shared: &Shared, state: ReplicaLinkState) {
    if let Some(link) = shared.core().master_link_mut() {
        link.state = state;
    }
}

fn mark_down(shared: &Shared, was_connected: bool, reason: &LinkDownReason) {
    let mut core = shared.core();
    // A master that sent a corrupt stream cannot be trusted to continue from our offset: like Redis, do not
    // cache it, so the next attempt asks for a full resync.
    let trusted = !matches!(reason, LinkDownReason::Protocol(_));
    let applied_any = core.repl.backlog().is_some();
    if let Some(link) = core.master_link_mut() {
        link.state = ReplicaLinkState::Connect;
        link.transfer = None;
        if was_connected {
            link.down_since = Some(Instant::now());
        }
        // After any successful sync our ids and offset are a position in the master's history.
        link.has_cached_master = trusted && (link.has_cached_master || applied_any);
    }
}

/// One connection attempt; returns why it ended and whether the link had reached `Connected`.
async fn connect_and_follow(
    shared: &Arc<Shared>,
    token: &CancellationToken,
    host: &str,
    port: u16,
) -> (LinkDownReason, bool) {
    tracing::info!("Connecting to MASTER {host}:{port}");
    set_state(shared, ReplicaLinkState::Connecting);
    let timeout = Duration::from_secs(shared.config().repl_timeout.max(1));
    let mut stream = match tokio::time::timeout(timeout, TcpStream::connect((host, port))).await {
        Ok(Ok(stream)) => stream,
        Ok(Err(error)) => return (LinkDownReason::ConnectFailed(error.to_string()), false),
        Err(_) => {
            return (
                LinkDownReason::ConnectFailed("Timeout connecting to the MASTER...".to_owned()),
                false,
            );
        }
    };
    let _ = stream.set_nodelay(true);
    tracing::info!("MASTER <-> REPLICA sync started");
    set_state(shared, ReplicaLinkState::Handshake);

    let mut buf = BytesMut::with_capacity(64 * 1024);
    let result = tokio::select! {
        result = synchronize(shared, &mut stream, &mut buf, timeout) => result,
        () = token.cancelled() => return (LinkDownReason::Reconfigured, false),
    };
    if let Err(reason) = result {
        return (reason, false);
    }
    let reason = tokio::select! {
        reason = follow_stream(shared, &mut stream, &mut buf, timeout) => reason,
        () = token.cancelled() => LinkDownReason::Reconfigured,
    };
    (reason, true)
}

/// Handshake, then either load the snapshot or continue; leaves the link `Connected`.
async fn synchronize(
    shared: &Arc<Shared>,
    stream: &mut TcpStream,
    buf: &mut BytesMut,
    timeout: Duration,
) -> Result<(), LinkDownReason> {
    let (config, psync_id, psync_offset) = {
        let config = shared.config();
        let handshake_config = HandshakeConfig {
            listening_port: if config.replica_announce_port != 0 {
                config.replica_announce_port
            } else {
                shared.port
            },
            announce_ip: config.replica_announce_ip.clone(),
            masteruser: config.masteruser.clone(),
            masterauth: config.masterauth.clone(),
            timeout,
            failover: false,
        };
        let mut handshake_config = handshake_config;
        let core = shared.core();
        // The old master of a FAILOVER asks its target to take over with this very PSYNC.
        handshake_config.failover = core
            .failover
            .as_ref()
            .is_some_and(|failover| failover.step == crate::core::FailoverStep::InProgress);
        let cached = core
            .master_link()
            .is_some_and(|link| link.has_cached_master);
        let (id, offset) = if cached {
            (core.repl.replid().to_string(), core.repl.offset().next())
        } else {
            ("?".to_owned(), ReplOffset(-1))
        };
        (handshake_config, id, offset)
    };
    if psync_id != "?" {
        tracing::info!("Trying a partial resynchronization (request {psync_id}:{psync_offset}).");
    }
    let reply = handshake::perform(stream, buf, &config, &psync_id, psync_offset).await;
    if config.failover {
        // Whatever the answer, the failover ends here: done if the target accepted, undone if not.
        let mut core = shared.core();
        match &reply {
            Ok(_) => crate::failover::finish(shared, &mut core),
            Err(_) => {
                crate::failover::abort(shared, &mut core, "Failover target rejected psync request")
            }
        }
    }
    let reply = reply.map_err(handshake_reason)?;
    match reply {
        PsyncReply::Continue { replid } => {
            let mut core = shared.core();
            if let Some(replid) = replid
                && replid != core.repl.replid()
            {
                core.repl.adopt_master_replid(replid);
                // Sub-replicas follow our previous id: they reconnect and continue from our id2.
                core.replicas.disconnect_all();
                tracing::info!("Master replication ID changed to {replid}");
            }
            core.repl.apply_from_master(&[]);
            mark_connected(&mut core);
            drop(core);
            tracing::info!("Successful partial resynchronization with master.");
            tracing::info!("MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization.");
        }
        PsyncReply::FullResync { replid, offset } => {
            tracing::info!("Full resync from master: {replid}:{offset}");
            full_resync(shared, stream, buf, timeout, replid, offset).await?;
        }
    }
    send_ack(shared, stream)
        .await
        .map_err(|e| LinkDownReason::Io(e.to_string()))
}

async fn full_resync(
    shared: &Arc<Shared>,
    stream: &mut TcpStream,
    buf: &mut BytesMut,
    timeout: Duration,
    replid: replication::ReplId,
    offset: ReplOffset,
) -> Result<(), LinkDownReason> {
    set_state(shared, ReplicaLinkState::Transfer);
    let framing = handshake::read_payload_framing(stream, buf, timeout)
        .await
        .map_err(handshake_reason)?;
    let databases = shared.config().databases;
    // Set while a socket load is under way; cleared by the swap below or, if the load fails or the link
    // task is cancelled, when this is dropped.
    let mut loading = LoadingFlag {
        shared,
        armed: false,
    };
    let loaded = match diskless_load(shared) {
        Some(swapdb) => {
            let target = SocketLoad {
                swapdb,
                replid,
                framing,
                timeout,
            };
            load_from_socket(shared, stream, buf, target, &mut loading).await?
        }
        None => load_through_file(shared, stream, buf, framing, timeout).await?,
    };
    // A client's script running on this replica finishes first: the data and functions are replaced
    // between scripts, never under one.
    let mut core = loop {
        shared.scripts.wait_idle().await;
        let core = shared.core();
        if shared.scripts.phase() == crate::scripting::Phase::Idle {
            break core;
        }
        drop(core);
    };
    // Clients watching keys see the whole data set replaced (Redis touches every watched key here too).
    if !core.watches.is_empty() {
        let core = &mut *core;
        core.watches
            .touch_replaced(&core.keyspace, &loaded.keyspace);
    }
    core.keyspace = loaded.keyspace;
    core.persistence.loading = None;
    shared.watchdog.unblock();
    loading.armed = false;
    crate::cmd::scripts::load_snapshot_functions(&mut core, shared, &loaded.functions);
    core.repl.reset_to_master(replid, offset);
    // The stream continues in the database the master's stream was in when it took the snapshot.
    let stream_db = loaded
        .aux
        .repl_stream_db
        .and_then(|db| usize::try_from(db).ok())
        .filter(|db| *db < databases);
    core.repl.set_stream_db(Some(stream_db.unwrap_or(0)));
    // Sub-replicas followed our previous history; they must resync against the new one.
    core.replicas.disconnect_all();
    mark_connected(&mut core);
    // The AOF described the old data: it starts over from a rewrite of the new one.
    crate::aof_rewrite::restart_after_sync(shared, &mut core);
    drop(core);
    tracing::info!("MASTER <-> REPLICA sync: Finished with success");
    Ok(())
}

/// Whether this sync loads straight from the socket (`repl-diskless-load`): `Some(true)` for `swapdb` (the
/// old data stays until the new one is complete), `Some(false)` for `on-empty-db` with no data, `None` to
/// go through a file.
fn diskless_load(shared: &Shared) -> Option<bool> {
    let mode = shared
        .config()
        .other("repl-diskless-load")
        .unwrap_or("disabled")
        .to_owned();
    match mode.as_str() {
        "swapdb" => Some(true),
        "on-empty-db" if shared.core().keyspace.key_count() == 0 => Some(false),
        _ => None,
    }
}

/// The classic way: the whole payload into memory, kept as our own dump file (so a restart can PSYNC from
/// the ids it carries), then decoded.
async fn load_through_file(
    shared: &Arc<Shared>,
    stream: &mut TcpStream,
    buf: &mut BytesMut,
    framing: handshake::PayloadFraming,
    timeout: Duration,
) -> Result<rdb::Loaded, LinkDownReason> {
    let total = match framing {
        handshake::PayloadFraming::Length(len) => {
            tracing::info!("MASTER <-> REPLICA sync: receiving {len} bytes from master to disk");
            len as u64
        }
        handshake::PayloadFraming::EofMark(_) => {
            tracing::info!(
                "MASTER <-> REPLICA sync: receiving streamed RDB from master with EOF to disk"
            );
            0
        }
    };
    let mut last_report = Instant::now();
    let payload = handshake::read_payload(stream, buf, &framing, timeout, |read| {
        if last_report.elapsed() >= Duration::from_millis(100) || read as u64 == total {
            last_report = Instant::now();
            report_transfer(shared, total, read as u64);
        }
    })
    .await
    .map_err(handshake_reason)?;
    let path = persistence::rdb_path(shared);
    let databases = shared.config().databases;
    let loaded = tokio::task::spawn_blocking(move || {
        if let Err(error) = persistence::store_received_snapshot(&path, &payload) {
            tracing::warn!(
                "Failed to save the received snapshot to {}: {error}",
                path.display()
            );
        }
        rdb::read_rdb(&payload, databases)
    })
    .await
    .map_err(|error| LinkDownReason::BadSnapshot(error.to_string()))?
    .map_err(|error| LinkDownReason::BadSnapshot(error.to_string()))?;
    tracing::info!("MASTER <-> REPLICA sync: Flushing old data");
    tracing::info!("MASTER <-> REPLICA sync: Loading DB in memory");
    Ok(loaded)
}

fn report_transfer(shared: &Shared, total: u64, read: u64) {
    if let Some(link) = shared.core().master_link_mut() {
        link.transfer = Some(TransferProgress {
            total,
            read,
            last_io: Instant::now(),
        });
    }
}

/// `repl-diskless-load`: the snapshot is decoded while it arrives, on a blocking thread fed through a small
/// bounded channel, so a slow load slows the master's sending rather than filling our memory (and
/// `key-load-delay` can slow it on purpose, as tests do). With `swapdb` the current data stays until the new
/// data is complete, served to clients (`async_loading`) when the master's history is ours, otherwise with
/// `-LOADING` answers; a failed load keeps it. With `on-empty-db` there was nothing to keep.
async fn load_from_socket(
    shared: &Arc<Shared>,
    stream: &mut TcpStream,
    buf: &mut BytesMut,
    target: SocketLoad,
    loading: &mut LoadingFlag<'_>,
) -> Result<rdb::Loaded, LinkDownReason> {
    let SocketLoad {
        swapdb,
        replid,
        framing,
        timeout,
    } = target;
    let total = match framing {
        handshake::PayloadFraming::Length(len) => {
            tracing::info!("MASTER <-> REPLICA sync: receiving {len} bytes from master to parser");
            len as u64
        }
        handshake::PayloadFraming::EofMark(_) => {
            tracing::info!(
                "MASTER <-> REPLICA sync: receiving streamed RDB from master with EOF to parser"
            );
            0
        }
    };
    let async_loading = {
        let mut core = shared.core();
        let async_loading = swapdb && core.repl.replid() == replid;
        if !swapdb {
            tracing::info!("MASTER <-> REPLICA sync: Flushing old data");
            core.keyspace.flush_all();
        }
        core.persistence.loading = Some(async_loading);
        if !async_loading {
            shared
                .watchdog
                .begin("loading the master's snapshot (clients are answered -LOADING)");
        }
        async_loading
    };
    loading.armed = true;
    tracing::info!("MASTER <-> REPLICA sync: Loading DB in memory");
    let (databases, key_load_delay_us) = {
        let config = shared.config();
        let delay = config
            .other("key-load-delay")
            .and_then(|value| value.parse::<i64>().ok())
            .unwrap_or(0);
        (config.databases, delay)
    };
    let (pieces_tx, mut pieces) = tokio::sync::mpsc::channel::<Vec<u8>>(4);
    let loader_shared = Arc::clone(shared);
    let loader = tokio::task::spawn_blocking(move || {
        let mut decoder = rdb::StreamDecoder::new(databases);
        while let Some(piece) = pieces.blocking_recv() {
            let before = decoder.keys_loaded();
            decoder.feed(&piece)?;
            if key_load_delay_us > 0 {
                let keys = decoder.keys_loaded() - before;
                pause_per_key(&loader_shared, keys, key_load_delay_us.unsigned_abs());
            }
        }
        decoder.finish()
    });
    let mut reader = handshake::PayloadReader::new(framing);
    let mut last_report = Instant::now();
    let read = loop {
        match reader.next_piece(stream, buf, timeout).await {
            Ok(Some(piece)) => {
                if last_report.elapsed() >= Duration::from_millis(100) {
                    last_report = Instant::now();
                    report_transfer(shared, total, reader.delivered() as u64);
                }
                // The loader stopped (a decoding error): its result says why.
                if pieces_tx.send(piece).await.is_err() {
                    break Ok(());
                }
            }
            Ok(None) => break Ok(()),
            Err(error) => break Err(handshake_reason(error)),
        }
    };
    drop(pieces_tx);
    let loaded = loader
        .await
        .map_err(|error| LinkDownReason::BadSnapshot(error.to_string()))
        .and_then(|loaded| loaded.map_err(|error| LinkDownReason::BadSnapshot(error.to_string())));
    let outcome = read.and(loaded);
    match &outcome {
        Ok(_) if swapdb => {
            tracing::info!("MASTER <-> REPLICA sync: Swapping active DB with loaded DB");
            tracing::info!("MASTER <-> REPLICA sync: Discarding old DB in background");
        }
        Ok(_) => {}
        Err(error) => {
            tracing::warn!(
                "Failed trying to load the MASTER synchronization DB from socket: {error}"
            );
            if swapdb {
                tracing::info!("MASTER <-> REPLICA sync: Discarding temporary DB in background");
            }
        }
    }
    tracing::debug!("socket load finished (async loading: {async_loading})");
    outcome
}

/// What a socket load is about.
struct SocketLoad {
    /// `repl-diskless-load swapdb` (else `on-empty-db`).
    swapdb: bool,
    /// The master's replication id from `+FULLRESYNC`.
    replid: replication::ReplId,
    framing: handshake::PayloadFraming,
    timeout: Duration,
}

/// `key-load-delay` microseconds after each loaded key (slept in slices so a shutdown is not held up).
fn pause_per_key(shared: &Shared, keys: u64, micros: u64) {
    let mut left = Duration::from_micros(keys.saturating_mul(micros));
    while !left.is_zero() && !shared.shutdown.is_cancelled() {
        let slice = left.min(Duration::from_millis(10));
        std::thread::sleep(slice);
        left -= slice;
    }
}

/// Clears the loading state if a socket load ends without its data being swapped in.
struct LoadingFlag<'a> {
    shared: &'a Shared,
    armed: bool,
}

impl Drop for LoadingFlag<'_> {
    fn drop(&mut self) {
        if self.armed {
            self.shared.core().persistence.loading = None;
            self.shared.watchdog.unblock();
        }
    }
}

fn mark_connected(core: &mut crate::core::Core) {
    if let Some(link) = core.master_link_mut() {
        link.state = ReplicaLinkState::Connected;
        link.last_io = Some(Instant::now());
        link.down_since = None;
        link.transfer = None;
        link.has_cached_master = true;
    }
}

/// Applies the master's commands as they arrive, acknowledging once per second and on `GETACK`.
async fn follow_stream(
    shared: &Arc<Shared>,
    stream: &mut TcpStream,
    buf: &mut BytesMut,
    timeout: Duration,
) -> LinkDownReason {
    let mut client = ClientState::new(shared.next_client_id(), stream.peer_addr().ok(), true);
    client.is_master_link = true;
    let (kill, _registration) =
        shared
            .clients
            .register(client.id, client.addr, crate::clients::ClientKind::Master);
    // After a partial resync the master does not repeat its SELECT: continue in the database we were in.
    client.db = shared.core().repl.stream_db().unwrap_or(0);
    let mut decoder = CommandDecoder::default();
    // The master's commands applied but not yet appended to our stream: the open part of a MULTI unit.
    let mut held = BytesMut::new();
    let mut encoded = BytesMut::new();
    let mut ack_timer = tokio::time::interval(Duration::from_secs(1));
    let mut last_io = Instant::now();
    loop {
        // A script running on this replica is atomic: the master's stream waits for it (as in Redis, where
        // the busy script keeps the stream unread).
        shared.scripts.wait_idle().await;
        loop {
            match apply_buffered(shared, &mut client, &mut decoder, buf, &mut held) {
                Ok(None) => break,
                Ok(Some(getack)) => {
                    // The ACK answering GETACK reports the offset before the GETACK itself, as Redis does.
                    if let Err(error) = send_ack(shared, stream).await {
                        return LinkDownReason::Io(error.to_string());
                    }
                    if client.multi.is_some() {
                        // Inside a unit (no master sends one there): it belongs to the unit's bytes.
                        resp::encode_command(&getack.args, &mut held);
                        continue;
                    }
                    encoded.clear();
                    resp::encode_command(&getack.args, &mut encoded);
                    let mut batch = dispatch::Batch::new(shared);
                    batch.core().repl.apply_from_master(&encoded);
                    batch.mark_fed();
                }
                Err(reason) => return reason,
            }
        }
        if shared.scripts.phase() != crate::scripting::Phase::Idle {
            continue;
        }
        buf.reserve(64 * 1024);
        tokio::select! {
            read = stream.read_buf(buf) => match read {
                Ok(0) => return LinkDownReason::ClosedByMaster,
                Ok(_) => {
                    last_io = Instant::now();
                    if let Some(link) = shared.core().master_link_mut() {
                        link.last_io = Some(last_io);
                    }
                }
                Err(error) => return LinkDownReason::Io(error.to_string()),
            },
            () = kill.cancelled() => return LinkDownReason::Killed,
            _ = ack_timer.tick() => {
                if last_io.elapsed() > timeout {
                    return LinkDownReason::Timeout;
                }
                if let Err(error) = send_ack(shared, stream).await {
                    return LinkDownReason::Io(error.to_string());
                }
            }
        }
    }
}

async fn send_ack(shared: &Shared, stream: &mut TcpStream) -> std::io::Result<()> {
    let offset = shared.core().repl.offset();
    let mut out = BytesMut::new();
    handshake::encode_ack(offset, &mut out);
    stream.write_all(&out).await
}

fn handshake_reason(error: HandshakeError) -> LinkDownReason {
    match error {
        HandshakeError::Closed => LinkDownReason::ClosedByMaster,
        // Redis words a stall before the link is up as a connection timeout.
        HandshakeError::Timeout => LinkDownReason::HandshakeTimeout,
        HandshakeError::Refused(text) => LinkDownReason::Refused(text),
        HandshakeError::Protocol(text) => LinkDownReason::Protocol(text),
        error => LinkDownReason::Io(error.to_string()),
    }
}

/// Applies every complete command already buffered; each command's effect and the append of its bytes to our
/// own backlog happen under one lock, so sub-replicas and INFO never see data and offset disagree. The
/// commands of a `MULTI` unit are held in `held` and appended with its `EXEC`, so the offset never points
/// inside a unit. Stops before a `REPLCONF GETACK` and returns it, because answering it needs the socket.
fn apply_buffered(
    shared: &Arc<Shared>,
    client: &mut ClientState,
    decoder: &mut CommandDecoder,
    buf: &mut BytesMut,
    held: &mut BytesMut,
) -> Result<Option<resp::Command>, LinkDownReason> {
    let mut batch: Option<dispatch::Batch<'_>> = None;
    let mut in_batch = 0;
    loop {
        if in_batch == dispatch::MAX_BATCH {
            batch = None;
            in_batch = 0;
        }
        let batch = batch.get_or_insert_with(|| dispatch::Batch::new(shared));
        // A client's script started meanwhile (it opens the gate under the lock, held here): stop before
        // the next command; the link waits for the script to end and comes back.
        if shared.scripts.phase() != crate::scripting::Phase::Idle {
            return Ok(None);
        }
        let command = match decoder.decode(buf) {
            Ok(Some(command)) => command,
            Ok(None) => return Ok(None),
            Err(error) => return Err(LinkDownReason::Protocol(error.to_string())),
        };
        let args = &command.args;
        if args.len() == 3
            && crate::cmd::is(&args[0], "replconf")
            && crate::cmd::is(&args[1], "getack")
        {
            return Ok(Some(command));
        }
        in_batch += 1;
        if let resp::Frame::Error(text) = batch.execute(client, args) {
            log_error_to_master(batch.core(), args, &text);
        }
        resp::encode_command(args, held);
        if client.multi.is_some() {
            // Inside the master's MULTI: the unit counts as applied only with its EXEC (Redis advances the
            // link's offset outside transactions only). Should the link drop first, the half-received unit
            // is dropped with `client`, and PSYNC asks again from the MULTI.
            continue;
        }
        let core = batch.core();
        core.repl.apply_from_master(held);
        held.clear();
        core.repl.set_stream_db(Some(client.db));
        core.trim_backlog();
        batch.mark_fed();
    }
}

/// A command from the master failed here: logged as Redis does (`propagation-error-behavior ignore`), with
/// the end of the stream before it, since the data may now differ from the master's.
fn log_error_to_master(core: &crate::core::Core, args: &[Bytes], error: &[u8]) {
    let command = crate::cmd::lookup(&args[0]).map_or("<unknown>", |spec| spec.name);
    tracing::warn!(
        "== CRITICAL == This replica is sending an error to its master: '{}' after processing the command '{command}'",
        crate::errors::as_logged(error)
    );
    if let Some(backlog) = core.repl.backlog()
        && backlog.histlen() > 0
    {
        let shown = backlog.histlen().min(256);
        let from = replication::ReplOffset(backlog.next_offset().0 - shown as i64);
        let mut latest = Vec::with_capacity(shown);
        backlog.copy_from(from, shown, &mut latest);
        tracing::warn!("Latest backlog is: '{}'", latest.escape_ascii());
    }
}
