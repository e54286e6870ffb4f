//! [`SkipList`]: the ordered index of a sorted set, a skip list whose links carry spans (how many
//! level-0 steps each link jumps), so the rank of an element and the element at a rank are found in
//! O(log n), as in Redis's `zskiplist`.
//!
//! Nodes live in one arena vector addressed by `u32` indices (slot 0 is the header), with a free list
//! for reuse: no unsafe code, no per-node allocation beyond the link vector, and `Clone` for free.

// The algorithms walk parallel per-level arrays (update nodes, ranks, links) by level number.
#![allow(clippy::needless_range_loop)]

use std::cmp::Ordering;

use bytes::Bytes;

/// Enough levels for 2^64 elements at p = 1/4.
const MAX_LEVEL: usize = 32;
/// The header node's slot.
const HEAD: u32 = 0;
/// "No node".
const NIL: u32 = u32::MAX;

/// A link from a node to the next node at one level.
#[derive(Debug, Clone, Copy)]
struct Link {
    next: u32,
    /// Level-0 steps from this node to `next` (to the end of the list when `next` is `NIL`).
    span: usize,
}

#[derive(Debug, Clone)]
struct Node {
    member: Bytes,
    score: f64,
    backward: u32,
    links: Links,
}

/// Levels kept inside the node: with p = 1/4, 15 nodes in 16 have at most two, so almost every step of a
/// search reads one node instead of a node and a separate link array (and an insert allocates nothing
/// beyond the arena).
const INLINE_LEVELS: usize = 2;

/// A node's links, one per level.
#[derive(Debug, Clone)]
enum Links {
    Inline {
        len: u8,
        links: [Link; INLINE_LEVELS],
    },
    Heap(Box<[Link]>),
}

impl Links {
    fn new(level: usize) -> Links {
        let empty = Link { next: NIL, span: 0 };
        if level <= INLINE_LEVELS {
            Links::Inline {
                len: level as u8,
                links: [empty; INLINE_LEVELS],
            }
        } else {
            Links::Heap(vec![empty; level].into_boxed_slice())
        }
    }

    fn get(&self, level: usize) -> Link {
        match self {
            Links::Inline { len, links } => {
                debug_assert!(level < usize::from(*len));
                links[level]
            }
            Links::Heap(links) => links[level],
        }
    }

    fn get_mut(&mut self, level: usize) -> &mut Link {
        match self {
            Links::Inline { len, links } => {
                debug_assert!(level < usize::from(*len));
                &mut links[level]
            }
            Links::Heap(links) => &mut links[level],
        }
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
    nodes: Vec<Node>,
    free: Vec<u32>,
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
        let header = Node {
            member: Bytes::new(),
            score: 0.0,
            backward: NIL,
            links: Links::new(MAX_LEVEL),
        };
        SkipList {
            nodes: vec![header],
            free: Vec::new(),
            tail: NIL,
            len: 0,
            level: 1,
            rng: 0x9E37_79B9_7F4A_7C15,
        }
    }

    /// Node levels follow a geometric distribution with p = 1/4 (Redis's `ZSKIPLIST_P`). The generator is
    /// a xorshift: the shape of the list needs no unpredictability, only independence between draws.
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

    fn node(&self, index: u32) -> &Node {
        &self.nodes[index as usize]
    }

    fn link(&self, index: u32, level: usize) -> Link {
        self.nodes[index as usize].links.get(level)
    }

    fn link_mut(&mut self, index: u32, level: usize) -> &mut Link {
        self.nodes[index as usize].links.get_mut(level)
    }

    /// Walks down from the top level, moving forward while `before` holds for the next node, and returns for
    /// each level the last node visited and its rank (header = 0). `before` must hold for a prefix of the
    /// list and fail for the rest.
    fn descend(
        &self,
        mut before: impl FnMut(&Node) -> bool,
    ) -> ([u32; MAX_LEVEL], [usize; MAX_LEVEL]) {
        let mut update = [HEAD; MAX_LEVEL];
        let mut rank = [0usize; MAX_LEVEL];
        let mut x = HEAD;
        let mut traversed = 0;
        for level in (0..self.level).rev() {
            loop {
                let link = self.link(x, level);
                if link.next == NIL || !before(self.node(link.next)) {
                    break;
                }
                traversed += link.span;
                x = link.next;
            }
            update[level] = x;
            rank[level] = traversed;
        }
        (update, rank)
    }

    /// The last node for which `before` holds, and its 1-based rank; `None` if it holds for no node.
    fn last_where(&self, before: impl FnMut(&Node) -> bool) -> Option<(u32, usize)> {
        let (update, rank) = self.descend(before);
        (update[0] != HEAD).then_some((update[0], rank[0]))
    }

