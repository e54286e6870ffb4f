//! Redis's `long double` numbers for HINCRBYFLOAT (INCRBYFLOAT needs the same): on x86-64 a C `long double` is
//! the 80-bit extended format (64-bit significand), which Rust lacks, so [`LongDouble`] does its three
//! operations in software, exactly: [`LongDouble::parse`] (`strtold` under Redis's `string2ld` rules),
//! `+` (one correctly rounded addition) and [`LongDouble::to_human`] (Redis's
//! `ld2string(..., LD_STR_HUMAN)`: `%.17Lf`, then trailing zeros and a bare `.` trimmed, `-0` shown as `0`).
//!
//! Why not `f64`: the extra precision shows in replies. `10.5 + 0.1` is `10.6` in Redis, but `10.59999999999999964`
//! when computed in doubles and printed with 17 decimals.

mod bignum;

use bignum::Big;

/// Smallest exponent of the significand's unit: 2^-16382 (the smallest normal) over 63 fraction bits.
const MIN_EXPONENT: i64 = -16382 - 63;
/// Largest exponent of the significand's unit: 2^16383 over 63 fraction bits.
const MAX_EXPONENT: i64 = 16383 - 63;
/// Redis's `MAX_LONG_DOUBLE_CHARS`: `string2ld` refuses text this long or longer.
const MAX_TEXT: usize = 5 * 1024;
/// Decimal exponents beyond these cannot give a finite, non-zero extended value (the range is about
/// 3.6e-4951 to 1.2e4932), so they are decided without big arithmetic.
const MAX_DECIMAL_MAGNITUDE: i64 = 4934;
const MIN_DECIMAL_MAGNITUDE: i64 = -4952;

/// An 80-bit extended-precision number (NaN is never produced by parsing; it only arises from `inf + -inf`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LongDouble {
    negative: bool,
    kind: Kind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Zero,
    /// `significand * 2^exponent`, the significand's top bit set unless the number is subnormal.
    Finite {
        significand: u64,
        exponent: i64,
    },
    Infinite,
    NaN,
}

impl LongDouble {
    /// Zero.
    pub const ZERO: LongDouble = LongDouble {
        negative: false,
        kind: Kind::Zero,
    };

    /// An integer, exactly (every `i64` fits in 64 significand bits).
    pub fn from_i64(value: i64) -> LongDouble {
        round(
            value < 0,
            &Big::from_u128(u128::from(value.unsigned_abs())),
            0,
            false,
        )
    }

    /// Redis's `string2ld`: what `strtold` accepts, but the whole text (no leading space, nothing left over,
    /// shorter than 5 KiB), and neither NaN nor a value that overflows or underflows to zero. `inf` is accepted.
    pub fn parse(text: &[u8]) -> Option<LongDouble> {
        if text.is_empty()
            || text.len() >= MAX_TEXT
            || text[0].is_ascii_whitespace()
            || text[0] == 0x0b
        {
            return None;
        }
        let (negative, rest) = match text {
            [b'-', rest @ ..] => (true, rest),
            [b'+', rest @ ..] => (false, rest),
            _ => (false, text),
        };
        let lower = rest.to_ascii_lowercase();
        if lower == b"inf" || lower == b"infinity" {
            return Some(LongDouble {
                negative,
                kind: Kind::Infinite,
            });
        }
        let value = match lower.strip_prefix(b"0x") {
            Some(hex) => parse_hex(negative, hex)?,
            None => parse_decimal(negative, rest)?,
        };
        match value.kind {
            Kind::Finite { .. } | Kind::Zero => Some(value),
            Kind::Infinite | Kind::NaN => None,
        }
    }

    /// Whether the value is neither infinite nor NaN.
    pub fn is_finite(&self) -> bool {
        matches!(self.kind, Kind::Zero | Kind::Finite { .. })
    }

