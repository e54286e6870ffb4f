//! [`Node`]: one listpack's worth of stream entries, sized with the listpack rules so nodes close where
//! Redis closes them.

use bytes::Bytes;

use super::StreamId;
use crate::listpack::{OVERHEAD, entry_size, int_entry_size};

/// One entry inside a node: its ID, fields and values (field, value, field, value, ...), whether it is
/// a tombstone, and whether it has its node's master fields (stored without field names in the
/// listpack).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeEntry {
    /// The entry's ID.
    pub id: StreamId,
    /// Field, value, field, value, ...
    pub fields: Vec<Bytes>,
    /// Deleted (kept as a tombstone until its node goes).
    pub deleted: bool,
    /// Same field names, in order, as the node's master entry (`SAMEFIELDS` flag).
    pub same_fields: bool,
}

/// A node: the master entry's fields and the entries, tombstones included.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    master_fields: Vec<Bytes>,
    entries: Vec<NodeEntry>,
    live: u64,
    deleted: u64,
    /// Listpack bytes of everything but the header, the end byte and the two counters, which change
    /// size as they change value.
    body_bytes: usize,
}

impl Node {
    /// A node whose first entry is `id` with `fields`; that entry's field names become the master
    /// fields.
    pub(super) fn new(id: StreamId, fields: Vec<Bytes>) -> Node {
        let master_fields: Vec<Bytes> = fields.iter().step_by(2).cloned().collect();
        let mut node = Node::empty(master_fields);
        node.push(id, id, fields);
        node
    }

    fn empty(master_fields: Vec<Bytes>) -> Node {
        let body_bytes = int_entry_size(master_fields.len() as i64)
            + master_fields.iter().map(|f| entry_size(f)).sum::<usize>()
            + int_entry_size(0);
        Node {
            master_fields,
            entries: Vec::new(),
            live: 0,
            deleted: 0,
            body_bytes,
        }
    }

    /// A node read from an RDB listpack: master fields and entries in order. `master_id` is the node's
    /// key, from which entry IDs are stored as differences.
    pub fn from_parts(
        master_id: StreamId,
        master_fields: Vec<Bytes>,
        entries: Vec<NodeEntry>,
    ) -> Node {
        let mut node = Node::empty(master_fields);
        for entry in entries {
            node.body_bytes += entry_bytes(master_id, &entry);
            if entry.deleted {
                node.deleted += 1;
            } else {
                node.live += 1;
            }
            node.entries.push(entry);
        }
        node
    }

    /// Appends an entry; `master_id` is this node's key.
    pub(super) fn push(&mut self, master_id: StreamId, id: StreamId, fields: Vec<Bytes>) {
        let same_fields = fields.len() == self.master_fields.len() * 2
            && fields
                .iter()
                .step_by(2)
                .zip(&self.master_fields)
                .all(|(field, master)| field == master);
        let entry = NodeEntry {
            id,
            fields,
            deleted: false,
            same_fields,
        };
        self.body_bytes += entry_bytes(master_id, &entry);
        self.entries.push(entry);
        self.live += 1;
    }

    /// The master entry's field names.
    pub fn master_fields(&self) -> &[Bytes] {
        &self.master_fields
    }

    /// Every entry, tombstones included, in ID order.
    pub fn entries(&self) -> &[NodeEntry] {
        &self.entries
    }

    /// Live entries.
    pub fn live(&self) -> u64 {
        self.live
    }

    /// Tombstones.
    pub fn deleted(&self) -> u64 {
        self.deleted
    }

    /// The listpack size Redis would have for this node.
    pub fn bytes(&self) -> usize {
        OVERHEAD
            + int_entry_size(self.live as i64)
            + int_entry_size(self.deleted as i64)
            + self.body_bytes
    }

    /// The ID of the last entry, tombstone or not (Redis's `lpGetEdgeStreamID`).
    pub(super) fn last_entry_id(&self) -> StreamId {
        self.entries.last().map_or(StreamId::MIN, |entry| entry.id)
    }

    /// Index of the entry `id` (tombstones included).
    pub(super) fn find(&self, id: StreamId) -> Option<usize> {
        self.entries
            .binary_search_by(|entry| entry.id.cmp(&id))
            .ok()
    }

    /// Turns a live entry into a tombstone (its flags change value but not size).
    pub(super) fn mark_deleted(&mut self, index: usize) {
        if let Some(entry) = self.entries.get_mut(index)
            && !entry.deleted
        {
            entry.deleted = true;
            self.live -= 1;
            self.deleted += 1;
        }
    }
}

/// Listpack bytes of one entry: flags, ID differences, field count (unless same fields), fields
/// (unless same fields), values, and the trailing element count.
fn entry_bytes(master_id: StreamId, entry: &NodeEntry) -> usize {
    let flags = 2 * i64::from(entry.same_fields) + i64::from(entry.deleted);
    let pairs = entry.fields.len() / 2;
    let mut bytes = int_entry_size(flags)
        + int_entry_size(entry.id.ms.wrapping_sub(master_id.ms) as i64)
        + int_entry_size(entry.id.seq.wrapping_sub(master_id.seq) as i64);
    let mut lp_count = pairs as i64 + 3;
    if entry.same_fields {
        bytes += entry
            .fields
            .iter()
            .skip(1)
            .step_by(2)
            .map(|v| entry_size(v))
            .sum::<usize>();
    } else {
        bytes += int_entry_size(pairs as i64);
        bytes += entry.fields.iter().map(|f| entry_size(f)).sum::<usize>();
        lp_count += pairs as i64 + 1;
    }
    bytes + int_entry_size(lp_count)
}
