//! Lists, with the blocking pops and moves.

use std::time::Duration;

use resp::Frame;

use super::support::*;
use crate::{lists, strings};

#[test]
fn pushes_count_signal_the_key_and_propagate_verbatim() {
    let mut h = Harness::new();
    assert_eq!(
        h.run(lists::rpush, &["rpush", "l", "a", "b"]),
        Frame::Integer(2)
    );
    assert_eq!(h.propagated, vec![(0, words("rpush l a b"))]);
    assert_eq!(h.ready, vec![(0, "l".to_owned())]);
    assert_eq!(h.run(lists::lpush, &["lpush", "l", "z"]), Frame::Integer(3));
    assert_eq!(
        h.run(lists::lrange, &["lrange", "l", "0", "-1"]),
        bulks(&["z", "a", "b"])
    );
    assert_eq!(
        h.run(lists::lpushx, &["lpushx", "nope", "x"]),
        Frame::Integer(0)
    );
    assert!(h.propagated.is_empty());
    assert!(h.ready.is_empty());
}

#[test]
fn list_commands_on_another_type_answer_wrongtype() {
    let mut h = Harness::new();
    h.setup(&[(strings::set, &["set", "s", "v"])]);
    assert_eq!(h.run(lists::lpush, &["lpush", "s", "x"]), wrongtype());
    assert_eq!(h.run(lists::llen, &["llen", "s"]), wrongtype());
    assert_eq!(h.run(lists::lpop, &["lpop", "s"]), wrongtype());
    assert_eq!(h.run(lists::blpop, &["blpop", "s", "0"]), wrongtype());
    assert!(h.block.is_none());
}

#[test]
fn pops_propagate_and_the_last_element_deletes_the_key() {
    let mut h = Harness::new();
    h.setup(&[(lists::rpush, &["rpush", "l", "a", "b", "c"])]);
    assert_eq!(h.run(lists::lpop, &["lpop", "l"]), bulk("a"));
    assert_eq!(h.propagated, vec![(0, words("lpop l"))]);
    assert_eq!(h.run(lists::rpop, &["rpop", "l", "5"]), bulks(&["c", "b"]));
    assert_eq!(h.run(lists::llen, &["llen", "l"]), Frame::Integer(0));
    assert_eq!(h.run(lists::lpop, &["lpop", "l"]), Frame::Null);
    assert_eq!(h.run(lists::lpop, &["lpop", "l", "2"]), Frame::NullArray);
    assert!(h.propagated.is_empty());
    assert_eq!(
        h.run(lists::lpop, &["lpop", "l", "-1"]),
        error("ERR value is out of range, must be positive")
    );
}

#[test]
fn index_set_trim_rem_insert() {
    let mut h = Harness::new();
    h.setup(&[(lists::rpush, &["rpush", "l", "a", "b", "a", "c"])]);
    assert_eq!(h.run(lists::lindex, &["lindex", "l", "-1"]), bulk("c"));
    assert_eq!(h.run(lists::lindex, &["lindex", "l", "9"]), Frame::Null);
    assert_eq!(
        h.run(lists::lset, &["lset", "l", "9", "x"]),
        error("ERR index out of range")
    );
    assert_eq!(
        h.run(lists::lset, &["lset", "nope", "0", "x"]),
        error("ERR no such key")
    );
    assert_eq!(
        h.run(lists::lrem, &["lrem", "l", "0", "a"]),
        Frame::Integer(2)
    );
    assert_eq!(
        h.run(lists::lrem, &["lrem", "l", "0", "zz"]),
        Frame::Integer(0)
    );
    assert!(h.propagated.is_empty());
    assert_eq!(
        h.run(lists::linsert, &["linsert", "l", "BEFORE", "c", "x"]),
        Frame::Integer(3)
    );
    assert_eq!(
        h.run(lists::linsert, &["linsert", "l", "AROUND", "c", "x"]),
        error("ERR syntax error")
    );
    assert_eq!(
        h.run(lists::linsert, &["linsert", "l", "AFTER", "zz", "x"]),
        Frame::Integer(-1)
    );
    assert_eq!(h.run(lists::ltrim, &["ltrim", "l", "0", "0"]), Frame::ok());
    assert_eq!(
        h.run(lists::lrange, &["lrange", "l", "0", "-1"]),
        bulks(&["b"])
    );
}

#[test]
fn lpos_options_and_their_errors() {
    let mut h = Harness::new();
    h.setup(&[(lists::rpush, &["rpush", "l", "a", "b", "a", "a"])]);
    assert_eq!(h.run(lists::lpos, &["lpos", "l", "a"]), Frame::Integer(0));
    assert_eq!(
        h.run(lists::lpos, &["lpos", "l", "a", "RANK", "-1"]),
        Frame::Integer(3)
    );
    assert_eq!(
        h.run(lists::lpos, &["lpos", "l", "a", "COUNT", "0"]),
        Frame::Array(vec![
            Frame::Integer(0),
            Frame::Integer(2),
            Frame::Integer(3)
        ])
    );
    assert_eq!(
        h.run(lists::lpos, &["lpos", "l", "a", "RANK", "0"]),
        error(
            "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list"
        )
    );
    assert_eq!(
        h.run(lists::lpos, &["lpos", "l", "a", "COUNT", "-1"]),
        error("ERR COUNT can't be negative")
    );
    assert_eq!(
        h.run(lists::lpos, &["lpos", "l", "a", "MAXLEN", "-1"]),
        error("ERR MAXLEN can't be negative")
    );
}

