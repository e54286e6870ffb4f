//! Streams: XADD (explicit IDs propagated), XTRIM (`~` propagated as `=`), XRANGE/XREVRANGE, XDEL, XSETID,
//! and XREAD at once and with BLOCK; the consumer groups are in `groups`.

use std::time::Duration;

use resp::Frame;

use super::support::*;
use crate::{keys, streams, strings};

mod groups;

fn entry(id: &str, fields: &[&str]) -> Frame {
    Frame::Array(vec![bulk(id), bulks(fields)])
}

/// A read's RESP2 reply: `[[key, [entries...]]]`.
fn read_reply(key: &str, entries: Vec<Frame>) -> Frame {
    Frame::Array(vec![Frame::Array(vec![bulk(key), Frame::Array(entries)])])
}

/// `XCLAIM key group consumer 0 id TIME <now> RETRYCOUNT n FORCE JUSTID LASTID last`, as propagated.
fn xclaim(key: &str, group: &str, consumer: &str, id: &str, count: u64, last: &str) -> Vec<String> {
    words(&format!(
        "XCLAIM {key} {group} {consumer} 0 {id} TIME {NOW_MS} RETRYCOUNT {count} FORCE JUSTID LASTID {last}"
    ))
}

/// A harness holding stream `s` with entries 1-0 {f: v} and 2-0 {g: w}, and group `g` at 0.
fn with_group() -> Harness {
    let mut h = Harness::new();
    h.setup(&[
        (streams::xadd, &["xadd", "s", "1-0", "f", "v"]),
        (streams::xadd, &["xadd", "s", "2-0", "g", "w"]),
        (streams::xgroup, &["xgroup", "CREATE", "s", "g", "0"]),
    ]);
    h
}

#[test]
fn xadd_with_star_propagates_the_id_it_got_and_signals_the_key() {
    let mut h = Harness::new();
    let id = format!("{NOW_MS}-0");
    assert_eq!(
        h.run(streams::xadd, &["xadd", "s", "*", "f", "v"]),
        bulk(&id)
    );
    assert_eq!(
        h.propagated_words(),
        vec![words(&format!("xadd s {id} f v"))]
    );
    assert_eq!(h.dirty, 1);
    assert_eq!(h.ready, keys_in(0, &["s"]));
    assert_eq!(
        h.run(streams::xadd, &["xadd", "s", "*", "f", "v"]),
        bulk(&format!("{NOW_MS}-1")),
        "the same millisecond takes the next sequence"
    );
}

#[test]
fn xadd_with_an_explicit_id_propagates_verbatim_and_ms_star_is_completed() {
    let mut h = Harness::new();
    assert_eq!(
        h.run(streams::xadd, &["xadd", "s", "5-*", "f", "v"]),
        bulk("5-0")
    );
    assert_eq!(h.propagated_words(), vec![words("xadd s 5-0 f v")]);
    assert_eq!(
        h.run(streams::xadd, &["xadd", "s", "5-*", "f", "v"]),
        bulk("5-1")
    );
    assert_eq!(
        h.run(streams::xadd, &["xadd", "s", "7", "f", "v"]),
        bulk("7-0")
    );
    assert_eq!(h.propagated_words(), vec![words("xadd s 7 f v")]);
    assert_eq!(h.run(streams::xlen, &["xlen", "s"]), int(3));
}

