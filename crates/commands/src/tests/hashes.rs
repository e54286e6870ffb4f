//! Hashes.

use resp::{Frame, Protocol};

use super::support::*;
use crate::{hashes, strings};

#[test]
fn hset_counts_new_fields_and_propagates_verbatim() {
    let mut h = Harness::new();
    assert_eq!(
        h.run(hashes::hset, &["hset", "h", "a", "1", "b", "2"]),
        Frame::Integer(2)
    );
    assert_eq!(h.propagated, vec![(0, words("hset h a 1 b 2"))]);
    assert_eq!(
        h.run(hashes::hset, &["hset", "h", "a", "9"]),
        Frame::Integer(0)
    );
    assert_eq!(h.run(hashes::hset, &["hmset", "h", "c", "3"]), Frame::ok());
    assert_eq!(h.run(hashes::hget, &["hget", "h", "a"]), bulk("9"));
    assert_eq!(
        h.run(hashes::hset, &["hset", "h", "a"]),
        error("ERR wrong number of arguments for 'hset' command")
    );
}

#[test]
fn hash_commands_on_another_type_answer_wrongtype() {
    let mut h = Harness::new();
    h.setup(&[(strings::set, &["set", "s", "v"])]);
    assert_eq!(h.run(hashes::hset, &["hset", "s", "f", "v"]), wrongtype());
    assert_eq!(h.run(hashes::hget, &["hget", "s", "f"]), wrongtype());
    assert_eq!(h.run(hashes::hgetall, &["hgetall", "s"]), wrongtype());
    assert_eq!(
        h.run(hashes::hincrby, &["hincrby", "s", "f", "1"]),
        wrongtype()
    );
    assert!(h.propagated.is_empty());
}

#[test]
fn hsetnx_hdel_and_the_last_field_deletes_the_key() {
    let mut h = Harness::new();
    assert_eq!(
        h.run(hashes::hsetnx, &["hsetnx", "h", "f", "1"]),
        Frame::Integer(1)
    );
    assert_eq!(
        h.run(hashes::hsetnx, &["hsetnx", "h", "f", "2"]),
        Frame::Integer(0)
    );
    assert!(h.propagated.is_empty());
    assert_eq!(
        h.run(hashes::hdel, &["hdel", "h", "f", "nope"]),
        Frame::Integer(1)
    );
    assert_eq!(h.propagated, vec![(0, words("hdel h f nope"))]);
    assert_eq!(h.run(hashes::hlen, &["hlen", "h"]), Frame::Integer(0));
    assert_eq!(
        h.run(hashes::hexists, &["hexists", "h", "f"]),
        Frame::Integer(0)
    );
    assert_eq!(h.run(hashes::hdel, &["hdel", "h", "f"]), Frame::Integer(0));
    assert!(h.propagated.is_empty());
}

#[test]
fn reads_and_their_resp3_shape() {
    let mut h = Harness::new();
    h.setup(&[(hashes::hset, &["hset", "h", "a", "1"])]);
    // A map, which RESP2 sends as a flat array.
    assert_eq!(
        h.run(hashes::hgetall, &["hgetall", "h"]),
        Frame::Map(vec![(bulk("a"), bulk("1"))])
    );
    assert_eq!(h.run(hashes::hkeys, &["hkeys", "h"]), bulks(&["a"]));
    assert_eq!(h.run(hashes::hvals, &["hvals", "h"]), bulks(&["1"]));
    assert_eq!(
        h.run(hashes::hstrlen, &["hstrlen", "h", "a"]),
        Frame::Integer(1)
    );
    assert_eq!(
        h.run(hashes::hmget, &["hmget", "h", "a", "x"]),
        Frame::Array(vec![bulk("1"), Frame::Null])
    );
    assert!(h.propagated.is_empty());
    // HRANDFIELD WITHVALUES pairs each field with its value in RESP3, and flattens them in RESP2.
    assert_eq!(
        h.run(hashes::hrandfield, &["hrandfield", "h", "1", "WITHVALUES"]),
        bulks(&["a", "1"])
    );
    h.protocol = Protocol::Resp3;
    assert_eq!(
        h.run(hashes::hrandfield, &["hrandfield", "h", "1", "WITHVALUES"]),
        Frame::Array(vec![bulks(&["a", "1"])])
    );
}

#[test]
fn hincrby_checks_integers_and_overflow() {
    let mut h = Harness::new();
    assert_eq!(
        h.run(hashes::hincrby, &["hincrby", "h", "n", "5"]),
        Frame::Integer(5)
    );
    assert_eq!(h.propagated, vec![(0, words("hincrby h n 5"))]);
    assert_eq!(
        h.run(hashes::hincrby, &["hincrby", "h", "n", "x"]),
        error("ERR value is not an integer or out of range")
    );
    h.run(hashes::hset, &["hset", "h", "s", "abc"]);
    assert_eq!(
        h.run(hashes::hincrby, &["hincrby", "h", "s", "1"]),
        error("ERR hash value is not an integer")
    );
    h.run(hashes::hset, &["hset", "h", "m", "9223372036854775807"]);
    assert_eq!(
        h.run(hashes::hincrby, &["hincrby", "h", "m", "1"]),
        error("ERR increment or decrement would overflow")
    );
}

#[test]
fn hincrbyfloat_propagates_hset_of_the_result() {
    let mut h = Harness::new();
    assert_eq!(
        h.run(hashes::hincrbyfloat, &["hincrbyfloat", "h", "f", "2.5"]),
        bulk("2.5")
    );
    assert_eq!(h.propagated_words(), vec![words("HSET h f 2.5")]);
    h.run(hashes::hset, &["hset", "h", "s", "abc"]);
    assert_eq!(
        h.run(hashes::hincrbyfloat, &["hincrbyfloat", "h", "s", "1"]),
        error("ERR hash value is not a float")
    );
    assert_eq!(
        h.run(hashes::hincrbyfloat, &["hincrbyfloat", "h", "f", "x"]),
        error("ERR value is not a valid float")
    );
}

#[test]
fn hrandfield_never_propagates_and_counts_like_redis() {
    let mut h = Harness::new();
    h.setup(&[(hashes::hset, &["hset", "h", "a", "1", "b", "2"])]);
    let Frame::Array(three) = h.run(hashes::hrandfield, &["hrandfield", "h", "-3"]) else {
        panic!("HRANDFIELD with a count answers an array")
    };
    assert_eq!(three.len(), 3, "a negative count repeats");
    let Frame::Array(all) = h.run(hashes::hrandfield, &["hrandfield", "h", "5"]) else {
        panic!("HRANDFIELD with a count answers an array")
    };
    assert_eq!(all.len(), 2);
    assert_eq!(
        h.run(hashes::hrandfield, &["hrandfield", "nope"]),
        Frame::Null
    );
    assert_eq!(
        h.run(hashes::hrandfield, &["hrandfield", "h", "1", "bogus"]),
        error("ERR syntax error")
    );
    assert!(h.propagated.is_empty());
}

#[test]
fn hscan_returns_fields_with_values() {
    let mut h = Harness::new();
    h.setup(&[(hashes::hset, &["hset", "h", "a", "1"])]);
    assert_eq!(
        h.run(hashes::hscan, &["hscan", "h", "0"]),
        Frame::Array(vec![bulk("0"), bulks(&["a", "1"])])
    );
    assert_eq!(
        h.run(hashes::hscan, &["hscan", "h", "x"]),
        error("ERR invalid cursor")
    );
}
