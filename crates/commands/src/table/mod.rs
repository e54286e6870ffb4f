//! The one command table: every command and subcommand Redis 7.0 has (also those rserver does not run, so
//! ACL rules, `ACL CAT` and descriptions match Redis's), with its arity, flags, legacy key positions, ACL
//! categories and key specs, generated from the real redis-server's `COMMAND` reply (`cargo xtask
//! command-table`). The server binds handlers to these rows by name; [`keys`] finds a command's key and
//! channel arguments from them.

pub mod categories;
#[rustfmt::skip]
mod generated;
pub mod keys;

use std::collections::HashMap;
use std::sync::OnceLock;

use bytes::Bytes;

pub use generated::COMMANDS;
pub use keys::{Begin, Find, KeySpec};

/// Redis 7.0's command flags (`CMD_*`), in the order `COMMAND` lists them.
pub mod flags {
    /// Modifies the data set: refused on a read-only replica, propagated to replicas.
    pub const WRITE: u32 = 1 << 0;
    /// Only reads data.
    pub const READONLY: u32 = 1 << 1;
    /// May grow memory: refused past `maxmemory`.
    pub const DENYOOM: u32 = 1 << 2;
    /// A module's command.
    pub const MODULE: u32 = 1 << 3;
    /// Administrative.
    pub const ADMIN: u32 = 1 << 4;
    /// Pub/Sub command.
    pub const PUBSUB: u32 = 1 << 5;
    /// Not allowed in scripts.
    pub const NOSCRIPT: u32 = 1 << 6;
    /// May block the client (`BLPOP`, `BZPOPMIN`...).
    pub const BLOCKING: u32 = 1 << 7;
    /// Allowed while loading.
    pub const LOADING: u32 = 1 << 8;
    /// Allowed while a replica's link is down and `replica-serve-stale-data` is `no`.
    pub const STALE: u32 = 1 << 9;
    /// Not shown to `MONITOR` clients.
    pub const SKIP_MONITOR: u32 = 1 << 10;
    /// Not logged by `SLOWLOG`.
    pub const SKIP_SLOWLOG: u32 = 1 << 11;
    /// Allowed on a cluster replica after `ASKING` (Redis Cluster; listed only).
    pub const ASKING: u32 = 1 << 12;
    /// O(1) or O(log n).
    pub const FAST: u32 = 1 << 13;
    /// Allowed before authentication.
    pub const NO_AUTH: u32 = 1 << 14;
    /// May run without any key although it takes keys (`EVAL` with 0 keys).
    pub const NO_MANDATORY_KEYS: u32 = 1 << 15;
    /// Refused during an asynchronous load (`repl-diskless-load swapdb`).
    pub const NO_ASYNC_LOADING: u32 = 1 << 16;
    /// Refused inside `MULTI` (`-ERR Command not allowed inside a transaction`).
    pub const NO_MULTI: u32 = 1 << 17;
    /// The key positions depend on the arguments.
    pub const MOVABLEKEYS: u32 = 1 << 18;
    /// Runs even while a script is busy (`SCRIPT KILL`, `SHUTDOWN`, `AUTH`...).
    pub const ALLOW_BUSY: u32 = 1 << 19;
    /// May feed the replication stream without being a write (`EVAL`, `FCALL`, `PUBLISH`, `PFCOUNT`): held
    /// like writes while writes are paused. `COMMAND` hides it, as Redis does.
    pub const MAY_REPLICATE: u32 = 1 << 20;
    /// May delete keys it did not name (`SCAN`, `RANDOMKEY` meeting expired keys): run directly, its
    /// propagated `DEL`s are not wrapped in `MULTI`/`EXEC`, as Redis's `propagatePendingCommands` does.
    /// Hidden by `COMMAND`, as Redis does.
    pub const TOUCHES_ARBITRARY_KEYS: u32 = 1 << 21;

    /// Every flag `COMMAND` shows, with its name, in Redis's order (`addReplyCommandFlags`).
    pub const SHOWN: [(u32, &str); 20] = [
        (WRITE, "write"),
        (READONLY, "readonly"),
        (DENYOOM, "denyoom"),
        (MODULE, "module"),
        (ADMIN, "admin"),
        (PUBSUB, "pubsub"),
        (NOSCRIPT, "noscript"),
        (BLOCKING, "blocking"),
        (LOADING, "loading"),
        (STALE, "stale"),
        (SKIP_MONITOR, "skip_monitor"),
        (SKIP_SLOWLOG, "skip_slowlog"),
        (ASKING, "asking"),
        (FAST, "fast"),
        (NO_AUTH, "no_auth"),
        (NO_MANDATORY_KEYS, "no_mandatory_keys"),
        (NO_ASYNC_LOADING, "no_async_loading"),
        (NO_MULTI, "no_multi"),
        (MOVABLEKEYS, "movablekeys"),
        (ALLOW_BUSY, "allow_busy"),
    ];
}

