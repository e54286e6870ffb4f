//! The command table: one [`CommandSpec`] per command (name, arity, flags, keys, handler), looked up by
//! [`lookup`]. Handlers live one family per file; each parses its arguments, applies them through a
//! [`Ctx`], and says what to propagate. The generic checks (arity, auth, read-only replica, stale data)
//! happen once, in [`crate::dispatch`], driven by the flags.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use bytes::Bytes;
use keyspace::{Db, ExpiryPolicy};
use resp::Frame;

use crate::client::ClientState;
use crate::core::Core;
use crate::scripting::commands as scripts;
use crate::shared::Shared;

mod acl;
mod client;
mod collections;
mod connection;
mod debug;
mod docs;
mod expire;
mod failover;
pub mod float;
mod functions;
mod getex;
mod hashes;
mod hyperloglog;
mod keys;
mod keys_copy;
mod keys_dump;
mod keys_scan;
mod lists;
mod pubsub;
mod ranges;
mod replication;
mod server;
mod set_ops;
mod sets;
mod slowlog;
mod streams;
mod strings;
#[cfg(test)]
mod sweep_tests;
mod transactions;
mod zsets;

/// Command flags, as in Redis's command table.
pub mod flags {
    /// Modifies the data set: refused on a read-only replica, propagated to replicas.
    pub const WRITE: u32 = 1 << 0;
    /// Only reads data.
    pub const READONLY: u32 = 1 << 1;
    /// Administrative.
    pub const ADMIN: u32 = 1 << 2;
    /// Allowed while a replica's link is down and `replica-serve-stale-data` is `no`.
    pub const STALE: u32 = 1 << 3;
    /// Allowed before authentication.
    pub const NO_AUTH: u32 = 1 << 4;
    /// O(1) or O(log n).
    pub const FAST: u32 = 1 << 5;
    /// May grow memory.
    pub const DENYOOM: u32 = 1 << 6;
    /// Not allowed in scripts.
    pub const NOSCRIPT: u32 = 1 << 7;
    /// Allowed while loading.
    pub const LOADING: u32 = 1 << 8;
    /// Refused inside `MULTI` (`-ERR Command not allowed inside a transaction`).
    pub const NO_MULTI: u32 = 1 << 9;
    /// Pub/Sub command.
    pub const PUBSUB: u32 = 1 << 10;
    /// May block the client (`BLPOP`, `BZPOPMIN`...); listed by `COMMAND`, decides nothing else.
    pub const BLOCKING: u32 = 1 << 11;
    /// Runs even while a script is busy (`SCRIPT KILL`, `SHUTDOWN`, `AUTH`...).
    pub const ALLOW_BUSY: u32 = 1 << 12;
    /// May feed the replication stream without being a write (`EVAL`, `FCALL`, `PUBLISH`, `PFCOUNT`): held
    /// like writes while writes are paused (`CLIENT PAUSE WRITE`, `FAILOVER`), as Redis's `may-replicate`.
    pub const MAY_REPLICATE: u32 = 1 << 13;
}

/// A handler: applies the command (argv\[0\] is the name) and returns the reply.
pub type Handler = fn(&mut Ctx<'_>, &[Bytes]) -> Frame;

/// One command's metadata and handler.
#[derive(Debug)]
pub struct CommandSpec {
    /// Lower-case name.
    pub name: &'static str,
    /// Redis arity: N = exactly N arguments including the name, -N = at least N.
    pub arity: i32,
    /// [`flags`] bits.
    pub flags: u32,
    /// Position of the first key (0 = no keys).
    pub first_key: i32,
    /// Position of the last key (-1 = last argument).
    pub last_key: i32,
    /// Step between keys.
    pub key_step: i32,
    /// The implementation; reached only through [`CommandSpec::invoke`].
    handler: Handler,
}

impl CommandSpec {
    /// Runs the handler, after checking the arity: every caller (a client, `EXEC`'s queue, `redis.call`, the
    /// AOF loader, the master's stream) goes through here, so no handler is ever reached with an argument
    /// count its spec refuses (handlers index `argv` by the arity they were declared with).
    pub fn invoke(&self, ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Frame {
        if !self.arity_ok(argv.len()) {
            return crate::errors::wrong_arity(self.name);
        }
        (self.handler)(ctx, argv)
    }

    /// Whether `argc` (including the name) satisfies the arity.
    pub fn arity_ok(&self, argc: usize) -> bool {
        let argc = argc as i64;
        let arity = i64::from(self.arity);
        if arity >= 0 {
            argc == arity
        } else {
            argc >= -arity
        }
    }

    /// Whether a flag is set.
    pub fn has(&self, flag: u32) -> bool {
        self.flags & flag != 0
    }

    /// The key arguments of `argv`, from the spec's key positions.
    pub fn keys<'a>(&self, argv: &'a [Bytes]) -> impl Iterator<Item = &'a Bytes> {
        let len = argv.len() as i32;
        let last = if self.last_key < 0 {
            len + self.last_key
        } else {
            self.last_key
        };
        let step = self.key_step.max(1) as usize;
        let range = if self.first_key > 0 && last >= self.first_key {
            self.first_key as usize..(last as usize + 1).min(argv.len())
        } else {
            0..0
        };
        argv[range].iter().step_by(step)
    }

    /// Names of the set flags, as `COMMAND` lists them.
    pub fn flag_names(&self) -> Vec<&'static str> {
        let names = [
            (flags::WRITE, "write"),
            (flags::READONLY, "readonly"),
            (flags::DENYOOM, "denyoom"),
            (flags::ADMIN, "admin"),
            (flags::PUBSUB, "pubsub"),
            (flags::NOSCRIPT, "noscript"),
            (flags::BLOCKING, "blocking"),
            (flags::LOADING, "loading"),
            (flags::STALE, "stale"),
            (flags::FAST, "fast"),
            (flags::NO_AUTH, "no_auth"),
            (flags::NO_MULTI, "no_multi"),
        ];
        names
            .iter()
            .filter(|(flag, _)| self.has(*flag))
            .map(|(_, name)| *name)
            .collect()
    }
}

