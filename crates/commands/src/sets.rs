//! Set commands on one set (SADD, SREM, SISMEMBER, SMISMEMBER, SCARD, SPOP, SRANDMEMBER, SMOVE, SSCAN); the
//! multi-set operations (SMEMBERS, SINTER, SUNION, SDIFF and their STORE and CARD forms) are in
//! [`super::set_ops`].
//!
//! SPOP's randomness reaches replicas as its effect: `SREM key member` per popped member (two or more are
//! wrapped in MULTI/EXEC by dispatch), or `DEL key` when the count takes the whole set, as Redis 7.0 does.

use bytes::Bytes;
use keyspace::types::set::Set;
use keyspace::{Entry, Key, Value};
use resp::Frame;

use super::DataCtx;
use super::collections::{
    distinct_indices, parse_cursor, parse_positive, parse_scan_options, parse_signed_count,
    random_index, repeated_picks, scan_reply,
};
use crate::Reply;
use crate::errors;

/// The set under `key` for reading: `Ok(None)` when missing, WRONGTYPE for another type.
pub(super) fn read<'c>(ctx: &'c mut DataCtx<'_>, key: &[u8]) -> Result<Option<&'c Set>, Frame> {
    ctx.read_as(key, |value| match value {
        Value::Set(inner) => Some(inner),
        _ => None,
    })
}

/// The set under `key` for changing: `Ok(None)` when missing.
fn write<'c>(ctx: &'c mut DataCtx<'_>, key: &[u8]) -> Result<Option<&'c mut Set>, Frame> {
    ctx.write_as(key, |value| match value {
        Value::Set(inner) => Some(inner),
        _ => None,
    })
}

/// Adds `member` to the set under `key`, creating it when missing; returns whether it was new.
fn add_creating(ctx: &mut DataCtx<'_>, key: &Bytes, member: &Bytes) -> bool {
    let (now, policy) = (ctx.now_ms, ctx.policy);
    match ctx.db().get_mut(key, now, policy) {
        Some(Value::Set(set)) => set.insert(member),
        _ => {
            let mut set = Set::new();
            set.insert(member);
            ctx.db().insert(key, Entry::new(Value::Set(Box::new(set))));
            true
        }
    }
}

fn bulk(member: &Key) -> Frame {
    Frame::Bulk(member.to_bytes())
}

/// The member at dense position `index` (`index < len`).
fn member_at(set: &Set, index: usize) -> Bytes {
    set.members()
        .entry_at(index)
        .map(|(member, ())| member.to_bytes())
        .expect("random indices are below the set's length")
}

/// `SADD key member [member ...]`: propagated when something was added.
pub fn sadd(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    let mut added = 0u64;
    match write(ctx, &argv[1])? {
        Some(set) => {
            for member in &argv[2..] {
                added += u64::from(set.insert(member));
            }
        }
        None => {
            let mut set = Set::new();
            for member in &argv[2..] {
                added += u64::from(set.insert(member));
            }
            ctx.db()
                .insert(&argv[1], Entry::new(Value::Set(Box::new(set))));
        }
    }
    if added > 0 {
        ctx.propagate_verbatim(argv);
        ctx.add_dirty(added - 1);
    }
    Ok(Frame::Integer(added as i64))
}

/// `SREM key member [member ...]`: deletes the key with its last member.
pub fn srem(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    let set = match write(ctx, &argv[1])? {
        Some(set) => set,
        None => return Ok(Frame::Integer(0)),
    };
    let mut removed = 0u64;
    for member in &argv[2..] {
        if set.remove(member) {
            removed += 1;
            if set.is_empty() {
                break;
            }
        }
    }
    if set.is_empty() {
        ctx.db().remove(&argv[1]);
    }
    if removed > 0 {
        ctx.propagate_verbatim(argv);
        ctx.add_dirty(removed - 1);
    }
    Ok(Frame::Integer(removed as i64))
}

/// `SISMEMBER key member`
pub fn sismember(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    Ok(match read(ctx, &argv[1]) {
        Ok(set) => Frame::Integer(i64::from(set.is_some_and(|set| set.contains(&argv[2])))),
        Err(error) => error,
    })
}

/// `SMISMEMBER key member [member ...]`
pub fn smismember(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    Ok(match read(ctx, &argv[1]) {
        Ok(set) => Frame::Array(
            argv[2..]
                .iter()
                .map(|member| {
                    Frame::Integer(i64::from(set.is_some_and(|set| set.contains(member))))
                })
                .collect(),
        ),
        Err(error) => error,
    })
}

/// `SCARD key`
pub fn scard(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    Ok(match read(ctx, &argv[1]) {
        Ok(set) => Frame::Integer(set.map_or(0, Set::len) as i64),
        Err(error) => error,
    })
}

/// `SPOP key [count]`
pub fn spop(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    match argv.len() {
        2 => {}
        3 => return spop_count(ctx, argv),
        _ => return Err(errors::reply(errors::SYNTAX)),
    }
    let set = match write(ctx, &argv[1])? {
        Some(set) => set,
        None => return Ok(Frame::Null),
    };
    let member = member_at(set, random_index(set.len()));
    set.remove(&member);
    if set.is_empty() {
        ctx.db().remove(&argv[1]);
    }
    ctx.propagate(vec![
        Bytes::from_static(b"SREM"),
        argv[1].clone(),
        member.clone(),
    ]);
    Ok(Frame::Bulk(member))
}

