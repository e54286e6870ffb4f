//! [`Hash`]: a Redis hash, field to value, with Redis 7.0's encoding rule: `listpack` while small, then
//! `hashtable` for good.

use super::dense::DenseMap;
use crate::{CompactBytes, Key};

/// Redis's default `hash-max-listpack-entries`: more fields than this and a hash is a `hashtable`.
pub const HASH_MAX_LISTPACK_ENTRIES: usize = 512;
/// Redis's default `hash-max-listpack-value`: a field or value longer than this (in bytes) makes a hash a
/// `hashtable`.
pub const HASH_MAX_LISTPACK_VALUE: usize = 64;

/// A Redis hash.
///
/// While it is a listpack, the fields keep their insertion order (Redis appends to the listpack and removes in
/// place, and HGETALL shows that order), so removal shifts instead of swapping. The conversion to hashtable is
/// one-way, as in Redis; only a fresh build (such as loading it from an RDB file) starts over as a listpack.
#[derive(Debug, Clone)]
pub struct Hash {
    fields: DenseMap<CompactBytes>,
    listpack: bool,
}

impl Default for Hash {
    fn default() -> Hash {
        Hash {
            fields: DenseMap::new(),
            listpack: true,
        }
    }
}

impl PartialEq for Hash {
    fn eq(&self, other: &Hash) -> bool {
        self.len() == other.len()
            && self
                .fields
                .iter()
                .all(|(field, value)| other.get(field) == Some(value))
    }
}

impl Eq for Hash {}

impl Hash {
    /// An empty hash.
    pub fn new() -> Hash {
        Hash::default()
    }

    /// Number of fields.
    pub fn len(&self) -> usize {
        self.fields.len()
    }

    /// Whether there are no fields.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// The value of `field`.
    pub fn get(&self, field: &[u8]) -> Option<&CompactBytes> {
        self.fields.get(field)
    }

    /// Sets `field`; returns the previous value. Converts to `hashtable` when the field or the value is longer
    /// than [`HASH_MAX_LISTPACK_VALUE`] or the hash grows past [`HASH_MAX_LISTPACK_ENTRIES`].
    pub fn insert(&mut self, field: &[u8], value: &[u8]) -> Option<CompactBytes> {
        if field.len() > HASH_MAX_LISTPACK_VALUE || value.len() > HASH_MAX_LISTPACK_VALUE {
            self.listpack = false;
        }
        let previous = self.fields.insert(field, CompactBytes::from_slice(value));
        if self.fields.len() > HASH_MAX_LISTPACK_ENTRIES {
            self.listpack = false;
        }
        previous
    }

    /// Removes `field`; returns its value.
    pub fn remove(&mut self, field: &[u8]) -> Option<CompactBytes> {
        if self.listpack {
            self.fields.shift_remove(field)
        } else {
            self.fields.remove(field)
        }
    }

    /// The fields and values, for the hash commands (random picks, scans).
    pub fn fields(&self) -> &DenseMap<CompactBytes> {
        &self.fields
    }

    /// Whether the hash is in its small encoding (`listpack`): HSCAN then returns everything at once.
    pub fn is_listpack(&self) -> bool {
        self.listpack
    }

    /// `OBJECT ENCODING`.
    pub fn encoding(&self) -> &'static str {
        if self.listpack {
            "listpack"
        } else {
            "hashtable"
        }
    }

    /// Every (field, value); in insertion order while a listpack.
    pub fn iter(&self) -> impl Iterator<Item = (&Key, &CompactBytes)> {
        self.fields.iter()
    }
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;

    use super::*;

    fn hash_with(fields: usize) -> Hash {
        let mut hash = Hash::new();
        for i in 0..fields {
            hash.insert(&Bytes::from(format!("f{i}")), &Bytes::from("v"));
        }
        hash
    }

    #[test]
    fn listpack_up_to_the_entry_limit_then_hashtable_for_good() {
        let mut hash = hash_with(HASH_MAX_LISTPACK_ENTRIES);
        assert_eq!(hash.encoding(), "listpack");
        hash.insert(&Bytes::from("one-more"), &Bytes::from("v"));
        assert_eq!(hash.encoding(), "hashtable");
        hash.remove(b"one-more");
        hash.remove(b"f0");
        assert_eq!(hash.encoding(), "hashtable");
    }

    #[test]
    fn a_long_field_or_value_converts() {
        let long = Bytes::from(vec![b'x'; HASH_MAX_LISTPACK_VALUE + 1]);
        let limit = Bytes::from(vec![b'x'; HASH_MAX_LISTPACK_VALUE]);
        let mut hash = Hash::new();
        hash.insert(&limit.clone(), &limit.clone());
        assert_eq!(hash.encoding(), "listpack");
        hash.insert(&Bytes::from("f"), &long.clone());
        assert_eq!(hash.encoding(), "hashtable");
        // Shrinking the value back does not convert back.
        hash.insert(&Bytes::from("f"), &Bytes::from("short"));
        assert_eq!(hash.encoding(), "hashtable");

        let mut hash = Hash::new();
        hash.insert(&long, &Bytes::from("v"));
        assert_eq!(hash.encoding(), "hashtable");
    }

    #[test]
    fn a_rebuilt_hash_starts_as_a_listpack_again() {
        let mut hash = hash_with(HASH_MAX_LISTPACK_ENTRIES + 1);
        hash.remove(b"f0");
        assert_eq!(hash.encoding(), "hashtable");
        let mut rebuilt = Hash::new();
        for (field, value) in hash.iter() {
            rebuilt.insert(field, value);
        }
        assert_eq!(rebuilt.encoding(), "listpack");
        assert_eq!(rebuilt, hash);
    }

    #[test]
    fn a_listpack_keeps_insertion_order_across_removals_and_updates() {
        let mut hash = hash_with(5);
        hash.remove(b"f1");
        hash.insert(&Bytes::from("f0"), &Bytes::from("new"));
        hash.insert(&Bytes::from("f9"), &Bytes::from("v"));
        let order: Vec<_> = hash.iter().map(|(field, _)| field.to_bytes()).collect();
        assert_eq!(order, ["f0", "f2", "f3", "f4", "f9"]);
        assert_eq!(hash.get(b"f0").map(|v| v.as_slice()), Some(&b"new"[..]));
    }
}
