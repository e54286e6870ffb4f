//! [`Stream`]: a Redis stream, an append-only log of field-value entries keyed by [`StreamId`], with
//! consumer groups ([`ConsumerGroup`]).
//!
//! Entries live in nodes the way Redis keeps them in listpacks: a node starts with a "master entry" (the
//! fields of its first entry), holds at most `stream-node-max-entries` entries and about
//! `stream-node-max-bytes` bytes, and keeps deleted entries as tombstones until every entry of the node
//! is gone. The byte size of each node is computed with the listpack sizing rules, so nodes are cut
//! exactly where Redis cuts them: approximate trimming (`MAXLEN ~`), `XINFO STREAM FULL` and the RDB
//! (one listpack per node) all agree with Redis.

mod groups;
mod id;
mod node;

use std::collections::BTreeMap;

use bytes::Bytes;

pub use groups::{Consumer, ConsumerGroup, PendingEntry};
pub use id::{StreamId, StreamIdError};
pub use node::{Node, NodeEntry};

/// Redis's `STREAM_LISTPACK_MAX_SIZE`: no node (and no single entry) grows past 1 GB.
pub const LISTPACK_MAX_SIZE: usize = 1 << 30;

/// Where new nodes are cut (`stream-node-max-bytes`, `stream-node-max-entries`; 0 means no limit).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NodeLimits {
    /// A node whose listpack would reach this many bytes is closed (Redis's default 4096).
    pub max_bytes: usize,
    /// A node holding this many entries, tombstones included, is closed (Redis's default 100).
    pub max_entries: usize,
}

impl Default for NodeLimits {
    fn default() -> NodeLimits {
        NodeLimits {
            max_bytes: 4096,
            max_entries: 100,
        }
    }
}

/// How `XTRIM` / `XADD ... MAXLEN|MINID` trims.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrimStrategy {
    /// Keep at most this many entries.
    MaxLen(u64),
    /// Drop entries with an ID below this one.
    MinId(StreamId),
}

/// A trim request: the strategy, whether only whole nodes go (`~`), and the most entries to remove
/// (0 = no limit).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Trim {
    /// What to keep.
    pub strategy: TrimStrategy,
    /// `~`: remove whole nodes only, stop at the first node that must stay.
    pub approx: bool,
    /// `LIMIT`: stop before removing more entries than this (0 = unlimited).
    pub limit: u64,
}

/// A Redis stream.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stream {
    nodes: BTreeMap<StreamId, Node>,
    length: u64,
    last_id: StreamId,
    first_id: StreamId,
    max_deleted_entry_id: StreamId,
    entries_added: u64,
    groups: BTreeMap<Bytes, ConsumerGroup>,
}

impl Stream {
    /// An empty stream.
    pub fn new() -> Stream {
        Stream::default()
    }

    /// Number of live entries.
    pub fn len(&self) -> u64 {
        self.length
    }

    /// Whether there are no live entries (an empty stream may still exist as a key).
    pub fn is_empty(&self) -> bool {
        self.length == 0
    }

    /// The greatest ID ever added (or set by `XSETID`); `0-0` for a new stream.
    pub fn last_id(&self) -> StreamId {
        self.last_id
    }

    /// The first live entry's ID, `0-0` when empty.
    pub fn first_id(&self) -> StreamId {
        self.first_id
    }

    /// The greatest ID ever deleted with `XDEL`.
    pub fn max_deleted_entry_id(&self) -> StreamId {
        self.max_deleted_entry_id
    }

    /// How many entries were ever added.
    pub fn entries_added(&self) -> u64 {
        self.entries_added
    }

    /// Sets the metadata `XSETID` and the RDB carry.
    pub fn set_meta(&mut self, last_id: StreamId, entries_added: u64, max_deleted: StreamId) {
        self.last_id = last_id;
        self.entries_added = entries_added;
        self.max_deleted_entry_id = max_deleted;
    }

    /// The nodes in ID order, keyed by their master ID (what the RDB stores).
    pub fn nodes(&self) -> impl Iterator<Item = (&StreamId, &Node)> {
        self.nodes.iter()
    }

    /// Adds a node read from an RDB file. The caller adds nodes in order and then calls
    /// [`Stream::finish_load`].
    pub fn push_loaded_node(&mut self, master_id: StreamId, node: Node) {
        self.length += node.live();
        self.nodes.insert(master_id, node);
    }

    /// Recomputes `first_id` after loading nodes.
    pub fn finish_load(&mut self) {
        self.refresh_first_id();
    }