/// `SPOP key count`: the whole set (propagated as `DEL key`) or `count` random members (one `SREM` each).
fn spop_count(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    let count = parse_positive(&argv[2], "ERR value is out of range, must be positive")?;
    let count = count as u64;
    let set = match write(ctx, &argv[1])? {
        Some(set) => set,
        None => return Ok(Frame::Set(Vec::new())),
    };
    if count == 0 {
        return Ok(Frame::Set(Vec::new()));
    }
    let size = set.len() as u64;
    if count >= size {
        // Redis replies with the union of the set alone: a fresh set, so an intset comes out sorted.
        let members: Vec<Frame> = set.iter().map(bulk).collect();
        ctx.db().remove(&argv[1]);
        ctx.propagate(vec![Bytes::from_static(b"DEL"), argv[1].clone()]);
        ctx.add_dirty(size - 1);
        return Ok(Frame::Set(members));
    }
    let popped: Vec<Bytes> = distinct_indices(set.len(), count as usize)
        .into_iter()
        .map(|index| member_at(set, index))
        .collect();
    for member in &popped {
        set.remove(member);
    }
    for member in &popped {
        ctx.propagate(vec![
            Bytes::from_static(b"SREM"),
            argv[1].clone(),
            member.clone(),
        ]);
    }
    Ok(Frame::Set(popped.into_iter().map(Frame::Bulk).collect()))
}

/// `SRANDMEMBER key [count]`: a negative count allows repeats. Never propagated (it changes nothing).
pub fn srandmember(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    let count = match argv.len() {
        2 => None,
        3 => Some(parse_signed_count(&argv[2])?),
        _ => return Err(errors::reply(errors::SYNTAX)),
    };
    let set = match read(ctx, &argv[1])? {
        Some(set) => set,
        None if count.is_some() => return Ok(Frame::Array(Vec::new())),
        None => return Ok(Frame::Null),
    };
    let Some(count) = count else {
        return Ok(Frame::Bulk(member_at(set, random_index(set.len()))));
    };
    if count < 0 {
        let picks = repeated_picks(count)?;
        return Ok(Frame::Array(
            (0..picks)
                .map(|_| Frame::Bulk(member_at(set, random_index(set.len()))))
                .collect(),
        ));
    }
    let count = usize::try_from(count).unwrap_or(usize::MAX);
    if count >= set.len() {
        return Ok(Frame::Array(set.iter().map(bulk).collect()));
    }
    Ok(Frame::Array(
        distinct_indices(set.len(), count)
            .into_iter()
            .map(|index| Frame::Bulk(member_at(set, index)))
            .collect(),
    ))
}

/// `SMOVE source destination member`: propagated verbatim when the member moved (even if the destination
/// already had it).
pub fn smove(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    let (source, destination, member) = (&argv[1], &argv[2], &argv[3]);
    // Both keys are looked up (and expired) before anything else, as Redis does.
    let source_kind = write(ctx, source).map(|set| set.is_some());
    let destination_kind = write(ctx, destination).map(|_| ());
    if !source_kind? {
        return Ok(Frame::Integer(0));
    }
    destination_kind?;
    if source == destination {
        let set = read(ctx, source)?;
        return Ok(Frame::Integer(i64::from(
            set.is_some_and(|set| set.contains(member)),
        )));
    }
    let Ok(Some(set)) = write(ctx, source) else {
        unreachable!("the source was just found to be a set");
    };
    if !set.remove(member) {
        return Ok(Frame::Integer(0));
    }
    if set.is_empty() {
        ctx.db().remove(source);
    }
    let added = add_creating(ctx, destination, member);
    ctx.propagate_verbatim(argv);
    ctx.add_dirty(u64::from(added));
    Ok(Frame::Integer(1))
}

/// `SSCAN key cursor [MATCH pattern] [COUNT count]`: an intset is returned whole with cursor 0, as in Redis.
pub fn sscan(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    let cursor = parse_cursor(&argv[2])?;
    let set = match read(ctx, &argv[1])? {
        Some(set) => set,
        None => return Ok(scan_reply(0, Vec::new())),
    };
    let options = parse_scan_options(&argv[3..])?;
    let mut items = Vec::new();
    let mut visit = |member: &Key| {
        if options.matches(member) {
            items.push(bulk(member));
        }
    };
    let next = if set.is_intset() {
        set.iter().for_each(&mut visit);
        0
    } else {
        set.members()
            .scan(cursor, options.count, |member, ()| visit(member))
    };
    Ok(scan_reply(next, items))
}

/// This family's commands, each bound to its handler; the server's command table joins them with Redis's
/// facts about each command (arity, flags, keys) from [`crate::table`].
pub const HANDLERS: &[(&str, crate::Handler)] = &[
    ("sadd", sadd),
    ("srem", srem),
    ("sismember", sismember),
    ("smismember", smismember),
    ("scard", scard),
    ("spop", spop),
    ("srandmember", srandmember),
    ("smove", smove),
    ("sscan", sscan),
];
