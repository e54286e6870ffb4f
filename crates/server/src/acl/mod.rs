//! Access control lists, as Redis 7.0 has them: users with passwords and permissions (commands and
//! categories, key patterns with read/write access, Pub/Sub channel patterns, selectors), the check every
//! command passes before it runs, and the ACL log.
//!
//! The [`Acl`] lives in the `Core`, so a check sees the users exactly as the command it guards will; the
//! command facts it needs (every Redis command and subcommand with its categories and key specs, also those
//! rserver does not run, so rules, `ACL CAT` and descriptions match Redis's) come from the generated table
//! (`commands::table`). A connection names its user ([`crate::client::ClientState::user`]); the master's
//! link and scripts it runs are never checked, as in Redis.

pub mod file;
mod log;
mod selector;
mod sha256;
mod user;

use std::collections::BTreeMap;

use bytes::Bytes;
use resp::Frame;

pub use commands::table::categories::{
    ALL as CATEGORIES, by_name as category_by_name, names as category_names,
};
pub use commands::table::{CommandInfo, keys};
pub use file::check_user_directive;
pub use log::{AclLog, Context, LogEntry, LogReason};
pub use selector::{RuleError, Selector};
pub use user::{User, merge_selector_args};

use commands::table::{COMMANDS, categories, resolve};

/// The facts about command `name` (`get`, `config|get`; any case).
pub fn lookup(name: &[u8]) -> Option<&'static CommandInfo> {
    selector::lookup_rule_name(name).map(|id| &COMMANDS[id])
}

/// Every command and subcommand, containers followed by their subcommands.
pub fn commands() -> &'static [CommandInfo] {
    COMMANDS
}

/// Why a command was refused. The order is Redis's: when no selector allows a command, the "furthest"
/// reason is reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Reason {
    /// The command itself.
    Command,
    /// One of its keys.
    Key,
    /// One of its channels.
    Channel,
}

/// A refused command: why, which argument (for keys and channels), and the command's full name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Denial {
    /// Why.
    pub reason: Reason,
    /// Position in `argv` of the key or channel refused (0 for a command).
    pub position: usize,
    /// The command's full name (`get`, `config|set`).
    pub command: &'static str,
}

impl Denial {
    /// The error a client gets (`-NOPERM ...`).
    pub fn error(&self) -> Frame {
        let text = match self.reason {
            Reason::Command => format!(
                "NOPERM this user has no permissions to run the '{}' command",
                self.command
            ),
            Reason::Key => {
                "NOPERM this user has no permissions to access one of the keys used as arguments"
                    .to_owned()
            }
            Reason::Channel => {
                "NOPERM this user has no permissions to access one of the channels used as arguments"
                    .to_owned()
            }
        };
        Frame::Error(Bytes::from(text))
    }

    /// The error of a queued command that the user may no longer run when `EXEC` comes.
    pub fn exec_error(&self) -> Frame {
        let reason = match self.reason {
            Reason::Command => "no permission to execute the command or subcommand",
            Reason::Key => "no permission to touch the specified keys",
            Reason::Channel => "no permission to access one of the channels used as arguments",
        };
        Frame::Error(Bytes::from(format!(
            "NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC call. This command is no longer allowed for the following reason: {reason}"
        )))
    }

    /// The error text (without `ERR `) of a script's `redis.call` that was refused.
    pub fn script_error(&self) -> &'static str {
        match self.reason {
            Reason::Command => "The user executing the script can't run this command or subcommand",
            Reason::Key => {
                "The user executing the script can't access at least one of the keys mentioned in the command arguments"
            }
            Reason::Channel => {
                "The user executing the script can't publish to the channel mentioned in the command"
            }
        }
    }

    /// `ACL DRYRUN`'s answer; `argv` is the command tried.
    pub fn dryrun_text(&self, argv: &[Bytes]) -> Bytes {
        let argument = || String::from_utf8_lossy(&argv[self.position]).into_owned();
        let text = match self.reason {
            Reason::Command => format!(
                "This user has no permissions to run the '{}' command",
                self.command
            ),
            Reason::Key => format!(
                "This user has no permissions to access the '{}' key",
                argument()
            ),
            Reason::Channel => format!(
                "This user has no permissions to access the '{}' channel",
                argument()
            ),
        };
        Bytes::from(text)
    }

    /// What kind of denial the ACL log records.
    pub fn log_reason(&self) -> LogReason {
        match self.reason {
            Reason::Command => LogReason::Command,
            Reason::Key => LogReason::Key,
            Reason::Channel => LogReason::Channel,
        }
    }

    /// What the ACL log names: the command, or the key or channel refused.
    pub fn object(&self, argv: &[Bytes]) -> Bytes {
        match self.reason {
            Reason::Command => Bytes::from_static(self.command.as_bytes()),
            Reason::Key | Reason::Channel => argv[self.position].clone(),
        }
    }
}

