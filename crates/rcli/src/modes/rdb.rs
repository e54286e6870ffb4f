//! `--rdb FILE`: fetch a snapshot through the replication handshake (`REPLCONF capa eof`, `REPLCONF rdb-only 1`,
//! `SYNC`) and write it to FILE, or to stdout for `-`; redis-cli's `getRDB`.

use std::fs::OpenOptions;
use std::io::{self, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use crate::client::{Client, describe_io_error};
use crate::modes::{EOF_MARK_SIZE, MarkWatcher, Payload, send_replconf, send_sync};

/// Saves the snapshot; the connection is closed right after the payload (the master's live stream is not read).
pub fn run(
    client: &mut Client,
    path: &Path,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> io::Result<i32> {
    if send_replconf(client, "capa", "eof", stderr)
        .and_then(|_| send_replconf(client, "rdb-only", "1", stderr))
        .is_err()
    {
        writeln!(stderr, "\nI/O error")?;
        return Ok(1);
    }
    let payload = match send_sync(client) {
        Ok(payload) => payload,
        Err(message) => {
            writeln!(stderr, "{message}")?;
            return Ok(1);
        }
    };
    let name = path.display();
    match &payload {
        Payload::EofMark(_) => writeln!(
            stderr,
            "SYNC sent to master, writing bytes of bulk transfer until EOF marker to '{name}'"
        )?,
        Payload::Length(length) => writeln!(
            stderr,
            "SYNC sent to master, writing {length} bytes to '{name}'"
        )?,
    }
    let to_stdout = path == Path::new("-");
    // Like redis-cli: no O_TRUNC (an EOF-marked transfer truncates at the end; a counted one overwrites).
    let mut file = if to_stdout {
        None
    } else {
        match OpenOptions::new()
            .create(true)
            .write(true)
            .truncate(false)
            .mode(0o644)
            .open(path)
        {
            Ok(file) => Some(file),
            Err(error) => {
                writeln!(
                    stderr,
                    "Error opening '{name}': {}",
                    describe_io_error(&error)
                )?;
                return Ok(1);
            }
        }
    };
    let mut buffer = [0u8; 4096];
    let (mut remaining, mut watcher) = match payload {
        Payload::Length(length) => (length, None),
        Payload::EofMark(mark) => (u64::MAX, Some(MarkWatcher::new(mark))),
    };
    let mut total = 0u64;
    while remaining > 0 {
        let want = buffer
            .len()
            .min(usize::try_from(remaining).unwrap_or(usize::MAX));
        let read = match client.read_raw(&mut buffer[..want]) {
            Ok(read) if read > 0 => read,
            _ => {
                writeln!(stderr, "I/O Error reading RDB payload from socket")?;
                return Ok(1);
            }
        };
        let chunk = &buffer[..read];
        let written = match &mut file {
            Some(file) => file.write_all(chunk),
            None => stdout.write_all(chunk),
        };
        if let Err(error) = written {
            writeln!(
                stderr,
                "Error writing data to file: {}",
                describe_io_error(&error)
            )?;
            return Ok(1);
        }
        remaining -= read as u64;
        total += read as u64;
        if watcher.as_mut().is_some_and(|watcher| watcher.feed(chunk)) {
            break;
        }
    }
    if watcher.is_some() {
        let length = total.saturating_sub(EOF_MARK_SIZE as u64);
        if let Some(file) = &file
            && let Err(error) = file.set_len(length)
        {
            writeln!(stderr, "ftruncate failed: {}.", describe_io_error(&error))?;
        }
        writeln!(
            stderr,
            "Transfer finished with success after {length} bytes"
        )?;
    } else {
        writeln!(stderr, "Transfer finished with success.")?;
    }
    match file {
        Some(file) => {
            if let Err(error) = file.sync_all() {
                writeln!(
                    stderr,
                    "Fail to fsync '{name}': {}",
                    describe_io_error(&error)
                )?;
                return Ok(1);
            }
        }
        None => stdout.flush()?,
    }
    Ok(0)
}
