//! Listpack sizing rules (Redis 7.0's `listpack.c`): how many bytes an element takes, and which strings a
//! listpack stores as integers. Streams use them to cut their nodes exactly where Redis does; the RDB
//! encoder uses them to lay listpacks out byte for byte.

/// Header (total bytes u32 + element count u16) plus the end byte.
pub const OVERHEAD: usize = 7;

/// Bytes an integer element takes in a listpack, backlen included.
pub fn int_entry_size(value: i64) -> usize {
    let size = int_size(value);
    size + backlen_size(size)
}

/// Bytes `element` takes in a listpack, backlen included, without encoding it.
pub fn entry_size(element: &[u8]) -> usize {
    let size = match canonical_int64(element) {
        Some(value) => int_size(value),
        None if element.len() < 64 => 1 + element.len(),
        None if element.len() < 4096 => 2 + element.len(),
        None => 5 + element.len(),
    };
    size + backlen_size(size)
}

/// Bytes an integer takes in a listpack, without its backlen.
pub fn int_size(value: i64) -> usize {
    match value {
        0..=127 => 1,
        -4096..=4095 => 2,
        -32768..=32767 => 3,
        -8_388_608..=8_388_607 => 4,
        -2_147_483_648..=2_147_483_647 => 5,
        _ => 9,
    }
}

/// The integer `bytes` is the canonical decimal text of, by Redis's `lpStringToInt64` rule: at most 20
/// bytes, optional `-`, no leading zeros, no `+`, not `-0`, within i64. Such strings read back identical.
pub fn canonical_int64(bytes: &[u8]) -> Option<i64> {
    if bytes.is_empty() || bytes.len() > 20 {
        return None;
    }
    if bytes == b"0" {
        return Some(0);
    }
    let (negative, digits) = match bytes.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, bytes),
    };
    if !matches!(digits.first(), Some(b'1'..=b'9')) {
        return None;
    }
    let mut magnitude: u64 = 0;
    for &digit in digits {
        if !digit.is_ascii_digit() {
            return None;
        }
        magnitude = magnitude
            .checked_mul(10)?
            .checked_add(u64::from(digit - b'0'))?;
    }
    if negative {
        0i64.checked_sub_unsigned(magnitude)
    } else {
        i64::try_from(magnitude).ok()
    }
}

/// Size of the backlen for an entry of `size` bytes (thresholds as in Redis's `lpEncodeBacklen`).
pub fn backlen_size(size: usize) -> usize {
    match size {
        0..=127 => 1,
        128..16383 => 2,
        16383..2_097_151 => 3,
        2_097_151..268_435_455 => 4,
        _ => 5,
    }
}
