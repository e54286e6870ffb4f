//! Numbers on the wire: Redis's strict integer parser (`string2ll`), allocation-free integer
//! formatting for headers, and Redis 7.0's `%.17g` rendering of doubles.

use std::fmt::Write as _;

/// Parses a decimal `i64` exactly as Redis's `string2ll` does: an optional `-`, then either `0` alone or a
/// non-zero digit followed by digits. No `+`, no spaces, no leading zeros, no `-0`, no overflow.
pub(crate) fn parse_i64(digits: &[u8]) -> Option<i64> {
    let (negative, magnitude_digits) = match digits {
        [b'0'] => return Some(0),
        [b'-', rest @ ..] => (true, rest),
        _ => (false, digits),
    };
    if !matches!(magnitude_digits.first(), Some(b'1'..=b'9')) {
        return None;
    }
    let mut magnitude: u64 = 0;
    for &byte in magnitude_digits {
        if !byte.is_ascii_digit() {
            return None;
        }
        magnitude = magnitude
            .checked_mul(10)?
            .checked_add(u64::from(byte - b'0'))?;
    }
    if negative {
        0i64.checked_sub_unsigned(magnitude)
    } else {
        i64::try_from(magnitude).ok()
    }
}

/// Two ASCII digits for every value below 100, so formatting emits two digits per division.
const DIGIT_PAIRS: [u8; 200] = {
    let mut pairs = [0u8; 200];
    let mut value = 0;
    while value < 100 {
        pairs[value * 2] = b'0' + (value / 10) as u8;
        pairs[value * 2 + 1] = b'0' + (value % 10) as u8;
        value += 1;
    }
    pairs
};

/// Room for `u64::MAX` (20 digits) plus a sign.
pub(crate) const MAX_INTEGER_DIGITS: usize = 21;

/// Writes `value` in decimal at the end of `buf` and returns the digits.
pub(crate) fn format_u64(mut value: u64, buf: &mut [u8; MAX_INTEGER_DIGITS]) -> &[u8] {
    let mut start = buf.len();
    while value >= 100 {
        let pair = (value % 100) as usize * 2;
        value /= 100;
        start -= 2;
        buf[start..start + 2].copy_from_slice(&DIGIT_PAIRS[pair..pair + 2]);
    }
    if value >= 10 {
        let pair = value as usize * 2;
        start -= 2;
        buf[start..start + 2].copy_from_slice(&DIGIT_PAIRS[pair..pair + 2]);
    } else {
        start -= 1;
        buf[start] = b'0' + value as u8;
    }
    &buf[start..]
}

/// Writes `value` in decimal (with a leading `-` when negative) at the end of `buf` and returns it.
pub(crate) fn format_i64(value: i64, buf: &mut [u8; MAX_INTEGER_DIGITS]) -> &[u8] {
    let digit_count = format_u64(value.unsigned_abs(), buf).len();
    let mut start = buf.len() - digit_count;
    if value < 0 {
        start -= 1;
        buf[start] = b'-';
    }
    &buf[start..]
}

/// How many decimal digits `value` has; used to size a reservation before writing.
pub(crate) fn decimal_len(value: usize) -> usize {
    match value {
        0..=9 => 1,
        10..=99 => 2,
        100..=999 => 3,
        1000..=9999 => 4,
        _ => value.ilog10() as usize + 1,
    }
}

/// Renders a double the way Redis 7.0's `addReplyDouble` does (`%.17g`, so 17 significant digits: `3`,
/// `1.5`, `0.10000000000000001`, `1e+20`), with `inf`, `-inf` and `nan` spelled out. Used for
/// [`crate::Frame::Double`] in both protocols; exposed for replies that embed a score in text.
pub fn format_double(value: f64) -> String {
    let mut buf = DoubleBuf::new();
    // Lossless: the rendering is ASCII only.
    String::from_utf8_lossy(format_double_into(value, &mut buf)).into_owned()
}

/// A stack buffer for one rendered double; the longest `%.17g` output is 24 bytes.
pub(crate) struct DoubleBuf {
    bytes: [u8; 48],
    len: usize,
}

impl DoubleBuf {
    pub(crate) fn new() -> DoubleBuf {
        DoubleBuf {
            bytes: [0; 48],
            len: 0,
        }
    }

    fn push(&mut self, byte: u8) {
        if let Some(slot) = self.bytes.get_mut(self.len) {
            *slot = byte;
            self.len += 1;
        }
    }

    fn push_slice(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.push(byte);
        }
    }

    fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.len]
    }
}

impl std::fmt::Write for DoubleBuf {
    fn write_str(&mut self, text: &str) -> std::fmt::Result {
        if self.len + text.len() > self.bytes.len() {
            return Err(std::fmt::Error);
        }
        self.push_slice(text.as_bytes());
        Ok(())
    }
}

