//! Polling with a deadline: the one place in the test kit (and in all tests) that sleeps.
//!
//! Tests never sleep for a fixed time hoping a server has caught up; they poll a probe until it succeeds or a
//! deadline passes, and a timeout names what was awaited and the last value seen, which is usually enough to
//! see why. `cargo xtask tidy` enforces that this file is the only one that sleeps.

use std::time::{Duration, Instant};

/// How long to wait between two probes.
pub const POLL_INTERVAL: Duration = Duration::from_millis(20);

/// The deadline used by the named waits and by node start-up and shutdown.
///
/// Generous on purpose: it only matters when something is broken, and CI machines are slow and shared.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(30);

/// Calls `probe` every [`POLL_INTERVAL`] until it returns `Ok`, for at most `deadline`.
///
/// `probe` returns `Err(observed)` to say "not yet" and describe what it saw. On timeout the last
/// description is returned as the error. The probe runs at least once, even with a zero deadline.
pub fn poll_until<T>(
    deadline: Duration,
    mut probe: impl FnMut() -> Result<T, String>,
) -> Result<T, String> {
    let start = Instant::now();
    loop {
        let last_observed = match probe() {
            Ok(value) => return Ok(value),
            Err(observed) => observed,
        };
        if start.elapsed() >= deadline {
            return Err(last_observed);
        }
        std::thread::sleep(POLL_INTERVAL);
    }
}

/// Like [`poll_until`] but panics on timeout with `what` (a phrase such as "replica link up") and the last
/// observed value. The panic unwinds through the test, so every [`crate::Node`] still alive prints the tail of
/// its log and keeps its directory for inspection.
#[track_caller]
pub fn wait_until<T>(
    deadline: Duration,
    what: &str,
    probe: impl FnMut() -> Result<T, String>,
) -> T {
    match poll_until(deadline, probe) {
        Ok(value) => value,
        Err(last_observed) => {
            panic!(
                "timed out after {deadline:?} waiting for {what}; last observed: {last_observed}"
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn returns_the_first_success() {
        let mut calls = 0;
        let value = poll_until(DEFAULT_DEADLINE, || {
            calls += 1;
            if calls == 3 {
                Ok(calls)
            } else {
                Err(format!("calls={calls}"))
            }
        });
        assert_eq!(value, Ok(3));
    }

    #[test]
    fn times_out_with_the_last_observation() {
        let mut calls = 0;
        let result: Result<(), String> = poll_until(Duration::ZERO, || {
            calls += 1;
            Err(format!("calls={calls}"))
        });
        assert_eq!(result, Err("calls=1".to_string()));
    }

    #[test]
    fn wait_until_panics_with_what_and_last_value() {
        let outcome = std::panic::catch_unwind(|| {
            wait_until(Duration::ZERO, "the answer", || {
                Err::<(), _>("41".to_string())
            })
        });
        let payload = outcome.expect_err("must time out");
        let message = payload
            .downcast_ref::<String>()
            .expect("panic message is a String");
        assert!(
            message.contains("waiting for the answer; last observed: 41"),
            "{message}"
        );
    }
}