/// What a handler may touch: the locked core, its own client, and the shared server handles.
pub struct Ctx<'a> {
    /// Data, replication state, role.
    pub core: &'a mut Core,
    /// The calling client.
    pub client: &'a mut ClientState,
    /// Config, stats, shutdown and task handles.
    pub shared: &'a Arc<Shared>,
    /// Unix time in milliseconds, fixed for the whole command (Redis also caches it per command).
    pub now_ms: i64,
    /// How this command sees logically expired keys.
    pub policy: ExpiryPolicy,
    /// What to propagate, each command with the database it applies to.
    propagation: Vec<(usize, Vec<Bytes>)>,
    /// The running command reported the keys it modified itself (see [`Ctx::touch`]).
    touched_explicitly: bool,
    /// When the previous command run through this context ended (its end is the next one's start).
    pub(crate) clock_hint: Option<std::time::Instant>,
}

impl<'a> Ctx<'a> {
    /// A context for one command.
    pub fn new(
        core: &'a mut Core,
        client: &'a mut ClientState,
        shared: &'a Arc<Shared>,
        now_ms: i64,
        policy: ExpiryPolicy,
    ) -> Ctx<'a> {
        Ctx {
            core,
            client,
            shared,
            now_ms,
            policy,
            propagation: Vec::new(),
            touched_explicitly: false,
            clock_hint: None,
        }
    }

    /// The value under `key` for reading, narrowed to one type by `pick`: `Ok(None)` when missing, the
    /// WRONGTYPE reply when it holds another type.
    pub(crate) fn read_as<T>(
        &mut self,
        key: &[u8],
        pick: fn(&keyspace::Value) -> Option<&T>,
    ) -> Result<Option<&T>, Frame> {
        let (now, policy) = (self.now_ms, self.policy);
        match self.db().get(key, now, policy) {
            None => Ok(None),
            Some(entry) => pick(&entry.value)
                .map(Some)
                .ok_or_else(|| crate::errors::reply(crate::errors::WRONG_TYPE)),
        }
    }

    /// Like [`Ctx::read_as`], for changing the value in place.
    pub(crate) fn write_as<T>(
        &mut self,
        key: &[u8],
        pick: fn(&mut keyspace::Value) -> Option<&mut T>,
    ) -> Result<Option<&mut T>, Frame> {
        let (now, policy) = (self.now_ms, self.policy);
        match self.db().get_mut(key, now, policy) {
            None => Ok(None),
            Some(value) => pick(value)
                .map(Some)
                .ok_or_else(|| crate::errors::reply(crate::errors::WRONG_TYPE)),
        }
    }

    /// The client's selected database.
    pub fn db(&mut self) -> &mut Db {
        let index = self.client.db;
        self.core
            .keyspace
            .db_mut(index)
            .expect("SELECT only ever stores a valid database index")
    }

    /// Appends what a script's writes propagate (their changes were already counted as they ran).
    pub fn append_propagation(&mut self, effects: Vec<(usize, Vec<Bytes>)>) {
        if self.core.records_propagation() {
            self.propagation.extend(effects);
        }
    }

    /// Propagates the command exactly as the client sent it, and counts one change.
    pub fn propagate_verbatim(&mut self, argv: &[Bytes]) {
        if self.core.records_propagation() {
            self.propagation.push((self.client.db, argv.to_vec()));
        }
        self.core.persistence.dirty += 1;
    }

    /// Propagates a rewritten command (relative times made absolute, effects instead of intent), and counts
    /// one change.
    pub fn propagate(&mut self, args: Vec<Bytes>) {
        // With neither a backlog nor an AOF nothing is recorded (Redis does the same), so skip building the unit.
        if self.core.records_propagation() {
            self.propagation.push((self.client.db, args));
        }
        self.core.persistence.dirty += 1;
    }

    /// Propagates the command verbatim without counting a change to the data (`PUBLISH`).
    pub fn propagate_without_change(&mut self, argv: &[Bytes]) {
        if self.core.records_propagation() {
            self.propagation.push((self.client.db, argv.to_vec()));
        }
    }

    /// Tells `WATCH`ers that `key` of the client's database changed. Commands whose key positions in the table
    /// describe what they modify need not call it: [`crate::dispatch::call`] touches those keys whenever a
    /// write counted a change. Calling it (or [`Ctx::touch_in`]) replaces that generic touch for this command.
    pub fn touch(&mut self, key: &[u8]) {
        let db = self.client.db;
        self.touch_in(db, key);
    }

    /// Tells `WATCH`ers that `key` of database `db` changed.
    pub fn touch_in(&mut self, db: usize, key: &[u8]) {
        self.touched_explicitly = true;
        crate::watch::touch_key(self.core, db, key);
    }

    /// Tells `WATCH`ers that database `db` is about to be emptied, or swapped with `swapped_with`.
    pub fn touch_db(&mut self, db: usize, swapped_with: Option<usize>) {
        self.touched_explicitly = true;
        let core = &mut *self.core;
        core.blocking.signal_db(db);
        if let Some(other) = swapped_with {
            core.blocking.signal_db(other);
        }
        if core.watches.is_empty() {
            return;
        }
        let (Some(emptied), now) = (core.keyspace.db(db), self.now_ms) else {
            return;
        };
        let replaced = swapped_with.and_then(|other| core.keyspace.db(other));
        core.watches.touch_db(db, emptied, replaced, now);
    }

    /// Whether the running command touched keys itself; resets the mark for the next command.
    pub fn take_touched_explicitly(&mut self) -> bool {
        std::mem::take(&mut self.touched_explicitly)
    }

    /// Number of commands queued for propagation so far.
    pub fn propagation_len(&self) -> usize {
        self.propagation.len()
    }

    /// Queues `DEL`s of keys deleted by expiry at position `at`, so they precede the effects of the command
    /// that found them expired.
    pub fn insert_propagation(&mut self, at: usize, commands: Vec<(usize, Vec<Bytes>)>) {
        if self.core.records_propagation() {
            self.propagation.splice(at..at, commands);
        }
    }

    /// Counts changes that are not propagated by this command itself (e.g. FLUSHALL is propagated verbatim
    /// once but changes many keys).
    pub fn add_dirty(&mut self, changes: u64) {
        self.core.persistence.dirty += changes;
    }

    /// What the command asked to propagate, each with its database.
    pub fn take_propagation(&mut self) -> Vec<(usize, Vec<Bytes>)> {
        std::mem::take(&mut self.propagation)
    }
}

