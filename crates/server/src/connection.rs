//! One client connection: read, decode every complete command, execute, write the replies, repeat.
//! A connection that sends PSYNC/SYNC becomes a replica link and is handed to [`crate::replica_feed`].

use std::sync::Arc;

use bytes::BytesMut;
use resp::{CommandDecoder, Frame, encode_frame};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_util::codec::Decoder;

use crate::blocking::{Pending, Served};
use crate::client::{AfterReply, ClientState};
use crate::clients::ClientKind;
use crate::clients::Transport;
use crate::dispatch;
use crate::pubsub::Mailbox;
use crate::replica_feed;
use crate::shared::Shared;
use crate::stats::Stats;

/// Serves one client until it disconnects, sends QUIT, becomes a replica, or the server stops.
pub async fn handle<S: Transport>(
    shared: Arc<Shared>,
    mut stream: S,
    addr: Option<std::net::SocketAddr>,
    closer: Option<crate::clients::SocketCloser>,
) {
    let authenticated = shared.core().acl.default_open();
    let mut client = ClientState::new(shared.next_client_id(), addr, authenticated);
    // The registration lives as long as this task, replica link included; CLIENT KILL cancels `kill`
    // (and shuts the socket down through `closer`).
    let (kill, _registration) = shared.clients.register(client.id, addr, ClientKind::Normal);
    if let Some(closer) = closer {
        let closer = Arc::new(closer);
        shared
            .clients
            .update(client.id, |info| info.closer = Some(closer));
    }
    Stats::bump(&shared.stats.connections_received);
    shared
        .stats
        .connected_clients
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let outcome = tokio::select! {
        outcome = serve(&shared, &mut stream, &mut client) => outcome,
        () = kill.cancelled() => None,
    };
    client.release(&mut shared.core());
    shared
        .stats
        .connected_clients
        .fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
    if let Some((plan, leftover)) = outcome {
        shared
            .clients
            .update(client.id, |info| info.kind = ClientKind::Replica);
        replica_feed::serve(Arc::clone(&shared), stream, client.id, plan, leftover).await;
    }
}

