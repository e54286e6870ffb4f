//! [`Big`]: just enough unsigned arbitrary-precision arithmetic to convert between decimal text and binary
//! floating point exactly (no rounding until the caller decides how).

use std::cmp::Ordering;

/// An unsigned integer as little-endian 32-bit limbs, without high zero limbs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Big(Vec<u32>);

impl Big {
    /// A value that fits in 128 bits.
    pub fn from_u128(mut value: u128) -> Big {
        let mut limbs = Vec::new();
        while value != 0 {
            limbs.push(value as u32);
            value >>= 32;
        }
        Big(limbs)
    }

    /// `10^exponent`.
    pub fn pow10(exponent: u64) -> Big {
        let mut power = Big::from_u128(1);
        power.mul_pow10(exponent);
        power
    }

    /// Multiplies by `10^exponent`.
    pub fn mul_pow10(&mut self, exponent: u64) {
        let mut left = exponent;
        while left >= 9 {
            self.mul_small(1_000_000_000);
            left -= 9;
        }
        self.mul_small(10u32.pow(left as u32));
    }

    /// Whether the value is zero.
    pub fn is_zero(&self) -> bool {
        self.0.is_empty()
    }

    /// Number of significant bits (0 for zero).
    pub fn bit_len(&self) -> u64 {
        match self.0.last() {
            None => 0,
            Some(top) => self.0.len() as u64 * 32 - u64::from(top.leading_zeros()),
        }
    }

    /// Bit `index` (false past the top).
    pub fn bit(&self, index: u64) -> bool {
        let limb = (index / 32) as usize;
        self.0
            .get(limb)
            .is_some_and(|value| value >> (index % 32) & 1 == 1)
    }

    /// Whether any bit below `index` is set.
    pub fn any_below(&self, index: u64) -> bool {
        let whole = ((index / 32) as usize).min(self.0.len());
        if self.0[..whole].iter().any(|&limb| limb != 0) {
            return true;
        }
        let bits = index % 32;
        bits != 0
            && self
                .0
                .get(whole)
                .is_some_and(|&limb| limb & ((1u32 << bits) - 1) != 0)
    }

    /// The low 128 bits.
    pub fn low_u128(&self) -> u128 {
        self.0
            .iter()
            .take(4)
            .rev()
            .fold(0u128, |acc, &limb| acc << 32 | u128::from(limb))
    }

    /// Multiplies by a small factor.
    pub fn mul_small(&mut self, factor: u32) {
        let mut carry = 0u64;
        for limb in &mut self.0 {
            let product = u64::from(*limb) * u64::from(factor) + carry;
            *limb = product as u32;
            carry = product >> 32;
        }
        if carry != 0 {
            self.0.push(carry as u32);
        }
        self.trim();
    }

    /// Adds a small addend.
    pub fn add_small(&mut self, addend: u32) {
        let mut carry = u64::from(addend);
        for limb in &mut self.0 {
            if carry == 0 {
                return;
            }
            let sum = u64::from(*limb) + carry;
            *limb = sum as u32;
            carry = sum >> 32;
        }
        if carry != 0 {
            self.0.push(carry as u32);
        }
    }

    /// `self << bits`.
    pub fn shl(&self, bits: u64) -> Big {
        if self.is_zero() {
            return Big::default();
        }
        let (limbs, bits) = ((bits / 32) as usize, (bits % 32) as u32);
        let mut out = vec![0u32; limbs];
        let mut carry = 0u32;
        for &limb in &self.0 {
            out.push(if bits == 0 {
                limb
            } else {
                limb << bits | carry
            });
            carry = if bits == 0 { 0 } else { limb >> (32 - bits) };
        }
        out.push(carry);
        let mut big = Big(out);
        big.trim();
        big
    }

    /// `self >> bits` (the low bits dropped).
    pub fn shr(&self, bits: u64) -> Big {
        let limbs = (bits / 32) as usize;
        if limbs >= self.0.len() {
            return Big::default();
        }
        let bits = (bits % 32) as u32;
        let rest = &self.0[limbs..];
        let mut out = Vec::with_capacity(rest.len());
        for (i, &limb) in rest.iter().enumerate() {
            let high = rest.get(i + 1).copied().unwrap_or(0);
            out.push(if bits == 0 {
                limb
            } else {
                limb >> bits | high << (32 - bits)
            });
        }
        let mut big = Big(out);
        big.trim();
        big
    }

