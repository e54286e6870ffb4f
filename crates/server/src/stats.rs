//! [`Stats`]: counters shown by `INFO stats`.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Monotonic counters; relaxed atomics, since INFO needs no ordering between them.
#[derive(Debug, Default)]
pub struct Stats {
    /// `total_connections_received`.
    pub connections_received: AtomicU64,
    /// `total_commands_processed`.
    pub commands_processed: AtomicU64,
    /// `expired_keys`.
    pub expired_keys: AtomicU64,
    /// `sync_full`.
    pub sync_full: AtomicU64,
    /// `sync_partial_ok`.
    pub sync_partial_ok: AtomicU64,
    /// `sync_partial_err`.
    pub sync_partial_err: AtomicU64,
    /// `keyspace_hits`.
    pub keyspace_hits: AtomicU64,
    /// `keyspace_misses`.
    pub keyspace_misses: AtomicU64,
    /// `connected_clients` (a gauge).
    pub connected_clients: AtomicU64,
    /// Clients waiting in `WAIT` or `SHUTDOWN` (a gauge; `blocked_clients` adds those blocked on keys).
    pub blocked_waiting: AtomicU64,
    /// `total_net_input_bytes`.
    pub net_input_bytes: AtomicU64,
    /// `total_net_output_bytes`.
    pub net_output_bytes: AtomicU64,
}

impl Stats {
    /// Adds one.
    pub fn bump(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// Reads a counter.
    pub fn get(counter: &AtomicU64) -> u64 {
        counter.load(Ordering::Relaxed)
    }
}

impl Stats {
    /// `CONFIG RESETSTAT`: zeroes the counters (gauges such as connected clients stay).
    pub fn reset(&self) {
        for counter in [
            &self.connections_received,
            &self.commands_processed,
            &self.expired_keys,
            &self.sync_full,
            &self.sync_partial_ok,
            &self.sync_partial_err,
            &self.keyspace_hits,
            &self.keyspace_misses,
            &self.net_input_bytes,
            &self.net_output_bytes,
        ] {
            counter.store(0, Ordering::Relaxed);
        }
    }
}

/// Calls, time and failures of one command.
#[derive(Debug, Clone, Copy, Default)]
pub struct CommandStat {
    /// Times it ran.
    pub calls: u64,
    /// Total time spent in its handler.
    pub total: Duration,
    /// Calls that answered an error.
    pub failed: u64,
    /// Calls refused before running (wrong arity, refused by state such as `-READONLY`).
    pub rejected: u64,
}

/// Per-command statistics, kept in the core (commands run under its lock anyway).
#[derive(Debug, Clone, Default)]
pub struct CommandStats {
    by_name: BTreeMap<&'static str, CommandStat>,
}

impl CommandStats {
    /// Records one call.
    pub fn record(&mut self, name: &'static str, took: Duration, failed: bool) {
        let stat = self.by_name.entry(name).or_default();
        stat.calls += 1;
        stat.total += took;
        stat.failed += u64::from(failed);
    }

    /// Records that a call counted earlier ended in an error later (a blocked command served an error).
    pub fn record_failed(&mut self, name: &'static str) {
        self.by_name.entry(name).or_default().failed += 1;
    }

    /// Records a call refused before its handler ran.
    pub fn record_rejected(&mut self, name: &'static str) {
        self.by_name.entry(name).or_default().rejected += 1;
    }

    /// Every command that ran at least once, by name.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &CommandStat)> {
        self.by_name.iter().map(|(name, stat)| (*name, stat))
    }

    /// Forgets everything (`CONFIG RESETSTAT`).
    pub fn reset(&mut self) {
        self.by_name.clear();
    }
}

/// Redis keeps at most this many distinct error prefixes; later new ones are not tracked.
const MAX_ERROR_PREFIXES: usize = 128;

/// Error replies by their first word (`INFO errorstats`) and in total (`total_error_replies`).
#[derive(Debug, Clone, Default)]
pub struct ErrorStats {
    by_prefix: BTreeMap<String, u64>,
    total: u64,
}

impl ErrorStats {
    /// Counts `reply` if it is an error.
    pub fn record(&mut self, reply: &resp::Frame) {
        let resp::Frame::Error(text) = reply else {
            return;
        };
        self.total += 1;
        let prefix = text.split(|&b| b == b' ').next().unwrap_or_default();
        let prefix = String::from_utf8_lossy(prefix).into_owned();
        if let Some(count) = self.by_prefix.get_mut(&prefix) {
            *count += 1;
        } else if self.by_prefix.len() < MAX_ERROR_PREFIXES {
            self.by_prefix.insert(prefix, 1);
        }
    }

    /// Counts per prefix, in prefix order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, u64)> {
        self.by_prefix
            .iter()
            .map(|(prefix, count)| (prefix.as_str(), *count))
    }

    /// Every error reply since start (or `CONFIG RESETSTAT`).
    pub fn total(&self) -> u64 {
        self.total
    }

    /// Forgets everything (`CONFIG RESETSTAT`).
    pub fn reset(&mut self) {
        *self = ErrorStats::default();
    }
}
