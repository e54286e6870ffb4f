//! [`SkipList`]: the ordered index of a sorted set, a skip list whose links carry spans (how many
//! level-0 steps each link jumps), so the rank of an element and the element at a rank are found in
//! O(log n), as in Redis's `zskiplist`.
//!
//! A search is a chain of cache misses, one per node visited (about 30 for 100,000 members at
//! p = 1/4), so the layout is chosen for it: every node is one block of 64-bit words in a single arena,
//! its score first and its links right after, so visiting a node touches one place in memory. (Nodes
//! that kept their links in a separate allocation above two levels paid a second miss on most visits
//! of a descent, which made `ZADD` about half as fast as Redis's.) Members live in a side vector and are
//! read only to break score ties. Blocks are addressed by word offsets (the header is at 0) and reused
//! through per-level free lists: no unsafe code and `Clone` for free.

// The algorithms walk parallel per-level arrays (update nodes, ranks, links) by level number.
#![allow(clippy::needless_range_loop)]

use std::cmp::Ordering;

use bytes::Bytes;

/// Enough levels for 2^64 elements at p = 1/4.
const MAX_LEVEL: usize = 32;
/// The header node's block.
const HEAD: u32 = 0;
/// "No node".
const NIL: u32 = u32::MAX;

/// Words before a block's links: score, backward + level, member slot.
const HEADER_WORDS: usize = 3;
const SCORE: usize = 0;
const BACK_LEVEL: usize = 1;
const MEMBER: usize = 2;

/// A link from a node to the next node at one level: `next` in the low half of its word, `span` (level-0
/// steps from this node to `next`, or to the end of the list when `next` is `NIL`) in the high half.
#[derive(Debug, Clone, Copy)]
struct Link {
    next: u32,
    span: u32,
}

impl Link {
    fn from_word(word: u64) -> Link {
        Link {
            next: word as u32,
            span: (word >> 32) as u32,
        }
    }

    fn to_word(self) -> u64 {
        u64::from(self.next) | (u64::from(self.span) << 32)
    }
}

/// Compares (score, member) pairs as Redis does: by score (`-0` equals `0`), ties by member bytes.
pub(crate) fn compare(score_a: f64, member_a: &[u8], score_b: f64, member_b: &[u8]) -> Ordering {
    score_a
        .partial_cmp(&score_b)
        .unwrap_or(Ordering::Equal)
        .then_with(|| member_a.cmp(member_b))
}

/// The ordered index: (score, member) pairs in ascending order, with ranks.
#[derive(Debug, Clone)]
pub(crate) struct SkipList {
    /// Node blocks: `[score, backward | level << 32, member slot, link 0, link 1, ...]`.
    words: Vec<u64>,
    /// Members by slot.
    members: Vec<Bytes>,
    free_members: Vec<u32>,
    /// Free blocks by level.
    free_blocks: Vec<Vec<u32>>,
    tail: u32,
    len: usize,
    level: usize,
    rng: u64,
}

impl Default for SkipList {
    fn default() -> SkipList {
        SkipList::new()
    }
}

impl SkipList {
    pub(crate) fn new() -> SkipList {
        let mut words = vec![0u64; HEADER_WORDS + MAX_LEVEL];
        words[BACK_LEVEL] = u64::from(NIL) | ((MAX_LEVEL as u64) << 32);
        for level in 0..MAX_LEVEL {
            words[HEADER_WORDS + level] = Link { next: NIL, span: 0 }.to_word();
        }
        SkipList {
            words,
            members: vec![Bytes::new()],
            free_members: Vec::new(),
            free_blocks: vec![Vec::new(); MAX_LEVEL + 1],
            tail: NIL,
            len: 0,
            level: 1,
            rng: 0x9E37_79B9_7F4A_7C15,
        }
    }

    /// Redis's level distribution: each level above the first with probability 1/4.
    fn random_level(&mut self) -> usize {
        let mut level = 1;
        loop {
            self.rng ^= self.rng << 13;
            self.rng ^= self.rng >> 7;
            self.rng ^= self.rng << 17;
            if level >= MAX_LEVEL || self.rng & 3 != 0 {
                return level;
            }
            level += 1;
        }
    }

    fn score(&self, node: u32) -> f64 {
        f64::from_bits(self.words[node as usize + SCORE])
    }

    fn member(&self, node: u32) -> &Bytes {
        &self.members[self.words[node as usize + MEMBER] as usize]
    }

    fn backward(&self, node: u32) -> u32 {
        self.words[node as usize + BACK_LEVEL] as u32
    }

    fn set_backward(&mut self, node: u32, backward: u32) {
        let word = &mut self.words[node as usize + BACK_LEVEL];
        *word = (*word & !0xFFFF_FFFF) | u64::from(backward);
    }

    fn node_level(&self, node: u32) -> usize {
        (self.words[node as usize + BACK_LEVEL] >> 32) as usize
    }

    fn link(&self, node: u32, level: usize) -> Link {
        Link::from_word(self.words[node as usize + HEADER_WORDS + level])
    }

