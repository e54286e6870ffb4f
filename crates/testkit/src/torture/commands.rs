//! The load's commands: [`Generator`] draws one [`Op`] at a time (a command, a transaction, a script call)
//! from every family, over a small keyspace shared by the families so that their keys collide (WRONGTYPE
//! replies are part of the load). Writes go to the master, reads mostly to a replica.

use std::collections::VecDeque;

use resp::Frame;

use crate::difftest::IntoArg;
use crate::rng::Rng;

/// Builds a command's arguments from anything [`IntoArg`] converts.
macro_rules! argv {
    ($($arg:expr),* $(,)?) => {
        vec![$(IntoArg::into_arg($arg)),*]
    };
}

/// A command's arguments.
pub(super) type Args = Vec<Vec<u8>>;

/// Keys per family prefix (`s:0` ... `s:23`, `l:0` ...).
const KEYS_PER_FAMILY: usize = 24;

/// Keys every family uses (`k:0` ... `k:39`), where types collide.
const SHARED_KEYS: usize = 40;

/// The databases the load selects, flushes and swaps (the acknowledged writes live in another one).
pub(super) const LOAD_DBS: u32 = 4;

/// The pub/sub channels (`ch:0` ... `ch:3`).
pub(super) const CHANNELS: usize = 4;

/// How many stream IDs a generator remembers for XACK, XCLAIM and XDEL.
const REMEMBERED_IDS: usize = 16;

/// The library loaded with `FUNCTION LOAD` at the start (on the first master; it replicates).
pub(super) const LIBRARY: &str = "#!lua name=torture
redis.register_function('tt_incr', function(keys, args)
  local n = redis.call('INCRBY', keys[1], args[1])
  redis.call('RPUSH', keys[2], n)
  redis.call('LTRIM', keys[2], -10, -1)
  return n
end)
redis.register_function{function_name='tt_get', flags={'no-writes'},
  callback=function(keys, args) return redis.call('GET', keys[1]) end}
redis.register_function('tt_hset', function(keys, args)
  redis.call('HSET', keys[1], args[1], args[2])
  return redis.call('HLEN', keys[1])
end)
";

/// Scripts that write (each uses only its `KEYS`); loaded with `SCRIPT LOAD` for `EVALSHA`.
pub(super) const WRITE_SCRIPTS: [&str; 4] = [
    "local n = redis.call('INCR', KEYS[1]) redis.call('SET', KEYS[2], n) return n",
    "redis.call('SADD', KEYS[1], ARGV[1]) redis.call('PEXPIRE', KEYS[1], 3000) return redis.call('SCARD', KEYS[1])",
    "local ok = redis.pcall('RPUSH', KEYS[1], ARGV[1]) if type(ok) == 'table' then return ok.err end \
     redis.call('LTRIM', KEYS[1], -20, -1) return ok",
    "redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2]) return redis.call('ZCARD', KEYS[1])",
];

/// Scripts that only read (`EVAL_RO` on replicas).
const READ_SCRIPTS: [&str; 2] = [
    "return redis.call('GET', KEYS[1])",
    "return {redis.call('EXISTS', KEYS[1]), redis.call('TYPE', KEYS[1])['ok']}",
];

/// The busy read-only script of the SCRIPT KILL fault: it never ends by itself.
pub(super) const BUSY_SCRIPT: &str = "local t = redis.call('TIME') while true do end";

/// What the load sends, by family (the report counts commands per family).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Family {
    Strings,
    Keys,
    Lists,
    Hashes,
    Sets,
    SortedSets,
    Streams,
    HyperLogLog,
    PubSub,
    Scripts,
    Transactions,
    Databases,
    Acknowledged,
}

impl Family {
    /// Every family, in report order.
    pub(super) const ALL: [Family; 13] = [
        Family::Strings,
        Family::Keys,
        Family::Lists,
        Family::Hashes,
        Family::Sets,
        Family::SortedSets,
        Family::Streams,
        Family::HyperLogLog,
        Family::PubSub,
        Family::Scripts,
        Family::Transactions,
        Family::Databases,
        Family::Acknowledged,
    ];

