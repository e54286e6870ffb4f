//! Generated commands on strings and on keys of any type, and transaction blocks (WATCH with a second
//! connection touching the watched keys, MULTI, 1 to 5 queued commands, EXEC or DISCARD).

use super::generate::{Args, Check, DATABASES, Family, Generator, Op, PREFIXES, argv};

impl Generator {
    /// A string command on an `s:` key (or, sometimes, a key of another type).
    pub(super) fn string_command(&mut self) -> (Args, Check) {
        let key = self.key("s");
        let args = match self.rng.range(0, 30) {
            0..=3 => {
                let mut args = argv!["SET", key, self.value()];
                args.extend(self.set_options());
                args
            }
            4..=5 => argv!["GET", key],
            6 => argv!["GETSET", key, self.value()],
            7 => argv!["GETDEL", key],
            8 => {
                let mut args = argv!["GETEX", key];
                args.extend(self.getex_options());
                args
            }
            9 | 10 => {
                let mut args = argv![self.pick_str(&["MSET", "MSETNX"])];
                for _ in 0..self.rng.range(1, 4) {
                    args.push(self.key("s"));
                    args.push(self.value());
                }
                args
            }
            11 => {
                let count = self.rng.range(1, 5);
                let mut args = argv!["MGET"];
                args.extend(self.keys("s", count));
                args
            }
            12 => argv!["INCRBYFLOAT", key, self.float()],
            13 => argv!["GETRANGE", key, self.int(-60, 60), self.int(-60, 60)],
            14 => {
                let offset = if self.rng.chance(5) {
                    self.int(-3, -1)
                } else {
                    self.int(0, 90)
                };
                argv!["SETRANGE", key, offset, self.value()]
            }
            15 => {
                let millis = if self.rng.chance(5) {
                    self.int(-5, 0)
                } else {
                    (self.ttl_seconds() * 1000).to_string().into_bytes()
                };
                argv!["PSETEX", key, millis, self.value()]
            }
            16..=17 => argv!["INCR", key],
            18 => argv!["DECR", key],
            19 => argv!["INCRBY", key, self.increment()],
            20 => argv!["DECRBY", key, self.increment()],
            21..=22 => argv!["APPEND", key, self.value()],
            23 => argv!["STRLEN", key],
            24 => argv!["SETNX", key, self.value()],
            25 => {
                let seconds = if self.rng.chance(5) {
                    self.int(-5, 0)
                } else {
                    self.ttl_seconds().to_string().into_bytes()
                };
                argv!["SETEX", key, seconds, self.value()]
            }
            _ => argv!["SET", key, self.int(-1000, 1000)],
        };
        (args, Check::Exact)
    }

