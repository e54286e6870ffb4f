//! Helpers shared by the tests: building keyspaces and hand-made files, and comparing keyspaces.

use std::collections::BTreeMap;

use bytes::Bytes;
use keyspace::{Entry, Keyspace, UnixMillis, Value};

pub const DATABASES: usize = 16;

/// One key: (db, key, string value, expiry).
pub type Row<'a> = (usize, &'a [u8], &'a [u8], Option<UnixMillis>);

/// A keyspace of string keys.
pub fn keyspace(rows: &[Row<'_>]) -> Keyspace {
    let mut keyspace = Keyspace::new(DATABASES);
    for &(db, key, value, expire_at) in rows {
        let entry = Entry {
            value: Value::String(Bytes::copy_from_slice(value)),
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
                .map(move |(key, entry)| ((index, key.clone()), entry.clone()))
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
