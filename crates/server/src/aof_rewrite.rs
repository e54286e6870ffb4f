//! AOF rewrites: `BGREWRITEAOF`, the first rewrite of an AOF turned on at run time, and automatic ones once the
//! AOF has grown by `auto-aof-rewrite-percentage`.
//!
//! Under the core lock the buffer is flushed, writes switch to a new incremental file (recorded in the
//! manifest at once, or a temporary one while the AOF does not exist yet) and a snapshot's moment is fixed;
//! both happen in the same critical section, so the new base plus the files from the new one on are exactly
//! the data. The snapshot is written as an RDB base file on a blocking thread (the same forkless snapshot
//! `BGSAVE` uses); when it is complete, the manifest names it, the files it covers become history and are
//! deleted.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use crate::aof::manifest::{Manifest, manifest_name, temp_incr_name};
use crate::aof::{AofState, RetryLimit, Running, dir, prefix, strerror};
use crate::core::Core;
use crate::persistence;
use crate::shared::Shared;
use crate::snapshot::{self, Source};

static NEXT_REWRITE_ID: AtomicU64 = AtomicU64::new(1);

/// Why a rewrite could not start now.
#[derive(Debug, PartialEq, Eq)]
pub enum StartError {
    /// Another snapshot is being produced: the rewrite is scheduled instead.
    Busy,
    /// The directory or the files could not be created (logged).
    Failed,
}

/// Starts a rewrite (Redis's `rewriteAppendOnlyFileBackground`).
pub fn start(shared: &Arc<Shared>, core: &mut Core) -> Result<(), StartError> {
    if core.aof.rewrite.is_some() || persistence::snapshot_in_progress(core) {
        return Err(StartError::Busy);
    }
    let config = shared.config().clone();
    let dir = dir(&config);
    if let Err(error) = std::fs::create_dir_all(&dir) {
        tracing::warn!(
            "Can't open or create append-only dir {}: {}",
            dir.display(),
            strerror(&error)
        );
        core.aof.stats.last_rewrite_ok = false;
        return Err(StartError::Failed);
    }
    // The new incremental file starts with a SELECT.
    core.aof.selected_db = None;
    core.aof.flush();
    if open_new_incr(core, &dir, &prefix(&config)).is_err() {
        core.aof.stats.last_rewrite_ok = false;
        return Err(StartError::Failed);
    }
    core.aof.stats.rewrites += 1;
    let source = snapshot::begin(core);
    let snapshot_id = match &source {
        Source::Incremental(plan) => Some(plan.id),
        Source::Copy(_) => None,
    };
    let mut options = persistence::save_options(core);
    options.aof_base = true;
    let id = NEXT_REWRITE_ID.fetch_add(1, Ordering::Relaxed);
    core.aof.rewrite = Some(Running {
        id,
        started: Instant::now(),
        snapshot_id,
    });
    core.aof.rewrite_scheduled = false;
    tracing::info!("Background append only file rewriting started");
    let shared = Arc::clone(shared);
    let temp = dir.join(temp_base_name(id));
    let tracker = shared.tasks.clone();
    tracker.spawn_blocking(move || {
        let written = write_base(&shared, source, &options, &temp);
        let mut core = shared.core();
        finish(&shared, &mut core, id, written.map(|()| temp));
    });
    Ok(())
}

/// The temporary name of the base file rewrite `id` writes (a killed rewrite's thread may still be finishing
/// when the next one starts, so each has its own).
fn temp_base_name(id: u64) -> String {
    format!("temp-rewriteaof-bg-{}-{id}.aof", std::process::id())
}

fn write_base(
    shared: &Shared,
    source: Source,
    options: &rdb::SaveOptions,
    path: &Path,
) -> std::io::Result<()> {
    let file = std::fs::File::create(path)?;
    let mut writer = std::io::BufWriter::with_capacity(1 << 20, file);
    let result = snapshot::write(shared, source, options, &mut writer)
        .and_then(|()| writer.flush())
        .and_then(|()| writer.get_ref().sync_all());
    if result.is_err() {
        let _ = std::fs::remove_file(path);
    } else {
        tracing::info!(
            "Successfully created the temporary AOF base file {}",
            path.file_name().unwrap_or_default().to_string_lossy()
        );
    }
    result
}