    /// The family's name in the report.
    pub(super) fn name(self) -> &'static str {
        match self {
            Family::Strings => "strings",
            Family::Keys => "keys",
            Family::Lists => "lists",
            Family::Hashes => "hashes",
            Family::Sets => "sets",
            Family::SortedSets => "sorted sets",
            Family::Streams => "streams",
            Family::HyperLogLog => "hyperloglog",
            Family::PubSub => "pub/sub",
            Family::Scripts => "scripts",
            Family::Transactions => "transactions",
            Family::Databases => "databases",
            Family::Acknowledged => "acknowledged writes",
        }
    }
}

/// One unit of load: commands sent one after the other on one connection (a transaction is one op).
#[derive(Debug, Clone)]
pub(super) struct Op {
    pub(super) family: Family,
    /// A read that may go to a replica; writes always go to the master.
    pub(super) read: bool,
    pub(super) commands: Vec<Args>,
    /// Sent instead when the first command is answered `-NOSCRIPT` (EVALSHA of a script the node has not
    /// seen: the script cache does not replicate).
    pub(super) fallback: Option<Args>,
}

/// Draws the ops of one client thread; see the module documentation.
pub(super) struct Generator {
    rng: Rng,
    /// The database the next op runs in (`SELECT` is sent before it when the connection is elsewhere).
    pub(super) db: u32,
    ids: VecDeque<Vec<u8>>,
    shas: Vec<String>,
}

impl Generator {
    /// A generator drawing from `rng`; `shas` are the SHA1s of [`WRITE_SCRIPTS`], in order.
    pub(super) fn new(rng: Rng, shas: Vec<String>) -> Generator {
        Generator {
            rng,
            db: 0,
            ids: VecDeque::new(),
            shas,
        }
    }

    /// The generator's random source (the worker picks replicas with it).
    pub(super) fn rng(&mut self) -> &mut Rng {
        &mut self.rng
    }

    /// The next op.
    pub(super) fn next_op(&mut self) -> Op {
        const WEIGHTS: [(Family, u64); 12] = [
            (Family::Strings, 16),
            (Family::Keys, 9),
            (Family::Lists, 12),
            (Family::Hashes, 8),
            (Family::Sets, 8),
            (Family::SortedSets, 9),
            (Family::Streams, 10),
            (Family::HyperLogLog, 4),
            (Family::PubSub, 5),
            (Family::Scripts, 8),
            (Family::Transactions, 6),
            (Family::Databases, 3),
        ];
        let total: u64 = WEIGHTS.iter().map(|(_, weight)| weight).sum();
        let mut pick = self.rng.range(0, total);
        let family = WEIGHTS
            .iter()
            .find(|(_, weight)| {
                let found = pick < *weight;
                pick = pick.saturating_sub(*weight);
                found
            })
            .map(|(family, _)| *family)
            .expect("the pick is below the total weight");
        match family {
            Family::Strings => self.strings(),
            Family::Keys => self.keys(),
            Family::Lists => self.lists(),
            Family::Hashes => self.hashes(),
            Family::Sets => self.sets(),
            Family::SortedSets => self.sorted_sets(),
            Family::Streams => self.streams(),
            Family::HyperLogLog => self.hyperloglog(),
            Family::PubSub => self.publish(),
            Family::Scripts => self.scripts(),
            Family::Transactions => self.transaction(),
            Family::Databases | Family::Acknowledged => self.databases(),
        }
    }

    /// Learns from a reply what later ops need (the IDs `XADD` returned).
    pub(super) fn observe(&mut self, args: &Args, reply: &Frame) {
        if args
            .first()
            .is_some_and(|name| name.eq_ignore_ascii_case(b"XADD"))
            && let Frame::Bulk(id) = reply
        {
            if self.ids.len() == REMEMBERED_IDS {
                self.ids.pop_front();
            }
            self.ids.push_back(id.to_vec());
        }
    }

    fn key(&mut self, prefix: &str) -> Vec<u8> {
        if self.rng.chance(75) {
            format!("{prefix}:{}", self.rng.below(KEYS_PER_FAMILY)).into_bytes()
        } else {
            format!("k:{}", self.rng.below(SHARED_KEYS)).into_bytes()
        }
    }

    fn value(&mut self) -> Vec<u8> {
        let len = if self.rng.chance(5) {
            self.rng.range(100, 3000)
        } else {
            self.rng.range(1, 16)
        } as usize;
        (0..len)
            .map(|_| b"abcdefghijklmnopqrstuvwxyz0123456789"[self.rng.below(36)])
            .collect()
    }