/// [`format_double`] into a reusable stack buffer, so the encoder does not allocate.
pub(crate) fn format_double_into(value: f64, out: &mut DoubleBuf) -> &[u8] {
    out.len = 0;
    if value.is_nan() {
        out.push_slice(b"nan");
        return out.as_bytes();
    }
    if value.is_infinite() {
        out.push_slice(if value > 0.0 { b"inf" } else { b"-inf" });
        return out.as_bytes();
    }
    // `%.17g` rounds to 17 significant digits, which is exactly what `{:.16e}` prints (Rust's float
    // formatting is correctly rounded, like glibc's); only the layout rules of `%g` remain to apply.
    let mut scientific = DoubleBuf::new();
    if write!(scientific, "{value:.16e}").is_err() {
        out.push_slice(b"nan");
        return out.as_bytes();
    }
    let text = scientific.as_bytes();
    let (negative, text) = match text {
        [b'-', rest @ ..] => (true, rest),
        _ => (false, text),
    };
    let Some(e_index) = text.iter().position(|&byte| byte == b'e') else {
        out.push_slice(b"nan");
        return out.as_bytes();
    };
    let (mantissa, exponent_text) = (&text[..e_index], &text[e_index + 1..]);
    let exponent = parse_i64(exponent_text).unwrap_or(0);
    let mut digits = [b'0'; 17];
    let mut digit_count = 0;
    for &byte in mantissa.iter().filter(|byte| byte.is_ascii_digit()) {
        if let Some(slot) = digits.get_mut(digit_count) {
            *slot = byte;
            digit_count += 1;
        }
    }
    if negative {
        out.push(b'-');
    }
    // `%g` without `#` drops trailing zeros of the fraction, and the point itself if nothing follows it.
    let significant = digits
        .iter()
        .rposition(|&digit| digit != b'0')
        .map_or(1, |last| last + 1);
    if (-4..17).contains(&exponent) {
        if exponent >= 0 {
            let integer_digits = exponent as usize + 1;
            out.push_slice(&digits[..integer_digits]);
            if significant > integer_digits {
                out.push(b'.');
                out.push_slice(&digits[integer_digits..significant]);
            }
        } else {
            out.push_slice(b"0.");
            for _ in 0..(-exponent - 1) {
                out.push(b'0');
            }
            out.push_slice(&digits[..significant]);
        }
    } else {
        out.push(digits[0]);
        if significant > 1 {
            out.push(b'.');
            out.push_slice(&digits[1..significant]);
        }
        out.push(b'e');
        out.push(if exponent < 0 { b'-' } else { b'+' });
        let magnitude = exponent.unsigned_abs();
        if magnitude < 10 {
            out.push(b'0');
        }
        let mut int_buf = [0u8; MAX_INTEGER_DIGITS];
        out.push_slice(format_u64(magnitude, &mut int_buf));
    }
    out.as_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_i64_follows_string2ll() {
        let accepted: &[(&[u8], i64)] = &[
            (b"0", 0),
            (b"7", 7),
            (b"-1", -1),
            (b"1048576", 1048576),
            (b"9223372036854775807", i64::MAX),
            (b"-9223372036854775808", i64::MIN),
        ];
        for &(text, expected) in accepted {
            assert_eq!(
                parse_i64(text),
                Some(expected),
                "{:?}",
                String::from_utf8_lossy(text)
            );
        }
        let rejected: &[&[u8]] = &[
            b"",
            b"-",
            b"+1",
            b"-0",
            b"01",
            b"00",
            b" 1",
            b"1 ",
            b"1a",
            b"9223372036854775808",
            b"-9223372036854775809",
            b"99999999999999999999999",
        ];
        for &text in rejected {
            assert_eq!(parse_i64(text), None, "{:?}", String::from_utf8_lossy(text));
        }
    }

    #[test]
    fn integers_format_like_display() {
        let mut buf = [0u8; MAX_INTEGER_DIGITS];
        for value in [
            0,
            1,
            9,
            10,
            99,
            100,
            101,
            12345,
            -1,
            -10,
            -99,
            -100,
            i64::MAX,
            i64::MIN,
        ] {
            assert_eq!(format_i64(value, &mut buf), value.to_string().as_bytes());
        }
        assert_eq!(
            format_u64(u64::MAX, &mut buf),
            u64::MAX.to_string().as_bytes()
        );
        for value in [0usize, 9, 10, 99, 100, 9999, 10000, 123456789, usize::MAX] {
            assert_eq!(decimal_len(value), value.to_string().len());
        }
    }

    #[test]
    fn doubles_render_like_percent_17g() {
        let cases: &[(f64, &str)] = &[
            (3.0, "3"),
            (1.5, "1.5"),
            (-1.5, "-1.5"),
            (0.0, "0"),
            (-0.0, "-0"),
            (0.1, "0.10000000000000001"),
            (1.0 / 3.0, "0.33333333333333331"),
            (100.0, "100"),
            (1e16, "10000000000000000"),
            (1e17, "1e+17"),
            (1.5e17, "1.5e+17"),
            (1e20, "1e+20"),
            (1e-4, "0.0001"),
            (1.25e-4, "0.000125"),
            (1e-5, "1.0000000000000001e-05"),
            (1.5e-7, "1.4999999999999999e-07"),
            (f64::MAX, "1.7976931348623157e+308"),
            (f64::MIN_POSITIVE, "2.2250738585072014e-308"),
            (5e-324, "4.9406564584124654e-324"),
            (123456789.125, "123456789.125"),
            (f64::INFINITY, "inf"),
            (f64::NEG_INFINITY, "-inf"),
            (f64::NAN, "nan"),
        ];
        for &(value, expected) in cases {
            assert_eq!(format_double(value), expected, "{value:e}");
        }
    }

    #[test]
    fn rendered_doubles_parse_back_exactly() {
        for value in [
            0.1,
            2.0 / 3.0,
            1e300,
            -7.25e-300,
            9007199254740993.0,
            123.456,
        ] {
            let rendered = format_double(value);
            assert_eq!(rendered.parse::<f64>().ok(), Some(value), "{rendered}");
        }
    }
}
