//! [`RdbError`]: why a byte string is not a loadable RDB file.

/// Why decoding failed. Messages follow Redis's log wording where Redis has one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RdbError {
    /// The first five bytes are not `REDIS` followed by four digits.
    #[error("Wrong signature trying to load DB from file")]
    BadSignature,
    /// The version is outside `1..=10`.
    #[error("Can't handle RDB format version {version}")]
    UnsupportedVersion {
        /// The version in the file header.
        version: u32,
    },
    /// The data ends before the structure being read is complete.
    #[error(
        "unexpected end of RDB data at offset {offset}: needed {needed} more bytes, {available} available"
    )]
    Truncated {
        /// Offset at which the read started.
        offset: usize,
        /// Bytes the read needed.
        needed: u64,
        /// Bytes that were left.
        available: usize,
    },
    /// The stored CRC-64 does not match the one computed over the file.
    #[error("Wrong RDB checksum expected: ({computed:x}) but got ({stored:x})")]
    ChecksumMismatch {
        /// Checksum computed over the data.
        computed: u64,
        /// Checksum stored in the file.
        stored: u64,
    },
    /// A byte that is neither an opcode nor a value type where one was expected.
    #[error("unknown RDB opcode or value type {byte} at offset {offset}")]
    UnknownOpcode {
        /// The offending byte.
        byte: u8,
        /// Its offset.
        offset: usize,
    },
    /// A Redis value type this crate does not load: module values (6, 7).
    #[error("cannot load key {key:?}: value type {type_id} ({type_name}) is not supported")]
    UnsupportedValueType {
        /// The RDB type id.
        type_id: u8,
        /// Redis's name for the type (`RDB_TYPE_*` without the prefix).
        type_name: &'static str,
        /// The key, lossily converted to text for the message.
        key: String,
    },
    /// A record type this crate does not support (modules, pre-release function format).
    #[error("unsupported RDB record {what} at offset {offset}")]
    UnsupportedRecord {
        /// What the record is, in Redis's words.
        what: &'static str,
        /// Offset of its opcode.
        offset: usize,
    },
    /// SELECTDB names a database the server does not have.
    #[error(
        "Data file was created with a Redis server configured to handle more than {databases} databases (SELECTDB {db})"
    )]
    DbOutOfRange {
        /// The database index in the file.
        db: u64,
        /// How many databases the caller has.
        databases: usize,
    },
    /// The same key appears twice in one database.
    #[error("duplicate key {key:?} in db {db}")]
    DuplicateKey {
        /// The database index.
        db: usize,
        /// The key, lossily converted to text for the message.
        key: String,
    },
    /// A value's structure is inconsistent: a bad count, length, backlen or prevlen in a listpack,
    /// ziplist, intset or zipmap, a duplicate member or field, a NaN score, a stream node or consumer
    /// group that does not hold together.
    #[error("corrupt {type_name} value for key {key:?}: {reason}")]
    CorruptValue {
        /// Redis's name for the value's RDB type (`RDB_TYPE_*` without the prefix).
        type_name: &'static str,
        /// The key, lossily converted to text for the message.
        key: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A length or string header is malformed.
    #[error("invalid encoding at offset {offset}: {reason}")]
    InvalidEncoding {
        /// Offset of the malformed item.
        offset: usize,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// An LZF-compressed string does not decompress to its stated length.
    #[error("corrupt LZF string at offset {offset}: {reason}")]
    CorruptLzf {
        /// Offset of the compressed payload.
        offset: usize,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// Bytes follow the end of the file (EOF opcode and checksum).
    #[error("{count} unexpected bytes after the end of the RDB data")]
    TrailingBytes {
        /// How many bytes follow.
        count: usize,
    },
}