    /// A command on keys of any type; `in_transaction` replaces SCAN, RANDOMKEY and SELECT (which cannot be
    /// iterated, checked as a sample or tracked inside MULTI).
    pub(super) fn key_command(&mut self, in_transaction: bool) -> (Args, Check) {
        let key = self.any_key();
        match self.rng.range(0, 30) {
            0..=2 => {
                let count = self.rng.range(1, 4);
                let mut args = argv!["DEL"];
                args.extend((0..count).map(|_| self.any_key()));
                (args, Check::Exact)
            }
            3 => {
                let count = self.rng.range(1, 5);
                let mut args = argv!["EXISTS"];
                args.extend((0..count).map(|_| self.any_key()));
                (args, Check::Exact)
            }
            4..=5 => (argv!["TYPE", key], Check::Exact),
            6 => (argv!["RENAME", key, self.any_key()], Check::Exact),
            7 => (argv!["RENAMENX", key, self.any_key()], Check::Exact),
            8..=9 => {
                let seconds = if self.rng.chance(8) {
                    self.int(-2, 0)
                } else {
                    self.ttl_seconds().to_string().into_bytes()
                };
                let mut args = argv!["EXPIRE", key, seconds];
                args.extend(self.expire_condition(false));
                (args, Check::Exact)
            }
            10 => {
                let millis = (self.ttl_seconds() * 1000).to_string();
                let mut args = argv!["PEXPIRE", key, millis];
                args.extend(self.expire_condition(false));
                (args, Check::Exact)
            }
            11 => {
                let when = if self.rng.chance(8) {
                    self.int(1, 1_000_000)
                } else {
                    self.unix_time().to_string().into_bytes()
                };
                let mut args = argv!["EXPIREAT", key, when];
                args.extend(self.expire_condition(true));
                (args, Check::Exact)
            }
            12 => {
                let when = if self.rng.chance(8) {
                    self.int(1, 1_000_000)
                } else {
                    (self.unix_time() * 1000).to_string().into_bytes()
                };
                let mut args = argv!["PEXPIREAT", key, when];
                args.extend(self.expire_condition(true));
                (args, Check::Exact)
            }
            13 => (argv!["TTL", key], Check::TtlClass),
            14 => (argv!["PTTL", key], Check::TtlClass),
            15 => (argv!["PERSIST", key], Check::Exact),
            16..=17 if !in_transaction => {
                let mut args = argv!["SCAN", "0"];
                if self.rng.chance(50) {
                    args.extend(argv!["MATCH", self.pattern()]);
                }
                if self.rng.chance(50) {
                    args.extend(argv!["COUNT", self.int(1, 20)]);
                }
                if self.rng.chance(40) {
                    let kind =
                        self.pick_str(&["string", "list", "hash", "set", "zset", "stream", "none"]);
                    args.extend(argv!["TYPE", kind]);
                }
                (
                    args,
                    Check::ScanAll {
                        cursor_at: 1,
                        pairs: false,
                    },
                )
            }
            18 if !in_transaction => (
                argv!["RANDOMKEY"],
                Check::Sample {
                    source: argv!["KEYS", "*"],
                    pairs: false,
                    distinct: true,
                },
            ),
            19 => {
                let mut args = argv!["COPY", key, self.any_key()];
                if self.rng.chance(30) {
                    args.extend(argv!["DB", self.rng.range(0, DATABASES as u64)]);
                }
                if self.rng.chance(40) {
                    args.extend(argv!["REPLACE"]);
                }
                (args, Check::Exact)
            }
            20 => (
                argv!["MOVE", key, self.rng.range(0, DATABASES as u64)],
                Check::Exact,
            ),
            21 if self.rng.chance(30) => {
                let (first, second) = (
                    self.rng.range(0, DATABASES as u64),
                    self.rng.range(0, DATABASES as u64),
                );
                (argv!["SWAPDB", first, second], Check::Exact)
            }
            22..=23 => (argv!["OBJECT", "ENCODING", key], Check::Exact),
            24 => (argv!["DBSIZE"], Check::Exact),
            25 if self.rng.chance(8) => (argv!["FLUSHDB"], Check::Exact),
            26..=27 if !in_transaction => {
                let db = self.rng.range(0, DATABASES as u64) as u32;
                self.db[0] = db;
                (argv!["SELECT", db], Check::Exact)
            }
            28 => (argv!["KEYS", self.pattern()], Check::Unordered),
            _ => (argv!["EXISTS", key], Check::Exact),
        }
    }

    /// A transaction block: maybe WATCH (and the second connection touching or reading the watched keys, and
    /// maybe UNWATCH), MULTI, 1 to 5 queued commands of any family, EXEC (or DISCARD).
    pub(super) fn transaction(&mut self) -> Vec<Op> {
        let mut ops = Vec::new();
        let control = |args: Args, check: Check| Op {
            family: Family::Transaction,
            connection: 0,
            args,
            check,
        };
        if self.rng.chance(50) {
            let count = self.rng.range(1, 4);
            let watched: Vec<Vec<u8>> = (0..count).map(|_| self.any_key()).collect();
            let mut args = argv!["WATCH"];
            args.extend(watched.iter().cloned());
            ops.push(control(args, Check::Exact));
            if self.rng.chance(60) {
                if self.db[1] != self.db[0] && self.rng.chance(85) {
                    self.db[1] = self.db[0];
                    ops.push(Op {
                        family: Family::Key,
                        connection: 1,
                        args: argv!["SELECT", self.db[1]],
                        check: Check::Exact,
                    });
                }
                for _ in 0..self.rng.range(1, 3) {
                    let key = if self.rng.chance(80) {
                        self.rng.pick(&watched).clone()
                    } else {
                        self.any_key()
                    };
                    let (family, args) = self.touch(key);
                    ops.push(Op {
                        family,
                        connection: 1,
                        args,
                        check: Check::Exact,
                    });
                }
            }
            if self.rng.chance(15) {
                ops.push(control(argv!["UNWATCH"], Check::Exact));
            }
        }
        ops.push(control(argv!["MULTI"], Check::Exact));
        let mut checks = Vec::new();
        for _ in 0..self.rng.range(1, 6) {
            // Any family but transactions (the last one): no nesting.
            let family = Family::ALL[self.rng.below(Family::ALL.len() - 1)];
            let (args, check) = self.command(family, true);
            checks.push(check);
            ops.push(Op {
                family,
                connection: 0,
                args,
                check: Check::Exact,
            });
        }
        if self.rng.chance(15) {
            ops.push(control(argv!["DISCARD"], Check::Exact));
        } else {
            ops.push(control(argv!["EXEC"], Check::Exec(checks)));
        }
        ops
    }

