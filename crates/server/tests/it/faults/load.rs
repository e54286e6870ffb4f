//! A seeded, deterministic write load of varied commands for replication tests (on testkit's [`Rng`]).
//!
//! The load uses the string commands both servers have (SET with and without TTLs, SETEX, PSETEX, SETNX, MSET,
//! APPEND, INCR/INCRBY/DECR, DEL, UNLINK, EXPIRE, PEXPIRE, PERSIST, RENAME) over several databases (SELECT),
//! with binary values (CR, LF and NUL bytes included) from a few bytes up to tens of KB, so a stream cut at a
//! random byte lands anywhere: in a command's header, in the middle of a value, between commands. Other types
//! (hashes, lists, sets, sorted sets) join in when every node under test lists their commands in `COMMAND INFO`.
//!
//! TTLs are hours long: no key expires while a test runs, so data sets can be compared key by key.

use resp::Frame;
use testkit::{Client, Node, Rng};

/// The key types beyond strings that a load may use.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExtraTypes {
    /// HSET, HDEL (read back with HGETALL).
    pub hashes: bool,
    /// RPUSH, LPOP (LRANGE).
    pub lists: bool,
    /// SADD, SREM (SMEMBERS).
    pub sets: bool,
    /// ZADD, ZREM (ZRANGE WITHSCORES).
    pub sorted_sets: bool,
}

impl ExtraTypes {
    /// The types whose write and read commands every one of `nodes` knows (`COMMAND INFO`).
    pub fn supported_by(nodes: &[&Node]) -> ExtraTypes {
        let all_know = |names: &[&str]| nodes.iter().all(|node| knows(node, names));
        ExtraTypes {
            hashes: all_know(&["hset", "hdel", "hgetall"]),
            lists: all_know(&["rpush", "lpop", "lrange"]),
            sets: all_know(&["sadd", "srem", "smembers"]),
            sorted_sets: all_know(&["zadd", "zrem", "zrange"]),
        }
    }
}

/// An endless, seeded sequence of write commands.
#[derive(Debug, Clone)]
pub struct Load {
    rng: Rng,
    extra: ExtraTypes,
    /// Largest value written, in bytes (some values are this big, most are small).
    max_value: usize,
}

/// Databases the load writes to (0 to 3).
pub const LOAD_DATABASES: u64 = 4;

/// Keys per kind and database: small enough that keys are overwritten, appended and deleted often.
const KEYS: u64 = 200;

impl Load {
    /// A load seeded with `seed`, strings only, values up to 20 KB.
    pub fn new(seed: u64) -> Load {
        Load {
            rng: Rng::new(seed),
            extra: ExtraTypes::default(),
            max_value: 20_000,
        }
    }

    /// Also write these types.
    pub fn with_types(mut self, extra: ExtraTypes) -> Load {
        self.extra = extra;
        self
    }

