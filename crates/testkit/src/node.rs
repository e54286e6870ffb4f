//! [`Node`]: one server process (`rserver` or `redis-server`) with its own directory, config file and log.
//!
//! Lifecycle rules, after `neon`'s `control_plane/src/background_process.rs`: readiness is polled under a
//! deadline (the log says `Ready to accept connections` *and* `PING` answers, while the child is still
//! alive), and a `Node` that goes out of scope is killed with `SIGKILL` and reaped, also while a test panics.
//! A panicking test additionally gets each node's log tail on stderr and keeps the node directories.

use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write as _};
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};

use resp::Frame;

use crate::client::{Client, ClientError};
use crate::config::NodeConfig;
use crate::wait::{DEFAULT_DEADLINE, poll_until};

/// The line a server prints once it listens (both `redis-server` and `rserver`).
const READY_LINE: &str = "Ready to accept connections";

/// How many log lines error messages and panics show.
const LOG_TAIL_LINES: usize = 40;

/// Distinguishes the temp directories of nodes started by one process.
static NODE_COUNTER: AtomicU32 = AtomicU32::new(0);

/// What happens to a node's directory when the [`Node`] is dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DirPolicy {
    /// Delete it, unless the thread is panicking (a failing test), in which case it is kept and its path printed.
    RemoveUnlessPanicking,
    /// Always keep it (nodes of `cargo xtask cluster-up`, whose data should survive a restart).
    Keep,
}

/// How to ask a node to stop; maps to the `SHUTDOWN` variants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shutdown {
    /// `SHUTDOWN`: saves if save points are configured, like an operator's shutdown.
    Default,
    /// `SHUTDOWN NOSAVE`.
    NoSave,
    /// `SHUTDOWN SAVE`.
    Save,
}

/// A server process under test. See the module documentation for the lifecycle rules.
#[derive(Debug)]
pub struct Node {
    binary: PathBuf,
    dir: PathBuf,
    config: NodeConfig,
    child: Option<Child>,
    dir_policy: DirPolicy,
    own_process_group: bool,
}

/// A node failed to start or stop. `Display` includes the tail of the node's log.
#[derive(Debug)]
pub struct NodeError {
    port: u16,
    kind: NodeErrorKind,
    log_tail: String,
}

#[derive(Debug)]
enum NodeErrorKind {
    Io {
        doing: &'static str,
        error: io::Error,
    },
    ExitedEarly(ExitStatus),
    NotReady {
        last_observed: String,
    },
    DidNotExit,
    ShutdownRefused(Frame),
    NotRunning,
    AlreadyRunning,
}

impl NodeError {
    /// The port of the node concerned.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The last lines of the node's log when the error happened.
    pub fn log_tail(&self) -> &str {
        &self.log_tail
    }
}

impl fmt::Display for NodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "node 127.0.0.1:{}: ", self.port)?;
        match &self.kind {
            NodeErrorKind::Io { doing, error } => write!(f, "{doing}: {error}")?,
            NodeErrorKind::ExitedEarly(status) => {
                write!(f, "exited before it was ready ({status})")?
            }
            NodeErrorKind::NotReady { last_observed } => write!(
                f,
                "not ready within {DEFAULT_DEADLINE:?}; last observed: {last_observed}"
            )?,
            NodeErrorKind::DidNotExit => {
                write!(f, "did not exit within {DEFAULT_DEADLINE:?}; killed it")?
            }
            NodeErrorKind::ShutdownRefused(reply) => write!(f, "SHUTDOWN refused: {reply:?}")?,
            NodeErrorKind::NotRunning => write!(f, "not running")?,
            NodeErrorKind::AlreadyRunning => write!(f, "already running")?,
        }
        write!(
            f,
            "\n--- log tail ---\n{}--- end of log tail ---",
            self.log_tail
        )
    }
}

impl std::error::Error for NodeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            NodeErrorKind::Io { error, .. } => Some(error),
            _ => None,
        }
    }
}

impl Node {
    /// Starts `binary` with `config` in a fresh temp directory and waits until it is ready; panics (with the
    /// log tail) if it does not come up.
    #[track_caller]
    pub fn start(binary: impl AsRef<Path>, config: NodeConfig) -> Node {
        Node::try_start(binary, config).unwrap_or_else_panic()
    }

