//! Redis's long-double arithmetic for `INCRBYFLOAT` (and `HINCRBYFLOAT`), reproduced exactly in software.
//!
//! Redis parses both operands with `strtold`, adds them as x86-64 `long double`s (a 64-bit mantissa, 15-bit
//! exponent) and prints the sum with `%.17Lf`, trailing zeros and dot removed (`ld2string`, "human" mode). An
//! `f64` gives different digits (10.5 + 0.1 prints `10.59999999999999964` instead of `10.6`), so the value is
//! kept as an exact 64-bit mantissa and binary exponent, with correctly rounded parsing, addition and printing
//! done on big integers (round half to even throughout, as the FPU and glibc do). Subnormal long doubles are
//! treated as normal ones (more precision than the hardware, invisible at 17 decimal places); hexadecimal float
//! syntax is not accepted.

use std::cmp::Ordering;

/// The largest binary exponent (of the mantissa's top bit) a long double can hold.
const MAX_EXPONENT: i64 = 16383;
/// Below this (the smallest subnormal), a value rounds to zero.
const MIN_EXPONENT: i64 = -16445;
/// `MAX_LONG_DOUBLE_CHARS`: longer inputs are refused.
const MAX_CHARS: usize = 5 * 1024;

/// A finite long double: `(-1)^negative * mantissa * 2^exponent`, the mantissa's top bit set unless zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LongDouble {
    negative: bool,
    mantissa: u64,
    exponent: i64,
}

/// Why an operation failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FloatError {
    /// Not a number `strtold` accepts whole (or NaN, or out of range): `-ERR value is not a valid float`.
    NotAFloat,
    /// The result is infinite: `-ERR increment would produce NaN or Infinity`.
    Infinite,
}

impl LongDouble {
    /// Parses like Redis's `string2ld`: the whole text must be a decimal number (`1`, `-2.5`, `.5`, `3e10`,
    /// `+1`), no spaces; infinities parse (and then fail any addition), NaN does not.
    pub fn parse(text: &[u8]) -> Result<LongDouble, FloatError> {
        parse(text).ok_or(FloatError::NotAFloat)
    }

    /// `self + other`, rounded to a long double.
    pub fn checked_add(self, other: LongDouble) -> Result<LongDouble, FloatError> {
        // An infinity (only ever parsed, never produced) makes any sum infinite or NaN: both are refused.
        if self.exponent + 63 > MAX_EXPONENT || other.exponent + 63 > MAX_EXPONENT {
            return Err(FloatError::Infinite);
        }
        let low = self.exponent.min(other.exponent);
        let a = Big::from_u64(self.mantissa).shl((self.exponent - low) as usize);
        let b = Big::from_u64(other.mantissa).shl((other.exponent - low) as usize);
        let (negative, magnitude) = if self.negative == other.negative {
            (self.negative, a.add(&b))
        } else {
            match a.cmp(&b) {
                Ordering::Equal => return Ok(LongDouble::ZERO),
                Ordering::Greater => (self.negative, a.sub(&b)),
                Ordering::Less => (other.negative, b.sub(&a)),
            }
        };
        round_binary(negative, magnitude, low, false).ok_or(FloatError::Infinite)
    }

    /// `%.17Lf` with trailing zeros (and a trailing dot) removed, `-0` shown as `0`.
    pub fn to_human(self) -> String {
        let scaled = if self.exponent >= 0 {
            Big::from_u64(self.mantissa)
                .shl(self.exponent as usize)
                .mul_small(100_000_000)
                .mul_small(1_000_000_000)
        } else {
            let numerator = Big::from_u64(self.mantissa)
                .mul_small(100_000_000)
                .mul_small(1_000_000_000);
            let shift = (-self.exponent) as usize;
            let (quotient, half, sticky) = numerator.shr_round_bits(shift);
            let odd = quotient.is_odd();
            if half && (sticky || odd) {
                quotient.add(&Big::from_u64(1))
            } else {
                quotient
            }
        };
        let mut digits = scaled.to_decimal();
        if digits.len() <= 17 {
            digits = format!("{}{digits}", "0".repeat(18 - digits.len()));
        }
        let (integer, fraction) = digits.split_at(digits.len() - 17);
        let fraction = fraction.trim_end_matches('0');
        let mut text = String::with_capacity(digits.len() + 2);
        if self.negative {
            text.push('-');
        }
        text.push_str(integer);
        if !fraction.is_empty() {
            text.push('.');
            text.push_str(fraction);
        }
        if text == "-0" { "0".to_owned() } else { text }
    }

