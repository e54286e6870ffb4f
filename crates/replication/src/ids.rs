//! [`ReplId`] and [`ReplOffset`]: the coordinates of a replication stream.

use std::fmt;

/// A replication ID: 40 lowercase hex characters naming one history of the stream.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ReplId([u8; 40]);

impl ReplId {
    /// The all-zero id Redis shows for an unset `master_replid2`.
    pub const ZERO: ReplId = ReplId([b'0'; 40]);

    /// A fresh random id.
    pub fn random() -> ReplId {
        let mut raw = [0u8; 20];
        fill_random(&mut raw);
        let mut text = [0u8; 40];
        const HEX: &[u8; 16] = b"0123456789abcdef";
        for (i, byte) in raw.iter().enumerate() {
            text[2 * i] = HEX[usize::from(byte >> 4)];
            text[2 * i + 1] = HEX[usize::from(byte & 0x0f)];
        }
        ReplId(text)
    }

    /// Parses an id as sent in PSYNC or stored in an RDB; `None` unless exactly 40 bytes of hex.
    pub fn parse(text: &[u8]) -> Option<ReplId> {
        let text: [u8; 40] = text.try_into().ok()?;
        text.iter()
            .all(u8::is_ascii_hexdigit)
            .then_some(ReplId(text))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).expect("a ReplId only ever holds ASCII hex digits")
    }

    /// Whether this is [`ReplId::ZERO`].
    pub fn is_zero(&self) -> bool {
        *self == ReplId::ZERO
    }
}

impl fmt::Display for ReplId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for ReplId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ReplId({})", self.as_str())
    }
}

/// Fills `out` from the OS random source, falling back to a time-and-address mix where it is unavailable:
/// ids need to be unique, not secret.
fn fill_random(out: &mut [u8]) {
    use std::io::Read;
    if let Ok(mut file) = std::fs::File::open("/dev/urandom")
        && file.read_exact(out).is_ok()
    {
        return;
    }
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let mut state = (nanos as u64) ^ (out.as_ptr() as u64) ^ u64::from(std::process::id());
    for byte in out.iter_mut() {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        *byte = (state >> 33) as u8;
    }
}

/// A byte position in a replication stream: the number of stream bytes produced (master) or applied
/// (replica) since the history began. Signed like Redis's, so `-1` can mean "unset".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct ReplOffset(pub i64);

impl ReplOffset {
    /// The offset `bytes` further on.
    pub fn advanced(self, bytes: usize) -> ReplOffset {
        ReplOffset(self.0 + bytes as i64)
    }

    /// The next byte's offset: what a replica asks for in `PSYNC <id> <offset>`.
    pub fn next(self) -> ReplOffset {
        ReplOffset(self.0 + 1)
    }
}

impl fmt::Display for ReplOffset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_ids_are_hex_and_distinct() {
        let a = ReplId::random();
        let b = ReplId::random();
        assert_ne!(a, b);
        assert_eq!(ReplId::parse(a.as_str().as_bytes()), Some(a));
        assert!(
            a.as_str()
                .bytes()
                .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c))
        );
    }

    #[test]
    fn parse_rejects_wrong_length_and_non_hex() {
        assert_eq!(ReplId::parse(b"abc"), None);
        assert_eq!(ReplId::parse(&[b'g'; 40]), None);
        assert!(ReplId::parse(&[b'0'; 40]).unwrap().is_zero());
    }
}