/// Switches writes to a new incremental file (Redis's `openNewIncrAofForAppend`).
fn open_new_incr(core: &mut Core, dir: &Path, prefix: &str) -> std::io::Result<()> {
    let (name, manifest) = match core.aof.state {
        AofState::Off => return Ok(()),
        AofState::WaitRewrite => (temp_incr_name(prefix), None),
        AofState::On => {
            let mut manifest = core.aof.manifest.clone();
            (manifest.new_incr(prefix), Some(manifest))
        }
    };
    let file = match std::fs::File::create(dir.join(&name)) {
        Ok(file) => file,
        Err(error) => {
            tracing::warn!(
                "Can't open the append-only file {name}: {}",
                strerror(&error)
            );
            return Err(error);
        }
    };
    if let Some(manifest) = manifest {
        persist_manifest(dir, prefix, &manifest)?;
        core.aof.manifest = manifest;
    }
    tracing::info!("Creating AOF incr file {name} on background rewrite");
    // What the previous file got is on disk before writes move on.
    core.aof.sync_now();
    core.aof.switch_file(file, 0);
    Ok(())
}

/// Writes the manifest atomically: a temporary file, synced, renamed over the old one, and the directory
/// synced.
pub(crate) fn persist_manifest(
    dir: &Path,
    prefix: &str,
    manifest: &Manifest,
) -> std::io::Result<()> {
    let temp = dir.join(format!("temp-{}", manifest_name(prefix)));
    let written = std::fs::File::create(&temp).and_then(|mut file| {
        file.write_all(manifest.to_text().as_bytes())?;
        file.sync_all()
    });
    if let Err(error) = written {
        tracing::warn!(
            "Error trying to write the temporary AOF manifest file {}: {}",
            temp.display(),
            strerror(&error)
        );
        let _ = std::fs::remove_file(&temp);
        return Err(error);
    }
    if let Err(error) = std::fs::rename(&temp, dir.join(manifest_name(prefix))) {
        tracing::warn!(
            "Error trying to rename the temporary AOF manifest file {} into {}: {}",
            temp.display(),
            manifest_name(prefix),
            strerror(&error)
        );
        let _ = std::fs::remove_file(&temp);
        return Err(error);
    }
    if let Err(error) = std::fs::File::open(dir).and_then(|dir| dir.sync_all()) {
        tracing::warn!(
            "Fail to fsync AOF directory {}: {}.",
            dir.display(),
            strerror(&error)
        );
        return Err(error);
    }
    Ok(())
}

/// A rewrite's base file is complete (`Ok(temp path)`) or failed: Redis's `backgroundRewriteDoneHandler`.
fn finish(shared: &Shared, core: &mut Core, id: u64, written: std::io::Result<PathBuf>) {
    if core
        .aof
        .rewrite
        .as_ref()
        .is_none_or(|running| running.id != id)
    {
        // Killed meanwhile (`appendonly no`, shutdown): nothing of it is kept.
        if let Ok(temp) = written {
            let _ = std::fs::remove_file(temp);
        }
        return;
    }
    let running = core.aof.rewrite.take().expect("checked above");
    core.aof.stats.last_rewrite_secs = running.started.elapsed().as_secs() as i64;
    let succeeded = match written {
        Ok(temp) => {
            tracing::info!("Background AOF rewrite terminated with success");
            let installed = install(shared, core, &temp);
            let _ = std::fs::remove_file(&temp);
            installed
        }
        Err(error) => {
            tracing::warn!("Background AOF rewrite terminated with error: {error}");
            false
        }
    };
    core.aof.stats.last_rewrite_ok = succeeded;
    if succeeded {
        core.aof.stats.consecutive_failures = 0;
        tracing::info!("Background AOF rewrite finished successfully");
        if core.aof.state == AofState::WaitRewrite {
            core.aof.state = AofState::On;
        }
    } else {
        core.aof.stats.consecutive_failures += 1;
        if core.aof.state == AofState::WaitRewrite {
            // The AOF still does not exist: what was kept for it goes, and the next attempt starts over.
            core.aof.buf.clear();
            let config = shared.config();
            let name = temp_incr_name(&prefix(&config));
            tracing::info!("Removing the temp incr aof file {name} in the background");
            let _ = std::fs::remove_file(dir(&config).join(name));
            core.aof.rewrite_scheduled = true;
        }
    }
}

