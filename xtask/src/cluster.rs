//! `cargo xtask cluster-up`: a master and N replicas of the release `rserver` on fixed local ports, in the
//! foreground until Ctrl-C.
//!
//! Node lifecycle comes from testkit (the same code the multi-process tests use): each node has its own
//! directory `target/cluster/node-<port>/` with `node.conf`, `node.log` and its RDB file, kept between runs.
//! Nodes run in their own process group, so Ctrl-C reaches only this supervisor, which then shuts them down
//! in order (replicas first, with `SHUTDOWN`, which saves). On every error path the `Node` guards kill them.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::mpsc;
use std::time::Duration;

use anyhow::{Context as _, Result, bail, ensure};
use testkit::{DEFAULT_DEADLINE, Node, NodeConfig, Shutdown, info_field_in, poll_until};

/// Options of `cluster-up`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// Number of replicas.
    pub replicas: u16,
    /// The master's port; replicas take the next ones.
    pub base_port: u16,
    /// Run this server binary instead of building `rserver` (e.g. `/usr/bin/redis-server` to compare).
    pub server_binary: Option<PathBuf>,
    /// Delete the node directories first (start with empty data).
    pub fresh: bool,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            replicas: 2,
            base_port: 6379,
            server_binary: None,
            fresh: false,
        }
    }
}

/// How often the supervisor checks that its nodes are still alive while waiting for Ctrl-C.
const WATCH_INTERVAL: Duration = Duration::from_millis(500);

/// Runs the cluster until Ctrl-C.
pub fn run(root: &Path, options: &Options) -> Result<()> {
    let ports: Vec<u16> = (0..=options.replicas)
        .map(|index| {
            options
                .base_port
                .checked_add(index)
                .context("--base-port + --replicas exceeds 65535")
        })
        .collect::<Result<_>>()?;
    let cluster_dir = target_dir(root).join("cluster");
    for &port in &ports {
        ensure_port_free(port, &cluster_dir)?;
    }

    let (server_binary, rcli) = match &options.server_binary {
        Some(binary) => (binary.clone(), None),
        None => {
            build_release(root)?;
            let release = target_dir(root).join("release");
            (release.join("rserver"), Some(release.join("rcli")))
        }
    };
    ensure!(
        server_binary.is_file(),
        "server binary {} not found",
        server_binary.display()
    );

    // Before any node starts: from here on Ctrl-C only sends a message, and the guards below do the cleanup.
    let (interrupted_tx, interrupted) = mpsc::channel();
    ctrlc::set_handler(move || {
        let _ = interrupted_tx.send(());
    })
    .context("install the Ctrl-C handler")?;

    let mut nodes: Vec<Node> = Vec::new();
    let master_port = ports[0];
    for &port in &ports {
        let dir = cluster_dir.join(format!("node-{port}"));
        if options.fresh && dir.exists() {
            std::fs::remove_dir_all(&dir).with_context(|| format!("remove {}", dir.display()))?;
        }
        let mut config = NodeConfig::new(port);
        if port != master_port {
            config = config.replica_of(master_port);
        }
        let role = if port == master_port {
            "master"
        } else {
            "replica"
        };
        println!("starting {role} on port {port} ...");
        let node = Node::try_start_in(&server_binary, dir, config)
            .with_context(|| format!("start {role} {port}"))?;
        nodes.push(node);
    }
    for replica in &nodes[1..] {
        wait_for_link_up(replica)?;
    }

    print_table(root, &mut nodes);
    print_connect_help(root, &nodes, rcli.as_deref());

    let mut reported_dead = vec![false; nodes.len()];
    loop {
        match interrupted.recv_timeout(WATCH_INTERVAL) {
            Ok(()) | Err(mpsc::RecvTimeoutError::Disconnected) => break,
            Err(mpsc::RecvTimeoutError::Timeout) => {}
        }
        for (node, reported) in nodes.iter_mut().zip(&mut reported_dead) {
            if !*reported && let Some(status) = node.try_exit_status() {
                *reported = true;
                eprintln!(
                    "warning: node on port {} exited ({status}); see {}",
                    node.port(),
                    relative(root, &node.log_path()).display()
                );
            }
        }
    }

    println!("\nstopping the cluster ...");
    let mut failures = 0;
    // Replicas first, so the master does not wait for them during its own shutdown.
    for node in nodes.iter_mut().rev() {
        if !node.is_running() {
            continue;
        }
        match node.try_shutdown(Shutdown::Default) {
            Ok(_) => println!("stopped node on port {}", node.port()),
            Err(error) => {
                failures += 1;
                eprintln!("error: {error:#}");
            }
        }
    }
    ensure!(
        failures == 0,
        "{failures} node(s) did not shut down cleanly (they were killed)"
    );
    println!(
        "cluster stopped; data kept in {}",
        relative(root, &cluster_dir).display()
    );
    Ok(())
}