#[test]
fn xadd_errors_match_redis_and_create_nothing() {
    let mut h = Harness::new();
    let cases: [(&[&str], &str); 9] = [
        (
            &["xadd", "s", "1-1", "f"],
            "ERR wrong number of arguments for 'xadd' command",
        ),
        (
            &["xadd", "s", "bad", "f", "v"],
            "ERR Invalid stream ID specified as stream command argument",
        ),
        (
            &["xadd", "s", "0-0", "f", "v"],
            "ERR The ID specified in XADD must be greater than 0-0",
        ),
        (
            &["xadd", "s", "MAXLEN", "-1", "*", "f", "v"],
            "ERR The MAXLEN argument must be >= 0.",
        ),
        (
            &["xadd", "s", "MAXLEN", "1", "MINID", "1", "*", "f", "v"],
            "ERR syntax error, MAXLEN and MINID options at the same time are not compatible",
        ),
        (
            &["xadd", "s", "LIMIT", "10", "*", "f", "v"],
            "ERR syntax error, LIMIT cannot be used without specifying a trimming strategy",
        ),
        (
            &["xadd", "s", "MAXLEN", "5", "LIMIT", "10", "*", "f", "v"],
            "ERR syntax error, LIMIT cannot be used without the special ~ option",
        ),
        (
            &[
                "xadd", "s", "MAXLEN", "~", "5", "LIMIT", "-1", "*", "f", "v",
            ],
            "ERR The LIMIT argument must be >= 0.",
        ),
        (&["xadd", "s", "MAXLEN", "x", "*", "f", "v"], NOT_INTEGER),
    ];
    for (args, text) in cases {
        assert_eq!(h.run(streams::xadd, args), error(text), "{args:?}");
        h.assert_no_change();
    }
    assert_eq!(h.run(keys::exists, &["exists", "s"]), int(0));
}

#[test]
fn xadd_refuses_an_id_not_above_the_top_and_leaves_no_empty_stream() {
    let mut h = Harness::new();
    h.setup(&[(streams::xadd, &["xadd", "s", "5-1", "f", "v"])]);
    let too_small =
        error("ERR The ID specified in XADD is equal or smaller than the target stream top item");
    assert_eq!(
        h.run(streams::xadd, &["xadd", "s", "5-1", "f", "v"]),
        too_small
    );
    assert_eq!(
        h.run(streams::xadd, &["xadd", "s", "4-*", "f", "v"]),
        too_small
    );
    h.assert_no_change();
    assert_eq!(h.run(streams::xlen, &["xlen", "s"]), int(1));
}

#[test]
fn xadd_nomkstream_on_a_missing_key_answers_nil() {
    let mut h = Harness::new();
    assert_eq!(
        h.run(streams::xadd, &["xadd", "s", "NOMKSTREAM", "*", "f", "v"]),
        Frame::Null
    );
    h.assert_no_change();
    assert_eq!(h.run(keys::exists, &["exists", "s"]), int(0));
    h.setup(&[(streams::xadd, &["xadd", "s", "1-1", "f", "v"])]);
    assert_eq!(
        h.run(streams::xadd, &["xadd", "s", "NOMKSTREAM", "2-1", "f", "v"]),
        bulk("2-1")
    );
    assert_eq!(
        h.propagated_words(),
        vec![words("xadd s NOMKSTREAM 2-1 f v")]
    );
}

#[test]
fn stream_commands_on_another_type_answer_wrongtype() {
    let mut h = Harness::new();
    h.setup(&[(strings::set, &["set", "k", "v"])]);
    let cases: [(crate::Handler, &[&str]); 9] = [
        (streams::xadd, &["xadd", "k", "*", "f", "v"]),
        (streams::xrange, &["xrange", "k", "-", "+"]),
        (streams::xlen, &["xlen", "k"]),
        (streams::xdel, &["xdel", "k", "1-1"]),
        (streams::xtrim, &["xtrim", "k", "MAXLEN", "0"]),
        (streams::xread, &["xread", "STREAMS", "k", "0"]),
        (
            streams::xread,
            &["xread", "BLOCK", "0", "STREAMS", "k", "$"],
        ),
        (streams::xgroup, &["xgroup", "CREATE", "k", "g", "$"]),
        (streams::xinfo, &["xinfo", "STREAM", "k"]),
    ];
    for (handler, args) in cases {
        assert_eq!(h.run(handler, args), wrongtype(), "{args:?}");
        h.assert_no_change();
        assert!(h.block.is_none());
    }
}

