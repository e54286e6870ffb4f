//! Generated commands on lists, hashes, sets and sorted sets, including the blocking pops (with a 10 ms
//! timeout, or on keys that have elements) and rare bulk adds that cross the listpack and intset limits.

use super::generate::{Args, Check, Generator, HUGE, argv};

/// The timeout of blocking pops: short, so an empty key costs 10 ms, and the outcome (served or timed out)
/// does not depend on timing because nothing else writes meanwhile.
const BLOCK_TIMEOUT: &str = "0.01";

impl Generator {
    /// A list command on an `l:` key (or a key of another type).
    pub(super) fn list_command(&mut self) -> (Args, Check) {
        let key = self.key("l");
        let args = match self.rng.range(0, 26) {
            0..=2 => self.with_items(argv!["LPUSH", key], 1, 4),
            3..=4 => self.with_items(argv!["RPUSH", key], 1, 4),
            5 => self.with_items(argv!["LPUSHX", key], 1, 3),
            6 => self.with_items(argv!["RPUSHX", key], 1, 3),
            7 | 8 => {
                let command = if self.rng.chance(50) { "LPOP" } else { "RPOP" };
                let mut args = argv![command, key];
                if self.rng.chance(50) {
                    args.push(self.int(-1, 4));
                }
                args
            }
            9..=10 => argv!["LRANGE", key, self.int(-8, 8), self.int(-8, 8)],
            11 => argv!["LLEN", key],
            12 => argv!["LINDEX", key, self.int(-6, 6)],
            13 => argv!["LSET", key, self.int(-4, 4), self.list_value()],
            14 => argv!["LREM", key, self.int(-2, 2), self.list_value()],
            15 => argv!["LTRIM", key, self.int(-6, 6), self.int(-6, 6)],
            16 => {
                let side = self.pick_str(&["BEFORE", "AFTER"]);
                argv!["LINSERT", key, side, self.list_value(), self.list_value()]
            }
            17 => {
                let mut args = argv!["LPOS", key, self.list_value()];
                if self.rng.chance(40) {
                    args.extend(argv!["RANK", self.int(-3, 3)]);
                }
                if self.rng.chance(40) {
                    args.extend(argv!["COUNT", self.int(0, 3)]);
                }
                if self.rng.chance(30) {
                    args.extend(argv!["MAXLEN", self.int(0, 6)]);
                }
                args
            }
            18 => {
                let (from, to) = (self.side(), self.side());
                argv!["LMOVE", key, self.key("l"), from, to]
            }
            19 => argv!["RPOPLPUSH", key, self.key("l")],
            20 | 21 => {
                let command = if self.rng.chance(50) {
                    "BLPOP"
                } else {
                    "BRPOP"
                };
                let mut args = argv![command, key];
                let extra = self.rng.range(0, 3);
                args.extend(self.keys("l", extra));
                args.push(BLOCK_TIMEOUT.as_bytes().to_vec());
                args
            }
            22 => {
                let (from, to) = (self.side(), self.side());
                argv!["BLMOVE", key, self.key("l"), from, to, BLOCK_TIMEOUT]
            }
            23 if self.rng.chance(15) => {
                let mut args = argv!["RPUSH", key];
                for index in 0..130u64 {
                    args.push(index.to_string().into_bytes());
                }
                args
            }
            _ => argv!["LLEN", key],
        };
        (args, Check::Exact)
    }

