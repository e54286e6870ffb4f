//! `INFO`: the sections Redis prints, with Redis 7.0's field names and order.

use std::fmt::Write;
use std::time::Instant;

use replication::ReplicaLinkState;

use crate::core::{Core, Role};
use crate::shared::Shared;
use crate::stats::Stats;

/// Every section, in Redis's order.
const ALL_SECTIONS: &[&str] = &[
    "server",
    "clients",
    "memory",
    "persistence",
    "stats",
    "replication",
    "cpu",
    "modules",
    "commandstats",
    "errorstats",
    "cluster",
    "keyspace",
];

/// Sections printed by a plain `INFO`, in order.
const DEFAULT_SECTIONS: &[&str] = &[
    "server",
    "clients",
    "memory",
    "persistence",
    "stats",
    "replication",
    "cpu",
    "modules",
    "errorstats",
    "cluster",
    "keyspace",
];

/// Renders the sections requested by `INFO [section ...]` (`all`, `everything`, `default` or names).
pub fn render(shared: &Shared, core: &Core, requested: &[String]) -> String {
    let everything = requested.iter().any(|s| s == "all" || s == "everything");
    let default = requested.is_empty() || requested.iter().any(|s| s == "default");
    let wanted: Vec<&str> = ALL_SECTIONS
        .iter()
        .copied()
        .filter(|section| {
            everything
                || (default && DEFAULT_SECTIONS.contains(section))
                || requested.iter().any(|r| r == section)
        })
        .collect();
    let mut out = String::new();
    for section in wanted {
        if !out.is_empty() {
            out.push_str("\r\n");
        }
        match section {
            "server" => server(shared, &mut out),
            "clients" => clients(shared, core, &mut out),
            "memory" => memory(core, &mut out),
            "persistence" => persistence(core, &mut out),
            "stats" => stats(shared, core, &mut out),
            "replication" => replication(shared, core, &mut out),
            "cpu" => out.push_str("# CPU\r\n"),
            // No modules can be loaded (`MODULE LOAD` is refused): the section is there and empty, as Redis's.
            "modules" => out.push_str("# Modules\r\n"),
            // No Redis Cluster: tools (redis-py's test harness among them) read `cluster_enabled` here.
            "cluster" => out.push_str("# Cluster\r\ncluster_enabled:0\r\n"),
            "commandstats" => commandstats(core, &mut out),
            "errorstats" => errorstats(core, &mut out),
            "keyspace" => keyspace(core, &mut out),
            _ => {}
        }
    }
    out
}

fn line(out: &mut String, name: &str, value: impl std::fmt::Display) {
    let _ = write!(out, "{name}:{value}\r\n");
}

fn server(shared: &Shared, out: &mut String) {
    out.push_str("# Server\r\n");
    line(out, "redis_version", "7.0.15");
    line(out, "redis_mode", "standalone");
    line(out, "os", std::env::consts::OS);
    line(out, "arch_bits", 64);
    line(out, "process_id", std::process::id());
    line(out, "run_id", &shared.run_id);
    line(out, "tcp_port", shared.port);
    let shutdown_in = shared
        .pending_shutdown
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .as_ref()
        .map_or(0, |(deadline, _)| {
            deadline
                .saturating_duration_since(Instant::now())
                .as_millis()
                .max(1)
        });
    line(out, "shutdown_in_milliseconds", shutdown_in);
    let uptime = shared.started.elapsed().as_secs();
    line(out, "uptime_in_seconds", uptime);
    line(out, "uptime_in_days", uptime / 86400);
    line(
        out,
        "executable",
        std::env::current_exe()
            .map(|p| p.display().to_string())
            .unwrap_or_default(),
    );
}

fn clients(shared: &Shared, core: &Core, out: &mut String) {
    out.push_str("# Clients\r\n");
    line(
        out,
        "connected_clients",
        Stats::get(&shared.stats.connected_clients),
    );
    line(
        out,
        "blocked_clients",
        core.blocking.len() as u64 + Stats::get(&shared.stats.blocked_waiting),
    );
}

fn memory(core: &Core, out: &mut String) {
    out.push_str("# Memory\r\n");
    let rss = resident_memory_bytes();
    line(out, "used_memory", rss);
    line(out, "used_memory_rss", rss);
    line(
        out,
        "mem_total_replication_buffers",
        core.repl.backlog().map_or(0, |b| b.histlen()),
    );
    line(out, "maxmemory", 0);
    line(out, "maxmemory_policy", "noeviction");
}

