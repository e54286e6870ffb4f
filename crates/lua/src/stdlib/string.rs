//! The `string` library (byte strings, "C" locale).

use std::cell::Cell;
use std::rc::Rc;

use crate::error::LuaError;
use crate::function::Function;
use crate::interp::{CallContext, MAX_STRING_LEN};
use crate::table::Table;
use crate::value::Value;

use super::pattern::{self, Match};
use super::{NativeResult, arg, check_int, check_num, check_str, opt_int, register};

pub(super) fn open(s: &Table) {
    register(s, "len", |ctx, args| {
        Ok(vec![Value::Number(check_str(ctx, &args, 0)?.len() as f64)])
    });
    register(s, "sub", str_sub);
    register(s, "upper", |ctx, args| {
        Ok(vec![Value::from(
            check_str(ctx, &args, 0)?.to_ascii_uppercase(),
        )])
    });
    register(s, "lower", |ctx, args| {
        Ok(vec![Value::from(
            check_str(ctx, &args, 0)?.to_ascii_lowercase(),
        )])
    });
    register(s, "rep", str_rep);
    register(s, "reverse", |ctx, args| {
        let mut v = check_str(ctx, &args, 0)?.to_vec();
        v.reverse();
        Ok(vec![Value::from(v)])
    });
    register(s, "byte", str_byte);
    register(s, "char", str_char);
    register(s, "format", super::format::format);
    register(s, "dump", str_dump);
    register(s, "find", |ctx, args| find_aux(ctx, args, true));
    register(s, "match", |ctx, args| find_aux(ctx, args, false));
    register(s, "gmatch", gmatch);
    register(s, "gsub", gsub);
}

/// Resolves a negative (from the end) string position.
fn posrelat(pos: i64, len: usize) -> i64 {
    if pos < 0 {
        (len as i64).saturating_add(pos).saturating_add(1)
    } else {
        pos
    }
}

fn str_sub(ctx: &mut CallContext<'_>, args: Vec<Value>) -> NativeResult {
    let s = check_str(ctx, &args, 0)?;
    let len = s.len() as i64;
    let start = posrelat(check_int(ctx, &args, 1)?, s.len()).max(1);
    let end = posrelat(opt_int(ctx, &args, 2, -1)?, s.len()).min(len);
    Ok(vec![if start <= end {
        Value::from(&s[(start - 1) as usize..end as usize])
    } else {
        Value::from("")
    }])
}

fn str_rep(ctx: &mut CallContext<'_>, args: Vec<Value>) -> NativeResult {
    let s = check_str(ctx, &args, 0)?;
    let n = check_int(ctx, &args, 1)?;
    if n <= 0 || s.is_empty() {
        return Ok(vec![Value::from("")]);
    }
    if (s.len() as u128) * (n as u128) > MAX_STRING_LEN as u128 {
        return Err(ctx.error("resulting string too large"));
    }
    Ok(vec![Value::from(s.repeat(n as usize))])
}

fn str_byte(ctx: &mut CallContext<'_>, args: Vec<Value>) -> NativeResult {
    let s = check_str(ctx, &args, 0)?;
    let posi = posrelat(opt_int(ctx, &args, 1, 1)?, s.len());
    let pose = posrelat(opt_int(ctx, &args, 2, posi)?, s.len());
    let (posi, pose) = (posi.max(1), pose.min(s.len() as i64));
    if posi > pose {
        return Ok(Vec::new());
    }
    Ok(s[(posi - 1) as usize..pose as usize]
        .iter()
        .map(|&b| Value::Number(f64::from(b)))
        .collect())
}

fn str_char(ctx: &mut CallContext<'_>, args: Vec<Value>) -> NativeResult {
    let mut out = Vec::with_capacity(args.len());
    for i in 0..args.len() {
        let c = check_int(ctx, &args, i)?;
        match u8::try_from(c) {
            Ok(b) => out.push(b),
            Err(_) => return Err(ctx.arg_error(i + 1, "invalid value")),
        }
    }
    Ok(vec![Value::from(out)])
}

