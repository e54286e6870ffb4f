//! Zipmaps (the blob of type 9, written by Redis 2.4 and older): decode only, validated like Redis's
//! deep check.
//!
//! Layout: a count byte (254 = unknown), then pairs `<len><field><len><free><value><free bytes>`, then
//! `0xFF`. A `<len>` is one byte below 254, else `0xFE` followed by a u32 (little-endian, as written on
//! the little-endian machines of the time).

const BIGLEN: u8 = 254;
const END: u8 = 0xff;

/// A (field, value) pair borrowed from the blob.
pub(crate) type Pair<'a> = (&'a [u8], &'a [u8]);

/// Decodes and validates a zipmap into (field, value) pairs: every length and padding inside the blob,
/// the terminator last, at least one pair, and the count byte (unless 254) equal to the number of pairs.
pub(crate) fn decode(blob: &[u8]) -> Result<Vec<Pair<'_>>, &'static str> {
    const PAST_END: &str = "zipmap entry runs past the end";
    let (&count, _) = blob.split_first().ok_or("zipmap is empty")?;
    if blob.len() < 2 || blob.last() != Some(&END) {
        return Err("zipmap does not end with its terminator");
    }
    // Entries live in blob[1..end]; the terminator is excluded so nothing can run into it.
    let end = blob.len() - 1;
    let mut rest = &blob[1..end];
    let mut pairs = Vec::new();
    while !rest.is_empty() {
        let field_len = read_len(&mut rest)?;
        let field = take(&mut rest, field_len).ok_or(PAST_END)?;
        let value_len = read_len(&mut rest)?;
        let free = usize::from(
            *take(&mut rest, 1)
                .ok_or(PAST_END)?
                .first()
                .ok_or(PAST_END)?,
        );
        let value = take(&mut rest, value_len).ok_or(PAST_END)?;
        take(&mut rest, free).ok_or(PAST_END)?;
        pairs.push((field, value));
    }
    if pairs.is_empty() {
        return Err("zipmap has no entries");
    }
    if count != BIGLEN && usize::from(count) != pairs.len() {
        return Err("zipmap count differs from its entries");
    }
    Ok(pairs)
}

fn read_len(rest: &mut &[u8]) -> Result<usize, &'static str> {
    const PAST_END: &str = "zipmap length runs past the end";
    let first = *take(rest, 1).ok_or(PAST_END)?.first().ok_or(PAST_END)?;
    match first {
        BIGLEN => {
            let bytes = take(rest, 4).ok_or(PAST_END)?;
            let len = u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
            usize::try_from(len).map_err(|_| PAST_END)
        }
        END => Err("zipmap length is the terminator byte"),
        small => Ok(usize::from(small)),
    }
}

fn take<'a>(rest: &mut &'a [u8], len: usize) -> Option<&'a [u8]> {
    if len > rest.len() {
        return None;
    }
    let (head, tail) = rest.split_at(len);
    *rest = tail;
    Some(head)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_pairs_with_free_space_and_big_lengths() {
        let mut blob = b"\x02\x03foo\x03\x02bar\x00\x00".to_vec();
        blob.extend_from_slice(b"\xfe\x00\x01\x00\x00");
        blob.extend_from_slice(&[b'k'; 256]);
        blob.extend_from_slice(b"\x01\x00v\xff");
        let pairs = decode(&blob).expect("valid");
        assert_eq!(
            pairs,
            [(&b"foo"[..], &b"bar"[..]), (&[b'k'; 256][..], &b"v"[..])]
        );
        let mut unknown = blob.clone();
        unknown[0] = BIGLEN;
        assert_eq!(decode(&unknown).map(|p| p.len()), Ok(2));
    }

    #[test]
    fn inconsistencies_are_errors() {
        assert!(decode(b"\x00\xff").is_err(), "no entries");
        assert!(decode(b"\x02\x01a\x01\x00b\xff").is_err(), "count");
        assert!(decode(b"\x01\x01a\x01\x00b").is_err(), "terminator");
        assert!(
            decode(b"\x01\x01a\x01\x05b\xff").is_err(),
            "free past the end"
        );
        assert!(
            decode(b"\x01\x01a\x05\x00b\xff").is_err(),
            "value past the end"
        );
        assert!(decode(b"\x01\x01a\xff").is_err(), "missing value");
        assert!(decode(b"").is_err());
    }
}