/// Puts a written base file into the AOF: renamed to its name in a new manifest (with the temporary
/// incremental file, for a new AOF), the files it replaces become history, the manifest is persisted and
/// the history deleted. False, with everything left as it was, if any step fails.
fn install(shared: &Shared, core: &mut Core, temp: &Path) -> bool {
    let config = shared.config().clone();
    let (dir, prefix) = (dir(&config), prefix(&config));
    let mut manifest = core.aof.manifest.clone();
    let base_name = manifest.new_base(&prefix);
    let base_path = dir.join(&base_name);
    if let Err(error) = std::fs::rename(temp, &base_path) {
        tracing::warn!(
            "Error trying to rename the temporary AOF base file {} into {}: {}",
            temp.display(),
            base_path.display(),
            strerror(&error)
        );
        return false;
    }
    tracing::info!(
        "Successfully renamed the temporary AOF base file {} into {base_name}",
        temp.file_name().unwrap_or_default().to_string_lossy()
    );
    let mut new_incr = None;
    if core.aof.state == AofState::WaitRewrite {
        let temp_incr = temp_incr_name(&prefix);
        let incr_name = manifest.new_incr(&prefix);
        if let Err(error) = std::fs::rename(dir.join(&temp_incr), dir.join(&incr_name)) {
            tracing::warn!(
                "Error trying to rename the temporary AOF incr file {} into {}: {}",
                temp_incr,
                incr_name,
                strerror(&error)
            );
            let _ = std::fs::remove_file(&base_path);
            return false;
        }
        tracing::info!(
            "Successfully renamed the temporary AOF incr file {temp_incr} into {incr_name}"
        );
        new_incr = Some(incr_name);
    }
    manifest.retire_rewritten_incrs(core.aof.file.is_some());
    if persist_manifest(&dir, &prefix, &manifest).is_err() {
        let _ = std::fs::remove_file(&base_path);
        if let Some(name) = new_incr {
            let _ = std::fs::remove_file(dir.join(name));
        }
        return false;
    }
    core.aof.manifest = manifest;
    let base_size = std::fs::metadata(&base_path).map_or(0, |meta| meta.len());
    core.aof.current_size = base_size + core.aof.incr_size;
    core.aof.base_size = core.aof.current_size;
    delete_history(core, &dir, &prefix);
    true
}

/// Deletes the history files and records that in the manifest (a failure here costs only disk space).
pub(crate) fn delete_history(core: &mut Core, dir: &Path, prefix: &str) {
    let history = core.aof.manifest.take_history();
    if history.is_empty() {
        return;
    }
    for name in history {
        tracing::info!("Removing the history file {name} in the background");
        let _ = std::fs::remove_file(dir.join(name));
    }
    let _ = persist_manifest(dir, prefix, &core.aof.manifest);
}

/// Abandons the rewrite in progress, if any (`appendonly no`, `SHUTDOWN`): its snapshot stops being copied
/// and whatever it wrote is discarded when its thread notices.
pub fn kill(core: &mut Core) {
    if let Some(running) = core.aof.rewrite.take() {
        // Redis's words ("child"): operators and Redis's tests look for them.
        tracing::info!("Killing running AOF rewrite child");
        if let Some(id) = running.snapshot_id {
            core.keyspace.cancel_snapshot(id);
        }
    }
}

