//! `MONITOR`: every command the server runs, as one line per command, posted to each monitoring client's
//! [`Mailbox`] (like Pub/Sub messages, so a slow monitor never holds the core lock or blocks the command).
//!
//! A line reads `<unix seconds>.<microseconds> [<db> <peer>] "arg" "arg" ...`, each argument quoted and escaped
//! the way Redis prints strings (`\n`, `\"`, `\xff`, ...). Administrative commands are never shown, and
//! passwords (`AUTH`, `HELLO ... AUTH`) are replaced by `(redacted)`, as Redis 7.0 does.

use std::sync::Arc;

use bytes::Bytes;
use resp::Frame;

use crate::pubsub::Mailbox;

/// The text Redis shows instead of a password.
const REDACTED: &[u8] = b"(redacted)";

/// The clients in `MONITOR` mode, in the order they started monitoring.
#[derive(Debug, Default)]
pub struct Monitors {
    clients: Vec<(u64, Arc<Mailbox>)>,
}

impl Monitors {
    /// Adds client `id`; false if it was monitoring already.
    pub fn add(&mut self, id: u64, mailbox: &Arc<Mailbox>) -> bool {
        if self.clients.iter().any(|(client, _)| *client == id) {
            return false;
        }
        self.clients.push((id, Arc::clone(mailbox)));
        true
    }

    /// Removes client `id` (it disconnected or ran `RESET`).
    pub fn remove(&mut self, id: u64) {
        self.clients.retain(|(client, _)| *client != id);
    }

    /// Whether nobody monitors: the common case, checked before any line is formatted.
    pub fn is_empty(&self) -> bool {
        self.clients.is_empty()
    }

    /// Posts `line` to every monitor; `limit` is the hard output limit of normal clients (0: none).
    pub fn feed(&self, line: Bytes, limit: usize) {
        // `+`, the line and CRLF on the wire.
        let size = line.len() + 3;
        let frame = Frame::Simple(line);
        for (_, mailbox) in &self.clients {
            mailbox.post(frame.clone(), size, limit);
        }
    }
}

/// Formats one monitor line. `unix_micros` is the wall-clock time; `origin` is the peer (`127.0.0.1:5000`
/// or `unix:/path`).
pub fn line(unix_micros: u64, db: usize, origin: &str, argv: &[Bytes]) -> Bytes {
    let mut out = format!(
        "{}.{:06} [{db} {origin}] ",
        unix_micros / 1_000_000,
        unix_micros % 1_000_000
    )
    .into_bytes();
    let redacted = redacted_positions(argv);
    for (index, arg) in argv.iter().enumerate() {
        if index > 0 {
            out.push(b' ');
        }
        let shown: &[u8] = if redacted.contains(&index) {
            REDACTED
        } else {
            arg
        };
        quote(shown, &mut out);
    }
    Bytes::from(out)
}

/// Argument positions holding credentials.
fn redacted_positions(argv: &[Bytes]) -> Vec<usize> {
    let Some(name) = argv.first() else {
        return Vec::new();
    };
    if name.eq_ignore_ascii_case(b"auth") {
        // A malformed AUTH (too many arguments) is refused before Redis redacts anything.
        return if argv.len() <= 3 {
            (1..argv.len()).collect()
        } else {
            Vec::new()
        };
    }
    if name.eq_ignore_ascii_case(b"hello") {
        // `HELLO [protover [AUTH username password] [SETNAME name]]`: Redis hides both username and password.
        let mut positions = Vec::new();
        let mut index = 2;
        while index < argv.len() {
            if argv[index].eq_ignore_ascii_case(b"auth") && index + 2 < argv.len() {
                positions.extend([index + 1, index + 2]);
                index += 3;
            } else {
                index += 1;
            }
        }
        return positions;
    }
    Vec::new()
}

/// Appends `bytes` in double quotes, escaped as Redis's `sdscatrepr` prints them.
fn quote(bytes: &[u8], out: &mut Vec<u8>) {
    out.push(b'"');
    for &byte in bytes {
        match byte {
            b'\\' | b'"' => out.extend_from_slice(&[b'\\', byte]),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0x07 => out.extend_from_slice(b"\\a"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x20..=0x7e => out.push(byte),
            _ => out.extend_from_slice(format!("\\x{byte:02x}").as_bytes()),
        }
    }
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&[u8]]) -> Vec<Bytes> {
        list.iter().map(|arg| Bytes::copy_from_slice(arg)).collect()
    }

    #[test]
    fn a_line_has_time_db_peer_and_quoted_arguments() {
        let line = line(
            1_700_000_000_000_042,
            3,
            "127.0.0.1:5000",
            &args(&[b"set", b"k", b"v w"]),
        );
        assert_eq!(
            &line[..],
            b"1700000000.000042 [3 127.0.0.1:5000] \"set\" \"k\" \"v w\""
        );
    }

    #[test]
    fn arguments_are_escaped_like_redis() {
        let line = line(
            0,
            0,
            "unix:/tmp/s",
            &args(&[b"set", b"a\"b\\c", b"\n\r\t\x07\x08\x00\xff"]),
        );
        assert_eq!(
            &line[..],
            &b"0.000000 [0 unix:/tmp/s] \"set\" \"a\\\"b\\\\c\" \"\\n\\r\\t\\a\\b\\x00\\xff\""[..]
        );
    }

    #[test]
    fn passwords_are_redacted() {
        let auth = line(0, 0, "p", &args(&[b"AUTH", b"user", b"secret"]));
        assert!(auth.ends_with(b"\"AUTH\" \"(redacted)\" \"(redacted)\""));
        let hello = line(
            0,
            0,
            "p",
            &args(&[b"hello", b"3", b"auth", b"default", b"pw", b"setname", b"x"]),
        );
        assert!(hello.ends_with(
            b"\"hello\" \"3\" \"auth\" \"(redacted)\" \"(redacted)\" \"setname\" \"x\""
        ));
    }
}
