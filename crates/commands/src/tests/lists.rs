//! Lists: pushes, pops, reads, LSET/LREM/LTRIM/LINSERT/LPOS, LMOVE/RPOPLPUSH, LMPOP, and the blocking
//! pops and moves (BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP): served at once, blocked, and served later.

use std::time::Duration;

use resp::Frame;

use super::support::*;
use crate::{lists, strings};

/// A harness holding the list `l` = `items`.
fn with_list(items: &[&str]) -> Harness {
    let mut h = Harness::new();
    let mut args = vec!["rpush", "l"];
    args.extend_from_slice(items);
    h.setup(&[(lists::rpush, &args)]);
    h
}

fn range(h: &mut Harness, key: &str) -> Frame {
    h.run(lists::lrange, &["lrange", key, "0", "-1"])
}

#[test]
fn pushes_count_each_element_signal_the_key_and_propagate_verbatim() {
    let mut h = Harness::new();
    assert_eq!(h.run(lists::rpush, &["rpush", "l", "a", "b"]), int(2));
    assert_eq!(h.propagated, vec![(0, words("rpush l a b"))]);
    assert_eq!(h.dirty, 2);
    assert_eq!(h.ready, keys_in(0, &["l"]));
    assert_eq!(h.run(lists::lpush, &["lpush", "l", "y", "z"]), int(4));
    assert_eq!(range(&mut h, "l"), bulks(&["z", "y", "a", "b"]));
}

#[test]
fn pushx_pushes_only_onto_an_existing_list() {
    let mut h = Harness::new();
    assert_eq!(h.run(lists::lpushx, &["lpushx", "l", "x"]), int(0));
    h.assert_no_change();
    assert!(h.ready.is_empty());
    assert_eq!(h.run(lists::rpushx, &["rpushx", "l", "x"]), int(0));
    assert_eq!(h.run(lists::llen, &["llen", "l"]), int(0));
    h.setup(&[(lists::rpush, &["rpush", "l", "a"])]);
    assert_eq!(h.run(lists::rpushx, &["rpushx", "l", "b", "c"]), int(3));
    assert_eq!(h.propagated, vec![(0, words("rpushx l b c"))]);
    assert_eq!(h.run(lists::lpushx, &["lpushx", "l", "z"]), int(4));
    assert_eq!(range(&mut h, "l"), bulks(&["z", "a", "b", "c"]));
}

#[test]
fn list_commands_on_another_type_answer_wrongtype() {
    let mut h = Harness::new();
    h.setup(&[(strings::set, &["set", "s", "v"])]);
    let cases: [(crate::Handler, &[&str]); 12] = [
        (lists::lpush, &["lpush", "s", "x"]),
        (lists::rpushx, &["rpushx", "s", "x"]),
        (lists::llen, &["llen", "s"]),
        (lists::lpop, &["lpop", "s"]),
        (lists::lrange, &["lrange", "s", "0", "1"]),
        (lists::lindex, &["lindex", "s", "x"]),
        (lists::lset, &["lset", "s", "0", "x"]),
        (lists::linsert, &["linsert", "s", "BEFORE", "a", "b"]),
        (lists::lpos, &["lpos", "s", "a"]),
        (lists::lmove, &["lmove", "s", "d", "LEFT", "LEFT"]),
        (lists::blpop, &["blpop", "s", "0"]),
        (lists::lmpop, &["lmpop", "1", "s", "LEFT"]),
    ];
    for (handler, args) in cases {
        assert_eq!(h.run(handler, args), wrongtype(), "{args:?}");
        h.assert_no_change();
        assert!(h.block.is_none());
    }
}

