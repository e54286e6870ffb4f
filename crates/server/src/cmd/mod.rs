//! The command table: one [`CommandSpec`] per command (name, arity, flags, keys, handler), looked up by
//! [`lookup`]. The data commands' handlers are in crate `commands` and run on a [`DataCtx`] lent by
//! [`Ctx::run_data`]; the server's own families live here, one per file, and get the whole [`Ctx`]. Each
//! parses its arguments, applies them, and says what to propagate. The generic checks (arity, auth,
//! read-only replica, stale data) happen once, in [`crate::dispatch`], driven by the flags.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use bytes::Bytes;
use keyspace::{Db, ExpiryPolicy};
use resp::Frame;

use commands::{Caller, DataCtx, Effects};
use commands::{
    expire, getex, hashes, hyperloglog, keys, keys_copy, keys_dump, keys_scan, lists, ranges,
    set_ops, sets, streams, strings, zsets,
};

use crate::client::ClientState;
use crate::core::Core;
use crate::scripting::commands as scripts;
use crate::shared::Shared;

mod acl;
mod client;
mod connection;
mod databases;
mod debug;
mod docs;
mod failover;
mod functions;
mod pubsub;
mod replication;
mod server;
mod slowlog;
#[cfg(test)]
mod sweep_tests;
mod transactions;

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