/// The users and the log.
#[derive(Debug)]
pub struct Acl {
    /// By name, in byte order (the order `ACL LIST` and `ACL USERS` show).
    users: BTreeMap<Bytes, User>,
    /// `ACL LOG`.
    pub log: AclLog,
}

/// Why a user's permissions changed in a way that may end some of its connections.
#[derive(Debug)]
pub struct ChannelsRevoked {
    /// The channel patterns the user keeps (over all its selectors): a subscription not allowed by them
    /// disconnects its client.
    pub kept: Vec<Bytes>,
}

impl Default for Acl {
    fn default() -> Acl {
        Acl::new()
    }
}

impl Acl {
    /// Only the `default` user, unrestricted and without a password.
    pub fn new() -> Acl {
        let default = User::default_user();
        Acl {
            users: BTreeMap::from([(default.name().clone(), default)]),
            log: AclLog::default(),
        }
    }

    /// `requirepass`: the default user gets exactly this password, or `nopass` when there is none.
    pub fn set_default_password(&mut self, password: Option<&[u8]>) {
        let default = self.default_user_mut();
        default.apply(b"resetpass", false).expect("a valid rule");
        match password {
            Some(password) => default
                .apply(&[&b">"[..], password].concat(), false)
                .expect("a password rule is always valid"),
            None => default.apply(b"nopass", false).expect("a valid rule"),
        }
    }

    fn default_user_mut(&mut self) -> &mut User {
        self.users
            .get_mut(&b"default"[..])
            .expect("the default user is never removed")
    }

    /// Whether a connection is authenticated without `AUTH`: the default user is on and needs no password.
    pub fn default_open(&self) -> bool {
        self.users
            .get(&b"default"[..])
            .is_some_and(|user| user.enabled() && user.nopass())
    }

    /// The user named `name`.
    pub fn user(&self, name: &[u8]) -> Option<&User> {
        self.users.get(name)
    }

    /// Every user, by name.
    pub fn users(&self) -> impl Iterator<Item = &User> {
        self.users.values()
    }

    /// Whether `password` logs in as `name` (an existing, enabled user).
    pub fn authenticate(&self, name: &[u8], password: &[u8]) -> bool {
        self.users
            .get(name)
            .is_some_and(|user| user.password_matches(password))
    }

    /// `ACL SETUSER name rules...`: all rules or none. `all_channels` is `acl-pubsub-default`. On success,
    /// says which channel permissions the user lost, if its subscribers must be checked.
    pub fn set_user(
        &mut self,
        name: &[u8],
        rules: &[Bytes],
        all_channels: bool,
    ) -> Result<Option<ChannelsRevoked>, Vec<u8>> {
        let rules = merge_selector_args(rules).map_err(|index| {
            [
                &b"Unmatched parenthesis in acl selector starting at '"[..],
                c_string(&rules[index]),
                b"'.",
            ]
            .concat()
        })?;
        let existing = self.users.get(name);
        let mut updated = existing
            .cloned()
            .unwrap_or_else(|| User::new(name, all_channels));
        for rule in &rules {
            if let Err(error) = updated.apply(rule, all_channels) {
                return Err([
                    &b"Error in ACL SETUSER modifier '"[..],
                    c_string(rule),
                    b"': ",
                    error.message().as_bytes(),
                ]
                .concat());
            }
        }
        let revoked = existing.and_then(|old| channels_revoked(old, &updated));
        self.users.insert(Bytes::copy_from_slice(name), updated);
        Ok(revoked)
    }

    /// Replaces every user (`ACL LOAD`); a fresh default user is created if `users` has none. Returns the names of
    /// the other users replaced: their connections must close, as Redis frees those users.
    pub fn replace_users(&mut self, mut users: BTreeMap<Bytes, User>) -> Vec<Bytes> {
        users
            .entry(Bytes::from_static(b"default"))
            .or_insert_with(User::default_user);
        let old = std::mem::replace(&mut self.users, users);
        old.into_keys()
            .filter(|name| &name[..] != b"default")
            .collect()
    }

