//! Hash commands: HSET (and the deprecated HMSET), HSETNX, HGET, HMGET, HGETALL, HKEYS, HVALS, HDEL, HEXISTS,
//! HLEN, HSTRLEN, HINCRBY, HINCRBYFLOAT, HRANDFIELD, HSCAN.
//!
//! Writes go out verbatim when they changed something, except HINCRBYFLOAT, which goes out as
//! `HSET key field <new value>` so a replica stores the master's exact text instead of redoing the arithmetic.

use bytes::Bytes;
use keyspace::types::hash::Hash;
use keyspace::{Entry, Value};
use resp::{Frame, Protocol};

use super::collections::{
    distinct_indices, parse_cursor, parse_scan_options, parse_signed_count, random_index,
    repeated_picks, scan_reply,
};
use super::float::LongDouble;
use super::{DataCtx, is, parse_i64};
use crate::Reply;
use crate::errors;

/// The hash under `key` for reading: `Ok(None)` when missing, WRONGTYPE for another type.
fn read<'c>(ctx: &'c mut DataCtx<'_>, key: &[u8]) -> Result<Option<&'c Hash>, Frame> {
    ctx.read_as(key, |value| match value {
        Value::Hash(inner) => Some(inner),
        _ => None,
    })
}

/// The hash under `key` for changing: `Ok(None)` when missing.
fn write<'c>(ctx: &'c mut DataCtx<'_>, key: &[u8]) -> Result<Option<&'c mut Hash>, Frame> {
    ctx.write_as(key, |value| match value {
        Value::Hash(inner) => Some(inner),
        _ => None,
    })
}

/// The hash under `key`, created empty when missing. Only for commands that then always store a field, so no
/// empty hash is ever left behind.
fn write_or_create<'c>(ctx: &'c mut DataCtx<'_>, key: &Bytes) -> Result<&'c mut Hash, Frame> {
    let (now, policy) = (ctx.now_ms, ctx.policy);
    let db = ctx.db();
    match db.get(key, now, policy).map(|entry| &entry.value) {
        Some(Value::Hash(_)) => {}
        Some(_) => return Err(errors::reply(errors::WRONG_TYPE)),
        None => {
            db.insert(key, Entry::new(Value::Hash(Box::default())));
        }
    }
    match db.get_mut(key, now, policy) {
        Some(Value::Hash(hash)) => Ok(hash),
        _ => unreachable!("the key was just checked or created as a hash"),
    }
}

fn bulk(value: &[u8]) -> Frame {
    Frame::Bulk(Bytes::copy_from_slice(value))
}

/// `HSET key field value [field value ...]` (new fields count) and `HMSET` (`+OK`).
pub fn hset(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    if argv.len() % 2 == 1 {
        return Err(errors::wrong_arity(&String::from_utf8_lossy(&argv[0])));
    }
    let hash = write_or_create(ctx, &argv[1])?;
    let mut created = 0;
    for pair in argv[2..].chunks_exact(2) {
        if hash.insert(&pair[0], &pair[1]).is_none() {
            created += 1;
        }
    }
    let pairs = (argv.len() as u64 - 2) / 2;
    ctx.propagate_verbatim(argv);
    ctx.add_dirty(pairs - 1);
    Ok(if is(&argv[0], "hmset") {
        Frame::ok()
    } else {
        Frame::Integer(created)
    })
}

/// `HSETNX key field value`
pub fn hsetnx(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    let hash = write_or_create(ctx, &argv[1])?;
    if hash.get(&argv[2]).is_some() {
        return Ok(Frame::Integer(0));
    }
    hash.insert(&argv[2], &argv[3]);
    ctx.propagate_verbatim(argv);
    Ok(Frame::Integer(1))
}

/// `HGET key field`
pub fn hget(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    Ok(match read(ctx, &argv[1]) {
        Ok(hash) => hash
            .and_then(|hash| hash.get(&argv[2]))
            .map_or(Frame::Null, |value| bulk(value)),
        Err(error) => error,
    })
}

/// `HMGET key field [field ...]`
pub fn hmget(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    Ok(match read(ctx, &argv[1]) {
        Ok(hash) => Frame::Array(
            argv[2..]
                .iter()
                .map(|field| {
                    hash.and_then(|hash| hash.get(field))
                        .map_or(Frame::Null, |value| bulk(value))
                })
                .collect(),
        ),
        Err(error) => error,
    })
}

