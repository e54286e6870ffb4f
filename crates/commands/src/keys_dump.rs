//! `DUMP` and `RESTORE`: a key's value as Redis's serialized payload (RDB encoding, RDB version, CRC-64),
//! and back. `IDLETIME` sets the key's idle time; `FREQ` is checked and ignored (no LFU counters here). Payloads restore across rserver and Redis both ways; ours are never LZF-compressed, so their
//! bytes can differ from Redis's for long compressible strings.

use bytes::Bytes;
use keyspace::Entry;
use resp::Frame;

use super::{DataCtx, is, parse_i64};
use crate::Reply;
use crate::errors;

/// `DUMP key`
pub fn dump(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    let (now, policy) = (ctx.now_ms, ctx.policy);
    Ok(match ctx.db().get(&argv[1], now, policy) {
        Some(entry) => Frame::Bulk(Bytes::from(rdb::encode_value(&entry.value))),
        None => Frame::Null,
    })
}

/// `RESTORE key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency]`
pub fn restore(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    let (mut replace, mut absttl) = (false, false);
    let (mut idle, mut freq_given) = (None::<u64>, false);
    let mut j = 4;
    while j < argv.len() {
        let more = argv.len() - j - 1;
        if is(&argv[j], "replace") {
            replace = true;
        } else if is(&argv[j], "absttl") {
            absttl = true;
        } else if is(&argv[j], "idletime") && more >= 1 && !freq_given {
            match parse_i64(&argv[j + 1]) {
                None => return Err(errors::reply(errors::NOT_INTEGER)),
                Some(idle) if idle < 0 => {
                    return Err(errors::reply("ERR Invalid IDLETIME value, must be >= 0"));
                }
                Some(seconds) => idle = Some(seconds as u64),
            }
            j += 1;
        } else if is(&argv[j], "freq") && more >= 1 && idle.is_none() {
            match parse_i64(&argv[j + 1]) {
                None => return Err(errors::reply(errors::NOT_INTEGER)),
                Some(freq) if !(0..=255).contains(&freq) => {
                    return Err(errors::reply(
                        "ERR Invalid FREQ value, must be >= 0 and <= 255",
                    ));
                }
                Some(_) => freq_given = true,
            }
            j += 1;
        } else {
            return Err(errors::reply(errors::SYNTAX));
        }
        j += 1;
    }
    let key = &argv[1];
    let (now, policy) = (ctx.now_ms, ctx.policy);
    if !replace && ctx.db().get(key, now, policy).is_some() {
        return Err(errors::reply("BUSYKEY Target key name already exists."));
    }
    let ttl = match parse_i64(&argv[2]) {
        None => return Err(errors::reply(errors::NOT_INTEGER)),
        Some(ttl) if ttl < 0 => return Err(errors::reply("ERR Invalid TTL value, must be >= 0")),
        Some(ttl) => ttl,
    };
    let value = match rdb::decode_value(&argv[3], key) {
        Ok(value) => value,
        Err(error) => return Err(errors::reply(&format!("ERR {error}"))),
    };
    let deleted = replace && ctx.db().remove(key).is_some();
    let expire_at = match ttl {
        0 => None,
        ttl if absttl => Some(ttl),
        ttl => Some(ttl.saturating_add(now)),
    };
    // A replica keeps what its master restored even if the time has passed: the master's DEL will come.
    if expire_at.is_some_and(|at| at <= now) && !ctx.caller.server_is_replica {
        if deleted {
            ctx.propagate(vec![Bytes::from_static(b"DEL"), key.clone()]);
        }
        return Ok(Frame::ok());
    }
    ctx.db().insert(key, Entry { value, expire_at });
    if let Some(seconds) = idle {
        ctx.db().set_idle_seconds(key, seconds, now);
    }
    ctx.signal_key_ready(key);
    let mut propagated = argv.to_vec();
    if let (Some(at), false) = (expire_at, absttl) {
        // Replicas get the absolute time, as Redis rewrites it.
        propagated[2] = Bytes::from(at.to_string());
        propagated.push(Bytes::from_static(b"ABSTTL"));
    }
    ctx.propagate(propagated);
    Ok(Frame::ok())
}

/// This family's commands, each bound to its handler; the server's command table joins them with Redis's
/// facts about each command (arity, flags, keys) from [`crate::table`].
pub const HANDLERS: &[(&str, crate::Handler)] = &[("dump", dump), ("restore", restore)];
