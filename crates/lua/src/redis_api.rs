//! The `redis` table scripts use to reach the server, with Redis 7.0's argument checks and error
//! texts.

use bytes::Bytes;

use crate::convert::error_table;
use crate::error::LuaError;
use crate::function::Function;
use crate::host::Reply;
use crate::interp::CallContext;
use crate::number;
use crate::sha1;
use crate::table::Table;
use crate::value::Value;

type NativeResult = Result<Vec<Value>, LuaError>;

const REDIS_VERSION: &str = "7.0.15";
const REDIS_VERSION_NUM: f64 = 0x0007_000f as f64;

fn register(
    t: &Table,
    name: &str,
    f: impl Fn(&mut CallContext<'_>, Vec<Value>) -> NativeResult + 'static,
) {
    t.set_str(name, Value::Function(Function::native(name, f)));
}

/// Raises `{err = "ERR <msg>"}`, the way Redis's own API functions fail.
fn raise(msg: &str) -> LuaError {
    LuaError::Runtime(error_table(msg.as_bytes()))
}

/// The global `redis` table for `EVAL` scripts and library functions.
pub(crate) fn create() -> Table {
    let t = Table::new();
    register(&t, "call", |ctx, args| command(ctx, args, true));
    register(&t, "pcall", |ctx, args| command(ctx, args, false));
    register(&t, "sha1hex", |_, args| {
        if args.len() != 1 {
            return Err(raise("wrong number of arguments"));
        }
        let data = args[0].to_lua_string().unwrap_or_default();
        Ok(vec![Value::from(sha1::sha1_hex(&data))])
    });
    register(&t, "error_reply", |_, args| {
        let Some(msg) = single_string(&args) else {
            return Ok(vec![error_table(b"wrong number or type of arguments")]);
        };
        let mut raw = msg.to_vec();
        if raw.first() != Some(&b'-') {
            raw.insert(0, b'-');
        }
        Ok(vec![error_table(&raw)])
    });
    register(&t, "status_reply", |_, args| {
        let Some(msg) = single_string(&args) else {
            return Ok(vec![error_table(b"wrong number or type of arguments")]);
        };
        let r = Table::new();
        r.set_str("ok", Value::from(msg));
        Ok(vec![Value::Table(r)])
    });
    register(&t, "setresp", |ctx, args| {
        if args.len() != 1 {
            return Err(raise("redis.setresp() requires one argument."));
        }
        let resp = args[0].to_number().unwrap_or(0.0) as i64;
        if resp != 2 && resp != 3 {
            return Err(raise("RESP version must be 2 or 3."));
        }
        ctx.set_resp(resp as u8);
        Ok(Vec::new())
    });
    register(&t, "set_repl", |ctx, args| {
        if args.len() != 1 {
            return Err(raise("redis.set_repl() requires two arguments."));
        }
        let flags = args[0].to_number().unwrap_or(0.0) as i64;
        if flags & !3 != 0 {
            return Err(raise(
                "Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.",
            ));
        }
        // The host's text is an error reply's text (`ERR ...`), normalised like one.
        ctx.host()
            .set_repl(flags)
            .map_err(|e| LuaError::Runtime(error_table(format!("-{e}").as_bytes())))?;
        Ok(Vec::new())
    });
    register(&t, "replicate_commands", |_, _| {
        Ok(vec![Value::Boolean(true)])
    });
    register(&t, "breakpoint", |_, _| Ok(vec![Value::Boolean(false)]));
    register(&t, "debug", |_, _| Ok(Vec::new()));
    // The server answers from its ACLs (the host's default allows everything).
    register(&t, "acl_check_cmd", |ctx, args| {
        let argv = command_args(&args).map_err(|e| LuaError::Runtime(error_table(e)))?;
        match ctx.host().acl_check_cmd(&argv) {
            Some(allowed) => Ok(vec![Value::Boolean(allowed)]),
            None => Err(raise("Invalid command passed to redis.acl_check_cmd()")),
        }
    });
    for (name, v) in [
        ("REPL_NONE", 0.0),
        ("REPL_AOF", 1.0),
        ("REPL_SLAVE", 2.0),
        ("REPL_REPLICA", 2.0),
        ("REPL_ALL", 3.0),
    ] {
        t.set_str(name, Value::Number(v));
    }
    add_log_and_version(&t);
    t
}

/// The `redis` table a library's top level sees during `FUNCTION LOAD` (the server adds
/// `register_function`).
pub(crate) fn create_library_api() -> Table {
    let t = Table::new();
    add_log_and_version(&t);
    t
}

fn add_log_and_version(t: &Table) {
    register(t, "log", log);
    for (name, v) in [
        ("LOG_DEBUG", 0.0),
        ("LOG_VERBOSE", 1.0),
        ("LOG_NOTICE", 2.0),
        ("LOG_WARNING", 3.0),
    ] {
        t.set_str(name, Value::Number(v));
    }
    t.set_str("REDIS_VERSION", Value::from(REDIS_VERSION));
    t.set_str("REDIS_VERSION_NUM", Value::Number(REDIS_VERSION_NUM));
}

/// The metatable Redis puts on protected globals: reading a missing name is an error.
pub(crate) fn nonexistent_global_metatable() -> Table {
    let mt = Table::new();
    register(&mt, "__index", |ctx, args| {
        let name = args
            .get(1)
            .and_then(Value::to_lua_string)
            .unwrap_or_default();
        Err(ctx.error(format!(
            "Script attempted to access nonexistent global variable '{}'",
            String::from_utf8_lossy(&name)
        )))
    });
    mt
}

fn single_string(args: &[Value]) -> Option<&[u8]> {
    match args {
        [Value::String(s)] => Some(s),
        _ => None,
    }
}

/// Converts `redis.call` arguments: strings as-is, numbers with `%.17g` like Redis.
fn command_args(args: &[Value]) -> Result<Vec<Bytes>, &'static [u8]> {
    if args.is_empty() {
        return Err(b"Please specify at least one argument for this redis lib call");
    }
    args.iter()
        .map(|v| match v {
            Value::String(s) => Ok(Bytes::copy_from_slice(s)),
            Value::Number(n) => Ok(Bytes::from(number::format_g(*n, 17, false, false))),
            _ => Err(&b"Lua redis lib command arguments must be strings or integers"[..]),
        })
        .collect()
}

