//! Liveness (invariant 1) and log hygiene (invariant 4): the watchdog thread PINGs every node and watches every
//! client's request in flight; a node that stops answering, or a request without a reply, is a hang, and the
//! report gets the node's thread stacks (gdb, else `/proc/PID/task/*/stack` and `wchan`) and log tail.
//!
//! A node is left alone while the run itself keeps it from answering (killed and restarting, in `DEBUG SLEEP`,
//! running the busy script): the fault holds an [`Exclusion`] for that window, and every exclusion bumps the
//! node's epoch, so a PING or request that started before or during a window is never blamed on the node.

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use super::conn::{Ping, ping_within};
use super::report::FailureKind;
use super::shared::{NODES, Shared, lock};
use crate::redis::redis_tool;
use crate::wait::poll_until;

/// How long a node may take to answer PING (outside its exclusion windows).
pub(super) const PING_BOUND: Duration = Duration::from_secs(5);

/// How long a client's request may wait for its reply. Every command the load sends is answered at once or
/// within its own timeout (blocking pops and `WAIT` at most 1 s, a `FAILOVER`'s write pause at most 5 s).
const STALL_BOUND: Duration = Duration::from_secs(15);

/// Pause between two rounds of PINGs.
const WATCH_INTERVAL: Duration = Duration::from_millis(250);

/// How many consecutive failed connections to a live, not excluded node count as a hang.
const REFUSALS_FOR_HANG: u32 = 3;

/// Lines of a node's log a report shows.
pub(super) const LOG_TAIL_LINES: usize = 60;

/// Most lines of stack traces a report shows.
const MAX_STACK_LINES: usize = 400;

/// Per-node liveness state and per-client requests in flight.
pub(super) struct Health {
    nodes: [NodeHealth; NODES],
    in_flight: Mutex<Vec<Option<InFlight>>>,
}

struct NodeHealth {
    port: u16,
    /// How many exclusions are active.
    excluded: AtomicU32,
    /// Bumped when an exclusion begins and ends.
    epoch: AtomicU64,
    pid: AtomicU32,
    log_path: Mutex<PathBuf>,
}

/// One client request waiting for its reply.
struct InFlight {
    since: Instant,
    node: usize,
    epoch: u64,
    command: String,
}

/// While alive, the watchdog does not expect `node` to answer (see the module documentation).
pub(super) struct Exclusion<'a> {
    node: &'a NodeHealth,
}

impl Drop for Exclusion<'_> {
    fn drop(&mut self) {
        self.node.epoch.fetch_add(1, Ordering::SeqCst);
        self.node.excluded.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Health {
    pub(super) fn new(ports: [u16; NODES]) -> Health {
        Health {
            nodes: ports.map(|port| NodeHealth {
                port,
                excluded: AtomicU32::new(0),
                epoch: AtomicU64::new(0),
                pid: AtomicU32::new(0),
                log_path: Mutex::new(PathBuf::new()),
            }),
            in_flight: Mutex::new(Vec::new()),
        }
    }

    /// Records the process and log of `node` after a (re)start.
    pub(super) fn started(&self, node: usize, pid: Option<u32>, log_path: &Path) {
        self.nodes[node]
            .pid
            .store(pid.unwrap_or(0), Ordering::SeqCst);
        *lock(&self.nodes[node].log_path) = log_path.to_path_buf();
    }

    /// Excludes `node` from the liveness checks until the returned guard drops.
    pub(super) fn exclude(&self, node: usize) -> Exclusion<'_> {
        let node = &self.nodes[node];
        node.excluded.fetch_add(1, Ordering::SeqCst);
        node.epoch.fetch_add(1, Ordering::SeqCst);
        Exclusion { node }
    }

    /// A slot for one client thread's requests in flight.
    pub(super) fn register_client(&self) -> usize {
        let mut in_flight = lock(&self.in_flight);
        in_flight.push(None);
        in_flight.len() - 1
    }

    /// Client `slot` sent `command` to `node` and waits for the reply.
    pub(super) fn begin_request(&self, slot: usize, node: usize, command: impl FnOnce() -> String) {
        let epoch = self.nodes[node].epoch.load(Ordering::SeqCst);
        let request = InFlight {
            since: Instant::now(),
            node,
            epoch,
            command: command(),
        };
        lock(&self.in_flight)[slot] = Some(request);
    }

    /// Client `slot` got its reply (or gave up).
    pub(super) fn end_request(&self, slot: usize) {
        lock(&self.in_flight)[slot] = None;
    }

    fn is_excluded(&self, node: usize) -> bool {
        self.nodes[node].excluded.load(Ordering::SeqCst) > 0
    }

    fn epoch(&self, node: usize) -> u64 {
        self.nodes[node].epoch.load(Ordering::SeqCst)
    }

    fn pid(&self, node: usize) -> u32 {
        self.nodes[node].pid.load(Ordering::SeqCst)
    }

    /// The last `lines` lines of `node`'s log.
    pub(super) fn log_tail(&self, node: usize, lines: usize) -> String {
        let path = lock(&self.nodes[node].log_path).clone();
        tail(&fs::read(&path).unwrap_or_default(), lines)
    }

    /// Thread stacks and log tail of `node`, for a hang report.
    pub(super) fn diagnose(&self, node: usize) -> String {
        let pid = self.pid(node);
        format!(
            "--- n{node} (127.0.0.1:{}, pid {pid}) thread stacks ---\n{}\n--- n{node} log tail ---\n{}",
            self.nodes[node].port,
            stacks(pid),
            self.log_tail(node, LOG_TAIL_LINES)
        )
    }
}

