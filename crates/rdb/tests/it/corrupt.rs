//! Corrupt and hostile input: every truncation, every flipped byte, absurd lengths and random garbage give
//! an error, never a panic or a huge allocation.

use proptest::prelude::*;
use rdb::{RdbError, SaveOptions, encode_to_vec, read_rdb};

use crate::handbuilt::handbuilt_body;
use crate::support::{
    DATABASES, hash, keyspace, list, put, raw, rdb_file, set, string_entry, zset,
};

fn sample_file() -> Vec<u8> {
    let long = b"abcdefghij".repeat(10);
    let keyspace = keyspace(&[
        (0, b"foo", b"bar", None),
        (0, b"cnt", b"42", Some(4_102_444_800_000)),
        (0, b"big", b"70000", None),
        (1, b"long", &long, Some(1)),
        (7, b"\x00bin", b"\xff\xfe", None),
    ]);
    encode_to_vec(
        &keyspace,
        &SaveOptions {
            repl: None,
            ctime_secs: 1_795_639_548,
            used_mem: 1_260_400,
            functions: Vec::new(),
            aof_base: false,
        },
    )
}

#[test]
fn every_truncation_is_an_error() {
    let file = sample_file();
    assert!(read_rdb(&file, DATABASES).is_ok());
    for len in 0..file.len() {
        assert!(
            read_rdb(&file[..len], DATABASES).is_err(),
            "truncated to {len} bytes loaded"
        );
    }
}

#[test]
fn every_flipped_byte_is_an_error() {
    let file = sample_file();
    for offset in 0..file.len() {
        for mask in [0x01, 0x80, 0xff] {
            let mut corrupt = file.clone();
            corrupt[offset] ^= mask;
            assert!(
                read_rdb(&corrupt, DATABASES).is_err(),
                "flip {mask:#x} at {offset} loaded"
            );
        }
    }
}

#[test]
fn flipped_bytes_without_a_checksum_never_panic() {
    // With the checksum zeroed, the parser itself has to cope with every corruption.
    let mut file = sample_file();
    let body_len = file.len() - 8;
    file[body_len..].copy_from_slice(&[0; 8]);
    for offset in 0..body_len {
        for value in [
            0x00, 0x3f, 0x40, 0x7f, 0x80, 0x81, 0xc0, 0xc3, 0xc4, 0xfc, 0xfe, 0xff,
        ] {
            let mut corrupt = file.clone();
            corrupt[offset] = value;
            let _ = read_rdb(&corrupt, DATABASES);
        }
    }
}

