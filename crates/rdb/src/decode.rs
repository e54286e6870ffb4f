//! The reader: RDB versions 1..=10 to a [`Keyspace`] plus what the file said about itself.

use bytes::Bytes;
use keyspace::{Entry, Keyspace, UnixMillis};

use crate::format::{
    FIRST_VERSION_WITH_CHECKSUM, MAGIC, RDB_OPCODE_AUX, RDB_OPCODE_EOF, RDB_OPCODE_EXPIRETIME,
    RDB_OPCODE_EXPIRETIME_MS, RDB_OPCODE_FREQ, RDB_OPCODE_FUNCTION, RDB_OPCODE_FUNCTION2,
    RDB_OPCODE_IDLE, RDB_OPCODE_MODULE_AUX, RDB_OPCODE_RESIZEDB, RDB_OPCODE_SELECTDB, RDB_VERSION,
};
use crate::input::Input;
use crate::length::read_length;
use crate::string::{read_bytes, read_string};
use crate::value::{is_value_type, read_value};
use crate::{AuxFields, RdbError, crc64};

/// The result of [`read_rdb`].
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The data, every key with its expiry, including expiries already in the past: whether to drop those
    /// (a master at startup) or keep them (a replica) is the server's decision.
    pub keyspace: Keyspace,
    /// The AUX fields the file carried.
    pub aux: AuxFields,
    /// The format version from the header.
    pub version: u32,
    /// What became of the CRC-64 trailer.
    pub checksum: Checksum,
    /// The function libraries (`RDB_OPCODE_FUNCTION2`), each the library's full code as `FUNCTION LOAD` got
    /// it, in file order.
    pub functions: Vec<Bytes>,
    /// Keys holding an empty collection, which were skipped (Redis logs "rdbLoadObject skipping empty
    /// key" for each and loads the rest).
    pub skipped_empty_keys: Vec<Bytes>,
}

/// What became of the CRC-64 trailer of a loaded file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Checksum {
    /// The stored checksum matched the data.
    Verified,
    /// The stored checksum was zero: the writer had `rdbchecksum no`, so nothing was checked
    /// (Redis logs "RDB file was saved with checksum disabled: no check performed.").
    Disabled,
    /// Versions before 5 have no checksum.
    Absent,
}

/// Decodes a complete RDB file into a keyspace of `databases` databases.
///
/// Accepts versions 1..=10, every string encoding (including LZF), every value type and encoding Redis 7.0
/// loads except modules and streams (refused with [`RdbError::UnsupportedValueType`]), both expiry opcodes,
/// and skips IDLE/FREQ hints and FUNCTION2 records. Nested encodings (listpack, ziplist, intset, zipmap) are
/// validated in full; a duplicate key, member or field is an error, an empty collection is skipped. The
/// CRC-64 is verified unless the stored value is zero. Nothing may follow the checksum.
pub fn read_rdb(bytes: &[u8], databases: usize) -> Result<Loaded, RdbError> {
    let mut input = Input::new(bytes);
    let version = read_header(&mut input)?;
    let mut keyspace = Keyspace::new(databases);
    let mut aux = AuxFields::default();
    let mut functions = Vec::new();
    let mut skipped_empty_keys = Vec::new();
    let mut db_index = 0;
    // Options read before a key apply to that key only.
    let mut expire_at: Option<UnixMillis> = None;
    loop {
        let offset = input.offset();
        match input.read_u8()? {
            RDB_OPCODE_EOF => break,
            RDB_OPCODE_SELECTDB => {
                let db = read_length(&mut input)?;
                db_index = usize::try_from(db)
                    .ok()
                    .filter(|&db| db < databases)
                    .ok_or(RdbError::DbOutOfRange { db, databases })?;
            }
            RDB_OPCODE_RESIZEDB => {
                // Sizing hints; `Db` has no way to use them.
                read_length(&mut input)?;
                read_length(&mut input)?;
            }
            RDB_OPCODE_AUX => {
                let key = read_string(&mut input)?;
                let value = read_string(&mut input)?;
                aux.record(&key, &value);
            }
            RDB_OPCODE_EXPIRETIME_MS => expire_at = Some(i64::from_le_bytes(input.read_array()?)),
            RDB_OPCODE_EXPIRETIME => {
                expire_at = Some(i64::from(i32::from_le_bytes(input.read_array()?)) * 1000)
            }
            RDB_OPCODE_IDLE => {
                read_length(&mut input)?;
            }
            RDB_OPCODE_FREQ => {
                input.read_u8()?;
            }
            RDB_OPCODE_FUNCTION2 => functions.push(read_bytes(&mut input)?),
            RDB_OPCODE_FUNCTION => {
                return Err(RdbError::UnsupportedRecord {
                    what: "FUNCTION (pre-release 7.0 format)",
                    offset,
                });
            }
            RDB_OPCODE_MODULE_AUX => {
                return Err(RdbError::UnsupportedRecord {
                    what: "MODULE_AUX",
                    offset,
                });
            }
            type_id if is_value_type(type_id) => {
                let key_offset = input.offset();
                let key = read_bytes(&mut input)?;
                let Some(value) = read_value(&mut input, type_id, &key)? else {
                    // Redis skips an empty collection with a warning rather than failing the load.
                    skipped_empty_keys.push(key);
                    expire_at = None;
                    continue;
                };
                let db = keyspace.db_mut(db_index).ok_or(RdbError::DbOutOfRange {
                    db: db_index as u64,
                    databases,
                })?;
                let entry = Entry {
                    value,
                    expire_at: expire_at.take(),
                };
                if db.insert(key, entry).is_some() {
                    // The key was moved into the db; decode it again for the message rather than cloning
                    // every key on the happy path.
                    let key = read_string(&mut Input::at(bytes, key_offset))?;
                    let key = String::from_utf8_lossy(&key).into_owned();
                    return Err(RdbError::DuplicateKey { db: db_index, key });
                }
            }
            byte => return Err(RdbError::UnknownOpcode { byte, offset }),
        }
    }
    let checksum = read_checksum(&mut input, version)?;
    if input.remaining() > 0 {
        return Err(RdbError::TrailingBytes {
            count: input.remaining(),
        });
    }
    Ok(Loaded {
        keyspace,
        aux,
        version,
        checksum,
        functions,
        skipped_empty_keys,
    })
}

