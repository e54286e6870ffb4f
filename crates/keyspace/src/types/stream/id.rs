//! [`StreamId`]: `<ms>-<seq>`, two unsigned 64-bit numbers ordered as a pair.

use std::fmt;

/// A stream entry ID.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StreamId {
    /// Milliseconds part.
    pub ms: u64,
    /// Sequence part.
    pub seq: u64,
}

/// Why text is not a stream ID.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamIdError {
    /// Not `<ms>` or `<ms>-<seq>` with unsigned 64-bit numbers.
    Invalid,
}

impl StreamId {
    /// `0-0`.
    pub const MIN: StreamId = StreamId { ms: 0, seq: 0 };
    /// The greatest ID.
    pub const MAX: StreamId = StreamId {
        ms: u64::MAX,
        seq: u64::MAX,
    };

    /// The ID `ms-seq`.
    pub const fn new(ms: u64, seq: u64) -> StreamId {
        StreamId { ms, seq }
    }

    /// The next ID in order, `None` after [`StreamId::MAX`].
    pub fn next(self) -> Option<StreamId> {
        if self.seq == u64::MAX {
            self.ms.checked_add(1).map(|ms| StreamId::new(ms, 0))
        } else {
            Some(StreamId::new(self.ms, self.seq + 1))
        }
    }

    /// The previous ID in order, `None` before [`StreamId::MIN`].
    pub fn prev(self) -> Option<StreamId> {
        if self.seq == 0 {
            self.ms.checked_sub(1).map(|ms| StreamId::new(ms, u64::MAX))
        } else {
            Some(StreamId::new(self.ms, self.seq - 1))
        }
    }

    /// Parses `<ms>` (the sequence is `missing_seq`) or `<ms>-<seq>`. Numbers follow Redis's
    /// `string2ull`: decimal digits only, no sign, no spaces, at most `u64::MAX`.
    pub fn parse(text: &[u8], missing_seq: u64) -> Result<StreamId, StreamIdError> {
        if text.len() > 127 {
            return Err(StreamIdError::Invalid);
        }
        match text.iter().position(|&b| b == b'-') {
            None => Ok(StreamId::new(parse_u64(text)?, missing_seq)),
            Some(dash) => Ok(StreamId::new(
                parse_u64(&text[..dash])?,
                parse_u64(&text[dash + 1..])?,
            )),
        }
    }

    /// The 16-byte big-endian form Redis uses as a radix-tree key (and in the RDB).
    pub fn to_be_bytes(self) -> [u8; 16] {
        let mut out = [0u8; 16];
        out[..8].copy_from_slice(&self.ms.to_be_bytes());
        out[8..].copy_from_slice(&self.seq.to_be_bytes());
        out
    }

    /// Reads the 16-byte big-endian form.
    pub fn from_be_bytes(bytes: [u8; 16]) -> StreamId {
        let (ms, seq) = bytes.split_at(8);
        StreamId::new(
            u64::from_be_bytes(ms.try_into().unwrap_or_default()),
            u64::from_be_bytes(seq.try_into().unwrap_or_default()),
        )
    }
}

/// Redis's `string2ull`: canonical digits, or what `strtoull` takes (leading spaces, a `+`, leading
/// zeros); never a negative number or one past u64.
fn parse_u64(text: &[u8]) -> Result<u64, StreamIdError> {
    let trimmed = text.trim_ascii_start();
    let digits = trimmed.strip_prefix(b"+").unwrap_or(trimmed);
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return Err(StreamIdError::Invalid);
    }
    std::str::from_utf8(digits)
        .ok()
        .and_then(|t| t.parse::<u64>().ok())
        .ok_or(StreamIdError::Invalid)
}

impl fmt::Display for StreamId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.ms, self.seq)
    }
}