/// Redis 7.0's subcommands of the containers we run, with their arities (negative: at least that many
/// arguments), from its command table. A subcommand Redis has and we do not run is still listed: it is
/// queued inside MULTI like in Redis and then answered by the handler.
const SUBCOMMANDS: &[(&str, &[(&str, i32)])] = &[
    (
        "client",
        &[
            ("caching", 3),
            ("getname", 2),
            ("getredir", 2),
            ("help", 2),
            ("id", 2),
            ("info", 2),
            ("kill", -3),
            ("list", -2),
            ("no-evict", 3),
            ("pause", -3),
            ("reply", 3),
            ("setname", 3),
            ("tracking", -3),
            ("trackinginfo", 2),
            ("unblock", -3),
            ("unpause", 2),
        ],
    ),
    (
        "command",
        &[
            ("count", 2),
            ("docs", -2),
            ("getkeys", -4),
            ("getkeysandflags", -4),
            ("help", 2),
            ("info", -2),
            ("list", -2),
        ],
    ),
    (
        "config",
        &[
            ("get", -3),
            ("help", 2),
            ("resetstat", 2),
            ("rewrite", 2),
            ("set", -4),
        ],
    ),
    (
        "function",
        &[
            ("delete", 3),
            ("dump", 2),
            ("flush", -2),
            ("help", 2),
            ("kill", 2),
            ("list", -2),
            ("load", -3),
            ("restore", -3),
            ("stats", 2),
        ],
    ),
    (
        "object",
        &[
            ("encoding", 3),
            ("freq", 3),
            ("help", 2),
            ("idletime", 3),
            ("refcount", 3),
        ],
    ),
    (
        "pubsub",
        &[
            ("channels", -2),
            ("help", 2),
            ("numpat", 2),
            ("numsub", -2),
            ("shardchannels", -2),
            ("shardnumsub", -2),
        ],
    ),
    (
        "script",
        &[
            ("debug", 3),
            ("exists", -3),
            ("flush", -2),
            ("help", 2),
            ("kill", 2),
            ("load", 3),
        ],
    ),
    (
        "slowlog",
        &[("get", -2), ("help", 2), ("len", 2), ("reset", 2)],
    ),
    (
        "xgroup",
        &[
            ("create", -5),
            ("createconsumer", 5),
            ("delconsumer", 5),
            ("destroy", 4),
            ("help", 2),
            ("setid", -5),
        ],
    ),
    (
        "xinfo",
        &[("consumers", 4), ("groups", 3), ("help", 2), ("stream", -3)],
    ),
];

/// What is wrong with a container command's subcommand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubcommandError {
    /// Redis has no such subcommand.
    Unknown,
    /// Known, with a wrong number of arguments; the full name (`config|get`).
    Arity(String),
}

/// Checks a container command's subcommand as Redis's command lookup does: it must exist and have a valid
/// number of arguments. `Ok` for anything else.
pub fn check_subcommand(spec: &CommandSpec, argv: &[Bytes]) -> Result<(), SubcommandError> {
    let Some((_, subs)) = SUBCOMMANDS.iter().find(|(name, _)| *name == spec.name) else {
        return Ok(());
    };
    let Some(sub) = argv.get(1) else {
        return Ok(());
    };
    let Some((name, arity)) = subs.iter().find(|(name, _)| is(sub, name)) else {
        return Err(SubcommandError::Unknown);
    };
    let argc = argv.len() as i32;
    let fits = if *arity < 0 {
        argc >= -arity
    } else {
        argc == *arity
    };
    if fits {
        Ok(())
    } else {
        Err(SubcommandError::Arity(format!("{}|{name}", spec.name)))
    }
}

/// Redis's dispatcher error for a bad subcommand (see [`check_subcommand`]), `None` when it is fine.
pub fn subcommand_error(spec: &CommandSpec, argv: &[Bytes]) -> Option<Frame> {
    match check_subcommand(spec, argv) {
        Ok(()) => None,
        Err(SubcommandError::Unknown) => {
            Some(crate::errors::unknown_subcommand(&argv[1], spec.name))
        }
        Err(SubcommandError::Arity(full_name)) => Some(crate::errors::wrong_arity(&full_name)),
    }
}

/// The command named `name` (any case).
pub fn lookup(name: &[u8]) -> Option<&'static CommandSpec> {
    let mut lower = [0u8; 32];
    let name = lower.get_mut(..name.len()).map(|slot| {
        slot.copy_from_slice(name);
        slot.make_ascii_lowercase();
        &*slot
    })?;
    let name = std::str::from_utf8(name).ok()?;
    table().get(name).copied()
}

/// Every command, for `COMMAND`.
pub fn all() -> &'static [CommandSpec] {
    COMMANDS
}

