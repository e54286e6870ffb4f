//! The seeded generator of the differential sequence: [`Op`]s (a command, the connection it goes on, and how
//! its replies are compared) drawn from a small key space per type, so commands collide, hit existing keys and
//! `WRONGTYPE` often.
//!
//! The generator never looks at replies: the sequence depends only on the seed and on [`Features`], so the
//! same seed gives the same commands on every server. Whatever would make replies or state depend on chance or
//! on the clock is generated away here or normalised by the [`Check`] attached to the op:
//! - expiries are hours to centuries ahead, or already past (the key goes at once); `GT`/`LT` only compare
//!   absolute times, so two servers a millisecond apart never decide differently;
//! - `SPOP` either pops everything (a count above any cardinality) or goes through [`Check::SpopOne`];
//! - the random reads (`SRANDMEMBER`, `HRANDFIELD`, `ZRANDMEMBER`, `RANDOMKEY`) are checked as samples;
//! - stream IDs are always explicit (never `*`, which takes the clock), and idle times are either thresholds no
//!   delivery made during a run can reach or masked by [`Check::PendingIdle`] and [`Check::StreamTimes`].

use crate::rng::Rng;

/// Builds an [`Args`] from anything convertible by [`IntoArg`].
macro_rules! argv {
    ($($arg:expr),* $(,)?) => {
        vec![$($crate::difftest::generate::IntoArg::into_arg($arg)),*]
    };
}
pub(crate) use argv;

/// A command's arguments.
pub type Args = Vec<Vec<u8>>;

/// The command families of issue 3, for the per-family op counts of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Family {
    /// SET, GET, INCR, ...
    String,
    /// DEL, EXPIRE, SCAN, COPY, SELECT, ...
    Key,
    /// LPUSH, LRANGE, BLPOP, ...
    List,
    /// HSET, HGETALL, HSCAN, ...
    Hash,
    /// SADD, SINTER, SSCAN, ...
    Set,
    /// ZADD, ZRANGE, ZUNIONSTORE, ...
    SortedSet,
    /// XADD, XRANGE, XREADGROUP, XCLAIM, XINFO, ...
    Stream,
    /// WATCH, MULTI, EXEC, DISCARD, UNWATCH.
    Transaction,
    /// PUBLISH.
    PubSub,
}

impl Family {
    /// Every family, in report order; transactions last (the others can be queued in one).
    pub const ALL: [Family; 9] = [
        Family::String,
        Family::Key,
        Family::List,
        Family::Hash,
        Family::Set,
        Family::SortedSet,
        Family::Stream,
        Family::PubSub,
        Family::Transaction,
    ];

    /// The family's name in reports.
    pub fn name(self) -> &'static str {
        match self {
            Family::String => "strings",
            Family::Key => "keys",
            Family::List => "lists",
            Family::Hash => "hashes",
            Family::Set => "sets",
            Family::SortedSet => "sorted sets",
            Family::Stream => "streams",
            Family::Transaction => "transactions",
            Family::PubSub => "pubsub",
        }
    }
}

/// How the two servers' replies to an op are compared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Check {
    /// Byte for byte.
    Exact,
    /// An array whose order follows hash-table order (SMEMBERS, HKEYS, KEYS, SINTER...): compared as a sorted
    /// multiset; anything else byte for byte.
    Unordered,
    /// A flat array of pairs in hash-table order (HGETALL): compared as a sorted multiset of pairs.
    UnorderedPairs,
    /// TTL/PTTL: -2 and -1 exactly, any non-negative value as one class.
    TtlClass,
    /// A random pick inside a transaction: same kinds and lengths, any strings.
    Shape,
    /// A random pick: same kinds and lengths, every picked string (or pair, with `pairs`) one of what `source`
    /// returns on the same server right after, and with `distinct` no pick twice.
    Sample {
        /// The read listing the candidates (SMEMBERS, HGETALL, ZRANGE ... WITHSCORES, KEYS *).
        source: Args,
        /// Whether picks and candidates are field/value (member/score) pairs.
        pairs: bool,
        /// Whether a reply must not repeat a pick.
        distinct: bool,
    },
    /// A SCAN-family command, iterated to the end on each server (the cursor is argument `cursor_at`); the
    /// unions of what each returned are compared (as pairs for HSCAN and ZSCAN).
    ScanAll {
        /// Index of the cursor argument.
        cursor_at: usize,
        /// Whether elements come in pairs.
        pairs: bool,
    },
    /// `SPOP key` without a count: the runner asks `SCARD` first (compared too) and, when more than one member
    /// could be popped, sends `SPOP key <card>` instead (which pops them all; compared unordered).
    SpopOne,
    /// `XPENDING key group [IDLE n] start end count [consumer]`: each `[id, consumer, idle, deliveries]` with the
    /// idle milliseconds (the clock's) masked, the rest byte for byte.
    PendingIdle,
    /// `XINFO CONSUMERS` and `XINFO STREAM ... FULL`: the clock's values masked (`idle`, `seen-time`, and the
    /// delivery times of the `pending` lists), the rest byte for byte.
    StreamTimes,
    /// EXEC: a null array or an error byte for byte, else element by element with the queued commands' checks.
    Exec(Vec<Check>),
}

