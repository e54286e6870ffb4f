//! Lua tables: an array part for the keys `1..n` plus an insertion-ordered hash part.
//!
//! The hash part keeps removed entries as tombstones (nil values) until the next insertion of a new
//! key, so that `next` keeps working while a traversal clears fields, which Lua allows.

use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hash, Hasher};
use std::rc::Rc;

use crate::error::LuaError;
use crate::function::FuncKind;
use crate::value::Value;

/// [`Table::next`] was given a key that is not in the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("invalid key to 'next'")]
pub struct InvalidKey;

/// A Lua table. Cloning is cheap and yields another handle to the same table.
#[derive(Clone, Default)]
pub struct Table(pub(crate) Rc<RefCell<TableData>>);

#[derive(Default)]
pub(crate) struct TableData {
    /// Values for keys `1..=array.len()`; holes are nil but the last element never is.
    array: Vec<Value>,
    /// Hash part in insertion order; a nil value marks a removed key.
    entries: Vec<(Value, Value)>,
    index: HashMap<Key, usize, BuildHasherDefault<FxHasher>>,
    tombstones: usize,
    meta: Option<Table>,
    readonly: bool,
}

/// A hashable wrapper: keys are never nil or NaN, and `-0` is stored as `0`.
#[derive(Clone)]
struct Key(Value);

impl PartialEq for Key {
    fn eq(&self, other: &Key) -> bool {
        self.0.raw_equals(&other.0)
    }
}

impl Eq for Key {}

impl Hash for Key {
    fn hash<H: Hasher>(&self, h: &mut H) {
        match &self.0 {
            Value::Nil => h.write_u8(0),
            Value::Boolean(b) => h.write_u8(1 + u8::from(*b)),
            Value::Number(n) => h.write_u64(n.to_bits()),
            Value::String(s) => h.write(s),
            Value::Table(t) => h.write_usize(t.id()),
            Value::Function(f) => h.write_usize(f.id()),
        }
    }
}

/// A small multiplicative hasher: table lookups are on the hot path and need no DoS resistance
/// beyond what the host's script time limit already gives.
#[derive(Default)]
struct FxHasher {
    hash: u64,
}

impl FxHasher {
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut buf = [0u8; 8];
            buf.copy_from_slice(c);
            self.add(u64::from_le_bytes(buf));
        }
        let rest = chunks.remainder();
        let mut buf = [0u8; 8];
        buf[..rest.len()].copy_from_slice(rest);
        self.add(u64::from_le_bytes(buf) ^ ((bytes.len() as u64) << 56));
    }
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
    fn finish(&self) -> u64 {
        self.hash
    }
}

/// The array slot for a number key, when it is a positive integer.
fn array_index(n: f64) -> Option<usize> {
    if (1.0..=9_007_199_254_740_992.0).contains(&n) && n.fract() == 0.0 {
        Some(n as usize)
    } else {
        None
    }
}

/// Makes a lookup key, normalising `-0`; `None` for nil and NaN, which can never be keys.
fn make_key(key: &Value) -> Option<Key> {
    match key {
        Value::Nil => None,
        Value::Number(n) if n.is_nan() => None,
        Value::Number(n) if *n == 0.0 => Some(Key(Value::Number(0.0))),
        other => Some(Key(other.clone())),
    }
}

impl TableData {
    fn get(&self, key: &Value) -> Value {
        if let Value::Number(n) = key
            && let Some(i) = array_index(*n)
            && i <= self.array.len()
        {
            return self.array[i - 1].clone();
        }
        if self.index.is_empty() {
            return Value::Nil;
        }
        match make_key(key).and_then(|k| self.index.get(&k)) {
            Some(&idx) => self.entries[idx].1.clone(),
            None => Value::Nil,
        }
    }