    /// Sets the first-entry ID exactly as an RDB file recorded it: Redis keeps the saved value instead
    /// of recomputing it (an empty stream loaded from the pre-7.0 format records `MAX`), and
    /// `XINFO STREAM` shows it as `recorded-first-entry-id`.
    pub fn set_first_id(&mut self, first_id: StreamId) {
        self.first_id = first_id;
    }

    /// The ID `XADD *` would use at `now_ms`: the clock, or one past the last ID when the clock is
    /// not ahead. `None` when the last ID is the greatest possible.
    pub fn next_auto_id(&self, now_ms: u64) -> Option<StreamId> {
        if now_ms > self.last_id.ms {
            Some(StreamId::new(now_ms, 0))
        } else {
            self.last_id.next()
        }
    }

    /// Appends an entry (`fields` is field, value, field, value, ...). The caller has checked that `id`
    /// is greater than [`Stream::last_id`].
    pub fn append(&mut self, id: StreamId, fields: Vec<Bytes>, limits: NodeLimits) {
        debug_assert!(id > self.last_id);
        let payload: usize = fields.iter().map(Bytes::len).sum();
        let tail_full = self.nodes.values().next_back().is_none_or(|tail| {
            let max_bytes = if limits.max_bytes == 0 || limits.max_bytes > LISTPACK_MAX_SIZE {
                LISTPACK_MAX_SIZE
            } else {
                limits.max_bytes
            };
            tail.bytes() + payload >= max_bytes
                || (limits.max_entries != 0
                    && tail.live() + tail.deleted() >= limits.max_entries as u64)
        });
        if tail_full {
            self.nodes.insert(id, Node::new(id, fields));
        } else if let Some((&master_id, tail)) = self.nodes.iter_mut().next_back() {
            tail.push(master_id, id, fields);
        }
        self.length += 1;
        self.entries_added += 1;
        self.last_id = id;
        if self.length == 1 {
            self.first_id = id;
        }
    }

    /// The live entries from `start` to `end` (inclusive), newest first with `rev`, at most `count`.
    pub fn range(
        &self,
        start: StreamId,
        end: StreamId,
        rev: bool,
        count: Option<usize>,
    ) -> Vec<(StreamId, &[Bytes])> {
        range_in(&self.nodes, start, end, rev, count)
    }

    /// The fields of the live entry `id`.
    pub fn get(&self, id: StreamId) -> Option<&[Bytes]> {
        get_in(&self.nodes, id)
    }

    /// The first (or last) live entry.
    pub fn edge(&self, first: bool) -> Option<(StreamId, &[Bytes])> {
        if first {
            self.range(StreamId::MIN, StreamId::MAX, false, Some(1))
        } else {
            self.range(StreamId::MIN, StreamId::MAX, true, Some(1))
        }
        .pop()
    }

    /// `XDEL`: deletes the given IDs, returns how many existed. Keeps `first_id` and
    /// `max_deleted_entry_id` as Redis does.
    pub fn delete(&mut self, ids: &[StreamId]) -> u64 {
        let mut deleted = 0;
        let mut first_entry = false;
        for &id in ids {
            if self.delete_one(id) {
                if id == self.first_id {
                    first_entry = true;
                }
                if id > self.max_deleted_entry_id {
                    self.max_deleted_entry_id = id;
                }
                deleted += 1;
            }
        }
        if deleted > 0 {
            if self.length == 0 {
                self.first_id = StreamId::MIN;
            } else if first_entry {
                self.refresh_first_id();
            }
        }
        deleted
    }

    fn delete_one(&mut self, id: StreamId) -> bool {
        let Some((&master, node)) = self.nodes.range_mut(..=id).next_back() else {
            return false;
        };
        let Some(index) = node.find(id) else {
            return false;
        };
        if node.entries()[index].deleted {
            return false;
        }
        if node.live() == 1 {
            self.nodes.remove(&master);
        } else {
            node.mark_deleted(index);
        }
        self.length -= 1;
        true
    }

    fn refresh_first_id(&mut self) {
        self.first_id = self.edge(true).map_or(
            if self.length == 0 {
                StreamId::MIN
            } else {
                StreamId::MAX
            },
            |(id, _)| id,
        );
    }

