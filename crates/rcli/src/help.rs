//! Command help built from the server's `COMMAND DOCS`, the way redis-cli 7.0 builds it (`cliInitHelp`): the table
//! behind the REPL's `help` command, its hints and its tab completion.
//!
//! redis-cli falls back to a table compiled into it when the server has no `COMMAND DOCS` (an error reply); rcli
//! has no such table, so against such a server there is no command help, no hints and no completion.

use bytes::Bytes;
use resp::Frame;

/// What a help entry stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    /// A command or a subcommand.
    Command,
    /// A command group, `@string`.
    Group,
}

/// One help topic: a command, a subcommand (`CLIENT LIST`) or a group (`@string`); redis-cli's `helpEntry`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Command or group.
    pub kind: EntryKind,
    /// The words a user types for it, upper case: `["CLIENT", "LIST"]`; `["@string"]` for a group.
    pub words: Vec<String>,
    /// The words joined by spaces: what completion offers and what the table is sorted by.
    pub full: String,
    /// The arguments as [`params`] renders them; empty for a group.
    pub params: String,
    /// One-line description.
    pub summary: Option<String>,
    /// The server version that introduced the command.
    pub since: Option<String>,
    /// The command's group (`string`, `server`...).
    pub group: Option<String>,
}

/// The help table, sorted as redis-cli sorts it (byte order of [`Entry::full`], so groups come first).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HelpTable {
    entries: Vec<Entry>,
}

impl HelpTable {
    /// The table for a `COMMAND DOCS` reply, in RESP3 maps or their RESP2 flattening; `None` for an error reply or
    /// anything that is not a map.
    pub fn from_docs(reply: &Frame) -> Option<HelpTable> {
        let commands = pairs(reply)?;
        let mut entries = Vec::new();
        let mut groups: Vec<String> = Vec::new();
        for (name, docs) in commands {
            if let Some(name) = text(name) {
                add_command(&mut entries, &mut groups, &name, None, docs);
            }
        }
        entries.extend(groups.into_iter().map(|group| {
            let full = format!("@{group}");
            Entry {
                kind: EntryKind::Group,
                words: vec![full.clone()],
                full,
                params: String::new(),
                summary: None,
                since: None,
                group: None,
            }
        }));
        entries.sort_by(|a, b| a.full.as_bytes().cmp(b.full.as_bytes()));
        Some(HelpTable { entries })
    }

    /// Whether there is nothing to help with (no `COMMAND DOCS` yet, or the server had none).
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entries, sorted.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// What `help` followed by `args` prints, byte for byte as redis-cli's `cliOutputHelp`: the general help
    /// without arguments; with `@group` every command of the group; otherwise every command whose first words are
    /// `args` (so `help client` lists CLIENT and all its subcommands), each with its group.
    pub fn render(&self, args: &[Bytes]) -> Vec<u8> {
        let Some(first) = args.first() else {
            return general_help().into_bytes();
        };
        let group = first.strip_prefix(b"@");
        let mut out = String::new();
        for entry in self.commands() {
            match group {
                None => {
                    let matches = args.len() <= entry.words.len()
                        && args
                            .iter()
                            .zip(&entry.words)
                            .all(|(arg, word)| arg.eq_ignore_ascii_case(word.as_bytes()));
                    if matches {
                        command_help(&mut out, entry, true);
                    }
                }
                Some(group) => {
                    if entry
                        .group
                        .as_ref()
                        .is_some_and(|name| name.as_bytes().eq_ignore_ascii_case(group))
                    {
                        command_help(&mut out, entry, false);
                    }
                }
            }
        }
        out.push_str("\r\n");
        out.into_bytes()
    }

    /// The completions redis-cli offers for `line` (its `completionCallback`): whole lines made of `line` with the
    /// last part replaced by the upper-case name of each command it starts (case-insensitively); after `help ` the
    /// `@group`s too.
    pub fn completions(&self, line: &str) -> Vec<String> {
        let bytes = line.as_bytes();
        let (start, with_groups) = if bytes.len() >= 5 && bytes[..5].eq_ignore_ascii_case(b"help ")
        {
            let spaces = bytes[5..]
                .iter()
                .take_while(|byte| is_space(**byte))
                .count();
            (5 + spaces, true)
        } else {
            (0, false)
        };
        let typed = &bytes[start..];
        self.entries
            .iter()
            .filter(|entry| with_groups || entry.kind == EntryKind::Command)
            .filter(|entry| {
                entry
                    .full
                    .as_bytes()
                    .get(..typed.len())
                    .is_some_and(|prefix| prefix.eq_ignore_ascii_case(typed))
            })
            .map(|entry| format!("{}{}", &line[..start], entry.full))
            .collect()
    }

