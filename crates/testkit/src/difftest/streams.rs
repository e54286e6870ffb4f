//! Generated stream commands on `x:` keys (or, sometimes, keys of other types): appends, ranges, trims,
//! consumer groups and their pending lists; sessions of a few commands through one group (so reads, claims
//! and acknowledgements meet entries that are pending); and a rare run of XADDs that fills more than one
//! stream node.
//!
//! Replies must not depend on the clock, so:
//! - every XADD names its ID (`<ms>-<seq>`, `<ms>-*` or `<ms>`), never `*`; the milliseconds come from one
//!   counter that only grows ([`Generator::fresh_stream_id`]), so most appends succeed, and the other IDs are
//!   drawn a little behind it, where entries, pending entries and group positions are;
//! - no XREAD or XREADGROUP blocks;
//! - a minimum idle time (XCLAIM, XAUTOCLAIM, XPENDING IDLE) is 0 or [`MIN_IDLE`], and a delivery time set by
//!   XCLAIM is either now (`IDLE 0`, a `TIME` in the future, which Redis takes as now) or hours in the past,
//!   so which entries qualify never depends on how long a run takes;
//! - the replies that carry idle or delivery times are compared with those integers masked
//!   ([`Check::PendingIdle`], [`Check::StreamTimes`]).

use super::generate::{Args, Check, Family, Generator, Op, argv};

/// The stream keys most commands use (`x:0` to `x:2`): fewer than other types get, so streams grow long
/// and their groups live long enough to be read, claimed and acknowledged.
const STREAM_KEYS: u64 = 3;

/// Consumer groups: two common ones, so groups are created once and then read, moved and destroyed, and a
/// rare third.
const GROUPS: &[&str] = &["g1", "g2", "g1", "g2", "g3"];

/// How many of the IDs fresh XADDs used (on any key) [`Generator::recent_id`] draws from.
const RECENT_IDS: usize = 64;

/// Consumers: few, so claims move entries between consumers that exist.
const CONSUMERS: &[&str] = &["c1", "c2", "c3"];

/// A minimum idle time no entry delivered during a run reaches (a run never lasts an hour), but every entry
/// XCLAIM dated [`PAST_IDLE`] or more in the past does.
const MIN_IDLE: &str = "3600000";

/// An `IDLE` for XCLAIM: two hours, past [`MIN_IDLE`] by an hour of margin.
const PAST_IDLE: &str = "7200000";

/// Spellings of IDs that are not valid IDs, or are valid in a way a parser may miss (Redis parses the parts
/// with `string2ull`, which falls back on `strtoull`: leading blanks and `+` pass; 128 bytes and more fail).
/// Never `*`: as an XADD ID it takes the clock.
const ODD_IDS: &[&str] = &[
    "abc",
    "1-",
    "-1",
    "1-2-3",
    "",
    "1-x",
    "18446744073709551616",
    "1.5",
    " 1",
    "+1",
    "1-+2",
    "1- 2",
    "0x10",
    "1-18446744073709551616",
    "-",
    "+",
    "$",
    ">",
];

/// The kinds of stream command the generator makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StreamCmd {
    Add,
    Range,
    RevRange,
    Len,
    Del,
    Trim,
    SetId,
    Read,
    Group,
    ReadGroup,
    Ack,
    PendingSummary,
    PendingRange,
    Claim,
    AutoClaim,
    InfoStream,
    InfoGroups,
    InfoConsumers,
    Misuse,
}

/// How often each kind comes as a command of its own.
const WEIGHTS: &[(StreamCmd, u64)] = &[
    (StreamCmd::Add, 15),
    (StreamCmd::Range, 2),
    (StreamCmd::RevRange, 1),
    (StreamCmd::Len, 1),
    (StreamCmd::Del, 2),
    (StreamCmd::Trim, 2),
    (StreamCmd::SetId, 1),
    (StreamCmd::Read, 2),
    (StreamCmd::Group, 5),
    (StreamCmd::ReadGroup, 4),
    (StreamCmd::Ack, 2),
    (StreamCmd::PendingSummary, 1),
    (StreamCmd::PendingRange, 1),
    (StreamCmd::Claim, 2),
    (StreamCmd::AutoClaim, 2),
    (StreamCmd::InfoStream, 1),
    (StreamCmd::InfoGroups, 1),
    (StreamCmd::InfoConsumers, 1),
    (StreamCmd::Misuse, 1),
];

