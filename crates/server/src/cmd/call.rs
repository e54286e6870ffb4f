//! `call`: running one command with the bookkeeping every command gets, whoever runs it (a client, `EXEC`,
//! a script, a served blocked client): statistics, the slow log, `MONITOR`, the `DEL`s of keys found
//! expired, and `WATCH`ers of what changed. (Redis's `call`; the checks before it are `dispatch`'s.)

use bytes::Bytes;
use keyspace::ExpiryPolicy;
use resp::Frame;

use super::{CommandSpec, Ctx, flags};
use crate::monitor;

/// The command's name as Redis 7 shows it in errors (`config|get` for a subcommand, also one Redis does
/// not have).
pub(crate) fn full_name(spec: &CommandSpec, argv: &[Bytes]) -> String {
    match argv.get(1) {
        Some(sub) if spec.info.is_container() => {
            format!(
                "{}|{}",
                spec.name,
                String::from_utf8_lossy(sub).to_ascii_lowercase()
            )
        }
        _ => spec.full_name.to_owned(),
    }
}

/// Runs one command's handler, then the bookkeeping every command gets, also inside `EXEC`: keys found expired
/// are deleted on a master and their `DEL`s queued before the command's own effects; `WATCH`ers of what
/// changed are told (the keys deleted by expiry, and the key arguments of a write that counted a change unless
/// the handler touched keys itself).
pub fn call(ctx: &mut Ctx<'_>, spec: &'static CommandSpec, argv: &[Bytes]) -> Frame {
    // Whoever calls (a client, `EXEC`, a script), a subcommand counts with its own flags and keys.
    let spec = spec.resolve(argv);
    let dirty_before = ctx.core.persistence.dirty;
    let propagated_before = ctx.propagation_len();
    let db = ctx.client.db;
    let policy = ctx.policy;
    if spec.has(flags::WRITE) && policy == ExpiryPolicy::Hide {
        // A write on a writable replica deletes an expired key it touches (locally, unpropagated), as
        // Redis's write lookups do; reads only hide it. Also for the writes EXEC runs.
        ctx.policy = ExpiryPolicy::Delete;
    }
    ctx.take_touched_explicitly();
    let started = ctx
        .clock_hint
        .take()
        .unwrap_or_else(std::time::Instant::now);
    let reply = spec.invoke(ctx, argv);
    let ended = std::time::Instant::now();
    ctx.clock_hint = Some(ended);
    let elapsed = ended.duration_since(started);
    ctx.core
        .command_stats
        .record(spec.name, elapsed, matches!(reply, Frame::Error(_)));
    ctx.core.error_stats.record(&reply);
    if ctx.client.blocked.is_some() {
        ctx.core.blocking.name_waiter(ctx.client.id, spec.name);
    }
    // EXEC's commands are logged one by one, not EXEC itself (Redis's skip-slowlog flag).
    if spec.name != "exec" {
        record_slow(ctx, argv, elapsed);
    }
    ctx.policy = policy;
    let touched_explicitly = ctx.take_touched_explicitly();
    // Redis hides administrative commands (`spec` is resolved: of `CLIENT`, only `CLIENT LIST`, `KILL`...).
    if !ctx.core.monitors.is_empty() && !spec.has(flags::ADMIN) {
        feed_monitors(ctx, argv);
    }

    let expired = ctx.core.keyspace.take_expired();
    if !expired.is_empty() {
        ctx.shared
            .stats
            .expired_keys
            .fetch_add(expired.len() as u64, std::sync::atomic::Ordering::Relaxed);
        for (expired_db, key) in &expired {
            ctx.core.touch_deleted(*expired_db, key);
        }
        let dels = expired
            .into_iter()
            .map(|(expired_db, key)| (expired_db, vec![Bytes::from_static(b"DEL"), key]))
            .collect();
        ctx.insert_propagation(propagated_before, dels);
    }
    if !touched_explicitly
        && spec.has(flags::WRITE)
        && ctx.core.persistence.dirty != dirty_before
        && (!ctx.core.watches.is_empty() || !ctx.core.blocking.is_empty())
    {
        for key in spec.keys(argv) {
            ctx.core.touch_key(db, key);
        }
    }
    reply
}

/// Adds the command to the slow log if it ran long enough.
fn record_slow(ctx: &mut Ctx<'_>, argv: &[Bytes], elapsed: std::time::Duration) {
    let micros = elapsed.as_micros() as u64;
    if !ctx.core.slowlog.is_slow(micros) {
        return;
    }
    let peer = ctx
        .client
        .addr
        .map_or_else(String::new, |addr| addr.to_string());
    let name = ctx.client.name.clone();
    ctx.core.slowlog.record(micros, argv, peer, name.as_deref());
}

/// Shows the command that just ran to the `MONITOR` clients, with the database it left selected (as Redis
/// does, so `SELECT 5` shows as run in db 5).
fn feed_monitors(ctx: &mut Ctx<'_>, argv: &[Bytes]) {
    let unix_micros = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_micros() as u64);
    let (origin, limit) = {
        let config = ctx.shared.config();
        let origin = match ctx.client.addr {
            _ if ctx.client.is_script => "lua".to_owned(),
            Some(addr) => addr.to_string(),
            None => format!("unix:{}", config.unixsocket),
        };
        let limit = config.client_output_buffer_limit.normal.hard;
        (origin, usize::try_from(limit).unwrap_or(usize::MAX))
    };
    let line = monitor::line(unix_micros, ctx.client.db, &origin, argv);
    ctx.core.monitors.feed(line, limit);
}
