//! [`Report`]: what a torture run did (rounds, commands per family, faults per kind) and found (every
//! [`Failure`]), printed as the run's summary, ending in `PASS` or `FAIL` and, on failure, the command that
//! runs the same seed again.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

/// What kind of invariant a [`Failure`] broke.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum FailureKind {
    /// At a quiescence point a replica's data differed from its master's, or it never caught up (invariant 2).
    Divergence,
    /// A node did not answer PING in time, or a client's request got no reply (invariant 1).
    Hang,
    /// A node's process died without being killed by the run.
    Crash,
    /// A write every replica acknowledged (`WAIT`) is missing on the final master (invariant 3).
    LostAcknowledgedWrite,
    /// A write the final master accepted is missing after its clean restart with the AOF on (invariant 5).
    LostAofWrite,
    /// A node's log has a panic, a `CRITICAL` line or a crash report (invariant 4).
    LogProblem,
    /// A fault's command was refused or failed where Redis accepts it (e.g. `CLIENT KILL TYPE pubsub`).
    Fault,
    /// The harness itself failed (setup, a thread panicked): the run proves nothing.
    Harness,
}

impl FailureKind {
    /// The kind's name in the report.
    pub fn name(self) -> &'static str {
        match self {
            FailureKind::Divergence => "divergence",
            FailureKind::Hang => "hang",
            FailureKind::Crash => "crash",
            FailureKind::LostAcknowledgedWrite => "lost acknowledged writes",
            FailureKind::LostAofWrite => "lost AOF writes",
            FailureKind::LogProblem => "log problem",
            FailureKind::Fault => "fault refused",
            FailureKind::Harness => "harness",
        }
    }
}

/// One broken invariant, with what was observed (for a hang: thread stacks and the node's log tail).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// Which invariant.
    pub kind: FailureKind,
    /// What happened, with enough detail to start debugging.
    pub detail: String,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}] {}", self.kind.name(), self.detail)
    }
}

/// The outcome of one run; `Display` prints the summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// The seed.
    pub seed: u64,
    /// The server binary the nodes ran.
    pub binary: PathBuf,
    /// The time budget asked for.
    pub duration: Duration,
    /// Load threads.
    pub clients: usize,
    /// How long the run took, final checks included.
    pub elapsed: Duration,
    /// Rounds of load and faults, each ending in a quiescence check.
    pub rounds: u64,
    /// Commands sent, per family.
    pub commands: BTreeMap<&'static str, u64>,
    /// Faults injected, per kind (and outcome, e.g. `failover (aborted)`).
    pub faults: BTreeMap<String, u64>,
    /// Remarks: faults skipped or refused and why, repairs of the topology.
    pub notes: Vec<String>,
    /// Pub/sub messages the subscribers received.
    pub messages: u64,
    /// Connections re-established after errors.
    pub reconnects: u64,
    /// Error replies the load got (WRONGTYPE, READONLY, BUSY, ...; expected).
    pub error_replies: u64,
    /// Writes every replica acknowledged, checked on the final master.
    pub acknowledged_writes: usize,
    /// How many of them were missing.
    pub lost_acknowledged_writes: usize,
    /// Writes the final master accepted, checked after its clean restart.
    pub aof_writes: usize,
    /// How many of them were missing.
    pub lost_aof_writes: usize,
    /// The replication tree at the end.
    pub final_topology: String,
    /// Everything that failed.
    pub failures: Vec<Failure>,
    /// Where the nodes' logs were copied when the run failed.
    pub kept_logs: Option<PathBuf>,
}

