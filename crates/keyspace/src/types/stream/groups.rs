//! Consumer groups: [`ConsumerGroup`] (last delivered ID, entries read, the pending entries list) and its
//! [`Consumer`]s.

use std::collections::{BTreeMap, BTreeSet};

use bytes::Bytes;

use super::StreamId;

/// A pending (delivered, not yet acknowledged) entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingEntry {
    /// Unix ms of the last delivery.
    pub delivery_time: i64,
    /// How many times it was delivered.
    pub delivery_count: u64,
    /// The consumer it was last delivered to.
    pub consumer: Bytes,
}

/// A consumer of a group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consumer {
    /// Unix ms of the consumer's last read or claim.
    pub seen_time: i64,
    /// The IDs pending for this consumer (their details are in the group's list).
    pub pending: BTreeSet<StreamId>,
}

/// A consumer group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsumerGroup {
    /// The last ID delivered to the group.
    pub last_id: StreamId,
    /// Entries the group has read, when known (Redis's -1 is `None`).
    pub entries_read: Option<u64>,
    /// Every pending entry of the group, by ID.
    pub pending: BTreeMap<StreamId, PendingEntry>,
    /// Consumers by name, in name order.
    pub consumers: BTreeMap<Bytes, Consumer>,
}

impl ConsumerGroup {
    /// A group delivering entries after `last_id`.
    pub fn new(last_id: StreamId, entries_read: Option<u64>) -> ConsumerGroup {
        ConsumerGroup {
            last_id,
            entries_read,
            pending: BTreeMap::new(),
            consumers: BTreeMap::new(),
        }
    }

    /// Creates the consumer `name` unless it exists; returns whether it was created.
    pub fn create_consumer(&mut self, name: &Bytes, now_ms: i64) -> bool {
        if self.consumers.contains_key(name) {
            return false;
        }
        self.consumers.insert(
            name.clone(),
            Consumer {
                seen_time: now_ms,
                pending: BTreeSet::new(),
            },
        );
        true
    }

    /// Deletes a consumer and its pending entries; returns how many were pending, `None` if it did
    /// not exist.
    pub fn delete_consumer(&mut self, name: &[u8]) -> Option<usize> {
        let consumer = self.consumers.remove(name)?;
        for id in &consumer.pending {
            self.pending.remove(id);
        }
        Some(consumer.pending.len())
    }

    /// Acknowledges `id`; returns whether it was pending.
    pub fn ack(&mut self, id: StreamId) -> bool {
        let Some(entry) = self.pending.remove(&id) else {
            return false;
        };
        if let Some(consumer) = self.consumers.get_mut(&entry.consumer) {
            consumer.pending.remove(&id);
        }
        true
    }

    /// Records a group read delivering `id` to `consumer` (which must exist) at `now_ms`: the entry is
    /// pending for that consumer with a delivery count of 1, even if it was pending before (for another
    /// consumer, say, after `XGROUP SETID` moved the group back), as in Redis.
    pub fn deliver(&mut self, id: StreamId, consumer: &Bytes, now_ms: i64) {
        match self.pending.get_mut(&id) {
            Some(entry) => {
                entry.delivery_time = now_ms;
                entry.delivery_count = 1;
                if entry.consumer != *consumer {
                    let previous = std::mem::replace(&mut entry.consumer, consumer.clone());
                    if let Some(old) = self.consumers.get_mut(&previous) {
                        old.pending.remove(&id);
                    }
                }
            }
            None => {
                self.pending.insert(
                    id,
                    PendingEntry {
                        delivery_time: now_ms,
                        delivery_count: 1,
                        consumer: consumer.clone(),
                    },
                );
            }
        }
        if let Some(target) = self.consumers.get_mut(consumer) {
            target.pending.insert(id);
        }
    }

    /// Moves the pending entry `id` to `consumer` without touching its time or count (used by claims,
    /// which then set those themselves).
    pub fn reassign(&mut self, id: StreamId, consumer: &Bytes) {
        let Some(entry) = self.pending.get_mut(&id) else {
            return;
        };
        if entry.consumer != *consumer {
            let previous = std::mem::replace(&mut entry.consumer, consumer.clone());
            if let Some(old) = self.consumers.get_mut(&previous) {
                old.pending.remove(&id);
            }
        }
        if let Some(target) = self.consumers.get_mut(consumer) {
            target.pending.insert(id);
        }
    }

    /// Approximate heap bytes.
    pub(super) fn approx_bytes(&self) -> usize {
        64 + self.pending.len() * 64
            + self
                .consumers
                .iter()
                .map(|(name, c)| 64 + name.len() + c.pending.len() * 24)
                .sum::<usize>()
    }
}
