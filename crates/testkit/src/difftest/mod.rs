//! The differential proof of issue 3: one long seeded sequence of commands over every data type (with
//! expiries, transactions and WATCH from a second connection), sent
//! - to `rserver` and to a real `redis-server`, compared reply by reply, then data set against data set
//!   ([`against_redis`]);
//! - to an `rserver` master with an `rserver` replica, whose data set (and `DEBUG DIGEST`) must equal the
//!   master's once their offsets agree ([`through_replica`]).
//!
//! Shared by `cargo xtask difftest --seed N --ops M` and the CI test `server/tests/it/difftest.rs`.
//! [`Generator`] makes the sequence (it depends only on the seed); the [`Check`] of each op says what may
//! differ between two correct servers (hash-table order, TTL values, random picks) and nothing else does.

mod collections;
mod compare;
mod generate;
mod runner;
mod scalar;
mod streams;

use std::collections::BTreeMap;
use std::fmt::{self, Write as _};
use std::path::Path;

use resp::Frame;

pub use compare::{escape, show_command};
pub use generate::{Args, Check, Family, Features, Generator, IntoArg, Op};

use crate::config::NodeConfig;
use crate::dataset::Dataset;
use crate::node::Node;
use crate::ports::free_ports;
use crate::waits::{wait_for_ofs_sync, wait_for_sync};
use runner::{Outcome, Target, compare};

/// What to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// The generator's seed: the same seed gives the same sequence.
    pub seed: u64,
    /// How many ops to send (a transaction's WATCH, MULTI, queued commands and EXEC count one each).
    pub ops: usize,
    /// Continue after the first reply mismatch (later ones are often its consequences).
    pub keep_going: bool,
}

/// The stream node limits a run's servers get, by seed: Redis's defaults (100 entries or 4096 bytes a node),
/// or limits that small streams already cross, so node splits, whole-node trims (`~`), emptied nodes and the
/// radix-tree counts of `XINFO STREAM` are exercised without long streams.
pub fn stream_node_config(seed: u64) -> Option<(&'static str, &'static str)> {
    match seed % 3 {
        0 => None,
        1 => Some(("stream-node-max-entries", "4")),
        _ => Some(("stream-node-max-bytes", "300")),
    }
}

/// One reply that differs between the two servers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    /// The op's position in the sequence (0-based): `--ops index+1` reproduces it as the last op.
    pub index: usize,
    /// The op's family.
    pub family: Family,
    /// The connection it went on (1: the one touching WATCHed keys).
    pub connection: usize,
    /// The command as sent, escaped.
    pub command: String,
    /// How the replies were compared and both of them, escaped.
    pub detail: String,
}

/// What a leg did and found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// Which leg: "rserver vs redis-server" or "rserver master -> rserver replica".
    pub leg: String,
    /// The directive both servers ran with beyond the defaults ([`stream_node_config`]), if any.
    pub config: Option<(&'static str, &'static str)>,
    /// The options it ran with.
    pub options: Options,
    /// Ops sent (fewer than asked when it stopped at a mismatch).
    pub ops_run: usize,
    /// Ops sent per family.
    pub per_family: BTreeMap<Family, usize>,
    /// Ops the reference (redis-server, or the master) answered with an error, `WRONGTYPE` included: a
    /// measure of how much of the sequence reached the data.
    pub error_replies: usize,
    /// Replies that differ (always empty for the replication leg, which compares no replies).
    pub mismatches: Vec<Mismatch>,
    /// Keys in the (left) data set at the end.
    pub keys_compared: usize,
    /// Differences between the two final data sets (values, TTL presence, encodings, digests).
    pub data_differences: Vec<String>,
    /// An error that ended the run early (a lost connection, say).
    pub failure: Option<String>,
}

impl Report {
    /// No mismatch, no data difference, no failure.
    pub fn passed(&self) -> bool {
        self.mismatches.is_empty() && self.data_differences.is_empty() && self.failure.is_none()
    }

