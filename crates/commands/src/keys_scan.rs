//! Looking over the key space: SCAN, RANDOMKEY, TOUCH, OBJECT.
//!
//! SCAN's cursor is a position in the database's dense key table ([`keyspace::Db::scan`]): every key present
//! for the whole iteration is returned at least once. Logically expired keys are deleted on the way on a master
//! (their `DEL`s propagated) and skipped on a replica, as in Redis 7.0.

use bytes::Bytes;
use keyspace::pattern::glob_match;
use resp::Frame;

use super::{DataCtx, is};
use crate::Reply;
use crate::errors;

/// `SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]`
pub fn scan(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    let Some(cursor) = parse_cursor(&argv[1]) else {
        return Err(errors::reply(errors::INVALID_CURSOR));
    };
    let mut count: usize = 10;
    let mut pattern: Option<&[u8]> = None;
    let mut type_name: Option<&[u8]> = None;
    let mut index = 2;
    while index < argv.len() {
        let has_value = index + 1 < argv.len();
        if is(&argv[index], "count") && has_value {
            let Some(requested) = super::parse_i64(&argv[index + 1]) else {
                return Err(errors::reply(errors::NOT_INTEGER));
            };
            if requested < 1 {
                return Err(errors::reply(errors::SYNTAX));
            }
            count = usize::try_from(requested).unwrap_or(usize::MAX);
        } else if is(&argv[index], "match") && has_value {
            let requested = &argv[index + 1][..];
            pattern = (requested != b"*").then_some(requested);
        } else if is(&argv[index], "type") && has_value {
            type_name = Some(&argv[index + 1][..]);
        } else {
            return Err(errors::reply(errors::SYNTAX));
        }
        index += 2;
    }
    let mut found = Vec::new();
    let next = ctx
        .db()
        .scan(cursor, count, |key, _| found.push(key.to_bytes()));
    let (now, policy) = (ctx.now_ms, ctx.policy);
    let db = ctx.db();
    let keys = found
        .into_iter()
        .filter(|key| pattern.is_none_or(|pattern| glob_match(pattern, key)))
        .filter(|key| {
            // Redis checks the type through a lookup that hides (or deletes) an expired key: "none" then.
            if !db.contains(key, now, policy) {
                return false;
            }
            type_name.is_none_or(|wanted| {
                db.peek(key).is_some_and(|entry| {
                    wanted.eq_ignore_ascii_case(entry.value.type_name().as_bytes())
                })
            })
        })
        .map(Frame::Bulk)
        .collect();
    Ok(Frame::Array(vec![
        Frame::Bulk(Bytes::from(next.to_string())),
        Frame::Array(keys),
    ]))
}

/// Redis reads the cursor with `strtoul`: optional sign (a negative one wraps), digits only, no spaces.
fn parse_cursor(arg: &[u8]) -> Option<u64> {
    let text = std::str::from_utf8(arg).ok()?;
    let (negative, digits) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let value: u64 = digits.parse().ok()?;
    Some(if negative {
        value.wrapping_neg()
    } else {
        value
    })
}

/// `RANDOMKEY`: a random live key, or nil. A replica, which cannot delete expired keys, gives up after 100
/// expired picks in a database where every key has a TTL and returns the last one, as Redis does.
pub fn randomkey(ctx: &mut DataCtx<'_>, _argv: &[Bytes]) -> Reply {
    let (now, policy) = (ctx.now_ms, ctx.policy);
    let replica = ctx.caller.server_is_replica;
    let db = ctx.db();
    let all_volatile = db.len() == db.expires_len();
    let mut tries = 100;
    loop {
        let Some(key) = db.random_key() else {
            return Ok(Frame::Null);
        };
        let has_ttl = db.peek(&key).is_some_and(|entry| entry.expire_at.is_some());
        if has_ttl {
            if all_volatile && replica {
                tries -= 1;
                if tries == 0 {
                    return Ok(Frame::Bulk(key));
                }
            }
            if !db.contains(&key, now, policy) {
                continue;
            }
        }
        return Ok(Frame::Bulk(key));
    }
}

