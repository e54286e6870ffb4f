//! Loading the AOF (at start-up with `appendonly yes`, and `DEBUG LOADAOF`): the manifest, then the base file
//! (an RDB snapshot, or commands) and every incremental file in order, each command run as Redis's AOF loader
//! runs it (no checks but arity, no propagation, no replies).
//!
//! A file cut short (a crash mid-write) is truncated to its last complete command when it is the last file and
//! `aof-load-truncated` is on (the default), as is a `MULTI` never closed by its `EXEC`; anything else wrong is
//! fatal, with Redis's messages.

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use keyspace::ExpiryPolicy;

use crate::aof::manifest::{Manifest, manifest_name};
use crate::aof::{AofState, dir, prefix, strerror};
use crate::client::ClientState;
use crate::cmd::{self, Ctx};
use crate::core::Core;
use crate::shared::Shared;
use crate::util::now_ms;

/// What loading found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// No AOF (no manifest, or one naming no files).
    NotExist,
    /// The files are all empty.
    Empty,
    /// Loaded.
    Loaded,
    /// Loaded after cutting an incomplete end off the last file.
    Truncated,
}

/// Loading failed (the reason is logged, in Redis's words).
#[derive(Debug)]
pub struct LoadFailed;

/// Reads the manifest from disk into `core.aof` (an absent directory or manifest is an empty one).
pub fn read_manifest(dir: &Path, prefix: &str) -> Result<Manifest, LoadFailed> {
    let path = dir.join(manifest_name(prefix));
    let text = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            return Ok(Manifest::default());
        }
        Err(error) => {
            tracing::warn!(
                "Fatal error: can't open the AOF manifest {} for reading: {}",
                manifest_name(prefix),
                strerror(&error)
            );
            return Err(LoadFailed);
        }
    };
    Manifest::parse(&String::from_utf8_lossy(&text)).map_err(|error| {
        tracing::warn!("\n*** FATAL AOF MANIFEST FILE ERROR ***\n");
        tracing::warn!("{error}\n");
        LoadFailed
    })
}

/// Loads the AOF of the current config into `core` (Redis's `loadAppendOnlyFiles`).
pub fn load(shared: &Arc<Shared>, core: &mut Core) -> Result<Outcome, LoadFailed> {
    let config = shared.config().clone();
    let (dir, prefix) = (dir(&config), prefix(&config));
    let manifest = read_manifest(&dir, &prefix)?;
    core.aof.manifest = manifest.clone();
    let files: Vec<String> = manifest
        .base
        .iter()
        .chain(&manifest.incrs)
        .map(|file| file.name.clone())
        .collect();
    if files.is_empty() {
        return Ok(Outcome::NotExist);
    }
    let mut total = 0;
    for name in &files {
        match std::fs::metadata(dir.join(name)) {
            Ok(meta) => total += meta.len(),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                tracing::warn!(
                    "The append log file {name} doesn't exist: {}",
                    strerror(&error)
                );
                return Err(LoadFailed);
            }
            Err(error) => {
                tracing::warn!(
                    "Fatal error: can't open the append log file {name} for reading: {}",
                    strerror(&error)
                );
                return Err(LoadFailed);
            }
        }
    }
    if total == 0 {
        return Ok(Outcome::Empty);
    }
    let allow_truncated = config.other("aof-load-truncated") != Some("no");
    // Nothing replayed may be appended to the AOF being read (Redis switches the AOF off meanwhile).
    let state = std::mem::replace(&mut core.aof.state, AofState::Off);
    let mut outcome = Outcome::Loaded;
    let mut result = Ok(());
    for (index, name) in files.iter().enumerate() {
        let last = index + 1 == files.len();
        let kind = if manifest
            .base
            .as_ref()
            .is_some_and(|base| &base.name == name)
        {
            "base"
        } else {
            "incr"
        };
        let started = Instant::now();
        match load_file(shared, core, &dir, name, allow_truncated) {
            Ok(FileOutcome::Empty) => {}
            Ok(loaded) => {
                if loaded == FileOutcome::Truncated && !last {
                    tracing::warn!("Fatal error: the truncated file is not the last file");
                    result = Err(LoadFailed);
                    break;
                }
                tracing::info!(
                    "DB loaded from {kind} file {name}: {:.3} seconds",
                    started.elapsed().as_secs_f64()
                );
                if loaded == FileOutcome::Truncated {
                    outcome = Outcome::Truncated;
                }
            }
            Err(failed) => {
                result = Err(failed);
                break;
            }
        }
    }
    core.aof.state = state;
    result?;
    core.aof.current_size = files
        .iter()
        .map(|name| std::fs::metadata(dir.join(name)).map_or(0, |meta| meta.len()))
        .sum();
    // As Redis: the growth reference after a restart is the base file alone.
    core.aof.base_size = manifest
        .base
        .as_ref()
        .and_then(|base| std::fs::metadata(dir.join(&base.name)).ok())
        .map_or(0, |meta| meta.len());
    core.persistence.dirty = 0;
    Ok(outcome)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FileOutcome {
    Empty,
    Loaded,
    Truncated,
}

