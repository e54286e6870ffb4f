//! Sets: `sets` (SADD, SREM, SISMEMBER, SMISMEMBER, SCARD, SPOP propagated as SREM/DEL, SRANDMEMBER,
//! SMOVE, SSCAN) and `set_ops` (SMEMBERS, SINTER, SINTERCARD, SUNION, SDIFF and their STORE forms).

use resp::Frame;

use super::support::*;
use crate::{expire, keys, set_ops, sets, strings};

/// A harness holding the set `s` = `members`.
fn with_set(members: &[&str]) -> Harness {
    let mut h = Harness::new();
    let mut args = vec!["sadd", "s"];
    args.extend_from_slice(members);
    h.setup(&[(sets::sadd, &args)]);
    h
}

/// A harness holding `a` = {1, 2, 3} and `b` = {2, 3, 4}.
fn with_two_sets() -> Harness {
    let mut h = Harness::new();
    h.setup(&[
        (sets::sadd, &["sadd", "a", "1", "2", "3"]),
        (sets::sadd, &["sadd", "b", "2", "3", "4"]),
    ]);
    h
}

fn members(h: &mut Harness, key: &str) -> Vec<String> {
    sorted_texts(h.run(set_ops::sinter, &["smembers", key]))
}

#[test]
fn sadd_counts_new_members_and_propagates_verbatim() {
    let mut h = Harness::new();
    assert_eq!(h.run(sets::sadd, &["sadd", "s", "a", "b", "a"]), int(2));
    assert_eq!(h.propagated, vec![(0, words("sadd s a b a"))]);
    assert_eq!(h.dirty, 2);
    assert!(h.ready.is_empty(), "nobody blocks on a set");
    assert_eq!(h.run(sets::sadd, &["sadd", "s", "a"]), int(0));
    h.assert_no_change();
}

#[test]
fn srem_counts_removals_and_the_last_member_deletes_the_key() {
    let mut h = with_set(&["a", "b"]);
    assert_eq!(h.run(sets::srem, &["srem", "s", "a", "zz"]), int(1));
    assert_eq!(h.propagated, vec![(0, words("srem s a zz"))]);
    assert_eq!(h.dirty, 1);
    assert_eq!(h.run(sets::srem, &["srem", "s", "zz"]), int(0));
    h.assert_no_change();
    assert_eq!(h.run(sets::srem, &["srem", "s", "b", "b"]), int(1));
    assert_eq!(h.run(keys::exists, &["exists", "s"]), int(0));
    assert_eq!(h.run(sets::srem, &["srem", "s", "b"]), int(0));
    h.assert_no_change();
}

#[test]
fn membership_reads_record_nothing() {
    let mut h = with_set(&["a", "b"]);
    assert_eq!(h.run(sets::scard, &["scard", "s"]), int(2));
    assert_eq!(h.run(sets::scard, &["scard", "nope"]), int(0));
    assert_eq!(h.run(sets::sismember, &["sismember", "s", "b"]), int(1));
    assert_eq!(h.run(sets::sismember, &["sismember", "nope", "b"]), int(0));
    assert_eq!(
        h.run(sets::smismember, &["smismember", "s", "a", "z", "b"]),
        Frame::Array(vec![int(1), int(0), int(1)])
    );
    assert_eq!(
        h.run(sets::smismember, &["smismember", "nope", "a"]),
        Frame::Array(vec![int(0)])
    );
    h.assert_no_change();
}

#[test]
fn set_commands_on_another_type_answer_wrongtype() {
    let mut h = Harness::new();
    h.setup(&[
        (strings::set, &["set", "k", "v"]),
        (sets::sadd, &["sadd", "ok", "x"]),
    ]);
    let cases: [(crate::Handler, &[&str]); 14] = [
        (sets::sadd, &["sadd", "k", "a"]),
        (sets::srem, &["srem", "k", "a"]),
        (sets::scard, &["scard", "k"]),
        (sets::sismember, &["sismember", "k", "a"]),
        (sets::smismember, &["smismember", "k", "a"]),
        (sets::spop, &["spop", "k"]),
        (sets::srandmember, &["srandmember", "k"]),
        (sets::sscan, &["sscan", "k", "0"]),
        (set_ops::sinter, &["sinter", "ok", "k"]),
        (set_ops::sinter, &["smembers", "k"]),
        (set_ops::sunion, &["sunion", "k", "ok"]),
        (set_ops::sdiff, &["sdiff", "ok", "k"]),
        (set_ops::sintercard, &["sintercard", "2", "ok", "k"]),
        (set_ops::sunionstore, &["sunionstore", "d", "k"]),
    ];
    for (handler, args) in cases {
        assert_eq!(h.run(handler, args), wrongtype(), "{args:?}");
        h.assert_no_change();
    }
}