/// The command table by name. Hashed with FNV-1a: the keys are our own short names, so a keyed hash buys
/// nothing here, and the lookup runs once per command.
fn table() -> &'static CommandTable {
    static TABLE: OnceLock<CommandTable> = OnceLock::new();
    TABLE.get_or_init(|| COMMANDS.iter().map(|spec| (spec.name, spec)).collect())
}

type CommandTable =
    HashMap<&'static str, &'static CommandSpec, std::hash::BuildHasherDefault<Fnv1a>>;

/// FNV-1a, 64-bit.
struct Fnv1a(u64);

impl Default for Fnv1a {
    fn default() -> Fnv1a {
        Fnv1a(0xcbf2_9ce4_8422_2325)
    }
}

impl std::hash::Hasher for Fnv1a {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 = (self.0 ^ u64::from(*byte)).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
}

use flags::*;

macro_rules! command {
    ($name:literal, $arity:expr, $flags:expr, $first:expr, $last:expr, $step:expr, $handler:path) => {
        CommandSpec {
            name: $name,
            arity: $arity,
            flags: $flags,
            first_key: $first,
            last_key: $last,
            key_step: $step,
            handler: $handler,
        }
    };
}

const COMMANDS: &[CommandSpec] = &[
    // connection
    command!("ping", -1, FAST | STALE, 0, 0, 0, connection::ping),
    command!("echo", 2, FAST | STALE, 0, 0, 0, connection::echo),
    command!(
        "select",
        2,
        FAST | LOADING | STALE,
        0,
        0,
        0,
        connection::select
    ),
    command!(
        "quit",
        -1,
        FAST | NO_AUTH | LOADING | STALE | ALLOW_BUSY,
        0,
        0,
        0,
        connection::quit
    ),
    command!(
        "reset",
        1,
        FAST | NO_AUTH | LOADING | STALE | NOSCRIPT | ALLOW_BUSY,
        0,
        0,
        0,
        connection::reset
    ),
    command!(
        "auth",
        -2,
        FAST | NO_AUTH | LOADING | STALE | NOSCRIPT | ALLOW_BUSY,
        0,
        0,
        0,
        connection::auth
    ),
    command!(
        "hello",
        -1,
        FAST | NO_AUTH | LOADING | STALE | NOSCRIPT | ALLOW_BUSY,
        0,
        0,
        0,
        connection::hello
    ),
    command!(
        "client",
        -2,
        ADMIN | NOSCRIPT | LOADING | STALE,
        0,
        0,
        0,
        client::client
    ),
    command!(
        "acl",
        -2,
        ADMIN | NOSCRIPT | LOADING | STALE,
        0,
        0,
        0,
        acl::acl
    ),
    // keys
    command!("del", -2, WRITE, 1, -1, 1, keys::del),
    command!("unlink", -2, WRITE | FAST, 1, -1, 1, keys::del),
    command!("exists", -2, READONLY | FAST, 1, -1, 1, keys::exists),
    command!("type", 2, READONLY | FAST, 1, 1, 1, keys::type_),
    command!("keys", 2, READONLY, 0, 0, 0, keys::keys),
    command!("rename", 3, WRITE, 1, 2, 1, keys::rename),
    command!("dbsize", 1, READONLY | FAST, 0, 0, 0, keys::dbsize),
    command!("flushdb", -1, WRITE, 0, 0, 0, keys::flushdb),
    command!("flushall", -1, WRITE, 0, 0, 0, keys::flushall),
    command!("renamenx", 3, WRITE | FAST, 1, 2, 1, keys_copy::renamenx),
    command!("copy", -3, WRITE | DENYOOM, 1, 2, 1, keys_copy::copy),
    command!("move", 3, WRITE | FAST, 1, 1, 1, keys_copy::move_),
    command!("swapdb", 3, WRITE | FAST, 0, 0, 0, keys_copy::swapdb),
    command!("scan", -2, READONLY, 0, 0, 0, keys_scan::scan),
    command!("randomkey", 1, READONLY, 0, 0, 0, keys_scan::randomkey),
    command!("touch", -2, READONLY | FAST, 1, -1, 1, keys_scan::touch),
    command!("object", -2, READONLY, 2, 2, 1, keys_scan::object),
    // expiry
    command!("expire", -3, WRITE | FAST, 1, 1, 1, expire::expire),
    command!("pexpire", -3, WRITE | FAST, 1, 1, 1, expire::expire),
    command!("expireat", -3, WRITE | FAST, 1, 1, 1, expire::expire),
    command!("pexpireat", -3, WRITE | FAST, 1, 1, 1, expire::expire),
    command!("ttl", 2, READONLY | FAST, 1, 1, 1, expire::ttl),
    command!("pttl", 2, READONLY | FAST, 1, 1, 1, expire::ttl),
    command!(
        "expiretime",
        2,
        READONLY | FAST,
        1,
        1,
        1,
        expire::expiretime
    ),
    command!(
        "pexpiretime",
        2,
        READONLY | FAST,
        1,
        1,
        1,
        expire::expiretime
    ),
    command!("persist", 2, WRITE | FAST, 1, 1, 1, expire::persist),
    // strings
    command!("get", 2, READONLY | FAST, 1, 1, 1, strings::get),
    command!("set", -3, WRITE | DENYOOM, 1, 1, 1, strings::set),
    command!("setnx", 3, WRITE | DENYOOM | FAST, 1, 1, 1, strings::setnx),
    command!("setex", 4, WRITE | DENYOOM, 1, 1, 1, strings::setex),
    command!("psetex", 4, WRITE | DENYOOM, 1, 1, 1, strings::setex),
    command!("mget", -2, READONLY | FAST, 1, -1, 1, strings::mget),
    command!("mset", -3, WRITE | DENYOOM, 1, -1, 2, strings::mset),
    command!("incr", 2, WRITE | DENYOOM | FAST, 1, 1, 1, strings::incr),
    command!("decr", 2, WRITE | DENYOOM | FAST, 1, 1, 1, strings::incr),
    command!("incrby", 3, WRITE | DENYOOM | FAST, 1, 1, 1, strings::incr),
    command!("decrby", 3, WRITE | DENYOOM | FAST, 1, 1, 1, strings::incr),
    command!(
        "append",
        3,
        WRITE | DENYOOM | FAST,
        1,
        1,
        1,
        strings::append
    ),
    command!("strlen", 2, READONLY | FAST, 1, 1, 1, strings::strlen),
    command!("getset", 3, WRITE | DENYOOM | FAST, 1, 1, 1, getex::getset),
    command!("getdel", 2, WRITE | FAST, 1, 1, 1, getex::getdel),
    command!("getex", -2, WRITE | FAST, 1, 1, 1, getex::getex),
    command!("msetnx", -3, WRITE | DENYOOM, 1, -1, 2, strings::msetnx),
    command!(
        "incrbyfloat",
        3,
        WRITE | DENYOOM | FAST,
        1,
        1,
        1,
        strings::incrbyfloat
    ),
    command!("getrange", 4, READONLY, 1, 1, 1, ranges::getrange),
    command!("substr", 4, READONLY, 1, 1, 1, ranges::getrange),
    command!("setrange", 4, WRITE | DENYOOM, 1, 1, 1, ranges::setrange),
    // lists (cmd/lists.rs)
    command!("lpush", -3, WRITE | DENYOOM | FAST, 1, 1, 1, lists::lpush),
    command!("rpush", -3, WRITE | DENYOOM | FAST, 1, 1, 1, lists::rpush),
    command!("lpushx", -3, WRITE | DENYOOM | FAST, 1, 1, 1, lists::lpushx),
    command!("rpushx", -3, WRITE | DENYOOM | FAST, 1, 1, 1, lists::rpushx),
    command!("lpop", -2, WRITE | FAST, 1, 1, 1, lists::lpop),
    command!("lmpop", -4, WRITE, 0, 0, 0, lists::lmpop),
    command!("blmpop", -5, WRITE | BLOCKING, 0, 0, 0, lists::blmpop),
    command!("rpop", -2, WRITE | FAST, 1, 1, 1, lists::rpop),
    command!("llen", 2, READONLY | FAST, 1, 1, 1, lists::llen),
    command!("lrange", 4, READONLY, 1, 1, 1, lists::lrange),
    command!("lindex", 3, READONLY, 1, 1, 1, lists::lindex),
    command!("lset", 4, WRITE | DENYOOM, 1, 1, 1, lists::lset),
    command!("lrem", 4, WRITE, 1, 1, 1, lists::lrem),
    command!("ltrim", 4, WRITE, 1, 1, 1, lists::ltrim),
    command!("linsert", 5, WRITE | DENYOOM, 1, 1, 1, lists::linsert),
    command!("lpos", -3, READONLY, 1, 1, 1, lists::lpos),
    command!("lmove", 5, WRITE | DENYOOM, 1, 2, 1, lists::lmove),
    command!("rpoplpush", 3, WRITE | DENYOOM, 1, 2, 1, lists::rpoplpush),
    command!(
        "blpop",
        -3,
        WRITE | NOSCRIPT | BLOCKING,
        1,
        -2,
        1,
        lists::blpop
    ),
    command!(
        "brpop",
        -3,
        WRITE | NOSCRIPT | BLOCKING,
        1,
        -2,
        1,
        lists::brpop
    ),
    command!(
        "blmove",
        6,
        WRITE | DENYOOM | NOSCRIPT | BLOCKING,
        1,
        2,
        1,
        lists::blmove
    ),
    command!(
        "brpoplpush",
        4,
        WRITE | DENYOOM | NOSCRIPT | BLOCKING,
        1,
        2,
        1,
        lists::brpoplpush
    ),
    // hashes (cmd/hashes.rs)
    command!("hset", -4, WRITE | DENYOOM | FAST, 1, 1, 1, hashes::hset),
    command!("hmset", -4, WRITE | DENYOOM | FAST, 1, 1, 1, hashes::hset),
    command!("hsetnx", 4, WRITE | DENYOOM | FAST, 1, 1, 1, hashes::hsetnx),
    command!("hget", 3, READONLY | FAST, 1, 1, 1, hashes::hget),
    command!("hmget", -3, READONLY | FAST, 1, 1, 1, hashes::hmget),
    command!("hgetall", 2, READONLY, 1, 1, 1, hashes::hgetall),
    command!("hkeys", 2, READONLY, 1, 1, 1, hashes::hkeys),
    command!("hvals", 2, READONLY, 1, 1, 1, hashes::hvals),
    command!("hdel", -3, WRITE | FAST, 1, 1, 1, hashes::hdel),
    command!("hexists", 3, READONLY | FAST, 1, 1, 1, hashes::hexists),
    command!("hlen", 2, READONLY | FAST, 1, 1, 1, hashes::hlen),
    command!("hstrlen", 3, READONLY | FAST, 1, 1, 1, hashes::hstrlen),
    command!(
        "hincrby",
        4,
        WRITE | DENYOOM | FAST,
        1,
        1,
        1,
        hashes::hincrby
    ),
    command!(
        "hincrbyfloat",
        4,
        WRITE | DENYOOM | FAST,
        1,
        1,
        1,
        hashes::hincrbyfloat
    ),
    command!("hrandfield", -2, READONLY, 1, 1, 1, hashes::hrandfield),
    command!("hscan", -3, READONLY, 1, 1, 1, hashes::hscan),
    // sets (cmd/sets.rs, cmd/set_ops.rs)
    command!("sadd", -3, WRITE | DENYOOM | FAST, 1, 1, 1, sets::sadd),
    command!("srem", -3, WRITE | FAST, 1, 1, 1, sets::srem),
    command!("sismember", 3, READONLY | FAST, 1, 1, 1, sets::sismember),
    command!("smismember", -3, READONLY | FAST, 1, 1, 1, sets::smismember),
    command!("scard", 2, READONLY | FAST, 1, 1, 1, sets::scard),
    command!("spop", -2, WRITE | FAST, 1, 1, 1, sets::spop),
    command!("srandmember", -2, READONLY, 1, 1, 1, sets::srandmember),
    command!("smove", 4, WRITE | FAST, 1, 2, 1, sets::smove),
    command!("sscan", -3, READONLY, 1, 1, 1, sets::sscan),
    command!("smembers", 2, READONLY, 1, 1, 1, set_ops::sinter),
    command!("sinter", -2, READONLY, 1, -1, 1, set_ops::sinter),
    command!("sintercard", -3, READONLY, 0, 0, 0, set_ops::sintercard),
    command!("sunion", -2, READONLY, 1, -1, 1, set_ops::sunion),
    command!("sdiff", -2, READONLY, 1, -1, 1, set_ops::sdiff),
    command!(
        "sinterstore",
        -3,
        WRITE | DENYOOM,
        1,
        -1,
        1,
        set_ops::sinterstore
    ),
    command!(
        "sunionstore",
        -3,
        WRITE | DENYOOM,
        1,
        -1,
        1,
        set_ops::sunionstore
    ),
    command!(
        "sdiffstore",
        -3,
        WRITE | DENYOOM,
        1,
        -1,
        1,
        set_ops::sdiffstore
    ),
    // sorted sets (cmd/zsets/)
    command!("zadd", -4, WRITE | DENYOOM | FAST, 1, 1, 1, zsets::zadd),
    command!(
        "zincrby",
        4,
        WRITE | DENYOOM | FAST,
        1,
        1,
        1,
        zsets::zincrby
    ),
    command!("zrem", -3, WRITE | FAST, 1, 1, 1, zsets::zrem),
    command!(
        "zremrangebyscore",
        4,
        WRITE,
        1,
        1,
        1,
        zsets::zremrangebyscore
    ),
    command!("zremrangebylex", 4, WRITE, 1, 1, 1, zsets::zremrangebylex),
    command!("zremrangebyrank", 4, WRITE, 1, 1, 1, zsets::zremrangebyrank),
    command!("zpopmin", -2, WRITE | FAST, 1, 1, 1, zsets::zpopmin),
    command!("zmpop", -4, WRITE, 0, 0, 0, zsets::zmpop),
    command!("bzmpop", -5, WRITE | BLOCKING, 0, 0, 0, zsets::bzmpop),
    command!("zpopmax", -2, WRITE | FAST, 1, 1, 1, zsets::zpopmax),
    command!(
        "bzpopmin",
        -3,
        WRITE | NOSCRIPT | FAST | BLOCKING,
        1,
        -2,
        1,
        zsets::bzpopmin
    ),
    command!(
        "bzpopmax",
        -3,
        WRITE | NOSCRIPT | FAST | BLOCKING,
        1,
        -2,
        1,
        zsets::bzpopmax
    ),
    command!("zcard", 2, READONLY | FAST, 1, 1, 1, zsets::zcard),
    command!("zscore", 3, READONLY | FAST, 1, 1, 1, zsets::zscore),
    command!("zmscore", -3, READONLY | FAST, 1, 1, 1, zsets::zmscore),
    command!("zrank", 3, READONLY | FAST, 1, 1, 1, zsets::zrank),
    command!("zrevrank", 3, READONLY | FAST, 1, 1, 1, zsets::zrevrank),
    command!("zcount", 4, READONLY | FAST, 1, 1, 1, zsets::zcount),
    command!("zlexcount", 4, READONLY | FAST, 1, 1, 1, zsets::zlexcount),
    command!("zrange", -4, READONLY, 1, 1, 1, zsets::zrange),
    command!("zrevrange", -4, READONLY, 1, 1, 1, zsets::zrevrange),
    command!("zrangebyscore", -4, READONLY, 1, 1, 1, zsets::zrangebyscore),
    command!(
        "zrevrangebyscore",
        -4,
        READONLY,
        1,
        1,
        1,
        zsets::zrangebyscore
    ),
    command!("zrangebylex", -4, READONLY, 1, 1, 1, zsets::zrangebylex),
    command!("zrevrangebylex", -4, READONLY, 1, 1, 1, zsets::zrangebylex),
    command!(
        "zrangestore",
        -5,
        WRITE | DENYOOM,
        1,
        2,
        1,
        zsets::zrangestore
    ),
    command!(
        "zunionstore",
        -4,
        WRITE | DENYOOM,
        1,
        1,
        1,
        zsets::zunionstore
    ),
    command!(
        "zinterstore",
        -4,
        WRITE | DENYOOM,
        1,
        1,
        1,
        zsets::zinterstore
    ),
    command!(
        "zdiffstore",
        -4,
        WRITE | DENYOOM,
        1,
        1,
        1,
        zsets::zdiffstore
    ),
    command!("zunion", -3, READONLY, 0, 0, 0, zsets::zunion),
    command!("zinter", -3, READONLY, 0, 0, 0, zsets::zinter),
    command!("zdiff", -3, READONLY, 0, 0, 0, zsets::zdiff),
    command!("zintercard", -3, READONLY, 0, 0, 0, zsets::zintercard),
    command!("zscan", -3, READONLY, 1, 1, 1, zsets::zscan),
    command!("zrandmember", -2, READONLY, 1, 1, 1, zsets::zrandmember),
    // transactions (cmd/transactions.rs)
    command!(
        "multi",
        1,
        NOSCRIPT | LOADING | STALE | FAST | ALLOW_BUSY,
        0,
        0,
        0,
        transactions::multi
    ),
    command!(
        "exec",
        1,
        NOSCRIPT | LOADING | STALE,
        0,
        0,
        0,
        transactions::exec
    ),
    command!(
        "discard",
        1,
        NOSCRIPT | LOADING | STALE | FAST | ALLOW_BUSY,
        0,
        0,
        0,
        transactions::discard
    ),
    command!(
        "watch",
        -2,
        NOSCRIPT | LOADING | STALE | FAST | ALLOW_BUSY,
        1,
        -1,
        1,
        transactions::watch
    ),
    command!(
        "unwatch",
        1,
        NOSCRIPT | LOADING | STALE | FAST | ALLOW_BUSY,
        0,
        0,
        0,
        transactions::unwatch
    ),
    // pub/sub (cmd/pubsub.rs)
    command!(
        "subscribe",
        -2,
        PUBSUB | NOSCRIPT | LOADING | STALE,
        0,
        0,
        0,
        pubsub::subscribe
    ),
    command!(
        "unsubscribe",
        -1,
        PUBSUB | NOSCRIPT | LOADING | STALE,
        0,
        0,
        0,
        pubsub::unsubscribe
    ),
    command!(
        "psubscribe",
        -2,
        PUBSUB | NOSCRIPT | LOADING | STALE,
        0,
        0,
        0,
        pubsub::psubscribe
    ),
    command!(
        "punsubscribe",
        -1,
        PUBSUB | NOSCRIPT | LOADING | STALE,
        0,
        0,
        0,
        pubsub::punsubscribe
    ),
    command!(
        "publish",
        3,
        PUBSUB | LOADING | STALE | FAST | MAY_REPLICATE,
        0,
        0,
        0,
        pubsub::publish
    ),
    command!(
        "pubsub",
        -2,
        PUBSUB | LOADING | STALE,
        0,
        0,
        0,
        pubsub::pubsub
    ),
    // server
    command!(
        "debug",
        -2,
        ADMIN | NOSCRIPT | LOADING | STALE,
        0,
        0,
        0,
        debug::debug
    ),
    command!("info", -1, LOADING | STALE, 0, 0, 0, server::info),
    command!("function", -2, NOSCRIPT, 0, 0, 0, functions::function),
    command!(
        "pfadd",
        -2,
        WRITE | DENYOOM | FAST,
        1,
        1,
        1,
        hyperloglog::pfadd
    ),
    command!(
        "pfcount",
        -2,
        READONLY | MAY_REPLICATE,
        1,
        -1,
        1,
        hyperloglog::pfcount
    ),
    command!(
        "pfmerge",
        -2,
        WRITE | DENYOOM,
        1,
        -1,
        1,
        hyperloglog::pfmerge
    ),
    command!(
        "pfdebug",
        3,
        WRITE | DENYOOM | ADMIN,
        2,
        2,
        1,
        hyperloglog::pfdebug
    ),
    command!("pfselftest", 1, ADMIN, 0, 0, 0, hyperloglog::pfselftest),
    command!("dump", 2, READONLY, 1, 1, 1, keys_dump::dump),
    command!("restore", -4, WRITE | DENYOOM, 1, 1, 1, keys_dump::restore),
    // streams
    command!("xadd", -5, WRITE | DENYOOM | FAST, 1, 1, 1, streams::xadd),
    command!("xrange", -4, READONLY, 1, 1, 1, streams::xrange),
    command!("xrevrange", -4, READONLY, 1, 1, 1, streams::xrevrange),
    command!("xlen", 2, READONLY | FAST, 1, 1, 1, streams::xlen),
    command!("xdel", -3, WRITE | FAST, 1, 1, 1, streams::xdel),
    command!("xtrim", -4, WRITE, 1, 1, 1, streams::xtrim),
    command!(
        "xsetid",
        -3,
        WRITE | DENYOOM | FAST,
        1,
        1,
        1,
        streams::xsetid
    ),
    command!("xread", -4, READONLY | BLOCKING, 0, 0, 0, streams::xread),
    command!(
        "xreadgroup",
        -7,
        WRITE | BLOCKING,
        0,
        0,
        0,
        streams::xreadgroup
    ),
    command!("xgroup", -2, WRITE, 0, 0, 0, streams::xgroup),
    command!("xack", -4, WRITE | FAST, 1, 1, 1, streams::xack),
    command!("xpending", -3, READONLY, 1, 1, 1, streams::xpending),
    command!("xclaim", -6, WRITE | FAST, 1, 1, 1, streams::xclaim),
    command!("xautoclaim", -6, WRITE | FAST, 1, 1, 1, streams::xautoclaim),
    command!("xinfo", -2, READONLY, 0, 0, 0, streams::xinfo),
    command!(
        "eval",
        -3,
        NOSCRIPT | STALE | MAY_REPLICATE,
        0,
        0,
        0,
        scripts::eval
    ),
    command!(
        "evalsha",
        -3,
        NOSCRIPT | STALE | MAY_REPLICATE,
        0,
        0,
        0,
        scripts::evalsha
    ),
    command!(
        "eval_ro",
        -3,
        NOSCRIPT | STALE | READONLY,
        0,
        0,
        0,
        scripts::eval_ro
    ),
    command!(
        "evalsha_ro",
        -3,
        NOSCRIPT | STALE | READONLY,
        0,
        0,
        0,
        scripts::evalsha_ro
    ),
    command!(
        "fcall",
        -3,
        NOSCRIPT | STALE | MAY_REPLICATE,
        0,
        0,
        0,
        scripts::fcall
    ),
    command!(
        "fcall_ro",
        -3,
        NOSCRIPT | STALE | READONLY,
        0,
        0,
        0,
        scripts::fcall_ro
    ),
    command!("script", -2, NOSCRIPT, 0, 0, 0, scripts::script),
    command!(
        "slowlog",
        -2,
        ADMIN | LOADING | STALE,
        0,
        0,
        0,
        slowlog::slowlog
    ),
    command!(
        "monitor",
        1,
        ADMIN | NOSCRIPT | LOADING | STALE,
        0,
        0,
        0,
        server::monitor
    ),
    command!(
        "config",
        -2,
        ADMIN | NOSCRIPT | LOADING | STALE,
        0,
        0,
        0,
        server::config
    ),
    command!("command", -1, LOADING | STALE, 0, 0, 0, server::command),
    command!(
        "shutdown",
        -1,
        ADMIN | NOSCRIPT | LOADING | STALE | NO_MULTI | ALLOW_BUSY,
        0,
        0,
        0,
        server::shutdown
    ),
    command!(
        "save",
        1,
        ADMIN | NOSCRIPT | NO_MULTI,
        0,
        0,
        0,
        server::save
    ),
    command!("bgsave", -1, ADMIN | NOSCRIPT, 0, 0, 0, server::bgsave),
    command!(
        "bgrewriteaof",
        1,
        ADMIN | NOSCRIPT,
        0,
        0,
        0,
        server::bgrewriteaof
    ),
    command!(
        "lastsave",
        1,
        LOADING | STALE | FAST,
        0,
        0,
        0,
        server::lastsave
    ),
    command!("time", 1, LOADING | STALE | FAST, 0, 0, 0, server::time),
    // replication
    command!(
        "replicaof",
        3,
        ADMIN | NOSCRIPT | STALE,
        0,
        0,
        0,
        replication::replicaof
    ),
    command!(
        "slaveof",
        3,
        ADMIN | NOSCRIPT | STALE,
        0,
        0,
        0,
        replication::replicaof
    ),
    command!(
        "role",
        1,
        NOSCRIPT | LOADING | STALE | FAST,
        0,
        0,
        0,
        replication::role
    ),
    command!(
        "replconf",
        -1,
        ADMIN | NOSCRIPT | LOADING | STALE | ALLOW_BUSY,
        0,
        0,
        0,
        replication::replconf
    ),
    command!(
        "failover",
        -1,
        ADMIN | NOSCRIPT | STALE,
        0,
        0,
        0,
        failover::failover
    ),
    command!("wait", 3, NOSCRIPT, 0, 0, 0, replication::wait),
    command!(
        "psync",
        -3,
        ADMIN | NOSCRIPT | NO_MULTI,
        0,
        0,
        0,
        replication::psync
    ),
    command!(
        "sync",
        1,
        ADMIN | NOSCRIPT | NO_MULTI,
        0,
        0,
        0,
        replication::sync
    ),
];