    fn set_link(&mut self, node: u32, level: usize, link: Link) {
        self.words[node as usize + HEADER_WORDS + level] = link.to_word();
    }

    fn add_span(&mut self, node: u32, level: usize, delta: i64) {
        let mut link = self.link(node, level);
        link.span = (i64::from(link.span) + delta) as u32;
        self.set_link(node, level, link);
    }

    /// Whether the pair at `node` sorts before (`score`, `member`).
    fn node_before(&self, node: u32, score: f64, member: &[u8]) -> bool {
        let node_score = self.score(node);
        // Scores decide almost every comparison; the member is read only on a tie.
        match node_score.partial_cmp(&score) {
            Some(Ordering::Less) => true,
            Some(Ordering::Greater) => false,
            _ => self.member(node)[..] < *member,
        }
    }

    /// Walks down from the top level, moving forward while `before` holds for the next node, and returns for
    /// each level the last node visited and its rank (header = 0). `before` must hold for a prefix of the
    /// list and fail for the rest.
    fn descend(
        &self,
        mut before: impl FnMut(&SkipList, u32) -> bool,
    ) -> ([u32; MAX_LEVEL], [usize; MAX_LEVEL]) {
        let mut update = [HEAD; MAX_LEVEL];
        let mut rank = [0usize; MAX_LEVEL];
        let mut x = HEAD;
        let mut traversed = 0;
        for level in (0..self.level).rev() {
            loop {
                let link = self.link(x, level);
                if link.next == NIL || !before(self, link.next) {
                    break;
                }
                traversed += link.span as usize;
                x = link.next;
            }
            update[level] = x;
            rank[level] = traversed;
        }
        (update, rank)
    }

    /// The descent to the position of (`score`, `member`).
    fn descend_to(&self, score: f64, member: &[u8]) -> ([u32; MAX_LEVEL], [usize; MAX_LEVEL]) {
        self.descend(|list, node| list.node_before(node, score, member))
    }

    /// The last node for which `before` holds, and its 1-based rank; `None` if it holds for no node.
    fn last_where(&self, before: impl FnMut(&SkipList, u32) -> bool) -> Option<(u32, usize)> {
        let (update, rank) = self.descend(before);
        (update[0] != HEAD).then_some((update[0], rank[0]))
    }

    /// A block for a node of `level` levels holding `member` and `score`.
    fn allocate(&mut self, level: usize, member: Bytes, score: f64, backward: u32) -> u32 {
        let slot = match self.free_members.pop() {
            Some(slot) => {
                self.members[slot as usize] = member;
                slot
            }
            None => {
                self.members.push(member);
                (self.members.len() - 1) as u32
            }
        };
        let header = [
            score.to_bits(),
            u64::from(backward) | ((level as u64) << 32),
            u64::from(slot),
        ];
        match self.free_blocks[level].pop() {
            Some(block) => {
                let at = block as usize;
                self.words[at..at + HEADER_WORDS].copy_from_slice(&header);
                block
            }
            None => {
                let block = u32::try_from(self.words.len()).expect("a sorted set under 32 GB");
                self.words.extend_from_slice(&header);
                self.words.extend(std::iter::repeat_n(
                    Link { next: NIL, span: 0 }.to_word(),
                    level,
                ));
                block
            }
        }
    }

    /// Inserts a pair that must not be present.
    pub(crate) fn insert(&mut self, member: Bytes, score: f64) {
        let (mut update, mut rank) = self.descend_to(score, &member);
        let level = self.random_level();
        if level > self.level {
            for lvl in self.level..level {
                rank[lvl] = 0;
                update[lvl] = HEAD;
                let mut head = self.link(HEAD, lvl);
                head.span = self.len as u32;
                self.set_link(HEAD, lvl, head);
            }
            self.level = level;
        }
        let backward = if update[0] == HEAD { NIL } else { update[0] };
        let node = self.allocate(level, member, score, backward);
        for lvl in 0..level {
            let prev = self.link(update[lvl], lvl);
            let crossed = (rank[0] - rank[lvl]) as u32;
            self.set_link(
                node,
                lvl,
                Link {
                    next: prev.next,
                    span: prev.span - crossed,
                },
            );
            self.set_link(
                update[lvl],
                lvl,
                Link {
                    next: node,
                    span: crossed + 1,
                },
            );
        }
        for lvl in level..self.level {
            self.add_span(update[lvl], lvl, 1);
        }
        match self.link(node, 0).next {
            NIL => self.tail = node,
            next => self.set_backward(next, node),
        }
        self.len += 1;
    }

    /// The node holding (`score`, `member`) right after `update[0]`, if the pair is present.
    fn found(&self, update: &[u32; MAX_LEVEL], score: f64, member: &[u8]) -> Option<u32> {
        let candidate = self.link(update[0], 0).next;
        (candidate != NIL
            && compare(self.score(candidate), self.member(candidate), score, member).is_eq())
        .then_some(candidate)
    }