    /// Redis's human form: `%.17Lf` with trailing zeros (and then a trailing `.`) removed, `-0` as `0`;
    /// `inf`/`-inf` for infinities.
    pub fn to_human(&self) -> String {
        let (significand, exponent) = match self.kind {
            Kind::Zero => return "0".to_owned(),
            Kind::Infinite if self.negative => return "-inf".to_owned(),
            Kind::Infinite => return "inf".to_owned(),
            Kind::NaN => return if self.negative { "-nan" } else { "nan" }.to_owned(),
            Kind::Finite {
                significand,
                exponent,
            } => (significand, exponent),
        };
        // The value times 10^17, rounded to an integer (to nearest, ties to even, as glibc's printf does).
        let mut scaled = Big::from_u128(u128::from(significand));
        scaled.mul_pow10(17);
        let scaled = if exponent >= 0 {
            scaled.shl(exponent as u64)
        } else {
            let shift = exponent.unsigned_abs();
            let mut truncated = scaled.shr(shift);
            let half = scaled.bit(shift - 1);
            let more = scaled.any_below(shift - 1);
            if half && (more || truncated.bit(0)) {
                truncated.add_small(1);
            }
            truncated
        };
        let digits = format!("{:0>18}", scaled.to_decimal());
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

    /// `(long long) ceill(self * 1000.0L)` as compiled for x86-64, how Redis turns a timeout in seconds into
    /// milliseconds: the product rounded to the extended format, then up to an integer; a result outside the
    /// `i64` range (infinities and NaN included) converts to `i64::MIN`.
    pub fn thousandfold_ceil(&self) -> i64 {
        let product = match self.kind {
            Kind::Zero => return 0,
            Kind::Infinite | Kind::NaN => return i64::MIN,
            Kind::Finite {
                significand,
                exponent,
            } => round(
                self.negative,
                &Big::from_u128(u128::from(significand) * 1000),
                exponent,
                false,
            ),
        };
        let Kind::Finite {
            significand,
            exponent,
        } = product.kind
        else {
            return i64::MIN;
        };
        let significand = u128::from(significand);
        // The magnitude's integer part, and whether a fraction is left over.
        let (integer, fraction) = match exponent {
            64.. => return i64::MIN,
            0.. => (significand << exponent, false),
            -127..0 => {
                let shift = exponent.unsigned_abs();
                (
                    significand >> shift,
                    significand & ((1u128 << shift) - 1) != 0,
                )
            }
            _ => (0, true),
        };
        let ceiled = if product.negative {
            -i128::try_from(integer).unwrap_or(i128::MAX)
        } else {
            i128::try_from(integer).unwrap_or(i128::MAX) + i128::from(fraction)
        };
        i64::try_from(ceiled).unwrap_or(i64::MIN)
    }

    fn with_kind(self, kind: Kind) -> LongDouble {
        LongDouble { kind, ..self }
    }
}

/// `self + other`, rounded to nearest (ties to even) as the x87 unit does.
impl std::ops::Add for LongDouble {
    type Output = LongDouble;

