//! cargo xtask: developer and user tasks that drive the built binaries (matklad/cargo-xtask).
//!
//! - `cargo xtask cluster-up [--replicas N] [--chain] [--base-port P] [--dir DIR] [--server-bin PATH] [--fresh]`:
//!   a local master + replicas of the release `rserver`, in the foreground until Ctrl-C;
//!   `cargo xtask cluster-up status|down [--dir DIR]` show or stop it from another terminal;
//! - `cargo xtask command-table`: regenerates the one command table (crate `commands`) from the real redis-server;
//! - `cargo xtask tidy`: house-style checks (also a `#[test]`, so `cargo test` runs them);
//! - `cargo xtask bench [--rounds N] [--quick] [--only throughput|sync|lag|memory]`: rserver against the real
//!   redis-server, medians of alternating rounds and ratios, written to `docs/bench.md`;
//! - `cargo xtask difftest [--seed N] [--ops M] [--keep-going] [--release] [--print-ops]`: the seeded differential sequence
//!   against redis-server and through an rserver replica (issue 3);
//! - `cargo xtask scenario NAME|all [--release]`: named multi-node scenarios with faults, each narrated step by
//!   step and ending with `PASS name (Xs)` or `FAIL name: reason` (issue 5);
//! - `cargo xtask torture [--seed N] [--duration SECS] [--clients N] [--server-bin PATH] [--release]`: the seeded,
//!   time-bounded torture run (every command family, random faults, invariants), ending in `PASS` or `FAIL`;
//! - `cargo xtask modgraph [CRATE_DIR]`: a crate's top-level module graph and its import loops (issue 12).
#![forbid(unsafe_code)]

mod bench;
mod cluster;
mod command_table;
mod difftest;
mod modgraph;
mod scenario;
mod tidy;
mod torture;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context as _, Result, bail};

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  cluster-up [--replicas N] [--chain] [--base-port P] [--dir DIR] [--server-bin PATH] [--fresh]
             build release rserver + rcli, start a master on P (default 6379) and N replicas (default 2)
             on the next ports, wait until every replica is in sync, run until Ctrl-C.
             --chain makes each replica replicate the previous one (master <- P+1 <- P+2 ...);
             --dir DIR holds the node directories and the state file (default target/cluster);
             --server-bin runs that binary instead of building (e.g. /usr/bin/redis-server);
             --fresh deletes DIR/node-* first.
  cluster-up status [--dir DIR]
             from another terminal: the node table of the running cluster, queried from its nodes
             (found through DIR/cluster.state, written by cluster-up once the cluster is in sync).
  cluster-up down [--dir DIR]
             from another terminal: stop the running cluster (SHUTDOWN each node, replicas first;
             SIGKILL if one does not exit) and remove DIR/cluster.state; the data is kept.
  command-table
             regenerate crates/commands/src/table/generated.rs (every command's arity, flags, key
             positions, ACL categories and key specs) from the real redis-server's COMMAND reply
  tidy       check the crate map, module docs and sleeps in tests (also run by `cargo test`)
  bench [--rounds N] [--quick] [--only throughput|sync|lag|memory]
             build release rserver and compare it with redis-server (same settings, free ports):
             redis-benchmark throughput at pipeline 1 and 16, full sync of 1,000,000 keys and the longest
             client stall meanwhile, replica lag under a write load, memory per key. Medians of N alternating
             rounds (default 3) and ratios to redis; a full run writes docs/bench.md. --quick (small sizes,
             one round) and --only write target/bench/bench.md instead.
  difftest [--seed N] [--ops M] [--keep-going] [--release] [--print-ops]
             build rserver (debug unless --release) and send one seeded random sequence of M commands
             (default 3000; every data type, expiries, transactions, WATCH) to rserver and redis-server,
             comparing every reply, then both data sets; then to an rserver master with a replica, comparing
             their data sets and DEBUG DIGEST. Without --seed a fresh seed is printed. Stops at the first
             mismatch unless --keep-going; prints the command that reproduces it.
             --print-ops (with --seed) prints the sequence instead of running it.
  scenario NAME|all [--release]
             build rserver (debug unless --release) and run scripted multi-node scenarios with faults on
             free loopback ports, printing each step and `PASS name (Xs)` or `FAIL name: reason`; every
             scenario ends by comparing the DEBUG DIGEST of all its nodes. Exits non-zero if one failed.
             master-restart    master + 2 replicas; master SHUTDOWN SAVE and restart; partial resyncs
             replica-restart   a replica restarts as a master (without replicaof), then rejoins
             link-flap         replica link cut during writes, delayed, paused and resumed
             kill-master       kill -9 the master, restart it; the replicas converge
             kill-replica      kill -9 a replica during writes and during a full sync; it converges
             promote           master + 3 replicas; promote one, re-point the others (+CONTINUE)
             backlog-overflow  a stalled replica falls out of a 16 KiB backlog: a full resync
  torture [--seed N] [--duration SECS] [--clients N] [--server-bin PATH] [--release]
             build rserver (debug unless --release; or run --server-bin, e.g. /usr/bin/redis-server, the
             control) and run a seeded torture test for SECS seconds (default 60) on free loopback ports:
             a master, a replica and a chained replica behind fault-injecting proxies, N client threads
             (default 32) sending every command family, random faults (cut links, kill -9, FAILOVER,
             REPLICAOF, CLIENT KILL, DEBUG SLEEP, SCRIPT KILL), rounds ending in a DEBUG DIGEST comparison,
             acknowledged writes (WAIT) checked on the final master, its AOF checked after a clean restart.
             Prints seed, counts and PASS or FAIL (with the command that reproduces it); exits non-zero on FAIL.
  modgraph [CRATE_DIR]
             the import graph between the top-level modules of a crate (default crates/server) and its
             loops, with the files that make each import.
