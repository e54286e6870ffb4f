//! What the hash and set commands share: random picks (`HRANDFIELD`, `SRANDMEMBER`, `SPOP`), the cursor and
//! options of `HSCAN`/`SSCAN`, and Redis's integer-argument errors for counts.

use std::cell::Cell;
use std::collections::HashSet;
use std::hash::{BuildHasher, RandomState};

use bytes::Bytes;
use keyspace::pattern::glob_match;
use resp::Frame;

use super::{is, parse_i64};
use crate::errors;

/// A uniformly random index below `len` (`len > 0`). xorshift64*, seeded per thread from std's random hasher
/// keys: picks must be spread out and differ between runs, not be unpredictable.
pub fn random_index(len: usize) -> usize {
    thread_local! {
        static STATE: Cell<u64> = Cell::new(RandomState::new().hash_one(0x5eed_u64) | 1);
    }
    let next = STATE.with(|state| {
        let mut x = state.get();
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        state.set(x);
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    });
    // The modulo bias is below 2^-40 for any realistic length.
    (next % len.max(1) as u64) as usize
}

/// `count` distinct random indices below `len` (`count <= len`), in no particular order.
pub fn distinct_indices(len: usize, count: usize) -> Vec<usize> {
    if count * 3 > len {
        // Dense case: a partial Fisher-Yates shuffle.
        let mut indices: Vec<usize> = (0..len).collect();
        for i in 0..count {
            let j = i + random_index(len - i);
            indices.swap(i, j);
        }
        indices.truncate(count);
        indices
    } else {
        let mut chosen = HashSet::with_capacity(count);
        let mut indices = Vec::with_capacity(count);
        while indices.len() < count {
            let index = random_index(len);
            if chosen.insert(index) {
                indices.push(index);
            }
        }
        indices
    }
}

/// A count argument as Redis's `getRangeLongFromObjectOrReply(-LONG_MAX, LONG_MAX)` reads it.
pub fn parse_signed_count(arg: &[u8]) -> Result<i64, Frame> {
    match parse_i64(arg) {
        None => Err(errors::reply(errors::NOT_INTEGER)),
        Some(i64::MIN) => Err(errors::reply(
            "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807",
        )),
        Some(count) => Ok(count),
    }
}

/// Most picks a negative count (picks with repeats) may ask for. Redis streams any number, growing its output
/// buffer without bound; we build the reply in memory first, so an absurd count is refused instead of taking
/// the server down (a deliberate difference, only above 2^27 picks).
pub const MAX_REPEATED_PICKS: u64 = 1 << 27;

/// The number of picks for a negative count, or the error for one beyond [`MAX_REPEATED_PICKS`].
pub fn repeated_picks(count: i64) -> Result<usize, Frame> {
    let picks = count.unsigned_abs();
    if picks > MAX_REPEATED_PICKS {
        return Err(errors::reply("ERR value is out of range"));
    }
    Ok(picks as usize)
}

/// A count that must be zero or more (`getPositiveLongFromObjectOrReply`): anything else, a non-integer
/// included, gets `message`.
pub fn parse_positive(arg: &[u8], message: &str) -> Result<i64, Frame> {
    match parse_i64(arg) {
        Some(count) if count >= 0 => Ok(count),
        _ => Err(errors::reply(message)),
    }
}

/// The options of `HSCAN`/`SSCAN` after the cursor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanOptions {
    /// How many entries to visit (a hint in Redis).
    pub count: usize,
    /// `MATCH` pattern; `None` also for `*`, which matches everything.
    pub pattern: Option<Bytes>,
}

impl ScanOptions {
    /// Whether `text` passes the `MATCH` filter.
    pub fn matches(&self, text: &[u8]) -> bool {
        self.pattern
            .as_ref()
            .is_none_or(|pattern| glob_match(pattern, text))
    }
}

/// Parses `[MATCH pattern] [COUNT count]` in any order and number, as Redis's `scanGenericCommand` does for a
/// key's collection (no `TYPE` there).
pub fn parse_scan_options(args: &[Bytes]) -> Result<ScanOptions, Frame> {
    let mut options = ScanOptions {
        count: 10,
        pattern: None,
    };
    let mut index = 0;
    while index < args.len() {
        let value = args.get(index + 1);
        match value {
            Some(value) if is(&args[index], "count") => {
                let count = parse_i64(value).ok_or_else(|| errors::reply(errors::NOT_INTEGER))?;
                if count < 1 {
                    return Err(errors::reply(errors::SYNTAX));
                }
                options.count = usize::try_from(count).unwrap_or(usize::MAX);
            }
            Some(value) if is(&args[index], "match") => {
                options.pattern = (value.as_ref() != b"*").then(|| value.clone());
            }
            _ => return Err(errors::reply(errors::SYNTAX)),
        }
        index += 2;
    }
    Ok(options)
}