/// Resident set size from /proc, the honest measure of what the process uses.
fn resident_memory_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|text| {
            text.split_whitespace()
                .nth(1)
                .and_then(|pages| pages.parse::<u64>().ok())
        })
        .map_or(0, |pages| pages * 4096)
}

fn persistence(core: &Core, out: &mut String) {
    out.push_str("# Persistence\r\n");
    line(
        out,
        "loading",
        u8::from(core.persistence.loading == Some(false)),
    );
    line(
        out,
        "async_loading",
        u8::from(core.persistence.loading == Some(true)),
    );
    line(out, "rdb_changes_since_last_save", core.persistence.dirty);
    line(
        out,
        "rdb_bgsave_in_progress",
        u8::from(crate::persistence::snapshot_in_progress(core)),
    );
    line(out, "rdb_last_save_time", core.persistence.last_save_unix);
    line(
        out,
        "rdb_last_load_keys_expired",
        core.persistence.last_load_keys_expired,
    );
    line(
        out,
        "rdb_last_bgsave_status",
        if core.persistence.last_bgsave_ok {
            "ok"
        } else {
            "err"
        },
    );
    aof(core, out);
}

/// The AOF lines of `# Persistence`, in Redis 7.0's order (less the copy-on-write and module-fork figures,
/// which a forkless server does not have); the sizes only while the AOF is on, as in Redis.
fn aof(core: &Core, out: &mut String) {
    let aof = &core.aof;
    let ok_err = |ok: bool| if ok { "ok" } else { "err" };
    line(out, "aof_enabled", u8::from(aof.is_on()));
    line(
        out,
        "aof_rewrite_in_progress",
        u8::from(aof.rewrite_in_progress()),
    );
    line(
        out,
        "aof_rewrite_scheduled",
        u8::from(aof.rewrite_scheduled),
    );
    line(
        out,
        "aof_last_rewrite_time_sec",
        aof.stats.last_rewrite_secs,
    );
    line(
        out,
        "aof_current_rewrite_time_sec",
        aof.current_rewrite_secs(),
    );
    line(
        out,
        "aof_last_bgrewrite_status",
        ok_err(aof.stats.last_rewrite_ok),
    );
    line(out, "aof_rewrites", aof.stats.rewrites);
    line(
        out,
        "aof_rewrites_consecutive_failures",
        aof.stats.consecutive_failures,
    );
    line(
        out,
        "aof_last_write_status",
        ok_err(aof.stats.last_write_ok),
    );
    if aof.is_on() {
        line(out, "aof_current_size", aof.current_size());
        line(out, "aof_base_size", aof.base_size());
        line(out, "aof_pending_rewrite", u8::from(aof.rewrite_scheduled));
        line(out, "aof_buffer_length", aof.buffered());
        line(out, "aof_pending_bio_fsync", 0);
        line(out, "aof_delayed_fsync", 0);
    }
}

fn stats(shared: &Shared, core: &Core, out: &mut String) {
    let stats = &shared.stats;
    out.push_str("# Stats\r\n");
    line(
        out,
        "total_connections_received",
        Stats::get(&stats.connections_received),
    );
    line(
        out,
        "total_commands_processed",
        Stats::get(&stats.commands_processed),
    );
    line(
        out,
        "total_net_input_bytes",
        Stats::get(&stats.net_input_bytes),
    );
    line(
        out,
        "total_net_output_bytes",
        Stats::get(&stats.net_output_bytes),
    );
    line(out, "expired_keys", Stats::get(&stats.expired_keys));
    line(out, "keyspace_hits", Stats::get(&stats.keyspace_hits));
    line(out, "keyspace_misses", Stats::get(&stats.keyspace_misses));
    line(out, "sync_full", Stats::get(&stats.sync_full));
    line(out, "sync_partial_ok", Stats::get(&stats.sync_partial_ok));
    line(out, "sync_partial_err", Stats::get(&stats.sync_partial_err));
    line(out, "total_error_replies", core.error_stats.total());
}

fn errorstats(core: &Core, out: &mut String) {
    out.push_str("# Errorstats\r\n");
    for (prefix, count) in core.error_stats.iter() {
        let _ = write!(out, "errorstat_{prefix}:count={count}\r\n");
    }
}