    /// The next command (argument vector).
    pub fn next_command(&mut self) -> Vec<Vec<u8>> {
        let key = format!("s:{}", self.rng.range(0, KEYS));
        let counter = format!("n:{}", self.rng.range(0, KEYS / 4));
        let roll = self.rng.range(0, 100);
        let words: Vec<Vec<u8>> = match roll {
            0..=4 => vec![
                b"SELECT".to_vec(),
                self.rng.range(0, LOAD_DATABASES).to_string().into(),
            ],
            5..=24 => vec![b"SET".to_vec(), key.into(), self.value()],
            25..=29 => vec![
                b"SET".to_vec(),
                key.into(),
                self.value(),
                b"EX".to_vec(),
                ttl_seconds(&mut self.rng).into(),
            ],
            30..=32 => vec![
                b"SETEX".to_vec(),
                key.into(),
                ttl_seconds(&mut self.rng).into(),
                self.value(),
            ],
            33..=34 => vec![
                b"PSETEX".to_vec(),
                key.into(),
                (ttl_seconds(&mut self.rng).parse::<u64>().expect("number") * 1000)
                    .to_string()
                    .into(),
                self.value(),
            ],
            35..=37 => vec![b"SETNX".to_vec(), key.into(), self.value()],
            38..=44 => {
                let mut words = vec![b"MSET".to_vec()];
                for _ in 0..self.rng.range(1, 5) {
                    words.push(format!("s:{}", self.rng.range(0, KEYS)).into());
                    let value = self.small_value();
                    words.push(value);
                }
                words
            }
            45..=51 => vec![b"APPEND".to_vec(), key.into(), self.small_value()],
            52..=57 => vec![b"INCR".to_vec(), counter.into()],
            58..=60 => vec![
                b"INCRBY".to_vec(),
                counter.into(),
                (self.rng.range(0, 2001) as i64 - 1000).to_string().into(),
            ],
            61..=62 => vec![b"DECR".to_vec(), counter.into()],
            63..=66 => vec![
                b"DEL".to_vec(),
                key.into(),
                format!("s:{}", self.rng.range(0, KEYS)).into(),
            ],
            67 => vec![b"UNLINK".to_vec(), key.into()],
            68..=70 => vec![
                b"EXPIRE".to_vec(),
                key.into(),
                ttl_seconds(&mut self.rng).into(),
            ],
            71 => vec![
                b"PEXPIRE".to_vec(),
                key.into(),
                (ttl_seconds(&mut self.rng).parse::<u64>().expect("number") * 1000)
                    .to_string()
                    .into(),
            ],
            72..=73 => vec![b"PERSIST".to_vec(), key.into()],
            74 => vec![
                b"RENAME".to_vec(),
                key.into(),
                format!("s:{}", self.rng.range(0, KEYS)).into(),
            ],
            75..=80 if self.extra.hashes => vec![
                b"HSET".to_vec(),
                format!("h:{}", self.rng.range(0, KEYS / 4)).into(),
                format!("f{}", self.rng.range(0, 50)).into(),
                self.small_value(),
            ],
            81..=82 if self.extra.hashes => vec![
                b"HDEL".to_vec(),
                format!("h:{}", self.rng.range(0, KEYS / 4)).into(),
                format!("f{}", self.rng.range(0, 50)).into(),
            ],
            83..=86 if self.extra.lists => vec![
                b"RPUSH".to_vec(),
                format!("l:{}", self.rng.range(0, KEYS / 4)).into(),
                self.small_value(),
            ],
            87 if self.extra.lists => vec![
                b"LPOP".to_vec(),
                format!("l:{}", self.rng.range(0, KEYS / 4)).into(),
            ],
            88..=90 if self.extra.sets => vec![
                b"SADD".to_vec(),
                format!("t:{}", self.rng.range(0, KEYS / 4)).into(),
                format!("m{}", self.rng.range(0, 100)).into(),
            ],
            91 if self.extra.sets => vec![
                b"SREM".to_vec(),
                format!("t:{}", self.rng.range(0, KEYS / 4)).into(),
                format!("m{}", self.rng.range(0, 100)).into(),
            ],
            92..=94 if self.extra.sorted_sets => vec![
                b"ZADD".to_vec(),
                format!("z:{}", self.rng.range(0, KEYS / 4)).into(),
                self.rng.range(0, 1000).to_string().into(),
                format!("m{}", self.rng.range(0, 100)).into(),
            ],
            95 if self.extra.sorted_sets => vec![
                b"ZREM".to_vec(),
                format!("z:{}", self.rng.range(0, KEYS / 4)).into(),
                format!("m{}", self.rng.range(0, 100)).into(),
            ],
            _ => vec![b"SET".to_vec(), key.into(), self.small_value()],
        };
        words
    }

    /// Sends `count` commands to `client`, pipelined in batches, and reads every reply. Error replies (such as
    /// RENAME of a missing key) are part of the load; a broken connection is not.
    #[track_caller]
    pub fn run(&mut self, client: &mut Client, count: usize) {
        const BATCH: usize = 32;
        let mut sent = 0;
        while sent < count {
            let batch = BATCH.min(count - sent);
            for _ in 0..batch {
                let command = self.next_command();
                client
                    .send(&command)
                    .unwrap_or_else(|error| panic!("load: send: {error}"));
            }
            for _ in 0..batch {
                match client.read_reply() {
                    Ok(_) => {}
                    Err(error) => panic!("load: reply: {error}"),
                }
            }
            sent += batch;
        }
    }

    /// Runs `count` commands on a new connection to `node` (which starts in database 0).
    #[track_caller]
    pub fn run_on(&mut self, node: &Node, count: usize) {
        let mut client = node.client();
        self.run(&mut client, count);
    }

    /// A value: mostly small, sometimes up to `max_value` bytes, always binary.
    fn value(&mut self) -> Vec<u8> {
        let len = match self.rng.range(0, 10) {
            0 => self.rng.range(1_000, self.max_value.max(1_001) as u64),
            1..=3 => self.rng.range(100, 1_000),
            _ => self.rng.range(0, 100),
        };
        self.rng.bytes(len as usize)
    }

    fn small_value(&mut self) -> Vec<u8> {
        let len = self.rng.range(0, 64) as usize;
        self.rng.bytes(len)
    }
}

/// A TTL between 3 and 30 hours, as a decimal string: no key expires during a test.
fn ttl_seconds(rng: &mut Rng) -> String {
    rng.range(3 * 3600, 30 * 3600).to_string()
}

/// Whether `node` lists every command of `names` in `COMMAND INFO`.
fn knows(node: &Node, names: &[&str]) -> bool {
    let mut args = vec!["COMMAND", "INFO"];
    args.extend_from_slice(names);
    match node.cmd(&args) {
        Frame::Array(infos) => {
            infos.len() == names.len()
                && infos
                    .iter()
                    .all(|info| matches!(info, Frame::Array(fields) if !fields.is_empty()))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_load_is_deterministic() {
        let first: Vec<_> = {
            let mut load = Load::new(7);
            (0..200).map(|_| load.next_command()).collect()
        };
        let mut load = Load::new(7);
        let again: Vec<_> = (0..200).map(|_| load.next_command()).collect();
        assert_eq!(first, again);
        let mut other = Load::new(8);
        assert_ne!(
            first[0..10],
            (0..10).map(|_| other.next_command()).collect::<Vec<_>>()
        );
    }
}
