//! A seeded, time-bounded torture run of a replicated cluster, shared by `cargo xtask torture` and the CI test
//! `server/tests/it/torture.rs`.
//!
//! A master, its replica and a chained replica (`appendonly yes` + `appendfsync always` on the master and the
//! chained one), each replica link through a fault-injecting [`Proxy`](crate::Proxy). Dozens of client
//! threads send every command family ([`commands`]) to the master (writes) and the replicas (reads),
//! subscribers listen on every node, and an acknowledged writer writes `ack:<n>` and `WAIT`s for the replicas.
//! Meanwhile faults hit at random moments ([`faults`]): cut, cut-after-N-bytes, paused and slowed links,
//! `kill -9` and restart of a replica or of the master (a replica that holds every acknowledged write is
//! promoted), `FAILOVER`, re-pointing, `CLIENT KILL`, `DEBUG SLEEP`, `SCRIPT KILL` of a busy script.
//!
//! The run is cut into rounds; each ends at a quiescence point (load and faults stopped, links healed, every
//! replica at its master's offset) where every node's data must be equal. Invariants:
//! 1. every node answers PING within 5 s and every request gets its reply (a hang is reported with the node's
//!    thread stacks and log tail) — the watchdog, [`health`];
//! 2. at each quiescence point every replica's data equals its master's ([`checks`]);
//! 3. every write acknowledged by all direct replicas (`WAIT`) is on the final master;
//! 4. no node's log has a panic, a `CRITICAL` line or a crash report;
//! 5. every write the final master accepted survives its clean restart with the AOF on.
//!
//! Every choice (commands, keys, faults, their moments and byte positions, configs) comes from the seeded
//! [`Rng`](crate::Rng), one stream per thread, so a seed names a run; thread interleaving is the machine's, so
//! a failure may need a few reruns of its seed. The same seed against `redis-server` passes, which is what
//! makes a failure against `rserver` `rserver`'s.

mod checks;
mod cluster;
mod commands;
mod conn;
mod faults;
mod health;
mod load;
mod report;
mod shared;

use std::panic::{self, AssertUnwindSafe};
use std::path::Path;
use std::thread;
use std::time::{Duration, Instant};

pub use report::{Failure, FailureKind, Report};

use crate::ports::free_ports;
use cluster::Cluster;
use shared::{NODES, Shared};

/// Subscriber threads (besides the load workers).
const SUBSCRIBERS: usize = 3;

/// How long the load threads may take to notice the end of a round (one request timeout and a margin).
const PAUSE_DEADLINE: Duration = Duration::from_secs(45);

/// What to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// Names the run: every random choice derives from it.
    pub seed: u64,
    /// The total budget; rounds start while one more fits (at least one runs), then the final checks.
    pub duration: Duration,
    /// Load worker threads (at least 32 for a real run).
    pub clients: usize,
}

impl Options {
    /// The load-and-faults part of a round: a third of the budget, between 5 and 15 s, so a long run reaches
    /// many quiescence checks.
    pub fn round_length(&self) -> Duration {
        (self.duration / 3).clamp(Duration::from_secs(5), Duration::from_secs(15))
    }
}

/// Runs the torture test against `binary` (`rserver` or `redis-server`) and returns what it found; never
/// panics on a failure of the server (nor of the harness: that is a [`FailureKind::Harness`] failure). Every
/// node and proxy is stopped before it returns.
pub fn run(binary: &Path, options: &Options) -> Report {
    let started = Instant::now();
    let shared = Shared::new(options.seed, free_ports::<NODES>());
    let mut rng = shared.rng(0);
    let mut rounds = 0;
    let mut acknowledged = (0, 0);
    let mut aof = (0, 0);
    let mut kept_logs = None;
    let mut final_topology = shared.topology().describe();
    println!(
        "torture: seed {}, budget {} s, {} clients, {}",
        options.seed,
        options.duration.as_secs(),
        options.clients,
        binary.display()
    );
    match Cluster::start(binary, &shared, &mut rng) {
        Err(error) => shared.fail(
            FailureKind::Harness,
            format!("setting up the cluster: {error}"),
        ),
        Ok((mut cluster, shas)) => {
            let outcome = panic::catch_unwind(AssertUnwindSafe(|| {
                drive(
                    &mut cluster,
                    &shared,
                    &mut rng,
                    &shas,
                    options,
                    started,
                    &mut rounds,
                );
                if !shared.aborted() {
                    acknowledged = checks::acknowledged_writes(&cluster, &shared);
                    aof = checks::aof_restart(&mut cluster, &shared);
                    if !shared.failed() {
                        checks::quiesce(&mut cluster, &shared, "after the clean restart");
                    }
                }
            }));
            if let Err(payload) = outcome {
                shared.fail(
                    FailureKind::Harness,
                    format!("the run panicked: {}", checks::panic_text(payload.as_ref())),
                );
            }
            checks::logs(&cluster, &shared);
            final_topology = cluster.topology().describe();
            if shared.failed() {
                kept_logs = checks::keep_logs(&cluster, options.seed);
            }
        }
    }
    let stats = &shared.stats;
    let load = std::sync::atomic::Ordering::Relaxed;
    Report {
        seed: options.seed,
        binary: binary.to_path_buf(),
        duration: options.duration,
        clients: options.clients,
        elapsed: started.elapsed(),
        rounds,
        commands: stats.commands(),
        faults: stats.faults(),
        notes: stats.notes(),
        messages: stats.messages.load(load),
        reconnects: stats.reconnects.load(load),
        error_replies: stats.error_replies.load(load),
        acknowledged_writes: acknowledged.0,
        lost_acknowledged_writes: acknowledged.1,
        aof_writes: aof.0,
        lost_aof_writes: aof.1,
        final_topology,
        failures: shared.failures(),
        kept_logs,
    }
}