/// The `# Replication` section, field for field as Redis 7.0 prints it.
pub fn replication(shared: &Shared, core: &Core, out: &mut String) {
    let config = shared.config();
    let now = Instant::now();
    out.push_str("# Replication\r\n");
    match &core.role {
        Role::Master => line(out, "role", "master"),
        Role::Replica(link) => {
            line(out, "role", "slave");
            line(out, "master_host", &link.host);
            line(out, "master_port", link.port);
            let up = link.state == ReplicaLinkState::Connected;
            line(out, "master_link_status", if up { "up" } else { "down" });
            let last_io = match (up, link.last_io) {
                (true, Some(last_io)) => now.duration_since(last_io).as_secs() as i64,
                _ => -1,
            };
            line(out, "master_last_io_seconds_ago", last_io);
            let syncing = link.state == ReplicaLinkState::Transfer;
            line(out, "master_sync_in_progress", u8::from(syncing));
            // Without a master or a cached one there is no position yet; Redis shows 1 then.
            let offset = if up || link.has_cached_master {
                core.applied_offset().0
            } else {
                1
            };
            line(out, "slave_read_repl_offset", offset);
            line(out, "slave_repl_offset", offset);
            if let (true, Some(transfer)) = (syncing, link.transfer) {
                line(out, "master_sync_total_bytes", transfer.total);
                line(out, "master_sync_read_bytes", transfer.read);
                line(
                    out,
                    "master_sync_left_bytes",
                    transfer.total as i64 - transfer.read as i64,
                );
                let percent = if transfer.total == 0 {
                    0.0
                } else {
                    transfer.read as f64 * 100.0 / transfer.total as f64
                };
                line(out, "master_sync_perc", format!("{percent:.2}"));
                line(
                    out,
                    "master_sync_last_io_seconds_ago",
                    now.duration_since(transfer.last_io).as_secs(),
                );
            }
            if !up {
                let down = link
                    .down_since
                    .map_or(-1, |since| now.duration_since(since).as_secs() as i64);
                line(out, "master_link_down_since_seconds", down);
            }
            line(out, "slave_priority", config.replica_priority);
            line(out, "slave_read_only", u8::from(config.replica_read_only));
            line(out, "replica_announced", u8::from(config.replica_announced));
        }
    }
    line(out, "connected_slaves", core.replicas.len());
    if config.min_replicas_to_write > 0 && config.min_replicas_max_lag > 0 {
        line(
            out,
            "min_slaves_good_slaves",
            core.replicas.good_count(config.min_replicas_max_lag),
        );
    }
    for (index, replica) in core.replicas.iter().enumerate() {
        let online = replica.state == replication::ReplicaSyncState::Online;
        let lag = if online {
            now.duration_since(replica.last_ack).as_secs()
        } else {
            0
        };
        let _ = write!(
            out,
            "slave{index}:ip={},port={},state={},offset={},lag={}\r\n",
            replica.ip,
            replica.listening_port,
            replica.state.info_name(),
            replica.ack_offset,
            lag
        );
    }
    line(
        out,
        "master_failover_state",
        core.failover
            .as_ref()
            .map_or("no-failover", |failover| failover.step.info_name()),
    );
    line(out, "master_replid", core.repl.replid());
    line(out, "master_replid2", core.repl.replid2());
    line(out, "master_repl_offset", core.repl.offset());
    line(out, "second_repl_offset", core.repl.second_replid_offset());
    match core.repl.backlog() {
        Some(backlog) => {
            line(out, "repl_backlog_active", 1);
            line(out, "repl_backlog_size", core.repl.backlog_size());
            line(
                out,
                "repl_backlog_first_byte_offset",
                backlog.first_byte_offset(),
            );
            line(out, "repl_backlog_histlen", backlog.histlen());
        }
        None => {
            line(out, "repl_backlog_active", 0);
            line(out, "repl_backlog_size", core.repl.backlog_size());
            line(out, "repl_backlog_first_byte_offset", 0);
            line(out, "repl_backlog_histlen", 0);
        }
    }
}

fn commandstats(core: &Core, out: &mut String) {
    out.push_str("# Commandstats\r\n");
    for (name, stat) in core.command_stats.iter() {
        let usec = stat.total.as_micros();
        let per_call = usec as f64 / stat.calls.max(1) as f64;
        let _ = write!(
            out,
            "cmdstat_{name}:calls={},usec={usec},usec_per_call={per_call:.2},rejected_calls={},failed_calls={}\r\n",
            stat.calls, stat.rejected, stat.failed
        );
    }
}

fn keyspace(core: &Core, out: &mut String) {
    out.push_str("# Keyspace\r\n");
    for (index, db) in core.keyspace.dbs() {
        if !db.is_empty() {
            let _ = write!(
                out,
                "db{index}:keys={},expires={},avg_ttl=0\r\n",
                db.len(),
                db.expires_len()
            );
        }
    }
}