    /// Trims as `XTRIM` does; returns how many entries were removed.
    pub fn trim(&mut self, trim: Trim) -> u64 {
        let mut deleted = 0u64;
        let masters: Vec<StreamId> = self.nodes.keys().copied().collect();
        for master in masters {
            if let TrimStrategy::MaxLen(max) = trim.strategy
                && self.length <= max
            {
                break;
            }
            let Some(node) = self.nodes.get_mut(&master) else {
                continue;
            };
            let entries = node.live();
            if trim.limit != 0 && deleted + entries > trim.limit {
                break;
            }
            let remove_node = match trim.strategy {
                TrimStrategy::MaxLen(max) => self.length - entries >= max,
                TrimStrategy::MinId(min) => node.last_entry_id() < min,
            };
            if remove_node {
                self.nodes.remove(&master);
                self.length -= entries;
                deleted += entries;
                continue;
            }
            if trim.approx {
                break;
            }
            let mut from_node = 0;
            for index in 0..node.entries().len() {
                let entry = &node.entries()[index];
                let stop = match trim.strategy {
                    TrimStrategy::MaxLen(max) => self.length <= max,
                    TrimStrategy::MinId(min) => entry.id >= min,
                };
                if stop {
                    break;
                }
                if !entry.deleted {
                    node.mark_deleted(index);
                    self.length -= 1;
                    from_node += 1;
                }
            }
            deleted += from_node;
            break;
        }
        if self.length == 0 {
            self.first_id = StreamId::MIN;
        } else if deleted > 0 {
            self.refresh_first_id();
        }
        deleted
    }

    /// The bookkeeping a group read needs while the group itself is borrowed (see [`Counters`]).
    pub fn counters(&self) -> Counters {
        Counters {
            length: self.length,
            first_id: self.first_id,
            last_id: self.last_id,
            max_deleted: self.max_deleted_entry_id,
            entries_added: self.entries_added,
        }
    }

    /// Whether an entry in `start..=end` may have been deleted (Redis's `streamRangeHasTombstones`).
    pub fn range_has_tombstones(&self, start: StreamId, end: StreamId) -> bool {
        self.counters().range_has_tombstones(start, end)
    }

    /// How many entries precede `id` since the stream began, when that can be known (Redis's
    /// `streamEstimateDistanceFromFirstEverEntry`); `None` is Redis's "invalid" (-1).
    pub fn estimate_distance_from_first_ever_entry(&self, id: StreamId) -> Option<u64> {
        self.counters().estimate_distance_from_first_ever_entry(id)
    }

    /// A group's lag (`XINFO GROUPS`), `None` when it cannot be known. Negative when the group claims to
    /// have read more than was ever added (`ENTRIESREAD` / `ENTRIESADDED` set by hand), as Redis reports it.
    pub fn group_lag(&self, group: &ConsumerGroup) -> Option<i64> {
        let added = self.entries_added as i64;
        if self.entries_added == 0 {
            return Some(0);
        }
        if let Some(read) = group.entries_read
            && !self.range_has_tombstones(group.last_id, StreamId::MAX)
        {
            return Some(added.wrapping_sub(read as i64));
        }
        self.estimate_distance_from_first_ever_entry(group.last_id)
            .map(|read| added.wrapping_sub(read as i64))
    }

    /// The consumer groups by name, in name order.
    pub fn groups(&self) -> &BTreeMap<Bytes, ConsumerGroup> {
        &self.groups
    }

    /// The consumer groups, for changes.
    pub fn groups_mut(&mut self) -> &mut BTreeMap<Bytes, ConsumerGroup> {
        &mut self.groups
    }

    /// One group by name.
    pub fn group(&self, name: &[u8]) -> Option<&ConsumerGroup> {
        self.groups.get(name)
    }

    /// One group by name, for changes.
    pub fn group_mut(&mut self, name: &[u8]) -> Option<&mut ConsumerGroup> {
        self.groups.get_mut(name)
    }

    /// A group and the stream's entries together, for `XREADGROUP` / `XCLAIM` (which read entries while
    /// changing the group).
    pub fn group_and_entries(
        &mut self,
        name: &[u8],
    ) -> Option<(&mut ConsumerGroup, StreamView<'_>)> {
        let Stream {
            nodes,
            groups,
            length,
            ..
        } = self;
        groups.get_mut(name).map(|group| {
            (
                group,
                StreamView {
                    nodes,
                    length: *length,
                },
            )
        })
    }

    /// Approximate heap bytes, for `MEMORY USAGE`-style accounting.
    pub fn approx_bytes(&self) -> usize {
        self.nodes.values().map(Node::bytes).sum::<usize>()
            + self
                .groups
                .values()
                .map(ConsumerGroup::approx_bytes)
                .sum::<usize>()
    }
}

