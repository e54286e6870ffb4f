//! Function values: Lua closures and native (Rust) functions.

use std::cell::RefCell;
use std::fmt;
use std::rc::Rc;

use crate::ast::Proto;
use crate::error::LuaError;
use crate::interp::CallContext;
use crate::value::Value;

/// The signature of a native function: it gets the running interpreter (to call back into Lua, reach
/// the host, or raise positioned errors) and its arguments, and returns its results.
pub type NativeFn = Rc<dyn Fn(&mut CallContext<'_>, Vec<Value>) -> Result<Vec<Value>, LuaError>>;

/// A callable value. Cloning is cheap (a reference count); clones are the same function for
/// `==` and as table keys.
#[derive(Clone)]
pub struct Function(pub(crate) Rc<FuncKind>);

pub(crate) enum FuncKind {
    Lua(LuaClosure),
    Native(Native),
}

/// A compiled Lua function plus the variables it captured from enclosing functions.
pub(crate) struct LuaClosure {
    pub(crate) proto: Rc<Proto>,
    /// Captured variables are shared cells, so writes are seen by every closure holding them.
    pub(crate) upvals: Vec<Rc<RefCell<Value>>>,
}

pub(crate) struct Native {
    pub(crate) name: Rc<str>,
    pub(crate) f: NativeFn,
}

impl Function {
    /// Wraps a Rust closure as a Lua function. `name` is used in error messages such as
    /// `bad argument #1 to 'name'`.
    pub fn native(
        name: &str,
        f: impl Fn(&mut CallContext<'_>, Vec<Value>) -> Result<Vec<Value>, LuaError> + 'static,
    ) -> Function {
        Function(Rc::new(FuncKind::Native(Native {
            name: Rc::from(name),
            f: Rc::new(f),
        })))
    }

    /// Wraps an already shared native function.
    pub fn from_native_fn(name: &str, f: NativeFn) -> Function {
        Function(Rc::new(FuncKind::Native(Native {
            name: Rc::from(name),
            f,
        })))
    }

    pub(crate) fn lua(proto: Rc<Proto>, upvals: Vec<Rc<RefCell<Value>>>) -> Function {
        Function(Rc::new(FuncKind::Lua(LuaClosure { proto, upvals })))
    }

    /// Whether both handles refer to the same function.
    pub fn ptr_eq(&self, other: &Function) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }

    /// A stable identity for the lifetime of the function (its address), as `tostring` shows it.
    pub fn id(&self) -> usize {
        Rc::as_ptr(&self.0) as *const u8 as usize
    }

    /// Whether this is a native function rather than a Lua closure.
    pub fn is_native(&self) -> bool {
        matches!(*self.0, FuncKind::Native(_))
    }
}

impl fmt::Debug for Function {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "function: {:#x}", self.id())
    }
}

impl Drop for LuaClosure {
    // A long chain of closures each capturing the previous one would otherwise be freed by
    // recursion and could overflow the Rust stack.
    fn drop(&mut self) {
        if self.upvals.is_empty() {
            return;
        }
        let mut pending = Vec::new();
        for cell in self.upvals.drain(..) {
            if let Ok(cell) = Rc::try_unwrap(cell) {
                let v = cell.into_inner();
                if matches!(v, Value::Table(_) | Value::Function(_)) {
                    pending.push(v);
                }
            }
        }
        crate::table::drop_values(pending);
    }
}
