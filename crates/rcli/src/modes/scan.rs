//! `--scan [--pattern P]`: every key, one per line, through the SCAN cursor (redis-cli's `scanMode`).

use std::io::{self, Write};
use std::time::Duration;

use bytes::Bytes;
use resp::Frame;

use crate::client::Client;
use crate::format::{FormatMode, write_quoted};

/// Prints every key matching `pattern`, quoted in the human-readable mode, as-is otherwise; pauses `interval`
/// after each SCAN call.
pub fn run(
    client: &mut Client,
    pattern: Option<&[u8]>,
    interval: Option<Duration>,
    output: FormatMode,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> io::Result<i32> {
    let mut cursor = Bytes::from_static(b"0");
    loop {
        let keys = match scan(client, &cursor, pattern) {
            Ok((next, keys)) => {
                cursor = next;
                keys
            }
            Err(message) => {
                writeln!(stderr, "{message}")?;
                return Ok(1);
            }
        };
        let mut out = Vec::new();
        for key in keys {
            if output == FormatMode::Tty {
                write_quoted(&key, &mut out);
            } else {
                // printf("%s") stops at a NUL.
                let end = key.iter().position(|byte| *byte == 0).unwrap_or(key.len());
                out.extend_from_slice(&key[..end]);
            }
            out.push(b'\n');
        }
        stdout.write_all(&out)?;
        stdout.flush()?;
        if let Some(interval) = interval {
            std::thread::sleep(interval);
        }
        if &cursor[..] == b"0" {
            return Ok(0);
        }
    }
}

/// One `SCAN cursor [MATCH pattern]`, checked like redis-cli's `sendScan`: the next cursor and the keys, or the
/// message to print before exiting 1.
pub fn scan(
    client: &mut Client,
    cursor: &[u8],
    pattern: Option<&[u8]>,
) -> Result<(Bytes, Vec<Bytes>), String> {
    let mut command: Vec<&[u8]> = vec![b"SCAN", cursor];
    if let Some(pattern) = pattern {
        command.extend([b"MATCH".as_slice(), pattern]);
    }
    let reply = client
        .command(&command)
        .map_err(|_| "\nI/O error".to_owned())?;
    let items = match reply {
        Frame::Error(text) | Frame::BulkError(text) => {
            return Err(format!("SCAN error: {}", String::from_utf8_lossy(&text)));
        }
        Frame::Array(items) => items,
        _ => return Err("Non ARRAY response from SCAN!".to_owned()),
    };
    let [Frame::Bulk(next), Frame::Array(keys)] =
        <[Frame; 2]>::try_from(items).map_err(|_| "Invalid element count from SCAN!".to_owned())?
    else {
        return Err("Invalid element types from SCAN!".to_owned());
    };
    let keys = keys
        .into_iter()
        .map(|key| match key {
            Frame::Bulk(key) | Frame::Simple(key) => Ok(key),
            _ => Err("Invalid key type from SCAN!".to_owned()),
        })
        .collect::<Result<Vec<_>, _>>()?;
    // strtoull: a cursor that is not a number ends the scan like 0.
    let next = if next.iter().all(u8::is_ascii_digit) && !next.is_empty() {
        next
    } else {
        Bytes::from_static(b"0")
    };
    Ok((next, keys))
}
