//! The special modes that replace running a command, one module each, ports of redis-cli 7.0's `scanMode`,
//! `findBigKeys`, `pipeMode`, `statMode`, `latencyMode`, `slaveMode` and `getRDB`.
//!
//! Each mode takes a connected [`Client`] (made by [`run`] through the [`Session`], so `AUTH`, `SELECT` and
//! `HELLO 3` happen as for a command) and writers for stdout and stderr, and returns the process exit code.

pub mod bigkeys;
pub mod latency;
pub mod pipe;
pub mod rdb;
pub mod replica;
pub mod scan;
pub mod stat;

use std::io::{self, Read, Write};

use crate::args::{Args, Mode};
use crate::client::Client;
use crate::format::FormatMode;
use crate::session::Session;

/// Runs `mode` for `args`; `output` is the resolved output mode, `stdin` feeds `--pipe`.
pub fn run(
    mode: &Mode,
    args: &Args,
    session: &mut Session,
    output: FormatMode,
    stdin: &mut (dyn Read + Send),
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> io::Result<i32> {
    let Some(client) = session.connect_for_mode(stderr) else {
        return Ok(1);
    };
    match mode {
        Mode::Scan => scan::run(
            client,
            args.pattern.as_deref(),
            args.interval,
            output,
            stdout,
            stderr,
        ),
        Mode::BigKeys => bigkeys::run(
            client,
            args.pattern.as_deref(),
            args.interval,
            stdout,
            stderr,
        ),
        Mode::Pipe => pipe::run(client, args.pipe_timeout, stdin, stdout, stderr),
        Mode::Stat => stat::run(client, args.interval, stdout, stderr),
        Mode::Latency { history } => {
            latency::run(client, *history, args.interval, output, stdout, stderr)
        }
        Mode::Replica => replica::run(client, stdout, stderr),
        Mode::Rdb(path) => rdb::run(client, path, stdout, stderr),
    }
}

/// redis-cli's `sendReplconf`: announces the step on stderr, sends `REPLCONF arg1 arg2` and reads one reply; an
/// error reply is reported and `false` (older servers lack some options). A broken connection is an `Err`.
pub fn send_replconf(
    client: &mut Client,
    name: &str,
    value: &str,
    stderr: &mut dyn Write,
) -> io::Result<bool> {
    writeln!(stderr, "sending REPLCONF {name} {value}")?;
    match client.command(&["REPLCONF", name, value])? {
        resp::Frame::Error(text) | resp::Frame::BulkError(text) => {
            stderr.write_all(format!("REPLCONF {name} error: ").as_bytes())?;
            stderr.write_all(&text)?;
            stderr.write_all(b"\n")?;
            Ok(false)
        }
        _ => Ok(true),
    }
}

/// Where a `SYNC` payload ends: after a byte count, or at a 40-byte mark (diskless transfers, `$EOF:<mark>`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Payload {
    /// `$<count>`.
    Length(u64),
    /// `$EOF:<mark>`.
    EofMark(Vec<u8>),
}

/// The length of the `$EOF:` mark of a diskless transfer.
pub const EOF_MARK_SIZE: usize = 40;

/// redis-cli's `sendSync`: writes `SYNC`, reads the `$...` line that announces the payload (skipping the newlines
/// a master sends while it prepares the snapshot). `Err(text)` is the line redis-cli prints before exiting 1.
pub fn send_sync(client: &mut Client) -> Result<Payload, String> {
    client
        .write_raw(b"SYNC\r\n")
        .map_err(|_| "Error writing to master".to_owned())?;
    let mut line = Vec::new();
    loop {
        let mut byte = [0u8; 1];
        match client.read_raw(&mut byte) {
            Ok(1) => {}
            _ => return Err("Error reading bulk length while SYNCing".to_owned()),
        }
        if byte[0] == b'\n' && !line.is_empty() {
            break;
        }
        if byte[0] != b'\n' {
            line.push(byte[0]);
        }
    }
    // The line keeps its `\r`, as in redis-cli (strtoull and the mark copy ignore it).
    if line.first() == Some(&b'-') {
        return Err(format!(
            "SYNC with master failed: {}",
            String::from_utf8_lossy(&line)
        ));
    }
    let rest = line.get(1..).unwrap_or_default();
    if let Some(mark) = rest.strip_prefix(b"EOF:")
        && mark.len() >= EOF_MARK_SIZE
    {
        return Ok(Payload::EofMark(mark[..EOF_MARK_SIZE].to_vec()));
    }
    let digits: Vec<u8> = rest
        .iter()
        .copied()
        .take_while(u8::is_ascii_digit)
        .collect();
    Ok(Payload::Length(
        std::str::from_utf8(&digits)
            .ok()
            .and_then(|digits| digits.parse().ok())
            .unwrap_or(0),
    ))
}

/// Tracks the last [`EOF_MARK_SIZE`] bytes of a stream to spot the end mark of a diskless payload.
#[derive(Debug)]
pub struct MarkWatcher {
    mark: Vec<u8>,
    last: Vec<u8>,
}

impl MarkWatcher {
    /// Watches for `mark`.
    pub fn new(mark: Vec<u8>) -> MarkWatcher {
        MarkWatcher {
            last: vec![0; mark.len()],
            mark,
        }
    }

    /// Feeds the next chunk; true when the stream now ends with the mark.
    pub fn feed(&mut self, chunk: &[u8]) -> bool {
        let size = self.last.len();
        if chunk.len() >= size {
            self.last.copy_from_slice(&chunk[chunk.len() - size..]);
        } else {
            self.last.rotate_left(chunk.len());
            self.last[size - chunk.len()..].copy_from_slice(chunk);
        }
        self.last == self.mark
    }
}

/// C's `getInfoField` followed by `strtol`: the first occurrence of `field` anywhere in the text (a substring
/// match, as in redis-cli), the value after the separator up to `\r` or `,`; `None` when absent.
pub fn info_field(info: &[u8], field: &str) -> Option<i64> {
    let start = info
        .windows(field.len())
        .position(|window| window == field.as_bytes())?
        + field.len()
        + 1;
    let value = info.get(start..).unwrap_or_default();
    let end = value
        .iter()
        .position(|byte| *byte == b'\r' || *byte == b',')
        .unwrap_or(value.len());
    Some(crate::args::atoi(&value[..end]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mark_watcher_sees_the_mark_across_chunks() {
        let mark = b"0123456789012345678901234567890123456789".to_vec();
        let mut watcher = MarkWatcher::new(mark.clone());
        assert!(!watcher.feed(b"payload 0123456789"));
        assert!(!watcher.feed(b"0123456789"));
        assert!(watcher.feed(b"01234567890123456789"));
        let mut whole = MarkWatcher::new(mark.clone());
        assert!(whole.feed(&[b"xx".as_slice(), &mark].concat()));
    }

    #[test]
    fn info_fields_are_substring_matches() {
        let info = b"# Persistence\r\nrdb_bgsave_in_progress:1\r\ndb0:keys=3,expires=0\r\n";
        assert_eq!(info_field(info, "bgsave_in_progress"), Some(1));
        assert_eq!(info_field(info, "db0:keys"), Some(3));
        assert_eq!(info_field(info, "db1:keys"), None);
    }
}
