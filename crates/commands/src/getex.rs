//! String commands that read and write at once: GETSET, GETDEL, GETEX.
//!
//! Each is propagated as its effect (Redis 7.0 `t_string.c`): GETSET as `SET key value`, GETDEL as `DEL key`,
//! GETEX as `PEXPIREAT key <ms>` (any of EX, PX, EXAT, PXAT), `PERSIST key`, or `DEL key` when an absolute time
//! is already past; a GETEX that changes nothing sends nothing.

use bytes::Bytes;
use keyspace::{Entry, Value};
use resp::Frame;

use super::strings::{ExpireUnit, Lookup, absolute_expiry, expire_unit, lookup_string};
use super::{DataCtx, is, parse_i64, stored};
use crate::Reply;
use crate::errors;

/// `GETSET key value`: the old value; the key loses its TTL.
pub fn getset(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    let old = match lookup_string(ctx, &argv[1]) {
        Lookup::Missing => Frame::Null,
        Lookup::String(data) => Frame::Bulk(data),
        Lookup::WrongType => return Err(errors::reply(errors::WRONG_TYPE)),
    };
    ctx.db()
        .insert(&argv[1], Entry::new(Value::String(stored(&argv[2]))));
    ctx.propagate(vec![
        Bytes::from_static(b"SET"),
        argv[1].clone(),
        argv[2].clone(),
    ]);
    Ok(old)
}

/// `GETDEL key`
pub fn getdel(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    let value = match lookup_string(ctx, &argv[1]) {
        Lookup::Missing => return Ok(Frame::Null),
        Lookup::String(data) => data,
        Lookup::WrongType => return Err(errors::reply(errors::WRONG_TYPE)),
    };
    ctx.db().remove(&argv[1]);
    ctx.propagate(vec![Bytes::from_static(b"DEL"), argv[1].clone()]);
    Ok(Frame::Bulk(value))
}

/// What GETEX does to the TTL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TtlChange {
    Keep,
    Persist,
    Expire(ExpireUnit),
}

/// `GETEX key [EX s | PX ms | EXAT ts | PXAT ms | PERSIST]`
pub fn getex(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    let (change, amount) = parse_getex_options(&argv[2..])?;
    let value = match lookup_string(ctx, &argv[1]) {
        Lookup::Missing => return Ok(Frame::Null),
        Lookup::String(data) => data,
        Lookup::WrongType => return Err(errors::reply(errors::WRONG_TYPE)),
    };
    let key = &argv[1];
    match change {
        TtlChange::Keep => {}
        TtlChange::Persist => {
            let had = ctx
                .db()
                .peek(key)
                .is_some_and(|entry| entry.expire_at.is_some());
            if had {
                ctx.db().set_expire(key, None);
                ctx.propagate(vec![Bytes::from_static(b"PERSIST"), key.clone()]);
            }
        }
        TtlChange::Expire(unit) => {
            let Some(amount) = amount.as_deref().and_then(parse_i64) else {
                return Err(errors::reply(errors::NOT_INTEGER));
            };
            let Some(expire_at) = absolute_expiry(unit, amount, ctx.now_ms) else {
                return Err(errors::invalid_expire("getex"));
            };
            let absolute = matches!(unit, ExpireUnit::ExAt | ExpireUnit::PxAt);
            // A past absolute time deletes the key, except on a replica, which waits for its master's DEL.
            if absolute && expire_at <= ctx.now_ms && !ctx.caller.server_is_replica {
                ctx.db().remove(key);
                ctx.propagate(vec![Bytes::from_static(b"DEL"), key.clone()]);
            } else {
                ctx.db().set_expire(key, Some(expire_at));
                ctx.propagate(vec![
                    Bytes::from_static(b"PEXPIREAT"),
                    key.clone(),
                    Bytes::from(expire_at.to_string()),
                ]);
            }
        }
    }
    Ok(Frame::Bulk(value))
}

/// Redis's option rules for GETEX: one expiry form (repeating the same one is allowed, the last time wins) or
/// PERSIST, never both; anything else is a syntax error, reported before the key is looked at.
fn parse_getex_options(args: &[Bytes]) -> Result<(TtlChange, Option<Bytes>), Frame> {
    let mut change = TtlChange::Keep;
    let mut amount = None;
    let mut index = 0;
    while index < args.len() {
        let option = &args[index];
        if is(option, "persist") && matches!(change, TtlChange::Keep | TtlChange::Persist) {
            change = TtlChange::Persist;
        } else if let (Some(unit), Some(value)) = (expire_unit(option), args.get(index + 1))
            && (change == TtlChange::Keep || change == TtlChange::Expire(unit))
        {
            change = TtlChange::Expire(unit);
            amount = Some(value.clone());
            index += 1;
        } else {
            return Err(errors::reply(errors::SYNTAX));
        }
        index += 1;
    }
    Ok((change, amount))
}

/// This family's commands, each bound to its handler; the server's command table joins them with Redis's
/// facts about each command (arity, flags, keys) from [`crate::table`].
pub const HANDLERS: &[(&str, crate::Handler)] =
    &[("getset", getset), ("getdel", getdel), ("getex", getex)];
