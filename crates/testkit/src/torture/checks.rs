//! The checks at quiescence and at the end of a run: every replica's data equals its master's (invariant 2,
//! `DEBUG DIGEST`, then a key-by-key [`Dataset`] comparison naming what differs), the acknowledged writes are
//! on the final master (invariant 3), the writes it accepted survive its clean restart (invariant 5), and
//! no node's log has a panic or a `CRITICAL` line (invariant 4).

use std::panic::{self, AssertUnwindSafe};
use std::path::PathBuf;
use std::time::Duration;

use resp::Frame;

use super::cluster::{Cluster, SYNC_DEADLINE};
use super::conn::show_frame;
use super::health::log_problems;
use super::report::FailureKind;
use super::shared::{ACK_DB, NODES, Shared, ack_key};
use crate::client::{Client, info_field_in};
use crate::dataset::Dataset;
use crate::wait::poll_until;

/// How long digests may keep differing while the offsets agree (a master's active expiry deletes keys, and
/// its `DEL`s reach the replicas a moment later).
const DIGEST_DEADLINE: Duration = Duration::from_secs(20);

/// Writes the final master takes just before its clean restart.
const FINAL_WRITES: u64 = 200;

/// Commands pipelined at once when checking keys.
const BATCH: usize = 256;

/// Heals the links, waits until every replica is at its master's offset and compares the digests; on a
/// difference records a divergence with the first differing keys. Returns whether the data agreed.
pub(super) fn quiesce(cluster: &mut Cluster<'_>, shared: &Shared, label: &str) -> bool {
    if let Err(error) = cluster.heal() {
        shared.fail(
            FailureKind::Fault,
            format!("{label}: healing the links: {error}"),
        );
        return false;
    }
    let outcome = poll_until(DIGEST_DEADLINE, || {
        let offset = match cluster.wait_synced(SYNC_DEADLINE) {
            Ok(offset) => offset,
            Err(error) => return Ok(Err(error)),
        };
        let digests = match cluster.digests() {
            Ok(digests) => digests,
            Err(error) => return Ok(Err(error)),
        };
        if digests.iter().all(|digest| *digest == digests[0]) {
            Ok(Ok((offset, digests[0].clone())))
        } else {
            let shown: Vec<String> = digests
                .iter()
                .enumerate()
                .map(|(node, digest)| format!("n{node} {digest}"))
                .collect();
            Err(format!(
                "at offset {offset} the digests differ: {}",
                shown.join(", ")
            ))
        }
    });
    match outcome {
        Ok(Ok((offset, digest))) => {
            println!(
                "torture: {label}: {} in sync at offset {offset}, digest {digest}",
                cluster.topology().describe()
            );
            true
        }
        Ok(Err(error)) => {
            shared.fail(FailureKind::Divergence, format!("{label}: {error}"));
            false
        }
        Err(last) => {
            let detail = compare_datasets(cluster);
            let kept = keep_append_only_files(cluster, label);
            shared.fail(
                FailureKind::Divergence,
                format!(
                    "{label} ({}): {last}\n{detail}{kept}",
                    cluster.topology().describe()
                ),
            );
            false
        }
    }
}

/// Key-by-key comparison of each replica with the master (streams without the group fields a Redis 7.0
/// replica keeps differently), naming the first differing keys and both values.
fn compare_datasets(cluster: &Cluster<'_>) -> String {
    let dump = |node: usize| {
        panic::catch_unwind(AssertUnwindSafe(|| {
            Dataset::dump(cluster.node(node)).without_replica_stream_drift()
        }))
        .map_err(|payload| panic_text(payload.as_ref()))
    };
    let master = cluster.topology().master;
    let master_data = match dump(master) {
        Ok(data) => data,
        Err(error) => return format!("reading the master n{master}'s data set failed: {error}"),
    };
    let mut out = String::new();
    for node in cluster.topology().replicas() {
        match dump(node) {
            Ok(data) if data == master_data => {
                out.push_str(&format!(
                    "n{node}: same data as the master read key by key\n"
                ));
            }
            Ok(data) => {
                out.push_str(&format!(
                    "master n{master} (left, {} keys) vs replica n{node} (right, {} keys):\n",
                    master_data.len(),
                    data.len()
                ));
                for line in master_data.differences(&data, 10) {
                    out.push_str(&format!("  {line}\n"));
                }
            }
            Err(error) => out.push_str(&format!("reading n{node}'s data set failed: {error}\n")),
        }
    }
    out
}

