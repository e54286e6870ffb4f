//! Strings: `strings` (GET, SET and its variants, MGET/MSET, INCR family, INCRBYFLOAT, APPEND, STRLEN),
//! `getex` (GETSET, GETDEL, GETEX) and `ranges` (GETRANGE/SUBSTR, SETRANGE).

use std::time::Duration;

use resp::Frame;

use super::support::*;
use crate::{expire, getex, lists, ranges, strings};

/// `PXAT` time of a relative expiry of `ms` milliseconds from the harness clock.
fn at(ms: i64) -> String {
    (NOW_MS + ms).to_string()
}

#[test]
fn get_of_a_missing_key_is_null_and_a_read_records_nothing() {
    let mut h = Harness::new();
    assert_eq!(h.run(strings::get, &["get", "k"]), Frame::Null);
    h.assert_no_change();
    assert!(h.touched.is_empty() && h.ready.is_empty() && h.block.is_none());
}

#[test]
fn set_then_get_and_set_is_propagated_verbatim() {
    let mut h = Harness::new();
    assert_eq!(h.run(strings::set, &["set", "k", "v"]), Frame::ok());
    assert_eq!(h.propagated, vec![(0, words("set k v"))]);
    assert_eq!(h.dirty, 1);
    assert!(!h.touched_explicitly, "the server touches SET's key");
    assert_eq!(h.run(strings::get, &["get", "k"]), bulk("v"));
    h.assert_no_change();
}

#[test]
fn set_is_propagated_with_the_database_of_the_client() {
    let mut h = Harness::new();
    h.db = 7;
    h.run(strings::set, &["set", "k", "v"]);
    assert_eq!(h.propagated, vec![(7, words("set k v"))]);
    h.db = 0;
    assert_eq!(h.run(strings::get, &["get", "k"]), Frame::Null);
}

#[test]
fn set_with_a_relative_expiry_propagates_an_absolute_pxat() {
    let mut h = Harness::new();
    h.run(strings::set, &["set", "k", "v", "EX", "10"]);
    assert_eq!(
        h.propagated_words(),
        vec![words(&format!("SET k v PXAT {}", at(10_000)))]
    );
    h.run(strings::set, &["set", "k", "v", "px", "1500"]);
    assert_eq!(
        h.propagated_words(),
        vec![words(&format!("SET k v PXAT {}", at(1_500)))]
    );
    assert_eq!(h.run(expire::ttl, &["pttl", "k"]), int(1_500));
}

#[test]
fn set_with_an_absolute_expiry_propagates_pxat_without_the_other_options() {
    let mut h = Harness::new();
    h.run(strings::set, &["set", "k", "v", "NX", "EXAT", "2000000000"]);
    assert_eq!(
        h.propagated_words(),
        vec![words("SET k v PXAT 2000000000000")]
    );
    h.run(
        strings::set,
        &["set", "k", "w", "XX", "GET", "PXAT", "2000000000123"],
    );
    assert_eq!(
        h.propagated_words(),
        vec![words("SET k w PXAT 2000000000123")]
    );
}

#[test]
fn set_repeating_one_expiry_unit_keeps_the_last_time() {
    let mut h = Harness::new();
    assert_eq!(
        h.run(strings::set, &["set", "k", "v", "EX", "10", "EX", "20"]),
        Frame::ok()
    );
    assert_eq!(
        h.propagated_words(),
        vec![words(&format!("SET k v PXAT {}", at(20_000)))]
    );
}

#[test]
fn setex_and_psetex_propagate_set_pxat() {
    let mut h = Harness::new();
    h.run(strings::setex, &["setex", "k", "2", "v"]);
    assert_eq!(
        h.propagated_words(),
        vec![words(&format!("SET k v PXAT {}", at(2_000)))]
    );
    assert_eq!(h.dirty, 1);
    h.run(strings::setex, &["psetex", "k", "250", "v"]);
    assert_eq!(
        h.propagated_words(),
        vec![words(&format!("SET k v PXAT {}", at(250)))]
    );
}

