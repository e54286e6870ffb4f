//! A node's whole data set as a comparable value, read through ordinary commands (`KEYS`, `TYPE`, `PTTL` and
//! the type's read command; for a stream also `XINFO` and `XPENDING`), so two *different* implementations can
//! be compared: `DEBUG DIGEST` is not comparable between `rserver` and `redis-server`.
//!
//! A TTL is compared by presence only (the remaining milliseconds differ between two reads); tests give keys TTLs
//! long enough that none expires while they run.

use std::collections::BTreeMap;
use std::fmt::{self, Write as _};

use crate::client::Client;
use crate::node::Node;
use resp::Frame;

/// How many commands are pipelined before replies are read (keeps both socket buffers small).
const BATCH: usize = 256;

/// The databases a dump reads (the default `databases 16`).
const DATABASES: u32 = 16;

/// Every key of every database with its value and whether it has a TTL.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Dataset {
    entries: BTreeMap<(u32, Vec<u8>), Entry>,
}

/// One key's content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The value, normalised so that equal contents compare equal (sets and hashes sorted).
    pub value: Value,
    /// Whether `PTTL` reported a TTL.
    pub has_ttl: bool,
}

/// A value as read back; unordered collections are sorted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// `GET`.
    String(Vec<u8>),
    /// `LRANGE 0 -1`.
    List(Vec<Vec<u8>>),
    /// `HGETALL`, sorted by field.
    Hash(Vec<(Vec<u8>, Vec<u8>)>),
    /// `SMEMBERS`, sorted.
    Set(Vec<Vec<u8>>),
    /// `ZRANGE 0 -1 WITHSCORES` (already ordered by score, then member).
    SortedSet(Vec<(Vec<u8>, Vec<u8>)>),
    /// `XRANGE - +`, and the stream's metadata and consumer groups.
    Stream(StreamContent),
}

/// A stream as read back: its entries, its `XINFO STREAM` fields and its consumer groups. Replies other than
/// the entries are kept as readable text, so a difference names the field that differs; idle times are the
/// clock's and left out.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StreamContent {
    /// `XRANGE key - +`: each entry's ID and its fields and values.
    pub entries: Vec<(Vec<u8>, Vec<Vec<u8>>)>,
    /// `XINFO STREAM key` (not `FULL`): each field's name and value (lengths, radix-tree sizes, the last,
    /// first and largest deleted IDs, entries added, the number of groups, the first and last entries).
    pub info: Vec<(String, String)>,
    /// The consumer groups, in `XINFO GROUPS` order.
    pub groups: Vec<StreamGroup>,
}

/// One consumer group of a [`StreamContent`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamGroup {
    /// The group's name.
    pub name: Vec<u8>,
    /// Its `XINFO GROUPS` fields but the name: consumers, pending, last-delivered-id, entries-read, lag.
    pub info: Vec<(String, String)>,
    /// `XPENDING key group`: count, smallest and largest ID, count per consumer.
    pub summary: String,
    /// `XPENDING key group - + <all>`: each pending entry's ID, owner and delivery count.
    pub pending: Vec<(Vec<u8>, Vec<u8>, i64)>,
    /// `XINFO CONSUMERS key group`: each consumer's name and number of pending entries.
    pub consumers: Vec<(Vec<u8>, i64)>,
}

/// The `XINFO GROUPS` fields a Redis 7.0 replica does not keep equal to its master's: a group read without
/// NOACK is propagated as `XCLAIM ... LASTID`, which moves the group but not its read counter (so the
/// replica's `entries-read`, and the `lag` derived from it, differ), and a consumer is created on the replica
/// only once it owns an entry (so `consumers` counts differ). See [`Dataset::without_replica_stream_drift`].
const REPLICA_DRIFT_FIELDS: [&str; 3] = ["entries-read", "lag", "consumers"];

