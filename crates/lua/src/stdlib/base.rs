//! Base functions: `assert`, `error`, `pcall`, `type`, `pairs`, `select`, metatables, ...

use crate::error::LuaError;
use crate::function::Function;
use crate::interp::CallContext;
use crate::number;
use crate::table::Table;
use crate::value::Value;

use super::{
    NativeResult, arg, check_any, check_int, check_num, check_str, check_table, opt_int, register,
};

/// Lua 5.1's stack limit, which bounds how many values `unpack` may return.
const MAX_RESULTS: i64 = 8000;

pub(super) fn open(g: &Table) {
    let next = Function::native("next", lua_next);
    g.set_str("next", Value::Function(next.clone()));
    register(g, "pairs", move |ctx, args| {
        let t = check_table(ctx, &args, 0)?;
        Ok(vec![
            Value::Function(next.clone()),
            Value::Table(t),
            Value::Nil,
        ])
    });
    let ipairs_iter = Function::native("ipairs_iter", |ctx, args| {
        let t = check_table(ctx, &args, 0)?;
        let i = check_num(ctx, &args, 1)? + 1.0;
        let v = t.get(&Value::Number(i));
        Ok(if v.is_nil() {
            Vec::new()
        } else {
            vec![Value::Number(i), v]
        })
    });
    register(g, "ipairs", move |ctx, args| {
        let t = check_table(ctx, &args, 0)?;
        Ok(vec![
            Value::Function(ipairs_iter.clone()),
            Value::Table(t),
            Value::Number(0.0),
        ])
    });
    register(g, "assert", lua_assert);
    register(g, "error", lua_error);
    register(g, "pcall", lua_pcall);
    register(g, "xpcall", lua_xpcall);
    register(g, "type", |ctx, args| {
        let v = check_any(ctx, &args, 0)?;
        Ok(vec![Value::from(v.type_name())])
    });
    register(g, "tostring", |ctx, args| {
        let v = check_any(ctx, &args, 0)?;
        Ok(vec![Value::String(ctx.tostring(&v)?)])
    });
    register(g, "tonumber", lua_tonumber);
    register(g, "select", lua_select);
    register(g, "unpack", unpack);
    register(g, "loadstring", loadstring);
    register(g, "rawget", |ctx, args| {
        let t = check_table(ctx, &args, 0)?;
        let k = check_any(ctx, &args, 1)?;
        Ok(vec![t.get(&k)])
    });
    register(g, "rawset", |ctx, args| {
        let t = check_table(ctx, &args, 0)?;
        let k = check_any(ctx, &args, 1)?;
        let v = check_any(ctx, &args, 2)?;
        ctx.raw_set_checked(&t, k, v)?;
        Ok(vec![Value::Table(t)])
    });
    register(g, "rawequal", |ctx, args| {
        let a = check_any(ctx, &args, 0)?;
        let b = check_any(ctx, &args, 1)?;
        Ok(vec![Value::Boolean(a.raw_equals(&b))])
    });
    register(g, "setmetatable", lua_setmetatable);
    register(g, "getmetatable", |ctx, args| {
        let v = check_any(ctx, &args, 0)?;
        Ok(vec![match ctx.metatable_of(&v) {
            Some(mt) => {
                let protected = mt.get_str("__metatable");
                if protected.is_nil() {
                    Value::Table(mt)
                } else {
                    protected
                }
            }
            None => Value::Nil,
        }])
    });
    // Memory is reference counted; these exist for scripts that call them.
    register(g, "collectgarbage", |_, _| Ok(vec![Value::Number(0.0)]));
    register(g, "gcinfo", |_, _| Ok(vec![Value::Number(0.0)]));
    g.set_str("_VERSION", Value::from("Lua 5.1"));
}