/// How often each kind comes inside a [`Generator::stream_session`]: mostly what goes through the group.
const SESSION_WEIGHTS: &[(StreamCmd, u64)] = &[
    (StreamCmd::Add, 6),
    (StreamCmd::ReadGroup, 6),
    (StreamCmd::Ack, 3),
    (StreamCmd::Claim, 3),
    (StreamCmd::AutoClaim, 2),
    (StreamCmd::PendingSummary, 1),
    (StreamCmd::PendingRange, 2),
    (StreamCmd::InfoGroups, 1),
    (StreamCmd::InfoConsumers, 1),
    (StreamCmd::InfoStream, 1),
    (StreamCmd::Group, 1),
    (StreamCmd::Del, 1),
    (StreamCmd::Trim, 1),
    (StreamCmd::Range, 1),
];

impl Generator {
    /// A stream command on an `x:` key (or a key of another type).
    pub(super) fn stream_command(&mut self) -> (Args, Check) {
        let key = self.stream_key();
        let group = self.group();
        let kind = self.pick_weighted(WEIGHTS);
        self.stream_command_of(kind, key, group)
    }

    /// A block of stream commands on one common key and one group: sometimes `DEL` first (a key another
    /// type took over, or a stream that reached the last possible ID, gets a fresh start), usually
    /// `XGROUP CREATE ... MKSTREAM`, a few XADDs and an `XREADGROUP ... >`, then 2 to 6 commands that mostly
    /// read, acknowledge and claim through the group; so group commands meet a group that exists and the
    /// entries it just delivered, whose IDs [`Generator::recent_id`] favours (which independent commands,
    /// spread over keys, databases and groups, seldom do).
    pub(super) fn stream_session(&mut self) -> Vec<Op> {
        let key = format!("x:{}", self.rng.range(0, STREAM_KEYS)).into_bytes();
        let group = self.group();
        let op = |(args, check): (Args, Check)| Op {
            family: Family::Stream,
            connection: 0,
            args,
            check,
        };
        let mut ops = Vec::new();
        let fresh = self.rng.chance(12);
        if fresh {
            ops.push(op((argv!["DEL", &key], Check::Exact)));
        }
        if fresh || self.rng.chance(70) {
            // Mostly `$`: the group then delivers what the session adds, whose IDs the session knows.
            let position = match self.rng.range(0, 10) {
                0..=4 => "$".to_owned(),
                5..=7 => "0".to_owned(),
                _ => self.recent_id(&key),
            };
            let args = argv!["XGROUP", "CREATE", &key, group, position, "MKSTREAM"];
            ops.push(op((args, Check::Exact)));
        }
        for _ in 0..self.rng.range(0, 4) {
            let field = self.member();
            let args = argv![
                "XADD",
                &key,
                self.fresh_stream_id(&key),
                field,
                self.value()
            ];
            ops.push(op((args, Check::Exact)));
        }
        if self.rng.chance(80) {
            let mut args = argv!["XREADGROUP", "GROUP", group, self.consumer()];
            if self.rng.chance(30) {
                args.extend(argv!["COUNT", self.int(1, 3)]);
            }
            args.extend(argv!["STREAMS", &key, ">"]);
            ops.push(op((args, Check::Exact)));
        }
        for _ in 0..self.rng.range(2, 7) {
            let kind = self.pick_weighted(SESSION_WEIGHTS);
            ops.push(op(self.stream_command_of(kind, key.clone(), group)));
        }
        ops
    }