    const ZERO: LongDouble = LongDouble {
        negative: false,
        mantissa: 0,
        exponent: 0,
    };
}

/// `INCRBYFLOAT`'s arithmetic on two arguments as text: the sum as Redis prints it.
pub fn add_as_text(current: &[u8], increment: &[u8]) -> Result<String, FloatError> {
    let sum = LongDouble::parse(current)?.checked_add(LongDouble::parse(increment)?)?;
    Ok(sum.to_human())
}

/// `None` for anything `string2ld` refuses; infinities come back as `Some` only to fail later, which is what
/// Redis does (`INCRBYFLOAT k inf` is "increment would produce NaN or Infinity").
fn parse(text: &[u8]) -> Option<LongDouble> {
    if text.is_empty() || text.len() >= MAX_CHARS {
        return None;
    }
    let (negative, rest) = match text[0] {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let lower = rest.to_ascii_lowercase();
    if lower == b"inf" || lower == b"infinity" {
        // Any finite sum with an infinity is infinite: represent it beyond the range so `checked_add` overflows.
        return Some(LongDouble {
            negative,
            mantissa: 1 << 63,
            exponent: MAX_EXPONENT * 4,
        });
    }
    let mut digits = Big::from_u64(0);
    let mut decimal_exponent: i64 = 0;
    let mut seen_digit = false;
    let mut seen_dot = false;
    let mut index = 0;
    while index < rest.len() {
        match rest[index] {
            digit @ b'0'..=b'9' => {
                digits = digits
                    .mul_small(10)
                    .add(&Big::from_u64(u64::from(digit - b'0')));
                if seen_dot {
                    decimal_exponent -= 1;
                }
                seen_digit = true;
            }
            b'.' if !seen_dot => seen_dot = true,
            _ => break,
        }
        index += 1;
    }
    if !seen_digit {
        return None;
    }
    if index < rest.len() {
        if !matches!(rest[index], b'e' | b'E') {
            return None;
        }
        let exponent_text = std::str::from_utf8(&rest[index + 1..]).ok()?;
        let unsigned = exponent_text
            .strip_prefix(['+', '-'])
            .unwrap_or(exponent_text);
        if unsigned.is_empty() || !unsigned.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        // Huge exponents saturate: the value is then out of range either way.
        let magnitude: i64 = unsigned.parse().unwrap_or(1_000_000).min(1_000_000);
        decimal_exponent += if exponent_text.starts_with('-') {
            -magnitude
        } else {
            magnitude
        };
    }
    if digits.is_zero() {
        return Some(LongDouble::ZERO);
    }
    // Far outside the long double range (about 1e-4951 to 1e4932): refuse without big arithmetic.
    let magnitude_estimate = digits.bit_len() as i64 * 30103 / 100_000 + decimal_exponent;
    if !(-4970..=4940).contains(&magnitude_estimate) {
        return None;
    }
    let value = if decimal_exponent >= 0 {
        let mut scaled = digits;
        for _ in 0..decimal_exponent {
            scaled = scaled.mul_small(10);
        }
        round_binary(negative, scaled, 0, false)
    } else {
        let mut denominator = Big::from_u64(1);
        for _ in 0..-decimal_exponent {
            denominator = denominator.mul_small(10);
        }
        // Scale so the quotient has at least 66 bits: 64 for the mantissa, one to round, and the remainder
        // (sticky) tells an exact tie from a value above it.
        let shift = (denominator.bit_len() + 66).saturating_sub(digits.bit_len());
        let (quotient, remainder) = digits.shl(shift).div_rem(&denominator);
        round_binary(negative, quotient, -(shift as i64), !remainder.is_zero())
    };
    // strtold refuses overflow and results that underflow to zero.
    value.filter(|v| v.mantissa != 0)
}

/// Rounds `magnitude * 2^exponent` (plus a sticky bit below it) to a 64-bit mantissa, ties to even; `None`
/// when the result overflows the long double range.
fn round_binary(negative: bool, magnitude: Big, exponent: i64, sticky: bool) -> Option<LongDouble> {
    let bits = magnitude.bit_len();
    if bits == 0 {
        return Some(LongDouble::ZERO);
    }
    let (mantissa, mut exponent) = if bits <= 64 {
        (
            magnitude.low_u64() << (64 - bits),
            exponent - (64 - bits) as i64,
        )
    } else {
        let shift = bits - 64;
        let (kept, half, below) = magnitude.shr_round_bits(shift);
        let mut mantissa = kept.low_u64();
        let mut exponent = exponent + shift as i64;
        if half && (below || sticky || mantissa & 1 == 1) {
            match mantissa.checked_add(1) {
                Some(rounded) => mantissa = rounded,
                None => {
                    mantissa = 1 << 63;
                    exponent += 1;
                }
            }
        }
        (mantissa, exponent)
    };
    // The top bit's weight is 2^(exponent + 63).
    let top = exponent + 63;
    if top > MAX_EXPONENT {
        return None;
    }
    if top < MIN_EXPONENT {
        return Some(LongDouble::ZERO);
    }
    exponent = exponent.max(i64::MIN / 2);
    Some(LongDouble {
        negative,
        mantissa,
        exponent,
    })
}

/// A minimal unsigned big integer (little-endian 32-bit limbs), just what exact rounding needs.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Big {
    limbs: Vec<u32>,
}