/// A server command's handler: runs the command with the whole server at hand and returns the reply.
pub type ServerHandler = fn(&mut Ctx<'_>, &[Bytes]) -> Frame;

/// How a command runs.
#[derive(Debug, Clone, Copy)]
pub enum Handler {
    /// A data command (crate `commands`): it sees only a [`DataCtx`] and records its effects, which
    /// [`Ctx::run_data`] applies.
    Data(commands::Handler),
    /// A server command (connection, transactions, pub/sub, replication, scripts, administration).
    Server(ServerHandler),
}

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
        match self.handler {
            Handler::Server(handler) => handler(ctx, argv),
            Handler::Data(handler) => ctx.run_data(|data| handler(data, argv)),
        }
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

/// What a server command's handler may touch: the locked core, its own client, and the shared server handles.
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
    /// What the commands run through this context propagate, touch and signal.
    effects: Effects,
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
            effects: Effects::new(),
            clock_hint: None,
        }
    }

    /// Runs `run` (a data command, or a blocked client's operation) on a [`DataCtx`] lent from this context,
    /// then applies the effects it recorded: changes counted, `WATCH`ers told, blocked clients signalled, its
    /// own client blocked. What it propagates stays queued here with the rest of the unit.
    pub fn run_data<T>(&mut self, run: impl FnOnce(&mut DataCtx<'_>) -> T) -> T {
        let core = &mut *self.core;
        let tracking = !core.watches.is_empty() || !core.blocking.is_empty();
        self.effects.configure(core.records_propagation(), tracking);
        let caller = Caller {
            server_is_replica: core.is_replica(),
            in_script: self.client.is_script,
            from_master: self.client.is_master_link,
            may_block: !self.client.is_master_link && !self.client.deny_blocking,
        };
        let limits = core.data_limits;
        let mut data = DataCtx::new(
            &mut core.keyspace,
            &mut self.effects,
            self.client.db,
            self.now_ms,
            self.policy,
        );
        data.protocol = self.client.protocol;
        data.caller = caller;
        data.limits = limits;
        let outcome = run(&mut data);
        core.persistence.dirty += self.effects.take_dirty();
        for (db, key) in self.effects.drain_touched() {
            crate::watch::touch_key(core, db, &key);
        }
        for (db, key) in self.effects.drain_ready() {
            core.blocking.signal(db, &key);
        }
        if let Some(request) = self.effects.take_block() {
            self.block(request);
        }
        outcome
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
        self.sync_recording();
        self.effects.extend_propagation(effects);
    }

    /// Propagates the command exactly as the client sent it, and counts one change.
    pub fn propagate_verbatim(&mut self, argv: &[Bytes]) {
        self.propagate_without_change(argv);
        self.core.persistence.dirty += 1;
    }

    /// Propagates a rewritten command (relative times made absolute, effects instead of intent), and counts
    /// one change.
    pub fn propagate(&mut self, args: Vec<Bytes>) {
        self.sync_recording();
        self.effects.record(self.client.db, args);
        self.core.persistence.dirty += 1;
    }

    /// Propagates the command verbatim without counting a change to the data (`PUBLISH`).
    pub fn propagate_without_change(&mut self, argv: &[Bytes]) {
        // With neither a backlog nor an AOF nothing is recorded (Redis does the same), so skip the copy.
        if self.core.records_propagation() {
            self.sync_recording();
            self.effects.record(self.client.db, argv.to_vec());
        }
    }

    /// Whether propagation is recorded follows the core (a backlog or an AOF may appear or go between commands).
    fn sync_recording(&mut self) {
        let tracking = !self.core.watches.is_empty() || !self.core.blocking.is_empty();
        self.effects
            .configure(self.core.records_propagation(), tracking);
    }

    /// Tells `WATCH`ers that `key` of database `db` changed; this replaces the generic touch of the command's
    /// key arguments (see [`crate::dispatch::call`]).
    pub fn touch_in(&mut self, db: usize, key: &[u8]) {
        self.effects.mark_touched_explicitly();
        crate::watch::touch_key(self.core, db, key);
    }

    /// Tells `WATCH`ers that database `db` is about to be emptied, or swapped with `swapped_with`.
    pub fn touch_db(&mut self, db: usize, swapped_with: Option<usize>) {
        self.effects.mark_touched_explicitly();
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

    /// Signals every key of database `db` that clients wait on, as Redis's `scanDatabaseForReadyKeys` does
    /// after `SWAPDB`.
    pub fn signal_waited_keys_in(&mut self, db: usize) {
        self.core.blocking.signal_db(db);
    }

    /// Whether the running command touched keys itself; resets the mark for the next command.
    pub fn take_touched_explicitly(&mut self) -> bool {
        self.effects.take_touched_explicitly()
    }

    /// Number of commands queued for propagation so far.
    pub fn propagation_len(&self) -> usize {
        self.effects.propagation_len()
    }

    /// Queues `DEL`s of keys deleted by expiry at position `at`, so they precede the effects of the command
    /// that found them expired.
    pub fn insert_propagation(&mut self, at: usize, commands: Vec<(usize, Vec<Bytes>)>) {
        self.sync_recording();
        self.effects.insert_propagation(at, commands);
    }

    /// Counts changes that are not propagated by this command itself (e.g. FLUSHALL is propagated verbatim
    /// once but changes many keys).
    pub fn add_dirty(&mut self, changes: u64) {
        self.core.persistence.dirty += changes;
    }

    /// What the command asked to propagate, each with its database.
    pub fn take_propagation(&mut self) -> Vec<(usize, Vec<Bytes>)> {
        self.effects.take_propagation()
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
            handler: Handler::Server($handler),
        }
    };
}

