//! Length encoding (big-endian, 1, 2, 5 or 9 bytes) and its "special string" escape, `11xxxxxx`.

use std::io;

use crate::RdbError;
use crate::input::Input;
use crate::sink::Sink;

const LEN_6BIT: u8 = 0;
const LEN_14BIT: u8 = 1;
const LEN_32BIT: u8 = 0x80;
const LEN_64BIT: u8 = 0x81;
const LEN_ENCVAL: u8 = 3;

/// A decoded length field: either a length or the marker of a specially encoded string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Length {
    /// A plain length.
    Plain(u64),
    /// `11xxxxxx`: the low six bits name a string encoding (`RDB_ENC_*` in Redis).
    Special(u8),
}

/// Reads a length field that may be a special-encoding marker (only strings allow that).
pub(crate) fn read_length_or_special(input: &mut Input<'_>) -> Result<Length, RdbError> {
    let offset = input.offset();
    let first = input.read_u8()?;
    match first >> 6 {
        LEN_6BIT => Ok(Length::Plain(u64::from(first & 0x3f))),
        LEN_14BIT => {
            let second = input.read_u8()?;
            Ok(Length::Plain(
                (u64::from(first & 0x3f) << 8) | u64::from(second),
            ))
        }
        LEN_ENCVAL => Ok(Length::Special(first & 0x3f)),
        _ => match first {
            LEN_32BIT => Ok(Length::Plain(u64::from(u32::from_be_bytes(
                input.read_array()?,
            )))),
            LEN_64BIT => Ok(Length::Plain(u64::from_be_bytes(input.read_array()?))),
            _ => Err(RdbError::InvalidEncoding {
                offset,
                reason: "unknown length encoding",
            }),
        },
    }
}

/// Reads a plain length; a special-encoding marker is an error here.
pub(crate) fn read_length(input: &mut Input<'_>) -> Result<u64, RdbError> {
    let offset = input.offset();
    match read_length_or_special(input)? {
        Length::Plain(len) => Ok(len),
        Length::Special(_) => Err(RdbError::InvalidEncoding {
            offset,
            reason: "string encoding where a length was expected",
        }),
    }
}

/// Writes `len` in the shortest form, as Redis does.
pub(crate) fn write_length<S: Sink + ?Sized>(out: &mut S, len: u64) -> io::Result<()> {
    if len < 1 << 6 {
        out.put(&[len as u8])
    } else if len < 1 << 14 {
        out.put(&[(LEN_14BIT << 6) | (len >> 8) as u8, len as u8])
    } else if let Ok(len) = u32::try_from(len) {
        let mut bytes = [LEN_32BIT, 0, 0, 0, 0];
        bytes[1..].copy_from_slice(&len.to_be_bytes());
        out.put(&bytes)
    } else {
        let mut bytes = [LEN_64BIT, 0, 0, 0, 0, 0, 0, 0, 0];
        bytes[1..].copy_from_slice(&len.to_be_bytes());
        out.put(&bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(len: u64) -> Vec<u8> {
        let mut out = Vec::new();
        write_length(&mut out, len).expect("writing to a Vec cannot fail");
        out
    }

    fn decode(bytes: &[u8]) -> Result<Length, RdbError> {
        let mut input = Input::new(bytes);
        let length = read_length_or_special(&mut input)?;
        assert_eq!(
            input.remaining(),
            0,
            "decoding {bytes:02x?} left bytes over"
        );
        Ok(length)
    }

    #[test]
    fn writer_picks_the_shortest_form_at_each_boundary() {
        assert_eq!(encode(0), [0x00]);
        assert_eq!(encode(63), [0x3f]);
        assert_eq!(encode(64), [0x40, 0x40]);
        assert_eq!(encode(16383), [0x7f, 0xff]);
        assert_eq!(encode(16384), [0x80, 0x00, 0x00, 0x40, 0x00]);
        assert_eq!(encode(0xffff_ffff), [0x80, 0xff, 0xff, 0xff, 0xff]);
        assert_eq!(encode(0x1_0000_0000), [0x81, 0, 0, 0, 1, 0, 0, 0, 0]);
        assert_eq!(
            encode(u64::MAX),
            [0x81, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]
        );
    }

    #[test]
    fn round_trips() {
        for len in [
            0,
            1,
            63,
            64,
            300,
            16383,
            16384,
            70000,
            0xffff_ffff,
            0x1_0000_0000,
            u64::MAX,
        ] {
            assert_eq!(decode(&encode(len)), Ok(Length::Plain(len)), "len {len}");
        }
    }

    #[test]
    fn special_markers_and_bad_forms() {
        assert_eq!(decode(&[0xc0]), Ok(Length::Special(0)));
        assert_eq!(decode(&[0xc3]), Ok(Length::Special(3)));
        assert!(matches!(
            read_length(&mut Input::new(&[0xc0])),
            Err(RdbError::InvalidEncoding { .. })
        ));
        assert!(matches!(
            decode(&[0x82]),
            Err(RdbError::InvalidEncoding { .. })
        ));
        assert!(matches!(
            decode(&[0x80, 0, 0]),
            Err(RdbError::Truncated { .. })
        ));
        assert!(matches!(decode(&[0x40]), Err(RdbError::Truncated { .. })));
    }
}
