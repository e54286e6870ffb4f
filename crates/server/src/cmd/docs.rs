//! `COMMAND DOCS`: what each command does and how it is called, in the shape Redis 7.0 replies it. redis-cli
//! (and our rcli) build their hints, completion and `HELP` output from it.
//!
//! The facts (argument structure, tokens, flags, versions, groups) follow Redis 7.0.15's command table; the
//! summaries and complexities are our own words. Command history is not kept (the reply may omit it). Everything
//! lives in [`TABLE`], a small text format parsed once, at first use; a unit test parses it all, so a mistake in
//! it fails the build's tests rather than a client.
//!
//! # Table format
//!
//! An entry starts with an unindented header `name | group | since | complexity` (`-`: no complexity); a
//! subcommand is named `container|sub` and follows its container. Lines indented by four spaces add fields:
//!
//! - `summary: <one line>`
//! - `args: <arguments>`, continued on lines indented deeper
//! - `deprecated: <since> | <what replaces it>`, which also sets the `deprecated` doc flag
//! - `doc_flags: syscmd`
//!
//! Arguments are separated by whitespace. Each one is `[flags][TOKEN=]name[<type>][@since][~deprecated_since]`:
//!
//! - flags: `?` optional, `*` multiple, `+` multiple_token; a `\` after them makes the next character literal
//!   (so `\*=auto_id<pure-token>` is the token `*`);
//! - type: `key`, `integer`, `double`, `pattern`, `unix-time` or `pure-token`; without one, `string`;
//! - a bare upper-case word such as `NX` is a pure token named by its lower-case form;
//! - `name{a | b}` is a oneof of the alternatives `a` and `b`, `name(a b)` a block of `a` then `b`.
//!
//! Key arguments are given their `key_spec_index` in order of appearance, which is how Redis numbers its key
//! specs for every command we have.

use std::borrow::Cow;
use std::sync::OnceLock;

use bytes::Bytes;
use resp::Frame;

/// `COMMAND DOCS [name ...]`: the documentation of the named commands (any case; `container|sub` names a
/// subcommand; names we do not run are skipped), or of every command when none is named.
pub(crate) fn reply(names: &[Bytes]) -> Frame {
    let docs = docs();
    let found: Vec<&Doc> = if names.is_empty() {
        super::all()
            .iter()
            .filter_map(|spec| find(docs, spec.name))
            .collect()
    } else {
        names.iter().filter_map(|name| lookup(docs, name)).collect()
    };
    Frame::Map(
        found
            .into_iter()
            .map(|doc| (Frame::bulk(doc.name), doc_frame(doc)))
            .collect(),
    )
}

/// The entry for a name as a client wrote it: a command we run, or a subcommand of one.
fn lookup<'a>(docs: &'a [Doc], name: &[u8]) -> Option<&'a Doc> {
    let name = std::str::from_utf8(name).ok()?.to_ascii_lowercase();
    let container = name.split('|').next().unwrap_or_default();
    let spec = super::lookup(container.as_bytes())?;
    if container == name {
        find(docs, spec.name)
    } else {
        find(docs, &name)
    }
}

/// The entry named exactly `name` (lower case, `container|sub` for a subcommand).
fn find<'a>(docs: &'a [Doc], name: &str) -> Option<&'a Doc> {
    match name.split_once('|') {
        None => docs.iter().find(|doc| doc.name == name),
        Some((container, _)) => find(docs, container)?
            .subcommands
            .iter()
            .find(|doc| doc.name == name),
    }
}

/// One command's map, with the fields in the order Redis writes them.
fn doc_frame(doc: &Doc) -> Frame {
    let mut fields = vec![
        field("summary", Frame::bulk(doc.summary)),
        field("since", Frame::bulk(doc.since)),
        field("group", Frame::bulk(doc.group)),
    ];
    if let Some(complexity) = doc.complexity {
        fields.push(field("complexity", Frame::bulk(complexity)));
    }
    let doc_flags: Vec<&'static str> = [
        (doc.deprecated.is_some(), "deprecated"),
        (doc.syscmd, "syscmd"),
    ]
    .into_iter()
    .filter_map(|(set, flag)| set.then_some(flag))
    .collect();
    if !doc_flags.is_empty() {
        fields.push(field("doc_flags", statuses(&doc_flags)));
    }
    if let Some((since, replaced_by)) = doc.deprecated {
        fields.push(field("deprecated_since", Frame::bulk(since)));
        fields.push(field("replaced_by", Frame::bulk(replaced_by)));
    }
    if !doc.args.is_empty() {
        fields.push(field("arguments", args_frame(&doc.args)));
    }
    if !doc.subcommands.is_empty() {
        let subcommands = doc
            .subcommands
            .iter()
            .map(|sub| (Frame::bulk(sub.name), doc_frame(sub)))
            .collect();
        fields.push(field("subcommands", Frame::Map(subcommands)));
    }
    Frame::Map(fields)
}

/// An argument list, each argument's fields in Redis's order.
fn args_frame(args: &[Arg]) -> Frame {
    Frame::Array(
        args.iter()
            .map(|arg| {
                let mut fields = vec![
                    field(
                        "name",
                        Frame::bulk(Bytes::copy_from_slice(arg.name.as_bytes())),
                    ),
                    field("type", Frame::bulk(arg.kind.as_str())),
                ];
                if let Some(index) = arg.key_spec_index {
                    fields.push(field("key_spec_index", Frame::Integer(index)));
                }
                if let Some(token) = arg.token {
                    fields.push(field("token", Frame::bulk(token)));
                }
                if let Some(since) = arg.since {
                    fields.push(field("since", Frame::bulk(since)));
                }
                if let Some(since) = arg.deprecated_since {
                    fields.push(field("deprecated_since", Frame::bulk(since)));
                }
                let flags: Vec<&'static str> = [
                    (arg.optional, "optional"),
                    (arg.multiple, "multiple"),
                    (arg.multiple_token, "multiple_token"),
                ]
                .into_iter()
                .filter_map(|(set, flag)| set.then_some(flag))
                .collect();
                if !flags.is_empty() {
                    fields.push(field("flags", statuses(&flags)));
                }
                if matches!(arg.kind, Kind::OneOf | Kind::Block) {
                    fields.push(field("arguments", args_frame(&arg.args)));
                }
                Frame::Map(fields)
            })
            .collect(),
    )
}

fn field(name: &'static str, value: Frame) -> (Frame, Frame) {
    (Frame::bulk(name), value)
}

/// Flags are a set of status strings, as Redis replies them.
fn statuses(flags: &[&'static str]) -> Frame {
    Frame::Set(
        flags
            .iter()
            .map(|flag| Frame::Simple(Bytes::from_static(flag.as_bytes())))
            .collect(),
    )
}

/// One documented command or subcommand.
#[derive(Debug)]
struct Doc {
    /// Lower case; `container|sub` for a subcommand.
    name: &'static str,
    /// `string`, `sorted-set`, `server`...
    group: &'static str,
    /// The Redis version that introduced it.
    since: &'static str,
    complexity: Option<&'static str>,
    summary: &'static str,
    /// Since when, and what replaces it.
    deprecated: Option<(&'static str, &'static str)>,
    /// An internal command (the `syscmd` doc flag).
    syscmd: bool,
    args: Vec<Arg>,
    /// In the table's order.
    subcommands: Vec<Doc>,
}

/// One argument of a command, or of a oneof or block.
#[derive(Debug)]
struct Arg {
    /// Borrowed from the table, except for a pure token's name derived from its token.
    name: Cow<'static, str>,
    kind: Kind,
    token: Option<&'static str>,
    since: Option<&'static str>,
    deprecated_since: Option<&'static str>,
    key_spec_index: Option<i64>,
    optional: bool,
    multiple: bool,
    multiple_token: bool,
    /// The alternatives of a oneof, the parts of a block.
    args: Vec<Arg>,
}

/// An argument's type, as `COMMAND DOCS` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    String,
    Integer,
    Double,
    Key,
    Pattern,
    UnixTime,
    PureToken,
    OneOf,
    Block,
}

impl Kind {
    const NAMED: [Kind; 7] = [
        Kind::String,
        Kind::Integer,
        Kind::Double,
        Kind::Key,
        Kind::Pattern,
        Kind::UnixTime,
        Kind::PureToken,
    ];

    fn as_str(self) -> &'static str {
        match self {
            Kind::String => "string",
            Kind::Integer => "integer",
            Kind::Double => "double",
            Kind::Key => "key",
            Kind::Pattern => "pattern",
            Kind::UnixTime => "unix-time",
            Kind::PureToken => "pure-token",
            Kind::OneOf => "oneof",
            Kind::Block => "block",
        }
    }
}

