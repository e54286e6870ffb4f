//! Key-space commands: DEL, UNLINK, EXISTS, TYPE, KEYS, RENAME, DBSIZE, FLUSHDB, FLUSHALL.

use bytes::Bytes;
use keyspace::pattern::glob_match;
use resp::Frame;

use super::DataCtx;
use crate::Reply;
use crate::errors;

/// `DEL key...` and `UNLINK key...`
pub fn del(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    let (now, policy) = (ctx.now_ms, ctx.policy);
    let db = ctx.db();
    let mut removed = Vec::new();
    for key in &argv[1..] {
        if db.contains(key, now, policy) {
            db.remove(key);
            removed.push(key);
        }
    }
    // Only the keys actually deleted count as modified for WATCH.
    let deleted = removed.len() as u64;
    for key in removed {
        ctx.touch(key);
    }
    if deleted > 0 {
        ctx.propagate_verbatim(argv);
        ctx.add_dirty(deleted - 1);
    }
    Ok(Frame::Integer(deleted as i64))
}

/// `EXISTS key...`: counts repeated keys repeatedly, as Redis does.
pub fn exists(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    let (now, policy) = (ctx.now_ms, ctx.policy);
    let db = ctx.db();
    let count = argv[1..]
        .iter()
        .filter(|key| db.contains(key, now, policy))
        .count();
    Ok(Frame::Integer(count as i64))
}

/// `TYPE key`
pub fn type_(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    let (now, policy) = (ctx.now_ms, ctx.policy);
    let db = ctx.db();
    let name = if db.contains(&argv[1], now, policy) {
        db.peek(&argv[1])
            .map_or("none", |entry| entry.value.type_name())
    } else {
        "none"
    };
    Ok(Frame::Simple(Bytes::from_static(name.as_bytes())))
}

/// `KEYS pattern`: logically expired keys are skipped, not deleted.
pub fn keys(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    let now = ctx.now_ms;
    let pattern = &argv[1];
    let match_all = &pattern[..] == b"*";
    let keys = ctx
        .db()
        .iter()
        .filter(|(key, entry)| !entry.is_expired(now) && (match_all || glob_match(pattern, key)))
        .map(|(key, _)| Frame::Bulk(key.to_bytes()))
        .collect();
    Ok(Frame::Array(keys))
}

/// `RENAME key newkey`: the value keeps its TTL.
pub fn rename(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    let (now, policy) = (ctx.now_ms, ctx.policy);
    let db = ctx.db();
    if !db.contains(&argv[1], now, policy) {
        return Err(errors::reply(errors::NO_SUCH_KEY));
    }
    if argv[1] == argv[2] {
        return Ok(Frame::ok());
    }
    // An expired destination is deleted (and that propagated) before being overwritten, as in Redis.
    db.contains(&argv[2], now, policy);
    let encoding = db.string_encoding(&argv[1]);
    let entry = db.remove(&argv[1]).expect("the key was just found");
    db.insert(super::owned(&argv[2]), entry);
    if let Some(encoding) = encoding {
        db.set_string_encoding(&argv[2], encoding);
    }
    ctx.propagate_verbatim(argv);
    // A list renamed onto a key clients are blocked on serves them, as Redis's dbAdd signals it.
    ctx.signal_key_ready(&argv[2]);
    Ok(Frame::ok())
}

/// `DBSIZE`: counts logically expired keys not yet deleted, as Redis does.
pub fn dbsize(ctx: &mut DataCtx<'_>, _argv: &[Bytes]) -> Reply {
    Ok(Frame::Integer(ctx.db().len() as i64))
}

/// This family's commands, each bound to its handler; the server's command table joins them with Redis's
/// facts about each command (arity, flags, keys) from [`crate::table`].
pub const HANDLERS: &[(&str, crate::Handler)] = &[
    ("del", del),
    ("unlink", del),
    ("exists", exists),
    ("type", type_),
    ("keys", keys),
    ("rename", rename),
    ("dbsize", dbsize),
];