#[test]
fn set_rejects_bad_options_and_expiries_and_changes_nothing() {
    let mut h = Harness::new();
    let syntax = error(SYNTAX);
    for args in [
        &["set", "k", "v", "NX", "XX"][..],
        &["set", "k", "v", "EX", "1", "PX", "1"],
        &["set", "k", "v", "KEEPTTL", "EX", "1"],
        &["set", "k", "v", "bogus"],
        &["set", "k", "v", "EX"],
    ] {
        assert_eq!(h.run(strings::set, args), syntax, "{args:?}");
        h.assert_no_change();
    }
    assert_eq!(
        h.run(strings::set, &["set", "k", "v", "EX", "x"]),
        error(NOT_INTEGER)
    );
    for time in ["0", "-5"] {
        assert_eq!(
            h.run(strings::set, &["set", "k", "v", "PXAT", time]),
            error("ERR invalid expire time in 'set' command")
        );
    }
    assert_eq!(h.run(strings::get, &["get", "k"]), Frame::Null);
}

#[test]
fn setex_errors_name_the_command() {
    let mut h = Harness::new();
    assert_eq!(
        h.run(strings::setex, &["setex", "k", "0", "v"]),
        error("ERR invalid expire time in 'setex' command")
    );
    assert_eq!(
        h.run(strings::setex, &["psetex", "k", "-3", "v"]),
        error("ERR invalid expire time in 'psetex' command")
    );
    assert_eq!(
        h.run(strings::setex, &["setex", "k", "x", "v"]),
        error(NOT_INTEGER)
    );
    h.assert_no_change();
}

#[test]
fn set_nx_xx_and_get_answer_like_redis() {
    let mut h = Harness::new();
    assert_eq!(h.run(strings::set, &["set", "k", "v", "XX"]), Frame::Null);
    h.assert_no_change();
    assert_eq!(
        h.run(strings::set, &["set", "k", "v1", "NX", "GET"]),
        Frame::Null
    );
    assert_eq!(h.run(strings::set, &["set", "k", "v2", "GET"]), bulk("v1"));
    assert_eq!(h.run(strings::set, &["set", "k", "v3", "NX"]), Frame::Null);
    h.assert_no_change();
    assert_eq!(
        h.run(strings::set, &["set", "k", "v3", "NX", "GET"]),
        bulk("v2"),
        "a refused SET ... GET still answers the old value"
    );
    assert_eq!(h.run(strings::setnx, &["setnx", "k", "x"]), int(0));
    h.assert_no_change();
    assert_eq!(h.run(strings::setnx, &["setnx", "n", "x"]), int(1));
    assert_eq!(h.propagated, vec![(0, words("setnx n x"))]);
}

#[test]
fn set_get_is_propagated_without_its_get_options_only() {
    let mut h = Harness::new();
    h.run(strings::set, &["set", "k", "v", "get", "GET"]);
    assert_eq!(h.propagated_words(), vec![words("set k v")]);
    // A key and a value spelled `get` are not options.
    h.run(strings::set, &["set", "get", "get", "GET"]);
    assert_eq!(h.propagated_words(), vec![words("set get get")]);
}

#[test]
fn set_keepttl_keeps_the_ttl_and_a_plain_set_drops_it() {
    let mut h = Harness::new();
    h.setup(&[(strings::set, &["set", "k", "v", "EX", "100"])]);
    h.run(strings::set, &["set", "k", "w", "KEEPTTL"]);
    assert_eq!(h.propagated, vec![(0, words("set k w KEEPTTL"))]);
    assert_eq!(h.run(expire::ttl, &["ttl", "k"]), int(100));
    h.run(strings::set, &["set", "k", "x"]);
    assert_eq!(h.run(expire::ttl, &["ttl", "k"]), int(-1));
}

#[test]
fn set_replaces_a_value_of_another_type_but_set_get_refuses_it() {
    let mut h = Harness::new();
    h.setup(&[
        (lists::lpush, &["lpush", "l", "a"]),
        (lists::lpush, &["lpush", "l2", "a"]),
    ]);
    assert_eq!(h.run(strings::set, &["set", "l", "v", "GET"]), wrongtype());
    h.assert_no_change();
    assert_eq!(h.run(strings::set, &["set", "l2", "v"]), Frame::ok());
    assert_eq!(h.run(strings::get, &["get", "l2"]), bulk("v"));
}

