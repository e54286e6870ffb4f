//! Statement execution.

use std::rc::Rc;

use crate::ast::{Expr, GenFor, NumFor, Proto, Stmt, Target, VarId};
use crate::value::Value;

use super::frame::{Flow, Frame};
use super::{At, CallContext, LResult};

/// A pre-evaluated assignment target of a multiple assignment.
enum Place<'p> {
    Simple(&'p Target),
    Index(Value, Value, &'p Expr, u32),
}

impl CallContext<'_> {
    // ---- statements ----

    pub(super) fn exec_block(&mut self, block: &[Stmt], fr: &mut Frame<'_>) -> LResult<Flow> {
        for s in block {
            match self.exec(s, fr)? {
                Flow::Normal => {}
                other => return Ok(other),
            }
        }
        Ok(Flow::Normal)
    }

    // Dispatchers stay tiny and delegate every non-trivial case: in unoptimised builds each
    // match arm's temporaries get their own stack slots, and these functions sit on the stack
    // once per nested Lua call.
    pub(super) fn exec(&mut self, s: &Stmt, fr: &mut Frame<'_>) -> LResult<Flow> {
        match s {
            Stmt::Call(e) => self.exec_call(e, fr),
            Stmt::Local { vars, exprs } => self.exec_local(vars, exprs, fr),
            Stmt::LocalFunction { var, proto } => self.exec_local_function(*var, proto, fr),
            Stmt::Assign { targets, exprs } => self.exec_assign(targets, exprs, fr),
            Stmt::Do(body) => self.exec_block(body, fr),
            Stmt::While { cond, body, line } => self.exec_while(cond, body, *line, fr),
            Stmt::Repeat { body, cond, line } => self.exec_repeat(body, cond, *line, fr),
            Stmt::If { arms, otherwise } => self.exec_if(arms, otherwise.as_deref(), fr),
            Stmt::NumFor(f) => self.exec_num_for(f, fr),
            Stmt::GenFor(f) => self.exec_gen_for(f, fr),
            Stmt::Return(exprs) => self.exec_return(exprs, fr),
            Stmt::Break => Ok(Flow::Break),
        }
    }

    pub(super) fn exec_call(&mut self, e: &Expr, fr: &mut Frame<'_>) -> LResult<Flow> {
        self.eval_multi_values(e, fr)?;
        Ok(Flow::Normal)
    }

    pub(super) fn exec_return(&mut self, exprs: &[Expr], fr: &mut Frame<'_>) -> LResult<Flow> {
        Ok(Flow::Return(self.eval_args(exprs, fr)?))
    }

    pub(super) fn exec_local_function(
        &mut self,
        var: VarId,
        proto: &Rc<Proto>,
        fr: &mut Frame<'_>,
    ) -> LResult<Flow> {
        // The variable exists before the closure is made, so the function can call itself.
        fr.init(var, Value::Nil);
        let f = self.make_closure(proto, fr);
        fr.set(var, Value::Function(f));
        Ok(Flow::Normal)
    }

    pub(super) fn exec_while(
        &mut self,
        cond: &Expr,
        body: &[Stmt],
        line: u32,
        fr: &mut Frame<'_>,
    ) -> LResult<Flow> {
        loop {
            self.tick_at(fr.proto(), line)?;
            if !self.eval(cond, fr)?.truthy() {
                return Ok(Flow::Normal);
            }
            match self.exec_block(body, fr)? {
                Flow::Break => return Ok(Flow::Normal),
                Flow::Normal => {}
                ret => return Ok(ret),
            }
        }
    }

    pub(super) fn exec_repeat(
        &mut self,
        body: &[Stmt],
        cond: &Expr,
        line: u32,
        fr: &mut Frame<'_>,
    ) -> LResult<Flow> {
        loop {
            self.tick_at(fr.proto(), line)?;
            match self.exec_block(body, fr)? {
                Flow::Break => return Ok(Flow::Normal),
                Flow::Normal => {}
                ret => return Ok(ret),
            }
            if self.eval(cond, fr)?.truthy() {
                return Ok(Flow::Normal);
            }
        }
    }

    pub(super) fn exec_if(
        &mut self,
        arms: &[(Expr, Vec<Stmt>)],
        otherwise: Option<&[Stmt]>,
        fr: &mut Frame<'_>,
    ) -> LResult<Flow> {
        for (cond, body) in arms {
            if self.eval(cond, fr)?.truthy() {
                return self.exec_block(body, fr);
            }
        }
        match otherwise {
            Some(body) => self.exec_block(body, fr),
            None => Ok(Flow::Normal),
        }
    }

    pub(super) fn exec_local(
        &mut self,
        vars: &[VarId],
        exprs: &[Expr],
        fr: &mut Frame<'_>,
    ) -> LResult<Flow> {
        if let ([var], [e]) = (vars, exprs) {
            let v = self.eval(e, fr)?;
            fr.init(*var, v);
        } else {
            let values = self.eval_list(exprs, vars.len(), fr)?;
            for (var, v) in vars.iter().zip(values) {
                fr.init(*var, v);
            }
        }
        Ok(Flow::Normal)
    }

    pub(super) fn set_global(&mut self, name: &Value, v: Value, at: &At<'_>) -> LResult<()> {
        let env = self.lua.env_table();
        if !env.is_readonly() && !env.has_metatable() {
            return env
                .raw_set(name.clone(), v)
                .map_err(|m| self.error_at(at, m));
        }
        let env = Value::Table(env.clone());
        self.set_index_at(&env, name.clone(), v, at)
    }

    pub(super) fn get_global(&mut self, name: &Value, at: &At<'_>) -> LResult<Value> {
        let env = self.lua.env_table();
        let v = env.get(name);
        if !v.is_nil() || !env.has_metatable() {
            return Ok(v);
        }
        let env = Value::Table(env.clone());
        self.index_at(&env, name, at)
    }

    pub(super) fn assign_simple(
        &mut self,
        target: &Target,
        v: Value,
        fr: &mut Frame<'_>,
    ) -> LResult<()> {
        match target {
            Target::Local(var) => fr.set(*var, v),
            Target::Upval(i) => fr.set_upval(*i, v),
            Target::Global(name, line) => {
                let at = At::new(fr.proto(), *line, None);
                self.set_global(name, v, &at)?;
            }
            Target::Index(obj, key, line) => {
                let proto = fr.proto();
                let o = self.eval(obj, fr)?;
                let k = self.eval(key, fr)?;
                self.set_index_at(&o, k, v, &At::new(proto, *line, Some(obj)))?;
            }
        }
        Ok(())
    }

    pub(super) fn exec_assign(
        &mut self,
        targets: &[Target],
        exprs: &[Expr],
        fr: &mut Frame<'_>,
    ) -> LResult<Flow> {
        match (targets, exprs) {
            ([Target::Local(var)], [e]) => {
                let v = self.eval(e, fr)?;
                fr.set(*var, v);
            }
            ([Target::Index(obj, key, line)], [e]) => self.assign_index(obj, key, *line, e, fr)?,
            ([target], [e]) => {
                let v = self.eval(e, fr)?;
                self.assign_simple(target, v, fr)?;
            }
            _ => self.assign_multiple(targets, exprs, fr)?,
        }
        Ok(Flow::Normal)
    }

    pub(super) fn assign_index(
        &mut self,
        obj: &Expr,
        key: &Expr,
        line: u32,
        e: &Expr,
        fr: &mut Frame<'_>,
    ) -> LResult<()> {
        let proto = fr.proto();
        // Lua evaluates the table and key before the value.
        let o = self.eval(obj, fr)?;
        let k = self.eval(key, fr)?;
        let v = self.eval(e, fr)?;
        self.set_index_at(&o, k, v, &At::new(proto, line, Some(obj)))
    }

    pub(super) fn assign_multiple(
        &mut self,
        targets: &[Target],
        exprs: &[Expr],
        fr: &mut Frame<'_>,
    ) -> LResult<()> {
        let proto = fr.proto();
        let mut places = Vec::with_capacity(targets.len());
        for t in targets {
            places.push(match t {
                Target::Index(obj, key, line) => {
                    let o = self.eval(obj, fr)?;
                    let k = self.eval(key, fr)?;
                    Place::Index(o, k, obj, *line)
                }
                other => Place::Simple(other),
            });
        }
        let values = self.eval_list(exprs, targets.len(), fr)?;
        for (place, v) in places.into_iter().zip(values).rev() {
            match place {
                Place::Simple(t) => self.assign_simple(t, v, fr)?,
                Place::Index(o, k, obj, line) => {
                    self.set_index_at(&o, k, v, &At::new(proto, line, Some(obj)))?
                }
            }
        }
        Ok(())
    }

    pub(super) fn exec_num_for(&mut self, f: &NumFor, fr: &mut Frame<'_>) -> LResult<Flow> {
        let at = At::new(fr.proto(), f.line, None);
        let start = self.eval(&f.start, fr)?.to_number();
        let Some(start) = start else {
            return Err(self.error_at(&at, "'for' initial value must be a number"));
        };
        let Some(limit) = self.eval(&f.limit, fr)?.to_number() else {
            return Err(self.error_at(&at, "'for' limit must be a number"));
        };
        let step = match &f.step {
            Some(e) => match self.eval(e, fr)?.to_number() {
                Some(s) => s,
                None => return Err(self.error_at(&at, "'for' step must be a number")),
            },
            None => 1.0,
        };
        let mut i = start;
        while if step > 0.0 { i <= limit } else { limit <= i } {
            self.tick_at(fr.proto(), f.line)?;
            fr.init(f.var, Value::Number(i));
            match self.exec_block(&f.body, fr)? {
                Flow::Break => break,
                Flow::Return(v) => return Ok(Flow::Return(v)),
                Flow::Normal => {}
            }
            i += step;
        }
        Ok(Flow::Normal)
    }

    pub(super) fn exec_gen_for(&mut self, f: &GenFor, fr: &mut Frame<'_>) -> LResult<Flow> {
        let at = At::new(fr.proto(), f.line, None);
        let mut init = self.eval_list(&f.exprs, 3, fr)?.into_iter();
        let func = init.next().unwrap_or_default();
        let state = init.next().unwrap_or_default();
        let mut control = init.next().unwrap_or_default();
        loop {
            self.tick_at(fr.proto(), f.line)?;
            let mut results =
                self.call_at(func.clone(), vec![state.clone(), control.clone()], &at)?;
            let head = results.first().cloned().unwrap_or_default();
            if head.is_nil() {
                break;
            }
            control = head;
            results.resize(f.vars.len(), Value::Nil);
            for (var, v) in f.vars.iter().zip(results) {
                fr.init(*var, v);
            }
            match self.exec_block(&f.body, fr)? {
                Flow::Break => break,
                Flow::Return(v) => return Ok(Flow::Return(v)),
                Flow::Normal => {}
            }
        }
        Ok(Flow::Normal)
    }
}
