//! Strings: `strings`, `getex`, `ranges`.

use resp::Frame;

use super::support::*;
use crate::{getex, lists, ranges, strings};

const NOT_INTEGER: &str = "ERR value is not an integer or out of range";

#[test]
fn get_of_a_missing_key_is_null_and_a_read_records_nothing() {
    let mut h = Harness::new();
    assert_eq!(h.run(strings::get, &["get", "k"]), Frame::Null);
    assert!(h.propagated.is_empty());
    assert_eq!(h.dirty, 0);
}

#[test]
fn set_then_get_and_set_is_propagated_verbatim() {
    let mut h = Harness::new();
    assert_eq!(h.run(strings::set, &["set", "k", "v"]), Frame::ok());
    assert_eq!(h.propagated, vec![(0, words("set k v"))]);
    assert_eq!(h.dirty, 1);
    assert_eq!(h.run(strings::get, &["get", "k"]), bulk("v"));
}

#[test]
fn set_with_a_relative_expiry_propagates_an_absolute_pxat() {
    let mut h = Harness::new();
    h.run(strings::set, &["set", "k", "v", "EX", "10"]);
    let at = (NOW_MS + 10_000).to_string();
    assert_eq!(
        h.propagated_words(),
        vec![words(&format!("SET k v PXAT {at}"))]
    );
    h.run(strings::set, &["set", "k", "v", "px", "1500"]);
    let at = (NOW_MS + 1_500).to_string();
    assert_eq!(
        h.propagated_words(),
        vec![words(&format!("SET k v PXAT {at}"))]
    );
}

#[test]
fn setex_and_psetex_propagate_set_pxat() {
    let mut h = Harness::new();
    h.run(strings::setex, &["setex", "k", "2", "v"]);
    let at = (NOW_MS + 2_000).to_string();
    assert_eq!(
        h.propagated_words(),
        vec![words(&format!("SET k v PXAT {at}"))]
    );
    h.run(strings::setex, &["psetex", "k", "250", "v"]);
    let at = (NOW_MS + 250).to_string();
    assert_eq!(
        h.propagated_words(),
        vec![words(&format!("SET k v PXAT {at}"))]
    );
}

#[test]
fn set_rejects_bad_options_and_expiries() {
    let mut h = Harness::new();
    let syntax = error("ERR syntax error");
    assert_eq!(h.run(strings::set, &["set", "k", "v", "NX", "XX"]), syntax);
    assert_eq!(
        h.run(strings::set, &["set", "k", "v", "EX", "1", "PX", "1"]),
        syntax
    );
    assert_eq!(
        h.run(strings::set, &["set", "k", "v", "KEEPTTL", "EX", "1"]),
        syntax
    );
    assert_eq!(h.run(strings::set, &["set", "k", "v", "bogus"]), syntax);
    assert_eq!(
        h.run(strings::set, &["set", "k", "v", "EX", "x"]),
        error(NOT_INTEGER)
    );
    assert_eq!(
        h.run(strings::set, &["set", "k", "v", "EX", "0"]),
        error("ERR invalid expire time in 'set' command")
    );
    assert_eq!(
        h.run(strings::setex, &["setex", "k", "-1", "v"]),
        error("ERR invalid expire time in 'setex' command")
    );
    assert!(h.propagated.is_empty());
    assert_eq!(h.run(strings::get, &["get", "k"]), Frame::Null);
}

#[test]
fn set_nx_xx_and_get_answer_like_redis() {
    let mut h = Harness::new();
    assert_eq!(h.run(strings::set, &["set", "k", "v", "XX"]), Frame::Null);
    assert!(h.propagated.is_empty());
    assert_eq!(
        h.run(strings::set, &["set", "k", "v1", "NX", "GET"]),
        Frame::Null
    );
    assert_eq!(h.run(strings::set, &["set", "k", "v2", "GET"]), bulk("v1"));
    assert_eq!(h.run(strings::set, &["set", "k", "v3", "NX"]), Frame::Null);
    assert_eq!(
        h.run(strings::setnx, &["setnx", "k", "x"]),
        Frame::Integer(0)
    );
    assert_eq!(
        h.run(strings::setnx, &["setnx", "n", "x"]),
        Frame::Integer(1)
    );
}