#[test]
fn xrange_xrevrange_with_counts_and_exclusive_bounds() {
    let mut h = with_group();
    assert_eq!(
        h.run(streams::xrange, &["xrange", "s", "-", "+", "COUNT", "1"]),
        Frame::Array(vec![entry("1-0", &["f", "v"])])
    );
    assert_eq!(
        h.run(streams::xrange, &["xrange", "s", "(1-0", "+"]),
        Frame::Array(vec![entry("2-0", &["g", "w"])])
    );
    assert_eq!(
        h.run(streams::xrevrange, &["xrevrange", "s", "+", "-"]),
        Frame::Array(vec![entry("2-0", &["g", "w"]), entry("1-0", &["f", "v"])])
    );
    assert_eq!(
        h.run(streams::xrange, &["xrange", "s", "2", "2"]),
        Frame::Array(vec![entry("2-0", &["g", "w"])]),
        "a bare end takes every sequence"
    );
    assert_eq!(
        h.run(streams::xrange, &["xrange", "s", "-", "+", "COUNT", "0"]),
        Frame::NullArray
    );
    assert_eq!(
        h.run(streams::xrange, &["xrange", "nope", "-", "+", "COUNT", "0"]),
        Frame::Array(Vec::new())
    );
    h.assert_no_change();
}

#[test]
fn xrange_arguments_are_checked_like_redis() {
    let mut h = with_group();
    let cases: [(&[&str], &str); 5] = [
        (
            &["xrange", "s", "x", "+"],
            "ERR Invalid stream ID specified as stream command argument",
        ),
        (
            &[
                "xrange",
                "s",
                "(18446744073709551615-18446744073709551615",
                "+",
            ],
            "ERR invalid start ID for the interval",
        ),
        (
            &["xrange", "s", "-", "(0-0"],
            "ERR invalid end ID for the interval",
        ),
        (&["xrange", "s", "-", "+", "COUNT", "x"], NOT_INTEGER),
        (&["xrange", "s", "-", "+", "bogus"], SYNTAX),
    ];
    for (args, text) in cases {
        assert_eq!(h.run(streams::xrange, args), error(text), "{args:?}");
    }
}

#[test]
fn xdel_propagates_verbatim_when_it_deleted() {
    let mut h = with_group();
    assert_eq!(h.run(streams::xdel, &["xdel", "s", "1-0", "9-9"]), int(1));
    assert_eq!(h.propagated, vec![(0, words("xdel s 1-0 9-9"))]);
    assert_eq!(h.dirty, 1);
    assert_eq!(h.run(streams::xdel, &["xdel", "s", "9-9"]), int(0));
    h.assert_no_change();
    // A missing key answers 0 before its IDs are read.
    assert_eq!(h.run(streams::xdel, &["xdel", "nope", "bad"]), int(0));
    assert_eq!(
        h.run(streams::xdel, &["xdel", "s", "bad"]),
        error("ERR Invalid stream ID specified as stream command argument")
    );
}

#[test]
fn an_exact_trim_propagates_verbatim_and_counts_each_entry() {
    let mut h = Harness::new();
    for i in 1..=5 {
        h.run(streams::xadd, &["xadd", "s", &format!("{i}-0"), "f", "v"]);
    }
    assert_eq!(
        h.run(streams::xtrim, &["xtrim", "s", "MAXLEN", "2"]),
        int(3)
    );
    assert_eq!(h.propagated, vec![(0, words("xtrim s MAXLEN 2"))]);
    assert_eq!(h.dirty, 3);
    assert_eq!(
        h.run(streams::xtrim, &["xtrim", "s", "MINID", "=", "5"]),
        int(1)
    );
    assert_eq!(
        h.run(streams::xtrim, &["xtrim", "s", "MAXLEN", "9"]),
        int(0)
    );
    h.assert_no_change();
    assert_eq!(
        h.run(streams::xtrim, &["xtrim", "nope", "MAXLEN", "0"]),
        int(0)
    );
}

