//! Metatables, indexing and operators, with Lua 5.1's coercions and error messages.

use crate::ast::BinOp;
use crate::table::Table;
use crate::value::Value;

use super::{At, CallContext, LResult, MAX_STRING_LEN, MAX_TAG_LOOP, first};

fn lua_mod(a: f64, b: f64) -> f64 {
    a - (a / b).floor() * b
}

pub(super) fn arith_op(op: BinOp, a: f64, b: f64) -> f64 {
    match op {
        BinOp::Add => a + b,
        BinOp::Sub => a - b,
        BinOp::Mul => a * b,
        BinOp::Div => a / b,
        BinOp::Mod => lua_mod(a, b),
        _ => a.powf(b),
    }
}

fn arith_event(op: BinOp) -> &'static str {
    match op {
        BinOp::Add => "__add",
        BinOp::Sub => "__sub",
        BinOp::Mul => "__mul",
        BinOp::Div => "__div",
        BinOp::Mod => "__mod",
        _ => "__pow",
    }
}

impl CallContext<'_> {
    // ---- metatables ----

    pub(crate) fn metatable_of(&self, v: &Value) -> Option<Table> {
        match v {
            Value::Table(t) => t.metatable(),
            Value::String(_) => Some(self.lua.string_meta.clone()),
            _ => None,
        }
    }

    pub(crate) fn metamethod(&self, v: &Value, event: &str) -> Option<Value> {
        match v {
            Value::Table(t) => t.meta_field(event),
            Value::String(_) => {
                let h = self.lua.string_meta.get_str(event);
                (!h.is_nil()).then_some(h)
            }
            _ => None,
        }
    }

    pub(crate) fn index_at(&mut self, obj: &Value, key: &Value, at: &At<'_>) -> LResult<Value> {
        if let Value::Table(t) = obj {
            let v = t.get(key);
            if !v.is_nil() || !t.has_metatable() {
                return Ok(v);
            }
        }
        let mut cur = obj.clone();
        let mut at = *at;
        for _ in 0..MAX_TAG_LOOP {
            let handler = match &cur {
                Value::Table(t) => {
                    let v = t.get(key);
                    if !v.is_nil() {
                        return Ok(v);
                    }
                    match t.meta_field("__index") {
                        Some(h) => h,
                        None => return Ok(Value::Nil),
                    }
                }
                other => match self.metamethod(other, "__index") {
                    Some(h) => h,
                    None => return Err(self.type_error(&at, "index", other)),
                },
            };
            if let Value::Function(_) = handler {
                return Ok(first(self.call_at(
                    handler,
                    vec![cur, key.clone()],
                    &at.anonymous(),
                )?));
            }
            cur = handler;
            at = at.anonymous();
        }
        Err(self.error_at(&at, "loop in gettable"))
    }

    pub(crate) fn set_index_at(
        &mut self,
        obj: &Value,
        key: Value,
        val: Value,
        at: &At<'_>,
    ) -> LResult<()> {
        let mut cur = obj.clone();
        let mut at = *at;
        for _ in 0..MAX_TAG_LOOP {
            let handler = match &cur {
                Value::Table(t) => {
                    if t.is_readonly() {
                        return Err(self.error_at(&at, "Attempt to modify a readonly table"));
                    }
                    let h = if t.has_metatable() {
                        t.meta_field("__newindex")
                    } else {
                        None
                    };
                    match h {
                        Some(h) if t.get(&key).is_nil() => h,
                        _ => {
                            return match t.raw_set(key, val) {
                                Ok(()) => Ok(()),
                                Err(msg) => Err(self.error_at(&at, msg)),
                            };
                        }
                    }
                }
                other => match self.metamethod(other, "__newindex") {
                    Some(h) => h,
                    None => return Err(self.type_error(&at, "index", other)),
                },
            };
            if let Value::Function(_) = handler {
                self.call_at(handler, vec![cur, key, val], &at.anonymous())?;
                return Ok(());
            }
            cur = handler;
            at = at.anonymous();
        }
        Err(self.error_at(&at, "loop in settable"))
    }

    /// Raw assignment that still honours Redis's read-only tables (like `lua_rawset`).
    pub(crate) fn raw_set_checked(&mut self, t: &Table, key: Value, val: Value) -> LResult<()> {
        if t.is_readonly() {
            return Err(self.error("Attempt to modify a readonly table"));
        }
        t.raw_set(key, val).map_err(|m| self.error(m))
    }

    // ---- operators ----

    pub(crate) fn arith(&mut self, op: BinOp, a: &Value, b: &Value, at: &At<'_>) -> LResult<Value> {
        if let (Some(x), Some(y)) = (a.to_number(), b.to_number()) {
            return Ok(Value::Number(arith_op(op, x, y)));
        }
        let event = arith_event(op);
        if let Some(h) = self
            .metamethod(a, event)
            .or_else(|| self.metamethod(b, event))
        {
            return Ok(first(self.call_at(
                h,
                vec![a.clone(), b.clone()],
                &at.anonymous(),
            )?));
        }
        if a.to_number().is_some() {
            Err(self.type_error(&at.second(), "perform arithmetic on", b))
        } else {
            Err(self.type_error(at, "perform arithmetic on", a))
        }
    }

    pub(super) fn negate(&mut self, v: Value, at: &At<'_>) -> LResult<Value> {
        if let Some(n) = v.to_number() {
            return Ok(Value::Number(-n));
        }
        if let Some(h) = self.metamethod(&v, "__unm") {
            return Ok(first(self.call_at(
                h,
                vec![v.clone(), v],
                &at.anonymous(),
            )?));
        }
        Err(self.type_error(at, "perform arithmetic on", &v))
    }

    pub(crate) fn concat(&mut self, a: Value, b: Value, at: &At<'_>) -> LResult<Value> {
        let is_str = |v: &Value| matches!(v, Value::String(_) | Value::Number(_));
        if is_str(&a) && is_str(&b) {
            let (x, y) = (
                a.to_lua_string().unwrap_or_default(),
                b.to_lua_string().unwrap_or_default(),
            );
            if x.len() + y.len() > MAX_STRING_LEN {
                return Err(self.error_at(at, "string length overflow"));
            }
            let mut out = Vec::with_capacity(x.len() + y.len());
            out.extend_from_slice(&x);
            out.extend_from_slice(&y);
            return Ok(Value::from(out));
        }
        if let Some(h) = self
            .metamethod(&a, "__concat")
            .or_else(|| self.metamethod(&b, "__concat"))
        {
            return Ok(first(self.call_at(h, vec![a, b], &at.anonymous())?));
        }
        if is_str(&a) {
            Err(self.type_error(&at.second(), "concatenate", &b))
        } else {
            Err(self.type_error(at, "concatenate", &a))
        }
    }

    pub(super) fn length(&mut self, v: Value, at: &At<'_>) -> LResult<Value> {
        match &v {
            Value::String(s) => Ok(Value::Number(s.len() as f64)),
            Value::Table(t) => Ok(Value::Number(t.len() as f64)),
            _ => match self.metamethod(&v, "__len") {
                Some(h) => Ok(first(self.call_at(h, vec![v], &at.anonymous())?)),
                None => Err(self.type_error(at, "get length of", &v)),
            },
        }
    }

    /// A comparison metamethod usable for both operands (Lua 5.1 requires the same one).
    pub(super) fn order_metamethod(&self, a: &Value, b: &Value, event: &str) -> Option<Value> {
        if a.type_name() != b.type_name() {
            return None;
        }
        let h1 = self.metamethod(a, event)?;
        let h2 = self.metamethod(b, event)?;
        h1.raw_equals(&h2).then_some(h1)
    }

    pub(crate) fn equals(&mut self, a: &Value, b: &Value, at: &At<'_>) -> LResult<bool> {
        if a.raw_equals(b) {
            return Ok(true);
        }
        if let (Value::Table(_), Value::Table(_)) = (a, b)
            && let Some(h) = self.order_metamethod(a, b, "__eq")
        {
            return Ok(
                first(self.call_at(h, vec![a.clone(), b.clone()], &at.anonymous())?).truthy(),
            );
        }
        Ok(false)
    }

    pub(crate) fn less_than(&mut self, a: &Value, b: &Value, at: &At<'_>) -> LResult<bool> {
        match (a, b) {
            (Value::Number(x), Value::Number(y)) => Ok(x < y),
            (Value::String(x), Value::String(y)) => Ok(x < y),
            _ => match self.order_metamethod(a, b, "__lt") {
                Some(h) => {
                    Ok(
                        first(self.call_at(h, vec![a.clone(), b.clone()], &at.anonymous())?)
                            .truthy(),
                    )
                }
                None => Err(self.compare_error(at, a, b)),
            },
        }
    }

    pub(super) fn less_equal(&mut self, a: &Value, b: &Value, at: &At<'_>) -> LResult<bool> {
        match (a, b) {
            (Value::Number(x), Value::Number(y)) => Ok(x <= y),
            (Value::String(x), Value::String(y)) => Ok(x <= y),
            _ => {
                if let Some(h) = self.order_metamethod(a, b, "__le") {
                    let r = self.call_at(h, vec![a.clone(), b.clone()], &at.anonymous())?;
                    return Ok(first(r).truthy());
                }
                if let Some(h) = self.order_metamethod(a, b, "__lt") {
                    let r = self.call_at(h, vec![b.clone(), a.clone()], &at.anonymous())?;
                    return Ok(!first(r).truthy());
                }
                Err(self.compare_error(at, a, b))
            }
        }
    }

    pub(super) fn binop_slow(
        &mut self,
        op: BinOp,
        l: Value,
        r: Value,
        at: &At<'_>,
    ) -> LResult<Value> {
        Ok(match op {
            BinOp::Concat => return self.concat(l, r, at),
            BinOp::Eq => Value::Boolean(self.equals(&l, &r, at)?),
            BinOp::Ne => Value::Boolean(!self.equals(&l, &r, at)?),
            BinOp::Lt => Value::Boolean(self.less_than(&l, &r, at)?),
            BinOp::Le => Value::Boolean(self.less_equal(&l, &r, at)?),
            // Lua 5.1 evaluates `a > b` as `b < a`, which shows in error messages.
            BinOp::Gt => Value::Boolean(self.less_than(&r, &l, &at.swapped())?),
            BinOp::Ge => Value::Boolean(self.less_equal(&r, &l, &at.swapped())?),
            _ => return self.arith(op, &l, &r, at),
        })
    }
}
