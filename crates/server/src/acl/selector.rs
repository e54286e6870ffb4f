//! [`Selector`]: one set of permissions (commands, key patterns, channel patterns). A user has a root
//! selector (the rules written outside parentheses) and any number of extra ones (`(~x +get)`); a command is
//! allowed when any selector allows it.
//!
//! Commands are a bitmap over the generated command table plus one reserved bit that only `+@all` sets: it
//! says whether the user started from "everything" and subtracted, or from nothing and added, which is what
//! [`Selector::describe_commands`] needs to give back an equivalent, short list of rules.

use bytes::Bytes;
use keyspace::pattern::glob_match;

use super::keys::{self, ChannelUse};
use super::{COMMANDS, Reason, categories};

/// One bit per command and subcommand, plus the reserved "future commands" bit.
const WORDS: usize = (COMMANDS.len() + 1).div_ceil(64);
/// The bit only `+@all`/`allcommands` set (Redis's last bitmap bit).
const FUTURE: usize = COMMANDS.len();

/// Why a rule was refused; [`RuleError::message`] is Redis's wording.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleError {
    /// Not a rule, or a pattern with spaces.
    Syntax,
    /// `+name`/`-name`/`+@name` of a command or category that does not exist.
    Unknown,
    /// `~pattern` after `allkeys`.
    KeysAfterAll,
    /// `&pattern` after `allchannels`.
    ChannelsAfterAll,
    /// `<password` or `!hash` of a password the user does not have.
    NoSuchPassword,
    /// `#hash`/`!hash` that is not 64 lower-case hex digits.
    BadHash,
    /// `+container|sub|arg`.
    SubcommandFirstArg,
}

impl RuleError {
    /// The text after `Error in ACL SETUSER modifier '...': `.
    pub fn message(self) -> &'static str {
        match self {
            RuleError::Syntax => "Syntax error",
            RuleError::Unknown => "Unknown command or category name in ACL",
            RuleError::KeysAfterAll => {
                "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns"
            }
            RuleError::ChannelsAfterAll => {
                "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have any effect. Try 'resetchannels' to start with an empty list of channels"
            }
            RuleError::NoSuchPassword => {
                "The password you are trying to remove from the user does not exist"
            }
            RuleError::BadHash => {
                "The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters"
            }
            RuleError::SubcommandFirstArg => "Allowing first-arg of a subcommand is not supported",
        }
    }
}

/// A key pattern and what it grants: `~p` both, `%R~p` reads, `%W~p` writes.
#[derive(Debug, Clone, PartialEq, Eq)]
struct KeyPattern {
    pattern: Bytes,
    read: bool,
    write: bool,
}

impl KeyPattern {
    /// The rule that gives it back (`~p`, `%R~p`, `%W~p`).
    fn rule(&self) -> Vec<u8> {
        let prefix: &[u8] = match (self.read, self.write) {
            (true, false) => b"%R~",
            (false, true) => b"%W~",
            _ => b"~",
        };
        [prefix, &self.pattern].concat()
    }
}

/// One set of permissions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selector {
    all_keys: bool,
    all_channels: bool,
    /// Set by `+@all`, cleared by any removal: lets the check skip the bitmap.
    all_commands: bool,
    allowed: [u64; WORDS],
    /// `+select|0`-style rules: a command otherwise denied is allowed with one of these first arguments.
    first_args: Vec<(usize, Vec<Bytes>)>,
    patterns: Vec<KeyPattern>,
    channels: Vec<Bytes>,
}

/// The first keys found for a command, shared by the selectors of one check.
pub(super) type KeyCache = Option<Vec<(usize, u16)>>;

impl Selector {
    /// A selector that allows nothing; `all_channels` is the `acl-pubsub-default` setting.
    pub fn new(all_channels: bool) -> Selector {
        Selector {
            all_keys: false,
            all_channels,
            all_commands: false,
            allowed: [0; WORDS],
            first_args: Vec::new(),
            patterns: Vec::new(),
            channels: Vec::new(),
        }
    }

    /// Whether it allows every command, key and channel (no check needed).
    pub fn unrestricted(&self) -> bool {
        self.all_commands && self.all_keys && self.all_channels
    }

    /// Whether it grants every channel (`&*`).
    pub fn all_channels(&self) -> bool {
        self.all_channels
    }

    /// Its channel patterns.
    pub fn channel_patterns(&self) -> &[Bytes] {
        &self.channels
    }

