//! [`CommandDecoder`]: client requests (multibulk or inline) to argument vectors, with Redis's limits.

use bytes::{Bytes, BytesMut};
use tokio_util::codec::Decoder;

use crate::ProtocolError;

/// One decoded request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    /// The arguments, command name first, exactly as sent (no case folding).
    pub args: Vec<Bytes>,
    /// How many bytes of the input this command occupied, including every CRLF.
    /// A replica adds this to its replication offset after applying the command.
    pub wire_len: usize,
}

/// Protocol limits, Redis's defaults by [`Limits::default`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// `proto-max-bulk-len`: 512 MB.
    pub max_bulk_len: usize,
    /// Largest multibulk count: 1048576.
    pub max_multibulk_len: usize,
    /// Largest inline request or length line: 64 KB.
    pub max_inline_len: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits { max_bulk_len: 512 * 1024 * 1024, max_multibulk_len: 1024 * 1024, max_inline_len: 64 * 1024 }
    }
}

/// Decodes requests. An empty inline line (a bare `\n` or `\r\n`) yields no command but its bytes are consumed
/// (they are neither counted in `wire_len` of the next command nor an error), as Redis does.
#[derive(Debug, Default)]
pub struct CommandDecoder {
    limits: Limits,
}

impl CommandDecoder {
    /// A decoder with the given limits.
    pub fn new(limits: Limits) -> CommandDecoder {
        CommandDecoder { limits }
    }
}

impl Decoder for CommandDecoder {
    type Item = Command;
    type Error = ProtocolError;

    fn decode(&mut self, _src: &mut BytesMut) -> Result<Option<Command>, ProtocolError> {
        let _ = self.limits;
        todo!("implemented by the resp work item")
    }
}