#[test]
fn a_wrongtype_anywhere_wins_over_a_missing_key() {
    let mut h = Harness::new();
    h.setup(&[(strings::set, &["set", "k", "v"])]);
    assert_eq!(
        h.run(set_ops::sinter, &["sinter", "nope", "k"]),
        wrongtype()
    );
    assert_eq!(h.run(set_ops::sdiff, &["sdiff", "nope", "k"]), wrongtype());
}

#[test]
fn spop_propagates_srem_of_the_member_it_popped() {
    let mut h = with_set(&["a", "b", "c"]);
    let Frame::Bulk(popped) = h.run(sets::spop, &["spop", "s"]) else {
        panic!("SPOP answers a member")
    };
    let popped = String::from_utf8_lossy(&popped).into_owned();
    assert_eq!(
        h.propagated_words(),
        vec![vec!["SREM".to_owned(), "s".to_owned(), popped.clone()]]
    );
    assert_eq!(h.dirty, 1);
    assert!(!members(&mut h, "s").contains(&popped));
}

#[test]
fn spop_with_a_count_propagates_one_srem_per_member() {
    let mut h = with_set(&["a", "b", "c", "d", "e"]);
    let popped = sorted_texts(h.run(sets::spop, &["spop", "s", "2"]));
    assert_eq!(popped.len(), 2);
    let mut removed: Vec<String> = h
        .propagated_words()
        .into_iter()
        .map(|command| {
            assert_eq!(command[..2], words("SREM s")[..]);
            command[2].clone()
        })
        .collect();
    removed.sort();
    assert_eq!(removed, popped);
    assert_eq!(h.dirty, 2);
    assert_eq!(h.run(sets::scard, &["scard", "s"]), int(3));
}

#[test]
fn spop_of_the_whole_set_propagates_del() {
    let mut h = with_set(&["a", "b", "c"]);
    assert_eq!(
        sorted_texts(h.run(sets::spop, &["spop", "s", "10"])),
        ["a", "b", "c"]
    );
    assert_eq!(h.propagated_words(), vec![words("DEL s")]);
    assert_eq!(h.dirty, 3);
    assert_eq!(h.run(keys::exists, &["exists", "s"]), int(0));
}

#[test]
fn spop_of_nothing_changes_nothing() {
    let mut h = with_set(&["a"]);
    assert_eq!(
        h.run(sets::spop, &["spop", "s", "0"]),
        Frame::Set(Vec::new())
    );
    h.assert_no_change();
    assert_eq!(h.run(sets::spop, &["spop", "nope"]), Frame::Null);
    assert_eq!(
        h.run(sets::spop, &["spop", "nope", "2"]),
        Frame::Set(Vec::new())
    );
    h.assert_no_change();
    let positive = error("ERR value is out of range, must be positive");
    assert_eq!(h.run(sets::spop, &["spop", "s", "-1"]), positive);
    assert_eq!(h.run(sets::spop, &["spop", "s", "x"]), positive);
    assert_eq!(h.run(sets::spop, &["spop", "s", "1", "2"]), error(SYNTAX));
}

#[test]
fn srandmember_picks_without_changing_anything() {
    let mut h = with_set(&["a", "b"]);
    let Frame::Array(repeated) = h.run(sets::srandmember, &["srandmember", "s", "-5"]) else {
        panic!("an array")
    };
    assert_eq!(repeated.len(), 5, "a negative count repeats");
    h.assert_no_change();
    assert_eq!(
        sorted_texts(h.run(sets::srandmember, &["srandmember", "s", "9"])),
        ["a", "b"]
    );
    let Frame::Bulk(one) = h.run(sets::srandmember, &["srandmember", "s"]) else {
        panic!("a member")
    };
    assert!(&one[..] == b"a" || &one[..] == b"b");
    assert_eq!(h.run(sets::scard, &["scard", "s"]), int(2));
}

