//! Decoding files the writer never produces: Redis's own bytes and hand-made files exercising every opcode
//! and string encoding, plus the errors for files that must be refused.

use bytes::Bytes;
use keyspace::{Entry, Value};
use rdb::{Checksum, RdbError, ReplInfo, read_rdb};

use crate::support::{DATABASES, contents, raw, rdb_file, redis_tiny_file, string_entry};

fn check_one_string(file: &[u8], key: &[u8], value: &[u8], expire_at: Option<i64>) {
    let loaded = read_rdb(file, DATABASES).expect("file loads");
    let mut contents = contents(&loaded.keyspace).into_iter();
    let ((db, loaded_key), entry) = contents.next().expect("one key");
    assert_eq!((db, &loaded_key[..]), (0, key));
    assert_eq!(
        entry,
        Entry {
            value: Value::String(Bytes::copy_from_slice(value).into()),
            expire_at
        }
    );
    assert!(contents.next().is_none(), "exactly one key");
}

fn load_err(file: &[u8]) -> RdbError {
    read_rdb(file, DATABASES).expect_err("file must be refused")
}

#[test]
fn redis_tiny_file_decodes_with_its_aux_fields_and_checksum() {
    let file = redis_tiny_file();
    assert_eq!(rdb::crc64(0, &file[..0x6f]), 0x272e_9850_91cf_25fd);
    let loaded = read_rdb(&file, DATABASES).expect("Redis's own file loads");
    assert_eq!(loaded.version, 10);
    assert_eq!(loaded.checksum, Checksum::Verified);
    assert_eq!(loaded.aux.redis_ver.as_deref(), Some("7.0.15"));
    assert_eq!(loaded.aux.ctime, Some(0x6b07_48fc));
    assert_eq!(loaded.aux.used_mem, Some(1_260_400));
    assert_eq!(loaded.aux.aof_base, Some(false));
    assert_eq!(loaded.aux.repl_info(), None);
    let db = loaded.keyspace.db(0).expect("db 0");
    let entries: Vec<_> = {
        let mut entries: Vec<_> = db
            .iter()
            .map(|(key, entry)| (key.to_bytes(), entry.clone()))
            .collect();
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        entries
    };
    assert_eq!(
        entries,
        vec![
            (
                Bytes::from("cnt"),
                Entry {
                    value: Value::String(Bytes::from("42").into()),
                    expire_at: Some(4_102_444_800_000)
                }
            ),
            (
                Bytes::from("foo"),
                Entry {
                    value: Value::String(Bytes::from("bar").into()),
                    expire_at: None
                }
            ),
        ]
    );
    assert_eq!(loaded.keyspace.key_count(), 2);
}

#[test]
fn repl_aux_fields_as_redis_writes_them() {
    let id = "2765387037df63d5d8c6a4ec830ab6c39509510f";
    let mut body = Vec::new();
    body.extend_from_slice(b"\xfa\x0erepl-stream-db\xc0\x01");
    body.extend_from_slice(b"\xfa\x07repl-id\x28");
    body.extend_from_slice(id.as_bytes());
    body.extend_from_slice(b"\xfa\x0brepl-offset\xc1\xb0\x00");
    body.extend_from_slice(b"\xfa\x0dx-unknown-aux\x01?");
    let loaded = read_rdb(&rdb_file(10, &body), DATABASES).expect("loads");
    assert_eq!(
        loaded.aux.repl_info(),
        Some(ReplInfo {
            id: id.to_owned(),
            offset: 176,
            stream_db: 1
        })
    );
    assert_eq!(loaded.keyspace.key_count(), 0);
}

#[test]
fn expiretime_in_seconds_loads_as_milliseconds() {
    let mut body = b"\xfe\x00\xfd".to_vec();
    // Redis reads these as a signed 32-bit number of seconds, so they end in 2038.
    body.extend_from_slice(&2_000_000_000i32.to_le_bytes());
    body.extend(string_entry(b"k", &raw(b"v")));
    check_one_string(&rdb_file(10, &body), b"k", b"v", Some(2_000_000_000_000));
}

#[test]
fn expiry_in_the_past_is_kept() {
    let mut body = b"\xfc".to_vec();
    body.extend_from_slice(&1i64.to_le_bytes());
    body.extend(string_entry(b"k", &raw(b"v")));
    check_one_string(&rdb_file(10, &body), b"k", b"v", Some(1));
}