#[test]
fn string_commands_on_another_type_answer_wrongtype() {
    let mut h = Harness::new();
    h.setup(&[(lists::lpush, &["lpush", "l", "a"])]);
    assert_eq!(h.run(strings::get, &["get", "l"]), wrongtype());
    assert_eq!(h.run(strings::incr, &["incr", "l"]), wrongtype());
    assert_eq!(h.run(strings::append, &["append", "l", "x"]), wrongtype());
    assert_eq!(h.run(strings::strlen, &["strlen", "l"]), wrongtype());
    assert_eq!(h.run(strings::set, &["set", "l", "v", "GET"]), wrongtype());
    assert_eq!(
        h.run(ranges::getrange, &["getrange", "l", "0", "1"]),
        wrongtype()
    );
    assert_eq!(h.run(getex::getdel, &["getdel", "l"]), wrongtype());
    assert!(h.propagated.is_empty());
}

#[test]
fn incr_family_counts_and_checks_overflow() {
    let mut h = Harness::new();
    assert_eq!(h.run(strings::incr, &["incr", "n"]), Frame::Integer(1));
    assert_eq!(h.propagated, vec![(0, words("incr n"))]);
    assert_eq!(
        h.run(strings::incr, &["incrby", "n", "10"]),
        Frame::Integer(11)
    );
    assert_eq!(
        h.run(strings::incr, &["decrby", "n", "20"]),
        Frame::Integer(-9)
    );
    assert_eq!(h.run(strings::incr, &["decr", "n"]), Frame::Integer(-10));
    assert_eq!(
        h.run(strings::incr, &["incrby", "n", "x"]),
        error(NOT_INTEGER)
    );
    h.run(strings::set, &["set", "big", "9223372036854775807"]);
    assert_eq!(
        h.run(strings::incr, &["incr", "big"]),
        error("ERR increment or decrement would overflow")
    );
    h.run(strings::set, &["set", "s", "abc"]);
    assert_eq!(h.run(strings::incr, &["incr", "s"]), error(NOT_INTEGER));
    assert!(h.propagated.is_empty());
}

#[test]
fn incrbyfloat_propagates_the_result_with_keepttl() {
    let mut h = Harness::new();
    assert_eq!(
        h.run(strings::incrbyfloat, &["incrbyfloat", "f", "1.5"]),
        bulk("1.5")
    );
    assert_eq!(h.propagated_words(), vec![words("SET f 1.5 KEEPTTL")]);
    assert_eq!(
        h.run(strings::incrbyfloat, &["incrbyfloat", "f", "0.1"]),
        bulk("1.6")
    );
    assert_eq!(
        h.run(strings::incrbyfloat, &["incrbyfloat", "f", "x"]),
        error("ERR value is not a valid float")
    );
    assert_eq!(
        h.run(strings::incrbyfloat, &["incrbyfloat", "f", "inf"]),
        error("ERR increment would produce NaN or Infinity")
    );
}

#[test]
fn mset_and_msetnx() {
    let mut h = Harness::new();
    assert_eq!(
        h.run(strings::mset, &["mset", "a", "1", "b", "2"]),
        Frame::ok()
    );
    assert_eq!(h.propagated, vec![(0, words("mset a 1 b 2"))]);
    assert_eq!(
        h.run(strings::mget, &["mget", "a", "x", "b"]),
        Frame::Array(vec![bulk("1"), Frame::Null, bulk("2")])
    );
    assert_eq!(
        h.run(strings::msetnx, &["msetnx", "c", "3", "a", "9"]),
        Frame::Integer(0)
    );
    assert!(h.propagated.is_empty());
    assert_eq!(
        h.run(strings::msetnx, &["msetnx", "c", "3", "d", "4"]),
        Frame::Integer(1)
    );
    assert_eq!(
        h.run(strings::mset, &["mset", "a", "1", "b"]),
        error("ERR wrong number of arguments for 'mset' command")
    );
}

#[test]
fn append_and_strlen() {
    let mut h = Harness::new();
    assert_eq!(
        h.run(strings::append, &["append", "k", "ab"]),
        Frame::Integer(2)
    );
    assert_eq!(
        h.run(strings::append, &["append", "k", "cd"]),
        Frame::Integer(4)
    );
    assert_eq!(h.propagated, vec![(0, words("append k cd"))]);
    assert_eq!(h.run(strings::strlen, &["strlen", "k"]), Frame::Integer(4));
    assert_eq!(
        h.run(strings::strlen, &["strlen", "none"]),
        Frame::Integer(0)
    );
}

