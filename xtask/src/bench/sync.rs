//! Full sync: how long a fresh replica takes from `REPLICAOF` to `master_link_status:up` against a master
//! holding N keys, and the longest `PING` round trip another client of that master saw meanwhile (the stall
//! a full sync inflicts: Redis's `fork`, or whatever rserver does to take its snapshot).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, bail};
use resp::Frame;
use testkit::{Client, ClientError, Node, info_field_in};

use super::report::{Measured, Row, Section, Target, Unit, thousands};
use super::servers::{Binaries, Implementation, Pair, alternating, command, poll_every, populate};

/// How often the replica's `INFO replication` is read while waiting for the link: fine enough to time a
/// sync of about a second to within a few milliseconds without loading the replica.
const LINK_POLL_INTERVAL: Duration = Duration::from_millis(2);

/// A sync taking longer than this is reported as failed.
const SYNC_DEADLINE: Duration = Duration::from_secs(120);

/// What one full sync measured.
#[derive(Debug, Clone, Copy)]
struct SyncSample {
    duration: Duration,
    longest_ping: Duration,
    pings: u64,
}

/// Runs the full-sync section with masters holding `keys` keys.
pub fn run(binaries: &Binaries, rounds: usize, keys: u64) -> Result<Section> {
    let mut masters: Pair<Result<Node, String>> = Pair {
        rserver: Err(String::new()),
        redis: Err(String::new()),
    };
    for implementation in alternating(0) {
        eprintln!(
            "sync: starting a {} master with {keys} keys",
            implementation.name()
        );
        *masters.get_mut(implementation) = binaries
            .start(implementation)
            .and_then(|master| populate(&master, keys).map(|()| master))
            .map_err(|error| format!("{error:#}"));
    }

    let mut results: Pair<Vec<Result<SyncSample, String>>> = Pair::default();
    for round in 0..rounds {
        for implementation in alternating(round) {
            let outcome = match masters.get(implementation) {
                Ok(master) => measure_once(binaries, implementation, master)
                    .map_err(|error| format!("{error:#}")),
                Err(error) => Err(format!("master set-up failed: {error}")),
            };
            match &outcome {
                Ok(sample) => eprintln!(
                    "sync round {}/{rounds} on {}: {:.3} s, longest PING {:.2} ms over {} PINGs",
                    round + 1,
                    implementation.name(),
                    sample.duration.as_secs_f64(),
                    sample.longest_ping.as_secs_f64() * 1e3,
                    sample.pings
                ),
                Err(error) => eprintln!(
                    "sync round {}/{rounds} on {}: failed: {error}",
                    round + 1,
                    implementation.name()
                ),
            }
            results.get_mut(implementation).push(outcome);
        }
    }

    let method = format!(
        "A master of each kind is loaded with `DEBUG POPULATE {keys} key 16` ({keys} keys, 16-byte values). \
         Each round starts a fresh replica of the same kind, sends `REPLICAOF` and times until its \
         `INFO replication` says `master_link_status:up` (polled every {} ms). Meanwhile a client sends `PING` \
         to the master in a tight loop; the longest round trip is the stall clients see during the sync \
         (for redis-server that is its `fork`). Diskless sync on the master, default (disk) load on the replica, \
         the same for both.",
        LINK_POLL_INTERVAL.as_millis()
    );
    let keys_text = thousands(keys as f64);
    let mut section = Section::new(format!("Full sync of {keys_text} keys"), method);
    let pick = |implementation: Implementation, value: fn(&SyncSample) -> f64| {
        let rounds: Vec<Result<f64, String>> = results
            .get(implementation)
            .iter()
            .map(|result| result.as_ref().map(value).map_err(Clone::clone))
            .collect();
        Measured::from_rounds(&rounds)
    };
    let duration = |sample: &SyncSample| sample.duration.as_secs_f64();
    let stall = |sample: &SyncSample| sample.longest_ping.as_secs_f64() * 1e3;
    section.push(Row {
        test: format!("full sync of {keys_text} keys (REPLICAOF → link up)"),
        unit: Unit::Seconds,
        rserver: pick(Implementation::Rserver, duration),
        redis: pick(Implementation::Redis, duration),
        target: Some(Target::at_most(1.0)),
    });
    // A round that failed is already in the notes through the first row.
    let rserver_stall = pick(Implementation::Rserver, stall);
    let redis_stall = pick(Implementation::Redis, stall);
    section.rows.push(Row {
        test: "longest client stall during that sync (PING round trip)".to_string(),
        unit: Unit::Milliseconds,
        rserver: rserver_stall,
        redis: redis_stall,
        target: Some(Target::at_most(1.0)),
    });
    // The rounds themselves, because a shared machine makes them spread widely.
    for implementation in [Implementation::Rserver, Implementation::Redis] {
        let rounds: Vec<String> = results
            .get(implementation)
            .iter()
            .filter_map(|result| result.as_ref().ok())
            .map(|sample| format!("{:.3} s / {:.1} ms", duration(sample), stall(sample)))
            .collect();
        if !rounds.is_empty() {
            section.notes.push(format!(
                "{} rounds in run order (sync time / longest stall): {}",
                implementation.name(),
                rounds.join(", ")
            ));
        }
    }
    Ok(section)
}