#[test]
fn string_commands_on_another_type_answer_wrongtype() {
    let mut h = Harness::new();
    h.setup(&[(lists::lpush, &["lpush", "l", "a"])]);
    let refused: [&[&str]; 10] = [
        &["get", "l"],
        &["incr", "l"],
        &["incrbyfloat", "l", "1"],
        &["append", "l", "x"],
        &["strlen", "l"],
        &["getrange", "l", "0", "1"],
        &["setrange", "l", "0", "x"],
        &["getdel", "l"],
        &["getset", "l", "x"],
        &["getex", "l", "PERSIST"],
    ];
    let handlers: [crate::Handler; 10] = [
        strings::get,
        strings::incr,
        strings::incrbyfloat,
        strings::append,
        strings::strlen,
        ranges::getrange,
        ranges::setrange,
        getex::getdel,
        getex::getset,
        getex::getex,
    ];
    for (handler, args) in handlers.into_iter().zip(refused) {
        assert_eq!(h.run(handler, args), wrongtype(), "{args:?}");
        h.assert_no_change();
    }
}

#[test]
fn mget_answers_nil_for_missing_keys_and_other_types() {
    let mut h = Harness::new();
    h.setup(&[
        (strings::set, &["set", "s", "v"]),
        (lists::lpush, &["lpush", "l", "a"]),
    ]);
    assert_eq!(
        h.run(strings::mget, &["mget", "l", "s", "nope"]),
        Frame::Array(vec![Frame::Null, bulk("v"), Frame::Null])
    );
    h.assert_no_change();
}

#[test]
fn incr_family_counts_and_propagates_verbatim() {
    let mut h = Harness::new();
    assert_eq!(h.run(strings::incr, &["incr", "n"]), int(1));
    assert_eq!(h.propagated, vec![(0, words("incr n"))]);
    assert_eq!(h.dirty, 1);
    assert_eq!(h.run(strings::incr, &["incrby", "n", "10"]), int(11));
    assert_eq!(h.run(strings::incr, &["decrby", "n", "20"]), int(-9));
    assert_eq!(h.run(strings::incr, &["decr", "n"]), int(-10));
    assert_eq!(h.propagated, vec![(0, words("decr n"))]);
    assert_eq!(h.run(strings::get, &["get", "n"]), bulk("-10"));
}

#[test]
fn incr_family_refuses_non_integers_and_overflow() {
    let mut h = Harness::new();
    h.setup(&[
        (strings::set, &["set", "big", "9223372036854775807"]),
        (strings::set, &["set", "s", "abc"]),
        (strings::set, &["set", "spaced", " 1"]),
    ]);
    let cases: [(&[&str], &str); 6] = [
        (&["incrby", "n", "x"], NOT_INTEGER),
        (&["incrby", "n", "1.5"], NOT_INTEGER),
        (&["incr", "s"], NOT_INTEGER),
        (&["incr", "spaced"], NOT_INTEGER),
        (
            &["incr", "big"],
            "ERR increment or decrement would overflow",
        ),
        (
            &["decrby", "n", "-9223372036854775808"],
            "ERR decrement would overflow",
        ),
    ];
    for (args, text) in cases {
        assert_eq!(h.run(strings::incr, args), error(text), "{args:?}");
        h.assert_no_change();
    }
    assert_eq!(h.run(strings::get, &["get", "n"]), Frame::Null);
}

#[test]
fn incr_keeps_the_ttl() {
    let mut h = Harness::new();
    h.setup(&[(strings::set, &["set", "n", "1", "EX", "100"])]);
    assert_eq!(h.run(strings::incr, &["incr", "n"]), int(2));
    assert_eq!(h.run(expire::ttl, &["ttl", "n"]), int(100));
}