/// The parsed [`TABLE`], containers holding their subcommands.
fn docs() -> &'static [Doc] {
    static DOCS: OnceLock<Vec<Doc>> = OnceLock::new();
    DOCS.get_or_init(|| {
        // The table is a constant that the unit tests parse in full, so this cannot fail at run time.
        parse_table(TABLE).unwrap_or_else(|error| panic!("cmd/docs.rs TABLE: {error}"))
    })
}

/// Parses the whole table (see the module documentation for the format).
fn parse_table(table: &'static str) -> Result<Vec<Doc>, String> {
    let mut docs: Vec<Doc> = Vec::new();
    // The field being read: its label and the byte range of its value, which continuation lines extend.
    let mut pending: Option<(&'static str, usize, usize)> = None;
    let mut offset = 0;
    for line in table.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let text = line.trim_end();
        let content = text.trim_start();
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        let indent = text.len() - content.len();
        let end = start + text.len();
        if indent > 4 {
            let (_, _, value_end) = pending
                .as_mut()
                .ok_or_else(|| format!("stray line {content:?}"))?;
            *value_end = end;
            continue;
        }
        if let Some((label, value_start, value_end)) = pending.take() {
            let doc = docs.last_mut().ok_or("a field before any entry")?;
            apply_field(doc, label, &table[value_start..value_end])?;
        }
        if indent == 0 {
            docs.push(parse_header(content)?);
        } else {
            let (label, _) = content
                .split_once(": ")
                .ok_or_else(|| format!("expected `label: value`, got {content:?}"))?;
            pending = Some((label, start + indent + label.len() + 2, end));
        }
    }
    if let Some((label, value_start, value_end)) = pending {
        let doc = docs.last_mut().ok_or("a field before any entry")?;
        apply_field(doc, label, &table[value_start..value_end])?;
    }
    nest_subcommands(docs)
}

fn parse_header(line: &'static str) -> Result<Doc, String> {
    let fields: Vec<&'static str> = line.split(" | ").collect();
    let [name, group, since, complexity] = fields[..] else {
        return Err(format!(
            "expected `name | group | since | complexity`, got {line:?}"
        ));
    };
    Ok(Doc {
        name,
        group,
        since,
        complexity: (complexity != "-").then_some(complexity),
        summary: "",
        deprecated: None,
        syscmd: false,
        args: Vec::new(),
        subcommands: Vec::new(),
    })
}

fn apply_field(doc: &mut Doc, label: &str, value: &'static str) -> Result<(), String> {
    match label {
        "summary" => doc.summary = value,
        "args" => doc.args = ArgParser::new(value).parse()?,
        "deprecated" => {
            let (since, replaced_by) = value.split_once(" | ").ok_or_else(|| {
                format!("{}: expected `deprecated: since | replacement`", doc.name)
            })?;
            doc.deprecated = Some((since, replaced_by));
        }
        "doc_flags" if value == "syscmd" => doc.syscmd = true,
        _ => return Err(format!("{}: unknown field `{label}: {value}`", doc.name)),
    }
    Ok(())
}

/// Moves each `container|sub` entry into its container, which must come before it.
fn nest_subcommands(flat: Vec<Doc>) -> Result<Vec<Doc>, String> {
    let mut docs: Vec<Doc> = Vec::new();
    for doc in flat {
        if doc.summary.is_empty() {
            return Err(format!("{}: no summary", doc.name));
        }
        match doc.name.split_once('|') {
            None => docs.push(doc),
            Some((container, _)) => docs
                .iter_mut()
                .rev()
                .find(|candidate| candidate.name == container)
                .ok_or_else(|| format!("{}: its container must come first", doc.name))?
                .subcommands
                .push(doc),
        }
    }
    Ok(docs)
}

/// A recursive-descent parser of one `args:` value.
struct ArgParser {
    text: &'static str,
    pos: usize,
    /// The `key_spec_index` the next key argument gets.
    next_key: i64,
}

impl ArgParser {
    fn new(text: &'static str) -> ArgParser {
        ArgParser {
            text,
            pos: 0,
            next_key: 0,
        }
    }

    /// The whole value: arguments up to the end.
    fn parse(mut self) -> Result<Vec<Arg>, String> {
        self.sequence(None)
    }

    /// Whitespace-separated arguments up to `close` (consumed), or to the end of the text.
    fn sequence(&mut self, close: Option<u8>) -> Result<Vec<Arg>, String> {
        let mut args = Vec::new();
        loop {
            self.skip_space();
            match (self.peek(), close) {
                (None, None) => return Ok(args),
                (None, Some(close)) => {
                    return Err(self.error(&format!("missing `{}`", close as char)));
                }
                (Some(byte), Some(close)) if byte == close => {
                    self.pos += 1;
                    return Ok(args);
                }
                _ => args.push(self.arg()?),
            }
        }
    }

    /// `|`-separated alternatives up to `}` (consumed).
    fn alternatives(&mut self) -> Result<Vec<Arg>, String> {
        let mut args = Vec::new();
        loop {
            self.skip_space();
            args.push(self.arg()?);
            self.skip_space();
            match self.bump() {
                Some(b'|') => {}
                Some(b'}') => return Ok(args),
                _ => return Err(self.error("expected `|` or `}`")),
            }
        }
    }

    fn arg(&mut self) -> Result<Arg, String> {
        let (mut optional, mut multiple, mut multiple_token) = (false, false, false);
        let mut escaped = false;
        loop {
            match self.peek() {
                Some(b'?') => optional = true,
                Some(b'*') => multiple = true,
                Some(b'+') => multiple_token = true,
                Some(b'\\') => {
                    // `\` ends the flags and makes the next character part of the word: tokens such as
                    // XADD's `*` or `=` and `~`.
                    escaped = true;
                    self.pos += 1;
                    break;
                }
                _ => break,
            }
            self.pos += 1;
        }
        let first = if escaped {
            let start = self.pos;
            let literal = self.text[start..]
                .chars()
                .next()
                .ok_or_else(|| self.error("expected a character after `\\`"))?;
            self.pos += literal.len_utf8();
            let rest = &self.text[self.pos..];
            let more = rest
                .find(|c: char| c.is_whitespace() || "<>(){}|=@~".contains(c))
                .unwrap_or(rest.len());
            self.pos += more;
            &self.text[start..self.pos]
        } else {
            self.word()?
        };
        let (mut token, mut name) = if self.eat(b'=') {
            (Some(first), Cow::Borrowed(self.word()?))
        } else {
            (None, Cow::Borrowed(first))
        };
        let mut args = Vec::new();
        let kind = if self.eat(b'<') {
            let end = self.text[self.pos..]
                .find('>')
                .ok_or_else(|| self.error("missing `>`"))?;
            let type_name = &self.text[self.pos..self.pos + end];
            self.pos += end + 1;
            Kind::NAMED
                .into_iter()
                .find(|kind| kind.as_str() == type_name)
                .ok_or_else(|| self.error(&format!("unknown type {type_name:?}")))?
        } else if self.eat(b'{') {
            args = self.alternatives()?;
            Kind::OneOf
        } else if self.eat(b'(') {
            args = self.sequence(Some(b')'))?;
            Kind::Block
        } else if token.is_none() && is_token(first) {
            token = Some(first);
            name = Cow::Owned(first.to_ascii_lowercase());
            Kind::PureToken
        } else {
            Kind::String
        };
        if kind == Kind::PureToken && token.is_none() {
            return Err(self.error(&format!("pure token {name:?} without a token")));
        }
        let since = if self.eat(b'@') {
            Some(self.word()?)
        } else {
            None
        };
        let deprecated_since = if self.eat(b'~') {
            Some(self.word()?)
        } else {
            None
        };
        let key_spec_index = (kind == Kind::Key).then(|| {
            self.next_key += 1;
            self.next_key - 1
        });
        Ok(Arg {
            name,
            kind,
            token,
            since,
            deprecated_since,
            key_spec_index,
            optional,
            multiple,
            multiple_token,
            args,
        })
    }

    /// A name, token or version: everything up to whitespace or punctuation of the format.
    fn word(&mut self) -> Result<&'static str, String> {
        let rest = &self.text[self.pos..];
        let len = rest
            .find(|c: char| c.is_whitespace() || "<>(){}|=@~".contains(c))
            .unwrap_or(rest.len());
        if len == 0 {
            return Err(self.error("expected a word"));
        }
        self.pos += len;
        Ok(&rest[..len])
    }

    fn skip_space(&mut self) {
        let rest = &self.text[self.pos..];
        self.pos += rest.len() - rest.trim_start().len();
    }

    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    fn bump(&mut self) -> Option<u8> {
        let byte = self.peek()?;
        self.pos += 1;
        Some(byte)
    }

    fn eat(&mut self, byte: u8) -> bool {
        let matched = self.peek() == Some(byte);
        if matched {
            self.pos += 1;
        }
        matched
    }

    fn error(&self, message: &str) -> String {
        format!("{message} at {:?}", &self.text[self.pos..])
    }
}