/// Returns a sync plan when the connection turned into a replica link.
async fn serve<S: Transport>(
    shared: &Arc<Shared>,
    stream: &mut S,
    client: &mut ClientState,
) -> Option<(crate::replicas::SyncPlan, BytesMut)> {
    let mut decoder = CommandDecoder::default();
    let mut input = BytesMut::with_capacity(16 * 1024);
    let mut output = BytesMut::with_capacity(16 * 1024);
    let mailbox = Arc::clone(&client.mailbox);
    // Pub/Sub message bytes in `output`, acknowledged to the mailbox once written.
    let mut mail_bytes = 0;
    // A step that a command run again after a pause left to do (a script, a block, a WAIT...).
    let mut next: Option<Step> = None;
    loop {
        let step = match next.take() {
            Some(step) => step,
            None => execute_buffered(
                shared,
                client,
                &mut decoder,
                &mut input,
                &mut output,
                &mut mail_bytes,
            ),
        };
        if mailbox.overflowed() {
            return None;
        }
        match step {
            Step::ReadMore => {}
            Step::Continue => continue,
            Step::Close => {
                let _ = stream.write_all(&output).await;
                return None;
            }
            Step::Shutdown(mode) => {
                let _ = stream.write_all(&output).await;
                output.clear();
                let _blocked = BlockedGauge::enter(shared);
                match crate::shutdown::shut_down(shared, mode).await {
                    Ok(()) => return None,
                    Err(error) => encode_reply(client, &Frame::error(error), &mut output),
                }
            }
            Step::Paused(args) => {
                if stream.write_all(&output).await.is_err() {
                    return None;
                }
                output.clear();
                // The command, run again, may itself end in any step (a script, a block, a WAIT...).
                next = Some(
                    run_when_writes_resume(shared, client, &args, &mut output, &mut mail_bytes)
                        .await?,
                );
                continue;
            }
            Step::Wait(request) => {
                // Replies before the WAIT go out first; commands after it wait for its answer.
                if stream.write_all(&output).await.is_err() {
                    return None;
                }
                output.clear();
                let acked = {
                    let _blocked = BlockedGauge::enter(shared);
                    crate::wait::wait_for_acks(shared, &request).await
                };
                encode_reply(client, &Frame::Integer(acked as i64), &mut output);
                continue;
            }
            Step::RunScript(admitted) => {
                // The script runs at once on a blocking thread (the gate holds other clients meanwhile, see
                // scripting/gate.rs); the replies before it stay in `output` and leave with its own. Writing
                // them first would hold the gate, and so every client, for as long as this one does not
                // read. Should the connection end first, dropping `admitted` closes the gate.
                let ran = tokio::task::spawn_blocking(move || {
                    admitted.run(crate::cmd::scripts::run_outside_lock)
                })
                .await;
                let reply = match ran {
                    Ok((reply, offset)) => {
                        if let Some(offset) = offset {
                            client.last_write_offset = replication::ReplOffset(offset);
                        }
                        reply
                    }
                    Err(error) => {
                        // The script thread panicked (its `Admitted` closed the gate as it unwound).
                        tracing::error!("Script failed: {error}");
                        Frame::error("ERR script execution failed")
                    }
                };
                encode_reply(client, &reply, &mut output);
                continue;
            }
            Step::Block(pending) => {
                if !write_output(shared, stream, &mut output, &mailbox, &mut mail_bytes).await {
                    shared.core().blocking.remove(client.id);
                    return None;
                }
                let served = wait_blocked(shared, stream, client.id, pending, &mut input).await?;
                // Served or timed out: no longer `flags=b` (set by `Ctx::block`).
                shared
                    .clients
                    .update(client.id, |info| info.blocked = false);
                encode_reply(client, &served.reply, &mut output);
                if served.close {
                    let _ = stream.write_all(&output).await;
                    return None;
                }
                // Commands that arrived while blocked run now, before reading more.
                continue;
            }
            Step::ServeReplica(plan) => {
                if stream.write_all(&output).await.is_err() {
                    shared.core().replicas.remove(client.id);
                    return None;
                }
                return Some((plan, input));
            }
        }
        if !output.is_empty() {
            // Let the other connections that are ready run first, so replies go out back to back at the end
            // of the turn, as Redis writes them before it sleeps: a client woken by one reply then usually
            // finds the others there too, instead of being woken (across CPUs) once per reply. At pipeline 16
            // this took redis-benchmark SET from 0.77M to 1.2M requests per second here.
            tokio::task::yield_now().await;
        }
        // Write the replies; while the client is not taking them, go on reading (and, next turn, running) its
        // commands, as Redis does: a client that reads only once it has sent a whole pipeline must not find
        // us waiting for it to read.
        loop {
            let mut io = FlushOrRead {
                stream: &mut *stream,
                output: &mut output,
                input: &mut input,
                written: 0,
            };
            let pending_output = !io.output.is_empty();
            let event = tokio::select! {
                event = &mut io => event,
                // A subscriber that stops reading must not keep its connection (and queued messages) forever.
                () = mailbox.wait_overflow(), if pending_output => Io::Closed,
                // Published messages: the next turn writes them (nothing new to execute).
                () = mailbox.wait(), if !pending_output => Io::Read(0),
                () = shared.shutdown.cancelled() => Io::Closed,
            };
            let written = io.written;
            if written > 0 {
                shared
                    .stats
                    .net_output_bytes
                    .fetch_add(written as u64, std::sync::atomic::Ordering::Relaxed);
            }
            match event {
                Io::Flushed => {
                    mailbox.written(std::mem::take(&mut mail_bytes));
                    continue;
                }
                Io::Read(read) => {
                    shared
                        .stats
                        .net_input_bytes
                        .fetch_add(read as u64, std::sync::atomic::Ordering::Relaxed);
                    break;
                }
                Io::Finished => {
                    let _ = stream.write_all(&output).await;
                    return None;
                }
                Io::Closed => return None,
            }
        }
    }
}

