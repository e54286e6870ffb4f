//! Unit tests of [`ZSet`] and property tests comparing it with a naive sorted vector.

use proptest::prelude::*;

use super::*;

fn member(text: &str) -> Bytes {
    Bytes::copy_from_slice(text.as_bytes())
}

fn pairs(zset: &ZSet) -> Vec<(String, f64)> {
    zset.iter()
        .map(|(member, score)| (String::from_utf8_lossy(member).into_owned(), score))
        .collect()
}

#[test]
fn orders_by_score_then_member_bytes() {
    let mut zset = ZSet::new();
    assert!(zset.insert(member("b"), 1.0));
    assert!(zset.insert(member("a"), 1.0));
    assert!(zset.insert(member("c"), -1.0));
    assert!(zset.insert(member("ab"), f64::INFINITY));
    assert!(zset.insert(member("z"), f64::NEG_INFINITY));
    assert!(!zset.insert(member("b"), 0.5));
    assert_eq!(
        pairs(&zset),
        [
            ("z".into(), f64::NEG_INFINITY),
            ("c".into(), -1.0),
            ("b".into(), 0.5),
            ("a".into(), 1.0),
            ("ab".into(), f64::INFINITY)
        ]
    );
    assert_eq!(zset.rank(b"a"), Some(3));
    assert_eq!(zset.rank(b"nope"), None);
    assert_eq!(zset.remove(b"c"), Some(-1.0));
    assert_eq!(zset.remove(b"c"), None);
    assert_eq!(zset.len(), 4);
}

#[test]
fn negative_zero_equals_zero_and_keeps_the_old_score() {
    let mut zset = ZSet::new();
    zset.insert(member("a"), 0.0);
    zset.insert(member("a"), -0.0);
    assert!(zset.score(b"a").is_some_and(|s| s.is_sign_positive()));
    zset.insert(member("b"), -0.0);
    // Listpack encoding keeps no negative zero; a skiplist-encoded set does.
    assert!(zset.score(b"b").is_some_and(|s| s.is_sign_positive()));
    let mut big = ZSet::new();
    big.insert(Bytes::from(vec![b'x'; MAX_LISTPACK_VALUE + 1]), 1.0);
    big.insert(member("neg"), -0.0);
    assert!(big.score(b"neg").is_some_and(|s| s.is_sign_negative()));
    zset.insert(member("0"), 0.0);
    // Equal scores: member order decides.
    assert_eq!(
        pairs(&zset).into_iter().map(|p| p.0).collect::<Vec<_>>(),
        ["0", "a", "b"]
    );
}

#[test]
fn nan_is_never_stored() {
    let mut zset = ZSet::new();
    assert!(!zset.insert(member("a"), f64::NAN));
    assert!(zset.is_empty());
}

#[test]
fn encoding_turns_skiplist_once_and_for_all() {
    let mut zset = ZSet::new();
    for i in 0..MAX_LISTPACK_ENTRIES {
        zset.insert(Bytes::from(format!("m{i}")), i as f64);
    }
    assert_eq!(zset.encoding(), "listpack");
    zset.insert(member("one-more"), 0.0);
    assert_eq!(zset.encoding(), "skiplist");
    while zset.len() > 1 {
        zset.pop(false);
    }
    assert_eq!(zset.encoding(), "skiplist");

    let mut long = ZSet::new();
    long.insert(Bytes::from(vec![b'x'; MAX_LISTPACK_VALUE]), 1.0);
    assert_eq!(long.encoding(), "listpack");
    long.insert(Bytes::from(vec![b'x'; MAX_LISTPACK_VALUE + 1]), 1.0);
    assert_eq!(long.encoding(), "skiplist");
}

