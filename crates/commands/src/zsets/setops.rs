//! ZUNION, ZINTER, ZDIFF, their STORE forms and ZINTERCARD, following Redis's
//! `zunionInterDiffGenericCommand`: numkeys, then the keys (plain sets count as members with score 1), then
//! WEIGHTS / AGGREGATE / WITHSCORES / LIMIT; inputs are taken smallest first, so a SUM adds in Redis's order.

use std::collections::HashMap;

use bytes::Bytes;
use keyspace::Value;
use keyspace::types::set::Set;
use keyspace::types::zset::ZSet;
use resp::Frame;

use super::parse::parse_score;
use super::{members_reply, parse_long, store_result};
use crate::Reply;
use crate::errors;
use crate::{DataCtx, is};

/// The operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Union,
    Inter,
    Diff,
}

/// How scores of one member in several inputs combine.
#[derive(Debug, Clone, Copy)]
enum Aggregate {
    Sum,
    Min,
    Max,
}

impl Aggregate {
    fn apply(self, target: &mut f64, value: f64) {
        match self {
            Aggregate::Sum => {
                *target += value;
                // inf + -inf: Redis stores 0 rather than NaN.
                if target.is_nan() {
                    *target = 0.0;
                }
            }
            Aggregate::Min => *target = if value < *target { value } else { *target },
            Aggregate::Max => *target = if value > *target { value } else { *target },
        }
    }
}

/// One input: a snapshot of a sorted set or set (the keyspace lends one value at a time, and the
/// algorithms need them all at once; members are reference-counted, so this copies no member bytes).
enum Source {
    Missing,
    ZSet(ZSet),
    Set(Set),
}

impl Source {
    fn len(&self) -> usize {
        match self {
            Source::Missing => 0,
            Source::ZSet(zset) => zset.len(),
            Source::Set(set) => set.len(),
        }
    }

    fn score(&self, member: &[u8]) -> Option<f64> {
        match self {
            Source::Missing => None,
            Source::ZSet(zset) => zset.score(member),
            Source::Set(set) => set.contains(member).then_some(1.0),
        }
    }

    fn members(&self) -> Vec<(Bytes, f64)> {
        match self {
            Source::Missing => Vec::new(),
            Source::ZSet(zset) => zset.iter().map(|(m, s)| (m.clone(), s)).collect(),
            Source::Set(set) => set.iter().map(|m| (m.to_bytes(), 1.0)).collect(),
        }
    }
}

/// What the command does with the result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Output {
    Reply,
    Store,
    Cardinality,
}

/// `ZUNION numkeys key [key ...] [WEIGHTS w ...] [AGGREGATE SUM|MIN|MAX] [WITHSCORES]`
pub fn zunion(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    Ok(generic(ctx, argv, "zunion", Op::Union, Output::Reply))
}

/// `ZINTER numkeys key [key ...] [WEIGHTS w ...] [AGGREGATE SUM|MIN|MAX] [WITHSCORES]`
pub fn zinter(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    Ok(generic(ctx, argv, "zinter", Op::Inter, Output::Reply))
}

/// `ZDIFF numkeys key [key ...] [WITHSCORES]`
pub fn zdiff(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    Ok(generic(ctx, argv, "zdiff", Op::Diff, Output::Reply))
}

/// `ZUNIONSTORE destination numkeys key [key ...] [WEIGHTS w ...] [AGGREGATE SUM|MIN|MAX]`
pub fn zunionstore(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    Ok(generic(ctx, argv, "zunionstore", Op::Union, Output::Store))
}

/// `ZINTERSTORE destination numkeys key [key ...] [WEIGHTS w ...] [AGGREGATE SUM|MIN|MAX]`
pub fn zinterstore(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    Ok(generic(ctx, argv, "zinterstore", Op::Inter, Output::Store))
}

/// `ZDIFFSTORE destination numkeys key [key ...]`
pub fn zdiffstore(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    Ok(generic(ctx, argv, "zdiffstore", Op::Diff, Output::Store))
}

/// `ZINTERCARD numkeys key [key ...] [LIMIT limit]`
pub fn zintercard(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    Ok(generic(
        ctx,
        argv,
        "zintercard",
        Op::Inter,
        Output::Cardinality,
    ))
}

