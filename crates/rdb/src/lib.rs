//! The Redis RDB snapshot format, as Redis 7.0 writes it (version 10): encode a [`keyspace::Keyspace`] with
//! its AUX fields (including the replication id and offset) and CRC-64, and decode such a file back.
//!
//! The same bytes serve as `dump.rdb` and as the payload of a full resync; this crate does no I/O beyond the
//! `io::Write` it is handed, and knows nothing of replication beyond the three AUX fields.
//!
//! ```
//! use bytes::Bytes;
//! use keyspace::{CompactBytes, Entry, Keyspace, Value};
//!
//! let mut keyspace = Keyspace::new(16);
//! let db = keyspace.db_mut(0).expect("db 0 exists");
//! db.insert(Bytes::from("cnt"), Entry { value: Value::String(CompactBytes::from_slice(b"42")), expire_at: Some(4102444800000) });
//!
//! let bytes = rdb::encode_to_vec(&keyspace, &rdb::SaveOptions::default());
//! let loaded = rdb::read_rdb(&bytes, 16).expect("our own output loads");
//! assert_eq!(loaded.keyspace.key_count(), 1);
//! assert_eq!(loaded.aux.redis_ver.as_deref(), Some("7.0.15"));
//! ```
//!
//! Module map: [`crc64()`] (the trailer), `length` and `string` (the two primitive encodings), `lzf`
//! (decompression), `aux` (AUX fields), `value` (one module per value type), `encode` and `decode` (the file).
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod aux;
mod crc64;
mod decode;
mod double;
mod dump;
mod encode;
mod error;
mod format;
mod input;
mod intset;
mod length;
mod listpack;
mod lzf;
mod sink;
mod string;
mod value;
mod ziplist;
mod zipmap;

pub use aux::AuxFields;
pub use crc64::crc64;
pub use decode::{Checksum, Loaded, StreamDecoder, read_rdb};
pub use dump::{
    DumpError, RestoreError, decode_functions, decode_value, encode_functions, encode_value,
};
pub use encode::{RdbWriter, SaveOptions, encode_to_vec, write_rdb};
pub use error::RdbError;

/// Replication info saved in and loaded from the AUX fields `repl-id`, `repl-offset`, `repl-stream-db`:
/// what lets a restarted server continue with a partial resync.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplInfo {
    /// The replication id, 40 hex characters.
    pub id: String,
    /// The replication offset (`master_repl_offset`).
    pub offset: i64,
    /// The db of the last SELECT put in the replication stream.
    pub stream_db: i64,
}