    /// A hash command on an `h:` key (or a key of another type).
    pub(super) fn hash_command(&mut self, in_transaction: bool) -> (Args, Check) {
        let key = self.key("h");
        let exact = |args: Args| (args, Check::Exact);
        match self.rng.range(0, 22) {
            0..=3 => {
                let mut args = argv!["HSET", key];
                for _ in 0..self.rng.range(1, 4) {
                    args.push(self.member());
                    args.push(self.value());
                }
                exact(args)
            }
            4 => exact(argv!["HSETNX", key, self.member(), self.value()]),
            5..=6 => exact(argv!["HGET", key, self.member()]),
            7 => {
                let mut args = argv!["HMGET", key];
                for _ in 0..self.rng.range(1, 4) {
                    args.push(self.member());
                }
                exact(args)
            }
            8 => (argv!["HGETALL", key], Check::UnorderedPairs),
            9 => {
                let mut args = argv!["HDEL", key];
                for _ in 0..self.rng.range(1, 3) {
                    args.push(self.member());
                }
                exact(args)
            }
            10 => exact(argv!["HEXISTS", key, self.member()]),
            11 => exact(argv!["HLEN", key]),
            12 => (argv!["HKEYS", key], Check::Unordered),
            13 => (argv!["HVALS", key], Check::Unordered),
            14 => {
                let amount = if self.rng.chance(5) {
                    self.pick_str(&["9223372036854775807", "abc"])
                        .as_bytes()
                        .to_vec()
                } else {
                    self.int(-100, 100)
                };
                exact(argv!["HINCRBY", key, self.member(), amount])
            }
            15 => exact(argv!["HINCRBYFLOAT", key, self.member(), self.float()]),
            16 => exact(argv!["HSTRLEN", key, self.member()]),
            17 => {
                let (args, pairs, distinct) = self.random_pick("HRANDFIELD", key, "WITHVALUES");
                let source = if pairs {
                    argv!["HGETALL", &args[1]]
                } else {
                    argv!["HKEYS", &args[1]]
                };
                (args, sample(in_transaction, source, pairs, distinct))
            }
            18 if !in_transaction => self.collection_scan("HSCAN", key, true),
            19 if self.rng.chance(15) => {
                let mut args = argv!["HSET", key];
                for index in 0..130u64 {
                    args.push(format!("f{index}").into_bytes());
                    args.push(index.to_string().into_bytes());
                }
                exact(args)
            }
            _ => exact(argv!["HLEN", key]),
        }
    }

    /// A set command on a `t:` key (or a key of another type).
    pub(super) fn set_command(&mut self, in_transaction: bool) -> (Args, Check) {
        let key = self.key("t");
        let exact = |args: Args| (args, Check::Exact);
        match self.rng.range(0, 24) {
            0..=3 => self.members_command(argv!["SADD", key], 1, 4),
            4 => self.members_command(argv!["SREM", key], 1, 3),
            5 => (argv!["SMEMBERS", key], Check::Unordered),
            6 => exact(argv!["SISMEMBER", key, self.member()]),
            7 => self.members_command(argv!["SMISMEMBER", key], 1, 4),
            8 => exact(argv!["SCARD", key]),
            9 if !in_transaction => (argv!["SPOP", key], Check::SpopOne),
            9 | 10 => match self.rng.range(0, 6) {
                0 => exact(argv!["SPOP", key, "0"]),
                1 => exact(argv!["SPOP", key, "-1"]),
                _ => (argv!["SPOP", key, HUGE], Check::Unordered),
            },
            11 => {
                let mut args = argv!["SRANDMEMBER", key];
                let mut distinct = true;
                if self.rng.chance(60) {
                    let count = self.rng.signed(-5, 8);
                    distinct = count >= 0;
                    args.push(count.to_string().into_bytes());
                }
                let source = argv!["SMEMBERS", &args[1]];
                (args, sample(in_transaction, source, false, distinct))
            }
            12 => exact(argv!["SMOVE", key, self.key("t"), self.member()]),
            13..=15 => {
                let command = self.pick_str(&["SINTER", "SUNION", "SDIFF"]);
                let count = self.rng.range(0, 3);
                let mut args = argv![command, key];
                args.extend(self.keys("t", count));
                (args, Check::Unordered)
            }
            16 => {
                let count = self.rng.range(1, 4);
                let mut args = argv!["SINTERCARD", count];
                args.extend(self.keys("t", count));
                if self.rng.chance(40) {
                    args.extend(argv!["LIMIT", self.int(0, 4)]);
                }
                exact(args)
            }
            17..=19 => {
                let command = self.pick_str(&["SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE"]);
                let count = self.rng.range(1, 4);
                let mut args = argv![command, key];
                args.extend(self.keys("t", count));
                exact(args)
            }
            20 if !in_transaction => self.collection_scan("SSCAN", key, false),
            21 if self.rng.chance(15) => {
                let mut args = argv!["SADD", key];
                // Past set-max-intset-entries (512) with integers, or past nothing but size with words.
                if self.rng.chance(50) {
                    args.extend((0..520u64).map(|n| n.to_string().into_bytes()));
                } else {
                    args.extend((0..130u64).map(|n| format!("w{n}").into_bytes()));
                }
                exact(args)
            }
            _ => exact(argv!["SCARD", key]),
        }
    }