    /// The hint redis-cli shows after `line` (its `hintsCallback`): the parameters of the command with the most
    /// words matching the start of the line, less one parameter per argument typed after those words (up to the
    /// first optional one), with a leading space unless the line ends in one. `None` when no command matches.
    pub fn hint(&self, line: &str) -> Option<String> {
        let argv = resp::split_args(line.as_bytes()).ok()?;
        if argv.is_empty() {
            return None;
        }
        let mut best: Option<&Entry> = None;
        for entry in self.commands() {
            let words = entry.words.len();
            let matches = words <= argv.len()
                && argv
                    .iter()
                    .zip(&entry.words)
                    .all(|(arg, word)| arg.eq_ignore_ascii_case(word.as_bytes()));
            if matches && words > best.map_or(0, |best| best.words.len()) {
                best = Some(entry);
            }
        }
        let entry = best?;
        let remaining = remaining_params(&entry.params, argv.len() - entry.words.len());
        let ends_in_space = line.as_bytes().last().is_some_and(|byte| is_space(*byte));
        Some(if ends_in_space {
            remaining.to_owned()
        } else {
            format!(" {remaining}")
        })
    }

    fn commands(&self) -> impl Iterator<Item = &Entry> {
        self.entries
            .iter()
            .filter(|entry| entry.kind == EntryKind::Command)
    }
}

/// The parameters left once `typed` arguments are entered: one space-separated word dropped per argument, but
/// nothing from the first `[` on, since an optional part may or may not have been typed (redis-cli's `toremove`).
pub fn remaining_params(params: &str, typed: usize) -> &str {
    let mut to_remove = typed;
    let mut start = 0;
    for (index, byte) in params.bytes().enumerate() {
        if to_remove == 0 || byte == b'[' {
            break;
        }
        if byte == b' ' {
            to_remove -= 1;
        }
        start = index + 1;
    }
    &params[start..]
}

/// The parameters string of an `arguments` array (redis-cli's `cliConcatArguments` with a space): tokens upper
/// case, `[optional]`, `first [first ...]` for repeats, `a|b` for alternatives.
pub fn params(arguments: &Frame) -> String {
    let mut out = String::new();
    concat_arguments(&mut out, arguments, " ");
    out
}

/// `help` without arguments. redis-cli also names its rc file here; rcli reads none, so that line is left out.
fn general_help() -> String {
    format!(
        "rcli {}\n\
         To get help about Redis commands type:\n\
         \x20     \"help @<group>\" to get a list of commands in <group>\n\
         \x20     \"help <command>\" for help on <command>\n\
         \x20     \"help <tab>\" to get a list of possible help topics\n\
         \x20     \"quit\" to exit\n\
         \n\
         To set redis-cli preferences:\n\
         \x20     \":set hints\" enable online hints\n\
         \x20     \":set nohints\" disable online hints\n",
        env!("CARGO_PKG_VERSION")
    )
}

/// One command's help, as `cliOutputCommandHelp` prints it (CRLF line ends and ANSI colours even off a terminal).
fn command_help(out: &mut String, entry: &Entry, with_group: bool) {
    let field = |name: &str, value: &str| format!("  \x1b[33m{name}:\x1b[0m {value}\r\n");
    out.push_str(&format!(
        "\r\n  \x1b[1m{}\x1b[0m \x1b[90m{}\x1b[0m\r\n",
        entry.full, entry.params
    ));
    out.push_str(&field("summary", entry.summary.as_deref().unwrap_or("")));
    if let Some(since) = &entry.since {
        out.push_str(&field("since", since));
    }
    if with_group {
        out.push_str(&field("group", entry.group.as_deref().unwrap_or("")));
    }
}

