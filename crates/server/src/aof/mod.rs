//! The append-only file, in Redis 7.0's multi-part layout: inside `dir/<appenddirname>`, a base file (an RDB
//! snapshot), incremental files with every write since then as RESP commands, and a manifest naming them
//! (`manifest.rs`). A restart replays base and increments (`crate::aof_load`), so with `appendfsync always`
//! nothing acknowledged is lost, and with the default `everysec` at most a second of writes.
//!
//! [`Aof`] lives in the `Core`. Every execution unit that goes to replicas goes to its buffer too, with its own
//! `SELECT` tracking (`feed_unit`, called where the unit is fed to the backlog, and on a replica for what
//! its master sent and its own writes); the buffer is written to the file when a batch of commands ends, before
//! their replies leave (`flush`). A rewrite (`crate::aof_rewrite`) writes a fresh base from a snapshot while new
//! writes go to a new incremental file, then swaps them into the manifest. This module is the state the `Core`
//! holds; loading, rewriting and turning the AOF on and off, which need the `Core` and `Shared`, are there.
//!
//! Turning the AOF on at run time (`CONFIG SET appendonly yes`) starts in [`AofState::WaitRewrite`]: writes are
//! kept in a temporary incremental file, and the AOF exists (is in a manifest) only once the first rewrite
//! has produced its base.

pub mod manifest;

use std::fs::File;
use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use bytes::{Bytes, BytesMut};

use self::manifest::Manifest;
use crate::config::Config;

/// Whether the AOF is on (Redis's `aof_state`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AofState {
    /// `appendonly no`.
    Off,
    /// Writes are appended to the AOF.
    On,
    /// Just turned on: the first rewrite, which creates the AOF, has not finished yet.
    WaitRewrite,
}

/// `appendfsync`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FsyncPolicy {
    /// After every write to the file, before replies go out.
    Always,
    /// In the background, once a second.
    EverySec,
    /// Left to the operating system.
    No,
}

impl FsyncPolicy {
    fn from_config(config: &Config) -> FsyncPolicy {
        match config.other("appendfsync") {
            Some("always") => FsyncPolicy::Always,
            Some("no") => FsyncPolicy::No,
            _ => FsyncPolicy::EverySec,
        }
    }
}

/// The AOF's state, in the `Core`.
#[derive(Debug)]
pub struct Aof {
    pub(crate) state: AofState,
    /// Encoded commands not yet written to the file.
    pub(crate) buf: BytesMut,
    /// The database the file's last `SELECT` chose (`None`: the next command gets one).
    pub(crate) selected_db: Option<usize>,
    /// The incremental file being appended to.
    pub(crate) file: Option<File>,
    /// The files of the AOF (as last persisted, or about to be).
    pub(crate) manifest: Manifest,
    fsync: FsyncPolicy,
    /// Bytes written since the last fsync (for `everysec`).
    unsynced: bool,
    pub(crate) last_fsync: Instant,
    /// The rewrite in progress, if any.
    pub(crate) rewrite: Option<Running>,
    /// A rewrite waits for another snapshot to end (`aof_rewrite_scheduled`).
    pub rewrite_scheduled: bool,
    /// The back-off after repeated rewrite failures.
    pub(crate) limit: RetryLimit,
    /// What `INFO persistence` reports.
    pub stats: AofStats,
    /// Size of the current incremental file.
    pub(crate) incr_size: u64,
    /// Size of the whole AOF after the last rewrite (or at start-up): the growth reference of
    /// `auto-aof-rewrite-percentage`.
    pub(crate) base_size: u64,
    /// Size of the whole AOF now.
    pub(crate) current_size: u64,
}

/// Counters and outcomes for `INFO persistence`.
#[derive(Debug, Clone)]
pub struct AofStats {
    /// Seconds the last rewrite took (-1: none yet).
    pub last_rewrite_secs: i64,
    /// Whether the last rewrite succeeded.
    pub last_rewrite_ok: bool,
    /// Rewrites started.
    pub rewrites: u64,
    /// Rewrites failed in a row.
    pub consecutive_failures: u64,
    /// Whether the last write to the file succeeded.
    pub last_write_ok: bool,
    /// The error of the last failed write (for `-MISCONF`).
    pub last_write_error: Option<String>,
}

