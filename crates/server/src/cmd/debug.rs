//! `DEBUG`: the subcommands operators and Redis's own test suite use: DIGEST, DIGEST-VALUE, OBJECT, SLEEP,
//! SET-ACTIVE-EXPIRE, SET-DISABLE-DENY-SCRIPTS, POPULATE, REPLICATE, RELOAD, CHANGE-REPL-ID. Refused unless `enable-debug-command` is
//! `yes` (or `local` from a loopback connection), as in Redis 7.

use std::time::Duration;

use bytes::Bytes;
use keyspace::{Entry, Value};
use resp::Frame;

use super::{Ctx, is, parse_i64, stored};
use crate::{digest, errors, persistence};
use commands::Reply;

const NOT_ALLOWED: &str = "ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.";

/// `DEBUG subcommand [args...]`
pub fn debug(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Reply {
    if !allowed(ctx) {
        return Err(errors::reply(NOT_ALLOWED));
    }
    let sub = &argv[1];
    let args = &argv[2..];
    Ok(if is(sub, "digest") && args.is_empty() {
        Frame::Simple(Bytes::from(digest::keyspace_digest(&ctx.core.keyspace)))
    } else if is(sub, "digest-value") {
        let (now, policy) = (ctx.now_ms, ctx.policy);
        let db = ctx.db();
        Frame::Array(
            args.iter()
                .map(|key| {
                    Frame::Simple(Bytes::from(digest::value_digest(db.get(key, now, policy))))
                })
                .collect(),
        )
    } else if is(sub, "object") && args.len() == 1 {
        object(ctx, &args[0])
    } else if is(sub, "sleep") && args.len() == 1 {
        sleep(ctx, &args[0])
    } else if is(sub, "set-active-expire") && args.len() == 1 {
        ctx.core.active_expire_enabled = parse_i64(&args[0]).is_some_and(|flag| flag != 0);
        Frame::ok()
    } else if is(sub, "set-disable-deny-scripts") && args.len() == 1 {
        ctx.core.disable_deny_scripts = parse_i64(&args[0]).is_some_and(|flag| flag != 0);
        Frame::ok()
    } else if is(sub, "populate") && (1..=3).contains(&args.len()) {
        populate(ctx, args)?
    } else if is(sub, "replicate") && !args.is_empty() {
        // Puts a command into the replication stream as if it had been executed.
        ctx.propagate(args.to_vec());
        Frame::ok()
    } else if is(sub, "reload") {
        reload(ctx)
    } else if is(sub, "loadaof") {
        load_aof(ctx)
    } else if is(sub, "change-repl-id") && args.is_empty() {
        ctx.core.repl.change_replid();
        Frame::ok()
    } else if is(sub, "help") {
        Frame::Array(
            [
                "DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                "DIGEST",
                "DIGEST-VALUE <key> [<key> ...]",
                "OBJECT <key>",
                "SLEEP <seconds>",
                "SET-ACTIVE-EXPIRE <0|1>",
                "SET-DISABLE-DENY-SCRIPTS <0|1>",
                "POPULATE <count> [<prefix>] [<size>]",
                "REPLICATE <command> [<arg> ...]",
                "RELOAD",
                "LOADAOF",
                "CHANGE-REPL-ID",
            ]
            .iter()
            .map(|line| Frame::Simple(Bytes::from_static(line.as_bytes())))
            .collect(),
        )
    } else {
        errors::subcommand_syntax(sub, "debug")
    })
}

/// `DEBUG LOADAOF`: writes out what the AOF has buffered, empties the data and loads it back from the AOF.
fn load_aof(ctx: &mut Ctx<'_>) -> Frame {
    if ctx.core.aof.is_on() {
        ctx.core.aof.flush();
    }
    let databases = ctx.core.keyspace.db_count();
    ctx.core.keyspace = keyspace::Keyspace::new(databases);
    match crate::aof_load::load(ctx.shared, ctx.core) {
        Ok(_) => {
            ctx.core.persistence.dirty = 0;
            tracing::info!("Append Only File loaded by DEBUG LOADAOF");
            Frame::ok()
        }
        // Redis exits here; the error is reported instead, with what loaded so far in place.
        Err(_) => errors::reply("ERR Error loading the AOF, check the server logs"),
    }
}

fn allowed(ctx: &Ctx<'_>) -> bool {
    match ctx.shared.config().other("enable-debug-command") {
        Some("yes") => true,
        Some("local") => ctx.client.addr.is_none_or(|addr| addr.ip().is_loopback()),
        _ => ctx.client.is_master_link,
    }
}

/// `DEBUG OBJECT key`, in Redis's layout (the address and LRU clock are ours, not meaningful).
fn object(ctx: &mut Ctx<'_>, key: &[u8]) -> Frame {
    // Redis looks the key up in the dictionary directly: a logically expired key is still shown (and not
    // deleted), which tests use to see that a replica keeps what its master has not deleted yet.
    let db = ctx.db();
    let Some(entry) = db.peek(key) else {
        return errors::reply(errors::NO_SUCH_KEY);
    };
    let serialized = match &entry.value {
        Value::String(data) => data.len(),
        _ => 0,
    };
    let address = std::ptr::from_ref(entry) as usize;
    Frame::Simple(Bytes::from(format!(
        "Value at:0x{address:x} refcount:1 encoding:{} serializedlength:{serialized} lru:0 lru_seconds_idle:0",
        db.encoding_of(key)
            .unwrap_or_else(|| entry.value.encoding())
    )))
}

/// `DEBUG SLEEP seconds`: blocks the server while holding the core lock, as Redis's single thread would.
fn sleep(ctx: &Ctx<'_>, seconds: &[u8]) -> Frame {
    let Some(seconds) = std::str::from_utf8(seconds)
        .ok()
        .and_then(|text| text.parse::<f64>().ok())
    else {
        return errors::reply(errors::NOT_VALID_FLOAT);
    };
    if seconds > 0.0 && seconds.is_finite() {
        let _blocked = ctx.shared.watchdog.block("DEBUG SLEEP");
        std::thread::sleep(Duration::from_secs_f64(seconds));
    }
    Frame::ok()
}

/// `DEBUG POPULATE count [prefix] [size]`: creates `prefix:N` = `value:N` (padded with NULs or cut to
/// `size`), skipping existing keys. Not propagated, as in Redis.
fn populate(ctx: &mut Ctx<'_>, args: &[Bytes]) -> Reply {
    let Some(count) = parse_i64(&args[0]).filter(|count| *count >= 0) else {
        return Err(errors::reply("ERR value is out of range, must be positive"));
    };
    let prefix = args.get(1).map_or_else(
        || "key".to_owned(),
        |p| String::from_utf8_lossy(p).into_owned(),
    );
    let size = match args.get(2).map(|size| parse_i64(size)) {
        None => None,
        Some(Some(size)) if size >= 0 => Some(size as usize),
        Some(_) => return Err(errors::reply(errors::NOT_INTEGER)),
    };
    let (now, policy) = (ctx.now_ms, ctx.policy);
    let db = ctx.db();
    let mut created = 0;
    for n in 0..count {
        // Exact-size copies: a `Bytes` made from a `String` with spare capacity keeps the spare bytes and
        // adds a sharing header, which would make populated keys heavier than the same keys written by SET.
        let key = Bytes::copy_from_slice(format!("{prefix}:{n}").as_bytes());
        if db.contains(&key, now, policy) {
            continue;
        }
        let mut value = format!("value:{n}").into_bytes();
        if let Some(size) = size {
            value.resize(size, 0);
        }
        db.insert(key, Entry::new(Value::String(stored(&value))));
        created += 1;
    }
    ctx.add_dirty(created);
    Ok(Frame::ok())
}

/// `DEBUG RELOAD`: save the RDB file, empty the data set, load the file back.
fn reload(ctx: &mut Ctx<'_>) -> Frame {
    if let Err(error) = persistence::save_locked(ctx.shared, ctx.core) {
        return errors::reply(&format!("ERR Error trying to save the DB: {error}"));
    }
    let path = persistence::rdb_path(ctx.shared);
    let databases = ctx.core.keyspace.db_count();
    match std::fs::read(&path)
        .map_err(|error| error.to_string())
        .and_then(|bytes| rdb::read_rdb(&bytes, databases).map_err(|error| error.to_string()))
    {
        Ok(loaded) => {
            ctx.core.keyspace = loaded.keyspace;
            crate::cmd::scripts::load_snapshot_functions(ctx.core, ctx.shared, &loaded.functions);
            Frame::ok()
        }
        Err(error) => errors::reply(&format!("ERR Error trying to load the RDB dump: {error}")),
    }
}

/// This family's commands, each bound to its handler; [`crate::cmd`] joins them with Redis's facts about
/// each command (arity, flags, keys) from `commands::table`.
pub const HANDLERS: &[(&str, crate::cmd::ServerHandler)] = &[("debug", debug)];
