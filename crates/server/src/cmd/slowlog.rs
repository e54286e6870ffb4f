//! `SLOWLOG GET [count] | LEN | RESET | HELP` over `crate::slowlog`.

use bytes::Bytes;
use resp::Frame;

use super::{Ctx, is};
use crate::errors;
use commands::Reply;

/// `SLOWLOG <subcommand>`
pub fn slowlog(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Reply {
    let sub = &argv[1];
    Ok(if is(sub, "get") && argv.len() <= 3 {
        let count = match argv.get(2).map(|count| super::parse_i64(count)) {
            None => Some(10),
            Some(Some(-1)) => None,
            Some(Some(count)) if count >= 0 => Some(usize::try_from(count).unwrap_or(usize::MAX)),
            Some(_) => {
                return Err(errors::reply(
                    "ERR count should be greater than or equal to -1",
                ));
            }
        };
        ctx.core.slowlog.get(count)
    } else if is(sub, "len") && argv.len() == 2 {
        Frame::Integer(ctx.core.slowlog.len() as i64)
    } else if is(sub, "reset") && argv.len() == 2 {
        ctx.core.slowlog.reset();
        Frame::ok()
    } else if is(sub, "help") && argv.len() == 2 {
        let lines = [
            "SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            "GET [<count>]",
            "    The newest <count> entries (default 10, -1 for all): id, Unix time, duration in",
            "    microseconds, arguments, client address, client name.",
            "LEN",
            "    The number of entries.",
            "RESET",
            "    Removes every entry.",
            "HELP",
            "    Prints this help.",
        ];
        errors::help_lines(&lines)
    } else if ["len", "reset", "help"].iter().any(|name| is(sub, name)) {
        errors::wrong_arity(&format!(
            "slowlog|{}",
            String::from_utf8_lossy(sub).to_ascii_lowercase()
        ))
    } else if is(sub, "get") {
        errors::subcommand_syntax(sub, "slowlog")
    } else {
        errors::unknown_subcommand(sub, "slowlog")
    })
}

/// This family's commands, each bound to its handler; [`crate::cmd`] joins them with Redis's facts about
/// each command (arity, flags, keys) from `commands::table`.
pub const HANDLERS: &[(&str, crate::cmd::ServerHandler)] = &[("slowlog", slowlog)];
