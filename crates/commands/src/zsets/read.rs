//! Sorted-set reads: ZCARD, ZSCORE, ZMSCORE, ZRANK, ZREVRANK, ZCOUNT, ZLEXCOUNT, ZSCAN, ZRANDMEMBER.

use std::cell::Cell;
use std::hash::{BuildHasher, RandomState};

use bytes::Bytes;
use keyspace::pattern::glob_match;
use resp::Frame;

use super::parse::{parse_cursor, parse_lex_range, parse_score_range};
use super::{
    MIN_MAX_NOT_FLOAT, MIN_MAX_NOT_LEX, members_reply, parse_long, read_zset, score_frame,
};
use crate::Reply;
use crate::errors;
use crate::{DataCtx, is};

/// `ZCARD key`
pub fn zcard(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    Ok(match read_zset(ctx, &argv[1]) {
        Err(wrong_type) => wrong_type,
        Ok(zset) => Frame::Integer(zset.map_or(0, |zset| zset.len()) as i64),
    })
}

/// `ZSCORE key member`
pub fn zscore(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    Ok(match read_zset(ctx, &argv[1]) {
        Err(wrong_type) => wrong_type,
        Ok(zset) => zset
            .and_then(|zset| zset.score(&argv[2]))
            .map_or(Frame::Null, score_frame),
    })
}

/// `ZMSCORE key member [member ...]`: a missing key is an empty set.
pub fn zmscore(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    Ok(match read_zset(ctx, &argv[1]) {
        Err(wrong_type) => wrong_type,
        Ok(zset) => Frame::Array(
            argv[2..]
                .iter()
                .map(|member| {
                    zset.and_then(|zset| zset.score(member))
                        .map_or(Frame::Null, score_frame)
                })
                .collect(),
        ),
    })
}

/// `ZRANK key member`
pub fn zrank(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    Ok(rank_generic(ctx, argv, false))
}

/// `ZREVRANK key member`
pub fn zrevrank(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    Ok(rank_generic(ctx, argv, true))
}

fn rank_generic(ctx: &mut DataCtx<'_>, argv: &[Bytes], reverse: bool) -> Frame {
    let zset = match read_zset(ctx, &argv[1]) {
        Err(wrong_type) => return wrong_type,
        Ok(None) => return Frame::Null,
        Ok(Some(zset)) => zset,
    };
    match zset.rank(&argv[2]) {
        None => Frame::Null,
        Some(rank) if reverse => Frame::Integer((zset.len() - 1 - rank) as i64),
        Some(rank) => Frame::Integer(rank as i64),
    }
}

/// `ZCOUNT key min max`
pub fn zcount(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    let Some(range) = parse_score_range(&argv[2], &argv[3]) else {
        return Err(errors::reply(MIN_MAX_NOT_FLOAT));
    };
    Ok(match read_zset(ctx, &argv[1]) {
        Err(wrong_type) => wrong_type,
        Ok(zset) => {
            Frame::Integer(zset.map_or(0, |zset| zset.score_range_ranks(&range).len()) as i64)
        }
    })
}

/// `ZLEXCOUNT key min max`
pub fn zlexcount(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    let Some(range) = parse_lex_range(&argv[2], &argv[3]) else {
        return Err(errors::reply(MIN_MAX_NOT_LEX));
    };
    Ok(match read_zset(ctx, &argv[1]) {
        Err(wrong_type) => wrong_type,
        Ok(zset) => {
            Frame::Integer(zset.map_or(0, |zset| zset.lex_range_ranks(&range).len()) as i64)
        }
    })
}