    /// Changes the score of a present pair (`old` to `new`): in place when the node keeps its position
    /// between its neighbours, as Redis's `zslUpdateScore` does (a counter bumped a little), otherwise by
    /// moving it. Returns whether the pair was present.
    pub(crate) fn update_score(&mut self, member: &[u8], old: f64, new: f64) -> bool {
        let (update, _) = self.descend_to(old, member);
        let Some(node) = self.found(&update, old, member) else {
            return false;
        };
        let (backward, next) = (self.backward(node), self.link(node, 0).next);
        let after_previous = backward == NIL || self.node_before(backward, new, member);
        let before_next =
            next == NIL || compare(new, member, self.score(next), self.member(next)).is_lt();
        if after_previous && before_next {
            self.words[node as usize + SCORE] = new.to_bits();
            return true;
        }
        // The descent already found the node's predecessors: unlink it with them, then insert anew. The
        // member's handle moves to the new node (a clone would touch, and first share, its allocation).
        let slot = self.words[node as usize + MEMBER] as usize;
        let stored = std::mem::take(&mut self.members[slot]);
        self.unlink(node, &update);
        self.insert(stored, new);
        true
    }

    /// Removes the pair; returns whether it was present.
    pub(crate) fn remove(&mut self, member: &[u8], score: f64) -> bool {
        let (update, _) = self.descend_to(score, member);
        match self.found(&update, score, member) {
            Some(node) => {
                self.unlink(node, &update);
                true
            }
            None => false,
        }
    }

    /// Takes `node` out of the list (`update` holds, per level, the last node before it) and frees it.
    fn unlink(&mut self, node: u32, update: &[u32; MAX_LEVEL]) {
        for lvl in 0..self.level {
            let link = self.link(update[lvl], lvl);
            if link.next == node {
                let removed = self.link(node, lvl);
                self.set_link(
                    update[lvl],
                    lvl,
                    Link {
                        next: removed.next,
                        span: link.span + removed.span - 1,
                    },
                );
            } else {
                self.add_span(update[lvl], lvl, -1);
            }
        }
        let backward = self.backward(node);
        match self.link(node, 0).next {
            NIL => self.tail = backward,
            next => self.set_backward(next, backward),
        }
        while self.level > 1 && self.link(HEAD, self.level - 1).next == NIL {
            self.level -= 1;
        }
        // Release the member's bytes now; the block and the slot are reused by later inserts.
        let slot = self.words[node as usize + MEMBER] as u32;
        self.members[slot as usize] = Bytes::new();
        self.free_members.push(slot);
        let level = self.node_level(node);
        self.free_blocks[level].push(node);
        self.len -= 1;
    }

    /// The 0-based rank of a present pair.
    pub(crate) fn rank(&self, member: &[u8], score: f64) -> Option<usize> {
        let (node, rank) = self.last_where(|list, node| {
            compare(list.score(node), list.member(node), score, member).is_le()
        })?;
        (self.member(node)[..] == *member).then(|| rank - 1)
    }

    /// The node at 0-based `rank`.
    fn at_rank(&self, rank: usize) -> u32 {
        if rank >= self.len {
            return NIL;
        }
        let target = rank + 1;
        let mut x = HEAD;
        let mut traversed = 0;
        for level in (0..self.level).rev() {
            loop {
                let link = self.link(x, level);
                if link.next == NIL || traversed + link.span as usize > target {
                    break;
                }
                traversed += link.span as usize;
                x = link.next;
            }
            if traversed == target {
                return x;
            }
        }
        NIL
    }

    /// Pairs from 0-based `rank` on, ascending (`forward`) or descending.
    pub(crate) fn iter_from(&self, rank: usize, forward: bool) -> Iter<'_> {
        Iter {
            list: self,
            at: self.at_rank(rank),
            forward,
        }
    }

    /// The number of leading pairs for which `before(score, member)` holds (it must hold for a prefix).
    pub(crate) fn count_while(&self, mut before: impl FnMut(f64, &[u8]) -> bool) -> usize {
        self.last_where(|list, node| before(list.score(node), list.member(node)))
            .map_or(0, |(_, rank)| rank)
    }

    /// The first pair, if any.
    pub(crate) fn first(&self) -> Option<(&Bytes, f64)> {
        let node = self.link(HEAD, 0).next;
        (node != NIL).then(|| (self.member(node), self.score(node)))
    }

    /// The last pair, if any.
    pub(crate) fn last(&self) -> Option<(&Bytes, f64)> {
        (self.tail != NIL).then(|| (self.member(self.tail), self.score(self.tail)))
    }
}

/// Walks the list from a node, along level 0 or the backward links.
#[derive(Debug, Clone)]
pub(crate) struct Iter<'a> {
    list: &'a SkipList,
    at: u32,
    forward: bool,
}

impl<'a> Iterator for Iter<'a> {
    type Item = (&'a Bytes, f64);

    fn next(&mut self) -> Option<(&'a Bytes, f64)> {
        if self.at == NIL || self.at == HEAD {
            return None;
        }
        let list = self.list;
        let node = self.at;
        self.at = if self.forward {
            list.link(node, 0).next
        } else {
            list.backward(node)
        };
        Some((list.member(node), list.score(node)))
    }
}
