//! Expiry commands: EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT, TTL, PTTL, PERSIST.

use bytes::Bytes;
use keyspace::ExpiryPolicy;
use resp::Frame;

use super::{DataCtx, is, parse_i64};
use crate::Reply;
use crate::errors;

/// `EXPIRE`/`PEXPIRE`/`EXPIREAT`/`PEXPIREAT key time [NX|XX|GT|LT]`, propagated as `PEXPIREAT` with an
/// absolute time (or `DEL` when the time is already past), so replicas agree whatever their clock.
pub fn expire(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    let name = String::from_utf8_lossy(&argv[0]).to_ascii_lowercase();
    // Redis checks the options before the time.
    let condition = parse_condition(&argv[3..])?;
    let Some(amount) = parse_i64(&argv[2]) else {
        return Err(errors::reply(errors::NOT_INTEGER));
    };
    let absolute = match name.as_str() {
        "expire" => amount
            .checked_mul(1000)
            .and_then(|ms| ms.checked_add(ctx.now_ms)),
        "pexpire" => amount.checked_add(ctx.now_ms),
        "expireat" => amount.checked_mul(1000),
        _ => Some(amount),
    };
    let Some(absolute) = absolute else {
        return Err(errors::invalid_expire(&name));
    };

    let (now, policy) = (ctx.now_ms, ctx.policy);
    let replica = ctx.caller.server_is_replica;
    let db = ctx.db();
    let Some(entry) = db.get(&argv[1], now, policy) else {
        return Ok(Frame::Integer(0));
    };
    if !condition.allows(entry.expire_at, absolute) {
        return Ok(Frame::Integer(0));
    }
    // A time in the past deletes the key now (Redis's `checkAlreadyExpired`), except on a replica (its master
    // decides, and a writable replica's own key keeps the past TTL, as in Redis) or while applying a stream.
    if absolute <= now && policy != ExpiryPolicy::Keep && !replica {
        db.remove(&argv[1]);
        ctx.propagate(vec![Bytes::from_static(b"DEL"), argv[1].clone()]);
        return Ok(Frame::Integer(1));
    }
    db.set_expire(&argv[1], Some(absolute));
    // PEXPIREAT itself goes out as the client spelled it; the others are renamed (Redis rewrites argv[0] only
    // when the command is not already PEXPIREAT).
    let command_name = if name == "pexpireat" {
        argv[0].clone()
    } else {
        Bytes::from_static(b"PEXPIREAT")
    };
    let mut rewritten = vec![
        command_name,
        argv[1].clone(),
        Bytes::from(absolute.to_string()),
    ];
    rewritten.extend(argv[3..].iter().cloned());
    ctx.propagate(rewritten);
    Ok(Frame::Integer(1))
}

/// The NX/XX/GT/LT options of the EXPIRE family. XX can be combined with GT or LT, and then both must hold.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Condition {
    /// Only when the key has no TTL.
    nx: bool,
    /// Only when the key has a TTL.
    xx: bool,
    /// Only when the new time is later (no TTL counts as infinite, so never).
    gt: bool,
    /// Only when the new time is earlier (no TTL counts as infinite, so always).
    lt: bool,
}

impl Condition {
    /// Redis's `expireGenericCommand` checks, in its order.
    fn allows(self, current: Option<i64>, new: i64) -> bool {
        if self.nx && current.is_some() {
            return false;
        }
        if self.xx && current.is_none() {
            return false;
        }
        if self.gt && current.is_none_or(|current| new <= current) {
            return false;
        }
        if self.lt && current.is_some_and(|current| new >= current) {
            return false;
        }
        true
    }
}