/// Whether a bare word is a pure token: upper case, with at least one letter.
fn is_token(word: &str) -> bool {
    word.bytes().any(|byte| byte.is_ascii_uppercase())
        && !word.bytes().any(|byte| byte.is_ascii_lowercase())
}

/// Every command we run, in alphabetical order, each container followed by the subcommands we run. See the module
/// documentation for the format. Facts from Redis 7.0.15's command table; wording ours.
const TABLE: &str = r"
acl | server | 6.0.0 | Varies with the subcommand
    summary: Container for the commands that manage ACL users and permissions
acl|cat | server | 6.0.0 | O(1)
    summary: Lists the ACL categories, or the commands and subcommands of one
    args: ?categoryname
acl|deluser | server | 6.0.0 | O(1) per user
    summary: Deletes ACL users and closes their connections
    args: *username
acl|dryrun | server | 7.0.0 | O(1)
    summary: Tells whether a user could run a command, without running it
    args: username command ?*arg
acl|genpass | server | 6.0.0 | O(1)
    summary: Generates a random password
    args: ?bits<integer>
acl|getuser | server | 6.0.0 | O(N), N = number of passwords, patterns and rules of the user
    summary: Describes a user's flags, password hashes and permissions
    args: username
acl|help | server | 6.0.0 | O(1)
    summary: Lists the ACL subcommands
acl|list | server | 6.0.0 | O(N), N = number of users
    summary: Lists every user as the rules that recreate it
acl|load | server | 6.0.0 | O(N), N = number of users
    summary: Reloads the users from the ACL file
acl|log | server | 6.0.0 | O(N), N = number of entries shown
    summary: Lists the latest denied commands and failed logins, or clears them
    args: ?operation{count<integer> | RESET}
acl|save | server | 6.0.0 | O(N), N = number of users
    summary: Writes the users to the ACL file
acl|setuser | server | 6.0.0 | O(N), N = number of rules given
    summary: Creates a user or changes its rules
    args: username ?*rule
acl|users | server | 6.0.0 | O(N), N = number of users
    summary: Lists the user names
acl|whoami | server | 6.0.0 | O(1)
    summary: Returns the user of the current connection
append | string | 2.0.0 | O(1) amortized
    summary: Appends a string to the value of a key, creating the key when missing
    args: key<key> value
auth | connection | 1.0.0 | O(N), N = number of passwords of the user
    summary: Authenticates the connection as a user
    args: ?username@6.0.0 password
bgrewriteaof | server | 1.0.0 | O(1)
    summary: Rewrites the append-only file in the background
bgsave | server | 1.0.0 | O(1)
    summary: Saves the dataset to disk in a background process
    args: ?SCHEDULE@3.2.2
blmove | list | 6.2.0 | O(1)
    summary: Moves an element from one list to another, waiting while the source is empty
    args: source<key> destination<key> wherefrom{LEFT | RIGHT} whereto{LEFT | RIGHT} timeout<double>
blmpop | list | 7.0.0 | O(N+M), N = keys given, M = elements popped
    summary: Pops elements from the first non-empty list, waiting while all are empty
    args: timeout<double> numkeys<integer> *key<key> where{LEFT | RIGHT} ?COUNT=count<integer>
blpop | list | 2.0.0 | O(N), N = number of keys given
    summary: Pops the first element of the first non-empty list, waiting while all are empty
    args: *key<key> timeout<double>
brpop | list | 2.0.0 | O(N), N = number of keys given
    summary: Pops the last element of the first non-empty list, waiting while all are empty
    args: *key<key> timeout<double>
brpoplpush | list | 2.2.0 | O(1)
    summary: Moves the last element of a list to the head of another, waiting while the source is empty
    deprecated: 6.2.0 | BLMOVE source destination RIGHT LEFT timeout
    args: source<key> destination<key> timeout<double>
bzpopmax | sorted-set | 5.0.0 | O(log(N)), N = size of the sorted set
    summary: Pops the highest-scored member of the first non-empty sorted set, waiting while all are empty
    args: *key<key> timeout<double>
bzmpop | sorted-set | 7.0.0 | O(K)+O(M*log(N)), K = keys given, N = size of the sorted set, M = members popped
    summary: Pops members from the first non-empty sorted set, waiting while all are empty
    args: timeout<double> numkeys<integer> *key<key> where{MIN | MAX} ?COUNT=count<integer>
bzpopmin | sorted-set | 5.0.0 | O(log(N)), N = size of the sorted set
    summary: Pops the lowest-scored member of the first non-empty sorted set, waiting while all are empty
    args: *key<key> timeout<double>
client | connection | 2.4.0 | Varies with the subcommand
    summary: Container for commands that inspect and manage client connections
client|id | connection | 5.0.0 | O(1)
    summary: Returns the unique ID of the current connection
client|setname | connection | 2.6.9 | O(1)
    summary: Names the current connection
    args: connection-name
client|getname | connection | 2.6.9 | O(1)
    summary: Returns the name of the current connection
client|info | connection | 6.2.0 | O(1)
    summary: Describes the current connection
client|unblock | connection | 5.0.0 | O(log(N)), N = number of connections
    summary: Wakes up a client blocked in a blocking command
    args: client-id<integer> ?timeout_error{TIMEOUT | ERROR}
client|list | connection | 2.4.0 | O(N), N = number of connections
    summary: Lists the connected clients
    args: ?TYPE=normal_master_replica_pubsub{NORMAL | MASTER | REPLICA | PUBSUB}@5.0.0
        ?ID=id(*client-id<integer>)@6.2.0
client|pause | connection | 2.9.50 | O(1)
    summary: Suspends processing of client commands for a while
    args: timeout<integer> ?mode{WRITE | ALL}@6.2.0
client|unpause | connection | 6.2.0 | O(N), N = number of paused clients
    summary: Ends a client pause
client|kill | connection | 2.4.0 | O(N), N = number of connections
    summary: Closes client connections chosen by address, ID or other filters
    args: filter{ip:port~2.8.12 | *new-format{?ID=client-id<integer>@2.8.12 |
            ?TYPE=normal_master_slave_pubsub{NORMAL | MASTER@3.2.0 | SLAVE | REPLICA@5.0.0 | PUBSUB}@2.8.12 |
            ?USER=username | ?ADDR=ip:port | ?LADDR=ip:port@6.2.0 | ?SKIPME=yes/no}}
client|help | connection | 5.0.0 | O(1)
    summary: Lists the CLIENT subcommands
command | server | 2.8.13 | O(N), N = number of commands
    summary: Describes every command the server runs
command|count | server | 2.8.13 | O(1)
    summary: Returns how many commands the server runs
command|list | server | 7.0.0 | O(N), N = number of commands
    summary: Lists the names of the commands
    args: ?FILTERBY=filterby{MODULE=module-name | ACLCAT=category | PATTERN=pattern<pattern>}
command|info | server | 2.8.13 | O(N), N = number of commands asked for
    summary: Describes the given commands
    args: ?*command-name
command|docs | server | 7.0.0 | O(N), N = number of commands asked for
    summary: Returns the documentation of the given commands, or of all of them
    args: ?*command-name
config | server | 2.0.0 | Varies with the subcommand
    summary: Container for commands that read and change the configuration
config|get | server | 2.0.0 | O(N), N = number of parameters given
    summary: Returns the configuration parameters matching the given patterns
    args: *parameter(parameter)
config|set | server | 2.0.0 | O(N), N = number of parameters given
    summary: Changes configuration parameters at run time
    args: *parameter_value(parameter value)
config|resetstat | server | 2.0.0 | O(1)
    summary: Zeroes the statistics that INFO reports
config|rewrite | server | 2.8.0 | O(1)
    summary: Writes the running configuration back to the config file
config|help | server | 5.0.0 | O(1)
    summary: Lists the CONFIG subcommands
copy | generic | 6.2.0 | O(N), N = elements of the value (O(1) for strings)
    summary: Copies the value of a key to another key
    args: source<key> destination<key> ?DB=destination-db<integer> ?REPLACE
dbsize | server | 1.0.0 | O(1)
    summary: Returns the number of keys in the selected database
debug | server | 1.0.0 | Varies with the subcommand
    summary: Container for debugging and testing commands
    doc_flags: syscmd
