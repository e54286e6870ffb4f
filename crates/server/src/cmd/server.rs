//! Server commands: INFO, CONFIG, COMMAND, SHUTDOWN, SAVE, BGSAVE, LASTSAVE, TIME, MONITOR.

use bytes::Bytes;
use resp::Frame;

use super::{Ctx, flags, is};
use crate::client::AfterReply;
use crate::config::ConfigError;
use crate::{errors, info, persistence};
use commands::Reply;

/// `INFO [section ...]`
pub fn info(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Reply {
    let sections: Vec<String> = argv[1..]
        .iter()
        .map(|s| String::from_utf8_lossy(s).to_ascii_lowercase())
        .collect();
    Ok(Frame::Verbatim {
        format: *b"txt",
        text: Bytes::from(info::render(ctx.shared, ctx.core, &sections)),
    })
}

/// `CONFIG GET pattern... | SET name value... | RESETSTAT | REWRITE | HELP`
pub fn config(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Reply {
    let sub = &argv[1];
    Ok(if is(sub, "get") && argv.len() >= 3 {
        let config = ctx.shared.config();
        let mut pairs = Vec::new();
        for pattern in &argv[2..] {
            let pattern_text = String::from_utf8_lossy(pattern);
            // A plain name (no glob characters) is answered with the name as the client wrote it.
            let is_glob = pattern
                .iter()
                .any(|byte| matches!(byte, b'*' | b'?' | b'['));
            for (name, value) in config.get_matching(&pattern_text) {
                let name = if is_glob {
                    name
                } else {
                    pattern_text.clone().into_owned()
                };
                if !pairs.iter().any(|(existing, _): &(Frame, Frame)| {
                    existing.as_bytes().is_some_and(|b| b == name.as_bytes())
                }) {
                    pairs.push((Frame::bulk(name), Frame::bulk(value)));
                }
            }
        }
        Frame::Map(pairs)
    } else if is(sub, "set") && argv.len() >= 4 {
        if !argv.len().is_multiple_of(2) {
            return Err(errors::reply(errors::SYNTAX));
        }
        config_set(ctx, &argv[2..])?
    } else if is(sub, "resetstat") && argv.len() == 2 {
        ctx.shared.stats.reset();
        ctx.core.command_stats.reset();
        ctx.core.error_stats.reset();
        Frame::ok()
    } else if is(sub, "rewrite") && argv.len() == 2 {
        let config = ctx.shared.config().clone();
        let Some(path) = config.config_file.clone() else {
            return Err(errors::reply(
                "ERR The server is running without a config file",
            ));
        };
        match crate::config::rewrite::rewrite(&path, &config) {
            Ok(()) => {
                tracing::info!("CONFIG REWRITE executed with success.");
                Frame::ok()
            }
            Err(error) => {
                tracing::warn!("CONFIG REWRITE failed: {error}");
                errors::reply(&format!("ERR Rewriting config file: {error}"))
            }
        }
    } else if is(sub, "help") {
        Frame::Array(
            [
                "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                "GET <pattern>",
                "SET <directive> <value>",
                "RESETSTAT",
            ]
            .iter()
            .map(|line| Frame::Simple(Bytes::from_static(line.as_bytes())))
            .collect(),
        )
    } else if is(sub, "get") || is(sub, "set") {
        errors::wrong_arity(&format!(
            "config|{}",
            String::from_utf8_lossy(sub).to_ascii_lowercase()
        ))
    } else {
        errors::unknown_subcommand(sub, "config")
    })
}

/// Applies every pair or none, as Redis 7 does: first every name is checked (an unknown name, then a repeated
/// one, is reported before any bad value), then the values are applied in order.
fn config_set(ctx: &mut Ctx<'_>, pairs: &[Bytes]) -> Reply {
    let original = ctx.shared.config().clone();
    let mut names_seen: Vec<String> = Vec::new();
    let mut duplicate = None;
    for pair in pairs.chunks_exact(2) {
        let name = String::from_utf8_lossy(&pair[0]).to_ascii_lowercase();
        let mut scratch = original.clone();
        if let Err(ConfigError::BadDirective) =
            scratch.set(&name, &String::from_utf8_lossy(&pair[1]))
        {
            return Err(errors::with_argument(
                "ERR Unknown option or number of arguments for CONFIG SET - '",
                &pair[0],
                "'",
            ));
        }
        if duplicate.is_none() && names_seen.contains(&name) {
            duplicate = Some(&pair[0]);
        }
        names_seen.push(name);
    }
    if let Some(name) = duplicate {
        return Err(errors::with_argument(
            "ERR CONFIG SET failed (possibly related to argument '",
            name,
            "') - duplicate parameter",
        ));
    }
    let old_requirepass = original.requirepass.clone();
    let was_appendonly = original.appendonly;
    let mut updated = original;
    for pair in pairs.chunks_exact(2) {
        let name = String::from_utf8_lossy(&pair[0]).to_ascii_lowercase();
        let value = String::from_utf8_lossy(&pair[1]).into_owned();
        if let Err(error) = updated.set(&name, &value) {
            // Here Redis names the parameter (lower case), not the argument as written.
            return Err(errors::reply(&format!(
                "ERR CONFIG SET failed (possibly related to argument '{name}') - {error}"
            )));
        }
    }
    // `requirepass` is the default user's password (set only when it changed, as Redis applies it).
    if updated.requirepass != old_requirepass {
        let password = updated.requirepass.as_deref().map(str::as_bytes);
        ctx.core.acl.set_default_password(password);
    }
    ctx.core.repl.set_backlog_size(updated.repl_backlog_size);
    ctx.core.replicas.output_limit = updated.client_output_buffer_limit.replica;
    ctx.core.data_limits = updated.data_limits();
    // At once, so that this very command is logged (or not) under the new threshold, as in Redis.
    ctx.core.slowlog.configure_from(&updated);
    ctx.core.aof.configure(&updated);
    let appendonly = updated.appendonly;
    ctx.shared.update_config(|config| *config = updated);
    if appendonly != was_appendonly {
        if !appendonly {
            crate::aof_rewrite::turn_off(ctx.core);
        } else if !crate::aof_rewrite::turn_on(ctx.shared, ctx.core) {
            ctx.shared.update_config(|config| config.appendonly = false);
            return Err(errors::reply(
                "ERR CONFIG SET failed (possibly related to argument 'appendonly') - Unable to turn on AOF. Check server logs.",
            ));
        }
    }
    Ok(Frame::ok())
}

/// `COMMAND [COUNT | INFO name... | DOCS [name...] | LIST]`
pub fn command(_ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Reply {
    let specs = super::all();
    Ok(match argv.get(1) {
        None => Frame::Array(specs.iter().map(command_info).collect()),
        Some(sub) if is(sub, "count") => Frame::Integer(specs.len() as i64),
        Some(sub) if is(sub, "list") => {
            Frame::Array(specs.iter().map(|spec| Frame::bulk(spec.name)).collect())
        }
        Some(sub) if is(sub, "info") => Frame::Array(
            argv[2..]
                .iter()
                .map(|name| super::lookup(name).map_or(Frame::NullArray, command_info))
                .collect(),
        ),
        Some(sub) if is(sub, "docs") => super::docs::reply(&argv[2..]),
        Some(sub) if is(sub, "getkeys") => get_keys(&argv[2..], false)?,
        Some(sub) if is(sub, "getkeysandflags") => get_keys(&argv[2..], true)?,
        Some(sub) => return Err(errors::unknown_subcommand(sub, "command")),
    })
}

/// `COMMAND GETKEYS|GETKEYSANDFLAGS command [arg ...]` (Redis's `getKeysSubcommandImpl`): the key arguments
/// of `command` (`argv[0]`), found from Redis's key specs for every Redis command, also those we do not
/// run; with flags, each key with its key-spec flags (`RW`, `access`...).
fn get_keys(argv: &[Bytes], with_flags: bool) -> Reply {
    use commands::table::{self, keys};
    let Some(info) = table::resolve(argv).map(|id| &table::COMMANDS[id]) else {
        return Err(errors::reply("ERR Invalid command specified"));
    };
    if !keys::has_keys(info) {
        return Err(errors::reply("ERR The command has no key arguments"));
    }
    if !info.arity_ok(argv.len()) {
        return Err(errors::reply(
            "ERR Invalid number of arguments specified for command",
        ));
    }
    let found = keys::keys(info, argv);
    if found.is_empty() {
        return if info.has(flags::NO_MANDATORY_KEYS) {
            Ok(Frame::Array(Vec::new()))
        } else {
            Err(errors::reply("ERR Invalid arguments specified for command"))
        };
    }
    Ok(Frame::Array(
        found
            .into_iter()
            .map(|(at, key_flags)| {
                let key = Frame::Bulk(argv[at].clone());
                if !with_flags {
                    return key;
                }
                let names = keys::flag_names(key_flags)
                    .map(|name| Frame::Simple(Bytes::from_static(name.as_bytes())))
                    .collect();
                Frame::Array(vec![key, Frame::Set(names)])
            })
            .collect(),
    ))
}

fn command_info(spec: &super::CommandSpec) -> Frame {
    Frame::Array(vec![
        Frame::bulk(spec.name),
        Frame::Integer(i64::from(spec.arity)),
        Frame::Set(
            spec.flag_names()
                .into_iter()
                .map(|f| Frame::Simple(Bytes::from_static(f.as_bytes())))
                .collect(),
        ),
        Frame::Integer(i64::from(spec.first_key)),
        Frame::Integer(i64::from(spec.last_key)),
        Frame::Integer(i64::from(spec.key_step)),
        Frame::Set(
            crate::acl::command_categories(spec.name)
                .into_iter()
                .map(|category| Frame::Simple(Bytes::from(format!("@{category}"))))
                .collect(),
        ),
        Frame::Set(Vec::new()),
        Frame::Array(Vec::new()),
        Frame::Array(Vec::new()),
    ])
}

/// `SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE]`: saves if asked or if save points are configured, then the server
/// exits and the client gets no reply.
pub fn shutdown(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Reply {
    if argv.len() == 2 && is(&argv[1], "abort") {
        let pending = ctx
            .shared
            .pending_shutdown
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        return Ok(match pending {
            Some((_, abort)) => {
                abort.cancel();
                ctx.shared.set_writes_paused(false);
                tracing::warn!("Shutdown manually aborted.");
                Frame::ok()
            }
            None => return Err(errors::reply("ERR No shutdown in progress.")),
        });
    }
    let (mut save, mut nosave, mut now, mut force) = (false, false, false, false);
    for option in &argv[1..] {
        if is(option, "save") {
            save = true;
        } else if is(option, "nosave") {
            nosave = true;
        } else if is(option, "force") {
            force = true;
        } else if is(option, "now") {
            now = true;
        } else {
            return Err(errors::reply(errors::SYNTAX));
        }
    }
    if save && nosave {
        return Err(errors::reply(errors::SYNTAX));
    }
    // Past its busy threshold a script only lets SHUTDOWN NOSAVE through: saving would store its partial work.
    if !nosave && ctx.shared.scripts.phase() == crate::scripting::Phase::Busy {
        return Err(errors::reply(ctx.shared.scripts.busy_error()));
    }
    tracing::info!("User requested shutdown...");
    ctx.client.after_reply = Some(AfterReply::Shutdown(crate::shutdown::ShutdownMode {
        save,
        nosave,
        now,
        force,
    }));
    Ok(Frame::ok())
}

/// `SAVE`
pub fn save(ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> Reply {
    if persistence::snapshot_in_progress(ctx.core) {
        return Err(errors::reply(errors::BGSAVE_IN_PROGRESS));
    }
    Ok(match persistence::save_locked(ctx.shared, ctx.core) {
        Ok(()) => Frame::ok(),
        Err(error) => {
            tracing::error!("Error saving DB on disk: {error}");
            errors::reply("ERR")
        }
    })
}

/// `BGSAVE [SCHEDULE]`
pub fn bgsave(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Reply {
    if argv.len() > 2 || argv.get(1).is_some_and(|option| !is(option, "schedule")) {
        return Err(errors::reply(errors::SYNTAX));
    }
    Ok(
        if persistence::start_background_save(ctx.shared, ctx.core) {
            Frame::Simple(Bytes::from_static(b"Background saving started"))
        } else {
            errors::reply(errors::BGSAVE_IN_PROGRESS)
        },
    )
}

/// `BGREWRITEAOF`: rewrites the AOF in the background (also when the AOF is off: then it writes a fresh AOF
/// of the data, as Redis does), or schedules it while another snapshot is produced.
pub fn bgrewriteaof(ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> Reply {
    if ctx.core.aof.rewrite_in_progress() {
        return Err(errors::reply(
            "ERR Background append only file rewriting already in progress",
        ));
    }
    if persistence::snapshot_in_progress(ctx.core) {
        ctx.core.aof.rewrite_scheduled = true;
        // Asked for by hand: the back-off after failures does not apply.
        ctx.core.aof.stats.consecutive_failures = 0;
        return Ok(Frame::Simple(Bytes::from_static(
            b"Background append only file rewriting scheduled",
        )));
    }
    Ok(match crate::aof_rewrite::start(ctx.shared, ctx.core) {
        Ok(()) => Frame::Simple(Bytes::from_static(
            b"Background append only file rewriting started",
        )),
        Err(_) => errors::reply(
            "ERR Can't execute an AOF background rewriting. Please check the server logs for more information.",
        ),
    })
}

/// `LASTSAVE`
pub fn lastsave(ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> Reply {
    Ok(Frame::Integer(ctx.core.persistence.last_save_unix))
}

/// `TIME`
pub fn time(ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> Reply {
    let micros = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_micros())
        .unwrap_or(0);
    let _ = ctx;
    Ok(Frame::Array(vec![
        Frame::bulk((micros / 1_000_000).to_string()),
        Frame::bulk((micros % 1_000_000).to_string()),
    ]))
}

/// `MONITOR`: from now on the connection also receives a line for every command the server runs.
pub fn monitor(ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> Reply {
    if ctx.client.deny_blocking {
        return Err(errors::reply(errors::MONITOR_DENY_BLOCKING));
    }
    // Like Redis, a repeated MONITOR (or one from a replica link) is ignored without a reply.
    if ctx.client.is_master_link || !ctx.core.monitors.add(ctx.client.id, &ctx.client.mailbox) {
        ctx.client.suppress_reply = true;
        return Ok(Frame::Null);
    }
    ctx.shared
        .clients
        .update(ctx.client.id, |info| info.monitor = true);
    Ok(Frame::ok())
}

/// This family's commands, each bound to its handler; [`crate::cmd`] joins them with Redis's facts about
/// each command (arity, flags, keys) from `commands::table`.
pub const HANDLERS: &[(&str, crate::cmd::ServerHandler)] = &[
    ("info", info),
    ("monitor", monitor),
    ("config", config),
    ("command", command),
    ("shutdown", shutdown),
    ("save", save),
    ("bgsave", bgsave),
    ("bgrewriteaof", bgrewriteaof),
    ("lastsave", lastsave),
    ("time", time),
];
