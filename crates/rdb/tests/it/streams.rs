//! Streams through the public API: a keyspace of streams (several nodes, tombstones, entries with their
//! own fields, consumer groups with pending entries and consumers, metadata set by `XSETID`) round-trips,
//! decodes identically when fed in pieces, and every truncation or corruption is an error, never a panic.

use bytes::Bytes;
use keyspace::types::stream::{ConsumerGroup, NodeLimits, Stream, StreamId};
use keyspace::{Keyspace, Value};
use proptest::prelude::*;
use rdb::{Checksum, SaveOptions, StreamDecoder, encode_to_vec, read_rdb};

use crate::support::{DATABASES, contents, put};

/// Milliseconds of the first sample entry.
pub const BASE_MS: u64 = 1_700_000_000_000;

/// The ID of sample entry `i`: three entries per millisecond, so sequence numbers restart and the
/// sequence difference from a node's master ID is sometimes negative.
pub fn sample_id(i: u64) -> StreamId {
    StreamId::new(BASE_MS + i / 3, i % 3)
}

/// The fields and values of sample entry `i`: mostly the same two fields (stored without names), some
/// with an extra field or other names, integers of several widths, a 100-byte value and one of 5000
/// bytes, which gets a node of its own (the node byte limit is 4096).
pub fn sample_fields(i: u64) -> Vec<Bytes> {
    let pairs: Vec<(String, String)> = match i {
        120 => vec![
            ("name".into(), "z".repeat(5000)),
            ("val".into(), "big".into()),
        ],
        130 => vec![("name".into(), "y".repeat(100)), ("val".into(), "0".into())],
        _ if i % 11 == 5 => vec![("other".into(), i.to_string()), ("x".into(), "y".into())],
        _ if i % 7 == 3 => vec![
            ("name".into(), format!("n{i}")),
            ("val".into(), (i * 100_003).to_string()),
            ("extra".into(), format!("-{i}")),
        ],
        _ => vec![
            ("name".into(), format!("n{i}")),
            ("val".into(), (i as i64 * 37 - 3000).to_string()),
        ],
    };
    pairs
        .into_iter()
        .flat_map(|(field, value)| [Bytes::from(field), Bytes::from(value)])
        .collect()
}

/// The sample entries `XDEL` removes: the first three (so the first ID moves), every fifth, and the
/// 5000-byte one (which empties and so removes its node).
pub fn sample_deleted(count: u64) -> Vec<StreamId> {
    (0..count)
        .filter(|&i| i < 3 || i % 5 == 4 || i == 120)
        .map(sample_id)
        .collect()
}

/// `count` sample entries appended with Redis's default node limits, then the deletions.
pub fn sample_stream(count: u64) -> Stream {
    let mut stream = Stream::new();
    for i in 0..count {
        stream.append(sample_id(i), sample_fields(i), NodeLimits::default());
    }
    stream.delete(&sample_deleted(count));
    stream
}

/// [`sample_stream`] with consumer groups: `g1` with pending entries spread over consumers (one
/// delivered three times, one moved to another consumer, one consumer with nothing pending), `g2` at the
/// end, `g3` with an unknown entries-read counter, and `12345`, a name stored as an integer.
pub fn sample_stream_with_groups(count: u64) -> Stream {
    let mut stream = sample_stream(count);
    let alice = Bytes::from("alice");
    let bob = Bytes::from("bob");
    let numeric = Bytes::from("7");
    let mut g1 = ConsumerGroup::new(sample_id(40), Some(33));
    g1.create_consumer(&alice, 1_700_000_100_000);
    g1.create_consumer(&bob, 1_700_000_200_000);
    g1.create_consumer(&Bytes::from("carol"), 1_700_000_300_000);
    for i in (5..=20).filter(|i| i % 5 != 4) {
        g1.deliver(sample_id(i), &alice, 1_700_000_100_000 + i as i64);
    }
    g1.deliver(sample_id(30), &bob, 1_700_000_200_001);
    // Delivered three times (claims and re-reads count up), and one entry moved to another consumer.
    if let Some(entry) = g1.pending.get_mut(&sample_id(5)) {
        entry.delivery_count = 3;
    }
    g1.reassign(sample_id(6), &bob);
    stream.groups_mut().insert(Bytes::from("g1"), g1);
    let g2 = ConsumerGroup::new(stream.last_id(), Some(stream.entries_added()));
    stream.groups_mut().insert(Bytes::from("g2"), g2);
    let mut g3 = ConsumerGroup::new(sample_id(100), None);
    g3.create_consumer(&numeric, 1_700_000_400_000);
    g3.deliver(sample_id(101), &numeric, 1_700_000_400_001);
    stream.groups_mut().insert(Bytes::from("g3"), g3);
    stream.groups_mut().insert(
        Bytes::from("12345"),
        ConsumerGroup::new(StreamId::MIN, Some(0)),
    );
    stream
}