impl Report {
    /// Whether every invariant held.
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }

    /// How many failures of `kind` there were.
    pub fn count(&self, kind: FailureKind) -> usize {
        self.failures
            .iter()
            .filter(|failure| failure.kind == kind)
            .count()
    }

    /// Commands sent over all families.
    pub fn commands_total(&self) -> u64 {
        self.commands.values().sum()
    }

    /// Faults injected over all kinds.
    pub fn faults_total(&self) -> u64 {
        self.faults.values().sum()
    }

    /// The command that runs the same seed and budget again (`--server-bin` unless the binary is `rserver`).
    pub fn reproduction(&self) -> String {
        let mut command = format!(
            "cargo xtask torture --seed {} --duration {} --clients {}",
            self.seed,
            self.duration.as_secs(),
            self.clients
        );
        if self.binary.file_name().is_none_or(|name| name != "rserver") {
            command.push_str(&format!(" --server-bin {}", self.binary.display()));
        }
        command
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "torture: seed {}, budget {} s ({:.1} s elapsed), {} clients, {}",
            self.seed,
            self.duration.as_secs(),
            self.elapsed.as_secs_f64(),
            self.clients,
            self.binary.display()
        )?;
        writeln!(f, "rounds: {}", self.rounds)?;
        let families: Vec<String> = self
            .commands
            .iter()
            .map(|(family, count)| format!("{family} {count}"))
            .collect();
        writeln!(
            f,
            "commands: {} ({})",
            self.commands_total(),
            families.join(", ")
        )?;
        let faults: Vec<String> = self
            .faults
            .iter()
            .map(|(fault, count)| format!("{fault} {count}"))
            .collect();
        writeln!(f, "faults: {} ({})", self.faults_total(), faults.join(", "))?;
        writeln!(
            f,
            "pub/sub messages received: {}, reconnects: {}, error replies: {}",
            self.messages, self.reconnects, self.error_replies
        )?;
        for note in &self.notes {
            writeln!(f, "note: {note}")?;
        }
        writeln!(f, "final topology: {}", self.final_topology)?;
        writeln!(f, "divergences: {}", self.count(FailureKind::Divergence))?;
        writeln!(
            f,
            "hangs: {}, crashes: {}",
            self.count(FailureKind::Hang),
            self.count(FailureKind::Crash)
        )?;
        writeln!(
            f,
            "lost acknowledged writes: {} of {}",
            self.lost_acknowledged_writes, self.acknowledged_writes
        )?;
        writeln!(
            f,
            "lost AOF writes after a clean restart: {} of {}",
            self.lost_aof_writes, self.aof_writes
        )?;
        writeln!(
            f,
            "log problems: {}, refused faults: {}, harness failures: {}",
            self.count(FailureKind::LogProblem),
            self.count(FailureKind::Fault),
            self.count(FailureKind::Harness)
        )?;
        for failure in &self.failures {
            writeln!(f, "FAILURE {failure}")?;
        }
        if let Some(logs) = &self.kept_logs {
            writeln!(f, "node logs kept in {}", logs.display())?;
        }
        if self.passed() {
            writeln!(f, "PASS")
        } else {
            writeln!(f, "reproduce with: {}", self.reproduction())?;
            writeln!(f, "FAIL")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(binary: &str) -> Report {
        Report {
            seed: 7,
            binary: PathBuf::from(binary),
            duration: Duration::from_secs(40),
            clients: 32,
            elapsed: Duration::from_secs(44),
            rounds: 2,
            commands: BTreeMap::from([("strings", 10), ("lists", 5)]),
            faults: BTreeMap::from([("cut".to_string(), 2)]),
            notes: Vec::new(),
            messages: 0,
            reconnects: 0,
            error_replies: 0,
            acknowledged_writes: 3,
            lost_acknowledged_writes: 0,
            aof_writes: 4,
            lost_aof_writes: 0,
            final_topology: "n0 master".to_string(),
            failures: Vec::new(),
            kept_logs: None,
        }
    }

    #[test]
    fn a_clean_run_passes_and_a_failed_one_says_how_to_reproduce_it() {
        let mut report = report("/repo/target/debug/rserver");
        let text = report.to_string();
        assert!(
            text.contains("commands: 15 (lists 5, strings 10)"),
            "{text}"
        );
        assert!(text.ends_with("PASS\n"), "{text}");
        report.failures.push(Failure {
            kind: FailureKind::Hang,
            detail: "n1 did not answer".to_string(),
        });
        let text = report.to_string();
        assert!(text.contains("hangs: 1, crashes: 0"), "{text}");
        assert!(
            text.contains(
                "reproduce with: cargo xtask torture --seed 7 --duration 40 --clients 32\nFAIL\n"
            ),
            "{text}"
        );
        assert_eq!(
            super::Report::reproduction(&self::report("/usr/bin/redis-server")),
            "cargo xtask torture --seed 7 --duration 40 --clients 32 --server-bin /usr/bin/redis-server"
        );
    }
}
