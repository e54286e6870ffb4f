//! Sorted sets: ZADD and ZINCRBY, removals and pops, ranges and reads (RESP2 and RESP3 shapes), the set
//! operations and their STORE forms, ZMPOP, and the blocking BZPOPMIN/BZPOPMAX/BZMPOP.

use std::time::Duration;

use resp::Frame;

use super::support::*;
use crate::{keys, sets, strings, zsets};

/// A score: a double, which RESP2 sends as a bulk string (`7`, `3.5`).
fn score(value: f64) -> Frame {
    Frame::Double(value)
}

/// `[member, score]`, as RESP3 pairs them.
fn pair(member: &str, value: f64) -> Frame {
    Frame::Array(vec![bulk(member), score(value)])
}

/// `member, score, member, score...` flat, as RESP2 lists them.
fn flat(pairs: &[(&str, f64)]) -> Frame {
    Frame::Array(
        pairs
            .iter()
            .flat_map(|&(member, value)| [bulk(member), score(value)])
            .collect(),
    )
}

/// A harness holding `z` = {a: 1, b: 2, c: 3}.
fn with_zset() -> Harness {
    let mut h = Harness::new();
    h.setup(&[(zsets::zadd, &["zadd", "z", "1", "a", "2", "b", "3", "c"])]);
    h
}

#[test]
fn zadd_counts_signals_and_propagates_verbatim() {
    let mut h = Harness::new();
    assert_eq!(
        h.run(zsets::zadd, &["zadd", "z", "1", "a", "2", "b"]),
        int(2)
    );
    assert_eq!(h.propagated, vec![(0, words("zadd z 1 a 2 b"))]);
    assert_eq!(h.dirty, 2);
    assert_eq!(h.ready, keys_in(0, &["z"]));
    assert_eq!(
        h.run(zsets::zadd, &["zadd", "z", "5", "a", "9", "c"]),
        int(1),
        "only new members count"
    );
    assert_eq!(h.dirty, 2, "but an update is a change");
    assert_eq!(h.run(zsets::zscore, &["zscore", "z", "a"]), score(5.0));
}

#[test]
fn zadd_that_changes_nothing_propagates_nothing() {
    let mut h = with_zset();
    assert_eq!(h.run(zsets::zadd, &["zadd", "z", "1", "a"]), int(0));
    h.assert_no_change();
    assert!(h.ready.is_empty());
    assert_eq!(h.run(zsets::zadd, &["zadd", "z", "NX", "9", "a"]), int(0));
    h.assert_no_change();
    assert_eq!(h.run(zsets::zadd, &["zadd", "new", "XX", "1", "a"]), int(0));
    h.assert_no_change();
    assert_eq!(h.run(keys::exists, &["exists", "new"]), int(0));
}

#[test]
fn zadd_ch_counts_updates_and_gt_lt_incr_follow_redis() {
    let mut h = with_zset();
    assert_eq!(
        h.run(zsets::zadd, &["zadd", "z", "GT", "CH", "0", "a", "5", "b"]),
        int(1),
        "only b grows"
    );
    assert_eq!(h.propagated, vec![(0, words("zadd z GT CH 0 a 5 b"))]);
    assert_eq!(
        h.run(zsets::zadd, &["zadd", "z", "LT", "CH", "7", "c", "0", "d"]),
        int(1),
        "d is new, c would grow"
    );
    assert_eq!(
        h.run(zsets::zadd, &["zadd", "z", "INCR", "1.5", "a"]),
        score(2.5)
    );
    assert_eq!(
        h.run(zsets::zadd, &["zadd", "z", "INCR", "XX", "1", "nope"]),
        Frame::Null
    );
    h.assert_no_change();
    assert_eq!(
        h.run(zsets::zadd, &["zadd", "z", "INCR", "GT", "-1", "a"]),
        Frame::Null
    );
}

