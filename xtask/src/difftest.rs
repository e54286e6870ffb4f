//! `cargo xtask difftest [--seed N] [--ops M] [--keep-going] [--release] [--print-ops]`: builds `rserver`, then runs the
//! seeded differential sequence of `testkit::difftest` against the real `redis-server` (reply by reply, then
//! data set against data set) and through an `rserver` replica (data sets and `DEBUG DIGEST`), and prints a
//! summary with the exact reproduction command of any mismatch.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{Context as _, Result, bail, ensure};
use testkit::difftest::{self, Generator, Report, show_command};
use testkit::{Node, NodeConfig, free_port};

use crate::cluster::target_dir;

/// What to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// The seed; a fresh one (printed) when not given.
    pub seed: Option<u64>,
    /// Ops per leg.
    pub ops: usize,
    /// Continue after the first mismatch.
    pub keep_going: bool,
    /// Build and run the release binary instead of the debug one.
    pub release: bool,
    /// Only print the sequence (index, client, command), run nothing.
    pub print_ops: bool,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            seed: None,
            ops: 3000,
            keep_going: false,
            release: false,
            print_ops: false,
        }
    }
}

pub fn run(root: &Path, options: &Options) -> Result<()> {
    let rserver = build(root, options.release)?;
    if options.print_ops {
        let seed = options.seed.context("--print-ops needs --seed")?;
        print_ops(&rserver, seed, options.ops);
        return Ok(());
    }
    let Some(redis) = testkit::redis_tool("redis-server") else {
        bail!("redis-server not found on PATH (apt-get install redis-server)");
    };
    let seed = options.seed.unwrap_or_else(fresh_seed);
    let run_options = difftest::Options {
        seed,
        ops: options.ops,
        keep_going: options.keep_going,
    };
    println!(
        "difftest: seed {seed}, {} ops per leg, {}",
        options.ops,
        rserver.display()
    );
    let reports: [Report; 2] = [
        difftest::against_redis(&rserver, &redis, &run_options),
        difftest::through_replica(&rserver, &run_options),
    ];
    for report in &reports {
        print!("{report}");
    }
    let failed: Vec<&Report> = reports.iter().filter(|report| !report.passed()).collect();
    if let Some(first) = failed.first() {
        bail!(
            "{} leg(s) failed; reproduce with: {}{}",
            failed.len(),
            first.reproduction(),
            if options.release { " --release" } else { "" }
        );
    }
    Ok(())
}

/// Prints the first `ops` ops of the sequence of `seed` as a run on `rserver` sends them (the optional
/// commands it has change the sequence), to read along a mismatch.
fn print_ops(rserver: &Path, seed: u64, ops: usize) {
    let node = Node::start(rserver, NodeConfig::new(free_port()).with("save", "\"\""));
    let mut generator = Generator::new(seed, difftest::features_of(&node));
    drop(node);
    let mut index = 0;
    while index < ops {
        for op in generator.next_block() {
            if index == ops {
                return;
            }
            println!(
                "#{index} [client {}] {}",
                op.connection,
                show_command(&op.args)
            );
            index += 1;
        }
    }
}

/// Builds `rserver` (debug, or release with `release`) and returns its path.
pub(crate) fn build(root: &Path, release: bool) -> Result<PathBuf> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut args = vec!["build", "--quiet", "--bin", "rserver"];
    if release {
        args.push("--release");
    }
    println!("building: cargo {}", args.join(" "));
    let status = Command::new(cargo)
        .args(&args)
        .current_dir(root)
        .status()
        .context("run cargo build")?;
    ensure!(status.success(), "cargo build failed ({status})");
    let profile = if release { "release" } else { "debug" };
    Ok(target_dir(root).join(profile).join("rserver"))
}

/// A seed from the clock, for runs that did not ask for one.
fn fresh_seed() -> u64 {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    now.as_secs() ^ u64::from(now.subsec_nanos())
}