/// `redis.call` (raise = true) and `redis.pcall`.
fn command(ctx: &mut CallContext<'_>, args: Vec<Value>, raise_errors: bool) -> NativeResult {
    let argv = match command_args(&args) {
        Ok(argv) => argv,
        Err(msg) => {
            let e = error_table(msg);
            return if raise_errors {
                Err(LuaError::Runtime(e))
            } else {
                Ok(vec![e])
            };
        }
    };
    let resp = ctx.resp();
    let reply = ctx.host().call(argv, resp);
    let value = ctx.from_reply(&reply);
    if raise_errors && matches!(reply, Reply::Error(_)) {
        return Err(LuaError::Runtime(value));
    }
    Ok(vec![value])
}

fn log(ctx: &mut CallContext<'_>, args: Vec<Value>) -> NativeResult {
    if args.len() < 2 {
        return Err(raise("redis.log() requires two arguments or more."));
    }
    let Some(level) = args[0].to_number() else {
        return Err(raise("First argument must be a number (log level)."));
    };
    let level = level as i64;
    if !(0..=3).contains(&level) {
        return Err(raise("Invalid debug level."));
    }
    let mut msg = Vec::new();
    for (j, v) in args.iter().enumerate().skip(1) {
        if let Some(s) = v.to_lua_string() {
            if j != 1 {
                msg.push(b' ');
            }
            msg.extend_from_slice(&s);
        }
    }
    ctx.host().log(level, &msg);
    Ok(Vec::new())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::convert::normalize_error;

    #[test]
    fn numbers_are_formatted_like_redis() {
        let args = [Value::Number(12345.0), Value::Number(0.1), Value::from("x")];
        let out = command_args(&args).unwrap();
        assert_eq!(
            out,
            vec![
                Bytes::from("12345"),
                Bytes::from("0.10000000000000001"),
                Bytes::from("x")
            ]
        );
        assert!(command_args(&[]).is_err());
        assert!(command_args(&[Value::Boolean(true)]).is_err());
        assert_eq!(normalize_error(b"-x"), b"ERR x");
    }
}
