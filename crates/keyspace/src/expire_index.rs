//! [`ExpireIndex`]: the set of keys that carry a TTL, with O(1) insert, remove and uniform random sampling,
//! which is what the active expiry cycle needs (std's `HashMap` cannot pick a random element).

use std::collections::HashMap;

use crate::key::Key;

/// Keys with a TTL, stored densely so a random one can be picked by index.
#[derive(Debug, Default, Clone)]
pub(crate) struct ExpireIndex {
    keys: Vec<Key>,
    position: HashMap<Key, usize>,
}

impl ExpireIndex {
    pub(crate) fn len(&self) -> usize {
        self.keys.len()
    }

    pub(crate) fn insert(&mut self, key: &[u8]) {
        if self.position.contains_key(key) {
            return;
        }
        let key = Key::from_slice(key);
        self.position.insert(key.clone(), self.keys.len());
        self.keys.push(key);
    }

    pub(crate) fn remove(&mut self, key: &[u8]) {
        let Some(index) = self.position.remove(key) else {
            return;
        };
        self.keys.swap_remove(index);
        if let Some(moved) = self.keys.get(index) {
            self.position.insert(moved.clone(), index);
        }
    }

    pub(crate) fn get(&self, index: usize) -> Option<&Key> {
        self.keys.get(index)
    }

    pub(crate) fn clear(&mut self) {
        self.keys.clear();
        self.position.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remove_keeps_positions_consistent() {
        let mut index = ExpireIndex::default();
        for key in ["a", "b", "c", "d"] {
            index.insert(key.as_bytes());
        }
        index.remove(b"a");
        index.remove(b"zz");
        assert_eq!(index.len(), 3);
        for i in 0..index.len() {
            let key = index.get(i).unwrap().clone();
            assert_eq!(index.position[&key], i);
        }
        index.remove(b"d");
        index.remove(b"b");
        index.remove(b"c");
        assert_eq!(index.len(), 0);
    }
}