/// Invariant 3: every acknowledged `ack:<n>` exists on the final master. Returns (checked, missing).
pub(super) fn acknowledged_writes(cluster: &Cluster<'_>, shared: &Shared) -> (usize, usize) {
    let master = cluster.topology().master;
    let keys: Vec<String> = shared
        .acks
        .all_acknowledged()
        .into_iter()
        .map(ack_key)
        .collect();
    match missing_keys(cluster, master, &keys) {
        Ok(missing) => {
            if !missing.is_empty() {
                shared.fail(
                    FailureKind::LostAcknowledgedWrite,
                    format!(
                        "{} of {} writes acknowledged by every replica (WAIT) are missing on the final master n{master}, \
                         e.g. {}",
                        missing.len(),
                        keys.len(),
                        first(&missing)
                    ),
                );
            }
            (keys.len(), missing.len())
        }
        Err(error) => {
            shared.fail(
                FailureKind::LostAcknowledgedWrite,
                format!("checking the acknowledged writes: {error}"),
            );
            (keys.len(), 0)
        }
    }
}

/// Invariant 5: with `appendonly yes` and `appendfsync always` on the final master, every write it accepted
/// since it became the master (and [`FINAL_WRITES`] more) exists after `SHUTDOWN` and a restart. Returns
/// (checked, missing).
pub(super) fn aof_restart(cluster: &mut Cluster<'_>, shared: &Shared) -> (usize, usize) {
    let master = cluster.topology().master;
    let stint = cluster.topology().stints[master];
    let outcome = (|| -> Result<(usize, Vec<String>), String> {
        enable_aof(cluster, master)?;
        let mut keys: Vec<String> = shared
            .acks
            .accepted_by(master, stint)
            .into_iter()
            .map(ack_key)
            .collect();
        let mut client = Client::connect(cluster.node(master).port())
            .map_err(|error| format!("connect to the master n{master}: {error}"))?;
        client
            .try_cmd(&["SELECT", &ACK_DB.to_string()])
            .map_err(|error| error.to_string())?;
        for n in 0..FINAL_WRITES {
            let key = format!("ack:final:{n}");
            let reply = client
                .try_cmd(&["SET", &key, &n.to_string()])
                .map_err(|error| format!("SET {key}: {error}"))?;
            if reply == Frame::ok() {
                keys.push(key);
            }
        }
        drop(client);
        cluster.restart_master_cleanly()?;
        let missing = missing_keys(cluster, master, &keys)?;
        Ok((keys.len(), missing))
    })();
    match outcome {
        Ok((checked, missing)) => {
            if !missing.is_empty() {
                shared.fail(
                    FailureKind::LostAofWrite,
                    format!(
                        "{} of {checked} writes the master n{master} accepted are missing after its clean restart \
                         with appendonly yes, e.g. {}",
                        missing.len(),
                        first(&missing)
                    ),
                );
            }
            (checked, missing.len())
        }
        Err(error) => {
            shared.fail(
                FailureKind::LostAofWrite,
                format!("the clean restart of the master n{master}: {error}"),
            );
            (0, 0)
        }
    }
}

/// `appendfsync always`, and `appendonly yes` if it is off (then waits for the first rewrite to end).
fn enable_aof(cluster: &Cluster<'_>, master: usize) -> Result<(), String> {
    let reply = cluster.admin(master, &["CONFIG", "SET", "appendfsync", "always"])?;
    if reply != Frame::ok() {
        return Err(format!(
            "CONFIG SET appendfsync always answered {}",
            show_frame(&reply)
        ));
    }
    let enabled = match cluster.admin(master, &["CONFIG", "GET", "appendonly"])? {
        Frame::Array(pair) => pair
            .get(1)
            .and_then(Frame::as_bytes)
            .is_some_and(|value| value.as_ref() == b"yes"),
        other => {
            return Err(format!(
                "CONFIG GET appendonly answered {}",
                show_frame(&other)
            ));
        }
    };
    if enabled {
        return Ok(());
    }
    let reply = cluster.admin(master, &["CONFIG", "SET", "appendonly", "yes"])?;
    if reply != Frame::ok() {
        return Err(format!(
            "CONFIG SET appendonly yes answered {}",
            show_frame(&reply)
        ));
    }
    let port = cluster.node(master).port();
    poll_until(Duration::from_secs(60), || {
        let info = Client::connect(port)
            .map_err(Into::into)
            .and_then(|mut client| client.info("persistence"))
            .map_err(|error| format!("INFO persistence: {error}"))?;
        let field = |name: &str| info_field_in(&info, name).unwrap_or_default().to_string();
        if field("aof_enabled") == "1"
            && field("aof_rewrite_in_progress") == "0"
            && field("aof_rewrite_scheduled") == "0"
        {
            Ok(())
        } else {
            Err(info.clone())
        }
    })
    .map_err(|last| format!("the AOF rewrite after CONFIG SET appendonly yes did not end: {last}"))
}