/// The watchdog thread: until the run stops, PINGs every node that is not excluded and checks the clients'
/// requests in flight; a hang or a dead process is recorded (which aborts the run).
pub(super) fn watchdog(shared: &Shared) {
    let mut refusals = [0u32; NODES];
    while shared.control.pace(WATCH_INTERVAL) {
        for (node, refused) in refusals.iter_mut().enumerate() {
            if shared.control.stopped() || !check_node(shared, node, refused) {
                return;
            }
        }
        if let Some((node, detail)) = stalled_request(&shared.health) {
            shared.fail(
                FailureKind::Hang,
                format!("{detail}\n{}", shared.health.diagnose(node)),
            );
            return;
        }
    }
}

/// PINGs `node` unless it is excluded; records a hang or a crash and returns false if it found one.
/// `refused` counts the consecutive failed connections to it.
fn check_node(shared: &Shared, node: usize, refused: &mut u32) -> bool {
    let health = &shared.health;
    if health.is_excluded(node) {
        *refused = 0;
        return true;
    }
    let epoch = health.epoch(node);
    let port = health.nodes[node].port;
    let outcome = ping_within(port, PING_BOUND);
    if matches!(outcome, Ping::Answered) {
        *refused = 0;
        return true;
    }
    if health.is_excluded(node) || health.epoch(node) != epoch || shared.control.stopped() {
        return true;
    }
    let pid = health.pid(node);
    if !process_alive(pid) {
        shared.fail(
            FailureKind::Crash,
            format!(
                "n{node} (127.0.0.1:{port}, pid {pid}) died\n--- n{node} log tail ---\n{}",
                health.log_tail(node, LOG_TAIL_LINES)
            ),
        );
        return false;
    }
    match outcome {
        Ping::TimedOut => {
            shared.fail(
                FailureKind::Hang,
                format!(
                    "n{node} (127.0.0.1:{port}) did not answer PING within {PING_BOUND:?}\n{}",
                    health.diagnose(node)
                ),
            );
            false
        }
        Ping::Failed(error) => {
            *refused += 1;
            if *refused < REFUSALS_FOR_HANG {
                return true;
            }
            shared.fail(
                FailureKind::Hang,
                format!(
                    "n{node} (127.0.0.1:{port}) is alive but {REFUSALS_FOR_HANG} PINGs in a row failed: {error}\n{}",
                    health.diagnose(node)
                ),
            );
            false
        }
        Ping::Answered => true,
    }
}

/// The first request in flight for longer than [`STALL_BOUND`] on a node that was not excluded meanwhile.
fn stalled_request(health: &Health) -> Option<(usize, String)> {
    let in_flight = lock(&health.in_flight);
    in_flight.iter().flatten().find_map(|request| {
        let waited = request.since.elapsed();
        let blameless =
            health.is_excluded(request.node) || health.epoch(request.node) != request.epoch;
        (waited > STALL_BOUND && !blameless).then(|| {
            (
                request.node,
                format!(
                    "a client has waited {:.1} s for the reply to `{}` from n{} (127.0.0.1:{})",
                    waited.as_secs_f64(),
                    request.command,
                    request.node,
                    health.nodes[request.node].port
                ),
            )
        })
    })
}

/// Whether process `pid` exists and is not a zombie (a child that died and was not reaped yet).
fn process_alive(pid: u32) -> bool {
    if pid == 0 {
        return false;
    }
    let Ok(stat) = fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return false;
    };
    // `pid (comm) S ...`: the state follows the last parenthesis (comm may contain spaces or parentheses).
    let state = stat
        .rfind(')')
        .and_then(|end| stat[end + 1..].trim_start().chars().next());
    !matches!(state, None | Some('Z' | 'X'))
}