#[test]
fn pops_propagate_verbatim_and_the_last_element_deletes_the_key() {
    let mut h = with_list(&["a", "b", "c"]);
    assert_eq!(h.run(lists::lpop, &["lpop", "l"]), bulk("a"));
    assert_eq!(h.propagated, vec![(0, words("lpop l"))]);
    assert_eq!(h.dirty, 1);
    assert_eq!(h.run(lists::rpop, &["rpop", "l", "5"]), bulks(&["c", "b"]));
    assert_eq!(h.propagated, vec![(0, words("rpop l 5"))]);
    assert_eq!(h.dirty, 2);
    assert_eq!(h.run(crate::keys::exists, &["exists", "l"]), int(0));
}

#[test]
fn pops_of_a_missing_key_or_a_zero_count_change_nothing() {
    let mut h = Harness::new();
    assert_eq!(h.run(lists::lpop, &["lpop", "l"]), Frame::Null);
    assert_eq!(h.run(lists::lpop, &["lpop", "l", "2"]), Frame::NullArray);
    assert_eq!(h.run(lists::rpop, &["rpop", "l", "0"]), Frame::NullArray);
    h.assert_no_change();
    h.setup(&[(lists::rpush, &["rpush", "l", "a"])]);
    assert_eq!(
        h.run(lists::lpop, &["lpop", "l", "0"]),
        Frame::Array(Vec::new())
    );
    h.assert_no_change();
}

#[test]
fn pop_counts_are_checked() {
    let mut h = with_list(&["a"]);
    let positive = error("ERR value is out of range, must be positive");
    assert_eq!(h.run(lists::lpop, &["lpop", "l", "-1"]), positive);
    assert_eq!(h.run(lists::lpop, &["lpop", "l", "x"]), positive);
    assert_eq!(
        h.run(lists::lpop, &["lpop", "l", "1", "2"]),
        error("ERR wrong number of arguments for 'lpop' command")
    );
    h.assert_no_change();
}

#[test]
fn lrange_and_lindex_read_without_recording() {
    let mut h = with_list(&["a", "b", "c"]);
    assert_eq!(
        h.run(lists::lrange, &["lrange", "l", "-2", "100"]),
        bulks(&["b", "c"])
    );
    assert_eq!(
        h.run(lists::lrange, &["lrange", "l", "2", "1"]),
        Frame::Array(Vec::new())
    );
    assert_eq!(
        h.run(lists::lrange, &["lrange", "nope", "0", "-1"]),
        Frame::Array(Vec::new())
    );
    assert_eq!(h.run(lists::lindex, &["lindex", "l", "-1"]), bulk("c"));
    assert_eq!(h.run(lists::lindex, &["lindex", "l", "9"]), Frame::Null);
    assert_eq!(h.run(lists::llen, &["llen", "l"]), int(3));
    h.assert_no_change();
}

#[test]
fn lrange_checks_its_indices_first_and_lindex_its_key_first() {
    let mut h = Harness::new();
    h.setup(&[(strings::set, &["set", "s", "v"])]);
    assert_eq!(
        h.run(lists::lrange, &["lrange", "s", "x", "1"]),
        error(NOT_INTEGER)
    );
    assert_eq!(h.run(lists::lindex, &["lindex", "s", "x"]), wrongtype());
    assert_eq!(h.run(lists::lindex, &["lindex", "nope", "x"]), Frame::Null);
    h.setup(&[(lists::rpush, &["rpush", "l", "a"])]);
    assert_eq!(
        h.run(lists::lindex, &["lindex", "l", "x"]),
        error(NOT_INTEGER)
    );
}

#[test]
fn lset_replaces_an_element_and_checks_key_and_index() {
    let mut h = with_list(&["a", "b"]);
    assert_eq!(h.run(lists::lset, &["lset", "l", "-1", "z"]), Frame::ok());
    assert_eq!(h.propagated, vec![(0, words("lset l -1 z"))]);
    assert_eq!(h.dirty, 1);
    assert_eq!(range(&mut h, "l"), bulks(&["a", "z"]));
    let cases = [
        (["nope", "0"], "ERR no such key"),
        (["l", "2"], "ERR index out of range"),
        (["l", "x"], NOT_INTEGER),
    ];
    for ([key, index], text) in cases {
        assert_eq!(h.run(lists::lset, &["lset", key, index, "x"]), error(text));
        h.assert_no_change();
    }
}