/// A keyspace of streams: the sample with groups, an empty stream with a group (`XGROUP CREATE ...
/// MKSTREAM`), a stream whose metadata `XSETID` moved (with an expiry), a smaller sample in db 3.
pub fn stream_keyspace(count: u64) -> Keyspace {
    let mut keyspace = Keyspace::new(DATABASES);
    let stream = |stream: Stream| Value::Stream(Box::new(stream));
    put(
        &mut keyspace,
        0,
        b"st",
        stream(sample_stream_with_groups(count)),
        None,
    );
    let mut empty = Stream::new();
    empty
        .groups_mut()
        .insert(Bytes::from("g"), ConsumerGroup::new(StreamId::MIN, Some(0)));
    put(&mut keyspace, 0, b"empty", stream(empty), None);
    let mut moved = Stream::new();
    for i in 0..3 {
        moved.append(sample_id(i), sample_fields(i), NodeLimits::default());
    }
    moved.delete(&[sample_id(1)]);
    moved.set_meta(
        StreamId::new(BASE_MS + 9_999, 9),
        100,
        StreamId::new(BASE_MS + 5, 1),
    );
    put(
        &mut keyspace,
        0,
        b"moved",
        stream(moved),
        Some(4_102_444_800_000),
    );
    put(&mut keyspace, 3, b"st", stream(sample_stream(40)), None);
    keyspace
}

#[test]
fn sample_has_what_the_tests_need() {
    let stream = sample_stream_with_groups(250);
    assert!(stream.nodes().count() >= 4, "several nodes");
    assert!(
        stream.nodes().any(|(_, node)| node.deleted() > 0),
        "tombstones"
    );
    assert!(
        stream
            .nodes()
            .flat_map(|(_, node)| node.entries())
            .any(|entry| !entry.same_fields),
        "entries with their own fields"
    );
    assert!(
        !stream.nodes().any(|(&master, _)| master == sample_id(120)),
        "the node of the deleted big entry is gone"
    );
    assert_eq!(stream.first_id(), sample_id(3));
    let g1 = stream.group(b"g1").expect("g1");
    assert_eq!(g1.pending[&sample_id(5)].delivery_count, 3);
    assert_eq!(g1.pending[&sample_id(6)].consumer, Bytes::from("bob"));
}

#[test]
fn streams_round_trip() {
    let keyspace = stream_keyspace(250);
    let bytes = encode_to_vec(&keyspace, &SaveOptions::default());
    let loaded = read_rdb(&bytes, DATABASES).expect("our own streams load");
    assert_eq!(loaded.checksum, Checksum::Verified);
    assert!(
        loaded.skipped_empty_keys.is_empty(),
        "empty streams are kept"
    );
    assert_eq!(contents(&loaded.keyspace), contents(&keyspace));
}

fn decode_in_pieces(file: &[u8], sizes: &[usize]) -> Result<rdb::Loaded, rdb::RdbError> {
    let mut decoder = StreamDecoder::new(DATABASES);
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
fn streams_decode_byte_by_byte() {
    let keyspace = stream_keyspace(250);
    let file = encode_to_vec(&keyspace, &SaveOptions::default());
    let streamed = decode_in_pieces(&file, &[1]).expect("byte by byte");
    assert_eq!(contents(&streamed.keyspace), contents(&keyspace));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn streams_decode_in_any_pieces(sizes in proptest::collection::vec(1usize..2000, 1..20)) {
        let keyspace = stream_keyspace(250);
        let file = encode_to_vec(&keyspace, &SaveOptions::default());
        let streamed = decode_in_pieces(&file, &sizes).expect("in pieces");
        prop_assert_eq!(contents(&streamed.keyspace), contents(&keyspace));
    }
}

#[test]
fn every_truncation_is_an_error() {
    let file = encode_to_vec(&stream_keyspace(250), &SaveOptions::default());
    for len in 0..file.len() {
        assert!(
            read_rdb(&file[..len], DATABASES).is_err(),
            "truncated to {len} bytes loaded"
        );
    }
}

#[test]
fn changed_bytes_without_a_checksum_never_panic() {
    // With the checksum zeroed the stream reader itself meets every corruption (120 entries keep the
    // file small enough to try each offset with several values).
    let mut file = encode_to_vec(&stream_keyspace(120), &SaveOptions::default());
    let body_len = file.len() - 8;
    file[body_len..].copy_from_slice(&[0; 8]);
    let mut errors = 0;
    for offset in 0..body_len {
        for value in [0x00, 0x01, 0x40, 0x81, 0xc3, 0xff] {
            let mut corrupt = file.clone();
            corrupt[offset] = value;
            errors += usize::from(read_rdb(&corrupt, DATABASES).is_err());
        }
    }
    assert!(errors > body_len, "most corruptions are detected");
}