/// Where reading a command stopped short.
enum Stop {
    /// The file ends inside a command.
    Short,
    /// Something that is not a command.
    Format,
}

fn load_file(
    shared: &Arc<Shared>,
    core: &mut Core,
    dir: &Path,
    name: &str,
    allow_truncated: bool,
) -> Result<FileOutcome, LoadFailed> {
    let path = dir.join(name);
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(error) => {
            tracing::warn!(
                "Fatal error: can't open the append log file {name} for reading: {}",
                strerror(&error)
            );
            return Err(LoadFailed);
        }
    };
    if bytes.is_empty() {
        return Ok(FileOutcome::Empty);
    }
    if bytes.starts_with(b"REDIS") {
        tracing::info!("Reading RDB base file on AOF loading...");
        let databases = core.keyspace.db_count();
        let loaded = rdb::read_rdb(&bytes, databases).map_err(|error| {
            tracing::warn!("Error reading the RDB base file {name}, AOF loading aborted: {error}");
            LoadFailed
        })?;
        core.keyspace = loaded.keyspace;
        crate::cmd::scripts::load_snapshot_functions(core, shared, &loaded.functions);
        return Ok(FileOutcome::Loaded);
    }
    let mut client = ClientState::new(0, None, true);
    let mut queued: Option<Vec<(&'static cmd::CommandSpec, Vec<Bytes>)>> = None;
    let (mut at, mut valid_up_to, mut valid_before_multi) = (0, 0, 0);
    let stop = loop {
        if at == bytes.len() {
            if queued.is_some() {
                tracing::warn!("Revert incomplete MULTI/EXEC transaction in AOF file {name}");
                valid_up_to = valid_before_multi;
                break Some(Stop::Short);
            }
            break None;
        }
        // Annotations (`#...` lines) are skipped.
        if bytes[at] == b'#' {
            match bytes[at..].iter().position(|&b| b == b'\n') {
                Some(end) => {
                    at += end + 1;
                    continue;
                }
                None => break Some(Stop::Short),
            }
        }
        let argv = match read_command(&bytes, &mut at) {
            Ok(argv) => argv,
            Err(stop) => break Some(stop),
        };
        let Some(spec) = cmd::lookup(&argv[0]) else {
            tracing::warn!(
                "Unknown command '{}' reading the append only file {name}",
                String::from_utf8_lossy(&argv[0])
            );
            return Err(LoadFailed);
        };
        if !spec.arity_ok(argv.len()) || cmd::subcommand_error(spec, &argv).is_some() {
            tracing::warn!(
                "Wrong number of arguments for '{}' reading the append only file {name}",
                String::from_utf8_lossy(&argv[0])
            );
            return Err(LoadFailed);
        }
        match (spec.name, queued.as_mut()) {
            ("multi", _) => {
                valid_before_multi = valid_up_to;
                queued = Some(Vec::new());
            }
            ("exec", Some(_)) => {
                for (spec, command) in queued.take().unwrap_or_default() {
                    run(shared, core, &mut client, spec, &command);
                }
            }
            (_, Some(commands)) => commands.push((spec, argv)),
            _ => run(shared, core, &mut client, spec, &argv),
        }
        valid_up_to = at;
    };
    match stop {
        None => Ok(FileOutcome::Loaded),
        Some(Stop::Format) => {
            tracing::warn!(
                "Bad file format reading the append only file {name}: make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>"
            );
            Err(LoadFailed)
        }
        Some(Stop::Short) if allow_truncated => {
            tracing::warn!("!!! Warning: short read while loading the AOF file {name}!!!");
            tracing::warn!("!!! Truncating the AOF {name} at offset {valid_up_to} !!!");
            let truncated = std::fs::OpenOptions::new()
                .write(true)
                .open(&path)
                .and_then(|file| file.set_len(valid_up_to as u64));
            match truncated {
                Ok(()) => {
                    tracing::warn!(
                        "AOF {name} loaded anyway because aof-load-truncated is enabled"
                    );
                    Ok(FileOutcome::Truncated)
                }
                Err(error) => {
                    tracing::warn!("Error truncating the AOF file {name}: {}", strerror(&error));
                    Err(LoadFailed)
                }
            }
        }
        Some(Stop::Short) => {
            tracing::warn!(
                "Unexpected end of file reading the append only file {name}. You can: 1) Make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>. 2) Alternatively you can set the 'aof-load-truncated' configuration option to yes and restart the server."
            );
            Err(LoadFailed)
        }
    }
}