/// The rounds: starts the watchdog, subscribers, acknowledged writer and workers, then alternates load with
/// faults and a quiescence check until the budget is spent or something failed; stops every thread.
fn drive(
    cluster: &mut Cluster<'_>,
    shared: &Shared,
    rng: &mut crate::rng::Rng,
    shas: &[String],
    options: &Options,
    started: Instant,
    rounds: &mut u64,
) {
    thread::scope(|scope| {
        spawn(scope, shared, "watchdog".into(), || {
            health::watchdog(shared)
        });
        for index in 0..SUBSCRIBERS {
            spawn(scope, shared, format!("subscriber-{index}"), move || {
                load::subscriber(shared, index)
            });
        }
        spawn(scope, shared, "acknowledged-writer".into(), || {
            load::acknowledged_writer(shared)
        });
        for index in 0..options.clients {
            spawn(scope, shared, format!("client-{index}"), move || {
                load::worker(shared, index, shas)
            });
        }

        let coordinated = panic::catch_unwind(AssertUnwindSafe(|| {
            rounds_loop(cluster, shared, rng, options, started, rounds)
        }));
        if let Err(payload) = coordinated {
            shared.fail(
                FailureKind::Harness,
                format!(
                    "the coordinator panicked: {}",
                    checks::panic_text(payload.as_ref())
                ),
            );
        }
        if shared.aborted() {
            // Clients blocked on a hung node get an error and end; the logs stay for the report.
            cluster.kill_all();
        }
        shared.control.stop();
    });
}

/// Rounds of load with faults, each ending at a quiescence check, while the budget lasts and nothing failed.
fn rounds_loop(
    cluster: &mut Cluster<'_>,
    shared: &Shared,
    rng: &mut crate::rng::Rng,
    options: &Options,
    started: Instant,
    rounds: &mut u64,
) {
    let participants = options.clients + 1;
    let round_length = options.round_length();
    let mut plan = faults::Plan::new(rng);
    while !shared.control.stopped() {
        if *rounds > 0 && started.elapsed() + round_length > options.duration {
            break;
        }
        *rounds += 1;
        println!(
            "torture: round {rounds} at {:.1} s: {}",
            started.elapsed().as_secs_f64(),
            cluster.topology().describe()
        );
        shared.control.start_round(*rounds);
        faults::run_round(
            cluster,
            shared,
            rng,
            &mut plan,
            Instant::now() + round_length,
        );
        let idle = shared.control.pause(participants, PAUSE_DEADLINE);
        if shared.aborted() {
            break;
        }
        if idle < participants {
            shared.fail(
                FailureKind::Hang,
                format!(
                    "{} of {participants} load threads were still busy {PAUSE_DEADLINE:?} after round {rounds} ended",
                    participants - idle
                ),
            );
            break;
        }
        checks::quiesce(cluster, shared, &format!("round {rounds}"));
        if shared.failed() {
            break;
        }
    }
}

/// Spawns a named thread of the run in `scope`; a panic in it is a harness failure (which aborts the run).
fn spawn<'scope>(
    scope: &'scope thread::Scope<'scope, '_>,
    shared: &'scope Shared,
    name: String,
    body: impl FnOnce() + Send + 'scope,
) {
    thread::Builder::new()
        .name(name.clone())
        .spawn_scoped(scope, move || {
            if let Err(payload) = panic::catch_unwind(AssertUnwindSafe(body)) {
                shared.fail(
                    FailureKind::Harness,
                    format!(
                        "thread {name} panicked: {}",
                        checks::panic_text(payload.as_ref())
                    ),
                );
            }
        })
        .expect("spawn a torture thread");
}
