//! `DUMP` / `RESTORE` and `FUNCTION DUMP` / `FUNCTION RESTORE` payloads: RDB records followed by the RDB
//! version (two bytes, little-endian) and a CRC-64 of everything before it, as Redis frames them.

use bytes::Bytes;

use crate::format::{RDB_OPCODE_FUNCTION, RDB_OPCODE_FUNCTION2, RDB_VERSION};
use crate::input::Input;
use crate::string::{read_bytes, write_string};

/// Why a function payload cannot be restored; `Display` is Redis's reply text (after `ERR `).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DumpError {
    /// Too short, a newer RDB version, or a checksum mismatch.
    #[error("DUMP payload version or checksum are wrong")]
    Framing,
    /// A record that is not a function library.
    #[error("given type is not a function")]
    NotAFunction,
    /// A library record that cannot be read.
    #[error("failed loading the given functions payload")]
    BadLibrary,
}

/// Why a `RESTORE` payload cannot be restored; `Display` is Redis's reply text (after `ERR `).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RestoreError {
    /// Too short, a newer RDB version, or a checksum mismatch.
    #[error("DUMP payload version or checksum are wrong")]
    Framing,
    /// The value inside does not decode.
    #[error("Bad data format")]
    BadData,
}

/// The payload of `DUMP` for `value`: its RDB type byte and encoding, then the framing.
pub fn encode_value(value: &keyspace::Value) -> Vec<u8> {
    let mut out = Vec::new();
    // The entry writer puts the key between the type byte and the value; an empty key is the single
    // length byte 0, which is cut out again.
    crate::value::write_typed_entry(&mut out, b"", value).expect("writing to a Vec cannot fail");
    out.remove(1);
    out.extend_from_slice(&(RDB_VERSION as u16).to_le_bytes());
    let crc = crate::crc64(0, &out);
    out.extend_from_slice(&crc.to_le_bytes());
    out
}

/// The value in a `RESTORE` payload, after checking its version and checksum. `key` only names the
/// value in errors.
pub fn decode_value(payload: &[u8], key: &[u8]) -> Result<keyspace::Value, RestoreError> {
    let body = check_framing(payload).ok_or(RestoreError::Framing)?;
    let mut input = Input::new(body);
    let type_id = input.read_u8().map_err(|_| RestoreError::BadData)?;
    if !crate::value::is_value_type(type_id) {
        return Err(RestoreError::BadData);
    }
    let value = crate::value::read_value(&mut input, type_id, key)
        .ok()
        .flatten()
        .ok_or(RestoreError::BadData)?;
    if input.remaining() != 0 {
        return Err(RestoreError::BadData);
    }
    Ok(value)
}

/// The body of a payload whose trailer (version, CRC-64) is right.
fn check_framing(payload: &[u8]) -> Option<&[u8]> {
    if payload.len() < 10 {
        return None;
    }
    let (body, trailer) = payload.split_at(payload.len() - 10);
    let version = u16::from_le_bytes([trailer[0], trailer[1]]);
    let stored = u64::from_le_bytes(trailer[2..].try_into().ok()?);
    (u32::from(version) <= RDB_VERSION && crate::crc64(0, &payload[..payload.len() - 8]) == stored)
        .then_some(body)
}

/// The payload of `FUNCTION DUMP` for these libraries (each the full code `FUNCTION LOAD` was given).
pub fn encode_functions(libraries: &[Bytes]) -> Vec<u8> {
    let mut out = Vec::new();
    for library in libraries {
        out.push(RDB_OPCODE_FUNCTION2);
        write_string(&mut out, library).expect("writing to a Vec cannot fail");
    }
    out.extend_from_slice(&(RDB_VERSION as u16).to_le_bytes());
    let crc = crate::crc64(0, &out);
    out.extend_from_slice(&crc.to_le_bytes());
    out
}

/// The libraries in a `FUNCTION RESTORE` payload, after checking its version and checksum.
pub fn decode_functions(payload: &[u8]) -> Result<Vec<Bytes>, DumpError> {
    let body = check_framing(payload).ok_or(DumpError::Framing)?;
    let mut input = Input::new(body);
    let mut libraries = Vec::new();
    while input.remaining() > 0 {
        match input.read_u8().map_err(|_| DumpError::BadLibrary)? {
            RDB_OPCODE_FUNCTION2 => {
                libraries.push(read_bytes(&mut input).map_err(|_| DumpError::BadLibrary)?)
            }
            // The 7.0 release candidates' format, which Redis 7.0 itself no longer accepts either.
            RDB_OPCODE_FUNCTION => return Err(DumpError::BadLibrary),
            _ => return Err(DumpError::NotAFunction),
        }
    }
    Ok(libraries)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_framing_errors() {
        let libraries = vec![
            Bytes::from_static(
                b"#!lua name=a\nredis.register_function('f', function() return 1 end)",
            ),
            Bytes::from_static(
                b"#!lua name=b\nredis.register_function('g', function() return 2 end)",
            ),
        ];
        let payload = encode_functions(&libraries);
        assert_eq!(decode_functions(&payload).unwrap(), libraries);
        assert_eq!(
            decode_functions(&encode_functions(&[])).unwrap(),
            Vec::<Bytes>::new()
        );
        let mut corrupt = payload.clone();
        corrupt[3] ^= 1;
        assert_eq!(decode_functions(&corrupt), Err(DumpError::Framing));
        assert_eq!(decode_functions(b"short"), Err(DumpError::Framing));
        for cut in 0..payload.len() {
            let _ = decode_functions(&payload[..cut]);
        }
    }

    #[test]
    fn a_key_record_is_not_a_function() {
        let mut body = vec![0u8, 1, b'k', 1, b'v'];
        body.extend_from_slice(&(RDB_VERSION as u16).to_le_bytes());
        let crc = crate::crc64(0, &body);
        body.extend_from_slice(&crc.to_le_bytes());
        assert_eq!(decode_functions(&body), Err(DumpError::NotAFunction));
    }
}
