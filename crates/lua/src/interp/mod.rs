//! The tree-walking evaluator. [`CallContext`] is the running interpreter: it is what native
//! functions receive, so they can call back into Lua, reach the host and raise positioned errors.

mod eval;
mod exec;
mod frame;
mod ops;

use std::cell::RefCell;
use std::rc::Rc;

use crate::ast::{ChunkName, Expr, Proto, UpvalSource};
use crate::error::{ErrorLocation, LuaError};
use crate::function::{FuncKind, Function, LuaClosure, Native};
use crate::host::{Host, Reply};
use crate::value::Value;
use crate::{Lua, convert};

use frame::{Flow, Frame};

/// Lua frames allowed at once; deeper recursion raises `stack overflow`.
pub(crate) const MAX_CALL_DEPTH: usize = 200;
/// How many loop iterations or calls pass between two [`Host::check_abort`] calls.
const ABORT_CHECK_INTERVAL: u32 = 1000;
/// Longest string a script may build (Redis's default `proto-max-bulk-len`).
pub(crate) const MAX_STRING_LEN: usize = 512 * 1024 * 1024;
/// Bounds `__index`/`__newindex` chains, like Lua's MAXTAGLOOP.
const MAX_TAG_LOOP: usize = 100;

type LResult<T> = Result<T, LuaError>;

/// The running interpreter, handed to native functions.
pub struct CallContext<'a> {
    pub(crate) lua: &'a mut Lua,
    host: &'a mut dyn Host,
    depth: usize,
    ticks: u32,
    /// Where each active call was made from, innermost last: error positions for native
    /// functions and for `error(msg, level)`.
    sites: Vec<Site>,
    /// Name of the native function running, for `bad argument` messages.
    current_native: Option<Rc<str>>,
    stack_base: usize,
    /// Where the error currently propagating was raised (the deepest Lua position).
    pub(crate) pending_location: Option<ErrorLocation>,
}

#[derive(Clone)]
struct Site {
    chunk: Rc<ChunkName>,
    line: u32,
}

/// Where an operation happens, for error messages: the function, the line, and the operand
/// expressions (to name variables as in `attempt to index local 't'`). Without a function the
/// position of the innermost call site is used, which is right for operations done by natives.
#[derive(Clone, Copy)]
pub(crate) struct At<'p> {
    proto: Option<&'p Proto>,
    line: u32,
    expr: Option<&'p Expr>,
    expr2: Option<&'p Expr>,
}

impl<'p> At<'p> {
    pub(crate) const NATIVE: At<'static> = At {
        proto: None,
        line: 0,
        expr: None,
        expr2: None,
    };

    fn new(proto: &'p Proto, line: u32, expr: Option<&'p Expr>) -> At<'p> {
        At {
            proto: Some(proto),
            line,
            expr,
            expr2: None,
        }
    }

    fn bin(proto: &'p Proto, line: u32, lhs: &'p Expr, rhs: &'p Expr) -> At<'p> {
        At {
            proto: Some(proto),
            line,
            expr: Some(lhs),
            expr2: Some(rhs),
        }
    }

    /// The same position, describing the second operand.
    fn second(self) -> At<'p> {
        At {
            expr: self.expr2,
            expr2: None,
            ..self
        }
    }

    fn swapped(self) -> At<'p> {
        At {
            expr: self.expr2,
            expr2: self.expr,
            ..self
        }
    }

    fn anonymous(self) -> At<'p> {
        At {
            expr: None,
            expr2: None,
            ..self
        }
    }
}

/// Names a variable for error messages the way Lua 5.1 does.
fn describe(at: &At<'_>) -> Option<String> {
    let proto = at.proto?;
    let mut expr = at.expr?;
    while let Expr::Paren(inner) = expr {
        expr = inner;
    }
    Some(match expr {
        Expr::Local(v) => format!("local '{}'", proto.vars.get(usize::from(*v))?.name),
        Expr::Upval(i) => format!("upvalue '{}'", proto.upval_names.get(usize::from(*i))?),
        Expr::Global(name, _) => format!("global '{}'", lossy(name)),
        Expr::Index(b, _) => match &b.1 {
            Expr::Str(k) => format!("field '{}'", lossy(k)),
            _ => return None,
        },
        Expr::Method(m) => format!("method '{}'", lossy(&m.name)),
        _ => return None,
    })
}

fn lossy(v: &Value) -> String {
    String::from_utf8_lossy(v.as_bytes().unwrap_or_default()).into_owned()
}

fn first(mut values: Vec<Value>) -> Value {
    if values.is_empty() {
        Value::Nil
    } else {
        values.swap_remove(0)
    }
}

