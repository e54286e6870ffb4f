//! The differential proof of issue 3 in CI: `testkit::difftest`'s seeded random sequence over every data type
//! (expiries, transactions, WATCH from a second connection included), with a fixed seed.
//!
//! - `against_redis`: sent to `rserver` and to the real `redis-server`, compared reply by reply, then data set
//!   against data set and key encoding against key encoding (skipped loudly without Redis, failing under
//!   `REQUIRE_REDIS=1`);
//! - `through_replica`: sent to an `rserver` master with an `rserver` replica, whose data set and
//!   `DEBUG DIGEST` must equal the master's.
//!
//! A failure prints both replies and `cargo xtask difftest --seed N --ops M`, which reproduces it; the same
//! command runs any other seed locally.

use std::path::Path;

use testkit::difftest::{self, Options};

/// The CI seed and length: about three and a half seconds per leg on the debug build.
const OPTIONS: Options = Options {
    seed: 3,
    ops: 8000,
    keep_going: true,
};

fn rserver() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_rserver"))
}

#[test]
fn against_redis() {
    let redis_server = testkit::require_redis!();
    let report = difftest::against_redis(rserver(), &redis_server, &OPTIONS);
    assert!(report.passed(), "{report}");
    assert_eq!(report.ops_run, OPTIONS.ops, "{report}");
}

#[test]
fn through_replica() {
    let report = difftest::through_replica(rserver(), &OPTIONS);
    assert!(report.passed(), "{report}");
    assert_eq!(report.ops_run, OPTIONS.ops, "{report}");
    assert!(report.keys_compared > 0, "{report}");
}