/// A copy of a stream's counters (length, first, last and greatest deleted IDs, entries ever added): what
/// group-read bookkeeping asks about the stream while one of its groups is borrowed mutably.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counters {
    length: u64,
    first_id: StreamId,
    last_id: StreamId,
    max_deleted: StreamId,
    entries_added: u64,
}

impl Counters {
    /// Whether an entry in `start..=end` may have been deleted (Redis's `streamRangeHasTombstones`).
    pub fn range_has_tombstones(&self, start: StreamId, end: StreamId) -> bool {
        if self.length == 0 || self.max_deleted == StreamId::MIN || self.first_id > self.max_deleted
        {
            return false;
        }
        start <= self.max_deleted && self.max_deleted <= end
    }

    /// How many entries precede `id` since the stream began, when that can be known (Redis's
    /// `streamEstimateDistanceFromFirstEverEntry`); `None` is Redis's "invalid" (-1).
    pub fn estimate_distance_from_first_ever_entry(&self, id: StreamId) -> Option<u64> {
        if self.entries_added == 0 {
            return Some(0);
        }
        if self.length == 0 && id <= self.last_id {
            return Some(self.entries_added);
        }
        match id.cmp(&self.last_id) {
            std::cmp::Ordering::Equal => return Some(self.entries_added),
            std::cmp::Ordering::Greater => return None,
            std::cmp::Ordering::Less => {}
        }
        if self.max_deleted == StreamId::MIN || self.max_deleted < self.first_id {
            if id < self.first_id {
                return Some(self.entries_added - self.length);
            } else if id == self.first_id {
                return Some(self.entries_added - self.length + 1);
            }
        }
        None
    }

    /// Entries ever added.
    pub fn entries_added(&self) -> u64 {
        self.entries_added
    }
}

/// Read-only access to a stream's entries while one of its groups is borrowed mutably.
#[derive(Debug, Clone, Copy)]
pub struct StreamView<'a> {
    nodes: &'a BTreeMap<StreamId, Node>,
    length: u64,
}

impl StreamView<'_> {
    /// Number of live entries.
    pub fn len(&self) -> u64 {
        self.length
    }

    /// Whether there are no live entries.
    pub fn is_empty(&self) -> bool {
        self.length == 0
    }

    /// The fields of the live entry `id`.
    pub fn get(&self, id: StreamId) -> Option<&[Bytes]> {
        get_in(self.nodes, id)
    }

    /// Live entries with IDs greater than `after`, oldest first, at most `count`.
    pub fn after(&self, after: StreamId, count: Option<usize>) -> Vec<(StreamId, &[Bytes])> {
        match after.next() {
            Some(start) => range_in(self.nodes, start, StreamId::MAX, false, count),
            None => Vec::new(),
        }
    }
}

/// The live entries of `nodes` from `start` to `end` (inclusive), newest first with `rev`, at most
/// `count`.
fn range_in(
    nodes: &BTreeMap<StreamId, Node>,
    start: StreamId,
    end: StreamId,
    rev: bool,
    count: Option<usize>,
) -> Vec<(StreamId, &[Bytes])> {
    let mut out = Vec::new();
    let limit = count.unwrap_or(usize::MAX);
    if start > end || limit == 0 {
        return out;
    }
    // The node holding `start` may begin before it, so start from the last node at or before it.
    let first_node = nodes
        .range(..=start)
        .next_back()
        .map_or(start, |(&master, _)| master);
    let nodes = nodes.range(first_node..=end);
    if rev {
        for (_, node) in nodes.rev() {
            for entry in node.entries().iter().rev() {
                if entry.deleted || entry.id > end {
                    continue;
                }
                if entry.id < start {
                    return out;
                }
                out.push((entry.id, &entry.fields[..]));
                if out.len() == limit {
                    return out;
                }
            }
        }
    } else {
        for (_, node) in nodes {
            for entry in node.entries() {
                if entry.deleted || entry.id < start {
                    continue;
                }
                if entry.id > end {
                    return out;
                }
                out.push((entry.id, &entry.fields[..]));
                if out.len() == limit {
                    return out;
                }
            }
        }
    }
    out
}

/// The fields of the live entry `id` of `nodes`.
fn get_in(nodes: &BTreeMap<StreamId, Node>, id: StreamId) -> Option<&[Bytes]> {
    let (_, node) = nodes.range(..=id).next_back()?;
    node.find(id)
        .map(|i| &node.entries()[i])
        .filter(|entry| !entry.deleted)
        .map(|entry| &entry.fields[..])
}

#[cfg(test)]
mod tests;
