//! Strings: a length and raw bytes, or one of the special encodings (int8/16/32, LZF).
//! The writer applies Redis's rule of storing short canonical integers in binary; it never compresses.

use std::borrow::Cow;
use std::io;

use bytes::Bytes;

use crate::RdbError;
use crate::input::Input;
use crate::length::{Length, read_length, read_length_or_special, write_length};
use crate::lzf;
use crate::sink::Sink;

const RDB_ENC_INT8: u8 = 0;
const RDB_ENC_INT16: u8 = 1;
const RDB_ENC_INT32: u8 = 2;
const RDB_ENC_LZF: u8 = 3;

/// The `11xxxxxx` marker byte in front of an encoded string.
const ENCODED: u8 = 0xc0;

/// Reads a string in any encoding; raw strings borrow from the input.
pub(crate) fn read_string<'a>(input: &mut Input<'a>) -> Result<Cow<'a, [u8]>, RdbError> {
    let offset = input.offset();
    match read_length_or_special(input)? {
        Length::Plain(len) => Ok(Cow::Borrowed(input.read_slice(len)?)),
        Length::Special(RDB_ENC_INT8) => Ok(integer_text(i64::from(i8::from_le_bytes(
            input.read_array()?,
        )))),
        Length::Special(RDB_ENC_INT16) => Ok(integer_text(i64::from(i16::from_le_bytes(
            input.read_array()?,
        )))),
        Length::Special(RDB_ENC_INT32) => Ok(integer_text(i64::from(i32::from_le_bytes(
            input.read_array()?,
        )))),
        Length::Special(RDB_ENC_LZF) => read_lzf(input).map(Cow::Owned),
        Length::Special(_) => Err(RdbError::InvalidEncoding {
            offset,
            reason: "unknown string encoding",
        }),
    }
}

/// Reads a string into an owned [`Bytes`].
pub(crate) fn read_bytes(input: &mut Input<'_>) -> Result<Bytes, RdbError> {
    Ok(match read_string(input)? {
        Cow::Borrowed(slice) => Bytes::copy_from_slice(slice),
        Cow::Owned(vec) => Bytes::from(vec),
    })
}

/// Writes `bytes` as an int-encoded string when it is the canonical text of an int32 (Redis's rule), else raw.
pub(crate) fn write_string<S: Sink + ?Sized>(out: &mut S, bytes: &[u8]) -> io::Result<()> {
    if let Some(value) = canonical_int32(bytes) {
        return write_int(out, value);
    }
    write_length(out, bytes.len() as u64)?;
    out.put(bytes)
}

fn write_int<S: Sink + ?Sized>(out: &mut S, value: i32) -> io::Result<()> {
    if let Ok(value) = i8::try_from(value) {
        out.put(&[ENCODED | RDB_ENC_INT8, value.to_le_bytes()[0]])
    } else if let Ok(value) = i16::try_from(value) {
        let [a, b] = value.to_le_bytes();
        out.put(&[ENCODED | RDB_ENC_INT16, a, b])
    } else {
        let [a, b, c, d] = value.to_le_bytes();
        out.put(&[ENCODED | RDB_ENC_INT32, a, b, c, d])
    }
}

/// The int32 that `bytes` is the canonical decimal text of: optional `-`, no leading zeros, no `+`,
/// not `-0`. Such strings read back byte-identical, which is what makes the int encoding lossless.
fn canonical_int32(bytes: &[u8]) -> Option<i32> {
    // "-2147483648" is 11 bytes; anything longer cannot qualify.
    if bytes.is_empty() || bytes.len() > 11 {
        return None;
    }
    let (negative, digits) = match bytes.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, bytes),
    };
    match digits {
        [] => return None,
        [b'0'] => return (!negative).then_some(0),
        [b'0', ..] => return None,
        _ => {}
    }
    let mut magnitude: i64 = 0;
    for &digit in digits {
        if !digit.is_ascii_digit() {
            return None;
        }
        // At most 11 digits, so this cannot overflow an i64.
        magnitude = magnitude * 10 + i64::from(digit - b'0');
    }
    i32::try_from(if negative { -magnitude } else { magnitude }).ok()
}

fn integer_text(value: i64) -> Cow<'static, [u8]> {
    Cow::Owned(value.to_string().into_bytes())
}

