//! Finding the real Redis tools (`redis-server`, `redis-cli`, `redis-benchmark`) and skipping loudly without them.
//!
//! Interop tests and the sanity runs of each scenario against the real `redis-server` need the Debian packages
//! `redis-server` and `redis-tools`. Without them a test prints a banner that the harness cannot swallow and
//! returns, unless `REQUIRE_REDIS=1` (set by `.ci/run`), in which case it fails.

use std::io::Write as _;
use std::path::PathBuf;

/// The tools a Redis-dependent test needs.
pub const REDIS_TOOLS: [&str; 3] = ["redis-server", "redis-cli", "redis-benchmark"];

/// The path of executable `name` (e.g. `"redis-cli"`) on `PATH`, if any.
pub fn redis_tool(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| is_executable(candidate))
}

/// Whether all of [`REDIS_TOOLS`] are on `PATH`.
pub fn redis_available() -> bool {
    REDIS_TOOLS.iter().all(|tool| redis_tool(tool).is_some())
}

/// The path of `redis-server` if all Redis tools are installed. Otherwise: with `REQUIRE_REDIS=1` panics;
/// without it prints a loud skip banner (straight to stderr, past the test harness's capture) and returns
/// `None`. Use it through [`require_redis!`](crate::require_redis!).
pub fn require_redis() -> Option<PathBuf> {
    let missing: Vec<&str> = REDIS_TOOLS
        .iter()
        .copied()
        .filter(|tool| redis_tool(tool).is_none())
        .collect();
    if missing.is_empty() {
        return redis_tool("redis-server");
    }
    let test = std::thread::current()
        .name()
        .unwrap_or("<unnamed test>")
        .to_string();
    let missing = missing.join(", ");
    if std::env::var("REQUIRE_REDIS").is_ok_and(|value| value == "1") {
        panic!(
            "{test}: REQUIRE_REDIS=1 but {missing} not found on PATH (apt-get install redis-server redis-tools)"
        );
    }
    let banner = "!".repeat(78);
    let _ = writeln!(
        std::io::stderr().lock(),
        "{banner}\n!! SKIPPED {test}\n!! {missing} not found on PATH: apt-get install redis-server redis-tools\n\
         !! (set REQUIRE_REDIS=1 to make this a failure; CI does)\n{banner}"
    );
    None
}

/// In a test: evaluates to the path of `redis-server`, or returns from the test after a loud skip banner when the
/// Redis tools are missing (fails instead under `REQUIRE_REDIS=1`). See [`require_redis()`](crate::require_redis()).
///
/// ```no_run
/// # fn main() {
/// let redis_server = testkit::require_redis!();
/// # }
/// ```
#[macro_export]
macro_rules! require_redis {
    () => {
        match $crate::require_redis() {
            ::std::option::Option::Some(redis_server) => redis_server,
            ::std::option::Option::None => return,
        }
    };
}

fn is_executable(path: &std::path::Path) -> bool {
    use std::os::unix::fs::PermissionsExt as _;
    path.metadata()
        .is_ok_and(|metadata| metadata.is_file() && metadata.permissions().mode() & 0o111 != 0)
}
