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

use commands::table::CommandInfo;
use commands::{BlockRequest, Caller, DataCtx, Effects};

use crate::client::ClientState;
use crate::core::Core;
use crate::shared::Shared;

mod acl;
pub(crate) mod acl_log;
mod blocked;
mod call;
mod client;
mod connection;
mod databases;
mod debug;
mod docs;
mod failover;
mod functions;
mod pubsub;
mod replication;
pub(crate) mod script_run;
pub(crate) mod scripts;
mod server;
mod slowlog;
#[cfg(test)]
mod sweep_tests;
mod transactions;
mod unit;

pub use commands::table::flags;

/// A server command's handler: runs the command with the whole server at hand and returns the reply.
pub type ServerHandler = fn(&mut Ctx<'_>, &[Bytes]) -> commands::Reply;

/// How a command runs.
#[derive(Debug, Clone, Copy)]
pub enum Handler {
    /// A data command (crate `commands`): it sees only a [`DataCtx`] and records its effects, which
    /// [`Ctx::run_data`] applies.
    Data(commands::Handler),
    /// A server command (connection, transactions, pub/sub, replication, scripts, administration).
    Server(ServerHandler),
}

/// One command's (or one container's subcommand's) facts and handler: the facts are Redis's own, from the
/// generated `commands::table`; the handler is bound by name by its family (`HANDLERS`).
#[derive(Debug)]
pub struct CommandSpec {
    /// Lower-case name of the command; for a subcommand, its container's (`config`).
    pub name: &'static str,
    /// The name Redis shows in errors: `config|get` for a subcommand, the name otherwise.
    pub full_name: &'static str,
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
    /// Everything Redis says about the command (categories, key specs, subcommands).
    pub info: &'static CommandInfo,
    /// The implementation; reached only through [`CommandSpec::invoke`].
    handler: Handler,
}

impl CommandSpec {
    fn new(info: &'static CommandInfo, name: &'static str, handler: Handler) -> CommandSpec {
        CommandSpec {
            name,
            full_name: info.name,
            arity: info.arity,
            flags: info.flags,
            first_key: info.first_key,
            last_key: info.last_key,
            key_step: info.key_step,
            info,
            handler,
        }
    }

    /// Runs the handler, after checking the arity: every caller (a client, `EXEC`'s queue, `redis.call`, the
    /// AOF loader, the master's stream) goes through here, so no handler is ever reached with an argument
    /// count its spec refuses (handlers index `argv` by the arity they were declared with).
    pub fn invoke(&self, ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Frame {
        if !self.arity_ok(argv.len()) {
            return crate::errors::wrong_arity(self.full_name);
        }
        match self.handler {
            Handler::Server(handler) => handler(ctx, argv).unwrap_or_else(|error| error),
            Handler::Data(handler) => ctx
                .run_data(|data| handler(data, argv))
                .unwrap_or_else(|error| error),
        }
    }

    /// Whether `argc` (including the name) satisfies the arity.
    pub fn arity_ok(&self, argc: usize) -> bool {
        self.info.arity_ok(argc)
    }

    /// Whether a flag is set.
    pub fn has(&self, flag: u32) -> bool {
        self.flags & flag != 0
    }

    /// The spec that runs `argv`, as Redis's `lookupCommand` finds it: for a container with a known
    /// subcommand, the subcommand's (its own flags, arity and keys, the container's handler); else this one.
    pub fn resolve(&'static self, argv: &[Bytes]) -> &'static CommandSpec {
        if !self.info.is_container() {
            return self;
        }
        let sub = argv
            .get(1)
            .and_then(|sub| commands::table::subcommand_id(commands::table::id_of(self.info), sub));
        sub.and_then(|id| table().subcommands.get(&id))
            .unwrap_or(self)
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

    /// Names of the set flags, as `COMMAND` lists them (Redis's order; `may_replicate` hidden, as Redis does).
    pub fn flag_names(&self) -> Vec<&'static str> {
        flags::SHOWN
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
        Ctx::with_effects(core, client, shared, now_ms, policy, Effects::new())
    }

    /// A context recording into `effects` (a batch's buffers, lent for one command; see [`Ctx::into_effects`]).
    pub fn with_effects(
        core: &'a mut Core,
        client: &'a mut ClientState,
        shared: &'a Arc<Shared>,
        now_ms: i64,
        policy: ExpiryPolicy,
        effects: Effects,
    ) -> Ctx<'a> {
        Ctx {
            core,
            client,
            shared,
            now_ms,
            policy,
            effects,
            clock_hint: None,
        }
    }

    /// Ends the context, giving back its effect buffers (with what they recorded) for the next command.
    pub fn into_effects(self) -> Effects {
        self.effects
    }

    /// Runs `run` (a data command, or a blocked client's operation) on a [`DataCtx`] lent from this context,
    /// then applies the effects it recorded: changes counted, `WATCH`ers told, blocked clients signalled, its
    /// own client blocked. What it propagates stays queued here with the rest of the unit.
    pub fn run_data<T>(&mut self, run: impl FnOnce(&mut DataCtx<'_>) -> T) -> T {
        self.sync_recording();
        let core = &mut *self.core;
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
            core.touch_key(db, &key);
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
        if self.sync_recording() {
            self.effects.record(self.client.db, argv.to_vec());
        }
    }

    /// Whether propagation is recorded follows the core (a backlog or an AOF may appear or go between
    /// commands); returns it.
    fn sync_recording(&mut self) -> bool {
        let recording = self.core.records_propagation();
        let tracking = !self.core.watches.is_empty() || !self.core.blocking.is_empty();
        self.effects.configure(recording, tracking);
        recording
    }

    /// Tells `WATCH`ers that `key` of database `db` changed; this replaces the generic touch of the command's
    /// key arguments (see [`crate::cmd::call`]).
    pub fn touch_in(&mut self, db: usize, key: &[u8]) {
        self.effects.mark_touched_explicitly();
        self.core.touch_key(db, key);
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

impl Ctx<'_> {
    /// Blocks the client as its command asked (a [`BlockRequest`] on keys of its database): the handler's own
    /// reply is then ignored, and the connection waits for the request's operation to be served or to time out.
    pub(crate) fn block(&mut self, request: BlockRequest) {
        let deadline = request
            .timeout
            .and_then(|timeout| tokio::time::Instant::now().checked_add(timeout));
        let pending = self.core.blocking.block(
            self.client.id,
            self.client.db,
            self.client.protocol,
            request,
            deadline,
        );
        // Under the core lock, so CLIENT LIST shows `flags=b` as soon as INFO counts it as blocked.
        self.shared
            .clients
            .update(self.client.id, |info| info.blocked = true);
        self.client.blocked = Some(pending);
    }
}

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
    if !spec.info.is_container() {
        return Ok(());
    }
    let Some(sub) = argv.get(1) else {
        return Ok(());
    };
    let container = commands::table::id_of(spec.info);
    let Some(id) = commands::table::subcommand_id(container, sub) else {
        return Err(SubcommandError::Unknown);
    };
    let info = &commands::table::COMMANDS[id];
    if info.arity_ok(argv.len()) {
        Ok(())
    } else {
        Err(SubcommandError::Arity(info.name.to_owned()))
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

/// The command named `name` (any case; a top-level name, never `container|sub`).
pub fn lookup(name: &[u8]) -> Option<&'static CommandSpec> {
    let mut lower = [0u8; 32];
    let name = lower.get_mut(..name.len()).map(|slot| {
        slot.copy_from_slice(name);
        slot.make_ascii_lowercase();
        &*slot
    })?;
    let name = std::str::from_utf8(name).ok()?;
    let table = table();
    table.by_name.get(name).map(|&at| &table.commands[at])
}

/// Every command we run, for `COMMAND`.
pub fn all() -> &'static [CommandSpec] {
    &table().commands
}

/// The command table: the handlers every family binds, joined with Redis's facts.
struct Table {
    /// The top-level commands we run.
    commands: Vec<CommandSpec>,
    /// Their positions by name. Hashed with FNV-1a: the keys are our own short names, so a keyed hash buys
    /// nothing here, and the lookup runs once per command.
    by_name: CommandTable,
    /// The subcommands of the containers we run, by their id in `commands::table`.
    subcommands: HashMap<usize, CommandSpec>,
}

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| {
        let data = commands::FAMILIES
            .iter()
            .flat_map(|family| family.iter())
            .map(|&(name, handler)| (name, Handler::Data(handler)));
        let server = SERVER_FAMILIES
            .iter()
            .flat_map(|family| family.iter())
            .map(|&(name, handler)| (name, Handler::Server(handler)));
        let mut table = Table {
            commands: Vec::new(),
            by_name: CommandTable::default(),
            subcommands: HashMap::new(),
        };
        for (name, handler) in data.chain(server) {
            let info = commands::table::lookup(name.as_bytes()).unwrap_or_else(|| {
                panic!("`{name}` is bound to a handler but Redis 7.0 has no such command")
            });
            for sub in info.subcommands() {
                let id = commands::table::id_of(sub);
                table
                    .subcommands
                    .insert(id, CommandSpec::new(sub, info.name, handler));
            }
            table.by_name.insert(info.name, table.commands.len());
            table
                .commands
                .push(CommandSpec::new(info, info.name, handler));
        }
        table
    })
}

/// The server's own families' handlers, by command name (the data families' are `commands::FAMILIES`).
const SERVER_FAMILIES: &[&[(&str, ServerHandler)]] = &[
    connection::HANDLERS,
    client::HANDLERS,
    acl::HANDLERS,
    databases::HANDLERS,
    transactions::HANDLERS,
    pubsub::HANDLERS,
    debug::HANDLERS,
    server::HANDLERS,
    functions::HANDLERS,
    scripts::HANDLERS,
    slowlog::HANDLERS,
    replication::HANDLERS,
    failover::HANDLERS,
];

type CommandTable = HashMap<&'static str, usize, std::hash::BuildHasherDefault<Fnv1a>>;

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

pub use call::call;
pub(crate) use call::full_name;
pub use commands::{is, owned, parse_i64, stored};
pub(crate) use unit::{feed_unit, serve_blocked, serve_blocked_after_script};

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
    fn every_command_is_bound_once_to_a_redis_command() {
        let mut names: Vec<_> = all().iter().map(|spec| spec.name).collect();
        names.sort();
        let before = names.len();
        names.dedup();
        assert_eq!(before, names.len());
        assert!(before > 200, "{before} commands");
    }

    #[test]
    fn a_container_resolves_to_its_subcommand_with_its_own_flags() {
        let argv = |line: &str| -> Vec<Bytes> {
            line.split(' ')
                .map(|word| Bytes::copy_from_slice(word.as_bytes()))
                .collect()
        };
        let config = lookup(b"config").unwrap();
        assert_eq!(config.flags, 0);
        let get = config.resolve(&argv("CONFIG GET port"));
        assert_eq!((get.name, get.full_name), ("config", "config|get"));
        assert!(get.has(flags::ADMIN) && get.has(flags::LOADING) && get.has(flags::NOSCRIPT));
        assert!(std::ptr::eq(config.resolve(&argv("config nosuch")), config));
        let client = lookup(b"client").unwrap();
        assert!(client.resolve(&argv("client list")).has(flags::ADMIN));
        assert!(!client.resolve(&argv("client setname n")).has(flags::ADMIN));
        let kill = lookup(b"script").unwrap().resolve(&argv("script kill"));
        assert!(kill.has(flags::ALLOW_BUSY));
        assert!(!lookup(b"ping").unwrap().has(flags::STALE));
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
