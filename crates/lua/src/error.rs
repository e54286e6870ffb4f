//! The error type shared by the compiler, the interpreter and native functions.

use crate::value::Value;

/// Why loading or running Lua code failed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum LuaError {
    /// The source did not compile. The text has the Lua shape
    /// `<chunk>:<line>: <message> near '<token>'`.
    #[error("{0}")]
    Syntax(String),
    /// A Lua error was raised and not caught. The payload is the raised value itself: a string that
    /// usually carries a `<chunk>:<line>:` prefix, or any other value given to `error` (Redis raises
    /// tables such as `{err="ERR ..."}`).
    #[error("{}", describe_error_value(.0))]
    Runtime(Value),
    /// The host asked to stop the script (see [`crate::Host::check_abort`]). `pcall` cannot catch it.
    #[error("{0}")]
    Aborted(String),
}

impl LuaError {
    /// A runtime error whose raised value is the given text, used verbatim (no position prefix).
    pub fn runtime(message: impl AsRef<[u8]>) -> LuaError {
        LuaError::Runtime(Value::string(message.as_ref()))
    }

    /// The raised value for runtime errors, `None` for the other kinds.
    pub fn value(&self) -> Option<&Value> {
        match self {
            LuaError::Runtime(v) => Some(v),
            _ => None,
        }
    }
}

/// Where an uncaught runtime error was raised: the innermost Lua code position, as Redis's error
/// handler reports it (`on @user_script:1.`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorLocation {
    /// The chunk name as given to [`crate::Lua::load`] (e.g. `@user_script`).
    pub source: String,
    /// The line number.
    pub line: u32,
}

/// Text for an arbitrary raised value: tables through their `err` field (the Redis convention),
/// anything else as `tostring` shows it (what Redis's error handler does with non-tables).
fn describe_error_value(value: &Value) -> String {
    if let Value::Table(t) = value
        && let Some(bytes) = t.get_str("err").to_lua_string()
    {
        return String::from_utf8_lossy(&bytes).into_owned();
    }
    String::from_utf8_lossy(&value.to_display_bytes()).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::Table;

    #[test]
    fn display_uses_err_field_of_tables() {
        let t = Table::new();
        t.set(Value::from("err"), Value::from("ERR boom")).unwrap();
        assert_eq!(LuaError::Runtime(Value::Table(t)).to_string(), "ERR boom");
        assert_eq!(LuaError::runtime("x:1: y").to_string(), "x:1: y");
        assert_eq!(LuaError::Runtime(Value::Number(3.0)).to_string(), "3");
        assert_eq!(LuaError::Runtime(Value::Boolean(true)).to_string(), "true");
        assert_eq!(LuaError::Runtime(Value::Nil).to_string(), "nil");
    }
}