/// Once per cron tick: a scheduled rewrite starts when nothing else is snapshotting, and an AOF that grew
/// past `auto-aof-rewrite-percentage` (and `auto-aof-rewrite-min-size`) is rewritten.
pub fn cron(shared: &Arc<Shared>, core: &mut Core) {
    if !core.aof.is_on() || core.aof.rewrite.is_some() || persistence::snapshot_in_progress(core) {
        return;
    }
    if core.aof.rewrite_scheduled {
        if !limited(core) {
            let _ = start(shared, core);
        }
        return;
    }
    if core.aof.state != AofState::On {
        return;
    }
    let (percentage, min_size) = {
        let config = shared.config();
        let percentage: u64 = config
            .other("auto-aof-rewrite-percentage")
            .and_then(|value| value.parse().ok())
            .unwrap_or(100);
        let min_size = config
            .other("auto-aof-rewrite-min-size")
            .and_then(crate::config::memory_value)
            .unwrap_or(64 * 1024 * 1024);
        (percentage, min_size)
    };
    if percentage == 0 || core.aof.current_size <= min_size {
        return;
    }
    let base = core.aof.base_size.max(1);
    let growth = (core.aof.current_size * 100 / base).saturating_sub(100);
    if growth >= percentage && !limited(core) {
        tracing::info!("Starting automatic rewriting of AOF on {growth}% growth");
        let _ = start(shared, core);
    }
}

/// After three failed rewrites in a row, automatic and scheduled rewrites wait 1, 2, 4... minutes (at most
/// an hour) between attempts (Redis's `aofRewriteLimited`); `BGREWRITEAOF` resets the count.
fn limited(core: &mut Core) -> bool {
    let limit = &mut core.aof.limit;
    if core.aof.stats.consecutive_failures < 3 {
        *limit = RetryLimit::default();
        return false;
    }
    if let Some(next) = limit.next_attempt {
        if Instant::now() < next {
            return true;
        }
        limit.next_attempt = None;
        return false;
    }
    limit.delay_minutes = (limit.delay_minutes * 2).clamp(1, 60);
    limit.next_attempt =
        Some(Instant::now() + std::time::Duration::from_secs(limit.delay_minutes * 60));
    tracing::warn!(
        "Background AOF rewrite has repeatedly failed and triggered the limit, will retry in {} minutes",
        limit.delay_minutes
    );
    true
}

/// `CONFIG SET appendonly yes` (Redis's `startAppendOnly`): the AOF exists once its first rewrite is done,
/// started now or, while another snapshot is produced, as soon as that ends. False if the rewrite cannot
/// start (logged); the AOF then stays off.
pub fn turn_on(
    shared: &std::sync::Arc<crate::shared::Shared>,
    core: &mut crate::core::Core,
) -> bool {
    if core.aof.is_on() {
        return true;
    }
    core.aof.configure(&shared.config());
    core.aof.state = AofState::WaitRewrite;
    if crate::persistence::snapshot_in_progress(core) {
        core.aof.rewrite_scheduled = true;
        tracing::warn!(
            "AOF was enabled but there is already another background operation. An AOF background was scheduled to start when possible."
        );
    } else if start(shared, core).is_err() {
        core.aof.state = AofState::Off;
        tracing::warn!(
            "Redis needs to enable the AOF but can't trigger a background AOF rewrite operation. Check the above logs for more info about the error."
        );
        return false;
    }
    core.aof.last_fsync = Instant::now();
    if !core.aof.stats.last_write_ok {
        tracing::warn!("AOF reopen, just ignore the last error.");
        core.aof.stats.last_write_ok = true;
        core.aof.stats.last_write_error = None;
    }
    true
}

/// `CONFIG SET appendonly no` (Redis's `stopAppendOnly`): what is buffered is written and synced, the file
/// closed, and a rewrite in progress abandoned.
pub fn turn_off(core: &mut crate::core::Core) {
    kill(core);
    core.aof.stop();
}

/// A replica replaced its whole data set with its master's: the AOF no longer describes it, so it starts
/// over from a rewrite of the new data (Redis's `restartAOFAfterSYNC`).
pub fn restart_after_sync(
    shared: &std::sync::Arc<crate::shared::Shared>,
    core: &mut crate::core::Core,
) {
    if !core.aof.is_on() {
        return;
    }
    turn_off(core);
    if !turn_on(shared, core) {
        // Retried by cron as a scheduled rewrite, as Redis retries every second.
        tracing::warn!(
            "Failed enabling the AOF after successful master synchronization! Trying it again in one second."
        );
        core.aof.state = AofState::WaitRewrite;
        core.aof.rewrite_scheduled = true;
    }
}