/// `unpack(t, i, j)`, also `table.unpack`.
pub(super) fn unpack(ctx: &mut CallContext<'_>, args: Vec<Value>) -> NativeResult {
    let t = check_table(ctx, &args, 0)?;
    let i = opt_int(ctx, &args, 1, 1)?;
    let j = match args.get(2) {
        None | Some(Value::Nil) => t.len() as i64,
        Some(_) => check_int(ctx, &args, 2)?,
    };
    if i > j {
        return Ok(Vec::new());
    }
    if j.saturating_sub(i) >= MAX_RESULTS {
        return Err(ctx.error("too many results to unpack"));
    }
    Ok((i..=j).map(|k| t.get_int(k)).collect())
}

fn lua_next(ctx: &mut CallContext<'_>, args: Vec<Value>) -> NativeResult {
    let t = check_table(ctx, &args, 0)?;
    match t.next(&arg(&args, 1)) {
        Ok(Some((k, v))) => Ok(vec![k, v]),
        Ok(None) => Ok(vec![Value::Nil]),
        Err(e) => Err(ctx.error(e.to_string())),
    }
}

fn lua_assert(ctx: &mut CallContext<'_>, args: Vec<Value>) -> NativeResult {
    let v = check_any(ctx, &args, 0)?;
    if v.truthy() {
        return Ok(args);
    }
    let msg = super::opt_str(ctx, &args, 1, b"assertion failed!")?;
    Err(ctx.error(String::from_utf8_lossy(&msg)))
}

fn lua_error(ctx: &mut CallContext<'_>, args: Vec<Value>) -> NativeResult {
    let v = arg(&args, 0);
    let level = opt_int(ctx, &args, 1, 1)?;
    if level > 0
        && let Some(s) = v.to_lua_string()
    {
        let mut msg = ctx.where_prefix(level as usize).into_bytes();
        msg.extend_from_slice(&s);
        return Err(LuaError::Runtime(Value::from(msg)));
    }
    Err(LuaError::Runtime(v))
}

/// Redis's `pcall`: like Lua's, but an error table with an `err` field is returned as that
/// field's text (compatibility with scripts written before errors became tables).
fn lua_pcall(ctx: &mut CallContext<'_>, mut args: Vec<Value>) -> NativeResult {
    check_any(ctx, &args, 0)?;
    let f = args.remove(0);
    match ctx.call(&f, args) {
        Ok(mut results) => {
            results.insert(0, Value::Boolean(true));
            Ok(results)
        }
        Err(LuaError::Runtime(v)) => {
            ctx.clear_error_location();
            let v = match &v {
                Value::Table(t) => {
                    let e = t.get_str("err");
                    if matches!(e, Value::String(_) | Value::Number(_)) {
                        e
                    } else {
                        v
                    }
                }
                _ => v,
            };
            Ok(vec![Value::Boolean(false), v])
        }
        Err(other) => Err(other),
    }
}

fn lua_xpcall(ctx: &mut CallContext<'_>, args: Vec<Value>) -> NativeResult {
    let f = check_any(ctx, &args, 0)?;
    let handler = arg(&args, 1);
    match ctx.call(&f, Vec::new()) {
        Ok(mut results) => {
            results.insert(0, Value::Boolean(true));
            Ok(results)
        }
        Err(LuaError::Runtime(v)) => {
            ctx.clear_error_location();
            let handled = match ctx.call(&handler, vec![v]) {
                Ok(r) => r.into_iter().next().unwrap_or_default(),
                Err(LuaError::Runtime(e)) => e,
                Err(other) => return Err(other),
            };
            ctx.clear_error_location();
            Ok(vec![Value::Boolean(false), handled])
        }
        Err(other) => Err(other),
    }
}

fn lua_tonumber(ctx: &mut CallContext<'_>, args: Vec<Value>) -> NativeResult {
    let base = opt_int(ctx, &args, 1, 10)?;
    if base == 10 {
        let v = check_any(ctx, &args, 0)?;
        return Ok(vec![v.to_number().map_or(Value::Nil, Value::Number)]);
    }
    let s = check_str(ctx, &args, 0)?;
    if !(2..=36).contains(&base) {
        return Err(ctx.arg_error(2, "base out of range"));
    }
    Ok(vec![
        number::parse_int_base(&s, base as u32).map_or(Value::Nil, Value::Number),
    ])
}

