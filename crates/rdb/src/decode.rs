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
/// loads except modules (refused with [`RdbError::UnsupportedValueType`]), both expiry opcodes,
/// and skips IDLE/FREQ hints; FUNCTION2 records are collected. Nested encodings (listpack, ziplist, intset,
/// zipmap, stream nodes and consumer groups) are validated in full; a duplicate key, member or field is an
/// error, an empty collection is skipped (an empty stream is kept, as Redis keeps it). The CRC-64 is verified unless the stored value is zero. Nothing may follow the checksum.
pub fn read_rdb(bytes: &[u8], databases: usize) -> Result<Loaded, RdbError> {
    let mut decoder = StreamDecoder::new(databases);
    decoder.feed(bytes)?;
    decoder.finish()
}

/// An RDB file decoded as it arrives (a replica loading its master's snapshot straight from the socket):
/// [`StreamDecoder::feed`] takes the next bytes and decodes every record they complete; a record cut by the
/// end of what has arrived so far is decoded again from its start once enough more bytes are there (a
/// record's reads all happen before anything is stored, so a retry is clean).
#[derive(Debug)]
pub struct StreamDecoder {
    databases: usize,
    /// Bytes received and not yet decoded (a partial record at most, plus what follows it).
    pending: Vec<u8>,
    /// CRC-64 of every byte decoded so far (the trailer covers magic through the EOF opcode).
    crc: u64,
    /// Total bytes decoded so far, for error offsets.
    consumed: usize,
    /// Don't retry a cut record before `pending` has this many bytes: a retry costs a re-read of the
    /// record, so they are spaced geometrically.
    retry_at: usize,
    stage: Stage,
    keyspace: Keyspace,
    aux: AuxFields,
    functions: Vec<Bytes>,
    skipped_empty_keys: Vec<Bytes>,
    db_index: usize,
    /// An expiry read before a key applies to that key only.
    expire_at: Option<UnixMillis>,
    keys_loaded: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Header,
    Records { version: u32 },
    Checksum { version: u32 },
    Done { version: u32, checksum: Checksum },
}

/// One decoded record's effect, applied only once the whole record was read.
enum Record {
    Eof,
    Select(usize),
    Aux(Vec<u8>, Vec<u8>),
    Expire(UnixMillis),
    Function(Bytes),
    Key(Bytes, Option<keyspace::Value>),
    Ignored,
}

impl StreamDecoder {
    /// A decoder for a keyspace of `databases` databases.
    pub fn new(databases: usize) -> StreamDecoder {
        StreamDecoder {
            databases,
            pending: Vec::new(),
            crc: 0,
            consumed: 0,
            retry_at: 0,
            stage: Stage::Header,
            keyspace: Keyspace::new(databases),
            aux: AuxFields::default(),
            functions: Vec::new(),
            skipped_empty_keys: Vec::new(),
            db_index: 0,
            expire_at: None,
            keys_loaded: 0,
        }
    }

    /// Keys stored so far.
    pub fn keys_loaded(&self) -> u64 {
        self.keys_loaded
    }

    /// Whether the whole file, checksum included, has been decoded.
    pub fn is_done(&self) -> bool {
        matches!(self.stage, Stage::Done { .. })
    }

    /// Takes the next bytes of the file and decodes every record they complete. Bytes after the checksum
    /// are an error.
    pub fn feed(&mut self, bytes: &[u8]) -> Result<(), RdbError> {
        if self.is_done() && !bytes.is_empty() {
            return Err(RdbError::TrailingBytes { count: bytes.len() });
        }
        self.pending.extend_from_slice(bytes);
        if self.pending.len() < self.retry_at {
            return Ok(());
        }
        let pending = std::mem::take(&mut self.pending);
        let mut input = Input::new(&pending);
        let outcome = loop {
            let start = input.offset();
            if let Stage::Checksum { version } = self.stage
                && version < FIRST_VERSION_WITH_CHECKSUM
            {
                self.stage = Stage::Done {
                    version,
                    checksum: Checksum::Absent,
                };
            }
            if input.remaining() == 0 || matches!(self.stage, Stage::Done { .. }) {
                break Ok(start);
            }
            // Ok(true): the bytes read are covered by the checksum.
            let step = match self.stage {
                // The header's own error is about the signature: wait for all of it first.
                Stage::Header if input.remaining() < 9 => Err(RdbError::Truncated {
                    offset: start,
                    needed: 9,
                    available: input.remaining(),
                }),
                Stage::Header => read_header(&mut input).map(|version| {
                    self.stage = Stage::Records { version };
                    true
                }),
                Stage::Records { version } => {
                    read_record(&mut input, self.databases, self.consumed + start)
                        .and_then(|record| self.apply(record, version))
                        .map(|()| true)
                }
                Stage::Checksum { version } => {
                    read_trailer(&mut input, version, self.crc).map(|checksum| {
                        self.stage = Stage::Done { version, checksum };
                        false
                    })
                }
                Stage::Done { .. } => break Ok(start),
            };
            match step {
                Ok(covered) => {
                    if covered {
                        self.crc = crc64(self.crc, &pending[start..input.offset()]);
                    }
                }
                Err(RdbError::Truncated {
                    needed, available, ..
                }) => {
                    let short = usize::try_from(needed)
                        .unwrap_or(usize::MAX)
                        .saturating_sub(available);
                    let unread = pending.len() - start;
                    self.retry_at = pending.len().saturating_add(short.max(unread / 2).max(1));
                    break Ok(start);
                }
                Err(error) => break Err(error),
            }
        };
        self.pending = pending;
        let decoded = outcome?;
        self.consumed += decoded;
        self.pending.drain(..decoded);
        self.retry_at = self.retry_at.saturating_sub(decoded);
        if self.is_done() && !self.pending.is_empty() {
            return Err(RdbError::TrailingBytes {
                count: self.pending.len(),
            });
        }
        Ok(())
    }