impl StreamContent {
    /// Everything but the entries as readable lines, in a fixed order (for messages).
    pub fn lines(&self) -> Vec<String> {
        let mut lines: Vec<String> = self
            .info
            .iter()
            .map(|(name, value)| format!("{name}: {value}"))
            .collect();
        for group in &self.groups {
            let prefix = format!("group {}", show(&group.name));
            lines.extend(
                group
                    .info
                    .iter()
                    .map(|(name, value)| format!("{prefix} {name}: {value}")),
            );
            lines.push(format!("{prefix} XPENDING: {}", group.summary));
            lines.extend(group.pending.iter().map(|(id, owner, deliveries)| {
                format!(
                    "{prefix} pending {} owned by {} delivered {deliveries}",
                    show(id),
                    show(owner)
                )
            }));
            lines.extend(group.consumers.iter().map(|(name, pending)| {
                format!("{prefix} consumer {} pending {pending}", show(name))
            }));
        }
        lines
    }
}

impl Dataset {
    /// Reads all of `node`'s data; panics on an unexpected reply.
    #[track_caller]
    pub fn dump(node: &Node) -> Dataset {
        let mut client = node.client();
        let mut entries = BTreeMap::new();
        for db in 0..DATABASES {
            expect_ok(client.cmd(&["SELECT", &db.to_string()]), "SELECT");
            let keys = match client.cmd(&["KEYS", "*"]) {
                Frame::Array(keys) => keys.into_iter().map(bytes_of).collect::<Vec<_>>(),
                other => panic!("KEYS * on 127.0.0.1:{}: {other:?}", node.port()),
            };
            for chunk in keys.chunks(BATCH) {
                let kinds = pipeline(&mut client, chunk, |key| {
                    vec![b"TYPE".to_vec(), key.clone()]
                });
                let ttls = pipeline(&mut client, chunk, |key| {
                    vec![b"PTTL".to_vec(), key.clone()]
                });
                let reads: Vec<Vec<u8>> = kinds
                    .iter()
                    .map(|kind| match kind {
                        Frame::Simple(kind) => kind.to_vec(),
                        other => panic!("TYPE answered {other:?}"),
                    })
                    .collect();
                let mut requests = Vec::with_capacity(chunk.len());
                for (key, kind) in chunk.iter().zip(&reads) {
                    requests.push(read_command(kind, key));
                }
                let values = pipeline(&mut client, &requests, Clone::clone);
                for (((key, kind), value), ttl) in chunk.iter().zip(&reads).zip(values).zip(ttls) {
                    let has_ttl = match ttl {
                        Frame::Integer(-1) => false,
                        Frame::Integer(ms) if ms >= 0 => true,
                        // -2: the key vanished between KEYS and PTTL; the tests avoid expiring keys.
                        other => panic!(
                            "PTTL {} in db {db} answered {other:?}",
                            String::from_utf8_lossy(key)
                        ),
                    };
                    let mut value = decode_value(kind, value, key);
                    if let Value::Stream(stream) = &mut value {
                        read_stream_metadata(&mut client, key, stream);
                    }
                    entries.insert((db, key.clone()), Entry { value, has_ttl });
                }
            }
        }
        Dataset { entries }
    }

    /// Number of keys over all databases.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no database has a key.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Every (database, key), in order.
    pub fn keys(&self) -> impl Iterator<Item = (u32, &[u8])> {
        self.entries.keys().map(|(db, key)| (*db, key.as_slice()))
    }

    /// This data set without what a Redis 7.0 replica keeps differently from its master, by design of its
    /// stream propagation: in every stream group, the `entries-read`, `lag` and `consumers` fields of
    /// `XINFO GROUPS` (see [`REPLICA_DRIFT_FIELDS`]), the consumers that own no pending entry (created by a
    /// read that delivered nothing, which is not propagated), and the delivery counts (a read of a consumer's
    /// history counts a delivery on the master only); they become 0.
    pub fn without_replica_stream_drift(mut self) -> Dataset {
        for entry in self.entries.values_mut() {
            if let Value::Stream(stream) = &mut entry.value {
                for group in &mut stream.groups {
                    group
                        .info
                        .retain(|(name, _)| !REPLICA_DRIFT_FIELDS.contains(&name.as_str()));
                    group.consumers.retain(|(_, pending)| *pending > 0);
                    for (_, _, deliveries) in &mut group.pending {
                        *deliveries = 0;
                    }
                }
            }
        }
        self
    }

