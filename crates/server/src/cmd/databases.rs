//! Commands over whole databases: FLUSHDB, FLUSHALL, SWAPDB. They stay beside the server rather than with
//! the data commands because they must tell `WATCH`ers which keys existed *before* the databases change
//! (Redis's `touchAllWatchedKeysInDb`), which only the server's watch registry can answer.

use bytes::Bytes;
use commands::keys_copy::db_index;
use resp::Frame;

use super::{Ctx, is};
use crate::errors;
use commands::Reply;

/// `FLUSHDB [ASYNC|SYNC]`
pub fn flushdb(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Reply {
    if !flush_mode_ok(argv) {
        return Err(errors::reply(errors::SYNTAX));
    }
    let index = ctx.client.db;
    ctx.touch_db(index, None);
    let db = ctx.db();
    let removed = db.len() as u64;
    db.clear();
    ctx.propagate_verbatim(argv);
    ctx.add_dirty(removed);
    Ok(Frame::ok())
}

/// `FLUSHALL [ASYNC|SYNC]`
pub fn flushall(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Reply {
    if !flush_mode_ok(argv) {
        return Err(errors::reply(errors::SYNTAX));
    }
    for index in 0..ctx.core.keyspace.db_count() {
        ctx.touch_db(index, None);
    }
    let removed = ctx.core.keyspace.key_count() as u64;
    ctx.core.keyspace.flush_all();
    ctx.propagate_verbatim(argv);
    ctx.add_dirty(removed);
    Ok(Frame::ok())
}

fn flush_mode_ok(argv: &[Bytes]) -> bool {
    match argv {
        [_] => true,
        [_, mode] => is(mode, "async") || is(mode, "sync"),
        _ => false,
    }
}

/// `SWAPDB index1 index2`
pub fn swapdb(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Reply {
    let first = (db_index(&argv[1], "ERR invalid first DB index"))?;
    let second = (db_index(&argv[2], "ERR invalid second DB index"))?;
    let (Some(first), Some(second)) = (existing_db(ctx, first), existing_db(ctx, second)) else {
        return Err(errors::reply(errors::DB_INDEX_OUT_OF_RANGE));
    };
    if first != second {
        ctx.touch_db(first, Some(second));
        ctx.touch_db(second, Some(first));
        ctx.core.keyspace.swap_dbs(first, second);
        ctx.signal_waited_keys_in(first);
        ctx.signal_waited_keys_in(second);
    }
    ctx.propagate_verbatim(argv);
    Ok(Frame::ok())
}

/// The index if it names a database.
fn existing_db(ctx: &Ctx<'_>, index: i64) -> Option<usize> {
    usize::try_from(index)
        .ok()
        .filter(|index| *index < ctx.core.keyspace.db_count())
}

/// This family's commands, each bound to its handler; [`crate::cmd`] joins them with Redis's facts about
/// each command (arity, flags, keys) from `commands::table`.
pub const HANDLERS: &[(&str, crate::cmd::ServerHandler)] = &[
    ("flushdb", flushdb),
    ("flushall", flushall),
    ("swapdb", swapdb),
];
