//! Running ops on one server ([`Target`]) and comparing what two servers answered to the same op.
//!
//! An op is run on each server in turn, over that server's own pair of connections; what comes back is an
//! [`Outcome`]: the reply with its exact bytes, plus whatever the op's [`Check`] needs (the `SCARD` before a
//! guarded `SPOP`, the candidates after a random pick, the union of a whole SCAN iteration).

use std::collections::BTreeSet;

use resp::Frame;

use super::compare::{check_sample, encode, escape, normalize, show_command};
use super::generate::{Args, Check, Op};
use crate::client::Client;

/// Most calls one SCAN iteration may take before it is reported as not terminating.
const MAX_SCAN_CALLS: usize = 100_000;

/// One server and its two connections (the second opens on first use).
pub(super) struct Target {
    port: u16,
    clients: [Option<Client>; 2],
}

/// What one server answered to one op.
#[derive(Debug)]
pub(super) struct Outcome {
    /// The command actually sent (a guarded `SPOP` may have become `SPOP key <card>`).
    pub(super) sent: Args,
    /// The reply (the first page for a SCAN).
    pub(super) reply: Frame,
    /// The reply's exact bytes.
    pub(super) bytes: Vec<u8>,
    /// The guard's reply (`SCARD` before `SPOP key`).
    pub(super) guard: Option<(Frame, Vec<u8>)>,
    /// The candidates read after a random pick.
    pub(super) candidates: Option<Frame>,
    /// Everything a SCAN iteration returned, as 1-element (keys, members) or 2-element (field/value,
    /// member/score) groups; `None` when the first call failed.
    pub(super) scanned: Option<BTreeSet<Vec<Vec<u8>>>>,
}

impl Target {
    /// A server on `127.0.0.1:port`; nothing connects yet.
    pub(super) fn new(port: u16) -> Target {
        Target {
            port,
            clients: [None, None],
        }
    }

    /// Sends `args` on `connection` and reads the reply with its bytes.
    fn request(&mut self, connection: usize, args: &[Vec<u8>]) -> Result<(Frame, Vec<u8>), String> {
        let port = self.port;
        let client = match &mut self.clients[connection] {
            Some(client) => client,
            slot => slot.insert(
                Client::connect(port)
                    .map_err(|error| format!("connect to 127.0.0.1:{port}: {error}"))?,
            ),
        };
        client
            .send(args)
            .and_then(|()| client.read_reply_with_bytes())
            .map_err(|error| format!("{} on 127.0.0.1:{port}: {error}", show_command(args)))
    }

    /// Runs `op`, with whatever extra requests its check needs.
    pub(super) fn run(&mut self, op: &Op) -> Result<Outcome, String> {
        let mut sent = op.args.clone();
        let mut guard = None;
        if op.check == Check::SpopOne {
            let cardinality =
                self.request(op.connection, &[b"SCARD".to_vec(), op.args[1].clone()])?;
            if let Frame::Integer(card) = cardinality.0
                && card > 1
            {
                sent.push(card.to_string().into_bytes());
            }
            guard = Some(cardinality);
        }
        let (reply, bytes) = self.request(op.connection, &sent)?;
        let mut outcome = Outcome {
            sent,
            reply,
            bytes,
            guard,
            candidates: None,
            scanned: None,
        };
        match &op.check {
            Check::Sample { source, .. } if !matches!(outcome.reply, Frame::Error(_)) => {
                outcome.candidates = Some(self.request(op.connection, source)?.0);
            }
            Check::ScanAll { cursor_at, pairs } => {
                outcome.scanned = self.scan_rest(op, *cursor_at, *pairs, &outcome.reply)?;
            }
            _ => {}
        }
        Ok(outcome)
    }

    /// Continues the SCAN whose first page is `first` to the end; `None` if `first` is not a SCAN page.
    fn scan_rest(
        &mut self,
        op: &Op,
        cursor_at: usize,
        pairs: bool,
        first: &Frame,
    ) -> Result<Option<BTreeSet<Vec<Vec<u8>>>>, String> {
        let mut seen = BTreeSet::new();
        let mut page = first.clone();
        for _ in 0..MAX_SCAN_CALLS {
            let Some((cursor, elements)) = scan_page(&page) else {
                return Ok(None);
            };
            let group = if pairs { 2 } else { 1 };
            seen.extend(elements.chunks(group).map(<[Vec<u8>]>::to_vec));
            if cursor == b"0" {
                return Ok(Some(seen));
            }
            let mut args = op.args.clone();
            args[cursor_at] = cursor;
            page = self.request(op.connection, &args)?.0;
        }
        Err(format!(
            "{} did not finish within {MAX_SCAN_CALLS} calls",
            show_command(&op.args)
        ))
    }
}