#[test]
fn expiry_applies_to_one_key_only() {
    let mut body = b"\xfc".to_vec();
    body.extend_from_slice(&5_000i64.to_le_bytes());
    body.extend(string_entry(b"a", &raw(b"1")));
    body.extend(string_entry(b"b", &raw(b"2")));
    let loaded = read_rdb(&rdb_file(10, &body), DATABASES).expect("loads");
    let db = loaded.keyspace.db(0).expect("db 0");
    let expiry = |key: &str| {
        db.iter()
            .find(|(k, _)| &k[..] == key.as_bytes())
            .map(|(_, e)| e.expire_at)
    };
    assert_eq!(expiry("a"), Some(Some(5_000)));
    assert_eq!(expiry("b"), Some(None));
}

#[test]
fn idle_and_freq_hints_are_skipped() {
    let mut body = b"\xf8\x40\x90".to_vec(); // IDLE 144 seconds (14-bit length)
    body.extend(string_entry(b"a", &raw(b"1")));
    body.extend_from_slice(b"\xf9\x05"); // FREQ 5
    body.extend(string_entry(b"b", &raw(b"2")));
    let loaded = read_rdb(&rdb_file(10, &body), DATABASES).expect("loads");
    assert_eq!(loaded.keyspace.key_count(), 2);
}

#[test]
fn function_libraries_are_skipped_and_reported() {
    let source = b"#!lua name=mylib\nredis.register_function('f', function() return 1 end)";
    let mut body = vec![0xf5, 0x40, source.len() as u8];
    body.extend_from_slice(source);
    body.extend(string_entry(b"k", &raw(b"v")));
    let loaded = read_rdb(&rdb_file(10, &body), DATABASES).expect("loads");
    assert_eq!(loaded.functions, vec![Bytes::copy_from_slice(source)]);
    assert_eq!(loaded.keyspace.key_count(), 1);
}

#[test]
fn a_file_without_aux_or_resizedb_loads_into_the_selected_db() {
    let mut body = b"\xfe\x05".to_vec();
    body.extend(string_entry(b"k", &raw(b"v")));
    let loaded = read_rdb(&rdb_file(10, &body), DATABASES).expect("loads");
    assert_eq!(loaded.keyspace.db(5).map(|db| db.len()), Some(1));
    assert_eq!(loaded.aux, rdb::AuxFields::default());
}

#[test]
fn int_encoded_keys_and_values() {
    let body = [0x00, 0xc1, 0x39, 0x30, 0xc2, 0xfc, 0x48, 0x07, 0x6b];
    check_one_string(&rdb_file(10, &body), b"12345", b"1795639548", None);
    let body = [0x00, 0xc0, 0xf9, 0xc0, 0x80];
    check_one_string(&rdb_file(10, &body), b"-7", b"-128", None);
}

#[test]
fn lzf_literal_only_stream() {
    // 40 bytes as two literal runs of 32 and 8: what a writer without a compressor could emit.
    let text: Vec<u8> = (0..40u8).map(|i| b'a' + i % 26).collect();
    let mut compressed = vec![31];
    compressed.extend_from_slice(&text[..32]);
    compressed.push(7);
    compressed.extend_from_slice(&text[32..]);
    let mut value = vec![0xc3, compressed.len() as u8, text.len() as u8];
    value.extend(compressed);
    check_one_string(
        &rdb_file(10, &string_entry(b"k", &value)),
        b"k",
        &text,
        None,
    );
}

#[test]
fn lzf_back_reference_stream() {
    // "abcdefghij" then one long back-reference repeating it to 100 bytes: len 7 + 81 + 2 = 90, distance 10.
    let expected = b"abcdefghij".repeat(10);
    let compressed = [&[9u8][..], b"abcdefghij", &[0xe0, 81, 9]].concat();
    let value = [&[0xc3, compressed.len() as u8, 0x40, 100][..], &compressed].concat();
    check_one_string(
        &rdb_file(10, &string_entry(b"s:lzf", &value)),
        b"s:lzf",
        &expected,
        None,
    );
}

#[test]
fn older_versions_load_and_before_5_have_no_checksum() {
    let body = string_entry(b"k", &raw(b"v"));
    for version in 1..=10 {
        let loaded = read_rdb(&rdb_file(version, &body), DATABASES).expect("loads");
        let expected = if version < 5 {
            Checksum::Absent
        } else {
            Checksum::Verified
        };
        assert_eq!((loaded.version, loaded.checksum), (version, expected));
    }
}

