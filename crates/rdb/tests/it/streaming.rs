//! `StreamDecoder`: a file fed in pieces of any size decodes exactly as the whole file does, truncated
//! files fail at `finish`, and bytes after the checksum are refused.

use proptest::prelude::*;
use rdb::{SaveOptions, StreamDecoder, encode_to_vec, read_rdb};

use crate::support::every_type_keyspace;

fn whole_file() -> Vec<u8> {
    let options = SaveOptions {
        functions: vec![bytes::Bytes::from_static(
            b"#!lua name=l\nredis.register_function('f', function() return 1 end)",
        )],
        ..SaveOptions::default()
    };
    encode_to_vec(&every_type_keyspace(), &options)
}

/// Every key of every database with its entry, sorted (Debug output would show hash-table order).
fn contents(keyspace: &keyspace::Keyspace) -> Vec<(usize, bytes::Bytes, keyspace::Entry)> {
    let mut out: Vec<_> = keyspace
        .dbs()
        .flat_map(|(index, db)| {
            db.iter()
                .map(move |(key, entry)| (index, key.to_bytes(), entry.clone()))
        })
        .collect();
    out.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    out
}

fn decode_in_pieces(file: &[u8], sizes: &[usize]) -> Result<rdb::Loaded, rdb::RdbError> {
    let mut decoder = StreamDecoder::new(16);
    let mut rest = file;
    let mut sizes = sizes.iter().cycle();
    while !rest.is_empty() {
        let size = (*sizes.next().unwrap_or(&1)).clamp(1, rest.len());
        decoder.feed(&rest[..size])?;
        rest = &rest[size..];
    }
    decoder.finish()
}

#[test]
fn one_byte_at_a_time_equals_whole_file() {
    let file = whole_file();
    let whole = read_rdb(&file, 16).expect("whole file");
    let streamed = decode_in_pieces(&file, &[1]).expect("byte by byte");
    assert_eq!(contents(&streamed.keyspace), contents(&whole.keyspace));
    assert_eq!(streamed.functions, whole.functions);
    assert_eq!(streamed.aux, whole.aux);
    assert_eq!(streamed.checksum, whole.checksum);
}

#[test]
fn truncated_stream_fails_at_finish_and_trailing_bytes_fail() {
    let file = whole_file();
    for cut in [0, 5, 9, file.len() / 2, file.len() - 1] {
        let mut decoder = StreamDecoder::new(16);
        let fed = decoder.feed(&file[..cut]);
        assert!(fed.is_err() || decoder.finish().is_err(), "cut at {cut}");
    }
    let mut decoder = StreamDecoder::new(16);
    decoder.feed(&file).expect("whole file");
    assert!(decoder.is_done());
    assert!(decoder.feed(b"x").is_err());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn any_piece_sizes_decode_the_same(sizes in proptest::collection::vec(1usize..3000, 1..20)) {
        let file = whole_file();
        let whole = read_rdb(&file, 16).expect("whole file");
        let streamed = decode_in_pieces(&file, &sizes).expect("in pieces");
        prop_assert_eq!(contents(&streamed.keyspace), contents(&whole.keyspace));
        prop_assert_eq!(streamed.functions, whole.functions);
    }
}
