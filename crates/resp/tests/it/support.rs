//! Helpers shared by the integration tests: feeding a decoder in chunks and rendering results.

use bytes::BytesMut;
use resp::{Command, CommandDecoder, Frame, FrameDecoder, ProtocolError};
use tokio_util::codec::Decoder;

/// Feeds `input` to `decoder` cut at `cuts` (sorted offsets; out-of-range ones are clamped), decoding
/// after every piece the way a connection does after every read.
pub fn feed<D: Decoder>(
    decoder: &mut D,
    input: &[u8],
    cuts: &[usize],
) -> Result<Vec<D::Item>, D::Error> {
    match feed_until_error(decoder, input, cuts) {
        (items, None) => Ok(items),
        (_, Some(error)) => Err(error),
    }
}

/// Like [`feed`], but also returns the items decoded before an error.
pub fn feed_until_error<D: Decoder>(
    decoder: &mut D,
    input: &[u8],
    cuts: &[usize],
) -> (Vec<D::Item>, Option<D::Error>) {
    let mut items = Vec::new();
    let mut src = BytesMut::new();
    let mut start = 0;
    for end in cuts.iter().copied().chain(std::iter::once(input.len())) {
        let end = end.clamp(start, input.len());
        src.extend_from_slice(&input[start..end]);
        start = end;
        loop {
            match decoder.decode(&mut src) {
                Ok(Some(item)) => items.push(item),
                Ok(None) => break,
                Err(error) => return (items, Some(error)),
            }
        }
    }
    (items, None)
}

/// Decodes all frames of `input`, cut at `cuts`.
pub fn frames(input: &[u8], cuts: &[usize]) -> Result<Vec<Frame>, ProtocolError> {
    feed(&mut FrameDecoder::new(), input, cuts)
}

/// Decodes all commands of `input`, cut at `cuts`.
pub fn commands(input: &[u8], cuts: &[usize]) -> Result<Vec<Command>, ProtocolError> {
    feed(&mut CommandDecoder::default(), input, cuts)
}

/// A command as `(args, wire_len)` with printable arguments, for readable assertion failures.
pub fn render_command(command: &Command) -> (Vec<String>, usize) {
    let args = command.args.iter().map(|arg| escape(arg)).collect();
    (args, command.wire_len)
}

/// Bytes as an escaped ASCII string.
pub fn escape(bytes: &[u8]) -> String {
    bytes.escape_ascii().to_string()
}

/// The offsets splitting `input` into one-byte pieces.
pub fn every_byte(input: &[u8]) -> Vec<usize> {
    (1..input.len()).collect()
}