    /// `ACL DELUSER names...`: the names actually deleted; the default user cannot be.
    pub fn delete_users(&mut self, names: &[Bytes]) -> Result<Vec<Bytes>, &'static str> {
        if names.iter().any(|name| &name[..] == b"default") {
            return Err("ERR The 'default' user cannot be removed");
        }
        Ok(names
            .iter()
            .filter(|name| self.users.remove(&name[..]).is_some())
            .cloned()
            .collect())
    }

    /// Whether user `name` may run `argv`. Commands (or subcommands) unknown to Redis, and calls with the
    /// wrong number of arguments, pass: the command answers its own error first, as in Redis. A user that
    /// no longer exists may run nothing.
    pub fn check(&self, name: &[u8], argv: &[Bytes]) -> Result<(), Denial> {
        let Some(user) = self.users.get(name) else {
            let command = resolve(argv).map_or("", |id| COMMANDS[id].name);
            return Err(Denial {
                reason: Reason::Command,
                position: 0,
                command,
            });
        };
        if user.unrestricted() {
            return Ok(());
        }
        check_user(user, argv)
    }
}

/// A rule as Redis's `%s` prints it: up to its first NUL byte.
fn c_string(text: &[u8]) -> &[u8] {
    let end = text
        .iter()
        .position(|&byte| byte == 0)
        .unwrap_or(text.len());
    &text[..end]
}

impl Acl {
    /// `redis.acl_check_cmd`: whether `user` (`None`: no user, everything allowed) may run `argv`; `None`
    /// when Redis has no such command or subcommand.
    pub fn would_allow(&self, user: Option<&Bytes>, argv: &[Bytes]) -> Option<bool> {
        resolve(argv)?;
        Some(user.is_none_or(|user| self.check(user, argv).is_ok()))
    }
}

/// Redis's `ACLCheckAllUserCommandPerm`: allowed if any selector allows it; else the furthest reason any
/// selector gave (a key or channel beats the command itself, a later argument an earlier one).
pub fn check_user(user: &User, argv: &[Bytes]) -> Result<(), Denial> {
    let Some(id) = resolve(argv) else {
        return Ok(());
    };
    let info = &COMMANDS[id];
    if !info.arity_ok(argv.len()) {
        return Ok(());
    }
    let mut cache = None;
    let (mut worst, mut worst_position) = (Reason::Command, 0);
    let mut position = 0;
    for selector in user.selectors() {
        match selector.check(id, argv, &mut cache) {
            Ok(()) => return Ok(()),
            Err((reason, at)) => {
                // A command refusal keeps the position of the previous selector's, as in Redis.
                position = at.unwrap_or(position);
                if reason > worst || (reason == worst && position > worst_position) {
                    (worst, worst_position) = (reason, position);
                }
            }
        }
    }
    Err(Denial {
        reason: worst,
        position: worst_position,
        command: info.name,
    })
}

/// Whether the channel permissions shrank from `old` to `new` (Redis's `ACLKillPubsubClientsIfNeeded`):
/// `None` when `new` allows every channel, or keeps every pattern `old` had.
fn channels_revoked(old: &User, new: &User) -> Option<ChannelsRevoked> {
    if new.selectors().iter().any(Selector::all_channels) {
        return None;
    }
    let kept: Vec<Bytes> = new
        .selectors()
        .iter()
        .flat_map(|selector| selector.channel_patterns().iter().cloned())
        .collect();
    let superset = old.selectors().iter().all(|selector| {
        !selector.all_channels()
            && selector
                .channel_patterns()
                .iter()
                .all(|pattern| kept.contains(pattern))
    });
    (!superset).then_some(ChannelsRevoked { kept })
}

impl ChannelsRevoked {
    /// Whether a client subscribed to these channels and patterns must be disconnected.
    pub fn violated_by(&self, channels: &[Bytes], patterns: &[Bytes]) -> bool {
        patterns
            .iter()
            .any(|pattern| !selector::channel_allowed(&self.kept, pattern, true))
            || channels
                .iter()
                .any(|channel| !selector::channel_allowed(&self.kept, channel, false))
    }
}