    fn set(&mut self, key: Value, value: Value) -> Result<(), &'static str> {
        if let Value::Number(n) = key {
            if n.is_nan() {
                return Err("table index is NaN");
            }
            if let Some(i) = array_index(n) {
                let len = self.array.len();
                if i <= len {
                    self.array[i - 1] = value;
                    if i == len {
                        self.trim_array();
                    }
                    return Ok(());
                }
                // The hash part never holds the key len+1 (it is migrated on growth), so appending
                // cannot shadow an existing entry.
                if i == len + 1 && !value.is_nil() {
                    self.array.push(value);
                    self.migrate_from_hash();
                    return Ok(());
                }
            }
        }
        let Some(k) = make_key(&key) else {
            return Err("table index is nil");
        };
        if let Some(&idx) = self.index.get(&k) {
            let slot = &mut self.entries[idx].1;
            match (slot.is_nil(), value.is_nil()) {
                (false, true) => self.tombstones += 1,
                (true, false) => self.tombstones -= 1,
                _ => {}
            }
            *slot = value;
        } else if !value.is_nil() {
            if self.tombstones > 8 && self.tombstones * 2 > self.entries.len() {
                self.compact();
            }
            self.index.insert(k.clone(), self.entries.len());
            self.entries.push((k.0, value));
        }
        Ok(())
    }

    fn trim_array(&mut self) {
        while matches!(self.array.last(), Some(Value::Nil)) {
            self.array.pop();
        }
    }

    /// After the array grew, pulls the following integer keys out of the hash part.
    fn migrate_from_hash(&mut self) {
        while self.entries.len() > self.tombstones {
            let next = Key(Value::Number((self.array.len() + 1) as f64));
            let Some(&idx) = self.index.get(&next) else {
                return;
            };
            let v = std::mem::take(&mut self.entries[idx].1);
            if v.is_nil() {
                return;
            }
            self.tombstones += 1;
            self.array.push(v);
        }
    }

    fn compact(&mut self) {
        self.entries.retain(|(_, v)| !v.is_nil());
        self.index.clear();
        for (i, (k, _)) in self.entries.iter().enumerate() {
            self.index.insert(Key(k.clone()), i);
        }
        self.tombstones = 0;
    }

    fn next(&self, key: &Value) -> Result<Option<(Value, Value)>, InvalidKey> {
        let (arr_start, hash_start) = match key {
            Value::Nil => (0, 0),
            Value::Number(n) if array_index(*n).is_some_and(|i| i <= self.array.len()) => {
                (*n as usize, 0)
            }
            other => match make_key(other).and_then(|k| self.index.get(&k)) {
                Some(&idx) => (self.array.len(), idx + 1),
                // An array key that was trimmed away while traversing: the array part is done.
                None if matches!(other, Value::Number(n) if array_index(*n).is_some()) => {
                    (self.array.len(), 0)
                }
                None => return Err(InvalidKey),
            },
        };
        for (i, v) in self.array.iter().enumerate().skip(arr_start) {
            if !v.is_nil() {
                return Ok(Some((Value::Number((i + 1) as f64), v.clone())));
            }
        }
        for (k, v) in self.entries.iter().skip(hash_start) {
            if !v.is_nil() {
                return Ok(Some((k.clone(), v.clone())));
            }
        }
        Ok(None)
    }

    /// Moves out every value that could own further tables, for iterative freeing.
    fn take_children(&mut self, out: &mut Vec<Value>) {
        let owns = |v: &Value| matches!(v, Value::Table(_) | Value::Function(_));
        out.extend(std::mem::take(&mut self.array).into_iter().filter(owns));
        self.index.clear();
        for (k, v) in std::mem::take(&mut self.entries) {
            if owns(&k) {
                out.push(k);
            }
            if owns(&v) {
                out.push(v);
            }
        }
        if let Some(m) = self.meta.take() {
            out.push(Value::Table(m));
        }
    }

    fn owns_references(&self) -> bool {
        let owns = |v: &Value| matches!(v, Value::Table(_) | Value::Function(_));
        self.meta.is_some()
            || self.array.iter().any(owns)
            || self.entries.iter().any(|(k, v)| owns(k) || owns(v))
    }
}