#[test]
fn getrange_and_setrange() {
    let mut h = Harness::new();
    h.run(strings::set, &["set", "k", "Hello World"]);
    assert_eq!(
        h.run(ranges::getrange, &["getrange", "k", "0", "4"]),
        bulk("Hello")
    );
    assert_eq!(
        h.run(ranges::getrange, &["getrange", "k", "-5", "-1"]),
        bulk("World")
    );
    assert_eq!(
        h.run(ranges::getrange, &["getrange", "k", "5", "1"]),
        bulk("")
    );
    assert_eq!(
        h.run(ranges::setrange, &["setrange", "k", "6", "Redis"]),
        Frame::Integer(11)
    );
    assert_eq!(h.propagated, vec![(0, words("setrange k 6 Redis"))]);
    assert_eq!(h.run(strings::get, &["get", "k"]), bulk("Hello Redis"));
    assert_eq!(
        h.run(ranges::setrange, &["setrange", "k", "-1", "x"]),
        error("ERR offset is out of range")
    );
    assert_eq!(
        h.run(ranges::setrange, &["setrange", "k", "536870912", "x"]),
        error("ERR string exceeds maximum allowed size (proto-max-bulk-len)")
    );
    assert_eq!(
        h.run(ranges::setrange, &["setrange", "new", "0", ""]),
        Frame::Integer(0)
    );
    assert!(h.propagated.is_empty());
}

#[test]
fn getset_getdel_propagate_what_they_did() {
    let mut h = Harness::new();
    assert_eq!(h.run(getex::getset, &["getset", "k", "a"]), Frame::Null);
    assert_eq!(h.run(getex::getset, &["getset", "k", "b"]), bulk("a"));
    assert_eq!(h.run(getex::getdel, &["getdel", "k"]), bulk("b"));
    assert_eq!(h.propagated_words(), vec![words("DEL k")]);
    assert_eq!(h.run(getex::getdel, &["getdel", "k"]), Frame::Null);
    assert!(h.propagated.is_empty());
}

#[test]
fn getex_propagates_pexpireat_persist_or_del() {
    let mut h = Harness::new();
    h.run(strings::set, &["set", "k", "v"]);
    assert_eq!(h.run(getex::getex, &["getex", "k", "EX", "5"]), bulk("v"));
    let at = (NOW_MS + 5_000).to_string();
    assert_eq!(
        h.propagated_words(),
        vec![words(&format!("PEXPIREAT k {at}"))]
    );
    assert_eq!(h.run(getex::getex, &["getex", "k", "PERSIST"]), bulk("v"));
    assert_eq!(h.propagated_words(), vec![words("PERSIST k")]);
    let past = (NOW_MS - 1).to_string();
    assert_eq!(
        h.run(getex::getex, &["getex", "k", "PXAT", &past]),
        bulk("v")
    );
    assert_eq!(h.propagated_words(), vec![words("DEL k")]);
    assert_eq!(h.run(strings::get, &["get", "k"]), Frame::Null);
    assert_eq!(
        h.run(getex::getex, &["getex", "k", "EX"]),
        error("ERR syntax error")
    );
}

#[test]
fn getex_with_a_past_time_on_a_replica_server_keeps_the_key() {
    let mut h = Harness::new();
    h.run(strings::set, &["set", "k", "v"]);
    h.caller.server_is_replica = true;
    let past = (NOW_MS - 1).to_string();
    assert_eq!(
        h.run(getex::getex, &["getex", "k", "PXAT", &past]),
        bulk("v")
    );
    assert_eq!(
        h.propagated_words(),
        vec![words(&format!("PEXPIREAT k {past}"))]
    );
}

#[test]
fn an_expired_key_is_gone_for_reads() {
    let mut h = Harness::new();
    h.run(strings::set, &["set", "k", "v", "PX", "100"]);
    h.advance(std::time::Duration::from_millis(101));
    assert_eq!(h.run(strings::get, &["get", "k"]), Frame::Null);
}
