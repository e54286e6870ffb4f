//! Streams, with XREAD/XREADGROUP BLOCK.

use std::time::Duration;

use resp::Frame;

use super::support::*;
use crate::{streams, strings};

fn entry(id: &str, fields: &[&str]) -> Frame {
    Frame::Array(vec![bulk(id), bulks(fields)])
}

#[test]
fn xadd_with_star_propagates_the_id_it_got() {
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
    assert_eq!(h.ready, vec![(0, "s".to_owned())]);
    assert_eq!(
        h.run(streams::xadd, &["xadd", "s", "5-1", "f", "v"]),
        error("ERR The ID specified in XADD is equal or smaller than the target stream top item")
    );
    assert_eq!(h.run(streams::xlen, &["xlen", "s"]), Frame::Integer(1));
}

#[test]
fn xadd_errors_and_nomkstream() {
    let mut h = Harness::new();
    assert_eq!(
        h.run(streams::xadd, &["xadd", "s", "1-1", "f"]),
        error("ERR wrong number of arguments for 'xadd' command")
    );
    assert_eq!(
        h.run(streams::xadd, &["xadd", "s", "bad", "f", "v"]),
        error("ERR Invalid stream ID specified as stream command argument")
    );
    assert_eq!(
        h.run(streams::xadd, &["xadd", "s", "0-0", "f", "v"]),
        error("ERR The ID specified in XADD must be greater than 0-0")
    );
    assert_eq!(
        h.run(streams::xadd, &["xadd", "s", "NOMKSTREAM", "*", "f", "v"]),
        Frame::Null
    );
    assert_eq!(h.run(streams::xlen, &["xlen", "s"]), Frame::Integer(0));
    assert!(h.propagated.is_empty());
}

#[test]
fn stream_commands_on_another_type_answer_wrongtype() {
    let mut h = Harness::new();
    h.setup(&[(strings::set, &["set", "k", "v"])]);
    assert_eq!(
        h.run(streams::xadd, &["xadd", "k", "*", "f", "v"]),
        wrongtype()
    );
    assert_eq!(
        h.run(streams::xrange, &["xrange", "k", "-", "+"]),
        wrongtype()
    );
    assert_eq!(
        h.run(streams::xread, &["xread", "STREAMS", "k", "0"]),
        wrongtype()
    );
}

#[test]
fn xrange_xrevrange_xdel() {
    let mut h = Harness::new();
    h.setup(&[
        (streams::xadd, &["xadd", "s", "1-1", "a", "1"]),
        (streams::xadd, &["xadd", "s", "2-1", "b", "2"]),
    ]);
    assert_eq!(
        h.run(streams::xrange, &["xrange", "s", "-", "+", "COUNT", "1"]),
        Frame::Array(vec![entry("1-1", &["a", "1"])])
    );
    assert_eq!(
        h.run(streams::xrevrange, &["xrevrange", "s", "+", "-"]),
        Frame::Array(vec![entry("2-1", &["b", "2"]), entry("1-1", &["a", "1"])])
    );
    assert_eq!(
        h.run(streams::xdel, &["xdel", "s", "1-1", "9-9"]),
        Frame::Integer(1)
    );
    assert_eq!(h.propagated, vec![(0, words("xdel s 1-1 9-9"))]);
    assert_eq!(
        h.run(streams::xdel, &["xdel", "s", "9-9"]),
        Frame::Integer(0)
    );
    assert!(h.propagated.is_empty());
}

#[test]
fn an_approximate_trim_propagates_as_an_exact_one() {
    let mut h = Harness::new();
    h.limits.stream_node_max_entries = 2;
    for i in 1..=10 {
        h.run(streams::xadd, &["xadd", "s", &format!("{i}-0"), "f", "v"]);
    }
    let Frame::Integer(trimmed) = h.run(streams::xtrim, &["xtrim", "s", "MAXLEN", "~", "5"]) else {
        panic!("XTRIM answers a count")
    };
    assert!(trimmed > 0);
    let propagated = h.propagated_words();
    assert_eq!(propagated.len(), 1);
    assert_eq!(propagated[0][..4], words("xtrim s MAXLEN =")[..]);
    assert_eq!(
        h.run(streams::xtrim, &["xtrim", "s", "MAXLEN", "5", "LIMIT", "1"]),
        error("ERR syntax error, LIMIT cannot be used without the special ~ option")
    );
}

#[test]
fn xread_block_on_nothing_new_blocks_and_an_xadd_serves_it() {
    let mut h = Harness::new();
    h.setup(&[(streams::xadd, &["xadd", "s", "1-0", "f", "v"])]);
    assert_eq!(
        h.run(
            streams::xread,
            &["xread", "BLOCK", "250", "STREAMS", "s", "$"]
        ),
        Frame::NullArray
    );
    let mut request = h.block.take().expect("XREAD BLOCK with nothing new blocks");
    assert_eq!(request.keys, argv(&["s"]));
    assert_eq!(request.timeout, Some(Duration::from_millis(250)));
    h.setup(&[(streams::xadd, &["xadd", "s", "2-0", "g", "w"])]);
    assert_eq!(
        h.serve(&mut request, "s"),
        Some(Frame::Array(vec![Frame::Array(vec![
            bulk("s"),
            Frame::Array(vec![entry("2-0", &["g", "w"])])
        ])]))
    );
    assert!(h.propagated.is_empty(), "a plain read propagates nothing");
}