    /// Stores what a fully read record says.
    fn apply(&mut self, record: Record, version: u32) -> Result<(), RdbError> {
        match record {
            Record::Eof => self.stage = Stage::Checksum { version },
            Record::Select(db) => self.db_index = db,
            Record::Aux(key, value) => self.aux.record(&key, &value),
            Record::Expire(at) => self.expire_at = Some(at),
            Record::Function(code) => self.functions.push(code),
            Record::Ignored => {}
            Record::Key(key, None) => {
                // Redis skips an empty collection with a warning rather than failing the load.
                self.skipped_empty_keys.push(key);
                self.expire_at = None;
            }
            Record::Key(key, Some(value)) => {
                let (db_index, databases) = (self.db_index, self.databases);
                let db = self
                    .keyspace
                    .db_mut(db_index)
                    .ok_or(RdbError::DbOutOfRange {
                        db: db_index as u64,
                        databases,
                    })?;
                if db.peek(&key).is_some() {
                    let key = String::from_utf8_lossy(&key).into_owned();
                    return Err(RdbError::DuplicateKey { db: db_index, key });
                }
                let entry = Entry {
                    value,
                    expire_at: self.expire_at.take(),
                };
                db.insert(key, entry);
                self.keys_loaded += 1;
            }
        }
        Ok(())
    }

    /// The loaded file; an error if it ended before its checksum.
    pub fn finish(mut self) -> Result<Loaded, RdbError> {
        if !self.is_done() && !self.pending.is_empty() {
            // Whatever is pending was held back only to space out retries: decode it now.
            self.retry_at = 0;
            self.feed(&[])?;
        }
        let Stage::Done { version, checksum } = self.stage else {
            let mut input = Input::new(&self.pending);
            let needed = match self.stage {
                Stage::Header => read_header(&mut input).err(),
                _ => None,
            };
            return Err(needed.unwrap_or(RdbError::Truncated {
                offset: self.consumed,
                needed: 1,
                available: self.pending.len(),
            }));
        };
        Ok(Loaded {
            keyspace: self.keyspace,
            aux: self.aux,
            version,
            checksum,
            functions: self.functions,
            skipped_empty_keys: self.skipped_empty_keys,
        })
    }
}

/// Reads one record (an opcode and its payload, or a key and its value) without storing anything.
fn read_record(input: &mut Input<'_>, databases: usize, offset: usize) -> Result<Record, RdbError> {
    Ok(match input.read_u8()? {
        RDB_OPCODE_EOF => Record::Eof,
        RDB_OPCODE_SELECTDB => {
            let db = read_length(input)?;
            Record::Select(
                usize::try_from(db)
                    .ok()
                    .filter(|&db| db < databases)
                    .ok_or(RdbError::DbOutOfRange { db, databases })?,
            )
        }
        RDB_OPCODE_RESIZEDB => {
            // Sizing hints; `Db` has no way to use them.
            read_length(input)?;
            read_length(input)?;
            Record::Ignored
        }
        RDB_OPCODE_AUX => {
            let key = read_string(input)?.into_owned();
            let value = read_string(input)?.into_owned();
            Record::Aux(key, value)
        }
        RDB_OPCODE_EXPIRETIME_MS => Record::Expire(i64::from_le_bytes(input.read_array()?)),
        RDB_OPCODE_EXPIRETIME => {
            Record::Expire(i64::from(i32::from_le_bytes(input.read_array()?)) * 1000)
        }
        RDB_OPCODE_IDLE => {
            read_length(input)?;
            Record::Ignored
        }
        RDB_OPCODE_FREQ => {
            input.read_u8()?;
            Record::Ignored
        }
        RDB_OPCODE_FUNCTION2 => Record::Function(read_bytes(input)?),
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
            let key = read_bytes(input)?;
            let value = read_value(input, type_id, &key)?;
            Record::Key(key, value)
        }
        byte => return Err(RdbError::UnknownOpcode { byte, offset }),
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

/// Reads and checks the CRC-64 trailer against `computed`, the checksum of everything from the magic through
/// the EOF opcode.
fn read_trailer(input: &mut Input<'_>, version: u32, computed: u64) -> Result<Checksum, RdbError> {
    if version < FIRST_VERSION_WITH_CHECKSUM {
        return Ok(Checksum::Absent);
    }
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
