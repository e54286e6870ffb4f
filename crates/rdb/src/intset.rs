//! Intsets (the blob of type 11): a sorted array of unique integers, all of one width.
//!
//! Layout: width in bytes (u32 LE: 2, 4 or 8), count (u32 LE), then the values little-endian, ascending.

const HEADER_SIZE: usize = 8;

/// Decodes and validates an intset: a known width, a size matching the count exactly, at least one
/// value, strictly ascending values (Redis's deep check: no duplicates, no disorder).
pub(crate) fn decode(blob: &[u8]) -> Result<Vec<i64>, &'static str> {
    let header = blob
        .get(..HEADER_SIZE)
        .ok_or("intset shorter than its header")?;
    let width = u32::from_le_bytes([header[0], header[1], header[2], header[3]]);
    let count = u32::from_le_bytes([header[4], header[5], header[6], header[7]]);
    let width = match width {
        2 | 4 | 8 => width as usize,
        _ => return Err("intset width is not 2, 4 or 8"),
    };
    let values = &blob[HEADER_SIZE..];
    if u64::from(count) * width as u64 != values.len() as u64 {
        return Err("intset size differs from its count");
    }
    if count == 0 {
        return Err("intset is empty");
    }
    let decoded: Vec<i64> = values
        .chunks_exact(width)
        .map(|chunk| {
            let mut wide = [0u8; 8];
            wide[8 - width..].copy_from_slice(chunk);
            // Sign-extend from the top byte of the narrower value.
            i64::from_le_bytes(wide) >> (8 * (8 - width))
        })
        .collect();
    if decoded.windows(2).any(|pair| pair[0] >= pair[1]) {
        return Err("intset values are not strictly ascending");
    }
    Ok(decoded)
}

/// Encodes `values` (any order, no duplicates) in the narrowest width that holds them all, as Redis does.
pub(crate) fn encode(values: &mut [i64]) -> Vec<u8> {
    values.sort_unstable();
    let width: usize = if values.iter().all(|&v| i16::try_from(v).is_ok()) {
        2
    } else if values.iter().all(|&v| i32::try_from(v).is_ok()) {
        4
    } else {
        8
    };
    let mut blob = Vec::with_capacity(HEADER_SIZE + width * values.len());
    blob.extend_from_slice(&(width as u32).to_le_bytes());
    // Redis caps intsets far below 2^32 members (set-max-intset-entries), so the count fits.
    blob.extend_from_slice(&(values.len() as u32).to_le_bytes());
    for value in values.iter() {
        blob.extend_from_slice(&value.to_le_bytes()[..width]);
    }
    blob
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redis_example_byte_for_byte() {
        // {1, 2, 300, 70000} from a real 7.0.15 dump: width 4.
        let blob = b"\x04\x00\x00\x00\x04\x00\x00\x00\x01\x00\x00\x00\x02\x00\x00\x00\x2c\x01\x00\x00\x70\x11\x01\x00";
        assert_eq!(encode(&mut [70000, 2, 300, 1]), blob);
        assert_eq!(decode(blob), Ok(vec![1, 2, 300, 70000]));
    }

    #[test]
    fn widths_and_negative_values_round_trip() {
        for values in [
            vec![-32768, 0, 32767],
            vec![-32769, 5],
            vec![i64::from(i32::MIN), i64::from(i32::MAX)],
            vec![i64::MIN, -1, i64::MAX],
        ] {
            let mut sorted = values.clone();
            let blob = encode(&mut sorted);
            assert_eq!(decode(&blob), Ok(values));
        }
        assert_eq!(encode(&mut [1])[0], 2);
        assert_eq!(encode(&mut [1 << 20])[0], 4);
        assert_eq!(encode(&mut [1 << 40])[0], 8);
    }

    #[test]
    fn inconsistencies_are_errors() {
        assert!(
            decode(b"\x02\x00\x00\x00\x00\x00\x00\x00").is_err(),
            "empty"
        );
        assert!(
            decode(b"\x03\x00\x00\x00\x01\x00\x00\x00\x01\x00\x00").is_err(),
            "width"
        );
        assert!(
            decode(b"\x02\x00\x00\x00\x02\x00\x00\x00\x01\x00").is_err(),
            "short"
        );
        assert!(
            decode(b"\x02\x00\x00\x00\x02\x00\x00\x00\x01\x00\x01\x00").is_err(),
            "duplicate"
        );
        assert!(
            decode(b"\x02\x00\x00\x00\x02\x00\x00\x00\x02\x00\x01\x00").is_err(),
            "order"
        );
        assert!(
            decode(b"\x02\x00\x00\x00\xff\xff\xff\xff\x01\x00").is_err(),
            "huge count"
        );
        assert!(decode(b"\x02\x00\x00").is_err(), "no header");
    }
}
