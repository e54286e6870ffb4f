//! Hashes: HSET/HMSET, HSETNX, the reads (RESP2 and RESP3 shapes), HDEL, HINCRBY, HINCRBYFLOAT (propagated
//! as HSET), HRANDFIELD and HSCAN.

use resp::Frame;

use super::support::*;
use crate::{hashes, keys, strings};

/// A harness holding the hash `h` with `pairs` (field, value, ...).
fn with_hash(pairs: &[&str]) -> Harness {
    let mut h = Harness::new();
    let mut args = vec!["hset", "h"];
    args.extend_from_slice(pairs);
    h.setup(&[(hashes::hset, &args)]);
    h
}

#[test]
fn hset_counts_new_fields_and_a_change_per_pair() {
    let mut h = Harness::new();
    assert_eq!(
        h.run(hashes::hset, &["hset", "h", "a", "1", "b", "2"]),
        int(2)
    );
    assert_eq!(h.propagated, vec![(0, words("hset h a 1 b 2"))]);
    assert_eq!(h.dirty, 2);
    assert_eq!(
        h.run(hashes::hset, &["hset", "h", "a", "9", "c", "3"]),
        int(1)
    );
    assert_eq!(h.dirty, 2, "an overwrite counts too");
    assert_eq!(h.run(hashes::hget, &["hget", "h", "a"]), bulk("9"));
    assert!(h.ready.is_empty(), "nobody blocks on a hash");
}

#[test]
fn hmset_answers_ok() {
    let mut h = Harness::new();
    assert_eq!(h.run(hashes::hset, &["hmset", "h", "c", "3"]), Frame::ok());
    assert_eq!(h.propagated, vec![(0, words("hmset h c 3"))]);
}

#[test]
fn hset_with_a_field_missing_its_value_is_an_arity_error() {
    let mut h = Harness::new();
    assert_eq!(
        h.run(hashes::hset, &["hset", "h", "a", "1", "b"]),
        error("ERR wrong number of arguments for 'hset' command")
    );
    assert_eq!(
        h.run(hashes::hset, &["hmset", "h", "a"]),
        error("ERR wrong number of arguments for 'hmset' command")
    );
    h.assert_no_change();
    assert_eq!(h.run(keys::exists, &["exists", "h"]), int(0));
}

#[test]
fn hash_commands_on_another_type_answer_wrongtype() {
    let mut h = Harness::new();
    h.setup(&[(strings::set, &["set", "s", "v"])]);
    let cases: [(crate::Handler, &[&str]); 15] = [
        (hashes::hset, &["hset", "s", "f", "v"]),
        (hashes::hsetnx, &["hsetnx", "s", "f", "v"]),
        (hashes::hget, &["hget", "s", "f"]),
        (hashes::hmget, &["hmget", "s", "f"]),
        (hashes::hgetall, &["hgetall", "s"]),
        (hashes::hkeys, &["hkeys", "s"]),
        (hashes::hvals, &["hvals", "s"]),
        (hashes::hdel, &["hdel", "s", "f"]),
        (hashes::hexists, &["hexists", "s", "f"]),
        (hashes::hlen, &["hlen", "s"]),
        (hashes::hstrlen, &["hstrlen", "s", "f"]),
        (hashes::hincrby, &["hincrby", "s", "f", "1"]),
        (hashes::hincrbyfloat, &["hincrbyfloat", "s", "f", "1"]),
        (hashes::hrandfield, &["hrandfield", "s"]),
        (hashes::hscan, &["hscan", "s", "0"]),
    ];
    for (handler, args) in cases {
        assert_eq!(h.run(handler, args), wrongtype(), "{args:?}");
        h.assert_no_change();
    }
}