fn read_lzf(input: &mut Input<'_>) -> Result<Vec<u8>, RdbError> {
    let compressed_len = read_length(input)?;
    let uncompressed_len = read_length(input)?;
    let offset = input.offset();
    let compressed = input.read_slice(compressed_len)?;
    let uncompressed_len = usize::try_from(uncompressed_len).map_err(|_| RdbError::CorruptLzf {
        offset,
        reason: "uncompressed length does not fit in memory",
    })?;
    lzf::decompress(compressed, uncompressed_len)
        .map_err(|reason| RdbError::CorruptLzf { offset, reason })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(text: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        write_string(&mut out, text).expect("writing to a Vec cannot fail");
        out
    }

    fn decode(bytes: &[u8]) -> Result<Vec<u8>, RdbError> {
        let mut input = Input::new(bytes);
        let text = read_string(&mut input)?.into_owned();
        assert_eq!(
            input.remaining(),
            0,
            "decoding {bytes:02x?} left bytes over"
        );
        Ok(text)
    }

    #[test]
    fn canonical_integers_use_the_smallest_int_form() {
        assert_eq!(encode(b"0"), [0xc0, 0x00]);
        assert_eq!(encode(b"42"), [0xc0, 0x2a]);
        assert_eq!(encode(b"-7"), [0xc0, 0xf9]);
        assert_eq!(encode(b"127"), [0xc0, 0x7f]);
        assert_eq!(encode(b"-128"), [0xc0, 0x80]);
        assert_eq!(encode(b"128"), [0xc1, 0x80, 0x00]);
        assert_eq!(encode(b"12345"), [0xc1, 0x39, 0x30]);
        assert_eq!(encode(b"-32768"), [0xc1, 0x00, 0x80]);
        assert_eq!(encode(b"32768"), [0xc2, 0x00, 0x80, 0x00, 0x00]);
        assert_eq!(encode(b"2147483647"), [0xc2, 0xff, 0xff, 0xff, 0x7f]);
        assert_eq!(encode(b"-2147483648"), [0xc2, 0x00, 0x00, 0x00, 0x80]);
    }

    #[test]
    fn non_canonical_or_out_of_range_integers_stay_raw() {
        for text in [
            &b"007"[..],
            b"-0",
            b"+1",
            b" 1",
            b"1 ",
            b"-",
            b"",
            b"2147483648",
            b"-2147483649",
            b"9876543210",
            b"1e3",
            b"00",
        ] {
            let mut expected = vec![text.len() as u8];
            expected.extend_from_slice(text);
            assert_eq!(
                encode(text),
                expected,
                "{:?}",
                String::from_utf8_lossy(text)
            );
        }
    }

    #[test]
    fn every_form_round_trips() {
        for text in [
            &b""[..],
            b"hello",
            b"0",
            b"-1",
            b"300",
            b"-70000",
            b"007",
            b"-0",
            b"\x00\xff\xc0",
            &[b'x'; 20000],
        ] {
            assert_eq!(decode(&encode(text)).as_deref(), Ok(text));
        }
    }

    #[test]
    fn reads_lzf() {
        // 100 × "a": compressed length 5, uncompressed 100, literal "a", then a back-reference of 90 + 7 + 2.
        let bytes = [0xc3, 0x05, 0x40, 0x64, 0x00, b'a', 0xe0, 90, 0x00];
        assert_eq!(decode(&bytes), Ok(vec![b'a'; 100]));
    }

    #[test]
    fn reads_lzf_as_redis_writes_it() {
        // `SET s:lzf <100 × "a">` then `SAVE` on Redis 7.0.15: compressed 9, uncompressed 100 (14-bit length).
        let bytes = [
            0xc3, 0x09, 0x40, 0x64, 0x01, 0x61, 0x61, 0xe0, 0x57, 0x00, 0x01, 0x61, 0x61,
        ];
        assert_eq!(decode(&bytes), Ok(vec![b'a'; 100]));
    }

    #[test]
    fn bad_headers_are_errors() {
        assert!(matches!(
            decode(&[0xc4]),
            Err(RdbError::InvalidEncoding { .. })
        ));
        assert!(matches!(
            decode(&[0xc1, 0x01]),
            Err(RdbError::Truncated { .. })
        ));
        assert!(matches!(
            decode(&[0x05, b'a']),
            Err(RdbError::Truncated { .. })
        ));
        assert!(matches!(
            decode(&[0xc3, 0x03, 0x05, 0x00, b'a']),
            Err(RdbError::Truncated { .. })
        ));
        assert!(matches!(
            decode(&[0xc3, 0x02, 0x05, 0x00, b'a', b'b']),
            Err(RdbError::CorruptLzf { .. })
        ));
        let absurd = [
            0xc3, 0x02, 0x81, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, b'a',
        ];
        assert!(matches!(decode(&absurd), Err(RdbError::CorruptLzf { .. })));
    }
}