#[test]
fn zadd_errors_match_redis() {
    let mut h = with_zset();
    let cases: [(&[&str], &str); 8] = [
        (&["zadd", "z", "x", "a"], "ERR value is not a valid float"),
        (&["zadd", "z", "nan", "a"], "ERR value is not a valid float"),
        (
            &["zadd", "z", "NX", "XX", "1", "a"],
            "ERR XX and NX options at the same time are not compatible",
        ),
        (
            &["zadd", "z", "GT", "LT", "1", "a"],
            "ERR GT, LT, and/or NX options at the same time are not compatible",
        ),
        (
            &["zadd", "z", "NX", "GT", "1", "a"],
            "ERR GT, LT, and/or NX options at the same time are not compatible",
        ),
        (
            &["zadd", "z", "INCR", "1", "a", "2", "b"],
            "ERR INCR option supports a single increment-element pair",
        ),
        (&["zadd", "z", "1"], SYNTAX),
        (&["zadd", "z", "1", "a", "2"], SYNTAX),
    ];
    for (args, text) in cases {
        assert_eq!(h.run(zsets::zadd, args), error(text), "{args:?}");
        h.assert_no_change();
    }
}

#[test]
fn an_increment_to_nan_is_refused() {
    let mut h = Harness::new();
    h.setup(&[(zsets::zadd, &["zadd", "z", "-inf", "m"])]);
    assert_eq!(
        h.run(zsets::zadd, &["zadd", "z", "INCR", "+inf", "m"]),
        error("ERR resulting score is not a number (NaN)")
    );
    h.assert_no_change();
    assert_eq!(
        h.run(zsets::zincrby, &["zincrby", "z", "inf", "m"]),
        error("ERR resulting score is not a number (NaN)")
    );
    assert_eq!(
        h.run(zsets::zscore, &["zscore", "z", "m"]),
        score(f64::NEG_INFINITY)
    );
}

#[test]
fn zset_commands_on_another_type_answer_wrongtype() {
    let mut h = Harness::new();
    h.setup(&[
        (strings::set, &["set", "s", "v"]),
        (zsets::zadd, &["zadd", "z", "1", "a"]),
    ]);
    let cases: [(crate::Handler, &[&str]); 14] = [
        (zsets::zadd, &["zadd", "s", "1", "a"]),
        (zsets::zincrby, &["zincrby", "s", "1", "a"]),
        (zsets::zrem, &["zrem", "s", "a"]),
        (zsets::zcard, &["zcard", "s"]),
        (zsets::zscore, &["zscore", "s", "a"]),
        (zsets::zrank, &["zrank", "s", "a"]),
        (zsets::zcount, &["zcount", "s", "0", "1"]),
        (zsets::zrange, &["zrange", "s", "0", "-1"]),
        (zsets::zpopmin, &["zpopmin", "s"]),
        (zsets::zremrangebyrank, &["zremrangebyrank", "s", "0", "1"]),
        (zsets::zscan, &["zscan", "s", "0"]),
        (zsets::zunion, &["zunion", "2", "z", "s"]),
        (zsets::bzpopmin, &["bzpopmin", "s", "0"]),
        (zsets::zmpop, &["zmpop", "1", "s", "MIN"]),
    ];
    for (handler, args) in cases {
        assert_eq!(h.run(handler, args), wrongtype(), "{args:?}");
        h.assert_no_change();
        assert!(h.block.is_none());
    }
}

#[test]
fn score_rank_and_count_reads_record_nothing() {
    let mut h = with_zset();
    assert_eq!(h.run(zsets::zcard, &["zcard", "z"]), int(3));
    assert_eq!(h.run(zsets::zcard, &["zcard", "nope"]), int(0));
    assert_eq!(h.run(zsets::zscore, &["zscore", "z", "x"]), Frame::Null);
    assert_eq!(
        h.run(zsets::zmscore, &["zmscore", "z", "a", "x"]),
        Frame::Array(vec![score(1.0), Frame::Null])
    );
    assert_eq!(h.run(zsets::zrank, &["zrank", "z", "c"]), int(2));
    assert_eq!(h.run(zsets::zrevrank, &["zrevrank", "z", "c"]), int(0));
    assert_eq!(h.run(zsets::zrank, &["zrank", "nope", "c"]), Frame::Null);
    assert_eq!(h.run(zsets::zcount, &["zcount", "z", "(1", "3"]), int(2));
    assert_eq!(
        h.run(zsets::zlexcount, &["zlexcount", "z", "[a", "(c"]),
        int(2)
    );
    h.assert_no_change();
}