decr | string | 1.0.0 | O(1)
    summary: Subtracts one from the integer stored at a key
    args: key<key>
decrby | string | 1.0.0 | O(1)
    summary: Subtracts a number from the integer stored at a key
    args: key<key> decrement<integer>
del | generic | 1.0.0 | O(N), N = number of keys removed (plus M elements for each non-string value)
    summary: Removes keys
    args: *key<key>
discard | transactions | 2.0.0 | O(N), N = number of queued commands
    summary: Drops the commands queued in a transaction
dump | generic | 2.6.0 | O(1) to find the key, O(N*M) to serialize
    summary: Returns a serialized representation of the value of a key
    args: key<key>
echo | connection | 1.0.0 | O(1)
    summary: Returns the given message
    args: message
eval | scripting | 2.6.0 | Whatever the script does
    summary: Runs a Lua script
    args: script numkeys<integer> ?*key<key> ?*arg
eval_ro | scripting | 7.0.0 | Whatever the script does
    summary: Runs a Lua script that does not write
    args: script numkeys<integer> ?*key<key> ?*arg
evalsha | scripting | 2.6.0 | Whatever the script does
    summary: Runs a cached Lua script by its SHA1 digest
    args: sha1 numkeys<integer> ?*key<key> ?*arg
evalsha_ro | scripting | 7.0.0 | Whatever the script does
    summary: Runs a cached Lua script that does not write, by its SHA1 digest
    args: sha1 numkeys<integer> ?*key<key> ?*arg
exec | transactions | 1.2.0 | The sum of the queued commands
    summary: Runs the commands queued in a transaction
exists | generic | 1.0.0 | O(N), N = number of keys given
    summary: Counts how many of the given keys exist
    args: *key<key>
expire | generic | 1.0.0 | O(1)
    summary: Sets the time to live of a key, in seconds
    args: key<key> seconds<integer> ?condition{NX | XX | GT | LT}@7.0.0
expireat | generic | 1.2.0 | O(1)
    summary: Sets the expiry of a key as a Unix time in seconds
    args: key<key> unix-time-seconds<unix-time> ?condition{NX | XX | GT | LT}@7.0.0
expiretime | generic | 7.0.0 | O(1)
    summary: Returns the Unix time, in seconds, at which a key expires
    args: key<key>
failover | server | 6.2.0 | O(1)
    summary: Hands the master role over to one of its replicas
    args: ?TO=target(host port<integer> ?FORCE) ?ABORT ?TIMEOUT=milliseconds<integer>
fcall | scripting | 7.0.0 | Whatever the function does
    summary: Calls a function of a loaded library
    args: function numkeys<integer> ?*key<key> ?*arg
fcall_ro | scripting | 7.0.0 | Whatever the function does
    summary: Calls a function that does not write
    args: function numkeys<integer> ?*key<key> ?*arg
flushall | server | 1.0.0 | O(N), N = number of keys in all databases
    summary: Deletes every key of every database
    args: ?async{ASYNC@4.0.0 | SYNC@6.2.0}
flushdb | server | 1.0.0 | O(N), N = number of keys in the database
    summary: Deletes every key of the selected database
    args: ?async{ASYNC@4.0.0 | SYNC@6.2.0}
function | scripting | 7.0.0 | Varies with the subcommand
    summary: Container for commands that manage function libraries
function|load | scripting | 7.0.0 | O(1), compilation aside
    summary: Loads a function library from its source code
    args: ?REPLACE function-code
function|restore | scripting | 7.0.0 | O(N), N = number of functions in the payload
    summary: Loads function libraries from a FUNCTION DUMP payload
    args: serialized-value ?policy{FLUSH | APPEND | REPLACE}
function|flush | scripting | 7.0.0 | O(N), N = number of functions removed
    summary: Removes every function library
    args: ?async{ASYNC | SYNC}
function|list | scripting | 7.0.0 | O(N), N = number of functions
    summary: Describes the loaded function libraries
    args: ?LIBRARYNAME=library-name-pattern ?WITHCODE
function|delete | scripting | 7.0.0 | O(1)
    summary: Removes a function library
    args: library-name
function|stats | scripting | 7.0.0 | O(1)
    summary: Reports the running function and the available engines
function|dump | scripting | 7.0.0 | O(N), N = number of functions
    summary: Serializes every function library into a payload
function|kill | scripting | 7.0.0 | O(1)
    summary: Stops the running function, if it has not written
function|help | scripting | 7.0.0 | O(1)
    summary: Lists the FUNCTION subcommands
get | string | 1.0.0 | O(1)
    summary: Returns the string stored at a key
    args: key<key>
getdel | string | 6.2.0 | O(1)
    summary: Returns the string stored at a key and deletes the key
    args: key<key>
getex | string | 6.2.0 | O(1)
    summary: Returns the string stored at a key and changes its expiry
    args: key<key>
        ?expiration{EX=seconds<integer> | PX=milliseconds<integer> | EXAT=unix-time-seconds<unix-time> |
            PXAT=unix-time-milliseconds<unix-time> | PERSIST}
getrange | string | 2.4.0 | O(N), N = length of the returned part
    summary: Returns part of the string stored at a key
    args: key<key> start<integer> end<integer>
getset | string | 1.0.0 | O(1)
    summary: Stores a string at a key and returns the previous one
    deprecated: 6.2.0 | SET key value GET
    args: key<key> value
hdel | hash | 2.0.0 | O(N), N = number of fields given
    summary: Removes fields from a hash
    args: key<key> *field
hello | connection | 6.0.0 | O(1)
    summary: Chooses the protocol version, optionally authenticating and naming the connection
    args: ?arguments(protover<integer> ?AUTH=username_password(username password) ?SETNAME=clientname)
hexists | hash | 2.0.0 | O(1)
    summary: Tells whether a hash has a field
    args: key<key> field
hget | hash | 2.0.0 | O(1)
    summary: Returns the value of a hash field
    args: key<key> field
hgetall | hash | 2.0.0 | O(N), N = size of the hash
    summary: Returns every field and value of a hash
    args: key<key>
hincrby | hash | 2.0.0 | O(1)
    summary: Adds an integer to a hash field
    args: key<key> field increment<integer>
hincrbyfloat | hash | 2.6.0 | O(1)
    summary: Adds a floating-point number to a hash field
    args: key<key> field increment<double>
hkeys | hash | 2.0.0 | O(N), N = size of the hash
    summary: Returns the field names of a hash
    args: key<key>
hlen | hash | 2.0.0 | O(1)
    summary: Returns the number of fields of a hash
    args: key<key>
hmget | hash | 2.0.0 | O(N), N = number of fields given
    summary: Returns the values of several hash fields
    args: key<key> *field
hmset | hash | 2.0.0 | O(N), N = number of fields given
    summary: Sets several hash fields
    deprecated: 4.0.0 | HSET with several field-value pairs
    args: key<key> *field_value(field value)
hrandfield | hash | 6.2.0 | O(N), N = number of fields returned
    summary: Returns random fields of a hash
    args: key<key> ?options(count<integer> ?WITHVALUES)
hscan | hash | 2.8.0 | O(1) per call, O(N) for a full iteration, N = size of the hash
    summary: Iterates over the fields of a hash with a cursor
    args: key<key> cursor<integer> ?MATCH=pattern<pattern> ?COUNT=count<integer>
hset | hash | 2.0.0 | O(N), N = number of fields given
    summary: Sets one or more hash fields
    args: key<key> *field_value(field value)
hsetnx | hash | 2.0.0 | O(1)
    summary: Sets a hash field unless it already exists
    args: key<key> field value
hstrlen | hash | 3.2.0 | O(1)
    summary: Returns the length of the value of a hash field
    args: key<key> field
hvals | hash | 2.0.0 | O(N), N = size of the hash
    summary: Returns the values of a hash
    args: key<key>
incr | string | 1.0.0 | O(1)
    summary: Adds one to the integer stored at a key
    args: key<key>
incrby | string | 1.0.0 | O(1)
    summary: Adds an integer to the integer stored at a key
    args: key<key> increment<integer>
incrbyfloat | string | 2.6.0 | O(1)
    summary: Adds a floating-point number to the number stored at a key
    args: key<key> increment<double>
info | server | 1.0.0 | O(1)
    summary: Reports server information and statistics
    args: ?*section
keys | generic | 1.0.0 | O(N), N = number of keys in the database
    summary: Returns the keys matching a glob pattern
    args: pattern<pattern>
lastsave | server | 1.0.0 | O(1)
    summary: Returns the Unix time of the last successful save
