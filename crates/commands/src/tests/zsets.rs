//! Sorted sets, with the blocking pops.

use std::time::Duration;

use resp::{Frame, Protocol};

use super::support::*;
use crate::{strings, zsets};

/// A score: a double, which RESP2 sends as a bulk string (`7`, `3.5`).
fn score(value: f64) -> Frame {
    Frame::Double(value)
}

/// `[member, score]`, flat or as a RESP3 pair.
fn pair(member: &str, value: f64) -> Frame {
    Frame::Array(vec![bulk(member), score(value)])
}

#[test]
fn zadd_counts_signals_and_propagates_verbatim() {
    let mut h = Harness::new();
    assert_eq!(
        h.run(zsets::zadd, &["zadd", "z", "1", "a", "2", "b"]),
        Frame::Integer(2)
    );
    assert_eq!(h.propagated, vec![(0, words("zadd z 1 a 2 b"))]);
    assert_eq!(h.ready, vec![(0, "z".to_owned())]);
    assert_eq!(
        h.run(zsets::zadd, &["zadd", "z", "CH", "5", "a"]),
        Frame::Integer(1)
    );
    assert_eq!(
        h.run(zsets::zadd, &["zadd", "z", "NX", "9", "a"]),
        Frame::Integer(0)
    );
    assert!(h.propagated.is_empty());
    assert_eq!(h.run(zsets::zscore, &["zscore", "z", "a"]), score(5.0));
    assert_eq!(
        h.run(zsets::zadd, &["zadd", "z", "INCR", "1", "a"]),
        score(6.0)
    );
}

#[test]
fn zadd_errors_match_redis() {
    let mut h = Harness::new();
    assert_eq!(
        h.run(zsets::zadd, &["zadd", "z", "x", "a"]),
        error("ERR value is not a valid float")
    );
    assert_eq!(
        h.run(zsets::zadd, &["zadd", "z", "NX", "XX", "1", "a"]),
        error("ERR XX and NX options at the same time are not compatible")
    );
    assert_eq!(
        h.run(zsets::zadd, &["zadd", "z", "GT", "LT", "1", "a"]),
        error("ERR GT, LT, and/or NX options at the same time are not compatible")
    );
    assert_eq!(
        h.run(zsets::zadd, &["zadd", "z", "INCR", "1", "a", "2", "b"]),
        error("ERR INCR option supports a single increment-element pair")
    );
    assert_eq!(
        h.run(zsets::zadd, &["zadd", "z", "1"]),
        error("ERR syntax error")
    );
    assert!(h.propagated.is_empty());
}

#[test]
fn zset_commands_on_another_type_answer_wrongtype() {
    let mut h = Harness::new();
    h.setup(&[(strings::set, &["set", "s", "v"])]);
    assert_eq!(h.run(zsets::zadd, &["zadd", "s", "1", "a"]), wrongtype());
    assert_eq!(
        h.run(zsets::zrange, &["zrange", "s", "0", "-1"]),
        wrongtype()
    );
    assert_eq!(h.run(zsets::bzpopmin, &["bzpopmin", "s", "0"]), wrongtype());
    assert!(h.block.is_none());
}

#[test]
fn ranges_ranks_and_counts() {
    let mut h = Harness::new();
    h.setup(&[(zsets::zadd, &["zadd", "z", "1", "a", "2", "b", "3", "c"])]);
    assert_eq!(
        h.run(zsets::zrange, &["zrange", "z", "0", "-1"]),
        bulks(&["a", "b", "c"])
    );
    assert_eq!(
        h.run(zsets::zrevrange, &["zrevrange", "z", "0", "0"]),
        bulks(&["c"])
    );
    assert_eq!(
        h.run(zsets::zrangebyscore, &["zrangebyscore", "z", "(1", "+inf"]),
        bulks(&["b", "c"])
    );
    assert_eq!(
        h.run(zsets::zrange, &["zrange", "z", "0", "0", "WITHSCORES"]),
        pair("a", 1.0)
    );
    h.protocol = Protocol::Resp3;
    assert_eq!(
        h.run(zsets::zrange, &["zrange", "z", "0", "0", "WITHSCORES"]),
        Frame::Array(vec![pair("a", 1.0)])
    );
    h.protocol = Protocol::Resp2;
    assert_eq!(h.run(zsets::zrank, &["zrank", "z", "c"]), Frame::Integer(2));
    assert_eq!(
        h.run(zsets::zcount, &["zcount", "z", "2", "3"]),
        Frame::Integer(2)
    );
    assert_eq!(
        h.run(zsets::zcount, &["zcount", "z", "x", "3"]),
        error("ERR min or max is not a float")
    );
    assert_eq!(
        h.run(zsets::zrangebylex, &["zrangebylex", "z", "a", "b"]),
        error("ERR min or max not valid string range item")
    );
    assert!(h.propagated.is_empty());
}

