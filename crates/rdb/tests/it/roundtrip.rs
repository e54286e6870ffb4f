//! Write then read gives back the same keyspace, for chosen tricky cases and for generated ones.

use std::time::Instant;

use bytes::Bytes;
use keyspace::{Entry, Keyspace, Value};
use proptest::prelude::*;
use rdb::{Checksum, ReplInfo, SaveOptions, encode_to_vec, read_rdb};

use crate::support::{DATABASES, Row, contents, hash, keyspace, list, put, set, zset};

fn check_round_trip(keyspace: &Keyspace, options: &SaveOptions) {
    let bytes = encode_to_vec(keyspace, options);
    let loaded = read_rdb(&bytes, DATABASES).expect("our own output loads");
    assert_eq!(contents(&loaded.keyspace), contents(keyspace));
    assert_eq!(loaded.checksum, Checksum::Verified);
    assert_eq!(loaded.aux.repl_info(), options.repl);
    assert_eq!(loaded.aux.ctime, Some(options.ctime_secs));
    assert_eq!(loaded.aux.used_mem, Some(options.used_mem));
}

#[test]
fn tricky_strings_expiries_and_several_dbs() {
    let long = vec![b'x'; 70_000];
    let rows: Vec<Row<'_>> = vec![
        (0, b"plain", b"value", None),
        (0, b"", b"empty key", None),
        (0, b"empty value", b"", Some(1)),
        (0, b"\x00\xff\xc0\r\n", b"\xc3\x05\x64\x00", None),
        (0, b"007", b"007", None),
        (0, b"-0", b"-0", None),
        (0, b"12345", b"12345", Some(4_102_444_800_000)),
        (0, b"9876543210", b"9876543210", None),
        (0, b"-2147483648", b"2147483647", None),
        (0, b"+1", b" 1", None),
        (0, b"negative expiry", b"v", Some(-5)),
        (0, b"long", &long, None),
        (3, b"plain", b"in db 3", Some(i64::MAX)),
        (15, b"last db", b"0", None),
    ];
    let options = SaveOptions {
        repl: Some(ReplInfo {
            id: "a".repeat(40),
            offset: 9_876_543_210,
            stream_db: 3,
        }),
        ctime_secs: 1_795_639_548,
        used_mem: 5_000_000_000,
        functions: Vec::new(),
        aof_base: false,
    };
    check_round_trip(&keyspace(&rows), &options);
    check_round_trip(&keyspace(&rows), &SaveOptions::default());
}

#[test]
fn empty_keyspace() {
    let empty = Keyspace::new(DATABASES);
    check_round_trip(&empty, &SaveOptions::default());
    let bytes = encode_to_vec(&empty, &SaveOptions::default());
    assert!(!bytes.contains(&0xfe), "no SELECTDB for empty dbs");
}

#[test]
fn many_keys_encode_quickly() {
    let mut keyspace = Keyspace::new(DATABASES);
    let db = keyspace.db_mut(0).expect("db 0");
    // The full million only in release builds, where the speed is meaningful.
    let count = if cfg!(debug_assertions) {
        200_000
    } else {
        1_000_000
    };
    for i in 0..count {
        let value = if i % 2 == 0 {
            Bytes::from(i.to_string())
        } else {
            Bytes::from(format!("value-{i}"))
        };
        let expire_at = (i % 3 == 0).then_some(4_102_444_800_000 + i64::from(i));
        db.insert(
            Bytes::from(format!("key:{i}")),
            Entry {
                value: Value::String(value.into()),
                expire_at,
            },
        );
    }
    let started = Instant::now();
    let bytes = encode_to_vec(&keyspace, &SaveOptions::default());
    let elapsed = started.elapsed();
    eprintln!(
        "encoded {count} keys ({} bytes) in {elapsed:?}",
        bytes.len()
    );
    // Generous even for a debug build on a busy machine; the point is to catch a quadratic or unbuffered writer.
    assert!(
        elapsed.as_secs() < 5,
        "encoding {count} keys took {elapsed:?}"
    );
    let loaded = read_rdb(&bytes, DATABASES).expect("loads");
    assert_eq!(loaded.keyspace.key_count(), count as usize);
    assert_eq!(
        loaded.keyspace.db(0).map(|db| db.expires_len()),
        Some(db_expires(&keyspace))
    );
}

fn db_expires(keyspace: &Keyspace) -> usize {
    keyspace.db(0).map_or(0, |db| db.expires_len())
}

fn arbitrary_value() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..80),
        any::<i64>().prop_map(|n| n.to_string().into_bytes()),
        any::<i32>().prop_map(|n| n.to_string().into_bytes()),
        "[-+0-9]{0,12}".prop_map(String::into_bytes),
    ]
}

proptest! {
    #[test]
    fn generated_keyspaces_round_trip(
        rows in proptest::collection::btree_map(
            (0..DATABASES, arbitrary_value()),
            (arbitrary_value(), proptest::option::of(any::<i64>())),
            0..40,
        ),
        ctime_secs in any::<i64>(),
        used_mem in any::<i64>(),
    ) {
        let rows: Vec<Row<'_>> =
            rows.iter().map(|((db, key), (value, expire_at))| (*db, &key[..], &value[..], *expire_at)).collect();
        check_round_trip(&keyspace(&rows), &SaveOptions { repl: None, ctime_secs, used_mem, functions: Vec::new(), aof_base: false });
    }
}

#[test]
fn every_type_round_trips() {
    let options = SaveOptions {
        repl: None,
        ctime_secs: 1,
        used_mem: 2,
        functions: Vec::new(),
        aof_base: false,
    };
    check_round_trip(&crate::support::every_type_keyspace(), &options);
}

fn arbitrary_collection() -> impl Strategy<Value = Value> {
    let elements = || proptest::collection::vec(arbitrary_value(), 1..40);
    let score = prop_oneof![
        any::<f64>().prop_filter("a sorted set holds no NaN", |score| !score.is_nan()),
        any::<i32>().prop_map(f64::from),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
    ];
    prop_oneof![
        elements().prop_map(|items| {
            let items: Vec<&[u8]> = items.iter().map(Vec::as_slice).collect();
            list(&items)
        }),
        elements().prop_map(|items| {
            let pairs: Vec<(&[u8], &[u8])> =
                items.iter().map(|i| (i.as_slice(), i.as_slice())).collect();
            hash(&pairs)
        }),
        elements().prop_map(|items| {
            let members: Vec<&[u8]> = items.iter().map(Vec::as_slice).collect();
            set(&members)
        }),
        proptest::collection::vec((arbitrary_value(), score), 1..40).prop_map(|members| {
            let members: Vec<(&[u8], f64)> =
                members.iter().map(|(m, s)| (m.as_slice(), *s)).collect();
            zset(&members)
        }),
    ]
}

proptest! {
    #[test]
    fn generated_collections_round_trip(
        values in proptest::collection::vec((0..DATABASES, arbitrary_collection()), 0..12),
    ) {
        let mut keyspace = Keyspace::new(DATABASES);
        for (i, (db, value)) in values.into_iter().enumerate() {
            put(&mut keyspace, db, format!("key{i}").as_bytes(), value, None);
        }
        check_round_trip(&keyspace, &SaveOptions { repl: None, ctime_secs: 0, used_mem: 0, functions: Vec::new(), aof_base: false });
    }
}