#[test]
fn lrem_counts_removals_and_the_last_removal_deletes_the_key() {
    let mut h = with_list(&["a", "b", "a", "c", "a"]);
    assert_eq!(h.run(lists::lrem, &["lrem", "l", "-1", "a"]), int(1));
    assert_eq!(range(&mut h, "l"), bulks(&["a", "b", "a", "c"]));
    assert_eq!(h.run(lists::lrem, &["lrem", "l", "0", "a"]), int(2));
    assert_eq!(h.propagated, vec![(0, words("lrem l 0 a"))]);
    assert_eq!(h.dirty, 2);
    assert_eq!(h.run(lists::lrem, &["lrem", "l", "0", "zz"]), int(0));
    h.assert_no_change();
    assert_eq!(
        h.run(lists::lrem, &["lrem", "l", "x", "a"]),
        error(NOT_INTEGER)
    );
    assert_eq!(h.run(lists::lrem, &["lrem", "l", "0", "b"]), int(1));
    assert_eq!(h.run(lists::lrem, &["lrem", "l", "0", "c"]), int(1));
    assert_eq!(h.run(crate::keys::exists, &["exists", "l"]), int(0));
}

#[test]
fn ltrim_counts_what_it_removed_and_an_empty_result_deletes_the_key() {
    let mut h = with_list(&["a", "b", "c", "d"]);
    assert_eq!(h.run(lists::ltrim, &["ltrim", "l", "0", "-1"]), Frame::ok());
    h.assert_no_change();
    assert_eq!(h.run(lists::ltrim, &["ltrim", "l", "1", "2"]), Frame::ok());
    assert_eq!(h.propagated, vec![(0, words("ltrim l 1 2"))]);
    assert_eq!(h.dirty, 2);
    assert_eq!(range(&mut h, "l"), bulks(&["b", "c"]));
    assert_eq!(h.run(lists::ltrim, &["ltrim", "l", "1", "0"]), Frame::ok());
    assert_eq!(h.run(crate::keys::exists, &["exists", "l"]), int(0));
    assert_eq!(
        h.run(lists::ltrim, &["ltrim", "nope", "0", "1"]),
        Frame::ok()
    );
    h.assert_no_change();
    assert_eq!(
        h.run(lists::ltrim, &["ltrim", "nope", "0", "x"]),
        error(NOT_INTEGER)
    );
}

#[test]
fn linsert_before_or_after_a_pivot() {
    let mut h = with_list(&["a", "c"]);
    assert_eq!(
        h.run(lists::linsert, &["linsert", "l", "BEFORE", "c", "b"]),
        int(3)
    );
    assert_eq!(h.propagated, vec![(0, words("linsert l BEFORE c b"))]);
    assert_eq!(
        h.run(lists::linsert, &["linsert", "l", "after", "c", "d"]),
        int(4)
    );
    assert_eq!(range(&mut h, "l"), bulks(&["a", "b", "c", "d"]));
    assert_eq!(
        h.run(lists::linsert, &["linsert", "l", "AFTER", "zz", "x"]),
        int(-1)
    );
    h.assert_no_change();
    assert_eq!(
        h.run(lists::linsert, &["linsert", "nope", "AFTER", "a", "x"]),
        int(0)
    );
    h.assert_no_change();
    assert_eq!(
        h.run(lists::linsert, &["linsert", "nope", "AROUND", "c", "x"]),
        error(SYNTAX)
    );
}