lindex | list | 1.0.0 | O(N), N = elements walked to reach the index
    summary: Returns the list element at an index
    args: key<key> index<integer>
linsert | list | 2.2.0 | O(N), N = elements walked to reach the pivot
    summary: Inserts an element before or after a pivot element of a list
    args: key<key> where{BEFORE | AFTER} pivot element
llen | list | 1.0.0 | O(1)
    summary: Returns the length of a list
    args: key<key>
lmove | list | 6.2.0 | O(1)
    summary: Moves an element from one list to another
    args: source<key> destination<key> wherefrom{LEFT | RIGHT} whereto{LEFT | RIGHT}
lmpop | list | 7.0.0 | O(N+M), N = keys given, M = elements popped
    summary: Pops elements from the first non-empty list
    args: numkeys<integer> *key<key> where{LEFT | RIGHT} ?COUNT=count<integer>
lpop | list | 1.0.0 | O(N), N = number of elements returned
    summary: Removes and returns elements from the head of a list
    args: key<key> ?count<integer>@6.2.0
lpos | list | 6.0.6 | O(N), N = length of the list
    summary: Returns the positions of matching elements of a list
    args: key<key> element ?RANK=rank<integer> ?COUNT=num-matches<integer> ?MAXLEN=len<integer>
lpush | list | 1.0.0 | O(N), N = number of elements given
    summary: Inserts elements at the head of a list
    args: key<key> *element
lpushx | list | 2.2.0 | O(N), N = number of elements given
    summary: Inserts elements at the head of a list that exists
    args: key<key> *element
lrange | list | 1.0.0 | O(S+N), S = offset of the start, N = length of the range
    summary: Returns a range of elements of a list
    args: key<key> start<integer> stop<integer>
lrem | list | 1.0.0 | O(N+M), N = length of the list, M = elements removed
    summary: Removes occurrences of an element from a list
    args: key<key> count<integer> element
lset | list | 1.0.0 | O(N), N = length of the list
    summary: Replaces the list element at an index
    args: key<key> index<integer> element
ltrim | list | 1.0.0 | O(N), N = number of elements removed
    summary: Keeps only a range of the elements of a list
    args: key<key> start<integer> stop<integer>
mget | string | 1.0.0 | O(N), N = number of keys given
    summary: Returns the strings stored at several keys
    args: *key<key>
monitor | server | 1.0.0 | -
    summary: Streams every command the server runs
move | generic | 1.0.0 | O(1)
    summary: Moves a key to another database
    args: key<key> db<integer>
mset | string | 1.0.1 | O(N), N = number of keys given
    summary: Stores strings at several keys
    args: *key_value(key<key> value)
msetnx | string | 1.0.1 | O(N), N = number of keys given
    summary: Stores strings at several keys, only if none of them exists
    args: *key_value(key<key> value)
multi | transactions | 1.2.0 | O(1)
    summary: Starts a transaction
object | generic | 2.2.3 | Varies with the subcommand
    summary: Container for commands that inspect stored values
object|encoding | generic | 2.2.3 | O(1)
    summary: Returns the internal encoding of the value of a key
    args: key<key>
object|refcount | generic | 2.2.3 | O(1)
    summary: Returns the reference count of the value of a key
    args: key<key>
object|idletime | generic | 2.2.3 | O(1)
    summary: Returns the seconds since a key was last accessed
    args: key<key>
object|freq | generic | 4.0.0 | O(1)
    summary: Returns the LFU access frequency counter of a key
    args: key<key>
object|help | generic | 6.2.0 | O(1)
    summary: Lists the OBJECT subcommands
persist | generic | 2.2.0 | O(1)
    summary: Removes the expiry of a key
    args: key<key>
pexpire | generic | 2.6.0 | O(1)
    summary: Sets the time to live of a key, in milliseconds
    args: key<key> milliseconds<integer> ?condition{NX | XX | GT | LT}@7.0.0
pexpireat | generic | 2.6.0 | O(1)
    summary: Sets the expiry of a key as a Unix time in milliseconds
    args: key<key> unix-time-milliseconds<unix-time> ?condition{NX | XX | GT | LT}@7.0.0
pexpiretime | generic | 7.0.0 | O(1)
    summary: Returns the Unix time, in milliseconds, at which a key expires
    args: key<key>
pfadd | hyperloglog | 2.8.9 | O(1) per element
    summary: Adds elements to a HyperLogLog
    args: key<key> ?*element
pfcount | hyperloglog | 2.8.9 | O(N), N = number of keys given
    summary: Estimates the number of distinct elements seen by HyperLogLogs
    args: *key<key>
pfdebug | hyperloglog | 2.8.9 | Not applicable
    summary: Inspects the internals of a HyperLogLog, for testing
    doc_flags: syscmd
    args: subcommand key<key>
pfmerge | hyperloglog | 2.8.9 | O(N), N = number of HyperLogLogs merged
    summary: Merges HyperLogLogs into one
    args: destkey<key> *sourcekey<key>
pfselftest | hyperloglog | 2.8.9 | Not applicable
    summary: Runs the HyperLogLog self test
    doc_flags: syscmd
ping | connection | 1.0.0 | O(1)
    summary: Checks that the server answers
    args: ?message
psetex | string | 2.6.0 | O(1)
    summary: Stores a string at a key with a time to live in milliseconds
    args: key<key> milliseconds<integer> value
psubscribe | pubsub | 2.0.0 | O(N), N = patterns the client already follows
    summary: Subscribes to the channels matching glob patterns
    args: *pattern(pattern<pattern>)
psync | server | 2.8.0 | -
    summary: Starts or resumes replication from this server (sent by replicas)
    args: replicationid offset<integer>
pttl | generic | 2.6.0 | O(1)
    summary: Returns the remaining time to live of a key, in milliseconds
    args: key<key>
publish | pubsub | 2.0.0 | O(N+M), N = subscribers of the channel, M = subscribed patterns
    summary: Sends a message to a channel
    args: channel message
pubsub | pubsub | 2.8.0 | Varies with the subcommand
    summary: Container for commands that inspect Pub/Sub state
pubsub|channels | pubsub | 2.8.0 | O(N), N = number of active channels
    summary: Lists the channels that have subscribers
    args: ?pattern<pattern>
pubsub|numsub | pubsub | 2.8.0 | O(N), N = number of channels given
    summary: Counts the subscribers of channels
    args: ?*channel
pubsub|numpat | pubsub | 2.8.0 | O(1)
    summary: Counts the distinct subscribed patterns
pubsub|help | pubsub | 6.2.0 | O(1)
    summary: Lists the PUBSUB subcommands
punsubscribe | pubsub | 2.0.0 | O(N+M), N = patterns of the client, M = patterns of all clients
    summary: Unsubscribes from channel patterns
    args: ?*pattern<pattern>
quit | connection | 1.0.0 | O(1)
    summary: Closes the connection
randomkey | generic | 1.0.0 | O(1)
    summary: Returns a random key
rename | generic | 1.0.0 | O(1)
    summary: Renames a key
    args: key<key> newkey<key>
renamenx | generic | 1.0.0 | O(1)
    summary: Renames a key, only if the new name is free
    args: key<key> newkey<key>
replconf | server | 3.0.0 | O(1)
    summary: Configures a replication link (sent by replicas)
    doc_flags: syscmd
replicaof | server | 5.0.0 | O(1)
    summary: Makes the server a replica of another one, or a master again
    args: args{host-port(host port<integer>) | no-one(NO ONE)}
reset | connection | 6.2.0 | O(1)
    summary: Resets the connection to its initial state
restore | generic | 2.6.0 | O(1) to create the key, O(N*M) to deserialize
    summary: Creates a key from the serialized value DUMP returned
    args: key<key> ttl<integer> serialized-value ?REPLACE@3.0.0 ?ABSTTL@5.0.0 ?IDLETIME=seconds<integer>@5.0.0 ?FREQ=frequency<integer>@5.0.0
role | server | 2.8.12 | O(1)
    summary: Reports the replication role of the server
rpop | list | 1.0.0 | O(N), N = number of elements returned
    summary: Removes and returns elements from the tail of a list
    args: key<key> ?count<integer>@6.2.0
rpoplpush | list | 1.2.0 | O(1)
    summary: Moves the last element of a list to the head of another
    deprecated: 6.2.0 | LMOVE source destination RIGHT LEFT
    args: source<key> destination<key>
rpush | list | 1.0.0 | O(N), N = number of elements given
    summary: Appends elements to a list
    args: key<key> *element
rpushx | list | 2.2.0 | O(N), N = number of elements given
    summary: Appends elements to a list that exists
    args: key<key> *element
