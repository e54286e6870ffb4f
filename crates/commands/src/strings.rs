//! String commands: GET, SET, SETNX, SETEX, PSETEX, MGET, MSET, MSETNX, INCR, DECR, INCRBY, DECRBY,
//! INCRBYFLOAT, APPEND, STRLEN. GETSET, GETDEL and GETEX are in `getex.rs`, GETRANGE and SETRANGE in `ranges.rs`.

use bytes::Bytes;
use keyspace::{Entry, Value};
use resp::Frame;

use super::float::LongDouble;
use super::{DataCtx, is, owned, parse_i64, stored};
use crate::Reply;
use crate::errors;

/// Largest string value (`proto-max-bulk-len`).
pub(super) const MAX_STRING: usize = 512 * 1024 * 1024;

/// What a key holds, from a string command's point of view.
pub(super) enum Lookup {
    Missing,
    String(Bytes),
    WrongType,
}

pub(super) fn lookup_string(ctx: &mut DataCtx<'_>, key: &[u8]) -> Lookup {
    let (now, policy) = (ctx.now_ms, ctx.policy);
    match ctx.db().get(key, now, policy).map(|entry| &entry.value) {
        None => Lookup::Missing,
        Some(Value::String(data)) => Lookup::String(data.to_bytes()),
        #[allow(unreachable_patterns)]
        Some(_) => Lookup::WrongType,
    }
}

/// `GET key`
pub fn get(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    Ok(match lookup_string(ctx, &argv[1]) {
        Lookup::Missing => Frame::Null,
        Lookup::String(data) => Frame::Bulk(data),
        Lookup::WrongType => return Err(errors::reply(errors::WRONG_TYPE)),
    })
}

/// Parsed options of `SET`.
#[derive(Debug, Default, PartialEq, Eq)]
struct SetOptions {
    nx: bool,
    xx: bool,
    get: bool,
    keep_ttl: bool,
    /// Absolute expiry in ms.
    expire_at: Option<i64>,
}

