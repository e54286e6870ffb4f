//! Number formatting and parsing with C `printf`/`strtod` semantics, which Lua 5.1 exposes.

/// `tostring(n)`: C's `%.14g`.
pub(crate) fn format_number(n: f64) -> String {
    format_g(n, 14, false, false)
}

/// Text for infinities and NaNs as glibc prints them (`inf`, `-inf`, `nan`, `-nan`).
fn non_finite(n: f64, upper: bool) -> String {
    let s = match (n.is_nan(), n.is_sign_negative()) {
        (true, true) => "-nan",
        (true, false) => "nan",
        (false, true) => "-inf",
        (false, false) => "inf",
    };
    if upper {
        s.to_ascii_uppercase()
    } else {
        s.to_string()
    }
}

/// Splits Rust's `{:e}` output (`1.5e-7`) into mantissa and exponent.
fn sci_parts(n: f64, precision: usize) -> (String, i32) {
    let s = format!("{:.*e}", precision, n);
    match s.split_once('e') {
        Some((m, e)) => (m.to_string(), e.parse().unwrap_or(0)),
        None => (s, 0),
    }
}

fn c_exponent(exp: i32, upper: bool) -> String {
    let sign = if exp < 0 { '-' } else { '+' };
    let e = if upper { 'E' } else { 'e' };
    format!("{e}{sign}{:02}", exp.unsigned_abs())
}

/// C's `%.<precision>e` (without width or flags).
pub(crate) fn format_e(n: f64, precision: usize, upper: bool) -> String {
    if !n.is_finite() {
        return non_finite(n, upper);
    }
    let (m, exp) = sci_parts(n, precision);
    format!("{m}{}", c_exponent(exp, upper))
}

/// C's `%.<precision>f` (without width or flags).
pub(crate) fn format_f(n: f64, precision: usize) -> String {
    if !n.is_finite() {
        return non_finite(n, false);
    }
    format!("{:.*}", precision, n)
}

fn strip_fraction_zeros(s: &mut String) {
    if s.contains('.') {
        while s.ends_with('0') {
            s.pop();
        }
        if s.ends_with('.') {
            s.pop();
        }
    }
}

/// C's `%.<precision>g`; `alternate` is the `#` flag (keep trailing zeros).
pub(crate) fn format_g(n: f64, precision: usize, alternate: bool, upper: bool) -> String {
    if !n.is_finite() {
        return non_finite(n, upper);
    }
    let p = precision.max(1);
    if n == 0.0 {
        let mut s = if n.is_sign_negative() {
            "-0".to_string()
        } else {
            "0".to_string()
        };
        if alternate && p > 1 {
            s.push('.');
            s.push_str(&"0".repeat(p - 1));
        }
        return s;
    }
    // The exponent after rounding to `p` significant digits decides between the two styles.
    let (mut mantissa, exp) = sci_parts(n, p - 1);
    if exp < -4 || exp >= p as i32 {
        if !alternate {
            strip_fraction_zeros(&mut mantissa);
        }
        format!("{mantissa}{}", c_exponent(exp, upper))
    } else {
        let decimals = (p as i32 - 1 - exp).max(0) as usize;
        let mut s = format!("{:.*}", decimals, n);
        if !alternate {
            strip_fraction_zeros(&mut s);
        }
        s
    }
}

/// C's `(long long)d` on x86-64: truncation toward zero, and the "integer indefinite" value
/// (`i64::MIN`) for NaN and out-of-range values, which is what Redis and Lua 5.1 produce.
pub(crate) fn c_double_to_i64(d: f64) -> i64 {
    // NaN fails the range test too.
    if !(-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&d) {
        i64::MIN
    } else {
        d as i64
    }
}

fn skip_space(s: &[u8], mut i: usize) -> usize {
    while i < s.len() && is_c_space(s[i]) {
        i += 1;
    }
    i
}

/// C's `isspace` in the "C" locale.
pub(crate) fn is_c_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

