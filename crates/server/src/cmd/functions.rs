//! `FUNCTION`: the library registry's commands. `LOAD` compiles through the script engine; `FLUSH`,
//! `DELETE` and `RESTORE` change the registry and the engine together; `LIST`, `STATS` and `DUMP` only read.
//! The changing subcommands are writes: propagated verbatim (so replicas load the same libraries) and
//! refused on a read-only replica, as in Redis 7.0.

use bytes::Bytes;
use resp::Frame;

use super::{Ctx, is};
use crate::errors;
use crate::scripting::registry::Library;
use commands::Reply;

/// `FUNCTION <subcommand> ...`
pub fn function(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Reply {
    let sub = &argv[1];
    let name = String::from_utf8_lossy(sub).to_ascii_lowercase();
    // Each subcommand has its own arity in Redis 7, reported with its `function|sub` name.
    let arity = match name.as_str() {
        "load" | "restore" => -3,
        "flush" | "list" => -2,
        "delete" => 3,
        "stats" | "dump" | "kill" | "help" => 2,
        _ => return Err(errors::unknown_subcommand(sub, "function")),
    };
    if !crate::cmd::scripts::arity_ok(arity, argv.len()) {
        return Err(errors::wrong_arity(&format!("function|{name}")));
    }
    Ok(match name.as_str() {
        "load" => crate::cmd::scripts::function_load(ctx, argv)?,
        "flush" => flush(ctx, argv)?,
        "delete" => delete(ctx, argv)?,
        "list" => list(ctx, argv)?,
        "stats" => stats(ctx),
        "dump" => dump(ctx),
        "restore" if argv.len() > 4 => return Err(errors::subcommand_syntax(sub, "function")),
        "restore" => restore(ctx, argv)?,
        "kill" => match ctx.shared.scripts.kill(false) {
            Ok(()) => Frame::ok(),
            Err(text) => return Err(errors::reply(text)),
        },
        _ => help(),
    })
}

/// The changing subcommands are refused on a read-only replica unless they come from its master.
fn refuse_on_read_only_replica(ctx: &Ctx<'_>) -> Option<Frame> {
    (ctx.core.is_replica() && !ctx.client.is_master_link && ctx.shared.config().replica_read_only)
        .then(|| errors::reply(errors::READONLY))
}

fn flush(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Reply {
    if argv.len() > 3 {
        return Err(errors::subcommand_syntax(&argv[1], "function"));
    }
    if let Some(mode) = argv.get(2)
        && !is(mode, "sync")
        && !is(mode, "async")
    {
        return Err(errors::reply(
            "ERR FUNCTION FLUSH only supports SYNC|ASYNC option",
        ));
    }
    if let Some(refused) = refuse_on_read_only_replica(ctx) {
        return Ok(refused);
    }
    crate::cmd::scripts::replace_libraries(ctx.core, ctx.shared, Vec::new());
    ctx.propagate_verbatim(argv);
    Ok(Frame::ok())
}

fn delete(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Reply {
    if let Some(refused) = refuse_on_read_only_replica(ctx) {
        return Ok(refused);
    }
    let name = String::from_utf8_lossy(&argv[2]).into_owned();
    if ctx.core.libraries.library(&name).is_none() {
        return Err(errors::reply("ERR Library not found"));
    }
    crate::cmd::scripts::remove_library(ctx.core, ctx.shared, &name);
    ctx.propagate_verbatim(argv);
    Ok(Frame::ok())
}

fn list(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Reply {
    let (mut with_code, mut pattern) = (false, None);
    let mut index = 2;
    while index < argv.len() {
        let option = &argv[index];
        if !with_code && is(option, "withcode") {
            with_code = true;
        } else if pattern.is_none() && is(option, "libraryname") {
            if index + 1 >= argv.len() {
                return Err(errors::reply("ERR library name argument was not given"));
            }
            index += 1;
            pattern = Some(argv[index].clone());
        } else {
            return Err(errors::with_argument("ERR Unknown argument ", option, ""));
        }
        index += 1;
    }
    let libraries = ctx.core.libraries.iter().filter(|library| {
        pattern.as_ref().is_none_or(|pattern| {
            keyspace::pattern::glob_match_case(pattern, library.name.as_bytes(), true)
        })
    });
    Ok(Frame::Array(
        libraries
            .map(|library| library_entry(library, with_code))
            .collect(),
    ))
}

fn library_entry(library: &Library, with_code: bool) -> Frame {
    let text = |text: &str| Frame::bulk(Bytes::copy_from_slice(text.as_bytes()));
    let functions = library
        .functions
        .values()
        .map(|function| {
            Frame::Map(vec![
                (text("name"), text(&function.name)),
                (
                    text("description"),
                    function
                        .description
                        .clone()
                        .map_or(Frame::Null, Frame::Bulk),
                ),
                (
                    text("flags"),
                    Frame::Set(
                        function
                            .flags
                            .names()
                            .into_iter()
                            .map(|name| Frame::Simple(Bytes::from_static(name.as_bytes())))
                            .collect(),
                    ),
                ),
            ])
        })
        .collect();
    let mut entry = vec![
        (text("library_name"), text(&library.name)),
        (text("engine"), text(library.engine)),
        (text("functions"), Frame::Array(functions)),
    ];
    if with_code {
        entry.push((text("library_code"), Frame::Bulk(library.code.clone())));
    }
    Frame::Map(entry)
}

fn stats(ctx: &mut Ctx<'_>) -> Frame {
    // Redis shows running functions only; during a busy EVAL it answers as other commands are answered.
    if ctx.shared.scripts.eval_running() {
        return crate::errors::reply(crate::scripting::gate::BUSY_EVAL);
    }
    let text = |text: &str| Frame::bulk(Bytes::copy_from_slice(text.as_bytes()));
    let running = match ctx.shared.scripts.running() {
        None => Frame::Null,
        Some((name, command, duration_ms)) => Frame::Map(vec![
            (text("name"), text(&name)),
            (
                text("command"),
                Frame::Array(command.into_iter().map(Frame::Bulk).collect()),
            ),
            (text("duration_ms"), Frame::Integer(duration_ms as i64)),
        ]),
    };
    let libraries = &ctx.core.libraries;
    Frame::Map(vec![
        (text("running_script"), running),
        (
            text("engines"),
            Frame::Map(vec![(
                text("LUA"),
                Frame::Map(vec![
                    (
                        text("libraries_count"),
                        Frame::Integer(libraries.len() as i64),
                    ),
                    (
                        text("functions_count"),
                        Frame::Integer(libraries.function_count() as i64),
                    ),
                ]),
            )]),
        ),
    ])
}

fn dump(ctx: &mut Ctx<'_>) -> Frame {
    Frame::Bulk(Bytes::from(rdb::encode_functions(
        &ctx.core.libraries.codes(),
    )))
}

/// `FUNCTION RESTORE payload [FLUSH|APPEND|REPLACE]`: APPEND (the default) fails on any existing library
/// name, REPLACE replaces same-named libraries, FLUSH replaces everything.
fn restore(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Reply {
    #[derive(PartialEq)]
    enum Policy {
        Append,
        Replace,
        Flush,
    }
    let policy = match argv.get(3) {
        None => Policy::Append,
        Some(policy) if is(policy, "append") => Policy::Append,
        Some(policy) if is(policy, "replace") => Policy::Replace,
        Some(policy) if is(policy, "flush") => Policy::Flush,
        Some(_) => {
            return Err(errors::reply(
                "ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.",
            ));
        }
    };
    if let Some(refused) = refuse_on_read_only_replica(ctx) {
        return Ok(refused);
    }
    let codes = match rdb::decode_functions(&argv[2]) {
        Ok(codes) => codes,
        Err(error) => return Err(errors::reply(&format!("ERR {error}"))),
    };
    let restored = match crate::cmd::scripts::compile_libraries(ctx.shared, &codes) {
        Ok(restored) => restored,
        Err(error) => return Err(errors::reply(&format!("ERR {error}"))),
    };
    if policy == Policy::Flush {
        crate::cmd::scripts::replace_libraries(ctx.core, ctx.shared, restored);
        ctx.propagate_verbatim(argv);
        return Ok(Frame::ok());
    }
    let restored_names: Vec<&str> = restored
        .iter()
        .map(|compiled| compiled.library.name.as_str())
        .collect();
    if policy == Policy::Append
        && let Some(name) = restored_names
            .iter()
            .find(|name| ctx.core.libraries.library(name).is_some())
    {
        return Err(errors::reply(&format!("ERR Library {name} already exists")));
    }
    let kept = ctx
        .core
        .libraries
        .iter()
        .filter(|library| !restored_names.contains(&library.name.as_str()));
    let all = kept.chain(restored.iter().map(|compiled| &compiled.library));
    if let Some(clash) = crate::cmd::scripts::function_clash(all) {
        return Err(errors::reply(&format!(
            "ERR Function {clash} already exists"
        )));
    }
    for compiled in restored {
        crate::cmd::scripts::install(ctx.core, ctx.shared, compiled);
    }
    ctx.propagate_verbatim(argv);
    Ok(Frame::ok())
}

fn help() -> Frame {
    let lines = [
        "FUNCTION <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "LOAD [REPLACE] <FUNCTION CODE>",
        "    Compiles the library (first line: #!lua name=<library>) and registers its functions.",
        "DELETE <LIBRARY NAME>",
        "    Removes the library and its functions.",
        "LIST [LIBRARYNAME PATTERN] [WITHCODE]",
        "    Every library (or those whose name matches PATTERN): name, engine, functions, and the code",
        "    with WITHCODE.",
        "STATS",
        "    The running function (name, command, duration in ms) if any, and the engines' counts.",
        "KILL",
        "    Stops the running function if it has not written yet.",
        "FLUSH [ASYNC|SYNC]",
        "    Removes every library.",
        "DUMP",
        "    A payload holding every library, for FUNCTION RESTORE.",
        "RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
        "    Loads the libraries of a DUMP payload: APPEND (default) fails if a library exists,",
        "    REPLACE replaces same-named libraries, FLUSH removes all others first.",
        "HELP",
        "    Prints this help.",
    ];
    errors::help_lines(&lines)
}

/// This family's commands, each bound to its handler; [`crate::cmd`] joins them with Redis's facts about
/// each command (arity, flags, keys) from `commands::table`.
pub const HANDLERS: &[(&str, crate::cmd::ServerHandler)] = &[("function", function)];
