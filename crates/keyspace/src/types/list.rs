//! [`List`]: a Redis list, a deque of byte strings.

use std::collections::VecDeque;

use bytes::Bytes;

/// A Redis list. Redis 7.0 reports `listpack` for small lists and `quicklist` otherwise.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct List {
    items: VecDeque<Bytes>,
}

impl List {
    /// An empty list.
    pub fn new() -> List {
        List::default()
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether the list is empty (an empty list is never stored under a key).
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Pushes at the head.
    pub fn push_front(&mut self, item: Bytes) {
        self.items.push_front(item);
    }

    /// Pushes at the tail.
    pub fn push_back(&mut self, item: Bytes) {
        self.items.push_back(item);
    }

    /// Pops from the head.
    pub fn pop_front(&mut self) -> Option<Bytes> {
        self.items.pop_front()
    }

    /// Pops from the tail.
    pub fn pop_back(&mut self) -> Option<Bytes> {
        self.items.pop_back()
    }

    /// Elements head to tail.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &Bytes> + ExactSizeIterator {
        self.items.iter()
    }

    /// `OBJECT ENCODING`: Redis 7.0 stores every list as a quicklist.
    pub fn encoding(&self) -> &'static str {
        "quicklist"
    }

    /// The underlying deque, for the list commands.
    pub fn items_mut(&mut self) -> &mut VecDeque<Bytes> {
        &mut self.items
    }
}

impl FromIterator<Bytes> for List {
    fn from_iter<I: IntoIterator<Item = Bytes>>(iter: I) -> List {
        List {
            items: iter.into_iter().collect(),
        }
    }
}