#[test]
fn range_arguments_are_checked_like_redis() {
    let mut h = with_zset();
    let cases: [(crate::Handler, &[&str], &str); 6] = [
        (
            zsets::zcount,
            &["zcount", "z", "x", "3"],
            "ERR min or max is not a float",
        ),
        (
            zsets::zrangebyscore,
            &["zrangebyscore", "z", "1", "(x"],
            "ERR min or max is not a float",
        ),
        (
            zsets::zrangebylex,
            &["zrangebylex", "z", "a", "b"],
            "ERR min or max not valid string range item",
        ),
        (
            zsets::zlexcount,
            &["zlexcount", "z", "-", "c"],
            "ERR min or max not valid string range item",
        ),
        (zsets::zrange, &["zrange", "z", "x", "1"], NOT_INTEGER),
        (
            zsets::zrangebyscore,
            &["zrangebyscore", "z", "0", "1", "LIMIT", "x", "1"],
            NOT_INTEGER,
        ),
    ];
    for (handler, args, text) in cases {
        assert_eq!(h.run(handler, args), error(text), "{args:?}");
    }
}

#[test]
fn zrange_by_rank_score_and_lex_with_rev_and_limit() {
    let mut h = with_zset();
    assert_eq!(
        h.run(zsets::zrange, &["zrange", "z", "0", "-1"]),
        bulks(&["a", "b", "c"])
    );
    assert_eq!(
        h.run(zsets::zrange, &["zrange", "z", "0", "0", "REV"]),
        bulks(&["c"])
    );
    assert_eq!(
        h.run(zsets::zrevrange, &["zrevrange", "z", "0", "1"]),
        bulks(&["c", "b"])
    );
    assert_eq!(
        h.run(
            zsets::zrange,
            &[
                "zrange", "z", "+inf", "(1", "BYSCORE", "REV", "LIMIT", "0", "1"
            ]
        ),
        bulks(&["c"])
    );
    assert_eq!(
        h.run(zsets::zrangebyscore, &["zrangebyscore", "z", "(1", "+inf"]),
        bulks(&["b", "c"])
    );
    assert_eq!(
        h.run(
            zsets::zrangebyscore,
            &["zrevrangebyscore", "z", "+inf", "-inf", "LIMIT", "1", "5"]
        ),
        bulks(&["b", "a"])
    );
    assert_eq!(
        h.run(zsets::zrangebylex, &["zrangebylex", "z", "(a", "+"]),
        bulks(&["b", "c"])
    );
    assert_eq!(
        h.run(zsets::zrangebylex, &["zrevrangebylex", "z", "+", "[b"]),
        bulks(&["c", "b"])
    );
    assert_eq!(
        h.run(zsets::zrange, &["zrange", "nope", "0", "-1"]),
        Frame::Array(Vec::new())
    );
    h.assert_no_change();
}

#[test]
fn zrange_option_conflicts_are_syntax_errors() {
    let mut h = with_zset();
    let cases: [(&[&str], &str); 4] = [
        (
            &["zrange", "z", "0", "-1", "LIMIT", "0", "1"],
            "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX",
        ),
        (
            &["zrange", "z", "[a", "[b", "BYLEX", "WITHSCORES"],
            "ERR syntax error, WITHSCORES not supported in combination with BYLEX",
        ),
        (&["zrange", "z", "0", "1", "REV", "REV"], SYNTAX),
        (&["zrange", "z", "0", "1", "BYSCORE", "BYLEX"], SYNTAX),
    ];
    for (args, text) in cases {
        assert_eq!(h.run(zsets::zrange, args), error(text), "{args:?}");
    }
    // Redis tells "no LIMIT" by a count of -1.
    assert_eq!(
        h.run(
            zsets::zrange,
            &["zrange", "z", "0", "-1", "LIMIT", "0", "-1"]
        ),
        bulks(&["a", "b", "c"])
    );
}

#[test]
fn withscores_is_flat_in_resp2_and_pairs_in_resp3() {
    let mut h = with_zset();
    assert_eq!(
        h.run(zsets::zrange, &["zrange", "z", "0", "1", "WITHSCORES"]),
        flat(&[("a", 1.0), ("b", 2.0)])
    );
    h.resp3();
    assert_eq!(
        h.run(zsets::zrange, &["zrange", "z", "0", "1", "WITHSCORES"]),
        Frame::Array(vec![pair("a", 1.0), pair("b", 2.0)])
    );
}