impl Big {
    fn from_u64(value: u64) -> Big {
        Big {
            limbs: vec![value as u32, (value >> 32) as u32],
        }
        .normalized()
    }

    fn normalized(mut self) -> Big {
        while self.limbs.last() == Some(&0) {
            self.limbs.pop();
        }
        self
    }

    fn is_zero(&self) -> bool {
        self.limbs.is_empty()
    }

    fn is_odd(&self) -> bool {
        self.limbs.first().is_some_and(|limb| limb & 1 == 1)
    }

    fn bit_len(&self) -> usize {
        self.limbs.last().map_or(0, |top| {
            (self.limbs.len() - 1) * 32 + (32 - top.leading_zeros() as usize)
        })
    }

    fn bit(&self, index: usize) -> bool {
        self.limbs
            .get(index / 32)
            .is_some_and(|limb| limb >> (index % 32) & 1 == 1)
    }

    fn low_u64(&self) -> u64 {
        let low = u64::from(self.limbs.first().copied().unwrap_or(0));
        let high = u64::from(self.limbs.get(1).copied().unwrap_or(0));
        low | high << 32
    }

    fn mul_small(&self, factor: u32) -> Big {
        let mut carry = 0u64;
        let mut limbs = Vec::with_capacity(self.limbs.len() + 1);
        for &limb in &self.limbs {
            let product = u64::from(limb) * u64::from(factor) + carry;
            limbs.push(product as u32);
            carry = product >> 32;
        }
        limbs.push(carry as u32);
        Big { limbs }.normalized()
    }

    fn add(&self, other: &Big) -> Big {
        let mut limbs = Vec::with_capacity(self.limbs.len().max(other.limbs.len()) + 1);
        let mut carry = 0u64;
        for index in 0..self.limbs.len().max(other.limbs.len()) {
            let sum = u64::from(self.limbs.get(index).copied().unwrap_or(0))
                + u64::from(other.limbs.get(index).copied().unwrap_or(0))
                + carry;
            limbs.push(sum as u32);
            carry = sum >> 32;
        }
        limbs.push(carry as u32);
        Big { limbs }.normalized()
    }

    /// `self - other`, for `self >= other`.
    fn sub(&self, other: &Big) -> Big {
        let mut limbs = Vec::with_capacity(self.limbs.len());
        let mut borrow = 0i64;
        for (index, &limb) in self.limbs.iter().enumerate() {
            let mut difference =
                i64::from(limb) - i64::from(other.limbs.get(index).copied().unwrap_or(0)) - borrow;
            borrow = 0;
            if difference < 0 {
                difference += 1 << 32;
                borrow = 1;
            }
            limbs.push(difference as u32);
        }
        Big { limbs }.normalized()
    }

    fn cmp(&self, other: &Big) -> Ordering {
        self.limbs
            .len()
            .cmp(&other.limbs.len())
            .then_with(|| self.limbs.iter().rev().cmp(other.limbs.iter().rev()))
    }

    fn shl(&self, bits: usize) -> Big {
        if self.is_zero() {
            return self.clone();
        }
        let (words, offset) = (bits / 32, bits % 32);
        let mut limbs = vec![0u32; words];
        let mut carry = 0u32;
        for &limb in &self.limbs {
            if offset == 0 {
                limbs.push(limb);
            } else {
                limbs.push(limb << offset | carry);
                carry = limb >> (32 - offset);
            }
        }
        limbs.push(carry);
        Big { limbs }.normalized()
    }