#[test]
fn lpos_finds_positions_with_rank_count_and_maxlen() {
    let mut h = with_list(&["a", "b", "a", "a"]);
    let positions = |items: &[i64]| Frame::Array(items.iter().map(|&i| int(i)).collect());
    assert_eq!(h.run(lists::lpos, &["lpos", "l", "a"]), int(0));
    assert_eq!(
        h.run(lists::lpos, &["lpos", "l", "a", "RANK", "-1"]),
        int(3)
    );
    assert_eq!(
        h.run(lists::lpos, &["lpos", "l", "a", "COUNT", "0"]),
        positions(&[0, 2, 3])
    );
    assert_eq!(
        h.run(lists::lpos, &["lpos", "l", "a", "RANK", "2", "COUNT", "1"]),
        positions(&[2])
    );
    assert_eq!(
        h.run(
            lists::lpos,
            &["lpos", "l", "a", "COUNT", "0", "MAXLEN", "2"]
        ),
        positions(&[0])
    );
    assert_eq!(h.run(lists::lpos, &["lpos", "l", "zz"]), Frame::Null);
    assert_eq!(h.run(lists::lpos, &["lpos", "nope", "a"]), Frame::Null);
    assert_eq!(
        h.run(lists::lpos, &["lpos", "nope", "a", "COUNT", "1"]),
        positions(&[])
    );
    h.assert_no_change();
}

#[test]
fn lpos_options_are_checked_before_the_key() {
    let mut h = Harness::new();
    let cases: [(&[&str], &str); 7] = [
        (
            &["lpos", "nope", "a", "RANK", "0"],
            "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list",
        ),
        (&["lpos", "nope", "a", "RANK", "x"], NOT_INTEGER),
        (
            &["lpos", "nope", "a", "COUNT", "-1"],
            "ERR COUNT can't be negative",
        ),
        (
            &["lpos", "nope", "a", "COUNT", "x"],
            "ERR COUNT can't be negative",
        ),
        (
            &["lpos", "nope", "a", "MAXLEN", "-1"],
            "ERR MAXLEN can't be negative",
        ),
        (&["lpos", "nope", "a", "RANK"], SYNTAX),
        (&["lpos", "nope", "a", "bogus", "1"], SYNTAX),
    ];
    for (args, text) in cases {
        assert_eq!(h.run(lists::lpos, args), error(text), "{args:?}");
    }
}

#[test]
fn lmove_and_rpoplpush_propagate_verbatim_and_signal_a_new_destination() {
    let mut h = with_list(&["a", "b"]);
    assert_eq!(
        h.run(lists::lmove, &["lmove", "l", "dst", "LEFT", "RIGHT"]),
        bulk("a")
    );
    assert_eq!(h.propagated, vec![(0, words("lmove l dst LEFT RIGHT"))]);
    assert_eq!(h.dirty, 1);
    assert_eq!(h.ready, keys_in(0, &["dst"]));
    assert_eq!(
        h.run(lists::rpoplpush, &["rpoplpush", "l", "dst"]),
        bulk("b")
    );
    assert_eq!(h.propagated, vec![(0, words("rpoplpush l dst"))]);
    assert_eq!(range(&mut h, "dst"), bulks(&["b", "a"]));
    assert_eq!(h.run(crate::keys::exists, &["exists", "l"]), int(0));
    assert_eq!(
        h.run(lists::rpoplpush, &["rpoplpush", "l", "dst"]),
        Frame::Null
    );
    h.assert_no_change();
    assert_eq!(
        h.run(lists::lmove, &["lmove", "l", "dst", "UP", "RIGHT"]),
        error(SYNTAX)
    );
}

#[test]
fn lmove_onto_the_same_list_rotates_it() {
    let mut h = with_list(&["a", "b", "c"]);
    assert_eq!(
        h.run(lists::lmove, &["lmove", "l", "l", "LEFT", "RIGHT"]),
        bulk("a")
    );
    assert_eq!(h.propagated, vec![(0, words("lmove l l LEFT RIGHT"))]);
    assert_eq!(range(&mut h, "l"), bulks(&["b", "c", "a"]));
}

