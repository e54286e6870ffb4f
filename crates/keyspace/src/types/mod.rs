//! The collection types a key can hold besides strings, each in its own module with its own encoding rules.

pub mod dense;
pub mod hash;
pub mod hyperloglog;
pub mod list;
pub mod set;
pub mod stream;
pub mod zset;