    /// Applies one selector rule (the rules that may appear inside parentheses).
    pub fn apply(&mut self, op: &[u8]) -> Result<(), RuleError> {
        let is = |word: &str| op.eq_ignore_ascii_case(word.as_bytes());
        if is("allkeys") || op == b"~*" {
            self.all_keys = true;
            self.patterns.clear();
        } else if is("resetkeys") {
            self.all_keys = false;
            self.patterns.clear();
        } else if is("allchannels") || op == b"&*" {
            self.all_channels = true;
            self.channels.clear();
        } else if is("resetchannels") {
            self.all_channels = false;
            self.channels.clear();
        } else if is("allcommands") || is("+@all") {
            self.allowed = [u64::MAX; WORDS];
            self.all_commands = true;
            self.first_args.clear();
        } else if is("nocommands") || is("-@all") {
            self.allowed = [0; WORDS];
            self.all_commands = false;
            self.first_args.clear();
        } else {
            match op {
                [b'~' | b'%', ..] => self.add_key_pattern(op)?,
                [b'&', pattern @ ..] => self.add_channel(pattern)?,
                [b'+', b'@', name @ ..] | [b'-', b'@', name @ ..] => {
                    let category = categories::by_name(name).ok_or(RuleError::Unknown)?;
                    self.set_category(category, op[0] == b'+');
                }
                [b'+', name @ ..] => self.allow(name)?,
                [b'-', name @ ..] => {
                    let id = lookup_rule_name(name).ok_or(RuleError::Unknown)?;
                    self.set_command(id, false);
                }
                _ => return Err(RuleError::Syntax),
            }
        }
        Ok(())
    }

    fn add_key_pattern(&mut self, op: &[u8]) -> Result<(), RuleError> {
        if self.all_keys {
            return Err(RuleError::KeysAfterAll);
        }
        let (mut read, mut write, mut offset) = (false, false, 1);
        if op[0] == b'%' {
            while offset < op.len() {
                match op[offset] {
                    b'R' | b'r' if !read => read = true,
                    b'W' | b'w' if !write => write = true,
                    b'~' => {
                        offset += 1;
                        break;
                    }
                    _ => return Err(RuleError::Syntax),
                }
                offset += 1;
            }
        } else {
            (read, write) = (true, true);
        }
        let pattern = &op[offset..];
        // A `%~` rule grants nothing; Redis accepts it and then cannot describe it, so it is refused here.
        if has_spaces(pattern) || !(read || write) {
            return Err(RuleError::Syntax);
        }
        match self.patterns.iter_mut().find(|p| p.pattern == pattern) {
            Some(existing) => {
                existing.read |= read;
                existing.write |= write;
            }
            None => self.patterns.push(KeyPattern {
                pattern: Bytes::copy_from_slice(pattern),
                read,
                write,
            }),
        }
        self.all_keys = false;
        Ok(())
    }

    fn add_channel(&mut self, pattern: &[u8]) -> Result<(), RuleError> {
        if self.all_channels {
            return Err(RuleError::ChannelsAfterAll);
        }
        if has_spaces(pattern) {
            return Err(RuleError::Syntax);
        }
        if !self.channels.iter().any(|known| known == pattern) {
            self.channels.push(Bytes::copy_from_slice(pattern));
        }
        self.all_channels = false;
        Ok(())
    }

    /// `+name`, `+container|sub`, or `+command|first-arg`.
    fn allow(&mut self, name: &[u8]) -> Result<(), RuleError> {
        let Some(bar) = name.iter().rposition(|&byte| byte == b'|') else {
            let id = lookup_rule_name(name).ok_or(RuleError::Unknown)?;
            self.set_command(id, true);
            return Ok(());
        };
        let (command, arg) = (&name[..bar], &name[bar + 1..]);
        let id = lookup_rule_name(command).ok_or(RuleError::Unknown)?;
        if COMMANDS[id].name.contains('|') {
            return Err(RuleError::SubcommandFirstArg);
        }
        if arg.is_empty() {
            return Err(RuleError::Syntax);
        }
        if COMMANDS[id].subcommands > 0 {
            let sub = lookup_rule_name(name).ok_or(RuleError::Unknown)?;
            self.set_command(sub, true);
        } else {
            tracing::warn!(
                "Deprecation warning: Allowing a first arg of an otherwise blocked command is a misuse of ACL and may get disabled in the future (offender: +{})",
                String::from_utf8_lossy(name)
            );
            self.add_first_arg(id, arg);
        }
        Ok(())
    }

