//! Sorted-set scores as text: Redis's `d2string` (listpack scores) and `%.17g`, and the parsing of
//! scores stored as text (type 3 and listpack strings).

/// The integer a score is exactly, if it lies where Redis's `double2ll` trusts the conversion
/// (|score| ≤ 2^62 − 1 as a double). Such scores are stored as listpack integers.
pub(crate) fn as_integer(score: f64) -> Option<i64> {
    const LIMIT: f64 = (i64::MAX / 2) as f64;
    if !(-LIMIT..=LIMIT).contains(&score) {
        return None;
    }
    let integer = score as i64;
    (integer as f64 == score).then_some(integer)
}

/// A non-integral score as Redis 7.0's `d2string` writes it: `inf`, `-inf`, `nan`, else C's `%.17g`.
pub(crate) fn to_text(score: f64) -> String {
    if score.is_nan() {
        "nan".to_owned()
    } else if score.is_infinite() {
        if score < 0.0 { "-inf" } else { "inf" }.to_owned()
    } else if let Some(integer) = as_integer(score) {
        integer.to_string()
    } else {
        format_g17(score)
    }
}

/// C's `printf("%.17g", value)` for a finite value: 17 significant digits, trailing zeros dropped,
/// scientific notation when the exponent is below −4 or at least 17.
fn format_g17(value: f64) -> String {
    const PRECISION: i32 = 17;
    // 17 significant digits in scientific form; Rust rounds the exact binary value like glibc does.
    let scientific = format!("{value:.16e}");
    let (mantissa, exponent) = scientific
        .split_once('e')
        .expect("`{:e}` output always has an exponent");
    let exponent: i32 = exponent.parse().expect("`{:e}` exponent is an integer");
    let negative = mantissa.starts_with('-');
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let mut out = String::with_capacity(24);
    if negative {
        out.push('-');
    }
    if !(-4..PRECISION).contains(&exponent) {
        let (first, rest) = digits.split_at(1);
        out.push_str(first);
        let rest = rest.trim_end_matches('0');
        if !rest.is_empty() {
            out.push('.');
            out.push_str(rest);
        }
        out.push('e');
        out.push(if exponent < 0 { '-' } else { '+' });
        out.push_str(&format!("{:02}", exponent.unsigned_abs()));
    } else if exponent >= 0 {
        let (integer, fraction) = digits.split_at(exponent as usize + 1);
        out.push_str(integer);
        let fraction = fraction.trim_end_matches('0');
        if !fraction.is_empty() {
            out.push('.');
            out.push_str(fraction);
        }
    } else {
        out.push_str("0.");
        for _ in 0..(-exponent - 1) {
            out.push('0');
        }
        out.push_str(digits.trim_end_matches('0'));
    }
    out
}

/// Parses a score stored as text the way `strtod` reads what Redis wrote: decimal or exponent forms
/// and `inf`/`-inf`. NaN and anything unparsable are errors: a sorted set cannot hold them.
pub(crate) fn parse(text: &[u8]) -> Result<f64, &'static str> {
    let score = std::str::from_utf8(text)
        .ok()
        .and_then(|text| text.parse::<f64>().ok())
        .ok_or("score is not a number")?;
    if score.is_nan() {
        return Err("score is NaN");
    }
    Ok(score)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_matches_c_printf() {
        for (score, text) in [
            (2.5, "2.5"),
            (0.1, "0.10000000000000001"),
            (-0.1, "-0.10000000000000001"),
            (1.0 / 3.0, "0.33333333333333331"),
            (1e-5, "1.0000000000000001e-05"),
            (0.0001, "0.0001"),
            (1.5e300, "1.5000000000000001e+300"),
            (1e17 + 0.0, "100000000000000000"),
            (1e20, "1e+20"),
            (123456.789, "123456.789"),
            (f64::INFINITY, "inf"),
            (f64::NEG_INFINITY, "-inf"),
            (-0.0, "0"),
            (42.0, "42"),
            (5e-324, "4.9406564584124654e-324"),
        ] {
            assert_eq!(to_text(score), text, "{score:e}");
        }
    }

    #[test]
    fn integral_scores_in_range_are_integers() {
        assert_eq!(as_integer(3.0), Some(3));
        assert_eq!(as_integer(-0.0), Some(0));
        assert_eq!(as_integer(2.5), None);
        assert_eq!(as_integer(4e18), Some(4_000_000_000_000_000_000));
        assert_eq!(as_integer(5e18), None);
        assert_eq!(as_integer(f64::INFINITY), None);
        assert_eq!(as_integer(f64::NAN), None);
    }

    #[test]
    fn parsing_round_trips_and_refuses_nan() {
        for score in [
            2.5,
            0.1,
            -1e-300,
            1.5e300,
            f64::INFINITY,
            f64::NEG_INFINITY,
            5e-324,
        ] {
            assert_eq!(parse(to_text(score).as_bytes()), Ok(score));
        }
        assert!(parse(b"nan").is_err());
        assert!(parse(b"abc").is_err());
        assert!(parse(b"").is_err());
        assert_eq!(parse(b"+inf"), Ok(f64::INFINITY));
    }
}
