//! `FUNCTION`: rserver has no scripting engine yet (docs/compatibility.md), so its function library is always
//! empty. The subcommands that mean something for an empty library behave as in Redis 7.0: `FLUSH` (a write,
//! propagated to replicas, so a real Redis master's `FUNCTION FLUSH` replicates through us) and `LIST`.
//! `LOAD`, `DELETE`, `DUMP`, `RESTORE`, `STATS` and `KILL` are not there and answer as unknown subcommands.

use bytes::Bytes;
use resp::Frame;

use super::{Ctx, is};
use crate::errors;

/// `FUNCTION FLUSH [ASYNC|SYNC]` | `FUNCTION LIST [LIBRARYNAME pattern] [WITHCODE]`
pub fn function(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Frame {
    let sub = &argv[1];
    if is(sub, "flush") {
        flush(ctx, argv)
    } else if is(sub, "list") {
        list(argv)
    } else {
        errors::unknown_subcommand(sub, "function")
    }
}

fn flush(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Frame {
    if argv.len() > 3 {
        return errors::subcommand_syntax(&argv[1], "function");
    }
    if let Some(mode) = argv.get(2)
        && !is(mode, "sync")
        && !is(mode, "async")
    {
        return errors::reply("ERR FUNCTION FLUSH only supports SYNC|ASYNC option");
    }
    // `function|flush` is a write in Redis: refused on a read-only replica unless it comes from the master.
    if ctx.core.is_replica() && !ctx.client.is_master_link && ctx.shared.config().replica_read_only
    {
        return errors::reply(errors::READONLY);
    }
    ctx.propagate_verbatim(argv);
    Frame::ok()
}

fn list(argv: &[Bytes]) -> Frame {
    let mut index = 2;
    while index < argv.len() {
        let option = &argv[index];
        if is(option, "withcode") {
            index += 1;
        } else if is(option, "libraryname") {
            if index + 1 >= argv.len() {
                return errors::reply("ERR library name argument was not given");
            }
            index += 2;
        } else {
            return errors::with_argument("ERR Unknown argument ", option, "");
        }
    }
    Frame::Array(Vec::new())
}