    fn add_first_arg(&mut self, id: usize, arg: &[u8]) {
        let args = match self.first_args.iter_mut().find(|(known, _)| *known == id) {
            Some((_, args)) => args,
            None => {
                self.first_args.push((id, Vec::new()));
                &mut self.first_args.last_mut().expect("just pushed").1
            }
        };
        if !args.iter().any(|known| known.eq_ignore_ascii_case(arg)) {
            args.push(Bytes::copy_from_slice(arg));
        }
    }

    fn bit(&self, id: usize) -> bool {
        self.allowed[id / 64] & (1 << (id % 64)) != 0
    }

    fn set_bit(&mut self, id: usize, allowed: bool) {
        if allowed {
            self.allowed[id / 64] |= 1 << (id % 64);
        } else {
            self.allowed[id / 64] &= !(1 << (id % 64));
            self.all_commands = false;
        }
    }

    /// Allows or denies a command; a container takes its subcommands along.
    fn set_command(&mut self, id: usize, allowed: bool) {
        self.set_bit(id, allowed);
        self.first_args.retain(|(known, _)| *known != id);
        for sub in id + 1..=id + usize::from(COMMANDS[id].subcommands) {
            self.set_bit(sub, allowed);
        }
    }

    /// `+@category`/`-@category`: every command of it, subcommands included (a container in the category
    /// takes all its subcommands along, then each subcommand follows its own categories).
    fn set_category(&mut self, category: u32, allowed: bool) {
        for (id, info) in COMMANDS.iter().enumerate() {
            if info.categories & category != 0 {
                self.set_command(id, allowed);
            }
        }
    }

    /// How many commands of a category it allows and denies.
    fn count_category(&self, category: u32) -> (u64, u64) {
        let (mut on, mut off) = (0, 0);
        for (id, info) in COMMANDS.iter().enumerate() {
            if info.categories & category != 0 {
                if self.bit(id) {
                    on += 1;
                } else {
                    off += 1;
                }
            }
        }
        (on, off)
    }

    /// Checks one command (table id `id`, arguments `argv`): `Err` with the reason and, for keys and
    /// channels, the position of the argument refused.
    pub(super) fn check(
        &self,
        id: usize,
        argv: &[Bytes],
        cache: &mut KeyCache,
    ) -> Result<(), (Reason, Option<usize>)> {
        let info = &COMMANDS[id];
        if !self.all_commands
            && !info.has(commands::table::flags::NO_AUTH)
            && !self.bit(id)
            && !self.first_arg_allows(id, argv)
        {
            return Err((Reason::Command, None));
        }
        if !self.all_keys && keys::has_keys(info) {
            let found = cache.get_or_insert_with(|| keys::keys(info, argv));
            for &(position, flags) in found.iter() {
                if !self.key_allowed(&argv[position], flags) {
                    return Err((Reason::Key, Some(position)));
                }
            }
        }
        if !self.all_channels
            && let Some((usage, positions)) = keys::channels(info, argv)
        {
            for position in positions {
                let pattern = usage == ChannelUse::SubscribePattern;
                if !channel_allowed(&self.channels, &argv[position], pattern) {
                    return Err((Reason::Channel, Some(position)));
                }
            }
        }
        Ok(())
    }

    fn first_arg_allows(&self, id: usize, argv: &[Bytes]) -> bool {
        let Some((_, args)) = self.first_args.iter().find(|(known, _)| *known == id) else {
            return false;
        };
        // A subcommand's first argument comes after its name (none can be configured today).
        let at = if COMMANDS[id].name.contains('|') {
            2
        } else {
            1
        };
        argv.get(at)
            .is_some_and(|arg| args.iter().any(|allowed| allowed.eq_ignore_ascii_case(arg)))
    }

    /// Whether a key used with key-spec `flags` matches a pattern that grants that use.
    pub fn key_allowed(&self, key: &[u8], flags: u16) -> bool {
        if self.all_keys {
            return true;
        }
        use keys::flags::{ACCESS, DELETE, INSERT, UPDATE};
        let read = flags & ACCESS != 0;
        let write = flags & (INSERT | DELETE | UPDATE) != 0;
        self.patterns.iter().any(|pattern| {
            (pattern.read || !read)
                && (pattern.write || !write)
                && glob_match(&pattern.pattern, key)
        })
    }

