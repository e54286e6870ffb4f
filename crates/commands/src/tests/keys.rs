//! Keys and expiry: `keys`, `keys_copy`, `keys_dump`, `keys_scan`, `expire`.

use keyspace::ExpiryPolicy;
use resp::Frame;

use super::support::*;
use crate::{expire, hashes, keys, keys_copy, keys_dump, keys_scan, lists, strings};

#[test]
fn del_counts_touches_and_propagates_only_what_it_deleted() {
    let mut h = Harness::new();
    h.setup(&[(strings::mset, &["mset", "a", "1", "b", "2"])]);
    assert_eq!(h.run(keys::del, &["del", "a", "x", "b"]), Frame::Integer(2));
    assert_eq!(h.propagated, vec![(0, words("del a x b"))]);
    assert_eq!(h.dirty, 2);
    assert_eq!(h.touched, vec![(0, "a".to_owned()), (0, "b".to_owned())]);
    assert_eq!(h.run(keys::del, &["del", "a"]), Frame::Integer(0));
    assert!(h.propagated.is_empty());
    assert_eq!(h.dirty, 0);
}

#[test]
fn exists_counts_repeats_and_type_names_the_value() {
    let mut h = Harness::new();
    h.setup(&[
        (strings::set, &["set", "s", "v"]),
        (lists::rpush, &["rpush", "l", "x"]),
        (hashes::hset, &["hset", "h", "f", "v"]),
    ]);
    assert_eq!(
        h.run(keys::exists, &["exists", "s", "s", "nope"]),
        Frame::Integer(2)
    );
    for (key, name) in [
        ("s", "string"),
        ("l", "list"),
        ("h", "hash"),
        ("nope", "none"),
    ] {
        assert_eq!(
            h.run(keys::type_, &["type", key]),
            Frame::Simple(name.into())
        );
    }
    assert_eq!(h.run(keys::dbsize, &["dbsize"]), Frame::Integer(3));
}

#[test]
fn keys_matches_globs_and_skips_expired_keys() {
    let mut h = Harness::new();
    h.setup(&[
        (
            strings::mset,
            &["mset", "user:1", "a", "user:2", "b", "other", "c"],
        ),
        (strings::set, &["set", "user:3", "x", "PX", "10"]),
    ]);
    h.advance(std::time::Duration::from_millis(20));
    let Frame::Array(found) = h.run(keys::keys, &["keys", "user:*"]) else {
        panic!("KEYS answers an array")
    };
    let mut found: Vec<Frame> = found;
    found.sort_by_key(|frame| format!("{frame:?}"));
    assert_eq!(found, vec![bulk("user:1"), bulk("user:2")]);
}

#[test]
fn rename_moves_the_value_with_its_ttl_and_signals_the_destination() {
    let mut h = Harness::new();
    h.setup(&[(strings::set, &["set", "a", "v", "EX", "100"])]);
    assert_eq!(
        h.run(keys::rename, &["rename", "missing", "b"]),
        error("ERR no such key")
    );
    assert_eq!(h.run(keys::rename, &["rename", "a", "b"]), Frame::ok());
    assert_eq!(h.propagated, vec![(0, words("rename a b"))]);
    assert_eq!(h.ready, vec![(0, "b".to_owned())]);
    assert_eq!(h.run(expire::ttl, &["ttl", "b"]), Frame::Integer(100));
    assert_eq!(
        h.run(keys_copy::renamenx, &["renamenx", "b", "b"]),
        Frame::Integer(0)
    );
    h.setup(&[(strings::set, &["set", "c", "x"])]);
    assert_eq!(
        h.run(keys_copy::renamenx, &["renamenx", "b", "c"]),
        Frame::Integer(0)
    );
    assert!(h.propagated.is_empty());
}