/// `HGETALL key`: a map (a flat array in RESP2).
pub fn hgetall(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    Ok(match read(ctx, &argv[1]) {
        Ok(hash) => Frame::Map(
            hash.into_iter()
                .flat_map(Hash::iter)
                .map(|(field, value)| (bulk(field), bulk(value)))
                .collect(),
        ),
        Err(error) => error,
    })
}

/// `HKEYS key`
pub fn hkeys(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    Ok(match read(ctx, &argv[1]) {
        Ok(hash) => Frame::Array(
            hash.into_iter()
                .flat_map(Hash::iter)
                .map(|(field, _)| bulk(field))
                .collect(),
        ),
        Err(error) => error,
    })
}

/// `HVALS key`
pub fn hvals(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    Ok(match read(ctx, &argv[1]) {
        Ok(hash) => Frame::Array(
            hash.into_iter()
                .flat_map(Hash::iter)
                .map(|(_, value)| bulk(value))
                .collect(),
        ),
        Err(error) => error,
    })
}

/// `HDEL key field [field ...]`: deletes the key with its last field.
pub fn hdel(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    let hash = match write(ctx, &argv[1])? {
        Some(hash) => hash,
        None => return Ok(Frame::Integer(0)),
    };
    let mut deleted = 0u64;
    for field in &argv[2..] {
        if hash.remove(field).is_some() {
            deleted += 1;
            if hash.is_empty() {
                break;
            }
        }
    }
    let emptied = hash.is_empty();
    if emptied {
        ctx.db().remove(&argv[1]);
    }
    if deleted > 0 {
        ctx.propagate_verbatim(argv);
        ctx.add_dirty(deleted - 1);
    }
    Ok(Frame::Integer(deleted as i64))
}

/// `HEXISTS key field`
pub fn hexists(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    Ok(match read(ctx, &argv[1]) {
        Ok(hash) => Frame::Integer(i64::from(
            hash.is_some_and(|hash| hash.get(&argv[2]).is_some()),
        )),
        Err(error) => error,
    })
}

/// `HLEN key`
pub fn hlen(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    Ok(match read(ctx, &argv[1]) {
        Ok(hash) => Frame::Integer(hash.map_or(0, Hash::len) as i64),
        Err(error) => error,
    })
}

/// `HSTRLEN key field`
pub fn hstrlen(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    Ok(match read(ctx, &argv[1]) {
        Ok(hash) => Frame::Integer(
            hash.and_then(|hash| hash.get(&argv[2]))
                .map_or(0, |value| value.len() as i64),
        ),
        Err(error) => error,
    })
}

/// `HINCRBY key field increment`
pub fn hincrby(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    let Some(increment) = parse_i64(&argv[3]) else {
        return Err(errors::reply(errors::NOT_INTEGER));
    };
    let hash = write_or_create(ctx, &argv[1])?;
    let current = match hash.get(&argv[2]) {
        None => 0,
        Some(value) => match parse_i64(value) {
            Some(current) => current,
            None => return Err(errors::reply("ERR hash value is not an integer")),
        },
    };
    let Some(updated) = current.checked_add(increment) else {
        return Err(errors::reply(errors::OVERFLOW));
    };
    hash.insert(&argv[2], updated.to_string().as_bytes());
    ctx.propagate_verbatim(argv);
    Ok(Frame::Integer(updated))
}

/// `HINCRBYFLOAT key field increment`, in Redis's `long double` arithmetic; propagated as
/// `HSET key field <new value>`.
pub fn hincrbyfloat(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    let Some(increment) = LongDouble::parse(&argv[3]) else {
        return Err(errors::reply(errors::NOT_VALID_FLOAT));
    };
    if !increment.is_finite() {
        return Err(errors::reply("ERR value is NaN or Infinity"));
    }
    let hash = write_or_create(ctx, &argv[1])?;
    let current = match hash.get(&argv[2]) {
        None => LongDouble::ZERO,
        Some(value) => match LongDouble::parse(value) {
            Some(current) => current,
            None => return Err(errors::reply("ERR hash value is not a float")),
        },
    };
    let updated = current + increment;
    if !updated.is_finite() {
        return Err(errors::reply("ERR increment would produce NaN or Infinity"));
    }
    let text = Bytes::from(updated.to_human());
    hash.insert(&argv[2], &text);
    ctx.propagate(vec![
        Bytes::from_static(b"HSET"),
        argv[1].clone(),
        argv[2].clone(),
        text.clone(),
    ]);
    Ok(Frame::Bulk(text))
}