/// Reads one `*<n>` command at `at` the way Redis's loader does: a line starting `*`, then for each
/// argument a line starting `$` with its length, the bytes, and two bytes of line end.
fn read_command(bytes: &[u8], at: &mut usize) -> Result<Vec<Bytes>, Stop> {
    let line = |at: &mut usize| -> Result<&[u8], Stop> {
        let rest = &bytes[*at..];
        let end = rest.iter().position(|&b| b == b'\n').ok_or(Stop::Short)?;
        *at += end + 1;
        Ok(&rest[..end])
    };
    let header = line(at)?;
    if header.first() != Some(&b'*') {
        return Err(Stop::Format);
    }
    let count = leading_integer(&header[1..]);
    if count < 1 {
        return Err(Stop::Format);
    }
    let mut argv = Vec::with_capacity(count.min(1024) as usize);
    for _ in 0..count {
        let header = line(at)?;
        if header.first() != Some(&b'$') {
            return Err(Stop::Format);
        }
        let len = usize::try_from(leading_integer(&header[1..])).map_err(|_| Stop::Format)?;
        let end = at.checked_add(len).ok_or(Stop::Format)?;
        if end + 2 > bytes.len() {
            return Err(Stop::Short);
        }
        argv.push(Bytes::copy_from_slice(&bytes[*at..end]));
        *at = end + 2;
    }
    Ok(argv)
}

/// `atoi`/`strtol`: optional sign and leading digits; 0 when there are none.
fn leading_integer(text: &[u8]) -> i64 {
    let (negative, digits) = match text.first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let mut value: i64 = 0;
    for &b in digits.iter().take_while(|b| b.is_ascii_digit()) {
        value = value.saturating_mul(10).saturating_add(i64::from(b - b'0'));
    }
    if negative { -value } else { value }
}

/// Runs one command as the AOF loader's client: the handler alone, its reply and propagation dropped.
fn run(
    shared: &Arc<Shared>,
    core: &mut Core,
    client: &mut ClientState,
    spec: &cmd::CommandSpec,
    argv: &[Bytes],
) {
    let mut ctx = Ctx::new(core, client, shared, now_ms(), ExpiryPolicy::Keep);
    let _reply = spec.invoke(&mut ctx, argv);
    let _ = ctx.take_propagation();
}

/// At start-up with `appendonly yes`, after loading (Redis's `aofOpenIfNeededOnServerStart`): an AOF with
/// no files gets a base file of the current (empty or just loaded) data at once, then the last incremental
/// file is opened for appending (created if there is none) and the manifest persisted.
pub fn open_at_startup(shared: &Arc<Shared>, core: &mut Core) -> Result<(), LoadFailed> {
    let config = shared.config().clone();
    let (dir, prefix) = (dir(&config), prefix(&config));
    if let Err(error) = std::fs::create_dir_all(&dir) {
        tracing::warn!(
            "Can't open or create append-only dir {}: {}",
            dir.display(),
            strerror(&error)
        );
        return Err(LoadFailed);
    }
    let mut manifest = core.aof.manifest.clone();
    let had_incrs = !manifest.incrs.is_empty();
    if manifest.is_empty() {
        let name = manifest.new_base(&prefix);
        let mut options = crate::persistence::save_options(core);
        options.aof_base = true;
        let written = crate::util::write_atomically(&dir.join(&name), |writer| {
            rdb::write_rdb(&core.keyspace, &options, writer)
        });
        if let Err(error) = written {
            tracing::warn!("Write error writing append only file on disk: {error}");
            return Err(LoadFailed);
        }
        tracing::info!("Creating AOF base file {name} on server start");
        core.aof.base_size = std::fs::metadata(dir.join(&name)).map_or(0, |meta| meta.len());
        core.aof.current_size = core.aof.base_size;
    }
    let name = manifest.last_incr(&prefix);
    let file = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(dir.join(&name))
        .map_err(|error| {
            tracing::warn!(
                "Can't open the append-only file {name}: {}",
                strerror(&error)
            );
            LoadFailed
        })?;
    crate::aof_rewrite::persist_manifest(&dir, &prefix, &manifest).map_err(|_| LoadFailed)?;
    let size = file.metadata().map_or(0, |meta| meta.len());
    core.aof.manifest = manifest;
    core.aof.switch_file(file, size);
    if had_incrs {
        tracing::info!("Opening AOF incr file {name} on server start");
    } else {
        tracing::info!("Creating AOF incr file {name} on server start");
    }
    // History left by a crash between a rewrite and its clean-up.
    crate::aof_rewrite::delete_history(core, &dir, &prefix);
    Ok(())
}

/// At start-up with `appendonly yes`: loads the AOF, then opens it for appending (Redis's
/// `loadDataFromDisk` and `aofOpenIfNeededOnServerStart`).
pub fn start_at_startup(
    shared: &std::sync::Arc<crate::shared::Shared>,
    core: &mut crate::core::Core,
) -> Result<(), LoadFailed> {
    core.aof.state = AofState::On;
    let started = Instant::now();
    let outcome = load(shared, core)?;
    if outcome != Outcome::NotExist {
        tracing::info!(
            "DB loaded from append only file: {:.3} seconds",
            started.elapsed().as_secs_f64()
        );
    }
    open_at_startup(shared, core)
}