#[test]
fn zrangestore_stores_the_range_and_an_empty_one_deletes_the_destination() {
    let mut h = with_zset();
    assert_eq!(
        h.run(zsets::zrangestore, &["zrangestore", "d", "z", "0", "1"]),
        int(2)
    );
    assert_eq!(h.propagated, vec![(0, words("zrangestore d z 0 1"))]);
    assert_eq!(h.ready, keys_in(0, &["d"]));
    assert_eq!(
        h.run(zsets::zrange, &["zrange", "d", "0", "-1"]),
        bulks(&["a", "b"])
    );
    assert_eq!(
        h.run(zsets::zrangestore, &["zrangestore", "d", "z", "5", "9"]),
        int(0)
    );
    assert_eq!(h.propagated, vec![(0, words("zrangestore d z 5 9"))]);
    assert_eq!(h.run(keys::exists, &["exists", "d"]), int(0));
    assert_eq!(
        h.run(zsets::zrangestore, &["zrangestore", "d", "z", "5", "9"]),
        int(0)
    );
    h.assert_no_change();
    assert_eq!(
        h.run(
            zsets::zrangestore,
            &["zrangestore", "d", "z", "0", "1", "WITHSCORES"]
        ),
        error(SYNTAX)
    );
}

#[test]
fn zincrby_zrem_and_zremrange_propagate_verbatim_when_they_change_something() {
    let mut h = with_zset();
    assert_eq!(
        h.run(zsets::zincrby, &["zincrby", "z", "2.5", "a"]),
        score(3.5)
    );
    assert_eq!(h.propagated, vec![(0, words("zincrby z 2.5 a"))]);
    assert_eq!(
        h.run(zsets::zincrby, &["zincrby", "z", "x", "a"]),
        error("ERR value is not a valid float")
    );
    assert_eq!(h.run(zsets::zrem, &["zrem", "z", "nope"]), int(0));
    h.assert_no_change();
    assert_eq!(h.run(zsets::zrem, &["zrem", "z", "b", "nope"]), int(1));
    assert_eq!(h.propagated, vec![(0, words("zrem z b nope"))]);
    assert_eq!(
        h.run(
            zsets::zremrangebyscore,
            &["zremrangebyscore", "z", "-inf", "(3.5"]
        ),
        int(1)
    );
    assert_eq!(
        h.propagated,
        vec![(0, words("zremrangebyscore z -inf (3.5"))]
    );
    assert_eq!(
        h.run(zsets::zremrangebyrank, &["zremrangebyrank", "z", "0", "-1"]),
        int(1)
    );
    assert_eq!(h.run(keys::exists, &["exists", "z"]), int(0));
}

#[test]
fn zremrange_that_removes_nothing_propagates_nothing() {
    let mut h = with_zset();
    assert_eq!(
        h.run(zsets::zremrangebylex, &["zremrangebylex", "z", "(c", "+"]),
        int(0)
    );
    h.assert_no_change();
    assert_eq!(
        h.run(zsets::zremrangebyrank, &["zremrangebyrank", "z", "5", "9"]),
        int(0)
    );
    h.assert_no_change();
    assert_eq!(
        h.run(zsets::zremrangebylex, &["zremrangebylex", "z", "[a", "[b"]),
        int(2)
    );
    assert_eq!(h.dirty, 2);
}

#[test]
fn zpopmin_and_zpopmax_propagate_verbatim_and_count_each_member() {
    let mut h = with_zset();
    assert_eq!(
        h.run(zsets::zpopmin, &["zpopmin", "z"]),
        flat(&[("a", 1.0)])
    );
    assert_eq!(h.propagated, vec![(0, words("zpopmin z"))]);
    assert_eq!(
        h.run(zsets::zpopmax, &["zpopmax", "z", "5"]),
        flat(&[("c", 3.0), ("b", 2.0)])
    );
    assert_eq!(h.propagated, vec![(0, words("zpopmax z 5"))]);
    assert_eq!(h.dirty, 2);
    assert_eq!(h.run(keys::exists, &["exists", "z"]), int(0));
}

