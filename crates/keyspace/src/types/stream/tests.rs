//! Unit tests for the stream type: IDs, ranges, trimming and consumer groups.

use bytes::Bytes;

use super::*;

fn fields(pairs: &[(&str, &str)]) -> Vec<Bytes> {
    pairs
        .iter()
        .flat_map(|(f, v)| [Bytes::from(f.to_string()), Bytes::from(v.to_string())])
        .collect()
}

fn filled(n: u64, limits: NodeLimits) -> Stream {
    let mut s = Stream::new();
    for i in 1..=n {
        s.append(StreamId::new(i, 0), fields(&[("f", "v")]), limits);
    }
    s
}

#[test]
fn nodes_close_at_max_entries() {
    let s = filled(250, NodeLimits::default());
    let sizes: Vec<u64> = s.nodes().map(|(_, n)| n.live()).collect();
    assert_eq!(sizes, [100, 100, 50]);
    assert_eq!(s.len(), 250);
    assert_eq!(s.first_id(), StreamId::new(1, 0));
}

#[test]
fn nodes_close_at_max_bytes() {
    let mut s = Stream::new();
    let big = "x".repeat(1000);
    for i in 1..=10 {
        s.append(
            StreamId::new(i, 0),
            fields(&[("f", &big)]),
            NodeLimits::default(),
        );
    }
    // Each entry is ~1 KB, so a node closes after 4 (the 5th would reach 4096 bytes).
    let sizes: Vec<u64> = s.nodes().map(|(_, n)| n.live()).collect();
    assert_eq!(sizes, [4, 4, 2]);
}

#[test]
fn approximate_trim_removes_whole_nodes_only() {
    let mut s = filled(250, NodeLimits::default());
    let removed = s.trim(Trim {
        strategy: TrimStrategy::MaxLen(120),
        approx: true,
        limit: 0,
    });
    assert_eq!(removed, 100);
    assert_eq!(s.len(), 150);
    let removed = s.trim(Trim {
        strategy: TrimStrategy::MaxLen(120),
        approx: false,
        limit: 0,
    });
    assert_eq!(removed, 30);
    assert_eq!(s.first_id(), StreamId::new(131, 0));
}

#[test]
fn delete_keeps_tombstones_until_the_node_empties() {
    let mut s = filled(3, NodeLimits::default());
    assert_eq!(s.delete(&[StreamId::new(1, 0), StreamId::new(9, 0)]), 1);
    assert_eq!(s.first_id(), StreamId::new(2, 0));
    assert_eq!(s.max_deleted_entry_id(), StreamId::new(1, 0));
    assert_eq!(s.nodes().next().map(|(_, n)| n.deleted()), Some(1));
    assert_eq!(s.delete(&[StreamId::new(2, 0), StreamId::new(3, 0)]), 2);
    assert_eq!(s.nodes().count(), 0);
    assert_eq!(s.first_id(), StreamId::MIN);
    assert_eq!(s.last_id(), StreamId::new(3, 0));
}

#[test]
fn ranges_cross_nodes_both_ways() {
    let s = filled(250, NodeLimits::default());
    let ids = |v: Vec<(StreamId, &[Bytes])>| v.iter().map(|(id, _)| id.ms).collect::<Vec<_>>();
    assert_eq!(
        ids(s.range(StreamId::new(99, 0), StreamId::new(102, 0), false, None)),
        [99, 100, 101, 102]
    );
    assert_eq!(
        ids(s.range(StreamId::new(99, 0), StreamId::new(102, 0), true, Some(3))),
        [102, 101, 100]
    );
}

#[test]
fn ids_parse_like_redis() {
    assert_eq!(StreamId::parse(b"5", 0), Ok(StreamId::new(5, 0)));
    assert_eq!(
        StreamId::parse(b"5", u64::MAX),
        Ok(StreamId::new(5, u64::MAX))
    );
    assert_eq!(StreamId::parse(b"5-3", 0), Ok(StreamId::new(5, 3)));
    assert_eq!(
        StreamId::parse(b"18446744073709551615-18446744073709551615", 0),
        Ok(StreamId::MAX)
    );
    assert!(StreamId::parse(b"18446744073709551616", 0).is_err());
    assert!(StreamId::parse(b"5-x", 0).is_err());
    assert!(StreamId::parse(b"", 0).is_err());
    assert!(StreamId::parse(b"5-", 0).is_err());
}