#[test]
fn hsetnx_sets_only_a_new_field() {
    let mut h = Harness::new();
    assert_eq!(h.run(hashes::hsetnx, &["hsetnx", "h", "f", "1"]), int(1));
    assert_eq!(h.propagated, vec![(0, words("hsetnx h f 1"))]);
    assert_eq!(h.dirty, 1);
    assert_eq!(h.run(hashes::hsetnx, &["hsetnx", "h", "f", "2"]), int(0));
    h.assert_no_change();
    assert_eq!(h.run(hashes::hget, &["hget", "h", "f"]), bulk("1"));
}

#[test]
fn hdel_counts_deletions_and_the_last_field_deletes_the_key() {
    let mut h = with_hash(&["a", "1", "b", "2"]);
    assert_eq!(h.run(hashes::hdel, &["hdel", "h", "a", "nope"]), int(1));
    assert_eq!(h.propagated, vec![(0, words("hdel h a nope"))]);
    assert_eq!(h.dirty, 1);
    assert_eq!(h.run(hashes::hdel, &["hdel", "h", "zz"]), int(0));
    h.assert_no_change();
    assert_eq!(h.run(hashes::hdel, &["hdel", "h", "b", "b"]), int(1));
    assert_eq!(h.run(keys::exists, &["exists", "h"]), int(0));
    assert_eq!(h.run(hashes::hdel, &["hdel", "h", "b"]), int(0));
    h.assert_no_change();
}

#[test]
fn field_reads_answer_nil_or_zero_for_what_is_missing() {
    let mut h = with_hash(&["a", "hello"]);
    assert_eq!(h.run(hashes::hget, &["hget", "h", "nope"]), Frame::Null);
    assert_eq!(h.run(hashes::hget, &["hget", "nope", "a"]), Frame::Null);
    assert_eq!(h.run(hashes::hexists, &["hexists", "h", "a"]), int(1));
    assert_eq!(h.run(hashes::hexists, &["hexists", "h", "b"]), int(0));
    assert_eq!(h.run(hashes::hstrlen, &["hstrlen", "h", "a"]), int(5));
    assert_eq!(h.run(hashes::hstrlen, &["hstrlen", "h", "b"]), int(0));
    assert_eq!(h.run(hashes::hlen, &["hlen", "h"]), int(1));
    assert_eq!(h.run(hashes::hlen, &["hlen", "nope"]), int(0));
    assert_eq!(
        h.run(hashes::hmget, &["hmget", "h", "a", "x"]),
        Frame::Array(vec![bulk("hello"), Frame::Null])
    );
    assert_eq!(
        h.run(hashes::hmget, &["hmget", "nope", "a"]),
        Frame::Array(vec![Frame::Null])
    );
    h.assert_no_change();
}

#[test]
fn hgetall_answers_a_map_and_hkeys_hvals_arrays() {
    let mut h = with_hash(&["a", "1", "b", "2"]);
    // A map, which RESP2 sends as a flat array.
    assert_eq!(
        h.run(hashes::hgetall, &["hgetall", "h"]),
        Frame::Map(vec![(bulk("a"), bulk("1")), (bulk("b"), bulk("2"))])
    );
    assert_eq!(h.run(hashes::hkeys, &["hkeys", "h"]), bulks(&["a", "b"]));
    assert_eq!(h.run(hashes::hvals, &["hvals", "h"]), bulks(&["1", "2"]));
    assert_eq!(
        h.run(hashes::hgetall, &["hgetall", "nope"]),
        Frame::Map(Vec::new())
    );
    assert_eq!(
        h.run(hashes::hkeys, &["hkeys", "nope"]),
        Frame::Array(Vec::new())
    );
    h.assert_no_change();
}

#[test]
fn hincrby_adds_and_propagates_verbatim() {
    let mut h = Harness::new();
    assert_eq!(h.run(hashes::hincrby, &["hincrby", "h", "n", "5"]), int(5));
    assert_eq!(h.propagated, vec![(0, words("hincrby h n 5"))]);
    assert_eq!(h.dirty, 1);
    assert_eq!(
        h.run(hashes::hincrby, &["hincrby", "h", "n", "-7"]),
        int(-2)
    );
    assert_eq!(h.run(hashes::hget, &["hget", "h", "n"]), bulk("-2"));
}

