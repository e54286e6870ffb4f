//! `cargo xtask cluster-up`: a master and N replicas (or a chain of them) of the release `rserver` on fixed local
//! ports, in the foreground until Ctrl-C; `cluster-up status` and `cluster-up down` act on it from another
//! terminal.
//!
//! Node lifecycle comes from testkit (the same code the multi-process tests use): each node has its own
//! directory `<cluster dir>/node-<port>/` with `node.conf`, `node.log` and its RDB file, kept between runs.
//! Nodes run in their own process group, so Ctrl-C reaches only this supervisor, which then shuts them down
//! in order (replicas first, with `SHUTDOWN`, which saves). On every error path the `Node` guards kill them.
//! Once every replica is in sync, the supervisor writes `<cluster dir>/cluster.state` (ports, pids, dirs; see
//! [`state`]) and removes it when it stops; `status` and `down` ([`remote`]) read it.

mod remote;
mod state;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command as Process;
use std::sync::mpsc;
use std::time::Duration;

use anyhow::{Context as _, Result, bail, ensure};
use testkit::{DEFAULT_DEADLINE, Node, NodeConfig, Shutdown, info_field_in, poll_until};

use state::{ClusterState, NodeEntry};

/// What `cargo xtask cluster-up ...` was asked to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Start a cluster and supervise it until Ctrl-C.
    Up(Options),
    /// `cluster-up status [--dir DIR]`: print the node table of the running cluster.
    Status {
        /// The cluster directory (`--dir`), default `target/cluster`.
        dir: Option<PathBuf>,
    },
    /// `cluster-up down [--dir DIR]`: stop the running cluster's nodes and remove its state file.
    Down {
        /// The cluster directory (`--dir`), default `target/cluster`.
        dir: Option<PathBuf>,
    },
}

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
    /// Replica i+1 replicates replica i (a chain) instead of every replica replicating the master.
    pub chain: bool,
    /// Where the node directories and the state file live (`--dir`), default `target/cluster`; a relative
    /// path is taken from the current directory.
    pub dir: Option<PathBuf>,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            replicas: 2,
            base_port: 6379,
            server_binary: None,
            fresh: false,
            chain: false,
            dir: None,
        }
    }
}

/// Runs `command` (the entry point of `cargo xtask cluster-up`).
pub fn run_command(root: &Path, command: &Command) -> Result<()> {
    let cwd = std::env::current_dir().context("find the current directory")?;
    // Repeated in hints such as "stop it with `cargo xtask cluster-up down --dir DIR`".
    let dir_option = |dir: &Option<PathBuf>| {
        dir.as_ref()
            .map_or_else(String::new, |dir| format!(" --dir {}", dir.display()))
    };
    match command {
        Command::Up(options) => run(
            root,
            &cluster_dir(root, &cwd, options.dir.as_deref()),
            options,
            &dir_option(&options.dir),
        ),
        Command::Status { dir } => remote::status(
            root,
            &cluster_dir(root, &cwd, dir.as_deref()),
            &dir_option(dir),
        ),
        Command::Down { dir } => remote::down(root, &cluster_dir(root, &cwd, dir.as_deref())),
    }
}

/// The cluster directory: `dir` (relative to `cwd` unless absolute) or `<target dir>/cluster`.
fn cluster_dir(root: &Path, cwd: &Path, dir: Option<&Path>) -> PathBuf {
    match dir {
        Some(dir) => cwd.join(dir),
        None => target_dir(root).join("cluster"),
    }
}

/// For each node, the port of the node it replicates (`None` for the master, the first port).
fn upstreams(ports: &[u16], chain: bool) -> Vec<Option<u16>> {
    ports
        .iter()
        .enumerate()
        .map(|(index, _)| match index {
            0 => None,
            _ if chain => Some(ports[index - 1]),
            _ => Some(ports[0]),
        })
        .collect()
}

/// How often the supervisor checks that its nodes are still alive while waiting for Ctrl-C.
const WATCH_INTERVAL: Duration = Duration::from_millis(500);