    fn member(&mut self, prefix: &str, count: usize) -> String {
        format!("{prefix}{}", self.rng.below(count))
    }

    /// A blocking timeout between 0.05 and 0.5 s.
    fn block_timeout(&mut self) -> String {
        format!("{:.2}", self.rng.range(5, 51) as f64 / 100.0)
    }

    fn write(family: Family, commands: Vec<Args>) -> Op {
        Op {
            family,
            read: false,
            commands,
            fallback: None,
        }
    }

    fn read(family: Family, command: Args) -> Op {
        Op {
            family,
            read: true,
            commands: vec![command],
            fallback: None,
        }
    }

    fn strings(&mut self) -> Op {
        let key = self.key("s");
        let value = self.value();
        let command = match self.rng.below(16) {
            0 | 1 => argv!["SET", key, value],
            2 => argv!["SET", key, value, "EX", self.rng.range(1, 5)],
            3 => argv!["SET", key, value, "PX", self.rng.range(100, 3000)],
            4 => argv!["SET", key, value, *self.rng.pick(&["NX", "XX"]), "GET"],
            5 => argv!["INCR", key],
            6 => argv!["INCRBY", key, self.rng.signed(-100, 100)],
            7 => argv!["APPEND", key, value],
            8 => {
                let (second, third) = (self.key("s"), self.key("s"));
                argv!["MSET", key, value, second, "2", third, "3"]
            }
            9 => argv!["GETDEL", key],
            10 => argv!["SETRANGE", key, self.rng.range(0, 20), value],
            11 => argv!["GETEX", key, "PX", self.rng.range(100, 3000)],
            12 => return Generator::read(Family::Strings, argv!["GET", key]),
            13 => {
                let second = self.key("s");
                return Generator::read(Family::Strings, argv!["MGET", key, second]);
            }
            14 => return Generator::read(Family::Strings, argv!["STRLEN", key]),
            _ => argv!["DECR", key],
        };
        Generator::write(Family::Strings, vec![command])
    }

    fn keys(&mut self) -> Op {
        let prefix = *self.rng.pick(&["s", "l", "h", "set", "z", "x", "hll"]);
        let key = self.key(prefix);
        let other = self.key(prefix);
        let command = match self.rng.below(13) {
            0 => argv!["DEL", key, other],
            1 => argv!["EXPIRE", key, self.rng.range(1, 5)],
            2 => argv!["PEXPIRE", key, self.rng.range(50, 3000)],
            3 => argv!["PERSIST", key],
            4 => argv!["RENAME", key, other],
            5 => argv!["RENAMENX", key, other],
            6 => argv!["COPY", key, other, "REPLACE"],
            7 => argv![
                "COPY",
                key,
                other,
                "DB",
                self.rng.range(0, u64::from(LOAD_DBS))
            ],
            8 => argv!["UNLINK", key],
            9 => return Generator::read(Family::Keys, argv!["TYPE", key]),
            10 => return Generator::read(Family::Keys, argv!["EXISTS", key, other]),
            11 => return Generator::read(Family::Keys, argv!["PTTL", key]),
            _ => argv!["EXPIRE", key, self.rng.range(1, 5), "NX"],
        };
        Generator::write(Family::Keys, vec![command])
    }

    fn lists(&mut self) -> Op {
        let key = self.key("l");
        let other = self.key("l");
        let value = self.value();
        let command = match self.rng.below(16) {
            0 | 1 => argv!["LPUSH", key, value, "x"],
            2 | 3 => argv!["RPUSH", key, value],
            4 => argv!["LPOP", key],
            5 => argv!["RPOP", key, self.rng.range(1, 4)],
            6 => argv!["LTRIM", key, 0u64, 30u64],
            7 => argv!["LMOVE", key, other, "LEFT", "RIGHT"],
            8 => argv!["LINSERT", key, "BEFORE", "x", value],
            9 => argv!["LREM", key, 1u64, "x"],
            10 => argv!["LSET", key, 0u64, value],
            11 => argv!["BLPOP", key, other, self.block_timeout()],
            12 => argv!["BRPOP", key, self.block_timeout()],
            13 => argv!["BLMOVE", key, other, "RIGHT", "LEFT", self.block_timeout()],
            14 => return Generator::read(Family::Lists, argv!["LRANGE", key, 0u64, -1i64]),
            _ => return Generator::read(Family::Lists, argv!["LLEN", key]),
        };
        Generator::write(Family::Lists, vec![command])
    }