/// Adds the entry of a command (and, recursively, of its subcommands) from its `COMMAND DOCS` map; `cmdname` stays
/// the container's name for subcommands, whose own name is `container|sub`.
fn add_command(
    entries: &mut Vec<Entry>,
    groups: &mut Vec<String>,
    cmdname: &str,
    subcommand: Option<&str>,
    docs: &Frame,
) {
    let mut words = vec![cmdname.to_ascii_uppercase()];
    if let Some(name) = subcommand {
        let sub = name.split_once('|').map_or(name, |(_, sub)| sub);
        words.push(sub.to_ascii_uppercase());
    }
    let mut entry = Entry {
        kind: EntryKind::Command,
        full: words.join(" "),
        words,
        params: String::new(),
        summary: None,
        since: None,
        group: None,
    };
    for (key, value) in pairs(docs).unwrap_or_default() {
        match text(key).as_deref() {
            Some("summary") => entry.summary = text(value),
            Some("since") => entry.since = text(value),
            Some("group") => {
                entry.group = text(value);
                if let Some(group) = &entry.group
                    && !groups.contains(group)
                {
                    groups.push(group.clone());
                }
            }
            Some("arguments") => concat_arguments(&mut entry.params, value, " "),
            Some("subcommands") => {
                for (name, docs) in pairs(value).unwrap_or_default() {
                    if let Some(name) = text(name) {
                        add_command(entries, groups, cmdname, Some(&name), docs);
                    }
                }
            }
            _ => {}
        }
    }
    entries.push(entry);
}

/// `cliConcatArguments`: each argument rendered, `separator` between them.
fn concat_arguments(out: &mut String, arguments: &Frame, separator: &str) {
    for (index, argument) in elements(arguments).iter().enumerate() {
        if index > 0 {
            out.push_str(separator);
        }
        add_argument(out, argument);
    }
}