#[test]
fn zpop_of_nothing_and_its_count_errors() {
    let mut h = with_zset();
    assert_eq!(
        h.run(zsets::zpopmin, &["zpopmin", "z", "0"]),
        Frame::Array(Vec::new())
    );
    assert_eq!(
        h.run(zsets::zpopmin, &["zpopmin", "nope", "3"]),
        Frame::Array(Vec::new())
    );
    h.assert_no_change();
    let positive = error("ERR value is out of range, must be positive");
    assert_eq!(h.run(zsets::zpopmin, &["zpopmin", "z", "-1"]), positive);
    assert_eq!(h.run(zsets::zpopmin, &["zpopmin", "z", "x"]), positive);
    assert_eq!(
        h.run(zsets::zpopmin, &["zpopmin", "z", "1", "2"]),
        error(SYNTAX)
    );
}

#[test]
fn zpop_with_a_count_nests_pairs_in_resp3() {
    let mut h = with_zset();
    h.resp3();
    assert_eq!(
        h.run(zsets::zpopmin, &["zpopmin", "z", "1"]),
        Frame::Array(vec![pair("a", 1.0)])
    );
    assert_eq!(
        h.run(zsets::zpopmin, &["zpopmin", "z"]),
        flat(&[("b", 2.0)]),
        "without a count it stays flat"
    );
}

#[test]
fn zmpop_propagates_the_number_it_popped_and_touches_that_key_only() {
    let mut h = Harness::new();
    h.setup(&[(zsets::zadd, &["zadd", "z", "1", "a", "2", "b"])]);
    assert_eq!(
        h.run(
            zsets::zmpop,
            &["zmpop", "2", "nope", "z", "MAX", "COUNT", "10"]
        ),
        Frame::Array(vec![
            bulk("z"),
            Frame::Array(vec![pair("b", 2.0), pair("a", 1.0)])
        ])
    );
    assert_eq!(h.propagated_words(), vec![words("ZPOPMAX z 2")]);
    assert_eq!(h.dirty, 2);
    assert_eq!(h.touched, keys_in(0, &["z"]));
    assert_eq!(
        h.run(zsets::zmpop, &["zmpop", "1", "z", "MIN"]),
        Frame::NullArray
    );
    h.assert_no_change();
}

#[test]
fn zmpop_arguments_are_checked_like_redis() {
    let mut h = Harness::new();
    let cases: [(&[&str], &str); 5] = [
        (
            &["zmpop", "0", "z", "MIN"],
            "ERR numkeys should be greater than 0",
        ),
        (&["zmpop", "2", "z", "MIN"], SYNTAX),
        (&["zmpop", "1", "z", "UP"], SYNTAX),
        (
            &["zmpop", "1", "z", "MIN", "COUNT", "0"],
            "ERR count should be greater than 0",
        ),
        (&["zmpop", "1", "z", "MIN", "bogus"], SYNTAX),
    ];
    for (args, text) in cases {
        assert_eq!(h.run(zsets::zmpop, args), error(text), "{args:?}");
    }
}

#[test]
fn bzpopmax_on_data_answers_at_once_and_propagates_zpopmax() {
    let mut h = with_zset();
    assert_eq!(
        h.run(zsets::bzpopmax, &["bzpopmax", "nope", "z", "0"]),
        Frame::Array(vec![bulk("z"), bulk("c"), score(3.0)])
    );
    assert_eq!(h.propagated_words(), vec![words("ZPOPMAX z")]);
    assert_eq!(h.dirty, 1);
    assert!(h.block.is_none());
}

#[test]
fn bzpopmin_blocks_and_a_zadd_serves_it_as_zpopmin() {
    let mut h = Harness::new();
    assert_eq!(
        h.run(zsets::bzpopmin, &["bzpopmin", "y", "z", "2"]),
        Frame::NullArray
    );
    h.assert_no_change();
    let mut request = h.take_block();
    assert_eq!(request.keys, argv(&["y", "z"]));
    assert_eq!(request.timeout, Some(Duration::from_secs(2)));
    assert_eq!(request.op.timeout_reply(), Frame::NullArray);
    assert_eq!(h.serve(&mut request, "z"), None, "nothing there yet");
    h.setup(&[(zsets::zadd, &["zadd", "z", "7", "m", "8", "n"])]);
    assert_eq!(
        h.serve(&mut request, "z"),
        Some(Frame::Array(vec![bulk("z"), bulk("m"), score(7.0)]))
    );
    assert_eq!(h.propagated_words(), vec![words("ZPOPMIN z")]);
    assert_eq!(h.dirty, 1);
}