/// Compares two servers' outcomes for `op`; the error describes the difference with both sides escaped.
pub(super) fn compare(op: &Op, names: [&str; 2], outcomes: [&Outcome; 2]) -> Result<(), String> {
    let [left, right] = outcomes;
    let both = |what: &str, left_bytes: &[u8], right_bytes: &[u8]| {
        format!(
            "{what}\n    {:<7} {}\n    {:<7} {}",
            format!("{}:", names[0]),
            escape(left_bytes),
            format!("{}:", names[1]),
            escape(right_bytes)
        )
    };
    if let (Some(left_guard), Some(right_guard)) = (&left.guard, &right.guard)
        && left_guard.1 != right_guard.1
    {
        return Err(both(
            "SCARD before SPOP differs:",
            &left_guard.1,
            &right_guard.1,
        ));
    }
    match &op.check {
        Check::ScanAll { .. } => match (&left.scanned, &right.scanned) {
            (Some(left_seen), Some(right_seen)) if left_seen == right_seen => Ok(()),
            (Some(left_seen), Some(right_seen)) => Err(both(
                "iterated to the end, the unions differ:",
                &encode_groups(left_seen),
                &encode_groups(right_seen),
            )),
            _ if left.bytes == right.bytes => Ok(()),
            _ => Err(both("first page:", &left.bytes, &right.bytes)),
        },
        Check::Exact => {
            if left.bytes == right.bytes {
                Ok(())
            } else {
                Err(both("byte for byte:", &left.bytes, &right.bytes))
            }
        }
        check => {
            let check = match check {
                // A rewritten SPOP pops everything, in hash-table order.
                Check::SpopOne if left.sent.len() > 2 => &Check::Unordered,
                Check::SpopOne => &Check::Exact,
                check => check,
            };
            let (left_normal, right_normal) = (
                normalize(check, &left.reply),
                normalize(check, &right.reply),
            );
            if left_normal != right_normal {
                return Err(both(
                    &format!("compared as {}:", check_name(check)),
                    &left.bytes,
                    &right.bytes,
                ));
            }
            if let Check::Sample {
                pairs, distinct, ..
            } = check
            {
                for (name, outcome) in names.iter().zip(outcomes) {
                    if let Some(candidates) = &outcome.candidates
                        && let Err(problem) =
                            check_sample(&outcome.reply, candidates, *pairs, *distinct)
                    {
                        return Err(both(
                            &format!("random pick of {name}: {problem}"),
                            &left.bytes,
                            &right.bytes,
                        ));
                    }
                }
            }
            Ok(())
        }
    }
}

/// How a check compares, for messages.
fn check_name(check: &Check) -> &'static str {
    match check {
        Check::Exact | Check::SpopOne => "bytes",
        Check::Unordered => "a multiset",
        Check::UnorderedPairs => "a multiset of pairs",
        Check::TtlClass => "TTL classes (-2, -1, >= 0)",
        Check::Shape => "shapes (random picks)",
        Check::Sample { .. } => "random picks",
        Check::ScanAll { .. } => "scan unions",
        Check::PendingIdle => "pending entries (idle times masked)",
        Check::StreamTimes => "stream info (clock times masked)",
        Check::Exec(_) => "EXEC results, element by element",
    }
}

/// A SCAN page as (cursor, elements); `None` for anything else (an error).
fn scan_page(page: &Frame) -> Option<(Vec<u8>, Vec<Vec<u8>>)> {
    let Frame::Array(parts) = page else {
        return None;
    };
    let [Frame::Bulk(cursor), Frame::Array(elements)] = parts.as_slice() else {
        return None;
    };
    let elements = elements
        .iter()
        .map(|element| match element {
            Frame::Bulk(bytes) => bytes.to_vec(),
            other => encode(other),
        })
        .collect();
    Some((cursor.to_vec(), elements))
}

/// A scan union as one RESP array (for messages).
fn encode_groups(groups: &BTreeSet<Vec<Vec<u8>>>) -> Vec<u8> {
    let items = groups
        .iter()
        .flatten()
        .map(|bytes| Frame::Bulk(bytes.clone().into()))
        .collect();
    encode(&Frame::Array(items))
}
