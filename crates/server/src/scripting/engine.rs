//! The Lua interpreters behind `EVAL` and `FUNCTION`, with what they compiled: scripts by SHA-1 and
//! library functions by name. Reached through `Shared::engine`; see `gate.rs` for who may run when.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use bytes::Bytes;
use lua::{Function, Lua, LuaError, Value};

use super::registry::{FunctionInfo, Library};
use super::shebang::{LibraryHeader, ScriptFlags};

/// The interpreters and their compiled code.
pub struct Engine {
    eval: Lua,
    scripts: HashMap<String, Function>,
    library: Lua,
    callbacks: HashMap<String, Function>,
    /// Compiled libraries' functions, by library name, until [`Engine::install`] makes them callable: they
    /// stay in here, not in the [`CompiledLibrary`] handed out, so no Lua value leaves the engine's lock (a
    /// compiled library dropped on an error path would otherwise drop `Rc`s outside it). A library compiled
    /// again replaces what was staged for it, so what a failed load leaves here is bounded by the names.
    staged: HashMap<String, Vec<(String, Function)>>,
    /// Where `redis.register_function` puts what a library being loaded registers (`None` outside a load).
    registrations: Rc<RefCell<Option<Vec<Registration>>>>,
}

// SAFETY: the `lua` crate's values are reference counted with `Rc`, hence `!Send`. An `Engine` owns both
// interpreters and every compiled function; no Lua value ever leaves it (results are converted to plain
// `lua::Reply`s inside), and it is only reached through the `Mutex` in `Shared`, so no two threads ever
// touch the reference counts of its values at the same time. Moving the whole engine between threads is
// then as sound as moving any owned value.
unsafe impl Send for Engine {}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("scripts", &self.scripts.len())
            .field("functions", &self.callbacks.len())
            .finish()
    }
}

/// One `redis.register_function` call.
struct Registration {
    name: String,
    callback: Function,
    flags: ScriptFlags,
    description: Option<Bytes>,
}

impl Default for Engine {
    fn default() -> Engine {
        Engine::new()
    }
}

impl Engine {
    /// Fresh interpreters with nothing compiled.
    pub fn new() -> Engine {
        let registrations: Rc<RefCell<Option<Vec<Registration>>>> = Rc::new(RefCell::new(None));
        let mut library = Lua::new();
        let sink = Rc::clone(&registrations);
        library.register_library_fn(
            "register_function",
            Rc::new(move |_ctx, args| register_function(&sink, args)),
        );
        library.set_globals_protected(true);
        let mut eval = Lua::new();
        eval.set_globals_protected(true);
        Engine {
            eval,
            scripts: HashMap::new(),
            library,
            callbacks: HashMap::new(),
            staged: HashMap::new(),
            registrations,
        }
    }

    /// Compiles an `EVAL` script under its SHA-1 (a no-op if it is already compiled). The first line is
    /// skipped when it is a shebang, keeping its newline so line numbers match. The error is the reply text.
    pub fn compile_script(&mut self, sha: &str, body: &[u8]) -> Result<(), String> {
        if self.scripts.contains_key(sha) {
            return Ok(());
        }
        let code = if body.starts_with(b"#!") {
            let end = body
                .iter()
                .position(|&byte| byte == b'\n')
                .unwrap_or(body.len());
            &body[end..]
        } else {
            body
        };
        match self.eval.load("@user_script", code) {
            Ok(function) => {
                self.scripts.insert(sha.to_owned(), function);
                Ok(())
            }
            Err(error) => Err(format!(
                "ERR Error compiling script (new function): {}",
                error_text(&error)
            )),
        }
    }

    /// Whether the script with this (lower-case) SHA-1 is compiled.
    pub fn has_script(&self, sha: &str) -> bool {
        self.scripts.contains_key(sha)
    }

    /// Forgets every script, with a fresh interpreter (`SCRIPT FLUSH`).
    pub fn flush_scripts(&mut self) {
        self.scripts.clear();
        self.eval = Lua::new();
        self.eval.set_globals_protected(true);
    }