";

fn main() -> ExitCode {
    match run(std::env::args().skip(1).collect()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: Vec<String>) -> Result<()> {
    let root = repo_root();
    let Some((command, rest)) = args.split_first() else {
        print!("{USAGE}");
        bail!("no command given");
    };
    match command.as_str() {
        "cluster-up" => cluster::run_command(&root, &parse_cluster_command(rest)?),
        "tidy" => {
            no_arguments(command, rest)?;
            tidy::run(&root)
        }
        "bench" => bench::run(&root, &parse_bench_options(rest)?),
        "difftest" => difftest::run(&root, &parse_difftest_options(rest)?),
        "command-table" => {
            no_arguments(command, rest)?;
            command_table::run(&root)
        }
        "scenario" => scenario::run(&root, &scenario::Options::parse(rest)?),
        "torture" => torture::run(&root, &parse_torture_options(rest)?),
        "modgraph" => match rest {
            [] => modgraph::run(&root, "crates/server"),
            [crate_dir] => modgraph::run(&root, crate_dir),
            _ => bail!("modgraph takes at most one argument, a crate directory"),
        },
        "help" | "--help" | "-h" => {
            print!("{USAGE}");
            Ok(())
        }
        other => {
            eprint!("{USAGE}");
            bail!("unknown command `{other}`")
        }
    }
}

/// `cluster-up [options]`, `cluster-up status [--dir DIR]` or `cluster-up down [--dir DIR]`.
fn parse_cluster_command(args: &[String]) -> Result<cluster::Command> {
    let subcommand = args.first().map(String::as_str);
    let (Some(name @ ("status" | "down")), rest) = (subcommand, args.get(1..).unwrap_or_default())
    else {
        return parse_cluster_options(args).map(cluster::Command::Up);
    };
    let mut dir = None;
    let mut rest = rest.iter();
    while let Some(flag) = rest.next() {
        match flag.as_str() {
            "--dir" => dir = Some(PathBuf::from(rest.next().context("--dir needs a value")?)),
            other => bail!("cluster-up {name}: unknown option `{other}`\n{USAGE}"),
        }
    }
    Ok(match name {
        "status" => cluster::Command::Status { dir },
        _ => cluster::Command::Down { dir },
    })
}

/// The options of `cluster-up` itself (starting a cluster).
fn parse_cluster_options(args: &[String]) -> Result<cluster::Options> {
    let mut options = cluster::Options::default();
    let mut args = args.iter();
    while let Some(flag) = args.next() {
        let mut value = || args.next().with_context(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--replicas" => {
                options.replicas = value()?.parse().context("--replicas: not a number")?
            }
            "--base-port" => {
                options.base_port = value()?.parse().context("--base-port: not a port number")?
            }
            "--server-bin" => options.server_binary = Some(PathBuf::from(value()?)),
            "--fresh" => options.fresh = true,
            "--chain" => options.chain = true,
            "--dir" => options.dir = Some(PathBuf::from(value()?)),
            other => bail!("cluster-up: unknown option `{other}`\n{USAGE}"),
        }
    }
    Ok(options)
}

