//! Sorted sets: read as type 3 (text scores), 5 (binary scores), 12 (ziplist) and 17 (listpack); written
//! as 17 when the set is listpack-encoded, else 5 with the highest score first, as Redis 7.0 does.

use std::io;

use bytes::Bytes;
use keyspace::Value;
use keyspace::types::zset::ZSet;

use super::hash::pairs;
use super::{
    Context, RDB_TYPE_ZSET, RDB_TYPE_ZSET_2, RDB_TYPE_ZSET_LISTPACK, RDB_TYPE_ZSET_ZIPLIST,
};
use crate::RdbError;
use crate::double;
use crate::input::Input;
use crate::length::{read_length, write_length};
use crate::listpack::{self, Element};
use crate::sink::Sink;
use crate::string::{read_bytes, read_string, write_string};
use crate::ziplist;

/// Length bytes of a type-3 text score that stand for a special value instead of a length.
const TEXT_NAN: u8 = 253;
const TEXT_POS_INF: u8 = 254;
const TEXT_NEG_INF: u8 = 255;

/// Generous bound on a listpack score entry (a 9-byte integer or `%.17g` text, plus backlen).
const MAX_SCORE_ENTRY: usize = 32;

pub(super) fn read(
    input: &mut Input<'_>,
    context: &Context<'_>,
) -> Result<Option<Value>, RdbError> {
    let mut zset = ZSet::new();
    let mut insert = |member: Bytes, score: f64| {
        if score.is_nan() {
            return Err(context.corrupt("NaN score"));
        }
        if !zset.insert(member, score) {
            return Err(context.corrupt("duplicate sorted set member"));
        }
        Ok(())
    };
    match context.type_id {
        RDB_TYPE_ZSET | RDB_TYPE_ZSET_2 => {
            let len = read_length(input)?;
            for _ in 0..len {
                let member = read_bytes(input)?;
                let score = if context.type_id == RDB_TYPE_ZSET_2 {
                    f64::from_le_bytes(input.read_array()?)
                } else {
                    read_text_score(input, context)?
                };
                insert(member, score)?;
            }
        }
        RDB_TYPE_ZSET_ZIPLIST | RDB_TYPE_ZSET_LISTPACK => {
            let blob = read_string(input)?;
            let elements = if context.type_id == RDB_TYPE_ZSET_LISTPACK {
                listpack::decode(&blob)
            } else {
                ziplist::decode(&blob)
            }
            .map_err(|reason| context.corrupt(reason))?;
            for (member, score) in pairs(&elements).map_err(|reason| context.corrupt(reason))? {
                let score = match score {
                    Element::Int(value) => value as f64,
                    Element::Str(text) => {
                        double::parse(text).map_err(|reason| context.corrupt(reason))?
                    }
                };
                insert(member.to_bytes(), score)?;
            }
        }
        _ => unreachable!("dispatched by type id"),
    }
    Ok((!zset.is_empty()).then(|| Value::ZSet(Box::new(zset))))
}

/// A type-3 score: one length byte and that much text, or a special length byte for NaN and ±inf.
fn read_text_score(input: &mut Input<'_>, context: &Context<'_>) -> Result<f64, RdbError> {
    match input.read_u8()? {
        TEXT_NAN => Err(context.corrupt("NaN score")),
        TEXT_POS_INF => Ok(f64::INFINITY),
        TEXT_NEG_INF => Ok(f64::NEG_INFINITY),
        len => {
            let text = input.read_slice(u64::from(len))?;
            double::parse(text).map_err(|reason| context.corrupt(reason))
        }
    }
}

/// Writes type 17 (member, score, … by ascending score) for a listpack-encoded sorted set, else type 5.
pub(super) fn write<S: Sink + ?Sized>(out: &mut S, key: &[u8], zset: &ZSet) -> io::Result<()> {
    write_as(
        out,
        key,
        zset,
        zset.encoding() == "listpack" && fits_listpack(zset),
    )
}