pub use crate::util::parse_i64;

/// A copy of an argument for storing in the keyspace. Arguments are slices of the connection's read
/// buffer; storing one as is would keep that whole buffer alive for as long as the key lives.
pub fn owned(arg: &Bytes) -> Bytes {
    Bytes::copy_from_slice(arg)
}

/// `arg` as a string value to store: a copy, for the same reason as [`owned`] (inline when short).
pub fn stored(arg: &[u8]) -> keyspace::CompactBytes {
    keyspace::CompactBytes::from_slice(arg)
}

/// Deletes `key` if it is logically expired, as Redis's `lookupKeyWrite` does before a command overwrites a key,
/// so the deletion reaches replicas as a `DEL` ahead of the command (both in one `MULTI`/`EXEC`).
pub fn expire_if_needed(ctx: &mut Ctx<'_>, key: &[u8]) {
    let (now, policy) = (ctx.now_ms, ctx.policy);
    ctx.db().contains(key, now, policy);
}

/// Case-insensitive comparison of an argument with an option name.
pub fn is(arg: &[u8], option: &str) -> bool {
    arg.eq_ignore_ascii_case(option.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_is_case_insensitive_and_bounded() {
        assert_eq!(lookup(b"GeT").map(|spec| spec.name), Some("get"));
        assert!(lookup(b"nosuchcommand").is_none());
        assert!(lookup(&[b'a'; 100]).is_none());
    }

    #[test]
    fn every_command_is_registered_once() {
        let mut names: Vec<_> = COMMANDS.iter().map(|spec| spec.name).collect();
        names.sort();
        let before = names.len();
        names.dedup();
        assert_eq!(before, names.len());
    }

    #[test]
    fn key_positions_follow_the_table() {
        let argv: Vec<Bytes> = ["mset", "a", "1", "b", "2"]
            .iter()
            .map(|arg| Bytes::from_static(arg.as_bytes()))
            .collect();
        let keys = |name: &[u8]| -> Vec<&[u8]> {
            lookup(name)
                .unwrap()
                .keys(&argv)
                .map(|key| &key[..])
                .collect()
        };
        assert_eq!(keys(b"mset"), [&b"a"[..], b"b"]);
        assert_eq!(keys(b"del"), [&b"a"[..], b"1", b"b", b"2"]);
        assert!(keys(b"ping").is_empty());
    }

    #[test]
    fn redis_integer_parsing() {
        assert_eq!(parse_i64(b"42"), Some(42));
        assert_eq!(parse_i64(b"-7"), Some(-7));
        assert_eq!(parse_i64(b"0"), Some(0));
        for bad in [
            &b""[..],
            b"+1",
            b"01",
            b"-0",
            b" 1",
            b"1.5",
            b"99999999999999999999",
        ] {
            assert_eq!(parse_i64(bad), None, "{:?}", String::from_utf8_lossy(bad));
        }
    }
}