#[test]
fn huge_lengths_are_errors_not_allocations() {
    let huge_raw = [
        &[0x00][..],
        &raw(b"k"),
        &[0x81, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
    ]
    .concat();
    assert!(matches!(
        read_rdb(&rdb_file(10, &huge_raw), DATABASES),
        Err(RdbError::Truncated { .. })
    ));
    let huge_lzf = string_entry(
        b"k",
        &[
            0xc3, 0x01, 0x81, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00,
        ],
    );
    assert!(matches!(
        read_rdb(&rdb_file(10, &huge_lzf), DATABASES),
        Err(RdbError::CorruptLzf { .. })
    ));
    let huge_key = [&[0x00][..], &[0x80, 0xff, 0xff, 0xff, 0xff]].concat();
    assert!(matches!(
        read_rdb(&rdb_file(10, &huge_key), DATABASES),
        Err(RdbError::Truncated { .. })
    ));
    let huge_db = b"\xfe\x81\xff\xff\xff\xff\xff\xff\xff\xff";
    assert!(matches!(
        read_rdb(&rdb_file(10, huge_db), DATABASES),
        Err(RdbError::DbOutOfRange { .. })
    ));
    let huge_resize =
        b"\xfb\x81\xff\xff\xff\xff\xff\xff\xff\xff\x81\xff\xff\xff\xff\xff\xff\xff\xff";
    assert!(
        read_rdb(&rdb_file(10, huge_resize), DATABASES).is_ok(),
        "RESIZEDB is only a hint"
    );
}

proptest! {
    #[test]
    fn random_bodies_never_panic(body in proptest::collection::vec(any::<u8>(), 0..200)) {
        let _ = read_rdb(&rdb_file(10, &body), DATABASES);
        let mut unchecked = rdb_file(10, &body);
        let body_len = unchecked.len() - 8;
        unchecked[body_len..].copy_from_slice(&[0; 8]);
        let _ = read_rdb(&unchecked, DATABASES);
    }
}

/// A file with every value type: the writer's forms for small collections, then every hand-built form.
fn collections_file() -> Vec<u8> {
    let mut keyspace = keyspace(&[]);
    put(
        &mut keyspace,
        0,
        b"l",
        list(&[b"a", b"12", b"-3000", b"hello"]),
        Some(7),
    );
    put(
        &mut keyspace,
        1,
        b"h",
        hash(&[(b"f", b"v"), (b"n", b"300")]),
        None,
    );
    put(&mut keyspace, 1, b"s", set(&[b"1", b"x"]), None);
    put(&mut keyspace, 2, b"si", set(&[b"1", b"-2"]), None);
    put(
        &mut keyspace,
        2,
        b"z",
        zset(&[(b"a", 1.5), (b"b", f64::INFINITY)]),
        None,
    );
    let ours = encode_to_vec(&keyspace, &SaveOptions::default());
    // Splice the hand-built entries in before our EOF so one file holds both.
    let body_end = ours.len() - 9;
    let body = [&ours[9..body_end], &handbuilt_body()].concat();
    rdb_file(10, &body)
}

#[test]
fn every_truncation_of_a_collections_file_is_an_error() {
    let file = collections_file();
    assert!(read_rdb(&file, DATABASES).is_ok());
    for len in 0..file.len() {
        assert!(
            read_rdb(&file[..len], DATABASES).is_err(),
            "truncated to {len} bytes loaded"
        );
    }
}

#[test]
fn every_flipped_byte_of_a_collections_file_is_an_error() {
    let file = collections_file();
    for offset in 0..file.len() {
        for mask in [0x01, 0x80, 0xff] {
            let mut corrupt = file.clone();
            corrupt[offset] ^= mask;
            assert!(
                read_rdb(&corrupt, DATABASES).is_err(),
                "flip {mask:#x} at {offset} loaded"
            );
        }
    }
}

#[test]
fn flipped_bytes_in_collections_without_a_checksum_never_panic() {
    let mut file = collections_file();
    let body_len = file.len() - 8;
    file[body_len..].copy_from_slice(&[0; 8]);
    for offset in 0..body_len {
        for value in [
            0x00, 0x01, 0x02, 0x3f, 0x40, 0x7f, 0x80, 0x81, 0xc0, 0xc3, 0xd0, 0xe0, 0xf0, 0xf4,
            0xfe, 0xff,
        ] {
            let mut corrupt = file.clone();
            corrupt[offset] = value;
            let _ = read_rdb(&corrupt, DATABASES);
        }
    }
}

#[test]
fn hostile_counts_inside_collections_are_errors_not_allocations() {
    let huge = [0x81, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
    for type_id in [1u8, 2, 3, 4, 5, 14, 18] {
        let body = [&[type_id][..], &raw(b"k"), &huge].concat();
        // The count is believed only as far as the input goes: the reader runs out of bytes (or meets the
        // EOF opcode where an element should be) long before it could allocate for 2^63 items.
        let result = read_rdb(&rdb_file(10, &body), DATABASES);
        assert!(
            matches!(
                result,
                Err(RdbError::Truncated { .. } | RdbError::InvalidEncoding { .. })
            ),
            "type {type_id}: {result:?}"
        );
    }
    // A listpack claiming 4 GB inside a tiny string.
    let lp = [
        &[16][..],
        &raw(b"k"),
        &[7, 0xff, 0xff, 0xff, 0xff, 0, 0, 0xff],
    ]
    .concat();
    assert!(matches!(
        read_rdb(&rdb_file(10, &lp), DATABASES),
        Err(RdbError::CorruptValue { .. })
    ));
}