#[test]
fn a_built_skiplist_keeps_negative_zero_only_when_it_stays_a_skiplist() {
    let build = |members: usize| {
        let mut zset = ZSet::new_skiplist();
        zset.insert(member("zero"), -0.0);
        for i in 1..members {
            zset.insert(Bytes::from(format!("m{i}")), i as f64);
        }
        zset.convert_to_listpack_if_fits();
        zset
    };
    let small = build(MAX_LISTPACK_ENTRIES);
    assert_eq!(small.encoding(), "listpack");
    assert!(
        small
            .score(b"zero")
            .is_some_and(|score| score.is_sign_positive())
    );
    assert_eq!(small.rank(b"zero"), Some(0));
    let big = build(MAX_LISTPACK_ENTRIES + 1);
    assert_eq!(big.encoding(), "skiplist");
    assert!(
        big.score(b"zero")
            .is_some_and(|score| score.is_sign_negative())
    );
}

#[test]
fn ranges_by_score_and_lex() {
    let mut zset = ZSet::new();
    for (i, name) in ["a", "b", "c", "d", "e"].iter().enumerate() {
        zset.insert(member(name), i as f64);
    }
    let range = |min, min_exclusive, max, max_exclusive| ScoreRange {
        min,
        min_exclusive,
        max,
        max_exclusive,
    };
    assert_eq!(zset.score_range_ranks(&range(1.0, false, 3.0, false)), 1..4);
    assert_eq!(zset.score_range_ranks(&range(1.0, true, 3.0, true)), 2..3);
    assert_eq!(zset.score_range_ranks(&range(3.0, false, 1.0, false)), 3..3);
    assert_eq!(
        zset.score_range_ranks(&range(f64::NEG_INFINITY, false, f64::INFINITY, false)),
        0..5
    );
    let mut flat = ZSet::new();
    for name in ["a", "b", "c", "d", "e"] {
        flat.insert(member(name), 0.0);
    }
    let lex = LexRange {
        min: LexBound::Exclusive(member("a")),
        max: LexBound::Inclusive(member("c")),
    };
    assert_eq!(flat.lex_range_ranks(&lex), 1..3);
    let everything = LexRange {
        min: LexBound::NegInf,
        max: LexBound::PosInf,
    };
    assert_eq!(flat.lex_range_ranks(&everything), 0..5);
    let nothing = LexRange {
        min: LexBound::PosInf,
        max: LexBound::NegInf,
    };
    assert!(flat.lex_range_ranks(&nothing).is_empty());
    let from_rank: Vec<_> = flat.iter_from_rank(1, true).map(|p| p.0.clone()).collect();
    assert_eq!(
        from_rank,
        [member("d"), member("c"), member("b"), member("a")]
    );
    assert_eq!(flat.iter_from_rank(5, true).count(), 0);
    assert_eq!(flat.iter_from_rank(5, false).count(), 0);
}

#[test]
fn pop_and_scan() {
    let mut zset = ZSet::new();
    for i in 0..200 {
        zset.insert(Bytes::from(format!("m{i:03}")), f64::from(i % 7));
    }
    assert_eq!(zset.pop(false), Some((member("m000"), 0.0)));
    assert_eq!(zset.pop(true), Some((member("m195"), 6.0)));
    let mut seen = std::collections::HashSet::new();
    let mut cursor = zset.scan(0, 10, |m, _| {
        seen.insert(m.to_vec());
    });
    while cursor != 0 {
        cursor = zset.scan(cursor, 10, |m, _| {
            seen.insert(m.to_vec());
        });
    }
    assert_eq!(seen.len(), 198);
}

/// An operation of the property test.
#[derive(Debug, Clone)]
enum Op {
    Insert(String, f64),
    Remove(String),
    Pop(bool),
}

fn op() -> impl Strategy<Value = Op> {
    // Few distinct members and scores, so updates, ties and removals of present members are common.
    let name = "[a-e]{0,3}";
    let score = prop_oneof![
        (-3i32..4).prop_map(f64::from),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
        Just(-0.0),
        Just(0.5),
    ];
    prop_oneof![
        4 => (name, score).prop_map(|(m, s)| Op::Insert(m, s)),
        2 => name.prop_map(Op::Remove),
        1 => any::<bool>().prop_map(Op::Pop),
    ]
}