    fn add(self, other: LongDouble) -> LongDouble {
        match (self.kind, other.kind) {
            (Kind::NaN, _) | (_, Kind::NaN) => self.with_kind(Kind::NaN),
            (Kind::Infinite, Kind::Infinite) if self.negative != other.negative => {
                self.with_kind(Kind::NaN)
            }
            (Kind::Infinite, _) => self,
            (_, Kind::Infinite) => other,
            (Kind::Zero, Kind::Zero) => LongDouble {
                negative: self.negative && other.negative,
                kind: Kind::Zero,
            },
            (Kind::Zero, _) => other,
            (_, Kind::Zero) => self,
            (
                Kind::Finite {
                    significand: a,
                    exponent: a_exponent,
                },
                Kind::Finite {
                    significand: b,
                    exponent: b_exponent,
                },
            ) => {
                let base = a_exponent.min(b_exponent);
                let a_big = Big::from_u128(u128::from(a)).shl((a_exponent - base) as u64);
                let b_big = Big::from_u128(u128::from(b)).shl((b_exponent - base) as u64);
                if self.negative == other.negative {
                    return round(self.negative, &a_big.add(&b_big), base, false);
                }
                match a_big.cmp(&b_big) {
                    std::cmp::Ordering::Equal => LongDouble::ZERO,
                    std::cmp::Ordering::Greater => {
                        round(self.negative, &a_big.sub(&b_big), base, false)
                    }
                    std::cmp::Ordering::Less => {
                        round(other.negative, &b_big.sub(&a_big), base, false)
                    }
                }
            }
        }
    }
}

/// Decimal `strtold` syntax after the sign: digits with an optional `.`, at least one digit, then an optional
/// exponent `e[sign]digits`; the whole text must match.
fn parse_decimal(negative: bool, text: &[u8]) -> Option<LongDouble> {
    let mut digits = Big::default();
    let mut seen_digit = false;
    let mut significant = 0i64;
    let mut fraction_digits = 0i64;
    let mut index = 0;
    let mut in_fraction = false;
    while let Some(&byte) = text.get(index) {
        match byte {
            b'0'..=b'9' => {
                seen_digit = true;
                if in_fraction {
                    fraction_digits += 1;
                }
                if !digits.is_zero() || byte != b'0' {
                    digits.mul_small(10);
                    digits.add_small(u32::from(byte - b'0'));
                    significant += 1;
                }
            }
            b'.' if !in_fraction => in_fraction = true,
            _ => break,
        }
        index += 1;
    }
    if !seen_digit {
        return None;
    }
    let mut exponent = 0i64;
    if let Some(b'e' | b'E') = text.get(index) {
        let (exponent_negative, start) = match text.get(index + 1) {
            Some(b'-') => (true, index + 2),
            Some(b'+') => (false, index + 2),
            _ => (false, index + 1),
        };
        let exponent_digits = text.get(start..).unwrap_or_default();
        if exponent_digits.is_empty() || !exponent_digits.iter().all(u8::is_ascii_digit) {
            return None;
        }
        for &digit in exponent_digits {
            exponent = (exponent * 10 + i64::from(digit - b'0')).min(1 << 40);
        }
        if exponent_negative {
            exponent = -exponent;
        }
        index = text.len();
    }
    if index != text.len() {
        return None;
    }
    if digits.is_zero() {
        return Some(LongDouble {
            negative,
            kind: Kind::Zero,
        });
    }
    let scale = exponent - fraction_digits;
    // The value lies in [10^(magnitude-1), 10^magnitude).
    let magnitude = significant + scale;
    if magnitude > MAX_DECIMAL_MAGNITUDE {
        return None;
    }
    if magnitude < MIN_DECIMAL_MAGNITUDE {
        return None;
    }
    if scale >= 0 {
        let mut value = digits;
        value.mul_pow10(scale as u64);
        return finite_or_none(round(negative, &value, 0, false));
    }
    let divisor = Big::pow10(scale.unsigned_abs());
    // Enough quotient bits (66) for the rounding to see the half bit and more.
    let extra = (divisor.bit_len() + 66).saturating_sub(digits.bit_len());
    let (quotient, remainder) = digits.shl(extra).div_rem(&divisor);
    finite_or_none(round(
        negative,
        &Big::from_u128(quotient),
        -(extra as i64),
        !remainder.is_zero(),
    ))
}

/// Hexadecimal `strtold` syntax after `0x`: hex digits with an optional `.`, at least one digit, then an
/// optional binary exponent `p[sign]digits`.
fn parse_hex(negative: bool, text: &[u8]) -> Option<LongDouble> {
    let mut digits = Big::default();
    let mut seen_digit = false;
    let mut fraction_digits = 0i64;
    let mut in_fraction = false;
    let mut index = 0;
    while let Some(&byte) = text.get(index) {
        if let Some(value) = (byte as char).to_digit(16) {
            seen_digit = true;
            if in_fraction {
                fraction_digits += 1;
            }
            digits.mul_small(16);
            digits.add_small(value);
        } else if byte == b'.' && !in_fraction {
            in_fraction = true;
        } else {
            break;
        }
        index += 1;
    }
    if !seen_digit {
        return None;
    }
    let mut exponent = 0i64;
    if text.get(index) == Some(&b'p') {
        let (exponent_negative, start) = match text.get(index + 1) {
            Some(b'-') => (true, index + 2),
            Some(b'+') => (false, index + 2),
            _ => (false, index + 1),
        };
        let exponent_digits = text.get(start..).unwrap_or_default();
        if exponent_digits.is_empty() || !exponent_digits.iter().all(u8::is_ascii_digit) {
            return None;
        }
        for &digit in exponent_digits {
            exponent = (exponent * 10 + i64::from(digit - b'0')).min(1 << 40);
        }
        if exponent_negative {
            exponent = -exponent;
        }
        index = text.len();
    }
    if index != text.len() {
        return None;
    }
    if digits.is_zero() {
        return Some(LongDouble {
            negative,
            kind: Kind::Zero,
        });
    }
    finite_or_none(round(
        negative,
        &digits,
        exponent - 4 * fraction_digits,
        false,
    ))
}

/// `strtold` reports overflow and underflow to zero with `ERANGE`, which `string2ld` refuses.
fn finite_or_none(value: LongDouble) -> Option<LongDouble> {
    match value.kind {
        Kind::Finite { .. } => Some(value),
        _ => None,
    }
}

/// The extended value nearest to `(value + ε) * 2^exponent`, where ε stands for a non-zero remainder below
/// the lowest bit when `sticky` (ties to even); subnormal below the normal range, infinite above it.
fn round(negative: bool, value: &Big, exponent: i64, sticky: bool) -> LongDouble {
    if value.is_zero() {
        return LongDouble {
            negative,
            kind: Kind::Zero,
        };
    }
    let length = value.bit_len() as i64;
    let mut unit = (exponent + length - 64).max(MIN_EXPONENT);
    let shift = unit - exponent;
    let mut significand: u128 = if shift <= 0 {
        value.low_u128() << shift.unsigned_abs()
    } else {
        let shift = shift as u64;
        let mut kept = value.shr(shift).low_u128();
        let half = value.bit(shift - 1);
        let more = sticky || value.any_below(shift - 1);
        if half && (more || kept & 1 == 1) {
            kept += 1;
        }
        kept
    };
    if significand == 1 << 64 {
        significand >>= 1;
        unit += 1;
    }
    let kind = if significand == 0 {
        Kind::Zero
    } else if unit > MAX_EXPONENT {
        Kind::Infinite
    } else {
        Kind::Finite {
            significand: significand as u64,
            exponent: unit,
        }
    };
    LongDouble { negative, kind }
}

#[cfg(test)]
mod tests;