#[test]
fn a_blocked_bzpopmin_keeps_waiting_when_its_key_holds_another_type() {
    let mut h = Harness::new();
    h.run(zsets::bzpopmin, &["bzpopmin", "k", "0"]);
    let mut request = h.take_block();
    assert_eq!(request.timeout, None);
    h.setup(&[(sets::sadd, &["sadd", "k", "m"])]);
    assert_eq!(h.serve(&mut request, "k"), None);
    h.assert_no_change();
}

#[test]
fn a_blocking_zpop_that_may_not_block_answers_a_null_array() {
    let mut h = Harness::new();
    h.deny_blocking();
    assert_eq!(
        h.run(zsets::bzpopmax, &["bzpopmax", "z", "0"]),
        Frame::NullArray
    );
    assert!(h.block.is_none());
    assert_eq!(
        h.run(zsets::bzmpop, &["bzmpop", "0", "1", "z", "MIN"]),
        Frame::NullArray
    );
    assert!(h.block.is_none());
}

#[test]
fn bzmpop_blocks_and_is_served_as_a_counted_pop() {
    let mut h = Harness::new();
    assert_eq!(
        h.run(
            zsets::bzmpop,
            &["bzmpop", "0.1", "2", "y", "z", "MAX", "COUNT", "3"]
        ),
        Frame::NullArray
    );
    let mut request = h.take_block();
    assert_eq!(request.keys, argv(&["y", "z"]));
    assert_eq!(request.timeout, Some(Duration::from_millis(100)));
    assert_eq!(request.op.timeout_reply(), Frame::NullArray);
    h.setup(&[(zsets::zadd, &["zadd", "z", "1", "a"])]);
    assert_eq!(
        h.serve(&mut request, "z"),
        Some(Frame::Array(vec![
            bulk("z"),
            Frame::Array(vec![pair("a", 1.0)])
        ]))
    );
    assert_eq!(h.propagated_words(), vec![words("ZPOPMAX z 1")]);
}

#[test]
fn blocking_zpop_timeouts_are_checked_like_redis() {
    let mut h = Harness::new();
    assert_eq!(
        h.run(zsets::bzpopmin, &["bzpopmin", "z", "x"]),
        error("ERR timeout is not a float or out of range")
    );
    assert_eq!(
        h.run(zsets::bzmpop, &["bzmpop", "-1", "1", "z", "MIN"]),
        error("ERR timeout is negative")
    );
    assert!(h.block.is_none());
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
        int(2)
    );
    assert_eq!(
        h.propagated,
        vec![(0, words("zunionstore d 2 a b WEIGHTS 1 2"))]
    );
    assert_eq!(h.dirty, 1);
    assert_eq!(h.ready, keys_in(0, &["d"]));
    assert_eq!(h.run(zsets::zscore, &["zscore", "d", "y"]), score(22.0));
    assert_eq!(
        h.run(
            zsets::zinterstore,
            &["zinterstore", "d", "2", "a", "b", "AGGREGATE", "MAX"]
        ),
        int(1)
    );
    assert_eq!(h.run(zsets::zscore, &["zscore", "d", "y"]), score(10.0));
    assert_eq!(
        h.run(zsets::zdiffstore, &["zdiffstore", "d", "2", "b", "a"]),
        int(0)
    );
    assert_eq!(h.propagated, vec![(0, words("zdiffstore d 2 b a"))]);
    assert_eq!(h.run(keys::exists, &["exists", "d"]), int(0));
    assert_eq!(
        h.run(zsets::zdiffstore, &["zdiffstore", "d", "2", "b", "a"]),
        int(0)
    );
    h.assert_no_change();
}

