//! Helpers shared by the scenarios: the server under test, redis-cli style reply printing, CRLF checks.

use std::path::PathBuf;

use resp::Frame;
use testkit::{Node, NodeConfig};

/// The server binary a scenario runs against.
pub struct Subject {
    binary: PathBuf,
}

impl Subject {
    /// The `rserver` built for this test run.
    pub fn rserver() -> Subject {
        Subject {
            binary: PathBuf::from(env!("CARGO_BIN_EXE_rserver")),
        }
    }

    /// The real `redis-server` at `binary`.
    pub fn redis(binary: PathBuf) -> Subject {
        Subject { binary }
    }

    /// The binary's path.
    pub fn binary(&self) -> &std::path::Path {
        &self.binary
    }

    /// Starts a node of this binary with `config`.
    pub fn start(&self, config: NodeConfig) -> Node {
        Node::start(&self.binary, config)
    }
}

/// Generates, for each scenario function `name(&Subject)`, a module `name` with two tests: `rserver` and
/// `redis` (the latter skipped loudly without Redis installed).
macro_rules! on_both_servers {
    ($($scenario:ident),* $(,)?) => {
        $(
            mod $scenario {
                #[test]
                fn rserver() {
                    super::$scenario(&$crate::support::Subject::rserver());
                }

                #[test]
                fn redis() {
                    let redis_server = testkit::require_redis!();
                    super::$scenario(&$crate::support::Subject::redis(redis_server));
                }
            }
        )*
    };
}
pub(crate) use on_both_servers;

/// Waits until `INFO clients` shows exactly `count` blocked clients (a blocking command sent on another
/// connection has reached the server and blocked).
#[track_caller]
pub fn wait_blocked_clients(node: &Node, count: usize) {
    let wanted = format!("blocked_clients:{count}\r\n");
    testkit::wait_until(
        testkit::DEFAULT_DEADLINE,
        &format!("{count} blocked client(s)"),
        || match node.cmd(&["INFO", "clients"]) {
            Frame::Bulk(info) if String::from_utf8_lossy(&info).contains(&wanted) => Ok(()),
            other => Err(format!("{other:?}")),
        },
    );
}

/// `GET key` as a string; `None` for a nil reply. Panics on any other reply.
pub fn get(node: &Node, key: &str) -> Option<String> {
    match node.cmd(&["GET", key]) {
        Frame::Bulk(value) => Some(String::from_utf8_lossy(&value).into_owned()),
        Frame::Null => None,
        other => panic!("GET {key} on 127.0.0.1:{} answered {other:?}", node.port()),
    }
}

/// `SET key value`, asserting `+OK`.
pub fn set(node: &Node, key: &str, value: &str) {
    assert_eq!(
        node.cmd(&["SET", key, value]),
        Frame::ok(),
        "SET {key} {value} on 127.0.0.1:{}",
        node.port()
    );
}

/// `DBSIZE`.
pub fn dbsize(node: &Node) -> i64 {
    match node.cmd(&["DBSIZE"]) {
        Frame::Integer(size) => size,
        other => panic!("DBSIZE on 127.0.0.1:{} answered {other:?}", node.port()),
    }
}

/// `KEYS *`, sorted.
pub fn sorted_keys(node: &Node) -> Vec<String> {
    let Frame::Array(keys) = node.cmd(&["KEYS", "*"]) else {
        panic!(
            "KEYS * on 127.0.0.1:{} did not answer an array",
            node.port()
        );
    };
    let mut keys: Vec<String> = keys
        .iter()
        .map(|key| {
            String::from_utf8_lossy(key.as_bytes().expect("KEYS returns bulk strings")).into_owned()
        })
        .collect();
    keys.sort();
    keys
}

/// A field of `INFO replication`, which must be present.
pub fn replication_field(node: &Node, field: &str) -> String {
    node.info_field("replication", field).unwrap_or_else(|| {
        panic!(
            "no {field} in INFO replication of 127.0.0.1:{}",
            node.port()
        )
    })
}

