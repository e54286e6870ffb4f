//! Type 0, STRING: the value is one string (§3 of the format), so this only adapts the string codec.

use std::io;

use keyspace::Value;

use crate::RdbError;
use crate::input::Input;
use crate::sink::Sink;
use crate::string::{read_bytes, write_string};

pub(super) fn write<S: Sink + ?Sized>(out: &mut S, bytes: &[u8]) -> io::Result<()> {
    write_string(out, bytes)
}

pub(super) fn read(input: &mut Input<'_>) -> Result<Value, RdbError> {
    Ok(Value::String(read_bytes(input)?))
}
