//! A small, self-contained Lua 5.1 interpreter in safe Rust, made for Redis's `EVAL` scripts and
//! `FUNCTION` libraries.
//!
//! Source is parsed into a tree whose local variables are resolved to slots, then walked. The
//! interpreter guards itself against hostile input: nesting and call depth are bounded (errors, not
//! crashes), long loops periodically ask the [`Host`] whether to abort, and string sizes are capped.
//!
//! Not provided: coroutines, `goto` (5.2), `load`/`dofile`/`require`/`io`, binary chunks, `print`
//! (absent in Redis too), `getfenv`/`setfenv`, and Redis's `cjson`, `cmsgpack`, `struct` and `bit`
//! libraries. Memory is reference counted, so tables that reference themselves are never freed.
//!
//! A [`Lua`] is `!Send` (values use `Rc`); keep it on one thread. Recursion is bounded by
//! 200 frames and by a Rust stack budget (see [`Lua::set_stack_budget`]), so run scripts on a thread
//! with at least 2 MiB of stack.
//!
//! ```
//! use lua::{Lua, NoHost, Value};
//! let mut lua = Lua::new();
//! let f = lua.load("@user_script", b"return 1 + 2, ('x'):rep(3)").unwrap();
//! let out = lua.call(&f, vec![], &mut NoHost).unwrap();
//! assert_eq!(out[0].as_number(), Some(3.0));
//! assert_eq!(out[1].as_bytes(), Some(&b"xxx"[..]));
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod ast;
mod convert;
mod error;
mod function;
mod host;
mod interp;
mod lexer;
mod number;
mod parser;
mod redis_api;
mod sha1;
mod stdlib;
mod table;
mod value;

use std::collections::HashSet;
use std::time::Instant;

pub use error::{ErrorLocation, LuaError};
pub use function::{Function, NativeFn};
pub use host::{Host, NoHost, Reply};
pub use interp::CallContext;
pub use table::{InvalidKey, Table};
pub use value::Value;

/// Lowercase hex SHA-1 of `data`, as `redis.sha1hex` computes it (also how Redis names scripts).
pub fn sha1_hex(data: &[u8]) -> String {
    sha1::sha1_hex(data)
}

/// Default Rust stack budget for one [`Lua::call`], see [`Lua::set_stack_budget`].
const DEFAULT_STACK_BUDGET: usize = 1024 * 1024;

/// One interpreter state: globals, the string metatable, the random generator and the RESP mode.
pub struct Lua {
    globals: Table,
    pub(crate) string_meta: Table,
    redis: Table,
    /// What global lookups see while a `FUNCTION LOAD` library body runs.
    library_env: Table,
    library_redis: Table,
    loading_library: bool,
    pub(crate) rng: stdlib::math::Rand48,
    resp: u8,
    pub(crate) stack_budget: usize,
    pub(crate) started: Instant,
    last_error_location: Option<ErrorLocation>,
}

impl Default for Lua {
    fn default() -> Lua {
        Lua::new()
    }
}

impl Lua {
    /// A fresh state with the standard library subset and the `redis` table. Globals are not
    /// protected until [`Lua::set_globals_protected`] is called.
    pub fn new() -> Lua {
        let globals = Table::new();
        let string_lib = stdlib::open(&globals);
        let string_meta = Table::new();
        string_meta.set_str("__index", Value::Table(string_lib));
        let redis = redis_api::create();
        globals.set_str("redis", Value::Table(redis.clone()));
        globals.set_str("_G", Value::Table(globals.clone()));

        let library_redis = redis_api::create_library_api();
        library_redis.set_metatable(Some(redis_api::nonexistent_global_metatable()));
        let library_env = Table::new();
        library_env.set_str("redis", Value::Table(library_redis.clone()));
        library_env.set_metatable(Some(redis_api::nonexistent_global_metatable()));
        set_readonly_recursively(&library_env, true);

        Lua {
            globals,
            string_meta,
            redis,
            library_env,
            library_redis,
            loading_library: false,
            rng: stdlib::math::Rand48::new(),
            resp: 2,
            stack_budget: DEFAULT_STACK_BUDGET,
            started: Instant::now(),
            last_error_location: None,
        }
    }

    /// Compiles `source` as a chunk named `chunk_name` (e.g. `@user_script`; a leading `@` or `=`
    /// is dropped in messages) into a function that takes no parameters (varargs allowed).
    pub fn load(&mut self, chunk_name: &str, source: &[u8]) -> Result<Function, LuaError> {
        let proto = parser::parse_chunk(chunk_name, source, self.stack_budget)?;
        Ok(Function::lua(proto, Vec::new()))
    }

    /// Calls `function` with `args`; `host` serves `redis.call` and friends. A runtime error gives
    /// [`LuaError::Runtime`] with the raised value, an abort [`LuaError::Aborted`].
    pub fn call(
        &mut self,
        function: &Function,
        args: Vec<Value>,
        host: &mut dyn Host,
    ) -> Result<Vec<Value>, LuaError> {
        self.last_error_location = None;
        let mut ctx = CallContext::new(self, host);
        let result = ctx.call_function(function, args);
        let location = ctx.pending_location.take();
        if result.is_err() {
            self.last_error_location = location;
        }
        result
    }