    /// Fallible [`Node::start`]. The directory is `<temp dir>/testkit/node-<port>-<pid>-<n>` and is removed on
    /// drop unless the thread is panicking.
    pub fn try_start(binary: impl AsRef<Path>, config: NodeConfig) -> Result<Node, NodeError> {
        let name = format!(
            "node-{}-{}-{}",
            config.port(),
            std::process::id(),
            NODE_COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        let dir = std::env::temp_dir().join("testkit").join(name);
        let mut node = Node {
            binary: binary.as_ref().to_path_buf(),
            dir,
            config,
            child: None,
            dir_policy: DirPolicy::RemoveUnlessPanicking,
            own_process_group: false,
        };
        // A leftover directory from an earlier process with the same pid would mix old data in.
        match fs::remove_dir_all(&node.dir) {
            Err(error) if error.kind() != io::ErrorKind::NotFound => {
                return Err(node.io_error("clear node dir", error));
            }
            _ => {}
        }
        node.try_start_again()?;
        Ok(node)
    }

    /// Starts `binary` with `config` in `dir` (created if missing, kept on drop, data reused), in its own process
    /// group so a Ctrl-C in the terminal reaches only the supervisor, which then stops the node in order.
    /// This is how `cargo xtask cluster-up` runs nodes.
    pub fn try_start_in(
        binary: impl AsRef<Path>,
        dir: PathBuf,
        config: NodeConfig,
    ) -> Result<Node, NodeError> {
        let mut node = Node {
            binary: binary.as_ref().to_path_buf(),
            dir,
            config,
            child: None,
            dir_policy: DirPolicy::Keep,
            own_process_group: true,
        };
        node.try_start_again()?;
        Ok(node)
    }

    /// Starts the stopped node again with the same directory and its current (possibly edited) config, and waits
    /// until it is ready; panics with the log tail if it does not come up.
    #[track_caller]
    pub fn start_again(&mut self) {
        self.try_start_again().unwrap_or_else_panic()
    }

    /// Fallible [`Node::start_again`]; also how every start happens.
    pub fn try_start_again(&mut self) -> Result<(), NodeError> {
        if self.is_running() {
            return Err(self.error(NodeErrorKind::AlreadyRunning));
        }
        fs::create_dir_all(&self.dir).map_err(|error| self.io_error("create node dir", error))?;
        fs::write(self.config_path(), self.config.render(&self.dir))
            .map_err(|error| self.io_error("write config file", error))?;
        let mut log = OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.log_path())
            .map_err(|error| self.io_error("open log file", error))?;
        let log_start = log.metadata().map(|metadata| metadata.len()).unwrap_or(0);
        let marker = format!(
            "### testkit: starting {} {}\n",
            self.binary.display(),
            self.config_path().display()
        );
        log.write_all(marker.as_bytes())
            .map_err(|error| self.io_error("write log file", error))?;
        let stderr_log = log
            .try_clone()
            .map_err(|error| self.io_error("open log file", error))?;

        let mut command = Command::new(&self.binary);
        command
            .arg(self.config_path())
            .current_dir(&self.dir)
            .stdin(Stdio::null())
            .stdout(Stdio::from(log))
            .stderr(Stdio::from(stderr_log));
        if self.own_process_group {
            command.process_group(0);
        }
        let child = command
            .spawn()
            .map_err(|error| self.io_error("spawn server binary", error))?;
        self.child = Some(child);
        self.wait_ready(log_start)
    }

    /// Waits until the log written since `log_start` says ready and `PING` answers `PONG` (or `-NOAUTH`).
    fn wait_ready(&mut self, log_start: u64) -> Result<(), NodeError> {
        let port = self.port();
        let log_path = self.log_path();
        let outcome = poll_until(DEFAULT_DEADLINE, || {
            let child = self
                .child
                .as_mut()
                .expect("wait_ready is called right after spawn");
            match child.try_wait() {
                Ok(Some(status)) => return Ok(Err(NodeErrorKind::ExitedEarly(status))),
                Ok(None) => {}
                Err(error) => {
                    return Ok(Err(NodeErrorKind::Io {
                        doing: "check child status",
                        error,
                    }));
                }
            }
            if !read_lossy_from(&log_path, log_start).contains(READY_LINE) {
                return Err(format!("no {READY_LINE:?} in the log yet"));
            }
            let reply = Client::connect(port)
                .map_err(ClientError::Io)
                .and_then(|mut client| client.try_cmd(&["PING"]));
            match reply {
                Ok(Frame::Simple(pong)) if pong.as_ref() == b"PONG" => Ok(Ok(())),
                // A node with `requirepass` is up too; the test authenticates its own connections.
                Ok(Frame::Error(error)) if error.starts_with(b"NOAUTH") => Ok(Ok(())),
                Ok(other) => Err(format!("PING answered {other:?}")),
                Err(error) => Err(format!("PING failed: {error}")),
            }
        });
        match outcome {
            Ok(Ok(())) => Ok(()),
            Ok(Err(kind)) => {
                self.kill();
                Err(self.error(kind))
            }
            Err(last_observed) => {
                self.kill();
                Err(self.error(NodeErrorKind::NotReady { last_observed }))
            }
        }
    }

