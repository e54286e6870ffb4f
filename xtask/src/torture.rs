//! `cargo xtask torture [--seed N] [--duration SECS] [--clients N] [--server-bin PATH] [--release]`: the seeded,
//! time-bounded torture run of `testkit::torture` (a master, a replica and a chained replica under every
//! command family and random faults), against the built `rserver` or, with `--server-bin`, another binary
//! such as `/usr/bin/redis-server` (the control: the same seed must pass there). Prints the report and fails
//! unless it ends in `PASS`.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{Context as _, Result, bail};
use testkit::torture;

/// What to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// The seed; a fresh one (printed) when not given.
    pub seed: Option<u64>,
    /// The total budget.
    pub duration: Duration,
    /// Load worker threads.
    pub clients: usize,
    /// Run this binary instead of building `rserver`.
    pub server_binary: Option<PathBuf>,
    /// Build and run the release `rserver` instead of the debug one.
    pub release: bool,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            seed: None,
            duration: Duration::from_secs(60),
            clients: 32,
            server_binary: None,
            release: false,
        }
    }
}

pub fn run(root: &Path, options: &Options) -> Result<()> {
    let binary = match &options.server_binary {
        // Absolute, since each node runs in its own directory; not canonical: redis-server tells its modes
        // apart by the name it was started as.
        Some(binary) => std::path::absolute(binary).context("resolve --server-bin")?,
        None => crate::difftest::build(root, options.release)?,
    };
    let seed = options.seed.unwrap_or_else(fresh_seed);
    let report = torture::run(
        &binary,
        &torture::Options {
            seed,
            duration: options.duration,
            clients: options.clients,
        },
    );
    print!("{report}");
    if !report.passed() {
        let release = if options.release && options.server_binary.is_none() {
            " --release"
        } else {
            ""
        };
        bail!(
            "torture FAILED ({} failure(s)); reproduce with: {}{release}",
            report.failures.len(),
            report.reproduction()
        );
    }
    Ok(())
}

/// A seed from the clock, for runs that did not ask for one.
fn fresh_seed() -> u64 {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    now.as_secs() ^ u64::from(now.subsec_nanos())
}