/// A scan cursor as C's `strtoul` reads it (what Redis uses): the text up to a NUL, an optional sign (`-n`
/// wraps around), decimal digits, nothing else; no leading space; no digits at all reads as 0 only when nothing
/// else follows.
pub fn parse_cursor(arg: &[u8]) -> Result<u64, Frame> {
    let invalid = || errors::reply("ERR invalid cursor");
    let text = arg.split(|&byte| byte == 0).next().unwrap_or_default();
    if text.is_empty() {
        return Ok(0);
    }
    if matches!(text[0], b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c) {
        return Err(invalid());
    }
    let (negative, digits) = match text[0] {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return Err(invalid());
    }
    let mut value: u64 = 0;
    for &digit in digits {
        value = value
            .checked_mul(10)
            .and_then(|value| value.checked_add(u64::from(digit - b'0')))
            .ok_or_else(invalid)?;
    }
    Ok(if negative {
        value.wrapping_neg()
    } else {
        value
    })
}

/// The reply of a scan step: the next cursor and the items.
pub fn scan_reply(cursor: u64, items: Vec<Frame>) -> Frame {
    Frame::Array(vec![
        Frame::Bulk(Bytes::from(cursor.to_string())),
        Frame::Array(items),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_follow_strtoul() {
        assert_eq!(parse_cursor(b"0"), Ok(0));
        assert_eq!(parse_cursor(b"42"), Ok(42));
        assert_eq!(parse_cursor(b"+7"), Ok(7));
        assert_eq!(parse_cursor(b"-1"), Ok(u64::MAX));
        assert_eq!(parse_cursor(b""), Ok(0));
        assert_eq!(parse_cursor(b"5\0junk"), Ok(5));
        assert_eq!(parse_cursor(b"18446744073709551615"), Ok(u64::MAX));
        for bad in [
            &b"18446744073709551616"[..],
            b" 1",
            b"1 ",
            b"x",
            b"-",
            b"+",
            b"0x1",
        ] {
            assert!(parse_cursor(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn scan_options() {
        let args = |words: &[&'static str]| -> Vec<Bytes> {
            words
                .iter()
                .map(|w| Bytes::from_static(w.as_bytes()))
                .collect()
        };
        let options = parse_scan_options(&args(&["COUNT", "5", "match", "a*"])).unwrap();
        assert_eq!(options.count, 5);
        assert!(options.matches(b"abc") && !options.matches(b"b"));
        assert_eq!(
            parse_scan_options(&args(&["MATCH", "*"])).unwrap().pattern,
            None
        );
        assert_eq!(
            parse_scan_options(&args(&["COUNT", "0"])),
            Err(errors::reply(errors::SYNTAX))
        );
        assert_eq!(
            parse_scan_options(&args(&["COUNT", "x"])),
            Err(errors::reply(errors::NOT_INTEGER))
        );
        assert!(parse_scan_options(&args(&["COUNT"])).is_err());
        assert!(parse_scan_options(&args(&["TYPE", "string"])).is_err());
    }

    #[test]
    fn repeated_picks_are_bounded() {
        assert_eq!(repeated_picks(-5), Ok(5));
        assert_eq!(repeated_picks(-(MAX_REPEATED_PICKS as i64)), Ok(1 << 27));
        assert!(repeated_picks(-(MAX_REPEATED_PICKS as i64) - 1).is_err());
        assert!(repeated_picks(-i64::MAX).is_err());
    }

    #[test]
    fn distinct_indices_are_distinct_and_in_range() {
        for (len, count) in [(10, 10), (10, 9), (100, 5), (1, 1), (5, 0)] {
            let mut indices = distinct_indices(len, count);
            assert_eq!(indices.len(), count);
            indices.sort_unstable();
            indices.dedup();
            assert_eq!(indices.len(), count);
            assert!(indices.iter().all(|&i| i < len));
        }
    }
}
