//! The torture run (`testkit::torture`) in CI: a fixed seed and a short budget, against `rserver` and, as the
//! control that proves the harness right, against the real `redis-server` (skipped loudly without Redis,
//! failing under `REQUIRE_REDIS=1`).
//!
//! A master, a replica and a chained replica behind fault-injecting proxies, 32 client threads over every
//! command family, random faults; each round ends in a `DEBUG DIGEST` comparison, and the run checks the
//! acknowledged writes, the AOF after a clean restart, liveness and the nodes' logs. A failure prints the whole
//! report (every failure with its evidence: differing keys, thread stacks of a hung node, log lines) and the
//! `cargo xtask torture --seed N ...` command that runs the same seed again; longer runs use that command.

use std::path::Path;
use std::time::Duration;

use testkit::torture::{self, Options, Report};

/// The CI seed and budget: about 40 s per server (two rounds and the final checks).
const OPTIONS: Options = Options {
    seed: 2,
    duration: Duration::from_secs(40),
    clients: 32,
};

/// The two legs take turns: each runs three nodes and 32 client threads, and on two cores both at once
/// would measure the machine's overload against the 5 s liveness bound instead of the servers.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn check(report: &Report) {
    println!("{report}");
    assert!(report.passed(), "{report}");
    assert!(report.rounds >= 1, "{report}");
    assert!(report.commands_total() > 0, "{report}");
    assert!(report.faults_total() > 0, "{report}");
    assert!(report.acknowledged_writes > 0, "{report}");
    assert!(report.aof_writes > 0, "{report}");
}

#[test]
fn rserver() {
    let _turn = ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    check(&torture::run(
        Path::new(env!("CARGO_BIN_EXE_rserver")),
        &OPTIONS,
    ));
}

#[test]
fn redis() {
    let redis_server = testkit::require_redis!();
    let _turn = ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    check(&torture::run(&redis_server, &OPTIONS));
}
