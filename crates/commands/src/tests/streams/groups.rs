//! Streams, consumer groups: XREADGROUP (propagated as XCLAIM, or XGROUP CREATECONSUMER and SETID for NOACK
//! reads) at once and with BLOCK, XGROUP, XACK, XPENDING, XCLAIM, XAUTOCLAIM and XINFO.

use std::time::Duration;

use resp::Frame;

use super::{entry, read_reply, with_group, xclaim};
use crate::tests::support::*;
use crate::{keys, streams};

#[test]
fn xreadgroup_propagates_one_xclaim_per_delivered_entry() {
    let mut h = with_group();
    assert_eq!(
        h.run(
            streams::xreadgroup,
            &["xreadgroup", "GROUP", "g", "c", "STREAMS", "s", ">"]
        ),
        read_reply(
            "s",
            vec![entry("1-0", &["f", "v"]), entry("2-0", &["g", "w"])]
        )
    );
    // The XCLAIMs create the consumer on the replica too: no XGROUP CREATECONSUMER beside them.
    assert_eq!(
        h.propagated_words(),
        vec![
            xclaim("s", "g", "c", "1-0", 1, "1-0"),
            xclaim("s", "g", "c", "2-0", 1, "2-0"),
        ]
    );
    assert_eq!(
        h.run(
            streams::xreadgroup,
            &["xreadgroup", "GROUP", "g", "c", "STREAMS", "s", ">"]
        ),
        Frame::NullArray,
        "nothing new for the group"
    );
    h.assert_no_change();
}

#[test]
fn a_history_read_answers_the_consumer_pending_entries_and_propagates_nothing() {
    let mut h = with_group();
    h.run(
        streams::xreadgroup,
        &[
            "xreadgroup",
            "GROUP",
            "g",
            "c",
            "COUNT",
            "1",
            "STREAMS",
            "s",
            ">",
        ],
    );
    assert_eq!(
        h.run(
            streams::xreadgroup,
            &["xreadgroup", "GROUP", "g", "c", "STREAMS", "s", "0"]
        ),
        read_reply("s", vec![entry("1-0", &["f", "v"])])
    );
    assert!(h.propagated.is_empty());
    assert_eq!(
        h.run(
            streams::xreadgroup,
            &["xreadgroup", "GROUP", "g", "other", "STREAMS", "s", "0"]
        ),
        read_reply("s", Vec::new()),
        "another consumer has no history"
    );
}

#[test]
fn a_noack_read_propagates_the_new_consumer_and_the_group_position() {
    let mut h = with_group();
    h.run(
        streams::xreadgroup,
        &[
            "xreadgroup",
            "GROUP",
            "g",
            "c",
            "COUNT",
            "1",
            "STREAMS",
            "s",
            ">",
        ],
    );
    h.run(
        streams::xreadgroup,
        &[
            "xreadgroup",
            "GROUP",
            "g",
            "c2",
            "NOACK",
            "STREAMS",
            "s",
            ">",
        ],
    );
    assert_eq!(
        h.propagated_words(),
        vec![
            words("XGROUP CREATECONSUMER s g c2"),
            words("XGROUP SETID s g 2-0 ENTRIESREAD 2"),
        ]
    );
    let Frame::Array(summary) = h.run(streams::xpending, &["xpending", "s", "g"]) else {
        panic!("XPENDING answers a summary")
    };
    assert_eq!(summary[0], int(1), "a NOACK read leaves nothing pending");
}

#[test]
fn xreadgroup_errors_name_the_missing_group() {
    let mut h = with_group();
    assert_eq!(
        h.run(
            streams::xreadgroup,
            &["xreadgroup", "GROUP", "nope", "c", "STREAMS", "s", ">"]
        ),
        error("NOGROUP No such key 's' or consumer group 'nope' in XREADGROUP with GROUP option")
    );
    assert_eq!(
        h.run(
            streams::xreadgroup,
            &["xreadgroup", "GROUP", "g", "c", "STREAMS", "missing", ">"]
        ),
        error(
            "NOGROUP No such key 'missing' or consumer group 'g' in XREADGROUP with GROUP option"
        )
    );
    h.assert_no_change();
}

#[test]
fn xreadgroup_block_blocks_and_an_xadd_serves_it_with_an_xclaim() {
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
    let mut request = h.take_block();
    assert_eq!(request.keys, argv(&["s"]));
    assert_eq!(request.timeout, None);
    assert!(
        request.op.serves_missing_key(),
        "a deleted stream ends the wait"
    );
    h.setup(&[(streams::xadd, &["xadd", "s", "3-0", "f", "v"])]);
    assert_eq!(
        h.serve(&mut request, "s"),
        Some(read_reply("s", vec![entry("3-0", &["f", "v"])]))
    );
    assert_eq!(
        h.propagated_words(),
        vec![xclaim("s", "g", "c", "3-0", 1, "3-0")]
    );
}