    /// A sorted-set command on a `z:` key (or a key of another type).
    pub(super) fn zset_command(&mut self, in_transaction: bool) -> (Args, Check) {
        let key = self.key("z");
        let exact = |args: Args| (args, Check::Exact);
        match self.rng.range(0, 30) {
            0..=3 => exact(self.zadd(key)),
            4 => self.members_command(argv!["ZREM", key], 1, 3),
            5 => exact(argv!["ZSCORE", key, self.member()]),
            6 => self.members_command(argv!["ZMSCORE", key], 1, 4),
            7 => exact(argv!["ZINCRBY", key, self.float(), self.member()]),
            8 => exact(argv!["ZCARD", key]),
            9 => exact(argv!["ZCOUNT", key, self.score_bound(), self.score_bound()]),
            10 => self.lex_command(),
            11..=12 => {
                let (source, spec) = self.range_source_and_spec(key, true);
                let mut args = argv!["ZRANGE", source];
                args.extend(spec);
                exact(args)
            }
            13 | 14 => {
                let command = self.pick_str(&["ZRANGEBYSCORE", "ZREVRANGEBYSCORE"]);
                let mut args = argv![command, key, self.score_bound(), self.score_bound()];
                if self.rng.chance(40) {
                    args.extend(argv!["WITHSCORES"]);
                }
                self.maybe_limit(&mut args);
                exact(args)
            }
            15 => self.lex_command(),
            16 => {
                let mut args = argv!["ZREVRANGE", key, self.int(-6, 6), self.int(-6, 6)];
                if self.rng.chance(40) {
                    args.extend(argv!["WITHSCORES"]);
                }
                exact(args)
            }
            17 => exact(argv!["ZRANK", key, self.member()]),
            18 => exact(argv!["ZREVRANK", key, self.member()]),
            19 | 20 => {
                let command = self.pick_str(&["ZPOPMIN", "ZPOPMAX"]);
                let mut args = argv![command, key];
                if self.rng.chance(50) {
                    args.push(self.int(-1, 4));
                }
                exact(args)
            }
            21 => {
                let (source, spec) = self.range_source_and_spec(key, false);
                let mut args = argv!["ZRANGESTORE", self.key("z"), source];
                args.extend(spec);
                exact(args)
            }
            22 | 23 => {
                let command = self.pick_str(&["ZUNIONSTORE", "ZINTERSTORE"]);
                let count = self.rng.range(1, 4);
                let mut args = argv![command, key, count];
                for _ in 0..count {
                    let prefix = self.pick_str(&["z", "z", "t"]);
                    args.push(self.key(prefix));
                }
                if self.rng.chance(30) {
                    args.push(b"WEIGHTS".to_vec());
                    for _ in 0..count {
                        let weight = self.pick_str(&["1", "2", "0.5", "-1", "0", "inf"]);
                        args.push(weight.as_bytes().to_vec());
                    }
                }
                if self.rng.chance(30) {
                    let aggregate = self.pick_str(&["SUM", "MIN", "MAX"]);
                    args.extend(argv!["AGGREGATE", aggregate]);
                }
                exact(args)
            }
            24 if !in_transaction => self.collection_scan("ZSCAN", key, true),
            25 => {
                let (args, pairs, distinct) = self.random_pick("ZRANDMEMBER", key, "WITHSCORES");
                let source = if pairs {
                    argv!["ZRANGE", &args[1], "0", "-1", "WITHSCORES"]
                } else {
                    argv!["ZRANGE", &args[1], "0", "-1"]
                };
                (args, sample(in_transaction, source, pairs, distinct))
            }
            26 if self.features.bzpop => {
                let command = self.pick_str(&["BZPOPMIN", "BZPOPMAX"]);
                let mut args = argv![command, key];
                let extra = self.rng.range(0, 2);
                args.extend(self.keys("z", extra));
                args.push(BLOCK_TIMEOUT.as_bytes().to_vec());
                exact(args)
            }
            27 if self.rng.chance(15) => {
                let mut args = argv!["ZADD", key];
                for index in 0..130u64 {
                    args.push((index % 7).to_string().into_bytes());
                    args.push(format!("e{index}").into_bytes());
                }
                exact(args)
            }
            _ => exact(argv!["ZCARD", key]),
        }
    }

