//! Argument parsing for the sorted-set commands, exactly as Redis 7.0 parses: scores with `string2d` (C's
//! `strtod`, the whole argument, no NaN, no overflow), range ends with `strtod` on the C string (so leading
//! spaces, an empty end and overflow to infinity are accepted), lex range items (`-`, `+`, `[x`, `(x`) and
//! SCAN cursors (`strtoul`).

use keyspace::types::zset::{LexBound, LexRange, ScoreRange};

/// What C's `strtod` made of a prefix of the input.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Strtod {
    /// The value (NaN for `nan`, infinite on overflow).
    pub value: f64,
    /// How many bytes were consumed; 0 when no number was recognised.
    pub consumed: usize,
    /// Whether C would set `ERANGE`: a finite literal overflowed or a non-zero one underflowed to zero.
    pub out_of_range: bool,
}

fn is_c_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// glibc's `strtod` on `input` (which C would see up to its first NUL): leading spaces, a sign, `inf`,
/// `infinity`, `nan[(chars)]`, hexadecimal (`0x1.8p3`) and decimal forms.
pub fn strtod(input: &[u8]) -> Strtod {
    let none = Strtod {
        value: 0.0,
        consumed: 0,
        out_of_range: false,
    };
    let mut at = 0;
    while input.get(at).is_some_and(|&b| is_c_space(b)) {
        at += 1;
    }
    let negative = match input.get(at) {
        Some(b'-') => {
            at += 1;
            true
        }
        Some(b'+') => {
            at += 1;
            false
        }
        _ => false,
    };
    let sign = |value: f64| if negative { -value } else { value };
    let rest = &input[at..];
    let starts_with = |word: &str| {
        rest.len() >= word.len() && rest[..word.len()].eq_ignore_ascii_case(word.as_bytes())
    };
    if starts_with("infinity") || starts_with("inf") {
        let length = if starts_with("infinity") { 8 } else { 3 };
        return Strtod {
            value: sign(f64::INFINITY),
            consumed: at + length,
            out_of_range: false,
        };
    }
    if starts_with("nan") {
        let mut length = 3;
        if rest.get(3) == Some(&b'(')
            && let Some(close) = rest[4..]
                .iter()
                .position(|&b| !(b.is_ascii_alphanumeric() || b == b'_'))
            && rest[4 + close] == b')'
        {
            length = 4 + close + 1;
        }
        return Strtod {
            value: f64::NAN,
            consumed: at + length,
            out_of_range: false,
        };
    }
    if (starts_with("0x"))
        && let Some(parsed) = hex_float(&rest[2..])
    {
        return Strtod {
            value: sign(parsed.value),
            consumed: at + 2 + parsed.consumed,
            out_of_range: parsed.out_of_range,
        };
    }
    match decimal_float(rest) {
        Some(parsed) => Strtod {
            value: sign(parsed.value),
            consumed: at + parsed.consumed,
            out_of_range: parsed.out_of_range,
        },
        None => none,
    }
}

fn digits_len(bytes: &[u8], hex: bool) -> usize {
    bytes
        .iter()
        .take_while(|b| {
            if hex {
                b.is_ascii_hexdigit()
            } else {
                b.is_ascii_digit()
            }
        })
        .count()
}

/// `digits[.digits][e[sign]digits]` with at least one mantissa digit.
fn decimal_float(bytes: &[u8]) -> Option<Strtod> {
    let int_len = digits_len(bytes, false);
    let mut at = int_len;
    let mut frac_len = 0;
    if bytes.get(at) == Some(&b'.') {
        frac_len = digits_len(&bytes[at + 1..], false);
        if int_len + frac_len > 0 {
            at += 1 + frac_len;
        }
    }
    if int_len + frac_len == 0 {
        return None;
    }
    let mantissa_end = at;
    if matches!(bytes.get(at), Some(b'e' | b'E')) {
        let mut exp_at = at + 1;
        if matches!(bytes.get(exp_at), Some(b'+' | b'-')) {
            exp_at += 1;
        }
        let exp_len = digits_len(&bytes[exp_at..], false);
        if exp_len > 0 {
            at = exp_at + exp_len;
        }
    }
    let text = std::str::from_utf8(&bytes[..at]).ok()?;
    let value: f64 = text.parse().ok()?;
    let nonzero = bytes[..mantissa_end]
        .iter()
        .any(|b| (b'1'..=b'9').contains(b));
    Some(Strtod {
        value,
        consumed: at,
        out_of_range: value.is_infinite() || (nonzero && value == 0.0),
    })
}