    /// What the second connection does to a (usually watched) key: a write of some type, or a read (which
    /// must not abort the transaction). A stream key mostly gets an XADD, so streams are not soon replaced by
    /// other types.
    fn touch(&mut self, key: Vec<u8>) -> (Family, Args) {
        let roll = if key.starts_with(b"x:") && self.rng.chance(70) {
            8
        } else {
            self.rng.range(0, 10)
        };
        match roll {
            0 => (Family::String, argv!["SET", key, self.value()]),
            1 => (Family::Key, argv!["DEL", key]),
            2 => (
                Family::Key,
                argv!["EXPIRE", key, self.ttl_seconds().to_string()],
            ),
            3 => (Family::Key, argv!["PERSIST", key]),
            4 => (Family::List, argv!["LPUSH", key, self.value()]),
            5 => (Family::Set, argv!["SADD", key, self.member()]),
            6 => (
                Family::Hash,
                argv!["HSET", key, self.member(), self.value()],
            ),
            7 => (Family::SortedSet, argv!["ZADD", key, "1", self.member()]),
            8 => {
                let id = self.fresh_stream_id(&key);
                let field = self.member();
                (Family::Stream, argv!["XADD", key, id, field, self.value()])
            }
            _ => (Family::Key, argv!["EXISTS", key]),
        }
    }

    /// A key of a random type.
    pub(super) fn any_key(&mut self) -> Vec<u8> {
        let prefix = self.pick_str(&PREFIXES);
        self.key(prefix)
    }

    /// SET's options: an expiry (or KEEPTTL, or an invalid one), NX/XX, GET.
    fn set_options(&mut self) -> Args {
        let mut options = Args::new();
        match self.rng.range(0, 12) {
            0 => options.extend(argv!["EX", self.ttl_seconds()]),
            1 => options.extend(argv!["PX", self.ttl_seconds() * 1000]),
            2 => options.extend(argv!["EXAT", self.unix_time()]),
            3 => options.extend(argv!["PXAT", self.unix_time() * 1000]),
            4 => options.extend(argv!["KEEPTTL"]),
            5 if self.rng.chance(30) => {
                let bad = self.pick_str(&["0", "-5", "abc", "9223372036854775807"]);
                options.extend(argv![self.pick_str(&["EX", "PX"]), bad]);
            }
            _ => {}
        }
        match self.rng.range(0, 10) {
            0 => options.extend(argv!["NX"]),
            1 => options.extend(argv!["XX"]),
            _ => {}
        }
        if self.rng.chance(15) {
            options.extend(argv!["GET"]);
        }
        options
    }

    /// GETEX's options: an expiry (sometimes already past: the key goes), PERSIST, or none.
    fn getex_options(&mut self) -> Args {
        match self.rng.range(0, 8) {
            0 => argv!["EX", self.ttl_seconds()],
            1 => argv!["PX", self.ttl_seconds() * 1000],
            2 => argv!["EXAT", self.unix_time()],
            3 => argv!["PXAT", self.unix_time() * 1000],
            4 => argv!["PERSIST"],
            5 if self.rng.chance(30) => argv!["EXAT", self.int(1, 1000)],
            _ => Args::new(),
        }
    }

    /// NX/XX for any expiry; GT/LT only with `absolute` times (comparing two relative expiries set a
    /// millisecond apart on two servers could go either way).
    fn expire_condition(&mut self, absolute: bool) -> Args {
        let choices: &[&str] = if absolute {
            &["NX", "XX", "GT", "LT"]
        } else {
            &["NX", "XX"]
        };
        if self.rng.chance(30) {
            argv![self.pick_str(choices)]
        } else {
            Args::new()
        }
    }

    /// An INCRBY/DECRBY amount (sometimes huge or not a number).
    fn increment(&mut self) -> Vec<u8> {
        if self.rng.chance(5) {
            return self
                .pick_str(&["9223372036854775807", "-9223372036854775808", "abc", "1.5"])
                .as_bytes()
                .to_vec();
        }
        self.int(-1000, 1000)
    }

    /// A glob for KEYS, SCAN and the collection scans.
    pub(super) fn pattern(&mut self) -> &'static str {
        self.pick_str(&[
            "*", "s:*", "h:*", "*1", "?:2", "[lz]:*", "t:[0-3]", "m*", "*a*", "[^m]*", "x:*",
        ])
    }
}