    /// The command reproducing the first problem: the sequence up to the first mismatch, or the whole run.
    pub fn reproduction(&self) -> String {
        let ops = self
            .mismatches
            .first()
            .map_or(self.options.ops, |mismatch| mismatch.index + 1);
        format!(
            "cargo xtask difftest --seed {} --ops {ops}",
            self.options.seed
        )
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verdict = if self.passed() { "PASS" } else { "FAIL" };
        let config = self
            .config
            .map_or(String::new(), |(name, value)| format!(", {name} {value}"));
        writeln!(
            f,
            "{verdict} {} (seed {}, {} of {} ops{config})",
            self.leg, self.options.seed, self.ops_run, self.options.ops
        )?;
        let families: Vec<String> = Family::ALL
            .iter()
            .map(|family| {
                let count = self.per_family.get(family).copied().unwrap_or(0);
                format!("{} {count}", family.name())
            })
            .collect();
        writeln!(f, "  ops per family: {}", families.join(", "))?;
        writeln!(
            f,
            "  error replies: {} of {} ops",
            self.error_replies, self.ops_run
        )?;
        for mismatch in &self.mismatches {
            writeln!(
                f,
                "  mismatch at op #{} ({}, client {}): {}\n    {}",
                mismatch.index,
                mismatch.family.name(),
                mismatch.connection,
                mismatch.command,
                mismatch.detail
            )?;
        }
        if let Some(failure) = &self.failure {
            writeln!(f, "  run failed: {failure}")?;
        }
        if self.data_differences.is_empty() {
            writeln!(f, "  data sets equal ({} keys)", self.keys_compared)?;
        } else {
            writeln!(
                f,
                "  data sets differ ({} keys on the left):",
                self.keys_compared
            )?;
            for difference in &self.data_differences {
                writeln!(f, "    {difference}")?;
            }
        }
        if !self.passed() {
            writeln!(f, "  reproduce: {}", self.reproduction())?;
        }
        Ok(())
    }
}

/// Runs the sequence on a fresh `rserver` (binary `rserver`) and a fresh `redis-server` (binary `redis`),
/// comparing every reply, then both data sets and every key's `OBJECT ENCODING`.
pub fn against_redis(rserver: &Path, redis: &Path, options: &Options) -> Report {
    let [rserver_port, redis_port] = free_ports::<2>();
    let config =
        |port: u16| with_stream_config(NodeConfig::new(port).with("save", "\"\""), options);
    let subject = Node::start(rserver, config(rserver_port));
    let reference = Node::start(redis, config(redis_port));
    let features = features_of(&subject);
    let mut report = Report::new("rserver vs redis-server", options);
    let mut targets = [Target::new(subject.port()), Target::new(reference.port())];
    let mut generator = Generator::new(options.seed, features);
    let mut index = 0;
    'sequence: while index < options.ops {
        for op in generator.next_block() {
            if index == options.ops {
                break 'sequence;
            }
            *report.per_family.entry(op.family).or_default() += 1;
            report.ops_run += 1;
            let outcomes: Result<Vec<Outcome>, String> =
                targets.iter_mut().map(|target| target.run(&op)).collect();
            let outcomes = match outcomes {
                Ok(outcomes) => outcomes,
                Err(error) => {
                    report.failure = Some(format!("op #{index}: {error}"));
                    break 'sequence;
                }
            };
            if matches!(outcomes[1].reply, Frame::Error(_)) {
                report.error_replies += 1;
            }
            if let Err(detail) = compare(&op, ["rserver", "redis"], [&outcomes[0], &outcomes[1]]) {
                let mismatch = Mismatch {
                    index,
                    family: op.family,
                    connection: op.connection,
                    command: show_command(&outcomes[1].sent),
                    detail,
                };
                report.mismatches.push(mismatch);
                if !options.keep_going {
                    break 'sequence;
                }
            }
            index += 1;
        }
    }
    compare_data(&mut report, &subject, &reference, false);
    report
}

/// Runs the sequence on an `rserver` master with one `rserver` replica attached before it starts, waits for
/// equal offsets, then compares the two data sets, every key's encoding and `DEBUG DIGEST`.
pub fn through_replica(rserver: &Path, options: &Options) -> Report {
    let [master_port, replica_port] = free_ports::<2>();
    let config = |port: u16| {
        let config = NodeConfig::new(port)
            .with("save", "\"\"")
            .with("enable-debug-command", "yes");
        with_stream_config(config, options)
    };
    let master = Node::start(rserver, config(master_port));
    let replica = Node::start(rserver, config(replica_port).replica_of(master_port));
    wait_for_sync(&replica);
    let mut report = Report::new("rserver master -> rserver replica", options);
    let mut target = Target::new(master.port());
    let mut generator = Generator::new(options.seed, features_of(&master));
    'sequence: while report.ops_run < options.ops {
        for op in generator.next_block() {
            if report.ops_run == options.ops {
                break 'sequence;
            }
            match target.run(&op) {
                Ok(outcome) if matches!(outcome.reply, Frame::Error(_)) => {
                    report.error_replies += 1
                }
                Ok(_) => {}
                Err(error) => {
                    report.failure = Some(format!("op #{}: {error}", report.ops_run));
                    break 'sequence;
                }
            }
            *report.per_family.entry(op.family).or_default() += 1;
            report.ops_run += 1;
        }
    }
    wait_for_ofs_sync(&master, &replica);
    compare_data(&mut report, &master, &replica, true);
    report
}