/// Writes and clears `output` (acknowledging the `mail_bytes` of Pub/Sub messages in it); false if the
/// connection is gone, or its mailbox overflowed meanwhile: a subscriber that stops reading must not keep its
/// connection (and queued messages) forever.
async fn write_output<S: Transport>(
    shared: &Shared,
    stream: &mut S,
    output: &mut BytesMut,
    mailbox: &Mailbox,
    mail_bytes: &mut usize,
) -> bool {
    if output.is_empty() {
        return true;
    }
    shared
        .stats
        .net_output_bytes
        .fetch_add(output.len() as u64, std::sync::atomic::Ordering::Relaxed);
    let written = tokio::select! {
        written = stream.write_all(output) => written.is_ok(),
        () = mailbox.wait_overflow() => false,
    };
    if !written {
        return false;
    }
    output.clear();
    mailbox.written(std::mem::take(mail_bytes));
    true
}

/// What [`FlushOrRead`] saw.
enum Io {
    /// The pending replies are all written.
    Flushed,
    /// The client sent this many more bytes (0: woken for published messages).
    Read(usize),
    /// The connection ended (end of stream, an error, shutdown, an overflowing mailbox).
    Closed,
    /// The client closed its side with replies still pending: write them, then close.
    Finished,
}

/// Writes the pending replies and reads the client's next bytes at the same time, on one borrow of the
/// stream: ready when the replies are all written, or when input arrived (replies may still be pending:
/// the caller runs the new commands and comes back, as Redis reads a client whatever its output buffer).
struct FlushOrRead<'a, S> {
    stream: &'a mut S,
    output: &'a mut BytesMut,
    input: &'a mut BytesMut,
    /// Bytes written by this future so far.
    written: usize,
}

impl<S: Transport> std::future::Future for FlushOrRead<'_, S> {
    type Output = Io;

    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Io> {
        use std::task::Poll;
        let this = &mut *self;
        let had_output = !this.output.is_empty();
        while !this.output.is_empty() {
            match std::pin::Pin::new(&mut *this.stream).poll_write(cx, this.output) {
                Poll::Ready(Ok(0) | Err(_)) => return Poll::Ready(Io::Closed),
                Poll::Ready(Ok(written)) => {
                    bytes::Buf::advance(&mut *this.output, written);
                    this.written += written;
                }
                Poll::Pending => break,
            }
        }
        if had_output && this.output.is_empty() {
            return Poll::Ready(Io::Flushed);
        }
        if this.input.capacity() - this.input.len() < 4096 {
            this.input.reserve(16 * 1024);
        }
        match tokio_util::io::poll_read_buf(std::pin::Pin::new(&mut *this.stream), cx, this.input) {
            // The client sent all it will (a half-closed socket): its last replies still go out.
            Poll::Ready(Ok(0)) if !this.output.is_empty() => Poll::Ready(Io::Finished),
            Poll::Ready(Ok(0) | Err(_)) => Poll::Ready(Io::Closed),
            Poll::Ready(Ok(read)) => Poll::Ready(Io::Read(read)),
            Poll::Pending => Poll::Pending,
        }
    }
}

/// Reads more bytes into `input`; false on end of stream, error or server shutdown.
async fn read_input<S: Transport>(shared: &Shared, stream: &mut S, input: &mut BytesMut) -> bool {
    if input.capacity() - input.len() < 4096 {
        input.reserve(16 * 1024);
    }
    let read = tokio::select! {
        read = stream.read_buf(input) => read,
        () = shared.shutdown.cancelled() => return false,
    };
    match read {
        Ok(0) | Err(_) => false,
        Ok(n) => {
            shared
                .stats
                .net_input_bytes
                .fetch_add(n as u64, std::sync::atomic::Ordering::Relaxed);
            true
        }
    }
}