    /// `self + other`.
    pub fn add(&self, other: &Big) -> Big {
        let mut out = Vec::with_capacity(self.0.len().max(other.0.len()) + 1);
        let mut carry = 0u64;
        for i in 0..self.0.len().max(other.0.len()) {
            let sum = u64::from(self.0.get(i).copied().unwrap_or(0))
                + u64::from(other.0.get(i).copied().unwrap_or(0))
                + carry;
            out.push(sum as u32);
            carry = sum >> 32;
        }
        out.push(carry as u32);
        let mut big = Big(out);
        big.trim();
        big
    }

    /// `self - other`; `other` must not be larger.
    pub fn sub(&self, other: &Big) -> Big {
        let mut out = Vec::with_capacity(self.0.len());
        let mut borrow = 0i64;
        for (i, &limb) in self.0.iter().enumerate() {
            let mut difference =
                i64::from(limb) - i64::from(other.0.get(i).copied().unwrap_or(0)) - borrow;
            borrow = 0;
            if difference < 0 {
                difference += 1 << 32;
                borrow = 1;
            }
            out.push(difference as u32);
        }
        let mut big = Big(out);
        big.trim();
        big
    }

    /// `(self / divisor, self % divisor)` for a quotient below 2^128 (the caller scales the dividend so).
    pub fn div_rem(&self, divisor: &Big) -> (u128, Big) {
        let mut remainder = self.clone();
        let mut quotient = 0u128;
        let span = self.bit_len().saturating_sub(divisor.bit_len());
        for shift in (0..=span.min(127)).rev() {
            let shifted = divisor.shl(shift);
            if remainder.cmp(&shifted) != Ordering::Less {
                remainder = remainder.sub(&shifted);
                quotient |= 1 << shift;
            }
        }
        (quotient, remainder)
    }

    /// The decimal digits (`"0"` for zero).
    pub fn to_decimal(&self) -> String {
        let mut chunks = Vec::new();
        let mut rest = self.clone();
        while !rest.is_zero() {
            chunks.push(rest.div_small(1_000_000_000));
        }
        let mut text = chunks.pop().map_or("0".to_owned(), |top| top.to_string());
        for chunk in chunks.iter().rev() {
            text.push_str(&format!("{chunk:09}"));
        }
        text
    }

    fn div_small(&mut self, divisor: u32) -> u32 {
        let mut remainder = 0u64;
        for limb in self.0.iter_mut().rev() {
            let current = remainder << 32 | u64::from(*limb);
            *limb = (current / u64::from(divisor)) as u32;
            remainder = current % u64::from(divisor);
        }
        self.trim();
        remainder as u32
    }

    fn trim(&mut self) {
        while self.0.last() == Some(&0) {
            self.0.pop();
        }
    }
}

impl PartialOrd for Big {
    fn partial_cmp(&self, other: &Big) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Big {
    fn cmp(&self, other: &Big) -> Ordering {
        self.0
            .len()
            .cmp(&other.0.len())
            .then_with(|| self.0.iter().rev().cmp(other.0.iter().rev()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arithmetic_round_trips_through_decimal() {
        let big = Big::pow10(40);
        assert_eq!(big.to_decimal(), format!("1{}", "0".repeat(40)));
        assert_eq!(big.shl(3).shr(3), big);
        assert_eq!(big.add(&big).sub(&big), big);
        let (quotient, remainder) = big.add(&Big::from_u128(7)).div_rem(&Big::pow10(21));
        assert_eq!(quotient, 10u128.pow(19));
        assert_eq!(remainder, Big::from_u128(7));
        assert!(big.bit(big.bit_len() - 1) && !big.bit(big.bit_len()));
        assert!(Big::from_u128(0b1000).any_below(4) && !Big::from_u128(0b1000).any_below(3));
        assert_eq!(Big::from_u128(u128::MAX).low_u128(), u128::MAX);
        assert_eq!(Big::default().to_decimal(), "0");
    }
}
