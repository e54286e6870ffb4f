//! HyperLogLog: PFADD, PFCOUNT (which caches its result in the value and then propagates itself), PFMERGE,
//! PFDEBUG and PFSELFTEST, on values that are plain strings in Redis's layout.

use resp::Frame;

use super::support::*;
use crate::{expire, hyperloglog, keys, lists, strings};

const NOT_HLL: &str = "WRONGTYPE Key is not a valid HyperLogLog string value.";
const CORRUPTED: &str = "INVALIDOBJ Corrupted HLL object detected";

#[test]
fn pfadd_reports_changes_and_propagates_only_then() {
    let mut h = Harness::new();
    assert_eq!(h.run(hyperloglog::pfadd, &["pfadd", "h", "a", "b"]), int(1));
    assert_eq!(h.propagated, vec![(0, words("pfadd h a b"))]);
    assert_eq!(h.dirty, 1);
    assert_eq!(h.run(hyperloglog::pfadd, &["pfadd", "h", "a"]), int(0));
    h.assert_no_change();
    assert_eq!(h.run(hyperloglog::pfadd, &["pfadd", "h"]), int(0));
    h.assert_no_change();
}

#[test]
fn pfadd_without_elements_creates_an_empty_hll() {
    let mut h = Harness::new();
    assert_eq!(h.run(hyperloglog::pfadd, &["pfadd", "new"]), int(1));
    assert_eq!(h.propagated, vec![(0, words("pfadd new"))]);
    assert_eq!(h.run(hyperloglog::pfcount, &["pfcount", "new"]), int(0));
    assert_eq!(
        h.run(keys::type_, &["type", "new"]),
        Frame::Simple("string".into())
    );
}

#[test]
fn pfadd_keeps_the_ttl() {
    let mut h = Harness::new();
    h.setup(&[
        (hyperloglog::pfadd, &["pfadd", "h", "x"]),
        (expire::expire, &["expire", "h", "100"]),
    ]);
    assert_eq!(h.run(hyperloglog::pfadd, &["pfadd", "h", "y"]), int(1));
    assert_eq!(h.run(expire::ttl, &["ttl", "h"]), int(100));
}

#[test]
fn pfcount_caches_its_estimate_and_propagates_itself_when_it_did() {
    let mut h = Harness::new();
    h.setup(&[(hyperloglog::pfadd, &["pfadd", "h", "a", "b", "c"])]);
    assert_eq!(h.run(hyperloglog::pfcount, &["pfcount", "h"]), int(3));
    assert_eq!(h.propagated, vec![(0, words("pfcount h"))]);
    assert_eq!(h.dirty, 1);
    assert_eq!(h.run(hyperloglog::pfcount, &["pfcount", "h"]), int(3));
    h.assert_no_change();
    assert_eq!(h.run(hyperloglog::pfcount, &["pfcount", "nope"]), int(0));
    h.assert_no_change();
}

#[test]
fn pfcount_of_several_keys_is_the_union_and_changes_nothing() {
    let mut h = Harness::new();
    h.setup(&[
        (hyperloglog::pfadd, &["pfadd", "a", "1", "2", "3"]),
        (hyperloglog::pfadd, &["pfadd", "b", "3", "4"]),
    ]);
    assert_eq!(
        h.run(hyperloglog::pfcount, &["pfcount", "a", "b", "nope"]),
        int(4)
    );
    h.assert_no_change();
}

#[test]
fn pfmerge_stores_the_union_and_always_propagates() {
    let mut h = Harness::new();
    h.setup(&[
        (hyperloglog::pfadd, &["pfadd", "a", "1", "2", "3"]),
        (hyperloglog::pfadd, &["pfadd", "b", "3", "4"]),
        (hyperloglog::pfadd, &["pfadd", "d", "5"]),
    ]);
    assert_eq!(
        h.run(hyperloglog::pfmerge, &["pfmerge", "d", "a", "b"]),
        Frame::ok()
    );
    assert_eq!(h.propagated, vec![(0, words("pfmerge d a b"))]);
    assert_eq!(h.dirty, 1);
    assert_eq!(
        h.run(hyperloglog::pfcount, &["pfcount", "d"]),
        int(5),
        "the destination counts too"
    );
    assert_eq!(
        h.run(hyperloglog::pfmerge, &["pfmerge", "d", "a"]),
        Frame::ok()
    );
    assert_eq!(
        h.propagated,
        vec![(0, words("pfmerge d a"))],
        "even when nothing changed"
    );
}

#[test]
fn pfmerge_of_nothing_creates_an_empty_destination() {
    let mut h = Harness::new();
    assert_eq!(
        h.run(hyperloglog::pfmerge, &["pfmerge", "d", "nope"]),
        Frame::ok()
    );
    assert_eq!(h.propagated, vec![(0, words("pfmerge d nope"))]);
    assert_eq!(h.run(hyperloglog::pfcount, &["pfcount", "d"]), int(0));
}