#[test]
fn a_blocked_xreadgroup_ends_when_its_stream_or_group_goes() {
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
    h.run(streams::xreadgroup, &read);
    let mut request = h.take_block();
    h.setup(&[(streams::xgroup, &["xgroup", "DESTROY", "s", "g"])]);
    assert_eq!(h.ready, keys_in(0, &["s"]), "DESTROY wakes its readers");
    assert_eq!(
        h.serve(&mut request, "s"),
        Some(error(
            "NOGROUP the consumer group this client was blocked on no longer exists"
        ))
    );
    h.setup(&[(streams::xgroup, &["xgroup", "CREATE", "s", "g", "$"])]);
    h.run(streams::xreadgroup, &read);
    let mut request = h.take_block();
    h.setup(&[(keys::del, &["del", "s"])]);
    assert_eq!(
        h.serve(&mut request, "s"),
        Some(error("UNBLOCKED the stream key no longer exists"))
    );
}

#[test]
fn xreadgroup_block_that_may_not_block_answers_a_null_array() {
    let mut h = Harness::new();
    h.setup(&[(
        streams::xgroup,
        &["xgroup", "CREATE", "s", "g", "$", "MKSTREAM"],
    )]);
    h.deny_blocking();
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
        Frame::NullArray
    );
    assert!(h.block.is_none());
}

#[test]
fn xgroup_create_and_its_errors() {
    let mut h = Harness::new();
    assert_eq!(
        h.run(streams::xgroup, &["xgroup", "CREATE", "s", "g", "$"]),
        error(
            "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically."
        )
    );
    h.assert_no_change();
    assert_eq!(
        h.run(
            streams::xgroup,
            &["xgroup", "CREATE", "s", "g", "$", "MKSTREAM"]
        ),
        Frame::ok()
    );
    assert_eq!(
        h.propagated,
        vec![(0, words("xgroup CREATE s g $ MKSTREAM"))]
    );
    assert_eq!(h.run(keys::exists, &["exists", "s"]), int(1));
    let cases: [(&[&str], &str); 4] = [
        (
            &["xgroup", "CREATE", "s", "g", "$"],
            "BUSYGROUP Consumer Group name already exists",
        ),
        (
            &["xgroup", "create", "s", "g2", "0", "bogus"],
            "ERR unknown subcommand or wrong number of arguments for 'create'. Try XGROUP HELP.",
        ),
        (
            &["xgroup", "CREATE", "s", "g2", "0", "ENTRIESREAD", "-2"],
            "ERR value for ENTRIESREAD must be positive or -1",
        ),
        (
            &["xgroup", "CREATE", "s", "g2", "bad"],
            "ERR Invalid stream ID specified as stream command argument",
        ),
    ];
    for (args, text) in cases {
        assert_eq!(h.run(streams::xgroup, args), error(text), "{args:?}");
        h.assert_no_change();
    }
}

#[test]
fn xgroup_setid_destroy_and_consumers_propagate_verbatim_when_they_change_something() {
    let mut h = with_group();
    assert_eq!(
        h.run(streams::xgroup, &["xgroup", "SETID", "s", "g", "$"]),
        Frame::ok()
    );
    assert_eq!(h.propagated, vec![(0, words("xgroup SETID s g $"))]);
    assert_eq!(
        h.run(streams::xgroup, &["xgroup", "SETID", "s", "nog", "0"]),
        error("NOGROUP No such consumer group 'nog' for key name 's'")
    );
    assert_eq!(
        h.run(
            streams::xgroup,
            &["xgroup", "CREATECONSUMER", "s", "g", "c"]
        ),
        int(1)
    );
    assert_eq!(
        h.propagated,
        vec![(0, words("xgroup CREATECONSUMER s g c"))]
    );
    assert_eq!(
        h.run(
            streams::xgroup,
            &["xgroup", "CREATECONSUMER", "s", "g", "c"]
        ),
        int(0)
    );
    h.assert_no_change();
    assert_eq!(
        h.run(streams::xgroup, &["xgroup", "DELCONSUMER", "s", "g", "c"]),
        int(0),
        "no pending entries"
    );
    assert_eq!(h.propagated, vec![(0, words("xgroup DELCONSUMER s g c"))]);
    assert_eq!(
        h.run(streams::xgroup, &["xgroup", "DELCONSUMER", "s", "g", "c"]),
        int(0)
    );
    h.assert_no_change();
    assert_eq!(
        h.run(streams::xgroup, &["xgroup", "DESTROY", "s", "g"]),
        int(1)
    );
    assert_eq!(h.propagated, vec![(0, words("xgroup DESTROY s g"))]);
    assert_eq!(
        h.run(streams::xgroup, &["xgroup", "DESTROY", "s", "g"]),
        int(0)
    );
    h.assert_no_change();
}