/// Reads `REDIS` + four digits and returns the version, refusing ones this crate does not know.
fn read_header(input: &mut Input<'_>) -> Result<u32, RdbError> {
    let header: [u8; 9] = input.read_array().map_err(|_| RdbError::BadSignature)?;
    let (magic, digits) = header.split_at(MAGIC.len());
    if magic != MAGIC || !digits.iter().all(u8::is_ascii_digit) {
        return Err(RdbError::BadSignature);
    }
    let version = digits
        .iter()
        .fold(0, |version, digit| version * 10 + u32::from(digit - b'0'));
    if !(1..=RDB_VERSION).contains(&version) {
        return Err(RdbError::UnsupportedVersion { version });
    }
    Ok(version)
}

/// Reads and checks the CRC-64 trailer, which covers everything from the magic through the EOF opcode.
fn read_checksum(input: &mut Input<'_>, version: u32) -> Result<Checksum, RdbError> {
    if version < FIRST_VERSION_WITH_CHECKSUM {
        return Ok(Checksum::Absent);
    }
    let computed = crc64(0, input.consumed());
    let stored = u64::from_le_bytes(input.read_array()?);
    if stored == 0 {
        Ok(Checksum::Disabled)
    } else if stored != computed {
        Err(RdbError::ChecksumMismatch { computed, stored })
    } else {
        Ok(Checksum::Verified)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(bytes: &[u8]) -> Result<u32, RdbError> {
        read_header(&mut Input::new(bytes))
    }

    #[test]
    fn header_versions() {
        assert_eq!(header(b"REDIS0010"), Ok(10));
        assert_eq!(header(b"REDIS0001"), Ok(1));
        assert_eq!(
            header(b"REDIS0011"),
            Err(RdbError::UnsupportedVersion { version: 11 })
        );
        assert_eq!(
            header(b"REDIS9999"),
            Err(RdbError::UnsupportedVersion { version: 9999 })
        );
        assert_eq!(
            header(b"REDIS0000"),
            Err(RdbError::UnsupportedVersion { version: 0 })
        );
        assert_eq!(header(b"REDIS-010"), Err(RdbError::BadSignature));
        assert_eq!(header(b"redis0010"), Err(RdbError::BadSignature));
        assert_eq!(header(b"REDIS001"), Err(RdbError::BadSignature));
    }

    #[test]
    fn minimal_file_loads() {
        let mut file = b"REDIS0010\xff".to_vec();
        file.extend_from_slice(&crc64(0, &file).to_le_bytes());
        let loaded = read_rdb(&file, 16).expect("minimal file loads");
        assert_eq!(
            (loaded.version, loaded.checksum, loaded.keyspace.key_count()),
            (10, Checksum::Verified, 0)
        );
    }
}
