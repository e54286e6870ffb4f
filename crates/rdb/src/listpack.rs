//! Listpacks (the blob inside types 16, 17 and each node of 18): a validated decoder and an encoder that
//! lays elements out exactly as Redis 7.0 does, integer-looking strings included.
//!
//! Layout: total bytes (u32 LE), element count (u16 LE, 65535 = unknown), entries, `0xFF`. An entry is its
//! encoding and data followed by a "backlen" giving that size again, readable right to left.

use bytes::Bytes;

pub(crate) use keyspace::listpack::{backlen_size, canonical_int64, entry_size};

/// Header: total bytes (4) + element count (2).
const HEADER_SIZE: usize = 6;
/// The terminator byte, also what a count of 65535 means "count them".
const END: u8 = 0xff;
const COUNT_UNKNOWN: u16 = u16::MAX;

/// Redis refuses to grow a listpack past 1 GB (`LISTPACK_MAX_SAFETY_SIZE`); writers fall back to the
/// hashtable form beyond it, which also keeps every total under the u32 of the header.
pub(crate) const MAX_SAFE_SIZE: usize = 1 << 30;

/// One element of a listpack or ziplist: both store integer-looking strings as integers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Element<'a> {
    /// A byte string.
    Str(&'a [u8]),
    /// An integer, standing for its decimal text.
    Int(i64),
}

impl Element<'_> {
    /// The element as the string a client sees.
    pub(crate) fn to_bytes(self) -> Bytes {
        match self {
            Element::Str(bytes) => Bytes::copy_from_slice(bytes),
            // Exact size: stored values should not carry spare capacity and a sharing header.
            Element::Int(value) => Bytes::copy_from_slice(value.to_string().as_bytes()),
        }
    }
}

/// Decodes and fully validates a listpack: header total equal to the blob size, every entry inside the
/// blob with a backlen matching its size byte for byte, the terminator right after the last entry, and
/// the header count (unless 65535) equal to the number of entries.
pub(crate) fn decode(blob: &[u8]) -> Result<Vec<Element<'_>>, &'static str> {
    let header = blob
        .get(..HEADER_SIZE)
        .ok_or("listpack shorter than its header")?;
    let total = u32::from_le_bytes([header[0], header[1], header[2], header[3]]);
    if usize::try_from(total).ok() != Some(blob.len()) {
        return Err("listpack total bytes differ from the blob size");
    }
    if blob.last() != Some(&END) || blob.len() < HEADER_SIZE + 1 {
        return Err("listpack does not end with its terminator");
    }
    let count = u16::from_le_bytes([header[4], header[5]]);
    let end = blob.len() - 1;
    let mut elements = Vec::new();
    let mut position = HEADER_SIZE;
    while position < end {
        let (element, size) = decode_entry(&blob[position..end])?;
        let backlen_size = backlen_size(size);
        let backlen_start = position + size;
        let backlen = blob
            .get(backlen_start..backlen_start + backlen_size)
            .filter(|_| backlen_start + backlen_size <= end)
            .ok_or("listpack entry runs past the end")?;
        if backlen != encode_backlen(size).as_slice() {
            return Err("listpack backlen does not match the entry size");
        }
        elements.push(element);
        position = backlen_start + backlen_size;
    }
    if count != COUNT_UNKNOWN && usize::from(count) != elements.len() {
        return Err("listpack element count differs from its header");
    }
    Ok(elements)
}

