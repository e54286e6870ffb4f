//! [`CompactBytes`]: how a database stores a string value. Most values are short (counters, flags, small
//! payloads), so up to [`CompactBytes::INLINE`] bytes live inside the 24-byte handle itself: reading one touches
//! only the key's slot, not a second allocation elsewhere in memory, and storing one allocates nothing. Longer
//! values are a shared `Bytes` behind one pointer, so a large value is handed to a reply or a snapshot
//! without copying it.

use std::fmt;
use std::ops::Deref;

use bytes::Bytes;

/// A string value: bytes, stored inline when short.
#[derive(Clone)]
pub struct CompactBytes(Repr);

#[derive(Clone)]
enum Repr {
    Inline {
        len: u8,
        data: [u8; CompactBytes::INLINE],
    },
    Shared(Box<Bytes>),
}

impl CompactBytes {
    /// Values up to this many bytes are stored without an allocation.
    pub const INLINE: usize = 22;

    /// A value holding a copy of `data` (a long one gets an allocation of exactly its size, so it never keeps
    /// a larger buffer it was cut from alive).
    pub fn from_slice(data: &[u8]) -> CompactBytes {
        match Self::inline(data) {
            Some(value) => value,
            None => CompactBytes(Repr::Shared(Box::new(Bytes::copy_from_slice(data)))),
        }
    }

    /// A value holding `data`: inline when short, else the handle itself (no copy). The caller decides
    /// whether `data` may keep its underlying buffer alive; [`CompactBytes::from_slice`] never does.
    pub fn from_bytes(data: Bytes) -> CompactBytes {
        match Self::inline(&data) {
            Some(value) => value,
            None => CompactBytes(Repr::Shared(Box::new(data))),
        }
    }

    fn inline(data: &[u8]) -> Option<CompactBytes> {
        (data.len() <= CompactBytes::INLINE).then(|| {
            let mut inline = [0u8; CompactBytes::INLINE];
            inline[..data.len()].copy_from_slice(data);
            CompactBytes(Repr::Inline {
                len: data.len() as u8,
                data: inline,
            })
        })
    }

    /// The value's bytes.
    pub fn as_slice(&self) -> &[u8] {
        match &self.0 {
            Repr::Inline { len, data } => &data[..usize::from(*len)],
            Repr::Shared(bytes) => bytes,
        }
    }

    /// A `Bytes` handle on the value, for replies: a copy of a short value, a shared handle on a long one.
    pub fn to_bytes(&self) -> Bytes {
        match &self.0 {
            Repr::Inline { len, data } => Bytes::copy_from_slice(&data[..usize::from(*len)]),
            Repr::Shared(bytes) => Bytes::clone(bytes),
        }
    }
}

impl Default for CompactBytes {
    fn default() -> CompactBytes {
        CompactBytes::from_slice(b"")
    }
}

impl From<Bytes> for CompactBytes {
    fn from(data: Bytes) -> CompactBytes {
        CompactBytes::from_bytes(data)
    }
}

impl From<&[u8]> for CompactBytes {
    fn from(data: &[u8]) -> CompactBytes {
        CompactBytes::from_slice(data)
    }
}

impl From<Vec<u8>> for CompactBytes {
    fn from(data: Vec<u8>) -> CompactBytes {
        CompactBytes::from_bytes(Bytes::from(data.into_boxed_slice()))
    }
}

impl From<&CompactBytes> for Bytes {
    fn from(value: &CompactBytes) -> Bytes {
        value.to_bytes()
    }
}

impl From<CompactBytes> for Bytes {
    fn from(value: CompactBytes) -> Bytes {
        match value.0 {
            Repr::Shared(bytes) => *bytes,
            Repr::Inline { .. } => value.to_bytes(),
        }
    }
}

impl Deref for CompactBytes {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        self.as_slice()
    }
}

impl AsRef<[u8]> for CompactBytes {
    fn as_ref(&self) -> &[u8] {
        self.as_slice()
    }
}

impl PartialEq for CompactBytes {
    fn eq(&self, other: &CompactBytes) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl Eq for CompactBytes {}

impl PartialEq<[u8]> for CompactBytes {
    fn eq(&self, other: &[u8]) -> bool {
        self.as_slice() == other
    }
}

impl PartialEq<&[u8]> for CompactBytes {
    fn eq(&self, other: &&[u8]) -> bool {
        self.as_slice() == *other
    }
}

impl PartialEq<Bytes> for CompactBytes {
    fn eq(&self, other: &Bytes) -> bool {
        self.as_slice() == &other[..]
    }
}

/// Hashes exactly as the byte slice does.
impl std::hash::Hash for CompactBytes {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_slice().hash(state);
    }
}

impl fmt::Debug for CompactBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.as_slice().escape_ascii().to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_is_24_bytes() {
        assert_eq!(std::mem::size_of::<CompactBytes>(), 24);
    }

    #[test]
    fn short_and_long_values_round_trip() {
        for len in [0, 1, 21, 22, 23, 100, 5000] {
            let data: Vec<u8> = (0..len).map(|i| i as u8).collect();
            for value in [
                CompactBytes::from_slice(&data),
                CompactBytes::from_bytes(Bytes::from(data.clone())),
            ] {
                assert_eq!(value.as_slice(), &data[..]);
                assert_eq!(value.to_bytes(), Bytes::from(data.clone()));
                assert_eq!(Bytes::from(value.clone()), Bytes::from(data.clone()));
            }
        }
    }

    #[test]
    fn a_long_value_is_shared_not_copied() {
        let data = Bytes::from(vec![7u8; 1000]);
        let value = CompactBytes::from_bytes(data.clone());
        assert_eq!(value.to_bytes().as_ptr(), data.as_ptr());
    }
}
