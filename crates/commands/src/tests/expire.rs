//! Expiry: EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT (propagated as `PEXPIREAT` with an absolute time, or `DEL`
//! when the time is past), TTL, PTTL, EXPIRETIME, PEXPIRETIME, PERSIST.

use std::time::Duration;

use resp::Frame;

use super::support::*;
use crate::{expire, strings};

/// A harness holding the string `k` without a TTL.
fn with_key() -> Harness {
    let mut h = Harness::new();
    h.setup(&[(strings::set, &["set", "k", "v"])]);
    h
}

/// `PEXPIREAT k <NOW_MS + ms> options...` as propagated.
fn pexpireat(ms: i64, options: &str) -> Vec<String> {
    words(format!("PEXPIREAT k {} {options}", NOW_MS + ms).trim_end())
}

#[test]
fn expire_propagates_an_absolute_pexpireat() {
    let mut h = with_key();
    assert_eq!(h.run(expire::expire, &["expire", "k", "10"]), int(1));
    assert_eq!(h.propagated_words(), vec![pexpireat(10_000, "")]);
    assert_eq!(h.dirty, 1);
    assert_eq!(h.run(expire::ttl, &["pttl", "k"]), int(10_000));
}

#[test]
fn pexpire_and_expireat_propagate_pexpireat_too() {
    let mut h = with_key();
    h.run(expire::expire, &["pexpire", "k", "1500"]);
    assert_eq!(h.propagated_words(), vec![pexpireat(1_500, "")]);
    h.run(expire::expire, &["expireat", "k", "4000000000"]);
    assert_eq!(
        h.propagated_words(),
        vec![words("PEXPIREAT k 4000000000000")]
    );
}

#[test]
fn pexpireat_goes_out_as_the_client_spelled_it() {
    let mut h = with_key();
    let at = (NOW_MS + 60_000).to_string();
    assert_eq!(h.run(expire::expire, &["pexpireat", "k", &at]), int(1));
    assert_eq!(h.propagated, vec![(0, words(&format!("pexpireat k {at}")))]);
}

#[test]
fn expire_options_are_propagated_with_the_command() {
    let mut h = with_key();
    h.run(expire::expire, &["expire", "k", "100", "NX"]);
    assert_eq!(h.propagated_words(), vec![pexpireat(100_000, "NX")]);
    h.run(expire::expire, &["expire", "k", "300", "XX", "GT"]);
    assert_eq!(h.propagated_words(), vec![pexpireat(300_000, "XX GT")]);
}

#[test]
fn expire_conditions_refuse_quietly() {
    let mut h = with_key();
    // No TTL yet: XX and GT refuse, LT accepts (no TTL counts as infinite).
    assert_eq!(h.run(expire::expire, &["expire", "k", "50", "XX"]), int(0));
    h.assert_no_change();
    assert_eq!(h.run(expire::expire, &["expire", "k", "50", "GT"]), int(0));
    h.assert_no_change();
    assert_eq!(h.run(expire::expire, &["expire", "k", "100", "LT"]), int(1));
    // A TTL of 100 s now: NX refuses, and so do GT with less and LT with more.
    for args in [
        &["expire", "k", "200", "NX"][..],
        &["expire", "k", "50", "GT"],
        &["expire", "k", "100", "GT"],
        &["expire", "k", "200", "LT"],
        &["expire", "k", "50", "XX", "GT"],
    ] {
        assert_eq!(h.run(expire::expire, args), int(0), "{args:?}");
        h.assert_no_change();
    }
    assert_eq!(h.run(expire::ttl, &["ttl", "k"]), int(100));
}

#[test]
fn expire_of_a_missing_key_answers_zero() {
    let mut h = Harness::new();
    assert_eq!(h.run(expire::expire, &["expire", "nope", "10"]), int(0));
    h.assert_no_change();
}

#[test]
fn a_time_already_past_deletes_the_key_and_propagates_del() {
    let mut h = with_key();
    assert_eq!(h.run(expire::expire, &["expire", "k", "-1"]), int(1));
    assert_eq!(h.propagated_words(), vec![words("DEL k")]);
    assert_eq!(h.dirty, 1);
    assert_eq!(h.run(expire::ttl, &["ttl", "k"]), int(-2));
    h.setup(&[(strings::set, &["set", "k", "v"])]);
    assert_eq!(
        h.run(expire::expire, &["expire", "k", "0"]),
        int(1),
        "now is past"
    );
    assert_eq!(h.propagated_words(), vec![words("DEL k")]);
    assert_eq!(h.run(expire::expire, &["expire", "k", "10"]), int(0));
}

#[test]
fn a_replica_applying_its_master_keeps_a_key_expired_by_pexpireat() {
    let mut h = with_key();
    h.master_link();
    let past = (NOW_MS - 1).to_string();
    assert_eq!(h.run(expire::expire, &["pexpireat", "k", &past]), int(1));
    assert_eq!(
        h.propagated_words(),
        vec![words(&format!("pexpireat k {past}"))]
    );
    assert_eq!(h.run(strings::get, &["get", "k"]), bulk("v"));
}