#[test]
fn hincrby_refuses_non_integers_and_overflow() {
    let mut h = with_hash(&["s", "abc", "f", "1.5", "m", "9223372036854775807"]);
    let cases = [
        (["n", "x"], NOT_INTEGER),
        (["s", "1"], "ERR hash value is not an integer"),
        (["f", "1"], "ERR hash value is not an integer"),
        (["m", "1"], "ERR increment or decrement would overflow"),
    ];
    for ([field, increment], text) in cases {
        assert_eq!(
            h.run(hashes::hincrby, &["hincrby", "h", field, increment]),
            error(text),
            "{field} {increment}"
        );
        h.assert_no_change();
    }
    assert_eq!(
        h.run(hashes::hincrby, &["hincrby", "new", "n", "x"]),
        error(NOT_INTEGER)
    );
    assert_eq!(h.run(keys::exists, &["exists", "new"]), int(0));
}

#[test]
fn hincrbyfloat_propagates_hset_of_the_result() {
    let mut h = with_hash(&["m", "9223372036854775807"]);
    assert_eq!(
        h.run(hashes::hincrbyfloat, &["hincrbyfloat", "h", "f", "2.5"]),
        bulk("2.5")
    );
    assert_eq!(h.propagated_words(), vec![words("HSET h f 2.5")]);
    assert_eq!(h.dirty, 1);
    assert_eq!(
        h.run(hashes::hincrbyfloat, &["hincrbyfloat", "h", "m", "1"]),
        bulk("9223372036854775808"),
        "long double arithmetic, past i64"
    );
    assert_eq!(
        h.propagated_words(),
        vec![words("HSET h m 9223372036854775808")]
    );
}

#[test]
fn hincrbyfloat_refuses_non_floats_and_infinities() {
    let mut h = with_hash(&["s", "abc"]);
    let cases = [
        (["f", "x"], "ERR value is not a valid float"),
        (["f", "inf"], "ERR value is NaN or Infinity"),
        (["s", "1"], "ERR hash value is not a float"),
    ];
    for ([field, increment], text) in cases {
        assert_eq!(
            h.run(
                hashes::hincrbyfloat,
                &["hincrbyfloat", "h", field, increment]
            ),
            error(text),
            "{field} {increment}"
        );
        h.assert_no_change();
    }
}

#[test]
fn hrandfield_without_a_count_answers_one_field_or_nil() {
    let mut h = with_hash(&["a", "1"]);
    assert_eq!(h.run(hashes::hrandfield, &["hrandfield", "h"]), bulk("a"));
    assert_eq!(
        h.run(hashes::hrandfield, &["hrandfield", "nope"]),
        Frame::Null
    );
    h.assert_no_change();
}

#[test]
fn hrandfield_counts_like_redis() {
    let mut h = with_hash(&["a", "1", "b", "2"]);
    let Frame::Array(three) = h.run(hashes::hrandfield, &["hrandfield", "h", "-3"]) else {
        panic!("HRANDFIELD with a count answers an array")
    };
    assert_eq!(three.len(), 3, "a negative count repeats");
    assert_eq!(
        sorted_texts(h.run(hashes::hrandfield, &["hrandfield", "h", "5"])),
        ["a", "b"],
        "a count past the size answers every field once"
    );
    assert_eq!(
        h.run(hashes::hrandfield, &["hrandfield", "h", "0"]),
        Frame::Array(Vec::new())
    );
    assert_eq!(
        h.run(hashes::hrandfield, &["hrandfield", "nope", "3"]),
        Frame::Array(Vec::new())
    );
    h.assert_no_change();
}