/// One step of the sequence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Op {
    /// The family counted for this op.
    pub family: Family,
    /// 0 for the main connection, 1 for the second one (which touches keys the first one WATCHes).
    pub connection: usize,
    /// The command.
    pub args: Args,
    /// How replies are compared.
    pub check: Check,
}

/// What the server under test supports beyond the fixed command set.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Features {
    /// BZPOPMIN and BZPOPMAX exist (`COMMAND INFO bzpopmin`).
    pub bzpop: bool,
}

/// The seeded, endless sequence of ops.
#[derive(Debug, Clone)]
pub struct Generator {
    pub(super) rng: Rng,
    pub(super) features: Features,
    /// The database each connection has selected.
    pub(super) db: [u32; 2],
    /// The millisecond part of the next fresh stream ID: it only grows, so most XADDs append, on any stream
    /// key, whatever the sequence did to it before.
    pub(super) stream_ms: u64,
    /// The last fresh stream IDs (oldest first), as the IDs they resolve to with the key they went to: where
    /// entries are, for XDEL, XACK, XCLAIM and range bounds on that key to hit.
    pub(super) stream_ids: Vec<(Vec<u8>, String)>,
}

/// Databases the sequence uses (SELECT, MOVE, COPY DB, SWAPDB).
pub(super) const DATABASES: u32 = 4;

/// Keys per type prefix: few, so commands meet existing keys and each other.
const KEYS_PER_TYPE: u64 = 6;

/// Key prefixes by type: string, list, hash, set, sorted set, stream.
pub(super) const PREFIXES: [&str; 6] = ["s", "l", "h", "t", "z", "x"];

/// A count larger than any collection can get: `SPOP key HUGE` pops everything.
pub(super) const HUGE: &str = "100000";

/// Values: words, integer-looking strings (in and out of the 64-bit range, with signs and zeros), floats.
const WORDS: &[&str] = &[
    "a",
    "b",
    "c",
    "foo",
    "bar",
    "x",
    "hello world",
    "m1",
    "m2",
    "m3",
    "0",
    "1",
    "-1",
    "7",
    "42",
    "-100",
    "255",
    "256",
    "65535",
    "2147483648",
    "-2147483649",
    "9223372036854775807",
    "-9223372036854775808",
    "9223372036854775808",
    "12345678901234567890",
    "007",
    "+5",
    "-0",
    "1.5",
    "3e2",
    " 7",
    "0x10",
    "10 ",
];

/// Collection members and hash fields: a small pool (collisions), ints (intset), and oddities.
const MEMBERS: &[&str] = &[
    "m0",
    "m1",
    "m2",
    "m3",
    "m4",
    "m5",
    "m6",
    "m7",
    "a",
    "b",
    "0",
    "1",
    "2",
    "3",
    "5",
    "8",
    "13",
    "-1",
    "-7",
    "100",
    "1.5",
    "007",
    "9223372036854775807",
    "-9223372036854775808",
    "9223372036854775808",
];

/// Scores: integers, decimals, infinities (in every spelling Redis accepts).
const SCORES: &[&str] = &[
    "0",
    "1",
    "-1",
    "2",
    "2.5",
    "-3.75",
    "10",
    "100",
    "0.1",
    "1e3",
    "inf",
    "-inf",
    "+inf",
    "1.0000000000000002",
    "3.141592653589793",
    "-0",
    "5",
    "7",
];

