//! RDB persistence: `SAVE`, `BGSAVE`, save points, loading at start-up, and the file a replica keeps.

use std::io::Write;
use std::path::{Path, PathBuf};

use rdb::{ReplInfo, SaveOptions};
use replication::{ReplId, ReplOffset};

use crate::core::{Core, Role};
use crate::shared::Shared;
use crate::util::write_atomically;

/// Path of the RDB file for the current config.
pub fn rdb_path(shared: &Shared) -> PathBuf {
    let config = shared.config();
    config.dir.join(&config.dbfilename)
}

/// What the RDB's aux fields say about replication: present when this server has a backlog (a master that
/// has had replicas) or follows a master, as Redis decides.
pub fn save_options(core: &Core) -> SaveOptions {
    let has_history = core.repl.backlog().is_some() || core.is_replica();
    let repl = has_history.then(|| ReplInfo {
        id: core.repl.replid().to_string(),
        offset: core.repl.offset().0,
        stream_db: core.repl.stream_db().unwrap_or(0) as i64,
    });
    SaveOptions {
        repl,
        ctime_secs: crate::util::now_ms() / 1000,
        used_mem: 0,
        functions: core.libraries.codes(),
        aof_base: false,
    }
}

/// `SAVE`: encodes while holding the core lock (it blocks the server, as Redis's SAVE does).
pub fn save_locked(shared: &Shared, core: &mut Core) -> std::io::Result<()> {
    let path = rdb_path(shared);
    let options = save_options(core);
    write_atomically(&path, |writer| {
        rdb::write_rdb(&core.keyspace, &options, writer)
    })?;
    core.persistence.dirty = 0;
    core.persistence.last_save_unix = crate::util::now_ms() / 1000;
    tracing::info!("DB saved on disk");
    Ok(())
}

/// Whether a snapshot is being produced, for `BGSAVE` or for replicas (Redis's "RDB child" of either kind:
/// `rdb_bgsave_in_progress`, and what makes another `SAVE` or `BGSAVE` wait).
pub fn snapshot_in_progress(core: &Core) -> bool {
    let aof_snapshot = core
        .aof
        .rewrite
        .as_ref()
        .and_then(|running| running.snapshot_id);
    core.persistence.bgsave_in_progress
        || core
            .keyspace
            .snapshot_id()
            .is_some_and(|id| Some(id) != aof_snapshot)
}

/// `BGSAVE`: fixes the snapshot's moment under the lock, then copies, encodes and writes it on a blocking
/// thread, a batch at a time (see `snapshot.rs`).
/// Returns false when a background save is already running.
pub fn start_background_save(shared: &std::sync::Arc<Shared>, core: &mut Core) -> bool {
    if snapshot_in_progress(core) {
        return false;
    }
    core.persistence.bgsave_in_progress = true;
    let (snapshot, options, dirty_at_start) = (
        crate::snapshot::begin(core),
        save_options(core),
        core.persistence.dirty,
    );
    tracing::info!("Background saving started");
    let shared = std::sync::Arc::clone(shared);
    let path = rdb_path(&shared);
    let tracker = shared.tasks.clone();
    tracker.spawn_blocking(move || {
        let result = write_atomically(&path, |writer| {
            crate::snapshot::write(&shared, snapshot, &options, writer)
        });
        let mut core = shared.core();
        core.persistence.bgsave_in_progress = false;
        core.persistence.last_bgsave_ok = result.is_ok();
        match result {
            Ok(()) => {
                core.persistence.dirty = core.persistence.dirty.saturating_sub(dirty_at_start);
                core.persistence.last_save_unix = crate::util::now_ms() / 1000;
                tracing::info!("Background saving terminated with success");
            }
            Err(error) => tracing::error!("Background saving error: {error}"),
        }
    });
    true
}

