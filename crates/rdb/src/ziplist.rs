//! Ziplists (the blob inside types 10, 12, 13 and each node of 14): Redis before 7.0 wrote them, 7.0 only
//! loads them, so this is a decoder only, validating as strictly as Redis's deep integrity check.
//!
//! Layout: total bytes (u32 LE), offset of the last entry (u32 LE), entry count (u16 LE, 65535 = unknown),
//! entries, `0xFF`. An entry is the previous entry's size (1 byte if < 254, else `0xFE` + u32 LE), an
//! encoding header, and the data.

use crate::listpack::Element;

const HEADER_SIZE: usize = 10;
const END: u8 = 0xff;
const BIG_PREVLEN: u8 = 0xfe;
const COUNT_UNKNOWN: u16 = u16::MAX;

/// Decodes and validates a ziplist: header total equal to the blob size, terminator last, every entry
/// inside the blob, each prevlen equal to the size of the entry before it, the tail offset pointing at
/// the last entry, and the header count (unless 65535) equal to the number of entries.
pub(crate) fn decode(blob: &[u8]) -> Result<Vec<Element<'_>>, &'static str> {
    let header = blob
        .get(..HEADER_SIZE)
        .ok_or("ziplist shorter than its header")?;
    let total = u32::from_le_bytes([header[0], header[1], header[2], header[3]]);
    let tail = u32::from_le_bytes([header[4], header[5], header[6], header[7]]);
    let count = u16::from_le_bytes([header[8], header[9]]);
    if usize::try_from(total).ok() != Some(blob.len()) {
        return Err("ziplist total bytes differ from the blob size");
    }
    if blob.len() < HEADER_SIZE + 1 || blob.last() != Some(&END) {
        return Err("ziplist does not end with its terminator");
    }
    let end = blob.len() - 1;
    if usize::try_from(tail).map_or(true, |tail| tail > end) {
        return Err("ziplist tail offset outside the blob");
    }
    let mut elements = Vec::new();
    let mut position = HEADER_SIZE;
    let mut previous_size = 0;
    let mut last_start = None;
    // The entries end where the terminator is; `end` excludes it, so no entry can swallow it.
    while position < end {
        let rest = &blob[position..end];
        let (prevlen, prevlen_size) = decode_prevlen(rest)?;
        if prevlen != previous_size {
            return Err("ziplist prevlen differs from the previous entry's size");
        }
        let (element, body_size) = decode_body(&rest[prevlen_size..])?;
        let size = prevlen_size + body_size;
        elements.push(element);
        last_start = Some(position);
        previous_size = size;
        position += size;
    }
    if last_start.is_some_and(|start| Some(start) != usize::try_from(tail).ok()) {
        return Err("ziplist tail offset does not point at the last entry");
    }
    if count != COUNT_UNKNOWN && usize::from(count) != elements.len() {
        return Err("ziplist entry count differs from its header");
    }
    Ok(elements)
}

fn decode_prevlen(rest: &[u8]) -> Result<(usize, usize), &'static str> {
    const PAST_END: &str = "ziplist prevlen runs past the end";
    match *rest.first().ok_or(PAST_END)? {
        BIG_PREVLEN => {
            let bytes = rest.get(1..5).ok_or(PAST_END)?;
            let len = u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
            Ok((usize::try_from(len).map_err(|_| PAST_END)?, 5))
        }
        // 0xFF here would be the terminator, which `decode` never hands over.
        END => Err("ziplist prevlen is the terminator byte"),
        small => Ok((usize::from(small), 1)),
    }
}