/// Asserts the INFO text is framed as Redis frames it: every line ends in `\r\n` (snapshots cannot see a
/// missing `\r`, insta normalises line endings).
pub fn assert_crlf_lines(info: &str) {
    assert!(
        info.ends_with("\r\n"),
        "INFO text does not end in CRLF: {info:?}"
    );
    for line in info.split_inclusive('\n') {
        assert!(
            line.ends_with("\r\n"),
            "INFO line not terminated by CRLF: {line:?} in {info:?}"
        );
    }
}

/// Prints a reply the way redis-cli does on a terminal (simple version: the types ROLE and INFO use).
pub fn format_like_redis_cli(frame: &Frame) -> String {
    format_tty(frame, "")
}

fn format_tty(frame: &Frame, prefix: &str) -> String {
    match frame {
        Frame::Simple(text) => format!("{}\n", String::from_utf8_lossy(text)),
        Frame::Error(text) => format!("(error) {}\n", String::from_utf8_lossy(text)),
        Frame::Integer(value) => format!("(integer) {value}\n"),
        Frame::Bulk(data) => format!("{}\n", quoted(data)),
        Frame::Null | Frame::NullArray => "(nil)\n".to_string(),
        Frame::Array(items) if items.is_empty() => "(empty array)\n".to_string(),
        Frame::Array(items) => {
            // redis-cli's cliFormatReplyTTY: indices right-aligned to the widest one, nested entries indented
            // by that width plus two; the first entry follows its parent's index on the same line.
            let width = items.len().to_string().len();
            let nested_prefix = format!("{prefix}{}", " ".repeat(width + 2));
            let mut out = String::new();
            for (index, item) in items.iter().enumerate() {
                let line_prefix = if index == 0 { "" } else { prefix };
                out.push_str(&format!("{line_prefix}{:>width$}) ", index + 1));
                out.push_str(&format_tty(item, &nested_prefix));
            }
            out
        }
        other => panic!("format_like_redis_cli: {other:?} not needed by these tests"),
    }
}

/// A bulk string as redis-cli quotes it (`sdscatrepr`).
fn quoted(data: &[u8]) -> String {
    let mut out = String::from("\"");
    for &byte in data {
        match byte {
            b'\\' => out.push_str("\\\\"),
            b'"' => out.push_str("\\\""),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            0x07 => out.push_str("\\a"),
            0x08 => out.push_str("\\b"),
            0x20..=0x7e => out.push(byte as char),
            _ => out.push_str(&format!("\\x{byte:02x}")),
        }
    }
    out.push('"');
    out
}

#[test]
fn formats_role_like_redis_cli() {
    let replica = |port: &str, offset: &str| {
        Frame::command([
            "127.0.0.1".to_string(),
            port.to_string(),
            offset.to_string(),
        ])
    };
    let master = Frame::Array(vec![
        Frame::bulk("master"),
        Frame::Integer(162),
        Frame::Array(vec![replica("7041", "148"), replica("7043", "162")]),
    ]);
    // The rendering shown in the reference (replication.md §9), byte for byte.
    assert_eq!(
        format_like_redis_cli(&master),
        "1) \"master\"\n2) (integer) 162\n3) 1) 1) \"127.0.0.1\"\n      2) \"7041\"\n      3) \"148\"\n   \
         2) 1) \"127.0.0.1\"\n      2) \"7043\"\n      3) \"162\"\n"
    );
    let fresh = Frame::Array(vec![
        Frame::bulk("master"),
        Frame::Integer(0),
        Frame::Array(vec![]),
    ]);
    assert_eq!(
        format_like_redis_cli(&fresh),
        "1) \"master\"\n2) (integer) 0\n3) (empty array)\n"
    );
}

/// Sends signal `name` (`STOP`, `CONT`, ...) to a process.
pub fn signal(pid: u32, name: &str) {
    let status = std::process::Command::new("kill")
        .arg(format!("-{name}"))
        .arg(pid.to_string())
        .status()
        .expect("run kill");
    assert!(status.success(), "kill -{name} {pid}");
}