/// Lua 5.1's string-to-number conversion (`luaO_str2d`): `strtod` rules (decimal, hex, `inf`,
/// `nan`) with optional surrounding whitespace and nothing else.
pub(crate) fn str_to_number(s: &[u8]) -> Option<f64> {
    let start = skip_space(s, 0);
    let (value, end) = parse_strtod(s, start)?;
    (skip_space(s, end) == s.len()).then_some(value)
}

/// Parses a `strtod` prefix at `i`; returns the value and where it stopped.
fn parse_strtod(s: &[u8], mut i: usize) -> Option<(f64, usize)> {
    let negative = match s.get(i) {
        Some(b'-') => {
            i += 1;
            true
        }
        Some(b'+') => {
            i += 1;
            false
        }
        _ => false,
    };
    let sign = if negative { -1.0 } else { 1.0 };
    let rest = &s[i..];
    if rest.len() >= 2
        && rest[0] == b'0'
        && (rest[1] | 0x20) == b'x'
        && let Some((v, used)) = parse_hex_float(&rest[2..])
    {
        return Some((sign * v, i + 2 + used));
    }
    let lower: Vec<u8> = rest.iter().take(8).map(u8::to_ascii_lowercase).collect();
    if lower.starts_with(b"infinity") {
        return Some((sign * f64::INFINITY, i + 8));
    }
    if lower.starts_with(b"inf") {
        return Some((sign * f64::INFINITY, i + 3));
    }
    if lower.starts_with(b"nan") {
        return Some((sign * f64::NAN, i + 3));
    }
    let begin = i;
    let mut digits = 0;
    while i < s.len() && s[i].is_ascii_digit() {
        i += 1;
        digits += 1;
    }
    if i < s.len() && s[i] == b'.' {
        i += 1;
        while i < s.len() && s[i].is_ascii_digit() {
            i += 1;
            digits += 1;
        }
    }
    if digits == 0 {
        return None;
    }
    if i < s.len() && (s[i] | 0x20) == b'e' {
        let mut j = i + 1;
        if j < s.len() && (s[j] == b'+' || s[j] == b'-') {
            j += 1;
        }
        if j < s.len() && s[j].is_ascii_digit() {
            while j < s.len() && s[j].is_ascii_digit() {
                j += 1;
            }
            i = j;
        }
    }
    let text = std::str::from_utf8(&s[begin..i]).ok()?;
    // Rust rejects a bare trailing dot ("5."), which C accepts.
    let v: f64 = text
        .trim_end_matches('.')
        .parse()
        .or_else(|_| text.parse())
        .ok()?;
    Some((sign * v, i))
}

/// Hex digits with an optional fraction and binary exponent (`1f`, `1.8p3`).
fn parse_hex_float(s: &[u8]) -> Option<(f64, usize)> {
    let mut i = 0;
    let mut v = 0.0f64;
    let mut digits = 0;
    while i < s.len() && s[i].is_ascii_hexdigit() {
        v = v * 16.0 + f64::from((s[i] as char).to_digit(16)?);
        i += 1;
        digits += 1;
    }
    if i < s.len() && s[i] == b'.' {
        i += 1;
        let mut scale = 1.0 / 16.0;
        while i < s.len() && s[i].is_ascii_hexdigit() {
            v += f64::from((s[i] as char).to_digit(16)?) * scale;
            scale /= 16.0;
            i += 1;
            digits += 1;
        }
    }
    if digits == 0 {
        return None;
    }
    if i < s.len() && (s[i] | 0x20) == b'p' {
        let mut j = i + 1;
        let neg = j < s.len() && s[j] == b'-';
        if j < s.len() && (s[j] == b'+' || s[j] == b'-') {
            j += 1;
        }
        let exp_start = j;
        let mut e: i32 = 0;
        while j < s.len() && s[j].is_ascii_digit() {
            e = e.saturating_mul(10).saturating_add(i32::from(s[j] - b'0'));
            j += 1;
        }
        if j > exp_start {
            v *= 2f64.powi(if neg { -e } else { e });
            i = j;
        }
    }
    Some((v, i))
}

