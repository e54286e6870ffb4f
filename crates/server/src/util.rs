//! Small utilities every layer of the server uses, with no state and no dependency on the server's own
//! modules: the wall clock, atomic file replacement, Redis's integer parsing (re-exported from `commands`). They live here, at the bottom,
//! so that low modules (ACLs, config, the AOF) need not import the command table or persistence for them.

use std::io::Write as _;
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

/// Current Unix time in milliseconds.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Writes `produce`'s output to `path` atomically: a temp file in the same directory, then rename,
/// so a crash mid-save never leaves a truncated dump in place.
pub fn write_atomically(
    path: &Path,
    produce: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|dir| !dir.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    // One name per call: saves, a replica's received snapshot, ACL SAVE and CONFIG REWRITE may run at once.
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let temp = dir.join(format!(
        "temp-{}-{}.rdb",
        std::process::id(),
        NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    ));
    let file = std::fs::File::create(&temp)?;
    let mut writer = std::io::BufWriter::with_capacity(1 << 20, file);
    let result = produce(&mut writer)
        .and_then(|()| writer.flush())
        .and_then(|()| writer.get_ref().sync_all());
    match result {
        Ok(()) => std::fs::rename(&temp, path),
        Err(error) => {
            let _ = std::fs::remove_file(&temp);
            Err(error)
        }
    }
}

/// Parses an integer argument the way Redis does (`string2ll`); one definition, the commands crate's.
pub use commands::parse_i64;
