//! Hashes: read as type 4 (field/value strings), 9 (zipmap), 13 (ziplist) and 16 (listpack); written as
//! 16 when the hash is listpack-encoded, else 4.

use std::io;

use keyspace::Value;
use keyspace::types::hash::Hash;

use super::{
    Context, RDB_TYPE_HASH, RDB_TYPE_HASH_LISTPACK, RDB_TYPE_HASH_ZIPLIST, RDB_TYPE_HASH_ZIPMAP,
};
use crate::RdbError;
use crate::input::Input;
use crate::length::{read_length, write_length};
use crate::listpack::{self, Element};
use crate::sink::Sink;
use crate::string::{read_string, write_string};
use crate::{ziplist, zipmap};

const DUPLICATE: &str = "duplicate hash field";

pub(super) fn read(
    input: &mut Input<'_>,
    context: &Context<'_>,
) -> Result<Option<Value>, RdbError> {
    let mut hash = Hash::new();
    let mut insert = |field: &[u8], value: &[u8]| match hash.insert(field, value) {
        Some(_) => Err(context.corrupt(DUPLICATE)),
        None => Ok(()),
    };
    match context.type_id {
        RDB_TYPE_HASH => {
            let len = read_length(input)?;
            for _ in 0..len {
                let field = read_string(input)?;
                let value = read_string(input)?;
                insert(&field, &value)?;
            }
        }
        RDB_TYPE_HASH_ZIPMAP => {
            let blob = read_string(input)?;
            let pairs = zipmap::decode(&blob).map_err(|reason| context.corrupt(reason))?;
            for (field, value) in pairs {
                insert(field, value)?;
            }
        }
        RDB_TYPE_HASH_ZIPLIST | RDB_TYPE_HASH_LISTPACK => {
            let blob = read_string(input)?;
            let elements = if context.type_id == RDB_TYPE_HASH_LISTPACK {
                listpack::decode(&blob)
            } else {
                ziplist::decode(&blob)
            }
            .map_err(|reason| context.corrupt(reason))?;
            for (field, value) in pairs(&elements).map_err(|reason| context.corrupt(reason))? {
                insert(&field.to_bytes(), &value.to_bytes())?;
            }
        }
        _ => unreachable!("dispatched by type id"),
    }
    Ok((!hash.is_empty()).then(|| Value::Hash(Box::new(hash))))
}

/// Splits a flat field, value, field, value… sequence into pairs; an odd count is corrupt.
pub(super) fn pairs<'e, 'a>(
    elements: &'e [Element<'a>],
) -> Result<impl Iterator<Item = (Element<'a>, Element<'a>)> + 'e, &'static str> {
    if !elements.len().is_multiple_of(2) {
        return Err("odd number of elements where pairs were expected");
    }
    Ok(elements.chunks_exact(2).map(|pair| (pair[0], pair[1])))
}

/// Writes type 16 (a listpack of field, value, …) for a listpack-encoded hash, else type 4.
pub(super) fn write<S: Sink + ?Sized>(out: &mut S, key: &[u8], hash: &Hash) -> io::Result<()> {
    write_as(
        out,
        key,
        hash,
        hash.encoding() == "listpack" && fits_listpack(hash),
    )
}

/// [`write`] with the form chosen by the caller (tests force each one).
fn write_as<S: Sink + ?Sized>(
    out: &mut S,
    key: &[u8],
    hash: &Hash,
    listpack: bool,
) -> io::Result<()> {
    if listpack {
        out.put(&[RDB_TYPE_HASH_LISTPACK])?;
        write_string(out, key)?;
        let mut builder = listpack::Builder::new();
        for (field, value) in hash.iter() {
            builder.push(field);
            builder.push(value);
        }
        return write_string(out, builder.finish());
    }
    out.put(&[RDB_TYPE_HASH])?;
    write_string(out, key)?;
    write_length(out, hash.len() as u64)?;
    for (field, value) in hash.iter() {
        write_string(out, field)?;
        write_string(out, value)?;
    }
    Ok(())
}