#[test]
fn lmove_to_a_destination_of_another_type_leaves_the_source_alone() {
    let mut h = with_list(&["a"]);
    h.setup(&[(strings::set, &["set", "s", "v"])]);
    assert_eq!(
        h.run(lists::lmove, &["lmove", "l", "s", "LEFT", "LEFT"]),
        wrongtype()
    );
    h.assert_no_change();
    assert_eq!(range(&mut h, "l"), bulks(&["a"]));
}

#[test]
fn blpop_on_data_answers_at_once_and_propagates_lpop() {
    let mut h = Harness::new();
    h.setup(&[(lists::rpush, &["rpush", "b", "x", "y"])]);
    assert_eq!(
        h.run(lists::blpop, &["blpop", "a", "b", "0"]),
        bulks(&["b", "x"])
    );
    assert_eq!(h.propagated_words(), vec![words("LPOP b")]);
    assert_eq!(h.dirty, 1);
    assert!(h.block.is_none());
    assert_eq!(
        h.run(lists::brpop, &["brpop", "b", "0"]),
        bulks(&["b", "y"])
    );
    assert_eq!(h.propagated_words(), vec![words("RPOP b")]);
    assert_eq!(h.run(crate::keys::exists, &["exists", "b"]), int(0));
}

#[test]
fn blpop_answers_wrongtype_for_the_first_non_list_key_it_meets() {
    let mut h = Harness::new();
    h.setup(&[
        (strings::set, &["set", "s", "v"]),
        (lists::rpush, &["rpush", "l", "x"]),
    ]);
    assert_eq!(
        h.run(lists::blpop, &["blpop", "nope", "s", "l", "0"]),
        wrongtype()
    );
    h.assert_no_change();
    assert_eq!(
        h.run(lists::blpop, &["blpop", "l", "s", "0"]),
        bulks(&["l", "x"]),
        "a list met first is popped"
    );
}

#[test]
fn blpop_on_empty_keys_blocks_and_a_push_serves_it() {
    let mut h = Harness::new();
    assert_eq!(
        h.run(lists::blpop, &["blpop", "a", "b", "1.5"]),
        Frame::NullArray
    );
    h.assert_no_change();
    let mut request = h.take_block();
    assert_eq!(request.keys, argv(&["a", "b"]));
    assert_eq!(request.timeout, Some(Duration::from_millis(1500)));
    assert_eq!(request.op.timeout_reply(), Frame::NullArray);
    assert!(!request.op.serves_missing_key());
    assert_eq!(h.serve(&mut request, "b"), None, "nothing there yet");
    h.setup(&[(lists::rpush, &["rpush", "b", "x", "y"])]);
    assert_eq!(h.serve(&mut request, "b"), Some(bulks(&["b", "x"])));
    assert_eq!(h.propagated_words(), vec![words("LPOP b")]);
    assert_eq!(h.dirty, 1);
    assert_eq!(range(&mut h, "b"), bulks(&["y"]));
}

#[test]
fn a_blocked_brpop_keeps_waiting_when_its_key_holds_another_type() {
    let mut h = Harness::new();
    h.run(lists::brpop, &["brpop", "k", "0"]);
    let mut request = h.take_block();
    assert_eq!(request.timeout, None, "0 waits forever");
    h.setup(&[(strings::set, &["set", "k", "v"])]);
    assert_eq!(h.serve(&mut request, "k"), None);
    h.assert_no_change();
}

