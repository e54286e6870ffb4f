//! Helpers shared by the tests: building keyspaces and hand-made files, and comparing keyspaces.

use std::collections::BTreeMap;

use bytes::Bytes;
use keyspace::types::{hash::Hash, set::Set, zset::ZSet};
use keyspace::{Entry, Keyspace, UnixMillis, Value};

pub const DATABASES: usize = 16;

/// One key: (db, key, string value, expiry).
pub type Row<'a> = (usize, &'a [u8], &'a [u8], Option<UnixMillis>);

/// A keyspace of string keys.
pub fn keyspace(rows: &[Row<'_>]) -> Keyspace {
    let mut keyspace = Keyspace::new(DATABASES);
    for &(db, key, value, expire_at) in rows {
        let entry = Entry {
            value: Value::String(Bytes::copy_from_slice(value).into()),
            expire_at,
        };
        let previous = keyspace
            .db_mut(db)
            .expect("test db in range")
            .insert(Bytes::copy_from_slice(key), entry);
        assert!(previous.is_none(), "test rows repeat a key");
    }
    keyspace
}

/// Every entry, ordered, so two keyspaces can be compared with `assert_eq!`.
pub fn contents(keyspace: &Keyspace) -> BTreeMap<(usize, Bytes), Entry> {
    keyspace
        .dbs()
        .flat_map(|(index, db)| {
            db.iter()
                .map(move |(key, entry)| ((index, key.to_bytes()), entry.clone()))
        })
        .collect()
}

/// `REDIS` + version, `body`, EOF, and (for version >= 5) the correct CRC-64.
pub fn rdb_file(version: u32, body: &[u8]) -> Vec<u8> {
    let mut file = format!("REDIS{version:04}").into_bytes();
    file.extend_from_slice(body);
    file.push(0xff);
    if version >= 5 {
        let crc = rdb::crc64(0, &file);
        file.extend_from_slice(&crc.to_le_bytes());
    }
    file
}

/// A short raw string: one length byte and the bytes.
pub fn raw(text: &[u8]) -> Vec<u8> {
    assert!(text.len() < 64, "raw() only makes 6-bit lengths");
    let mut out = vec![text.len() as u8];
    out.extend_from_slice(text);
    out
}

/// A type-0 entry with a raw key and an already-encoded value.
pub fn string_entry(key: &[u8], encoded_value: &[u8]) -> Vec<u8> {
    let mut out = vec![0x00];
    out.extend(raw(key));
    out.extend_from_slice(encoded_value);
    out
}

/// The annotated tiny file of the format reference, §12, byte for byte as Redis 7.0.15 saved it.
pub fn redis_tiny_file() -> Vec<u8> {
    let mut file = Vec::new();
    file.extend_from_slice(b"REDIS0010");
    file.extend_from_slice(b"\xfa\x09redis-ver\x067.0.15");
    file.extend_from_slice(b"\xfa\x0aredis-bits\xc0\x40");
    file.extend_from_slice(b"\xfa\x05ctime\xc2\xfc\x48\x07\x6b");
    file.extend_from_slice(b"\xfa\x08used-mem\xc2\x70\x3b\x13\x00");
    file.extend_from_slice(b"\xfa\x08aof-base\xc0\x00");
    file.extend_from_slice(b"\xfe\x00\xfb\x02\x01");
    file.extend_from_slice(b"\x00\x03foo\x03bar");
    file.extend_from_slice(b"\xfc\x00\xd8\xc3\x2c\xbb\x03\x00\x00");
    file.extend_from_slice(b"\x00\x03cnt\xc0\x2a");
    file.push(0xff);
    file.extend_from_slice(b"\xfd\x25\xcf\x91\x50\x98\x2e\x27");
    file
}

/// A list value.
pub fn list(items: &[&[u8]]) -> Value {
    Value::List(Box::new(
        items
            .iter()
            .map(|item| Bytes::copy_from_slice(item))
            .collect(),
    ))
}

/// A hash value.
pub fn hash(pairs: &[(&[u8], &[u8])]) -> Value {
    let mut hash = Hash::new();
    for (field, value) in pairs {
        hash.insert(field, value);
    }
    Value::Hash(Box::new(hash))
}

/// A set value.
pub fn set(members: &[&[u8]]) -> Value {
    let mut set = Set::new();
    for member in members {
        set.insert(member);
    }
    Value::Set(Box::new(set))
}

/// A sorted-set value.
pub fn zset(members: &[(&[u8], f64)]) -> Value {
    let mut zset = ZSet::new();
    for (member, score) in members {
        zset.insert(Bytes::copy_from_slice(member), *score);
    }
    Value::ZSet(Box::new(zset))
}

/// Adds `value` under `key` in `db`.
pub fn put(
    keyspace: &mut Keyspace,
    db: usize,
    key: &[u8],
    value: Value,
    expire_at: Option<UnixMillis>,
) {
    let previous = keyspace
        .db_mut(db)
        .expect("test db in range")
        .insert(Bytes::copy_from_slice(key), Entry { value, expire_at });
    assert!(previous.is_none(), "test repeats key {key:?}");
}

/// One key of every type in small and large forms, in three dbs, some with expiries: the content the
/// round-trip, corruption and interop tests share.
pub fn every_type_keyspace() -> Keyspace {
    let mut keyspace = Keyspace::new(DATABASES);
    let numbers: Vec<String> = (0..600).map(|i| (i * 7 - 1000).to_string()).collect();
    let words: Vec<String> = (0..600).map(|i| format!("member:{i}")).collect();
    let long = b"0123456789".repeat(1000);
    put(
        &mut keyspace,
        0,
        b"l:small",
        list(&[b"a", b"b", b"3", b"-5000", b""]),
        None,
    );
    let mut many = as_slices(&words[..300]);
    many.extend(as_slices(&numbers));
    many.push(&long);
    many.push(b"tail");
    put(
        &mut keyspace,
        0,
        b"l:big",
        list(&many),
        Some(4_102_444_800_000),
    );
    put(
        &mut keyspace,
        0,
        b"h:small",
        hash(&[(b"f1", b"v1"), (b"f2", b"2"), (b"n", b"-77")]),
        None,
    );
    let big_pairs: Vec<(&[u8], &[u8])> = words
        .iter()
        .zip(&numbers)
        .map(|(w, n)| (w.as_bytes(), n.as_bytes()))
        .collect();
    put(&mut keyspace, 1, b"h:big", hash(&big_pairs), None);
    put(
        &mut keyspace,
        1,
        b"h:long",
        hash(&[(b"f", &long)]),
        Some(4_102_444_800_123),
    );
    put(
        &mut keyspace,
        0,
        b"s:int",
        set(&[b"1", b"2", b"300", b"70000", b"-9223372036854775808"]),
        None,
    );
    put(&mut keyspace, 0, b"s:str", set(&[b"x", b"y", b"007"]), None);
    put(
        &mut keyspace,
        2,
        b"s:bigint",
        set(&as_slices(&numbers)),
        None,
    );
    put(
        &mut keyspace,
        0,
        b"z:small",
        zset(&[
            (b"a", 1.0),
            (b"b", 2.5),
            (b"c", f64::INFINITY),
            (b"d", -0.1),
        ]),
        None,
    );
    let big_members: Vec<(&[u8], f64)> = words[..300]
        .iter()
        .enumerate()
        .map(|(i, w)| (w.as_bytes(), i as f64 / 3.0 - 40.0))
        .chain([(&b"+inf"[..], f64::INFINITY), (b"-inf", f64::NEG_INFINITY)])
        .collect();
    put(
        &mut keyspace,
        2,
        b"z:big",
        zset(&big_members),
        Some(4_102_444_800_000),
    );
    put(
        &mut keyspace,
        0,
        b"str",
        Value::String(Bytes::from_static(b"plain").into()),
        None,
    );
    keyspace
}

fn as_slices(strings: &[String]) -> Vec<&[u8]> {
    strings.iter().map(String::as_bytes).collect()
}
