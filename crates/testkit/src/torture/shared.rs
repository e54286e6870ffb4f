//! What the run's threads share: the round [`Control`], the published [`Topology`], counters, the failure
//! list and the acknowledged-write log.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, RwLock};
use std::time::{Duration, Instant};

use super::commands::Family;
use super::health::Health;
use super::report::{Failure, FailureKind};
use crate::rng::Rng;

/// The nodes of the topology: a master, a replica of it, and a replica of that replica (at the start).
pub(super) const NODES: usize = 3;

/// Everything the threads of one run share.
pub(super) struct Shared {
    /// The run's seed (each thread derives its own generator from it).
    pub(super) seed: u64,
    /// Rounds, pauses, the end of the run.
    pub(super) control: Control,
    /// Which node is the master and who replicates whom, as the clients should see it.
    pub(super) view: RwLock<Topology>,
    /// Which nodes the watchdog may expect an answer from, their processes and logs.
    pub(super) health: Health,
    /// Commands, faults and other counts for the report.
    pub(super) stats: Stats,
    /// What failed so far.
    failures: Mutex<Vec<Failure>>,
    /// Set when the run cannot go on (a hang or a crash): the coordinator stops at once.
    aborted: AtomicBool,
    /// The acknowledged writer's log; see [`Acks`].
    pub(super) acks: Acks,
}

impl Shared {
    pub(super) fn new(seed: u64, ports: [u16; NODES]) -> Shared {
        Shared {
            seed,
            control: Control::default(),
            view: RwLock::new(Topology::initial(ports)),
            health: Health::new(ports),
            stats: Stats::default(),
            failures: Mutex::new(Vec::new()),
            aborted: AtomicBool::new(false),
            acks: Acks::default(),
        }
    }

    /// A generator for one thread (`stream` names the thread), derived from the seed.
    pub(super) fn rng(&self, stream: u64) -> Rng {
        let mut rng = Rng::new(self.seed ^ stream.wrapping_mul(0x9e37_79b9_7f4a_7c15));
        rng.next_u64();
        rng
    }

