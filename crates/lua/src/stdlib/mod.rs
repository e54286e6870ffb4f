//! The standard library subset Redis scripts get: base functions, `string`, `table`, `math` and
//! `os.clock`. There is deliberately no `io`, `require`, `loadfile` or `dofile`.

mod base;
mod format;
pub(crate) mod math;
mod os;
mod pattern;
mod string;
mod table;

use std::rc::Rc;

use crate::error::LuaError;
use crate::function::Function;
use crate::interp::CallContext;
use crate::table::Table;
use crate::value::Value;

/// Installs the libraries into `globals`; returns the `string` table (the strings' `__index`).
pub(crate) fn open(globals: &Table) -> Table {
    base::open(globals);
    let string = Table::new();
    string::open(&string);
    globals.set_str("string", Value::Table(string.clone()));
    let t = Table::new();
    table::open(&t);
    globals.set_str("table", Value::Table(t));
    let m = Table::new();
    math::open(&m);
    globals.set_str("math", Value::Table(m));
    let o = Table::new();
    os::open(&o);
    globals.set_str("os", Value::Table(o));
    string
}

type NativeResult = Result<Vec<Value>, LuaError>;

/// Adds a native function to a library table.
pub(crate) fn register(
    t: &Table,
    name: &str,
    f: impl Fn(&mut CallContext<'_>, Vec<Value>) -> NativeResult + 'static,
) {
    t.set_str(name, Value::Function(Function::native(name, f)));
}

// ---- argument checking, with Lua's `bad argument` messages ----

fn type_error(ctx: &CallContext<'_>, i: usize, expected: &str, got: Option<&Value>) -> LuaError {
    let got = got.map_or("no value", Value::type_name);
    ctx.arg_error(i + 1, format!("{expected} expected, got {got}"))
}

/// Argument `i` (0-based), nil when absent.
pub(crate) fn arg(args: &[Value], i: usize) -> Value {
    args.get(i).cloned().unwrap_or_default()
}

pub(crate) fn check_any(
    ctx: &CallContext<'_>,
    args: &[Value],
    i: usize,
) -> Result<Value, LuaError> {
    args.get(i)
        .cloned()
        .ok_or_else(|| ctx.arg_error(i + 1, "value expected"))
}

pub(crate) fn check_str(
    ctx: &CallContext<'_>,
    args: &[Value],
    i: usize,
) -> Result<Rc<[u8]>, LuaError> {
    match args.get(i) {
        Some(v) => v
            .to_lua_string()
            .ok_or_else(|| type_error(ctx, i, "string", Some(v))),
        None => Err(type_error(ctx, i, "string", None)),
    }
}

pub(crate) fn opt_str(
    ctx: &CallContext<'_>,
    args: &[Value],
    i: usize,
    default: &[u8],
) -> Result<Rc<[u8]>, LuaError> {
    match args.get(i) {
        None | Some(Value::Nil) => Ok(Rc::from(default)),
        Some(_) => check_str(ctx, args, i),
    }
}

pub(crate) fn check_num(ctx: &CallContext<'_>, args: &[Value], i: usize) -> Result<f64, LuaError> {
    match args.get(i) {
        Some(v) => v
            .to_number()
            .ok_or_else(|| type_error(ctx, i, "number", Some(v))),
        None => Err(type_error(ctx, i, "number", None)),
    }
}

/// Lua 5.1 converts numbers to C integers by rounding to nearest (its x86 `lua_number2int`).
fn to_int(n: f64) -> i64 {
    let r = n.round_ties_even();
    if r.is_nan() { 0 } else { r as i64 }
}

pub(crate) fn check_int(ctx: &CallContext<'_>, args: &[Value], i: usize) -> Result<i64, LuaError> {
    check_num(ctx, args, i).map(to_int)
}

pub(crate) fn opt_int(
    ctx: &CallContext<'_>,
    args: &[Value],
    i: usize,
    default: i64,
) -> Result<i64, LuaError> {
    match args.get(i) {
        None | Some(Value::Nil) => Ok(default),
        Some(_) => check_int(ctx, args, i),
    }
}

pub(crate) fn check_table(
    ctx: &CallContext<'_>,
    args: &[Value],
    i: usize,
) -> Result<Table, LuaError> {
    match args.get(i) {
        Some(Value::Table(t)) => Ok(t.clone()),
        other => Err(type_error(ctx, i, "table", other)),
    }
}