fn parse_bench_options(args: &[String]) -> Result<bench::Options> {
    let mut options = bench::Options::default();
    let mut args = args.iter();
    while let Some(flag) = args.next() {
        let mut value = || args.next().with_context(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--rounds" => {
                options.rounds = value()?.parse().context("--rounds: not a number")?;
                anyhow::ensure!(options.rounds > 0, "--rounds must be at least 1");
            }
            "--quick" => options.quick = true,
            "--only" => options.only = Some(bench::Only::parse(value()?)?),
            other => bail!("bench: unknown option `{other}`\n{USAGE}"),
        }
    }
    Ok(options)
}

fn parse_difftest_options(args: &[String]) -> Result<difftest::Options> {
    let mut options = difftest::Options::default();
    let mut args = args.iter();
    while let Some(flag) = args.next() {
        let mut value = || args.next().with_context(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--seed" => options.seed = Some(value()?.parse().context("--seed: not a number")?),
            "--ops" => options.ops = value()?.parse().context("--ops: not a number")?,
            "--keep-going" => options.keep_going = true,
            "--release" => options.release = true,
            "--print-ops" => options.print_ops = true,
            other => bail!("difftest: unknown option `{other}`\n{USAGE}"),
        }
    }
    Ok(options)
}

fn parse_torture_options(args: &[String]) -> Result<torture::Options> {
    let mut options = torture::Options::default();
    let mut args = args.iter();
    while let Some(flag) = args.next() {
        let mut value = || args.next().with_context(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--seed" => options.seed = Some(value()?.parse().context("--seed: not a number")?),
            "--duration" => {
                let seconds: u64 = value()?
                    .parse()
                    .context("--duration: not a number of seconds")?;
                anyhow::ensure!(seconds > 0, "--duration must be at least 1 second");
                options.duration = Duration::from_secs(seconds);
            }
            "--clients" => {
                options.clients = value()?.parse().context("--clients: not a number")?;
                anyhow::ensure!(options.clients > 0, "--clients must be at least 1");
            }
            "--server-bin" => options.server_binary = Some(PathBuf::from(value()?)),
            "--release" => options.release = true,
            other => bail!("torture: unknown option `{other}`\n{USAGE}"),
        }
    }
    Ok(options)
}

fn no_arguments(command: &str, rest: &[String]) -> Result<()> {
    if let Some(extra) = rest.first() {
        bail!("{command} takes no arguments (got `{extra}`)");
    }
    Ok(())
}