/// A data command: its handler is in crate `commands`.
macro_rules! data {
    ($name:literal, $arity:expr, $flags:expr, $first:expr, $last:expr, $step:expr, $handler:path) => {
        CommandSpec {
            name: $name,
            arity: $arity,
            flags: $flags,
            first_key: $first,
            last_key: $last,
            key_step: $step,
            handler: Handler::Data($handler),
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
    data!("del", -2, WRITE, 1, -1, 1, keys::del),
    data!("unlink", -2, WRITE | FAST, 1, -1, 1, keys::del),
    data!("exists", -2, READONLY | FAST, 1, -1, 1, keys::exists),
    data!("type", 2, READONLY | FAST, 1, 1, 1, keys::type_),
    data!("keys", 2, READONLY, 0, 0, 0, keys::keys),
    data!("rename", 3, WRITE, 1, 2, 1, keys::rename),
    data!("dbsize", 1, READONLY | FAST, 0, 0, 0, keys::dbsize),
    command!("flushdb", -1, WRITE, 0, 0, 0, databases::flushdb),
    command!("flushall", -1, WRITE, 0, 0, 0, databases::flushall),
    data!("renamenx", 3, WRITE | FAST, 1, 2, 1, keys_copy::renamenx),
    data!("copy", -3, WRITE | DENYOOM, 1, 2, 1, keys_copy::copy),
    data!("move", 3, WRITE | FAST, 1, 1, 1, keys_copy::move_),
    command!("swapdb", 3, WRITE | FAST, 0, 0, 0, databases::swapdb),
    data!("scan", -2, READONLY, 0, 0, 0, keys_scan::scan),
    data!("randomkey", 1, READONLY, 0, 0, 0, keys_scan::randomkey),
    data!("touch", -2, READONLY | FAST, 1, -1, 1, keys_scan::touch),
    data!("object", -2, READONLY, 2, 2, 1, keys_scan::object),
    // expiry
    data!("expire", -3, WRITE | FAST, 1, 1, 1, expire::expire),
    data!("pexpire", -3, WRITE | FAST, 1, 1, 1, expire::expire),
    data!("expireat", -3, WRITE | FAST, 1, 1, 1, expire::expire),
    data!("pexpireat", -3, WRITE | FAST, 1, 1, 1, expire::expire),
    data!("ttl", 2, READONLY | FAST, 1, 1, 1, expire::ttl),
    data!("pttl", 2, READONLY | FAST, 1, 1, 1, expire::ttl),
    data!(
        "expiretime",
        2,
        READONLY | FAST,
        1,
        1,
        1,
        expire::expiretime
    ),
    data!(
        "pexpiretime",
        2,
        READONLY | FAST,
        1,
        1,
        1,
        expire::expiretime
    ),
    data!("persist", 2, WRITE | FAST, 1, 1, 1, expire::persist),
    // strings
    data!("get", 2, READONLY | FAST, 1, 1, 1, strings::get),
    data!("set", -3, WRITE | DENYOOM, 1, 1, 1, strings::set),
    data!("setnx", 3, WRITE | DENYOOM | FAST, 1, 1, 1, strings::setnx),
    data!("setex", 4, WRITE | DENYOOM, 1, 1, 1, strings::setex),
    data!("psetex", 4, WRITE | DENYOOM, 1, 1, 1, strings::setex),
    data!("mget", -2, READONLY | FAST, 1, -1, 1, strings::mget),
    data!("mset", -3, WRITE | DENYOOM, 1, -1, 2, strings::mset),
    data!("incr", 2, WRITE | DENYOOM | FAST, 1, 1, 1, strings::incr),
    data!("decr", 2, WRITE | DENYOOM | FAST, 1, 1, 1, strings::incr),
    data!("incrby", 3, WRITE | DENYOOM | FAST, 1, 1, 1, strings::incr),
    data!("decrby", 3, WRITE | DENYOOM | FAST, 1, 1, 1, strings::incr),
    data!(
        "append",
        3,
        WRITE | DENYOOM | FAST,
        1,
        1,
        1,
        strings::append
    ),
    data!("strlen", 2, READONLY | FAST, 1, 1, 1, strings::strlen),
    data!("getset", 3, WRITE | DENYOOM | FAST, 1, 1, 1, getex::getset),
    data!("getdel", 2, WRITE | FAST, 1, 1, 1, getex::getdel),
    data!("getex", -2, WRITE | FAST, 1, 1, 1, getex::getex),
    data!("msetnx", -3, WRITE | DENYOOM, 1, -1, 2, strings::msetnx),
    data!(
        "incrbyfloat",
        3,
        WRITE | DENYOOM | FAST,
        1,
        1,
        1,
        strings::incrbyfloat
    ),
    data!("getrange", 4, READONLY, 1, 1, 1, ranges::getrange),
    data!("substr", 4, READONLY, 1, 1, 1, ranges::getrange),
    data!("setrange", 4, WRITE | DENYOOM, 1, 1, 1, ranges::setrange),
    // lists (commands::lists)
    data!("lpush", -3, WRITE | DENYOOM | FAST, 1, 1, 1, lists::lpush),
    data!("rpush", -3, WRITE | DENYOOM | FAST, 1, 1, 1, lists::rpush),
    data!("lpushx", -3, WRITE | DENYOOM | FAST, 1, 1, 1, lists::lpushx),
    data!("rpushx", -3, WRITE | DENYOOM | FAST, 1, 1, 1, lists::rpushx),
    data!("lpop", -2, WRITE | FAST, 1, 1, 1, lists::lpop),
    data!("lmpop", -4, WRITE, 0, 0, 0, lists::lmpop),
    data!("blmpop", -5, WRITE | BLOCKING, 0, 0, 0, lists::blmpop),
    data!("rpop", -2, WRITE | FAST, 1, 1, 1, lists::rpop),
    data!("llen", 2, READONLY | FAST, 1, 1, 1, lists::llen),
    data!("lrange", 4, READONLY, 1, 1, 1, lists::lrange),
    data!("lindex", 3, READONLY, 1, 1, 1, lists::lindex),
    data!("lset", 4, WRITE | DENYOOM, 1, 1, 1, lists::lset),
    data!("lrem", 4, WRITE, 1, 1, 1, lists::lrem),
    data!("ltrim", 4, WRITE, 1, 1, 1, lists::ltrim),
    data!("linsert", 5, WRITE | DENYOOM, 1, 1, 1, lists::linsert),
    data!("lpos", -3, READONLY, 1, 1, 1, lists::lpos),
    data!("lmove", 5, WRITE | DENYOOM, 1, 2, 1, lists::lmove),
    data!("rpoplpush", 3, WRITE | DENYOOM, 1, 2, 1, lists::rpoplpush),
    data!(
        "blpop",
        -3,
        WRITE | NOSCRIPT | BLOCKING,
        1,
        -2,
        1,
        lists::blpop
    ),
    data!(
        "brpop",
        -3,
        WRITE | NOSCRIPT | BLOCKING,
        1,
        -2,
        1,
        lists::brpop
    ),
    data!(
        "blmove",
        6,
        WRITE | DENYOOM | NOSCRIPT | BLOCKING,
        1,
        2,
        1,
        lists::blmove
    ),
    data!(
        "brpoplpush",
        4,
        WRITE | DENYOOM | NOSCRIPT | BLOCKING,
        1,
        2,
        1,
        lists::brpoplpush
    ),
    // hashes (commands::hashes)
    data!("hset", -4, WRITE | DENYOOM | FAST, 1, 1, 1, hashes::hset),
    data!("hmset", -4, WRITE | DENYOOM | FAST, 1, 1, 1, hashes::hset),
    data!("hsetnx", 4, WRITE | DENYOOM | FAST, 1, 1, 1, hashes::hsetnx),
    data!("hget", 3, READONLY | FAST, 1, 1, 1, hashes::hget),
    data!("hmget", -3, READONLY | FAST, 1, 1, 1, hashes::hmget),
    data!("hgetall", 2, READONLY, 1, 1, 1, hashes::hgetall),
    data!("hkeys", 2, READONLY, 1, 1, 1, hashes::hkeys),
    data!("hvals", 2, READONLY, 1, 1, 1, hashes::hvals),
    data!("hdel", -3, WRITE | FAST, 1, 1, 1, hashes::hdel),
    data!("hexists", 3, READONLY | FAST, 1, 1, 1, hashes::hexists),
    data!("hlen", 2, READONLY | FAST, 1, 1, 1, hashes::hlen),
    data!("hstrlen", 3, READONLY | FAST, 1, 1, 1, hashes::hstrlen),
    data!(
        "hincrby",
        4,
        WRITE | DENYOOM | FAST,
        1,
        1,
        1,
        hashes::hincrby
    ),
    data!(
        "hincrbyfloat",
        4,
        WRITE | DENYOOM | FAST,
        1,
        1,
        1,
        hashes::hincrbyfloat
    ),
    data!("hrandfield", -2, READONLY, 1, 1, 1, hashes::hrandfield),
    data!("hscan", -3, READONLY, 1, 1, 1, hashes::hscan),
    // sets (commands::sets, commands::set_ops)
    data!("sadd", -3, WRITE | DENYOOM | FAST, 1, 1, 1, sets::sadd),
    data!("srem", -3, WRITE | FAST, 1, 1, 1, sets::srem),
    data!("sismember", 3, READONLY | FAST, 1, 1, 1, sets::sismember),
    data!("smismember", -3, READONLY | FAST, 1, 1, 1, sets::smismember),
    data!("scard", 2, READONLY | FAST, 1, 1, 1, sets::scard),
    data!("spop", -2, WRITE | FAST, 1, 1, 1, sets::spop),
    data!("srandmember", -2, READONLY, 1, 1, 1, sets::srandmember),
    data!("smove", 4, WRITE | FAST, 1, 2, 1, sets::smove),
    data!("sscan", -3, READONLY, 1, 1, 1, sets::sscan),
    data!("smembers", 2, READONLY, 1, 1, 1, set_ops::sinter),
    data!("sinter", -2, READONLY, 1, -1, 1, set_ops::sinter),
    data!("sintercard", -3, READONLY, 0, 0, 0, set_ops::sintercard),
    data!("sunion", -2, READONLY, 1, -1, 1, set_ops::sunion),
    data!("sdiff", -2, READONLY, 1, -1, 1, set_ops::sdiff),
    data!(
        "sinterstore",
        -3,
        WRITE | DENYOOM,
        1,
        -1,
        1,
        set_ops::sinterstore
    ),
    data!(
        "sunionstore",
        -3,
        WRITE | DENYOOM,
        1,
        -1,
        1,
        set_ops::sunionstore
    ),
    data!(
        "sdiffstore",
        -3,
        WRITE | DENYOOM,
        1,
        -1,
        1,
        set_ops::sdiffstore
    ),
    // sorted sets (commands::zsets)
    data!("zadd", -4, WRITE | DENYOOM | FAST, 1, 1, 1, zsets::zadd),
    data!(
        "zincrby",
        4,
        WRITE | DENYOOM | FAST,
        1,
        1,
        1,
        zsets::zincrby
    ),
    data!("zrem", -3, WRITE | FAST, 1, 1, 1, zsets::zrem),
    data!(
        "zremrangebyscore",
        4,
        WRITE,
        1,
        1,
        1,
        zsets::zremrangebyscore
    ),
    data!("zremrangebylex", 4, WRITE, 1, 1, 1, zsets::zremrangebylex),
    data!("zremrangebyrank", 4, WRITE, 1, 1, 1, zsets::zremrangebyrank),
    data!("zpopmin", -2, WRITE | FAST, 1, 1, 1, zsets::zpopmin),
    data!("zmpop", -4, WRITE, 0, 0, 0, zsets::zmpop),
    data!("bzmpop", -5, WRITE | BLOCKING, 0, 0, 0, zsets::bzmpop),
    data!("zpopmax", -2, WRITE | FAST, 1, 1, 1, zsets::zpopmax),
    data!(
        "bzpopmin",
        -3,
        WRITE | NOSCRIPT | FAST | BLOCKING,
        1,
        -2,
        1,
        zsets::bzpopmin
    ),
    data!(
        "bzpopmax",
        -3,
        WRITE | NOSCRIPT | FAST | BLOCKING,
        1,
        -2,
        1,
        zsets::bzpopmax
    ),
    data!("zcard", 2, READONLY | FAST, 1, 1, 1, zsets::zcard),
    data!("zscore", 3, READONLY | FAST, 1, 1, 1, zsets::zscore),
    data!("zmscore", -3, READONLY | FAST, 1, 1, 1, zsets::zmscore),
    data!("zrank", 3, READONLY | FAST, 1, 1, 1, zsets::zrank),
    data!("zrevrank", 3, READONLY | FAST, 1, 1, 1, zsets::zrevrank),
    data!("zcount", 4, READONLY | FAST, 1, 1, 1, zsets::zcount),
    data!("zlexcount", 4, READONLY | FAST, 1, 1, 1, zsets::zlexcount),
    data!("zrange", -4, READONLY, 1, 1, 1, zsets::zrange),
    data!("zrevrange", -4, READONLY, 1, 1, 1, zsets::zrevrange),
    data!("zrangebyscore", -4, READONLY, 1, 1, 1, zsets::zrangebyscore),
    data!(
        "zrevrangebyscore",
        -4,
        READONLY,
        1,
        1,
        1,
        zsets::zrangebyscore
    ),
    data!("zrangebylex", -4, READONLY, 1, 1, 1, zsets::zrangebylex),
    data!("zrevrangebylex", -4, READONLY, 1, 1, 1, zsets::zrangebylex),
    data!(
        "zrangestore",
        -5,
        WRITE | DENYOOM,
        1,
        2,
        1,
        zsets::zrangestore
    ),
    data!(
        "zunionstore",
        -4,
        WRITE | DENYOOM,
        1,
        1,
        1,
        zsets::zunionstore
    ),
    data!(
        "zinterstore",
        -4,
        WRITE | DENYOOM,
        1,
        1,
        1,
        zsets::zinterstore
    ),
    data!(
        "zdiffstore",
        -4,
        WRITE | DENYOOM,
        1,
        1,
        1,
        zsets::zdiffstore
    ),
    data!("zunion", -3, READONLY, 0, 0, 0, zsets::zunion),
    data!("zinter", -3, READONLY, 0, 0, 0, zsets::zinter),
    data!("zdiff", -3, READONLY, 0, 0, 0, zsets::zdiff),
    data!("zintercard", -3, READONLY, 0, 0, 0, zsets::zintercard),
    data!("zscan", -3, READONLY, 1, 1, 1, zsets::zscan),
    data!("zrandmember", -2, READONLY, 1, 1, 1, zsets::zrandmember),
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
    data!(
        "pfadd",
        -2,
        WRITE | DENYOOM | FAST,
        1,
        1,
        1,
        hyperloglog::pfadd
    ),
    data!(
        "pfcount",
        -2,
        READONLY | MAY_REPLICATE,
        1,
        -1,
        1,
        hyperloglog::pfcount
    ),
    data!(
        "pfmerge",
        -2,
        WRITE | DENYOOM,
        1,
        -1,
        1,
        hyperloglog::pfmerge
    ),
    data!(
        "pfdebug",
        3,
        WRITE | DENYOOM | ADMIN,
        2,
        2,
        1,
        hyperloglog::pfdebug
    ),
    data!("pfselftest", 1, ADMIN, 0, 0, 0, hyperloglog::pfselftest),
    data!("dump", 2, READONLY, 1, 1, 1, keys_dump::dump),
    data!("restore", -4, WRITE | DENYOOM, 1, 1, 1, keys_dump::restore),
    // streams
    data!("xadd", -5, WRITE | DENYOOM | FAST, 1, 1, 1, streams::xadd),
    data!("xrange", -4, READONLY, 1, 1, 1, streams::xrange),
    data!("xrevrange", -4, READONLY, 1, 1, 1, streams::xrevrange),
    data!("xlen", 2, READONLY | FAST, 1, 1, 1, streams::xlen),
    data!("xdel", -3, WRITE | FAST, 1, 1, 1, streams::xdel),
    data!("xtrim", -4, WRITE, 1, 1, 1, streams::xtrim),
    data!(
        "xsetid",
        -3,
        WRITE | DENYOOM | FAST,
        1,
        1,
        1,
        streams::xsetid
    ),
    data!("xread", -4, READONLY | BLOCKING, 0, 0, 0, streams::xread),
    data!(
        "xreadgroup",
        -7,
        WRITE | BLOCKING,
        0,
        0,
        0,
        streams::xreadgroup
    ),
    data!("xgroup", -2, WRITE, 0, 0, 0, streams::xgroup),
    data!("xack", -4, WRITE | FAST, 1, 1, 1, streams::xack),
    data!("xpending", -3, READONLY, 1, 1, 1, streams::xpending),
    data!("xclaim", -6, WRITE | FAST, 1, 1, 1, streams::xclaim),
    data!("xautoclaim", -6, WRITE | FAST, 1, 1, 1, streams::xautoclaim),
    data!("xinfo", -2, READONLY, 0, 0, 0, streams::xinfo),
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

pub use commands::{is, owned, parse_i64, stored};

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
}
