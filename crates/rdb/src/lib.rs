//! The Redis RDB snapshot format (version 10, as Redis 7.0 writes it).
#![deny(missing_docs)]
