//! Keys: `keys` (DEL, UNLINK, EXISTS, TYPE, KEYS, RENAME, DBSIZE), `keys_copy` (RENAMENX, COPY, MOVE),
//! `keys_dump` (DUMP, RESTORE) and `keys_scan` (SCAN, RANDOMKEY, TOUCH, OBJECT).

use std::collections::BTreeSet;
use std::time::Duration;

use bytes::Bytes;
use keyspace::ExpiryPolicy;
use resp::Frame;

use super::support::*;
use crate::{
    expire, hashes, keys, keys_copy, keys_dump, keys_scan, lists, sets, streams, strings, zsets,
};

/// The payload `DUMP key` answers.
fn dump(h: &mut Harness, key: &str) -> Bytes {
    match h.run(keys_dump::dump, &["dump", key]) {
        Frame::Bulk(payload) => payload,
        other => panic!("DUMP answers a bulk string: {other:?}"),
    }
}

/// `RESTORE key ttl <payload> options...`
fn restore(h: &mut Harness, key: &str, ttl: &str, payload: &Bytes, options: &[&str]) -> Frame {
    let mut args = argv(&["restore", key, ttl]);
    args.push(payload.clone());
    args.extend(argv(options));
    h.run_raw(keys_dump::restore, args)
}

/// Every key SCAN visits from cursor 0 to the end, with `options` after the cursor.
fn scan_all(h: &mut Harness, options: &[&str]) -> BTreeSet<String> {
    let mut cursor = "0".to_owned();
    let mut seen = BTreeSet::new();
    loop {
        let mut args = vec!["scan", cursor.as_str()];
        args.extend_from_slice(options);
        let Frame::Array(reply) = h.run(keys_scan::scan, &args) else {
            panic!("SCAN answers an array")
        };
        let [Frame::Bulk(next), batch] = &reply[..] else {
            panic!("SCAN answers a cursor and a batch: {reply:?}")
        };
        seen.extend(sorted_texts(batch.clone()));
        cursor = String::from_utf8_lossy(next).into_owned();
        if cursor == "0" {
            return seen;
        }
    }
}

#[test]
fn del_counts_touches_and_propagates_only_what_it_deleted() {
    let mut h = Harness::new();
    h.setup(&[(strings::mset, &["mset", "a", "1", "b", "2"])]);
    assert_eq!(h.run(keys::del, &["del", "a", "x", "b"]), int(2));
    assert_eq!(h.propagated, vec![(0, words("del a x b"))]);
    assert_eq!(h.dirty, 2);
    assert_eq!(h.touched, keys_in(0, &["a", "b"]));
    assert_eq!(h.run(keys::del, &["del", "a"]), int(0));
    h.assert_no_change();
    assert!(h.touched.is_empty());
}

#[test]
fn unlink_deletes_like_del() {
    let mut h = Harness::new();
    h.setup(&[(strings::set, &["set", "a", "1"])]);
    assert_eq!(h.run(keys::del, &["unlink", "a", "a"]), int(1));
    assert_eq!(h.propagated, vec![(0, words("unlink a a"))]);
    assert_eq!(h.touched, keys_in(0, &["a"]));
}

#[test]
fn del_of_an_expired_key_counts_it_as_missing() {
    let mut h = Harness::new();
    h.setup(&[(strings::set, &["set", "a", "1", "PX", "10"])]);
    h.advance(Duration::from_millis(11));
    assert_eq!(h.run(keys::del, &["del", "a"]), int(0));
    h.assert_no_change();
    assert_eq!(
        h.expired,
        keys_in(0, &["a"]),
        "the server propagates its DEL"
    );
}

#[test]
fn exists_counts_repeats_and_type_names_every_value() {
    let mut h = Harness::new();
    h.setup(&[
        (strings::set, &["set", "s", "v"]),
        (lists::rpush, &["rpush", "l", "x"]),
        (hashes::hset, &["hset", "h", "f", "v"]),
        (sets::sadd, &["sadd", "set", "m"]),
        (zsets::zadd, &["zadd", "z", "1", "m"]),
        (streams::xadd, &["xadd", "x", "1-1", "f", "v"]),
    ]);
    assert_eq!(h.run(keys::exists, &["exists", "s", "s", "nope"]), int(2));
    for (key, name) in [
        ("s", "string"),
        ("l", "list"),
        ("h", "hash"),
        ("set", "set"),
        ("z", "zset"),
        ("x", "stream"),
        ("nope", "none"),
    ] {
        assert_eq!(
            h.run(keys::type_, &["type", key]),
            Frame::Simple(name.into())
        );
        h.assert_no_change();
    }
    assert_eq!(h.run(keys::dbsize, &["dbsize"]), int(6));
}