    /// One command of `kind` on `key` (and `group`, for the group commands).
    fn stream_command_of(
        &mut self,
        kind: StreamCmd,
        key: Vec<u8>,
        group: &'static str,
    ) -> (Args, Check) {
        let exact = |args: Args| (args, Check::Exact);
        match kind {
            StreamCmd::Add => exact(self.xadd(key)),
            StreamCmd::Range => {
                let mut args = argv![
                    "XRANGE",
                    &key,
                    self.range_bound(&key, true),
                    self.range_bound(&key, false)
                ];
                self.maybe_count(&mut args);
                exact(args)
            }
            StreamCmd::RevRange => {
                let mut args = argv![
                    "XREVRANGE",
                    &key,
                    self.range_bound(&key, false),
                    self.range_bound(&key, true)
                ];
                self.maybe_count(&mut args);
                exact(args)
            }
            StreamCmd::Len => exact(argv!["XLEN", &key]),
            StreamCmd::Del => {
                let mut args = argv!["XDEL", &key];
                for _ in 0..self.rng.range(1, 4) {
                    args.push(self.recent_id(&key).into_bytes());
                }
                exact(args)
            }
            StreamCmd::Trim => {
                let mut args = argv!["XTRIM", &key];
                if self.rng.chance(95) {
                    args.extend(self.trim_options(&key));
                } else if self.rng.chance(50) {
                    args.extend(argv!["LIMIT", "10"]);
                }
                exact(args)
            }
            StreamCmd::SetId => exact(self.xsetid(key)),
            StreamCmd::Read => exact(self.xread(key)),
            StreamCmd::Group => exact(self.xgroup(key, group)),
            StreamCmd::ReadGroup => exact(self.xreadgroup(key, group)),
            StreamCmd::Ack => {
                let mut args = argv!["XACK", &key, group];
                for _ in 0..self.rng.range(1, 4) {
                    args.push(self.recent_id(&key).into_bytes());
                }
                exact(args)
            }
            StreamCmd::PendingSummary => exact(argv!["XPENDING", &key, group]),
            StreamCmd::PendingRange => (self.xpending_extended(key, group), Check::PendingIdle),
            StreamCmd::Claim => exact(self.xclaim(key, group)),
            StreamCmd::AutoClaim => exact(self.xautoclaim(key, group)),
            StreamCmd::InfoStream => {
                if self.rng.chance(70) {
                    exact(argv!["XINFO", "STREAM", &key])
                } else {
                    let mut args = argv!["XINFO", "STREAM", &key, "FULL"];
                    if self.rng.chance(50) {
                        args.extend(argv!["COUNT", self.int(-1, 4)]);
                    }
                    (args, Check::StreamTimes)
                }
            }
            StreamCmd::InfoGroups => exact(argv!["XINFO", "GROUPS", &key]),
            StreamCmd::InfoConsumers => {
                (argv!["XINFO", "CONSUMERS", &key, group], Check::StreamTimes)
            }
            StreamCmd::Misuse => exact(self.stream_misuse(key, group)),
        }
    }

    /// One kind from a weighted table.
    fn pick_weighted(&mut self, table: &[(StreamCmd, u64)]) -> StreamCmd {
        let total: u64 = table.iter().map(|(_, weight)| weight).sum();
        let mut roll = self.rng.range(0, total);
        for (kind, weight) in table {
            if roll < *weight {
                return *kind;
            }
            roll -= weight;
        }
        unreachable!("the roll is below the total weight")
    }

    /// A run of 101 to 140 appends to one stream: past the 100 entries of a stream node (the default
    /// limit), so trims by whole nodes (`~`), the radix tree's sizes and node-spanning reads get exercised
    /// whatever the node limits of the run ([`super::stream_node_config`]).
    pub(super) fn stream_bulk(&mut self) -> Vec<Op> {
        let key = format!("x:{}", self.rng.range(0, STREAM_KEYS)).into_bytes();
        (0..self.rng.range(101, 141))
            .map(|index| {
                let id = self.fresh_stream_id(&key);
                Op {
                    family: Family::Stream,
                    connection: 0,
                    args: argv!["XADD", &key, id, "n", index],
                    check: Check::Exact,
                }
            })
            .collect()
    }

    /// One of the common stream keys mostly; sometimes any key of the `x:` prefix or of another type.
    fn stream_key(&mut self) -> Vec<u8> {
        if self.rng.chance(85) {
            format!("x:{}", self.rng.range(0, STREAM_KEYS)).into_bytes()
        } else {
            self.key("x")
        }
    }

