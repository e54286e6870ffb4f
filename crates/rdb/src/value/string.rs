//! Type 0, STRING: the value is one string (§3 of the format), so this only adapts the string codec.

use std::io;

use std::borrow::Cow;

use keyspace::{CompactBytes, Value};

use crate::RdbError;
use crate::input::Input;
use crate::sink::Sink;
use crate::string::{read_string, write_string};

pub(super) fn write<S: Sink + ?Sized>(out: &mut S, bytes: &[u8]) -> io::Result<()> {
    write_string(out, bytes)
}

pub(super) fn read(input: &mut Input<'_>) -> Result<Value, RdbError> {
    // A short value is copied straight into its inline form, with no intermediate allocation.
    Ok(Value::String(match read_string(input)? {
        Cow::Borrowed(slice) => CompactBytes::from_slice(slice),
        Cow::Owned(vec) => CompactBytes::from(vec),
    }))
}