#[test]
fn zincrby_zrem_and_zremrange_propagate_verbatim_when_they_change_something() {
    let mut h = Harness::new();
    h.setup(&[(zsets::zadd, &["zadd", "z", "1", "a", "2", "b"])]);
    assert_eq!(
        h.run(zsets::zincrby, &["zincrby", "z", "2.5", "a"]),
        score(3.5)
    );
    assert_eq!(h.propagated, vec![(0, words("zincrby z 2.5 a"))]);
    assert_eq!(
        h.run(zsets::zrem, &["zrem", "z", "nope"]),
        Frame::Integer(0)
    );
    assert!(h.propagated.is_empty());
    assert_eq!(
        h.run(
            zsets::zremrangebyscore,
            &["zremrangebyscore", "z", "-inf", "2"]
        ),
        Frame::Integer(1)
    );
    assert_eq!(h.propagated, vec![(0, words("zremrangebyscore z -inf 2"))]);
    assert_eq!(
        h.run(zsets::zremrangebyrank, &["zremrangebyrank", "z", "0", "-1"]),
        Frame::Integer(1)
    );
    assert_eq!(h.run(zsets::zcard, &["zcard", "z"]), Frame::Integer(0));
}

#[test]
fn zpopmin_propagates_and_counts() {
    let mut h = Harness::new();
    h.setup(&[(zsets::zadd, &["zadd", "z", "1", "a", "2", "b"])]);
    assert_eq!(h.run(zsets::zpopmin, &["zpopmin", "z"]), pair("a", 1.0));
    assert_eq!(h.propagated, vec![(0, words("zpopmin z"))]);
    assert_eq!(
        h.run(zsets::zpopmax, &["zpopmax", "z", "5"]),
        pair("b", 2.0)
    );
    assert_eq!(
        h.run(zsets::zpopmin, &["zpopmin", "z"]),
        Frame::Array(Vec::new())
    );
    assert!(h.propagated.is_empty());
}

#[test]
fn bzpopmin_blocks_and_a_zadd_serves_it_as_zpopmin() {
    let mut h = Harness::new();
    assert_eq!(
        h.run(zsets::bzpopmin, &["bzpopmin", "z", "2"]),
        Frame::NullArray
    );
    let mut request = h.block.take().expect("BZPOPMIN on an empty key blocks");
    assert_eq!(request.keys, argv(&["z"]));
    assert_eq!(request.timeout, Some(Duration::from_secs(2)));
    h.setup(&[(zsets::zadd, &["zadd", "z", "7", "m"])]);
    assert_eq!(
        h.serve(&mut request, "z"),
        Some(Frame::Array(vec![bulk("z"), bulk("m"), score(7.0)]))
    );
    assert_eq!(h.propagated_words(), vec![words("ZPOPMIN z")]);
    h.caller.may_block = false;
    assert_eq!(
        h.run(zsets::bzpopmax, &["bzpopmax", "z", "0"]),
        Frame::NullArray
    );
    assert!(h.block.is_none());
}

#[test]
fn zmpop_and_bzmpop() {
    let mut h = Harness::new();
    h.setup(&[(zsets::zadd, &["zadd", "z", "1", "a", "2", "b"])]);
    assert_eq!(
        h.run(zsets::zmpop, &["zmpop", "1", "z", "MAX", "COUNT", "2"]),
        Frame::Array(vec![
            bulk("z"),
            Frame::Array(vec![pair("b", 2.0), pair("a", 1.0)])
        ])
    );
    assert_eq!(h.propagated_words(), vec![words("ZPOPMAX z 2")]);
    assert_eq!(
        h.run(zsets::zmpop, &["zmpop", "1", "z", "UP"]),
        error("ERR syntax error")
    );
    assert_eq!(
        h.run(zsets::bzmpop, &["bzmpop", "0.1", "1", "z", "MIN"]),
        Frame::NullArray
    );
    let request = h.block.take().expect("BZMPOP on empty keys blocks");
    assert_eq!(request.timeout, Some(Duration::from_millis(100)));
}

#[test]
fn store_forms_propagate_verbatim_and_an_empty_result_deletes() {
    let mut h = Harness::new();
    h.setup(&[
        (zsets::zadd, &["zadd", "a", "1", "x", "2", "y"]),
        (zsets::zadd, &["zadd", "b", "10", "y"]),
    ]);
    assert_eq!(
        h.run(
            zsets::zunionstore,
            &["zunionstore", "d", "2", "a", "b", "WEIGHTS", "1", "2"]
        ),
        Frame::Integer(2)
    );
    assert_eq!(
        h.propagated,
        vec![(0, words("zunionstore d 2 a b WEIGHTS 1 2"))]
    );
    assert_eq!(h.run(zsets::zscore, &["zscore", "d", "y"]), score(22.0));
    assert_eq!(
        h.run(zsets::zinter, &["zinter", "2", "a", "b", "WITHSCORES"]),
        pair("y", 12.0)
    );
    assert_eq!(
        h.run(zsets::zdiffstore, &["zdiffstore", "d", "2", "b", "a"]),
        Frame::Integer(0)
    );
    assert_eq!(h.run(zsets::zcard, &["zcard", "d"]), Frame::Integer(0));
    assert_eq!(
        h.run(zsets::zunionstore, &["zunionstore", "d", "0", "a"]),
        error("ERR at least 1 input key is needed for 'zunionstore' command")
    );
    assert_eq!(
        h.run(zsets::zinter, &["zinter", "1", "a", "AGGREGATE", "avg"]),
        error("ERR syntax error")
    );
}