    /// An ID after (usually) every ID generated before: `<ms>-*` with the millisecond counter where it is
    /// (the next sequence number of that millisecond), or `<ms>-*` or `<ms>-<seq>` with the counter moved on.
    pub(super) fn fresh_stream_id(&mut self, key: &[u8]) -> String {
        if self.rng.chance(20) {
            return format!("{}-*", self.stream_ms);
        }
        self.stream_ms += self.rng.range(1, 3);
        let ms = self.stream_ms;
        let (id, resolved) = if self.rng.chance(25) {
            // On a new millisecond, `<ms>-*` is (almost always) `<ms>-0`.
            (format!("{ms}-*"), format!("{ms}-0"))
        } else {
            let id = format!("{ms}-{}", self.rng.range(0, 4));
            (id.clone(), id)
        };
        if self.stream_ids.len() == RECENT_IDS {
            self.stream_ids.remove(0);
        }
        self.stream_ids.push((key.to_vec(), resolved));
        id
    }

    /// An ID among the recent ones of `key` (where entries, pending entries and group positions are): one
    /// that a recent XADD to a key of that name used (one of the last three mostly), or `<ms>-<seq>` up to
    /// 15 ms behind the counter (or one ahead), sometimes `<ms>` alone.
    fn recent_id(&mut self, key: &[u8]) -> String {
        let used: Vec<&String> = self
            .stream_ids
            .iter()
            .filter(|(used_on, _)| used_on == key)
            .map(|(_, id)| id)
            .collect();
        if !used.is_empty() && self.rng.chance(70) {
            // The last few mostly: what a session just added and delivered.
            let from = if self.rng.chance(60) {
                used.len().saturating_sub(3)
            } else {
                0
            };
            return self.rng.pick(&used[from..]).to_string();
        }
        let ms = (self.stream_ms + 1).saturating_sub(self.rng.range(0, 17));
        if self.rng.chance(10) {
            ms.to_string()
        } else {
            format!("{ms}-{}", self.rng.range(0, 4))
        }
    }

    /// An odd or invalid ID argument.
    fn odd_id(&mut self) -> String {
        match self.rng.range(0, 10) {
            // 127 bytes parse (as 1), 128 do not.
            0 => format!("{}1", "0".repeat(126)),
            1 => format!("{}1", "0".repeat(127)),
            _ => self.pick_str(ODD_IDS).to_owned(),
        }
    }

    /// The ID of an XADD: a fresh one mostly; sometimes one at or below the top (an error), `0-0`, the largest
    /// ID (after which the stream can take no more), or an odd spelling.
    fn xadd_id(&mut self, key: &[u8]) -> String {
        match self.rng.range(0, 50) {
            0..=39 => self.fresh_stream_id(key),
            40..=41 => {
                self.stream_ms += 1;
                self.stream_ms.to_string()
            }
            42..=44 => self.recent_id(key),
            45 => self.pick_str(&["0-0", "0-*", "0", "0-1"]).to_owned(),
            // Only on the rarer keys: a stream at the last ID takes no more entries until it is deleted.
            46 if !is_common_stream_key(key) => self
                .pick_str(&[
                    "18446744073709551615-18446744073709551615",
                    "18446744073709551615-*",
                    "18446744073709551615-18446744073709551614",
                ])
                .to_owned(),
            _ => self.odd_id(),
        }
    }

    /// XADD with NOMKSTREAM and a trim sometimes, and one to three field/value pairs (rarely an odd count of
    /// arguments, or none).
    fn xadd(&mut self, key: Vec<u8>) -> Args {
        let mut args = argv!["XADD", &key];
        let nomkstream = self.rng.chance(10);
        let trim_first = self.rng.chance(50);
        if nomkstream && trim_first {
            args.extend(argv!["NOMKSTREAM"]);
        }
        if self.rng.chance(15) {
            args.extend(self.trim_options(&key));
        }
        if nomkstream && !trim_first {
            args.extend(argv!["NOMKSTREAM"]);
        }
        args.push(self.xadd_id(&key).into_bytes());
        let pairs = if self.rng.chance(3) {
            0
        } else {
            self.rng.range(1, 4)
        };
        for _ in 0..pairs {
            args.push(self.member());
            args.push(self.value());
        }
        if self.rng.chance(3) {
            args.push(self.member());
        }
        args
    }