impl Drop for TableData {
    // Deeply nested tables (`t = {t}` in a loop) would otherwise be freed recursively and could
    // overflow the Rust stack.
    fn drop(&mut self) {
        if !self.owns_references() {
            return;
        }
        let mut pending = Vec::new();
        self.take_children(&mut pending);
        drop_values(pending);
    }
}

/// Frees values without recursion: each table or closure that is about to die has its children
/// moved onto an explicit work list before it is dropped.
pub(crate) fn drop_values(mut stack: Vec<Value>) {
    while let Some(v) = stack.pop() {
        match v {
            Value::Table(t) => {
                if Rc::strong_count(&t.0) == 1
                    && let Ok(mut data) = t.0.try_borrow_mut()
                {
                    data.take_children(&mut stack);
                }
            }
            Value::Function(mut f) => {
                if let Some(FuncKind::Lua(c)) = Rc::get_mut(&mut f.0) {
                    for cell in c.upvals.drain(..) {
                        if let Ok(cell) = Rc::try_unwrap(cell) {
                            stack.push(cell.into_inner());
                        }
                    }
                }
            }
            _ => {}
        }
    }
}

impl Table {
    /// A new empty table.
    pub fn new() -> Table {
        Table::default()
    }

    /// A table whose keys `1..=n` are the given values (nils make holes).
    pub fn from_array(values: Vec<Value>) -> Table {
        let mut data = TableData::default();
        data.array = values;
        data.trim_array();
        Table(Rc::new(RefCell::new(data)))
    }

    /// Raw lookup (no metamethods); nil when absent.
    pub fn get(&self, key: &Value) -> Value {
        self.0.borrow().get(key)
    }

    /// Raw lookup of a string key.
    pub fn get_str(&self, key: &str) -> Value {
        self.get(&Value::from(key))
    }

    /// Raw lookup of an integer key.
    pub fn get_int(&self, i: i64) -> Value {
        self.get(&Value::Number(i as f64))
    }

    /// Raw assignment (no metamethods, ignores the read-only flag); assigning nil removes the key.
    /// Fails for nil and NaN keys.
    pub fn set(&self, key: Value, value: Value) -> Result<(), LuaError> {
        self.raw_set(key, value).map_err(LuaError::runtime)
    }

    /// Raw assignment of a string key.
    pub fn set_str(&self, key: &str, value: Value) {
        // A string key is never nil or NaN, so this cannot fail.
        let _ = self.raw_set(Value::from(key), value);
    }

    /// Appends at `#t + 1`.
    pub fn push(&self, value: Value) {
        let n = self.len();
        let _ = self.raw_set(Value::Number((n + 1) as f64), value);
    }

    pub(crate) fn raw_set(&self, key: Value, value: Value) -> Result<(), &'static str> {
        self.0.borrow_mut().set(key, value)
    }

    /// The length operator `#t`: a border of the array part.
    pub fn len(&self) -> usize {
        self.0.borrow().array.len()
    }

    /// Whether the table has no entries at all.
    pub fn is_empty(&self) -> bool {
        let d = self.0.borrow();
        d.array.is_empty() && d.entries.len() == d.tombstones
    }

    /// The values `t[1..=#t]` (holes as nil).
    pub fn sequence(&self) -> Vec<Value> {
        self.0.borrow().array.clone()
    }

    /// A snapshot of every key/value pair, in traversal (`next`) order.
    pub fn pairs(&self) -> Vec<(Value, Value)> {
        let d = self.0.borrow();
        let mut out: Vec<(Value, Value)> = d
            .array
            .iter()
            .enumerate()
            .filter(|(_, v)| !v.is_nil())
            .map(|(i, v)| (Value::Number((i + 1) as f64), v.clone()))
            .collect();
        out.extend(d.entries.iter().filter(|(_, v)| !v.is_nil()).cloned());
        out
    }

    /// The traversal step of `next`: the pair after `key` (nil starts), `Ok(None)` at the end, and
    /// an error when `key` is not in the table.
    pub fn next(&self, key: &Value) -> Result<Option<(Value, Value)>, InvalidKey> {
        self.0.borrow().next(key)
    }

    /// The metatable, if any.
    pub fn metatable(&self) -> Option<Table> {
        self.0.borrow().meta.clone()
    }

    /// Replaces the metatable.
    pub fn set_metatable(&self, meta: Option<Table>) {
        self.0.borrow_mut().meta = meta;
    }

    /// Whether writes from Lua code raise `Attempt to modify a readonly table` (Redis's patch to Lua).
    pub fn is_readonly(&self) -> bool {
        self.0.borrow().readonly
    }

    /// Sets or clears the read-only flag.
    pub fn set_readonly(&self, readonly: bool) {
        self.0.borrow_mut().readonly = readonly;
    }

    /// Whether both handles refer to the same table.
    pub fn ptr_eq(&self, other: &Table) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }

    /// A stable identity for the lifetime of the table (its address).
    pub fn id(&self) -> usize {
        Rc::as_ptr(&self.0) as *const u8 as usize
    }

    /// A metamethod or metatable field, looked up raw.
    pub(crate) fn meta_field(&self, name: &str) -> Option<Value> {
        let meta = self.0.borrow().meta.clone()?;
        let v = meta.get_str(name);
        (!v.is_nil()).then_some(v)
    }

    pub(crate) fn has_metatable(&self) -> bool {
        self.0.borrow().meta.is_some()
    }
}

