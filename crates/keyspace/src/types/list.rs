//! [`List`]: a Redis list, a deque of byte strings, with the index arithmetic of the list commands
//! (negative indices count from the tail, ranges are clamped the way `LRANGE`/`LTRIM` clamp them).

use std::collections::VecDeque;

use bytes::Bytes;

/// A Redis list. Redis 7.0 stores every list as a quicklist, whatever its size.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct List {
    items: VecDeque<Bytes>,
}

/// Which end of a list an operation works on (`LEFT`/`RIGHT` in the commands).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// The head (`LEFT`, `LPUSH`, `LPOP`).
    Head,
    /// The tail (`RIGHT`, `RPUSH`, `RPOP`).
    Tail,
}

/// What `LPOS` looks for besides the element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PositionQuery {
    /// 1 = first match, 2 = second...; negative searches from the tail (-1 = last match). Never 0.
    pub rank: i64,
    /// Stop after this many matches; 0 = all matches.
    pub count: usize,
    /// Compare at most this many elements; 0 = the whole list.
    pub max_len: usize,
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

    /// Pushes at `end`.
    pub fn push(&mut self, end: End, item: Bytes) {
        match end {
            End::Head => self.items.push_front(item),
            End::Tail => self.items.push_back(item),
        }
    }

    /// Pops from `end`.
    pub fn pop(&mut self, end: End) -> Option<Bytes> {
        match end {
            End::Head => self.items.pop_front(),
            End::Tail => self.items.pop_back(),
        }
    }

    /// Pops up to `count` elements from `end`, in popping order (`LPOP k 2` gives the first two head to tail,
    /// `RPOP k 2` the last two tail to head).
    pub fn pop_many(&mut self, end: End, count: usize) -> Vec<Bytes> {
        let count = count.min(self.items.len());
        match end {
            End::Head => self.items.drain(..count).collect(),
            End::Tail => {
                let start = self.items.len() - count;
                self.items.drain(start..).rev().collect()
            }
        }
    }

    /// Elements head to tail.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &Bytes> + ExactSizeIterator {
        self.items.iter()
    }

    /// The element at `index` (negative counts from the tail: -1 is the last).
    pub fn get(&self, index: i64) -> Option<&Bytes> {
        self.items.get(self.position(index)?)
    }

    /// Replaces the element at `index` (negative counts from the tail); false if the index is out of range.
    pub fn set(&mut self, index: i64, item: Bytes) -> bool {
        match self.position(index).and_then(|at| self.items.get_mut(at)) {
            Some(slot) => {
                *slot = item;
                true
            }
            None => false,
        }
    }

    /// The elements from `start` to `stop` inclusive, as `LRANGE` reads them: negative indices count from the
    /// tail, a start before the head is the head, a stop past the tail is the tail, and an empty range (start
    /// after stop, or start past the tail) gives nothing.
    pub fn range(
        &self,
        start: i64,
        stop: i64,
    ) -> impl DoubleEndedIterator<Item = &Bytes> + ExactSizeIterator {
        let (from, to) = self.clamp(start, stop).unwrap_or((0, 0));
        self.items.range(from..to)
    }

    /// Keeps only the elements from `start` to `stop` inclusive (the [`List::range`] rules); returns how many
    /// were removed. A list emptied this way must be deleted by the caller.
    pub fn trim(&mut self, start: i64, stop: i64) -> usize {
        let before = self.items.len();
        match self.clamp(start, stop) {
            Some((from, to)) => {
                self.items.truncate(to);
                self.items.drain(..from);
            }
            None => self.items.clear(),
        }
        before - self.items.len()
    }

    /// Inserts `item` next to the first element equal to `pivot` (searching from the head): before it when
    /// `before`, after it otherwise. Returns false when no element equals the pivot.
    pub fn insert(&mut self, before: bool, pivot: &[u8], item: Bytes) -> bool {
        let Some(at) = self.items.iter().position(|element| element == pivot) else {
            return false;
        };
        self.items.insert(if before { at } else { at + 1 }, item);
        true
    }

    /// Removes elements equal to `item`: the first `count` from the head when `count > 0`, the last `-count`
    /// from the tail when `count < 0`, all of them when 0. Returns how many were removed.
    pub fn remove(&mut self, count: i64, item: &[u8]) -> usize {
        let limit = match count.unsigned_abs() {
            0 => usize::MAX,
            limit => usize::try_from(limit).unwrap_or(usize::MAX),
        };
        let before = self.items.len();
        let mut removed = 0;
        if count >= 0 {
            self.items.retain(|element| {
                let drop = removed < limit && element == item;
                removed += usize::from(drop);
                !drop
            });
        } else {
            let mut kept: VecDeque<Bytes> = VecDeque::with_capacity(self.items.len());
            while let Some(element) = self.items.pop_back() {
                if removed < limit && element == item {
                    removed += 1;
                } else {
                    kept.push_front(element);
                }
            }
            self.items = kept;
        }
        before - self.items.len()
    }

    /// `LPOS`: indices (counted from the head) of the elements equal to `item`, skipping the first
    /// `|rank| - 1` matches, searching from the tail when `rank < 0`, at most `count` of them (0 = all), looking
    /// at no more than `max_len` elements (0 = all), in the order found.
    pub fn positions(&self, item: &[u8], query: PositionQuery) -> Vec<usize> {
        let skip =
            usize::try_from(query.rank.unsigned_abs().saturating_sub(1)).unwrap_or(usize::MAX);
        let count = if query.count == 0 {
            usize::MAX
        } else {
            query.count
        };
        let max_len = if query.max_len == 0 {
            usize::MAX
        } else {
            query.max_len
        };
        let len = self.items.len();
        let matches = |(scanned, element): (usize, &Bytes)| (element == item).then_some(scanned);
        let found: Box<dyn Iterator<Item = usize>> = if query.rank < 0 {
            Box::new(
                self.items
                    .iter()
                    .rev()
                    .enumerate()
                    .take(max_len)
                    .filter_map(matches)
                    .map(move |scanned| len - 1 - scanned),
            )
        } else {
            Box::new(
                self.items
                    .iter()
                    .enumerate()
                    .take(max_len)
                    .filter_map(matches),
            )
        };
        found.skip(skip).take(count).collect()
    }

    /// `OBJECT ENCODING`: Redis 7.0 stores every list as a quicklist.
    pub fn encoding(&self) -> &'static str {
        "quicklist"
    }

    /// The underlying deque, for the list commands.
    pub fn items_mut(&mut self) -> &mut VecDeque<Bytes> {
        &mut self.items
    }

    /// The position of `index` (negative from the tail), if inside the list.
    fn position(&self, index: i64) -> Option<usize> {
        let len = i64::try_from(self.items.len()).ok()?;
        let index = if index < 0 {
            len.checked_add(index)?
        } else {
            index
        };
        if (0..len).contains(&index) {
            usize::try_from(index).ok()
        } else {
            None
        }
    }

    /// `start..=stop` turned into a non-empty half-open range of positions, or `None` when empty.
    fn clamp(&self, start: i64, stop: i64) -> Option<(usize, usize)> {
        let len = i64::try_from(self.items.len()).ok()?;
        let start = if start < 0 {
            len.saturating_add(start)
        } else {
            start
        }
        .max(0);
        let stop = if stop < 0 {
            len.saturating_add(stop)
        } else {
            stop
        };
        if start > stop || start >= len {
            return None;
        }
        let stop = stop.min(len - 1);
        Some((
            usize::try_from(start).ok()?,
            usize::try_from(stop + 1).ok()?,
        ))
    }
}