/// Increments for INCRBYFLOAT, HINCRBYFLOAT and ZINCRBY.
const FLOATS: &[&str] = &[
    "0.1",
    "1.5",
    "-2.25",
    "10",
    "1e3",
    "-0.0001",
    "3.0e-5",
    "5.0e3",
    "0",
    "1",
    "-1",
    "0.2",
    "1.7976931348623157e308",
    "17",
    "-3",
];

impl Generator {
    /// A generator whose sequence depends only on `seed` and `features`.
    pub fn new(seed: u64, features: Features) -> Generator {
        Generator {
            rng: Rng::new(seed),
            features,
            db: [0, 0],
            stream_ms: 1,
            stream_ids: Vec::new(),
        }
    }

    /// The next block: one op, a whole transaction (WATCH, the other connection's writes, MULTI, the
    /// queued commands, EXEC or DISCARD), a few stream commands through one consumer group, or rarely a run
    /// of XADDs to one stream (past a stream node's 100 entries).
    pub fn next_block(&mut self) -> Vec<Op> {
        let roll = self.rng.range(0, 108);
        if roll < 8 {
            return self.transaction();
        }
        let family = match roll {
            8..=21 => Family::String,
            22..=35 => Family::Key,
            36..=50 => Family::List,
            51..=64 => Family::Hash,
            65..=80 => Family::Set,
            81..=98 => Family::SortedSet,
            99 => Family::PubSub,
            _ => Family::Stream,
        };
        if family == Family::Stream {
            match self.rng.range(0, 200) {
                0 => return self.stream_bulk(),
                1..=40 => return self.stream_session(),
                _ => {}
            }
        }
        let (args, check) = self.command(family, false);
        vec![Op {
            family,
            connection: 0,
            args,
            check,
        }]
    }

    /// One command of `family`; `in_transaction` rules out what cannot be iterated or guarded inside MULTI.
    pub(super) fn command(&mut self, family: Family, in_transaction: bool) -> (Args, Check) {
        match family {
            Family::String => self.string_command(),
            Family::Key => self.key_command(in_transaction),
            Family::List => self.list_command(),
            Family::Hash => self.hash_command(in_transaction),
            Family::Set => self.set_command(in_transaction),
            Family::SortedSet => self.zset_command(in_transaction),
            Family::Stream => self.stream_command(),
            Family::PubSub => (
                argv!["PUBLISH", self.pick_str(&["ch", "news", "x"]), self.value()],
                Check::Exact,
            ),
            Family::Transaction => unreachable!("transactions are blocks, built by `transaction`"),
        }
    }

    /// A key of the type with prefix `prefix` most of the time, of any type sometimes (WRONGTYPE).
    pub(super) fn key(&mut self, prefix: &str) -> Vec<u8> {
        let prefix = if self.rng.chance(88) {
            prefix
        } else {
            self.pick_str(&PREFIXES)
        };
        format!("{prefix}:{}", self.rng.range(0, KEYS_PER_TYPE)).into_bytes()
    }

    /// `count` keys (1 or more) for multi-key commands.
    pub(super) fn keys(&mut self, prefix: &str, count: u64) -> Vec<Vec<u8>> {
        (0..count).map(|_| self.key(prefix)).collect()
    }

    /// A string value: words and numbers mostly; binary, empty and long (past the 44-byte embstr and the
    /// 64-byte listpack value limits) sometimes.
    pub(super) fn value(&mut self) -> Vec<u8> {
        match self.rng.range(0, 20) {
            0 => Vec::new(),
            1..=2 => {
                let len = self.rng.below(6) + 1;
                let mut bytes = self.rng.bytes(len);
                bytes.push(*self.rng.pick(&[0u8, b'\r', b'\n', 0xff]));
                bytes
            }
            3..=4 => self.long_value(),
            _ => self.pick_str(WORDS).as_bytes().to_vec(),
        }
    }

    /// 45 to 200 bytes: past embstr and listpack limits.
    pub(super) fn long_value(&mut self) -> Vec<u8> {
        let len = self.rng.range(45, 200) as usize;
        let seed = self.rng.range(0, 4) as u8;
        (0..len).map(|i| b'a' + (i as u8 + seed) % 26).collect()
    }

