//! Value types: the type byte of each [`Value`] and the dispatch to one module per type.
//!
//! Adding a type means adding its module, an arm in [`write_value`] and an arm in [`read_value`].

mod string;

use std::io;

use keyspace::Value;

use crate::RdbError;
use crate::input::Input;
use crate::sink::Sink;
use crate::string::write_string;

/// Type ids from Redis's `rdb.h`, the ones this crate knows how to read.
const RDB_TYPE_STRING: u8 = 0;

/// Whether `byte` is a value type id Redis 7.0 defines (0..=19; 8 was never used).
pub(crate) fn is_value_type(byte: u8) -> bool {
    matches!(byte, 0..=7 | 9..=19)
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
        // The collection types get their writers with their commands (issue 3).
        Value::List(_) | Value::Hash(_) | Value::Set(_) | Value::ZSet(_) => Err(io::Error::new(
            io::ErrorKind::Unsupported,
            format!(
                "cannot save a value of type {} to RDB yet",
                value.type_name()
            ),
        )),
    }
}

/// Reads the value of an entry of type `type_id`; `key` is only for error messages.
pub(crate) fn read_value(
    input: &mut Input<'_>,
    type_id: u8,
    key: &[u8],
) -> Result<Value, RdbError> {
    match type_id {
        RDB_TYPE_STRING => string::read(input),
        _ => Err(RdbError::UnsupportedValueType {
            type_id,
            key: String::from_utf8_lossy(key).into_owned(),
        }),
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
        let value = Value::String(bytes::Bytes::from("bar"));
        let mut out = Vec::new();
        write_typed_entry(&mut out, b"foo", &value).expect("writing to a Vec cannot fail");
        assert_eq!(out, b"\x00\x03foo\x03bar");
        let mut input = Input::new(&out[5..]);
        assert_eq!(read_value(&mut input, out[0], b"foo"), Ok(value));
    }

    #[test]
    fn other_types_are_reported_with_their_key() {
        let error =
            read_value(&mut Input::new(&[]), 4, b"h:ht").expect_err("type 4 is not supported yet");
        assert_eq!(
            error.to_string(),
            "unsupported value type 4 for key \"h:ht\""
        );
    }
}