/// `tonumber(s, base)`: an integer in the given base (2..=36) with optional surrounding whitespace
/// and sign, like `strtoul`.
pub(crate) fn parse_int_base(s: &[u8], base: u32) -> Option<f64> {
    let mut i = skip_space(s, 0);
    let negative = match s.get(i) {
        Some(b'-') => {
            i += 1;
            true
        }
        Some(b'+') => {
            i += 1;
            false
        }
        _ => false,
    };
    if base == 16 && s.len() >= i + 2 && s[i] == b'0' && (s[i + 1] | 0x20) == b'x' {
        i += 2;
    }
    let start = i;
    let mut v = 0.0f64;
    while i < s.len() {
        match (s[i] as char).to_digit(base) {
            Some(d) => v = v * f64::from(base) + f64::from(d),
            None => break,
        }
        i += 1;
    }
    if i == start || skip_space(s, i) != s.len() {
        return None;
    }
    // strtoul negates in unsigned arithmetic, so "-1" wraps around to 2^64 - 1.
    Some(if negative && v > 0.0 {
        18_446_744_073_709_551_616.0 - v
    } else {
        v
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_14g() {
        let cases: &[(f64, &str)] = &[
            (10.0, "10"),
            (1.5, "1.5"),
            (0.1, "0.1"),
            (1e15, "1e+15"),
            (1e16, "1e+16"),
            (1e14, "1e+14"),
            (123456789012345.0, "1.2345678901234e+14"),
            (12345678901234.0, "12345678901234"),
            (2f64.powi(53), "9.007199254741e+15"),
            (-0.0, "-0"),
            (1e100, "1e+100"),
            (f64::INFINITY, "inf"),
            (f64::NEG_INFINITY, "-inf"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (-3.25, "-3.25"),
            (1.0 / 3.0, "0.33333333333333"),
            (100.0, "100"),
        ];
        for (n, want) in cases {
            assert_eq!(format_number(*n), *want, "{n}");
        }
        assert_eq!(format_number(f64::NAN), "nan");
        assert_eq!(format_number(-f64::NAN), "-nan");
    }

    #[test]
    fn other_formats() {
        assert_eq!(format_g(0.1, 17, false, false), "0.10000000000000001");
        assert_eq!(format_g(12345.0, 17, false, false), "12345");
        assert_eq!(format_g(1e20, 6, false, false), "1e+20");
        assert_eq!(format_g(1.5, 6, true, false), "1.50000");
        assert_eq!(format_e(12345.678, 2, false), "1.23e+04");
        assert_eq!(format_e(0.000123, 3, true), "1.230E-04");
        assert_eq!(format_f(2.25, 1), "2.2");
        assert_eq!(format_f(1.23456, 2), "1.23");
    }

    #[test]
    fn parsing() {
        assert_eq!(str_to_number(b"  12  "), Some(12.0));
        assert_eq!(str_to_number(b"0x1F"), Some(31.0));
        assert_eq!(str_to_number(b"-0x10"), Some(-16.0));
        assert_eq!(str_to_number(b"1e3"), Some(1000.0));
        assert_eq!(str_to_number(b".5"), Some(0.5));
        assert_eq!(str_to_number(b"5."), Some(5.0));
        assert_eq!(str_to_number(b"1e"), None);
        assert_eq!(str_to_number(b""), None);
        assert_eq!(str_to_number(b"abc"), None);
        assert_eq!(str_to_number(b"1 2"), None);
        assert_eq!(str_to_number(b"inf"), Some(f64::INFINITY));
        assert!(str_to_number(b"nan").unwrap().is_nan());
        assert_eq!(parse_int_base(b"ff", 16), Some(255.0));
        assert_eq!(parse_int_base(b" 101 ", 2), Some(5.0));
        assert_eq!(parse_int_base(b"z", 36), Some(35.0));
        assert_eq!(parse_int_base(b"8", 8), None);
        assert_eq!(parse_int_base(b"", 10), None);
        assert_eq!(
            parse_int_base(b"-1", 10),
            Some(18_446_744_073_709_551_615.0)
        );
        assert_eq!(c_double_to_i64(-3.9), -3);
        assert_eq!(c_double_to_i64(1e20), i64::MIN);
        assert_eq!(c_double_to_i64(f64::NAN), i64::MIN);
    }
}