    /// A readable list of the first differences with `other` (empty if equal).
    pub fn differences(&self, other: &Dataset, limit: usize) -> Vec<String> {
        let mut out = Vec::new();
        let mut push = |line: String| {
            if out.len() < limit {
                out.push(line);
            }
        };
        for (key, entry) in &self.entries {
            match other.entries.get(key) {
                None => push(format!("{} only on the left: {}", show_key(key), entry)),
                Some(theirs) if theirs != entry => push(format!(
                    "{}: {} != {}{}",
                    show_key(key),
                    entry,
                    theirs,
                    first_difference(&entry.value, &theirs.value)
                )),
                Some(_) => {}
            }
        }
        for (key, entry) in &other.entries {
            if !self.entries.contains_key(key) {
                push(format!("{} only on the right: {}", show_key(key), entry));
            }
        }
        out
    }
}

impl fmt::Display for Entry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ttl = if self.has_ttl { " (ttl)" } else { "" };
        match &self.value {
            Value::String(bytes) => write!(f, "string {}{ttl}", show(bytes)),
            Value::List(items) => write!(f, "list of {}{ttl}", items.len()),
            Value::Hash(fields) => write!(f, "hash of {}{ttl}", fields.len()),
            Value::Set(members) => write!(f, "set of {}{ttl}", members.len()),
            Value::SortedSet(members) => write!(f, "zset of {}{ttl}", members.len()),
            Value::Stream(stream) => write!(
                f,
                "stream of {} entries and {} groups{ttl}",
                stream.entries.len(),
                stream.groups.len()
            ),
        }
    }
}

/// Asserts that `left` and `right` hold exactly the same data (keys, values, TTL presence, in every database);
/// on failure names the nodes and lists the first differences. Returns the data set.
#[track_caller]
pub fn assert_same_data(left: &Node, right: &Node, context: &str) -> Dataset {
    let left_data = Dataset::dump(left);
    let right_data = Dataset::dump(right);
    assert_equal_datasets(&left_data, left, &right_data, right, context);
    left_data
}

/// Like [`assert_same_data`] with the left side already dumped.
#[track_caller]
pub fn assert_equal_datasets(
    left_data: &Dataset,
    left: &Node,
    right_data: &Dataset,
    right: &Node,
    context: &str,
) {
    if left_data == right_data {
        return;
    }
    let mut message = format!(
        "{context}: data differs between 127.0.0.1:{} ({} keys, left) and 127.0.0.1:{} ({} keys, right):\n",
        left.port(),
        left_data.len(),
        right.port(),
        right_data.len()
    );
    for line in left_data.differences(right_data, 20) {
        writeln!(message, "  {line}").expect("write to a String");
    }
    panic!("{message}");
}

/// Where two values of a key first differ, as a suffix for a message (empty when only the TTL differs).
fn first_difference(left: &Value, right: &Value) -> String {
    let elements = |value: &Value| -> Vec<Vec<u8>> {
        match value {
            Value::String(bytes) => vec![bytes.clone()],
            Value::List(items) | Value::Set(items) => items.clone(),
            Value::Hash(pairs) | Value::SortedSet(pairs) => pairs
                .iter()
                .flat_map(|(first, second)| [first.clone(), second.clone()])
                .collect(),
            Value::Stream(stream) => stream
                .entries
                .iter()
                .map(|(id, fields)| {
                    let mut line = id.clone();
                    for field in fields {
                        line.push(b' ');
                        line.extend_from_slice(field);
                    }
                    line
                })
                .chain(stream.lines().into_iter().map(String::into_bytes))
                .collect(),
        }
    };
    let (left, right) = (elements(left), elements(right));
    let Some(index) = (0..left.len().max(right.len())).find(|&i| left.get(i) != right.get(i))
    else {
        return String::new();
    };
    let shown =
        |element: Option<&Vec<u8>>| element.map_or("(none)".to_owned(), |bytes| show(bytes));
    format!(
        " (first difference at element {index}: {} != {})",
        shown(left.get(index)),
        shown(right.get(index))
    )
}