#[test]
fn incrbyfloat_propagates_the_result_with_keepttl() {
    let mut h = Harness::new();
    assert_eq!(
        h.run(strings::incrbyfloat, &["incrbyfloat", "f", "1.5"]),
        bulk("1.5")
    );
    assert_eq!(h.propagated_words(), vec![words("SET f 1.5 KEEPTTL")]);
    assert_eq!(h.dirty, 1);
    assert_eq!(
        h.run(strings::incrbyfloat, &["incrbyfloat", "f", "0.1"]),
        bulk("1.6")
    );
    h.setup(&[(strings::set, &["set", "e", "3.0e3"])]);
    assert_eq!(
        h.run(strings::incrbyfloat, &["incrbyfloat", "e", "1"]),
        bulk("3001")
    );
    assert_eq!(h.propagated_words(), vec![words("SET e 3001 KEEPTTL")]);
}

#[test]
fn incrbyfloat_refuses_non_floats_and_infinite_results() {
    let mut h = Harness::new();
    h.setup(&[(strings::set, &["set", "s", "abc"])]);
    let not_float = error("ERR value is not a valid float");
    assert_eq!(
        h.run(strings::incrbyfloat, &["incrbyfloat", "f", "x"]),
        not_float
    );
    assert_eq!(
        h.run(strings::incrbyfloat, &["incrbyfloat", "f", "nan"]),
        not_float
    );
    assert_eq!(
        h.run(strings::incrbyfloat, &["incrbyfloat", "s", "1"]),
        not_float
    );
    assert_eq!(
        h.run(strings::incrbyfloat, &["incrbyfloat", "f", "inf"]),
        error("ERR increment would produce NaN or Infinity")
    );
    h.assert_no_change();
    assert_eq!(h.run(strings::get, &["get", "f"]), Frame::Null);
}

#[test]
fn mset_counts_a_change_per_pair_and_checks_its_arity() {
    let mut h = Harness::new();
    assert_eq!(
        h.run(strings::mset, &["mset", "a", "1", "b", "2"]),
        Frame::ok()
    );
    assert_eq!(h.propagated, vec![(0, words("mset a 1 b 2"))]);
    assert_eq!(h.dirty, 2);
    assert_eq!(
        h.run(strings::mset, &["mset", "a", "1", "b"]),
        error("ERR wrong number of arguments for 'mset' command")
    );
    h.assert_no_change();
}

#[test]
fn msetnx_sets_all_or_none() {
    let mut h = Harness::new();
    h.setup(&[(strings::set, &["set", "a", "1"])]);
    assert_eq!(
        h.run(strings::msetnx, &["msetnx", "c", "3", "a", "9"]),
        int(0)
    );
    h.assert_no_change();
    assert_eq!(h.run(strings::get, &["get", "c"]), Frame::Null);
    assert_eq!(
        h.run(strings::msetnx, &["msetnx", "c", "3", "d", "4"]),
        int(1)
    );
    assert_eq!(h.propagated, vec![(0, words("msetnx c 3 d 4"))]);
    assert_eq!(h.dirty, 2);
    assert_eq!(
        h.run(strings::msetnx, &["msetnx", "e"]),
        error("ERR wrong number of arguments for 'msetnx' command")
    );
}

#[test]
fn append_answers_the_new_length_and_strlen_reads_it() {
    let mut h = Harness::new();
    assert_eq!(h.run(strings::append, &["append", "k", "ab"]), int(2));
    assert_eq!(h.run(strings::append, &["append", "k", "cd"]), int(4));
    assert_eq!(h.propagated, vec![(0, words("append k cd"))]);
    assert_eq!(h.dirty, 1);
    assert_eq!(h.run(strings::strlen, &["strlen", "k"]), int(4));
    assert_eq!(h.run(strings::strlen, &["strlen", "none"]), int(0));
    h.assert_no_change();
}

#[test]
fn getrange_clamps_its_indices_and_substr_is_its_old_name() {
    let mut h = Harness::new();
    h.setup(&[(strings::set, &["set", "k", "Hello World"])]);
    let cases = [
        (["0", "4"], "Hello"),
        (["-5", "-1"], "World"),
        (["5", "1"], ""),
        (["-1", "-5"], ""),
        (["6", "100"], "World"),
        (["-100", "0"], "H"),
    ];
    for ([start, end], expected) in cases {
        assert_eq!(
            h.run(ranges::getrange, &["getrange", "k", start, end]),
            bulk(expected),
            "{start} {end}"
        );
    }
    assert_eq!(
        h.run(ranges::getrange, &["substr", "k", "0", "0"]),
        bulk("H")
    );
    assert_eq!(
        h.run(ranges::getrange, &["getrange", "nope", "0", "-1"]),
        bulk("")
    );
    assert_eq!(
        h.run(ranges::getrange, &["getrange", "k", "a", "1"]),
        error(NOT_INTEGER)
    );
    h.assert_no_change();
}

