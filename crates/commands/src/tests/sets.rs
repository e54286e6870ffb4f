//! Sets: `sets`, `set_ops`.

use resp::Frame;

use super::support::*;
use crate::{set_ops, sets, strings};

fn sorted(frame: Frame) -> Vec<String> {
    let (Frame::Array(items) | Frame::Set(items)) = frame else {
        panic!("an array or a set: {frame:?}")
    };
    let mut items: Vec<String> = items
        .into_iter()
        .map(|item| match item {
            Frame::Bulk(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            other => panic!("a bulk: {other:?}"),
        })
        .collect();
    items.sort();
    items
}

#[test]
fn sadd_srem_count_changes_and_propagate_verbatim() {
    let mut h = Harness::new();
    assert_eq!(
        h.run(sets::sadd, &["sadd", "s", "a", "b", "a"]),
        Frame::Integer(2)
    );
    assert_eq!(h.propagated, vec![(0, words("sadd s a b a"))]);
    assert_eq!(h.run(sets::sadd, &["sadd", "s", "a"]), Frame::Integer(0));
    assert!(h.propagated.is_empty());
    assert_eq!(
        h.run(sets::srem, &["srem", "s", "a", "zz"]),
        Frame::Integer(1)
    );
    assert_eq!(h.run(sets::scard, &["scard", "s"]), Frame::Integer(1));
    assert_eq!(
        h.run(sets::sismember, &["sismember", "s", "b"]),
        Frame::Integer(1)
    );
    assert_eq!(
        h.run(sets::smismember, &["smismember", "s", "a", "b"]),
        Frame::Array(vec![Frame::Integer(0), Frame::Integer(1)])
    );
}

#[test]
fn set_commands_on_another_type_answer_wrongtype() {
    let mut h = Harness::new();
    h.setup(&[(strings::set, &["set", "k", "v"])]);
    assert_eq!(h.run(sets::sadd, &["sadd", "k", "a"]), wrongtype());
    assert_eq!(h.run(sets::spop, &["spop", "k"]), wrongtype());
    assert_eq!(h.run(set_ops::sinter, &["sinter", "k"]), wrongtype());
    assert_eq!(
        h.run(set_ops::sunionstore, &["sunionstore", "d", "k"]),
        wrongtype()
    );
    assert!(h.propagated.is_empty());
}

#[test]
fn spop_propagates_srem_of_what_it_popped_or_del_of_the_whole_set() {
    let mut h = Harness::new();
    h.setup(&[(sets::sadd, &["sadd", "s", "a", "b", "c"])]);
    let Frame::Bulk(popped) = h.run(sets::spop, &["spop", "s"]) else {
        panic!("SPOP answers a member")
    };
    let popped = String::from_utf8_lossy(&popped).into_owned();
    assert_eq!(
        h.propagated_words(),
        vec![vec!["SREM".to_owned(), "s".to_owned(), popped]]
    );
    assert_eq!(sorted(h.run(sets::spop, &["spop", "s", "10"])).len(), 2);
    assert_eq!(h.propagated_words(), vec![words("DEL s")]);
    assert_eq!(h.run(sets::spop, &["spop", "s"]), Frame::Null);
    assert_eq!(
        h.run(sets::spop, &["spop", "s", "-1"]),
        error("ERR value is out of range, must be positive")
    );
}

#[test]
fn srandmember_never_propagates() {
    let mut h = Harness::new();
    h.setup(&[(sets::sadd, &["sadd", "s", "a", "b"])]);
    let Frame::Array(repeated) = h.run(sets::srandmember, &["srandmember", "s", "-5"]) else {
        panic!("an array")
    };
    assert_eq!(repeated.len(), 5);
    assert_eq!(
        sorted(h.run(sets::srandmember, &["srandmember", "s", "9"])),
        ["a", "b"]
    );
    assert!(h.propagated.is_empty());
    assert_eq!(h.dirty, 0);
}

#[test]
fn smove_moves_and_signals_nothing_to_a_set() {
    let mut h = Harness::new();
    h.setup(&[(sets::sadd, &["sadd", "a", "x"])]);
    assert_eq!(
        h.run(sets::smove, &["smove", "a", "b", "x"]),
        Frame::Integer(1)
    );
    assert_eq!(h.propagated, vec![(0, words("smove a b x"))]);
    assert_eq!(
        h.run(sets::smove, &["smove", "a", "b", "x"]),
        Frame::Integer(0)
    );
    h.setup(&[(strings::set, &["set", "str", "v"])]);
    assert_eq!(h.run(sets::smove, &["smove", "b", "str", "x"]), wrongtype());
}

#[test]
fn algebra_and_store_forms() {
    let mut h = Harness::new();
    h.setup(&[
        (sets::sadd, &["sadd", "a", "1", "2", "3"]),
        (sets::sadd, &["sadd", "b", "2", "3", "4"]),
    ]);
    assert_eq!(
        sorted(h.run(set_ops::sinter, &["sinter", "a", "b"])),
        ["2", "3"]
    );
    assert_eq!(
        sorted(h.run(set_ops::sunion, &["sunion", "a", "b"])),
        ["1", "2", "3", "4"]
    );
    assert_eq!(sorted(h.run(set_ops::sdiff, &["sdiff", "a", "b"])), ["1"]);
    assert_eq!(
        sorted(h.run(set_ops::sinter, &["smembers", "a"])),
        ["1", "2", "3"]
    );
    assert_eq!(
        h.run(
            set_ops::sintercard,
            &["sintercard", "2", "a", "b", "LIMIT", "1"]
        ),
        Frame::Integer(1)
    );
    assert_eq!(
        h.run(set_ops::sintercard, &["sintercard", "0", "a"]),
        error("ERR numkeys should be greater than 0")
    );
    assert_eq!(
        h.run(set_ops::sinterstore, &["sinterstore", "d", "a", "b"]),
        Frame::Integer(2)
    );
    assert_eq!(h.propagated, vec![(0, words("sinterstore d a b"))]);
    assert_eq!(
        h.run(set_ops::sdiffstore, &["sdiffstore", "d", "a", "a"]),
        Frame::Integer(0)
    );
    assert_eq!(
        h.run(sets::scard, &["scard", "d"]),
        Frame::Integer(0),
        "an empty result deletes"
    );
}