/// Waits for a blocked command to be served or to time out, reading (and keeping) what the client sends
/// meanwhile, as Redis does, so a disconnect is noticed. On timeout, disconnect or shutdown the client leaves
/// the queues under the lock; if a write served it just before, that reply wins. `None`: the connection ends.
async fn wait_blocked<S: Transport>(
    shared: &Shared,
    stream: &mut S,
    client_id: u64,
    mut pending: Pending,
    input: &mut BytesMut,
) -> Option<Served> {
    // Dropped unserved (CLIENT KILL cancels the whole task), it takes the client out of the queues.
    let mut leave_queues = LeaveQueues {
        shared,
        client_id,
        armed: true,
    };
    let deadline = pending.deadline;
    let timed_out = async move {
        match deadline {
            Some(deadline) => tokio::time::sleep_until(deadline).await,
            None => std::future::pending().await,
        }
    };
    tokio::pin!(timed_out);
    loop {
        tokio::select! {
            served = &mut pending.reply => {
                leave_queues.armed = served.is_err();
                return served.ok();
            }
            () = &mut timed_out => {
                leave_queues.armed = false;
                let timeout_reply = shared.core().blocking.remove(client_id);
                return match timeout_reply {
                    Some(reply) => Some(Served { reply, close: false }),
                    None => pending.reply.try_recv().ok(),
                };
            }
            alive = read_input(shared, stream, input) => {
                if !alive {
                    return None;
                }
            }
        }
    }
}

/// Removes a blocked client from the queues when its wait ends without a reply.
struct LeaveQueues<'a> {
    shared: &'a Shared,
    client_id: u64,
    armed: bool,
}

impl Drop for LeaveQueues<'_> {
    fn drop(&mut self) {
        if self.armed {
            self.shared.core().blocking.remove(self.client_id);
        }
    }
}

/// What the connection does after the buffered commands ran.
enum Step {
    /// Write the replies and read more.
    ReadMore,
    /// Run what is already buffered (the replies so far stay in `output`).
    Continue,
    /// Write the replies, then close (QUIT, protocol error).
    Close,
    /// Write the replies, then shut the server down.
    Shutdown(crate::shutdown::ShutdownMode),
    /// Write the replies, then wait for the blocked command's reply.
    Block(Pending),
    /// Write the replies, then serve this connection as a replica.
    ServeReplica(crate::replicas::SyncPlan),
    /// Write the replies, wait until writes resume, run this command, then go on.
    Paused(Vec<bytes::Bytes>),
    /// Write the replies, wait for replica acknowledgements, answer, then go on.
    Wait(crate::wait::WaitRequest),
    /// Write the replies, run the script outside the core lock, answer, then go on.
    RunScript(crate::client::Admitted),
}

/// Runs every complete command already buffered, under one lock per [`dispatch::MAX_BATCH`] commands, and
/// encodes the replies into `output`, so pipelined requests cost one lock and one write per burst.
fn execute_buffered(
    shared: &Arc<Shared>,
    client: &mut ClientState,
    decoder: &mut CommandDecoder,
    input: &mut BytesMut,
    output: &mut BytesMut,
    mail_bytes: &mut usize,
) -> Step {
    let mut batch: Option<dispatch::Batch<'_>> = None;
    let mut in_batch = 0;
    loop {
        deliver_mail(client, output, mail_bytes);
        decoder.set_authenticated(client.authenticated);
        let command = match decoder.decode(input) {
            Ok(Some(command)) => command,
            Ok(None) => return Step::ReadMore,
            Err(error) => {
                // Redis answers a protocol error and then closes the connection.
                encode_frame(
                    &Frame::error(format!("ERR {error}")),
                    client.protocol,
                    output,
                );
                return Step::Close;
            }
        };
        if in_batch == dispatch::MAX_BATCH {
            batch = None;
            in_batch = 0;
        }
        let reply = batch
            .get_or_insert_with(|| dispatch::Batch::new(shared))
            .execute(client, &command.args);
        in_batch += 1;
        // Messages published while the command ran (by itself too) come before its reply, as in Redis.
        deliver_mail(client, output, mail_bytes);
        if let Some(step) = settle(client, reply, command.args, output) {
            return step;
        }
    }
}