    /// The rules that rebuild its command bitmap: `+@all` or `-@all`, then the categories that fit best,
    /// then single commands and first arguments (Redis's `ACLDescribeSelectorCommandRules`).
    pub fn describe_commands(&self) -> Vec<u8> {
        let additive = !self.bit(FUTURE);
        let mut rules: Vec<u8> = Vec::new();
        let mut fake = Selector::new(false);
        if additive {
            rules.extend_from_slice(b"-@all ");
            fake.apply(b"-@all").expect("a valid rule");
        } else {
            rules.extend_from_slice(b"+@all ");
            fake.apply(b"+@all").expect("a valid rule");
        }
        // `temp` loses each category as it is used, so the next pick only weighs what is left to explain.
        let mut temp = Selector::new(false);
        temp.allowed = self.allowed;
        let mut applied = [false; categories::ALL.len()];
        loop {
            let mut best = None;
            let (mut min_diff, mut max_same) = (u64::from(i32::MAX as u32), 0);
            for (index, (_, bit)) in categories::ALL.iter().enumerate() {
                if applied[index] {
                    continue;
                }
                let (on, off) = temp.count_category(*bit);
                let (diff, same) = if additive { (off, on) } else { (on, off) };
                if same > diff && (diff < min_diff || (diff == min_diff && same > max_same)) {
                    best = Some(index);
                    min_diff = diff;
                    max_same = same;
                }
            }
            let Some(index) = best else { break };
            let (name, bit) = categories::ALL[index];
            fake.set_category(bit, additive);
            temp.set_category(bit, !additive);
            rules.extend_from_slice(if additive { b"+@" } else { b"-@" });
            rules.extend_from_slice(name.as_bytes());
            rules.push(b' ');
            applied[index] = true;
        }
        let mut id = 0;
        while id < COMMANDS.len() {
            let subcommands = usize::from(COMMANDS[id].subcommands);
            for (command, info) in COMMANDS.iter().enumerate().skip(id).take(subcommands + 1) {
                let own = self.bit(command);
                if own != fake.bit(command) {
                    rules.push(if own { b'+' } else { b'-' });
                    rules.extend_from_slice(info.name.as_bytes());
                    rules.push(b' ');
                    fake.set_command(command, own);
                }
            }
            if !self.bit(id)
                && let Some((_, args)) = self.first_args.iter().find(|(known, _)| *known == id)
            {
                for arg in args {
                    rules.push(b'+');
                    rules.extend_from_slice(COMMANDS[id].name.as_bytes());
                    rules.push(b'|');
                    rules.extend_from_slice(arg);
                    rules.push(b' ');
                }
            }
            id += subcommands + 1;
        }
        rules.pop();
        debug_assert_eq!(fake.allowed, self.allowed, "rules {rules:?}");
        rules
    }

    /// `ACL GETUSER`'s `keys` field: `~*`, or the patterns as rules.
    pub fn describe_keys(&self) -> Vec<u8> {
        if self.all_keys {
            return b"~*".to_vec();
        }
        let rules: Vec<Vec<u8>> = self.patterns.iter().map(KeyPattern::rule).collect();
        rules.join(&b' ')
    }

    /// `ACL GETUSER`'s `channels` field: `&*`, or the patterns as rules.
    pub fn describe_channels(&self) -> Vec<u8> {
        if self.all_channels {
            return b"&*".to_vec();
        }
        let rules: Vec<Vec<u8>> = self
            .channels
            .iter()
            .map(|channel| [&b"&"[..], channel].concat())
            .collect();
        rules.join(&b' ')
    }

    /// The whole selector as rules, the way `ACL LIST` shows it.
    pub fn describe(&self) -> Vec<u8> {
        let mut out = Vec::new();
        if self.all_keys {
            out.extend_from_slice(b"~* ");
        } else {
            for pattern in &self.patterns {
                out.extend_from_slice(&pattern.rule());
                out.push(b' ');
            }
        }
        if self.all_channels {
            out.extend_from_slice(b"&* ");
        } else {
            out.extend_from_slice(b"resetchannels ");
            for channel in &self.channels {
                out.push(b'&');
                out.extend_from_slice(channel);
                out.push(b' ');
            }
        }
        out.extend_from_slice(&self.describe_commands());
        out
    }
}

/// Whether `channel` is allowed by `patterns`: a channel name is glob-matched, a subscribed pattern
/// (`PSUBSCRIBE`) must equal one of them literally.
pub(super) fn channel_allowed(patterns: &[Bytes], channel: &[u8], is_pattern: bool) -> bool {
    patterns.iter().any(|allowed| {
        if is_pattern {
            allowed == channel
        } else {
            glob_match(allowed, channel)
        }
    })
}

