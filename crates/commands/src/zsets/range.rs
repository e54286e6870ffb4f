//! ZRANGE (by rank, BYSCORE, BYLEX, REV, LIMIT, WITHSCORES), its older spellings (ZREVRANGE,
//! Z[REV]RANGEBYSCORE, Z[REV]RANGEBYLEX) and ZRANGESTORE, all through Redis's `zrangeGenericCommand` order of
//! checks: options, option conflicts, range arguments, then the key.

use bytes::Bytes;
use keyspace::types::zset::ZSet;
use resp::Frame;

use super::parse::{parse_lex_range, parse_score_range};
use super::write::rank_range;
use super::{
    MIN_MAX_NOT_FLOAT, MIN_MAX_NOT_LEX, members_reply, parse_long, read_zset, store_result,
};
use crate::Reply;
use crate::errors;
use crate::{DataCtx, is};

/// How a range is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RangeType {
    Rank,
    Score,
    Lex,
}

/// What the command's name fixes before options are read.
#[derive(Debug, Clone, Copy)]
struct Fixed {
    range_type: Option<RangeType>,
    reverse: Option<bool>,
}

/// `ZRANGE key min max [BYSCORE|BYLEX] [REV] [LIMIT offset count] [WITHSCORES]`
pub fn zrange(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    let fixed = Fixed {
        range_type: None,
        reverse: None,
    };
    Ok(range_generic(ctx, argv, 1, false, fixed))
}

/// `ZREVRANGE key start stop [WITHSCORES]`
pub fn zrevrange(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    let fixed = Fixed {
        range_type: Some(RangeType::Rank),
        reverse: Some(true),
    };
    Ok(range_generic(ctx, argv, 1, false, fixed))
}

/// `ZRANGEBYSCORE key min max [WITHSCORES] [LIMIT offset count]` and `ZREVRANGEBYSCORE key max min ...`
pub fn zrangebyscore(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    let fixed = Fixed {
        range_type: Some(RangeType::Score),
        reverse: Some(is(&argv[0], "zrevrangebyscore")),
    };
    Ok(range_generic(ctx, argv, 1, false, fixed))
}

/// `ZRANGEBYLEX key min max [LIMIT offset count]` and `ZREVRANGEBYLEX key max min ...`
pub fn zrangebylex(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    let fixed = Fixed {
        range_type: Some(RangeType::Lex),
        reverse: Some(is(&argv[0], "zrevrangebylex")),
    };
    Ok(range_generic(ctx, argv, 1, false, fixed))
}

/// `ZRANGESTORE dst src min max [BYSCORE|BYLEX] [REV] [LIMIT offset count]`
pub fn zrangestore(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    let fixed = Fixed {
        range_type: None,
        reverse: None,
    };
    Ok(range_generic(ctx, argv, 2, true, fixed))
}

/// The parsed range.
enum Bounds {
    Rank(i64, i64),
    Score(keyspace::types::zset::ScoreRange),
    Lex(keyspace::types::zset::LexRange),
}