    /// `self >> bits`, with the first bit shifted out (`half`) and whether any lower bit was set (`sticky`).
    fn shr_round_bits(&self, bits: usize) -> (Big, bool, bool) {
        if bits == 0 {
            return (self.clone(), false, false);
        }
        let half = self.bit(bits - 1);
        let sticky = (0..bits - 1).any(|index| self.bit(index));
        let (words, offset) = (bits / 32, bits % 32);
        let mut limbs = Vec::with_capacity(self.limbs.len().saturating_sub(words));
        for index in words..self.limbs.len() {
            let low = self.limbs[index] >> offset;
            let high = if offset == 0 {
                0
            } else {
                self.limbs.get(index + 1).copied().unwrap_or(0) << (32 - offset)
            };
            limbs.push(low | high);
        }
        (Big { limbs }.normalized(), half, sticky)
    }

    /// Quotient and remainder by schoolbook binary long division (the quotients here have few bits).
    fn div_rem(&self, divisor: &Big) -> (Big, Big) {
        let mut remainder = self.clone();
        let mut quotient = Big::from_u64(0);
        if self.cmp(divisor) == Ordering::Less {
            return (quotient, remainder);
        }
        let top = self.bit_len() - divisor.bit_len();
        for shift in (0..=top).rev() {
            let shifted = divisor.shl(shift);
            if remainder.cmp(&shifted) != Ordering::Less {
                remainder = remainder.sub(&shifted);
                quotient = quotient.add(&Big::from_u64(1).shl(shift));
            }
        }
        (quotient, remainder)
    }

    fn to_decimal(&self) -> String {
        if self.is_zero() {
            return "0".to_owned();
        }
        let mut chunks = Vec::new();
        let mut value = self.clone();
        while !value.is_zero() {
            let mut remainder = 0u64;
            for limb in value.limbs.iter_mut().rev() {
                let current = remainder << 32 | u64::from(*limb);
                *limb = (current / 1_000_000_000) as u32;
                remainder = current % 1_000_000_000;
            }
            chunks.push(remainder as u32);
            value = value.normalized();
        }
        let mut text = chunks.pop().map(|c| c.to_string()).unwrap_or_default();
        for chunk in chunks.iter().rev() {
            text.push_str(&format!("{chunk:09}"));
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sum(a: &str, b: &str) -> Result<String, FloatError> {
        add_as_text(a.as_bytes(), b.as_bytes())
    }

    #[test]
    fn sums_print_like_redis_long_doubles() {
        // Values checked against Redis 7.0.15 on x86-64.
        assert_eq!(sum("10.50", "0.1").unwrap(), "10.6");
        assert_eq!(sum("10.6", "-5").unwrap(), "5.6");
        assert_eq!(sum("5.0e3", "2.0e2").unwrap(), "5200");
        assert_eq!(sum("0", "0.1").unwrap(), "0.1");
        assert_eq!(sum("1", "-1").unwrap(), "0");
        assert_eq!(sum("3", "1.5").unwrap(), "4.5");
        assert_eq!(sum("-0.000000000000000001", "0").unwrap(), "0");
        assert_eq!(sum("1e20", "1").unwrap(), "100000000000000000000");
        assert_eq!(sum("0.1", "0.2").unwrap(), "0.3");
        assert_eq!(sum("1.1", "2.2").unwrap(), "3.3");
        assert_eq!(
            sum("123456789.123456789", "0.000000001").unwrap(),
            "123456789.12345678999554366"
        );
        assert_eq!(sum("-1e-20", "0").unwrap(), "0");
        assert_eq!(sum("3.0", "1e-17").unwrap(), "3.00000000000000001");
        assert_eq!(
            sum("1e300", "1").unwrap(),
            "1000000000000000000008997324079559193870523944273290747938260082321265646596180935755849152083750\
             4971903503725086142748359035925561846729839130962605207486462873271356418436532940842551076060167\
             8972665293237003055138294762099454029477278188962060617926761162709741065056718738610569008942491\
             5104006144"
        );
    }

    #[test]
    fn parsing_follows_string2ld() {
        for bad in [
            "", " 1", "1 ", "abc", "1e", "nan", "1.2.3", "--1", "e5", "1e99999",
        ] {
            assert_eq!(
                LongDouble::parse(bad.as_bytes()),
                Err(FloatError::NotAFloat),
                "{bad:?}"
            );
        }
        for good in ["+1", ".5", "5.", "-2.5e-3", "1E3", "0"] {
            assert!(LongDouble::parse(good.as_bytes()).is_ok(), "{good:?}");
        }
        assert_eq!(sum("inf", "1"), Err(FloatError::Infinite));
    }
}
