//! [`KeyTable`]: the storage of one database. Entries live in a dense vector and a hash table maps each key
//! to its position, which gives what Redis's dict gives and std's `HashMap` does not: a uniformly random key in
//! O(1) (`RANDOMKEY`) and a stateless scan cursor that never misses a key present for the whole scan (`SCAN`).
//!
//! The scan walks positions from the end towards the start; removal moves the last entry into the hole (see
//! `types/dense.rs` for why that is safe). The hash table stores only a `u32` position per key (the key itself is
//! in the vector), so the index costs about five bytes per key rather than a second copy of the key handle.
//!
//! While a snapshot is being taken ([`crate::Keyspace::begin_snapshot`]) the table is also copy-on-write: the
//! snapshot walks positions downwards like a scan, and an entry below its cursor that is about to change or
//! go away first has its old value saved for the snapshot. A removal below the cursor refills the hole from
//! the highest position still to be copied (and that one from the last entry), so entries already copied, or
//! added since the snapshot began, never move below the cursor.
//!
//! Each entry also carries the time it was last accessed (whole seconds, like Redis's LRU clock), in a vector
//! parallel to the entries so that a plain string key pays four bytes for it; `OBJECT IDLETIME` reads it.

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};

use hashbrown::HashTable;

use crate::Entry;
use crate::key::Key;

/// Keys to entries, densely stored.
#[derive(Debug, Default)]
pub(crate) struct KeyTable {
    slots: Vec<(Key, Entry)>,
    /// Last access of `slots[i]`, in Unix seconds (truncated to 32 bits; only differences are used).
    access: Vec<u32>,
    index: HashTable<u32>,
    hasher: RandomState,
    /// The snapshot in progress over this table, if any.
    cow: Option<Box<CopyOnWrite>>,
}

/// A copy of the table is a plain copy of its data: the snapshot in progress stays with the original.
impl Clone for KeyTable {
    fn clone(&self) -> KeyTable {
        KeyTable {
            slots: self.slots.clone(),
            access: self.access.clone(),
            index: self.index.clone(),
            hasher: self.hasher.clone(),
            cow: None,
        }
    }
}

/// What a snapshot in progress still has to copy besides the positions below `pending_below`.
#[derive(Debug, Default)]
pub(crate) struct CopyOnWrite {
    /// Positions below this hold entries the snapshot has not copied yet.
    pending_below: usize,
    /// The snapshot-time entries of keys changed or removed before the snapshot reached them.
    saved: HashMap<Key, Entry>,
    /// Snapshot-time entries taken out of the table wholesale (by `clear`), still to be handed over.
    detached: Vec<(Key, Entry)>,
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

    pub(crate) fn at(&self, position: usize) -> Option<(&Key, &Entry)> {
        self.slots.get(position).map(|(key, entry)| (key, entry))
    }

    /// The entry at `position` for modification (saving its current state first for a snapshot that has not
    /// copied it yet).
    pub(crate) fn entry_mut(&mut self, position: usize) -> &mut Entry {
        self.preserve(position);
        &mut self.slots[position].1
    }

    pub(crate) fn access(&self, position: usize) -> u32 {
        self.access[position]
    }

    pub(crate) fn set_access(&mut self, position: usize, clock: u32) {
        self.access[position] = clock;
    }

    /// Inserts or replaces; returns the previous entry. A replaced entry keeps its position.
    pub(crate) fn insert(&mut self, key: &[u8], entry: Entry, clock: u32) -> Option<Entry> {
        // One hash for both the lookup and the insertion.
        let hash = self.hash(key);
        let found = {
            let slots = &self.slots;
            self.index
                .find(hash, |&i| slots[i as usize].0 == key)
                .map(|&i| i as usize)
        };
        if let Some(position) = found {
            self.preserve(position);
            self.access[position] = clock;
            return Some(std::mem::replace(&mut self.slots[position].1, entry));
        }
        let position = u32::try_from(self.slots.len()).expect("fewer than 2^32 keys per database");
        let (slots, hasher) = (&self.slots, &self.hasher);
        self.index.insert_unique(hash, position, |&i| {
            hasher.hash_one(&slots[i as usize].0[..])
        });
        self.slots.push((Key::from_slice(key), entry));
        self.access.push(clock);
        None
    }

    /// Removes the entry at `position`, moving the last entry into its place (or, below a snapshot's cursor,
    /// the highest entry the snapshot has yet to copy, whose own place the last entry then takes).
    pub(crate) fn remove_at(&mut self, mut position: usize) -> (Key, Entry) {
        if let Some(pending_below) = self.cow.as_ref().map(|cow| cow.pending_below)
            && position < pending_below
        {
            self.preserve(position);
            let highest_pending = pending_below - 1;
            self.swap_slots(position, highest_pending);
            position = highest_pending;
            if let Some(cow) = self.cow.as_mut() {
                cow.pending_below = highest_pending;
            }
        }
        let hash = self.hash(&self.slots[position].0[..]);
        if let Ok(found) = self.index.find_entry(hash, |&i| i as usize == position) {
            found.remove();
        }
        let last = self.slots.len() - 1;
        if position != last {
            self.repoint(last, position);
        }
        self.access.swap_remove(position);
        self.slots.swap_remove(position)
    }

    /// Exchanges the entries at two positions, index included.
    fn swap_slots(&mut self, first: usize, second: usize) {
        if first == second {
            return;
        }
        // Index entries are found by the position they hold, so one is parked on a value no position has
        // while the other is changed.
        const PARKED: usize = u32::MAX as usize;
        let first_hash = self.hash(&self.slots[first].0[..]);
        self.set_position(first_hash, first, PARKED);
        self.repoint(second, first);
        self.set_position(first_hash, PARKED, second);
        self.slots.swap(first, second);
        self.access.swap(first, second);
    }

