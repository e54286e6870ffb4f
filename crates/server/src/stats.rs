//! [`Stats`]: counters shown by `INFO stats`.

use std::sync::atomic::{AtomicU64, Ordering};

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