impl Default for Aof {
    fn default() -> Aof {
        Aof {
            state: AofState::Off,
            buf: BytesMut::new(),
            selected_db: None,
            file: None,
            manifest: Manifest::default(),
            fsync: FsyncPolicy::EverySec,
            unsynced: false,
            last_fsync: Instant::now(),
            rewrite: None,
            rewrite_scheduled: false,
            limit: RetryLimit::default(),
            stats: AofStats {
                last_rewrite_secs: -1,
                last_rewrite_ok: true,
                rewrites: 0,
                consecutive_failures: 0,
                last_write_ok: true,
                last_write_error: None,
            },
            incr_size: 0,
            base_size: 0,
            current_size: 0,
        }
    }
}

/// The AOF directory of `config`.
pub fn dir(config: &Config) -> PathBuf {
    config
        .dir
        .join(config.other("appenddirname").unwrap_or("appendonlydir"))
}

/// The AOF's file name prefix (`appendfilename`).
pub fn prefix(config: &Config) -> String {
    config
        .other("appendfilename")
        .unwrap_or("appendonly.aof")
        .to_owned()
}

impl Aof {
    /// Redis's `aof_state`.
    pub fn state(&self) -> AofState {
        self.state
    }

    /// Whether writes are being appended (`aof_enabled`).
    pub fn is_on(&self) -> bool {
        self.state != AofState::Off
    }

    /// Follows `appendfsync` (read once here, not per write).
    pub fn configure(&mut self, config: &Config) {
        self.fsync = FsyncPolicy::from_config(config);
    }

    /// Appends one execution unit: a `SELECT` whenever the database differs from the file's, `MULTI`/`EXEC`
    /// around two or more commands, as the replication stream has them.
    pub fn feed_unit(&mut self, unit: &[(usize, Vec<Bytes>)]) {
        if !self.accepting() || unit.is_empty() {
            return;
        }
        let wrap = unit.len() > 1;
        if wrap {
            self.select(unit[0].0);
            resp::encode_command(&[&b"MULTI"[..]], &mut self.buf);
        }
        for (db, command) in unit {
            self.select(*db);
            resp::encode_command(command, &mut self.buf);
        }
        if wrap {
            resp::encode_command(&[&b"EXEC"[..]], &mut self.buf);
        }
    }

    /// Appends commands that all ran in `db` (as one unit).
    pub fn feed(&mut self, db: usize, commands: &[Vec<Bytes>]) {
        if !self.accepting() || commands.is_empty() {
            return;
        }
        let unit: Vec<(usize, Vec<Bytes>)> = commands
            .iter()
            .map(|command| (db, command.clone()))
            .collect();
        self.feed_unit(&unit);
    }

    /// Whether writes are recorded now: when on, and while the first rewrite of a newly enabled AOF runs
    /// (writes before it started are in its snapshot).
    pub fn accepting(&self) -> bool {
        match self.state {
            AofState::On => true,
            AofState::WaitRewrite => self.rewrite.is_some(),
            AofState::Off => false,
        }
    }

    fn select(&mut self, db: usize) {
        if self.selected_db != Some(db) {
            resp::encode_command(&[&b"SELECT"[..], db.to_string().as_bytes()], &mut self.buf);
            self.selected_db = Some(db);
        }
    }

    /// Whether a rewrite is running (`aof_rewrite_in_progress`).
    pub fn rewrite_in_progress(&self) -> bool {
        self.rewrite.is_some()
    }

    /// Seconds the running rewrite has taken so far, -1 when none runs.
    pub fn current_rewrite_secs(&self) -> i64 {
        self.rewrite
            .as_ref()
            .map_or(-1, |running| running.started.elapsed().as_secs() as i64)
    }

    /// The AOF's size now (`aof_current_size`).
    pub fn current_size(&self) -> u64 {
        self.current_size
    }

    /// The AOF's size after the last rewrite (`aof_base_size`).
    pub fn base_size(&self) -> u64 {
        self.base_size
    }

    /// Bytes waiting to be written (`aof_buffer_length`).
    pub fn buffered(&self) -> usize {
        self.buf.len()
    }

