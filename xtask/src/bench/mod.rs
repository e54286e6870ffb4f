//! `cargo xtask bench` (issue 5): rserver against the real redis-server 7.0 on the same machine, with the
//! same settings, in alternating rounds; medians, ratios and the targets in one table, printed and
//! written to `docs/bench.md`.
//!
//! One module per measurement (`throughput`, `sync`, `lag`, `memory`), each returning a [`report::Section`];
//! `servers` starts the nodes (testkit, killed on drop) and `report` renders the table.

mod lag;
mod memory;
mod report;
mod servers;
mod stats;
mod sync;
mod throughput;

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context as _, Result, ensure};

use report::Report;
use servers::{Binaries, SETTINGS_TEXT};

/// Which measurements to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Only {
    /// redis-benchmark throughput.
    Throughput,
    /// Full sync time and client stall.
    Sync,
    /// Replica lag under a write load.
    Lag,
    /// Memory per key.
    Memory,
}

impl Only {
    /// Parses the value of `--only`.
    pub fn parse(text: &str) -> Result<Only> {
        Ok(match text {
            "throughput" => Only::Throughput,
            "sync" => Only::Sync,
            "lag" => Only::Lag,
            "memory" => Only::Memory,
            other => {
                anyhow::bail!("--only: unknown measurement `{other}` (throughput|sync|lag|memory)")
            }
        })
    }
}

/// Options of `bench`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// Alternating rounds per measurement.
    pub rounds: usize,
    /// Small sizes and one round: a smoke test of the driver, not a result.
    pub quick: bool,
    /// Run one measurement only.
    pub only: Option<Only>,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            rounds: 3,
            quick: false,
            only: None,
        }
    }
}

/// Keys loaded for the sync and memory measurements (issue 5: 1,000,000), and in a quick run.
const KEYS: u64 = 1_000_000;
const QUICK_KEYS: u64 = 100_000;

/// Builds rserver, runs the selected measurements, prints the table and writes the markdown.
pub fn run(root: &Path, options: &Options) -> Result<()> {
    let binaries = find_binaries(root)?;
    let rounds = if options.quick { 1 } else { options.rounds };
    let keys = if options.quick { QUICK_KEYS } else { KEYS };
    let mut context = machine_context(root, &binaries);
    context.push((
        "rounds".to_string(),
        format!(
            "{rounds} per measurement, alternating which server goes first{}",
            if options.quick {
                " (--quick: small sizes, a smoke test, not a result)"
            } else {
                ""
            }
        ),
    ));
    context.push((
        "settings (both servers)".to_string(),
        SETTINGS_TEXT.to_string(),
    ));

    let wanted = |only: Only| options.only.is_none_or(|chosen| chosen == only);
    let mut sections = Vec::new();
    if wanted(Only::Throughput) {
        sections.push(throughput::run(&binaries, rounds, options.quick)?);
    }
    if wanted(Only::Sync) {
        sections.push(sync::run(&binaries, rounds, keys)?);
    }
    if wanted(Only::Lag) {
        sections.push(lag::run(&binaries, rounds, options.quick)?);
    }
    if wanted(Only::Memory) {
        sections.push(memory::run(&binaries, rounds, keys)?);
    }
    context.push(("load average at end".to_string(), load_average()));
    let report = Report { context, sections };

    println!("{}", report::render_text(&report));
    // A full run is the published result; a quick or partial run must not overwrite it.
    let output = if options.quick || options.only.is_some() {
        target_dir(root).join("bench").join("bench.md")
    } else {
        root.join("docs").join("bench.md")
    };
    if let Some(parent) = output.parent() {
        std::fs::create_dir_all(parent).with_context(|| format!("create {}", parent.display()))?;
    }
    std::fs::write(&output, report::render_markdown(&report))
        .with_context(|| format!("write {}", output.display()))?;
    println!(
        "written to {}",
        output.strip_prefix(root).unwrap_or(&output).display()
    );
    let missed = report.missed_targets();
    if !missed.is_empty() {
        println!("targets missed: {}", missed.join("; "));
    }
    Ok(())
}

/// Builds release rserver and finds the Redis tools on `PATH`.
fn find_binaries(root: &Path) -> Result<Binaries> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    eprintln!("building: cargo build --release --bin rserver");
    let status = Command::new(cargo)
        .args(["build", "--release", "--bin", "rserver"])
        .current_dir(root)
        .status()
        .context("run cargo build")?;
    ensure!(status.success(), "cargo build --release failed ({status})");
    let tool = |name: &str| {
        testkit::redis_tool(name).with_context(|| {
            format!("{name} not found on PATH (apt-get install redis-server redis-tools)")
        })
    };
    Ok(Binaries {
        rserver: target_dir(root).join("release").join("rserver"),
        redis_server: tool("redis-server")?,
        redis_benchmark: tool("redis-benchmark")?,
    })
}

/// The machine, date and versions, as `label: value` pairs for the report's header.
fn machine_context(root: &Path, binaries: &Binaries) -> Vec<(String, String)> {
    let cpus = std::thread::available_parallelism().map_or(0, |count| count.get());
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let cpu_model = cpuinfo
        .lines()
        .find_map(|line| {
            line.strip_prefix("model name")?
                .split_once(':')
                .map(|(_, model)| model.trim())
        })
        .unwrap_or("unknown CPU");
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    let git = output_of(root, "git", &["rev-parse", "--short", "HEAD"])
        .unwrap_or_else(|| "unknown".into());
    vec![
        (
            "date".to_string(),
            output_of(root, "date", &["-u", "+%Y-%m-%d %H:%M UTC"]).unwrap_or_default(),
        ),
        (
            "machine".to_string(),
            format!("{cpus} CPUs (nproc), {cpu_model}, Linux {}", kernel.trim()),
        ),
        ("load average at start".to_string(), load_average()),
        (
            "rserver".to_string(),
            format!("{} (git {git}, release build)", env!("CARGO_PKG_VERSION")),
        ),
        (
            "redis-server".to_string(),
            binary_version(root, &binaries.redis_server),
        ),
        (
            "redis-benchmark".to_string(),
            binary_version(root, &binaries.redis_benchmark),
        ),
    ]
}

/// The 1, 5 and 15 minute load averages: how busy the shared machine was.
fn load_average() -> String {
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let load: Vec<&str> = load.split_whitespace().take(3).collect();
    load.join(" ")
}

fn binary_version(root: &Path, binary: &Path) -> String {
    let program = binary.to_string_lossy();
    output_of(root, &program, &["--version"]).unwrap_or_else(|| "unknown".into())
}

/// The first line of a command's standard output, if it ran successfully.
fn output_of(root: &Path, program: &str, args: &[&str]) -> Option<String> {
    let output = Command::new(program)
        .args(args)
        .current_dir(root)
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    let text = String::from_utf8_lossy(&output.stdout);
    Some(text.lines().next()?.trim().to_string())
}

/// `CARGO_TARGET_DIR` if set, else `<root>/target`.
fn target_dir(root: &Path) -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => root.join(dir),
        None => root.join("target"),
    }
}
