//! Constants of the file layout: magic, version, opcodes (names as in Redis's `rdb.h`).

/// The first five bytes of every RDB file; four ASCII version digits follow.
pub(crate) const MAGIC: &[u8; 5] = b"REDIS";
/// The version Redis 7.0 writes, and the highest this crate reads.
pub(crate) const RDB_VERSION: u32 = 10;
/// The first version with a CRC-64 trailer.
pub(crate) const FIRST_VERSION_WITH_CHECKSUM: u32 = 5;

pub(crate) const RDB_OPCODE_FUNCTION2: u8 = 245;
pub(crate) const RDB_OPCODE_FUNCTION: u8 = 246;
pub(crate) const RDB_OPCODE_MODULE_AUX: u8 = 247;
pub(crate) const RDB_OPCODE_IDLE: u8 = 248;
pub(crate) const RDB_OPCODE_FREQ: u8 = 249;
pub(crate) const RDB_OPCODE_AUX: u8 = 250;
pub(crate) const RDB_OPCODE_RESIZEDB: u8 = 251;
pub(crate) const RDB_OPCODE_EXPIRETIME_MS: u8 = 252;
pub(crate) const RDB_OPCODE_EXPIRETIME: u8 = 253;
pub(crate) const RDB_OPCODE_SELECTDB: u8 = 254;
pub(crate) const RDB_OPCODE_EOF: u8 = 255;