    fn hashes(&mut self) -> Op {
        let key = self.key("h");
        let field = self.member("f", 16);
        let value = self.value();
        let command = match self.rng.below(10) {
            0..=2 => {
                let second = self.member("f", 16);
                argv!["HSET", key, field, value, second, "1"]
            }
            3 => argv!["HDEL", key, field],
            4 => argv!["HINCRBY", key, field, self.rng.signed(-10, 10)],
            5 => argv!["HSETNX", key, field, value],
            6 => argv!["HINCRBYFLOAT", key, field, "1.5"],
            7 => return Generator::read(Family::Hashes, argv!["HGETALL", key]),
            8 => return Generator::read(Family::Hashes, argv!["HGET", key, field]),
            _ => return Generator::read(Family::Hashes, argv!["HLEN", key]),
        };
        Generator::write(Family::Hashes, vec![command])
    }

    fn sets(&mut self) -> Op {
        let key = self.key("set");
        let other = self.key("set");
        let member = self.member("m", 32);
        let command = match self.rng.below(11) {
            0..=2 => {
                let second = self.member("m", 32);
                argv!["SADD", key, member, second]
            }
            3 => argv!["SREM", key, member],
            4 => argv!["SPOP", key, self.rng.range(1, 3)],
            5 => argv!["SMOVE", key, other, member],
            6 => argv!["SINTERSTORE", key, other, self.key("set")],
            7 => argv!["SUNIONSTORE", key, other, self.key("set")],
            8 => return Generator::read(Family::Sets, argv!["SMEMBERS", key]),
            9 => return Generator::read(Family::Sets, argv!["SISMEMBER", key, member]),
            _ => return Generator::read(Family::Sets, argv!["SRANDMEMBER", key, 2u64]),
        };
        Generator::write(Family::Sets, vec![command])
    }

    fn sorted_sets(&mut self) -> Op {
        let key = self.key("z");
        let other = self.key("z");
        let member = self.member("m", 32);
        let score = self.rng.signed(-50, 50);
        let command = match self.rng.below(13) {
            0..=2 => argv!["ZADD", key, score, member],
            3 => argv!["ZADD", key, "GT", "CH", score, member],
            4 => argv!["ZINCRBY", key, "2.5", member],
            5 => argv!["ZREM", key, member],
            6 => argv!["ZPOPMIN", key],
            7 => argv!["ZREMRANGEBYRANK", key, 0u64, 0u64],
            8 => argv!["ZUNIONSTORE", key.clone(), 2u64, key, other],
            9 => argv!["BZPOPMIN", key, other, self.block_timeout()],
            10 => argv!["BZPOPMAX", key, self.block_timeout()],
            11 => {
                return Generator::read(
                    Family::SortedSets,
                    argv!["ZRANGE", key, 0u64, -1i64, "WITHSCORES"],
                );
            }
            _ => return Generator::read(Family::SortedSets, argv!["ZSCORE", key, member]),
        };
        Generator::write(Family::SortedSets, vec![command])
    }

    fn stream_id(&mut self) -> Vec<u8> {
        if self.ids.is_empty() {
            return b"0-1".to_vec();
        }
        let index = self.rng.below(self.ids.len());
        self.ids[index].clone()
    }

    fn streams(&mut self) -> Op {
        let key = self.key("x");
        let group = self.member("g", 2);
        let consumer = self.member("c", 4);
        let value = self.value();
        let command = match self.rng.below(16) {
            0..=2 => argv!["XADD", key, "MAXLEN", "~", 40u64, "*", "f", value],
            3 => argv!["XADD", key, "*", "f", value, "g", "1"],
            4 => argv![
                "XGROUP",
                "CREATE",
                key,
                group,
                *self.rng.pick(&["$", "0"]),
                "MKSTREAM"
            ],
            5 | 6 => argv![
                "XREADGROUP",
                "GROUP",
                group,
                consumer,
                "COUNT",
                self.rng.range(1, 6),
                "BLOCK",
                self.rng.range(20, 400),
                "STREAMS",
                key,
                ">"
            ],
            7 => argv![
                "XREADGROUP",
                "GROUP",
                group,
                consumer,
                "COUNT",
                3u64,
                "STREAMS",
                key,
                "0"
            ],
            8 => argv!["XACK", key, group, self.stream_id(), self.stream_id()],
            9 => argv!["XCLAIM", key, group, consumer, 0u64, self.stream_id()],
            10 => argv![
                "XAUTOCLAIM",
                key,
                group,
                consumer,
                0u64,
                "0-0",
                "COUNT",
                5u64
            ],
            11 => argv![
                "XTRIM",
                key,
                "MAXLEN",
                *self.rng.pick(&["~", "="]),
                self.rng.range(0, 40)
            ],
            12 => argv!["XDEL", key, self.stream_id()],
            13 => return Generator::read(Family::Streams, argv!["XLEN", key]),
            14 => {
                return Generator::read(
                    Family::Streams,
                    argv!["XRANGE", key, "-", "+", "COUNT", 10u64],
                );
            }
            _ => return Generator::read(Family::Streams, argv!["XPENDING", key, group]),
        };
        Generator::write(Family::Streams, vec![command])
    }

