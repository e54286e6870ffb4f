//! The software watchdog (`watchdog-period`, in milliseconds; 0 turns it off): when the server has stopped
//! serving clients normally for longer than the period, one warning says so, with what is blocking it.
//!
//! Redis arms a `SIGALRM` that fires when its main thread has not come back to the event loop within the
//! period and logs `--- WATCHDOG TIMER EXPIRED ---` with a stack trace. rserver has no single thread to stop,
//! so what can block service marks itself here instead ([`Watchdog::block`]): a load of the master's
//! snapshot while clients are answered `-LOADING`, and `DEBUG SLEEP`. A thread of its own checks the mark, so
//! a report comes even while the data lock is held.

use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// Redis's floor for the period: two cron ticks at the default `hz 10`.
pub const MIN_PERIOD_MS: u64 = 200;

/// What currently keeps clients from being served, and since when.
#[derive(Debug, Default)]
pub struct Watchdog {
    blocked: Mutex<Option<Block>>,
    pub(crate) started: OnceLock<()>,
}

#[derive(Debug)]
struct Block {
    what: &'static str,
    since: Instant,
    reported: bool,
}

/// Clears its mark when dropped.
#[must_use]
pub struct BlockGuard<'a> {
    watchdog: &'a Watchdog,
}

impl Drop for BlockGuard<'_> {
    fn drop(&mut self) {
        *self.watchdog.lock() = None;
    }
}

impl Watchdog {
    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Block>> {
        self.blocked
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Marks the server as not serving clients normally because of `what`, until the guard drops.
    pub fn block(&self, what: &'static str) -> BlockGuard<'_> {
        self.begin(what);
        BlockGuard { watchdog: self }
    }

    /// Marks the start of a block that ends elsewhere ([`Watchdog::unblock`]).
    pub fn begin(&self, what: &'static str) {
        *self.lock() = Some(Block {
            what,
            since: Instant::now(),
            reported: false,
        });
    }

    /// Ends a block started with [`Watchdog::begin`].
    pub fn unblock(&self) {
        *self.lock() = None;
    }

    /// The warning to log, once per block, when the block has lasted `period` or longer.
    pub(crate) fn due_report(&self, period: Duration) -> Option<(&'static str, Duration)> {
        let mut blocked = self.lock();
        let block = blocked.as_mut()?;
        let elapsed = block.since.elapsed();
        if block.reported || elapsed < period {
            return None;
        }
        block.reported = true;
        Some((block.what, elapsed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_a_long_block_once() {
        let watchdog = Watchdog::default();
        let period = Duration::from_millis(0);
        assert!(watchdog.due_report(period).is_none());
        let guard = watchdog.block("DEBUG SLEEP");
        assert_eq!(
            watchdog.due_report(period).map(|(what, _)| what),
            Some("DEBUG SLEEP")
        );
        assert!(watchdog.due_report(period).is_none());
        drop(guard);
        assert!(watchdog.due_report(period).is_none());
        watchdog.begin("loading");
        assert!(watchdog.due_report(Duration::from_secs(3600)).is_none());
        watchdog.unblock();
        assert!(watchdog.due_report(period).is_none());
    }
}
