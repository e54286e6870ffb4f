//! `EVAL`, `EVALSHA`, `FCALL` (and their `_RO` forms), `SCRIPT`, and the engine side of `FUNCTION`.
//!
//! A script called by a client runs outside the core lock (the handler opens the gate and hands the
//! connection an [`AfterReply::RunScript`]; see `gate.rs`); one called inside `EXEC` or by the master's
//! stream runs right here, under the lock its caller holds.

use std::sync::Arc;

use bytes::Bytes;
use replication::ReplicaLinkState;
use resp::Frame;

use super::script_run::{self as run, Access, Invocation, Outcome};
use crate::client::{Admitted, AfterReply};
use crate::cmd::{Ctx, is};
use crate::core::Core;
use crate::errors;
use crate::scripting::engine::{CompiledLibrary, Engine};
use crate::scripting::registry::Library;
use crate::scripting::shebang;
use crate::shared::Shared;
use commands::Reply;

/// How long a library's top level may run (`FUNCTION LOAD timeout` after that), as in Redis.
const LOAD_TIMEOUT: std::time::Duration = std::time::Duration::from_millis(500);

/// `EVAL script numkeys [key ...] [arg ...]`
pub fn eval(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Reply {
    Ok(eval_generic(ctx, argv, false, false))
}

/// `EVAL_RO script numkeys [key ...] [arg ...]`
pub fn eval_ro(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Reply {
    Ok(eval_generic(ctx, argv, false, true))
}

/// `EVALSHA sha1 numkeys [key ...] [arg ...]`
pub fn evalsha(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Reply {
    Ok(eval_generic(ctx, argv, true, false))
}

/// `EVALSHA_RO sha1 numkeys [key ...] [arg ...]`
pub fn evalsha_ro(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Reply {
    Ok(eval_generic(ctx, argv, true, true))
}

/// `FCALL function numkeys [key ...] [arg ...]`
pub fn fcall(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Reply {
    Ok(fcall_generic(ctx, argv, false))
}

/// `FCALL_RO function numkeys [key ...] [arg ...]`
pub fn fcall_ro(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Reply {
    Ok(fcall_generic(ctx, argv, true))
}

/// The lower-case hex SHA-1 of a script body, its name in the cache.
pub fn sha1_hex(body: &[u8]) -> String {
    lua::sha1_hex(body)
}

/// Splits `numkeys [key ...] [arg ...]` (from `argv[2]`); the error is the reply.
fn keys_and_args(argv: &[Bytes], bad_number: &str) -> Result<(Vec<Bytes>, Vec<Bytes>), Frame> {
    let numkeys = std::str::from_utf8(&argv[2])
        .ok()
        .and_then(|text| text.parse::<i64>().ok())
        .ok_or_else(|| errors::reply(bad_number))?;
    let available = (argv.len() - 3) as i64;
    if numkeys > available {
        return Err(errors::reply(
            "ERR Number of keys can't be greater than number of args",
        ));
    }
    if numkeys < 0 {
        return Err(errors::reply("ERR Number of keys can't be negative"));
    }
    let split = 3 + numkeys as usize;
    Ok((argv[3..split].to_vec(), argv[split..].to_vec()))
}

fn eval_generic(ctx: &mut Ctx<'_>, argv: &[Bytes], evalsha: bool, ro: bool) -> Frame {
    let (keys, args) = match keys_and_args(argv, errors::NOT_INTEGER) {
        Ok(split) => split,
        Err(reply) => return reply,
    };
    let sha = if evalsha {
        if argv[1].len() != 40 {
            return errors::reply(errors::NOSCRIPT);
        }
        String::from_utf8_lossy(&argv[1]).to_ascii_lowercase()
    } else {
        sha1_hex(&argv[1])
    };
    let body = match ctx.core.script_cache.get(sha.as_bytes()) {
        Some(body) => body.clone(),
        None if evalsha => return errors::reply(errors::NOSCRIPT),
        None => argv[1].clone(),
    };
    let flags = match shebang::eval_flags(&body) {
        Ok(flags) => flags,
        Err(text) => return errors::reply(&format!("ERR {text}")),
    };
    if let Err(text) = ctx.shared.engine().compile_script(&sha, &body) {
        return errors::reply(&text);
    }
    ctx.core.script_cache.insert(sha.clone(), body);
    let read_only = ro || (!flags.eval_compat && flags.no_writes);
    invoke(ctx, argv, (true, sha), flags, read_only, (keys, args), ro)
}

fn fcall_generic(ctx: &mut Ctx<'_>, argv: &[Bytes], ro: bool) -> Frame {
    let name = String::from_utf8_lossy(&argv[1]).into_owned();
    let Some((_, function)) = ctx.core.libraries.function(&name) else {
        return errors::reply("ERR Function not found");
    };
    let flags = function.flags;
    let (keys, args) = match keys_and_args(argv, "ERR Bad number of keys provided") {
        Ok(split) => split,
        Err(reply) => return reply,
    };
    let read_only = ro || flags.no_writes;
    invoke(ctx, argv, (false, name), flags, read_only, (keys, args), ro)
}

/// Checks and starts a script (`eval`: true with its SHA-1, false with a function's name), which runs as
/// `read_only` when no write may happen; `ro` says the caller used a `*_RO` command.
fn invoke(
    ctx: &mut Ctx<'_>,
    argv: &[Bytes],
    (eval, name): (bool, String),
    flags: shebang::ScriptFlags,
    read_only: bool,
    (keys, args): (Vec<Bytes>, Vec<Bytes>),
    ro: bool,
) -> Frame {
    let invocation = Invocation {
        eval,
        display_name: name.clone(),
        target: name,
        flags,
        read_only,
        keys,
        args,
        db: ctx.client.db,
        from_master: ctx.client.is_master_link,
        command: argv.to_vec(),
        user: ctx.client.user.clone(),
        caller: ctx.client.id,
    };
    if let Err(reply) = prepare(ctx, &invocation, ro) {
        return reply;
    }
    start(ctx, invocation)
}

/// Redis's checks before a script starts (`scriptPrepareForRun`): scripts that declared their flags are
/// refused up front; compatibility-mode `EVAL` scripts are checked command by command instead.
fn prepare(ctx: &Ctx<'_>, invocation: &Invocation, ro: bool) -> Result<(), Frame> {
    let config = ctx.shared.config();
    let stale = ctx.core.master_link().is_some_and(|link| {
        link.state != ReplicaLinkState::Connected && !config.replica_serve_stale_data
    });
    let flags = invocation.flags;
    if flags.eval_compat {
        if stale {
            return Err(errors::reply(errors::MASTERDOWN));
        }
        return Ok(());
    }
    if stale && !flags.allow_stale {
        return Err(errors::reply(
            "MASTERDOWN Link with MASTER is down, replica-serve-stale-data is set to 'no' and 'allow-stale' flag is not set on the script.",
        ));
    }
    if !flags.no_writes {
        // Redis decides these before running the command, from the flags the script declared: the generic
        // read-only replica and min-replicas checks come first, with their usual texts.
        if ctx.core.is_replica() && config.replica_read_only && !invocation.from_master {
            return Err(errors::reply(errors::READONLY));
        }
        if config.min_replicas_to_write > 0
            && config.min_replicas_max_lag > 0
            && !ctx.core.is_replica()
            && ctx.core.replicas.good_count(config.min_replicas_max_lag)
                < config.min_replicas_to_write as usize
        {
            return Err(errors::reply(errors::NOREPLICAS));
        }
        if ro {
            return Err(errors::reply(
                "ERR Can not execute a script with write flag using *_ro command.",
            ));
        }
    }
    Ok(())
}

/// Runs the script here under the caller's lock (inside `EXEC`, from the master's stream) or hands it to
/// the connection to run outside the lock.
fn start(ctx: &mut Ctx<'_>, invocation: Invocation) -> Frame {
    if ctx.client.deny_blocking || ctx.client.is_master_link || ctx.client.is_script {
        let shared = Arc::clone(ctx.shared);
        let mut engine = shared.engine();
        let outcome = run::run(
            &shared,
            &mut engine,
            Access::Locked(ctx.core),
            &invocation,
            ctx.now_ms,
        );
        drop(engine);
        ctx.append_propagation(outcome.effects);
        return outcome.reply;
    }
    if !ctx.shared.scripts.try_start(
        invocation.eval,
        invocation.display_name.clone(),
        invocation.command.clone(),
        invocation.from_master,
    ) {
        // Another script holds the gate: run this command again once it reopens.
        ctx.client.after_reply = Some(AfterReply::Paused);
        return Frame::Null;
    }
    ctx.client.after_reply = Some(AfterReply::RunScript(Admitted::new(
        Arc::clone(ctx.shared),
        invocation,
    )));
    Frame::Null
}

/// Runs a script handed to a connection by [`start`], on a blocking thread: the gate is open, the core lock
/// is taken per call. Its writes are fed to the stream as one unit before the gate closes, so nobody sees
/// the data without them being propagated. Returns the reply and the offset after the script's writes.
pub fn run_outside_lock(shared: &Arc<Shared>, invocation: &Invocation) -> (Frame, Option<i64>) {
    let now_ms = crate::util::now_ms();
    let outcome: Outcome = {
        let mut engine = shared.engine();
        run::run(
            shared,
            &mut engine,
            Access::PerCall(shared),
            invocation,
            now_ms,
        )
    };
    let mut core = shared.core();
    let mut offset = None;
    let mut fed = false;
    if core.is_replica() {
        core.aof.feed_unit(&outcome.effects);
    } else if crate::cmd::feed_unit(&mut core, &outcome.effects) {
        fed = true;
        offset = Some(core.repl.offset().0);
    }
    fed |= crate::cmd::serve_blocked_after_script(&mut core, shared);
    core.aof.flush();
    let stream_offset = core.repl.offset();
    drop(core);
    shared.scripts.finish();
    if fed {
        shared.notify_stream(stream_offset);
    }
    (outcome.reply, offset)
}

/// `SCRIPT <subcommand> ...`
pub fn script(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Reply {
    let sub = &argv[1];
    let name = String::from_utf8_lossy(sub).to_ascii_lowercase();
    // Each subcommand has its own arity in Redis 7, reported with its `script|sub` name.
    let arity = match name.as_str() {
        "load" | "debug" => 3,
        "exists" => -3,
        "flush" => -2,
        "kill" | "help" => 2,
        _ => return Err(errors::unknown_subcommand(sub, "script")),
    };
    if !arity_ok(arity, argv.len()) {
        return Err(errors::wrong_arity(&format!("script|{name}")));
    }
    Ok(match name.as_str() {
        "load" => {
            let body = argv[2].clone();
            let sha = sha1_hex(&body);
            if let Err(text) = shebang::eval_flags(&body) {
                return Err(errors::reply(&format!("ERR {text}")));
            }
            if let Err(text) = ctx.shared.engine().compile_script(&sha, &body) {
                return Err(errors::reply(&text));
            }
            ctx.core.script_cache.insert(sha.clone(), body);
            Frame::Bulk(Bytes::from(sha))
        }
        "exists" => Frame::Array(
            argv[2..]
                .iter()
                .map(|sha| Frame::Integer(i64::from(ctx.core.script_cache.contains(sha))))
                .collect(),
        ),
        "flush" => {
            if argv.len() > 3 {
                return Err(errors::subcommand_syntax(sub, "script"));
            }
            if let Some(mode) = argv.get(2)
                && !is(mode, "sync")
                && !is(mode, "async")
            {
                return Err(errors::reply(
                    "ERR SCRIPT FLUSH only support SYNC|ASYNC option",
                ));
            }
            ctx.core.script_cache.clear();
            ctx.shared.engine().flush_scripts();
            Frame::ok()
        }
        "kill" => match ctx.shared.scripts.kill(true) {
            Ok(()) => Frame::ok(),
            Err(text) => return Err(errors::reply(text)),
        },
        "debug" => {
            if is(&argv[2], "no") {
                Frame::ok()
            } else if is(&argv[2], "yes") || is(&argv[2], "sync") {
                errors::reply("ERR SCRIPT DEBUG is not supported by this server")
            } else {
                errors::reply("ERR Use SCRIPT DEBUG YES/SYNC/NO")
            }
        }
        _ => script_help(),
    })
}

/// Redis arity: N = exactly N arguments, -N = at least N.
pub(crate) fn arity_ok(arity: i32, argc: usize) -> bool {
    if arity >= 0 {
        argc == arity as usize
    } else {
        argc >= arity.unsigned_abs() as usize
    }
}

fn script_help() -> Frame {
    let lines = [
        "SCRIPT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "DEBUG (YES|SYNC|NO)",
        "    Only NO is supported: scripts always run without the debugger.",
        "EXISTS <sha1> [<sha1> ...]",
        "    1 for each script in the cache, 0 otherwise.",
        "FLUSH [ASYNC|SYNC]",
        "    Empties the script cache.",
        "KILL",
        "    Stops the running EVAL script if it has not written yet.",
        "LOAD <script>",
        "    Compiles and caches the script; replies with its SHA-1.",
        "HELP",
        "    Prints this help.",
    ];
    errors::help_lines(&lines)
}

/// `FUNCTION LOAD [REPLACE] code`
pub fn function_load(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Reply {
    let mut replace = false;
    let mut index = 2;
    while index + 1 < argv.len() {
        if is(&argv[index], "replace") {
            replace = true;
            index += 1;
            continue;
        }
        return Err(errors::with_argument(
            "ERR Unknown option given: ",
            &argv[index],
            "",
        ));
    }
    let Some(code) = argv.get(index) else {
        return Err(errors::reply("ERR Function code is missing"));
    };
    if ctx.core.is_replica() && !ctx.client.is_master_link && ctx.shared.config().replica_read_only
    {
        return Err(errors::reply(errors::READONLY));
    }
    let timeout = (!ctx.client.is_master_link).then_some(LOAD_TIMEOUT);
    let compiled = match compile_library(ctx.shared, code, timeout) {
        Ok(compiled) => compiled,
        Err(text) => return Err(errors::reply(&format!("ERR {text}"))),
    };
    let name = compiled.library.name.clone();
    if ctx.core.libraries.library(&name).is_some() && !replace {
        return Err(errors::reply(&format!(
            "ERR Library '{name}' already exists"
        )));
    }
    for function in compiled.library.functions.keys() {
        if ctx.core.libraries.function_taken(function, Some(&name)) {
            return Err(errors::reply(&format!(
                "ERR Function {function} already exists"
            )));
        }
    }
    install(ctx.core, ctx.shared, compiled);
    ctx.propagate_verbatim(argv);
    Ok(Frame::Bulk(Bytes::from(name)))
}

/// Compiles one library's code; the error is the reply text after `ERR `.
fn compile_library(
    shared: &Shared,
    code: &Bytes,
    timeout: Option<std::time::Duration>,
) -> Result<CompiledLibrary, String> {
    let header = shebang::library_header(code)?;
    if !shebang::valid_name(header.name.as_bytes()) {
        return Err("Library names can only contain letters, numbers, or underscores(_) and must be at least one character long".to_owned());
    }
    if !header.engine.eq_ignore_ascii_case("lua") {
        return Err(format!("Engine '{}' not found", header.engine));
    }
    shared.engine().compile_library(&header, code, timeout)
}

/// Compiles several libraries (a `FUNCTION RESTORE` payload, a snapshot's functions); the error is the reply
/// text after `ERR `. Nothing is installed.
pub fn compile_libraries(shared: &Shared, codes: &[Bytes]) -> Result<Vec<CompiledLibrary>, String> {
    let mut compiled: Vec<CompiledLibrary> = Vec::with_capacity(codes.len());
    for code in codes {
        let library = compile_library(shared, code, None)?;
        if compiled
            .iter()
            .any(|other| other.library.name == library.library.name)
        {
            return Err(format!("Library {} already exists", library.library.name));
        }
        compiled.push(library);
    }
    Ok(compiled)
}

/// The first function name two of these libraries both define.
pub fn function_clash<'a>(libraries: impl IntoIterator<Item = &'a Library>) -> Option<String> {
    let mut seen = std::collections::HashSet::new();
    for library in libraries {
        for name in library.functions.keys() {
            if !seen.insert(name.clone()) {
                return Some(name.clone());
            }
        }
    }
    None
}

/// Installs a compiled library, replacing a same-named one.
pub fn install(core: &mut Core, shared: &Shared, compiled: CompiledLibrary) {
    let mut engine = shared.engine();
    if let Some(old) = core.libraries.remove(&compiled.library.name) {
        engine.uninstall(old.functions.keys());
    }
    engine.install(&compiled.library.name);
    core.libraries.insert(compiled.library);
}

/// Removes one library and its functions.
pub fn remove_library(core: &mut Core, shared: &Shared, name: &str) {
    if let Some(old) = core.libraries.remove(name) {
        shared.engine().uninstall(old.functions.keys());
    }
}

/// Replaces every library with `libraries` (`FUNCTION FLUSH` with none, `FUNCTION RESTORE`, a loaded
/// snapshot).
pub fn replace_libraries(core: &mut Core, shared: &Shared, libraries: Vec<CompiledLibrary>) {
    core.libraries.clear();
    let mut engine: std::sync::MutexGuard<'_, Engine> = shared.engine();
    engine.uninstall_all();
    for compiled in libraries {
        engine.install(&compiled.library.name);
        core.libraries.insert(compiled.library);
    }
}

/// Installs the function libraries of a loaded snapshot in place of the current ones. A library that does
/// not compile is logged and left out (the data still loads).
pub fn load_snapshot_functions(core: &mut Core, shared: &Shared, codes: &[Bytes]) {
    let mut compiled: Vec<CompiledLibrary> = Vec::with_capacity(codes.len());
    for code in codes {
        match compile_library(shared, code, None) {
            Ok(library) => compiled.push(library),
            Err(error) => tracing::warn!("Failed loading library from the snapshot: {error}"),
        }
    }
    replace_libraries(core, shared, compiled);
}

/// This family's commands, each bound to its handler; [`crate::cmd`] joins them with Redis's facts about
/// each command (arity, flags, keys) from `commands::table`.
pub const HANDLERS: &[(&str, crate::cmd::ServerHandler)] = &[
    ("eval", eval),
    ("evalsha", evalsha),
    ("eval_ro", eval_ro),
    ("evalsha_ro", evalsha_ro),
    ("fcall", fcall),
    ("fcall_ro", fcall_ro),
    ("script", script),
];