    /// A copy of the published topology.
    pub(super) fn topology(&self) -> Topology {
        self.view
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    /// Records a failure; a hang, a crash or a harness failure also aborts the run. After an abort, what
    /// fails next is usually its consequence (a heal that cannot reach the hung node): only a note then, unless
    /// it is itself a hang, a crash or a log problem.
    pub(super) fn fail(&self, kind: FailureKind, detail: impl Into<String>) {
        let failure = Failure {
            kind,
            detail: detail.into(),
        };
        if self.aborted()
            && !matches!(
                kind,
                FailureKind::Hang | FailureKind::Crash | FailureKind::LogProblem
            )
        {
            let first_line = failure.to_string();
            let first_line = first_line.lines().next().unwrap_or_default();
            self.stats.note(format!("after the abort: {first_line}"));
            return;
        }
        eprintln!("torture: FAILURE {failure}");
        lock(&self.failures).push(failure);
        if matches!(
            kind,
            FailureKind::Hang | FailureKind::Crash | FailureKind::Harness
        ) {
            self.aborted.store(true, Ordering::SeqCst);
            self.control.stop();
        }
    }

    /// Whether a hang or crash ended the run.
    pub(super) fn aborted(&self) -> bool {
        self.aborted.load(Ordering::SeqCst)
    }

    /// Whether anything failed so far.
    pub(super) fn failed(&self) -> bool {
        !lock(&self.failures).is_empty()
    }

    /// The failures so far.
    pub(super) fn failures(&self) -> Vec<Failure> {
        lock(&self.failures).clone()
    }
}

/// A mutex's guard, also after a thread panicked while holding it (every update is a plain assignment or
/// push, so the data stays consistent).
pub(super) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The replication tree: node `master`, and for every other node the node it replicates (`upstream`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Topology {
    /// Each node's port (fixed for the run, also across restarts).
    pub(super) ports: [u16; NODES],
    /// The master's index.
    pub(super) master: usize,
    /// Whom each node replicates; `None` for the master.
    pub(super) upstream: [Option<usize>; NODES],
    /// How many times each node became the master: a write it acknowledged belongs to its current stint.
    pub(super) stints: [u64; NODES],
}

impl Topology {
    /// Node 0 is the master, node 1 its replica, node 2 the replica of node 1.
    fn initial(ports: [u16; NODES]) -> Topology {
        Topology {
            ports,
            master: 0,
            upstream: [None, Some(0), Some(1)],
            stints: [1, 0, 0],
        }
    }

    /// The master's port.
    pub(super) fn master_port(&self) -> u16 {
        self.ports[self.master]
    }

    /// Every node but the master.
    pub(super) fn replicas(&self) -> Vec<usize> {
        (0..NODES).filter(|&node| node != self.master).collect()
    }

    /// The nodes replicating `node` directly.
    pub(super) fn children(&self, node: usize) -> Vec<usize> {
        (0..NODES)
            .filter(|&other| self.upstream[other] == Some(node))
            .collect()
    }

    /// Whether `node` is `ancestor` or replicates it, directly or through others.
    pub(super) fn descends_from(&self, node: usize, ancestor: usize) -> bool {
        let mut current = Some(node);
        for _ in 0..=NODES {
            match current {
                Some(found) if found == ancestor => return true,
                Some(found) => current = self.upstream[found],
                None => return false,
            }
        }
        false
    }

    /// The node listening on `port`.
    pub(super) fn node_of(&self, port: u16) -> Option<usize> {
        self.ports.iter().position(|&candidate| candidate == port)
    }

    /// The tree as text: `n0 (master) <- n1 <- n2`.
    pub(super) fn describe(&self) -> String {
        let mut parts = vec![format!("n{} master", self.master)];
        for node in self.replicas() {
            if let Some(upstream) = self.upstream[node] {
                parts.push(format!("n{node} <- n{upstream}"));
            }
        }
        parts.join(", ")
    }
}

/// Rounds of load: the coordinator starts a round, pauses it for the quiescence check (waiting until every
/// load thread is idle), and finally stops everything. Also the pacing every thread uses between actions, so
/// that a stop wakes it at once.
#[derive(Default)]
pub(super) struct Control {
    state: Mutex<ControlState>,
    changed: Condvar,
    /// The round the load threads should be running now; 0 while paused or stopped.
    current: AtomicU64,
    stopped: AtomicBool,
}

#[derive(Default)]
struct ControlState {
    round: u64,
    running: bool,
    stopped: bool,
    idle: usize,
}

impl Control {
    /// Starts round `round` (numbered from 1).
    pub(super) fn start_round(&self, round: u64) {
        let mut state = lock(&self.state);
        state.round = round;
        state.running = !state.stopped;
        state.idle = 0;
        if state.running {
            self.current.store(round, Ordering::SeqCst);
        }
        self.changed.notify_all();
    }

    /// Ends the running round and waits (at most `deadline`) until `participants` threads said they are idle;
    /// returns how many did.
    pub(super) fn pause(&self, participants: usize, deadline: Duration) -> usize {
        let until = Instant::now() + deadline;
        let mut state = lock(&self.state);
        state.running = false;
        self.current.store(0, Ordering::SeqCst);
        self.changed.notify_all();
        while state.idle < participants {
            let now = Instant::now();
            if now >= until {
                break;
            }
            state = self
                .changed
                .wait_timeout(state, until - now)
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .0;
        }
        state.idle
    }

    /// Ends the run: every thread leaves its loop.
    pub(super) fn stop(&self) {
        let mut state = lock(&self.state);
        state.stopped = true;
        state.running = false;
        self.stopped.store(true, Ordering::SeqCst);
        self.current.store(0, Ordering::SeqCst);
        self.changed.notify_all();
    }

    /// Whether the run is over.
    pub(super) fn stopped(&self) -> bool {
        self.stopped.load(Ordering::SeqCst)
    }

    /// For a load thread: waits for a round after `last`; `None` once the run is over.
    pub(super) fn next_round(&self, last: u64) -> Option<u64> {
        let mut state = lock(&self.state);
        loop {
            if state.stopped {
                return None;
            }
            if state.running && state.round > last {
                return Some(state.round);
            }
            state = self
                .changed
                .wait(state)
                .unwrap_or_else(|poisoned| poisoned.into_inner());
        }
    }

    /// For a load thread: whether round `round` is still running.
    pub(super) fn running(&self, round: u64) -> bool {
        self.current.load(Ordering::Relaxed) == round
    }

    /// For a load thread: it has left its round.
    pub(super) fn idle(&self) {
        lock(&self.state).idle += 1;
        self.changed.notify_all();
    }

    /// Waits `duration` or until the run stops, whichever comes first; returns false if it stopped. This is
    /// the harness pacing itself (between faults, before a reconnect), not a test waiting for a server.
    pub(super) fn pace(&self, duration: Duration) -> bool {
        let until = Instant::now() + duration;
        let mut state = lock(&self.state);
        loop {
            if state.stopped {
                return false;
            }
            let now = Instant::now();
            if now >= until {
                return true;
            }
            state = self
                .changed
                .wait_timeout(state, until - now)
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .0;
        }
    }
}

/// Counters for the report.
#[derive(Default)]
pub(super) struct Stats {
    commands: [AtomicU64; Family::ALL.len()],
    faults: Mutex<BTreeMap<String, u64>>,
    notes: Mutex<Vec<String>>,
    /// Connections re-established after an error.
    pub(super) reconnects: AtomicU64,
    /// Error replies (WRONGTYPE, READONLY, BUSY, ...): expected, counted for the record.
    pub(super) error_replies: AtomicU64,
    /// Pub/sub messages the subscribers received.
    pub(super) messages: AtomicU64,
}

impl Stats {
    /// One command of `family` was sent.
    pub(super) fn command(&self, family: Family) {
        self.commands[family as usize].fetch_add(1, Ordering::Relaxed);
    }

    /// Commands sent per family.
    pub(super) fn commands(&self) -> BTreeMap<&'static str, u64> {
        Family::ALL
            .iter()
            .map(|family| {
                (
                    family.name(),
                    self.commands[*family as usize].load(Ordering::Relaxed),
                )
            })
            .collect()
    }

    /// One fault (or outcome of one, e.g. `failover (aborted)`) happened.
    pub(super) fn fault(&self, name: impl Into<String>) {
        *lock(&self.faults).entry(name.into()).or_insert(0) += 1;
    }

    /// Faults per kind.
    pub(super) fn faults(&self) -> BTreeMap<String, u64> {
        lock(&self.faults).clone()
    }

    /// A remark for the report (a refused fault, a skipped one and why); the first 20 are kept.
    pub(super) fn note(&self, note: impl Into<String>) {
        let mut notes = lock(&self.notes);
        if notes.len() < 20 {
            notes.push(note.into());
        }
    }

    /// The remarks.
    pub(super) fn notes(&self) -> Vec<String> {
        lock(&self.notes).clone()
    }
}

/// The acknowledged writer's log (invariants 3 and 5).
#[derive(Default)]
pub(super) struct Acks {
    /// Held by the writer around each `SET` + `WAIT`, and by a fault that changes the master, so that no
    /// acknowledgement is in flight while the master is replaced.
    pub(super) gate: Mutex<()>,
    log: Mutex<AckLog>,
}

#[derive(Default)]
struct AckLog {
    /// `ack:<n>` keys whose `WAIT` reported every direct replica of the master.
    acknowledged: Vec<u64>,
    /// `(node, stint, n)`: `SET ack:<n>` answered `+OK` by `node` during its `stint` as master.
    accepted: Vec<(usize, u64, u64)>,
}

impl Acks {
    /// `SET ack:<n>` got `+OK` from `node` in its `stint`.
    pub(super) fn accepted(&self, node: usize, stint: u64, n: u64) {
        lock(&self.log).accepted.push((node, stint, n));
    }

    /// `WAIT` after `SET ack:<n>` reported every direct replica.
    pub(super) fn acknowledged(&self, n: u64) {
        lock(&self.log).acknowledged.push(n);
    }

    /// Every acknowledged `n`.
    pub(super) fn all_acknowledged(&self) -> Vec<u64> {
        lock(&self.log).acknowledged.clone()
    }

    /// The `n`s `node` accepted during `stint`.
    pub(super) fn accepted_by(&self, node: usize, stint: u64) -> Vec<u64> {
        lock(&self.log)
            .accepted
            .iter()
            .filter(|(by, in_stint, _)| *by == node && *in_stint == stint)
            .map(|(_, _, n)| *n)
            .collect()
    }
}

/// The key the acknowledged writer writes for `n`, in [`ACK_DB`].
pub(super) fn ack_key(n: u64) -> String {
    format!("ack:{n}")
}

/// The database of the acknowledged writes: no load command selects, flushes or swaps it.
pub(super) const ACK_DB: u32 = 9;