/// [`write`] with the form chosen by the caller (tests force each one).
fn write_as<S: Sink + ?Sized>(
    out: &mut S,
    key: &[u8],
    zset: &ZSet,
    listpack: bool,
) -> io::Result<()> {
    if listpack {
        out.put(&[RDB_TYPE_ZSET_LISTPACK])?;
        write_string(out, key)?;
        let mut builder = listpack::Builder::new();
        for (member, score) in zset.iter() {
            builder.push(member);
            match double::as_integer(score) {
                Some(integer) => builder.push_int(integer),
                None => builder.push(double::to_text(score).as_bytes()),
            }
        }
        return write_string(out, builder.finish());
    }
    out.put(&[RDB_TYPE_ZSET_2])?;
    write_string(out, key)?;
    write_length(out, zset.len() as u64)?;
    // Highest score first, so Redis's loader always inserts at the head of its skiplist.
    let ordered: Vec<(&Bytes, f64)> = zset.iter().collect();
    for (member, score) in ordered.into_iter().rev() {
        write_string(out, member)?;
        out.put(&score.to_le_bytes())?;
    }
    Ok(())
}

fn fits_listpack(zset: &ZSet) -> bool {
    let mut size = 7;
    for (member, _) in zset.iter() {
        size += listpack::entry_size(member) + MAX_SCORE_ENTRY;
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

    fn zset(members: &[(&[u8], f64)]) -> ZSet {
        let mut zset = ZSet::new();
        for (member, score) in members {
            zset.insert(Bytes::copy_from_slice(member), *score);
        }
        zset
    }

    fn written(zset: &ZSet, listpack: bool) -> Vec<u8> {
        let mut out = Vec::new();
        write_as(&mut out, b"k", zset, listpack).expect("writing to a Vec cannot fail");
        out
    }

    #[test]
    fn listpack_form_is_redis_bytes() {
        // `ZADD z:lp 1 a 2.5 b` as Redis 7.0.15 saved it: [a, 1, b, "2.5"].
        let members = zset(&[(b"b", 2.5), (b"a", 1.0)]);
        let lp = b"\x14\x00\x00\x00\x04\x00\x81a\x02\x01\x01\x81b\x02\x832.5\x04\xff";
        assert_eq!(
            written(&members, true),
            blob_entry(RDB_TYPE_ZSET_LISTPACK, lp)
        );
        assert_eq!(
            read_entry(&written(&members, true)),
            Ok((
                RDB_TYPE_ZSET_LISTPACK,
                Some(Value::ZSet(Box::new(members.clone())))
            ))
        );
    }

    #[test]
    fn skiplist_form_is_highest_score_first() {
        let members = zset(&[(b"lo", -1.0), (b"hi", f64::INFINITY), (b"mid", 0.5)]);
        let out = written(&members, false);
        let mut expected = vec![RDB_TYPE_ZSET_2, 1, b'k', 3];
        for (member, score) in [(&b"hi"[..], f64::INFINITY), (b"mid", 0.5), (b"lo", -1.0)] {
            expected.push(member.len() as u8);
            expected.extend_from_slice(member);
            expected.extend_from_slice(&score.to_le_bytes());
        }
        assert_eq!(out, expected);
        assert_eq!(
            read_entry(&out),
            Ok((RDB_TYPE_ZSET_2, Some(Value::ZSet(Box::new(members)))))
        );
    }

    #[test]
    fn text_scores_with_special_markers() {
        let body = b"\x03\x01a\x032.5\x01b\xfe\x01c\xff";
        let entry = [&[RDB_TYPE_ZSET, 1, b'k'][..], body].concat();
        let expected = zset(&[
            (b"a", 2.5),
            (b"b", f64::INFINITY),
            (b"c", f64::NEG_INFINITY),
        ]);
        assert_eq!(
            read_entry(&entry),
            Ok((RDB_TYPE_ZSET, Some(Value::ZSet(Box::new(expected)))))
        );
        let nan = [&[RDB_TYPE_ZSET, 1, b'k'][..], b"\x01\x01a\xfd"].concat();
        assert!(matches!(
            read_entry(&nan),
            Err(RdbError::CorruptValue {
                reason: "NaN score",
                ..
            })
        ));
        let nan2 = [
            &[RDB_TYPE_ZSET_2, 1, b'k', 1, 1, b'a'][..],
            &f64::NAN.to_le_bytes(),
        ]
        .concat();
        assert!(matches!(
            read_entry(&nan2),
            Err(RdbError::CorruptValue { .. })
        ));
    }

    #[test]
    fn duplicate_members_are_errors() {
        let lp = b"\x11\x00\x00\x00\x04\x00\x81a\x02\x01\x01\x81a\x02\x02\x01\xff";
        assert!(matches!(
            read_entry(&blob_entry(RDB_TYPE_ZSET_LISTPACK, lp)),
            Err(RdbError::CorruptValue { .. })
        ));
    }
}
