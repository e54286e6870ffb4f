//! The state file `cluster-up` writes into the cluster directory (`<dir>/cluster.state`), so `cluster-up status`
//! and `cluster-up down` can find a running cluster from another terminal; plus the process probes they use.
//!
//! The format is plain text, one record per line, `#` comments ignored:
//!
//! ```text
//! supervisor <pid>
//! node <port> <pid> <upstream port or -> <dir>
//! ```
//!
//! `dir` is last so it may contain spaces. Nodes are listed master first, in start order.
//! A pid from this file is only ever signalled after [`is_node_process`] confirmed that it still runs the node's
//! own config file: pids are reused, and other people's servers run on the same machine.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context as _, Result, bail, ensure};

/// The state file's name inside the cluster directory.
pub const STATE_FILE_NAME: &str = "cluster.state";

/// What a running `cluster-up` records about itself and its nodes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterState {
    /// The pid of the `cargo xtask cluster-up` process supervising the nodes.
    pub supervisor_pid: u32,
    /// The nodes, master first, in start order.
    pub nodes: Vec<NodeEntry>,
}

/// One node of a running cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeEntry {
    /// The port it listens on (127.0.0.1).
    pub port: u16,
    /// Its process id.
    pub pid: u32,
    /// The port of the node it replicates, `None` for the master.
    pub upstream: Option<u16>,
    /// Its directory (absolute), holding `node.conf` and `node.log`.
    pub dir: PathBuf,
}

impl NodeEntry {
    /// `<dir>/node.conf`, the argument the node was started with (testkit's layout).
    pub fn config_path(&self) -> PathBuf {
        self.dir.join("node.conf")
    }

    /// `<dir>/node.log`.
    pub fn log_path(&self) -> PathBuf {
        self.dir.join("node.log")
    }
}

impl ClusterState {
    /// The file text. Fails on a directory whose name contains a line break (it could not be read back).
    pub fn render(&self) -> Result<String> {
        let mut text = String::from(
            "# cargo xtask cluster-up: the running cluster, read by `cluster-up status` and `cluster-up down`\n",
        );
        writeln!(text, "supervisor {}", self.supervisor_pid).expect("writing to a String");
        for node in &self.nodes {
            let dir = node
                .dir
                .to_str()
                .with_context(|| format!("node directory {} is not UTF-8", node.dir.display()))?;
            ensure!(
                !dir.contains(['\n', '\r']),
                "node directory {dir:?} contains a line break"
            );
            let upstream = node
                .upstream
                .map_or_else(|| "-".to_string(), |port| port.to_string());
            writeln!(text, "node {} {} {upstream} {dir}", node.port, node.pid)
                .expect("writing to a String");
        }
        Ok(text)
    }

    /// Parses the file text; errors name the line.
    pub fn parse(text: &str) -> Result<ClusterState> {
        let mut supervisor_pid = None;
        let mut nodes = Vec::new();
        for (index, line) in text.lines().enumerate() {
            let line_number = index + 1;
            let line = line.trim_end();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            parse_line(line, &mut supervisor_pid, &mut nodes)
                .with_context(|| format!("line {line_number}: {line:?}"))?;
        }
        let supervisor_pid = supervisor_pid.context("no `supervisor` line")?;
        ensure!(!nodes.is_empty(), "no `node` line");
        Ok(ClusterState {
            supervisor_pid,
            nodes,
        })
    }

    /// Reads `<cluster_dir>/cluster.state`; `Ok(None)` if there is none.
    pub fn read(cluster_dir: &Path) -> Result<Option<ClusterState>> {
        let path = state_path(cluster_dir);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(error) => return Err(error).with_context(|| format!("read {}", path.display())),
        };
        ClusterState::parse(&text)
            .map(Some)
            .with_context(|| format!("corrupt state file {}", path.display()))
    }

    /// Writes `<cluster_dir>/cluster.state` (through a temporary file and a rename, so a reader never sees half).
    pub fn write(&self, cluster_dir: &Path) -> Result<()> {
        let path = state_path(cluster_dir);
        let temporary = cluster_dir.join(format!("{STATE_FILE_NAME}.tmp"));
        std::fs::write(&temporary, self.render()?)
            .with_context(|| format!("write {}", temporary.display()))?;
        std::fs::rename(&temporary, &path).with_context(|| format!("write {}", path.display()))
    }

    /// The nodes whose process is still running (see [`is_node_process`]).
    pub fn live_nodes(&self) -> Vec<&NodeEntry> {
        self.nodes
            .iter()
            .filter(|node| is_node_process(node.pid, &node.config_path()))
            .collect()
    }
}

/// `<cluster_dir>/cluster.state`.
pub fn state_path(cluster_dir: &Path) -> PathBuf {
    cluster_dir.join(STATE_FILE_NAME)
}

/// Removes the state file; a missing file is fine.
pub fn remove_state_file(cluster_dir: &Path) -> Result<()> {
    let path = state_path(cluster_dir);
    match std::fs::remove_file(&path) {
        Err(error) if error.kind() != std::io::ErrorKind::NotFound => {
            Err(error).with_context(|| format!("remove {}", path.display()))
        }
        _ => Ok(()),
    }
}

