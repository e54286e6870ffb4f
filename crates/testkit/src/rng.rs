//! [`Rng`]: a tiny seeded pseudo-random generator (SplitMix64), so seeded loads and differential command
//! sequences are reproducible from one number without a dependency.

/// SplitMix64: tiny, seedable and good enough to pick commands, values and byte positions reproducibly.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator whose sequence depends only on `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `low..high` (`high > low`).
    pub fn range(&mut self, low: u64, high: u64) -> u64 {
        assert!(high > low, "empty range {low}..{high}");
        low + self.next_u64() % (high - low)
    }

    /// Uniform in `low..=high` for signed bounds (`high >= low`).
    pub fn signed(&mut self, low: i64, high: i64) -> i64 {
        assert!(high >= low, "empty range {low}..={high}");
        let span = high.abs_diff(low) + 1;
        low.wrapping_add((self.next_u64() % span) as i64)
    }

    /// Uniform in `0..len` (`len > 0`), for indexing.
    pub fn below(&mut self, len: usize) -> usize {
        self.range(0, len as u64) as usize
    }

    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.range(0, 100) < percent
    }

    /// One element of a non-empty slice.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// `len` random bytes.
    pub fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.next_u64() as u8).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_sequence() {
        let mut first = Rng::new(42);
        let mut second = Rng::new(42);
        for _ in 0..100 {
            assert_eq!(first.next_u64(), second.next_u64());
        }
        assert_ne!(Rng::new(1).next_u64(), Rng::new(2).next_u64());
    }

    #[test]
    fn ranges_stay_in_bounds() {
        let mut rng = Rng::new(7);
        for _ in 0..1000 {
            assert!((3..9).contains(&rng.range(3, 9)));
            assert!((-5..=5).contains(&rng.signed(-5, 5)));
            assert!(rng.below(4) < 4);
        }
        assert_eq!(rng.signed(i64::MIN, i64::MIN), i64::MIN);
    }
}