#[test]
fn xread_block_is_refused_in_scripts_and_checked() {
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
    h.caller.in_script = true;
    assert_eq!(
        h.run(
            streams::xread,
            &["xread", "BLOCK", "0", "STREAMS", "s", "$"]
        ),
        error("ERR xread command is not allowed with BLOCK option from scripts")
    );
    assert!(h.block.is_none());
}

#[test]
fn xreadgroup_propagates_one_xclaim_per_delivered_entry() {
    let mut h = Harness::new();
    h.setup(&[
        (streams::xadd, &["xadd", "s", "1-0", "f", "v"]),
        (streams::xgroup, &["xgroup", "CREATE", "s", "g", "0"]),
    ]);
    assert_eq!(h.propagated, vec![(0, words("xgroup CREATE s g 0"))]);
    assert_eq!(
        h.run(
            streams::xreadgroup,
            &["xreadgroup", "GROUP", "g", "c", "STREAMS", "s", ">"]
        ),
        Frame::Array(vec![Frame::Array(vec![
            bulk("s"),
            Frame::Array(vec![entry("1-0", &["f", "v"])])
        ])])
    );
    // The XCLAIM creates the consumer on the replica too: no XGROUP CREATECONSUMER beside it.
    let propagated = h.propagated_words();
    assert_eq!(propagated.len(), 1);
    let claim = &propagated[0];
    assert_eq!(claim[..6], words("XCLAIM s g c 0 1-0")[..]);
    assert_eq!(
        claim[claim.len() - 4..],
        words("FORCE JUSTID LASTID 1-0")[..]
    );
    assert_eq!(
        h.run(streams::xack, &["xack", "s", "g", "1-0"]),
        Frame::Integer(1)
    );
    assert_eq!(h.propagated, vec![(0, words("xack s g 1-0"))]);
}

#[test]
fn a_noack_read_propagates_the_new_consumer_and_the_group_position() {
    let mut h = Harness::new();
    h.setup(&[
        (streams::xadd, &["xadd", "s", "1-0", "f", "v"]),
        (streams::xgroup, &["xgroup", "CREATE", "s", "g", "0"]),
    ]);
    h.run(
        streams::xreadgroup,
        &[
            "xreadgroup",
            "GROUP",
            "g",
            "c",
            "NOACK",
            "STREAMS",
            "s",
            ">",
        ],
    );
    let propagated = h.propagated_words();
    assert_eq!(propagated[0], words("XGROUP CREATECONSUMER s g c"));
    assert_eq!(propagated[1][..5], words("XGROUP SETID s g 1-0")[..]);
}

#[test]
fn group_errors_match_redis() {
    let mut h = Harness::new();
    assert_eq!(
        h.run(streams::xgroup, &["xgroup", "CREATE", "s", "g", "$"]),
        error(
            "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically."
        )
    );
    assert_eq!(
        h.run(
            streams::xgroup,
            &["xgroup", "CREATE", "s", "g", "$", "MKSTREAM"]
        ),
        Frame::ok()
    );
    assert_eq!(
        h.run(streams::xgroup, &["xgroup", "CREATE", "s", "g", "$"]),
        error("BUSYGROUP Consumer Group name already exists")
    );
    assert_eq!(
        h.run(
            streams::xreadgroup,
            &["xreadgroup", "GROUP", "nope", "c", "STREAMS", "s", ">"]
        ),
        error("NOGROUP No such key 's' or consumer group 'nope' in XREADGROUP with GROUP option")
    );
}

#[test]
fn xreadgroup_block_blocks_and_without_may_block_answers_null() {
    let mut h = Harness::new();
    h.setup(&[(
        streams::xgroup,
        &["xgroup", "CREATE", "s", "g", "$", "MKSTREAM"],
    )]);
    let read = [
        "xreadgroup",
        "GROUP",
        "g",
        "c",
        "BLOCK",
        "0",
        "STREAMS",
        "s",
        ">",
    ];
    assert_eq!(h.run(streams::xreadgroup, &read), Frame::NullArray);
    let request = h
        .block
        .take()
        .expect("XREADGROUP BLOCK with nothing new blocks");
    assert_eq!(request.timeout, None);
    assert!(
        request.op.serves_missing_key(),
        "a deleted stream ends the wait"
    );
    h.caller.may_block = false;
    assert_eq!(h.run(streams::xreadgroup, &read), Frame::NullArray);
    assert!(h.block.is_none());
}
