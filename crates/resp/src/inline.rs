//! Splitting an inline command line into arguments, with Redis's quoting rules.

use bytes::Bytes;

use crate::ProtocolError;

/// Splits `line` (without its line terminator) into arguments the way Redis's `sdssplitargs` does:
/// whitespace separates, `"..."` supports `\n \r \t \b \a \\ \" \xHH` escapes, `'...'` supports only `\'`,
/// and a closing quote must be followed by whitespace or the end. Also used by the config file parser and rcli.
pub fn split_args(_line: &[u8]) -> Result<Vec<Bytes>, ProtocolError> {
    todo!("implemented by the resp work item")
}