#[test]
fn an_approximate_trim_propagates_as_an_exact_one_with_what_it_left() {
    let mut h = Harness::new();
    h.limits.stream_node_max_entries = 2;
    for i in 1..=10 {
        h.run(streams::xadd, &["xadd", "s", &format!("{i}-0"), "f", "v"]);
    }
    let Frame::Integer(trimmed) = h.run(streams::xtrim, &["xtrim", "s", "MAXLEN", "~", "5"]) else {
        panic!("XTRIM answers a count")
    };
    assert!(trimmed > 0, "whole nodes go");
    let left = 10 - trimmed;
    assert_eq!(
        h.propagated_words(),
        vec![words(&format!("xtrim s MAXLEN = {left}"))]
    );
    assert_eq!(h.run(streams::xlen, &["xlen", "s"]), int(left));
}

#[test]
fn xadd_with_an_approximate_minid_propagates_the_first_id_left() {
    let mut h = Harness::new();
    h.limits.stream_node_max_entries = 2;
    for i in 1..=6 {
        h.run(streams::xadd, &["xadd", "s", &format!("{i}-0"), "f", "v"]);
    }
    h.run(
        streams::xadd,
        &["xadd", "s", "MINID", "~", "4", "7-0", "f", "v"],
    );
    let propagated = h.propagated_words();
    let Frame::Array(first) = h.run(streams::xrange, &["xrange", "s", "-", "+", "COUNT", "1"])
    else {
        panic!("XRANGE answers entries")
    };
    let Frame::Array(first_entry) = &first[0] else {
        panic!("an entry")
    };
    let Frame::Bulk(first_id) = &first_entry[0] else {
        panic!("an ID")
    };
    let first_id = String::from_utf8_lossy(first_id).into_owned();
    assert_ne!(first_id, "1-0", "whole nodes below 4 go");
    assert_eq!(
        propagated,
        vec![words(&format!("xadd s MINID = {first_id} 7-0 f v"))]
    );
}

#[test]
fn trims_from_the_master_are_exact_whatever_the_limit() {
    let mut h = Harness::new();
    h.limits.stream_node_max_entries = 2;
    for i in 1..=10 {
        h.run(streams::xadd, &["xadd", "s", &format!("{i}-0"), "f", "v"]);
    }
    h.master_link();
    assert_eq!(
        h.run(
            streams::xtrim,
            &["xtrim", "s", "MAXLEN", "~", "3", "LIMIT", "1"]
        ),
        int(6),
        "whole nodes of two, down to at least 3, no LIMIT"
    );
}

#[test]
fn xtrim_arguments_are_checked_like_redis() {
    let mut h = with_group();
    let cases: [(&[&str], &str); 4] = [
        (
            &["xtrim", "s", "LIMIT", "10"],
            "ERR syntax error, LIMIT cannot be used without specifying a trimming strategy",
        ),
        (
            &["xtrim", "s", "MAXLEN", "5", "LIMIT", "1"],
            "ERR syntax error, LIMIT cannot be used without the special ~ option",
        ),
        (&["xtrim", "s", "bogus", "1"], SYNTAX),
        (
            &["xtrim", "s", "MINID", "bad"],
            "ERR Invalid stream ID specified as stream command argument",
        ),
    ];
    for (args, text) in cases {
        assert_eq!(h.run(streams::xtrim, args), error(text), "{args:?}");
        h.assert_no_change();
    }
}