#[test]
fn a_blocking_pop_that_may_not_block_answers_like_a_timeout() {
    let mut h = Harness::new();
    h.deny_blocking();
    assert_eq!(h.run(lists::brpop, &["brpop", "a", "0"]), Frame::NullArray);
    assert!(h.block.is_none());
    assert_eq!(
        h.run(lists::blmpop, &["blmpop", "0", "1", "a", "LEFT"]),
        Frame::NullArray
    );
    assert!(h.block.is_none());
    // BLMOVE answers a null bulk string here, but a null array when a blocked one times out.
    assert_eq!(
        h.run(lists::blmove, &["blmove", "a", "b", "LEFT", "LEFT", "0"]),
        Frame::Null
    );
    assert!(h.block.is_none());
    assert_eq!(
        h.run(lists::brpoplpush, &["brpoplpush", "a", "b", "0"]),
        Frame::Null
    );
    assert!(h.block.is_none());
}

#[test]
fn the_master_stream_never_blocks() {
    let mut h = Harness::new();
    h.master_link();
    assert_eq!(h.run(lists::blpop, &["blpop", "a", "0"]), Frame::NullArray);
    assert!(h.block.is_none());
}

#[test]
fn blmove_served_at_once_propagates_lmove_with_the_client_words() {
    let mut h = with_list(&["a", "b"]);
    assert_eq!(
        h.run(lists::blmove, &["blmove", "l", "d", "right", "LEFT", "0"]),
        bulk("b")
    );
    assert_eq!(h.propagated_words(), vec![words("LMOVE l d right LEFT")]);
    assert_eq!(
        h.run(lists::brpoplpush, &["brpoplpush", "l", "d", "0"]),
        bulk("a")
    );
    assert_eq!(h.propagated_words(), vec![words("RPOPLPUSH l d")]);
    assert_eq!(range(&mut h, "d"), bulks(&["a", "b"]));
}

#[test]
fn blmove_blocks_on_its_source_and_serving_it_propagates_lmove() {
    let mut h = Harness::new();
    assert_eq!(
        h.run(
            lists::blmove,
            &["blmove", "src", "dst", "RIGHT", "LEFT", "2"]
        ),
        Frame::Null
    );
    let mut request = h.take_block();
    assert_eq!(request.keys, argv(&["src"]));
    assert_eq!(request.timeout, Some(Duration::from_secs(2)));
    assert_eq!(request.op.timeout_reply(), Frame::NullArray);
    h.setup(&[(lists::rpush, &["rpush", "src", "a", "b"])]);
    assert_eq!(h.serve(&mut request, "src"), Some(bulk("b")));
    // Redis names the ends with its shared lower-case `left`/`right` objects here.
    assert_eq!(
        h.propagated_words(),
        vec![words("LMOVE src dst right left")]
    );
    assert_eq!(h.ready, keys_in(0, &["dst"]));
}

#[test]
fn a_blocked_brpoplpush_is_served_as_rpoplpush() {
    let mut h = Harness::new();
    h.run(lists::brpoplpush, &["brpoplpush", "src", "dst", "0"]);
    let mut request = h.take_block();
    h.setup(&[(lists::rpush, &["rpush", "src", "a", "b"])]);
    assert_eq!(h.serve(&mut request, "src"), Some(bulk("b")));
    assert_eq!(h.propagated_words(), vec![words("RPOPLPUSH src dst")]);
}

#[test]
fn a_blocked_blmove_to_a_destination_of_another_type_ends_with_wrongtype() {
    let mut h = Harness::new();
    h.run(lists::blmove, &["blmove", "src", "s", "LEFT", "LEFT", "0"]);
    let mut request = h.take_block();
    h.setup(&[
        (strings::set, &["set", "s", "v"]),
        (lists::rpush, &["rpush", "src", "a"]),
    ]);
    assert_eq!(h.serve(&mut request, "src"), Some(wrongtype()));
    h.assert_no_change();
    assert_eq!(range(&mut h, "src"), bulks(&["a"]));
}