/// Encodes the reply of a command that just ran into `output` (unless `CLIENT REPLY` suppresses it, or the
/// reply comes later) and returns the step it asks for, if any: every command, whether run straight from
/// the input or again after a pause, ends here, so none of them can leave a script, a block or a `WAIT`
/// behind (a script paused behind another one used to lose its invocation and leave the gate closed).
fn settle(
    client: &mut ClientState,
    reply: Frame,
    args: Vec<bytes::Bytes>,
    output: &mut BytesMut,
) -> Option<Step> {
    if let Some(pending) = client.blocked.take() {
        return Some(Step::Block(pending));
    }
    let step = match client.after_reply.take() {
        None => None,
        Some(AfterReply::Close) => Some(Step::Close),
        Some(AfterReply::ServeReplica(plan)) => Some(Step::ServeReplica(plan)),
        // Their reply comes later (or, run again, from another attempt): `CLIENT REPLY` applies to it then,
        // as Redis keeps a blocked or postponed client's reply flags until its real reply.
        Some(AfterReply::Shutdown(mode)) => return Some(Step::Shutdown(mode)),
        Some(AfterReply::Wait(request)) => return Some(Step::Wait(request)),
        Some(AfterReply::Paused) => return Some(Step::Paused(args)),
        Some(AfterReply::RunScript(admitted)) => return Some(Step::RunScript(admitted)),
    };
    encode_reply(client, &reply, output);
    step
}

/// Encodes a command's reply (and any extra replies before it) into `output`, unless `CLIENT REPLY` drops
/// it: OFF drops every reply, SKIP the reply of the next command only.
fn encode_reply(client: &mut ClientState, reply: &Frame, output: &mut BytesMut) {
    let suppress = std::mem::take(&mut client.suppress_reply)
        || client.reply_off
        || std::mem::take(&mut client.reply_skip);
    client.reply_skip = std::mem::take(&mut client.reply_skip_next);
    if suppress {
        client.extra_replies.clear();
        return;
    }
    for extra in client.extra_replies.drain(..) {
        encode_frame(&extra, client.protocol, output);
    }
    encode_frame(reply, client.protocol, output);
}

/// Runs `args` once commands like it are no longer paused (a `FAILOVER`, a shutdown waiting for replicas,
/// `CLIENT PAUSE`, a running script), encodes its reply and returns what the connection does next; `None`
/// if the server stops meanwhile.
async fn run_when_writes_resume(
    shared: &Arc<Shared>,
    client: &mut ClientState,
    args: &[bytes::Bytes],
    output: &mut BytesMut,
    mail_bytes: &mut usize,
) -> Option<Step> {
    let mut pause = shared.pause.subscribe();
    let mut script = shared.scripts.subscribe();
    loop {
        pause.borrow_and_update();
        script.borrow_and_update();
        let reply = dispatch::execute(shared, client, args);
        if matches!(client.after_reply, Some(AfterReply::Paused)) {
            client.after_reply = None;
            tokio::select! {
                changed = pause.changed() => changed.ok()?,
                changed = script.changed() => changed.ok()?,
                () = shared.shutdown.cancelled() => return None,
            }
            continue;
        }
        deliver_mail(client, output, mail_bytes);
        return Some(settle(client, reply, args.to_vec(), output).unwrap_or(Step::Continue));
    }
}

/// Encodes the Pub/Sub messages waiting in the client's mailbox into `output`, adding their posted sizes to
/// `mail_bytes`.
fn deliver_mail(client: &ClientState, output: &mut BytesMut, mail_bytes: &mut usize) {
    if !client.mailbox.has_pending() {
        return;
    }
    for (frame, size) in client.mailbox.take() {
        encode_frame(&frame, client.protocol, output);
        *mail_bytes += size;
    }
}

/// Counts a client in `INFO`'s `blocked_clients` while it waits in `WAIT` or `SHUTDOWN`, as Redis blocks
/// them; the count drops however the wait ends.
struct BlockedGauge<'a> {
    shared: &'a Shared,
}

impl<'a> BlockedGauge<'a> {
    fn enter(shared: &'a Shared) -> BlockedGauge<'a> {
        shared
            .stats
            .blocked_waiting
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        BlockedGauge { shared }
    }
}

impl Drop for BlockedGauge<'_> {
    fn drop(&mut self) {
        self.shared
            .stats
            .blocked_waiting
            .fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
    }
}