sadd | set | 1.0.0 | O(N), N = number of members given
    summary: Adds members to a set
    args: key<key> *member
save | server | 1.0.0 | O(N), N = number of keys in all databases
    summary: Saves the dataset to disk, blocking the server meanwhile
scan | generic | 2.8.0 | O(1) per call, O(N) for a full iteration, N = number of keys
    summary: Iterates over the keys with a cursor
    args: cursor<integer> ?MATCH=pattern<pattern> ?COUNT=count<integer> ?TYPE=type@6.0.0
scard | set | 1.0.0 | O(1)
    summary: Returns the number of members of a set
    args: key<key>
script | scripting | 2.6.0 | Varies with the subcommand
    summary: Container for commands that manage the Lua script cache
script|load | scripting | 2.6.0 | O(N), N = length of the script
    summary: Caches a Lua script without running it
    args: script
script|debug | scripting | 3.2.0 | O(1)
    summary: Chooses the debug mode of scripts
    args: mode{YES | SYNC | NO}
script|exists | scripting | 2.6.0 | O(N), N = number of digests given
    summary: Tells which of the given scripts are cached
    args: *sha1
script|flush | scripting | 2.6.0 | O(N), N = number of cached scripts
    summary: Empties the script cache
    args: ?async{ASYNC | SYNC}@6.2.0
script|kill | scripting | 2.6.0 | O(1)
    summary: Stops the running script, if it has not written
script|help | scripting | 5.0.0 | O(1)
    summary: Lists the SCRIPT subcommands
sdiff | set | 1.0.0 | O(N), N = total size of the sets
    summary: Returns the members of a set that no other given set has
    args: *key<key>
sdiffstore | set | 1.0.0 | O(N), N = total size of the sets
    summary: Stores the difference of sets at a key
    args: destination<key> *key<key>
select | connection | 1.0.0 | O(1)
    summary: Selects the database of the connection
    args: index<integer>
set | string | 1.0.0 | O(1)
    summary: Stores a string at a key, with an optional expiry and condition
    args: key<key> value ?condition{NX | XX}@2.6.12 ?GET@6.2.0
        ?expiration{EX=seconds<integer>@2.6.12 | PX=milliseconds<integer>@2.6.12 |
            EXAT=unix-time-seconds<unix-time>@6.2.0 | PXAT=unix-time-milliseconds<unix-time>@6.2.0 |
            KEEPTTL@6.0.0}
setex | string | 2.0.0 | O(1)
    summary: Stores a string at a key with a time to live in seconds
    args: key<key> seconds<integer> value
setnx | string | 1.0.0 | O(1)
    summary: Stores a string at a key, only if the key does not exist
    args: key<key> value
setrange | string | 2.2.0 | O(1), plus copying the new part
    summary: Overwrites part of a string, starting at an offset
    args: key<key> offset<integer> value
shutdown | server | 1.0.0 | O(N) when saving, N = number of keys; O(1) otherwise
    summary: Stops the server, saving first when configured to
    args: ?nosave_save{NOSAVE | SAVE} ?NOW@7.0.0 ?FORCE@7.0.0 ?ABORT@7.0.0
sinter | set | 1.0.0 | O(N*M), N = size of the smallest set, M = number of sets
    summary: Returns the intersection of sets
    args: *key<key>
sintercard | set | 7.0.0 | O(N*M), N = size of the smallest set, M = number of sets
    summary: Counts the members of the intersection of sets
    args: numkeys<integer> *key<key> ?LIMIT=limit<integer>
sinterstore | set | 1.0.0 | O(N*M), N = size of the smallest set, M = number of sets
    summary: Stores the intersection of sets at a key
    args: destination<key> *key<key>
sismember | set | 1.0.0 | O(1)
    summary: Tells whether a value is a member of a set
    args: key<key> member
slaveof | server | 1.0.0 | O(1)
    summary: Makes the server a replica of another one, or a master again (old name of REPLICAOF)
    deprecated: 5.0.0 | REPLICAOF
    args: args{host-port(host port<integer>) | no-one(NO ONE)}
slowlog | server | 2.2.12 | Varies with the subcommand
    summary: Reads or resets the log of slow commands
slowlog|get | server | 2.2.12 | O(N), N = number of entries returned
    summary: Returns the newest entries of the slow log
    args: ?count<integer>
slowlog|len | server | 2.2.12 | O(1)
    summary: Returns the number of entries in the slow log
slowlog|reset | server | 2.2.12 | O(N), N = number of entries
    summary: Empties the slow log
slowlog|help | server | 6.2.0 | O(1)
    summary: Lists the SLOWLOG subcommands
smembers | set | 1.0.0 | O(N), N = size of the set
    summary: Returns every member of a set
    args: key<key>
smismember | set | 6.2.0 | O(N), N = number of values given
    summary: Tells, for each value given, whether it is a member of a set
    args: key<key> *member
smove | set | 1.0.0 | O(1)
    summary: Moves a member from one set to another
    args: source<key> destination<key> member
spop | set | 1.0.0 | O(1), or O(N) with a count, N = count
    summary: Removes and returns random members of a set
    args: key<key> ?count<integer>@3.2.0
srandmember | set | 1.0.0 | O(1), or O(N) with a count, N = count
    summary: Returns random members of a set
    args: key<key> ?count<integer>@2.6.0
srem | set | 1.0.0 | O(N), N = number of members given
    summary: Removes members from a set
    args: key<key> *member
sscan | set | 2.8.0 | O(1) per call, O(N) for a full iteration, N = size of the set
    summary: Iterates over the members of a set with a cursor
    args: key<key> cursor<integer> ?MATCH=pattern<pattern> ?COUNT=count<integer>
strlen | string | 2.2.0 | O(1)
    summary: Returns the length of the string stored at a key
    args: key<key>
subscribe | pubsub | 2.0.0 | O(N), N = number of channels given
    summary: Subscribes to channels
    args: *channel
substr | string | 1.0.0 | O(N), N = length of the returned part
    summary: Returns part of the string stored at a key (old name of GETRANGE)
    deprecated: 2.0.0 | GETRANGE
    args: key<key> start<integer> end<integer>
sunion | set | 1.0.0 | O(N), N = total size of the sets
    summary: Returns the union of sets
    args: *key<key>
sunionstore | set | 1.0.0 | O(N), N = total size of the sets
    summary: Stores the union of sets at a key
    args: destination<key> *key<key>
swapdb | server | 4.0.0 | O(N), N = clients watching or blocked on keys of the two databases
    summary: Exchanges the contents of two databases
    args: index1<integer> index2<integer>
sync | server | 1.0.0 | -
    summary: Starts a full resynchronization (sent by old replicas)
time | server | 2.6.0 | O(1)
    summary: Returns the server clock as seconds and microseconds
touch | generic | 3.2.1 | O(N), N = number of keys given
    summary: Marks keys as accessed and counts those that exist
    args: *key<key>
ttl | generic | 1.0.0 | O(1)
    summary: Returns the remaining time to live of a key, in seconds
    args: key<key>
type | generic | 1.0.0 | O(1)
    summary: Returns the type of the value stored at a key
    args: key<key>
unlink | generic | 4.0.0 | O(1) per key; freeing is O(N) in the background
    summary: Removes keys, freeing their memory in the background
    args: *key<key>
unsubscribe | pubsub | 2.0.0 | O(N), N = subscribers of the channels
    summary: Unsubscribes from channels
    args: ?*channel
unwatch | transactions | 2.2.0 | O(1)
    summary: Forgets the keys watched by the connection
wait | generic | 3.0.0 | O(1)
    summary: Waits until replicas acknowledge the writes of the connection
    args: numreplicas<integer> timeout<integer>
watch | transactions | 2.2.0 | O(1) per key
    summary: Makes the next transaction fail if any of the keys changes before EXEC
    args: *key<key>
xack | stream | 5.0.0 | O(1) per ID
    summary: Acknowledges entries of a consumer group, removing them from its pending list
    args: key<key> group *id
xadd | stream | 5.0.0 | O(1) to add, O(N) to trim, N = entries evicted
    summary: Appends an entry to a stream, creating the stream if needed
    args: key<key> ?NOMKSTREAM@6.2.0 ?trim(strategy{MAXLEN | MINID@6.2.0} ?operator{\==equal<pure-token> | \~=approximately<pure-token>} threshold ?LIMIT=count<integer>@6.2.0) id_or_auto{\*=auto_id<pure-token> | id} *field_value(field value)
xautoclaim | stream | 6.2.0 | O(1) with COUNT small
    summary: Transfers idle pending entries of a consumer group to another consumer
    args: key<key> group consumer min-idle-time start ?COUNT=count<integer> ?JUSTID