/// Whether a save point is due: enough changes and enough time since the last save.
pub fn save_point_due(shared: &Shared, core: &Core, now_unix: i64) -> bool {
    let config = shared.config();
    let elapsed = (now_unix - core.persistence.last_save_unix).max(0) as u64;
    config
        .save
        .iter()
        .any(|point| core.persistence.dirty >= point.changes && elapsed >= point.seconds)
}

/// Loads the RDB file at start-up, if there is one, into `core`, restoring replication ids as Redis does:
/// a master keeps the file's history as its previous id (so old replicas can `+CONTINUE`), a replica
/// continues its master's history from the file's offset.
pub fn load_at_startup(
    path: &Path,
    core: &mut Core,
    databases: usize,
) -> Result<Vec<bytes::Bytes>, crate::StartError> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => {
            return Err(crate::StartError::ReadRdb {
                path: path.to_owned(),
                source,
            });
        }
    };
    let started = std::time::Instant::now();
    let loaded = rdb::read_rdb(&bytes, databases).map_err(|source| crate::StartError::LoadRdb {
        path: path.to_owned(),
        source,
    })?;
    if let Some(version) = &loaded.aux.redis_ver {
        tracing::info!("Loading RDB produced by version {version}");
    }
    for key in &loaded.skipped_empty_keys {
        tracing::warn!(
            "rdbLoadObject skipping empty key: {}",
            String::from_utf8_lossy(key)
        );
    }
    core.keyspace = loaded.keyspace;
    let loaded_keys = core.keyspace.key_count();
    tracing::info!(
        "DB loaded from disk: {:.3} seconds",
        started.elapsed().as_secs_f64()
    );
    if let Some(info) = loaded.aux.repl_info()
        && let Some(id) = ReplId::parse(info.id.as_bytes())
    {
        let offset = ReplOffset(info.offset);
        match &mut core.role {
            Role::Replica(link) => {
                core.repl.restore_as_replica(id, offset);
                core.repl.set_stream_db(
                    usize::try_from(info.stream_db)
                        .ok()
                        .filter(|db| *db < databases),
                );
                link.has_cached_master = true;
                tracing::info!(
                    "Using my own master parameters to synthesize a cached master: I may be able to synchronize with the new master with just a partial transfer."
                );
            }
            Role::Master => core.repl.restore_as_master(id, offset),
        }
    }
    // A master drops what expired while it was down, and tells replicas continuing from the file's
    // offset (the DELs go to the fresh backlog); a replica keeps them until its master says otherwise.
    let expired = if core.is_replica() {
        0
    } else {
        drop_expired(core, crate::util::now_ms())
    };
    core.persistence.last_load_keys_expired = expired as u64;
    tracing::info!(
        "Done loading RDB, keys loaded: {}, keys expired: {expired}.",
        loaded_keys - expired
    );
    // The function libraries are installed once the scripting engine exists (see `Server::bind`).
    Ok(loaded.functions)
}

/// Deletes every key already expired at `now_ms`, propagating a `DEL` for each; returns how many.
fn drop_expired(core: &mut Core, now_ms: i64) -> usize {
    let mut expired: Vec<(usize, bytes::Bytes)> = Vec::new();
    for (index, db) in core.keyspace.dbs() {
        expired.extend(
            db.iter()
                .filter(|(_, entry)| entry.is_expired(now_ms))
                .map(|(key, _)| (index, key.to_bytes())),
        );
    }
    for (index, key) in &expired {
        if let Some(db) = core.keyspace.db_mut(*index) {
            db.remove(key);
        }
        core.propagate(
            *index,
            &[vec![bytes::Bytes::from_static(b"DEL"), key.clone()]],
        );
    }
    expired.len()
}

/// Keeps the snapshot a replica received as its own dump file, so a restart does not lose it (and can
/// PSYNC from the ids it carries).
pub fn store_received_snapshot(path: &Path, payload: &[u8]) -> std::io::Result<()> {
    write_atomically(path, |writer| writer.write_all(payload))
}