/// The part after `0x`: `hexdigits[.hexdigits][p[sign]digits]`.
fn hex_float(bytes: &[u8]) -> Option<Strtod> {
    let int_len = digits_len(bytes, true);
    let mut at = int_len;
    let mut frac_len = 0;
    if bytes.get(at) == Some(&b'.') {
        frac_len = digits_len(&bytes[at + 1..], true);
        if int_len + frac_len > 0 {
            at += 1 + frac_len;
        }
    }
    if int_len + frac_len == 0 {
        return None;
    }
    let mut mantissa: u128 = 0;
    let mut exponent: i64 = 0;
    let digits = bytes[..int_len]
        .iter()
        .map(|b| (b, false))
        .chain(bytes[int_len..at].iter().skip(1).map(|b| (b, true)));
    for (byte, fractional) in digits {
        let digit = u128::from(char::from(*byte).to_digit(16)?);
        if mantissa >> 120 == 0 {
            mantissa = mantissa * 16 + digit;
            if fractional {
                exponent -= 4;
            }
        } else if !fractional {
            // Digits beyond 120 bits only scale the value (sticky precision loss is negligible here).
            exponent += 4;
        }
    }
    if matches!(bytes.get(at), Some(b'p' | b'P')) {
        let mut exp_at = at + 1;
        let exp_negative = bytes.get(exp_at) == Some(&b'-');
        if matches!(bytes.get(exp_at), Some(b'+' | b'-')) {
            exp_at += 1;
        }
        let exp_len = digits_len(&bytes[exp_at..], false);
        if exp_len > 0 {
            let written: i64 = std::str::from_utf8(&bytes[exp_at..exp_at + exp_len])
                .ok()?
                .parse()
                .unwrap_or(i64::MAX / 4);
            exponent += if exp_negative { -written } else { written };
            at = exp_at + exp_len;
        }
    }
    let exponent = i32::try_from(exponent.clamp(-100_000, 100_000)).unwrap_or(0);
    let value = (mantissa as f64) * 2f64.powi(exponent);
    Some(Strtod {
        value,
        consumed: at,
        out_of_range: value.is_infinite() || (mantissa != 0 && value == 0.0),
    })
}

/// Redis's `string2d` (scores, increments, weights): the whole argument is a number, no leading space, not
/// NaN, no overflow or underflow to zero.
pub fn parse_score(arg: &[u8]) -> Option<f64> {
    if arg.first().is_none_or(|&b| is_c_space(b)) {
        return None;
    }
    let parsed = strtod(arg);
    let rejected = parsed.consumed != arg.len()
        || parsed.value.is_nan()
        || (parsed.out_of_range && (parsed.value.is_infinite() || parsed.value == 0.0));
    (!rejected).then_some(parsed.value)
}

/// The C string C code sees: the argument up to its first NUL.
fn c_str(arg: &[u8]) -> &[u8] {
    arg.iter()
        .position(|&b| b == 0)
        .map_or(arg, |end| &arg[..end])
}

/// One end of a score range (`zslParseRange`): `(` makes it exclusive; the rest goes to `strtod` and must be
/// consumed entirely, and must not be NaN. An empty string is 0, as in C.
fn parse_score_end(arg: &[u8]) -> Option<(f64, bool)> {
    let text = c_str(arg);
    let (text, exclusive) = match text.strip_prefix(b"(") {
        Some(rest) => (rest, true),
        None => (text, false),
    };
    let parsed = strtod(text);
    (parsed.consumed == text.len() && !parsed.value.is_nan()).then_some((parsed.value, exclusive))
}

/// `min max` of ZRANGEBYSCORE, ZCOUNT, ...; `None` means `ERR min or max is not a float`.
pub fn parse_score_range(min: &[u8], max: &[u8]) -> Option<ScoreRange> {
    let (min, min_exclusive) = parse_score_end(min)?;
    let (max, max_exclusive) = parse_score_end(max)?;
    Some(ScoreRange {
        min,
        min_exclusive,
        max,
        max_exclusive,
    })
}