/// `cliAddArgument`: one argument map rendered.
fn add_argument(out: &mut String, argument: &Frame) {
    let Some(fields) = pairs(argument) else {
        return;
    };
    let (mut name, mut kind, mut token) = (String::new(), String::new(), String::new());
    let (mut optional, mut multiple, mut multiple_token) = (false, false, false);
    let mut nested = None;
    for (key, value) in fields {
        match text(key).as_deref() {
            Some("name") => name = text(value).unwrap_or_default(),
            Some("token") => token.push_str(or_quotes(&text(value).unwrap_or_default())),
            Some("type") => kind = text(value).unwrap_or_default(),
            Some("arguments") => nested = Some(value),
            Some("flags") => {
                for flag in elements(value) {
                    match text(flag).as_deref() {
                        Some("optional") => optional = true,
                        Some("multiple") => multiple = true,
                        Some("multiple_token") => multiple_token = true,
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    let mut repeated = String::new();
    match kind.as_str() {
        "key" | "string" | "integer" | "double" | "pattern" | "unix-time" | "token" => {
            repeated.push_str(or_quotes(&name));
        }
        "oneof" => concat_arguments(&mut repeated, nested.unwrap_or(&Frame::Null), "|"),
        "block" => concat_arguments(&mut repeated, nested.unwrap_or(&Frame::Null), " "),
        // A pure token is its token alone; redis-cli warns about unknown types on stderr, which we spare the REPL.
        _ => {}
    }
    if !token.is_empty() && kind != "pure-token" {
        token.push(' ');
    }
    if optional {
        out.push('[');
    }
    out.push_str(&token);
    out.push_str(&repeated);
    if multiple {
        out.push_str(" [");
        if multiple_token {
            out.push_str(&token);
        }
        out.push_str(&repeated);
        out.push_str(" ...]");
    }
    if optional {
        out.push(']');
    }
}

/// redis-cli's `sdscat_orempty`: an empty name or token shows as `""`.
fn or_quotes(text: &str) -> &str {
    if text.is_empty() { "\"\"" } else { text }
}

/// The key-value pairs of a RESP3 map or of its RESP2 form, a flat array.
fn pairs(frame: &Frame) -> Option<Vec<(&Frame, &Frame)>> {
    match frame {
        Frame::Map(pairs) => Some(pairs.iter().map(|(key, value)| (key, value)).collect()),
        Frame::Array(items) if items.len() % 2 == 0 => Some(
            items
                .chunks_exact(2)
                .map(|pair| (&pair[0], &pair[1]))
                .collect(),
        ),
        _ => None,
    }
}

/// The items of an array or a set (flags are a set in RESP3, an array in RESP2).
fn elements(frame: &Frame) -> &[Frame] {
    match frame {
        Frame::Array(items) | Frame::Set(items) => items,
        _ => &[],
    }
}

fn text(frame: &Frame) -> Option<String> {
    frame
        .as_bytes()
        .map(|bytes| String::from_utf8_lossy(bytes).into_owned())
}

/// C's `isspace`.
fn is_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An argument map shaped as Redis 7.0.15 replies it (`key_spec_index` and `since` left out: the builder
    /// ignores them).
    fn arg(
        name: &str,
        kind: &str,
        token: Option<&str>,
        flags: &[&str],
        nested: Vec<Frame>,
    ) -> Frame {
        let mut fields = vec![
            (Frame::bulk("name"), bulk(name)),
            (Frame::bulk("type"), bulk(kind)),
        ];
        if let Some(token) = token {
            fields.push((Frame::bulk("token"), bulk(token)));
        }
        if !flags.is_empty() {
            let flags = flags
                .iter()
                .map(|flag| Frame::Simple(Bytes::copy_from_slice(flag.as_bytes())))
                .collect();
            fields.push((Frame::bulk("flags"), Frame::Set(flags)));
        }
        if !nested.is_empty() {
            fields.push((Frame::bulk("arguments"), Frame::Array(nested)));
        }
        Frame::Map(fields)
    }

    fn bulk(text: &str) -> Frame {
        Frame::Bulk(Bytes::copy_from_slice(text.as_bytes()))
    }

    fn key(name: &str) -> Frame {
        arg(name, "key", None, &[], vec![])
    }

    fn string(name: &str) -> Frame {
        arg(name, "string", None, &[], vec![])
    }

    fn token(name: &str, token: &str) -> Frame {
        arg(name, "pure-token", Some(token), &[], vec![])
    }

    // The argument lists below are Redis 7.0.15's replies to `COMMAND DOCS`.

    fn set_args() -> Vec<Frame> {
        vec![
            key("key"),
            string("value"),
            arg(
                "condition",
                "oneof",
                None,
                &["optional"],
                vec![token("nx", "NX"), token("xx", "XX")],
            ),
            arg("get", "pure-token", Some("GET"), &["optional"], vec![]),
            arg(
                "expiration",
                "oneof",
                None,
                &["optional"],
                vec![
                    arg("seconds", "integer", Some("EX"), &[], vec![]),
                    arg("milliseconds", "integer", Some("PX"), &[], vec![]),
                    arg("unix-time-seconds", "unix-time", Some("EXAT"), &[], vec![]),
                    arg(
                        "unix-time-milliseconds",
                        "unix-time",
                        Some("PXAT"),
                        &[],
                        vec![],
                    ),
                    token("keepttl", "KEEPTTL"),
                ],
            ),
        ]
    }

    fn sort_args() -> Vec<Frame> {
        vec![
            key("key"),
            arg("pattern", "pattern", Some("BY"), &["optional"], vec![]),
            arg(
                "offset_count",
                "block",
                Some("LIMIT"),
                &["optional"],
                vec![
                    arg("offset", "integer", None, &[], vec![]),
                    arg("count", "integer", None, &[], vec![]),
                ],
            ),
            arg(
                "pattern",
                "pattern",
                Some("GET"),
                &["optional", "multiple", "multiple_token"],
                vec![],
            ),
            arg(
                "order",
                "oneof",
                None,
                &["optional"],
                vec![token("asc", "ASC"), token("desc", "DESC")],
            ),
            arg(
                "sorting",
                "pure-token",
                Some("ALPHA"),
                &["optional"],
                vec![],
            ),
            arg("destination", "key", Some("STORE"), &["optional"], vec![]),
        ]
    }

    fn client_list_args() -> Vec<Frame> {
        vec![
            arg(
                "normal_master_replica_pubsub",
                "oneof",
                Some("TYPE"),
                &["optional"],
                ["normal", "master", "replica", "pubsub"]
                    .map(|name| token(name, &name.to_ascii_uppercase()))
                    .to_vec(),
            ),
            arg(
                "id",
                "block",
                Some("ID"),
                &["optional"],
                vec![arg("client-id", "integer", None, &["multiple"], vec![])],
            ),
        ]
    }

    fn client_kill_args() -> Vec<Frame> {
        let optional =
            |name: &str, token: &str| arg(name, "string", Some(token), &["optional"], vec![]);
        vec![arg(
            "filter",
            "oneof",
            None,
            &[],
            vec![
                string("ip:port"),
                arg(
                    "new-format",
                    "oneof",
                    None,
                    &["multiple"],
                    vec![
                        arg("client-id", "integer", Some("ID"), &["optional"], vec![]),
                        arg(
                            "normal_master_slave_pubsub",
                            "oneof",
                            Some("TYPE"),
                            &["optional"],
                            ["normal", "master", "slave", "replica", "pubsub"]
                                .map(|name| token(name, &name.to_ascii_uppercase()))
                                .to_vec(),
                        ),
                        optional("username", "USER"),
                        optional("ip:port", "ADDR"),
                        optional("ip:port", "LADDR"),
                        optional("yes/no", "SKIPME"),
                    ],
                ),
            ],
        )]
    }

    fn mset_args() -> Vec<Frame> {
        vec![arg(
            "key_value",
            "block",
            None,
            &["multiple"],
            vec![key("key"), string("value")],
        )]
    }

    fn hello_args() -> Vec<Frame> {
        vec![arg(
            "arguments",
            "block",
            None,
            &["optional"],
            vec![
                arg("protover", "integer", None, &[], vec![]),
                arg(
                    "username_password",
                    "block",
                    Some("AUTH"),
                    &["optional"],
                    vec![string("username"), string("password")],
                ),
                arg(
                    "clientname",
                    "string",
                    Some("SETNAME"),
                    &["optional"],
                    vec![],
                ),
            ],
        )]
    }

    fn xadd_args() -> Vec<Frame> {
        vec![
            key("key"),
            arg(
                "nomkstream",
                "pure-token",
                Some("NOMKSTREAM"),
                &["optional"],
                vec![],
            ),
            arg(
                "trim",
                "block",
                None,
                &["optional"],
                vec![
                    arg(
                        "strategy",
                        "oneof",
                        None,
                        &[],
                        vec![token("maxlen", "MAXLEN"), token("minid", "MINID")],
                    ),
                    arg(
                        "operator",
                        "oneof",
                        None,
                        &["optional"],
                        vec![token("equal", "="), token("approximately", "~")],
                    ),
                    string("threshold"),
                    arg("count", "integer", Some("LIMIT"), &["optional"], vec![]),
                ],
            ),
            arg(
                "id_or_auto",
                "oneof",
                None,
                &[],
                vec![token("auto_id", "*"), string("id")],
            ),
            arg(
                "field_value",
                "block",
                None,
                &["multiple"],
                vec![string("field"), string("value")],
            ),
        ]
    }

    /// What redis-cli 7.0.15 prints after the name for `help <command>` with the lists above.
    const SET_PARAMS: &str = "key value [NX|XX] [GET] [EX seconds|PX milliseconds|EXAT unix-time-seconds|PXAT unix-time-milliseconds|KEEPTTL]";
    const CLIENT_LIST_PARAMS: &str =
        "[TYPE NORMAL|MASTER|REPLICA|PUBSUB] [ID client-id [client-id ...]]";

    #[test]
    fn params_strings_match_redis_cli() {
        let cases = [
            (set_args(), SET_PARAMS),
            (
                sort_args(),
                "key [BY pattern] [LIMIT offset count] [GET pattern [GET pattern ...]] [ASC|DESC] [ALPHA] [STORE destination]",
            ),
            (client_list_args(), CLIENT_LIST_PARAMS),
            (
                client_kill_args(),
                "ip:port|[ID client-id]|[TYPE NORMAL|MASTER|SLAVE|REPLICA|PUBSUB]|[USER username]|[ADDR ip:port]|\
                 [LADDR ip:port]|[SKIPME yes/no] [[ID client-id]|[TYPE NORMAL|MASTER|SLAVE|REPLICA|PUBSUB]|\
                 [USER username]|[ADDR ip:port]|[LADDR ip:port]|[SKIPME yes/no] ...]",
            ),
            (mset_args(), "key value [key value ...]"),
            (
                hello_args(),
                "[protover [AUTH username password] [SETNAME clientname]]",
            ),
            (
                xadd_args(),
                "key [NOMKSTREAM] [MAXLEN|MINID [=|~] threshold [LIMIT count]] *|id field value [field value ...]",
            ),
            (vec![], ""),
        ];
        for (arguments, expected) in cases {
            assert_eq!(params(&Frame::Array(arguments)), expected);
        }
    }

    fn command(since: &str, group: &str, arguments: Vec<Frame>) -> Frame {
        let mut fields = vec![
            (Frame::bulk("summary"), Frame::bulk("s")),
            (Frame::bulk("since"), bulk(since)),
            (Frame::bulk("group"), bulk(group)),
        ];
        if !arguments.is_empty() {
            fields.push((Frame::bulk("arguments"), Frame::Array(arguments)));
        }
        Frame::Map(fields)
    }

    /// A `COMMAND DOCS` reply: SET, GET, MSET, HELLO, and CLIENT with two subcommands.
    fn docs() -> Frame {
        let mut client = command("2.4.0", "connection", vec![]);
        if let Frame::Map(fields) = &mut client {
            fields.push((
                Frame::bulk("subcommands"),
                Frame::Map(vec![
                    (
                        Frame::bulk("client|list"),
                        command("2.4.0", "connection", client_list_args()),
                    ),
                    (
                        Frame::bulk("client|kill"),
                        command("2.4.0", "connection", client_kill_args()),
                    ),
                ]),
            ));
        }
        Frame::Map(vec![
            (Frame::bulk("set"), command("1.0.0", "string", set_args())),
            (
                Frame::bulk("get"),
                command("1.0.0", "string", vec![key("key")]),
            ),
            (Frame::bulk("mset"), command("1.0.1", "string", mset_args())),
            (
                Frame::bulk("hello"),
                command("6.0.0", "connection", hello_args()),
            ),
            (Frame::bulk("client"), client),
        ])
    }

    /// The RESP2 form of a reply: maps and sets become arrays.
    fn flatten(frame: &Frame) -> Frame {
        match frame {
            Frame::Map(pairs) => Frame::Array(
                pairs
                    .iter()
                    .flat_map(|(key, value)| [flatten(key), flatten(value)])
                    .collect(),
            ),
            Frame::Array(items) | Frame::Set(items) => {
                Frame::Array(items.iter().map(flatten).collect())
            }
            other => other.clone(),
        }
    }

    fn table() -> HelpTable {
        HelpTable::from_docs(&docs()).unwrap()
    }

    #[test]
    fn entries_are_sorted_with_groups_and_subcommands() {
        let table = table();
        let names: Vec<&str> = table
            .entries()
            .iter()
            .map(|entry| entry.full.as_str())
            .collect();
        assert_eq!(
            names,
            [
                "@connection",
                "@string",
                "CLIENT",
                "CLIENT KILL",
                "CLIENT LIST",
                "GET",
                "HELLO",
                "MSET",
                "SET"
            ]
        );
        assert_eq!(table.entries()[4].words, ["CLIENT", "LIST"]);
        assert_eq!(table.entries()[4].params, CLIENT_LIST_PARAMS);
        assert_eq!(HelpTable::from_docs(&flatten(&docs())), Some(table));
        assert_eq!(
            HelpTable::from_docs(&Frame::Error(Bytes::from_static(b"ERR unknown subcommand"))),
            None
        );
    }

    fn help(table: &HelpTable, args: &[&str]) -> String {
        let args: Vec<Bytes> = args
            .iter()
            .map(|arg| Bytes::copy_from_slice(arg.as_bytes()))
            .collect();
        String::from_utf8(table.render(&args)).unwrap()
    }

    #[test]
    fn help_output_is_redis_clis() {
        let table = table();
        assert_eq!(
            help(&table, &["SeT"]),
            format!(
                "\r\n  \x1b[1mSET\x1b[0m \x1b[90m{SET_PARAMS}\x1b[0m\r\n  \x1b[33msummary:\x1b[0m s\r\n  \
                 \x1b[33msince:\x1b[0m 1.0.0\r\n  \x1b[33mgroup:\x1b[0m string\r\n\r\n"
            )
        );
        // A container brings its subcommands; the words must match whole.
        let client = help(&table, &["client"]);
        let names: Vec<&str> = client
            .lines()
            .filter_map(|line| line.strip_prefix("  \x1b[1m"))
            .collect();
        assert_eq!(names.len(), 3);
        assert!(names[0].starts_with("CLIENT\x1b[0m \x1b[90m\x1b[0m"));
        assert!(names[1].starts_with("CLIENT KILL\x1b[0m"));
        assert!(names[2].starts_with("CLIENT LIST\x1b[0m"));
        assert_eq!(
            help(&table, &["client", "list"]).matches("\x1b[1m").count(),
            1
        );
        assert_eq!(help(&table, &["se"]), "\r\n");
        // A group lists its commands without the group line.
        let strings = help(&table, &["@STRING"]);
        assert_eq!(strings.matches("\x1b[1m").count(), 3);
        assert!(!strings.contains("group:"));
        assert!(
            help(&table, &[])
                .starts_with(&format!("rcli {}\nTo get help", env!("CARGO_PKG_VERSION")))
        );
    }

    #[test]
    fn completion_like_redis_cli() {
        let table = table();
        assert_eq!(
            table.completions("cl"),
            ["CLIENT", "CLIENT KILL", "CLIENT LIST"]
        );
        assert_eq!(table.completions("client l"), ["CLIENT LIST"]);
        assert_eq!(table.completions("s"), ["SET"]);
        assert!(table.completions("@").is_empty());
        assert!(table.completions("xyz").is_empty());
        assert_eq!(table.completions("help  @S"), ["help  @string"]);
        assert_eq!(table.completions("HELP m"), ["HELP MSET"]);
        assert_eq!(table.completions("").len(), 7);
        assert_eq!(table.completions("help ").len(), 9);
    }

    /// Hints redis-cli 7.0.15 shows against a real Redis for each line (read off a pseudo-terminal).
    #[test]
    fn hints_like_redis_cli() {
        let table = table();
        let after_set = "[NX|XX] [GET] [EX seconds|PX milliseconds|EXAT unix-time-seconds|PXAT unix-time-milliseconds|KEEPTTL]";
        let cases = [
            ("set", format!(" {SET_PARAMS}")),
            ("set ", SET_PARAMS.to_owned()),
            ("set k", format!(" value {after_set}")),
            ("SeT K", format!(" value {after_set}")),
            ("\"set\" k", format!(" value {after_set}")),
            ("set k ", format!("value {after_set}")),
            ("set k v", format!(" {after_set}")),
            ("set k v nx", format!(" {after_set}")),
            ("set k v nx ", after_set.to_owned()),
            ("client", " ".to_owned()),
            ("client ", String::new()),
            ("client l", " ".to_owned()),
            ("client list", format!(" {CLIENT_LIST_PARAMS}")),
            ("client list ", CLIENT_LIST_PARAMS.to_owned()),
            ("get k v x", " ".to_owned()),
            ("get k v x ", String::new()),
            ("mset a b", " [key value ...]".to_owned()),
            ("mset a b ", "[key value ...]".to_owned()),
            (
                "hello 3",
                " [protover [AUTH username password] [SETNAME clientname]]".to_owned(),
            ),
        ];
        for (line, expected) in cases {
            assert_eq!(table.hint(line), Some(expected), "{line:?}");
        }
        for line in ["", "   ", "help", "help set", "unknowncmd x", "set 'k"] {
            assert_eq!(table.hint(line), None, "{line:?}");
        }
    }

    #[test]
    fn remaining_params_stop_at_the_first_optional_part() {
        assert_eq!(
            remaining_params("key value [NX|XX]", 0),
            "key value [NX|XX]"
        );
        assert_eq!(remaining_params("key value [NX|XX]", 1), "value [NX|XX]");
        assert_eq!(remaining_params("key value [NX|XX]", 5), "[NX|XX]");
        assert_eq!(remaining_params("key", 3), "");
        assert_eq!(remaining_params("", 1), "");
    }
}