fn lex_bound() -> impl Strategy<Value = LexBound> {
    prop_oneof![
        Just(LexBound::NegInf),
        Just(LexBound::PosInf),
        "[a-e]{0,3}".prop_map(|m| LexBound::Inclusive(Bytes::from(m))),
        "[a-e]{0,3}".prop_map(|m| LexBound::Exclusive(Bytes::from(m))),
    ]
}

/// The model: a vector kept sorted.
fn model_apply(model: &mut Vec<(Bytes, f64)>, op: &Op) {
    match op {
        Op::Insert(name, score) => {
            if let Some(entry) = model.iter_mut().find(|(m, _)| m == name.as_bytes()) {
                if entry.1 != *score {
                    entry.1 = *score;
                }
            } else {
                model.push((Bytes::from(name.clone()), *score));
            }
        }
        Op::Remove(name) => model.retain(|(m, _)| m != name.as_bytes()),
        Op::Pop(highest) => {
            if *highest {
                model.pop();
            } else if !model.is_empty() {
                model.remove(0);
            }
        }
    }
    model.sort_by(|a, b| ZSet::compare(a.1, &a.0, b.1, &b.0));
}

fn zset_apply(zset: &mut ZSet, op: &Op) {
    match op {
        Op::Insert(name, score) => {
            zset.insert(Bytes::from(name.clone()), *score);
        }
        Op::Remove(name) => {
            zset.remove(name.as_bytes());
        }
        Op::Pop(highest) => {
            zset.pop(*highest);
        }
    }
}

proptest! {
    #[test]
    fn matches_a_sorted_vector(
        ops in prop::collection::vec(op(), 0..200),
        min in -4i32..5, max in -4i32..5, min_ex: bool, max_ex: bool,
        lex_min in lex_bound(), lex_max in lex_bound(),
        start in 0usize..40,
    ) {
        let mut zset = ZSet::new();
        let mut model = Vec::new();
        for op in &ops {
            zset_apply(&mut zset, op);
            model_apply(&mut model, op);
        }
        let got: Vec<(Bytes, f64)> = zset.iter().map(|(m, s)| (m.clone(), s)).collect();
        prop_assert_eq!(&got, &model);
        prop_assert_eq!(zset.len(), model.len());
        for (rank, (name, score)) in model.iter().enumerate() {
            prop_assert_eq!(zset.rank(name), Some(rank));
            prop_assert_eq!(zset.score(name), Some(*score));
        }
        let forward: Vec<_> = zset.iter_from_rank(start, false).map(|(m, _)| m.clone()).collect();
        let expected: Vec<_> = model.iter().skip(start).map(|(m, _)| m.clone()).collect();
        prop_assert_eq!(forward, expected);
        let backward: Vec<_> = zset.iter_from_rank(start, true).map(|(m, _)| m.clone()).collect();
        let expected: Vec<_> = model.iter().rev().skip(start).map(|(m, _)| m.clone()).collect();
        prop_assert_eq!(backward, expected);

        let range = ScoreRange {
            min: f64::from(min), min_exclusive: min_ex, max: f64::from(max), max_exclusive: max_ex,
        };
        let in_range: Vec<usize> = (0..model.len()).filter(|&i| range.contains(model[i].1)).collect();
        let ranks = zset.score_range_ranks(&range);
        prop_assert_eq!(ranks.clone().collect::<Vec<_>>(), in_range);

        // Lex ranges are defined on sets whose scores are all equal.
        let mut flat = ZSet::new();
        for (name, _) in &model {
            flat.insert(name.clone(), 0.0);
        }
        let mut names: Vec<Bytes> = model.iter().map(|(m, _)| m.clone()).collect();
        names.sort();
        let lex = LexRange { min: lex_min, max: lex_max };
        let in_lex: Vec<usize> = (0..names.len()).filter(|&i| lex.contains(&names[i])).collect();
        prop_assert_eq!(flat.lex_range_ranks(&lex).collect::<Vec<_>>(), in_lex);
    }
}
