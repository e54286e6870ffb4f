//! The timeout argument of the blocking commands, in seconds, read the way Redis 7.0 reads it
//! (`getTimeoutFromObjectOrReply`): a C `long double` by `strtold` (decimal, hexadecimal, `inf`), times 1000,
//! rounded up to whole milliseconds, then converted to a 64-bit integer, where an out-of-range value becomes
//! `LLONG_MIN` on x86-64 and is thus reported as negative.

use std::time::Duration;

use resp::Frame;

use crate::errors;

/// Redis's `MAX_LONG_DOUBLE_CHARS`: longer arguments are not floats.
const MAX_LONG_DOUBLE_CHARS: usize = 5 * 1024;
/// Decimal exponents beyond which a `long double` overflows or underflows to zero (`strtold` sets `ERANGE`).
const LONG_DOUBLE_MAX_EXP10: i64 = 4932;
const LONG_DOUBLE_MIN_EXP10: i64 = -4950;

/// The timeout: `Ok(None)` waits forever (0, or a negative value rounding up to 0), `Ok(Some(d))` waits `d`,
/// `Err` is the error reply.
pub fn parse_timeout(arg: &[u8]) -> Result<Option<Duration>, Frame> {
    let seconds = parse_long_double(arg).ok_or_else(|| errors::reply(errors::TIMEOUT_NOT_FLOAT))?;
    let millis = (seconds * 1000.0).ceil();
    // `(long long)` of a value outside its range gives LLONG_MIN (x86-64 cvttsd2si): negative too. 2^63 is
    // exact in f64, and NaN cannot occur (refused by the parser).
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    if !(-LIMIT..LIMIT).contains(&millis) || millis < 0.0 {
        return Err(errors::reply(errors::TIMEOUT_NEGATIVE));
    }
    if millis == 0.0 {
        return Ok(None);
    }
    Ok(Some(Duration::from_millis(millis as u64)))
}

/// What `string2ld` accepts, as an `f64` (tiny `long double` values that are zero in `f64` keep their sign as
/// the smallest normal `f64`, so they still round up to 1 ms; huge ones become infinite).
fn parse_long_double(arg: &[u8]) -> Option<f64> {
    if arg.is_empty() || arg.len() >= MAX_LONG_DOUBLE_CHARS {
        return None;
    }
    let text = std::str::from_utf8(arg).ok()?;
    if text.starts_with(|c: char| c.is_ascii_whitespace() || c == '\u{b}') {
        return None;
    }
    let (negative, unsigned) = match text.as_bytes()[0] {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let sign = if negative { -1.0 } else { 1.0 };
    if unsigned.len() > 2 && unsigned[..2].eq_ignore_ascii_case("0x") {
        return parse_hex(&unsigned[2..]).map(|value| sign * value);
    }
    // Rust's parser also takes `inf`, `infinity` and `nan` in any case, as strtold does; it refuses what
    // strtold would stop early on (trailing bytes), which Redis refuses too.
    let value: f64 = unsigned.parse().ok()?;
    if value.is_nan() || unsigned.starts_with(['+', '-']) {
        return None;
    }
    if value.is_infinite() && unsigned.as_bytes()[0].is_ascii_digit() || value == 0.0 {
        let magnitude = decimal_magnitude(unsigned);
        match magnitude {
            Some(exp) if !(LONG_DOUBLE_MIN_EXP10..=LONG_DOUBLE_MAX_EXP10).contains(&exp) => {
                return None;
            }
            Some(_) if value == 0.0 => return Some(sign * f64::MIN_POSITIVE),
            _ => {}
        }
    }
    Some(sign * value)
}

/// The decimal exponent of the first non-zero digit of a decimal number (`None` for zero or non-numbers).
fn decimal_magnitude(text: &str) -> Option<i64> {
    let (mantissa, exponent) = match text.find(['e', 'E']) {
        Some(at) => (&text[..at], text[at + 1..].parse::<i64>().ok()?),
        None => (text, 0),
    };
    let (integer, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let integer = integer.trim_start_matches('0');
    let position = if !integer.is_empty() {
        i64::try_from(integer.len()).ok()? - 1
    } else {
        let zeros = fraction.len() - fraction.trim_start_matches('0').len();
        if zeros == fraction.len() {
            return None;
        }
        -(i64::try_from(zeros).ok()? + 1)
    };
    position.checked_add(exponent)
}

/// A hexadecimal float after its `0x`: hex digits with an optional point, then an optional binary exponent
/// `p[+-]digits`.
fn parse_hex(text: &str) -> Option<f64> {
    let (mantissa, exponent) = match text.find(['p', 'P']) {
        Some(at) => (&text[..at], text[at + 1..].parse::<i32>().ok()?),
        None => (text, 0),
    };
    let (integer, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if integer.is_empty() && fraction.is_empty() {
        return None;
    }
    let mut value = 0.0f64;
    for digit in integer.chars() {
        value = value * 16.0 + f64::from(digit.to_digit(16)?);
    }
    let mut scale = 1.0 / 16.0;
    for digit in fraction.chars() {
        value += f64::from(digit.to_digit(16)?) * scale;
        scale /= 16.0;
    }
    Some(value * 2f64.powi(exponent))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn timeout(arg: &str) -> Result<Option<u128>, String> {
        parse_timeout(arg.as_bytes())
            .map(|timeout| timeout.map(|duration| duration.as_millis()))
            .map_err(|error| match error {
                Frame::Error(text) => String::from_utf8_lossy(&text).into_owned(),
                other => format!("{other:?}"),
            })
    }

    const NOT_FLOAT: &str = "ERR timeout is not a float or out of range";
    const NEGATIVE: &str = "ERR timeout is negative";

    #[test]
    fn seconds_round_up_to_milliseconds() {
        assert_eq!(timeout("0"), Ok(None));
        assert_eq!(timeout("1"), Ok(Some(1000)));
        assert_eq!(timeout("0.01"), Ok(Some(10)));
        assert_eq!(timeout(".05"), Ok(Some(50)));
        assert_eq!(timeout("5."), Ok(Some(5000)));
        assert_eq!(timeout("+0.001"), Ok(Some(1)));
        assert_eq!(timeout("0.0001"), Ok(Some(1)));
        assert_eq!(timeout("1e-400"), Ok(Some(1)));
        assert_eq!(timeout("0x10"), Ok(Some(16000)));
        assert_eq!(timeout("0x1.8p1"), Ok(Some(3000)));
        assert_eq!(timeout("-0.0001"), Ok(None));
        assert_eq!(timeout("-1e-400"), Ok(None));
    }

    #[test]
    fn refusals_match_redis() {
        for bad in [
            "", "abc", " 1", "1 ", "1e2x", "nan", "NaN", "1e-5000", "1e5000", "0x", "++1",
        ] {
            assert_eq!(timeout(bad), Err(NOT_FLOAT.to_owned()), "{bad:?}");
        }
        for negative in ["-1", "-inf", "inf", "infinity", "1e30", "1e400"] {
            assert_eq!(timeout(negative), Err(NEGATIVE.to_owned()), "{negative:?}");
        }
        assert_eq!(
            timeout(&"1".repeat(MAX_LONG_DOUBLE_CHARS)),
            Err(NOT_FLOAT.to_owned())
        );
    }
}