/// Runs the cluster in `cluster_dir` until Ctrl-C or `cluster-up down`.
fn run(root: &Path, cluster_dir: &Path, options: &Options, dir_option: &str) -> Result<()> {
    let ports: Vec<u16> = (0..=options.replicas)
        .map(|index| {
            options
                .base_port
                .checked_add(index)
                .context("--base-port + --replicas exceeds 65535")
        })
        .collect::<Result<_>>()?;
    if let Some(previous) = ClusterState::read(cluster_dir)? {
        let live = previous.live_nodes();
        if !live.is_empty() {
            bail!(
                "a cluster is already running in {} (ports {}): see `cargo xtask cluster-up status{dir_option}`, \
                 stop it with `cargo xtask cluster-up down{dir_option}`, or use another --dir",
                relative(root, cluster_dir).display(),
                live.iter()
                    .map(|node| node.port.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        println!(
            "note: removing the stale state file {} (its nodes are gone)",
            relative(root, &state::state_path(cluster_dir)).display()
        );
        state::remove_state_file(cluster_dir)?;
    }
    for &port in &ports {
        ensure_port_free(port)?;
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
    std::fs::create_dir_all(cluster_dir)
        .with_context(|| format!("create {}", cluster_dir.display()))?;
    // Absolute, so the state file stays valid whatever directory `status` and `down` run from.
    let cluster_dir = &cluster_dir
        .canonicalize()
        .with_context(|| format!("resolve {}", cluster_dir.display()))?;

    // Before any node starts: from here on Ctrl-C only sends a message, and the guards below do the cleanup.
    let (interrupted_tx, interrupted) = mpsc::channel();
    ctrlc::set_handler(move || {
        let _ = interrupted_tx.send(());
    })
    .context("install the Ctrl-C handler")?;

    let upstreams = upstreams(&ports, options.chain);
    let mut nodes: Vec<Node> = Vec::new();
    for (&port, upstream) in ports.iter().zip(&upstreams) {
        let dir = cluster_dir.join(format!("node-{port}"));
        if options.fresh && dir.exists() {
            std::fs::remove_dir_all(&dir).with_context(|| format!("remove {}", dir.display()))?;
        }
        let mut config = NodeConfig::new(port);
        let role = match upstream {
            Some(upstream) => {
                config = config.replica_of(*upstream);
                format!("replica of {upstream}")
            }
            None => "master".to_string(),
        };
        println!("starting {role} on port {port} ...");
        let node = Node::try_start_in(&server_binary, dir, config)
            .with_context(|| format!("start {role} on port {port}"))?;
        nodes.push(node);
    }
    // In start order: in a chain each replica can only sync once its upstream has.
    for replica in &nodes[1..] {
        wait_for_link_up(replica)?;
    }

    let cluster_state = ClusterState {
        supervisor_pid: std::process::id(),
        nodes: nodes
            .iter()
            .zip(&upstreams)
            .map(|(node, upstream)| NodeEntry {
                port: node.port(),
                pid: node.pid().expect("a node that just synced is running"),
                upstream: *upstream,
                dir: node.dir().to_path_buf(),
            })
            .collect(),
    };
    cluster_state.write(cluster_dir)?;
    let _state_file = StateFileGuard { cluster_dir };

    let rows: Vec<TableRow> = nodes.iter().map(TableRow::of_node).collect();
    print_table(root, &rows);
    print_connect_help(root, &nodes, rcli.as_deref(), dir_option);

    let mut reported_dead = vec![false; nodes.len()];
    loop {
        match interrupted.recv_timeout(WATCH_INTERVAL) {
            Ok(()) | Err(mpsc::RecvTimeoutError::Disconnected) => break,
            Err(mpsc::RecvTimeoutError::Timeout) => {}
        }
        if !state::state_path(cluster_dir).exists() {
            return wait_for_remote_down(&mut nodes);
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
    // Replicas first (last started first), so no node waits for a replica during its own shutdown.
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
        relative(root, cluster_dir).display()
    );
    Ok(())
}

/// The state file disappeared: `cluster-up down` is stopping the nodes. Reap them as they exit (the guards
/// kill any that outlive the deadline) and return.
fn wait_for_remote_down(nodes: &mut [Node]) -> Result<()> {
    println!(
        "\nstate file removed (`cargo xtask cluster-up down`?): waiting for the nodes to stop ..."
    );
    let outcome = poll_until(DEFAULT_DEADLINE, || {
        let running: Vec<u16> = nodes
            .iter_mut()
            .filter_map(|node| node.is_running().then(|| node.port()))
            .collect();
        if running.is_empty() {
            Ok(())
        } else {
            Err(format!("still running: {running:?}"))
        }
    });
    match outcome {
        Ok(()) => {
            println!("cluster stopped from another terminal");
            Ok(())
        }
        Err(running) => {
            bail!("state file removed but nodes did not stop ({running}); killing them")
        }
    }
}

/// Removes the state file when the supervisor returns, unless another `cluster-up` has written its own since.
struct StateFileGuard<'a> {
    cluster_dir: &'a Path,
}

impl Drop for StateFileGuard<'_> {
    fn drop(&mut self) {
        if let Ok(Some(current)) = ClusterState::read(self.cluster_dir)
            && current.supervisor_pid == std::process::id()
        {
            let _ = state::remove_state_file(self.cluster_dir);
        }
    }
}

/// Fails with a clear message if `port` is taken on 127.0.0.1.
fn ensure_port_free(port: u16) -> Result<()> {
    if TcpListener::bind(("127.0.0.1", port)).is_err() {
        bail!(
            "port {port} is already in use (by another server, or by a cluster-up with another --dir); \
             choose other ports with --base-port"
        );
    }
    Ok(())
}

fn build_release(root: &Path) -> Result<()> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    println!("building: cargo build --release --bin rserver --bin rcli");
    let status = Process::new(cargo)
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

/// One line of the node table: what is known about a node, and its `INFO replication` if it answered.
pub(crate) struct TableRow {
    port: u16,
    pid: Option<u32>,
    info: Option<String>,
    dir: PathBuf,
    log: PathBuf,
}

impl TableRow {
    /// A row for a node this process supervises, querying it now.
    fn of_node(node: &Node) -> TableRow {
        TableRow {
            port: node.port(),
            pid: node.pid(),
            info: node.try_info_replication().ok(),
            dir: node.dir().to_path_buf(),
            log: node.log_path(),
        }
    }
}

/// Prints the node table (`cluster-up` once the cluster is in sync, and `cluster-up status`). A node that did
/// not answer `INFO replication` shows as `down` (no pid: not running) or `?` (running but not answering).
fn print_table(root: &Path, rows: &[TableRow]) {
    println!();
    println!(
        "{:<8} {:<6} {:<8} {:<5} {:<6} {:<8} {:<26} LOG",
        "ROLE", "PORT", "PID", "LINK", "MASTER", "OFFSET", "DIR"
    );
    for row in rows {
        let info = row.info.as_deref().unwrap_or_default();
        let field = |name: &str| info_field_in(info, name).unwrap_or("?").to_string();
        let (role, link, master) = match info_field_in(info, "role") {
            Some("master") => ("master", "-".to_string(), "-".to_string()),
            Some("slave") => ("replica", field("master_link_status"), field("master_port")),
            _ if row.pid.is_none() => ("down", "-".to_string(), "-".to_string()),
            _ => ("?", "?".to_string(), "?".to_string()),
        };
        let pid = row.pid.map_or("-".to_string(), |pid| pid.to_string());
        let offset = if row.info.is_some() {
            field("master_repl_offset")
        } else {
            "-".to_string()
        };
        println!(
            "{role:<8} {:<6} {pid:<8} {link:<5} {master:<6} {offset:<8} {:<26} {}",
            row.port,
            relative(root, &row.dir).display(),
            relative(root, &row.log).display()
        );
    }
    println!();
}

/// How to connect, and how to reach the cluster from another terminal (`dir_option`: ` --dir DIR` if given).
fn print_connect_help(root: &Path, nodes: &[Node], rcli: Option<&Path>, dir_option: &str) {
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
        "from another terminal: `cargo xtask cluster-up status{dir_option}`, `cargo xtask cluster-up down{dir_option}`"
    );
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

pub(crate) fn relative(root: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(root).unwrap_or(path).to_path_buf()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replicas_follow_the_master_or_form_a_chain() {
        let ports = [7400, 7401, 7402, 7403];
        assert_eq!(
            upstreams(&ports, false),
            [None, Some(7400), Some(7400), Some(7400)]
        );
        assert_eq!(
            upstreams(&ports, true),
            [None, Some(7400), Some(7401), Some(7402)]
        );
        assert_eq!(upstreams(&[7400], true), [None]);
    }

    #[test]
    fn cluster_dir_defaults_to_target_cluster_and_resolves_relative_paths() {
        let root = Path::new("/repo");
        let cwd = Path::new("/repo/crates");
        if std::env::var_os("CARGO_TARGET_DIR").is_none() {
            assert_eq!(
                cluster_dir(root, cwd, None),
                PathBuf::from("/repo/target/cluster")
            );
        }
        assert_eq!(
            cluster_dir(root, cwd, Some(Path::new("c1"))),
            PathBuf::from("/repo/crates/c1")
        );
        assert_eq!(
            cluster_dir(root, cwd, Some(Path::new("/tmp/c2"))),
            PathBuf::from("/tmp/c2")
        );
    }
}
