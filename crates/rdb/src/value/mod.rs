//! Value types: the type byte of each [`Value`] and the dispatch to one module per Redis type.
//!
//! Writers pick the RDB type from the value's `encoding()`, the form Redis 7.0 would have in memory, so a
//! loaded file keeps Redis's encoding decisions. Readers accept every type id Redis 7.0 loads except modules,
//! and return `None` for an empty collection, which Redis skips with a warning (not for an empty stream,
//! which Redis keeps).

mod hash;
mod list;
mod set;
mod stream;
mod string;
mod zset;

use std::io;

use keyspace::Value;

use crate::RdbError;
use crate::input::Input;
use crate::sink::Sink;
use crate::string::write_string;

/// Type ids from Redis's `rdb.h`.
pub(crate) const RDB_TYPE_STRING: u8 = 0;
const RDB_TYPE_LIST: u8 = 1;
const RDB_TYPE_SET: u8 = 2;
const RDB_TYPE_ZSET: u8 = 3;
const RDB_TYPE_HASH: u8 = 4;
const RDB_TYPE_ZSET_2: u8 = 5;
const RDB_TYPE_MODULE: u8 = 6;
const RDB_TYPE_MODULE_2: u8 = 7;
const RDB_TYPE_HASH_ZIPMAP: u8 = 9;
const RDB_TYPE_LIST_ZIPLIST: u8 = 10;
const RDB_TYPE_SET_INTSET: u8 = 11;
const RDB_TYPE_ZSET_ZIPLIST: u8 = 12;
const RDB_TYPE_HASH_ZIPLIST: u8 = 13;
const RDB_TYPE_LIST_QUICKLIST: u8 = 14;
const RDB_TYPE_STREAM_LISTPACKS: u8 = 15;
const RDB_TYPE_HASH_LISTPACK: u8 = 16;
const RDB_TYPE_ZSET_LISTPACK: u8 = 17;
const RDB_TYPE_LIST_QUICKLIST_2: u8 = 18;
const RDB_TYPE_STREAM_LISTPACKS_2: u8 = 19;

/// Whether `byte` is a value type id Redis 7.0 defines (0..=19; 8 was never used).
pub(crate) fn is_value_type(byte: u8) -> bool {
    matches!(byte, 0..=7 | 9..=19)
}

/// Redis's name for a type id (`RDB_TYPE_*` without the prefix), for error messages.
fn type_name(type_id: u8) -> &'static str {
    match type_id {
        RDB_TYPE_STRING => "STRING",
        RDB_TYPE_LIST => "LIST",
        RDB_TYPE_SET => "SET",
        RDB_TYPE_ZSET => "ZSET",
        RDB_TYPE_HASH => "HASH",
        RDB_TYPE_ZSET_2 => "ZSET_2",
        RDB_TYPE_MODULE => "MODULE",
        RDB_TYPE_MODULE_2 => "MODULE_2",
        RDB_TYPE_HASH_ZIPMAP => "HASH_ZIPMAP",
        RDB_TYPE_LIST_ZIPLIST => "LIST_ZIPLIST",
        RDB_TYPE_SET_INTSET => "SET_INTSET",
        RDB_TYPE_ZSET_ZIPLIST => "ZSET_ZIPLIST",
        RDB_TYPE_HASH_ZIPLIST => "HASH_ZIPLIST",
        RDB_TYPE_LIST_QUICKLIST => "LIST_QUICKLIST",
        RDB_TYPE_STREAM_LISTPACKS => "STREAM_LISTPACKS",
        RDB_TYPE_HASH_LISTPACK => "HASH_LISTPACK",
        RDB_TYPE_ZSET_LISTPACK => "ZSET_LISTPACK",
        RDB_TYPE_LIST_QUICKLIST_2 => "LIST_QUICKLIST_2",
        RDB_TYPE_STREAM_LISTPACKS_2 => "STREAM_LISTPACKS_2",
        _ => "unknown",
    }
}

/// Writes the part of an entry after its expiry: type byte, key, value.
pub(crate) fn write_typed_entry<S: Sink + ?Sized>(
    out: &mut S,
    key: &[u8],
    value: &Value,
) -> io::Result<()> {
    match value {
        Value::String(bytes) => {
            out.put(&[RDB_TYPE_STRING])?;
            write_string(out, key)?;
            string::write(out, bytes)
        }
        Value::List(list) => list::write(out, key, list),
        Value::Hash(hash) => hash::write(out, key, hash),
        Value::Set(set) => set::write(out, key, set),
        Value::ZSet(zset) => zset::write(out, key, zset),
        Value::Stream(s) => stream::write(out, key, s),
    }
}