fn lua_select(ctx: &mut CallContext<'_>, args: Vec<Value>) -> NativeResult {
    let n = args.len() as i64;
    if let Some(Value::String(s)) = args.first()
        && s.first() == Some(&b'#')
    {
        return Ok(vec![Value::Number((n - 1) as f64)]);
    }
    let mut i = check_int(ctx, &args, 0)?;
    if i < 0 {
        i += n;
    } else if i > n {
        i = n;
    }
    if i < 1 {
        return Err(ctx.arg_error(1, "index out of range"));
    }
    Ok(args[i as usize..].to_vec())
}

fn lua_setmetatable(ctx: &mut CallContext<'_>, args: Vec<Value>) -> NativeResult {
    let t = check_table(ctx, &args, 0)?;
    let mt = match args.get(1) {
        Some(Value::Nil) => None,
        Some(Value::Table(m)) => Some(m.clone()),
        _ => return Err(ctx.arg_error(2, "nil or table expected")),
    };
    if t.meta_field("__metatable").is_some() {
        return Err(ctx.error("cannot change a protected metatable"));
    }
    if t.is_readonly() {
        return Err(ctx.error("Attempt to modify a readonly table"));
    }
    t.set_metatable(mt);
    Ok(vec![Value::Table(t)])
}

/// `loadstring(source [, chunkname])`: compiles source text into a function, or returns nil and the
/// syntax error. Binary chunks (from `string.dump`) never load, as in Redis, whose Lua refuses them.
fn loadstring(ctx: &mut CallContext<'_>, args: Vec<Value>) -> NativeResult {
    let source = check_str(ctx, &args, 0)?;
    let name = super::opt_str(ctx, &args, 1, &source)?;
    let chunk_name = if name.starts_with(b"=") || name.starts_with(b"@") {
        String::from_utf8_lossy(&name).into_owned()
    } else {
        format!("={}", string_chunk_id(&name))
    };
    let budget = ctx.lua().stack_budget;
    match crate::parser::parse_chunk(&chunk_name, &source, budget) {
        Ok(proto) => Ok(vec![Value::Function(Function::lua(proto, Vec::new()))]),
        Err(LuaError::Syntax(message)) => Ok(vec![Value::Nil, Value::from(message.into_bytes())]),
        Err(other) => Err(other),
    }
}

/// How Lua 5.1 names a chunk compiled from a string in syntax errors: `[string "first line..."]`, cut
/// at the first line break and to fit the lexer's 80-byte buffer (runtime errors use 60 bytes in Lua;
/// one name serves both here, and loadstring's syntax errors are where it shows).
fn string_chunk_id(source: &[u8]) -> String {
    const ROOM: usize = 80 - b" [string \"...\"] ".len() - 1;
    // Lua works on C strings here, so a NUL ends the name as a line break does.
    let line_end = source
        .iter()
        .position(|&b| b == b'\n' || b == b'\r' || b == 0)
        .unwrap_or(source.len());
    let len = line_end.min(ROOM);
    let shown = String::from_utf8_lossy(&source[..len]);
    if len < line_end || (line_end < source.len() && source[line_end] != 0) {
        format!("[string \"{shown}...\"]")
    } else {
        format!("[string \"{shown}\"]")
    }
}

#[cfg(test)]
mod loadstring_tests {
    use super::string_chunk_id;

    #[test]
    fn chunk_ids_follow_lua_5_1() {
        assert_eq!(string_chunk_id(b"return 1"), "[string \"return 1\"]");
        assert_eq!(string_chunk_id(b"a\nb"), "[string \"a...\"]");
        let long = [b'x'; 70];
        assert_eq!(
            string_chunk_id(&long),
            format!("[string \"{}...\"]", "x".repeat(63))
        );
    }
}