/// Redis's `parseExtendedStringArgumentsOrReply`: first the options (a repeated NX, XX, GET, KEEPTTL or the same
/// expiry unit is accepted, the last time given wins), then the expiry time; so a syntax error is reported
/// before a bad time.
fn parse_set_options(args: &[Bytes], now_ms: i64) -> Result<SetOptions, Frame> {
    let mut options = SetOptions::default();
    let mut expire: Option<(ExpireUnit, &Bytes)> = None;
    let mut index = 0;
    while index < args.len() {
        let option = &args[index];
        let next = args.get(index + 1);
        if is(option, "nx") && !options.xx {
            options.nx = true;
        } else if is(option, "xx") && !options.nx {
            options.xx = true;
        } else if is(option, "get") {
            options.get = true;
        } else if is(option, "keepttl") && expire.is_none() {
            options.keep_ttl = true;
        } else if let (Some(unit), Some(value)) = (expire_unit(option), next)
            && !options.keep_ttl
            && expire.is_none_or(|(seen, _)| seen == unit)
        {
            expire = Some((unit, value));
            index += 1;
        } else {
            return Err(errors::reply(errors::SYNTAX));
        }
        index += 1;
    }
    if let Some((unit, value)) = expire {
        let Some(amount) = parse_i64(value) else {
            return Err(errors::reply(errors::NOT_INTEGER));
        };
        options.expire_at = Some(
            absolute_expiry(unit, amount, now_ms).ok_or_else(|| errors::invalid_expire("set"))?,
        );
    }
    Ok(options)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ExpireUnit {
    Ex,
    Px,
    ExAt,
    PxAt,
}

pub(super) fn expire_unit(option: &[u8]) -> Option<ExpireUnit> {
    [
        ("ex", ExpireUnit::Ex),
        ("px", ExpireUnit::Px),
        ("exat", ExpireUnit::ExAt),
        ("pxat", ExpireUnit::PxAt),
    ]
    .into_iter()
    .find(|(name, _)| is(option, name))
    .map(|(_, unit)| unit)
}

/// Redis rejects non-positive times and anything that overflows once made absolute in milliseconds.
pub(super) fn absolute_expiry(unit: ExpireUnit, amount: i64, now_ms: i64) -> Option<i64> {
    if amount <= 0 {
        return None;
    }
    match unit {
        ExpireUnit::Ex => amount.checked_mul(1000)?.checked_add(now_ms),
        ExpireUnit::Px => amount.checked_add(now_ms),
        ExpireUnit::ExAt => amount.checked_mul(1000),
        ExpireUnit::PxAt => Some(amount),
    }
}

/// `SET key value [NX|XX] [GET] [EX s|PX ms|EXAT ts|PXAT ms|KEEPTTL]`
pub fn set(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    let options = parse_set_options(&argv[3..], ctx.now_ms)?;
    // The old value is only copied out for GET: a plain SET just needs to know whether the key exists
    // (cloning a freshly stored value would allocate its sharing header only to drop it).
    let (now, policy) = (ctx.now_ms, ctx.policy);
    let (exists, old_reply) = match ctx
        .db()
        .get(&argv[1], now, policy)
        .map(|entry| &entry.value)
    {
        None => (false, Frame::Null),
        Some(Value::String(data)) if options.get => (true, Frame::Bulk(data.to_bytes())),
        Some(Value::String(_)) => (true, Frame::Null),
        Some(_) if options.get => return Err(errors::reply(errors::WRONG_TYPE)),
        Some(_) => (true, Frame::Null),
    };
    let refused = (options.nx && exists) || (options.xx && !exists);
    if refused {
        return Ok(if options.get { old_reply } else { Frame::Null });
    }
    let value = Value::String(stored(&argv[2]));
    if options.keep_ttl {
        ctx.db().insert_keep_ttl(&argv[1], value);
    } else {
        ctx.db().insert(
            &argv[1],
            Entry {
                value,
                expire_at: options.expire_at,
            },
        );
    }
    // Replicas get an absolute time, and never the GET option (they send no replies anyway).
    if let Some(expire_at) = options.expire_at {
        ctx.propagate(vec![
            Bytes::from_static(b"SET"),
            argv[1].clone(),
            argv[2].clone(),
            Bytes::from_static(b"PXAT"),
            Bytes::from(expire_at.to_string()),
        ]);
    } else if options.get {
        // Only options are dropped: a key or value spelled `get` stays (Redis skips GET from argv[3] on).
        let (command, options) = argv.split_at(3);
        let mut propagated = command.to_vec();
        propagated.extend(options.iter().filter(|arg| !is(arg, "get")).cloned());
        ctx.propagate(propagated);
    } else {
        ctx.propagate_verbatim(argv);
    }
    Ok(if options.get { old_reply } else { Frame::ok() })
}

/// `SETNX key value`
pub fn setnx(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    if !matches!(lookup_string(ctx, &argv[1]), Lookup::Missing) {
        return Ok(Frame::Integer(0));
    }
    ctx.db()
        .insert(&argv[1], Entry::new(Value::String(stored(&argv[2]))));
    ctx.propagate_verbatim(argv);
    Ok(Frame::Integer(1))
}

/// `SETEX key seconds value` and `PSETEX key milliseconds value`, propagated as `SET key value PXAT ms`.
pub fn setex(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    let (unit, name) = if is(&argv[0], "psetex") {
        (ExpireUnit::Px, "psetex")
    } else {
        (ExpireUnit::Ex, "setex")
    };
    let Some(amount) = parse_i64(&argv[2]) else {
        return Err(errors::reply(errors::NOT_INTEGER));
    };
    let Some(expire_at) = absolute_expiry(unit, amount, ctx.now_ms) else {
        return Err(errors::invalid_expire(name));
    };
    ctx.expire_if_needed(&argv[1]);
    ctx.db().insert(
        &argv[1],
        Entry {
            value: Value::String(stored(&argv[3])),
            expire_at: Some(expire_at),
        },
    );
    ctx.propagate(vec![
        Bytes::from_static(b"SET"),
        argv[1].clone(),
        argv[3].clone(),
        Bytes::from_static(b"PXAT"),
        Bytes::from(expire_at.to_string()),
    ]);
    Ok(Frame::ok())
}

/// `MGET key...`: nil for missing keys and for keys of other types.
pub fn mget(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    let values = argv[1..]
        .iter()
        .map(|key| match lookup_string(ctx, key) {
            Lookup::String(data) => Frame::Bulk(data),
            _ => Frame::Null,
        })
        .collect();
    Ok(Frame::Array(values))
}

/// `MSET key value [key value...]`
pub fn mset(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    if argv.len().is_multiple_of(2) {
        return Err(errors::wrong_arity("mset"));
    }
    for pair in argv[1..].chunks_exact(2) {
        ctx.expire_if_needed(&pair[0]);
        ctx.db()
            .insert(&pair[0], Entry::new(Value::String(stored(&pair[1]))));
    }
    ctx.propagate_verbatim(argv);
    ctx.add_dirty((argv.len() as u64 - 1) / 2 - 1);
    Ok(Frame::ok())
}

/// `MSETNX key value [key value...]`: sets all or, when any key exists, none.
pub fn msetnx(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    if argv.len().is_multiple_of(2) {
        return Err(errors::wrong_arity("msetnx"));
    }
    let (now, policy) = (ctx.now_ms, ctx.policy);
    for pair in argv[1..].chunks_exact(2) {
        if ctx.db().contains(&pair[0], now, policy) {
            return Ok(Frame::Integer(0));
        }
    }
    for pair in argv[1..].chunks_exact(2) {
        ctx.db()
            .insert(&pair[0], Entry::new(Value::String(stored(&pair[1]))));
    }
    ctx.propagate_verbatim(argv);
    ctx.add_dirty((argv.len() as u64 - 1) / 2 - 1);
    Ok(Frame::Integer(1))
}

/// `INCRBYFLOAT key increment`: long-double arithmetic as Redis (see [`super::float`]); the key keeps its TTL
/// and replicas get `SET key <result> KEEPTTL`, so they never redo the arithmetic.
pub fn incrbyfloat(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    let current = match lookup_string(ctx, &argv[1]) {
        Lookup::Missing => Bytes::from_static(b"0"),
        Lookup::String(data) => data,
        Lookup::WrongType => return Err(errors::reply(errors::WRONG_TYPE)),
    };
    let (Some(current), Some(increment)) =
        (LongDouble::parse(&current), LongDouble::parse(&argv[2]))
    else {
        return Err(errors::reply(errors::NOT_VALID_FLOAT));
    };
    let sum = current + increment;
    if !sum.is_finite() {
        return Err(errors::reply("ERR increment would produce NaN or Infinity"));
    }
    let result = Bytes::from(sum.to_human());
    let db = ctx.db();
    db.insert_keep_ttl(&argv[1], Value::String(stored(&result)));
    // Redis builds the result as a fresh string object, never as an integer one.
    db.set_string_encoding(&argv[1], keyspace::StringEncoding::Embstr);
    ctx.propagate(vec![
        Bytes::from_static(b"SET"),
        argv[1].clone(),
        result.clone(),
        Bytes::from_static(b"KEEPTTL"),
    ]);
    Ok(Frame::Bulk(result))
}

/// `INCR`, `DECR`, `INCRBY`, `DECRBY`: the key keeps its TTL.
pub fn incr(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    let name = String::from_utf8_lossy(&argv[0]).to_ascii_lowercase();
    let delta = match name.as_str() {
        "incr" => Some(1),
        "decr" => Some(-1),
        "incrby" => parse_i64(&argv[2]),
        _ => parse_i64(&argv[2]).and_then(i64::checked_neg),
    };
    let Some(delta) = delta else {
        return Err(if name == "decrby" && parse_i64(&argv[2]).is_some() {
            errors::reply("ERR decrement would overflow")
        } else {
            errors::reply(errors::NOT_INTEGER)
        });
    };
    let current = match lookup_string(ctx, &argv[1]) {
        Lookup::Missing => 0,
        Lookup::String(data) => match parse_i64(&data) {
            Some(value) => value,
            None => return Err(errors::reply(errors::NOT_INTEGER)),
        },
        Lookup::WrongType => return Err(errors::reply(errors::WRONG_TYPE)),
    };
    let Some(updated) = current.checked_add(delta) else {
        return Err(errors::reply(errors::OVERFLOW));
    };
    ctx.db().insert_keep_ttl(
        owned(&argv[1]),
        // Exact size: a `Bytes` from a `String` with spare capacity would also carry a sharing header.
        Value::String(stored(updated.to_string().as_bytes())),
    );
    ctx.propagate_verbatim(argv);
    Ok(Frame::Integer(updated))
}

/// `APPEND key value`: returns the new length.
pub fn append(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    let current = match lookup_string(ctx, &argv[1]) {
        Lookup::Missing => Bytes::new(),
        Lookup::String(data) => data,
        Lookup::WrongType => return Err(errors::reply(errors::WRONG_TYPE)),
    };
    if current.len() + argv[2].len() > MAX_STRING {
        return Err(errors::reply(errors::STRING_TOO_LONG));
    }
    let mut joined = Vec::with_capacity(current.len() + argv[2].len());
    joined.extend_from_slice(&current);
    joined.extend_from_slice(&argv[2]);
    let length = joined.len();
    let appended_to_existing = !current.is_empty() || ctx.db().peek(&argv[1]).is_some();
    let db = ctx.db();
    db.insert_keep_ttl(&argv[1], Value::String(joined.into()));
    // Appending to an existing string grows it in place, which Redis keeps as `raw`; a new key is encoded
    // from its bytes like SET.
    if appended_to_existing {
        db.set_string_encoding(&argv[1], keyspace::StringEncoding::Raw);
    }
    ctx.propagate_verbatim(argv);
    Ok(Frame::Integer(length as i64))
}

/// `STRLEN key`
pub fn strlen(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    Ok(match lookup_string(ctx, &argv[1]) {
        Lookup::Missing => Frame::Integer(0),
        Lookup::String(data) => Frame::Integer(data.len() as i64),
        Lookup::WrongType => return Err(errors::reply(errors::WRONG_TYPE)),
    })
}

/// This family's commands, each bound to its handler; the server's command table joins them with Redis's
/// facts about each command (arity, flags, keys) from [`crate::table`].
pub const HANDLERS: &[(&str, crate::Handler)] = &[
    ("get", get),
    ("set", set),
    ("setnx", setnx),
    ("setex", setex),
    ("psetex", setex),
    ("mget", mget),
    ("mset", mset),
    ("incr", incr),
    ("decr", incr),
    ("incrby", incr),
    ("decrby", incr),
    ("append", append),
    ("strlen", strlen),
    ("msetnx", msetnx),
    ("incrbyfloat", incrbyfloat),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn options(args: &[&'static str]) -> Result<SetOptions, Frame> {
        let args: Vec<Bytes> = args
            .iter()
            .map(|a| Bytes::from_static(a.as_bytes()))
            .collect();
        parse_set_options(&args, 1_000)
    }

    #[test]
    fn set_option_parsing_follows_redis() {
        assert_eq!(options(&["EX", "10"]).unwrap().expire_at, Some(11_000));
        assert_eq!(options(&["pxat", "5"]).unwrap().expire_at, Some(5));
        assert!(options(&["NX", "XX"]).is_err());
        assert!(options(&["EX", "1", "PX", "1"]).is_err());
        assert!(options(&["KEEPTTL", "EX", "1"]).is_err());
        assert!(options(&["EX"]).is_err());
        assert_eq!(
            options(&["EX", "0"]).unwrap_err(),
            errors::invalid_expire("set")
        );
        assert_eq!(
            options(&["EX", "x"]).unwrap_err(),
            errors::reply(errors::NOT_INTEGER)
        );
        assert!(options(&["NX", "GET"]).unwrap().get);
        // Redis accepts the same unit twice (the last wins) and reports syntax errors before bad numbers.
        assert_eq!(
            options(&["EX", "1", "EX", "2"]).unwrap().expire_at,
            Some(3_000)
        );
        assert_eq!(
            options(&["EX", "x", "NX", "XX"]).unwrap_err(),
            errors::reply(errors::SYNTAX)
        );
        assert_eq!(
            options(&["EX", "0", "FOO"]).unwrap_err(),
            errors::reply(errors::SYNTAX)
        );
    }
}
