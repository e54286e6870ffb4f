//! Sorted-set behaviour a byte-for-byte comparison cannot pin down, checked as properties on both servers:
//! ZRANDMEMBER's random picks (distinct for a positive count, from the set, the right number) and a full
//! ZSCAN of a skiplist-encoded set (every member exactly once by the end, with its score).

use std::collections::{HashMap, HashSet};

use resp::Frame;
use testkit::{NodeConfig, free_port};

use crate::support::{Subject, on_both_servers};

on_both_servers!(zrandmember_picks, zscan_of_a_large_set_visits_everything);

fn bulk_strings(frame: Frame) -> Vec<String> {
    let Frame::Array(items) = frame else {
        panic!("expected an array, got {frame:?}");
    };
    items
        .into_iter()
        .map(|item| match item {
            Frame::Bulk(data) => String::from_utf8_lossy(&data).into_owned(),
            other => panic!("expected a bulk string, got {other:?}"),
        })
        .collect()
}

fn large_zset(subject: &Subject) -> testkit::Node {
    let node = subject.start(NodeConfig::new(free_port()).with("save", "\"\""));
    let mut zadd = vec!["ZADD".to_owned(), "big".to_owned()];
    for i in 0..500 {
        zadd.push(i.to_string());
        zadd.push(format!("m{i}"));
    }
    assert_eq!(node.cmd(&zadd), Frame::Integer(500));
    node
}

fn zrandmember_picks(subject: &Subject) {
    let node = large_zset(subject);
    for count in [1usize, 10, 200, 499, 500] {
        let picks = bulk_strings(node.cmd(&["ZRANDMEMBER", "big", &count.to_string()]));
        assert_eq!(picks.len(), count);
        let distinct: HashSet<&String> = picks.iter().collect();
        assert_eq!(distinct.len(), count, "positive count: distinct members");
        assert!(picks.iter().all(|m| m.starts_with('m')));
    }
    let picks = bulk_strings(node.cmd(&["ZRANDMEMBER", "big", "-1000"]));
    assert_eq!(picks.len(), 1000);
    let with_scores = bulk_strings(node.cmd(&["ZRANDMEMBER", "big", "5", "WITHSCORES"]));
    for pair in with_scores.chunks(2) {
        assert_eq!(pair[0], format!("m{}", pair[1]));
    }
    let one = node.cmd(&["ZRANDMEMBER", "big"]);
    assert!(matches!(one, Frame::Bulk(_)), "{one:?}");
}

fn zscan_of_a_large_set_visits_everything(subject: &Subject) {
    let node = large_zset(subject);
    let mut seen: HashMap<String, String> = HashMap::new();
    let mut cursor = "0".to_owned();
    let mut calls = 0;
    loop {
        let Frame::Array(reply) = node.cmd(&["ZSCAN", "big", &cursor, "COUNT", "37"]) else {
            panic!("ZSCAN answers an array");
        };
        let [Frame::Bulk(next), items] = <[Frame; 2]>::try_from(reply).expect("cursor and items")
        else {
            panic!("ZSCAN answers a cursor and items");
        };
        for pair in bulk_strings(items).chunks(2) {
            seen.insert(pair[0].clone(), pair[1].clone());
        }
        cursor = String::from_utf8_lossy(&next).into_owned();
        calls += 1;
        if cursor == "0" {
            break;
        }
        assert!(calls < 1000, "the scan terminates");
    }
    assert!(
        calls > 1,
        "a skiplist-encoded set is scanned in several calls"
    );
    assert_eq!(seen.len(), 500);
    assert!(
        seen.iter()
            .all(|(member, score)| member == &format!("m{score}"))
    );
}