#[test]
fn exists_and_type_delete_an_expired_key_on_a_master() {
    let mut h = Harness::new();
    h.setup(&[
        (strings::set, &["set", "a", "v", "PX", "10"]),
        (strings::set, &["set", "b", "v", "PX", "10"]),
    ]);
    h.advance(Duration::from_millis(11));
    assert_eq!(h.run(keys::dbsize, &["dbsize"]), int(2), "not deleted yet");
    assert_eq!(h.run(keys::exists, &["exists", "a"]), int(0));
    assert_eq!(h.expired, keys_in(0, &["a"]));
    assert_eq!(
        h.run(keys::type_, &["type", "b"]),
        Frame::Simple("none".into())
    );
    assert_eq!(h.expired, keys_in(0, &["b"]));
    assert_eq!(h.run(keys::dbsize, &["dbsize"]), int(0));
}

#[test]
fn keys_matches_globs_and_skips_expired_keys_without_deleting_them() {
    let mut h = Harness::new();
    h.setup(&[
        (
            strings::mset,
            &["mset", "user:1", "a", "user:2", "b", "other", "c"],
        ),
        (strings::set, &["set", "user:3", "x", "PX", "10"]),
    ]);
    h.advance(Duration::from_millis(20));
    assert_eq!(
        sorted_texts(h.run(keys::keys, &["keys", "user:*"])),
        ["user:1", "user:2"]
    );
    assert!(h.expired.is_empty());
    assert_eq!(
        sorted_texts(h.run(keys::keys, &["keys", "*"])),
        ["other", "user:1", "user:2"]
    );
    assert_eq!(
        sorted_texts(h.run(keys::keys, &["keys", "user:[^1]"])),
        ["user:2"]
    );
    // Redis's globs negate with `^` only: `!` is an ordinary character.
    assert_eq!(
        sorted_texts(h.run(keys::keys, &["keys", "user:[!1]"])),
        ["user:1"]
    );
    h.assert_no_change();
}

#[test]
fn rename_moves_the_value_with_its_ttl_and_signals_the_destination() {
    let mut h = Harness::new();
    h.setup(&[(strings::set, &["set", "a", "v", "EX", "100"])]);
    assert_eq!(h.run(keys::rename, &["rename", "a", "b"]), Frame::ok());
    assert_eq!(h.propagated, vec![(0, words("rename a b"))]);
    assert_eq!(h.dirty, 1);
    assert_eq!(h.ready, keys_in(0, &["b"]));
    assert!(!h.touched_explicitly, "the server touches both keys");
    assert_eq!(h.run(expire::ttl, &["ttl", "b"]), int(100));
    assert_eq!(h.run(keys::exists, &["exists", "a"]), int(0));
}

#[test]
fn rename_replaces_the_destination_and_its_ttl() {
    let mut h = Harness::new();
    h.setup(&[
        (strings::set, &["set", "a", "new"]),
        (strings::set, &["set", "b", "old", "EX", "100"]),
    ]);
    assert_eq!(h.run(keys::rename, &["rename", "a", "b"]), Frame::ok());
    assert_eq!(h.run(strings::get, &["get", "b"]), bulk("new"));
    assert_eq!(h.run(expire::ttl, &["ttl", "b"]), int(-1));
}

#[test]
fn rename_of_a_missing_key_or_onto_itself() {
    let mut h = Harness::new();
    assert_eq!(
        h.run(keys::rename, &["rename", "missing", "b"]),
        error("ERR no such key")
    );
    assert_eq!(
        h.run(keys_copy::renamenx, &["renamenx", "missing", "b"]),
        error("ERR no such key")
    );
    h.setup(&[(strings::set, &["set", "a", "v"])]);
    assert_eq!(h.run(keys::rename, &["rename", "a", "a"]), Frame::ok());
    h.assert_no_change();
    assert_eq!(h.run(keys_copy::renamenx, &["renamenx", "a", "a"]), int(0));
    h.assert_no_change();
}

