//! A node's whole data set as a comparable value, read through ordinary commands (`KEYS`, `TYPE`, `PTTL` and
//! the type's read command), so two *different* implementations can be compared: `DEBUG DIGEST` is not
//! comparable between `rserver` and `redis-server`.
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
                    let value = decode_value(kind, value, key);
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
        (_, reply) => fail(&reply),
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