    /// Compiles a library and runs its top level so it registers its functions; nothing is installed yet.
    /// The error is the reply text after `ERR `.
    pub fn compile_library(
        &mut self,
        header: &LibraryHeader,
        code: &Bytes,
        timeout: Option<std::time::Duration>,
    ) -> Result<CompiledLibrary, String> {
        let top = self
            .library
            .load("@user_function", &header.body)
            .map_err(|error| format!("Error compiling function: {}", error_text(&error)))?;
        *self.registrations.borrow_mut() = Some(Vec::new());
        let mut host = LoadHost {
            started: std::time::Instant::now(),
            timeout,
        };
        // The top level sees only the loading API (`redis.register_function`, `redis.log`...).
        self.library.set_loading_library(true);
        let ran = self.library.call(&top, Vec::new(), &mut host);
        self.library.set_loading_library(false);
        let registered = self.registrations.borrow_mut().take().unwrap_or_default();
        if let Err(error) = ran {
            return Err(format!(
                "Error registering functions: {}",
                error_message(&error)
            ));
        }
        if registered.is_empty() {
            return Err("No functions registered".to_owned());
        }
        let mut functions = std::collections::BTreeMap::new();
        let mut callbacks = Vec::new();
        for registration in registered {
            if functions.contains_key(&registration.name) {
                return Err("Function already exists in the library".to_owned());
            }
            functions.insert(
                registration.name.clone(),
                FunctionInfo {
                    name: registration.name.clone(),
                    flags: registration.flags,
                    description: registration.description,
                },
            );
            callbacks.push((registration.name, registration.callback));
        }
        self.staged.insert(header.name.clone(), callbacks);
        Ok(CompiledLibrary {
            library: Library {
                name: header.name.clone(),
                engine: "LUA",
                code: code.clone(),
                functions,
            },
        })
    }

    /// Makes the functions of the library last compiled under `library_name` callable.
    pub fn install(&mut self, library_name: &str) {
        if let Some(callbacks) = self.staged.remove(library_name) {
            self.callbacks.extend(callbacks);
        }
    }

    /// Forgets functions (those of a deleted or replaced library).
    pub fn uninstall<'a>(&mut self, names: impl IntoIterator<Item = &'a String>) {
        for name in names {
            self.callbacks.remove(name);
        }
    }

    /// Forgets every installed function (staged ones wait for their `install`).
    pub fn uninstall_all(&mut self) {
        self.callbacks.clear();
    }

    /// The interpreter and compiled function for an `EVAL` script, or a library function.
    pub(crate) fn target(&mut self, eval: bool, name: &str) -> Option<(&mut Lua, Function)> {
        if eval {
            let function = self.scripts.get(name)?.clone();
            Some((&mut self.eval, function))
        } else {
            let function = self.callbacks.get(name)?.clone();
            Some((&mut self.library, function))
        }
    }
}

/// A library compiled by [`Engine::compile_library`], not installed yet: plain data (its functions stay
/// staged inside the engine until [`Engine::install`]).
pub struct CompiledLibrary {
    /// Its registry entry.
    pub library: Library,
}

impl std::fmt::Debug for CompiledLibrary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CompiledLibrary")
            .field("library", &self.library.name)
            .finish()
    }
}

/// The message Redis takes from a raised error (`luaExtractErrorInformation`): a table's `err` field, or
/// `ERR ` and the text of anything else.
pub(crate) fn error_message(error: &LuaError) -> String {
    match error {
        LuaError::Runtime(Value::Table(table)) => match table.get_str("err").as_bytes() {
            Some(text) => String::from_utf8_lossy(text).into_owned(),
            None => "ERR execution failure".to_owned(),
        },
        LuaError::Runtime(value) => {
            format!("ERR {}", String::from_utf8_lossy(&value.to_display_bytes()))
        }
        LuaError::Syntax(text) | LuaError::Aborted(text) => text.clone(),
    }
}

/// The text of a compile or load error, as Lua shows it.
pub(crate) fn error_text(error: &LuaError) -> String {
    match error {
        LuaError::Runtime(Value::Table(table)) => {
            let err = table.get_str("err");
            match err.as_bytes() {
                Some(text) => String::from_utf8_lossy(text).into_owned(),
                None => error.to_string(),
            }
        }
        other => other.to_string(),
    }
}

/// `redis.register_function(name, callback)` or `redis.register_function{function_name=..., callback=...,
/// flags={...}, description=...}`, with Redis's checks and error texts.
fn register_function(
    sink: &Rc<RefCell<Option<Vec<Registration>>>>,
    args: Vec<Value>,
) -> Result<Vec<Value>, LuaError> {
    let fail = |text: &str| Err(redis_error(text));
    if sink.borrow().is_none() {
        return fail("redis.register_function can only be called on FUNCTION LOAD command");
    }
    let registration = match args.as_slice() {
        [single] => named_registration(single)?,
        [name, callback] => {
            let Some(name) = lua_string(name) else {
                return fail("first argument to redis.register_function must be a string");
            };
            let Some(callback) = callback.as_function() else {
                return fail("second argument to redis.register_function must be a function");
            };
            Registration {
                name,
                callback: callback.clone(),
                flags: ScriptFlags::default(),
                description: None,
            }
        }
        _ => return fail("wrong number of arguments to redis.register_function"),
    };
    if !super::shebang::valid_name(registration.name.as_bytes()) {
        return fail(
            "Library names can only contain letters, numbers, or underscores(_) and must be at least one character long",
        );
    }
    if let Some(list) = sink.borrow_mut().as_mut() {
        if list
            .iter()
            .any(|existing| existing.name == registration.name)
        {
            return fail("Function already exists in the library");
        }
        list.push(registration);
    }
    Ok(Vec::new())
}