#[test]
fn renamenx_renames_only_onto_a_missing_key() {
    let mut h = Harness::new();
    h.setup(&[
        (strings::set, &["set", "a", "v", "EX", "50"]),
        (strings::set, &["set", "c", "x"]),
    ]);
    assert_eq!(h.run(keys_copy::renamenx, &["renamenx", "a", "c"]), int(0));
    h.assert_no_change();
    assert_eq!(h.run(keys_copy::renamenx, &["renamenx", "a", "b"]), int(1));
    assert_eq!(h.propagated, vec![(0, words("renamenx a b"))]);
    assert_eq!(h.ready, keys_in(0, &["b"]));
    assert_eq!(h.run(expire::ttl, &["ttl", "b"]), int(50));
}

#[test]
fn copy_to_another_database_touches_and_signals_the_destination() {
    let mut h = Harness::new();
    h.setup(&[(strings::set, &["set", "k", "v", "EX", "100"])]);
    assert_eq!(
        h.run(keys_copy::copy, &["copy", "k", "k", "DB", "3"]),
        int(1)
    );
    assert_eq!(h.propagated, vec![(0, words("copy k k DB 3"))]);
    assert_eq!(h.dirty, 1);
    assert_eq!(h.touched, keys_in(3, &["k"]));
    assert_eq!(h.ready, keys_in(3, &["k"]));
    h.db = 3;
    assert_eq!(h.run(strings::get, &["get", "k"]), bulk("v"));
    assert_eq!(h.run(expire::ttl, &["ttl", "k"]), int(100), "with its TTL");
}

#[test]
fn copy_refuses_an_existing_destination_unless_replace() {
    let mut h = Harness::new();
    h.setup(&[
        (strings::set, &["set", "k", "v"]),
        (strings::set, &["set", "j", "old"]),
    ]);
    assert_eq!(h.run(keys_copy::copy, &["copy", "k", "j"]), int(0));
    h.assert_no_change();
    assert_eq!(
        h.run(keys_copy::copy, &["copy", "k", "j", "REPLACE"]),
        int(1)
    );
    assert_eq!(h.propagated, vec![(0, words("copy k j REPLACE"))]);
    assert_eq!(h.touched, keys_in(0, &["j"]));
    assert_eq!(h.run(strings::get, &["get", "j"]), bulk("v"));
    assert_eq!(h.run(keys_copy::copy, &["copy", "nope", "j"]), int(0));
    h.assert_no_change();
}

#[test]
fn copy_errors_match_redis() {
    let mut h = Harness::new();
    h.setup(&[(strings::set, &["set", "k", "v"])]);
    let cases: [(&[&str], &str); 7] = [
        (
            &["copy", "k", "k"],
            "ERR source and destination objects are the same",
        ),
        (
            &["copy", "k", "k", "DB", "0"],
            "ERR source and destination objects are the same",
        ),
        (
            &["copy", "k", "j", "DB", "16"],
            "ERR DB index is out of range",
        ),
        (&["copy", "k", "j", "DB", "x"], NOT_INTEGER),
        (
            &["copy", "k", "j", "DB", "99999999999"],
            "ERR value is out of range, value must between -2147483648 and 2147483647",
        ),
        (&["copy", "k", "j", "DB"], SYNTAX),
        (&["copy", "k", "j", "bogus"], SYNTAX),
    ];
    for (args, text) in cases {
        assert_eq!(h.run(keys_copy::copy, args), error(text), "{args:?}");
        h.assert_no_change();
    }
}

#[test]
fn move_touches_both_databases_and_signals_the_target() {
    let mut h = Harness::new();
    h.setup(&[(strings::set, &["set", "k", "v"])]);
    assert_eq!(h.run(keys_copy::move_, &["move", "k", "4"]), int(1));
    assert_eq!(h.propagated, vec![(0, words("move k 4"))]);
    assert_eq!(h.touched, vec![(0, "k".to_owned()), (4, "k".to_owned())]);
    assert_eq!(h.ready, keys_in(4, &["k"]));
    assert_eq!(h.run(keys::exists, &["exists", "k"]), int(0));
    h.db = 4;
    assert_eq!(h.run(strings::get, &["get", "k"]), bulk("v"));
}

