//! Sets: read as type 2 (member strings) and 11 (intset); written as 11 when the set is intset-encoded
//! (all members canonical integers), else 2.

use std::io;

use keyspace::Value;
use keyspace::types::set::Set;

use super::{Context, RDB_TYPE_SET, RDB_TYPE_SET_INTSET};
use crate::RdbError;
use crate::input::Input;
use crate::intset;
use crate::length::{read_length, write_length};
use crate::listpack::canonical_int64;
use crate::sink::Sink;
use crate::string::{read_string, write_string};

pub(super) fn read(
    input: &mut Input<'_>,
    context: &Context<'_>,
) -> Result<Option<Value>, RdbError> {
    let mut set = Set::new();
    match context.type_id {
        RDB_TYPE_SET => {
            let len = read_length(input)?;
            for _ in 0..len {
                if !set.insert(&read_string(input)?) {
                    return Err(context.corrupt("duplicate set member"));
                }
            }
        }
        RDB_TYPE_SET_INTSET => {
            let blob = read_string(input)?;
            // The decoder guarantees unique values, so every insert is new.
            for value in intset::decode(&blob).map_err(|reason| context.corrupt(reason))? {
                set.insert(value.to_string().as_bytes());
            }
        }
        _ => unreachable!("dispatched by type id"),
    }
    Ok((!set.is_empty()).then(|| Value::Set(Box::new(set))))
}

/// Writes type 11 for an intset-encoded set whose members are all canonical integers, else type 2.
pub(super) fn write<S: Sink + ?Sized>(out: &mut S, key: &[u8], set: &Set) -> io::Result<()> {
    write_as(out, key, set, set.encoding() == "intset")
}

/// [`write`] with the form chosen by the caller (tests force each one); an intset is written only when
/// every member is a canonical integer, whatever the caller asked.
fn write_as<S: Sink + ?Sized>(out: &mut S, key: &[u8], set: &Set, intset: bool) -> io::Result<()> {
    if intset {
        let values: Option<Vec<i64>> = set.iter().map(|member| canonical_int64(member)).collect();
        if let Some(mut values) = values.filter(|values| !values.is_empty()) {
            out.put(&[RDB_TYPE_SET_INTSET])?;
            write_string(out, key)?;
            return write_string(out, &intset::encode(&mut values));
        }
    }
    out.put(&[RDB_TYPE_SET])?;
    write_string(out, key)?;
    write_length(out, set.len() as u64)?;
    for member in set.iter() {
        write_string(out, member)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::test_support::{blob_entry, read_entry};

    fn set(members: &[&[u8]]) -> Set {
        let mut set = Set::new();
        for member in members {
            set.insert(member);
        }
        set
    }

    fn written(set: &Set, intset: bool) -> Vec<u8> {
        let mut out = Vec::new();
        write_as(&mut out, b"k", set, intset).expect("writing to a Vec cannot fail");
        out
    }

    #[test]
    fn intset_form_is_redis_bytes() {
        let members = set(&[b"300", b"1", b"70000", b"2"]);
        let blob = b"\x04\x00\x00\x00\x04\x00\x00\x00\x01\x00\x00\x00\x02\x00\x00\x00\x2c\x01\x00\x00\x70\x11\x01\x00";
        assert_eq!(
            written(&members, true),
            blob_entry(RDB_TYPE_SET_INTSET, blob)
        );
        assert_eq!(
            read_entry(blob_entry(RDB_TYPE_SET_INTSET, blob).as_slice()),
            Ok((
                RDB_TYPE_SET_INTSET,
                Some(Value::Set(Box::new(members.clone())))
            ))
        );
        assert_eq!(
            read_entry(&written(&members, false)),
            Ok((RDB_TYPE_SET, Some(Value::Set(Box::new(members)))))
        );
    }

    #[test]
    fn non_integer_members_never_go_into_an_intset() {
        for member in [&b"x"[..], b"007", b"-0", b"+1", b"99999999999999999999"] {
            let members = set(&[b"1", member]);
            assert_eq!(written(&members, true)[0], RDB_TYPE_SET);
        }
    }

    #[test]
    fn duplicates_and_empty_sets() {
        let dup = [&[RDB_TYPE_SET, 1, b'k', 2][..], b"\x01a\x01a"].concat();
        assert!(matches!(
            read_entry(&dup),
            Err(RdbError::CorruptValue { .. })
        ));
        assert_eq!(
            read_entry(&[RDB_TYPE_SET, 1, b'k', 0]),
            Ok((RDB_TYPE_SET, None))
        );
        let empty_intset = b"\x02\x00\x00\x00\x00\x00\x00\x00";
        assert!(matches!(
            read_entry(&blob_entry(RDB_TYPE_SET_INTSET, empty_intset)),
            Err(RdbError::CorruptValue { .. })
        ));
    }
}