    /// `MAXLEN|MINID [=|~] threshold [LIMIT n]` (sometimes an invalid combination, as Redis would reject).
    fn trim_options(&mut self, key: &[u8]) -> Args {
        let by_length = self.rng.chance(55);
        let mut args = argv![if by_length { "MAXLEN" } else { "MINID" }];
        let approximate = match self.rng.range(0, 3) {
            0 => {
                args.extend(argv!["="]);
                false
            }
            1 => {
                args.extend(argv!["~"]);
                true
            }
            _ => false,
        };
        // Mostly thresholds that keep a good part of the stream, so streams grow past a few nodes.
        let threshold = if by_length {
            match self.rng.range(0, 20) {
                0 => self.pick_str(&["-1", "abc", "1.5"]).as_bytes().to_vec(),
                1..=4 => self.int(20, 150),
                5..=10 => self.int(0, 5),
                _ => self.int(6, 25),
            }
        } else {
            match self.rng.range(0, 20) {
                0 => self.odd_id().into_bytes(),
                1..=8 => self.recent_id(key).into_bytes(),
                _ => {
                    let ms = self.stream_ms.saturating_sub(self.rng.range(8, 80));
                    format!("{ms}-{}", self.rng.range(0, 4)).into_bytes()
                }
            }
        };
        args.push(threshold);
        if (approximate && self.rng.chance(40)) || self.rng.chance(3) {
            let limit = match self.rng.range(0, 10) {
                0 => self.pick_str(&["-1", "x"]).as_bytes().to_vec(),
                1 => b"0".to_vec(),
                _ => self.int(1, 150),
            };
            args.extend(argv!["LIMIT", limit]);
        }
        if self.rng.chance(2) {
            // Both strategies: an error.
            args.extend(argv!["MAXLEN", "1"]);
        }
        args
    }

    /// A bound of XRANGE (`low`) or of its end: `-`/`+`, a recent ID, an exclusive one, or an odd one.
    fn range_bound(&mut self, key: &[u8], low: bool) -> String {
        match self.rng.range(0, 24) {
            0..=4 => (if low { "-" } else { "+" }).to_owned(),
            5 => (if low { "+" } else { "-" }).to_owned(),
            6..=14 => self.recent_id(key),
            15..=19 => format!("({}", self.recent_id(key)),
            20 => self
                .pick_str(&[
                    "(0-0",
                    "(18446744073709551615-18446744073709551615",
                    "(-",
                    "(+",
                    "(",
                    "((1",
                    "*",
                ])
                .to_owned(),
            _ => self.odd_id(),
        }
    }

    /// Maybe `COUNT n` (0 and negative counts included).
    fn maybe_count(&mut self, args: &mut Args) {
        if self.rng.chance(40) {
            args.extend(argv!["COUNT", self.int(-1, 5)]);
        }
    }

    /// XSETID with a recent (or odd) ID, maybe ENTRIESADDED and MAXDELETEDID.
    fn xsetid(&mut self, key: Vec<u8>) -> Args {
        let id = if self.rng.chance(90) {
            // Mostly past the top, where XSETID succeeds (and the next fresh IDs soon pass it again).
            let ms = self.stream_ms + self.rng.range(1, 3);
            format!("{ms}-{}", self.rng.range(0, 4))
        } else if self.rng.chance(50) {
            self.recent_id(&key)
        } else {
            self.odd_id()
        };
        let mut args = argv!["XSETID", &key, id];
        if self.rng.chance(40) {
            args.extend(argv!["ENTRIESADDED", self.int(-1, 60)]);
        }
        if self.rng.chance(40) {
            let max_deleted = if self.rng.chance(10) {
                "0-0".to_owned()
            } else {
                self.recent_id(&key)
            };
            args.extend(argv!["MAXDELETEDID", max_deleted]);
        }
        args
    }

    /// XREAD (never BLOCK) of one or two streams from `0`, `$` (nothing, without BLOCK), a recent ID or an
    /// odd one; sometimes with unbalanced keys and IDs.
    fn xread(&mut self, key: Vec<u8>) -> Args {
        let mut args = argv!["XREAD"];
        if self.rng.chance(50) {
            args.extend(argv!["COUNT", self.int(-1, 4)]);
        }
        args.extend(argv!["STREAMS", &key]);
        let streams = self.rng.range(1, 3);
        if streams == 2 {
            args.push(self.stream_key());
        }
        let ids = if self.rng.chance(4) {
            streams + 1
        } else {
            streams
        };
        for _ in 0..ids {
            let id = match self.rng.range(0, 12) {
                0..=3 => "0".to_owned(),
                4 => "$".to_owned(),
                5..=9 => self.recent_id(&key),
                10 => self.pick_str(&["+", "-", "0-0", ">", "*"]).to_owned(),
                _ => self.odd_id(),
            };
            args.push(id.into_bytes());
        }
        args
    }