xclaim | stream | 5.0.0 | O(log N), N = number of entries in the group's pending list
    summary: Transfers ownership of pending entries of a consumer group to another consumer
    args: key<key> group consumer min-idle-time *id ?IDLE=ms<integer> ?TIME=unix-time-milliseconds<unix-time> ?RETRYCOUNT=count<integer> ?FORCE ?JUSTID ?LASTID=id
xdel | stream | 5.0.0 | O(1) per entry
    summary: Deletes entries from a stream
    args: key<key> *id
xgroup | stream | 5.0.0 | Depends on subcommand
    summary: Container for consumer group commands
xgroup|create | stream | 5.0.0 | O(1)
    summary: Creates a consumer group
    args: key<key> groupname id{id | $=new_id<pure-token>} ?MKSTREAM ?ENTRIESREAD=entries_read<integer>
xgroup|createconsumer | stream | 6.2.0 | O(1)
    summary: Creates a consumer in a consumer group
    args: key<key> groupname consumername
xgroup|delconsumer | stream | 5.0.0 | O(1)
    summary: Deletes a consumer from a consumer group
    args: key<key> groupname consumername
xgroup|destroy | stream | 5.0.0 | O(N), N = entries in the group's pending list
    summary: Destroys a consumer group
    args: key<key> groupname
xgroup|help | stream | 5.0.0 | O(1)
    summary: Lists the XGROUP subcommands
xgroup|setid | stream | 5.0.0 | O(1)
    summary: Sets the last delivered ID of a consumer group
    args: key<key> groupname id{id | $=new_id<pure-token>} ?ENTRIESREAD=entries_read<integer>
xinfo | stream | 5.0.0 | Depends on subcommand
    summary: Container for stream introspection commands
xinfo|consumers | stream | 5.0.0 | O(1)
    summary: Lists the consumers of a consumer group
    args: key<key> groupname
xinfo|groups | stream | 5.0.0 | O(1)
    summary: Lists the consumer groups of a stream
    args: key<key>
xinfo|help | stream | 5.0.0 | O(1)
    summary: Lists the XINFO subcommands
xinfo|stream | stream | 5.0.0 | O(1), O(N) with FULL, N = COUNT
    summary: Describes a stream
    args: key<key> ?FULL=full(?COUNT=count<integer>)
xlen | stream | 5.0.0 | O(1)
    summary: Returns the number of entries of a stream
    args: key<key>
xpending | stream | 5.0.0 | O(N), N = entries returned
    summary: Inspects the pending list of a consumer group
    args: key<key> group ?filters(?IDLE=min-idle-time<integer>@6.2.0 start end count<integer> ?consumer)
xrange | stream | 5.0.0 | O(N), N = entries returned
    summary: Returns the entries of a stream within an ID range
    args: key<key> start end ?COUNT=count<integer>
xread | stream | 5.0.0 | O(N) per stream, N = entries returned
    summary: Reads entries after the given IDs from streams, optionally waiting for new ones
    args: ?COUNT=count<integer> ?BLOCK=milliseconds<integer> STREAMS=streams(*key<key> *id)
xreadgroup | stream | 5.0.0 | O(M) per stream, M = entries returned
    summary: Reads entries from streams for a consumer of a group, optionally waiting for new ones
    args: GROUP=group_consumer(group consumer) ?COUNT=count<integer> ?BLOCK=milliseconds<integer> ?NOACK STREAMS=streams(*key<key> *id)
xrevrange | stream | 5.0.0 | O(N), N = entries returned
    summary: Returns the entries of a stream within an ID range, newest first
    args: key<key> end start ?COUNT=count<integer>
xsetid | stream | 5.0.0 | O(1)
    summary: Sets a stream's last ID and metadata, for replication and internal use
    args: key<key> last-id ?ENTRIESADDED=entries_added<integer>@7.0.0 ?MAXDELETEDID=max_deleted_entry_id@7.0.0
xtrim | stream | 5.0.0 | O(N), N = entries evicted
    summary: Trims a stream to a length or to a minimum ID
    args: key<key> trim(strategy{MAXLEN | MINID@6.2.0} ?operator{\==equal<pure-token> | \~=approximately<pure-token>} threshold ?LIMIT=count<integer>@6.2.0)
zadd | sorted-set | 1.2.0 | O(log(N)) per member, N = size of the sorted set
    summary: Adds members to a sorted set, or updates their scores
    args: key<key> ?condition{NX | XX}@3.0.2 ?comparison{GT | LT}@6.2.0 ?CH=change<pure-token>@3.0.2
        ?INCR=increment<pure-token>@3.0.2 *score_member(score<double> member)
zcard | sorted-set | 1.2.0 | O(1)
    summary: Returns the number of members of a sorted set
    args: key<key>
zcount | sorted-set | 2.0.0 | O(log(N)), N = size of the sorted set
    summary: Counts the members of a sorted set within a score range
    args: key<key> min<double> max<double>
zdiff | sorted-set | 6.2.0 | O(L+(N-K)*log(N)), L = total input size, N = first set, K = result
    summary: Returns the members of a sorted set that no other given sorted set has
    args: numkeys<integer> *key<key> ?WITHSCORES
zdiffstore | sorted-set | 6.2.0 | O(L+(N-K)*log(N)), L = total input size, N = first set, K = result
    summary: Stores the difference of sorted sets at a key
    args: destination<key> numkeys<integer> *key<key>
zincrby | sorted-set | 1.2.0 | O(log(N)), N = size of the sorted set
    summary: Adds to the score of a member of a sorted set
    args: key<key> increment<integer> member
zinter | sorted-set | 6.2.0 | O(N*K)+O(M*log(M)), N = smallest input, K = inputs, M = result
    summary: Returns the intersection of sorted sets
    args: numkeys<integer> *key<key> ?*WEIGHTS=weight<integer> ?AGGREGATE=aggregate{SUM | MIN | MAX} ?WITHSCORES
zintercard | sorted-set | 7.0.0 | O(N*K), N = smallest input, K = number of inputs
    summary: Counts the members of the intersection of sorted sets
    args: numkeys<integer> *key<key> ?LIMIT=limit<integer>
zinterstore | sorted-set | 2.0.0 | O(N*K)+O(M*log(M)), N = smallest input, K = inputs, M = result
    summary: Stores the intersection of sorted sets at a key
    args: destination<key> numkeys<integer> *key<key> ?*WEIGHTS=weight<integer>
        ?AGGREGATE=aggregate{SUM | MIN | MAX}
zlexcount | sorted-set | 2.8.9 | O(log(N)), N = size of the sorted set
    summary: Counts the members of a sorted set within a lexicographical range
    args: key<key> min max
zmscore | sorted-set | 6.2.0 | O(N), N = number of members given
    summary: Returns the scores of several members of a sorted set
    args: key<key> *member
zpopmax | sorted-set | 5.0.0 | O(log(N)*M), N = size of the sorted set, M = members popped
    summary: Removes and returns the highest-scored members of a sorted set
    args: key<key> ?count<integer>
zmpop | sorted-set | 7.0.0 | O(K)+O(M*log(N)), K = keys given, N = size of the sorted set, M = members popped
    summary: Pops members from the first non-empty sorted set
    args: numkeys<integer> *key<key> where{MIN | MAX} ?COUNT=count<integer>
zpopmin | sorted-set | 5.0.0 | O(log(N)*M), N = size of the sorted set, M = members popped
    summary: Removes and returns the lowest-scored members of a sorted set
    args: key<key> ?count<integer>
zrandmember | sorted-set | 6.2.0 | O(N), N = number of members returned
    summary: Returns random members of a sorted set
    args: key<key> ?options(count<integer> ?WITHSCORES)
zrange | sorted-set | 1.2.0 | O(log(N)+M), N = size of the sorted set, M = number of members returned
    summary: Returns a range of a sorted set by rank, score or lexicographical order
    args: key<key> start stop ?sortby{BYSCORE | BYLEX}@6.2.0 ?REV@6.2.0
        ?LIMIT=offset_count(offset<integer> count<integer>)@6.2.0 ?WITHSCORES
zrangebylex | sorted-set | 2.8.9 | O(log(N)+M), N = size of the sorted set, M = number of members returned
    summary: Returns the members of a sorted set within a lexicographical range
    deprecated: 6.2.0 | ZRANGE with BYLEX
    args: key<key> min max ?LIMIT=offset_count(offset<integer> count<integer>)