#[test]
fn hrandfield_withvalues_is_flat_in_resp2_and_pairs_in_resp3() {
    let mut h = with_hash(&["a", "1"]);
    assert_eq!(
        h.run(hashes::hrandfield, &["hrandfield", "h", "1", "WITHVALUES"]),
        bulks(&["a", "1"])
    );
    h.resp3();
    assert_eq!(
        h.run(hashes::hrandfield, &["hrandfield", "h", "-2", "withvalues"]),
        Frame::Array(vec![bulks(&["a", "1"]), bulks(&["a", "1"])])
    );
}

#[test]
fn hrandfield_arguments_are_checked_like_redis() {
    let mut h = with_hash(&["a", "1"]);
    let cases: [(&[&str], &str); 5] = [
        (&["hrandfield", "h", "x"], NOT_INTEGER),
        (
            &["hrandfield", "h", "-9223372036854775808"],
            "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807",
        ),
        (&["hrandfield", "h", "1", "bogus"], SYNTAX),
        (&["hrandfield", "h", "1", "WITHVALUES", "x"], SYNTAX),
        (
            &["hrandfield", "h", "9223372036854775807", "WITHVALUES"],
            "ERR value is out of range",
        ),
    ];
    for (args, text) in cases {
        assert_eq!(h.run(hashes::hrandfield, args), error(text), "{args:?}");
    }
}

#[test]
fn hscan_returns_a_small_hash_whole_with_its_values() {
    let mut h = with_hash(&["a", "1", "b", "2"]);
    assert_eq!(
        h.run(hashes::hscan, &["hscan", "h", "0"]),
        Frame::Array(vec![bulk("0"), bulks(&["a", "1", "b", "2"])])
    );
    assert_eq!(
        h.run(hashes::hscan, &["hscan", "h", "0", "MATCH", "b*"]),
        Frame::Array(vec![bulk("0"), bulks(&["b", "2"])])
    );
    h.assert_no_change();
}

#[test]
fn hscan_walks_a_large_hash_in_steps() {
    let mut h = Harness::new();
    // A value past `hash-max-listpack-value` (64 bytes) makes it a hashtable.
    let long = "v".repeat(65);
    for i in 0..200 {
        h.run(hashes::hset, &["hset", "h", &format!("f{i}"), &long]);
    }
    let mut cursor = "0".to_owned();
    let mut fields = std::collections::BTreeSet::new();
    let mut steps = 0;
    loop {
        let Frame::Array(reply) = h.run(hashes::hscan, &["hscan", "h", &cursor, "COUNT", "20"])
        else {
            panic!("HSCAN answers an array")
        };
        let [Frame::Bulk(next), Frame::Array(items)] = &reply[..] else {
            panic!("a cursor and items: {reply:?}")
        };
        fields.extend(sorted_texts(Frame::Array(
            items.iter().step_by(2).cloned().collect(),
        )));
        cursor = String::from_utf8_lossy(next).into_owned();
        steps += 1;
        if cursor == "0" {
            break;
        }
    }
    assert_eq!(fields.len(), 200);
    assert!(steps > 1, "a hashtable is scanned in steps");
}

#[test]
fn hscan_checks_the_cursor_first_and_its_options_only_on_an_existing_key() {
    let mut h = with_hash(&["a", "1"]);
    assert_eq!(
        h.run(hashes::hscan, &["hscan", "nope", "x"]),
        error("ERR invalid cursor")
    );
    assert_eq!(
        h.run(hashes::hscan, &["hscan", "nope", "0", "bogus"]),
        Frame::Array(vec![bulk("0"), Frame::Array(Vec::new())])
    );
    assert_eq!(
        h.run(hashes::hscan, &["hscan", "h", "0", "bogus"]),
        error(SYNTAX)
    );
    assert_eq!(
        h.run(hashes::hscan, &["hscan", "h", "0", "COUNT", "0"]),
        error(SYNTAX)
    );
    assert_eq!(
        h.run(hashes::hscan, &["hscan", "h", "0", "COUNT", "x"]),
        error(NOT_INTEGER)
    );
}
