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
pub fn sadd(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Frame {
    let mut added = 0u64;
    match write(ctx, &argv[1]) {
        Err(error) => return error,
        Ok(Some(set)) => {
            for member in &argv[2..] {
                added += u64::from(set.insert(member));
            }
        }
        Ok(None) => {
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
    Frame::Integer(added as i64)
}

/// `SREM key member [member ...]`: deletes the key with its last member.
pub fn srem(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Frame {
    let set = match write(ctx, &argv[1]) {
        Ok(Some(set)) => set,
        Ok(None) => return Frame::Integer(0),
        Err(error) => return error,
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
    Frame::Integer(removed as i64)
}

/// `SISMEMBER key member`
pub fn sismember(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Frame {
    match read(ctx, &argv[1]) {
        Ok(set) => Frame::Integer(i64::from(set.is_some_and(|set| set.contains(&argv[2])))),
        Err(error) => error,
    }
}

/// `SMISMEMBER key member [member ...]`
pub fn smismember(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Frame {
    match read(ctx, &argv[1]) {
        Ok(set) => Frame::Array(
            argv[2..]
                .iter()
                .map(|member| {
                    Frame::Integer(i64::from(set.is_some_and(|set| set.contains(member))))
                })
                .collect(),
        ),
        Err(error) => error,
    }
}

/// `SCARD key`
pub fn scard(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Frame {
    match read(ctx, &argv[1]) {
        Ok(set) => Frame::Integer(set.map_or(0, Set::len) as i64),
        Err(error) => error,
    }
}

/// `SPOP key [count]`
pub fn spop(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Frame {
    match argv.len() {
        2 => {}
        3 => return spop_count(ctx, argv),
        _ => return errors::reply(errors::SYNTAX),
    }
    let set = match write(ctx, &argv[1]) {
        Ok(Some(set)) => set,
        Ok(None) => return Frame::Null,
        Err(error) => return error,
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
    Frame::Bulk(member)
}

/// `SPOP key count`: the whole set (propagated as `DEL key`) or `count` random members (one `SREM` each).
fn spop_count(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Frame {
    let count = match parse_positive(&argv[2], "ERR value is out of range, must be positive") {
        Ok(count) => count as u64,
        Err(error) => return error,
    };
    let set = match write(ctx, &argv[1]) {
        Ok(Some(set)) => set,
        Ok(None) => return Frame::Set(Vec::new()),
        Err(error) => return error,
    };
    if count == 0 {
        return Frame::Set(Vec::new());
    }
    let size = set.len() as u64;
    if count >= size {
        // Redis replies with the union of the set alone: a fresh set, so an intset comes out sorted.
        let members: Vec<Frame> = set.iter().map(bulk).collect();
        ctx.db().remove(&argv[1]);
        ctx.propagate(vec![Bytes::from_static(b"DEL"), argv[1].clone()]);
        ctx.add_dirty(size - 1);
        return Frame::Set(members);
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
    Frame::Set(popped.into_iter().map(Frame::Bulk).collect())
}

/// `SRANDMEMBER key [count]`: a negative count allows repeats. Never propagated (it changes nothing).
pub fn srandmember(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Frame {
    let count = match argv.len() {
        2 => None,
        3 => match parse_signed_count(&argv[2]) {
            Ok(count) => Some(count),
            Err(error) => return error,
        },
        _ => return errors::reply(errors::SYNTAX),
    };
    let set = match read(ctx, &argv[1]) {
        Ok(Some(set)) => set,
        Ok(None) if count.is_some() => return Frame::Array(Vec::new()),
        Ok(None) => return Frame::Null,
        Err(error) => return error,
    };
    let Some(count) = count else {
        return Frame::Bulk(member_at(set, random_index(set.len())));
    };
    if count < 0 {
        return match repeated_picks(count) {
            Ok(picks) => Frame::Array(
                (0..picks)
                    .map(|_| Frame::Bulk(member_at(set, random_index(set.len()))))
                    .collect(),
            ),
            Err(error) => error,
        };
    }
    let count = usize::try_from(count).unwrap_or(usize::MAX);
    if count >= set.len() {
        return Frame::Array(set.iter().map(bulk).collect());
    }
    Frame::Array(
        distinct_indices(set.len(), count)
            .into_iter()
            .map(|index| Frame::Bulk(member_at(set, index)))
            .collect(),
    )
}

/// `SMOVE source destination member`: propagated verbatim when the member moved (even if the destination
/// already had it).
pub fn smove(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Frame {
    let (source, destination, member) = (&argv[1], &argv[2], &argv[3]);
    // Both keys are looked up (and expired) before anything else, as Redis does.
    let source_kind = write(ctx, source).map(|set| set.is_some());
    let destination_kind = write(ctx, destination).map(|_| ());
    match source_kind {
        Ok(false) => return Frame::Integer(0),
        Err(error) => return error,
        Ok(true) => {}
    }
    if let Err(error) = destination_kind {
        return error;
    }
    if source == destination {
        return match read(ctx, source) {
            Ok(set) => Frame::Integer(i64::from(set.is_some_and(|set| set.contains(member)))),
            Err(error) => error,
        };
    }
    let Ok(Some(set)) = write(ctx, source) else {
        unreachable!("the source was just found to be a set");
    };
    if !set.remove(member) {
        return Frame::Integer(0);
    }
    if set.is_empty() {
        ctx.db().remove(source);
    }
    let added = add_creating(ctx, destination, member);
    ctx.propagate_verbatim(argv);
    ctx.add_dirty(u64::from(added));
    Frame::Integer(1)
}

/// `SSCAN key cursor [MATCH pattern] [COUNT count]`: an intset is returned whole with cursor 0, as in Redis.
pub fn sscan(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Frame {
    let cursor = match parse_cursor(&argv[2]) {
        Ok(cursor) => cursor,
        Err(error) => return error,
    };
    let set = match read(ctx, &argv[1]) {
        Ok(Some(set)) => set,
        Ok(None) => return scan_reply(0, Vec::new()),
        Err(error) => return error,
    };
    let options = match parse_scan_options(&argv[3..]) {
        Ok(options) => options,
        Err(error) => return error,
    };
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
    scan_reply(next, items)
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
