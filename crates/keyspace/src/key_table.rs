//! [`KeyTable`]: the storage of one database. Entries live in a dense vector and a hash table maps each key
//! to its position, which gives what Redis's dict gives and std's `HashMap` does not: a uniformly random key in
//! O(1) (`RANDOMKEY`) and a stateless scan cursor that never misses a key present for the whole scan (`SCAN`).
//!
//! The scan walks positions from the end towards the start; removal moves the last entry into the hole (see
//! `types/dense.rs` for why that is safe). The hash table stores only a `u32` position per key (the key itself is
//! in the vector), so the index costs about five bytes per key rather than a second copy of the key handle.
//!
//! Each entry also carries the time it was last accessed (whole seconds, like Redis's LRU clock), in a vector
//! parallel to the entries so that a plain string key pays four bytes for it; `OBJECT IDLETIME` reads it.

use std::hash::{BuildHasher, RandomState};

use bytes::Bytes;
use hashbrown::HashTable;

use crate::Entry;

/// Keys to entries, densely stored.
#[derive(Debug, Clone, Default)]
pub(crate) struct KeyTable {
    slots: Vec<(Bytes, Entry)>,
    /// Last access of `slots[i]`, in Unix seconds (truncated to 32 bits; only differences are used).
    access: Vec<u32>,
    index: HashTable<u32>,
    hasher: RandomState,
}

impl KeyTable {
    pub(crate) fn len(&self) -> usize {
        self.slots.len()
    }

    fn hash(&self, key: &[u8]) -> u64 {
        self.hasher.hash_one(key)
    }

    /// The position of `key`.
    pub(crate) fn position(&self, key: &[u8]) -> Option<usize> {
        let hash = self.hash(key);
        let slots = &self.slots;
        self.index
            .find(hash, |&i| slots[i as usize].0 == key)
            .map(|&i| i as usize)
    }

    pub(crate) fn at(&self, position: usize) -> Option<(&Bytes, &Entry)> {
        self.slots.get(position).map(|(key, entry)| (key, entry))
    }

    pub(crate) fn entry_mut(&mut self, position: usize) -> &mut Entry {
        &mut self.slots[position].1
    }

    pub(crate) fn access(&self, position: usize) -> u32 {
        self.access[position]
    }

    pub(crate) fn set_access(&mut self, position: usize, clock: u32) {
        self.access[position] = clock;
    }

    /// Inserts or replaces; returns the previous entry. A replaced entry keeps its position.
    pub(crate) fn insert(&mut self, key: Bytes, entry: Entry, clock: u32) -> Option<Entry> {
        if let Some(position) = self.position(&key) {
            self.access[position] = clock;
            return Some(std::mem::replace(&mut self.slots[position].1, entry));
        }
        let position = u32::try_from(self.slots.len()).expect("fewer than 2^32 keys per database");
        let hash = self.hash(&key);
        let (slots, hasher) = (&self.slots, &self.hasher);
        self.index.insert_unique(hash, position, |&i| {
            hasher.hash_one(&slots[i as usize].0[..])
        });
        self.slots.push((key, entry));
        self.access.push(clock);
        None
    }

    /// Removes the entry at `position`, moving the last entry into its place.
    pub(crate) fn remove_at(&mut self, position: usize) -> (Bytes, Entry) {
        let hash = self.hash(&self.slots[position].0);
        if let Ok(found) = self.index.find_entry(hash, |&i| i as usize == position) {
            found.remove();
        }
        let last = self.slots.len() - 1;
        if position != last {
            let moved_hash = self.hash(&self.slots[last].0);
            if let Some(moved) = self.index.find_mut(moved_hash, |&i| i as usize == last) {
                *moved = position as u32;
            }
        }
        self.access.swap_remove(position);
        self.slots.swap_remove(position)
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = (&Bytes, &Entry)> {
        self.slots.iter().map(|(key, entry)| (key, entry))
    }

    pub(crate) fn clear(&mut self) {
        self.slots = Vec::new();
        self.access = Vec::new();
        self.index = HashTable::new();
    }

    /// One scan step: up to `count` keys from `cursor` (0 starts), and the next cursor (0 when done). The cursor
    /// is the position last visited, so the next step resumes below it.
    pub(crate) fn scan(
        &self,
        cursor: u64,
        count: usize,
        mut visit: impl FnMut(&Bytes, &Entry),
    ) -> u64 {
        let len = self.slots.len();
        let mut next = if cursor == 0 {
            len
        } else {
            usize::try_from(cursor).unwrap_or(usize::MAX).min(len)
        };
        let mut visited = 0;
        while next > 0 && visited < count.max(1) {
            next -= 1;
            let (key, entry) = &self.slots[next];
            visit(key, entry);
            visited += 1;
        }
        next as u64
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::Value;

    fn entry() -> Entry {
        Entry::new(Value::String(Bytes::from_static(b"v")))
    }

    fn key(i: usize) -> Bytes {
        Bytes::from(format!("k{i}"))
    }

    #[test]
    fn positions_stay_consistent_through_removals() {
        let mut table = KeyTable::default();
        for i in 0..50 {
            assert!(table.insert(key(i), entry(), i as u32).is_none());
        }
        assert!(table.insert(key(7), entry(), 99).is_some());
        for i in (0..50).step_by(3) {
            let position = table.position(&key(i)).unwrap();
            let (removed, _) = table.remove_at(position);
            assert_eq!(removed, key(i));
        }
        for i in 0..50 {
            let present = table.position(&key(i));
            assert_eq!(present.is_some(), i % 3 != 0, "k{i}");
            if let Some(position) = present {
                assert_eq!(table.at(position).unwrap().0, &key(i));
                let expected = if i == 7 { 99 } else { i as u32 };
                assert_eq!(table.access(position), expected);
            }
        }
    }

    #[test]
    fn scan_returns_every_key_present_throughout() {
        let mut table = KeyTable::default();
        for i in 0..200 {
            table.insert(key(i), entry(), 0);
        }
        let mut seen = HashSet::new();
        let mut cursor = 0;
        let mut step = 0;
        loop {
            cursor = table.scan(cursor, 9, |k, _| {
                seen.insert(k.clone());
            });
            // Between steps: delete some keys (odd ones below 100) and add new ones.
            for _ in 0..3 {
                let victim = key(step * 2 + 1);
                if step * 2 + 1 < 100
                    && let Some(position) = table.position(&victim)
                {
                    table.remove_at(position);
                }
                table.insert(key(1000 + step), entry(), 0);
                step += 1;
            }
            if cursor == 0 {
                break;
            }
        }
        for i in 0..200 {
            let removed = i % 2 == 1 && i < 100;
            if !removed {
                assert!(seen.contains(&key(i)), "k{i} missed");
            }
        }
    }
}