#[test]
fn move_does_nothing_when_missing_here_or_present_there() {
    let mut h = Harness::new();
    assert_eq!(h.run(keys_copy::move_, &["move", "k", "3"]), int(0));
    h.assert_no_change();
    h.setup(&[(strings::set, &["set", "k", "here"])]);
    h.db = 3;
    h.setup(&[(strings::set, &["set", "k", "there"])]);
    h.db = 0;
    assert_eq!(h.run(keys_copy::move_, &["move", "k", "3"]), int(0));
    h.assert_no_change();
    assert!(h.touched.is_empty());
}

#[test]
fn move_errors_match_redis() {
    let mut h = Harness::new();
    h.setup(&[(strings::set, &["set", "k", "v"])]);
    let cases = [
        ("0", "ERR source and destination objects are the same"),
        ("16", "ERR DB index is out of range"),
        ("-1", "ERR DB index is out of range"),
        ("x", NOT_INTEGER),
        (
            "99999999999",
            "ERR value is out of range, value must between -2147483648 and 2147483647",
        ),
    ];
    for (db, text) in cases {
        assert_eq!(
            h.run(keys_copy::move_, &["move", "k", db]),
            error(text),
            "{db}"
        );
        h.assert_no_change();
    }
}

#[test]
fn dump_and_restore_round_trip_and_restore_signals_the_key() {
    let mut h = Harness::new();
    h.setup(&[(lists::rpush, &["rpush", "l", "a", "b"])]);
    let payload = dump(&mut h, "l");
    h.assert_no_change();
    assert_eq!(restore(&mut h, "copy", "0", &payload, &[]), Frame::ok());
    let propagated = h.propagated_words();
    assert_eq!(propagated.len(), 1);
    assert_eq!(propagated[0][..3], words("restore copy 0")[..]);
    assert_eq!(propagated[0].len(), 4, "a TTL of 0 goes out verbatim");
    assert_eq!(h.dirty, 1);
    assert_eq!(h.ready, keys_in(0, &["copy"]));
    assert_eq!(
        h.run(lists::lrange, &["lrange", "copy", "0", "-1"]),
        bulks(&["a", "b"])
    );
    assert_eq!(h.run(keys_dump::dump, &["dump", "nope"]), Frame::Null);
}

#[test]
fn restore_with_a_relative_ttl_propagates_an_absolute_one() {
    let mut h = Harness::new();
    h.setup(&[(strings::set, &["set", "s", "v"])]);
    let payload = dump(&mut h, "s");
    assert_eq!(restore(&mut h, "r", "5000", &payload, &[]), Frame::ok());
    let propagated = h.propagated_words();
    let command = &propagated[0];
    assert_eq!(
        command[..3],
        words(&format!("restore r {}", NOW_MS + 5_000))[..]
    );
    assert_eq!(command[4..], words("ABSTTL")[..]);
    assert_eq!(h.run(expire::ttl, &["pttl", "r"]), int(5_000));
    let at = (NOW_MS + 7_000).to_string();
    assert_eq!(
        restore(&mut h, "r", &at, &payload, &["REPLACE", "ABSTTL"]),
        Frame::ok()
    );
    assert_eq!(
        h.propagated_words()[0][4..],
        words("REPLACE ABSTTL")[..],
        "an absolute TTL goes out as given"
    );
}

#[test]
fn restore_of_an_already_expired_ttl_stores_nothing_and_deletes_a_replaced_key() {
    let mut h = Harness::new();
    h.setup(&[
        (strings::set, &["set", "s", "v"]),
        (strings::set, &["set", "old", "v"]),
    ]);
    let payload = dump(&mut h, "s");
    let past = (NOW_MS - 1).to_string();
    assert_eq!(
        restore(&mut h, "fresh", &past, &payload, &["ABSTTL"]),
        Frame::ok()
    );
    h.assert_no_change();
    assert_eq!(h.run(keys::exists, &["exists", "fresh"]), int(0));
    assert_eq!(
        restore(&mut h, "old", &past, &payload, &["ABSTTL", "REPLACE"]),
        Frame::ok()
    );
    assert_eq!(h.propagated_words(), vec![words("DEL old")]);
    assert_eq!(h.run(keys::exists, &["exists", "old"]), int(0));
}

#[test]
fn restore_on_a_replica_server_keeps_an_already_expired_key() {
    let mut h = Harness::new();
    h.setup(&[(strings::set, &["set", "s", "v"])]);
    let payload = dump(&mut h, "s");
    h.master_link();
    let past = (NOW_MS - 1).to_string();
    assert_eq!(
        restore(&mut h, "r", &past, &payload, &["ABSTTL"]),
        Frame::ok()
    );
    assert_eq!(h.run(strings::get, &["get", "r"]), bulk("v"));
}