fn range_generic(
    ctx: &mut DataCtx<'_>,
    argv: &[Bytes],
    key_index: usize,
    store: bool,
    fixed: Fixed,
) -> Frame {
    let mut range_type = fixed.range_type;
    let mut reverse = fixed.reverse;
    let mut withscores = false;
    let (mut offset, mut limit) = (0i64, -1i64);
    let mut index = key_index + 3;
    while index < argv.len() {
        let option = &argv[index];
        let left = argv.len() - index - 1;
        if !store && is(option, "withscores") {
            withscores = true;
        } else if is(option, "limit") && left >= 2 {
            offset = match parse_long(&argv[index + 1]) {
                Ok(value) => value,
                Err(error) => return error,
            };
            limit = match parse_long(&argv[index + 2]) {
                Ok(value) => value,
                Err(error) => return error,
            };
            index += 2;
        } else if reverse.is_none() && is(option, "rev") {
            reverse = Some(true);
        } else if range_type.is_none() && is(option, "bylex") {
            range_type = Some(RangeType::Lex);
        } else if range_type.is_none() && is(option, "byscore") {
            range_type = Some(RangeType::Score);
        } else {
            return errors::reply(errors::SYNTAX);
        }
        index += 1;
    }
    let reverse = reverse.unwrap_or(false);
    let range_type = range_type.unwrap_or(RangeType::Rank);
    // Redis tells "no LIMIT" by a count of -1, so `LIMIT 0 -1` passes this check.
    if limit != -1 && range_type == RangeType::Rank {
        return errors::reply(
            "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX",
        );
    }
    if withscores && range_type == RangeType::Lex {
        return errors::reply(
            "ERR syntax error, WITHSCORES not supported in combination with BYLEX",
        );
    }
    let (mut min, mut max) = (&argv[key_index + 1], &argv[key_index + 2]);
    if reverse && range_type != RangeType::Rank {
        // Reversed score and lex ranges are written max first.
        std::mem::swap(&mut min, &mut max);
    }
    let bounds = match range_type {
        RangeType::Rank => match (parse_long(min), parse_long(max)) {
            (Ok(start), Ok(stop)) => Bounds::Rank(start, stop),
            (Err(error), _) | (_, Err(error)) => return error,
        },
        RangeType::Score => match parse_score_range(min, max) {
            Some(range) => Bounds::Score(range),
            None => return errors::reply(MIN_MAX_NOT_FLOAT),
        },
        RangeType::Lex => match parse_lex_range(min, max) {
            Some(range) => Bounds::Lex(range),
            None => return errors::reply(MIN_MAX_NOT_LEX),
        },
    };

    let protocol = ctx.protocol;
    let source = &argv[key_index];
    let result: Vec<(Bytes, f64)> = match read_zset(ctx, source) {
        Err(wrong_type) => return wrong_type,
        Ok(None) => Vec::new(),
        Ok(Some(zset)) => select(zset, &bounds, reverse, offset, limit),
    };
    if !store {
        return members_reply(
            protocol,
            result.iter().map(|(member, score)| (member, *score)),
            withscores,
        );
    }
    let count = result.len();
    let mut stored = ZSet::new();
    for (member, score) in result {
        stored.insert(member, score);
    }
    if store_result(ctx, &argv[1], stored) {
        // Only the destination changed, not the source.
        ctx.touch(&argv[1]);
        ctx.propagate_verbatim(argv);
    }
    Frame::Integer(count as i64)
}

/// The members a range selects, in reply order. LIMIT follows Redis's loops: a negative offset skips
/// everything, a negative count takes everything after the offset.
fn select(
    zset: &ZSet,
    bounds: &Bounds,
    reverse: bool,
    offset: i64,
    limit: i64,
) -> Vec<(Bytes, f64)> {
    let ranks = match bounds {
        Bounds::Rank(start, stop) => {
            let Some((first, last)) = rank_range(*start, *stop, zset.len()) else {
                return Vec::new();
            };
            return zset
                .iter_from_rank(first, reverse)
                .take(last - first + 1)
                .map(|(member, score)| (member.clone(), score))
                .collect();
        }
        Bounds::Score(range) => zset.score_range_ranks(range),
        Bounds::Lex(range) => zset.lex_range_ranks(range),
    };
    if offset < 0 || offset as u64 >= ranks.len() as u64 {
        return Vec::new();
    }
    let available = ranks.len() - offset as usize;
    let take = if limit < 0 {
        available
    } else {
        available.min(usize::try_from(limit).unwrap_or(usize::MAX))
    };
    let first = if reverse {
        zset.len() - ranks.end + offset as usize
    } else {
        ranks.start + offset as usize
    };
    zset.iter_from_rank(first, reverse)
        .take(take)
        .map(|(member, score)| (member.clone(), score))
        .collect()
}