fn parse_condition(options: &[Bytes]) -> Result<Condition, Frame> {
    let mut condition = Condition::default();
    for option in options {
        if is(option, "nx") {
            condition.nx = true;
        } else if is(option, "xx") {
            condition.xx = true;
        } else if is(option, "gt") {
            condition.gt = true;
        } else if is(option, "lt") {
            condition.lt = true;
        } else {
            return Err(errors::with_argument("ERR Unsupported option ", option, ""));
        }
    }
    if condition.nx && (condition.xx || condition.gt || condition.lt) {
        return Err(errors::reply(
            "ERR NX and XX, GT or LT options at the same time are not compatible",
        ));
    }
    if condition.gt && condition.lt {
        return Err(errors::reply(
            "ERR GT and LT options at the same time are not compatible",
        ));
    }
    Ok(condition)
}

/// `TTL key` (seconds, rounded) and `PTTL key` (milliseconds): -2 missing, -1 no TTL.
pub fn ttl(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    let in_ms = is(&argv[0], "pttl");
    let (now, policy) = (ctx.now_ms, ctx.policy);
    let Some(entry) = ctx.db().get(&argv[1], now, policy) else {
        return Ok(Frame::Integer(-2));
    };
    let Some(expire_at) = entry.expire_at else {
        return Ok(Frame::Integer(-1));
    };
    let remaining = (expire_at - now).max(0);
    Ok(Frame::Integer(if in_ms {
        remaining
    } else {
        (remaining + 500) / 1000
    }))
}

/// `EXPIRETIME key` and `PEXPIRETIME key`: the absolute expiry in seconds (truncated) or milliseconds,
/// -1 without one, -2 for a missing key.
pub fn expiretime(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    let in_ms = is(&argv[0], "pexpiretime");
    let (now, policy) = (ctx.now_ms, ctx.policy);
    let Some(entry) = ctx.db().get(&argv[1], now, policy) else {
        return Ok(Frame::Integer(-2));
    };
    Ok(match entry.expire_at {
        None => Frame::Integer(-1),
        Some(at) if in_ms => Frame::Integer(at),
        Some(at) => Frame::Integer(at / 1000),
    })
}

/// `PERSIST key`
pub fn persist(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    let (now, policy) = (ctx.now_ms, ctx.policy);
    let db = ctx.db();
    let has_ttl = db
        .get(&argv[1], now, policy)
        .is_some_and(|entry| entry.expire_at.is_some());
    if !has_ttl {
        return Ok(Frame::Integer(0));
    }
    db.set_expire(&argv[1], None);
    ctx.propagate_verbatim(argv);
    Ok(Frame::Integer(1))
}

/// This family's commands, each bound to its handler; the server's command table joins them with Redis's
/// facts about each command (arity, flags, keys) from [`crate::table`].
pub const HANDLERS: &[(&str, crate::Handler)] = &[
    ("expire", expire),
    ("pexpire", expire),
    ("expireat", expire),
    ("pexpireat", expire),
    ("ttl", ttl),
    ("pttl", ttl),
    ("expiretime", expiretime),
    ("pexpiretime", expiretime),
    ("persist", persist),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditions_follow_redis() {
        let parse = |options: &[&'static str]| {
            let options: Vec<Bytes> = options
                .iter()
                .map(|o| Bytes::from_static(o.as_bytes()))
                .collect();
            parse_condition(&options)
        };
        assert!(parse(&["LT"]).unwrap().allows(None, 5));
        assert!(!parse(&["GT"]).unwrap().allows(None, 5));
        assert!(parse(&["gt"]).unwrap().allows(Some(4), 5));
        assert!(!parse(&["GT"]).unwrap().allows(Some(5), 5));
        assert!(!parse(&["NX"]).unwrap().allows(Some(4), 5));
        assert!(parse(&["nx", "xx"]).is_err());
        assert!(parse(&["gt", "lt"]).is_err());
        assert!(parse(&["FOO"]).is_err());
        // XX and LT both apply: a key without a TTL fails XX even though LT alone would allow it.
        let xx_lt = parse(&["XX", "LT"]).unwrap();
        assert!(!xx_lt.allows(None, 5));
        assert!(xx_lt.allows(Some(6), 5));
        assert!(!parse(&["XX", "GT"]).unwrap().allows(None, 5));
    }
}
