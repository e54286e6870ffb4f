//! `--replica`: act as a replica of the server. After `REPLCONF capa eof` and `REPLCONF rdb-filter-only ""`
//! it sends `SYNC`, discards the snapshot and prints every command the master streams, in CSV, as redis-cli's
//! `slaveMode` does.

use std::io::{self, Write};
use std::time::Duration;

use crate::client::Client;
use crate::format::{FormatMode, format_reply};
use crate::modes::{MarkWatcher, Payload, send_replconf, send_sync};
use crate::session::IssueError;

/// Runs until the master closes the connection (then exits 1 with redis-cli's `Error: ...` line).
pub fn run(client: &mut Client, stdout: &mut dyn Write, stderr: &mut dyn Write) -> io::Result<i32> {
    let connection_lost = |stderr: &mut dyn Write, error: io::Error| -> io::Result<i32> {
        writeln!(stderr, "{}", IssueError::Connection(error))?;
        Ok(1)
    };
    match send_replconf(client, "capa", "eof", stderr)
        .and_then(|_| send_replconf(client, "rdb-filter-only", "", stderr))
    {
        Ok(_) => {}
        Err(_) => {
            writeln!(stderr, "\nI/O error")?;
            return Ok(1);
        }
    }
    let payload = match send_sync(client) {
        Ok(payload) => payload,
        Err(message) => {
            writeln!(stderr, "{message}")?;
            return Ok(1);
        }
    };
    match &payload {
        Payload::EofMark(_) => writeln!(
            stderr,
            "SYNC with master, discarding bytes of bulk transfer until EOF marker..."
        )?,
        Payload::Length(length) => writeln!(
            stderr,
            "SYNC with master, discarding {length} bytes of bulk transfer..."
        )?,
    }
    let mut buffer = [0u8; 1024];
    match payload {
        Payload::Length(mut remaining) => {
            while remaining > 0 {
                let want = buffer
                    .len()
                    .min(usize::try_from(remaining).unwrap_or(usize::MAX));
                match client.read_raw(&mut buffer[..want]) {
                    Ok(read) if read > 0 => remaining -= read as u64,
                    _ => {
                        writeln!(stderr, "Error reading RDB payload while SYNCing")?;
                        return Ok(1);
                    }
                }
            }
            writeln!(stderr, "SYNC done. Logging commands from master.")?;
        }
        Payload::EofMark(mark) => {
            let mut watcher = MarkWatcher::new(mark);
            let mut total = 0u64;
            loop {
                match client.read_raw(&mut buffer) {
                    Ok(read) if read > 0 => {
                        total += read as u64;
                        if watcher.feed(&buffer[..read]) {
                            break;
                        }
                    }
                    _ => {
                        writeln!(stderr, "Error reading RDB payload while SYNCing")?;
                        return Ok(1);
                    }
                }
            }
            writeln!(
                stderr,
                "SYNC done after {total} bytes. Logging commands from master."
            )?;
            // redis-cli waits a second before its first ACK, which puts a diskless replica online.
            std::thread::sleep(Duration::from_secs(1));
            // A master does not answer ACKs: like redis-cli (hiredis's redisCommand), the next frame of the stream
            // is read as the "reply" and dropped.
            if send_replconf(client, "ACK", "0", stderr).is_err() {
                writeln!(stderr, "\nI/O error")?;
                return Ok(1);
            }
        }
    }
    loop {
        match client.read_reply() {
            Ok(frame) => {
                stdout.write_all(&format_reply(&frame, FormatMode::Csv))?;
                stdout.flush()?;
            }
            Err(error) => return connection_lost(stderr, error),
        }
    }
}