#[test]
fn copy_and_move_reach_other_databases_and_touch_both_sides() {
    let mut h = Harness::new();
    h.setup(&[(strings::set, &["set", "k", "v"])]);
    assert_eq!(
        h.run(keys_copy::copy, &["copy", "k", "k", "DB", "3"]),
        Frame::Integer(1)
    );
    assert_eq!(h.propagated, vec![(0, words("copy k k DB 3"))]);
    assert_eq!(h.touched, vec![(3, "k".to_owned())]);
    assert_eq!(h.ready, vec![(3, "k".to_owned())]);
    assert_eq!(
        h.run(keys_copy::copy, &["copy", "k", "k", "DB", "3"]),
        Frame::Integer(0)
    );
    assert_eq!(
        h.run(keys_copy::copy, &["copy", "k", "k"]),
        error("ERR source and destination objects are the same")
    );
    assert_eq!(
        h.run(keys_copy::copy, &["copy", "k", "j", "DB", "99"]),
        error("ERR DB index is out of range")
    );
    assert_eq!(
        h.run(keys_copy::move_, &["move", "k", "3"]),
        Frame::Integer(0)
    );
    assert_eq!(
        h.run(keys_copy::move_, &["move", "k", "4"]),
        Frame::Integer(1)
    );
    assert_eq!(h.touched, vec![(0, "k".to_owned()), (4, "k".to_owned())]);
    assert_eq!(h.run(keys::exists, &["exists", "k"]), Frame::Integer(0));
    assert_eq!(
        h.run(keys_copy::move_, &["move", "k", "x"]),
        error("ERR value is not an integer or out of range")
    );
}

#[test]
fn expire_propagates_an_absolute_pexpireat_and_a_past_time_deletes() {
    let mut h = Harness::new();
    h.setup(&[(strings::set, &["set", "k", "v"])]);
    assert_eq!(
        h.run(expire::expire, &["expire", "k", "10"]),
        Frame::Integer(1)
    );
    let at = (NOW_MS + 10_000).to_string();
    assert_eq!(
        h.propagated_words(),
        vec![words(&format!("PEXPIREAT k {at}"))]
    );
    assert_eq!(h.run(expire::ttl, &["pttl", "k"]), Frame::Integer(10_000));
    assert_eq!(
        h.run(expire::expire, &["expire", "k", "5", "GT"]),
        Frame::Integer(0)
    );
    assert!(h.propagated.is_empty());
    assert_eq!(
        h.run(expire::expire, &["expire", "k", "-1"]),
        Frame::Integer(1)
    );
    assert_eq!(h.propagated_words(), vec![words("DEL k")]);
    assert_eq!(
        h.run(expire::expire, &["expire", "k", "10"]),
        Frame::Integer(0)
    );
}

#[test]
fn a_replica_applying_its_master_keeps_a_key_expired_by_pexpireat() {
    let mut h = Harness::new();
    h.setup(&[(strings::set, &["set", "k", "v"])]);
    h.policy = ExpiryPolicy::Keep;
    let past = (NOW_MS - 1).to_string();
    assert_eq!(
        h.run(expire::expire, &["pexpireat", "k", &past]),
        Frame::Integer(1)
    );
    assert_eq!(
        h.propagated_words(),
        vec![words(&format!("pexpireat k {past}"))]
    );
}

#[test]
fn expire_errors_match_redis() {
    let mut h = Harness::new();
    h.setup(&[(strings::set, &["set", "k", "v"])]);
    assert_eq!(
        h.run(expire::expire, &["expire", "k", "x"]),
        error("ERR value is not an integer or out of range")
    );
    assert_eq!(
        h.run(expire::expire, &["expire", "k", "9223372036854775807"]),
        error("ERR invalid expire time in 'expire' command")
    );
    assert_eq!(
        h.run(expire::expire, &["expire", "k", "10", "NX", "XX"]),
        error("ERR NX and XX, GT or LT options at the same time are not compatible")
    );
    assert_eq!(
        h.run(expire::expire, &["expire", "k", "10", "GT", "LT"]),
        error("ERR GT and LT options at the same time are not compatible")
    );
    assert_eq!(
        h.run(expire::expire, &["expire", "k", "10", "bogus"]),
        error("ERR Unsupported option bogus")
    );
}

#[test]
fn ttl_persist_and_expiretime() {
    let mut h = Harness::new();
    h.setup(&[(strings::set, &["set", "k", "v"])]);
    assert_eq!(h.run(expire::ttl, &["ttl", "k"]), Frame::Integer(-1));
    assert_eq!(h.run(expire::ttl, &["ttl", "nope"]), Frame::Integer(-2));
    assert_eq!(h.run(expire::persist, &["persist", "k"]), Frame::Integer(0));
    let at = (NOW_MS / 1000 + 100).to_string();
    h.run(expire::expire, &["expireat", "k", &at]);
    assert_eq!(
        h.run(expire::expiretime, &["expiretime", "k"]),
        Frame::Integer(NOW_MS / 1000 + 100)
    );
    assert_eq!(h.run(expire::persist, &["persist", "k"]), Frame::Integer(1));
    assert_eq!(h.propagated, vec![(0, words("persist k"))]);
    assert_eq!(
        h.run(expire::expiretime, &["pexpiretime", "k"]),
        Frame::Integer(-1)
    );
}

