//! [`DenseMap`]: a hash map whose entries live in one dense vector, which gives what Redis's dict gives and
//! std's `HashMap` does not: a uniformly random entry in O(1) (`SRANDMEMBER`, `SPOP`, `HRANDFIELD`) and a
//! stateless scan cursor (`SSCAN`, `HSCAN`).
//!
//! The scan walks indices from the end towards the start. Removal swaps the last entry into the hole; the
//! last entry has then already been visited or is beyond the cursor, so an entry present for the whole scan
//! is never missed (it may be returned twice, which SCAN allows). Entries added during a scan may be missed,
//! which SCAN also allows.
//!
//! Names are [`Key`]s (inline when short) and the hash index holds only a `u32` position per entry, as in
//! `KeyTable`: a lookup reads the index and then one entry, where a map keyed by `Bytes` also chases the
//! name's separate allocation, and a name is stored once instead of twice.

use std::hash::{BuildHasher, RandomState};

use hashbrown::HashTable;

use crate::Key;

/// A map from byte-string names to `V`, densely stored.
#[derive(Debug, Clone, Default)]
pub struct DenseMap<V> {
    entries: Vec<(Key, V)>,
    index: HashTable<u32>,
    hasher: RandomState,
}

impl<V> DenseMap<V> {
    /// An empty map.
    pub fn new() -> DenseMap<V> {
        DenseMap {
            entries: Vec::new(),
            index: HashTable::new(),
            hasher: RandomState::new(),
        }
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn position(&self, key: &[u8]) -> Option<usize> {
        let entries = &self.entries;
        self.index
            .find(self.hasher.hash_one(key), |&i| {
                entries[i as usize].0.as_slice() == key
            })
            .map(|&i| i as usize)
    }

    /// Points the index entry of the name at `from` to `to` (after the entry moved).
    fn repoint(&mut self, from: usize, to: usize) {
        let hash = self.hasher.hash_one(self.entries[to].0.as_slice());
        if let Some(slot) = self.index.find_mut(hash, |&i| i as usize == from) {
            *slot = to as u32;
        }
    }

    /// The value under `key`.
    pub fn get(&self, key: &[u8]) -> Option<&V> {
        self.position(key).map(|i| &self.entries[i].1)
    }

    /// The value under `key`, for modification.
    pub fn get_mut(&mut self, key: &[u8]) -> Option<&mut V> {
        let i = self.position(key)?;
        Some(&mut self.entries[i].1)
    }

    /// Whether `key` is present.
    pub fn contains_key(&self, key: &[u8]) -> bool {
        self.position(key).is_some()
    }

    /// Inserts or replaces; returns the previous value.
    pub fn insert(&mut self, key: &[u8], value: V) -> Option<V> {
        // One hash for both the lookup and the insertion.
        let hash = self.hasher.hash_one(key);
        let found = {
            let entries = &self.entries;
            self.index
                .find(hash, |&i| entries[i as usize].0.as_slice() == key)
                .map(|&i| i as usize)
        };
        if let Some(i) = found {
            return Some(std::mem::replace(&mut self.entries[i].1, value));
        }
        let position = u32::try_from(self.entries.len()).expect("fewer than 2^32 entries");
        let (entries, hasher) = (&self.entries, &self.hasher);
        self.index.insert_unique(hash, position, |&i| {
            hasher.hash_one(entries[i as usize].0.as_slice())
        });
        self.entries.push((Key::from_slice(key), value));
        None
    }

    /// Removes the index entry of `key`; returns its position.
    fn unindex(&mut self, key: &[u8]) -> Option<usize> {
        let entries = &self.entries;
        let found = self
            .index
            .find_entry(self.hasher.hash_one(key), |&i| {
                entries[i as usize].0.as_slice() == key
            })
            .ok()?;
        let (i, _) = found.remove();
        Some(i as usize)
    }

    /// Removes `key`; returns its value.
    pub fn remove(&mut self, key: &[u8]) -> Option<V> {
        let i = self.unindex(key)?;
        let last = self.entries.len() - 1;
        let (_, value) = self.entries.swap_remove(i);
        if i < last {
            self.repoint(last, i);
        }
        Some(value)
    }

    /// Removes `key` keeping the order of the other entries (O(n)); returns its value. For the small encodings
    /// (listpack), whose order Redis preserves and shows, and which are never scanned across calls.
    pub fn shift_remove(&mut self, key: &[u8]) -> Option<V> {
        let i = self.unindex(key)?;
        let (_, value) = self.entries.remove(i);
        for position in i..self.entries.len() {
            self.repoint(position + 1, position);
        }
        Some(value)
    }

    /// The entry at dense position `i` (for random picks: `i < len`).
    pub fn entry_at(&self, i: usize) -> Option<(&Key, &V)> {
        self.entries.get(i).map(|(key, value)| (key, value))
    }

    /// Every entry, in dense order.
    pub fn iter(&self) -> impl Iterator<Item = (&Key, &V)> {
        self.entries.iter().map(|(key, value)| (key, value))
    }

    /// One step of a scan: visits up to `count` entries starting at `cursor` (0 starts a scan) and returns the
    /// cursor for the next call, 0 when the scan is complete.
    pub fn scan(&self, cursor: u64, count: usize, mut visit: impl FnMut(&Key, &V)) -> u64 {
        let len = self.entries.len();
        // Cursor c > 0 means "next index to visit is c - 1"; 0 means "start from the end".
        let mut next = if cursor == 0 {
            len
        } else {
            usize::try_from(cursor).unwrap_or(usize::MAX).min(len)
        };
        let mut visited = 0;
        while next > 0 && visited < count.max(1) {
            next -= 1;
            let (key, value) = &self.entries[next];
            visit(key, value);
            visited += 1;
        }
        next as u64
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use bytes::Bytes;

    use super::*;

    fn key(i: usize) -> Bytes {
        Bytes::from(format!("k{i}"))
    }

    #[test]
    fn insert_remove_keep_the_index_consistent() {
        let mut map = DenseMap::new();
        for i in 0..10 {
            assert_eq!(map.insert(&key(i), i), None);
        }
        assert_eq!(map.insert(&key(3), 33), Some(3));
        assert_eq!(map.remove(b"k0"), Some(0));
        assert_eq!(map.remove(b"k0"), None);
        assert_eq!(map.len(), 9);
        for i in 1..10 {
            assert!(map.contains_key(&key(i)));
        }
        assert_eq!(map.get(b"k3"), Some(&33));
    }

    #[test]
    fn shift_remove_keeps_the_order() {
        let mut map = DenseMap::new();
        for i in 0..5 {
            map.insert(&key(i), i);
        }
        assert_eq!(map.shift_remove(b"k1"), Some(1));
        assert_eq!(map.shift_remove(b"k1"), None);
        let order: Vec<_> = map.iter().map(|(_, v)| *v).collect();
        assert_eq!(order, vec![0, 2, 3, 4]);
        assert_eq!(map.get(b"k4"), Some(&4));
        assert_eq!(map.remove(b"k0"), Some(0));
        assert_eq!(map.get(b"k2"), Some(&2));
        assert_eq!(map.len(), 3);
    }

    #[test]
    fn scan_never_misses_an_entry_present_throughout() {
        let mut map = DenseMap::new();
        for i in 0..100 {
            map.insert(&key(i), ());
        }
        let mut seen = HashSet::new();
        let mut cursor = 0;
        let mut removed = 0;
        loop {
            cursor = map.scan(cursor, 7, |k, _| {
                seen.insert(k.to_bytes());
            });
            // Remove entries (some already seen, some not) between calls.
            for _ in 0..2 {
                if removed < 40 {
                    map.remove(&key(removed * 2));
                    removed += 1;
                }
            }
            if cursor == 0 {
                break;
            }
        }
        for i in 0..100 {
            let present_throughout = !(i % 2 == 0 && i / 2 < 40);
            if present_throughout {
                assert!(seen.contains(&key(i)), "k{i} missed");
            }
        }
    }
}
