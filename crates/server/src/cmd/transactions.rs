//! Transactions: MULTI, EXEC, DISCARD, WATCH, UNWATCH.
//!
//! Queueing happens in [`crate::dispatch`] (every command but these is answered `+QUEUED` inside `MULTI`, and a
//! command refused while queueing flags the transaction). `EXEC` runs the queue here, each command through
//! [`crate::cmd::call`] in the same critical section, so the commands apply atomically and what they
//! propagate becomes one unit of the stream (wrapped in `MULTI`/`EXEC` when two or more commands propagate).

use bytes::Bytes;
use resp::Frame;

use super::{Ctx, lookup};
use crate::client::MultiState;
use crate::errors;
use commands::Reply;

/// `MULTI`
pub fn multi(ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> Reply {
    if ctx.client.multi.is_some() {
        return Err(errors::reply(errors::MULTI_NESTED));
    }
    ctx.client.multi = Some(MultiState::default());
    Ok(Frame::ok())
}

/// `DISCARD`
pub fn discard(ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> Reply {
    if ctx.client.multi.take().is_none() {
        return Err(errors::reply(errors::DISCARD_WITHOUT_MULTI));
    }
    ctx.core.watches.forget(ctx.client.id);
    Ok(Frame::ok())
}

/// `EXEC`: the null array when a watched key changed (or expired) since `WATCH`, `-EXECABORT` when a command
/// was refused while queueing, otherwise the array of the queued commands' replies (errors included).
pub fn exec(ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> Reply {
    let Some(multi) = ctx.client.multi.take() else {
        return Err(errors::reply(errors::EXEC_WITHOUT_MULTI));
    };
    let id = ctx.client.id;
    let watched_key_expired = ctx
        .core
        .watches
        .any_expired(id, &ctx.core.keyspace, ctx.now_ms);
    let watched_key_changed = ctx.core.watches.is_dirty(id);
    ctx.core.watches.forget(id);
    if multi.aborted {
        return Err(errors::reply(errors::EXECABORT));
    }
    if watched_key_expired || watched_key_changed {
        return Ok(Frame::NullArray);
    }
    let deny_blocking = std::mem::replace(&mut ctx.client.deny_blocking, true);
    let replies = multi
        .commands
        .iter()
        .map(|argv| match argv.first().and_then(|name| lookup(name)) {
            Some(spec) => match still_allowed(ctx, argv) {
                Ok(()) => super::call(ctx, spec, argv),
                Err(error) => error,
            },
            // Only known commands are ever queued.
            None => errors::unknown_command(argv.first().map_or(&b""[..], |n| &n[..]), &[]),
        })
        .collect();
    ctx.client.deny_blocking = deny_blocking;
    Ok(Frame::Array(replies))
}

/// ACL rules may change between `MULTI` and `EXEC`: each queued command is checked again as it runs.
fn still_allowed(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<(), Frame> {
    if ctx.client.is_master_link {
        return Ok(());
    }
    let Err(denial) = ctx.core.acl.check(&ctx.client.user, argv) else {
        return Ok(());
    };
    let (user, id) = (ctx.client.user.clone(), ctx.client.id);
    let context = crate::acl::Context::Multi;
    crate::cmd::acl_log::log_denial(ctx.core, ctx.shared, &denial, context, &user, argv, id);
    let error = denial.exec_error();
    ctx.core.error_stats.record(&error);
    Err(error)
}

/// `WATCH key...`
pub fn watch(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Reply {
    if ctx.client.multi.is_some() {
        return Err(errors::reply(errors::WATCH_IN_MULTI));
    }
    let (id, db, now) = (ctx.client.id, ctx.client.db, ctx.now_ms);
    // Once dirty, the next EXEC fails whatever else is watched.
    if ctx.core.watches.is_dirty(id) {
        return Ok(Frame::ok());
    }
    for key in &argv[1..] {
        let expired = ctx
            .core
            .keyspace
            .db(db)
            .is_some_and(|data| data.is_expired(key, now));
        ctx.core.watches.watch(id, db, &super::owned(key), expired);
    }
    Ok(Frame::ok())
}

/// `UNWATCH`
pub fn unwatch(ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> Reply {
    ctx.core.watches.forget(ctx.client.id);
    Ok(Frame::ok())
}

/// This family's commands, each bound to its handler; [`crate::cmd`] joins them with Redis's facts about
/// each command (arity, flags, keys) from `commands::table`.
pub const HANDLERS: &[(&str, crate::cmd::ServerHandler)] = &[
    ("multi", multi),
    ("exec", exec),
    ("discard", discard),
    ("watch", watch),
    ("unwatch", unwatch),
];
