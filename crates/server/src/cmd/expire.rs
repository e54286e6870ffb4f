//! Expiry commands: EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT, TTL, PTTL, PERSIST.

use bytes::Bytes;
use keyspace::ExpiryPolicy;
use resp::Frame;

use super::{Ctx, is, parse_i64};
use crate::errors;

/// `EXPIRE`/`PEXPIRE`/`EXPIREAT`/`PEXPIREAT key time [NX|XX|GT|LT]`, propagated as `PEXPIREAT` with an
/// absolute time (or `DEL` when the time is already past), so replicas agree whatever their clock.
pub fn expire(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Frame {
    let name = String::from_utf8_lossy(&argv[0]).to_ascii_lowercase();
    let Some(amount) = parse_i64(&argv[2]) else {
        return errors::reply(errors::NOT_INTEGER);
    };
    let condition = match parse_condition(&argv[3..]) {
        Ok(condition) => condition,
        Err(error) => return error,
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
        return errors::invalid_expire(&name);
    };

    let (now, policy) = (ctx.now_ms, ctx.policy);
    let db = ctx.db();
    let Some(entry) = db.get(&argv[1], now, policy) else {
        return Frame::Integer(0);
    };
    if !condition.allows(entry.expire_at, absolute) {
        return Frame::Integer(0);
    }
    // A time in the past deletes the key now, unless we apply our master's stream: then the master decides.
    if absolute <= now && policy != ExpiryPolicy::Keep {
        db.remove(&argv[1]);
        ctx.propagate(vec![Bytes::from_static(b"DEL"), argv[1].clone()]);
        return Frame::Integer(1);
    }
    db.set_expire(&argv[1], Some(absolute));
    let mut rewritten = vec![
        Bytes::from_static(b"PEXPIREAT"),
        argv[1].clone(),
        Bytes::from(absolute.to_string()),
    ];
    rewritten.extend(argv[3..].iter().cloned());
    ctx.propagate(rewritten);
    Frame::Integer(1)
}

/// The NX/XX/GT/LT option of the EXPIRE family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Condition {
    Always,
    /// Only when the key has no TTL.
    Nx,
    /// Only when the key has a TTL.
    Xx,
    /// Only when the new time is later (no TTL counts as infinite).
    Gt,
    /// Only when the new time is earlier.
    Lt,
}

impl Condition {
    fn allows(self, current: Option<i64>, new: i64) -> bool {
        match (self, current) {
            (Condition::Always, _) => true,
            (Condition::Nx, current) => current.is_none(),
            (Condition::Xx, current) => current.is_some(),
            (Condition::Gt, Some(current)) => new > current,
            (Condition::Gt, None) => false,
            (Condition::Lt, Some(current)) => new < current,
            (Condition::Lt, None) => true,
        }
    }
}

fn parse_condition(options: &[Bytes]) -> Result<Condition, Frame> {
    let (mut nx, mut xx, mut gt, mut lt) = (false, false, false, false);
    for option in options {
        if is(option, "nx") {
            nx = true;
        } else if is(option, "xx") {
            xx = true;
        } else if is(option, "gt") {
            gt = true;
        } else if is(option, "lt") {
            lt = true;
        } else {
            return Err(errors::reply(&format!(
                "ERR Unsupported option {}",
                String::from_utf8_lossy(option)
            )));
        }
    }
    if nx && (xx || gt || lt) {
        return Err(errors::reply(
            "ERR NX and XX, GT or LT options at the same time are not compatible",
        ));
    }
    if gt && lt {
        return Err(errors::reply(
            "ERR GT and LT options at the same time are not compatible",
        ));
    }
    Ok(match (nx, xx, gt, lt) {
        (true, ..) => Condition::Nx,
        (_, _, true, _) => Condition::Gt,
        (_, _, _, true) => Condition::Lt,
        (_, true, ..) => Condition::Xx,
        _ => Condition::Always,
    })
}

/// `TTL key` (seconds, rounded) and `PTTL key` (milliseconds): -2 missing, -1 no TTL.
pub fn ttl(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Frame {
    let in_ms = is(&argv[0], "pttl");
    let (now, policy) = (ctx.now_ms, ctx.policy);
    let Some(entry) = ctx.db().get(&argv[1], now, policy) else {
        return Frame::Integer(-2);
    };
    let Some(expire_at) = entry.expire_at else {
        return Frame::Integer(-1);
    };
    let remaining = (expire_at - now).max(0);
    Frame::Integer(if in_ms {
        remaining
    } else {
        (remaining + 500) / 1000
    })
}

/// `PERSIST key`
pub fn persist(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Frame {
    let (now, policy) = (ctx.now_ms, ctx.policy);
    let db = ctx.db();
    let has_ttl = db
        .get(&argv[1], now, policy)
        .is_some_and(|entry| entry.expire_at.is_some());
    if !has_ttl {
        return Frame::Integer(0);
    }
    db.set_expire(&argv[1], None);
    ctx.propagate_verbatim(argv);
    Frame::Integer(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditions_follow_redis() {
        assert!(Condition::Lt.allows(None, 5));
        assert!(!Condition::Gt.allows(None, 5));
        assert!(Condition::Gt.allows(Some(4), 5));
        assert!(!Condition::Nx.allows(Some(4), 5));
        assert!(parse_condition(&[Bytes::from("nx"), Bytes::from("xx")]).is_err());
        assert!(parse_condition(&[Bytes::from("gt"), Bytes::from("lt")]).is_err());
        assert_eq!(
            parse_condition(&[Bytes::from("XX"), Bytes::from("GT")]).unwrap(),
            Condition::Gt
        );
    }
}
