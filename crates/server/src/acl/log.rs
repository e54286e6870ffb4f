//! The ACL log (`ACL LOG`): recent denied commands and failed authentications, newest first, with similar
//! events within a minute folded into one entry with a count, as Redis does.

use std::collections::VecDeque;

use bytes::Bytes;
use resp::Frame;

/// Why an entry was logged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogReason {
    /// A command or subcommand the user may not run.
    Command,
    /// A key the user may not touch.
    Key,
    /// A channel the user may not use.
    Channel,
    /// A failed `AUTH`/`HELLO ... AUTH`.
    Auth,
}

impl LogReason {
    fn name(self) -> &'static str {
        match self {
            LogReason::Command => "command",
            LogReason::Key => "key",
            LogReason::Channel => "channel",
            LogReason::Auth => "auth",
        }
    }
}

/// Where the denied command came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    /// Sent by the client.
    Toplevel,
    /// Queued in, or run by, `MULTI`/`EXEC`.
    Multi,
    /// Called by a script.
    Lua,
}

impl Context {
    fn name(self) -> &'static str {
        match self {
            Context::Toplevel => "toplevel",
            Context::Multi => "multi",
            Context::Lua => "lua",
        }
    }
}

/// One event.
#[derive(Debug, Clone)]
pub struct LogEntry {
    /// Why.
    pub reason: LogReason,
    /// From where.
    pub context: Context,
    /// The command's full name, the key, the channel, or for a failed login the command used (`AUTH`).
    pub object: Bytes,
    /// The user denied (for a failed login, the name tried).
    pub username: Bytes,
    /// Unix milliseconds of the event.
    pub time_ms: i64,
    /// The client, as a `CLIENT LIST` line.
    pub client_info: Bytes,
}

/// Events closer than this fold into one entry.
const GROUPING_MS: i64 = 60_000;
/// How many recent entries are searched for one to fold into.
const GROUPING_SCAN: usize = 10;

/// The log, newest first.
#[derive(Debug, Default)]
pub struct AclLog {
    entries: VecDeque<(u64, LogEntry)>,
}

impl AclLog {
    /// Records an event: folded into a similar recent entry (which moves to the front), else added, and the
    /// log trimmed to `max_len` entries.
    pub fn add(&mut self, entry: LogEntry, max_len: usize) {
        let similar = self
            .entries
            .iter()
            .take(GROUPING_SCAN)
            .position(|(_, known)| {
                known.reason == entry.reason
                    && known.context == entry.context
                    && (known.time_ms - entry.time_ms).abs() <= GROUPING_MS
                    && known.object == entry.object
                    && known.username == entry.username
            });
        if let Some(index) = similar {
            let (count, mut known) = self.entries.remove(index).expect("found above");
            known.client_info = entry.client_info;
            known.time_ms = entry.time_ms;
            self.entries.push_front((count + 1, known));
            return;
        }
        self.entries.push_front((1, entry));
        self.entries.truncate(max_len);
    }

    /// `ACL LOG RESET`.
    pub fn reset(&mut self) {
        self.entries.clear();
    }

    /// `ACL LOG [count]`: up to `count` entries, newest first.
    pub fn reply(&self, count: usize, now_ms: i64) -> Frame {
        let field = |name: &'static str, value: Frame| (Frame::bulk(name), value);
        Frame::Array(
            self.entries
                .iter()
                .take(count)
                .map(|(count, entry)| {
                    Frame::Map(vec![
                        field("count", Frame::Integer(*count as i64)),
                        field("reason", Frame::bulk(entry.reason.name())),
                        field("context", Frame::bulk(entry.context.name())),
                        field("object", Frame::Bulk(entry.object.clone())),
                        field("username", Frame::Bulk(entry.username.clone())),
                        field(
                            "age-seconds",
                            Frame::Double((now_ms - entry.time_ms) as f64 / 1000.0),
                        ),
                        field("client-info", Frame::Bulk(entry.client_info.clone())),
                    ])
                })
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(object: &'static str, time_ms: i64) -> LogEntry {
        LogEntry {
            reason: LogReason::Command,
            context: Context::Toplevel,
            object: Bytes::from_static(object.as_bytes()),
            username: Bytes::from_static(b"u"),
            time_ms,
            client_info: Bytes::from_static(b"id=1"),
        }
    }

    #[test]
    fn similar_events_fold_and_the_log_is_bounded() {
        let mut log = AclLog::default();
        log.add(entry("get", 0), 5);
        log.add(entry("set", 1), 5);
        log.add(entry("get", 2), 5);
        assert_eq!(log.entries.len(), 2);
        assert_eq!(log.entries[0].0, 2);
        assert_eq!(log.entries[0].1.object, "get");
        // Past a minute, the same event is a new entry.
        log.add(entry("get", 70_000), 5);
        assert_eq!(log.entries.len(), 3);
        for index in 0..10 {
            log.add(entry("x", index * 100_000), 5);
        }
        assert_eq!(log.entries.len(), 5);
        log.reset();
        assert!(log.entries.is_empty());
    }
}