    /// `SHUTDOWN NOSAVE` and wait for the exit; panics if that fails.
    #[track_caller]
    pub fn stop(&mut self) {
        self.shutdown(Shutdown::NoSave);
    }

    /// Sends the `SHUTDOWN` variant `mode` and waits for the exit; panics if that fails.
    #[track_caller]
    pub fn shutdown(&mut self, mode: Shutdown) -> ExitStatus {
        self.try_shutdown(mode).unwrap_or_else_panic()
    }

    /// Fallible [`Node::shutdown`]. If the node does not exit within the deadline it is killed and this fails.
    pub fn try_shutdown(&mut self, mode: Shutdown) -> Result<ExitStatus, NodeError> {
        if !self.is_running() {
            return Err(self.error(NodeErrorKind::NotRunning));
        }
        let args: &[&str] = match mode {
            Shutdown::Default => &["SHUTDOWN"],
            Shutdown::NoSave => &["SHUTDOWN", "NOSAVE"],
            Shutdown::Save => &["SHUTDOWN", "SAVE"],
        };
        // On success the server closes the connection without a reply; a reply means it refused.
        let reply = Client::connect(self.port())
            .map_err(ClientError::Io)
            .and_then(|mut client| {
                client.send(args)?;
                client.read_reply()
            });
        if let Ok(reply) = reply {
            return Err(self.error(NodeErrorKind::ShutdownRefused(reply)));
        }
        self.wait_exit()
    }

    /// Sends `SIGTERM` and waits for the exit; panics if that fails.
    #[track_caller]
    pub fn terminate(&mut self) -> ExitStatus {
        self.try_terminate().unwrap_or_else_panic()
    }

    /// Fallible [`Node::terminate`].
    pub fn try_terminate(&mut self) -> Result<ExitStatus, NodeError> {
        let Some(pid) = self.pid() else {
            return Err(self.error(NodeErrorKind::NotRunning));
        };
        // std has no way to send SIGTERM and the kit avoids a libc dependency; kill(1) is always there.
        let status = Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status()
            .map_err(|error| self.io_error("run kill -TERM", error))?;
        if !status.success() {
            return Err(self.io_error(
                "run kill -TERM",
                io::Error::other(format!("kill exited with {status}")),
            ));
        }
        self.wait_exit()
    }

    /// Shuts down with [`Shutdown::Default`] and starts again with the current config; panics if either fails.
    #[track_caller]
    pub fn restart(&mut self) {
        self.shutdown(Shutdown::Default);
        self.start_again();
    }

    /// Kills the process with `SIGKILL` and reaps it; does nothing if it is not running.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            // Errors mean it already exited; wait() then still reaps it.
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Whether the process is alive (reaps it if it exited).
    pub fn is_running(&mut self) -> bool {
        match self.child.as_mut().map(Child::try_wait) {
            Some(Ok(None)) => true,
            Some(_) => {
                self.child = None;
                false
            }
            None => false,
        }
    }

    /// Exit status if the process has exited since the last check (it is then reaped and forgotten).
    pub fn try_exit_status(&mut self) -> Option<ExitStatus> {
        let status = self
            .child
            .as_mut()
            .and_then(|child| child.try_wait().ok().flatten());
        if status.is_some() {
            self.child = None;
        }
        status
    }

    fn wait_exit(&mut self) -> Result<ExitStatus, NodeError> {
        let Some(child) = self.child.as_mut() else {
            return Err(self.error(NodeErrorKind::NotRunning));
        };
        let outcome = poll_until(DEFAULT_DEADLINE, || match child.try_wait() {
            Ok(Some(status)) => Ok(Ok(status)),
            Ok(None) => Err("still running".to_string()),
            Err(error) => Ok(Err(error)),
        });
        match outcome {
            Ok(Ok(status)) => {
                self.child = None;
                Ok(status)
            }
            Ok(Err(error)) => {
                self.kill();
                Err(self.io_error("wait for exit", error))
            }
            Err(_) => {
                self.kill();
                Err(self.error(NodeErrorKind::DidNotExit))
            }
        }
    }

    /// The port it listens on (from its config).
    pub fn port(&self) -> u16 {
        self.config.port()
    }

    /// The process id while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// The server binary.
    pub fn binary(&self) -> &Path {
        &self.binary
    }