/// Sends one command per item, then reads all replies, in order.
fn pipeline<T>(
    client: &mut Client,
    items: &[T],
    command: impl Fn(&T) -> Vec<Vec<u8>>,
) -> Vec<Frame> {
    for item in items {
        client
            .send(&command(item))
            .unwrap_or_else(|error| panic!("pipelined send: {error}"));
    }
    items
        .iter()
        .map(|_| {
            client
                .read_reply()
                .unwrap_or_else(|error| panic!("pipelined reply: {error}"))
        })
        .collect()
}

fn read_command(kind: &[u8], key: &[u8]) -> Vec<Vec<u8>> {
    let words: &[&str] = match kind {
        b"string" => &["GET"],
        b"list" => &["LRANGE"],
        b"hash" => &["HGETALL"],
        b"set" => &["SMEMBERS"],
        b"zset" => &["ZRANGE"],
        b"stream" => &["XRANGE"],
        other => panic!(
            "key {} has type {} that the dump cannot read",
            show(key),
            show(other)
        ),
    };
    let mut command: Vec<Vec<u8>> = vec![words[0].as_bytes().to_vec(), key.to_vec()];
    match kind {
        b"list" => command.extend([b"0".to_vec(), b"-1".to_vec()]),
        b"zset" => command.extend([b"0".to_vec(), b"-1".to_vec(), b"WITHSCORES".to_vec()]),
        b"stream" => command.extend([b"-".to_vec(), b"+".to_vec()]),
        _ => {}
    }
    command
}

fn decode_value(kind: &[u8], reply: Frame, key: &[u8]) -> Value {
    let fail = |reply: &Frame| -> ! {
        panic!(
            "reading {} key {}: unexpected reply {reply:?}",
            show(kind),
            show(key)
        )
    };
    match (kind, reply) {
        (b"string", Frame::Bulk(value)) => Value::String(value.to_vec()),
        (b"list", Frame::Array(items)) => Value::List(items.into_iter().map(bytes_of).collect()),
        (b"set", Frame::Array(items)) => {
            let mut members: Vec<Vec<u8>> = items.into_iter().map(bytes_of).collect();
            members.sort();
            Value::Set(members)
        }
        (b"hash", Frame::Array(items)) => {
            let mut fields = pairs(items);
            fields.sort();
            Value::Hash(fields)
        }
        (b"hash" | b"zset", Frame::Map(pairs)) => {
            let mut fields: Vec<(Vec<u8>, Vec<u8>)> = pairs
                .into_iter()
                .map(|(field, value)| (bytes_of(field), bytes_of(value)))
                .collect();
            if kind == b"hash" {
                fields.sort();
                Value::Hash(fields)
            } else {
                Value::SortedSet(fields)
            }
        }
        (b"zset", Frame::Array(items)) => Value::SortedSet(pairs(items)),
        (b"stream", Frame::Array(items)) => {
            let entries = items
                .into_iter()
                .map(|item| match item {
                    Frame::Array(parts) if parts.len() == 2 => {
                        let mut parts = parts.into_iter();
                        let id = bytes_of(parts.next().expect("two parts"));
                        let fields = match parts.next().expect("two parts") {
                            Frame::Array(fields) => fields.into_iter().map(bytes_of).collect(),
                            other => fail(&other),
                        };
                        (id, fields)
                    }
                    other => fail(&other),
                })
                .collect();
            Value::Stream(StreamContent {
                entries,
                ..StreamContent::default()
            })
        }
        (_, reply) => fail(&reply),
    }
}