#[test]
fn expire_checks_its_options_before_its_time() {
    let mut h = with_key();
    let cases: [(&[&str], &str); 7] = [
        (&["expire", "k", "x"], NOT_INTEGER),
        (
            &["expire", "k", "x", "bogus"],
            "ERR Unsupported option bogus",
        ),
        (
            &["expire", "k", "10", "bogus"],
            "ERR Unsupported option bogus",
        ),
        (
            &["expire", "k", "10", "NX", "XX"],
            "ERR NX and XX, GT or LT options at the same time are not compatible",
        ),
        (
            &["expire", "k", "10", "nx", "lt"],
            "ERR NX and XX, GT or LT options at the same time are not compatible",
        ),
        (
            &["expire", "k", "10", "GT", "LT"],
            "ERR GT and LT options at the same time are not compatible",
        ),
        (&["expire", "k", "1.5"], NOT_INTEGER),
    ];
    for (args, text) in cases {
        assert_eq!(h.run(expire::expire, args), error(text), "{args:?}");
        h.assert_no_change();
    }
}

#[test]
fn expire_times_that_overflow_are_invalid_and_name_the_command() {
    let mut h = with_key();
    let cases = [
        ("expire", "9223372036854775807"),
        ("expire", "-9223372036854775808"),
        ("pexpire", "9223372036854775807"),
        ("expireat", "9223372036854775807"),
    ];
    for (command, time) in cases {
        assert_eq!(
            h.run(expire::expire, &[command, "k", time]),
            error(&format!("ERR invalid expire time in '{command}' command")),
            "{command} {time}"
        );
        h.assert_no_change();
    }
}

#[test]
fn ttl_answers_minus_two_for_missing_and_minus_one_without_ttl() {
    let mut h = with_key();
    assert_eq!(h.run(expire::ttl, &["ttl", "k"]), int(-1));
    assert_eq!(h.run(expire::ttl, &["pttl", "k"]), int(-1));
    assert_eq!(h.run(expire::ttl, &["ttl", "nope"]), int(-2));
    assert_eq!(h.run(expire::ttl, &["pttl", "nope"]), int(-2));
    h.assert_no_change();
}

#[test]
fn ttl_rounds_to_the_nearest_second() {
    let mut h = with_key();
    h.run(expire::expire, &["pexpire", "k", "1499"]);
    assert_eq!(h.run(expire::ttl, &["ttl", "k"]), int(1));
    h.run(expire::expire, &["pexpire", "k", "1500"]);
    assert_eq!(h.run(expire::ttl, &["ttl", "k"]), int(2));
    h.advance(Duration::from_millis(1_000));
    assert_eq!(h.run(expire::ttl, &["pttl", "k"]), int(500));
}

#[test]
fn ttl_of_a_key_past_its_time_is_minus_two_and_deletes_it() {
    let mut h = with_key();
    h.run(expire::expire, &["pexpire", "k", "100"]);
    h.advance(Duration::from_millis(101));
    assert_eq!(h.run(expire::ttl, &["ttl", "k"]), int(-2));
    assert_eq!(h.expired, keys_in(0, &["k"]));
}

#[test]
fn persist_removes_a_ttl_and_propagates_verbatim() {
    let mut h = with_key();
    assert_eq!(h.run(expire::persist, &["persist", "k"]), int(0));
    h.assert_no_change();
    h.run(expire::expire, &["expire", "k", "100"]);
    assert_eq!(h.run(expire::persist, &["persist", "k"]), int(1));
    assert_eq!(h.propagated, vec![(0, words("persist k"))]);
    assert_eq!(h.dirty, 1);
    assert_eq!(h.run(expire::ttl, &["ttl", "k"]), int(-1));
    assert_eq!(h.run(expire::persist, &["persist", "nope"]), int(0));
    h.assert_no_change();
}

#[test]
fn expiretime_answers_the_absolute_time() {
    let mut h = with_key();
    assert_eq!(h.run(expire::expiretime, &["expiretime", "k"]), int(-1));
    assert_eq!(h.run(expire::expiretime, &["pexpiretime", "nope"]), int(-2));
    let at = NOW_MS + 100_500;
    h.run(expire::expire, &["pexpireat", "k", &at.to_string()]);
    assert_eq!(h.run(expire::expiretime, &["pexpiretime", "k"]), int(at));
    assert_eq!(
        h.run(expire::expiretime, &["expiretime", "k"]),
        int(at / 1000),
        "seconds are truncated"
    );
    h.assert_no_change();
}

#[test]
fn expireat_in_seconds_and_expiretime_agree() {
    let mut h = with_key();
    let at = NOW_MS / 1000 + 100;
    h.run(expire::expire, &["expireat", "k", &at.to_string()]);
    assert_eq!(h.run(expire::expiretime, &["expiretime", "k"]), int(at));
    assert_eq!(
        h.run(expire::expiretime, &["pexpiretime", "k"]),
        int(at * 1000)
    );
}

#[test]
fn a_key_expires_once_its_time_has_passed() {
    let mut h = with_key();
    h.run(expire::expire, &["expire", "k", "1"]);
    h.advance(Duration::from_millis(999));
    assert_eq!(h.run(strings::get, &["get", "k"]), bulk("v"));
    h.advance(Duration::from_millis(2));
    assert_eq!(h.run(strings::get, &["get", "k"]), Frame::Null);
    assert_eq!(h.expired, keys_in(0, &["k"]));
}

#[test]
fn a_past_time_on_a_writable_replica_keeps_the_key_with_its_past_ttl() {
    let mut h = with_key();
    h.replica_server();
    let past = (NOW_MS - 1).to_string();
    assert_eq!(h.run(expire::expire, &["pexpireat", "k", &past]), int(1));
    assert_eq!(
        h.propagated_words(),
        vec![words(&format!("pexpireat k {past}"))]
    );
    assert!(
        h.keyspace.db(0).unwrap().peek(b"k").is_some(),
        "Redis keeps it (checkAlreadyExpired is false on a replica)"
    );
}
