//! [`Key`]: how a database stores a key name. Most key names are short, so up to [`Key::INLINE`] bytes live
//! inside the 24-byte handle itself and only longer names take a heap allocation. A `Bytes` handle is 32
//! bytes plus, for a copied name, an allocation of its own: for a million short keys this saves about 40
//! bytes per key, the largest single item of per-key memory.

use std::borrow::Borrow;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;

use bytes::Bytes;

/// A key name: bytes, stored inline when short.
#[derive(Clone)]
pub struct Key(Repr);

#[derive(Clone)]
enum Repr {
    Inline { len: u8, data: [u8; Key::INLINE] },
    Heap(Box<[u8]>),
}

impl Key {
    /// Names up to this many bytes are stored without an allocation.
    pub const INLINE: usize = 22;

    /// A key holding a copy of `name`.
    pub fn from_slice(name: &[u8]) -> Key {
        if name.len() <= Key::INLINE {
            let mut data = [0u8; Key::INLINE];
            data[..name.len()].copy_from_slice(name);
            Key(Repr::Inline {
                len: name.len() as u8,
                data,
            })
        } else {
            Key(Repr::Heap(name.into()))
        }
    }

    /// The name's bytes.
    pub fn as_slice(&self) -> &[u8] {
        match &self.0 {
            Repr::Inline { len, data } => &data[..usize::from(*len)],
            Repr::Heap(bytes) => bytes,
        }
    }

    /// A `Bytes` copy of the name (for replies and snapshots).
    pub fn to_bytes(&self) -> Bytes {
        Bytes::copy_from_slice(self.as_slice())
    }
}

impl From<&[u8]> for Key {
    fn from(name: &[u8]) -> Key {
        Key::from_slice(name)
    }
}

impl From<Bytes> for Key {
    fn from(name: Bytes) -> Key {
        Key::from_slice(&name)
    }
}

impl From<&Bytes> for Key {
    fn from(name: &Bytes) -> Key {
        Key::from_slice(name)
    }
}

impl Deref for Key {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        self.as_slice()
    }
}

impl AsRef<[u8]> for Key {
    fn as_ref(&self) -> &[u8] {
        self.as_slice()
    }
}

impl Borrow<[u8]> for Key {
    fn borrow(&self) -> &[u8] {
        self.as_slice()
    }
}

impl PartialEq for Key {
    fn eq(&self, other: &Key) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl Eq for Key {}

impl PartialEq<[u8]> for Key {
    fn eq(&self, other: &[u8]) -> bool {
        self.as_slice() == other
    }
}

impl PartialEq<&[u8]> for Key {
    fn eq(&self, other: &&[u8]) -> bool {
        self.as_slice() == *other
    }
}

impl PartialEq<Bytes> for Key {
    fn eq(&self, other: &Bytes) -> bool {
        self.as_slice() == &other[..]
    }
}

/// Hashes exactly as the byte slice does, so `Borrow<[u8]>` lookups work.
impl Hash for Key {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_slice().hash(state);
    }
}

impl PartialOrd for Key {
    fn partial_cmp(&self, other: &Key) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Key {
    fn cmp(&self, other: &Key) -> std::cmp::Ordering {
        self.as_slice().cmp(other.as_slice())
    }
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.as_slice().escape_ascii().to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_24_bytes() {
        assert_eq!(std::mem::size_of::<Key>(), 24);
    }

    #[test]
    fn short_and_long_names_round_trip() {
        for len in [0, 1, 21, 22, 23, 100] {
            let name: Vec<u8> = (0..len).map(|i| i as u8).collect();
            let key = Key::from_slice(&name);
            assert_eq!(key.as_slice(), &name[..]);
            assert_eq!(key.to_bytes(), Bytes::from(name.clone()));
            assert_eq!(key, Key::from(Bytes::from(name)));
        }
    }

    #[test]
    fn hashes_like_its_bytes() {
        use std::hash::BuildHasher;
        let state = std::hash::RandomState::new();
        let key = Key::from_slice(b"user:1000");
        assert_eq!(state.hash_one(&key), state.hash_one(&b"user:1000"[..]));
    }
}