/// Reads what `XRANGE` does not show of the stream at `key` into `stream` (see [`StreamContent`]), on
/// `client` in the database it has selected.
fn read_stream_metadata(client: &mut Client, key: &[u8], stream: &mut StreamContent) {
    let mut ask = |args: &[&[u8]]| client.cmd(args);
    stream.info = named_fields(ask(&[b"XINFO", b"STREAM", key]), "XINFO STREAM")
        .into_iter()
        .map(|(name, value)| (String::from_utf8_lossy(&name).into_owned(), render(&value)))
        .collect();
    for fields in named_fields_list(ask(&[b"XINFO", b"GROUPS", key]), "XINFO GROUPS") {
        let mut name = None;
        let mut info = Vec::new();
        for (field, value) in fields {
            if field == b"name" {
                name = Some(bytes_of(value));
            } else {
                info.push((String::from_utf8_lossy(&field).into_owned(), render(&value)));
            }
        }
        let name =
            name.unwrap_or_else(|| panic!("XINFO GROUPS {}: a group without a name", show(key)));
        let summary = render(&ask(&[b"XPENDING", key, &name]));
        // Every pending entry: [id, consumer, idle ms (the clock's, left out), delivery count].
        let pending = match ask(&[b"XPENDING", key, &name, b"-", b"+", b"1000000"]) {
            Frame::Array(entries) => entries
                .into_iter()
                .map(|entry| match entry {
                    Frame::Array(parts) => match <[Frame; 4]>::try_from(parts) {
                        Ok([id, owner, _idle, Frame::Integer(deliveries)]) => {
                            (bytes_of(id), bytes_of(owner), deliveries)
                        }
                        Ok(parts) => panic!("XPENDING {} entry: {parts:?}", show(key)),
                        Err(parts) => panic!("XPENDING {} entry: {parts:?}", show(key)),
                    },
                    other => panic!("XPENDING {} entry: {other:?}", show(key)),
                })
                .collect(),
            other => panic!("XPENDING {} - +: {other:?}", show(key)),
        };
        let consumers = named_fields_list(
            ask(&[b"XINFO", b"CONSUMERS", key, &name]),
            "XINFO CONSUMERS",
        )
        .into_iter()
        .map(|consumer| {
            let field = |wanted: &[u8]| {
                consumer
                    .iter()
                    .find(|(field, _)| field == wanted)
                    .map(|(_, value)| value.clone())
            };
            match (field(b"name"), field(b"pending")) {
                (Some(name), Some(Frame::Integer(pending))) => (bytes_of(name), pending),
                _ => panic!("XINFO CONSUMERS {}: {consumer:?}", show(key)),
            }
        })
        .collect();
        stream.groups.push(StreamGroup {
            name,
            info,
            summary,
            pending,
            consumers,
        });
    }
}

/// The (name, value) pairs of a map reply: a RESP3 map, or a RESP2 flat array of names and values.
fn named_fields(reply: Frame, what: &str) -> Vec<(Vec<u8>, Frame)> {
    match reply {
        Frame::Map(pairs) => pairs
            .into_iter()
            .map(|(name, value)| (bytes_of(name), value))
            .collect(),
        Frame::Array(items) if items.len() % 2 == 0 => {
            let mut items = items.into_iter();
            let mut pairs = Vec::new();
            while let (Some(name), Some(value)) = (items.next(), items.next()) {
                pairs.push((bytes_of(name), value));
            }
            pairs
        }
        other => panic!("{what}: expected a map, got {other:?}"),
    }
}

/// The maps of an array-of-maps reply (`XINFO GROUPS`, `XINFO CONSUMERS`).
fn named_fields_list(reply: Frame, what: &str) -> Vec<Vec<(Vec<u8>, Frame)>> {
    match reply {
        Frame::Array(maps) => maps
            .into_iter()
            .map(|map| named_fields(map, what))
            .collect(),
        other => panic!("{what}: expected an array, got {other:?}"),
    }
}

/// Any reply as one readable line: strings quoted and escaped, arrays in brackets, nulls as `nil`.
fn render(frame: &Frame) -> String {
    match frame {
        Frame::Bulk(bytes) | Frame::Simple(bytes) => show(bytes),
        Frame::Integer(value) => value.to_string(),
        Frame::Array(items) => {
            let items: Vec<String> = items.iter().map(render).collect();
            format!("[{}]", items.join(" "))
        }
        Frame::Map(pairs) => {
            let pairs: Vec<String> = pairs
                .iter()
                .map(|(name, value)| format!("{}={}", render(name), render(value)))
                .collect();
            format!("{{{}}}", pairs.join(" "))
        }
        Frame::Null => "nil".to_owned(),
        Frame::NullArray => "nil-array".to_owned(),
        other => format!("{other:?}"),
    }
}