/// One lex range item (`zslParseLexRangeItem`).
fn parse_lex_item(arg: &[u8]) -> Option<LexBound> {
    match arg {
        [b'+'] => Some(LexBound::PosInf),
        [b'-'] => Some(LexBound::NegInf),
        [b'(', rest @ ..] => Some(LexBound::Exclusive(bytes::Bytes::copy_from_slice(rest))),
        [b'[', rest @ ..] => Some(LexBound::Inclusive(bytes::Bytes::copy_from_slice(rest))),
        _ => None,
    }
}

/// `min max` of ZRANGEBYLEX, ZLEXCOUNT, ...; `None` means `ERR min or max not valid string range item`.
pub fn parse_lex_range(min: &[u8], max: &[u8]) -> Option<LexRange> {
    Some(LexRange {
        min: parse_lex_item(min)?,
        max: parse_lex_item(max)?,
    })
}

/// A SCAN cursor as `strtoul` reads it (`parseScanCursorOrReply`): no leading space, an optional sign (a
/// negative value wraps, as in C), digits up to the end (or the first NUL), no overflow; an empty string is 0.
pub fn parse_cursor(arg: &[u8]) -> Option<u64> {
    let text = c_str(arg);
    if text.first().is_some_and(|&b| is_c_space(b)) {
        return None;
    }
    if text.is_empty() {
        return Some(0);
    }
    let (negative, digits) = match text {
        [b'-', rest @ ..] => (true, rest),
        [b'+', rest @ ..] => (false, rest),
        _ => (false, text),
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let magnitude: u64 = std::str::from_utf8(digits).ok()?.parse().ok()?;
    Some(if negative {
        magnitude.wrapping_neg()
    } else {
        magnitude
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_parse_like_string2d() {
        for (text, value) in [
            ("1", 1.0),
            ("-1.5", -1.5),
            ("+2", 2.0),
            (".5", 0.5),
            ("5.", 5.0),
            ("1e3", 1000.0),
            ("inf", f64::INFINITY),
            ("-Infinity", f64::NEG_INFINITY),
            ("+INF", f64::INFINITY),
            ("0x10", 16.0),
            ("0x1.8p1", 3.0),
            ("1e-320", 1e-320),
        ] {
            assert_eq!(parse_score(text.as_bytes()), Some(value), "{text}");
        }
        for bad in [
            "", " 1", "1 ", "nan", "abc", "1e400", "1e-400", "1.5.5", "e5", ".", "-", "1\x002",
        ] {
            assert_eq!(parse_score(bad.as_bytes()), None, "{bad:?}");
        }
    }

    #[test]
    fn range_ends_parse_like_strtod() {
        let range = |a: &str, b: &str| parse_score_range(a.as_bytes(), b.as_bytes());
        assert_eq!(
            range("(1", "5"),
            Some(ScoreRange {
                min: 1.0,
                min_exclusive: true,
                max: 5.0,
                max_exclusive: false
            })
        );
        assert!(range("", "(").is_some());
        assert!(range(" 1", "1e400").is_some());
        assert!(range("1\0junk", "2").is_some());
        assert!(range("nan", "1").is_none());
        assert!(range("1x", "1").is_none());
        assert!(range("[1", "1").is_none());
    }

    #[test]
    fn lex_items_and_cursors() {
        assert!(parse_lex_range(b"-", b"+").is_some());
        assert!(parse_lex_range(b"[a", b"(").is_some());
        assert!(parse_lex_range(b"a", b"+").is_none());
        assert!(parse_lex_range(b"-a", b"+").is_none());
        assert!(parse_lex_range(b"", b"+").is_none());
        assert_eq!(parse_cursor(b"0"), Some(0));
        assert_eq!(parse_cursor(b""), Some(0));
        assert_eq!(parse_cursor(b"-1"), Some(u64::MAX));
        assert_eq!(parse_cursor(b"18446744073709551616"), None);
        assert_eq!(parse_cursor(b" 1"), None);
        assert_eq!(parse_cursor(b"1a"), None);
    }
}
