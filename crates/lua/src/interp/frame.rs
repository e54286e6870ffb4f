//! Function activations: registers for plain locals, shared cells for captured ones.

use std::cell::RefCell;
use std::rc::Rc;

use crate::ast::{Proto, VarId};
use crate::function::LuaClosure;
use crate::value::Value;

/// How a statement finished.
pub(super) enum Flow {
    Normal,
    Break,
    Return(Vec<Value>),
}

/// A function activation: registers for plain locals, cells for captured ones.
pub(super) struct Frame<'f> {
    pub(super) regs: Vec<Value>,
    pub(super) cells: Vec<Option<Rc<RefCell<Value>>>>,
    pub(super) varargs: Vec<Value>,
    pub(super) closure: &'f LuaClosure,
}

impl<'f> Frame<'f> {
    /// A new activation of `closure` with its parameters bound to `args`.
    pub(super) fn enter(closure: &'f LuaClosure, mut args: Vec<Value>) -> Frame<'f> {
        let proto = &*closure.proto;
        let mut fr = Frame {
            regs: vec![Value::Nil; proto.num_slots],
            cells: if proto.has_cells {
                vec![None; proto.num_slots]
            } else {
                Vec::new()
            },
            varargs: Vec::new(),
            closure,
        };
        let nparams = proto.num_params;
        if args.len() > nparams {
            if proto.is_vararg {
                fr.varargs = args.split_off(nparams);
            } else {
                args.truncate(nparams);
            }
        }
        let given = args.len();
        for (i, a) in args.into_iter().enumerate() {
            fr.init(i as VarId, a);
        }
        for i in given..nparams {
            fr.init(i as VarId, Value::Nil);
        }
        fr
    }

    pub(super) fn proto(&self) -> &'f Proto {
        let c: &'f LuaClosure = self.closure;
        &c.proto
    }

    /// Starts a new variable: captured ones get a fresh cell, so closures made in earlier loop
    /// iterations keep their own copy.
    pub(super) fn init(&mut self, var: VarId, v: Value) {
        let Some(info) = self.closure.proto.vars.get(usize::from(var)) else {
            return;
        };
        let slot = usize::from(info.slot);
        if info.captured {
            if let Some(c) = self.cells.get_mut(slot) {
                *c = Some(Rc::new(RefCell::new(v)));
            }
        } else if let Some(r) = self.regs.get_mut(slot) {
            *r = v;
        }
    }

    pub(super) fn set(&mut self, var: VarId, v: Value) {
        let Some(info) = self.closure.proto.vars.get(usize::from(var)) else {
            return;
        };
        let slot = usize::from(info.slot);
        if info.captured {
            match self.cells.get(slot) {
                Some(Some(cell)) => *cell.borrow_mut() = v,
                _ => self.init(var, v),
            }
        } else if let Some(r) = self.regs.get_mut(slot) {
            *r = v;
        }
    }

    pub(super) fn get(&self, var: VarId) -> Value {
        let Some(info) = self.closure.proto.vars.get(usize::from(var)) else {
            return Value::Nil;
        };
        let slot = usize::from(info.slot);
        if info.captured {
            match self.cells.get(slot) {
                Some(Some(cell)) => cell.borrow().clone(),
                _ => Value::Nil,
            }
        } else {
            self.regs.get(slot).cloned().unwrap_or_default()
        }
    }

    pub(super) fn cell(&mut self, var: VarId) -> Rc<RefCell<Value>> {
        let slot = self
            .closure
            .proto
            .vars
            .get(usize::from(var))
            .map_or(0, |i| usize::from(i.slot));
        match self.cells.get(slot) {
            Some(Some(cell)) => cell.clone(),
            _ => {
                let cell = Rc::new(RefCell::new(Value::Nil));
                if let Some(c) = self.cells.get_mut(slot) {
                    *c = Some(cell.clone());
                }
                cell
            }
        }
    }

    pub(super) fn upval(&self, i: u16) -> Value {
        self.closure
            .upvals
            .get(usize::from(i))
            .map(|c| c.borrow().clone())
            .unwrap_or_default()
    }

    pub(super) fn set_upval(&self, i: u16, v: Value) {
        if let Some(c) = self.closure.upvals.get(usize::from(i)) {
            *c.borrow_mut() = v;
        }
    }
}
