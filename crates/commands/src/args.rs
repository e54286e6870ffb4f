//! Argument helpers every command family shares: option names, Redis's integer parsing, copies for storing.

use bytes::Bytes;

/// Case-insensitive comparison of an argument with an option name.
pub fn is(arg: &[u8], option: &str) -> bool {
    arg.eq_ignore_ascii_case(option.as_bytes())
}

/// Parses an integer argument the way Redis does (`string2ll`: no spaces, no `+`, fits in i64).
pub fn parse_i64(arg: &[u8]) -> Option<i64> {
    let text = std::str::from_utf8(arg).ok()?;
    if text.is_empty() || text.starts_with('+') || text.len() > 20 {
        return None;
    }
    if text.len() > 1 && (text.starts_with('0') || text.starts_with("-0")) {
        return None;
    }
    text.parse().ok()
}

/// A copy of an argument for storing in the keyspace. Arguments are slices of the connection's read
/// buffer; storing one as is would keep that whole buffer alive for as long as the key lives.
pub fn owned(arg: &Bytes) -> Bytes {
    Bytes::copy_from_slice(arg)
}

/// `arg` as a string value to store: a copy, for the same reason as [`owned`] (inline when short).
pub fn stored(arg: &[u8]) -> keyspace::CompactBytes {
    keyspace::CompactBytes::from_slice(arg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redis_integer_parsing() {
        assert_eq!(parse_i64(b"42"), Some(42));
        assert_eq!(parse_i64(b"-7"), Some(-7));
        assert_eq!(parse_i64(b"0"), Some(0));
        for bad in [
            &b""[..],
            b"+1",
            b"01",
            b"-0",
            b" 1",
            b"1.5",
            b"99999999999999999999",
        ] {
            assert_eq!(parse_i64(bad), None, "{:?}", String::from_utf8_lossy(bad));
        }
    }
}
