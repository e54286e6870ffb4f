//! The two implementations under comparison, started through testkit with identical settings, and the few
//! commands every benchmark section sends to them.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, bail};
use resp::Frame;
use testkit::{Client, Node, NodeConfig, free_port, info_field_in};

/// Which server a measurement is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Implementation {
    /// Our `rserver` (release build).
    Rserver,
    /// The real `redis-server` 7.0.
    Redis,
}

impl Implementation {
    /// Its name in tables and progress lines.
    pub fn name(self) -> &'static str {
        match self {
            Implementation::Rserver => "rserver",
            Implementation::Redis => "redis",
        }
    }
}

/// The order of the two implementations for run number `index`: who goes first alternates, so a slow phase of a
/// shared machine does not always hit the same one.
pub fn alternating(index: usize) -> [Implementation; 2] {
    if index.is_multiple_of(2) {
        [Implementation::Rserver, Implementation::Redis]
    } else {
        [Implementation::Redis, Implementation::Rserver]
    }
}

/// One value per implementation.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Pair<T> {
    /// rserver's.
    pub rserver: T,
    /// redis-server's.
    pub redis: T,
}

impl<T> Pair<T> {
    /// The value of `implementation`.
    pub fn get(&self, implementation: Implementation) -> &T {
        match implementation {
            Implementation::Rserver => &self.rserver,
            Implementation::Redis => &self.redis,
        }
    }

    /// The value of `implementation`, mutably.
    pub fn get_mut(&mut self, implementation: Implementation) -> &mut T {
        match implementation {
            Implementation::Rserver => &mut self.rserver,
            Implementation::Redis => &mut self.redis,
        }
    }

    /// Builds both values with `make`.
    pub fn try_new(mut make: impl FnMut(Implementation) -> Result<T>) -> Result<Pair<T>> {
        Ok(Pair {
            rserver: make(Implementation::Rserver)?,
            redis: make(Implementation::Redis)?,
        })
    }
}

/// The binaries a benchmark run needs.
#[derive(Debug, Clone)]
pub struct Binaries {
    /// `target/release/rserver`.
    pub rserver: PathBuf,
    /// `redis-server` from `PATH`.
    pub redis_server: PathBuf,
    /// `redis-benchmark` from `PATH`.
    pub redis_benchmark: PathBuf,
}

impl Binaries {
    /// The server binary of `implementation`.
    pub fn server(&self, implementation: Implementation) -> &Path {
        match implementation {
            Implementation::Rserver => &self.rserver,
            Implementation::Redis => &self.redis_server,
        }
    }

    /// Starts a fresh standalone `implementation` on a free port with the benchmark settings. The node is killed
    /// when the returned [`Node`] is dropped, also on error paths.
    pub fn start(&self, implementation: Implementation) -> Result<Node> {
        let config = bench_config(free_port());
        Node::try_start(self.server(implementation), config)
            .with_context(|| format!("start {}", implementation.name()))
    }
}

/// The settings both servers run with: no persistence, diskless full syncs that start at once, and `DEBUG`
/// enabled for `DEBUG POPULATE`.
pub fn bench_config(port: u16) -> NodeConfig {
    NodeConfig::new(port)
        .with("save", "\"\"")
        .with("appendonly", "no")
        .with("repl-diskless-sync", "yes")
        .with("repl-diskless-sync-delay", "0")
        .with("enable-debug-command", "yes")
}

/// The settings above as prose, for the report.
pub const SETTINGS_TEXT: &str = "`save \"\"`, `appendonly no`, `repl-diskless-sync yes`, \
    `repl-diskless-sync-delay 0`, `enable-debug-command yes`; everything else at its default; loopback";

/// Sends `args` and fails on an error reply.
pub fn command(client: &mut Client, args: &[&str]) -> Result<Frame> {
    let reply = client
        .try_cmd(args)
        .with_context(|| format!("send {}", args.join(" ")))?;
    if let Frame::Error(error) = &reply {
        bail!(
            "{} answered -{}",
            args.join(" "),
            String::from_utf8_lossy(error)
        );
    }
    Ok(reply)
}

/// A numeric field of `INFO <section>`.
pub fn info_number(client: &mut Client, section: &str, field: &str) -> Result<u64> {
    let info = client
        .info(section)
        .with_context(|| format!("INFO {section}"))?;
    let value =
        info_field_in(&info, field).with_context(|| format!("no {field} in INFO {section}"))?;
    value
        .parse()
        .with_context(|| format!("{field}:{value} is not a number"))
}

/// `DEBUG POPULATE keys key 16`: `keys` string keys `key:N` with 16-byte values, made inside the server.
pub fn populate(node: &Node, keys: u64) -> Result<()> {
    let mut client = Client::connect(node.port()).context("connect to populate")?;
    command(
        &mut client,
        &["DEBUG", "POPULATE", &keys.to_string(), "key", "16"],
    )?;
    match command(&mut client, &["DBSIZE"])? {
        Frame::Integer(count) if count == keys as i64 => Ok(()),
        other => bail!("DBSIZE after DEBUG POPULATE {keys}: {other:?}"),
    }
}

/// Whether the server knows `name` (`COMMAND INFO name` answers `[nil]` for an unknown command).
pub fn knows_command(client: &mut Client, name: &str) -> Result<bool> {
    match command(client, &["COMMAND", "INFO", name])? {
        Frame::Array(items) => Ok(matches!(items.as_slice(), [Frame::Array(_)])),
        other => bail!("COMMAND INFO {name}: unexpected reply {other:?}"),
    }
}

/// Polls `probe` every `interval` until it returns `Some`, for at most `deadline`; the time it took is returned
/// with the value. This is a benchmark timing loop: testkit's 20 ms poll interval is too coarse to time a sync.
pub fn poll_every<T>(
    interval: Duration,
    deadline: Duration,
    what: &str,
    mut probe: impl FnMut() -> Result<Option<T>>,
) -> Result<(T, Duration)> {
    let start = Instant::now();
    loop {
        if let Some(value) = probe()? {
            return Ok((value, start.elapsed()));
        }
        if start.elapsed() >= deadline {
            bail!("{what}: not reached within {deadline:?}");
        }
        std::thread::sleep(interval);
    }
}