    /// A member or field: the small pool mostly, sometimes long or binary.
    pub(super) fn member(&mut self) -> Vec<u8> {
        match self.rng.range(0, 30) {
            0 => self.long_value(),
            1 => vec![0, b'\n', 0xff],
            2 => Vec::new(),
            _ => self.pick_str(MEMBERS).as_bytes().to_vec(),
        }
    }

    /// A score (rarely an invalid one).
    pub(super) fn score(&mut self) -> Vec<u8> {
        if self.rng.chance(2) {
            return self.pick_str(&["nan", "abc", "", "1x"]).as_bytes().to_vec();
        }
        self.pick_str(SCORES).as_bytes().to_vec()
    }

    /// A float increment (rarely an invalid one).
    pub(super) fn float(&mut self) -> Vec<u8> {
        if self.rng.chance(3) {
            return self
                .pick_str(&["inf", "-inf", "abc", "", "nan"])
                .as_bytes()
                .to_vec();
        }
        self.pick_str(FLOATS).as_bytes().to_vec()
    }

    /// An integer argument in `low..=high`, as text.
    pub(super) fn int(&mut self, low: i64, high: i64) -> Vec<u8> {
        self.rng.signed(low, high).to_string().into_bytes()
    }

    /// A relative TTL in seconds: a day to four months (never reached during a run).
    pub(super) fn ttl_seconds(&mut self) -> u64 {
        self.rng.range(86_400, 10_000_000)
    }

    /// An absolute Unix time in seconds: 2096 to 2127, far beyond any relative TTL, so `GT`/`LT` between a
    /// relative and an absolute expiry never depend on the clock.
    pub(super) fn unix_time(&mut self) -> u64 {
        4_000_000_000 + self.rng.range(0, 1_000_000_000)
    }

    /// One of `items`.
    pub(super) fn pick_str(&mut self, items: &[&'static str]) -> &'static str {
        let index = self.rng.below(items.len());
        items[index]
    }
}

/// A value usable as one command argument.
pub trait IntoArg {
    /// The argument's bytes.
    fn into_arg(self) -> Vec<u8>;
}

impl IntoArg for &str {
    fn into_arg(self) -> Vec<u8> {
        self.as_bytes().to_vec()
    }
}

impl IntoArg for String {
    fn into_arg(self) -> Vec<u8> {
        self.into_bytes()
    }
}

impl IntoArg for Vec<u8> {
    fn into_arg(self) -> Vec<u8> {
        self
    }
}

impl IntoArg for &Vec<u8> {
    fn into_arg(self) -> Vec<u8> {
        self.clone()
    }
}

impl IntoArg for u64 {
    fn into_arg(self) -> Vec<u8> {
        self.to_string().into_bytes()
    }
}

impl IntoArg for i64 {
    fn into_arg(self) -> Vec<u8> {
        self.to_string().into_bytes()
    }
}

impl IntoArg for u32 {
    fn into_arg(self) -> Vec<u8> {
        self.to_string().into_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sequence_depends_only_on_the_seed() {
        let features = Features { bzpop: true };
        let mut first = Generator::new(5, features);
        let mut second = Generator::new(5, features);
        for _ in 0..2000 {
            assert_eq!(first.next_block(), second.next_block());
        }
        let mut other = Generator::new(6, features);
        let a: Vec<_> = (0..20).flat_map(|_| first.next_block()).collect();
        let b: Vec<_> = (0..20).flat_map(|_| other.next_block()).collect();
        assert_ne!(a, b);
    }

    #[test]
    fn no_xadd_takes_its_id_from_the_clock() {
        // `XADD key * ...` gets the server's time as its ID: the two servers would answer differently.
        let mut generator = Generator::new(7, Features::default());
        let mut xadds = 0;
        for _ in 0..20_000 {
            for op in generator.next_block() {
                if op.args[0].eq_ignore_ascii_case(b"XADD") {
                    xadds += 1;
                    assert!(
                        !op.args.iter().any(|arg| arg == b"*"),
                        "{}",
                        crate::difftest::show_command(&op.args)
                    );
                }
            }
        }
        assert!(xadds > 1000, "only {xadds} XADDs");
    }

    #[test]
    fn every_family_appears() {
        let mut generator = Generator::new(1, Features::default());
        let mut seen = std::collections::BTreeSet::new();
        for _ in 0..3000 {
            for op in generator.next_block() {
                seen.insert(op.family);
            }
        }
        assert_eq!(seen.len(), Family::ALL.len(), "{seen:?}");
    }
}