#[test]
fn set_operations_read_plain_sets_with_score_one() {
    let mut h = Harness::new();
    h.setup(&[
        (zsets::zadd, &["zadd", "z", "5", "m"]),
        (sets::sadd, &["sadd", "s", "m", "n"]),
    ]);
    assert_eq!(
        h.run(zsets::zinter, &["zinter", "2", "z", "s", "WITHSCORES"]),
        flat(&[("m", 6.0)])
    );
    assert_eq!(
        h.run(zsets::zdiff, &["zdiff", "2", "s", "z", "WITHSCORES"]),
        flat(&[("n", 1.0)])
    );
    assert_eq!(
        h.run(zsets::zunion, &["zunion", "2", "z", "s"]),
        bulks(&["n", "m"])
    );
    assert_eq!(
        h.run(zsets::zintercard, &["zintercard", "2", "z", "s"]),
        int(1)
    );
    h.assert_no_change();
}

#[test]
fn set_operation_arguments_are_checked_like_redis() {
    let mut h = with_zset();
    let cases: [(crate::Handler, &[&str], &str); 8] = [
        (
            zsets::zunionstore,
            &["zunionstore", "d", "0", "z"],
            "ERR at least 1 input key is needed for 'zunionstore' command",
        ),
        (
            zsets::zintercard,
            &["zintercard", "0", "z"],
            "ERR at least 1 input key is needed for 'zintercard' command",
        ),
        (zsets::zinter, &["zinter", "2", "z"], SYNTAX),
        (zsets::zinter, &["zinter", "x", "z"], NOT_INTEGER),
        (
            zsets::zunionstore,
            &["zunionstore", "d", "1", "z", "WEIGHTS", "x"],
            "ERR weight value is not a float",
        ),
        (
            zsets::zinter,
            &["zinter", "1", "z", "AGGREGATE", "avg"],
            SYNTAX,
        ),
        (zsets::zdiff, &["zdiff", "1", "z", "WEIGHTS", "1"], SYNTAX),
        (
            zsets::zintercard,
            &["zintercard", "1", "z", "LIMIT", "-1"],
            "ERR LIMIT can't be negative",
        ),
    ];
    for (handler, args, text) in cases {
        assert_eq!(h.run(handler, args), error(text), "{args:?}");
        h.assert_no_change();
    }
}

#[test]
fn zrandmember_picks_without_changing_anything() {
    let mut h = with_zset();
    let Frame::Array(repeated) = h.run(zsets::zrandmember, &["zrandmember", "z", "-5"]) else {
        panic!("an array")
    };
    assert_eq!(repeated.len(), 5);
    assert_eq!(
        h.run(zsets::zrandmember, &["zrandmember", "z", "9", "WITHSCORES"]),
        flat(&[("c", 3.0), ("b", 2.0), ("a", 1.0)]),
        "the whole set comes from the tail"
    );
    assert_eq!(
        h.run(zsets::zrandmember, &["zrandmember", "nope"]),
        Frame::Null
    );
    assert_eq!(
        h.run(zsets::zrandmember, &["zrandmember", "nope", "2"]),
        Frame::Array(Vec::new())
    );
    h.assert_no_change();
    assert_eq!(
        h.run(zsets::zrandmember, &["zrandmember", "z", "1", "bogus"]),
        error(SYNTAX)
    );
    assert_eq!(
        h.run(
            zsets::zrandmember,
            &["zrandmember", "z", "-9223372036854775808"]
        ),
        error(
            "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807"
        )
    );
}

#[test]
fn zscan_returns_a_small_set_whole_with_scores_as_strings() {
    let mut h = with_zset();
    assert_eq!(
        h.run(zsets::zscan, &["zscan", "z", "0", "MATCH", "[ab]"]),
        Frame::Array(vec![bulk("0"), bulks(&["a", "1", "b", "2"])])
    );
    assert_eq!(
        h.run(zsets::zscan, &["zscan", "nope", "0", "bogus"]),
        Frame::Array(vec![bulk("0"), Frame::Array(Vec::new())])
    );
    assert_eq!(
        h.run(zsets::zscan, &["zscan", "z", "x"]),
        error("ERR invalid cursor")
    );
    assert_eq!(
        h.run(zsets::zscan, &["zscan", "z", "0", "COUNT", "0"]),
        error(SYNTAX)
    );
    h.assert_no_change();
}
