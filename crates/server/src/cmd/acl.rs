//! `ACL`: SETUSER, GETUSER, DELUSER, LIST, USERS, WHOAMI, CAT, GENPASS, LOG, DRYRUN, LOAD, SAVE, HELP, over
//! [`crate::acl`]. Users deleted, or whose channel permissions shrink, lose their connections (subscribers
//! only, for channels), as in Redis.

use bytes::Bytes;
use resp::Frame;

use super::{Ctx, is, parse_i64};
use crate::acl::{self, Acl};
use crate::client::AfterReply;
use crate::clients::KillFilter;
use crate::errors;
use commands::Reply;

/// Redis's reply to `ACL LOAD`/`ACL SAVE` without an `aclfile`.
const NO_ACL_FILE: &str = "ERR This Redis instance is not configured to use an ACL file. You may want to specify users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis configuration file set) in order to store users in the Redis configuration.";

/// The longest password `ACL GENPASS` makes, in bits.
const GENPASS_MAX_BITS: i64 = 4096;

/// `ACL <subcommand> ...`
pub fn acl(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Reply {
    let sub = &argv[1];
    let Some(info) = acl::lookup(&[&b"acl|"[..], sub].concat()) else {
        return Err(errors::unknown_subcommand(sub, "acl"));
    };
    if !arity_ok(info.arity, argv.len()) {
        return Err(errors::wrong_arity(info.name));
    }
    Ok(match &info.name[4..] {
        "setuser" => setuser(ctx, argv)?,
        "deluser" => deluser(ctx, argv)?,
        "getuser" => getuser(ctx, &argv[2]),
        "list" => Frame::Array(
            ctx.core
                .acl
                .users()
                .map(|user| {
                    let mut line = b"user ".to_vec();
                    line.extend_from_slice(user.name());
                    line.push(b' ');
                    line.extend_from_slice(&user.describe());
                    Frame::Bulk(Bytes::from(line))
                })
                .collect(),
        ),
        "users" => Frame::Array(
            ctx.core
                .acl
                .users()
                .map(|user| Frame::Bulk(user.name().clone()))
                .collect(),
        ),
        "whoami" => Frame::Bulk(ctx.client.user.clone()),
        "load" => load(ctx),
        "save" => save(ctx),
        "cat" => cat(argv),
        "genpass" => genpass(argv),
        "log" => log(ctx, argv)?,
        "dryrun" => dryrun(ctx, argv),
        "help" => help(),
        _ => return Err(errors::unknown_subcommand(sub, "acl")),
    })
}

fn arity_ok(arity: i32, argc: usize) -> bool {
    let (argc, arity) = (argc as i64, i64::from(arity));
    if arity >= 0 {
        argc == arity
    } else {
        argc >= -arity
    }
}

/// `ACL SETUSER username [rule ...]`
fn setuser(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Reply {
    let name = &argv[2];
    if name
        .iter()
        .any(|&byte| byte == 0 || byte.is_ascii_whitespace() || byte == 0x0b)
    {
        return Err(errors::reply(
            "ERR Usernames can't contain spaces or null characters",
        ));
    }
    let all_channels = pubsub_default_all(ctx);
    Ok(
        match ctx.core.acl.set_user(name, &argv[3..], all_channels) {
            Err(text) => error_bytes(text),
            Ok(revoked) => {
                if let Some(revoked) = revoked {
                    // Subscribers of channels the user may no longer use are disconnected.
                    let doomed: Vec<u64> = logged_in_as(ctx, name)
                        .into_iter()
                        .filter(|id| {
                            let (channels, patterns) = ctx.core.pubsub.subscriptions_of(*id);
                            revoked.violated_by(&channels, &patterns)
                        })
                        .collect();
                    disconnect(ctx, &doomed);
                }
                Frame::ok()
            }
        },
    )
}

/// `ACL DELUSER username [username ...]`: the users' connections are closed (the caller's after this reply).
fn deluser(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Reply {
    Ok(match ctx.core.acl.delete_users(&argv[2..]) {
        Err(text) => return Err(errors::reply(text)),
        Ok(deleted) => {
            for name in &deleted {
                let doomed = logged_in_as(ctx, name);
                disconnect(ctx, &doomed);
            }
            Frame::Integer(deleted.len() as i64)
        }
    })
}

/// The ids of the connections authenticated as `user`.
fn logged_in_as(ctx: &Ctx<'_>, user: &[u8]) -> Vec<u64> {
    let name = String::from_utf8_lossy(user);
    ctx.shared
        .clients
        .snapshot()
        .into_iter()
        .filter(|(_, info)| info.user == name)
        .map(|(id, _)| id)
        .collect()
}

/// Closes connections at once; the caller's own closes once this reply is written.
fn disconnect(ctx: &mut Ctx<'_>, ids: &[u64]) {
    for &id in ids {
        if id == ctx.client.id {
            ctx.client.authenticated = false;
            ctx.client.after_reply = Some(AfterReply::Close);
            continue;
        }
        let filter = KillFilter {
            id: Some(id),
            ..KillFilter::default()
        };
        ctx.shared.clients.kill(&filter, Some(ctx.client.id));
    }
}

/// `ACL GETUSER username`: flags, password hashes, the root selector's commands, keys and channels, then
/// the other selectors.
fn getuser(ctx: &Ctx<'_>, name: &[u8]) -> Frame {
    let Some(user) = ctx.core.acl.user(name) else {
        return Frame::Null;
    };
    let field = |name: &'static str, value: Frame| (Frame::bulk(name), value);
    let describe = |selector: &acl::Selector| {
        vec![
            field(
                "commands",
                Frame::Bulk(Bytes::from(selector.describe_commands())),
            ),
            field("keys", Frame::Bulk(Bytes::from(selector.describe_keys()))),
            field(
                "channels",
                Frame::Bulk(Bytes::from(selector.describe_channels())),
            ),
        ]
    };
    let mut fields = vec![
        field(
            "flags",
            Frame::Set(user.flags().into_iter().map(Frame::bulk).collect()),
        ),
        field(
            "passwords",
            Frame::Array(
                user.passwords()
                    .iter()
                    .map(|hash| Frame::Bulk(Bytes::copy_from_slice(hash.as_bytes())))
                    .collect(),
            ),
        ),
    ];
    let (root, others) = user
        .selectors()
        .split_first()
        .expect("a user always has its root selector");
    fields.extend(describe(root));
    fields.push(field(
        "selectors",
        Frame::Array(
            others
                .iter()
                .map(|selector| Frame::Map(describe(selector)))
                .collect(),
        ),
    ));
    Frame::Map(fields)
}

/// `ACL LOAD`: the users of the ACL file replace all users (if the whole file is valid); the connections of
/// the users replaced close, as Redis frees those users.
fn load(ctx: &mut Ctx<'_>) -> Frame {
    let Some((name, path)) = acl::file::acl_file(&ctx.shared.config().acl_settings()) else {
        return errors::reply(NO_ACL_FILE);
    };
    let all_channels = pubsub_default_all(ctx);
    match acl::file::load_file(&mut ctx.core.acl, &name, &path, all_channels) {
        Err(text) => error_bytes(text.into_bytes()),
        Ok(replaced) => {
            for user in &replaced {
                let doomed = logged_in_as(ctx, user);
                disconnect(ctx, &doomed);
            }
            Frame::ok()
        }
    }
}

/// `ACL SAVE`: every user, as rules, into the ACL file.
fn save(ctx: &mut Ctx<'_>) -> Frame {
    let Some((_, path)) = acl::file::acl_file(&ctx.shared.config().acl_settings()) else {
        return errors::reply(NO_ACL_FILE);
    };
    match acl::file::save_file(&ctx.core.acl, &path) {
        Ok(()) => Frame::ok(),
        Err(error) => {
            tracing::warn!("Writing ACL file for ACL SAVE: {error}");
            errors::reply(
                "ERR There was an error trying to save the ACLs. Please check the server logs for more information",
            )
        }
    }
}

/// `ACL CAT [category]`: the categories, or the commands and subcommands of one.
fn cat(argv: &[Bytes]) -> Frame {
    match argv {
        [_, _] => Frame::Array(
            acl::CATEGORIES
                .iter()
                .map(|(name, _)| Frame::bulk(*name))
                .collect(),
        ),
        [_, _, name] => {
            let Some(category) = acl::category_by_name(name) else {
                return errors::with_argument("ERR Unknown category '", truncated(name), "'");
            };
            Frame::Array(
                acl::commands()
                    .iter()
                    .filter(|info| info.categories & category != 0)
                    .map(|info| Frame::bulk(info.name))
                    .collect(),
            )
        }
        _ => errors::subcommand_syntax(&argv[1], "acl"),
    }
}

/// `ACL GENPASS [bits]`: random hex digits, 4 bits each (256 bits by default).
fn genpass(argv: &[Bytes]) -> Frame {
    if argv.len() > 3 {
        return errors::subcommand_syntax(&argv[1], "acl");
    }
    let bits = match argv.get(2) {
        None => 256,
        Some(arg) => match parse_i64(arg) {
            Some(bits) => bits,
            None => return errors::reply(errors::NOT_INTEGER),
        },
    };
    if bits <= 0 || bits > GENPASS_MAX_BITS {
        return errors::reply(&format!(
            "ERR ACL GENPASS argument must be the number of bits for the output password, a positive number up to {GENPASS_MAX_BITS}"
        ));
    }
    let chars = ((bits + 3) / 4) as usize;
    match random_hex(chars) {
        Ok(hex) => Frame::Bulk(Bytes::from(hex)),
        Err(error) => errors::reply(&format!("ERR cannot read random bytes: {error}")),
    }
}

fn random_hex(chars: usize) -> std::io::Result<String> {
    use std::io::Read as _;
    let mut bytes = vec![0u8; chars.div_ceil(2)];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut bytes)?;
    let mut hex: String = bytes.iter().map(|byte| format!("{byte:02x}")).collect();
    hex.truncate(chars);
    Ok(hex)
}

/// `ACL LOG [count | RESET]`
fn log(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Reply {
    if argv.len() > 3 {
        return Err(errors::subcommand_syntax(&argv[1], "acl"));
    }
    let mut count = 10;
    if let Some(arg) = argv.get(2) {
        if is(arg, "reset") {
            ctx.core.acl.log.reset();
            return Ok(Frame::ok());
        }
        match parse_i64(arg) {
            Some(value) => count = usize::try_from(value).unwrap_or(0),
            None => return Err(errors::reply(errors::NOT_INTEGER)),
        }
    }
    Ok(ctx.core.acl.log.reply(count, ctx.now_ms))
}

/// `ACL DRYRUN username command [arg ...]`: whether the user could run it, without running it.
fn dryrun(ctx: &Ctx<'_>, argv: &[Bytes]) -> Frame {
    let name = &argv[2];
    if ctx.core.acl.user(name).is_none() {
        return errors::with_argument("ERR User '", name, "' not found");
    }
    let command = &argv[3..];
    let Some(info) = resolve_dryrun(command) else {
        return errors::with_argument("ERR Command '", &argv[3], "' not found");
    };
    if !arity_ok(info.arity, command.len()) {
        return errors::wrong_arity(info.name);
    }
    match check_as(&ctx.core.acl, name, command) {
        Ok(()) => Frame::ok(),
        Err(denial) => Frame::Bulk(denial.dryrun_text(command)),
    }
}

/// The command `argv` runs (a container's subcommand when it has one), among every command Redis has.
fn resolve_dryrun(argv: &[Bytes]) -> Option<&'static acl::CommandInfo> {
    let info = acl::lookup(&argv[0])?;
    match argv.get(1) {
        Some(sub) if info.subcommands > 0 => {
            acl::lookup(&[info.name.as_bytes(), b"|", sub].concat())
        }
        _ => Some(info),
    }
}

fn check_as(acl: &Acl, name: &[u8], argv: &[Bytes]) -> Result<(), acl::Denial> {
    acl.check(name, argv)
}

/// `ACL HELP`
fn help() -> Frame {
    let lines = [
        "ACL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "CAT [<category>]",
        "    The categories, or the commands and subcommands of one category.",
        "DELUSER <username> [<username> ...]",
        "    Deletes users (and closes their connections).",
        "DRYRUN <username> <command> [<arg> ...]",
        "    Whether the user could run the command, without running it.",
        "GETUSER <username>",
        "    The user's flags, password hashes and permissions.",
        "GENPASS [<bits>]",
        "    A random password of 256 bits, or of <bits> bits.",
        "LIST",
        "    Every user as the rules that recreate it.",
        "LOAD",
        "    Reloads the users from the ACL file.",
        "LOG [<count> | RESET]",
        "    The newest denied commands and failed logins, or clears them.",
        "SAVE",
        "    Writes the users to the ACL file.",
        "SETUSER <username> <attribute> [<attribute> ...]",
        "    Creates a user or changes its rules.",
        "USERS",
        "    The user names.",
        "WHOAMI",
        "    The user of this connection.",
        "HELP",
        "    Prints this help.",
    ];
    errors::help_lines(&lines)
}

/// An error whose text comes from rule arguments: `ERR ` first, line breaks turned into spaces (Redis's
/// `addReplyErrorSdsSafe`).
fn error_bytes(text: Vec<u8>) -> Frame {
    let mut out = b"ERR ".to_vec();
    out.extend(text.into_iter().map(|byte| match byte {
        b'\r' | b'\n' => b' ',
        other => other,
    }));
    Frame::Error(Bytes::from(out))
}

/// At most 128 bytes of an argument, as Redis's `%.128s`.
fn truncated(arg: &[u8]) -> &[u8] {
    &arg[..arg.len().min(128)]
}

/// This family's commands, each bound to its handler; [`crate::cmd`] joins them with Redis's facts about
/// each command (arity, flags, keys) from `commands::table`.
pub const HANDLERS: &[(&str, crate::cmd::ServerHandler)] = &[("acl", acl)];

/// `acl-pubsub-default allchannels`: new users (and `reset`) get every channel.
fn pubsub_default_all(ctx: &Ctx<'_>) -> bool {
    ctx.shared.config().other("acl-pubsub-default") == Some("allchannels")
}