#[test]
fn a_string_that_is_not_an_hll_is_refused() {
    let mut h = Harness::new();
    h.setup(&[
        (strings::set, &["set", "s", "plain string"]),
        (
            strings::set,
            &["set", "bad", "HYLLxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"],
        ),
        (hyperloglog::pfadd, &["pfadd", "h", "a"]),
    ]);
    let cases: [(crate::Handler, &[&str]); 5] = [
        (hyperloglog::pfadd, &["pfadd", "s", "a"]),
        (hyperloglog::pfcount, &["pfcount", "s"]),
        (hyperloglog::pfcount, &["pfcount", "h", "bad"]),
        (hyperloglog::pfmerge, &["pfmerge", "h", "s"]),
        (hyperloglog::pfdebug, &["pfdebug", "encoding", "bad"]),
    ];
    for (handler, args) in cases {
        assert_eq!(h.run(handler, args), error(NOT_HLL), "{args:?}");
        h.assert_no_change();
    }
}

#[test]
fn other_types_are_wrongtype() {
    let mut h = Harness::new();
    h.setup(&[(lists::rpush, &["rpush", "l", "x"])]);
    assert_eq!(h.run(hyperloglog::pfadd, &["pfadd", "l", "a"]), wrongtype());
    assert_eq!(h.run(hyperloglog::pfcount, &["pfcount", "l"]), wrongtype());
    assert_eq!(
        h.run(hyperloglog::pfmerge, &["pfmerge", "d", "l"]),
        wrongtype()
    );
    assert_eq!(
        h.run(hyperloglog::pfdebug, &["pfdebug", "getreg", "l"]),
        wrongtype()
    );
    h.assert_no_change();
}

#[test]
fn a_corrupted_sparse_hll_is_detected_when_counted_or_merged() {
    let mut h = Harness::new();
    h.setup(&[
        (hyperloglog::pfadd, &["pfadd", "h", "a", "b", "c"]),
        (strings::append, &["append", "h", "hello"]),
    ]);
    assert_eq!(
        h.run(hyperloglog::pfcount, &["pfcount", "h"]),
        error(CORRUPTED)
    );
    assert_eq!(
        h.run(hyperloglog::pfmerge, &["pfmerge", "d", "h"]),
        error(CORRUPTED)
    );
    h.assert_no_change();
}

#[test]
fn the_sparse_limit_decides_when_an_hll_turns_dense() {
    let mut h = Harness::new();
    h.limits.hll_sparse_max_bytes = 0;
    h.run(hyperloglog::pfadd, &["pfadd", "h", "a"]);
    assert_eq!(
        h.run(hyperloglog::pfdebug, &["pfdebug", "encoding", "h"]),
        Frame::Simple("dense".into())
    );
    let mut h = Harness::new();
    h.run(hyperloglog::pfadd, &["pfadd", "h", "a"]);
    assert_eq!(
        h.run(hyperloglog::pfdebug, &["pfdebug", "encoding", "h"]),
        Frame::Simple("sparse".into())
    );
    h.assert_no_change();
}

#[test]
fn pfdebug_todense_converts_once_and_propagates_then() {
    let mut h = Harness::new();
    h.setup(&[(hyperloglog::pfadd, &["pfadd", "h", "a"])]);
    assert_eq!(
        h.run(hyperloglog::pfdebug, &["pfdebug", "todense", "h"]),
        int(1)
    );
    assert_eq!(h.propagated, vec![(0, words("pfdebug todense h"))]);
    assert_eq!(
        h.run(hyperloglog::pfdebug, &["pfdebug", "todense", "h"]),
        int(0)
    );
    h.assert_no_change();
    assert_eq!(
        h.run(hyperloglog::pfdebug, &["pfdebug", "decode", "h"]),
        error("ERR HLL encoding is not sparse")
    );
}

#[test]
fn pfdebug_getreg_of_a_sparse_hll_converts_it_and_propagates() {
    let mut h = Harness::new();
    h.setup(&[(hyperloglog::pfadd, &["pfadd", "h"])]);
    let Frame::Array(registers) = h.run(hyperloglog::pfdebug, &["pfdebug", "getreg", "h"]) else {
        panic!("GETREG answers the registers")
    };
    assert_eq!(registers.len(), 16_384);
    assert!(registers.iter().all(|register| *register == int(0)));
    assert_eq!(h.propagated, vec![(0, words("pfdebug getreg h"))]);
    assert_eq!(
        h.run(hyperloglog::pfdebug, &["pfdebug", "encoding", "h"]),
        Frame::Simple("dense".into())
    );
}

#[test]
fn pfdebug_errors_match_redis() {
    let mut h = Harness::new();
    h.setup(&[(hyperloglog::pfadd, &["pfadd", "h", "a"])]);
    assert_eq!(
        h.run(hyperloglog::pfdebug, &["pfdebug", "encoding", "nope"]),
        error("ERR The specified key does not exist")
    );
    assert_eq!(
        h.run(hyperloglog::pfdebug, &["pfdebug", "bogus", "h"]),
        error("ERR Unknown PFDEBUG subcommand 'bogus'")
    );
    h.assert_no_change();
}

#[test]
fn pfselftest_passes() {
    let mut h = Harness::new();
    assert_eq!(h.run(hyperloglog::pfselftest, &["pfselftest"]), Frame::ok());
    h.assert_no_change();
}