fn pairs(items: Vec<Frame>) -> Vec<(Vec<u8>, Vec<u8>)> {
    let flat: Vec<Vec<u8>> = items.into_iter().map(bytes_of).collect();
    flat.chunks(2)
        .map(|pair| (pair[0].clone(), pair.get(1).cloned().unwrap_or_default()))
        .collect()
}

fn bytes_of(frame: Frame) -> Vec<u8> {
    match frame {
        Frame::Bulk(bytes) | Frame::Simple(bytes) => bytes.to_vec(),
        Frame::Integer(value) => value.to_string().into_bytes(),
        other => panic!("expected a string reply, got {other:?}"),
    }
}

fn expect_ok(reply: Frame, what: &str) {
    assert_eq!(reply, Frame::ok(), "{what}");
}

fn show_key((db, key): &(u32, Vec<u8>)) -> String {
    format!("db{db} {}", show(key))
}

/// Bytes for a message: escaped, and cut after 60 bytes with the full length.
fn show(bytes: &[u8]) -> String {
    let shown: String = bytes
        .iter()
        .take(60)
        .flat_map(|byte| std::ascii::escape_default(*byte))
        .map(char::from)
        .collect();
    if bytes.len() > 60 {
        format!("\"{shown}\"... ({} bytes)", bytes.len())
    } else {
        format!("\"{shown}\"")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One stream key `x` with group `g`: entry 1-1 pending for `c1` with `deliveries`, `entries-read` as
    /// given, and maybe a consumer `c2` that owns nothing.
    fn one_stream(
        entries_read: &str,
        idle_consumer: bool,
        deliveries: i64,
        owner: &[u8],
    ) -> Dataset {
        let mut consumers = vec![(b"c1".to_vec(), 1)];
        if idle_consumer {
            consumers.push((b"c2".to_vec(), 0));
        }
        let group = StreamGroup {
            name: b"g".to_vec(),
            info: vec![
                ("consumers".to_owned(), consumers.len().to_string()),
                ("pending".to_owned(), "1".to_owned()),
                ("entries-read".to_owned(), entries_read.to_owned()),
                ("lag".to_owned(), "0".to_owned()),
            ],
            summary: "[1 \"1-1\" \"1-1\" [[\"c1\" \"1\"]]]".to_owned(),
            pending: vec![(b"1-1".to_vec(), owner.to_vec(), deliveries)],
            consumers,
        };
        let value = Value::Stream(StreamContent {
            entries: vec![(b"1-1".to_vec(), vec![b"f".to_vec(), b"v".to_vec()])],
            info: vec![("length".to_owned(), "1".to_owned())],
            groups: vec![group],
        });
        let mut entries = BTreeMap::new();
        entries.insert(
            (0, b"x".to_vec()),
            Entry {
                value,
                has_ttl: false,
            },
        );
        Dataset { entries }
    }

    #[test]
    fn replica_drift_leaves_out_only_what_redis_does_not_replicate() {
        let master = one_stream("1", true, 2, b"c1");
        let replica = one_stream("nil", false, 1, b"c1");
        assert_ne!(master, replica);
        assert!(!master.differences(&replica, 10).is_empty());
        assert_eq!(
            master.clone().without_replica_stream_drift(),
            replica.without_replica_stream_drift()
        );
        // Who owns a pending entry is replicated: it still counts.
        let other_owner = one_stream("1", true, 2, b"c2");
        assert_ne!(
            master.without_replica_stream_drift(),
            other_owner.without_replica_stream_drift()
        );
    }

    #[test]
    fn stream_lines_name_each_field() {
        let Value::Stream(stream) =
            &one_stream("1", true, 2, b"c1").entries[&(0, b"x".to_vec())].value
        else {
            unreachable!("built as a stream")
        };
        let lines = stream.lines();
        assert!(lines.contains(&"length: 1".to_owned()), "{lines:?}");
        assert!(
            lines.contains(&"group \"g\" entries-read: 1".to_owned()),
            "{lines:?}"
        );
        assert!(
            lines.contains(&"group \"g\" pending \"1-1\" owned by \"c1\" delivered 2".to_owned()),
            "{lines:?}"
        );
    }
}