impl std::fmt::Debug for Table {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "table: {:#x}", self.id())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(x: f64) -> Value {
        Value::Number(x)
    }

    #[test]
    fn array_and_hash_parts() {
        let t = Table::new();
        t.set(n(1.0), Value::from("a")).unwrap();
        t.set(n(3.0), Value::from("c")).unwrap();
        assert_eq!(t.len(), 1);
        t.set(n(2.0), Value::from("b")).unwrap();
        assert_eq!(t.len(), 3, "key 3 migrates from the hash part");
        assert_eq!(t.get(&n(3.0)).as_bytes(), Some(&b"c"[..]));
        t.set(n(3.0), Value::Nil).unwrap();
        assert_eq!(t.len(), 2);
        t.set(n(-0.0), Value::from("zero")).unwrap();
        assert_eq!(t.get(&n(0.0)).as_bytes(), Some(&b"zero"[..]));
        assert!(t.set(Value::Nil, n(1.0)).is_err());
        assert!(t.set(n(f64::NAN), n(1.0)).is_err());
        assert_eq!(t.get(&n(f64::NAN)).type_name(), "nil");
    }

    #[test]
    fn next_survives_clearing_during_traversal() {
        let t = Table::new();
        for i in 1..=5 {
            t.set(n(f64::from(i)), n(f64::from(i))).unwrap();
        }
        for k in ["a", "b", "c"] {
            t.set_str(k, Value::from(k));
        }
        let mut key = Value::Nil;
        let mut seen = 0;
        while let Some((k, _)) = t.next(&key).unwrap() {
            t.set(k.clone(), Value::Nil).unwrap();
            key = k;
            seen += 1;
        }
        assert_eq!(seen, 8);
        assert!(t.is_empty());
        assert!(t.next(&Value::from("zzz")).is_err());
    }

    #[test]
    fn tombstones_are_compacted_on_insert() {
        let t = Table::new();
        for i in 0..100 {
            t.set_str(&format!("k{i}"), n(1.0));
        }
        for i in 0..100 {
            t.set_str(&format!("k{i}"), Value::Nil);
        }
        t.set_str("new", n(2.0));
        assert_eq!(t.0.borrow().entries.len(), 1);
        assert_eq!(t.pairs().len(), 1);
    }

    #[test]
    fn deep_nesting_drops_without_recursion() {
        let mut t = Table::new();
        for _ in 0..1_000_000 {
            let outer = Table::new();
            outer.set(n(1.0), Value::Table(t)).unwrap();
            t = outer;
        }
        drop(t);
    }

    #[test]
    fn from_array_keeps_holes() {
        let t = Table::from_array(vec![n(1.0), Value::Nil, n(3.0), Value::Nil]);
        assert_eq!(t.len(), 3);
        assert!(t.get_int(2).is_nil());
    }
}