/// One full sync of a fresh replica of `implementation` from `master`, with a PING probe on the master.
fn measure_once(
    binaries: &Binaries,
    implementation: Implementation,
    master: &Node,
) -> Result<SyncSample> {
    let replica = binaries.start(implementation)?;
    let mut replica_client = Client::connect(replica.port()).context("connect to the replica")?;
    let stop = AtomicBool::new(false);
    thread::scope(|scope| {
        let (ready_sender, ready) = mpsc::channel();
        let probe = scope.spawn(|| probe_pings(master.port(), &stop, ready_sender));
        let synced = ready
            .recv_timeout(Duration::from_secs(10))
            .context("the PING probe did not get its first PONG")
            .and_then(|()| {
                let start = Instant::now();
                let master_port = master.port().to_string();
                command(
                    &mut replica_client,
                    &["REPLICAOF", "127.0.0.1", &master_port],
                )?;
                poll_every(
                    LINK_POLL_INTERVAL,
                    SYNC_DEADLINE,
                    "master_link_status:up",
                    || link_up(&mut replica_client),
                )?;
                Ok(start.elapsed())
            });
        stop.store(true, Ordering::Relaxed);
        let probe = probe.join().expect("the PING probe does not panic");
        let duration = synced?;
        let (longest_ping, pings) = probe.context("PING probe on the master")?;
        Ok(SyncSample {
            duration,
            longest_ping,
            pings,
        })
    })
}

/// `Some(())` once the replica's link is up. An error reply (e.g. `-LOADING`) means "not yet".
fn link_up(replica_client: &mut Client) -> Result<Option<()>> {
    match replica_client.info("replication") {
        Ok(info) => Ok((info_field_in(&info, "master_link_status") == Some("up")).then_some(())),
        Err(ClientError::UnexpectedReply(_)) => Ok(None),
        Err(error) => Err(error).context("INFO replication on the replica"),
    }
}

/// Sends `PING` back to back until `stop`; returns the longest round trip and how many PINGs were timed.
/// `ready` is told after the first PONG (which is not timed: it includes connection set-up on the server).
fn probe_pings(port: u16, stop: &AtomicBool, ready: mpsc::Sender<()>) -> Result<(Duration, u64)> {
    let mut client = Client::connect(port).context("connect the PING probe")?;
    let mut longest = Duration::ZERO;
    let mut pings = 0u64;
    let mut first = true;
    while !stop.load(Ordering::Relaxed) {
        let sent = Instant::now();
        match client.try_cmd(&["PING"])? {
            Frame::Simple(pong) if pong.as_ref() == b"PONG" => {}
            other => bail!("PING answered {other:?}"),
        }
        let round_trip = sent.elapsed();
        if first {
            first = false;
            let _ = ready.send(());
        } else {
            longest = longest.max(round_trip);
            pings += 1;
        }
    }
    Ok((longest, pings))
}
