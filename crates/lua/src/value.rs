//! Lua values and the conversions the host and the standard library need.

use std::fmt;
use std::rc::Rc;

use crate::function::Function;
use crate::number;
use crate::table::Table;

/// One Lua value. Strings are byte strings (not necessarily UTF-8); tables and functions have
/// reference semantics, so cloning a `Value` never copies them.
#[derive(Clone, Default)]
pub enum Value {
    /// `nil`.
    #[default]
    Nil,
    /// `true` or `false`.
    Boolean(bool),
    /// A number; Lua 5.1 has only doubles.
    Number(f64),
    /// An immutable byte string.
    String(Rc<[u8]>),
    /// A table (shared reference).
    Table(Table),
    /// A Lua closure or a native function (shared reference).
    Function(Function),
}

impl Value {
    /// A string value holding a copy of `bytes`.
    pub fn string(bytes: impl AsRef<[u8]>) -> Value {
        Value::String(Rc::from(bytes.as_ref()))
    }

    /// The Lua type name, as `type()` returns it.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Nil => "nil",
            Value::Boolean(_) => "boolean",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Table(_) => "table",
            Value::Function(_) => "function",
        }
    }

    /// Lua truthiness: everything except `nil` and `false` is true.
    pub fn truthy(&self) -> bool {
        !matches!(self, Value::Nil | Value::Boolean(false))
    }

    /// Whether this is `nil`.
    pub fn is_nil(&self) -> bool {
        matches!(self, Value::Nil)
    }

    /// The table, if this is one.
    pub fn as_table(&self) -> Option<&Table> {
        match self {
            Value::Table(t) => Some(t),
            _ => None,
        }
    }

    /// The function, if this is one.
    pub fn as_function(&self) -> Option<&Function> {
        match self {
            Value::Function(f) => Some(f),
            _ => None,
        }
    }

    /// The bytes, if this is a string (numbers are not converted; see [`Value::to_lua_string`]).
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The number, if this is one (strings are not converted; see [`Value::to_number`]).
    pub fn as_number(&self) -> Option<f64> {
        match self {
            Value::Number(n) => Some(*n),
            _ => None,
        }
    }

    /// The boolean, if this is one.
    pub fn as_boolean(&self) -> Option<bool> {
        match self {
            Value::Boolean(b) => Some(*b),
            _ => None,
        }
    }

    /// Lua's number coercion: numbers as themselves, strings that parse as numbers, else `None`.
    pub fn to_number(&self) -> Option<f64> {
        match self {
            Value::Number(n) => Some(*n),
            Value::String(s) => number::str_to_number(s),
            _ => None,
        }
    }

    /// Lua's string coercion: strings as themselves, numbers formatted with `%.14g`, else `None`.
    pub fn to_lua_string(&self) -> Option<Rc<[u8]>> {
        match self {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(Rc::from(number::format_number(*n).as_bytes())),
            _ => None,
        }
    }

    /// Primitive equality (`rawequal`): by value for nil, booleans, numbers and strings, by
    /// identity for tables and functions.
    pub fn raw_equals(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Nil, Value::Nil) => true,
            (Value::Boolean(a), Value::Boolean(b)) => a == b,
            (Value::Number(a), Value::Number(b)) => a == b,
            (Value::String(a), Value::String(b)) => a == b,
            (Value::Table(a), Value::Table(b)) => a.ptr_eq(b),
            (Value::Function(a), Value::Function(b)) => a.ptr_eq(b),
            _ => false,
        }
    }

    /// What `tostring` shows when no `__tostring` metamethod applies.
    pub fn to_display_bytes(&self) -> Rc<[u8]> {
        match self {
            Value::Nil => Rc::from(&b"nil"[..]),
            Value::Boolean(true) => Rc::from(&b"true"[..]),
            Value::Boolean(false) => Rc::from(&b"false"[..]),
            Value::Number(n) => Rc::from(number::format_number(*n).as_bytes()),
            Value::String(s) => s.clone(),
            Value::Table(t) => Rc::from(format!("table: {:#x}", t.id()).as_bytes()),
            Value::Function(f) => Rc::from(format!("function: {:#x}", f.id()).as_bytes()),
        }
    }
}

impl fmt::Debug for Value {
    // Tables are shown by address only: they may be cyclic.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::String(s) => write!(f, "{:?}", String::from_utf8_lossy(s)),
            other => f.write_str(&String::from_utf8_lossy(&other.to_display_bytes())),
        }
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Boolean(b)
    }
}

impl From<f64> for Value {
    fn from(n: f64) -> Value {
        Value::Number(n)
    }
}

impl From<i64> for Value {
    fn from(n: i64) -> Value {
        Value::Number(n as f64)
    }
}

impl From<i32> for Value {
    fn from(n: i32) -> Value {
        Value::Number(f64::from(n))
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::string(s)
    }
}

impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::string(s)
    }
}

impl From<&[u8]> for Value {
    fn from(s: &[u8]) -> Value {
        Value::string(s)
    }
}

impl From<Vec<u8>> for Value {
    fn from(s: Vec<u8>) -> Value {
        Value::String(Rc::from(s))
    }
}

impl From<bytes::Bytes> for Value {
    fn from(s: bytes::Bytes) -> Value {
        Value::string(&s[..])
    }
}

impl From<Table> for Value {
    fn from(t: Table) -> Value {
        Value::Table(t)
    }
}

impl From<Function> for Value {
    fn from(f: Function) -> Value {
        Value::Function(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coercions() {
        assert_eq!(Value::from("10").to_number(), Some(10.0));
        assert_eq!(Value::from(" 0x10 ").to_number(), Some(16.0));
        assert_eq!(Value::from("1e").to_number(), None);
        assert_eq!(&*Value::from(10.0).to_lua_string().unwrap(), b"10");
        assert!(Value::Boolean(true).to_lua_string().is_none());
    }

    #[test]
    fn equality_and_truth() {
        assert!(Value::from("a").raw_equals(&Value::from("a")));
        assert!(!Value::from(1.0).raw_equals(&Value::from("1")));
        let t = Table::new();
        assert!(Value::Table(t.clone()).raw_equals(&Value::Table(t)));
        assert!(!Value::Table(Table::new()).raw_equals(&Value::Table(Table::new())));
        assert!(Value::Number(0.0).truthy());
        assert!(!Value::Nil.truthy());
        assert!(!Value::Boolean(false).truthy());
    }
}