#[test]
fn dump_and_restore_round_trip_and_refuse_bad_payloads() {
    let mut h = Harness::new();
    h.setup(&[(lists::rpush, &["rpush", "l", "a", "b"])]);
    let Frame::Bulk(payload) = h.run(keys_dump::dump, &["dump", "l"]) else {
        panic!("DUMP answers a bulk string")
    };
    let restore = |key: &str, ttl: &str| {
        let mut args = argv(&["restore", key, ttl]);
        args.push(payload.clone());
        args
    };
    assert_eq!(
        h.run_raw(keys_dump::restore, restore("copy", "0")),
        Frame::ok()
    );
    assert_eq!(h.propagated.len(), 1);
    assert_eq!(
        h.run(lists::lrange, &["lrange", "copy", "0", "-1"]),
        bulks(&["a", "b"])
    );
    assert_eq!(
        h.run_raw(keys_dump::restore, restore("copy", "0")),
        error("BUSYKEY Target key name already exists.")
    );
    assert_eq!(h.run(keys_dump::dump, &["dump", "nope"]), Frame::Null);
    assert_eq!(
        h.run(keys_dump::restore, &["restore", "x", "0", "garbage"]),
        error("ERR DUMP payload version or checksum are wrong")
    );
    assert_eq!(
        h.run(keys_dump::restore, &["restore", "x", "-1", "garbage"]),
        error("ERR Invalid TTL value, must be >= 0")
    );
}

#[test]
fn scan_walks_every_key_and_checks_its_cursor() {
    let mut h = Harness::new();
    for i in 0..50 {
        h.run(strings::set, &["set", &format!("k{i}"), "v"]);
    }
    let mut cursor = "0".to_owned();
    let mut seen = std::collections::BTreeSet::new();
    loop {
        let Frame::Array(reply) = h.run(keys_scan::scan, &["scan", &cursor, "COUNT", "7"]) else {
            panic!("SCAN answers an array")
        };
        let (Frame::Bulk(next), Frame::Array(batch)) = (&reply[0], &reply[1]) else {
            panic!("SCAN answers a cursor and a batch")
        };
        for key in batch {
            seen.insert(format!("{key:?}"));
        }
        cursor = String::from_utf8_lossy(next).into_owned();
        if cursor == "0" {
            break;
        }
    }
    assert_eq!(seen.len(), 50);
    assert_eq!(
        h.run(keys_scan::scan, &["scan", "x"]),
        error("ERR invalid cursor")
    );
    assert_eq!(
        h.run(keys_scan::scan, &["scan", "0", "COUNT", "0"]),
        error("ERR syntax error")
    );
}

#[test]
fn object_encoding_follows_the_value_and_unknown_subcommands_are_refused() {
    let mut h = Harness::new();
    h.setup(&[
        (strings::set, &["set", "n", "12"]),
        (strings::set, &["set", "s", "hello"]),
    ]);
    assert_eq!(
        h.run(keys_scan::object, &["object", "encoding", "n"]),
        bulk("int")
    );
    assert_eq!(
        h.run(keys_scan::object, &["object", "encoding", "s"]),
        bulk("embstr")
    );
    assert_eq!(
        h.run(keys_scan::object, &["object", "encoding", "nope"]),
        Frame::Null
    );
    assert_eq!(
        h.run(keys_scan::object, &["object", "nosuch", "n"]),
        error("ERR unknown subcommand 'nosuch'. Try OBJECT HELP.")
    );
    h.limits.lfu_policy = false;
    assert!(matches!(
        h.run(keys_scan::object, &["object", "freq", "n"]),
        Frame::Error(_)
    ));
}

#[test]
fn randomkey_and_touch() {
    let mut h = Harness::new();
    assert_eq!(h.run(keys_scan::randomkey, &["randomkey"]), Frame::Null);
    h.setup(&[(strings::set, &["set", "only", "v"])]);
    assert_eq!(h.run(keys_scan::randomkey, &["randomkey"]), bulk("only"));
    assert_eq!(
        h.run(keys_scan::touch, &["touch", "only", "nope", "only"]),
        Frame::Integer(2)
    );
    assert!(h.propagated.is_empty());
}