    /// Where the runtime error returned by the last [`Lua::call`] was raised, if it came from Lua
    /// code (Redis appends this as `script: ..., on @user_script:1.`).
    pub fn last_error_location(&self) -> Option<&ErrorLocation> {
        self.last_error_location.as_ref()
    }

    /// Sets a global (e.g. `KEYS`, `ARGV`), bypassing protection.
    pub fn set_global(&mut self, name: &str, value: Value) {
        self.globals.set_str(name, value);
    }

    /// Reads a global without metamethods (nil when absent).
    pub fn get_global(&self, name: &str) -> Value {
        self.globals.get_str(name)
    }

    /// The globals table.
    pub fn globals(&self) -> Table {
        self.globals.clone()
    }

    /// Turns Redis 7's global protection on or off. When on, reading a missing global raises
    /// `Script attempted to access nonexistent global variable '<name>'`, and every table reachable
    /// from the globals (including `redis`, `string`, ... and metatables) becomes read-only, so
    /// creating or changing a global raises `Attempt to modify a readonly table`.
    pub fn set_globals_protected(&mut self, protected: bool) {
        if protected {
            self.globals
                .set_metatable(Some(redis_api::nonexistent_global_metatable()));
            set_readonly_recursively(&self.globals, true);
            set_readonly_recursively(&self.string_meta, true);
        } else {
            set_readonly_recursively(&self.globals, false);
            set_readonly_recursively(&self.string_meta, false);
            self.globals.set_metatable(None);
        }
    }

    /// While on, global lookups see only the `FUNCTION LOAD` API, as Redis gives a library's top
    /// level: `redis` with `register_function` (see [`Lua::register_library_fn`]), `log`, the
    /// `LOG_*` constants and `REDIS_VERSION*`; anything else is a nonexistent-global error and
    /// assignments to globals fail. Functions defined by the library see the normal globals when
    /// they are called later with this off.
    pub fn set_loading_library(&mut self, loading: bool) {
        self.loading_library = loading;
    }

    /// Makes a table (array) of byte strings, for `KEYS`/`ARGV` and function arguments.
    pub fn array_of_strings(&mut self, items: &[bytes::Bytes]) -> Value {
        Value::Table(Table::from_array(
            items.iter().map(|b| Value::from(&b[..])).collect(),
        ))
    }

    /// Converts a script result to a [`Reply`] with Redis's rules, given the current RESP mode.
    /// RESP3-only shapes (`{map=...}`, `{set=...}`, `{double=...}`, ...) are always produced as
    /// their RESP3 variants; downgrading them for RESP2 clients is the encoder's job, as in Redis.
    pub fn to_reply(&self, value: &Value) -> Reply {
        convert::value_to_reply(value, self.resp)
    }

    /// Converts a reply to a Lua value with the `redis.call` rules (errors become `{err=...}`).
    pub fn from_reply(&self, reply: &Reply) -> Value {
        convert::reply_to_value(reply, self.resp)
    }

    /// The RESP version selected by `redis.setresp` (2 by default).
    pub fn resp(&self) -> u8 {
        self.resp
    }

    /// Sets the RESP version (reset it to 2 before each script).
    pub fn set_resp(&mut self, resp: u8) {
        self.resp = resp;
    }

    /// Registers a native function as a field of the global `redis` table.
    pub fn register_redis_fn(&mut self, name: &str, f: NativeFn) {
        self.redis
            .set_str(name, Value::Function(Function::from_native_fn(name, f)));
    }

    /// Registers a native function in the `redis` table seen while loading a library (e.g.
    /// `register_function`).
    pub fn register_library_fn(&mut self, name: &str, f: NativeFn) {
        self.library_redis
            .set_str(name, Value::Function(Function::from_native_fn(name, f)));
    }

    /// Restores the random generator to its initial state (what a fresh Redis has).
    pub fn reset_random(&mut self) {
        self.rng = stdlib::math::Rand48::new();
    }

    /// Bounds the Rust stack one [`Lua::call`] may use (default 1 MiB) before raising
    /// `stack overflow`; keep it well below the stack size of the thread running scripts.
    pub fn set_stack_budget(&mut self, bytes: usize) {
        self.stack_budget = bytes;
    }

    pub(crate) fn env_table(&self) -> &Table {
        if self.loading_library {
            &self.library_env
        } else {
            &self.globals
        }
    }
}

/// Marks (or unmarks) a table, everything reachable from it and their metatables as read-only.
fn set_readonly_recursively(root: &Table, readonly: bool) {
    let mut seen = HashSet::new();
    let mut stack = vec![root.clone()];
    while let Some(t) = stack.pop() {
        if !seen.insert(t.id()) {
            continue;
        }
        t.set_readonly(readonly);
        for (k, v) in t.pairs() {
            for x in [k, v] {
                if let Value::Table(child) = x {
                    stack.push(child);
                }
            }
        }
        if let Some(m) = t.metatable() {
            stack.push(m);
        }
    }
}