#[test]
fn blocking_timeouts_are_checked_like_redis() {
    let mut h = Harness::new();
    let not_float = error("ERR timeout is not a float or out of range");
    let negative = error("ERR timeout is negative");
    assert_eq!(h.run(lists::blpop, &["blpop", "a", "x"]), not_float);
    assert_eq!(h.run(lists::blpop, &["blpop", "a", "-1"]), negative);
    assert_eq!(
        h.run(lists::blmove, &["blmove", "a", "b", "LEFT", "LEFT", "x"]),
        not_float
    );
    assert_eq!(
        h.run(lists::brpoplpush, &["brpoplpush", "a", "b", "-1"]),
        negative
    );
    assert_eq!(
        h.run(lists::blmpop, &["blmpop", "x", "1", "a", "LEFT"]),
        not_float
    );
    assert!(h.block.is_none());
}

#[test]
fn lmpop_pops_from_the_first_non_empty_list_and_propagates_the_count_popped() {
    let mut h = Harness::new();
    h.setup(&[(lists::rpush, &["rpush", "b", "1", "2", "3"])]);
    assert_eq!(
        h.run(
            lists::lmpop,
            &["lmpop", "2", "a", "b", "RIGHT", "COUNT", "2"]
        ),
        Frame::Array(vec![bulk("b"), bulks(&["3", "2"])])
    );
    assert_eq!(h.propagated_words(), vec![words("RPOP b 2")]);
    assert_eq!(h.dirty, 2);
    assert_eq!(h.touched, keys_in(0, &["b"]), "only the list it popped");
    assert_eq!(
        h.run(lists::lmpop, &["lmpop", "1", "b", "LEFT", "COUNT", "10"]),
        Frame::Array(vec![bulk("b"), bulks(&["1"])])
    );
    assert_eq!(h.propagated_words(), vec![words("LPOP b 1")]);
    assert_eq!(
        h.run(lists::lmpop, &["lmpop", "1", "b", "LEFT"]),
        Frame::NullArray
    );
    h.assert_no_change();
    assert!(h.block.is_none());
}

#[test]
fn lmpop_arguments_are_checked_like_redis() {
    let mut h = Harness::new();
    let cases: [(&[&str], &str); 7] = [
        (
            &["lmpop", "0", "a", "LEFT"],
            "ERR numkeys should be greater than 0",
        ),
        (
            &["lmpop", "x", "a", "LEFT"],
            "ERR numkeys should be greater than 0",
        ),
        (&["lmpop", "3", "a", "b", "LEFT"], SYNTAX),
        (&["lmpop", "1", "a", "MIDDLE"], SYNTAX),
        (
            &["lmpop", "1", "a", "LEFT", "COUNT", "0"],
            "ERR count should be greater than 0",
        ),
        (
            &["lmpop", "1", "a", "LEFT", "COUNT", "1", "COUNT", "1"],
            SYNTAX,
        ),
        (&["lmpop", "1", "a", "LEFT", "COUNT"], SYNTAX),
    ];
    for (args, text) in cases {
        assert_eq!(h.run(lists::lmpop, args), error(text), "{args:?}");
    }
}

#[test]
fn blmpop_blocks_and_is_served_as_a_counted_pop() {
    let mut h = Harness::new();
    assert_eq!(
        h.run(
            lists::blmpop,
            &["blmpop", "0.25", "2", "a", "b", "RIGHT", "COUNT", "5"]
        ),
        Frame::NullArray
    );
    let mut request = h.take_block();
    assert_eq!(request.keys, argv(&["a", "b"]));
    assert_eq!(request.timeout, Some(Duration::from_millis(250)));
    assert_eq!(request.op.timeout_reply(), Frame::NullArray);
    h.setup(&[(lists::rpush, &["rpush", "b", "x", "y"])]);
    assert_eq!(
        h.serve(&mut request, "b"),
        Some(Frame::Array(vec![bulk("b"), bulks(&["y", "x"])]))
    );
    assert_eq!(h.propagated_words(), vec![words("RPOP b 2")]);
    assert_eq!(h.dirty, 2);
}