    fn hyperloglog(&mut self) -> Op {
        let key = self.key("hll");
        let command = match self.rng.below(6) {
            0..=2 => {
                let (first, second) = (self.member("e", 100), self.member("e", 100));
                argv!["PFADD", key, first, second]
            }
            // PFCOUNT of one key refreshes the cardinality cached inside the value and is propagated: on a
            // replica (a client whose view of the master is a moment old) it would change the replica's copy
            // alone, as in Redis. Behind a write in a transaction it can only run on the master: on a replica
            // the PFADD is refused and the transaction aborted.
            3 => {
                let member = self.member("e", 100);
                let commands = vec![
                    argv!["MULTI"],
                    argv!["PFADD", key.clone(), member],
                    argv!["PFCOUNT", key],
                    argv!["EXEC"],
                ];
                return Generator::write(Family::HyperLogLog, commands);
            }
            // Of several keys it reads a merged copy and changes nothing.
            4 => {
                let other = self.key("hll");
                return Generator::read(Family::HyperLogLog, argv!["PFCOUNT", key, other]);
            }
            _ => {
                let (first, second) = (self.key("hll"), self.key("hll"));
                argv!["PFMERGE", key, first, second]
            }
        };
        Generator::write(Family::HyperLogLog, vec![command])
    }

    fn publish(&mut self) -> Op {
        let channel = format!("ch:{}", self.rng.below(CHANNELS));
        let message = self.value();
        let command = argv!["PUBLISH", channel, message];
        if self.rng.chance(20) {
            Generator::read(Family::PubSub, command)
        } else {
            Generator::write(Family::PubSub, vec![command])
        }
    }

    fn scripts(&mut self) -> Op {
        let which = self.rng.below(WRITE_SCRIPTS.len());
        let keys_and_args: Args = match which {
            0 => argv![2u64, self.key("s"), self.key("s")],
            1 => argv![1u64, self.key("set"), self.member("m", 32)],
            2 => argv![1u64, self.key("l"), self.value()],
            _ => argv![
                1u64,
                self.key("z"),
                self.rng.signed(-50, 50),
                self.member("m", 32)
            ],
        };
        let with = |name: &str, script: &str| -> Args {
            let mut command = argv![name, script];
            command.extend(keys_and_args.iter().cloned());
            command
        };
        match self.rng.below(8) {
            0 | 1 => Generator::write(Family::Scripts, vec![with("EVAL", WRITE_SCRIPTS[which])]),
            2 | 3 => Op {
                family: Family::Scripts,
                read: false,
                commands: vec![with("EVALSHA", &self.shas[which].clone())],
                fallback: Some(with("EVAL", WRITE_SCRIPTS[which])),
            },
            4 => {
                let script = *self.rng.pick(&READ_SCRIPTS);
                Generator::read(
                    Family::Scripts,
                    argv!["EVAL_RO", script, 1u64, self.key("s")],
                )
            }
            5 => Generator::write(
                Family::Scripts,
                vec![argv![
                    "FCALL",
                    "tt_incr",
                    2u64,
                    self.key("s"),
                    self.key("l"),
                    self.rng.range(1, 10)
                ]],
            ),
            6 => Generator::write(
                Family::Scripts,
                vec![argv![
                    "FCALL",
                    "tt_hset",
                    1u64,
                    self.key("h"),
                    self.member("f", 16),
                    self.value()
                ]],
            ),
            _ => Generator::read(
                Family::Scripts,
                argv!["FCALL_RO", "tt_get", 1u64, self.key("s")],
            ),
        }
    }

