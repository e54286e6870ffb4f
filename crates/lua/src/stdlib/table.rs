//! The `table` library.

use crate::error::LuaError;
use crate::interp::{At, CallContext, MAX_STRING_LEN};
use crate::table::Table;
use crate::value::Value;

use super::{NativeResult, check_int, check_table, opt_int, opt_str, register};

pub(super) fn open(t: &Table) {
    register(t, "insert", insert);
    register(t, "remove", remove);
    register(t, "concat", concat);
    register(t, "sort", sort);
    register(t, "getn", |ctx, args| {
        Ok(vec![
            Value::Number(check_table(ctx, &args, 0)?.len() as f64),
        ])
    });
    register(t, "maxn", |ctx, args| {
        let t = check_table(ctx, &args, 0)?;
        let max = t
            .pairs()
            .iter()
            .filter_map(|(k, _)| k.as_number())
            .fold(0.0, f64::max);
        Ok(vec![Value::Number(max)])
    });
    register(t, "unpack", super::base::unpack);
}

fn num(i: i64) -> Value {
    Value::Number(i as f64)
}

fn insert(ctx: &mut CallContext<'_>, args: Vec<Value>) -> NativeResult {
    let t = check_table(ctx, &args, 0)?;
    let mut e = t.len() as i64 + 1;
    match args.len() {
        2 => ctx.raw_set_checked(&t, num(e), args[1].clone())?,
        3 => {
            let pos = check_int(ctx, &args, 1)?;
            e = e.max(pos);
            let mut i = e;
            while i > pos {
                ctx.tick()?;
                let v = t.get_int(i - 1);
                ctx.raw_set_checked(&t, num(i), v)?;
                i -= 1;
            }
            ctx.raw_set_checked(&t, num(pos), args[2].clone())?;
        }
        _ => return Err(ctx.error("wrong number of arguments to 'insert'")),
    }
    Ok(Vec::new())
}

fn remove(ctx: &mut CallContext<'_>, args: Vec<Value>) -> NativeResult {
    let t = check_table(ctx, &args, 0)?;
    let e = t.len() as i64;
    let mut pos = opt_int(ctx, &args, 1, e)?;
    if !(1 <= pos && pos <= e) {
        return Ok(Vec::new());
    }
    let removed = t.get_int(pos);
    while pos < e {
        let next = t.get_int(pos + 1);
        ctx.raw_set_checked(&t, num(pos), next)?;
        pos += 1;
    }
    ctx.raw_set_checked(&t, num(e), Value::Nil)?;
    Ok(vec![removed])
}

fn concat(ctx: &mut CallContext<'_>, args: Vec<Value>) -> NativeResult {
    let t = check_table(ctx, &args, 0)?;
    let sep = opt_str(ctx, &args, 1, b"")?;
    let i = opt_int(ctx, &args, 2, 1)?;
    let j = match args.get(3) {
        None | Some(Value::Nil) => t.len() as i64,
        Some(_) => check_int(ctx, &args, 3)?,
    };
    let mut out = Vec::new();
    for k in i..=j {
        match t.get_int(k).to_lua_string() {
            Some(s) => out.extend_from_slice(&s),
            None => {
                return Err(ctx.error(format!(
                    "invalid value (at index {k}) in table for 'concat'"
                )));
            }
        }
        if k < j {
            out.extend_from_slice(&sep);
        }
        if out.len() > MAX_STRING_LEN {
            return Err(ctx.error("resulting string too large"));
        }
    }
    Ok(vec![Value::from(out)])
}

/// Lua 5.1's quicksort (`auxsort`), over a copy of the array, so that an inconsistent comparator
/// yields `invalid order function for sorting` instead of misbehaving.
struct Sorter<'c, 'a> {
    ctx: &'c mut CallContext<'a>,
    comp: Option<Value>,
    a: Vec<Value>,
}

impl Sorter<'_, '_> {
    fn lt(&mut self, x: &Value, y: &Value) -> Result<bool, LuaError> {
        match &self.comp {
            Some(f) => {
                let f = f.clone();
                let r = self.ctx.call(&f, vec![x.clone(), y.clone()])?;
                Ok(r.first().is_some_and(Value::truthy))
            }
            None => self.ctx.less_than(x, y, &At::NATIVE),
        }
    }

    fn lt_idx(&mut self, i: usize, j: usize) -> Result<bool, LuaError> {
        let (x, y) = (self.a[i].clone(), self.a[j].clone());
        self.lt(&x, &y)
    }

    fn invalid(&self) -> LuaError {
        self.ctx.error("invalid order function for sorting")
    }

    fn sort(&mut self, mut lo: usize, mut up: usize) -> Result<(), LuaError> {
        while lo < up {
            self.ctx.tick()?;
            if self.lt_idx(up, lo)? {
                self.a.swap(lo, up);
            }
            if up - lo == 1 {
                break;
            }
            let mut i = lo + (up - lo) / 2;
            if self.lt_idx(i, lo)? {
                self.a.swap(i, lo);
            } else if self.lt_idx(up, i)? {
                self.a.swap(i, up);
            }
            if up - lo == 2 {
                break;
            }
            let pivot = self.a[i].clone();
            self.a.swap(i, up - 1);
            // Now a[lo] <= pivot == a[up-1] <= a[up]; partition lo+1 ..= up-2.
            i = lo;
            let mut j = up - 1;
            loop {
                loop {
                    i += 1;
                    if i > up {
                        return Err(self.invalid());
                    }
                    let x = self.a[i].clone();
                    if !self.lt(&x, &pivot)? {
                        break;
                    }
                }
                loop {
                    if j <= lo {
                        return Err(self.invalid());
                    }
                    j -= 1;
                    let y = self.a[j].clone();
                    if !self.lt(&pivot, &y)? {
                        break;
                    }
                }
                if j < i {
                    break;
                }
                self.a.swap(i, j);
            }
            self.a.swap(up - 1, i);
            // Recurse into the smaller part and loop on the larger one, bounding the depth.
            if i - lo < up - i {
                let (a, b) = (lo, i - 1);
                lo = i + 1;
                self.sort(a, b)?;
            } else {
                let (a, b) = (i + 1, up);
                up = i - 1;
                self.sort(a, b)?;
            }
        }
        Ok(())
    }
}

fn sort(ctx: &mut CallContext<'_>, args: Vec<Value>) -> NativeResult {
    let t = check_table(ctx, &args, 0)?;
    let comp = match args.get(1) {
        None | Some(Value::Nil) => None,
        Some(f @ Value::Function(_)) => Some(f.clone()),
        Some(other) => {
            return Err(ctx.arg_error(2, format!("function expected, got {}", other.type_name())));
        }
    };
    let n = t.len();
    if n < 2 {
        return Ok(Vec::new());
    }
    let a = (1..=n as i64).map(|i| t.get_int(i)).collect();
    let sorted = {
        let mut sorter = Sorter {
            ctx: &mut *ctx,
            comp,
            a,
        };
        sorter.sort(0, n - 1)?;
        sorter.a
    };
    for (i, v) in sorted.into_iter().enumerate() {
        ctx.raw_set_checked(&t, Value::Number((i + 1) as f64), v)?;
    }
    Ok(Vec::new())
}