/// The keys of `keys` that do not exist in [`ACK_DB`] on `node`.
fn missing_keys(
    cluster: &Cluster<'_>,
    node: usize,
    keys: &[String],
) -> Result<Vec<String>, String> {
    let mut client = Client::connect(cluster.node(node).port())
        .map_err(|error| format!("connect to n{node}: {error}"))?;
    let reply = client
        .try_cmd(&["SELECT", &ACK_DB.to_string()])
        .map_err(|error| error.to_string())?;
    if reply != Frame::ok() {
        return Err(format!("SELECT {ACK_DB} answered {}", show_frame(&reply)));
    }
    let mut missing = Vec::new();
    for chunk in keys.chunks(BATCH) {
        for key in chunk {
            client
                .send(&["EXISTS", key])
                .map_err(|error| error.to_string())?;
        }
        for key in chunk {
            match client.read_reply().map_err(|error| error.to_string())? {
                Frame::Integer(1) => {}
                Frame::Integer(_) => missing.push(key.clone()),
                other => return Err(format!("EXISTS {key} answered {}", show_frame(&other))),
            }
        }
    }
    Ok(missing)
}

/// Invariant 4 on every node's log (all its starts).
pub(super) fn logs(cluster: &Cluster<'_>, shared: &Shared) {
    for node in 0..NODES {
        let problems = log_problems(&cluster.node(node).log());
        if !problems.is_empty() {
            let shown: Vec<&str> = problems.iter().take(5).map(String::as_str).collect();
            shared.fail(
                FailureKind::LogProblem,
                format!(
                    "n{node}'s log has {} bad line(s):\n  {}",
                    problems.len(),
                    shown.join("\n  ")
                ),
            );
        }
    }
}

/// Copies every node's log to `<temp>/torture-logs-<seed>-<pid>/` (the node directories go when the run
/// ends) and returns that directory.
pub(super) fn keep_logs(cluster: &Cluster<'_>, seed: u64) -> Option<PathBuf> {
    let dir = std::env::temp_dir().join(format!("torture-logs-{seed}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).ok()?;
    for node in 0..NODES {
        let _ = std::fs::copy(
            cluster.node(node).log_path(),
            dir.join(format!("n{node}.log")),
        );
    }
    Some(dir)
}

/// Copies every node's `appendonlydir` (the command history since its last rewrite: what tells how the data
/// came to differ) next to the logs, at the moment a divergence is found; returns a line saying where.
fn keep_append_only_files(cluster: &Cluster<'_>, label: &str) -> String {
    let dir = std::env::temp_dir().join(format!(
        "torture-aof-{}-{}",
        std::process::id(),
        label.replace(' ', "-")
    ));
    let mut kept = Vec::new();
    for node in 0..NODES {
        let source = cluster.node(node).dir().join("appendonlydir");
        let Ok(entries) = std::fs::read_dir(&source) else {
            continue;
        };
        let target = dir.join(format!("n{node}"));
        if std::fs::create_dir_all(&target).is_err() {
            continue;
        }
        for entry in entries.flatten() {
            let _ = std::fs::copy(entry.path(), target.join(entry.file_name()));
        }
        kept.push(format!("n{node}"));
    }
    if kept.is_empty() {
        String::new()
    } else {
        format!(
            "the AOF files of {} are kept in {}\n",
            kept.join(", "),
            dir.display()
        )
    }
}

/// The text of a panic payload.
pub(super) fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|text| text.to_string()))
        .unwrap_or_else(|| "panicked".to_string())
}

fn first(keys: &[String]) -> String {
    let shown: Vec<&str> = keys.iter().take(10).map(String::as_str).collect();
    shown.join(", ")
}
