//! `cargo xtask cluster-up status` and `cargo xtask cluster-up down`: act on a cluster that a `cluster-up` in
//! another terminal is running, found through its state file (see [`super::state`]).

use std::path::Path;

use anyhow::{Context as _, Result, bail};
use testkit::{Client, DEFAULT_DEADLINE, poll_until};

use super::state::{self, ClusterState, NodeEntry};
use super::{TableRow, print_table, relative};

/// Prints the node table of the running cluster in `cluster_dir`, querying each node.
///
/// Fails if there is no state file (no cluster running) or if none of its nodes runs any more (stale file).
/// `dir_option` (` --dir DIR` or empty) goes into the hints.
pub fn status(root: &Path, cluster_dir: &Path, dir_option: &str) -> Result<()> {
    let state = read_existing(root, cluster_dir)?;
    let live = state.live_nodes();
    if live.is_empty() {
        bail!(
            "stale state file {}: none of its nodes runs any more (ports {}); \
             `cargo xtask cluster-up down{dir_option}` removes it",
            relative(root, &state::state_path(cluster_dir)).display(),
            ports(&state.nodes)
        );
    }
    let rows: Vec<TableRow> = state
        .nodes
        .iter()
        .map(|node| {
            let running = live.iter().any(|live| live.port == node.port);
            TableRow {
                port: node.port,
                pid: running.then_some(node.pid),
                info: running
                    .then(|| Client::connect(node.port).ok()?.info("replication").ok())
                    .flatten(),
                dir: node.dir.clone(),
                log: node.log_path(),
            }
        })
        .collect();
    let supervisor = if state::is_alive(state.supervisor_pid) {
        "running".to_string()
    } else {
        format!(
            "gone: its nodes are orphans, stop them with `cargo xtask cluster-up down{dir_option}`"
        )
    };
    println!(
        "cluster in {} (cluster-up pid {}: {supervisor})",
        relative(root, cluster_dir).display(),
        state.supervisor_pid
    );
    print_table(root, &rows);
    let stopped = state.nodes.len() - live.len();
    if stopped > 0 {
        println!("{stopped} of {} node(s) not running", state.nodes.len());
    }
    Ok(())
}

/// Stops every node of the running cluster in `cluster_dir` (replicas first, `SHUTDOWN`, then `SIGKILL` if
/// still alive after the deadline) and removes the state file.
///
/// The state file goes first: the supervising `cluster-up` takes its disappearance as the sign that the nodes
/// are being stopped on purpose, reaps them and exits without reporting them as crashed.
/// A stale state file (no node running) is removed too, and said so.
pub fn down(root: &Path, cluster_dir: &Path) -> Result<()> {
    let state = read_existing(root, cluster_dir)?;
    if state.live_nodes().is_empty() {
        state::remove_state_file(cluster_dir)?;
        println!(
            "no node of the cluster in {} was running (ports {}): removed the stale state file",
            relative(root, cluster_dir).display(),
            ports(&state.nodes)
        );
        return Ok(());
    }
    state::remove_state_file(cluster_dir)?;
    let mut failures = Vec::new();
    // Last started first: in a chain that is the deepest replica, and the master goes last.
    for node in state.nodes.iter().rev() {
        match stop_node(node) {
            Ok(how) => println!("node on port {} (pid {}): {how}", node.port, node.pid),
            Err(error) => {
                eprintln!(
                    "error: node on port {} (pid {}): {error:#}",
                    node.port, node.pid
                );
                failures.push(node.port);
            }
        }
    }
    if !failures.is_empty() {
        bail!(
            "could not stop the node(s) on port(s) {failures:?}; state file {} removed anyway",
            relative(root, &state::state_path(cluster_dir)).display()
        );
    }
    println!(
        "cluster stopped; state file removed, data kept in {}",
        relative(root, cluster_dir).display()
    );
    Ok(())
}

/// Stops one node; returns how, in words.
fn stop_node(node: &NodeEntry) -> Result<&'static str> {
    let config_path = node.config_path();
    if !state::is_node_process(node.pid, &config_path) {
        return Ok("already gone");
    }
    // On success the server closes the connection without a reply; a reply means it refused.
    let refusal = match Client::connect(node.port) {
        Ok(mut client) => match client
            .send(&["SHUTDOWN"])
            .and_then(|()| client.read_reply())
        {
            Ok(reply) => Some(format!("SHUTDOWN refused: {reply:?}")),
            Err(_) => None,
        },
        Err(error) => Some(format!("cannot connect: {error}")),
    };
    if refusal.is_none() && wait_gone(node) {
        return Ok("stopped with SHUTDOWN");
    }
    // Checked again just before the signal: the pid must still be this node's process.
    if state::is_node_process(node.pid, &config_path) {
        state::kill_process(node.pid)?;
    }
    if !wait_gone(node) {
        bail!("still running after SIGKILL");
    }
    Ok(match refusal {
        Some(_) => "killed (SHUTDOWN was refused or impossible)",
        None => "killed (did not exit after SHUTDOWN)",
    })
}

/// Waits until the node's process is gone; `false` on timeout.
fn wait_gone(node: &NodeEntry) -> bool {
    let config_path = node.config_path();
    poll_until(DEFAULT_DEADLINE, || {
        if state::is_node_process(node.pid, &config_path) {
            Err("still running".to_string())
        } else {
            Ok(())
        }
    })
    .is_ok()
}

/// The state file, or the "no cluster running" error.
fn read_existing(root: &Path, cluster_dir: &Path) -> Result<ClusterState> {
    let path = state::state_path(cluster_dir);
    ClusterState::read(cluster_dir)?.with_context(|| {
        format!(
            "no cluster running in {}: {} not found (start one with `cargo xtask cluster-up`, \
             or pass the --dir it was started with)",
            relative(root, cluster_dir).display(),
            relative(root, &path).display()
        )
    })
}

fn ports(nodes: &[NodeEntry]) -> String {
    nodes
        .iter()
        .map(|node| node.port.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}
