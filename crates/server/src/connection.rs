//! One client connection: read, decode every complete command, execute, write the replies, repeat.
//! A connection that sends PSYNC/SYNC becomes a replica link and is handed to [`crate::replica_feed`].

use std::sync::Arc;

use bytes::BytesMut;
use resp::{CommandDecoder, Frame, encode_frame};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_util::codec::Decoder;

use crate::client::{AfterReply, ClientState};
use crate::dispatch;
use crate::replica_feed;
use crate::shared::Shared;
use crate::stats::Stats;

/// Serves one client until it disconnects, sends QUIT, becomes a replica, or the server stops.
pub async fn handle(shared: Arc<Shared>, mut stream: TcpStream) {
    let addr = stream.peer_addr().ok();
    let _ = stream.set_nodelay(true);
    let authenticated = shared.config().requirepass.is_none();
    let mut client = ClientState::new(shared.next_client_id(), addr, authenticated);
    Stats::bump(&shared.stats.connections_received);
    shared
        .stats
        .connected_clients
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let outcome = serve(&shared, &mut stream, &mut client).await;
    shared
        .stats
        .connected_clients
        .fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
    if let Some((plan, leftover)) = outcome {
        replica_feed::serve(shared, stream, client.id, plan, leftover).await;
    }
}

/// Returns a sync plan when the connection turned into a replica link.
async fn serve(
    shared: &Arc<Shared>,
    stream: &mut TcpStream,
    client: &mut ClientState,
) -> Option<(replica_feed::SyncPlan, BytesMut)> {
    let mut decoder = CommandDecoder::default();
    let mut input = BytesMut::with_capacity(16 * 1024);
    let mut output = BytesMut::with_capacity(16 * 1024);
    loop {
        // Execute every complete command already buffered before writing, so pipelined requests get
        // one write for the whole batch.
        loop {
            let command = match decoder.decode(&mut input) {
                Ok(Some(command)) => command,
                Ok(None) => break,
                Err(error) => {
                    // Redis answers a protocol error and then closes the connection.
                    encode_frame(
                        &Frame::error(format!("ERR {error}")),
                        client.protocol,
                        &mut output,
                    );
                    let _ = stream.write_all(&output).await;
                    return None;
                }
            };
            let reply = dispatch::execute(shared, client, &command.args);
            let suppress = std::mem::take(&mut client.suppress_reply);
            match client.after_reply.take() {
                None => {
                    if !suppress {
                        encode_frame(&reply, client.protocol, &mut output);
                    }
                }
                Some(AfterReply::Close) => {
                    encode_frame(&reply, client.protocol, &mut output);
                    let _ = stream.write_all(&output).await;
                    return None;
                }
                Some(AfterReply::Shutdown) => {
                    let _ = stream.write_all(&output).await;
                    shared.shutdown.cancel();
                    return None;
                }
                Some(AfterReply::ServeReplica(plan)) => {
                    if !suppress {
                        encode_frame(&reply, client.protocol, &mut output);
                    }
                    if stream.write_all(&output).await.is_err() {
                        shared.core().replicas.remove(client.id);
                        return None;
                    }
                    return Some((plan, input));
                }
            }
        }
        if !output.is_empty() {
            shared
                .stats
                .net_output_bytes
                .fetch_add(output.len() as u64, std::sync::atomic::Ordering::Relaxed);
            if stream.write_all(&output).await.is_err() {
                return None;
            }
            output.clear();
        }
        if input.capacity() - input.len() < 4096 {
            input.reserve(16 * 1024);
        }
        let read = tokio::select! {
            read = stream.read_buf(&mut input) => read,
            () = shared.shutdown.cancelled() => return None,
        };
        match read {
            Ok(0) | Err(_) => return None,
            Ok(n) => {
                shared
                    .stats
                    .net_input_bytes
                    .fetch_add(n as u64, std::sync::atomic::Ordering::Relaxed);
            }
        }
    }
}