/// `config` with the seed's stream node limits ([`stream_node_config`]).
fn with_stream_config(config: NodeConfig, options: &Options) -> NodeConfig {
    match stream_node_config(options.seed) {
        Some((name, value)) => config.with(name, value),
        None => config,
    }
}

impl Report {
    fn new(leg: &str, options: &Options) -> Report {
        Report {
            leg: leg.to_owned(),
            config: stream_node_config(options.seed),
            options: *options,
            ops_run: 0,
            per_family: BTreeMap::new(),
            error_replies: 0,
            mismatches: Vec::new(),
            keys_compared: 0,
            data_differences: Vec::new(),
            failure: None,
        }
    }
}

/// Which optional commands `node` has (the sequence depends on it: print a sequence with the features of
/// the server it ran on).
pub fn features_of(node: &Node) -> Features {
    let knows = |name: &str| match node.cmd(&["COMMAND", "INFO", name]) {
        Frame::Array(infos) => {
            matches!(infos.as_slice(), [Frame::Array(fields)] if !fields.is_empty())
        }
        _ => false,
    };
    Features {
        bzpop: knows("bzpopmin") && knows("bzpopmax"),
    }
}

/// Compares the data sets of `left` and `right` (and every key's `OBJECT ENCODING`; with `digest`, also
/// `DEBUG DIGEST`), recording the differences in `report`. `digest` means a master and its replica: what
/// Redis 7.0 itself does not replicate exactly (a stream group's read counter, consumers owning nothing,
/// delivery counts) is left out of the data sets.
fn compare_data(report: &mut Report, left: &Node, right: &Node, digest: bool) {
    const SHOWN: usize = 20;
    let (mut left_data, mut right_data) = (Dataset::dump(left), Dataset::dump(right));
    if digest {
        left_data = left_data.without_replica_stream_drift();
        right_data = right_data.without_replica_stream_drift();
    }
    report.keys_compared = left_data.len();
    report.data_differences = left_data.differences(&right_data, SHOWN);
    let mut encodings = Vec::new();
    let (mut left_client, mut right_client) = (left.client(), right.client());
    for (db, key) in left_data.keys() {
        let encoding_of = |client: &mut crate::client::Client| {
            client.cmd(&["SELECT", &db.to_string()]);
            client.cmd(&[b"OBJECT".as_slice(), b"ENCODING", key])
        };
        let (left_encoding, right_encoding) = (
            encoding_of(&mut left_client),
            encoding_of(&mut right_client),
        );
        if left_encoding == right_encoding {
            continue;
        }
        // A replica re-encodes strings written by rewritten commands (INCRBYFLOAT arrives as SET ... KEEPTTL,
        // which picks int/embstr/raw from the bytes), exactly as a Redis replica does: only collection
        // encodings must agree between master and replica.
        let string_encodings = [&b"int"[..], b"embstr", b"raw"];
        let both_strings = matches!((&left_encoding, &right_encoding),
            (Frame::Bulk(left), Frame::Bulk(right))
                if string_encodings.contains(&left.as_ref()) && string_encodings.contains(&right.as_ref()));
        if digest && both_strings {
            continue;
        }
        let mut line = format!("db{db} {}: OBJECT ENCODING ", escape(key));
        write!(line, "{left_encoding:?} != {right_encoding:?}").expect("write to a String");
        if encodings.len() < SHOWN {
            encodings.push(line);
        }
    }
    report.data_differences.extend(encodings);
    if digest {
        let (left_digest, right_digest) = (
            left.cmd(&["DEBUG", "DIGEST"]),
            right.cmd(&["DEBUG", "DIGEST"]),
        );
        if left_digest != right_digest {
            report
                .data_differences
                .push(format!("DEBUG DIGEST {left_digest:?} != {right_digest:?}"));
        }
    }
}