/// Plain substring search; an empty needle matches at once.
fn memfind(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The captures of a match as values, or the whole match when there are none and `whole` is set.
fn capture_values(src: &[u8], start: usize, m: &Match, whole: bool) -> Vec<Value> {
    if m.captures.is_empty() && whole {
        return vec![Value::from(&src[start..m.end])];
    }
    m.captures.iter().map(|c| c.to_value(src)).collect()
}

fn split_anchor(p: &[u8]) -> (bool, &[u8]) {
    match p.strip_prefix(b"^") {
        Some(rest) => (true, rest),
        None => (false, p),
    }
}

/// `string.find` and `string.match`.
fn find_aux(ctx: &mut CallContext<'_>, args: Vec<Value>, find: bool) -> NativeResult {
    let s = check_str(ctx, &args, 0)?;
    let p = check_str(ctx, &args, 1)?;
    let init =
        (posrelat(opt_int(ctx, &args, 2, 1)?, s.len()) - 1).clamp(0, s.len() as i64) as usize;
    if find && (arg(&args, 3).truthy() || pattern::is_plain(&p)) {
        return Ok(match memfind(&s[init..], &p) {
            Some(pos) => vec![
                Value::Number((init + pos + 1) as f64),
                Value::Number((init + pos + p.len()) as f64),
            ],
            None => vec![Value::Nil],
        });
    }
    let (anchor, pat) = split_anchor(&p);
    let mut start = init;
    loop {
        if let Some(m) = pattern::match_at(ctx, &s, pat, start)? {
            if find {
                let mut out = vec![
                    Value::Number((start + 1) as f64),
                    Value::Number(m.end as f64),
                ];
                out.extend(capture_values(&s, start, &m, false));
                return Ok(out);
            }
            return Ok(capture_values(&s, start, &m, true));
        }
        start += 1;
        if anchor || start > s.len() {
            return Ok(vec![Value::Nil]);
        }
    }
}

fn gmatch(ctx: &mut CallContext<'_>, args: Vec<Value>) -> NativeResult {
    let s = check_str(ctx, &args, 0)?;
    let p = check_str(ctx, &args, 1)?;
    let pos = Rc::new(Cell::new(0usize));
    let iter = Function::native("gmatch_iter", move |ctx, _| {
        let mut start = pos.get();
        while start <= s.len() {
            if let Some(m) = pattern::match_at(ctx, &s, &p, start)? {
                // An empty match must still advance, or the loop would never end.
                pos.set(if m.end == start { m.end + 1 } else { m.end });
                return Ok(capture_values(&s, start, &m, true));
            }
            start += 1;
        }
        pos.set(start);
        Ok(Vec::new())
    });
    Ok(vec![Value::Function(iter)])
}

/// Capture `i` for replacements: index 0 means the whole match when there are no captures.
fn one_capture(
    ctx: &CallContext<'_>,
    src: &[u8],
    start: usize,
    m: &Match,
    i: usize,
) -> Result<Value, LuaError> {
    match m.captures.get(i) {
        Some(c) => Ok(c.to_value(src)),
        None if i == 0 => Ok(Value::from(&src[start..m.end])),
        None => Err(ctx.error("invalid capture index")),
    }
}

fn add_value(
    ctx: &mut CallContext<'_>,
    out: &mut Vec<u8>,
    src: &[u8],
    start: usize,
    m: &Match,
    repl: &Value,
) -> Result<(), LuaError> {
    let value = match repl {
        Value::String(_) | Value::Number(_) => {
            let r = repl.to_lua_string().unwrap_or_default();
            let mut i = 0;
            while i < r.len() {
                let c = r[i];
                i += 1;
                if c != b'%' {
                    out.push(c);
                    continue;
                }
                let Some(&d) = r.get(i) else { break };
                i += 1;
                if !d.is_ascii_digit() {
                    out.push(d);
                } else if d == b'0' {
                    out.extend_from_slice(&src[start..m.end]);
                } else {
                    let v = one_capture(ctx, src, start, m, usize::from(d - b'1'))?;
                    out.extend_from_slice(&v.to_lua_string().unwrap_or_default());
                }
            }
            return Ok(());
        }
        Value::Table(_) => {
            let key = one_capture(ctx, src, start, m, 0)?;
            ctx.index(repl, &key)?
        }
        _ => {
            let caps = capture_values(src, start, m, true);
            ctx.call(repl, caps)?.into_iter().next().unwrap_or_default()
        }
    };
    match value {
        Value::Nil | Value::Boolean(false) => out.extend_from_slice(&src[start..m.end]),
        Value::String(_) | Value::Number(_) => {
            out.extend_from_slice(&value.to_lua_string().unwrap_or_default())
        }
        other => {
            return Err(ctx.error(format!(
                "invalid replacement value (a {})",
                other.type_name()
            )));
        }
    }
    Ok(())
}

fn gsub(ctx: &mut CallContext<'_>, args: Vec<Value>) -> NativeResult {
    let src = check_str(ctx, &args, 0)?;
    let p = check_str(ctx, &args, 1)?;
    let repl = arg(&args, 2);
    if !matches!(
        repl,
        Value::Number(_) | Value::String(_) | Value::Table(_) | Value::Function(_)
    ) {
        return Err(ctx.arg_error(3, "string/function/table expected"));
    }
    let max_n = match args.get(3) {
        None | Some(Value::Nil) => i64::MAX,
        Some(_) => check_num(ctx, &args, 3)? as i64,
    };
    let (anchor, pat) = split_anchor(&p);
    let mut out = Vec::new();
    let mut s = 0;
    let mut n = 0i64;
    while n < max_n {
        let m = pattern::match_at(ctx, &src, pat, s)?;
        if let Some(m) = &m {
            n += 1;
            add_value(ctx, &mut out, &src, s, m, &repl)?;
            if out.len() > MAX_STRING_LEN {
                return Err(ctx.error("resulting string too large"));
            }
        }
        match m {
            Some(m) if m.end > s => s = m.end,
            _ if s < src.len() => {
                out.push(src[s]);
                s += 1;
            }
            _ => break,
        }
        if anchor {
            break;
        }
    }
    out.extend_from_slice(&src[s..]);
    Ok(vec![Value::from(out), Value::Number(n as f64)])
}

/// `string.dump(f)`: this interpreter has no bytecode, so it returns the Lua 5.1 binary-chunk header
/// alone. Redis never loads binary chunks, so such a string has no other use than failing to load.
fn str_dump(ctx: &mut CallContext<'_>, args: Vec<Value>) -> NativeResult {
    match args.first() {
        Some(Value::Function(_)) => Ok(vec![Value::from(
            b"\x1bLuaQ\x00\x01\x04\x08\x04\x08\x00".to_vec(),
        )]),
        other => Err(super::type_error(ctx, 0, "function", other)),
    }
}
