//! HyperLogLog.

use resp::Frame;

use super::support::*;
use crate::{hyperloglog, strings};

#[test]
fn pfadd_reports_changes_and_propagates_only_then() {
    let mut h = Harness::new();
    assert_eq!(
        h.run(hyperloglog::pfadd, &["pfadd", "h", "a", "b"]),
        Frame::Integer(1)
    );
    assert_eq!(h.propagated, vec![(0, words("pfadd h a b"))]);
    assert_eq!(
        h.run(hyperloglog::pfadd, &["pfadd", "h", "a"]),
        Frame::Integer(0)
    );
    assert!(h.propagated.is_empty());
    assert_eq!(
        h.run(hyperloglog::pfadd, &["pfadd", "new"]),
        Frame::Integer(1),
        "creates the key"
    );
    assert_eq!(
        h.run(hyperloglog::pfcount, &["pfcount", "h"]),
        Frame::Integer(2)
    );
}

#[test]
fn a_string_that_is_not_an_hll_is_refused_and_other_types_are_wrongtype() {
    let mut h = Harness::new();
    h.setup(&[(strings::set, &["set", "s", "plain string"])]);
    assert_eq!(
        h.run(hyperloglog::pfadd, &["pfadd", "s", "a"]),
        error("WRONGTYPE Key is not a valid HyperLogLog string value.")
    );
    assert_eq!(
        h.run(hyperloglog::pfcount, &["pfcount", "s"]),
        error("WRONGTYPE Key is not a valid HyperLogLog string value.")
    );
    h.setup(&[(crate::lists::rpush, &["rpush", "l", "x"])]);
    assert_eq!(h.run(hyperloglog::pfadd, &["pfadd", "l", "a"]), wrongtype());
}

#[test]
fn pfcount_of_several_keys_is_the_union_and_pfmerge_stores_it() {
    let mut h = Harness::new();
    h.setup(&[
        (hyperloglog::pfadd, &["pfadd", "a", "1", "2", "3"]),
        (hyperloglog::pfadd, &["pfadd", "b", "3", "4"]),
    ]);
    assert_eq!(
        h.run(hyperloglog::pfcount, &["pfcount", "a", "b"]),
        Frame::Integer(4)
    );
    assert!(h.propagated.is_empty());
    assert_eq!(
        h.run(hyperloglog::pfmerge, &["pfmerge", "d", "a", "b"]),
        Frame::ok()
    );
    assert_eq!(h.propagated, vec![(0, words("pfmerge d a b"))]);
    assert_eq!(
        h.run(hyperloglog::pfcount, &["pfcount", "d"]),
        Frame::Integer(4)
    );
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
}

#[test]
fn pfselftest_passes() {
    let mut h = Harness::new();
    assert_eq!(h.run(hyperloglog::pfselftest, &["pfselftest"]), Frame::ok());
}