    /// ZADD with a random mix of options (some combinations are errors, as they are for Redis).
    fn zadd(&mut self, key: Vec<u8>) -> Args {
        let mut args = argv!["ZADD", key];
        match self.rng.range(0, 8) {
            0 => args.extend(argv!["NX"]),
            1 => args.extend(argv!["XX"]),
            _ => {}
        }
        match self.rng.range(0, 8) {
            0 => args.extend(argv!["GT"]),
            1 => args.extend(argv!["LT"]),
            _ => {}
        }
        if self.rng.chance(25) {
            args.extend(argv!["CH"]);
        }
        let incr = self.rng.chance(15);
        if incr {
            args.extend(argv!["INCR"]);
        }
        let pairs = if incr && self.rng.chance(85) {
            1
        } else {
            self.rng.range(1, 4)
        };
        for _ in 0..pairs {
            args.push(self.score());
            args.push(self.member());
        }
        args
    }

    /// The key and the `start stop` and options of ZRANGE (with `withscores_allowed`) or ZRANGESTORE: by rank,
    /// BYSCORE or BYLEX, REV, LIMIT, WITHSCORES. BYLEX goes to a lex key instead of `key`.
    fn range_source_and_spec(&mut self, key: Vec<u8>, withscores_allowed: bool) -> (Vec<u8>, Args) {
        let mut args = Args::new();
        let mode = self.rng.range(0, 3);
        let key = match mode {
            0 => {
                args.extend(argv![self.int(-6, 6), self.int(-6, 6)]);
                key
            }
            1 => {
                args.extend(argv![self.score_bound(), self.score_bound(), "BYSCORE"]);
                key
            }
            _ => {
                args.extend(argv![self.lex_bound(), self.lex_bound(), "BYLEX"]);
                self.lex_key()
            }
        };
        if self.rng.chance(30) {
            args.extend(argv!["REV"]);
        }
        // LIMIT without BYSCORE/BYLEX is an error; generated sometimes on purpose.
        if mode != 0 || self.rng.chance(10) {
            self.maybe_limit(&mut args);
        }
        if withscores_allowed && self.rng.chance(35) {
            args.extend(argv!["WITHSCORES"]);
        }
        (key, args)
    }

    /// A command on a lex key (`zl:`), whose members all have score 0: lex ranges are only defined when every
    /// score is equal (Redis walks its skiplist assuming lex order, so on mixed scores its answer depends on
    /// random node levels). Lex keys are written only here, always with score 0.
    fn lex_command(&mut self) -> (Args, Check) {
        let key = self.lex_key();
        let args = match self.rng.range(0, 10) {
            0..=2 => {
                let mut args = argv!["ZADD", key];
                if self.rng.chance(20) {
                    args.extend(argv![self.pick_str(&["NX", "XX", "GT", "LT", "CH"])]);
                }
                for _ in 0..self.rng.range(1, 4) {
                    args.push(b"0".to_vec());
                    args.push(self.member());
                }
                args
            }
            3 => argv!["ZREM", key, self.member()],
            4 => argv!["ZLEXCOUNT", key, self.lex_bound(), self.lex_bound()],
            5..=6 => {
                let command = self.pick_str(&["ZRANGEBYLEX", "ZREVRANGEBYLEX"]);
                let mut args = argv![command, key, self.lex_bound(), self.lex_bound()];
                self.maybe_limit(&mut args);
                args
            }
            7 => argv!["ZRANGE", key, "0", "-1", "WITHSCORES"],
            8 => argv![self.pick_str(&["ZPOPMIN", "ZPOPMAX"]), key],
            _ => {
                let mut args = argv!["ZRANGESTORE", self.key("z"), key, self.lex_bound()];
                args.extend(argv![self.lex_bound(), "BYLEX"]);
                args
            }
        };
        (args, Check::Exact)
    }

    /// A lex key (`zl:0` to `zl:3`) mostly, else a key of a type other than zset (WRONGTYPE).
    fn lex_key(&mut self) -> Vec<u8> {
        if self.rng.chance(90) {
            format!("zl:{}", self.rng.range(0, 4)).into_bytes()
        } else {
            let prefix = self.pick_str(&["s", "l", "h", "t"]);
            format!("{prefix}:{}", self.rng.range(0, 6)).into_bytes()
        }
    }