/// The repository root: the parent of this crate's directory (rust-analyzer's `project_root`).
fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one level below the repository root")
        .to_path_buf()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(args: &[&str]) -> Vec<String> {
        args.iter().map(|arg| arg.to_string()).collect()
    }

    #[test]
    fn parses_cluster_options() {
        let command = parse_cluster_command(&strings(&[
            "--replicas",
            "3",
            "--chain",
            "--base-port",
            "7000",
            "--dir",
            "/tmp/c",
            "--fresh",
        ]))
        .expect("valid options");
        assert_eq!(
            command,
            cluster::Command::Up(cluster::Options {
                replicas: 3,
                base_port: 7000,
                server_binary: None,
                fresh: true,
                chain: true,
                dir: Some(PathBuf::from("/tmp/c")),
            })
        );
        assert_eq!(
            parse_cluster_command(&[]).expect("defaults"),
            cluster::Command::Up(cluster::Options::default())
        );
        assert!(!cluster::Options::default().chain);
        assert!(parse_cluster_command(&strings(&["--replicas"])).is_err());
        assert!(parse_cluster_command(&strings(&["--replicas", "x"])).is_err());
        assert!(parse_cluster_command(&strings(&["--dir"])).is_err());
        assert!(parse_cluster_command(&strings(&["--bogus"])).is_err());
    }

    #[test]
    fn parses_cluster_subcommands() {
        assert_eq!(
            parse_cluster_command(&strings(&["status"])).expect("valid"),
            cluster::Command::Status { dir: None }
        );
        assert_eq!(
            parse_cluster_command(&strings(&["down", "--dir", "here"])).expect("valid"),
            cluster::Command::Down {
                dir: Some(PathBuf::from("here"))
            }
        );
        let error = parse_cluster_command(&strings(&["status", "--replicas", "2"]))
            .expect_err("status takes only --dir");
        assert!(
            error
                .to_string()
                .starts_with("cluster-up status: unknown option `--replicas`"),
            "{error}"
        );
        assert!(parse_cluster_command(&strings(&["down", "--dir"])).is_err());
        // A subcommand name is only recognised first.
        assert!(parse_cluster_command(&strings(&["--chain", "status"])).is_err());
    }

    #[test]
    fn parses_bench_options() {
        let options =
            parse_bench_options(&strings(&["--rounds", "5", "--only", "sync", "--quick"]))
                .expect("valid options");
        assert_eq!(
            options,
            bench::Options {
                rounds: 5,
                quick: true,
                only: Some(bench::Only::Sync)
            }
        );
        assert_eq!(
            parse_bench_options(&[]).expect("defaults"),
            bench::Options::default()
        );
        assert!(parse_bench_options(&strings(&["--rounds", "0"])).is_err());
        assert!(parse_bench_options(&strings(&["--only", "speed"])).is_err());
        assert!(parse_bench_options(&strings(&["--bogus"])).is_err());
    }

    #[test]
    fn parses_difftest_options() {
        let options =
            parse_difftest_options(&strings(&["--seed", "42", "--ops", "500", "--keep-going"]))
                .expect("valid options");
        assert_eq!(
            options,
            difftest::Options {
                seed: Some(42),
                ops: 500,
                keep_going: true,
                release: false,
                print_ops: false
            }
        );
        assert_eq!(
            parse_difftest_options(&[]).expect("defaults"),
            difftest::Options::default()
        );
        assert!(parse_difftest_options(&strings(&["--seed", "x"])).is_err());
        assert!(parse_difftest_options(&strings(&["--ops"])).is_err());
    }

    #[test]
    fn parses_torture_options() {
        let options = parse_torture_options(&strings(&[
            "--seed",
            "7",
            "--duration",
            "40",
            "--clients",
            "33",
            "--server-bin",
            "/usr/bin/redis-server",
            "--release",
        ]))
        .expect("valid options");
        assert_eq!(
            options,
            torture::Options {
                seed: Some(7),
                duration: Duration::from_secs(40),
                clients: 33,
                server_binary: Some(PathBuf::from("/usr/bin/redis-server")),
                release: true,
            }
        );
        assert_eq!(
            parse_torture_options(&[]).expect("defaults"),
            torture::Options::default()
        );
        assert!(parse_torture_options(&strings(&["--duration", "0"])).is_err());
        assert!(parse_torture_options(&strings(&["--clients", "x"])).is_err());
        assert!(parse_torture_options(&strings(&["--seed"])).is_err());
        assert!(parse_torture_options(&strings(&["--bogus"])).is_err());
    }
}