/// Every thread's stack of process `pid`: `gdb -batch` if installed, else the kernel's view from `/proc`.
fn stacks(pid: u32) -> String {
    if pid == 0 {
        return "(no process)".to_string();
    }
    let text = match redis_tool("gdb") {
        Some(gdb) => gdb_backtraces(&gdb, pid).unwrap_or_else(|error| {
            format!("gdb failed ({error}); from /proc:\n{}", proc_stacks(pid))
        }),
        None => format!("(gdb not installed) from /proc:\n{}", proc_stacks(pid)),
    };
    let lines: Vec<&str> = text.lines().collect();
    let mut shown = lines[..lines.len().min(MAX_STACK_LINES)].join("\n");
    if lines.len() > MAX_STACK_LINES {
        shown.push_str(&format!(
            "\n... {} more lines",
            lines.len() - MAX_STACK_LINES
        ));
    }
    shown
}

/// `gdb -p PID -batch -ex 'thread apply all bt'`, bounded to a minute.
fn gdb_backtraces(gdb: &Path, pid: u32) -> Result<String, String> {
    let output = std::env::temp_dir().join(format!("torture-gdb-{pid}-{}.txt", std::process::id()));
    let file = File::create(&output).map_err(|error| error.to_string())?;
    let errors = file.try_clone().map_err(|error| error.to_string())?;
    let mut child = Command::new(gdb)
        .args([
            "-p",
            &pid.to_string(),
            "-batch",
            "-ex",
            "thread apply all bt",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::from(file))
        .stderr(Stdio::from(errors))
        .spawn()
        .map_err(|error| error.to_string())?;
    let finished = poll_until(Duration::from_secs(60), || match child.try_wait() {
        Ok(Some(_)) => Ok(()),
        Ok(None) => Err("gdb still running".to_string()),
        Err(_) => Ok(()),
    });
    if finished.is_err() {
        let _ = child.kill();
        let _ = child.wait();
    }
    let text = fs::read_to_string(&output).map_err(|error| error.to_string());
    let _ = fs::remove_file(&output);
    text
}

/// Each thread's name, `wchan` and kernel stack (the stack needs privileges; its error is shown instead).
fn proc_stacks(pid: u32) -> String {
    let Ok(tasks) = fs::read_dir(format!("/proc/{pid}/task")) else {
        return format!("(no /proc/{pid}/task)");
    };
    let mut out = String::new();
    let mut tasks: Vec<PathBuf> = tasks.flatten().map(|entry| entry.path()).collect();
    tasks.sort();
    for task in tasks {
        let read = |name: &str| {
            fs::read_to_string(task.join(name))
                .map(|text| text.trim_end().to_string())
                .unwrap_or_else(|error| format!("({name}: {error})"))
        };
        out.push_str(&format!(
            "task {} [{}] wchan={}\n{}\n",
            task.file_name().unwrap_or_default().to_string_lossy(),
            read("comm"),
            read("wchan"),
            read("stack")
        ));
    }
    out
}

/// The last `lines` lines of `bytes` as text.
pub(super) fn tail(bytes: &[u8], lines: usize) -> String {
    let text = String::from_utf8_lossy(bytes);
    let all: Vec<&str> = text.lines().collect();
    let mut shown = all[all.len().saturating_sub(lines)..].join("\n");
    shown.push('\n');
    shown
}

/// The lines of a node's log that fail invariant 4: a Rust panic, a `CRITICAL` line (Redis's and rserver's
/// "sending an error to its master/replica"), Redis's crash report.
pub(super) fn log_problems(log: &str) -> Vec<String> {
    log.lines()
        .filter(|line| {
            line.contains("panicked at")
                || line.contains("CRITICAL")
                || line.contains("Guru Meditation")
        })
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_panics_critical_lines_and_crash_reports() {
        let log = "1:M 01 Jan 00:00:00.000 * Ready to accept connections\n\
                   thread 'tokio' panicked at crates/server/src/x.rs:1:2:\n\
                   1:S 01 Jan 00:00:00.000 # == CRITICAL == This replica is sending an error to its master\n\
                   === REDIS BUG REPORT START: Cut & paste starting from here ===\n\
                   1:M 01 Jan 00:00:00.000 # --- ASSERTION FAILED\n\
                   ------ Guru Meditation: boom\n";
        assert_eq!(log_problems(log).len(), 3);
        assert!(log_problems("1:M * Ready to accept connections\n").is_empty());
    }

    #[test]
    fn the_current_process_is_alive_and_pid_zero_is_not() {
        assert!(process_alive(std::process::id()));
        assert!(!process_alive(0));
    }

    #[test]
    fn tail_keeps_the_last_lines() {
        assert_eq!(tail(b"a\nb\nc\n", 2), "b\nc\n");
        assert_eq!(tail(b"", 2), "\n");
    }
}
