//! The load threads: client workers sending [`Generator`] ops to the current master (writes) and replicas
//! (reads), subscribers listening on every node, and the acknowledged writer (`SET ack:<n>` then `WAIT`).
//!
//! Connection errors are expected while faults run: a thread drops the connection, waits a moment and
//! reconnects to whatever node now has the role it needs. Every loop is bounded by the round and by a count.

use std::collections::HashMap;
use std::io;
use std::sync::atomic::Ordering;
use std::time::Duration;

use resp::Frame;

use super::commands::{Args, CHANNELS, Family, Generator, Op};
use super::conn::{Conn, is_timeout, show_args};
use super::shared::{ACK_DB, Shared, ack_key};

/// How long a load request may wait for its reply before the connection is dropped (the watchdog reports a
/// hang well before this).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Most ops one client sends in one round.
const MAX_OPS_PER_ROUND: u64 = 1_000_000;

/// Pause after a connection error before the next attempt.
const RECONNECT_PAUSE: Duration = Duration::from_millis(50);

/// How long a subscriber waits for a message before checking whether the run goes on.
const SUBSCRIBER_POLL: Duration = Duration::from_millis(300);

/// How long `WAIT` waits for the replicas' acknowledgement.
const WAIT_TIMEOUT_MS: &str = "1000";

/// One load worker; `index` picks its random stream. Runs rounds until the run stops.
pub(super) fn worker(shared: &Shared, index: usize, shas: &[String]) {
    let mut generator = Generator::new(shared.rng(1000 + index as u64), shas.to_vec());
    let slot = shared.health.register_client();
    let mut connections: HashMap<u16, Conn> = HashMap::new();
    let mut last = 0;
    while let Some(round) = shared.control.next_round(last) {
        last = round;
        for _ in 0..MAX_OPS_PER_ROUND {
            if !shared.control.running(round) {
                break;
            }
            let op = generator.next_op();
            let topology = shared.topology();
            let replicas = topology.replicas();
            let port = if op.read && !replicas.is_empty() && generator.rng().chance(80) {
                topology.ports[*generator.rng().pick(&replicas)]
            } else {
                topology.master_port()
            };
            let node = topology
                .node_of(port)
                .expect("ports come from the topology");
            let outcome = run_op(
                shared,
                slot,
                node,
                &mut connections,
                port,
                &op,
                &mut generator,
            );
            shared.health.end_request(slot);
            if outcome.is_err() {
                connections.remove(&port);
                shared.stats.reconnects.fetch_add(1, Ordering::Relaxed);
                if !shared.control.pace(RECONNECT_PAUSE) {
                    break;
                }
            }
        }
        connections.clear();
        shared.control.idle();
    }
}

/// Sends `op` on the connection to `port` (opened if needed, in the generator's database).
fn run_op(
    shared: &Shared,
    slot: usize,
    node: usize,
    connections: &mut HashMap<u16, Conn>,
    port: u16,
    op: &Op,
    generator: &mut Generator,
) -> io::Result<()> {
    let conn = match connections.entry(port) {
        std::collections::hash_map::Entry::Occupied(entry) => entry.into_mut(),
        std::collections::hash_map::Entry::Vacant(entry) => {
            entry.insert(Conn::connect(port, REQUEST_TIMEOUT)?)
        }
    };
    if conn.db != generator.db {
        shared
            .health
            .begin_request(slot, node, || format!("SELECT {}", generator.db));
        shared.stats.command(Family::Databases);
        conn.select(generator.db)?;
    }
    for (position, command) in op.commands.iter().enumerate() {
        let reply = request(shared, slot, node, conn, op.family, command)?;
        if position == 0
            && let (Some(fallback), Frame::Error(error)) = (&op.fallback, &reply)
            && error.starts_with(b"NOSCRIPT")
        {
            let reply = request(shared, slot, node, conn, op.family, fallback)?;
            generator.observe(fallback, &reply);
            continue;
        }
        generator.observe(command, &reply);
    }
    Ok(())
}

/// One command and its reply, registered with the watchdog while in flight.
fn request(
    shared: &Shared,
    slot: usize,
    node: usize,
    conn: &mut Conn,
    family: Family,
    command: &Args,
) -> io::Result<Frame> {
    shared
        .health
        .begin_request(slot, node, || show_args(command));
    shared.stats.command(family);
    let reply = conn.request(command)?;
    if matches!(reply, Frame::Error(_)) {
        shared.stats.error_replies.fetch_add(1, Ordering::Relaxed);
    }
    Ok(reply)
}