    /// Inserts a pair that must not be present.
    pub(crate) fn insert(&mut self, member: Bytes, score: f64) {
        let (mut update, mut rank) =
            self.descend(|node| compare(node.score, &node.member, score, &member).is_lt());
        let level = self.random_level();
        if level > self.level {
            for lvl in self.level..level {
                rank[lvl] = 0;
                update[lvl] = HEAD;
                self.link_mut(HEAD, lvl).span = self.len;
            }
            self.level = level;
        }
        let node = Node {
            member,
            score,
            backward: if update[0] == HEAD { NIL } else { update[0] },
            links: Links::new(level),
        };
        let index = match self.free.pop() {
            Some(slot) => {
                self.nodes[slot as usize] = node;
                slot
            }
            None => {
                self.nodes.push(node);
                u32::try_from(self.nodes.len() - 1).expect("fewer than 2^32 members")
            }
        };
        for lvl in 0..level {
            let prev = self.link(update[lvl], lvl);
            let crossed = rank[0] - rank[lvl];
            *self.link_mut(index, lvl) = Link {
                next: prev.next,
                span: prev.span - crossed,
            };
            *self.link_mut(update[lvl], lvl) = Link {
                next: index,
                span: crossed + 1,
            };
        }
        for lvl in level..self.level {
            self.link_mut(update[lvl], lvl).span += 1;
        }
        match self.link(index, 0).next {
            NIL => self.tail = index,
            next => self.nodes[next as usize].backward = index,
        }
        self.len += 1;
    }

    /// Changes the score of a present pair (`old` to `new`): in place when the node keeps its position
    /// between its neighbours, as Redis's `zslUpdateScore` does (a counter bumped a little), otherwise by
    /// moving it. Returns whether the pair was present.
    pub(crate) fn update_score(&mut self, member: &[u8], old: f64, new: f64) -> bool {
        let (update, _) =
            self.descend(|node| compare(node.score, &node.member, old, member).is_lt());
        let candidate = self.link(update[0], 0).next;
        if candidate == NIL {
            return false;
        }
        let node = self.node(candidate);
        if compare(node.score, &node.member, old, member).is_ne() {
            return false;
        }
        let (backward, next) = (node.backward, self.link(candidate, 0).next);
        let after_previous = backward == NIL || {
            let previous = self.node(backward);
            compare(previous.score, &previous.member, new, member).is_lt()
        };
        let before_next = next == NIL || {
            let following = self.node(next);
            compare(new, member, following.score, &following.member).is_lt()
        };
        if after_previous && before_next {
            self.nodes[candidate as usize].score = new;
            return true;
        }
        let stored = self.node(candidate).member.clone();
        self.remove(member, old);
        self.insert(stored, new);
        true
    }

    /// Removes the pair; returns whether it was present.
    pub(crate) fn remove(&mut self, member: &[u8], score: f64) -> bool {
        let (update, _) =
            self.descend(|node| compare(node.score, &node.member, score, member).is_lt());
        let candidate = self.link(update[0], 0).next;
        if candidate == NIL {
            return false;
        }
        let node = self.node(candidate);
        if compare(node.score, &node.member, score, member).is_ne() {
            return false;
        }
        for lvl in 0..self.level {
            let link = self.link(update[lvl], lvl);
            if link.next == candidate {
                let removed = self.link(candidate, lvl);
                *self.link_mut(update[lvl], lvl) = Link {
                    next: removed.next,
                    span: link.span + removed.span - 1,
                };
            } else {
                self.link_mut(update[lvl], lvl).span -= 1;
            }
        }
        let backward = self.node(candidate).backward;
        match self.link(candidate, 0).next {
            NIL => self.tail = backward,
            next => self.nodes[next as usize].backward = backward,
        }
        while self.level > 1 && self.link(HEAD, self.level - 1).next == NIL {
            self.level -= 1;
        }
        // Release the member's bytes now; the slot is reused by a later insert.
        let slot = &mut self.nodes[candidate as usize];
        slot.member = Bytes::new();
        slot.links = Links::new(0);
        self.free.push(candidate);
        self.len -= 1;
        true
    }

    /// The 0-based rank of a present pair.
    pub(crate) fn rank(&self, member: &[u8], score: f64) -> Option<usize> {
        let (index, rank) =
            self.last_where(|node| compare(node.score, &node.member, score, member).is_le())?;
        let node = self.node(index);
        (node.member == member).then(|| rank - 1)
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
                if link.next == NIL || traversed + link.span > target {
                    break;
                }
                traversed += link.span;
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
        self.last_where(|node| before(node.score, &node.member))
            .map_or(0, |(_, rank)| rank)
    }

    /// The first pair, if any.
    pub(crate) fn first(&self) -> Option<(&Bytes, f64)> {
        let index = self.link(HEAD, 0).next;
        (index != NIL).then(|| {
            let node = self.node(index);
            (&node.member, node.score)
        })
    }

    /// The last pair, if any.
    pub(crate) fn last(&self) -> Option<(&Bytes, f64)> {
        (self.tail != NIL).then(|| {
            let node = self.node(self.tail);
            (&node.member, node.score)
        })
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
        let node = self.list.node(self.at);
        self.at = if self.forward {
            node.links.get(0).next
        } else {
            node.backward
        };
        Some((&node.member, node.score))
    }
}