#[test]
fn xack_acknowledges_pending_entries() {
    let mut h = with_group();
    h.run(
        streams::xreadgroup,
        &["xreadgroup", "GROUP", "g", "c", "STREAMS", "s", ">"],
    );
    assert_eq!(
        h.run(streams::xack, &["xack", "s", "g", "1-0", "2-0", "9-9"]),
        int(2)
    );
    assert_eq!(h.propagated, vec![(0, words("xack s g 1-0 2-0 9-9"))]);
    assert_eq!(h.dirty, 2);
    assert_eq!(h.run(streams::xack, &["xack", "s", "g", "1-0"]), int(0));
    h.assert_no_change();
    assert_eq!(h.run(streams::xack, &["xack", "s", "nog", "1-0"]), int(0));
    assert_eq!(
        h.run(streams::xack, &["xack", "s", "g", "bad"]),
        error("ERR Invalid stream ID specified as stream command argument")
    );
}

#[test]
fn xpending_summarises_and_lists_pending_entries() {
    let mut h = with_group();
    assert_eq!(
        h.run(streams::xpending, &["xpending", "s", "g"]),
        Frame::Array(vec![int(0), Frame::Null, Frame::Null, Frame::NullArray])
    );
    h.run(
        streams::xreadgroup,
        &["xreadgroup", "GROUP", "g", "c", "STREAMS", "s", ">"],
    );
    h.advance(Duration::from_millis(30));
    assert_eq!(
        h.run(streams::xpending, &["xpending", "s", "g"]),
        Frame::Array(vec![
            int(2),
            bulk("1-0"),
            bulk("2-0"),
            Frame::Array(vec![bulks(&["c", "2"])])
        ])
    );
    let pending = |id: &str| Frame::Array(vec![bulk(id), bulk("c"), int(30), int(1)]);
    assert_eq!(
        h.run(
            streams::xpending,
            &["xpending", "s", "g", "-", "+", "10", "c"]
        ),
        Frame::Array(vec![pending("1-0"), pending("2-0")])
    );
    assert_eq!(
        h.run(
            streams::xpending,
            &["xpending", "s", "g", "IDLE", "31", "-", "+", "10"]
        ),
        Frame::Array(Vec::new())
    );
    assert_eq!(
        h.run(
            streams::xpending,
            &["xpending", "s", "g", "-", "+", "10", "nobody"]
        ),
        Frame::Array(Vec::new())
    );
    h.assert_no_change();
}

#[test]
fn xpending_arguments_are_checked_like_redis() {
    let mut h = with_group();
    let cases: [(&[&str], &str); 5] = [
        (
            &["xpending", "s", "nog"],
            "NOGROUP No such key 's' or consumer group 'nog'",
        ),
        (
            &["xpending", "s", "g", "x", "+", "10"],
            "ERR Invalid stream ID specified as stream command argument",
        ),
        (&["xpending", "s", "g", "-", "+", "x"], NOT_INTEGER),
        (&["xpending", "s", "g", "IDLE", "1", "-", "+"], SYNTAX),
        (&["xpending", "s", "g", "bogus"], SYNTAX),
    ];
    for (args, text) in cases {
        assert_eq!(h.run(streams::xpending, args), error(text), "{args:?}");
    }
}

#[test]
fn xclaim_moves_an_entry_and_propagates_an_xclaim_with_its_state() {
    let mut h = with_group();
    h.run(
        streams::xreadgroup,
        &["xreadgroup", "GROUP", "g", "c", "STREAMS", "s", ">"],
    );
    assert_eq!(
        h.run(
            streams::xclaim,
            &["xclaim", "s", "g", "d", "0", "1-0", "JUSTID"]
        ),
        bulks(&["1-0"])
    );
    assert_eq!(
        h.propagated_words(),
        vec![xclaim("s", "g", "d", "1-0", 1, "2-0")],
        "JUSTID does not count a delivery"
    );
    assert_eq!(
        h.run(streams::xclaim, &["xclaim", "s", "g", "e", "0", "1-0"]),
        Frame::Array(vec![entry("1-0", &["f", "v"])])
    );
    assert_eq!(
        h.propagated_words(),
        vec![xclaim("s", "g", "e", "1-0", 2, "2-0")]
    );
    assert_eq!(
        h.run(
            streams::xclaim,
            &["xclaim", "s", "g", "e", "3600000", "1-0"]
        ),
        Frame::Array(Vec::new()),
        "not idle long enough"
    );
    h.assert_no_change();
}