/// One command or subcommand of Redis 7.0 (a row of the generated table).
#[derive(Debug)]
pub struct CommandInfo {
    /// Lower-case name; `container|sub` for a subcommand.
    pub name: &'static str,
    /// Redis arity: N = exactly N arguments including the name, -N = at least N.
    pub arity: i32,
    /// [`flags`] bits.
    pub flags: u32,
    /// Position of the first key (0 = no keys), as `COMMAND` gives it.
    pub first_key: i32,
    /// Position of the last key (-1 = last argument).
    pub last_key: i32,
    /// Step between keys.
    pub key_step: i32,
    /// [`categories`] bits.
    pub categories: u32,
    /// How many subcommands follow this container in the table.
    pub subcommands: u16,
    /// Redis's key specs.
    pub key_specs: &'static [KeySpec],
}

impl CommandInfo {
    /// Whether `argc` (including the name, and the subcommand's name for a subcommand) satisfies the arity.
    pub fn arity_ok(&self, argc: usize) -> bool {
        let (argc, arity) = (argc as i64, i64::from(self.arity));
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

    /// Whether this is a container (`CONFIG`, `CLIENT`...), whose first argument names a subcommand.
    pub fn is_container(&self) -> bool {
        self.subcommands > 0
    }

    /// The subcommands of a container (empty for any other command).
    pub fn subcommands(&self) -> &'static [CommandInfo] {
        let id = id_of(self);
        &COMMANDS[id + 1..=id + usize::from(self.subcommands)]
    }
}

/// The row's position in [`COMMANDS`].
pub fn id_of(info: &CommandInfo) -> usize {
    index()[info.name]
}

/// Command names to table ids.
fn index() -> &'static HashMap<&'static str, usize> {
    static INDEX: OnceLock<HashMap<&'static str, usize>> = OnceLock::new();
    INDEX.get_or_init(|| {
        COMMANDS
            .iter()
            .enumerate()
            .map(|(id, info)| (info.name, id))
            .collect()
    })
}

/// The id of the command or subcommand named `name` (`get`, `config|get`; any case).
pub fn id(name: &[u8]) -> Option<usize> {
    let mut lower = [0u8; 96];
    let slot = lower.get_mut(..name.len())?;
    slot.copy_from_slice(name);
    slot.make_ascii_lowercase();
    index().get(std::str::from_utf8(slot).ok()?).copied()
}

/// The id of the top-level command `name` (any case; never a `container|sub` name).
pub fn command_id(name: &[u8]) -> Option<usize> {
    if name.contains(&b'|') {
        return None;
    }
    id(name)
}

/// The id of subcommand `sub` (any case) of the container with id `container`.
pub fn subcommand_id(container: usize, sub: &[u8]) -> Option<usize> {
    let name = COMMANDS[container].name;
    let mut full = [0u8; 96];
    let length = name.len() + 1 + sub.len();
    let slot = full.get_mut(..length)?;
    slot[..name.len()].copy_from_slice(name.as_bytes());
    slot[name.len()] = b'|';
    slot[name.len() + 1..].copy_from_slice(sub);
    id(slot)
}

/// The command or subcommand `argv` runs, as Redis's `lookupCommand` finds it: a container with an argument
/// is its subcommand (`None` when it has no such subcommand).
pub fn resolve(argv: &[Bytes]) -> Option<usize> {
    let id = command_id(argv.first()?)?;
    match argv.get(1) {
        Some(sub) if COMMANDS[id].is_container() => subcommand_id(id, sub),
        _ => Some(id),
    }
}

/// The facts about the command or subcommand `name` (`get`, `config|get`; any case).
pub fn lookup(name: &[u8]) -> Option<&'static CommandInfo> {
    id(name).map(|id| &COMMANDS[id])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn containers_are_followed_by_their_subcommands() {
        for (id, info) in COMMANDS.iter().enumerate() {
            for sub in info.subcommands() {
                assert!(sub.name.starts_with(&format!("{}|", info.name)));
                assert!(id < id_of(sub));
            }
        }
        let config = lookup(b"CONFIG").unwrap();
        assert!(config.is_container());
        assert!(
            config
                .subcommands()
                .iter()
                .any(|sub| sub.name == "config|get")
        );
    }

    #[test]
    fn flags_are_redis_own() {
        let get = lookup(b"get").unwrap();
        assert!(get.has(flags::READONLY) && get.has(flags::FAST));
        assert_eq!((get.first_key, get.last_key, get.key_step), (1, 1, 1));
        assert!(lookup(b"eval").unwrap().has(flags::MAY_REPLICATE));
        assert!(lookup(b"script|kill").unwrap().has(flags::ALLOW_BUSY));
        assert_eq!(lookup(b"client").unwrap().flags, 0);
    }

    #[test]
    fn resolve_finds_subcommands_like_lookup_command() {
        let argv = |line: &str| -> Vec<Bytes> {
            line.split(' ')
                .map(|word| Bytes::copy_from_slice(word.as_bytes()))
                .collect()
        };
        assert_eq!(resolve(&argv("CONFIG GET x")), id(b"config|get"));
        assert_eq!(resolve(&argv("config nosuch")), None);
        assert_eq!(resolve(&argv("get k")), id(b"get"));
        assert_eq!(resolve(&argv("get|x k")), None);
    }
}