/// `TOUCH key...`: how many exist; each counts as accessed.
pub fn touch(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    let (now, policy) = (ctx.now_ms, ctx.policy);
    let db = ctx.db();
    let count = argv[1..]
        .iter()
        .filter(|key| db.touch(key, now, policy))
        .count();
    Ok(Frame::Integer(count as i64))
}

/// Redis shares the integer objects 0..10000 (`OBJ_SHARED_INTEGERS`); `OBJECT REFCOUNT` shows them as
/// `OBJ_SHARED_REFCOUNT`.
const SHARED_REFCOUNT: i64 = i32::MAX as i64;

/// `OBJECT ENCODING|REFCOUNT|IDLETIME|FREQ key`, `OBJECT HELP`.
pub fn object(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    let sub = &argv[1];
    let known = ["encoding", "refcount", "idletime", "freq", "help"]
        .into_iter()
        .find(|name| is(sub, name));
    let Some(name) = known else {
        return Err(errors::unknown_subcommand(sub, "object"));
    };
    let arity = if name == "help" { 2 } else { 3 };
    if argv.len() != arity {
        return Err(errors::wrong_arity(&format!("object|{name}")));
    }
    if name == "help" {
        return Ok(help());
    }
    let (now, policy) = (ctx.now_ms, ctx.policy);
    let key = &argv[2];
    let lfu = ctx.limits.lfu_policy;
    let db = ctx.db();
    if !db.contains(key, now, policy) {
        return Ok(Frame::Null);
    }
    let Some(entry) = db.peek(key) else {
        return Ok(Frame::Null);
    };
    Ok(match name {
        "encoding" => Frame::bulk(
            db.encoding_of(key)
                .unwrap_or_else(|| entry.value.encoding()),
        ),
        "refcount" => Frame::Integer(refcount(&entry.value, db.encoding_of(key))),
        "idletime" if lfu => errors::reply(
            "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.",
        ),
        "idletime" => Frame::Integer(db.idle_seconds(key, now).unwrap_or(0) as i64),
        // Access frequency is not tracked: what Redis answers under an LRU policy (its default is noeviction).
        "freq" if !lfu => errors::reply(
            "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.",
        ),
        _ => Frame::Integer(0),
    })
}

fn refcount(value: &keyspace::Value, encoding: Option<&str>) -> i64 {
    match value {
        keyspace::Value::String(data) if encoding == Some("int") => {
            let shared = std::str::from_utf8(data)
                .ok()
                .and_then(|text| text.parse::<i64>().ok())
                .is_some_and(|number| (0..10_000).contains(&number));
            if shared { SHARED_REFCOUNT } else { 1 }
        }
        _ => 1,
    }
}

fn help() -> Frame {
    let lines = [
        "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "ENCODING <key>",
        "    Return the kind of internal representation used in order to store the value",
        "    associated with a <key>.",
        "FREQ <key>",
        "    Return the access frequency index of the <key>. The returned integer is",
        "    proportional to the logarithm of the recent access frequency of the key.",
        "IDLETIME <key>",
        "    Return the idle time of the <key>, that is the approximated number of",
        "    seconds elapsed since the last access to the key.",
        "REFCOUNT <key>",
        "    Return the number of references of the value associated with the specified",
        "    <key>.",
        "HELP",
        "    Prints this help.",
    ];
    errors::help_lines(&lines)
}

/// This family's commands, each bound to its handler; the server's command table joins them with Redis's
/// facts about each command (arity, flags, keys) from [`crate::table`].
pub const HANDLERS: &[(&str, crate::Handler)] = &[
    ("scan", scan),
    ("randomkey", randomkey),
    ("touch", touch),
    ("object", object),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_parsing_follows_strtoul() {
        assert_eq!(parse_cursor(b"0"), Some(0));
        assert_eq!(parse_cursor(b"+12"), Some(12));
        assert_eq!(parse_cursor(b"-1"), Some(u64::MAX));
        for bad in [&b""[..], b" 1", b"1 ", b"x", b"1.5", b"-"] {
            assert_eq!(parse_cursor(bad), None);
        }
    }
}