fn named_registration(arguments: &Value) -> Result<Registration, LuaError> {
    let Some(table) = arguments.as_table() else {
        return Err(redis_error(
            "calling redis.register_function with a single argument is only applicable to Lua table (representing named arguments).",
        ));
    };
    let (mut name, mut callback, mut flags, mut description) =
        (None, None, ScriptFlags::default(), None);
    for (key, value) in table.pairs() {
        let Some(key) = lua_string(&key) else {
            return Err(redis_error(
                "named argument key given to redis.register_function is not a string",
            ));
        };
        match key.to_ascii_lowercase().as_str() {
            "function_name" => {
                name = Some(lua_string(&value).ok_or_else(|| {
                    redis_error(
                        "function_name argument given to redis.register_function must be a string",
                    )
                })?);
            }
            "description" => {
                description = Some(Bytes::from(lua_string(&value).ok_or_else(|| {
                    redis_error(
                        "description argument given to redis.register_function must be a string",
                    )
                })?));
            }
            "callback" => {
                callback = Some(value.as_function().cloned().ok_or_else(|| {
                    redis_error(
                        "callback argument given to redis.register_function must be a function",
                    )
                })?);
            }
            "flags" => {
                let Some(list) = value.as_table() else {
                    return Err(redis_error(
                        "flags argument to redis.register_function must be a table representing function flags",
                    ));
                };
                for flag in list.sequence() {
                    let known = lua_string(&flag).is_some_and(|flag| {
                        flags.set_by_name(flag.to_ascii_lowercase().as_bytes())
                    });
                    if !known {
                        return Err(redis_error("unknown flag given"));
                    }
                }
            }
            _ => {
                return Err(redis_error(
                    "unknown argument given to redis.register_function",
                ));
            }
        }
    }
    let Some(name) = name else {
        return Err(redis_error(
            "redis.register_function must get a function name argument",
        ));
    };
    let Some(callback) = callback else {
        return Err(redis_error(
            "redis.register_function must get a callback argument",
        ));
    };
    Ok(Registration {
        name,
        callback,
        flags,
        description,
    })
}

/// A string argument (numbers count, as `lua_isstring` accepts them).
fn lua_string(value: &Value) -> Option<String> {
    value
        .to_lua_string()
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
}

/// The error Redis raises from its Lua API: a table `{err="ERR <text>"}`.
pub(crate) fn redis_error(text: &str) -> LuaError {
    let table = lua::Table::new();
    table.set_str("err", Value::string(format!("ERR {text}")));
    LuaError::Runtime(Value::Table(table))
}

/// What a library's top level may do: register functions and log, nothing that touches data, within
/// `timeout` (Redis gives a load 500 ms, none when it comes from the master).
#[derive(Debug)]
struct LoadHost {
    started: std::time::Instant,
    timeout: Option<std::time::Duration>,
}

impl lua::Host for LoadHost {
    fn call(&mut self, _args: Vec<Bytes>, _resp: u8) -> lua::Reply {
        lua::Reply::Error(Bytes::from_static(
            b"ERR redis.call/pcall can only be called inside a script invocation",
        ))
    }

    fn check_abort(&mut self) -> Option<String> {
        self.timeout
            .is_some_and(|timeout| self.started.elapsed() > timeout)
            .then(|| "ERR FUNCTION LOAD timeout".to_owned())
    }

    fn log(&mut self, level: i64, message: &[u8]) {
        log_from_script(level, message);
    }
}

/// `redis.log` from a script: Redis's levels 0 (debug) to 3 (warning) as tracing levels.
pub fn log_from_script(level: i64, message: &[u8]) {
    let message = String::from_utf8_lossy(message);
    match level {
        0 => tracing::debug!("{message}"),
        1 | 2 => tracing::info!("{message}"),
        _ => tracing::warn!("{message}"),
    }
}