#[test]
fn xsetid_moves_the_last_id_and_checks_it() {
    let mut h = with_group();
    let cases: [(&[&str], &str); 5] = [
        (&["xsetid", "nope", "1-1"], "ERR no such key"),
        (
            &["xsetid", "s", "1-1"],
            "ERR The ID specified in XSETID is smaller than the target stream top item",
        ),
        (
            &["xsetid", "s", "9-9", "ENTRIESADDED", "1"],
            "ERR The entries_added specified in XSETID is smaller than the target stream length",
        ),
        (
            &["xsetid", "s", "9-9", "MAXDELETEDID", "10-0"],
            "ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id",
        ),
        (
            &["xsetid", "s", "9-9", "ENTRIESADDED", "-1"],
            "ERR entries_added must be positive",
        ),
    ];
    for (args, text) in cases {
        assert_eq!(h.run(streams::xsetid, args), error(text), "{args:?}");
        h.assert_no_change();
    }
    assert_eq!(h.run(streams::xsetid, &["xsetid", "s", "9-9"]), Frame::ok());
    assert_eq!(h.propagated, vec![(0, words("xsetid s 9-9"))]);
    assert_eq!(
        h.run(streams::xadd, &["xadd", "s", "9-9", "f", "v"]),
        error("ERR The ID specified in XADD is equal or smaller than the target stream top item")
    );
}

#[test]
fn xread_answers_entries_after_each_id_and_propagates_nothing() {
    let mut h = with_group();
    assert_eq!(
        h.run(streams::xread, &["xread", "STREAMS", "s", "1-0"]),
        read_reply("s", vec![entry("2-0", &["g", "w"])])
    );
    assert_eq!(
        h.run(
            streams::xread,
            &["xread", "COUNT", "1", "STREAMS", "s", "nope", "0", "0"]
        ),
        read_reply("s", vec![entry("1-0", &["f", "v"])])
    );
    assert_eq!(
        h.run(streams::xread, &["xread", "STREAMS", "s", "$"]),
        Frame::NullArray
    );
    h.assert_no_change();
    h.resp3();
    assert_eq!(
        h.run(streams::xread, &["xread", "STREAMS", "s", "1"]),
        Frame::Map(vec![(
            bulk("s"),
            Frame::Array(vec![entry("2-0", &["g", "w"])])
        )])
    );
}

#[test]
fn read_arguments_are_checked_like_redis() {
    let mut h = with_group();
    let cases: [(crate::Handler, &[&str], &str); 9] = [
        (
            streams::xread,
            &["xread", "COUNT", "1", "STREAMS", "s", "t", "0"],
            "ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.",
        ),
        (
            streams::xread,
            &["xread", "GROUP", "g", "c", "STREAMS", "s", "0"],
            "ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.",
        ),
        (
            streams::xread,
            &["xread", "NOACK", "STREAMS", "s", "0"],
            "ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.",
        ),
        (
            streams::xread,
            &["xread", "STREAMS", "s", ">"],
            "ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.",
        ),
        (
            streams::xread,
            &["xread", "COUNT", "x", "STREAMS", "s", "$"],
            NOT_INTEGER,
        ),
        (
            streams::xread,
            &["xread", "STREAMS", "s", "bad"],
            "ERR Invalid stream ID specified as stream command argument",
        ),
        (
            streams::xread,
            &["xread", "bogus", "STREAMS", "s", "0"],
            SYNTAX,
        ),
        (
            streams::xreadgroup,
            &[
                "xreadgroup",
                "COUNT",
                "1",
                "BLOCK",
                "0",
                "STREAMS",
                "s",
                ">",
            ],
            "ERR Missing GROUP option for XREADGROUP",
        ),
        (
            streams::xreadgroup,
            &["xreadgroup", "GROUP", "g", "c", "STREAMS", "s", "$"],
            "ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.",
        ),
    ];
    for (handler, args, text) in cases {
        assert_eq!(h.run(handler, args), error(text), "{args:?}");
        h.assert_no_change();
    }
}