/// `HRANDFIELD key [count [WITHVALUES]]`: a negative count allows repeats; with values, RESP2 gets a flat
/// array and RESP3 an array of pairs.
pub fn hrandfield(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    let Some(count) = argv.get(2) else {
        return Ok(match read(ctx, &argv[1])? {
            Some(hash) => {
                let (field, _) = pick(hash, random_index(hash.len()));
                bulk(field)
            }
            None => Frame::Null,
        });
    };
    let count = parse_signed_count(count)?;
    let with_values = match argv.get(3) {
        None => false,
        Some(option) if argv.len() == 4 && is(option, "withvalues") => true,
        Some(_) => return Err(errors::reply(errors::SYNTAX)),
    };
    if with_values && !(-i64::MAX / 2..=i64::MAX / 2).contains(&count) {
        return Err(errors::reply("ERR value is out of range"));
    }
    let resp3 = ctx.protocol == Protocol::Resp3;
    let hash = match read(ctx, &argv[1])? {
        Some(hash) => hash,
        None => return Ok(Frame::Array(Vec::new())),
    };
    let indices: Vec<usize> = if count < 0 {
        let picks = repeated_picks(count)?;
        (0..picks).map(|_| random_index(hash.len())).collect()
    } else {
        let count = usize::try_from(count).unwrap_or(usize::MAX);
        if count >= hash.len() {
            (0..hash.len()).collect()
        } else {
            distinct_indices(hash.len(), count)
        }
    };
    let mut items = Vec::with_capacity(indices.len() * if with_values { 2 } else { 1 });
    for index in indices {
        let (field, value) = pick(hash, index);
        match (with_values, resp3) {
            (false, _) => items.push(bulk(field)),
            (true, false) => items.extend([bulk(field), bulk(value)]),
            (true, true) => items.push(Frame::Array(vec![bulk(field), bulk(value)])),
        }
    }
    Ok(Frame::Array(items))
}

/// The field and value at dense position `index` (`index < len`); in insertion order for a listpack, so the
/// whole-hash case of HRANDFIELD shows Redis's order.
fn pick(hash: &Hash, index: usize) -> (&[u8], &[u8]) {
    hash.fields()
        .entry_at(index)
        .map(|(field, value)| (field.as_slice(), value.as_slice()))
        .expect("random and listed indices are below the hash's length")
}

/// `HSCAN key cursor [MATCH pattern] [COUNT count]`: a listpack is returned whole with cursor 0, as in Redis.
pub fn hscan(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    let cursor = parse_cursor(&argv[2])?;
    let hash = match read(ctx, &argv[1])? {
        Some(hash) => hash,
        None => return Ok(scan_reply(0, Vec::new())),
    };
    let options = parse_scan_options(&argv[3..])?;
    let mut items = Vec::new();
    let mut visit = |field: &[u8], value: &[u8]| {
        if options.matches(field) {
            items.extend([bulk(field), bulk(value)]);
        }
    };
    let next = if hash.is_listpack() {
        hash.iter().for_each(|(field, value)| visit(field, value));
        0
    } else {
        hash.fields()
            .scan(cursor, options.count, |field, value| visit(field, value))
    };
    Ok(scan_reply(next, items))
}

/// This family's commands, each bound to its handler; the server's command table joins them with Redis's
/// facts about each command (arity, flags, keys) from [`crate::table`].
pub const HANDLERS: &[(&str, crate::Handler)] = &[
    ("hset", hset),
    ("hmset", hset),
    ("hsetnx", hsetnx),
    ("hget", hget),
    ("hmget", hmget),
    ("hgetall", hgetall),
    ("hkeys", hkeys),
    ("hvals", hvals),
    ("hdel", hdel),
    ("hexists", hexists),
    ("hlen", hlen),
    ("hstrlen", hstrlen),
    ("hincrby", hincrby),
    ("hincrbyfloat", hincrbyfloat),
    ("hrandfield", hrandfield),
    ("hscan", hscan),
];
