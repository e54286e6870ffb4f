//! [`Hash`]: a Redis hash, field to value.

use bytes::Bytes;

use super::dense::DenseMap;

/// A Redis hash.
#[derive(Debug, Clone, Default)]
pub struct Hash {
    fields: DenseMap<Bytes>,
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
    pub fn get(&self, field: &[u8]) -> Option<&Bytes> {
        self.fields.get(field)
    }

    /// Sets `field`; returns the previous value.
    pub fn insert(&mut self, field: Bytes, value: Bytes) -> Option<Bytes> {
        self.fields.insert(field, value)
    }

    /// Removes `field`; returns its value.
    pub fn remove(&mut self, field: &[u8]) -> Option<Bytes> {
        self.fields.remove(field)
    }

    /// The fields and values, for the hash commands (random picks, scans).
    pub fn fields(&self) -> &DenseMap<Bytes> {
        &self.fields
    }

    /// `OBJECT ENCODING`.
    pub fn encoding(&self) -> &'static str {
        "hashtable"
    }

    /// Every (field, value).
    pub fn iter(&self) -> impl Iterator<Item = (&Bytes, &Bytes)> {
        self.fields.iter()
    }
}