/// `COMMAND INFO`'s categories of our command `name`: the `@`-names of Redis's categories.
pub fn command_categories(name: &str) -> Vec<&'static str> {
    lookup(name.as_bytes()).map_or_else(Vec::new, |info| category_names(info.categories).collect())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The words of `line` as arguments.
    pub(crate) fn args(line: &str) -> Vec<Bytes> {
        line.split_whitespace()
            .map(|word| Bytes::copy_from_slice(word.as_bytes()))
            .collect()
    }

    fn acl_with(name: &str, rules: &str) -> Acl {
        let mut acl = Acl::new();
        acl.set_user(name.as_bytes(), &args(rules), false).unwrap();
        acl
    }

    #[test]
    fn every_command_we_run_is_in_the_table() {
        for spec in crate::cmd::all() {
            assert!(
                commands::table::command_id(spec.name.as_bytes()).is_some(),
                "{}",
                spec.name
            );
        }
        // Containers come right before their subcommands.
        for (id, info) in COMMANDS.iter().enumerate() {
            for sub in &COMMANDS[id + 1..=id + usize::from(info.subcommands)] {
                assert!(sub.name.starts_with(&format!("{}|", info.name)));
            }
        }
    }

    #[test]
    fn commands_subcommands_keys_and_channels_are_checked() {
        let acl = acl_with("u", "on nopass +get +config|get +publish ~k:* &ch:*");
        let check = |line: &str| {
            acl.check(b"u", &args(line))
                .map_err(|d| (d.reason, d.position, d.command))
        };
        assert_eq!(check("GET k:1"), Ok(()));
        assert_eq!(check("get other"), Err((Reason::Key, 1, "get")));
        assert_eq!(check("set k:1 v"), Err((Reason::Command, 0, "set")));
        assert_eq!(check("config get maxmemory"), Ok(()));
        assert_eq!(
            check("config set a b"),
            Err((Reason::Command, 0, "config|set"))
        );
        assert_eq!(check("publish ch:1 m"), Ok(()));
        assert_eq!(
            check("publish other m"),
            Err((Reason::Channel, 1, "publish"))
        );
        // Wrong arity and unknown subcommands are left to the command's own error.
        assert_eq!(check("config nosuch"), Ok(()));
        assert_eq!(check("get"), Ok(()));
        // AUTH and HELLO always run.
        assert_eq!(check("auth u p"), Ok(()));
        assert_eq!(check("hello 3"), Ok(()));
        assert!(acl.check(b"nobody", &args("ping")).is_err());
    }

    #[test]
    fn any_selector_allows() {
        let acl = acl_with("u", "on +get ~a (+set ~b) (+get ~c)");
        let check = |line: &str| {
            acl.check(b"u", &args(line))
                .map_err(|d| (d.reason, d.position))
        };
        assert_eq!(check("get a"), Ok(()));
        assert_eq!(check("get c"), Ok(()));
        assert_eq!(check("set b v"), Ok(()));
        assert_eq!(check("set a v"), Err((Reason::Key, 1)));
        assert_eq!(check("del a"), Err((Reason::Command, 0)));
    }

    #[test]
    fn first_args_and_default_password() {
        let acl = acl_with("u", "on -@all +select|0");
        assert!(acl.check(b"u", &args("select 0")).is_ok());
        assert!(acl.check(b"u", &args("select 1")).is_err());
        let mut acl = Acl::new();
        assert!(acl.default_open());
        acl.set_default_password(Some(b"secret"));
        assert!(!acl.default_open());
        assert!(acl.authenticate(b"default", b"secret"));
        assert!(!acl.authenticate(b"default", b"other"));
        acl.set_default_password(None);
        assert!(acl.default_open());
    }

    #[test]
    fn setuser_is_all_or_nothing_and_deluser_spares_default() {
        let mut acl = acl_with("u", "on >p");
        let error = acl.set_user(b"u", &args("off +nosuch"), false).unwrap_err();
        assert_eq!(
            String::from_utf8(error).unwrap(),
            "Error in ACL SETUSER modifier '+nosuch': Unknown command or category name in ACL"
        );
        assert!(acl.user(b"u").unwrap().enabled());
        let error = acl.set_user(b"u", &args("(+get"), false).unwrap_err();
        assert_eq!(
            String::from_utf8(error).unwrap(),
            "Unmatched parenthesis in acl selector starting at '(+get'."
        );
        assert!(acl.delete_users(&args("u default")).is_err());
        assert_eq!(acl.delete_users(&args("u x")).unwrap(), args("u"));
    }

    #[test]
    fn revoked_channels() {
        let mut acl = acl_with("u", "resetchannels &foo:1 &bar:*");
        let revoked = acl
            .set_user(b"u", &args("resetchannels &foo:1 &bar:* &baz"), false)
            .unwrap();
        assert!(revoked.is_none());
        let revoked = acl
            .set_user(b"u", &args("resetchannels &foo:1"), false)
            .unwrap()
            .expect("bar:* was dropped");
        assert!(!revoked.violated_by(&args("foo:1"), &[]));
        assert!(revoked.violated_by(&[], &args("bar:*")));
        assert!(
            acl.set_user(b"u", &args("allchannels"), false)
                .unwrap()
                .is_none()
        );
    }
}
