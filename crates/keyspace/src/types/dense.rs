//! [`DenseMap`]: a hash map whose entries live in one dense vector, which gives what Redis's dict gives and
//! std's `HashMap` does not: a uniformly random entry in O(1) (`SRANDMEMBER`, `SPOP`, `HRANDFIELD`) and a
//! stateless scan cursor (`SSCAN`, `HSCAN`).
//!
//! The scan walks indices from the end towards the start. Removal swaps the last entry into the hole; the
//! last entry has then already been visited or is beyond the cursor, so an entry present for the whole scan
//! is never missed (it may be returned twice, which SCAN allows). Entries added during a scan may be missed,
//! which SCAN also allows.

use std::collections::HashMap;

use bytes::Bytes;

/// A map from byte-string keys to `V`, densely stored.
#[derive(Debug, Clone, Default)]
pub struct DenseMap<V> {
    entries: Vec<(Bytes, V)>,
    index: HashMap<Bytes, usize>,
}

impl<V> DenseMap<V> {
    /// An empty map.
    pub fn new() -> DenseMap<V> {
        DenseMap {
            entries: Vec::new(),
            index: HashMap::new(),
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

    /// The value under `key`.
    pub fn get(&self, key: &[u8]) -> Option<&V> {
        self.index.get(key).map(|&i| &self.entries[i].1)
    }

    /// The value under `key`, for modification.
    pub fn get_mut(&mut self, key: &[u8]) -> Option<&mut V> {
        let i = *self.index.get(key)?;
        Some(&mut self.entries[i].1)
    }

    /// Whether `key` is present.
    pub fn contains_key(&self, key: &[u8]) -> bool {
        self.index.contains_key(key)
    }

    /// Inserts or replaces; returns the previous value.
    pub fn insert(&mut self, key: Bytes, value: V) -> Option<V> {
        if let Some(&i) = self.index.get(&key) {
            return Some(std::mem::replace(&mut self.entries[i].1, value));
        }
        self.index.insert(key.clone(), self.entries.len());
        self.entries.push((key, value));
        None
    }

    /// Removes `key`; returns its value.
    pub fn remove(&mut self, key: &[u8]) -> Option<V> {
        let i = self.index.remove(key)?;
        let (_, value) = self.entries.swap_remove(i);
        if let Some((moved, _)) = self.entries.get(i) {
            self.index.insert(moved.clone(), i);
        }
        Some(value)
    }

    /// Removes `key` keeping the order of the other entries (O(n)); returns its value. For the small encodings
    /// (listpack), whose order Redis preserves and shows, and which are never scanned across calls.
    pub fn shift_remove(&mut self, key: &[u8]) -> Option<V> {
        let i = self.index.remove(key)?;
        let (_, value) = self.entries.remove(i);
        for (position, (moved, _)) in self.entries.iter().enumerate().skip(i) {
            if let Some(slot) = self.index.get_mut(moved) {
                *slot = position;
            }
        }
        Some(value)
    }

    /// The entry at dense position `i` (for random picks: `i < len`).
    pub fn entry_at(&self, i: usize) -> Option<(&Bytes, &V)> {
        self.entries.get(i).map(|(key, value)| (key, value))
    }

    /// Every entry, in dense order.
    pub fn iter(&self) -> impl Iterator<Item = (&Bytes, &V)> {
        self.entries.iter().map(|(key, value)| (key, value))
    }

    /// One step of a scan: visits up to `count` entries starting at `cursor` (0 starts a scan) and returns the
    /// cursor for the next call, 0 when the scan is complete.
    pub fn scan(&self, cursor: u64, count: usize, mut visit: impl FnMut(&Bytes, &V)) -> u64 {
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

    use super::*;

    fn key(i: usize) -> Bytes {
        Bytes::from(format!("k{i}"))
    }

    #[test]
    fn insert_remove_keep_the_index_consistent() {
        let mut map = DenseMap::new();
        for i in 0..10 {
            assert_eq!(map.insert(key(i), i), None);
        }
        assert_eq!(map.insert(key(3), 33), Some(3));
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
            map.insert(key(i), i);
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
            map.insert(key(i), ());
        }
        let mut seen = HashSet::new();
        let mut cursor = 0;
        let mut removed = 0;
        loop {
            cursor = map.scan(cursor, 7, |k, _| {
                seen.insert(k.clone());
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