/// Fails with a clear message if `port` is taken on 127.0.0.1.
fn ensure_port_free(port: u16, cluster_dir: &Path) -> Result<()> {
    if TcpListener::bind(("127.0.0.1", port)).is_err() {
        bail!(
            "port {port} is already in use (a node of an earlier cluster-up still running? see {}/node-{port}/node.log; \
             or choose other ports with --base-port)",
            cluster_dir.display()
        );
    }
    Ok(())
}

fn build_release(root: &Path) -> Result<()> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    println!("building: cargo build --release --bin rserver --bin rcli");
    let status = Command::new(cargo)
        .args(["build", "--release", "--bin", "rserver", "--bin", "rcli"])
        .current_dir(root)
        .status()
        .context("run cargo build")?;
    ensure!(status.success(), "cargo build --release failed ({status})");
    Ok(())
}

fn wait_for_link_up(replica: &Node) -> Result<()> {
    let outcome = poll_until(DEFAULT_DEADLINE, || {
        let info = replica
            .try_info_replication()
            .map_err(|error| format!("INFO replication failed: {error}"))?;
        if info_field_in(&info, "master_link_status") == Some("up") {
            Ok(())
        } else {
            Err(info)
        }
    });
    if let Err(last_info) = outcome {
        bail!(
            "replica {} did not reach master_link_status:up within {DEFAULT_DEADLINE:?}\n\
             last INFO replication:\n{last_info}\n--- log tail ---\n{}",
            replica.port(),
            replica.log_tail(40)
        );
    }
    Ok(())
}

fn print_table(root: &Path, nodes: &mut [Node]) {
    println!();
    println!(
        "{:<8} {:<6} {:<8} {:<5} {:<8} {:<26} LOG",
        "ROLE", "PORT", "PID", "LINK", "OFFSET", "DIR"
    );
    for node in nodes.iter_mut() {
        let info = node.try_info_replication().unwrap_or_default();
        let field = |name: &str| info_field_in(&info, name).unwrap_or("?").to_string();
        let (role, link) = match info_field_in(&info, "role") {
            Some("master") => ("master".to_string(), "-".to_string()),
            Some("slave") => ("replica".to_string(), field("master_link_status")),
            _ => ("?".to_string(), "?".to_string()),
        };
        let pid = node.pid().map_or("-".to_string(), |pid| pid.to_string());
        println!(
            "{role:<8} {:<6} {pid:<8} {link:<5} {:<8} {:<26} {}",
            node.port(),
            field("master_repl_offset"),
            relative(root, node.dir()).display(),
            relative(root, &node.log_path()).display()
        );
    }
    println!();
}

fn print_connect_help(root: &Path, nodes: &[Node], rcli: Option<&Path>) {
    let master = &nodes[0];
    println!("connect with rcli (or redis-cli, same flags):");
    let client = rcli.map_or_else(
        || "redis-cli".to_string(),
        |rcli| relative(root, rcli).display().to_string(),
    );
    println!(
        "  {client} -p {}          # the master: writes go here",
        master.port()
    );
    for replica in &nodes[1..] {
        println!(
            "  {client} -p {}          # a replica (read-only)",
            replica.port()
        );
    }
    if rcli.is_some() {
        println!(
            "  (or `cargo run --release --bin rcli -- -p {}`)",
            master.port()
        );
    }
    println!(
        "press Ctrl-C to stop the cluster (SHUTDOWN each node; data kept for the next cluster-up, --fresh to drop it)"
    );
}

/// `CARGO_TARGET_DIR` if set, else `<root>/target`.
pub(crate) fn target_dir(root: &Path) -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => root.join(dir),
        None => root.join("target"),
    }
}

fn relative(root: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(root).unwrap_or(path).to_path_buf()
}