#[test]
fn lmove_and_rpoplpush_propagate_their_own_form() {
    let mut h = Harness::new();
    h.setup(&[(lists::rpush, &["rpush", "src", "a", "b"])]);
    assert_eq!(
        h.run(lists::lmove, &["lmove", "src", "dst", "LEFT", "RIGHT"]),
        bulk("a")
    );
    assert_eq!(h.propagated, vec![(0, words("lmove src dst LEFT RIGHT"))]);
    assert_eq!(h.ready, vec![(0, "dst".to_owned())]);
    assert_eq!(
        h.run(lists::rpoplpush, &["rpoplpush", "src", "dst"]),
        bulk("b")
    );
    assert_eq!(
        h.run(lists::rpoplpush, &["rpoplpush", "src", "dst"]),
        Frame::Null
    );
    assert_eq!(
        h.run(lists::lmove, &["lmove", "src", "dst", "UP", "RIGHT"]),
        error("ERR syntax error")
    );
}

#[test]
fn blpop_on_data_answers_at_once_and_propagates_lpop() {
    let mut h = Harness::new();
    h.setup(&[(lists::rpush, &["rpush", "b", "x"])]);
    assert_eq!(
        h.run(lists::blpop, &["blpop", "a", "b", "0"]),
        bulks(&["b", "x"])
    );
    assert_eq!(h.propagated_words(), vec![words("LPOP b")]);
    assert!(h.block.is_none());
}

#[test]
fn blpop_on_empty_keys_blocks_and_a_push_serves_it() {
    let mut h = Harness::new();
    assert_eq!(
        h.run(lists::blpop, &["blpop", "a", "b", "1.5"]),
        Frame::NullArray
    );
    let mut request = h.block.take().expect("BLPOP on empty keys blocks");
    assert_eq!(request.keys, argv(&["a", "b"]));
    assert_eq!(request.timeout, Some(Duration::from_millis(1500)));
    assert_eq!(request.op.timeout_reply(), Frame::NullArray);
    assert_eq!(h.serve(&mut request, "b"), None, "nothing there yet");
    h.setup(&[(lists::rpush, &["rpush", "b", "x", "y"])]);
    assert_eq!(h.serve(&mut request, "b"), Some(bulks(&["b", "x"])));
    assert_eq!(h.propagated_words(), vec![words("LPOP b")]);
}

#[test]
fn a_blocking_pop_that_may_not_block_answers_like_a_timeout() {
    let mut h = Harness::new();
    h.caller.may_block = false;
    assert_eq!(h.run(lists::brpop, &["brpop", "a", "0"]), Frame::NullArray);
    assert!(h.block.is_none());
    assert_eq!(
        h.run(lists::blmove, &["blmove", "a", "b", "LEFT", "LEFT", "0"]),
        Frame::Null
    );
    assert!(h.block.is_none());
}

#[test]
fn blmove_blocks_and_serving_it_propagates_lmove() {
    let mut h = Harness::new();
    assert_eq!(
        h.run(
            lists::blmove,
            &["blmove", "src", "dst", "RIGHT", "LEFT", "0"]
        ),
        Frame::Null
    );
    let mut request = h.block.take().expect("BLMOVE on an empty source blocks");
    assert_eq!(request.timeout, None, "0 waits forever");
    h.setup(&[(lists::rpush, &["rpush", "src", "a", "b"])]);
    assert_eq!(h.serve(&mut request, "src"), Some(bulk("b")));
    // Redis names the ends with its shared lower-case `left`/`right` objects here.
    assert_eq!(
        h.propagated_words(),
        vec![words("LMOVE src dst right left")]
    );
    assert_eq!(h.ready, vec![(0, "dst".to_owned())]);
}

#[test]
fn blocking_timeouts_are_checked_like_redis() {
    let mut h = Harness::new();
    assert_eq!(
        h.run(lists::blpop, &["blpop", "a", "x"]),
        error("ERR timeout is not a float or out of range")
    );
    assert_eq!(
        h.run(lists::blpop, &["blpop", "a", "-1"]),
        error("ERR timeout is negative")
    );
    assert!(h.block.is_none());
}

#[test]
fn lmpop_and_blmpop() {
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
    assert_eq!(
        h.run(lists::lmpop, &["lmpop", "0", "a", "LEFT"]),
        error("ERR numkeys should be greater than 0")
    );
    assert_eq!(
        h.run(lists::lmpop, &["lmpop", "1", "a", "MIDDLE"]),
        error("ERR syntax error")
    );
    assert_eq!(
        h.run(lists::blmpop, &["blmpop", "0", "1", "none", "LEFT"]),
        Frame::NullArray
    );
    let request = h.block.take().expect("BLMPOP on empty keys blocks");
    assert_eq!(request.keys, argv(&["none"]));
}