    /// XREADGROUP (never BLOCK) of new entries (`>`) or of the consumer's history (`0`, a recent ID), with
    /// COUNT and NOACK sometimes.
    fn xreadgroup(&mut self, key: Vec<u8>, group: &str) -> Args {
        let mut args = argv!["XREADGROUP", "GROUP", group, self.consumer()];
        if self.rng.chance(50) {
            args.extend(argv!["COUNT", self.int(-1, 4)]);
        }
        if self.rng.chance(15) {
            args.extend(argv!["NOACK"]);
        }
        args.extend(argv!["STREAMS", &key]);
        let streams = if self.rng.chance(15) { 2 } else { 1 };
        if streams == 2 {
            args.push(self.stream_key());
        }
        for _ in 0..streams {
            let id = match self.rng.range(0, 20) {
                0..=12 => ">".to_owned(),
                13..=15 => "0".to_owned(),
                16..=17 => self.recent_id(&key),
                18 => self.pick_str(&["$", "+", "-", "0-0", "*"]).to_owned(),
                _ => self.odd_id(),
            };
            args.push(id.into_bytes());
        }
        args
    }

    /// XGROUP CREATE (MKSTREAM, ENTRIESREAD), SETID, DESTROY, CREATECONSUMER, DELCONSUMER, rarely HELP or an
    /// unknown subcommand.
    fn xgroup(&mut self, key: Vec<u8>, group: &str) -> Args {
        match self.rng.range(0, 20) {
            0..=6 => {
                let mut args = argv!["XGROUP", "CREATE", &key, group, self.group_position(&key)];
                if self.rng.chance(60) {
                    args.extend(argv!["MKSTREAM"]);
                }
                if self.rng.chance(25) {
                    args.extend(argv!["ENTRIESREAD", self.entries_read()]);
                }
                args
            }
            7..=9 => {
                let mut args = argv!["XGROUP", "SETID", &key, group, self.group_position(&key)];
                if self.rng.chance(30) {
                    args.extend(argv!["ENTRIESREAD", self.entries_read()]);
                }
                args
            }
            10 => argv!["XGROUP", "DESTROY", &key, group],
            11 => argv!["XGROUP", "CREATE", &key, group, "0", "MKSTREAM"],
            12..=14 => argv!["XGROUP", "CREATECONSUMER", &key, group, self.consumer()],
            15..=17 => argv!["XGROUP", "DELCONSUMER", &key, group, self.consumer()],
            18 => argv!["XGROUP", "HELP"],
            _ => match self.rng.range(0, 4) {
                0 => argv!["XGROUP", "NOPE", &key, group],
                1 => argv!["XGROUP", "CREATE", &key, group, "$", "MKSTREAM", "EXTRA"],
                2 => argv!["XGROUP", "DESTROY", &key],
                _ => argv!["XGROUP", "SETID", &key, group, "0", "MKSTREAM"],
            },
        }
    }

    /// Where XGROUP CREATE / SETID puts a group: `$`, `0`, a recent ID, or an odd one.
    fn group_position(&mut self, key: &[u8]) -> String {
        match self.rng.range(0, 12) {
            0..=3 => "$".to_owned(),
            4..=6 => "0".to_owned(),
            7..=10 => self.recent_id(key),
            _ => self.odd_id(),
        }
    }

    /// An ENTRIESREAD value: small counts, -1 (unknown), and invalid ones.
    fn entries_read(&mut self) -> Vec<u8> {
        match self.rng.range(0, 10) {
            0 => self.pick_str(&["-2", "abc"]).as_bytes().to_vec(),
            1..=2 => b"-1".to_vec(),
            _ => self.int(0, 30),
        }
    }

