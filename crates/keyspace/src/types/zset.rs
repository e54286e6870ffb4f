//! [`ZSet`]: a Redis sorted set. A member→score map ([`DenseMap`]: O(1) lookups, random picks and a scan
//! cursor) plus an ordered index ([`skiplist`]: O(log n) rank, rank→member and range bounds), ordered by
//! score with ties broken by member bytes, as in Redis.
//!
//! `OBJECT ENCODING` follows Redis 7.0's rule with its default limits (`zset-max-listpack-entries 128`,
//! `zset-max-listpack-value 64`, both constants here since the limits are not configurable yet): a set
//! reports `listpack` while it has never exceeded them, `skiplist` from then on, even after shrinking.

mod skiplist;

use bytes::Bytes;

use self::skiplist::{SkipList, compare};
use crate::types::dense::DenseMap;

/// Redis's default `zset-max-listpack-entries`.
pub const MAX_LISTPACK_ENTRIES: usize = 128;
/// Redis's default `zset-max-listpack-value` (bytes of one member).
pub const MAX_LISTPACK_VALUE: usize = 64;

/// A range of scores, each end inclusive or exclusive (`(1.5`), possibly infinite.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScoreRange {
    /// Lower end.
    pub min: f64,
    /// Whether `min` itself is excluded.
    pub min_exclusive: bool,
    /// Upper end.
    pub max: f64,
    /// Whether `max` itself is excluded.
    pub max_exclusive: bool,
}

impl ScoreRange {
    /// Whether `score` is at or above the lower end.
    pub fn above_min(&self, score: f64) -> bool {
        if self.min_exclusive {
            score > self.min
        } else {
            score >= self.min
        }
    }

    /// Whether `score` is at or below the upper end.
    pub fn below_max(&self, score: f64) -> bool {
        if self.max_exclusive {
            score < self.max
        } else {
            score <= self.max
        }
    }

    /// Whether `score` lies in the range.
    pub fn contains(&self, score: f64) -> bool {
        self.above_min(score) && self.below_max(score)
    }
}

/// One end of a lexicographic range (`-`, `+`, `[member`, `(member`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LexBound {
    /// `-`: below every member.
    NegInf,
    /// `+`: above every member.
    PosInf,
    /// `[member`
    Inclusive(Bytes),
    /// `(member`
    Exclusive(Bytes),
}

/// A range of members by byte order; meaningful when all scores are equal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LexRange {
    /// Lower end.
    pub min: LexBound,
    /// Upper end.
    pub max: LexBound,
}

impl LexRange {
    /// Whether `member` is at or above the lower end.
    pub fn above_min(&self, member: &[u8]) -> bool {
        match &self.min {
            LexBound::NegInf => true,
            LexBound::PosInf => false,
            LexBound::Inclusive(bound) => member >= &bound[..],
            LexBound::Exclusive(bound) => member > &bound[..],
        }
    }

    /// Whether `member` is at or below the upper end.
    pub fn below_max(&self, member: &[u8]) -> bool {
        match &self.max {
            LexBound::NegInf => false,
            LexBound::PosInf => true,
            LexBound::Inclusive(bound) => member <= &bound[..],
            LexBound::Exclusive(bound) => member < &bound[..],
        }
    }

    /// Whether `member` lies in the range.
    pub fn contains(&self, member: &[u8]) -> bool {
        self.above_min(member) && self.below_max(member)
    }
}

/// A Redis sorted set: members with scores, ordered by (score, member).
#[derive(Debug, Clone, Default)]
pub struct ZSet {
    scores: DenseMap<f64>,
    order: SkipList,
    /// Set once the set outgrows the listpack limits; never cleared (Redis does not convert back).
    skiplist_encoded: bool,
}

impl PartialEq for ZSet {
    fn eq(&self, other: &ZSet) -> bool {
        self.len() == other.len()
            && self
                .iter()
                .zip(other.iter())
                .all(|((m1, s1), (m2, s2))| m1 == m2 && s1 == s2)
    }
}

impl Eq for ZSet {}

impl ZSet {
    /// An empty sorted set.
    pub fn new() -> ZSet {
        ZSet::default()
    }

    /// An empty sorted set in the skiplist encoding, as Redis builds the destination of ZUNIONSTORE,
    /// ZINTERSTORE and ZDIFFSTORE (`createZsetObject`): every member keeps the sign of a zero score until
    /// [`ZSet::convert_to_listpack_if_fits`] decides the final encoding from the whole result.
    pub fn new_skiplist() -> ZSet {
        ZSet {
            skiplist_encoded: true,
            ..ZSet::default()
        }
    }