impl FromIterator<Bytes> for List {
    fn from_iter<I: IntoIterator<Item = Bytes>>(iter: I) -> List {
        List {
            items: iter.into_iter().collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(items: &[&str]) -> List {
        items
            .iter()
            .map(|item| Bytes::from(item.to_string()))
            .collect()
    }

    fn strings<'a>(items: impl Iterator<Item = &'a Bytes>) -> Vec<String> {
        items
            .map(|item| String::from_utf8_lossy(item).into_owned())
            .collect()
    }

    fn contents(list: &List) -> Vec<String> {
        strings(list.iter())
    }

    #[test]
    fn indices_count_from_the_tail_when_negative() {
        let list = list(&["a", "b", "c"]);
        assert_eq!(list.get(0).map(|b| &b[..]), Some(&b"a"[..]));
        assert_eq!(list.get(-1).map(|b| &b[..]), Some(&b"c"[..]));
        assert_eq!(list.get(-3).map(|b| &b[..]), Some(&b"a"[..]));
        assert_eq!(list.get(3), None);
        assert_eq!(list.get(-4), None);
        assert_eq!(list.get(i64::MIN), None);
        assert_eq!(list.get(i64::MAX), None);
    }

    #[test]
    fn set_replaces_in_range_only() {
        let mut list = list(&["a", "b"]);
        assert!(list.set(-1, Bytes::from("z")));
        assert!(!list.set(2, Bytes::from("y")));
        assert!(!list.set(-3, Bytes::from("y")));
        assert_eq!(contents(&list), ["a", "z"]);
    }

    #[test]
    fn ranges_clamp_like_lrange() {
        let list = list(&["a", "b", "c", "d"]);
        let range = |start, stop| strings(list.range(start, stop));
        assert_eq!(range(0, -1), ["a", "b", "c", "d"]);
        assert_eq!(range(1, 2), ["b", "c"]);
        assert_eq!(range(-2, 100), ["c", "d"]);
        assert_eq!(range(-100, 0), ["a"]);
        assert!(range(2, 1).is_empty());
        assert!(range(4, 10).is_empty());
        assert!(range(0, -5).is_empty());
        assert_eq!(range(i64::MIN, i64::MAX), ["a", "b", "c", "d"]);
        assert!(List::new().range(0, -1).next().is_none());
    }

    #[test]
    fn trim_keeps_the_range_and_counts_removals() {
        let mut kept = list(&["a", "b", "c", "d"]);
        assert_eq!(kept.trim(1, -2), 2);
        assert_eq!(contents(&kept), ["b", "c"]);
        let mut emptied = list(&["a", "b"]);
        assert_eq!(emptied.trim(5, 10), 2);
        assert!(emptied.is_empty());
        let mut whole = list(&["a", "b"]);
        assert_eq!(whole.trim(0, -1), 0);
    }

    #[test]
    fn pop_many_returns_popping_order() {
        let mut list = list(&["a", "b", "c", "d"]);
        assert_eq!(strings(list.pop_many(End::Tail, 2).iter()), ["d", "c"]);
        assert_eq!(strings(list.pop_many(End::Head, 5).iter()), ["a", "b"]);
        assert!(list.is_empty());
    }

    #[test]
    fn insert_next_to_the_first_pivot() {
        let mut list = list(&["a", "p", "p"]);
        assert!(list.insert(true, b"p", Bytes::from("x")));
        assert!(list.insert(false, b"p", Bytes::from("y")));
        assert!(!list.insert(true, b"missing", Bytes::from("z")));
        assert_eq!(contents(&list), ["a", "x", "p", "y", "p"]);
    }

    #[test]
    fn remove_from_head_tail_or_all() {
        let base = ["x", "a", "x", "b", "x"];
        let mut head = list(&base);
        assert_eq!(head.remove(2, b"x"), 2);
        assert_eq!(contents(&head), ["a", "b", "x"]);
        let mut tail = list(&base);
        assert_eq!(tail.remove(-2, b"x"), 2);
        assert_eq!(contents(&tail), ["x", "a", "b"]);
        let mut all = list(&base);
        assert_eq!(all.remove(0, b"x"), 3);
        assert_eq!(contents(&all), ["a", "b"]);
        let mut extreme = list(&base);
        assert_eq!(extreme.remove(i64::MIN, b"x"), 3);
    }

    #[test]
    fn positions_follow_rank_count_and_max_len() {
        let list = list(&["a", "b", "c", "1", "2", "3", "c", "c"]);
        let find = |rank, count, max_len| {
            list.positions(
                b"c",
                PositionQuery {
                    rank,
                    count,
                    max_len,
                },
            )
        };
        assert_eq!(find(1, 1, 0), [2]);
        assert_eq!(find(1, 0, 0), [2, 6, 7]);
        assert_eq!(find(2, 0, 0), [6, 7]);
        assert_eq!(find(-1, 0, 0), [7, 6, 2]);
        assert_eq!(find(-2, 1, 0), [6]);
        assert_eq!(find(1, 0, 3), [2]);
        assert_eq!(find(-1, 0, 2), [7, 6]);
        assert!(find(4, 0, 0).is_empty());
        assert!(find(i64::MIN, 0, 0).is_empty());
    }
}
