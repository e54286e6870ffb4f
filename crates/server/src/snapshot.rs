//! Snapshots of the data set for `BGSAVE` and full resyncs, produced while the server keeps serving.
//!
//! [`begin`] marks the moment under the core lock (the same critical section that fixes the replication
//! offset); [`write`] then runs on a blocking thread and takes the lock only long enough to copy out one
//! small batch of entries at a time (see `keyspace::Keyspace::snapshot_step`), encoding each batch after
//! releasing it. A client therefore waits at most one batch, however large the data set: our stand-in for
//! the fork Redis uses.

use std::io::{self, Write};
use std::time::Duration;

use keyspace::{Keyspace, SnapshotPlan};
use rdb::{RdbWriter, SaveOptions};

use crate::core::Core;
use crate::shared::Shared;

/// Entries copied per visit to the core lock: large enough that taking the lock is rare next to the copying,
/// small enough that a client waits well under a millisecond for one batch of plain keys.
const BATCH: usize = 256;

/// A snapshot begun by [`begin`], not yet written.
#[derive(Debug)]
pub enum Source {
    /// Copied batch by batch from the live keyspace.
    Incremental(SnapshotPlan),
    /// A whole copy, taken when another snapshot was already being produced (one at a time can be
    /// incremental, as Redis has one child at a time).
    Copy(Box<Keyspace>),
}

/// Fixes the snapshot's moment: call under the core lock, in the critical section that also records what
/// the snapshot must agree with (its replication offset).
pub fn begin(core: &mut Core) -> Source {
    match core.keyspace.begin_snapshot() {
        Some(plan) => Source::Incremental(plan),
        None => Source::Copy(Box::new(core.keyspace.clone())),
    }
}

/// Writes the snapshot as an RDB file to `out` (on a blocking thread: it takes the core lock repeatedly).
/// Fails with `out`'s first error, or when the data set was replaced meanwhile (a replica loading its
/// master's data); either way the snapshot is abandoned and writes stop paying for it.
pub fn write<W: Write>(
    shared: &Shared,
    source: Source,
    options: &SaveOptions,
    out: W,
) -> io::Result<()> {
    let plan = match source {
        Source::Copy(keyspace) => return rdb::write_rdb(&keyspace, options, out),
        Source::Incremental(plan) => plan,
    };
    let mut abandon = AbandonOnDrop {
        shared,
        id: plan.id,
        armed: true,
    };
    let mut writer = RdbWriter::new(out, options)?;
    let mut delay = KeySaveDelay::default();
    let mut current_db = None;
    loop {
        if shared.shutdown.is_cancelled() {
            return Err(io::Error::other("the server is shutting down"));
        }
        delay.refresh(shared);
        let chunk = shared
            .core()
            .keyspace
            .snapshot_step(plan.id, delay.batch())
            .map_err(io::Error::other)?;
        if !chunk.entries.is_empty() && current_db != Some(chunk.db) {
            let size = plan.dbs.iter().find(|size| size.index == chunk.db);
            let (keys, expires) = size.map_or((0, 0), |size| (size.keys, size.expires));
            writer.select_db(chunk.db, keys, expires)?;
            current_db = Some(chunk.db);
        }
        for (key, entry) in &chunk.entries {
            writer.entry(key, entry)?;
            delay.after_key(shared);
        }
        // The snapshot is background work: after each batch, let a client's thread that is waiting for a
        // core have it (on a small machine the encoder otherwise competes with the request threads).
        std::thread::yield_now();
        if chunk.done {
            break;
        }
    }
    abandon.armed = false;
    writer.finish()?;
    Ok(())
}

/// Cancels the snapshot if writing stops early (an error, a panic), so copy-on-write does not go on for a
/// snapshot nobody reads.
struct AbandonOnDrop<'a> {
    shared: &'a Shared,
    id: u64,
    armed: bool,
}

impl Drop for AbandonOnDrop<'_> {
    fn drop(&mut self) {
        if self.armed {
            self.shared.core().keyspace.cancel_snapshot(self.id);
        }
    }
}

/// `rdb-key-save-delay`: a pause after each key written, in microseconds (a negative value `-n` pauses one
/// microsecond after one key in `n`), as Redis's test suite uses to make a snapshot slow on purpose. Read
/// again before every batch, since tests lower it mid-save to let the save finish.
#[derive(Debug, Default)]
struct KeySaveDelay {
    micros: i64,
    keys: u64,
}

impl KeySaveDelay {
    fn refresh(&mut self, shared: &Shared) {
        self.micros = shared
            .config()
            .other("rdb-key-save-delay")
            .and_then(|value| value.parse().ok())
            .unwrap_or(0);
    }

    /// A slowed-down snapshot copies few keys per batch, so that a change of the setting applies promptly.
    fn batch(&self) -> usize {
        if self.micros > 0 { 1 } else { BATCH }
    }

    fn after_key(&mut self, shared: &Shared) {
        self.keys += 1;
        let pause = match self.micros {
            0 => return,
            micros if micros > 0 => micros.unsigned_abs(),
            micros => u64::from(self.keys.is_multiple_of(micros.unsigned_abs())),
        };
        // Long pauses are slept in slices so a shutdown does not wait for them.
        let mut left = Duration::from_micros(pause);
        while !left.is_zero() && !shared.shutdown.is_cancelled() {
            let slice = left.min(Duration::from_millis(10));
            std::thread::sleep(slice);
            left -= slice;
        }
    }
}