#[test]
fn restore_idletime_sets_the_idle_time() {
    let mut h = Harness::new();
    h.setup(&[(strings::set, &["set", "s", "v"])]);
    let payload = dump(&mut h, "s");
    assert_eq!(
        restore(&mut h, "r", "0", &payload, &["IDLETIME", "1000"]),
        Frame::ok()
    );
    assert_eq!(
        h.run(keys_scan::object, &["object", "idletime", "r"]),
        int(1000)
    );
}

#[test]
fn restore_errors_come_in_redis_order() {
    let mut h = Harness::new();
    h.setup(&[(strings::set, &["set", "e", "v"])]);
    let garbage = Bytes::from_static(b"garbage");
    let cases: [(&str, &str, &[&str], &str); 9] = [
        ("e", "0", &[], "BUSYKEY Target key name already exists."),
        (
            "k",
            "0",
            &[],
            "ERR DUMP payload version or checksum are wrong",
        ),
        ("k", "-1", &[], "ERR Invalid TTL value, must be >= 0"),
        (
            "e",
            "-1",
            &["REPLACE"],
            "ERR Invalid TTL value, must be >= 0",
        ),
        ("k", "x", &[], NOT_INTEGER),
        ("k", "0", &["bogus"], SYNTAX),
        (
            "k",
            "0",
            &["IDLETIME", "-1"],
            "ERR Invalid IDLETIME value, must be >= 0",
        ),
        (
            "k",
            "0",
            &["FREQ", "256"],
            "ERR Invalid FREQ value, must be >= 0 and <= 255",
        ),
        ("k", "0", &["IDLETIME", "1", "FREQ", "1"], SYNTAX),
    ];
    for (key, ttl, options, text) in cases {
        assert_eq!(
            restore(&mut h, key, ttl, &garbage, options),
            error(text),
            "{key} {ttl} {options:?}"
        );
        h.assert_no_change();
    }
}

#[test]
fn scan_walks_every_key_and_reads_nothing_twice_in_a_small_database() {
    let mut h = Harness::new();
    for i in 0..50 {
        h.run(strings::set, &["set", &format!("k{i}"), "v"]);
    }
    assert_eq!(scan_all(&mut h, &["COUNT", "7"]).len(), 50);
    h.assert_no_change();
    let matched = scan_all(&mut h, &["MATCH", "k1*", "COUNT", "100"]);
    assert_eq!(matched.len(), 11, "k1 and k10..k19");
}

#[test]
fn scan_type_filters_by_type_name() {
    let mut h = Harness::new();
    h.setup(&[
        (strings::set, &["set", "s", "v"]),
        (lists::rpush, &["rpush", "l", "x"]),
        (hashes::hset, &["hset", "h", "f", "v"]),
    ]);
    assert_eq!(
        scan_all(&mut h, &["TYPE", "LIST"]),
        BTreeSet::from(["l".to_owned()])
    );
    assert!(scan_all(&mut h, &["TYPE", "nosuchtype"]).is_empty());
}

#[test]
fn scan_deletes_expired_keys_on_a_master_and_hides_them_on_a_replica() {
    let mut h = Harness::new();
    h.setup(&[
        (strings::set, &["set", "live", "v"]),
        (strings::set, &["set", "a", "v", "PX", "10"]),
        (strings::set, &["set", "b", "v", "PX", "10"]),
    ]);
    h.advance(Duration::from_millis(11));
    h.policy = ExpiryPolicy::Hide;
    assert_eq!(
        scan_all(&mut h, &["COUNT", "100"]),
        BTreeSet::from(["live".to_owned()])
    );
    assert!(h.expired.is_empty());
    h.policy = ExpiryPolicy::Delete;
    scan_all(&mut h, &["COUNT", "100"]);
    let deleted: BTreeSet<_> = h.expired.iter().map(|(_, key)| key.clone()).collect();
    assert_eq!(deleted, BTreeSet::from(["a".to_owned(), "b".to_owned()]));
}