/// Whether the listpack stays under Redis's 1 GB safety limit (never an issue at Redis's default limits,
/// but the encoding is another module's decision).
fn fits_listpack(hash: &Hash) -> bool {
    let mut size = 7;
    for (field, value) in hash.iter() {
        size += listpack::entry_size(field) + listpack::entry_size(value);
        if size > listpack::MAX_SAFE_SIZE {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::test_support::{blob_entry, read_entry};

    fn hash(pairs: &[(&[u8], &[u8])]) -> Hash {
        let mut hash = Hash::new();
        for (field, value) in pairs {
            hash.insert(field, value);
        }
        hash
    }

    fn written(hash: &Hash, listpack: bool) -> Vec<u8> {
        let mut out = Vec::new();
        write_as(&mut out, b"k", hash, listpack).expect("writing to a Vec cannot fail");
        out
    }

    #[test]
    fn listpack_form_is_redis_bytes() {
        // `HSET h:lp f1 v1 f2 2` as Redis 7.0.15 saved it.
        let hash = hash(&[(b"f1", b"v1"), (b"f2", b"2")]);
        let lp = b"\x15\x00\x00\x00\x04\x00\x82f1\x03\x82v1\x03\x82f2\x03\x02\x01\xff";
        assert_eq!(written(&hash, true), blob_entry(RDB_TYPE_HASH_LISTPACK, lp));
        assert_eq!(
            read_entry(&written(&hash, true)),
            Ok((
                RDB_TYPE_HASH_LISTPACK,
                Some(Value::Hash(Box::new(hash.clone())))
            ))
        );
        assert_eq!(
            read_entry(&written(&hash, false)),
            Ok((RDB_TYPE_HASH, Some(Value::Hash(Box::new(hash)))))
        );
    }

    #[test]
    fn ziplist_and_zipmap_forms_load() {
        // Ziplist ["f", 7]: entries 00 01 'f' and 03 f8 (immediate 7).
        let zl = b"\x10\x00\x00\x00\x0d\x00\x00\x00\x02\x00\x00\x01f\x03\xf8\xff";
        let expected = Some(Value::Hash(Box::new(hash(&[(b"f", b"7")]))));
        assert_eq!(
            read_entry(&blob_entry(RDB_TYPE_HASH_ZIPLIST, zl)),
            Ok((RDB_TYPE_HASH_ZIPLIST, expected.clone()))
        );
        let zm = b"\x01\x01f\x01\x02\x37\x00\x00\xff";
        assert_eq!(
            read_entry(&blob_entry(RDB_TYPE_HASH_ZIPMAP, zm)),
            Ok((RDB_TYPE_HASH_ZIPMAP, expected))
        );
    }

    #[test]
    fn duplicates_odd_counts_and_empty_hashes() {
        let dup = [&[RDB_TYPE_HASH, 1, b'k', 2][..], b"\x01f\x01a\x01f\x01b"].concat();
        assert!(matches!(
            read_entry(&dup),
            Err(RdbError::CorruptValue {
                reason: DUPLICATE,
                ..
            })
        ));
        let odd = b"\x0a\x00\x00\x00\x01\x00\x81f\x02\xff";
        assert!(matches!(
            read_entry(&blob_entry(RDB_TYPE_HASH_LISTPACK, odd)),
            Err(RdbError::CorruptValue { .. })
        ));
        let empty = b"\x07\x00\x00\x00\x00\x00\xff";
        assert_eq!(
            read_entry(&blob_entry(RDB_TYPE_HASH_LISTPACK, empty)),
            Ok((RDB_TYPE_HASH_LISTPACK, None))
        );
        assert_eq!(
            read_entry(&[RDB_TYPE_HASH, 1, b'k', 0]),
            Ok((RDB_TYPE_HASH, None))
        );
    }
}