#[test]
fn srandmember_of_a_missing_key_and_bad_arguments() {
    let mut h = Harness::new();
    assert_eq!(
        h.run(sets::srandmember, &["srandmember", "nope"]),
        Frame::Null
    );
    assert_eq!(
        h.run(sets::srandmember, &["srandmember", "nope", "2"]),
        Frame::Array(Vec::new())
    );
    assert_eq!(
        h.run(sets::srandmember, &["srandmember", "nope", "1", "2"]),
        error(SYNTAX)
    );
    assert_eq!(
        h.run(sets::srandmember, &["srandmember", "nope", "x"]),
        error(NOT_INTEGER)
    );
}

#[test]
fn smove_moves_a_member_and_counts_the_addition() {
    let mut h = Harness::new();
    h.setup(&[(sets::sadd, &["sadd", "a", "x", "y"])]);
    assert_eq!(h.run(sets::smove, &["smove", "a", "b", "x"]), int(1));
    assert_eq!(h.propagated, vec![(0, words("smove a b x"))]);
    assert_eq!(h.dirty, 2, "removed here and added there");
    h.setup(&[(sets::sadd, &["sadd", "b", "y"])]);
    assert_eq!(h.run(sets::smove, &["smove", "a", "b", "y"]), int(1));
    assert_eq!(h.dirty, 1, "the destination had it already");
    assert_eq!(h.run(keys::exists, &["exists", "a"]), int(0));
    assert_eq!(members(&mut h, "b"), ["x", "y"]);
}

#[test]
fn smove_that_moves_nothing_changes_nothing() {
    let mut h = Harness::new();
    h.setup(&[
        (sets::sadd, &["sadd", "a", "x"]),
        (strings::set, &["set", "str", "v"]),
    ]);
    assert_eq!(h.run(sets::smove, &["smove", "a", "b", "zz"]), int(0));
    h.assert_no_change();
    assert_eq!(h.run(sets::smove, &["smove", "a", "a", "x"]), int(1));
    h.assert_no_change();
    assert_eq!(h.run(sets::smove, &["smove", "nope", "str", "x"]), int(0));
    assert_eq!(h.run(sets::smove, &["smove", "a", "str", "x"]), wrongtype());
    h.assert_no_change();
    assert_eq!(members(&mut h, "a"), ["x"]);
}

#[test]
fn sscan_returns_a_small_set_whole_and_checks_its_arguments() {
    let mut h = with_set(&["1", "2", "3"]);
    assert_eq!(
        h.run(sets::sscan, &["sscan", "s", "0", "MATCH", "[12]"]),
        Frame::Array(vec![bulk("0"), bulks(&["1", "2"])])
    );
    assert_eq!(
        h.run(sets::sscan, &["sscan", "nope", "0", "bogus"]),
        Frame::Array(vec![bulk("0"), Frame::Array(Vec::new())])
    );
    assert_eq!(
        h.run(sets::sscan, &["sscan", "s", "x"]),
        error("ERR invalid cursor")
    );
    assert_eq!(
        h.run(sets::sscan, &["sscan", "s", "0", "COUNT", "0"]),
        error(SYNTAX)
    );
    h.assert_no_change();
}

#[test]
fn set_algebra_answers_sets() {
    let mut h = with_two_sets();
    assert_eq!(
        sorted_texts(h.run(set_ops::sinter, &["sinter", "a", "b"])),
        ["2", "3"]
    );
    assert_eq!(
        sorted_texts(h.run(set_ops::sunion, &["sunion", "a", "b", "nope"])),
        ["1", "2", "3", "4"]
    );
    assert_eq!(
        sorted_texts(h.run(set_ops::sdiff, &["sdiff", "a", "b"])),
        ["1"]
    );
    assert_eq!(members(&mut h, "a"), ["1", "2", "3"]);
    h.assert_no_change();
}

#[test]
fn an_intset_result_is_listed_in_numeric_order() {
    let mut h = Harness::new();
    h.setup(&[(sets::sadd, &["sadd", "n", "10", "9", "-1"])]);
    assert_eq!(
        h.run(set_ops::sinter, &["smembers", "n"]),
        Frame::Set(vec![bulk("-1"), bulk("9"), bulk("10")])
    );
}