/// Redis refuses spaces (and NUL bytes) in user names and patterns, so rules read back unambiguously.
pub(super) fn has_spaces(text: &[u8]) -> bool {
    text.iter()
        .any(|&byte| byte == 0 || byte == b' ' || (b'\t'..=b'\r').contains(&byte))
}

/// The table id of `name` as a rule writes it: `command` or `container|sub` (any case; one level only).
pub(super) fn lookup_rule_name(name: &[u8]) -> Option<usize> {
    let mut parts = name.split(|&byte| byte == b'|');
    let command = parts.next()?;
    let sub = parts.next();
    if parts.next().is_some() || name.is_empty() {
        return None;
    }
    let id = commands::table::command_id(command)?;
    match sub {
        None => Some(id),
        Some(_) if COMMANDS[id].subcommands == 0 => None,
        Some(sub) => commands::table::subcommand_id(id, sub),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn selector(rules: &str) -> Result<Selector, RuleError> {
        let mut selector = Selector::new(false);
        for rule in rules.split_whitespace() {
            selector.apply(rule.as_bytes())?;
        }
        Ok(selector)
    }

    fn commands(rules: &str) -> String {
        String::from_utf8(selector(rules).unwrap().describe_commands()).unwrap()
    }

    #[test]
    fn describes_single_categories_as_given() {
        for (name, _) in categories::ALL {
            assert_eq!(
                commands(&format!("+@all -@{name}")),
                format!("+@all -@{name}")
            );
            assert_eq!(
                commands(&format!("-@all +@{name}")),
                format!("-@all +@{name}")
            );
        }
    }

    #[test]
    fn describes_commands_and_subcommands() {
        assert_eq!(commands(""), "-@all");
        assert_eq!(commands("+@all"), "+@all");
        assert_eq!(commands("+@all -client|kill"), "+@all -client|kill");
        assert_eq!(commands("+memory|doctor"), "-@all +memory|doctor");
        assert_eq!(commands("+memory|doctor +memory"), "-@all +memory");
        assert_eq!(commands("+@all -memory"), "+@all -memory");
        assert_eq!(commands("+select|0"), "-@all +select|0");
        assert_eq!(commands("-@all +get"), "-@all +get");
        let additive = commands("+@string -incr +acl +debug|digest");
        assert!(additive.starts_with("-@all +@string"), "{additive}");
        for part in ["-incr", "+debug|digest", "+acl"] {
            assert!(additive.contains(part), "{additive}");
        }
    }

    #[test]
    fn rule_errors() {
        let error = |rules| selector(rules).unwrap_err();
        assert_eq!(error("+nosuch"), RuleError::Unknown);
        assert_eq!(error("-config|nosuch"), RuleError::Unknown);
        assert_eq!(error("+config|get|x"), RuleError::SubcommandFirstArg);
        assert_eq!(error("+get|a|b"), RuleError::Unknown);
        assert_eq!(error("+select|"), RuleError::Syntax);
        assert_eq!(error("-select|0"), RuleError::Unknown);
        assert_eq!(error("+@nosuch"), RuleError::Unknown);
        assert_eq!(error("allkeys ~foo"), RuleError::KeysAfterAll);
        assert_eq!(error("&* &foo"), RuleError::ChannelsAfterAll);
        assert_eq!(error("%X~foo"), RuleError::Syntax);
        assert_eq!(error("%RR~foo"), RuleError::Syntax);
        assert_eq!(error("bogus"), RuleError::Syntax);
        assert!(selector("%RW~foo %R~bar %W~baz ~qux").is_ok());
    }

    #[test]
    fn key_patterns_grant_reads_and_writes() {
        use keys::flags::*;
        let selector = selector("%R~r:* %W~w:* ~rw:*").unwrap();
        assert!(selector.key_allowed(b"r:1", RO | ACCESS));
        assert!(!selector.key_allowed(b"r:1", RW | ACCESS | UPDATE));
        assert!(selector.key_allowed(b"w:1", OW | UPDATE));
        assert!(!selector.key_allowed(b"w:1", RO | ACCESS));
        assert!(selector.key_allowed(b"rw:1", RW | ACCESS | UPDATE));
        assert!(!selector.key_allowed(b"other", RO | ACCESS));
        assert_eq!(selector.describe_keys(), b"%R~r:* %W~w:* ~rw:*");
    }

    #[test]
    fn channel_patterns() {
        let patterns = [Bytes::from_static(b"foo:*")];
        assert!(channel_allowed(&patterns, b"foo:1", false));
        assert!(!channel_allowed(&patterns, b"foo:1", true));
        assert!(channel_allowed(&patterns, b"foo:*", true));
    }
}