fn generic(ctx: &mut DataCtx<'_>, argv: &[Bytes], name: &str, op: Op, output: Output) -> Frame {
    let numkeys_index = if output == Output::Store { 2 } else { 1 };
    let numkeys = match parse_long(&argv[numkeys_index]) {
        Ok(numkeys) => numkeys,
        Err(error) => return error,
    };
    if numkeys < 1 {
        return errors::reply(&format!(
            "ERR at least 1 input key is needed for '{name}' command"
        ));
    }
    let first_key = numkeys_index + 1;
    if numkeys as u64 > (argv.len() - first_key) as u64 {
        return errors::reply(errors::SYNTAX);
    }
    let numkeys = numkeys as usize;
    let mut sources = Vec::with_capacity(numkeys);
    let (now, policy) = (ctx.now_ms, ctx.policy);
    for key in &argv[first_key..first_key + numkeys] {
        let source = match ctx.db().get(key, now, policy).map(|entry| &entry.value) {
            None => Source::Missing,
            Some(Value::ZSet(zset)) => Source::ZSet(ZSet::clone(zset)),
            Some(Value::Set(set)) => Source::Set(Set::clone(set)),
            Some(_) => return errors::reply(errors::WRONG_TYPE),
        };
        sources.push((source, 1.0f64));
    }

    let mut aggregate = Aggregate::Sum;
    let mut withscores = false;
    let mut limit = 0usize;
    let mut index = first_key + numkeys;
    while index < argv.len() {
        let option = &argv[index];
        let remaining = argv.len() - index;
        let weighted = op != Op::Diff && output != Output::Cardinality;
        if weighted && remaining > numkeys && is(option, "weights") {
            for (offset, (_, weight)) in sources.iter_mut().enumerate() {
                match parse_score(&argv[index + 1 + offset]) {
                    Some(value) => *weight = value,
                    None => return errors::reply("ERR weight value is not a float"),
                }
            }
            index += 1 + numkeys;
        } else if weighted && remaining >= 2 && is(option, "aggregate") {
            let kind = &argv[index + 1];
            aggregate = if is(kind, "sum") {
                Aggregate::Sum
            } else if is(kind, "min") {
                Aggregate::Min
            } else if is(kind, "max") {
                Aggregate::Max
            } else {
                return errors::reply(errors::SYNTAX);
            };
            index += 2;
        } else if output == Output::Reply && is(option, "withscores") {
            withscores = true;
            index += 1;
        } else if output == Output::Cardinality && remaining >= 2 && is(option, "limit") {
            match parse_long(&argv[index + 1]) {
                Ok(value) if value >= 0 => limit = usize::try_from(value).unwrap_or(usize::MAX),
                _ => return errors::reply("ERR LIMIT can't be negative"),
            }
            index += 2;
        } else {
            return errors::reply(errors::SYNTAX);
        }
    }

    if op != Op::Diff {
        // Stable, like glibc's qsort (a merge sort) on Redis's side.
        sources.sort_by_key(|(source, _)| source.len());
    }
    if output == Output::Cardinality {
        return Frame::Integer(intersection(&sources, aggregate, limit).len() as i64);
    }
    let combined: Vec<(Bytes, f64)> = match op {
        Op::Inter => intersection(&sources, aggregate, 0),
        Op::Union => union(&sources, aggregate),
        Op::Diff => difference(&sources),
    };
    // Built as a skiplist and converted once complete, as Redis does: whether a -0 score keeps its sign
    // depends on the final size, not on how many members came before it.
    let mut result = ZSet::new_skiplist();
    for (member, score) in combined {
        result.insert(member, score);
    }
    result.convert_to_listpack_if_fits();
    if output == Output::Store {
        let count = result.len();
        if store_result(ctx, &argv[1], result) {
            ctx.propagate_verbatim(argv);
        }
        return Frame::Integer(count as i64);
    }
    members_reply(ctx.protocol, result.iter(), withscores)
}

/// A weighted score; `0 * inf` counts as 0, as in Redis.
fn weighted(score: f64, weight: f64) -> f64 {
    let value = score * weight;
    if value.is_nan() { 0.0 } else { value }
}

/// Members of the smallest input present in every input; stops after `limit` members when it is not 0.
fn intersection(
    sources: &[(Source, f64)],
    aggregate: Aggregate,
    limit: usize,
) -> Vec<(Bytes, f64)> {
    let Some(((smallest, weight), others)) = sources.split_first() else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for (member, score) in smallest.members() {
        let mut total = weighted(score, *weight);
        let in_all = others.iter().all(|(source, weight)| {
            source.score(&member).is_some_and(|score| {
                // Redis multiplies without the NaN guard here.
                aggregate.apply(&mut total, score * weight);
                true
            })
        });
        if in_all {
            found.push((member, total));
            if limit != 0 && found.len() >= limit {
                break;
            }
        }
    }
    found
}

fn union(sources: &[(Source, f64)], aggregate: Aggregate) -> Vec<(Bytes, f64)> {
    let mut totals: HashMap<Bytes, f64> = HashMap::new();
    for (source, weight) in sources {
        for (member, score) in source.members() {
            let value = weighted(score, *weight);
            totals
                .entry(member)
                .and_modify(|total| aggregate.apply(total, value))
                .or_insert(value);
        }
    }
    totals.into_iter().collect()
}

/// Members of the first input in none of the others, with their scores in the first.
fn difference(sources: &[(Source, f64)]) -> Vec<(Bytes, f64)> {
    let Some(((first, _), others)) = sources.split_first() else {
        return Vec::new();
    };
    first
        .members()
        .into_iter()
        .filter(|(member, _)| {
            others
                .iter()
                .all(|(source, _)| source.score(member).is_none())
        })
        .collect()
}