/// The entry at the start of `rest` (which excludes the terminator) and its size without the backlen.
fn decode_entry(rest: &[u8]) -> Result<(Element<'_>, usize), &'static str> {
    const PAST_END: &str = "listpack entry runs past the end";
    let first = *rest.first().ok_or(PAST_END)?;
    let fixed = |len: usize| rest.get(1..1 + len).ok_or(PAST_END);
    let string = |header: usize, len: usize| {
        rest.get(header..header + len)
            .map(|data| (Element::Str(data), header + len))
            .ok_or(PAST_END)
    };
    match first {
        0x00..=0x7f => Ok((Element::Int(i64::from(first)), 1)),
        0x80..=0xbf => string(1, usize::from(first & 0x3f)),
        0xc0..=0xdf => {
            let low = fixed(1)?[0];
            let unsigned = (u16::from(first & 0x1f) << 8) | u16::from(low);
            // Sign-extend the 13-bit two's complement value.
            let value = i64::from(((unsigned << 3) as i16) >> 3);
            Ok((Element::Int(value), 2))
        }
        0xe0..=0xef => {
            let low = fixed(1)?[0];
            string(2, (usize::from(first & 0x0f) << 8) | usize::from(low))
        }
        0xf0 => {
            let len = fixed(4)?;
            let len = u32::from_le_bytes([len[0], len[1], len[2], len[3]]);
            string(5, usize::try_from(len).map_err(|_| PAST_END)?)
        }
        0xf1 => {
            let data = fixed(2)?;
            Ok((
                Element::Int(i64::from(i16::from_le_bytes([data[0], data[1]]))),
                3,
            ))
        }
        0xf2 => {
            let data = fixed(3)?;
            // Place the 24 bits at the top of an i32, then shift back down to sign-extend.
            let value = i32::from_le_bytes([0, data[0], data[1], data[2]]) >> 8;
            Ok((Element::Int(i64::from(value)), 4))
        }
        0xf3 => {
            let data = fixed(4)?;
            let value = i32::from_le_bytes([data[0], data[1], data[2], data[3]]);
            Ok((Element::Int(i64::from(value)), 5))
        }
        0xf4 => {
            let data = fixed(8)?;
            let mut bytes = [0u8; 8];
            bytes.copy_from_slice(data);
            Ok((Element::Int(i64::from_le_bytes(bytes)), 9))
        }
        _ => Err("invalid listpack entry encoding"),
    }
}

/// Builds listpacks; one builder can be reused for many (its buffer is kept).
#[derive(Debug, Default)]
pub(crate) struct Builder {
    buffer: Vec<u8>,
    count: usize,
}

impl Builder {
    pub(crate) fn new() -> Builder {
        let mut builder = Builder::default();
        builder.clear();
        builder
    }

    /// Empties the builder for the next listpack.
    pub(crate) fn clear(&mut self) {
        self.buffer.clear();
        self.buffer.extend_from_slice(&[0; HEADER_SIZE]);
        self.count = 0;
    }

    /// Appends a string, stored as an integer when it is one's canonical text (Redis's `lpAppend`).
    pub(crate) fn push(&mut self, element: &[u8]) {
        match canonical_int64(element) {
            Some(value) => self.push_int(value),
            None => {
                let len = element.len();
                let start = self.buffer.len();
                if len < 64 {
                    self.buffer.push(0x80 | len as u8);
                } else if len < 4096 {
                    self.buffer
                        .extend_from_slice(&[0xe0 | (len >> 8) as u8, len as u8]);
                } else {
                    self.buffer.push(0xf0);
                    // Callers keep listpacks under `MAX_SAFE_SIZE`, so the length fits in 32 bits.
                    self.buffer.extend_from_slice(&(len as u32).to_le_bytes());
                }
                self.buffer.extend_from_slice(element);
                self.finish_entry(start);
            }
        }
    }

    /// Appends an integer in the smallest encoding (Redis's `lpAppendInteger`).
    pub(crate) fn push_int(&mut self, value: i64) {
        let start = self.buffer.len();
        let bytes = value.to_le_bytes();
        if (0..=127).contains(&value) {
            self.buffer.push(value as u8);
        } else if (-4096..=4095).contains(&value) {
            let unsigned = (value as u16) & 0x1fff;
            self.buffer
                .extend_from_slice(&[0xc0 | (unsigned >> 8) as u8, unsigned as u8]);
        } else if i16::try_from(value).is_ok() {
            self.buffer.extend_from_slice(&[0xf1, bytes[0], bytes[1]]);
        } else if (-(1 << 23)..(1 << 23)).contains(&value) {
            self.buffer
                .extend_from_slice(&[0xf2, bytes[0], bytes[1], bytes[2]]);
        } else if i32::try_from(value).is_ok() {
            self.buffer
                .extend_from_slice(&[0xf3, bytes[0], bytes[1], bytes[2], bytes[3]]);
        } else {
            self.buffer.push(0xf4);
            self.buffer.extend_from_slice(&bytes);
        }
        self.finish_entry(start);
    }

    /// The finished listpack: header filled in, terminator appended. The builder must be cleared before
    /// it is used again.
    pub(crate) fn finish(&mut self) -> &[u8] {
        self.buffer.push(END);
        let total = u32::try_from(self.buffer.len()).unwrap_or(u32::MAX);
        let count = u16::try_from(self.count)
            .ok()
            .filter(|&count| count != COUNT_UNKNOWN)
            .unwrap_or(COUNT_UNKNOWN);
        self.buffer[..4].copy_from_slice(&total.to_le_bytes());
        self.buffer[4..HEADER_SIZE].copy_from_slice(&count.to_le_bytes());
        &self.buffer
    }

    fn finish_entry(&mut self, start: usize) {
        let size = self.buffer.len() - start;
        self.buffer
            .extend_from_slice(encode_backlen(size).as_slice());
        self.count += 1;
    }
}

/// A backlen: 7 bits per byte, most significant group first, every byte but the first flagged with 0x80.
fn encode_backlen(size: usize) -> Backlen {
    let len = backlen_size(size);
    let mut bytes = [0u8; 5];
    for (i, byte) in bytes[..len].iter_mut().enumerate() {
        let shift = 7 * (len - 1 - i);
        *byte = ((size >> shift) & 0x7f) as u8 | if i == 0 { 0 } else { 0x80 };
    }
    Backlen { bytes, len }
}

struct Backlen {
    bytes: [u8; 5],
    len: usize,
}

impl Backlen {
    fn as_slice(&self) -> &[u8] {
        &self.bytes[..self.len]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn build(elements: &[&[u8]]) -> Vec<u8> {
        let mut builder = Builder::new();
        for element in elements {
            builder.push(element);
        }
        builder.finish().to_vec()
    }

    #[test]
    fn redis_hash_example_byte_for_byte() {
        // Hash {f1: v1, f2: "2"} as Redis 7.0.15 saved it: 21 bytes, count 4, "2" stored as an integer.
        let expected = b"\x15\x00\x00\x00\x04\x00\x82f1\x03\x82v1\x03\x82f2\x03\x02\x01\xff";
        assert_eq!(build(&[b"f1", b"v1", b"f2", b"2"]), expected);
        let decoded = decode(expected).expect("valid");
        assert_eq!(
            decoded,
            [
                Element::Str(b"f1"),
                Element::Str(b"v1"),
                Element::Str(b"f2"),
                Element::Int(2)
            ]
        );
    }

    #[test]
    fn every_integer_width_round_trips_and_sizes_agree() {
        let values = [
            0,
            127,
            128,
            -1,
            -4096,
            4095,
            4096,
            -4097,
            32767,
            -32768,
            32768,
            8_388_607,
            -8_388_608,
            8_388_608,
            i64::from(i32::MAX),
            i64::from(i32::MIN),
            i64::from(i32::MAX) + 1,
            i64::MAX,
            i64::MIN,
        ];
        let texts: Vec<String> = values.iter().map(i64::to_string).collect();
        let elements: Vec<&[u8]> = texts.iter().map(String::as_bytes).collect();
        let blob = build(&elements);
        let expected_size: usize =
            HEADER_SIZE + 1 + elements.iter().map(|e| entry_size(e)).sum::<usize>();
        assert_eq!(blob.len(), expected_size);
        let decoded = decode(&blob).expect("valid");
        assert_eq!(decoded, values.map(Element::Int));
    }

    #[test]
    fn strings_of_every_length_class_round_trip() {
        let texts: Vec<Vec<u8>> = [0, 1, 63, 64, 127, 128, 4095, 4096, 20_000]
            .iter()
            .map(|&len| vec![b'x'; len])
            .chain([
                b"007".to_vec(),
                b"-0".to_vec(),
                b"+1".to_vec(),
                b"99999999999999999999".to_vec(),
            ])
            .collect();
        let elements: Vec<&[u8]> = texts.iter().map(Vec::as_slice).collect();
        let blob = build(&elements);
        let decoded = decode(&blob).expect("valid");
        let expected: Vec<Element<'_>> = elements.iter().map(|e| Element::Str(e)).collect();
        assert_eq!(decoded, expected);
        let sizes: usize = elements.iter().map(|e| entry_size(e)).sum();
        assert_eq!(blob.len(), HEADER_SIZE + 1 + sizes);
    }

    #[test]
    fn canonical_integers_follow_redis() {
        assert_eq!(canonical_int64(b"0"), Some(0));
        assert_eq!(canonical_int64(b"-9223372036854775808"), Some(i64::MIN));
        assert_eq!(canonical_int64(b"9223372036854775807"), Some(i64::MAX));
        for text in [
            &b"9223372036854775808"[..],
            b"-0",
            b"01",
            b"+1",
            b"",
            b"-",
            b"1 ",
            b"1.0",
        ] {
            assert_eq!(canonical_int64(text), None, "{text:?}");
        }
    }

    #[test]
    fn backlens_match_redis_thresholds() {
        assert_eq!(encode_backlen(127).as_slice(), [127]);
        assert_eq!(encode_backlen(128).as_slice(), [1, 0x80]);
        assert_eq!(encode_backlen(16382).as_slice(), [127, 0xfe]);
        assert_eq!(encode_backlen(16383).as_slice(), [0, 0xff, 0xff]);
    }

    #[test]
    fn corruptions_are_errors() {
        let good = build(&[b"ab", b"12", b"hello"]);
        assert!(decode(&good).is_ok());
        assert!(decode(&good[..good.len() - 1]).is_err());
        // Header, encodings, backlens and terminator: flipping any of them breaks the listpack.
        let structural = [0, 1, 2, 3, 4, 5, 6, 9, 11, 12, 18, 19];
        for offset in 0..good.len() {
            let mut bad = good.clone();
            bad[offset] ^= 0x01;
            let result = decode(&bad);
            if structural.contains(&offset) {
                assert!(result.is_err(), "flip at {offset} accepted");
            }
        }
        let mut wrong_count = good.clone();
        wrong_count[4] = 2;
        assert!(decode(&wrong_count).is_err());
        let mut unknown_count = good.clone();
        unknown_count[4..6].copy_from_slice(&[0xff, 0xff]);
        assert_eq!(decode(&unknown_count).map(|e| e.len()), Ok(3));
        assert!(decode(b"\x07\x00\x00\x00\x00\x00\xff").is_ok());
        assert!(decode(b"\x08\x00\x00\x00\x01\x00\xf5\xff").is_err());
        assert!(decode(b"").is_err());
    }
}
