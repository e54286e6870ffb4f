//! AUX fields: what a loaded file said about itself ([`AuxFields`]) and what the writer puts there.

use std::io;

use crate::format::RDB_OPCODE_AUX;
use crate::sink::Sink;
use crate::string::write_string;
use crate::{ReplInfo, SaveOptions};

/// The version string written as `redis-ver`; replicas and tools read it as "made by Redis 7.0.15".
pub(crate) const REDIS_VERSION: &str = "7.0.15";

/// Length of a replication id (`CONFIG_RUN_ID_SIZE` in Redis).
const REPL_ID_LEN: usize = 40;

/// The AUX fields of a loaded file that mean something to a server; unknown ones are ignored, as Redis does.
/// A numeric field whose text is not a number reads as `None`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuxFields {
    /// `redis-ver`: the version of the server that wrote the file.
    pub redis_ver: Option<String>,
    /// `ctime`: when the file was written, Unix seconds.
    pub ctime: Option<i64>,
    /// `used-mem`: the writer's memory use in bytes.
    pub used_mem: Option<i64>,
    /// `repl-stream-db`: the db of the last SELECT in the writer's replication stream.
    pub repl_stream_db: Option<i64>,
    /// `repl-id`: the writer's replication id.
    pub repl_id: Option<String>,
    /// `repl-offset`: the writer's replication offset.
    pub repl_offset: Option<i64>,
    /// `aof-base`: whether the file was written as the base of an AOF.
    pub aof_base: Option<bool>,
}

impl AuxFields {
    /// The replication info, when the file carries a usable one: `repl-id` (exactly 40 bytes),
    /// `repl-offset` and `repl-stream-db` all present, which is when Redis uses them to PSYNC after a restart.
    pub fn repl_info(&self) -> Option<ReplInfo> {
        let id = self.repl_id.as_ref().filter(|id| id.len() == REPL_ID_LEN)?;
        Some(ReplInfo {
            id: id.clone(),
            offset: self.repl_offset?,
            stream_db: self.repl_stream_db?,
        })
    }

    /// Records one AUX field read from a file.
    pub(crate) fn record(&mut self, key: &[u8], value: &[u8]) {
        match key {
            b"redis-ver" => self.redis_ver = Some(String::from_utf8_lossy(value).into_owned()),
            b"ctime" => self.ctime = parse_integer(value),
            b"used-mem" => self.used_mem = parse_integer(value),
            b"repl-stream-db" => self.repl_stream_db = parse_integer(value),
            b"repl-id" => self.repl_id = std::str::from_utf8(value).ok().map(str::to_owned),
            b"repl-offset" => self.repl_offset = parse_integer(value),
            b"aof-base" => self.aof_base = parse_integer(value).map(|flag| flag != 0),
            _ => {}
        }
    }
}

/// Writes the AUX fields in the order Redis 7.0.15 does (`rdbSaveInfoAuxFields`).
pub(crate) fn write_aux_fields<S: Sink + ?Sized>(
    out: &mut S,
    options: &SaveOptions,
) -> io::Result<()> {
    write_aux(out, "redis-ver", REDIS_VERSION.as_bytes())?;
    write_aux_integer(out, "redis-bits", 64)?;
    write_aux_integer(out, "ctime", options.ctime_secs)?;
    write_aux_integer(out, "used-mem", options.used_mem)?;
    if let Some(repl) = &options.repl {
        write_aux_integer(out, "repl-stream-db", repl.stream_db)?;
        write_aux(out, "repl-id", repl.id.as_bytes())?;
        write_aux_integer(out, "repl-offset", repl.offset)?;
    }
    write_aux_integer(out, "aof-base", i64::from(options.aof_base))
}

fn write_aux<S: Sink + ?Sized>(out: &mut S, key: &str, value: &[u8]) -> io::Result<()> {
    out.put(&[RDB_OPCODE_AUX])?;
    write_string(out, key.as_bytes())?;
    write_string(out, value)
}

/// Redis writes numbers as their decimal text, which the string writer then int-encodes when it fits.
fn write_aux_integer<S: Sink + ?Sized>(out: &mut S, key: &str, value: i64) -> io::Result<()> {
    write_aux(out, key, value.to_string().as_bytes())
}

fn parse_integer(text: &[u8]) -> Option<i64> {
    std::str::from_utf8(text).ok()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "2765387037df63d5d8c6a4ec830ab6c39509510f";

    fn with_repl(id: &str, offset: Option<i64>, stream_db: Option<i64>) -> AuxFields {
        AuxFields {
            repl_id: Some(id.to_owned()),
            repl_offset: offset,
            repl_stream_db: stream_db,
            ..AuxFields::default()
        }
    }

    #[test]
    fn repl_info_needs_all_three_and_a_40_byte_id() {
        let info = with_repl(ID, Some(176), Some(1)).repl_info();
        assert_eq!(
            info,
            Some(ReplInfo {
                id: ID.to_owned(),
                offset: 176,
                stream_db: 1
            })
        );
        assert_eq!(with_repl(ID, None, Some(1)).repl_info(), None);
        assert_eq!(with_repl(ID, Some(176), None).repl_info(), None);
        assert_eq!(with_repl(&ID[1..], Some(176), Some(1)).repl_info(), None);
        assert_eq!(AuxFields::default().repl_info(), None);
    }

    #[test]
    fn record_parses_known_fields_and_ignores_others() {
        let mut aux = AuxFields::default();
        aux.record(b"redis-ver", b"7.0.15");
        aux.record(b"ctime", b"1795639548");
        aux.record(b"used-mem", b"not a number");
        aux.record(b"aof-base", b"1");
        aux.record(b"x-unknown-aux", b"whatever");
        aux.record(b"repl-id", b"\xff\xfe");
        assert_eq!(
            aux,
            AuxFields {
                redis_ver: Some("7.0.15".to_owned()),
                ctime: Some(1_795_639_548),
                aof_base: Some(true),
                ..AuxFields::default()
            }
        );
    }

    #[test]
    fn writes_redis_order_with_repl_fields_in_the_middle() {
        let options = SaveOptions {
            repl: Some(ReplInfo {
                id: ID.to_owned(),
                offset: 176,
                stream_db: 1,
            }),
            ctime_secs: 0x6b07_48fc,
            used_mem: 1_260_400,
            functions: Vec::new(),
            aof_base: false,
        };
        let mut out = Vec::new();
        write_aux_fields(&mut out, &options).expect("writing to a Vec cannot fail");
        let mut expected = Vec::new();
        expected.extend_from_slice(b"\xfa\x09redis-ver\x067.0.15");
        expected.extend_from_slice(b"\xfa\x0aredis-bits\xc0\x40");
        expected.extend_from_slice(b"\xfa\x05ctime\xc2\xfc\x48\x07\x6b");
        expected.extend_from_slice(b"\xfa\x08used-mem\xc2\x70\x3b\x13\x00");
        expected.extend_from_slice(b"\xfa\x0erepl-stream-db\xc0\x01");
        expected.extend_from_slice(b"\xfa\x07repl-id\x28");
        expected.extend_from_slice(ID.as_bytes());
        expected.extend_from_slice(b"\xfa\x0brepl-offset\xc1\xb0\x00");
        expected.extend_from_slice(b"\xfa\x08aof-base\xc0\x00");
        assert_eq!(out, expected);
    }
}