    fn maybe_limit(&mut self, args: &mut Args) {
        if self.rng.chance(35) {
            args.extend(argv!["LIMIT", self.int(-1, 3), self.int(-2, 4)]);
        }
    }

    /// A score range endpoint: a score, exclusive or not, or an infinity.
    fn score_bound(&mut self) -> Vec<u8> {
        let score = self.score();
        if self.rng.chance(30) {
            let mut bound = b"(".to_vec();
            bound.extend(score);
            bound
        } else {
            score
        }
    }

    /// A lex range endpoint (rarely a malformed one).
    fn lex_bound(&mut self) -> Vec<u8> {
        match self.rng.range(0, 12) {
            0 => b"-".to_vec(),
            1 => b"+".to_vec(),
            2 if self.rng.chance(20) => self.pick_str(&["a", "", "{x"]).as_bytes().to_vec(),
            _ => {
                let mut bound = if self.rng.chance(50) {
                    b"[".to_vec()
                } else {
                    b"(".to_vec()
                };
                bound.extend(self.member());
                bound
            }
        }
    }

    /// `args` followed by `low..high` random list items.
    fn with_items(&mut self, mut args: Args, low: u64, high: u64) -> Args {
        for _ in 0..self.rng.range(low, high) {
            args.push(self.list_value());
        }
        args
    }

    /// `args` followed by `low..high` members; compared exactly.
    fn members_command(&mut self, mut args: Args, low: u64, high: u64) -> (Args, Check) {
        for _ in 0..self.rng.range(low, high) {
            args.push(self.member());
        }
        (args, Check::Exact)
    }

    /// A list item: mostly from a few values, so LREM, LPOS and LINSERT find what they look for.
    fn list_value(&mut self) -> Vec<u8> {
        if self.rng.chance(70) {
            self.pick_str(&["a", "b", "c", "1", "2", "x"])
                .as_bytes()
                .to_vec()
        } else {
            self.value()
        }
    }

    fn side(&mut self) -> &'static str {
        self.pick_str(&["LEFT", "RIGHT"])
    }

    /// HSCAN, SSCAN or ZSCAN of `key` from cursor 0, maybe with MATCH and COUNT, iterated to the end.
    fn collection_scan(&mut self, command: &str, key: Vec<u8>, pairs: bool) -> (Args, Check) {
        let mut args = argv![command, key, "0"];
        self.scan_options(&mut args);
        (
            args,
            Check::ScanAll {
                cursor_at: 2,
                pairs,
            },
        )
    }

    /// MATCH and COUNT for the collection scans.
    fn scan_options(&mut self, args: &mut Args) {
        if self.rng.chance(40) {
            let pattern = self.pick_str(&["*", "m*", "*1", "?", "[ab]", "f1*", "e*"]);
            args.extend(argv!["MATCH", pattern]);
        }
        if self.rng.chance(50) {
            args.extend(argv!["COUNT", self.int(1, 20)]);
        }
    }

    /// HRANDFIELD or ZRANDMEMBER on `key`, maybe with a count (negative: repeats allowed) and `with` (the
    /// WITHVALUES/WITHSCORES word); returns the command, whether picks come in pairs and whether they are
    /// distinct.
    fn random_pick(&mut self, command: &str, key: Vec<u8>, with: &str) -> (Args, bool, bool) {
        let mut args = argv![command, key];
        let (mut pairs, mut distinct) = (false, true);
        if self.rng.chance(60) {
            let count = self.rng.signed(-5, 8);
            distinct = count >= 0;
            args.push(count.to_string().into_bytes());
            if self.rng.chance(50) {
                args.push(with.as_bytes().to_vec());
                pairs = true;
            }
        }
        (args, pairs, distinct)
    }
}

/// The check of a random pick: a sample, or only its shape inside a transaction (where the candidates cannot be
/// read right after).
fn sample(in_transaction: bool, source: Args, pairs: bool, distinct: bool) -> Check {
    if in_transaction {
        Check::Shape
    } else {
        Check::Sample {
            source,
            pairs,
            distinct,
        }
    }
}