/// Whether `pid` is a live process started with `config_path` as an argument, i.e. still our node.
///
/// Reads `/proc/<pid>/cmdline`, which is empty for a zombie (a node that exited but was not yet reaped by its
/// supervisor), so an exited node counts as gone. Without `/proc` nothing counts as ours, and nothing is killed.
pub fn is_node_process(pid: u32, config_path: &Path) -> bool {
    let Ok(cmdline) = std::fs::read(format!("/proc/{pid}/cmdline")) else {
        return false;
    };
    let config_path = config_path.as_os_str().as_encoded_bytes();
    cmdline
        .split(|&byte| byte == 0)
        .any(|argument| argument == config_path)
}

/// Whether `pid` is alive at all (a supervisor, whose command line we do not check); zombies count as gone.
pub fn is_alive(pid: u32) -> bool {
    std::fs::read(format!("/proc/{pid}/cmdline")).is_ok_and(|cmdline| !cmdline.is_empty())
}

/// Sends `SIGKILL` to `pid` with kill(1) (xtask has no libc dependency, like testkit).
pub fn kill_process(pid: u32) -> Result<()> {
    let status = Command::new("kill")
        .args(["-KILL", &pid.to_string()])
        .status()
        .context("run kill -KILL")?;
    ensure!(status.success(), "kill -KILL {pid} exited with {status}");
    Ok(())
}

fn parse_line(
    line: &str,
    supervisor_pid: &mut Option<u32>,
    nodes: &mut Vec<NodeEntry>,
) -> Result<()> {
    let (record, rest) = line.split_once(' ').unwrap_or((line, ""));
    match record {
        "supervisor" => {
            ensure!(supervisor_pid.is_none(), "second `supervisor` line");
            *supervisor_pid = Some(rest.trim().parse().context("pid is not a number")?);
        }
        "node" => {
            let fields: Vec<&str> = rest.splitn(4, ' ').collect();
            let [port, pid, upstream, dir] = fields[..] else {
                bail!("expected `node <port> <pid> <upstream|-> <dir>`");
            };
            ensure!(!dir.is_empty(), "empty directory");
            nodes.push(NodeEntry {
                port: port.parse().context("port is not a port number")?,
                pid: pid.parse().context("pid is not a number")?,
                upstream: match upstream {
                    "-" => None,
                    port => Some(port.parse().context("upstream is not a port number")?),
                },
                dir: PathBuf::from(dir),
            });
        }
        other => bail!("unknown record `{other}`"),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> ClusterState {
        ClusterState {
            supervisor_pid: 4242,
            nodes: vec![
                NodeEntry {
                    port: 7400,
                    pid: 100,
                    upstream: None,
                    dir: PathBuf::from("/w/target/cluster/node-7400"),
                },
                NodeEntry {
                    port: 7401,
                    pid: 101,
                    upstream: Some(7400),
                    dir: PathBuf::from("/w/my cluster/node-7401"),
                },
            ],
        }
    }

    #[test]
    fn renders_and_parses_back() {
        let text = sample().render().expect("renderable");
        assert_eq!(
            text,
            "# cargo xtask cluster-up: the running cluster, read by `cluster-up status` and `cluster-up down`\n\
             supervisor 4242\n\
             node 7400 100 - /w/target/cluster/node-7400\n\
             node 7401 101 7400 /w/my cluster/node-7401\n"
        );
        assert_eq!(ClusterState::parse(&text).expect("parsable"), sample());
    }

    #[test]
    fn round_trips_through_the_file() {
        let dir = std::env::temp_dir().join(format!("xtask-state-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("create temp dir");
        assert_eq!(ClusterState::read(&dir).expect("readable"), None);
        sample().write(&dir).expect("writable");
        assert_eq!(ClusterState::read(&dir).expect("readable"), Some(sample()));
        remove_state_file(&dir).expect("removable");
        remove_state_file(&dir).expect("removing twice is fine");
        assert_eq!(ClusterState::read(&dir).expect("readable"), None);
        std::fs::remove_dir_all(&dir).expect("remove temp dir");
    }

    #[test]
    fn rejects_corrupt_files_naming_the_line() {
        let error = |text: &str| {
            format!(
                "{:#}",
                ClusterState::parse(text).expect_err("corrupt state file")
            )
        };
        assert_eq!(
            error("supervisor 1\nnode 7400 x - /d\n"),
            "line 2: \"node 7400 x - /d\": pid is not a number: invalid digit found in string"
        );
        assert_eq!(
            error("supervisor 1\nnode 7400 1 -\n"),
            "line 2: \"node 7400 1 -\": expected `node <port> <pid> <upstream|-> <dir>`"
        );
        assert_eq!(
            error("supervisor 1\nbogus\n"),
            "line 2: \"bogus\": unknown record `bogus`"
        );
        assert_eq!(error("node 7400 1 - /d\n"), "no `supervisor` line");
        assert_eq!(error("# empty\nsupervisor 1\n"), "no `node` line");
    }

    #[test]
    fn refuses_a_directory_with_a_line_break() {
        let mut state = sample();
        state.nodes[0].dir = PathBuf::from("/w/a\nb");
        assert!(state.render().is_err());
    }

    #[test]
    fn recognises_only_processes_running_the_node_config() {
        let own_pid = std::process::id();
        // This test binary was not started with a node config; a pid that cannot exist is not alive.
        assert!(!is_node_process(own_pid, Path::new("/nowhere/node.conf")));
        assert!(!is_node_process(u32::MAX, Path::new("/nowhere/node.conf")));
        assert!(!is_alive(u32::MAX));
        if Path::new("/proc/self/cmdline").exists() {
            assert!(is_alive(own_pid));
        }
    }
}