zrangebyscore | sorted-set | 1.0.5 | O(log(N)+M), N = size of the sorted set, M = number of members returned
    summary: Returns the members of a sorted set within a score range
    deprecated: 6.2.0 | ZRANGE with BYSCORE
    args: key<key> min<double> max<double> ?WITHSCORES@2.0.0 ?LIMIT=offset_count(offset<integer> count<integer>)
zrangestore | sorted-set | 6.2.0 | O(log(N)+M), N = size of the sorted set, M = number of members stored
    summary: Stores a range of a sorted set at a key
    args: dst<key> src<key> min max ?sortby{BYSCORE | BYLEX} ?REV
        ?LIMIT=offset_count(offset<integer> count<integer>)
zrank | sorted-set | 2.0.0 | O(log(N)), N = size of the sorted set
    summary: Returns the rank of a member, lowest score first
    args: key<key> member
zrem | sorted-set | 1.2.0 | O(M*log(N)), N = size of the sorted set, M = members given
    summary: Removes members from a sorted set
    args: key<key> *member
zremrangebylex | sorted-set | 2.8.9 | O(log(N)+M), N = size of the sorted set, M = number of members removed
    summary: Removes the members of a sorted set within a lexicographical range
    args: key<key> min max
zremrangebyrank | sorted-set | 2.0.0 | O(log(N)+M), N = size of the sorted set, M = number of members removed
    summary: Removes the members of a sorted set within a rank range
    args: key<key> start<integer> stop<integer>
zremrangebyscore | sorted-set | 1.2.0 | O(log(N)+M), N = size of the sorted set, M = number of members removed
    summary: Removes the members of a sorted set within a score range
    args: key<key> min<double> max<double>
zrevrange | sorted-set | 1.2.0 | O(log(N)+M), N = size of the sorted set, M = number of members returned
    summary: Returns a range of a sorted set by rank, highest score first
    deprecated: 6.2.0 | ZRANGE with REV
    args: key<key> start<integer> stop<integer> ?WITHSCORES
zrevrangebylex | sorted-set | 2.8.9 | O(log(N)+M), N = size of the sorted set, M = number of members returned
    summary: Returns the members of a sorted set within a lexicographical range, in reverse order
    deprecated: 6.2.0 | ZRANGE with REV and BYLEX
    args: key<key> max min ?LIMIT=offset_count(offset<integer> count<integer>)
zrevrangebyscore | sorted-set | 2.2.0 | O(log(N)+M), N = size of the sorted set, M = number of members returned
    summary: Returns the members of a sorted set within a score range, highest first
    deprecated: 6.2.0 | ZRANGE with REV and BYSCORE
    args: key<key> max<double> min<double> ?WITHSCORES ?LIMIT=offset_count(offset<integer> count<integer>)
zrevrank | sorted-set | 2.0.0 | O(log(N)), N = size of the sorted set
    summary: Returns the rank of a member, highest score first
    args: key<key> member
zscan | sorted-set | 2.8.0 | O(1) per call, O(N) for a full iteration, N = size of the sorted set
    summary: Iterates over the members and scores of a sorted set with a cursor
    args: key<key> cursor<integer> ?MATCH=pattern<pattern> ?COUNT=count<integer>
zscore | sorted-set | 1.2.0 | O(1)
    summary: Returns the score of a member of a sorted set
    args: key<key> member
zunion | sorted-set | 6.2.0 | O(N)+O(M*log(M)), N = total size of the inputs, M = size of the result
    summary: Returns the union of sorted sets
    args: numkeys<integer> *key<key> ?*WEIGHTS=weight<integer> ?AGGREGATE=aggregate{SUM | MIN | MAX} ?WITHSCORES
zunionstore | sorted-set | 2.0.0 | O(N)+O(M*log(M)), N = total size of the inputs, M = size of the result
    summary: Stores the union of sorted sets at a key
    args: destination<key> numkeys<integer> *key<key> ?*WEIGHTS=weight<integer>
        ?AGGREGATE=aggregate{SUM | MIN | MAX}
";

#[cfg(test)]
mod tests {
    use super::*;

    /// Redis's command groups.
    const GROUPS: [&str; 18] = [
        "generic",
        "string",
        "list",
        "set",
        "sorted-set",
        "hash",
        "pubsub",
        "transactions",
        "connection",
        "server",
        "scripting",
        "hyperloglog",
        "cluster",
        "sentinel",
        "geo",
        "stream",
        "bitmap",
        "module",
    ];

    #[test]
    fn the_table_documents_exactly_the_commands_we_run() {
        let docs = parse_table(TABLE).unwrap();
        for spec in crate::cmd::all() {
            assert!(
                find(&docs, spec.name).is_some(),
                "no docs for {}",
                spec.name
            );
        }
        for doc in &docs {
            assert!(
                crate::cmd::lookup(doc.name.as_bytes()).is_some(),
                "docs for {}, which we do not run",
                doc.name
            );
            for entry in std::iter::once(doc).chain(&doc.subcommands) {
                assert!(
                    GROUPS.contains(&entry.group),
                    "{}: group {}",
                    entry.name,
                    entry.group
                );
            }
        }
    }

    #[test]
    fn arguments_parse_into_redis_structure() {
        let docs = docs();
        let set = find(docs, "set").unwrap();
        let summary: Vec<String> = set
            .args
            .iter()
            .map(|arg| format!("{}:{}:{:?}", arg.name, arg.kind.as_str(), arg.token))
            .collect();
        assert_eq!(
            summary,
            [
                "key:key:None",
                "value:string:None",
                "condition:oneof:None",
                "get:pure-token:Some(\"GET\")",
                "expiration:oneof:None",
            ]
        );
        assert_eq!(set.args[0].key_spec_index, Some(0));
        assert!(set.args[2].optional && set.args[2].since == Some("2.6.12"));
        let keepttl = &set.args[4].args[4];
        assert_eq!(
            (&*keepttl.name, keepttl.token, keepttl.since),
            ("keepttl", Some("KEEPTTL"), Some("6.0.0"))
        );
        let zadd = find(docs, "zadd").unwrap();
        let change = &zadd.args[3];
        assert_eq!(
            (&*change.name, change.token, change.kind),
            ("change", Some("CH"), Kind::PureToken)
        );
        let pairs = &zadd.args[5];
        assert!(pairs.multiple && pairs.kind == Kind::Block && pairs.args.len() == 2);
        let lmove = find(docs, "lmove").unwrap();
        let keys: Vec<_> = lmove.args.iter().map(|arg| arg.key_spec_index).collect();
        assert_eq!(keys, [Some(0), Some(1), None, None]);
    }

    #[test]
    fn reply_shape_follows_redis() {
        let reply = reply(&[Bytes::from_static(b"GET")]);
        let expected = Frame::Map(vec![(
            Frame::bulk("get"),
            Frame::Map(vec![
                field("summary", Frame::bulk(find(docs(), "get").unwrap().summary)),
                field("since", Frame::bulk("1.0.0")),
                field("group", Frame::bulk("string")),
                field("complexity", Frame::bulk("O(1)")),
                field(
                    "arguments",
                    Frame::Array(vec![Frame::Map(vec![
                        field("name", Frame::bulk("key")),
                        field("type", Frame::bulk("key")),
                        field("key_spec_index", Frame::Integer(0)),
                    ])]),
                ),
            ]),
        )]);
        assert_eq!(reply, expected);
    }

    #[test]
    fn names_are_looked_up_like_redis_does() {
        let names = |reply: Frame| -> Vec<String> {
            let Frame::Map(entries) = reply else {
                panic!("not a map: {reply:?}")
            };
            entries
                .iter()
                .map(|(name, _)| String::from_utf8_lossy(name.as_bytes().unwrap()).into_owned())
                .collect()
        };
        let asked = [
            "Client|LIST",
            "nosuch",
            "get|x",
            "client|nosuch",
            "client|list|x",
            "mget",
        ]
        .map(|name| Bytes::from_static(name.as_bytes()));
        assert_eq!(names(reply(&asked)), ["client|list", "mget"]);
        assert_eq!(names(reply(&[])).len(), crate::cmd::all().len());
    }

    #[test]
    fn malformed_tables_are_reported() {
        for bad in [
            "get | string | 1.0.0\n",
            "get | string | 1.0.0 | O(1)\n    summary: s\n    args: key<nosuchtype>\n",
            "get | string | 1.0.0 | O(1)\n    summary: s\n    args: c{A | B\n",
            "get | string | 1.0.0 | O(1)\n    args: key\n",
            "get|x | string | 1.0.0 | O(1)\n    summary: s\n",
            "get | string | 1.0.0 | O(1)\n    summary: s\n    color: blue\n",
        ] {
            assert!(parse_table(bad).is_err(), "{bad:?} parsed");
        }
    }
}