/// One subscriber: subscribes on a random node to every channel and a pattern, counts messages, and moves to
/// another node now and then, until the run stops.
pub(super) fn subscriber(shared: &Shared, index: usize) {
    let mut rng = shared.rng(2000 + index as u64);
    while !shared.control.stopped() {
        let topology = shared.topology();
        let port = topology.ports[rng.below(topology.ports.len())];
        let session = subscribe_session(shared, port, rng.range(10, 60));
        if session.is_err() {
            shared.stats.reconnects.fetch_add(1, Ordering::Relaxed);
            if !shared.control.pace(RECONNECT_PAUSE) {
                return;
            }
        }
    }
}

/// Subscribes on `port` and reads for `polls` read timeouts' worth of time (or until the run stops).
fn subscribe_session(shared: &Shared, port: u16, polls: u64) -> io::Result<()> {
    let mut conn = Conn::connect(port, SUBSCRIBER_POLL)?;
    let mut subscribe = vec!["SUBSCRIBE".to_string()];
    subscribe.extend((0..CHANNELS).map(|channel| format!("ch:{channel}")));
    conn.send(&subscribe)?;
    conn.send(&["PSUBSCRIBE", "ch:*"])?;
    shared.stats.command(Family::PubSub);
    shared.stats.command(Family::PubSub);
    for _ in 0..polls {
        if shared.control.stopped() {
            break;
        }
        loop {
            match conn.read() {
                Ok(Frame::Array(parts) | Frame::Push(parts)) => {
                    let kind = parts.first().and_then(Frame::as_bytes);
                    if kind.is_some_and(|kind| {
                        kind.as_ref() == b"message" || kind.as_ref() == b"pmessage"
                    }) {
                        shared.stats.messages.fetch_add(1, Ordering::Relaxed);
                    }
                }
                Ok(_) => {}
                Err(error) if is_timeout(&error) => break,
                Err(error) => return Err(error),
            }
        }
    }
    conn.send(&["UNSUBSCRIBE"])?;
    conn.send(&["PUNSUBSCRIBE"])?;
    shared.stats.command(Family::PubSub);
    shared.stats.command(Family::PubSub);
    Ok(())
}

/// The acknowledged writer (invariant 3): `SET ack:<n> <n>` in [`ACK_DB`] on the master, then
/// `WAIT <direct replicas> 1000`; logs what the master accepted and what every direct replica acknowledged.
pub(super) fn acknowledged_writer(shared: &Shared) {
    let slot = shared.health.register_client();
    let mut next = 0u64;
    let mut conn: Option<Conn> = None;
    let mut last = 0;
    while let Some(round) = shared.control.next_round(last) {
        last = round;
        for _ in 0..MAX_OPS_PER_ROUND {
            if !shared.control.running(round) {
                break;
            }
            let gate = super::shared::lock(&shared.acks.gate);
            let topology = shared.topology();
            let master = topology.master;
            let port = topology.master_port();
            let direct = topology.children(master).len();
            next += 1;
            let n = next;
            let outcome = (|| -> io::Result<()> {
                if conn.as_ref().is_none_or(|conn| conn.port != port) {
                    conn = Some(Conn::connect(port, REQUEST_TIMEOUT)?);
                }
                let conn = conn.as_mut().expect("connected above");
                if conn.db != ACK_DB {
                    shared.stats.command(Family::Acknowledged);
                    conn.select(ACK_DB)?;
                }
                let key = ack_key(n);
                let set = ["SET", key.as_str(), &n.to_string()];
                let reply = request(
                    shared,
                    slot,
                    master,
                    conn,
                    Family::Acknowledged,
                    &to_args(&set),
                )?;
                if reply != Frame::ok() {
                    return Ok(());
                }
                shared.acks.accepted(master, topology.stints[master], n);
                let wait = ["WAIT", &direct.to_string(), WAIT_TIMEOUT_MS];
                let reply = request(
                    shared,
                    slot,
                    master,
                    conn,
                    Family::Acknowledged,
                    &to_args(&wait),
                )?;
                if let Frame::Integer(replicas) = reply
                    && direct > 0
                    && replicas >= direct as i64
                {
                    shared.acks.acknowledged(n);
                }
                Ok(())
            })();
            shared.health.end_request(slot);
            drop(gate);
            if outcome.is_err() {
                conn = None;
                shared.stats.reconnects.fetch_add(1, Ordering::Relaxed);
                if !shared.control.pace(RECONNECT_PAUSE) {
                    break;
                }
            }
        }
        shared.control.idle();
    }
}

fn to_args(words: &[&str]) -> Args {
    words.iter().map(|word| word.as_bytes().to_vec()).collect()
}