#[test]
fn missing_keys_are_empty_sets_in_set_algebra() {
    let mut h = with_two_sets();
    assert_eq!(
        h.run(set_ops::sinter, &["sinter", "a", "nope"]),
        Frame::Set(Vec::new())
    );
    assert_eq!(
        h.run(set_ops::sdiff, &["sdiff", "nope", "a"]),
        Frame::Set(Vec::new())
    );
    assert_eq!(
        h.run(set_ops::sdiff, &["sdiff", "a", "b", "a"]),
        Frame::Set(Vec::new()),
        "the first key subtracts itself"
    );
    assert_eq!(
        h.run(set_ops::sinter, &["smembers", "nope"]),
        Frame::Set(Vec::new())
    );
}

#[test]
fn sintercard_counts_up_to_its_limit() {
    let mut h = with_two_sets();
    assert_eq!(
        h.run(set_ops::sintercard, &["sintercard", "2", "a", "b"]),
        int(2)
    );
    assert_eq!(
        h.run(
            set_ops::sintercard,
            &["sintercard", "2", "a", "b", "LIMIT", "1"]
        ),
        int(1)
    );
    assert_eq!(
        h.run(
            set_ops::sintercard,
            &["sintercard", "2", "a", "b", "LIMIT", "0"]
        ),
        int(2),
        "0 means no limit"
    );
    h.assert_no_change();
}

#[test]
fn sintercard_arguments_are_checked_like_redis() {
    let mut h = with_two_sets();
    let cases: [(&[&str], &str); 6] = [
        (
            &["sintercard", "0", "a"],
            "ERR numkeys should be greater than 0",
        ),
        (
            &["sintercard", "x", "a"],
            "ERR numkeys should be greater than 0",
        ),
        (
            &["sintercard", "3", "a", "b"],
            "ERR Number of keys can't be greater than number of args",
        ),
        (
            &["sintercard", "1", "a", "LIMIT", "-1"],
            "ERR LIMIT can't be negative",
        ),
        (
            &["sintercard", "1", "a", "LIMIT", "x"],
            "ERR LIMIT can't be negative",
        ),
        (&["sintercard", "1", "a", "bogus", "1"], SYNTAX),
    ];
    for (args, text) in cases {
        assert_eq!(h.run(set_ops::sintercard, args), error(text), "{args:?}");
    }
}

#[test]
fn store_forms_replace_the_destination_and_propagate_verbatim() {
    let mut h = with_two_sets();
    h.setup(&[(strings::set, &["set", "d", "old", "EX", "100"])]);
    assert_eq!(
        h.run(set_ops::sinterstore, &["sinterstore", "d", "a", "b"]),
        int(2)
    );
    assert_eq!(h.propagated, vec![(0, words("sinterstore d a b"))]);
    assert_eq!(h.dirty, 1);
    assert_eq!(members(&mut h, "d"), ["2", "3"]);
    assert_eq!(h.run(expire::ttl, &["ttl", "d"]), int(-1), "TTL dropped");
    assert_eq!(
        h.run(set_ops::sunionstore, &["sunionstore", "d", "a", "b"]),
        int(4)
    );
    assert_eq!(h.propagated, vec![(0, words("sunionstore d a b"))]);
    assert_eq!(
        h.run(set_ops::sdiffstore, &["sdiffstore", "d", "a", "b"]),
        int(1)
    );
    assert_eq!(members(&mut h, "d"), ["1"]);
}

#[test]
fn an_empty_store_result_deletes_the_destination() {
    let mut h = with_two_sets();
    h.setup(&[(sets::sadd, &["sadd", "d", "z"])]);
    assert_eq!(
        h.run(set_ops::sdiffstore, &["sdiffstore", "d", "a", "a"]),
        int(0)
    );
    assert_eq!(h.propagated, vec![(0, words("sdiffstore d a a"))]);
    assert_eq!(h.dirty, 1);
    assert_eq!(h.run(keys::exists, &["exists", "d"]), int(0));
    assert_eq!(
        h.run(set_ops::sinterstore, &["sinterstore", "d", "a", "nope"]),
        int(0)
    );
    h.assert_no_change();
}
