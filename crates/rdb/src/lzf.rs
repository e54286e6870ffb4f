//! LZF decompression (the format of Redis's `lzf_d.c`), for strings stored with the `0xC3` encoding.

/// Most output one input byte can stand for: a long back-reference is 3 bytes and copies at most
/// 7 + 255 + 2 = 264 bytes. A stated uncompressed length above this ratio is corrupt, so checking it first
/// keeps a hostile header from making us allocate gigabytes.
pub(crate) const MAX_EXPANSION: u64 = 88;

/// Decompresses `compressed`, which must expand to exactly `expected_len` bytes.
/// The error is a short reason; the caller adds the offset.
pub(crate) fn decompress(compressed: &[u8], expected_len: usize) -> Result<Vec<u8>, &'static str> {
    if expected_len as u64 > (compressed.len() as u64).saturating_mul(MAX_EXPANSION) {
        return Err("uncompressed length impossible for the compressed size");
    }
    let mut out = Vec::with_capacity(expected_len);
    let mut position = 0;
    let mut next_byte = |what: &'static str| -> Result<u8, &'static str> {
        let byte = *compressed.get(position).ok_or(what)?;
        position += 1;
        Ok(byte)
    };
    while let Ok(control) = next_byte("") {
        if control < 32 {
            let run = usize::from(control) + 1;
            if out.len() + run > expected_len {
                return Err("output longer than the stated length");
            }
            for _ in 0..run {
                out.push(next_byte("literal run past the end of the input")?);
            }
        } else {
            let mut len = usize::from(control >> 5);
            if len == 7 {
                len += usize::from(next_byte(
                    "back-reference length past the end of the input",
                )?);
            }
            let low = next_byte("back-reference distance past the end of the input")?;
            let distance = (usize::from(control & 0x1f) << 8) + usize::from(low) + 1;
            let len = len + 2;
            if distance > out.len() {
                return Err("back-reference before the start of the output");
            }
            if out.len() + len > expected_len {
                return Err("output longer than the stated length");
            }
            let start = out.len() - distance;
            if distance >= len {
                out.extend_from_within(start..start + len);
            } else {
                // Overlapping copy: bytes produced by this reference feed its own later bytes (run-length style).
                for i in start..start + len {
                    out.push(out[i]);
                }
            }
        }
    }
    if out.len() != expected_len {
        return Err("output shorter than the stated length");
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_runs() {
        assert_eq!(
            decompress(&[2, b'a', b'b', b'c'], 3).as_deref(),
            Ok(&b"abc"[..])
        );
        assert_eq!(
            decompress(&[0, b'x', 1, b'y', b'z'], 3).as_deref(),
            Ok(&b"xyz"[..])
        );
        assert_eq!(decompress(&[], 0).as_deref(), Ok(&b""[..]));
    }

    #[test]
    fn overlapping_back_reference_repeats_a_byte() {
        // "a", then copy 6 + 2 = 8 bytes from distance 1: nine "a"s.
        assert_eq!(
            decompress(&[0, b'a', 6 << 5, 0], 9).as_deref(),
            Ok(&[b'a'; 9][..])
        );
        // Long form: "a", then 7 + 91 + 2 = 100 more.
        assert_eq!(
            decompress(&[0, b'a', 0xe0, 91, 0], 101).as_deref(),
            Ok(&[b'a'; 101][..])
        );
    }

    #[test]
    fn non_overlapping_back_reference() {
        // "abcd" then copy 3 bytes from distance 4: "abcdabc".
        assert_eq!(
            decompress(&[3, b'a', b'b', b'c', b'd', 1 << 5, 3], 7).as_deref(),
            Ok(&b"abcdabc"[..])
        );
    }

    #[test]
    fn corrupt_streams_are_errors() {
        assert!(decompress(&[5, b'a'], 6).is_err(), "literal past the end");
        assert!(
            decompress(&[1 << 5, 0], 3).is_err(),
            "reference into empty output"
        );
        assert!(
            decompress(&[0, b'a', 1 << 5], 4).is_err(),
            "missing distance byte"
        );
        assert!(decompress(&[0xe0], 10).is_err(), "missing length byte");
        assert!(
            decompress(&[2, b'a', b'b', b'c'], 2).is_err(),
            "longer than stated"
        );
        assert!(
            decompress(&[2, b'a', b'b', b'c'], 4).is_err(),
            "shorter than stated"
        );
        assert!(
            decompress(&[0, b'a', 0xe0, 255, 0], 10).is_err(),
            "reference longer than stated"
        );
        assert!(
            decompress(&[0, b'a'], usize::MAX).is_err(),
            "absurd stated length"
        );
    }
}