impl<'a> CallContext<'a> {
    pub(crate) fn new(lua: &'a mut Lua, host: &'a mut dyn Host) -> CallContext<'a> {
        let marker = 0u8;
        let stack_base = std::hint::black_box(&marker) as *const u8 as usize;
        CallContext {
            lua,
            host,
            depth: 0,
            ticks: 0,
            sites: Vec::new(),
            current_native: None,
            stack_base,
            pending_location: None,
        }
    }

    // ---- API for native functions ----

    /// Calls any callable value (functions, or values with a `__call` metamethod).
    pub fn call(&mut self, f: &Value, args: Vec<Value>) -> LResult<Vec<Value>> {
        self.call_at(f.clone(), args, &At::NATIVE)
    }

    /// The host running this script.
    pub fn host(&mut self) -> &mut dyn Host {
        &mut *self.host
    }

    /// A runtime error with Lua's position prefix for the code that called the running native
    /// function (like `luaL_error`).
    pub fn error(&self, message: impl AsRef<str>) -> LuaError {
        LuaError::runtime(format!("{}{}", self.where_prefix(1), message.as_ref()))
    }

    /// `bad argument #<n> to '<function>' (<message>)`, positioned like [`CallContext::error`].
    pub fn arg_error(&self, n: usize, message: impl AsRef<str>) -> LuaError {
        let name = self.current_native.as_deref().unwrap_or("?");
        self.error(format!(
            "bad argument #{n} to '{name}' ({})",
            message.as_ref()
        ))
    }

    /// The RESP version selected by `redis.setresp` (2 or 3).
    pub fn resp(&self) -> u8 {
        self.lua.resp()
    }

    /// Selects the RESP version for conversions.
    pub fn set_resp(&mut self, resp: u8) {
        self.lua.set_resp(resp);
    }

    /// Converts a Lua value to a reply (the script-result rules).
    pub fn to_reply(&self, value: &Value) -> Reply {
        self.lua.to_reply(value)
    }

    /// Converts a reply to a Lua value (the `redis.call` result rules; top-level errors become
    /// `{err=...}` tables, not raised errors).
    pub fn from_reply(&self, reply: &Reply) -> Value {
        convert::reply_to_value(reply, self.lua.resp())
    }

    /// `t[k]` with metamethods.
    pub fn index(&mut self, obj: &Value, key: &Value) -> LResult<Value> {
        self.index_at(obj, key, &At::NATIVE)
    }

    /// `tostring(v)`, honouring `__tostring`.
    pub fn tostring(&mut self, v: &Value) -> LResult<Rc<[u8]>> {
        if let Some(h) = self.metamethod(v, "__tostring") {
            let r = first(self.call(&h, vec![v.clone()])?);
            return match r {
                Value::String(s) => Ok(s),
                Value::Number(_) => Ok(r.to_display_bytes()),
                _ => Err(self.error("'__tostring' must return a string")),
            };
        }
        Ok(v.to_display_bytes())
    }

    pub(crate) fn lua(&mut self) -> &mut Lua {
        self.lua
    }

    /// `chunk:line: ` for the call site `level` frames up (1 = the caller of the running native).
    pub(crate) fn where_prefix(&self, level: usize) -> String {
        if level == 0 || level > self.sites.len() {
            return String::new();
        }
        let site = &self.sites[self.sites.len() - level];
        format!("{}:{}: ", site.chunk.display, site.line)
    }

    /// Forgets the location of an error that was caught (by `pcall`).
    pub(crate) fn clear_error_location(&mut self) {
        self.pending_location = None;
    }

    /// Counts work towards the next abort check (at a call).
    pub(crate) fn tick(&mut self) -> LResult<()> {
        self.ticks += 1;
        if self.ticks >= ABORT_CHECK_INTERVAL {
            self.ticks = 0;
            if let Some(msg) = self.host.check_abort() {
                if self.pending_location.is_none()
                    && let Some(site) = self.sites.last()
                {
                    self.pending_location = Some(ErrorLocation {
                        source: site.chunk.source.clone(),
                        line: site.line,
                    });
                }
                return Err(LuaError::Aborted(msg));
            }
        }
        Ok(())
    }

    /// Counts work towards the next abort check (in a loop of `proto` at `line`). Redis raises an abort
    /// as an error where the script is, so its reply names that position.
    pub(crate) fn tick_at(&mut self, proto: &crate::ast::Proto, line: u32) -> LResult<()> {
        self.ticks += 1;
        if self.ticks >= ABORT_CHECK_INTERVAL {
            self.ticks = 0;
            if let Some(msg) = self.host.check_abort() {
                if self.pending_location.is_none() {
                    self.pending_location = Some(ErrorLocation {
                        source: proto.chunk.source.clone(),
                        line,
                    });
                }
                return Err(LuaError::Aborted(msg));
            }
        }
        Ok(())
    }

    // ---- errors ----

    fn error_at(&mut self, at: &At<'_>, msg: &str) -> LuaError {
        let (chunk, line) = match at.proto {
            Some(p) => (Some(p.chunk.clone()), at.line),
            None => match self.sites.last() {
                Some(s) => (Some(s.chunk.clone()), s.line),
                None => (None, 0),
            },
        };
        match chunk {
            Some(c) => {
                if self.pending_location.is_none() {
                    self.pending_location = Some(ErrorLocation {
                        source: c.source.clone(),
                        line,
                    });
                }
                LuaError::runtime(format!("{}:{}: {}", c.display, line, msg))
            }
            None => LuaError::runtime(msg),
        }
    }

    fn type_error(&mut self, at: &At<'_>, op: &str, v: &Value) -> LuaError {
        let msg = match describe(at) {
            Some(d) => format!("attempt to {op} {d} (a {} value)", v.type_name()),
            None => format!("attempt to {op} a {} value", v.type_name()),
        };
        self.error_at(at, &msg)
    }

    fn compare_error(&mut self, at: &At<'_>, a: &Value, b: &Value) -> LuaError {
        let (t1, t2) = (a.type_name(), b.type_name());
        let msg = if t1 == t2 {
            format!("attempt to compare two {t1} values")
        } else {
            format!("attempt to compare {t1} with {t2}")
        };
        self.error_at(at, &msg)
    }

    fn stack_exhausted(&self) -> bool {
        let marker = 0u8;
        let here = std::hint::black_box(&marker) as *const u8 as usize;
        self.stack_base.abs_diff(here) > self.lua.stack_budget
    }

    // ---- calls ----

    fn push_site(&mut self, at: &At<'_>) -> bool {
        match at.proto {
            Some(p) => {
                self.sites.push(Site {
                    chunk: p.chunk.clone(),
                    line: at.line,
                });
                true
            }
            None => false,
        }
    }

    pub(crate) fn call_at(
        &mut self,
        f: Value,
        mut args: Vec<Value>,
        at: &At<'_>,
    ) -> LResult<Vec<Value>> {
        let func = match f {
            Value::Function(func) => func,
            other => match self.metamethod(&other, "__call") {
                Some(Value::Function(h)) => {
                    args.insert(0, other);
                    h
                }
                _ => return Err(self.type_error(at, "call", &other)),
            },
        };
        let pushed = self.push_site(at);
        let r = self.call_function(&func, args);
        if pushed {
            self.sites.pop();
        }
        r
    }

    pub(crate) fn call_function(
        &mut self,
        func: &Function,
        args: Vec<Value>,
    ) -> LResult<Vec<Value>> {
        if self.depth >= MAX_CALL_DEPTH || self.stack_exhausted() {
            return Err(self.error_at(&At::NATIVE, "stack overflow"));
        }
        self.tick()?;
        self.depth += 1;
        let r = match &*func.0 {
            FuncKind::Lua(c) => self.run_closure(c, args),
            FuncKind::Native(n) => self.call_native(n, args),
        };
        self.depth -= 1;
        r
    }

    fn call_native(&mut self, n: &Native, args: Vec<Value>) -> LResult<Vec<Value>> {
        let previous = self.current_native.replace(n.name.clone());
        let r = (n.f)(self, args);
        self.current_native = previous;
        if matches!(r, Err(LuaError::Runtime(_)))
            && self.pending_location.is_none()
            && let Some(s) = self.sites.last()
        {
            self.pending_location = Some(ErrorLocation {
                source: s.chunk.source.clone(),
                line: s.line,
            });
        }
        r
    }

    fn run_closure(&mut self, c: &LuaClosure, args: Vec<Value>) -> LResult<Vec<Value>> {
        let mut fr = Frame::enter(c, args);
        match self.exec_block(&c.proto.body, &mut fr)? {
            Flow::Return(v) => Ok(v),
            _ => Ok(Vec::new()),
        }
    }

    fn make_closure(&mut self, p: &Rc<Proto>, fr: &mut Frame<'_>) -> Function {
        let upvals = p
            .upvals
            .iter()
            .map(|src| match *src {
                UpvalSource::Local(v) => fr.cell(v),
                UpvalSource::Upval(i) => fr
                    .closure
                    .upvals
                    .get(usize::from(i))
                    .cloned()
                    .unwrap_or_else(|| Rc::new(RefCell::new(Value::Nil))),
            })
            .collect();
        Function::lua(p.clone(), upvals)
    }
}
