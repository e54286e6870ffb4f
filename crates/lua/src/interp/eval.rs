//! Expression evaluation.

use crate::ast::{BinOp, Call, Expr, MethodCall, TableCons, TableItem};
use crate::table::Table;
use crate::value::Value;

use super::frame::Frame;
use super::ops::arith_op;
use super::{At, CallContext, LResult, first};

impl CallContext<'_> {
    // ---- expressions ----

    pub(super) fn eval(&mut self, e: &Expr, fr: &mut Frame<'_>) -> LResult<Value> {
        match e {
            Expr::Local(v) => Ok(fr.get(*v)),
            Expr::Num(n) => Ok(Value::Number(*n)),
            Expr::Str(s) => Ok(s.clone()),
            Expr::Nil => Ok(Value::Nil),
            Expr::True => Ok(Value::Boolean(true)),
            Expr::False => Ok(Value::Boolean(false)),
            Expr::Upval(i) => Ok(fr.upval(*i)),
            Expr::Vararg => Ok(fr.varargs.first().cloned().unwrap_or_default()),
            Expr::Bin(op, b, line) => self.eval_bin(*op, b, *line, fr),
            Expr::Global(name, line) => self.eval_global(e, name, *line, fr),
            Expr::Index(b, line) => self.eval_index(b, *line, fr),
            Expr::Call(_) | Expr::Method(_) => self.eval_first(e, fr),
            Expr::Function(p) => Ok(Value::Function(self.make_closure(p, fr))),
            Expr::And(b) => self.eval_and_or(b, true, fr),
            Expr::Or(b) => self.eval_and_or(b, false, fr),
            Expr::Not(x) => self.eval_not(x, fr),
            Expr::Neg(x, line) => self.eval_neg(x, *line, fr),
            Expr::Len(x, line) => self.eval_len(x, *line, fr),
            Expr::Table(t) => self.eval_table(t, fr),
            Expr::Paren(x) => self.eval(x, fr),
        }
    }

    pub(super) fn eval_global(
        &mut self,
        e: &Expr,
        name: &Value,
        line: u32,
        fr: &mut Frame<'_>,
    ) -> LResult<Value> {
        self.get_global(name, &At::new(fr.proto(), line, Some(e)))
    }

    pub(super) fn eval_index(
        &mut self,
        b: &(Expr, Expr),
        line: u32,
        fr: &mut Frame<'_>,
    ) -> LResult<Value> {
        let proto = fr.proto();
        let o = self.eval(&b.0, fr)?;
        let k = self.eval(&b.1, fr)?;
        self.index_at(&o, &k, &At::new(proto, line, Some(&b.0)))
    }

    pub(super) fn eval_first(&mut self, e: &Expr, fr: &mut Frame<'_>) -> LResult<Value> {
        Ok(first(self.eval_multi_values(e, fr)?))
    }

    pub(super) fn eval_and_or(
        &mut self,
        b: &(Expr, Expr),
        is_and: bool,
        fr: &mut Frame<'_>,
    ) -> LResult<Value> {
        let l = self.eval(&b.0, fr)?;
        if l.truthy() != is_and {
            return Ok(l);
        }
        self.eval(&b.1, fr)
    }

    pub(super) fn eval_not(&mut self, x: &Expr, fr: &mut Frame<'_>) -> LResult<Value> {
        Ok(Value::Boolean(!self.eval(x, fr)?.truthy()))
    }

    pub(super) fn eval_neg(&mut self, x: &Expr, line: u32, fr: &mut Frame<'_>) -> LResult<Value> {
        match self.eval(x, fr)? {
            Value::Number(n) => Ok(Value::Number(-n)),
            other => self.negate(other, &At::new(fr.proto(), line, Some(x))),
        }
    }

    pub(super) fn eval_len(&mut self, x: &Expr, line: u32, fr: &mut Frame<'_>) -> LResult<Value> {
        let v = self.eval(x, fr)?;
        self.length(v, &At::new(fr.proto(), line, Some(x)))
    }

    pub(super) fn eval_bin(
        &mut self,
        op: BinOp,
        b: &(Expr, Expr),
        line: u32,
        fr: &mut Frame<'_>,
    ) -> LResult<Value> {
        let l = self.eval(&b.0, fr)?;
        let r = self.eval(&b.1, fr)?;
        if let (Value::Number(x), Value::Number(y)) = (&l, &r) {
            let (x, y) = (*x, *y);
            match op {
                BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Mod | BinOp::Pow => {
                    return Ok(Value::Number(arith_op(op, x, y)));
                }
                BinOp::Eq => return Ok(Value::Boolean(x == y)),
                BinOp::Ne => return Ok(Value::Boolean(x != y)),
                BinOp::Lt => return Ok(Value::Boolean(x < y)),
                BinOp::Le => return Ok(Value::Boolean(x <= y)),
                BinOp::Gt => return Ok(Value::Boolean(x > y)),
                BinOp::Ge => return Ok(Value::Boolean(x >= y)),
                BinOp::Concat => {}
            }
        }
        self.binop_slow(op, l, r, &At::bin(fr.proto(), line, &b.0, &b.1))
    }

    pub(super) fn eval_table(&mut self, t: &TableCons, fr: &mut Frame<'_>) -> LResult<Value> {
        let mut array = Vec::new();
        let mut keyed = Vec::new();
        let last = t.items.len().saturating_sub(1);
        for (i, item) in t.items.iter().enumerate() {
            match item {
                TableItem::Positional(e) if i == last && e.is_multi() => {
                    self.eval_multi_into(e, fr, &mut array)?
                }
                TableItem::Positional(e) => array.push(self.eval(e, fr)?),
                TableItem::Keyed(k, v) => {
                    let k = self.eval(k, fr)?;
                    let v = self.eval(v, fr)?;
                    keyed.push((k, v));
                }
            }
        }
        let positional = array.len();
        let table = Table::from_array(array);
        for (k, v) in keyed {
            // Lua stores positional items last, so they win over explicit integer keys.
            if let Value::Number(n) = k
                && n >= 1.0
                && n <= positional as f64
                && n.fract() == 0.0
            {
                continue;
            }
            if let Err(msg) = table.raw_set(k, v) {
                return Err(self.error_at(&At::new(fr.proto(), t.line, None), msg));
            }
        }
        Ok(Value::Table(table))
    }

    /// Evaluates a call (or method call) expression to all its results.
    pub(super) fn eval_multi_values(
        &mut self,
        e: &Expr,
        fr: &mut Frame<'_>,
    ) -> LResult<Vec<Value>> {
        match e {
            Expr::Call(c) => self.eval_call(c, fr),
            Expr::Method(m) => self.eval_method(m, e, fr),
            Expr::Vararg => Ok(fr.varargs.clone()),
            other => Ok(vec![self.eval(other, fr)?]),
        }
    }

    pub(super) fn eval_call(&mut self, c: &Call, fr: &mut Frame<'_>) -> LResult<Vec<Value>> {
        let proto = fr.proto();
        let f = self.eval(&c.func, fr)?;
        let args = self.eval_args(&c.args, fr)?;
        self.call_at(f, args, &At::new(proto, c.line, Some(&c.func)))
    }

    pub(super) fn eval_method(
        &mut self,
        m: &MethodCall,
        e: &Expr,
        fr: &mut Frame<'_>,
    ) -> LResult<Vec<Value>> {
        let proto = fr.proto();
        let obj = self.eval(&m.obj, fr)?;
        let f = self.index_at(&obj, &m.name, &At::new(proto, m.line, Some(&m.obj)))?;
        let mut args = Vec::with_capacity(m.args.len() + 1);
        args.push(obj);
        self.eval_args_into(&m.args, fr, &mut args)?;
        self.call_at(f, args, &At::new(proto, m.line, Some(e)))
    }

    pub(super) fn eval_multi_into(
        &mut self,
        e: &Expr,
        fr: &mut Frame<'_>,
        out: &mut Vec<Value>,
    ) -> LResult<()> {
        match e {
            Expr::Vararg => out.extend_from_slice(&fr.varargs),
            _ => {
                let values = self.eval_multi_values(e, fr)?;
                if out.is_empty() {
                    *out = values;
                } else {
                    out.extend(values);
                }
            }
        }
        Ok(())
    }

    pub(super) fn eval_args_into(
        &mut self,
        exprs: &[Expr],
        fr: &mut Frame<'_>,
        out: &mut Vec<Value>,
    ) -> LResult<()> {
        let Some((last, init)) = exprs.split_last() else {
            return Ok(());
        };
        for e in init {
            out.push(self.eval(e, fr)?);
        }
        if last.is_multi() {
            self.eval_multi_into(last, fr, out)
        } else {
            out.push(self.eval(last, fr)?);
            Ok(())
        }
    }

    /// Evaluates an expression list, expanding a trailing call or `...`.
    pub(super) fn eval_args(&mut self, exprs: &[Expr], fr: &mut Frame<'_>) -> LResult<Vec<Value>> {
        let mut out = Vec::with_capacity(exprs.len());
        self.eval_args_into(exprs, fr, &mut out)?;
        Ok(out)
    }

    /// Evaluates an expression list adjusted to exactly `want` values.
    pub(super) fn eval_list(
        &mut self,
        exprs: &[Expr],
        want: usize,
        fr: &mut Frame<'_>,
    ) -> LResult<Vec<Value>> {
        let mut values = self.eval_args(exprs, fr)?;
        values.resize(want, Value::Nil);
        Ok(values)
    }
}