    /// Points the index entry of the key stored at `from` to `to`.
    fn repoint(&mut self, from: usize, to: usize) {
        let hash = self.hash(&self.slots[from].0[..]);
        self.set_position(hash, from, to);
    }

    fn set_position(&mut self, hash: u64, from: usize, to: usize) {
        if let Some(found) = self.index.find_mut(hash, |&i| i as usize == from) {
            *found = to as u32;
        }
    }

    /// Saves the entry at `position` for the snapshot in progress if the snapshot has not copied it yet and
    /// has no earlier state of its key.
    fn preserve(&mut self, position: usize) {
        let Some(cow) = self.cow.as_mut() else {
            return;
        };
        if position >= cow.pending_below {
            return;
        }
        let (key, entry) = &self.slots[position];
        if !cow.saved.contains_key(key) {
            cow.saved.insert(key.clone(), entry.clone());
        }
    }

    /// Starts copy-on-write for a snapshot of the table as it is now.
    pub(crate) fn begin_snapshot(&mut self) {
        self.cow = Some(Box::new(CopyOnWrite {
            pending_below: self.slots.len(),
            ..CopyOnWrite::default()
        }));
    }

    /// Ends copy-on-write, whatever the snapshot still had to copy.
    pub(crate) fn cancel_snapshot(&mut self) {
        self.cow = None;
    }

    /// Whether a snapshot is still copying this table.
    pub(crate) fn in_snapshot(&self) -> bool {
        self.cow.is_some()
    }

    /// Moves up to `budget` snapshot-time entries into `out`; returns true (and ends copy-on-write) once
    /// every one has been handed over.
    pub(crate) fn snapshot_step(&mut self, budget: usize, out: &mut Vec<(Key, Entry)>) -> bool {
        let Some(cow) = self.cow.as_mut() else {
            return true;
        };
        let mut budget = budget.max(1);
        while budget > 0
            && let Some(detached) = cow.detached.pop()
        {
            out.push(detached);
            budget -= 1;
        }
        while budget > 0 && cow.pending_below > 0 {
            cow.pending_below -= 1;
            let (key, entry) = &self.slots[cow.pending_below];
            let entry = cow.saved.remove(key).unwrap_or_else(|| entry.clone());
            out.push((key.clone(), entry));
            budget -= 1;
        }
        // What is left in `saved` belongs to keys removed before the snapshot reached them.
        while budget > 0 && cow.pending_below == 0 && !cow.saved.is_empty() {
            let batch: Vec<Key> = cow.saved.keys().take(budget).cloned().collect();
            for key in batch {
                if let Some(entry) = cow.saved.remove(&key) {
                    out.push((key, entry));
                    budget -= 1;
                }
            }
        }
        let done = cow.pending_below == 0 && cow.detached.is_empty() && cow.saved.is_empty();
        if done {
            self.cow = None;
        }
        done
    }

    /// Hands every entry the snapshot has yet to copy over to it as a copy, so the table can then change in
    /// any way (`SWAPDB`) without copy-on-write.
    pub(crate) fn detach_pending(&mut self) {
        let Some(cow) = self.cow.as_mut() else {
            return;
        };
        for (key, entry) in &self.slots[..cow.pending_below] {
            let entry = cow.saved.remove(key).unwrap_or_else(|| entry.clone());
            cow.detached.push((key.clone(), entry));
        }
        cow.pending_below = 0;
    }

    /// Moves the copy-on-write state out (to keep it with its database number across `SWAPDB`).
    pub(crate) fn take_snapshot_state(&mut self) -> Option<Box<CopyOnWrite>> {
        self.cow.take()
    }

    /// Puts back a state taken by [`KeyTable::take_snapshot_state`].
    pub(crate) fn restore_snapshot_state(&mut self, state: Option<Box<CopyOnWrite>>) {
        self.cow = state;
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = (&Key, &Entry)> {
        self.slots.iter().map(|(key, entry)| (key, entry))
    }

    pub(crate) fn clear(&mut self) {
        if let Some(cow) = self.cow.as_mut() {
            // The entries the snapshot has not copied are handed to it rather than dropped.
            let mut pending = std::mem::take(&mut self.slots);
            pending.truncate(cow.pending_below);
            for (key, entry) in pending {
                let entry = cow.saved.remove(&key).unwrap_or(entry);
                cow.detached.push((key, entry));
            }
            cow.pending_below = 0;
        }
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
        mut visit: impl FnMut(&Key, &Entry),
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

    use bytes::Bytes;

    use super::*;
    use crate::Value;

    fn entry() -> Entry {
        Entry::new(Value::String(crate::CompactBytes::from_slice(b"v")))
    }

    fn key(i: usize) -> Bytes {
        Bytes::from(format!("k{i}"))
    }

    #[test]
    fn positions_stay_consistent_through_removals() {
        let mut table = KeyTable::default();
        for i in 0..50 {
            assert!(table.insert(&key(i), entry(), i as u32).is_none());
        }
        assert!(table.insert(&key(7), entry(), 99).is_some());
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
            table.insert(&key(i), entry(), 0);
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
                table.insert(&key(1000 + step), entry(), 0);
                step += 1;
            }
            if cursor == 0 {
                break;
            }
        }
        for i in 0..200 {
            let removed = i % 2 == 1 && i < 100;
            if !removed {
                assert!(seen.contains(&key(i)[..]), "k{i} missed");
            }
        }
    }
}