#[test]
fn xread_block_with_nothing_new_blocks_and_an_xadd_serves_it() {
    let mut h = Harness::new();
    h.setup(&[(streams::xadd, &["xadd", "s", "1-0", "f", "v"])]);
    assert_eq!(
        h.run(
            streams::xread,
            &["xread", "BLOCK", "250", "STREAMS", "s", "$"]
        ),
        Frame::NullArray
    );
    h.assert_no_change();
    let mut request = h.take_block();
    assert_eq!(request.keys, argv(&["s"]));
    assert_eq!(request.timeout, Some(Duration::from_millis(250)));
    assert_eq!(request.op.timeout_reply(), Frame::NullArray);
    assert!(!request.op.serves_missing_key());
    assert_eq!(h.serve(&mut request, "s"), None, "nothing new yet");
    h.setup(&[(streams::xadd, &["xadd", "s", "2-0", "g", "w"])]);
    assert_eq!(
        h.serve(&mut request, "s"),
        Some(read_reply("s", vec![entry("2-0", &["g", "w"])]))
    );
    h.assert_no_change();
}

#[test]
fn xread_block_on_a_missing_stream_waits_for_its_first_entry() {
    let mut h = Harness::new();
    h.run(
        streams::xread,
        &["xread", "BLOCK", "0", "STREAMS", "a", "s", "$", "$"],
    );
    let mut request = h.take_block();
    assert_eq!(request.keys, argv(&["a", "s"]));
    assert_eq!(request.timeout, None, "BLOCK 0 waits forever");
    h.setup(&[(streams::xadd, &["xadd", "s", "1-1", "f", "v"])]);
    assert_eq!(
        h.serve(&mut request, "s"),
        Some(read_reply("s", vec![entry("1-1", &["f", "v"])]))
    );
}

#[test]
fn xread_block_that_may_not_block_or_finds_data_does_not_block() {
    let mut h = with_group();
    assert_eq!(
        h.run(
            streams::xread,
            &["xread", "BLOCK", "0", "STREAMS", "s", "0"]
        ),
        read_reply(
            "s",
            vec![entry("1-0", &["f", "v"]), entry("2-0", &["g", "w"])]
        )
    );
    assert!(h.block.is_none());
    h.deny_blocking();
    assert_eq!(
        h.run(
            streams::xread,
            &["xread", "BLOCK", "0", "STREAMS", "s", "$"]
        ),
        Frame::NullArray
    );
    assert!(h.block.is_none());
}

#[test]
fn xread_block_is_refused_in_scripts_and_its_timeout_checked() {
    let mut h = Harness::new();
    assert_eq!(
        h.run(
            streams::xread,
            &["xread", "BLOCK", "-1", "STREAMS", "s", "$"]
        ),
        error("ERR timeout is negative")
    );
    assert_eq!(
        h.run(
            streams::xread,
            &["xread", "BLOCK", "x", "STREAMS", "s", "$"]
        ),
        error("ERR timeout is not an integer or out of range")
    );
    h.in_script();
    assert_eq!(
        h.run(
            streams::xread,
            &["xread", "BLOCK", "0", "STREAMS", "s", "$"]
        ),
        error("ERR xread command is not allowed with BLOCK option from scripts")
    );
    assert_eq!(
        h.run(
            streams::xreadgroup,
            &[
                "xreadgroup",
                "GROUP",
                "g",
                "c",
                "BLOCK",
                "0",
                "STREAMS",
                "s",
                ">"
            ]
        ),
        error("ERR xreadgroup command is not allowed with BLOCK option from scripts")
    );
    assert!(h.block.is_none());
}

#[test]
fn xadd_limit_without_a_trim_strategy_is_refused_like_redis() {
    let mut h = Harness::new();
    assert_eq!(
        h.run(streams::xadd, &["xadd", "s", "LIMIT", "0", "*", "f", "v"]),
        error("ERR syntax error, LIMIT cannot be used without the special ~ option")
    );
    assert_eq!(
        h.run(streams::xadd, &["xadd", "s", "LIMIT", "5", "*", "f", "v"]),
        error("ERR syntax error, LIMIT cannot be used without specifying a trimming strategy")
    );
    assert!(h.propagated.is_empty());
}
