//! [`ZSet`]: a Redis sorted set.

use std::collections::HashMap;

use bytes::Bytes;

/// A Redis sorted set: members with scores, ordered by (score, member).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ZSet {
    scores: HashMap<Bytes, f64>,
}

impl Eq for ZSet {}

impl ZSet {
    /// An empty sorted set.
    pub fn new() -> ZSet {
        ZSet::default()
    }

    /// Number of members.
    pub fn len(&self) -> usize {
        self.scores.len()
    }

    /// Whether there are no members.
    pub fn is_empty(&self) -> bool {
        self.scores.is_empty()
    }

    /// The score of `member`.
    pub fn score(&self, member: &[u8]) -> Option<f64> {
        self.scores.get(member).copied()
    }

    /// Adds `member` or updates its score; returns whether it was new.
    // Placeholder ordering until the sorted-set work lands: the interface is what the RDB and command
    // code program against.
    pub fn insert(&mut self, member: Bytes, score: f64) -> bool {
        self.scores.insert(member, score).is_none()
    }

    /// Members with scores in (score, member) order.
    pub fn iter(&self) -> impl Iterator<Item = (&Bytes, f64)> {
        let mut ordered: Vec<(&Bytes, f64)> = self
            .scores
            .iter()
            .map(|(member, score)| (member, *score))
            .collect();
        ordered.sort_by(|a, b| a.1.total_cmp(&b.1).then_with(|| a.0.cmp(b.0)));
        ordered.into_iter()
    }

    /// `OBJECT ENCODING`.
    pub fn encoding(&self) -> &'static str {
        "skiplist"
    }
}
