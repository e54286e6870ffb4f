//! [`Backlog`]: the tail of the replication stream, kept in fixed-size blocks.
//!
//! One buffer serves two purposes, as in Redis 7: it is the backlog that answers `PSYNC` with `+CONTINUE`, and
//! it is where every attached replica reads its stream from (each replica only remembers the offset it has
//! been sent up to). So the buffer keeps at least `size` bytes, and more while a replica still needs older
//! bytes; the caller passes the oldest offset still needed to [`Backlog::trim`].

use std::collections::VecDeque;

use crate::ReplOffset;

/// Bytes per block. Trimming drops whole blocks, so `histlen` may exceed `size` by up to one block,
/// which Redis also shows (it trims in 16 KB blocks).
const BLOCK_SIZE: usize = 16 * 1024;

/// The most recent bytes of a replication stream.
#[derive(Debug, Clone)]
pub struct Backlog {
    /// Every block but the last is exactly `BLOCK_SIZE` long; that invariant makes lookups O(1).
    blocks: VecDeque<Vec<u8>>,
    first_byte_offset: ReplOffset,
    histlen: usize,
    size: usize,
}

impl Backlog {
    /// An empty backlog whose first byte will have offset `next_offset` (the current offset + 1).
    pub fn new(size: usize, next_offset: ReplOffset) -> Backlog {
        Backlog {
            blocks: VecDeque::new(),
            first_byte_offset: next_offset,
            histlen: 0,
            size,
        }
    }

    /// Offset of the first byte held (`repl_backlog_first_byte_offset`).
    pub fn first_byte_offset(&self) -> ReplOffset {
        self.first_byte_offset
    }

    /// Number of bytes held (`repl_backlog_histlen`).
    pub fn histlen(&self) -> usize {
        self.histlen
    }

    /// Configured capacity (`repl_backlog_size`).
    pub fn size(&self) -> usize {
        self.size
    }

    /// Changes the capacity; takes effect at the next [`Backlog::trim`].
    pub fn set_size(&mut self, size: usize) {
        self.size = size;
    }

    /// Offset the next appended byte will get.
    pub fn next_offset(&self) -> ReplOffset {
        self.first_byte_offset.advanced(self.histlen)
    }

    /// Whether a replica asking for the stream from `offset` can be served from here. The offset just past
    /// the end is included: it means "nothing missed".
    pub fn can_serve_from(&self, offset: ReplOffset) -> bool {
        offset >= self.first_byte_offset && offset <= self.next_offset()
    }

    /// Appends stream bytes.
    pub fn append(&mut self, mut data: &[u8]) {
        self.histlen += data.len();
        while !data.is_empty() {
            let block = match self.blocks.back_mut() {
                Some(block) if block.len() < BLOCK_SIZE => block,
                _ => {
                    self.blocks.push_back(Vec::with_capacity(BLOCK_SIZE));
                    self.blocks.back_mut().expect("a block was just pushed")
                }
            };
            let take = data.len().min(BLOCK_SIZE - block.len());
            block.extend_from_slice(&data[..take]);
            data = &data[take..];
        }
    }

    /// Drops old blocks beyond the capacity, but never a byte at or after `keep_from` (the oldest offset an
    /// attached replica still has to be sent).
    pub fn trim(&mut self, keep_from: Option<ReplOffset>) {
        while let Some(front) = self.blocks.front() {
            let front_len = front.len();
            let front_end = self.first_byte_offset.advanced(front_len);
            let over_capacity = self.histlen - front_len >= self.size;
            let still_needed = keep_from.is_some_and(|keep| keep < front_end);
            if !over_capacity || still_needed || self.blocks.len() == 1 {
                break;
            }
            self.blocks.pop_front();
            self.histlen -= front_len;
            self.first_byte_offset = front_end;
        }
    }

    /// Bytes held beyond the configured capacity because a replica still needs them.
    pub fn retained_beyond_size(&self) -> usize {
        self.histlen.saturating_sub(self.size)
    }

    /// Appends to `out` up to `max` bytes of the stream starting at `offset`; returns how many were copied,
    /// or `None` when `offset` is no longer (or not yet) held.
    pub fn copy_from(&self, offset: ReplOffset, max: usize, out: &mut Vec<u8>) -> Option<usize> {
        if !self.can_serve_from(offset) {
            return None;
        }
        let mut skip = usize::try_from(offset.0 - self.first_byte_offset.0).ok()?;
        let mut block_index = skip / BLOCK_SIZE;
        skip %= BLOCK_SIZE;
        let mut copied = 0;
        while copied < max {
            let Some(block) = self.blocks.get(block_index) else {
                break;
            };
            let available = &block[skip.min(block.len())..];
            let take = available.len().min(max - copied);
            out.extend_from_slice(&available[..take]);
            copied += take;
            block_index += 1;
            skip = 0;
        }
        Some(copied)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(backlog: &Backlog, from: i64) -> Option<Vec<u8>> {
        let mut out = Vec::new();
        backlog.copy_from(ReplOffset(from), usize::MAX, &mut out)?;
        Some(out)
    }

    #[test]
    fn offsets_follow_redis_arithmetic() {
        let mut backlog = Backlog::new(1024, ReplOffset(525));
        assert_eq!(backlog.first_byte_offset(), ReplOffset(525));
        assert_eq!(backlog.histlen(), 0);
        backlog.append(b"ping\r\n");
        assert_eq!(backlog.next_offset(), ReplOffset(531));
        assert_eq!(read_all(&backlog, 527).unwrap(), b"ng\r\n");
        assert_eq!(read_all(&backlog, 531).unwrap(), b"");
        assert_eq!(read_all(&backlog, 532), None);
        assert_eq!(read_all(&backlog, 524), None);
    }

    #[test]
    fn trim_keeps_capacity_and_pinned_bytes() {
        let mut backlog = Backlog::new(BLOCK_SIZE, ReplOffset(1));
        let data: Vec<u8> = (0..(BLOCK_SIZE * 5 + 100))
            .map(|i| (i % 251) as u8)
            .collect();
        backlog.append(&data);
        backlog.trim(Some(ReplOffset(2)));
        assert_eq!(
            backlog.histlen(),
            data.len(),
            "a pinned offset keeps everything after it"
        );
        backlog.trim(None);
        assert!(backlog.histlen() >= BLOCK_SIZE && backlog.histlen() < 2 * BLOCK_SIZE + 100);
        let first = backlog.first_byte_offset().0;
        let tail = read_all(&backlog, first).unwrap();
        assert_eq!(tail, &data[(first - 1) as usize..]);
    }

    #[test]
    fn reads_across_block_boundaries_match_the_input() {
        let mut backlog = Backlog::new(1 << 20, ReplOffset(1));
        let mut expected = Vec::new();
        for i in 0..5000u32 {
            let chunk = format!("item-{i};");
            backlog.append(chunk.as_bytes());
            expected.extend_from_slice(chunk.as_bytes());
        }
        for start in [1usize, 2, BLOCK_SIZE, BLOCK_SIZE + 1, expected.len()] {
            let mut out = Vec::new();
            let copied = backlog
                .copy_from(ReplOffset(start as i64), 777, &mut out)
                .unwrap();
            let want = &expected[start - 1..(start - 1 + 777).min(expected.len())];
            assert_eq!(copied, want.len());
            assert_eq!(out, want);
        }
    }
}