    /// `XPENDING key group [IDLE n] start end count [consumer]` (idle times masked by the check).
    fn xpending_extended(&mut self, key: Vec<u8>, group: &str) -> Args {
        let mut args = argv!["XPENDING", &key, group];
        if self.rng.chance(30) {
            args.extend(argv!["IDLE", self.min_idle()]);
        }
        args.push(self.range_bound(&key, true).into_bytes());
        args.push(self.range_bound(&key, false).into_bytes());
        args.push(self.int(-1, 6));
        if self.rng.chance(40) {
            args.push(self.consumer().as_bytes().to_vec());
        }
        args
    }

    /// XCLAIM of one to three recent IDs with a mix of IDLE/TIME, RETRYCOUNT, FORCE, JUSTID and LASTID.
    fn xclaim(&mut self, key: Vec<u8>, group: &str) -> Args {
        let mut args = argv!["XCLAIM", &key, group, self.consumer(), self.min_idle()];
        for _ in 0..self.rng.range(1, 4) {
            args.push(self.recent_id(&key).into_bytes());
        }
        if self.rng.chance(25) {
            let idle = self.pick_str(&["0", PAST_IDLE, "-5", "abc"]);
            args.extend(argv!["IDLE", idle]);
        }
        if self.rng.chance(20) {
            // Long ago (idle past MIN_IDLE), or in the future (taken as now).
            let time = self.pick_str(&["1", "1000000000000", "4000000000000000"]);
            args.extend(argv!["TIME", time]);
        }
        if self.rng.chance(20) {
            args.extend(argv!["RETRYCOUNT", self.int(-1, 5)]);
        }
        if self.rng.chance(20) {
            args.extend(argv!["FORCE"]);
        }
        if self.rng.chance(40) {
            args.extend(argv!["JUSTID"]);
        }
        if self.rng.chance(15) {
            args.extend(argv!["LASTID", self.recent_id(&key)]);
        }
        if self.rng.chance(2) {
            args.extend(argv!["BOGUS"]);
        }
        args
    }

    /// XAUTOCLAIM from the start or a recent ID, maybe with COUNT and JUSTID.
    fn xautoclaim(&mut self, key: Vec<u8>, group: &str) -> Args {
        let start = match self.rng.range(0, 10) {
            0..=3 => "0-0".to_owned(),
            4 => "-".to_owned(),
            5..=8 => self.recent_id(&key),
            _ => self.odd_id(),
        };
        let mut args = argv![
            "XAUTOCLAIM",
            &key,
            group,
            self.consumer(),
            self.min_idle(),
            start
        ];
        if self.rng.chance(40) {
            args.extend(argv!["COUNT", self.int(-1, 4)]);
        }
        if self.rng.chance(40) {
            args.extend(argv!["JUSTID"]);
        }
        args
    }

    /// Stream commands used wrongly: missing arguments, bad options, HELP.
    fn stream_misuse(&mut self, key: Vec<u8>, group: &str) -> Args {
        match self.rng.range(0, 10) {
            0 => argv!["XADD", &key, self.fresh_stream_id(&key)],
            1 => argv!["XRANGE", &key, "-", "+", "COUNT"],
            2 => argv!["XRANGE", &key, "-", "+", "LIMIT", "1"],
            3 => argv!["XREAD", "STREAMS"],
            4 => argv!["XREAD", "COUNT", "1", key, "0"],
            5 => argv!["XINFO", "HELP"],
            6 => argv!["XINFO", "STREAM", &key, "FULL", "COUNT"],
            7 => argv!["XPENDING", &key, group, "-", "+"],
            8 => argv!["XREADGROUP", "GROUP", group, "STREAMS", key, ">"],
            _ => argv!["XTRIM", &key, "MAXLEN", "~"],
        }
    }

    /// A minimum idle time: 0 (anything qualifies) mostly, or [`MIN_IDLE`].
    fn min_idle(&mut self) -> &'static str {
        self.pick_str(&["0", "0", MIN_IDLE])
    }

    /// A consumer group name (rarely one that no stream has).
    fn group(&mut self) -> &'static str {
        if self.rng.chance(5) {
            "nogroup"
        } else {
            self.pick_str(GROUPS)
        }
    }

    /// A consumer name.
    fn consumer(&mut self) -> &'static str {
        self.pick_str(CONSUMERS)
    }
}

/// Whether `key` is one of the `x:0` to `x:2` most stream commands use.
fn is_common_stream_key(key: &[u8]) -> bool {
    (0..STREAM_KEYS).any(|index| key == format!("x:{index}").as_bytes())
}
