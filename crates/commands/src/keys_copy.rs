//! Commands that move or copy whole keys: RENAMENX, COPY, MOVE. All are propagated verbatim; the ones that
//! reach into another database tell `WATCH`ers of both sides themselves. Like Redis's `dbAdd`, each key they
//! create serves the clients blocked on it (`BLPOP`, `BZPOPMIN`...).

use bytes::Bytes;
use resp::Frame;

use super::{DataCtx, is, owned, parse_i64};
use crate::Reply;
use crate::errors;

/// `RENAMENX key newkey`: 1 if renamed, 0 if `newkey` exists; the value keeps its TTL.
pub fn renamenx(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    let (now, policy) = (ctx.now_ms, ctx.policy);
    let db = ctx.db();
    if !db.contains(&argv[1], now, policy) {
        return Err(errors::reply(errors::NO_SUCH_KEY));
    }
    if argv[1] == argv[2] || db.contains(&argv[2], now, policy) {
        return Ok(Frame::Integer(0));
    }
    let encoding = db.string_encoding(&argv[1]);
    let entry = db.remove(&argv[1]).expect("the key was just found");
    db.insert(owned(&argv[2]), entry);
    if let Some(encoding) = encoding {
        db.set_string_encoding(&argv[2], encoding);
    }
    ctx.propagate_verbatim(argv);
    ctx.signal_key_ready(&argv[2]);
    Ok(Frame::Integer(1))
}

/// A database index argument as Redis reads it (`getIntFromObjectOrReply`): an integer that fits an `int`.
pub fn db_index(arg: &[u8], not_integer: &str) -> Result<i64, Frame> {
    let Some(index) = parse_i64(arg) else {
        return Err(errors::reply(not_integer));
    };
    if i32::try_from(index).is_err() {
        return Err(if not_integer == errors::NOT_INTEGER {
            errors::reply(errors::INT_OUT_OF_RANGE)
        } else {
            errors::reply(not_integer)
        });
    }
    Ok(index)
}

/// The index if it names a database.
fn existing_db(ctx: &DataCtx<'_>, index: i64) -> Option<usize> {
    usize::try_from(index)
        .ok()
        .filter(|index| *index < ctx.keyspace.db_count())
}

/// `COPY source destination [DB index] [REPLACE]`: 1 if copied (with its TTL), 0 if the source is missing or
/// the destination exists without REPLACE.
pub fn copy(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    let source_db = ctx.db_index;
    let mut target_db = source_db;
    let mut replace = false;
    let mut index = 3;
    while index < argv.len() {
        if is(&argv[index], "replace") {
            replace = true;
        } else if is(&argv[index], "db") && index + 1 < argv.len() {
            let requested = (db_index(&argv[index + 1], errors::NOT_INTEGER))?;
            let Some(existing) = existing_db(ctx, requested) else {
                return Err(errors::reply(errors::DB_INDEX_OUT_OF_RANGE));
            };
            target_db = existing;
            index += 1;
        } else {
            return Err(errors::reply(errors::SYNTAX));
        }
        index += 1;
    }
    let (source, destination) = (&argv[1], &argv[2]);
    if source_db == target_db && source == destination {
        return Err(errors::reply(errors::SAME_OBJECT));
    }
    let (now, policy) = (ctx.now_ms, ctx.policy);
    let Some(entry) = ctx.db().get(source, now, policy).cloned() else {
        return Ok(Frame::Integer(0));
    };
    let encoding = ctx.db().string_encoding(source);
    let Some(target) = ctx.keyspace.db_mut(target_db) else {
        return Err(errors::reply(errors::DB_INDEX_OUT_OF_RANGE));
    };
    if target.contains(destination, now, policy) {
        if !replace {
            return Ok(Frame::Integer(0));
        }
        target.remove(destination);
    }
    target.insert(owned(destination), entry);
    if let Some(encoding) = encoding {
        target.set_string_encoding(destination, encoding);
    }
    ctx.touch_in(target_db, destination);
    ctx.propagate_verbatim(argv);
    ctx.signal_key_ready_in(target_db, destination);
    Ok(Frame::Integer(1))
}

/// `MOVE key db`: 1 if moved (with its TTL), 0 if missing here or present there.
pub fn move_(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    let requested = db_index(&argv[2], errors::NOT_INTEGER)?;
    let Some(target_db) = existing_db(ctx, requested) else {
        return Err(errors::reply(errors::DB_INDEX_OUT_OF_RANGE));
    };
    let source_db = ctx.db_index;
    if source_db == target_db {
        return Err(errors::reply(errors::SAME_OBJECT));
    }
    let (now, policy) = (ctx.now_ms, ctx.policy);
    let key = &argv[1];
    let Some((source, target)) = ctx.keyspace.two_dbs_mut(source_db, target_db) else {
        return Err(errors::reply(errors::DB_INDEX_OUT_OF_RANGE));
    };
    if !source.contains(key, now, policy) || target.contains(key, now, policy) {
        return Ok(Frame::Integer(0));
    }
    let encoding = source.string_encoding(key);
    let entry = source.remove(key).expect("the key was just found");
    target.insert(owned(key), entry);
    if let Some(encoding) = encoding {
        target.set_string_encoding(key, encoding);
    }
    ctx.touch_in(source_db, key);
    ctx.touch_in(target_db, key);
    ctx.propagate_verbatim(argv);
    ctx.signal_key_ready_in(target_db, key);
    Ok(Frame::Integer(1))
}

/// This family's commands, each bound to its handler; the server's command table joins them with Redis's
/// facts about each command (arity, flags, keys) from [`crate::table`].
pub const HANDLERS: &[(&str, crate::Handler)] =
    &[("renamenx", renamenx), ("copy", copy), ("move", move_)];