#[test]
fn setrange_overwrites_pads_with_zeros_and_keeps_the_ttl() {
    let mut h = Harness::new();
    h.setup(&[(strings::set, &["set", "k", "Hello World", "EX", "100"])]);
    assert_eq!(
        h.run(ranges::setrange, &["setrange", "k", "6", "Redis"]),
        int(11)
    );
    assert_eq!(h.propagated, vec![(0, words("setrange k 6 Redis"))]);
    assert_eq!(h.run(strings::get, &["get", "k"]), bulk("Hello Redis"));
    assert_eq!(h.run(expire::ttl, &["ttl", "k"]), int(100));
    assert_eq!(
        h.run(ranges::setrange, &["setrange", "new", "2", "x"]),
        int(3)
    );
    assert_eq!(h.run(strings::get, &["get", "new"]), bulk("\0\0x"));
}

#[test]
fn setrange_with_an_empty_value_changes_nothing() {
    let mut h = Harness::new();
    h.setup(&[(strings::set, &["set", "k", "abc"])]);
    assert_eq!(h.run(ranges::setrange, &["setrange", "k", "1", ""]), int(3));
    h.assert_no_change();
    assert_eq!(
        h.run(ranges::setrange, &["setrange", "new", "5", ""]),
        int(0)
    );
    h.assert_no_change();
    assert_eq!(h.run(strings::strlen, &["strlen", "new"]), int(0));
}

#[test]
fn setrange_checks_its_offset_and_the_size_limit() {
    let mut h = Harness::new();
    assert_eq!(
        h.run(ranges::setrange, &["setrange", "k", "x", "v"]),
        error(NOT_INTEGER)
    );
    assert_eq!(
        h.run(ranges::setrange, &["setrange", "k", "-1", "v"]),
        error("ERR offset is out of range")
    );
    assert_eq!(
        h.run(ranges::setrange, &["setrange", "k", "536870912", "x"]),
        error("ERR string exceeds maximum allowed size (proto-max-bulk-len)")
    );
    h.assert_no_change();
}

#[test]
fn getset_answers_the_old_value_propagates_set_and_drops_the_ttl() {
    let mut h = Harness::new();
    assert_eq!(h.run(getex::getset, &["getset", "k", "a"]), Frame::Null);
    assert_eq!(h.propagated_words(), vec![words("SET k a")]);
    h.setup(&[(expire::expire, &["expire", "k", "100"])]);
    assert_eq!(h.run(getex::getset, &["getset", "k", "b"]), bulk("a"));
    assert_eq!(h.propagated_words(), vec![words("SET k b")]);
    assert_eq!(h.dirty, 1);
    assert_eq!(h.run(expire::ttl, &["ttl", "k"]), int(-1));
}

#[test]
fn getdel_propagates_a_del_only_when_it_deleted() {
    let mut h = Harness::new();
    h.setup(&[(strings::set, &["set", "k", "v"])]);
    assert_eq!(h.run(getex::getdel, &["getdel", "k"]), bulk("v"));
    assert_eq!(h.propagated_words(), vec![words("DEL k")]);
    assert_eq!(h.dirty, 1);
    assert_eq!(h.run(getex::getdel, &["getdel", "k"]), Frame::Null);
    h.assert_no_change();
}

