//! The writer: a [`Keyspace`] snapshot to RDB version 10 bytes, laid out as Redis 7.0.15 lays them out.

use std::io::{self, Write};

use keyspace::{Entry, Keyspace};

use crate::ReplInfo;
use crate::aux::write_aux_fields;
use crate::format::{
    MAGIC, RDB_OPCODE_EOF, RDB_OPCODE_EXPIRETIME_MS, RDB_OPCODE_FUNCTION2, RDB_OPCODE_RESIZEDB,
    RDB_OPCODE_SELECTDB, RDB_VERSION,
};
use crate::length::write_length;
use crate::sink::{ChecksummedWriter, Sink};
use crate::string::write_string;
use crate::value::write_typed_entry;

/// What the writer puts in the AUX fields besides the fixed `redis-ver`, `redis-bits` and `aof-base`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SaveOptions {
    /// `repl-stream-db`, `repl-id`, `repl-offset`: written only when present, i.e. when the server has
    /// replication info worth resuming from (a master with a backlog, or a replica).
    pub repl: Option<ReplInfo>,
    /// `ctime`: the save time, Unix seconds.
    pub ctime_secs: i64,
    /// `used-mem`: the server's memory use in bytes.
    pub used_mem: i64,
    /// Function libraries, each the full code `FUNCTION LOAD` was given, written after the AUX fields as
    /// Redis writes them (`RDB_OPCODE_FUNCTION2`).
    pub functions: Vec<bytes::Bytes>,
    /// `aof-base`: the file is the base of an AOF (Redis writes 1 there, 0 in a plain dump).
    pub aof_base: bool,
}

/// Writes `keyspace` as an RDB file to `out`: magic `REDIS0010`, AUX fields, each non-empty db
/// (SELECTDB, RESIZEDB, its entries), EOF, CRC-64.
///
/// Every value type is written the way Redis 7.0.15 writes it, the RDB form chosen from the value's
/// `encoding()`. Output is buffered internally, so `out` needs no `BufWriter`. Fails with the first I/O
/// error of `out`.
pub fn write_rdb<W: Write>(keyspace: &Keyspace, options: &SaveOptions, out: W) -> io::Result<()> {
    let mut writer = RdbWriter::new(out, options)?;
    for (index, db) in keyspace.dbs() {
        if db.is_empty() {
            continue;
        }
        writer.select_db(index, db.len(), db.expires_len())?;
        for (key, entry) in db.iter() {
            writer.entry(key, entry)?;
        }
    }
    writer.finish()?;
    Ok(())
}

/// An RDB file written piece by piece, for snapshots produced a few keys at a time: the header and AUX
/// fields on creation, then for each database a [`RdbWriter::select_db`] followed by its entries, then
/// [`RdbWriter::finish`] for the EOF opcode and the CRC-64.
pub struct RdbWriter<W: Write> {
    out: ChecksummedWriter<W>,
}

impl<W: Write> RdbWriter<W> {
    /// Starts a file: magic, version, AUX fields.
    pub fn new(out: W, options: &SaveOptions) -> io::Result<RdbWriter<W>> {
        let mut out = ChecksummedWriter::new(out);
        out.put(MAGIC)?;
        out.put(format!("{RDB_VERSION:04}").as_bytes())?;
        write_aux_fields(&mut out, options)?;
        for library in &options.functions {
            out.put(&[RDB_OPCODE_FUNCTION2])?;
            write_string(&mut out, library)?;
        }
        Ok(RdbWriter { out })
    }

    /// Starts database `index`, announcing its size (`keys`, of which `expires` have a TTL) so the loader
    /// can size its tables.
    pub fn select_db(&mut self, index: usize, keys: usize, expires: usize) -> io::Result<()> {
        self.out.put(&[RDB_OPCODE_SELECTDB])?;
        write_length(&mut self.out, index as u64)?;
        self.out.put(&[RDB_OPCODE_RESIZEDB])?;
        write_length(&mut self.out, keys as u64)?;
        write_length(&mut self.out, expires as u64)
    }

    /// One key of the current database, with its expiry.
    pub fn entry(&mut self, key: &[u8], entry: &Entry) -> io::Result<()> {
        if let Some(expire_at) = entry.expire_at {
            let mut expire = [RDB_OPCODE_EXPIRETIME_MS, 0, 0, 0, 0, 0, 0, 0, 0];
            expire[1..].copy_from_slice(&expire_at.to_le_bytes());
            self.out.put(&expire)?;
        }
        write_typed_entry(&mut self.out, key, &entry.value)
    }

    /// Ends the file (EOF opcode, CRC-64) and hands back the output.
    pub fn finish(mut self) -> io::Result<W> {
        self.out.put(&[RDB_OPCODE_EOF])?;
        self.out.finish()
    }
}

/// [`write_rdb`] into a new `Vec`.
///
/// # Panics
///
/// Never in practice: writing to memory cannot fail.
pub fn encode_to_vec(keyspace: &Keyspace, options: &SaveOptions) -> Vec<u8> {
    let mut out = Vec::new();
    if let Err(error) = write_rdb(keyspace, options, &mut out) {
        panic!("encoding an RDB into memory failed: {error}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_keyspace_is_magic_aux_eof_and_crc() {
        let bytes = encode_to_vec(&Keyspace::new(16), &SaveOptions::default());
        let mut expected = b"REDIS0010".to_vec();
        write_aux_fields(&mut expected, &SaveOptions::default())
            .expect("writing to a Vec cannot fail");
        expected.push(RDB_OPCODE_EOF);
        let crc = crate::crc64(0, &expected);
        expected.extend_from_slice(&crc.to_le_bytes());
        assert_eq!(bytes, expected);
    }

    #[test]
    fn function_libraries_follow_the_aux_fields_and_load_back() {
        let options = SaveOptions {
            functions: vec![
                bytes::Bytes::from_static(
                    b"#!lua name=one\nredis.register_function('f', function() return 1 end)",
                ),
                bytes::Bytes::from_static(
                    b"#!lua name=two\nredis.register_function('g', function() return 2 end)",
                ),
            ],
            ..SaveOptions::default()
        };
        let bytes = encode_to_vec(&Keyspace::new(16), &options);
        let loaded = crate::read_rdb(&bytes, 16).expect("loads");
        assert_eq!(loaded.functions, options.functions);
    }
}