    /// Redis's `zsetConvertToListpackIfNeeded`: back to the listpack encoding when the set is within the
    /// listpack limits, whose text scores lose the sign of a zero (see [`ZSet::insert`]).
    pub fn convert_to_listpack_if_fits(&mut self) {
        let fits = self.len() <= MAX_LISTPACK_ENTRIES
            && self
                .scores
                .iter()
                .all(|(member, _)| member.len() <= MAX_LISTPACK_VALUE);
        if !self.skiplist_encoded || !fits {
            return;
        }
        self.skiplist_encoded = false;
        let negative_zeros: Vec<Bytes> = self
            .scores
            .iter()
            .filter(|(_, score)| **score == 0.0 && score.is_sign_negative())
            .map(|(member, _)| member.to_bytes())
            .collect();
        for member in negative_zeros {
            self.order.remove(&member, -0.0);
            self.order.insert(member.clone(), 0.0);
            if let Some(score) = self.scores.get_mut(&member) {
                *score = 0.0;
            }
        }
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

    /// Adds `member` or updates its score; returns whether it was new. `score` must not be NaN (callers
    /// reject it with Redis's error first); a NaN is ignored rather than stored.
    pub fn insert(&mut self, member: Bytes, score: f64) -> bool {
        if score.is_nan() {
            return false;
        }
        let new = !self.scores.contains_key(&member);
        if new
            && (self.scores.len() + 1 > MAX_LISTPACK_ENTRIES || member.len() > MAX_LISTPACK_VALUE)
        {
            self.skiplist_encoded = true;
        }
        // A listpack stores scores as text written by Redis's `d2string`, which prints -0 as "0": a
        // listpack-encoded set loses the sign of a zero score, a skiplist-encoded one keeps it.
        let score = if !self.skiplist_encoded && score == 0.0 {
            0.0
        } else {
            score
        };
        if let Some(current) = self.scores.get_mut(&member) {
            // `==`, not bit equality: Redis keeps the old score when only the sign of a zero differs.
            if *current != score {
                let old = std::mem::replace(current, score);
                self.order.update_score(&member, old, score);
            }
            return false;
        }
        self.scores.insert(&member, score);
        self.order.insert(member, score);
        true
    }

    /// Removes `member`; returns its score if it was present.
    pub fn remove(&mut self, member: &[u8]) -> Option<f64> {
        let score = self.scores.remove(member)?;
        self.order.remove(member, score);
        Some(score)
    }

    /// The 0-based rank of `member` in ascending order.
    pub fn rank(&self, member: &[u8]) -> Option<usize> {
        let score = self.score(member)?;
        self.order.rank(member, score)
    }

    /// Members with scores in (score, member) order.
    pub fn iter(&self) -> impl Iterator<Item = (&Bytes, f64)> {
        self.order.iter_from(0, true)
    }

    /// Members from 0-based `rank` on: ascending, or with `reverse` descending and `rank` counted from the
    /// highest member.
    pub fn iter_from_rank(
        &self,
        rank: usize,
        reverse: bool,
    ) -> impl Iterator<Item = (&Bytes, f64)> {
        if reverse {
            let ascending_rank = self.len().checked_sub(rank + 1).unwrap_or(usize::MAX);
            self.order.iter_from(ascending_rank, false)
        } else {
            self.order.iter_from(rank, true)
        }
    }

    /// The ascending ranks `start..end` of the members whose scores lie in `range`.
    pub fn score_range_ranks(&self, range: &ScoreRange) -> std::ops::Range<usize> {
        let start = self.order.count_while(|score, _| !range.above_min(score));
        let end = self.order.count_while(|score, _| range.below_max(score));
        start..end.max(start)
    }

    /// The ascending ranks `start..end` of the members in `range` (assuming equal scores, as Redis does).
    pub fn lex_range_ranks(&self, range: &LexRange) -> std::ops::Range<usize> {
        let start = self.order.count_while(|_, member| !range.above_min(member));
        let end = self.order.count_while(|_, member| range.below_max(member));
        start..end.max(start)
    }

    /// Removes and returns the lowest (`highest == false`) or highest member.
    pub fn pop(&mut self, highest: bool) -> Option<(Bytes, f64)> {
        let (member, score) = if highest {
            self.order.last()
        } else {
            self.order.first()
        }
        .map(|(member, score)| (member.clone(), score))?;
        self.remove(&member);
        Some((member, score))
    }

    /// The member at position `index` (`0..len`) of the unordered map: uniform random picks in O(1).
    pub fn entry_at(&self, index: usize) -> Option<(&[u8], f64)> {
        self.scores
            .entry_at(index)
            .map(|(member, score)| (member.as_slice(), *score))
    }

    /// One step of a `ZSCAN` over the unordered map (see [`DenseMap::scan`]); returns the next cursor.
    pub fn scan(&self, cursor: u64, count: usize, mut visit: impl FnMut(&[u8], f64)) -> u64 {
        self.scores
            .scan(cursor, count, |member, score| visit(member, *score))
    }

    /// `OBJECT ENCODING`: `listpack` while the set has always been within Redis's default listpack limits,
    /// else `skiplist`.
    pub fn encoding(&self) -> &'static str {
        if self.skiplist_encoded {
            "skiplist"
        } else {
            "listpack"
        }
    }

    /// Compares two (score, member) pairs in sorted-set order.
    pub fn compare(
        score_a: f64,
        member_a: &[u8],
        score_b: f64,
        member_b: &[u8],
    ) -> std::cmp::Ordering {
        compare(score_a, member_a, score_b, member_b)
    }
}

#[cfg(test)]
mod tests;
