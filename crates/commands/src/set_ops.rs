//! Operations over several sets: SMEMBERS (SINTER of one key, as in Redis), SINTER, SINTERCARD, SUNION, SDIFF,
//! and the STORE forms, which go out verbatim whenever they changed the destination (stored a result, or
//! deleted the destination for an empty one).
//!
//! Every source key is looked up, and must be a set, before any work: a WRONGTYPE anywhere wins over a
//! missing key. Results are built as a [`Set`], so an all-integer result is an intset and is listed in
//! numeric order, as Redis lists it.

use bytes::Bytes;
use keyspace::types::set::Set;
use keyspace::{Entry, Key, Value};
use resp::Frame;

use super::collections::parse_positive;
use super::sets::read;
use super::{DataCtx, is, parse_i64};
use crate::Reply;
use crate::errors;

/// Each key's set (`None` for a missing key), or the WRONGTYPE error.
fn lookup_all(ctx: &mut DataCtx<'_>, keys: &[Bytes]) -> Result<Vec<Option<Set>>, Frame> {
    // Cloning keeps this simple and the borrow checker quiet; the cost is proportional to the work the
    // operation does anyway.
    keys.iter()
        .map(|key| read(ctx, key).map(|set| set.cloned()))
        .collect()
}

/// The intersection in Redis's order: the smallest set's members (first of equal sizes) that all others hold.
/// `limit` stops early (SINTERCARD); 0 means no limit.
fn intersection(ctx: &mut DataCtx<'_>, keys: &[Bytes], limit: usize) -> Result<Vec<Bytes>, Frame> {
    let sets = lookup_all(ctx, keys)?;
    let Some(mut sets) = sets.into_iter().collect::<Option<Vec<Set>>>() else {
        return Ok(Vec::new());
    };
    sets.sort_by_key(Set::len);
    let Some((smallest, others)) = sets.split_first() else {
        return Ok(Vec::new());
    };
    let mut members = Vec::new();
    for member in smallest.iter() {
        if others.iter().all(|set| set.contains(member)) {
            members.push(member.to_bytes());
            if limit != 0 && members.len() >= limit {
                break;
            }
        }
    }
    Ok(members)
}

/// SUNION or SDIFF as a fresh set.
fn union_or_difference(ctx: &mut DataCtx<'_>, keys: &[Bytes], union: bool) -> Result<Set, Frame> {
    let sets = lookup_all(ctx, keys)?;
    let mut result = Set::new();
    if union {
        for set in sets.iter().flatten() {
            for member in set.iter() {
                result.insert(member);
            }
        }
        return Ok(result);
    }
    // A first key repeated later subtracts itself.
    if keys[1..].contains(&keys[0]) {
        return Ok(result);
    }
    let Some(Some(first)) = sets.first() else {
        return Ok(result);
    };
    for member in first.iter() {
        if !sets[1..].iter().flatten().any(|set| set.contains(member)) {
            result.insert(member);
        }
    }
    Ok(result)
}

fn members_reply<'a>(members: impl Iterator<Item = &'a [u8]>) -> Frame {
    Frame::Set(
        members
            .map(|member| Frame::Bulk(Bytes::copy_from_slice(member)))
            .collect(),
    )
}

/// `SMEMBERS key` and `SINTER key [key ...]`
pub fn sinter(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    Ok(match intersection(ctx, &argv[1..], 0) {
        Ok(members) => members_reply(members.iter().map(|member| &member[..])),
        Err(error) => error,
    })
}

/// `SINTERCARD numkeys key [key ...] [LIMIT limit]`
pub fn sintercard(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    let numkeys = match parse_i64(&argv[1]) {
        Some(numkeys) if numkeys >= 1 => numkeys as u64,
        _ => return Err(errors::reply("ERR numkeys should be greater than 0")),
    };
    let keys_end = match usize::try_from(numkeys) {
        Ok(numkeys) if numkeys <= argv.len() - 2 => 2 + numkeys,
        _ => {
            return Err(errors::reply(
                "ERR Number of keys can't be greater than number of args",
            ));
        }
    };
    let mut limit = 0;
    let mut index = keys_end;
    while index < argv.len() {
        match argv.get(index + 1) {
            Some(value) if is(&argv[index], "limit") => {
                let value = parse_positive(value, "ERR LIMIT can't be negative")?;
                limit = usize::try_from(value).unwrap_or(usize::MAX);
                index += 2;
            }
            _ => return Err(errors::reply(errors::SYNTAX)),
        }
    }
    Ok(match intersection(ctx, &argv[2..keys_end], limit) {
        Ok(members) => Frame::Integer(members.len() as i64),
        Err(error) => error,
    })
}

/// `SUNION key [key ...]`
pub fn sunion(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    Ok(match union_or_difference(ctx, &argv[1..], true) {
        Ok(set) => members_reply(set.iter().map(Key::as_slice)),
        Err(error) => error,
    })
}

/// `SDIFF key [key ...]`
pub fn sdiff(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    Ok(match union_or_difference(ctx, &argv[1..], false) {
        Ok(set) => members_reply(set.iter().map(Key::as_slice)),
        Err(error) => error,
    })
}

/// `SINTERSTORE destination key [key ...]`
pub fn sinterstore(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    Ok(match intersection(ctx, &argv[2..], 0) {
        Ok(members) => {
            let mut set = Set::new();
            for member in members {
                set.insert(&member);
            }
            store(ctx, argv, set)
        }
        Err(error) => error,
    })
}

/// `SUNIONSTORE destination key [key ...]`
pub fn sunionstore(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    Ok(match union_or_difference(ctx, &argv[2..], true) {
        Ok(set) => store(ctx, argv, set),
        Err(error) => error,
    })
}

/// `SDIFFSTORE destination key [key ...]`
pub fn sdiffstore(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    Ok(match union_or_difference(ctx, &argv[2..], false) {
        Ok(set) => store(ctx, argv, set),
        Err(error) => error,
    })
}

/// Stores a STORE command's result (replacing the destination and its TTL), or deletes the destination when the
/// result is empty; propagates the command verbatim when either changed anything.
fn store(ctx: &mut DataCtx<'_>, argv: &[Bytes], result: Set) -> Frame {
    let destination = &argv[1];
    let size = result.len();
    if size == 0 {
        // Redis deletes without an expiry check here: a logically expired destination counts as deleted.
        if ctx.db().remove(destination).is_some() {
            ctx.touch(destination);
            ctx.propagate_verbatim(argv);
        }
        return Frame::Integer(0);
    }
    ctx.expire_if_needed(destination);
    // The members come from stored sets, so they are already owned copies.
    ctx.db()
        .insert(destination, Entry::new(Value::Set(Box::new(result))));
    // Only the destination changed, not the sources.
    ctx.touch(destination);
    ctx.propagate_verbatim(argv);
    Frame::Integer(size as i64)
}

/// This family's commands, each bound to its handler; the server's command table joins them with Redis's
/// facts about each command (arity, flags, keys) from [`crate::table`].
pub const HANDLERS: &[(&str, crate::Handler)] = &[
    ("smembers", sinter),
    ("sinter", sinter),
    ("sintercard", sintercard),
    ("sunion", sunion),
    ("sdiff", sdiff),
    ("sinterstore", sinterstore),
    ("sunionstore", sunionstore),
    ("sdiffstore", sdiffstore),
];