    /// Its directory (working directory, `dir`, config and log file).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The config it was (or will next be) started with.
    pub fn config(&self) -> &NodeConfig {
        &self.config
    }

    /// Edit the config for the next [`Node::start_again`] (e.g. remove `replicaof`). The file is rewritten on
    /// start; changing the port of a running node is not supported.
    pub fn config_mut(&mut self) -> &mut NodeConfig {
        &mut self.config
    }

    /// `<dir>/node.conf`.
    pub fn config_path(&self) -> PathBuf {
        self.dir.join("node.conf")
    }

    /// `<dir>/node.log`: stdout and stderr of every start, each start preceded by a `### testkit:` line.
    pub fn log_path(&self) -> PathBuf {
        self.dir.join("node.log")
    }

    /// The whole log so far.
    pub fn log(&self) -> String {
        read_lossy(&self.log_path())
    }

    /// The last `lines` lines of the log.
    pub fn log_tail(&self, lines: usize) -> String {
        let log = self.log();
        let all: Vec<&str> = log.lines().collect();
        let mut tail = all[all.len().saturating_sub(lines)..].join("\n");
        tail.push('\n');
        tail
    }

    /// A new connection; panics if it cannot connect.
    #[track_caller]
    pub fn client(&self) -> Client {
        match Client::connect(self.port()) {
            Ok(client) => client,
            Err(error) => panic!("connect to node 127.0.0.1:{}: {error}", self.port()),
        }
    }

    /// Runs one command on a new connection; panics if there is no reply.
    #[track_caller]
    pub fn cmd<A: AsRef<[u8]>>(&self, args: &[A]) -> Frame {
        self.client().cmd(args)
    }

    /// Fallible [`Node::cmd`].
    pub fn try_cmd<A: AsRef<[u8]>>(&self, args: &[A]) -> Result<Frame, ClientError> {
        Client::connect(self.port())?.try_cmd(args)
    }

    /// `INFO replication` text; panics if there is no reply.
    #[track_caller]
    pub fn info_replication(&self) -> String {
        self.client().info_replication()
    }

    /// Fallible [`Node::info_replication`].
    pub fn try_info_replication(&self) -> Result<String, ClientError> {
        Client::connect(self.port())?.info("replication")
    }

    /// A field of `INFO <section>`; panics if there is no reply, `None` if the field is absent.
    #[track_caller]
    pub fn info_field(&self, section: &str, field: &str) -> Option<String> {
        match self.client().info_field(section, field) {
            Ok(value) => value,
            Err(error) => panic!("INFO {section} on 127.0.0.1:{}: {error}", self.port()),
        }
    }

    fn error(&self, kind: NodeErrorKind) -> NodeError {
        NodeError {
            port: self.port(),
            kind,
            log_tail: self.log_tail(LOG_TAIL_LINES),
        }
    }

    fn io_error(&self, doing: &'static str, error: io::Error) -> NodeError {
        self.error(NodeErrorKind::Io { doing, error })
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        let panicking = std::thread::panicking();
        if panicking {
            // eprintln! (not a raw stderr write) so the test harness shows it with the failing test's output.
            eprintln!(
                "--- node 127.0.0.1:{} ({}) log tail ---\n{}--- end of log tail; dir kept: {} ---",
                self.port(),
                self.binary.display(),
                self.log_tail(LOG_TAIL_LINES),
                self.dir.display()
            );
        }
        self.kill();
        if self.dir_policy == DirPolicy::RemoveUnlessPanicking && !panicking {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

/// `unwrap` for [`NodeError`] that panics with its full `Display` (message and log tail) at the caller.
trait UnwrapOrPanic<T> {
    fn unwrap_or_else_panic(self) -> T;
}

impl<T> UnwrapOrPanic<T> for Result<T, NodeError> {
    #[track_caller]
    fn unwrap_or_else_panic(self) -> T {
        match self {
            Ok(value) => value,
            Err(error) => panic!("{error}"),
        }
    }
}

/// The file as text, empty if it cannot be read (a log that does not exist yet).
fn read_lossy(path: &Path) -> String {
    read_lossy_from(path, 0)
}

/// The file from byte `offset` on, as text; empty if it cannot be read.
fn read_lossy_from(path: &Path, offset: u64) -> String {
    let mut bytes = Vec::new();
    if let Ok(mut file) = File::open(path) {
        let _ = io::Read::read_to_end(&mut file, &mut bytes);
    }
    let start = usize::try_from(offset)
        .unwrap_or(usize::MAX)
        .min(bytes.len());
    String::from_utf8_lossy(&bytes[start..]).into_owned()
}