/// Reads the value of an entry of type `type_id`; `key` is only for error messages. `None` means an
/// empty collection, which the caller skips.
pub(crate) fn read_value(
    input: &mut Input<'_>,
    type_id: u8,
    key: &[u8],
) -> Result<Option<Value>, RdbError> {
    let context = Context { type_id, key };
    match type_id {
        RDB_TYPE_STRING => string::read(input).map(Some),
        RDB_TYPE_LIST
        | RDB_TYPE_LIST_ZIPLIST
        | RDB_TYPE_LIST_QUICKLIST
        | RDB_TYPE_LIST_QUICKLIST_2 => list::read(input, &context),
        RDB_TYPE_SET | RDB_TYPE_SET_INTSET => set::read(input, &context),
        RDB_TYPE_ZSET | RDB_TYPE_ZSET_2 | RDB_TYPE_ZSET_ZIPLIST | RDB_TYPE_ZSET_LISTPACK => {
            zset::read(input, &context)
        }
        RDB_TYPE_HASH | RDB_TYPE_HASH_ZIPMAP | RDB_TYPE_HASH_ZIPLIST | RDB_TYPE_HASH_LISTPACK => {
            hash::read(input, &context)
        }
        RDB_TYPE_STREAM_LISTPACKS | RDB_TYPE_STREAM_LISTPACKS_2 => stream::read(input, &context),
        _ => Err(RdbError::UnsupportedValueType {
            type_id,
            type_name: type_name(type_id),
            key: lossy(key),
        }),
    }
}

/// The entry being read, so the type modules can say which key is corrupt.
struct Context<'k> {
    type_id: u8,
    key: &'k [u8],
}

impl Context<'_> {
    fn corrupt(&self, reason: &'static str) -> RdbError {
        RdbError::CorruptValue {
            type_name: type_name(self.type_id),
            key: lossy(self.key),
            reason,
        }
    }
}

/// Capacity to reserve for `count` items announced by the file: never more than the bytes left, since
/// every item takes at least one, so a hostile count cannot make us allocate beyond the input's size.
fn bounded_capacity(count: u64, input: &Input<'_>) -> usize {
    usize::try_from(count).map_or(input.remaining(), |count| count.min(input.remaining()))
}

fn lossy(key: &[u8]) -> String {
    String::from_utf8_lossy(key).into_owned()
}

/// Helpers for the type modules' tests.
#[cfg(test)]
pub(crate) mod test_support {
    use super::*;
    use crate::string::read_bytes;

    /// Reads back one entry written by a writer: type byte, key, value; checks nothing is left over.
    pub(crate) fn read_entry(bytes: &[u8]) -> Result<(u8, Option<Value>), RdbError> {
        let mut input = Input::new(bytes);
        let type_id = input.read_u8()?;
        let key = read_bytes(&mut input)?;
        let value = read_value(&mut input, type_id, &key)?;
        assert_eq!(input.remaining(), 0, "entry {bytes:02x?} left bytes over");
        Ok((type_id, value))
    }

    /// An entry of `type_id` for key `k` whose value is one string holding `blob`.
    pub(crate) fn blob_entry(type_id: u8, blob: &[u8]) -> Vec<u8> {
        let mut entry = vec![type_id, 1, b'k'];
        crate::length::write_length(&mut entry, blob.len() as u64).expect("Vec");
        entry.extend_from_slice(blob);
        entry
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_type_ids() {
        assert!(is_value_type(0));
        assert!(is_value_type(19));
        assert!(!is_value_type(8));
        assert!(!is_value_type(20));
    }

    #[test]
    fn string_entry_round_trips() {
        let value = Value::String(keyspace::CompactBytes::from_slice(b"bar"));
        let mut out = Vec::new();
        write_typed_entry(&mut out, b"foo", &value).expect("writing to a Vec cannot fail");
        assert_eq!(out, b"\x00\x03foo\x03bar");
        let mut input = Input::new(&out[5..]);
        assert_eq!(read_value(&mut input, out[0], b"foo"), Ok(Some(value)));
    }

    #[test]
    fn modules_are_refused_by_name_and_key() {
        for (type_id, name) in [(6, "MODULE"), (7, "MODULE_2")] {
            let error =
                read_value(&mut Input::new(&[]), type_id, b"st").expect_err("unsupported type");
            assert_eq!(
                error.to_string(),
                format!("cannot load key \"st\": value type {type_id} ({name}) is not supported")
            );
        }
    }
}
