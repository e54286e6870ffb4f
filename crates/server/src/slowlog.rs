//! The slow log: commands that ran at least `slowlog-log-slower-than` microseconds (negative: off), newest
//! first, at most `slowlog-max-len` of them, each with Redis's truncations (32 arguments, 128 bytes each).

use std::collections::VecDeque;

use bytes::Bytes;
use resp::Frame;

/// Arguments kept per entry; the last one then says how many were left out.
const MAX_ARGS: usize = 32;
/// Bytes kept per argument.
const MAX_ARG_BYTES: usize = 128;

/// One slow command.
#[derive(Debug, Clone)]
struct Entry {
    id: u64,
    unix_seconds: i64,
    micros: u64,
    args: Vec<Bytes>,
    peer: String,
    name: String,
}

/// The slow log, in the `Core`.
#[derive(Debug)]
pub struct SlowLog {
    entries: VecDeque<Entry>,
    next_id: u64,
    /// `slowlog-log-slower-than`, microseconds; negative: off.
    threshold: i64,
    /// `slowlog-max-len`.
    max_len: usize,
}

impl Default for SlowLog {
    fn default() -> SlowLog {
        SlowLog {
            entries: VecDeque::new(),
            next_id: 0,
            threshold: 10_000,
            max_len: 128,
        }
    }
}

impl SlowLog {
    /// Takes the settings from `config` (`slowlog-log-slower-than`, `slowlog-max-len`).
    pub fn configure_from(&mut self, config: &crate::config::Config) {
        let number = |name: &str, default: i64| {
            config
                .other(name)
                .and_then(|value| value.parse::<i64>().ok())
                .unwrap_or(default)
        };
        self.configure(
            number("slowlog-log-slower-than", 10_000),
            usize::try_from(number("slowlog-max-len", 128)).unwrap_or(0),
        );
    }

    /// Takes the current settings (copied in once per batch of commands, so the hot path reads no
    /// config).
    pub fn configure(&mut self, threshold: i64, max_len: usize) {
        self.threshold = threshold;
        self.max_len = max_len;
        self.entries.truncate(max_len);
    }

    /// Takes the settings of another (empty) log.
    pub fn configure_like(&mut self, other: &SlowLog) {
        self.configure(other.threshold, other.max_len);
    }

    /// Whether a command that took `micros` belongs in the log.
    pub fn is_slow(&self, micros: u64) -> bool {
        self.threshold >= 0 && i128::from(micros) >= i128::from(self.threshold)
    }

    /// Records a command that took `micros` if it is slow enough.
    pub fn record(&mut self, micros: u64, argv: &[Bytes], peer: String, name: Option<&str>) {
        if !self.is_slow(micros) {
            return;
        }
        let kept = argv.len().min(MAX_ARGS);
        let args = (0..kept)
            .map(|index| {
                if kept != argv.len() && index == kept - 1 {
                    Bytes::from(format!("... ({} more arguments)", argv.len() - kept + 1))
                } else if argv[index].len() > MAX_ARG_BYTES {
                    let mut shortened = argv[index][..MAX_ARG_BYTES].to_vec();
                    shortened.extend_from_slice(
                        format!("... ({} more bytes)", argv[index].len() - MAX_ARG_BYTES)
                            .as_bytes(),
                    );
                    Bytes::from(shortened)
                } else {
                    argv[index].clone()
                }
            })
            .collect();
        let unix_seconds = crate::util::now_ms() / 1000;
        self.entries.push_front(Entry {
            id: self.next_id,
            unix_seconds,
            micros,
            args,
            peer,
            name: name.unwrap_or_default().to_owned(),
        });
        self.next_id += 1;
        self.entries.truncate(self.max_len);
    }

    /// `SLOWLOG GET [count]`: the newest `count` entries (all with `None`).
    pub fn get(&self, count: Option<usize>) -> Frame {
        let count = count.unwrap_or(self.entries.len());
        Frame::Array(
            self.entries
                .iter()
                .take(count)
                .map(|entry| {
                    Frame::Array(vec![
                        Frame::Integer(entry.id as i64),
                        Frame::Integer(entry.unix_seconds),
                        Frame::Integer(entry.micros as i64),
                        Frame::Array(entry.args.iter().cloned().map(Frame::Bulk).collect()),
                        Frame::Bulk(Bytes::from(entry.peer.clone())),
                        Frame::Bulk(Bytes::from(entry.name.clone())),
                    ])
                })
                .collect(),
        )
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Drops every entry (`SLOWLOG RESET`; ids keep counting).
    pub fn reset(&mut self) {
        self.entries.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threshold_length_and_truncation() {
        let mut log = SlowLog::default();
        let args =
            |n: usize| -> Vec<Bytes> { (0..n).map(|i| Bytes::from(i.to_string())).collect() };
        log.configure(-1, 10);
        log.record(1_000_000, &args(2), "a".into(), None);
        log.configure(100, 10);
        log.record(99, &args(2), "a".into(), None);
        assert!(log.is_empty());
        log.configure(100, 2);
        log.record(100, &args(40), "a".into(), Some("n"));
        log.configure(0, 2);
        log.record(0, &[Bytes::from(vec![b'x'; 130])], "b".into(), None);
        log.record(0, &args(1), "c".into(), None);
        assert_eq!(log.len(), 2);
        let Frame::Array(entries) = log.get(None) else {
            panic!()
        };
        let Frame::Array(newest) = &entries[0] else {
            panic!()
        };
        assert_eq!(newest[0], Frame::Integer(2));
        let Frame::Array(second) = &entries[1] else {
            panic!()
        };
        let Frame::Array(second_args) = &second[3] else {
            panic!()
        };
        let Frame::Bulk(long) = &second_args[0] else {
            panic!()
        };
        assert!(long.ends_with(b"x... (2 more bytes)"));
        log.reset();
        assert!(log.is_empty());
        let mut log = SlowLog::default();
        log.configure(0, 10);
        log.record(5, &args(40), "a".into(), None);
        let Frame::Array(entries) = log.get(Some(1)) else {
            panic!()
        };
        let Frame::Array(entry) = &entries[0] else {
            panic!()
        };
        let Frame::Array(kept) = &entry[3] else {
            panic!()
        };
        assert_eq!(kept.len(), 32);
        assert_eq!(kept[31], Frame::Bulk(Bytes::from("... (9 more arguments)")));
    }
}