#[test]
fn scan_checks_its_cursor_and_options() {
    let mut h = Harness::new();
    let cases: [(&[&str], &str); 6] = [
        (&["scan", "x"], "ERR invalid cursor"),
        (&["scan", " 1"], "ERR invalid cursor"),
        (&["scan", "0", "COUNT", "0"], SYNTAX),
        (&["scan", "0", "COUNT", "x"], NOT_INTEGER),
        (&["scan", "0", "MATCH"], SYNTAX),
        (&["scan", "0", "bogus", "1"], SYNTAX),
    ];
    for (args, text) in cases {
        assert_eq!(h.run(keys_scan::scan, args), error(text), "{args:?}");
    }
}

#[test]
fn randomkey_answers_a_live_key_and_deletes_expired_picks() {
    let mut h = Harness::new();
    assert_eq!(h.run(keys_scan::randomkey, &["randomkey"]), Frame::Null);
    h.setup(&[(strings::set, &["set", "gone", "v", "PX", "10"])]);
    h.advance(Duration::from_millis(11));
    assert_eq!(h.run(keys_scan::randomkey, &["randomkey"]), Frame::Null);
    assert_eq!(h.expired, keys_in(0, &["gone"]));
    h.setup(&[(strings::set, &["set", "only", "v"])]);
    assert_eq!(h.run(keys_scan::randomkey, &["randomkey"]), bulk("only"));
    h.assert_no_change();
}

#[test]
fn touch_counts_existing_keys_and_propagates_nothing() {
    let mut h = Harness::new();
    h.setup(&[(strings::set, &["set", "only", "v"])]);
    assert_eq!(
        h.run(keys_scan::touch, &["touch", "only", "nope", "only"]),
        int(2)
    );
    h.assert_no_change();
}

#[test]
fn object_encoding_follows_the_value() {
    let mut h = Harness::new();
    h.setup(&[
        (strings::set, &["set", "n", "12"]),
        (strings::set, &["set", "s", "hello"]),
        (strings::set, &["set", "long", &"x".repeat(45)]),
        (strings::append, &["append", "grown", "ab"]),
        (strings::append, &["append", "grown", "c"]),
        (lists::rpush, &["rpush", "l", "a"]),
    ]);
    for (key, encoding) in [
        ("n", "int"),
        ("s", "embstr"),
        ("long", "raw"),
        ("grown", "raw"),
        ("l", "quicklist"),
    ] {
        assert_eq!(
            h.run(keys_scan::object, &["object", "encoding", key]),
            bulk(encoding),
            "{key}"
        );
    }
    assert_eq!(
        h.run(keys_scan::object, &["object", "encoding", "nope"]),
        Frame::Null
    );
    h.assert_no_change();
}

#[test]
fn object_refcount_shows_redis_shared_integers() {
    let mut h = Harness::new();
    h.setup(&[
        (strings::set, &["set", "small", "12"]),
        (strings::set, &["set", "large", "12345"]),
    ]);
    assert_eq!(
        h.run(keys_scan::object, &["object", "refcount", "small"]),
        int(2_147_483_647)
    );
    assert_eq!(
        h.run(keys_scan::object, &["object", "refcount", "large"]),
        int(1)
    );
}

#[test]
fn object_idletime_and_freq_follow_the_eviction_policy() {
    let mut h = Harness::new();
    h.setup(&[(strings::set, &["set", "k", "v"])]);
    h.advance(Duration::from_secs(5));
    assert_eq!(
        h.run(keys_scan::object, &["object", "idletime", "k"]),
        int(5)
    );
    assert_eq!(
        h.run(keys_scan::object, &["object", "freq", "k"]),
        error(
            "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust."
        )
    );
    h.limits.lfu_policy = true;
    assert_eq!(
        h.run(keys_scan::object, &["object", "idletime", "k"]),
        error(
            "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust."
        )
    );
    assert_eq!(h.run(keys_scan::object, &["object", "freq", "k"]), int(0));
}

#[test]
fn object_refuses_unknown_subcommands_and_wrong_arities() {
    let mut h = Harness::new();
    assert_eq!(
        h.run(keys_scan::object, &["object", "nosuch", "n"]),
        error("ERR unknown subcommand 'nosuch'. Try OBJECT HELP.")
    );
    assert_eq!(
        h.run(keys_scan::object, &["object", "encoding", "k", "extra"]),
        error("ERR wrong number of arguments for 'object|encoding' command")
    );
    let Frame::Array(help) = h.run(keys_scan::object, &["object", "help"]) else {
        panic!("OBJECT HELP answers lines")
    };
    assert_eq!(
        help[0],
        Frame::Simple("OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:".into())
    );
    assert_eq!(help.len(), 15);
}