    /// A plain, non-blocking write for a transaction.
    fn simple_write(&mut self) -> Args {
        match self.rng.below(10) {
            0 => argv!["SET", self.key("s"), self.value()],
            1 => argv!["INCR", self.key("s")],
            2 => argv!["RPUSH", self.key("l"), self.value()],
            3 => argv!["HSET", self.key("h"), self.member("f", 16), self.value()],
            4 => argv!["SADD", self.key("set"), self.member("m", 32)],
            5 => argv![
                "ZADD",
                self.key("z"),
                self.rng.signed(-50, 50),
                self.member("m", 32)
            ],
            6 => argv!["DEL", self.key("s")],
            7 => argv!["PEXPIRE", self.key("l"), self.rng.range(50, 3000)],
            8 => argv![
                "XADD",
                self.key("x"),
                "MAXLEN",
                "~",
                40u64,
                "*",
                "f",
                self.value()
            ],
            _ => argv!["PFADD", self.key("hll"), self.member("e", 100)],
        }
    }

    fn transaction(&mut self) -> Op {
        let mut commands = Vec::new();
        match self.rng.below(5) {
            0 | 1 => {
                commands.push(argv!["MULTI"]);
                for _ in 0..self.rng.range(2, 5) {
                    let write = self.simple_write();
                    commands.push(write);
                }
                commands.push(argv!["EXEC"]);
            }
            2 | 3 => {
                let key = self.key("s");
                commands.push(argv!["WATCH", key.clone()]);
                commands.push(argv!["GET", key.clone()]);
                commands.push(argv!["MULTI"]);
                commands.push(argv!["SET", key, self.value()]);
                let write = self.simple_write();
                commands.push(write);
                commands.push(argv!["EXEC"]);
            }
            _ => {
                commands.push(argv!["MULTI"]);
                let write = self.simple_write();
                commands.push(write);
                commands.push(argv!["DISCARD"]);
            }
        }
        Generator::write(Family::Transactions, commands)
    }

    fn databases(&mut self) -> Op {
        let roll = self.rng.below(200);
        if roll < 2 {
            return Generator::write(Family::Databases, vec![argv!["FLUSHDB"]]);
        }
        if roll < 10 {
            let first = self.rng.range(0, u64::from(LOAD_DBS));
            let second = self.rng.range(0, u64::from(LOAD_DBS));
            return Generator::write(Family::Databases, vec![argv!["SWAPDB", first, second]]);
        }
        if roll < 120 {
            // SELECT is sent by the worker before its next op; this op reads in the new database.
            self.db = self.rng.range(0, u64::from(LOAD_DBS)) as u32;
        }
        let command = match self.rng.below(3) {
            0 => argv!["DBSIZE"],
            1 => argv!["RANDOMKEY"],
            _ => argv!["SCAN", 0u64, "COUNT", 20u64],
        };
        Generator::read(Family::Databases, command)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_draws_the_same_ops() {
        let shas = vec!["0".repeat(40); WRITE_SCRIPTS.len()];
        let mut first = Generator::new(Rng::new(5), shas.clone());
        let mut second = Generator::new(Rng::new(5), shas);
        for _ in 0..500 {
            assert_eq!(first.next_op().commands, second.next_op().commands);
        }
    }

    #[test]
    fn every_family_is_drawn_and_no_op_touches_the_ack_database() {
        let mut generator = Generator::new(Rng::new(9), vec!["0".repeat(40); WRITE_SCRIPTS.len()]);
        let mut seen = Vec::new();
        for _ in 0..5000 {
            let op = generator.next_op();
            if !seen.contains(&op.family) {
                seen.push(op.family);
            }
            assert!(generator.db < LOAD_DBS);
            for command in &op.commands {
                let name = String::from_utf8_lossy(&command[0]).to_uppercase();
                assert!(
                    !["FLUSHALL", "SELECT", "MOVE"].contains(&name.as_str()),
                    "{name}"
                );
                if name == "SWAPDB" || (name == "COPY" && command.len() > 4) {
                    let db: u32 = String::from_utf8_lossy(command.last().expect("args"))
                        .parse()
                        .unwrap_or(0);
                    assert!(db < LOAD_DBS);
                }
            }
        }
        assert_eq!(seen.len(), Family::ALL.len() - 1, "{seen:?}");
    }
}