/// The encoding header and data at the start of `rest`; returns the element and their combined size.
fn decode_body(rest: &[u8]) -> Result<(Element<'_>, usize), &'static str> {
    const PAST_END: &str = "ziplist entry runs past the end";
    let first = *rest.first().ok_or(PAST_END)?;
    let data = |header: usize, len: usize| rest.get(header..header + len).ok_or(PAST_END);
    let string = |header: usize, len: usize| Ok((Element::Str(data(header, len)?), header + len));
    let int = |len: usize| -> Result<(Element<'_>, usize), &'static str> {
        let bytes = data(1, len)?;
        // Little-endian, sign-extended from its top byte.
        let mut wide = [0u8; 8];
        wide[8 - len..].copy_from_slice(bytes);
        let value = i64::from_le_bytes(wide) >> (8 * (8 - len));
        Ok((Element::Int(value), 1 + len))
    };
    match first {
        0x00..=0x3f => string(1, usize::from(first & 0x3f)),
        0x40..=0x7f => {
            let low = data(1, 1)?[0];
            string(2, (usize::from(first & 0x3f) << 8) | usize::from(low))
        }
        0x80..=0xbf => {
            let len = data(1, 4)?;
            let len = u32::from_be_bytes([len[0], len[1], len[2], len[3]]);
            string(5, usize::try_from(len).map_err(|_| PAST_END)?)
        }
        0xc0 => int(2),
        0xd0 => int(4),
        0xe0 => int(8),
        0xf0 => int(3),
        0xfe => int(1),
        0xf1..=0xfd => Ok((Element::Int(i64::from(first & 0x0f) - 1), 1)),
        _ => Err("invalid ziplist entry encoding"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Assembles a ziplist from already-encoded entry bodies, computing prevlens, tail and header.
    fn ziplist(bodies: &[&[u8]]) -> Vec<u8> {
        let mut entries = Vec::new();
        let mut previous = 0usize;
        let mut tail = HEADER_SIZE;
        for body in bodies {
            tail = HEADER_SIZE + entries.len();
            let start = entries.len();
            if previous < 254 {
                entries.push(previous as u8);
            } else {
                entries.push(BIG_PREVLEN);
                entries.extend_from_slice(&(previous as u32).to_le_bytes());
            }
            entries.extend_from_slice(body);
            previous = entries.len() - start;
        }
        let total = HEADER_SIZE + entries.len() + 1;
        let mut blob = (total as u32).to_le_bytes().to_vec();
        blob.extend_from_slice(&(tail as u32).to_le_bytes());
        blob.extend_from_slice(&(bodies.len() as u16).to_le_bytes());
        blob.extend_from_slice(&entries);
        blob.push(END);
        blob
    }

    #[test]
    fn every_encoding_decodes() {
        let long = vec![b'y'; 300];
        let mut long_body = vec![0x40 | 0x01, 0x2c];
        long_body.extend_from_slice(&long);
        let mut huge_body = vec![0x80, 0, 0, 0x40, 0];
        let huge = vec![b'z'; 0x4000];
        huge_body.extend_from_slice(&huge);
        let blob = ziplist(&[
            b"\x02ab",
            &long_body,
            b"\xc0\x39\x30",
            b"\xd0\xff\xff\xff\xff",
            b"\xe0\x00\x00\x00\x00\x00\x00\x00\x80",
            b"\xf0\xff\xff\x7f",
            b"\xfe\x80",
            b"\xf1",
            b"\xfd",
            &huge_body,
            b"\x00",
        ]);
        assert_eq!(
            decode(&blob),
            Ok(vec![
                Element::Str(b"ab"),
                Element::Str(&long),
                Element::Int(12345),
                Element::Int(-1),
                Element::Int(i64::MIN),
                Element::Int(8_388_607),
                Element::Int(-128),
                Element::Int(0),
                Element::Int(12),
                Element::Str(&huge),
                Element::Str(b""),
            ])
        );
    }

    #[test]
    fn empty_ziplist_decodes() {
        assert_eq!(decode(&ziplist(&[])), Ok(vec![]));
    }

    #[test]
    fn inconsistencies_are_errors() {
        let good = ziplist(&[b"\x02ab", b"\xf2", b"\x01c"]);
        assert!(decode(&good).is_ok());
        let flip = |offset: usize, value: u8| {
            let mut bad = good.clone();
            bad[offset] = value;
            decode(&bad).map(|elements| elements.len())
        };
        assert!(flip(0, 0x20).is_err(), "total");
        assert!(flip(4, 0x0a).is_err(), "tail");
        assert!(flip(8, 0x02).is_err(), "count");
        assert!(flip(10, 0x01).is_err(), "first prevlen");
        assert!(flip(14, 0x03).is_err(), "second prevlen");
        assert!(flip(15, 0xc1).is_err(), "encoding");
        assert!(flip(good.len() - 1, 0x00).is_err(), "terminator");
        assert!(decode(&good[..good.len() - 1]).is_err());
        let mut unknown = good.clone();
        unknown[8..10].copy_from_slice(&[0xff, 0xff]);
        assert_eq!(decode(&unknown).map(|e| e.len()), Ok(3));
    }
}