    /// Writes the buffer to the file (and with `appendfsync always`, syncs it), as Redis does before
    /// replying. A failed write keeps the buffer for the next attempt and is reported by `INFO` and by
    /// `-MISCONF` errors to writes until a write succeeds again.
    pub fn flush(&mut self) {
        if self.buf.is_empty() {
            return;
        }
        let Some(file) = self.file.as_mut() else {
            return;
        };
        match file.write_all(&self.buf) {
            Ok(()) => {
                let written = self.buf.len() as u64;
                self.incr_size += written;
                self.current_size += written;
                self.buf.clear();
                if !self.stats.last_write_ok {
                    tracing::warn!("AOF write error looks solved, Redis can write again.");
                    self.stats.last_write_ok = true;
                    self.stats.last_write_error = None;
                }
                self.unsynced = true;
                if self.fsync == FsyncPolicy::Always {
                    self.sync_now();
                }
            }
            Err(error) => {
                if self.stats.last_write_ok {
                    tracing::warn!("Error writing to the AOF file: {error}");
                }
                self.stats.last_write_ok = false;
                self.stats.last_write_error = Some(strerror(&error));
            }
        }
    }

    /// Syncs the file now (shutdown, `appendonly no`, `appendfsync always`).
    pub fn sync_now(&mut self) {
        if let Some(file) = &self.file {
            if let Err(error) = file.sync_data() {
                tracing::warn!("Fail to fsync the AOF file: {error}");
            }
            self.unsynced = false;
            self.last_fsync = Instant::now();
        }
    }

    /// With `appendfsync everysec`, a second after the last sync: a handle on the file to sync in the
    /// background (off the core lock, as Redis hands it to a background thread).
    pub fn due_for_background_fsync(&mut self) -> Option<File> {
        if self.fsync != FsyncPolicy::EverySec
            || !self.unsynced
            || self.last_fsync.elapsed().as_secs() < 1
        {
            return None;
        }
        let file = self.file.as_ref()?.try_clone().ok()?;
        self.unsynced = false;
        self.last_fsync = Instant::now();
        Some(file)
    }

    /// Starts appending to `file` (of `size` bytes already): the next command gets a `SELECT`.
    pub(crate) fn switch_file(&mut self, file: File, size: u64) {
        self.file = Some(file);
        self.selected_db = None;
        self.incr_size = size;
    }

    /// `appendonly no`: the buffer is written and synced and the file closed (see [`turn_off`], which also
    /// abandons a rewrite in progress).
    pub(crate) fn stop(&mut self) {
        if self.state == AofState::Off {
            return;
        }
        self.flush();
        self.sync_now();
        self.file = None;
        self.selected_db = None;
        self.state = AofState::Off;
        self.rewrite_scheduled = false;
        self.incr_size = 0;
        self.buf.clear();
    }
}

/// Whether writes must be refused because the AOF cannot be written (Redis's `-MISCONF` for the AOF).
pub fn write_error(aof: &Aof) -> Option<String> {
    if aof.is_on() && !aof.stats.last_write_ok {
        Some(format!(
            "MISCONF Errors writing to the AOF file: {}",
            aof.stats
                .last_write_error
                .as_deref()
                .unwrap_or("unknown error")
        ))
    } else {
        None
    }
}

/// The C library's text for an I/O error (what Redis prints), without Rust's "(os error N)" suffix.
pub(crate) fn strerror(error: &std::io::Error) -> String {
    let text = error.to_string();
    match text.rfind(" (os error ") {
        Some(at) => text[..at].to_owned(),
        None => text,
    }
}

/// A rewrite in progress (`crate::aof_rewrite`).
#[derive(Debug)]
pub(crate) struct Running {
    pub(crate) id: u64,
    pub(crate) started: Instant,
    /// The keyspace snapshot it reads, when incremental (it is not an RDB save for `INFO`).
    pub(crate) snapshot_id: Option<u64>,
}

/// The back-off of automatic rewrites that keep failing (`crate::aof_rewrite::limited`).
#[derive(Debug, Default)]
pub(crate) struct RetryLimit {
    pub(crate) delay_minutes: u64,
    pub(crate) next_attempt: Option<Instant>,
}