/// `ZSCAN key cursor [MATCH pattern] [COUNT count]`: the cursor is checked first, the options only once the
/// key is found (a missing key answers an empty scan whatever follows), as in Redis. A `listpack`-encoded set
/// is returned whole, in order, with cursor 0.
pub fn zscan(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    let Some(cursor) = parse_cursor(&argv[2]) else {
        return Err(errors::reply("ERR invalid cursor"));
    };
    let empty_scan = || Frame::Array(vec![Frame::bulk("0"), Frame::Array(Vec::new())]);
    let zset = match read_zset(ctx, &argv[1])? {
        None => return Ok(empty_scan()),
        Some(zset) => zset,
    };
    let mut count = 10usize;
    let mut pattern: Option<&Bytes> = None;
    let mut index = 3;
    while index < argv.len() {
        let has_value = argv.len() - index >= 2;
        if is(&argv[index], "count") && has_value {
            match parse_long(&argv[index + 1]) {
                Err(error) => return Err(error),
                Ok(value) if value < 1 => return Err(errors::reply(errors::SYNTAX)),
                Ok(value) => count = usize::try_from(value).unwrap_or(usize::MAX),
            }
        } else if is(&argv[index], "match") && has_value {
            pattern = Some(&argv[index + 1]).filter(|pattern| &pattern[..] != b"*");
        } else {
            return Err(errors::reply(errors::SYNTAX));
        }
        index += 2;
    }
    let mut found: Vec<(Bytes, f64)> = Vec::new();
    let next_cursor = if zset.encoding() == "listpack" {
        found.extend(zset.iter().map(|(member, score)| (member.clone(), score)));
        0
    } else {
        zset.scan(cursor, count, |member, score| {
            found.push((Bytes::copy_from_slice(member), score))
        })
    };
    let mut frames = Vec::new();
    for (member, score) in found {
        if pattern.is_none_or(|pattern| glob_match(pattern, &member)) {
            frames.push(Frame::Bulk(member));
            frames.push(Frame::bulk(resp::format_double(score)));
        }
    }
    Ok(Frame::Array(vec![
        Frame::bulk(next_cursor.to_string()),
        Frame::Array(frames),
    ]))
}

/// `ZRANDMEMBER key [count [WITHSCORES]]`
pub fn zrandmember(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    let Some(count_arg) = argv.get(2) else {
        return Ok(match read_zset(ctx, &argv[1])? {
            None => Frame::Null,
            Some(zset) => zset
                .entry_at(random_below(zset.len()))
                .map_or(Frame::Null, |(member, _)| {
                    Frame::Bulk(Bytes::copy_from_slice(member))
                }),
        });
    };
    let count = match parse_long(count_arg)? {
        i64::MIN => {
            return Err(errors::reply(
                "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807",
            ));
        }
        count => count,
    };
    let withscores = match argv.get(3) {
        _ if argv.len() > 4 => return Err(errors::reply(errors::SYNTAX)),
        None => false,
        Some(option) if is(option, "withscores") => true,
        Some(_) => return Err(errors::reply(errors::SYNTAX)),
    };
    if withscores && !(-(i64::MAX / 2)..=i64::MAX / 2).contains(&count) {
        return Err(errors::reply("ERR value is out of range"));
    }
    let protocol = ctx.protocol;
    let zset = match read_zset(ctx, &argv[1])? {
        None => return Ok(Frame::Array(Vec::new())),
        Some(zset) => zset,
    };
    let size = zset.len();
    let picks: Vec<(&[u8], f64)> = if count < 0 {
        // Repetitions allowed: independent picks.
        (0..count.unsigned_abs())
            .filter_map(|_| zset.entry_at(random_below(size)))
            .collect()
    } else if count as u64 >= size as u64 {
        // The whole set, highest first (Redis walks it from the tail).
        zset.iter_from_rank(0, true)
            .map(|(member, score)| (member.as_ref(), score))
            .collect()
    } else if (count as usize).saturating_mul(3) > size {
        // Distinct picks, many of them: a partial Fisher-Yates shuffle of the positions.
        let count = count as usize;
        let mut positions: Vec<usize> = (0..size).collect();
        for i in 0..count {
            let j = i + random_below(size - i);
            positions.swap(i, j);
        }
        positions[..count]
            .iter()
            .filter_map(|&i| zset.entry_at(i))
            .collect()
    } else {
        // Distinct picks, few of them: draw until `count` different positions came up.
        let count = count as usize;
        let mut chosen = std::collections::HashSet::with_capacity(count);
        let mut picks = Vec::with_capacity(count);
        while picks.len() < count {
            let position = random_below(size);
            if chosen.insert(position)
                && let Some(pick) = zset.entry_at(position)
            {
                picks.push(pick);
            }
        }
        picks
    };
    Ok(members_reply(protocol, picks.into_iter(), withscores))
}

/// A uniform random index below `bound` (0 when `bound` is 0), from a per-thread xorshift generator seeded
/// by the standard library's random hasher keys.
fn random_below(bound: usize) -> usize {
    thread_local! {
        static STATE: Cell<u64> = Cell::new(RandomState::new().hash_one(0u64) | 1);
    }
    if bound == 0 {
        return 0;
    }
    STATE.with(|state| {
        let mut x = state.get();
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        state.set(x);
        (x % bound as u64) as usize
    })
}