#[test]
fn newer_versions_are_refused_by_number() {
    let error = load_err(&rdb_file(11, &[]));
    assert_eq!(error.to_string(), "Can't handle RDB format version 11");
    assert_eq!(
        load_err(&rdb_file(0, &[])),
        RdbError::UnsupportedVersion { version: 0 }
    );
}

#[test]
fn bad_signature() {
    assert_eq!(load_err(b"REDIX0010\xff"), RdbError::BadSignature);
    assert_eq!(load_err(b"REDIS001a\xff"), RdbError::BadSignature);
    assert_eq!(load_err(b"REDIS"), RdbError::BadSignature);
    assert_eq!(load_err(b""), RdbError::BadSignature);
}

#[test]
fn zero_checksum_is_accepted_and_wrong_checksum_is_not() {
    let mut file = rdb_file(10, &string_entry(b"k", &raw(b"v")));
    let body_len = file.len() - 8;
    let computed = rdb::crc64(0, &file[..body_len]);
    file[body_len..].copy_from_slice(&[0; 8]);
    assert_eq!(
        read_rdb(&file, DATABASES).map(|loaded| loaded.checksum),
        Ok(Checksum::Disabled)
    );
    file[body_len..].copy_from_slice(&0x1234u64.to_le_bytes());
    let error = load_err(&file);
    assert_eq!(
        error,
        RdbError::ChecksumMismatch {
            computed,
            stored: 0x1234
        }
    );
    assert_eq!(
        error.to_string(),
        format!("Wrong RDB checksum expected: ({computed:x}) but got (1234)")
    );
}

#[test]
fn selectdb_beyond_databases_is_refused() {
    let error = read_rdb(&rdb_file(10, b"\xfe\x10"), 16).expect_err("db 16 of 16");
    assert_eq!(
        error,
        RdbError::DbOutOfRange {
            db: 16,
            databases: 16
        }
    );
    assert!(read_rdb(&rdb_file(10, b"\xfe\x0f"), 16).is_ok());
    let error = read_rdb(&rdb_file(10, &string_entry(b"k", &raw(b"v"))), 0)
        .expect_err("no databases at all");
    assert_eq!(
        error,
        RdbError::DbOutOfRange {
            db: 0,
            databases: 0
        }
    );
}

#[test]
fn duplicate_key_is_refused() {
    let body = [
        string_entry(b"k", &raw(b"1")),
        string_entry(b"k", &raw(b"2")),
    ]
    .concat();
    assert_eq!(
        load_err(&rdb_file(10, &body)),
        RdbError::DuplicateKey {
            db: 0,
            key: "k".to_owned()
        }
    );
    let body = [
        b"\xfe\x01".to_vec(),
        string_entry(b"k", &raw(b"1")),
        b"\xfe\x02".to_vec(),
        string_entry(b"k", &raw(b"2")),
    ];
    assert!(
        read_rdb(&rdb_file(10, &body.concat()), DATABASES).is_ok(),
        "same key in two dbs is fine"
    );
}

#[test]
fn modules_are_refused_with_type_and_key() {
    for (type_id, type_name) in [(6, "MODULE"), (7, "MODULE_2")] {
        let body = [&[type_id][..], &raw(b"key"), &[0x01]].concat();
        assert_eq!(
            load_err(&rdb_file(10, &body)),
            RdbError::UnsupportedValueType {
                type_id,
                type_name,
                key: "key".to_owned()
            }
        );
    }
    let body = [&[7][..], &raw(b"mod")].concat();
    assert_eq!(
        load_err(&rdb_file(10, &body)).to_string(),
        "cannot load key \"mod\": value type 7 (MODULE_2) is not supported"
    );
}

#[test]
fn unknown_opcodes_modules_and_old_functions_are_refused() {
    for byte in [8u8, 20, 100, 244] {
        assert!(
            matches!(load_err(&rdb_file(10, &[byte])), RdbError::UnknownOpcode { byte: b, offset: 9 } if b == byte)
        );
    }
    assert!(matches!(
        load_err(&rdb_file(10, b"\xf7\x01")),
        RdbError::UnsupportedRecord {
            what: "MODULE_AUX",
            ..
        }
    ));
    assert!(matches!(
        load_err(&rdb_file(10, b"\xf6")),
        RdbError::UnsupportedRecord { .. }
    ));
}

#[test]
fn trailing_bytes_are_refused() {
    let mut file = rdb_file(10, &[]);
    file.push(0);
    assert_eq!(load_err(&file), RdbError::TrailingBytes { count: 1 });
}
