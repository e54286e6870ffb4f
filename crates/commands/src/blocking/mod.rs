//! What blocking commands share: [`BlockedOp`], what serving a blocked client means (implemented beside each
//! command: lists, sorted sets, streams), the multi-key pop shape, and the timeout and `numkeys` arguments.
//! Registering and waking the waiters is the server's business: a command only asks to block through
//! [`DataCtx::block`], and a write only reports keys ready through [`DataCtx::signal_key_ready`].

use std::time::Duration;

use bytes::Bytes;
use resp::Frame;

use crate::args::owned;
use crate::ctx::DataCtx;

mod multi_pop;
mod timeout;

pub use multi_pop::{MultiPop, parse_multi_pop};
pub use timeout::parse_timeout;

/// What a blocked command does once one of its keys may serve it.
pub trait BlockedOp: Send + std::fmt::Debug {
    /// Tries to serve the waiter from `key` (of the waiter's database, `ctx.db()`), which was just signalled.
    /// `None` means the key cannot serve it (missing, other type): it keeps waiting. `Some(reply)` ends the
    /// wait with that reply (an error reply too, e.g. `BLMOVE` to a key of the wrong type). Whatever it
    /// propagates through `ctx` becomes one unit of the stream.
    fn serve(&mut self, ctx: &mut DataCtx<'_>, key: &Bytes) -> Option<Frame>;

    /// Whether [`BlockedOp::serve`] must also be offered a key that no longer exists (XREADGROUP ends
    /// with an error when its stream is deleted); other waits simply go on.
    fn serves_missing_key(&self) -> bool {
        false
    }

    /// The reply when the timeout expires first (`*-1` in RESP2 for every list wait, `BLMOVE` included).
    fn timeout_reply(&self) -> Frame;
}

impl DataCtx<'_> {
    /// The shape every multi-key pop shares (`BLPOP`, `BZPOPMIN`, `LMPOP`, `BZMPOP`...): `pop` is tried on each
    /// key in order and its first reply or error is the answer; when no key had anything, a command with a
    /// `timeout` (`Some`) that may block waits with the `BlockedOp` from `op`, and otherwise answers a null
    /// array, as a timeout would.
    pub fn pop_first_or_block(
        &mut self,
        keys: &[Bytes],
        timeout: Option<Option<Duration>>,
        mut pop: impl FnMut(&mut Self, &Bytes) -> Result<Option<Frame>, Frame>,
        op: impl FnOnce() -> Box<dyn BlockedOp>,
    ) -> Frame {
        for key in keys {
            match pop(self, key) {
                Err(error) => return error,
                Ok(None) => {}
                Ok(Some(reply)) => return reply,
            }
        }
        if let Some(timeout) = timeout
            && self.may_block()
        {
            let keys = keys.iter().map(owned).collect();
            self.block(keys, timeout, op());
        }
        Frame::NullArray
    }
}