#[test]
fn getex_propagates_pexpireat_persist_or_del() {
    let mut h = Harness::new();
    h.setup(&[(strings::set, &["set", "k", "v"])]);
    assert_eq!(h.run(getex::getex, &["getex", "k", "EX", "5"]), bulk("v"));
    assert_eq!(
        h.propagated_words(),
        vec![words(&format!("PEXPIREAT k {}", at(5_000)))]
    );
    assert_eq!(
        h.run(getex::getex, &["getex", "k", "ex", "10", "ex", "20"]),
        bulk("v")
    );
    assert_eq!(
        h.propagated_words(),
        vec![words(&format!("PEXPIREAT k {}", at(20_000)))]
    );
    assert_eq!(h.run(getex::getex, &["getex", "k", "PERSIST"]), bulk("v"));
    assert_eq!(h.propagated_words(), vec![words("PERSIST k")]);
    let past = at(-1);
    assert_eq!(
        h.run(getex::getex, &["getex", "k", "PXAT", &past]),
        bulk("v")
    );
    assert_eq!(h.propagated_words(), vec![words("DEL k")]);
    assert_eq!(h.run(strings::get, &["get", "k"]), Frame::Null);
}

#[test]
fn getex_that_changes_nothing_propagates_nothing() {
    let mut h = Harness::new();
    h.setup(&[(strings::set, &["set", "k", "v"])]);
    assert_eq!(h.run(getex::getex, &["getex", "k"]), bulk("v"));
    h.assert_no_change();
    assert_eq!(
        h.run(getex::getex, &["getex", "k", "persist", "PERSIST"]),
        bulk("v"),
        "no TTL to remove"
    );
    h.assert_no_change();
    assert_eq!(
        h.run(getex::getex, &["getex", "nope", "EX", "5"]),
        Frame::Null
    );
    h.assert_no_change();
}

#[test]
fn getex_checks_its_options_before_the_key_and_its_time_after() {
    let mut h = Harness::new();
    assert_eq!(
        h.run(getex::getex, &["getex", "nope", "EX", "1", "PERSIST"]),
        error(SYNTAX)
    );
    assert_eq!(h.run(getex::getex, &["getex", "nope", "EX"]), error(SYNTAX));
    // A missing key answers nil before its time is read.
    assert_eq!(
        h.run(getex::getex, &["getex", "nope", "EX", "x"]),
        Frame::Null
    );
    h.setup(&[(strings::set, &["set", "k", "v"])]);
    assert_eq!(
        h.run(getex::getex, &["getex", "k", "EX", "x"]),
        error(NOT_INTEGER)
    );
    assert_eq!(
        h.run(getex::getex, &["getex", "k", "EX", "0"]),
        error("ERR invalid expire time in 'getex' command")
    );
    h.assert_no_change();
}

#[test]
fn getex_with_a_past_time_on_a_replica_server_keeps_the_key() {
    let mut h = Harness::new();
    h.setup(&[(strings::set, &["set", "k", "v"])]);
    h.replica_server();
    let past = at(-1);
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
fn an_expired_key_is_gone_for_reads_and_its_deletion_is_recorded() {
    let mut h = Harness::new();
    h.setup(&[(strings::set, &["set", "k", "v", "PX", "100"])]);
    h.advance(Duration::from_millis(101));
    assert_eq!(h.run(strings::get, &["get", "k"]), Frame::Null);
    assert_eq!(h.expired, keys_in(0, &["k"]));
    h.assert_no_change();
}

#[test]
fn a_replica_hides_an_expired_key_without_deleting_it() {
    let mut h = Harness::new();
    h.setup(&[(strings::set, &["set", "k", "v", "PX", "100"])]);
    h.advance(Duration::from_millis(200));
    h.replica_server();
    h.policy = keyspace::ExpiryPolicy::Hide;
    assert_eq!(h.run(strings::get, &["get", "k"]), Frame::Null);
    assert!(h.expired.is_empty());
    h.policy = keyspace::ExpiryPolicy::Keep;
    assert_eq!(
        h.run(strings::get, &["get", "k"]),
        bulk("v"),
        "the master's stream still sees it"
    );
}

#[test]
fn setex_and_mset_delete_an_expired_key_before_overwriting_it() {
    let mut h = Harness::new();
    h.setup(&[
        (strings::set, &["set", "a", "v", "PX", "10"]),
        (strings::set, &["set", "b", "v", "PX", "10"]),
    ]);
    h.advance(Duration::from_millis(11));
    h.run(strings::setex, &["setex", "a", "5", "w"]);
    assert_eq!(h.expired, keys_in(0, &["a"]));
    h.run(strings::mset, &["mset", "b", "w"]);
    assert_eq!(h.expired, keys_in(0, &["b"]));
}