#[test]
fn xclaim_arguments_are_checked_like_redis() {
    let mut h = with_group();
    let cases: [(&[&str], &str); 4] = [
        (
            &["xclaim", "s", "nog", "d", "0", "1-0"],
            "NOGROUP No such key 's' or consumer group 'nog'",
        ),
        (
            &["xclaim", "s", "g", "d", "x", "1-0"],
            "ERR Invalid min-idle-time argument for XCLAIM",
        ),
        (
            &["xclaim", "s", "g", "d", "0", "1-0", "bogus"],
            "ERR Unrecognized XCLAIM option 'bogus'",
        ),
        (
            &["xclaim", "s", "g", "d", "0", "1-0", "RETRYCOUNT", "x"],
            "ERR Invalid RETRYCOUNT option argument for XCLAIM",
        ),
    ];
    for (args, text) in cases {
        assert_eq!(h.run(streams::xclaim, args), error(text), "{args:?}");
        h.assert_no_change();
    }
}

#[test]
fn xautoclaim_claims_idle_entries_and_reports_deleted_ones() {
    let mut h = with_group();
    h.run(
        streams::xreadgroup,
        &["xreadgroup", "GROUP", "g", "c", "STREAMS", "s", ">"],
    );
    assert_eq!(
        h.run(
            streams::xautoclaim,
            &["xautoclaim", "s", "g", "e", "0", "0", "COUNT", "1"]
        ),
        Frame::Array(vec![
            bulk("2-0"),
            Frame::Array(vec![entry("1-0", &["f", "v"])]),
            Frame::Array(Vec::new())
        ])
    );
    assert_eq!(
        h.propagated_words(),
        vec![xclaim("s", "g", "e", "1-0", 2, "2-0")]
    );
    h.setup(&[(streams::xdel, &["xdel", "s", "2-0"])]);
    assert_eq!(
        h.run(
            streams::xautoclaim,
            &["xautoclaim", "s", "g", "e", "0", "2-0", "JUSTID"]
        ),
        Frame::Array(vec![bulk("0-0"), Frame::Array(Vec::new()), bulks(&["2-0"])])
    );
    // The deleted entry leaves the replica's pending list through an XCLAIM of what it was.
    assert_eq!(
        h.propagated_words(),
        vec![xclaim("s", "g", "c", "2-0", 1, "2-0")]
    );
}

#[test]
fn xautoclaim_arguments_are_checked_like_redis() {
    let mut h = with_group();
    let cases: [(&[&str], &str); 4] = [
        (
            &["xautoclaim", "s", "nog", "e", "0", "0"],
            "NOGROUP No such key 's' or consumer group 'nog'",
        ),
        (
            &["xautoclaim", "s", "g", "e", "0", "0", "COUNT", "0"],
            "ERR COUNT must be > 0",
        ),
        (&["xautoclaim", "s", "g", "e", "0", "0", "bogus"], SYNTAX),
        (
            &["xautoclaim", "s", "g", "e", "x", "0"],
            "ERR Invalid min-idle-time argument for XAUTOCLAIM",
        ),
    ];
    for (args, text) in cases {
        assert_eq!(h.run(streams::xautoclaim, args), error(text), "{args:?}");
        h.assert_no_change();
    }
}

#[test]
fn xinfo_needs_an_existing_stream_and_reads_nothing_else() {
    let mut h = with_group();
    assert_eq!(
        h.run(streams::xinfo, &["xinfo", "STREAM", "nope"]),
        error("ERR no such key")
    );
    assert_eq!(
        h.run(streams::xinfo, &["xinfo", "CONSUMERS", "s", "nog"]),
        error("NOGROUP No such consumer group 'nog' for key name 's'")
    );
    let Frame::Array(groups) = h.run(streams::xinfo, &["xinfo", "GROUPS", "s"]) else {
        panic!("XINFO GROUPS answers an array")
    };
    assert_eq!(groups.len(), 1);
    h.assert_no_change();
}
