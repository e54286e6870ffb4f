//! The [`Frame`] type (every RESP2 and RESP3 value) and [`FrameDecoder`], the general reply decoder.

use bytes::{Bytes, BytesMut};
use tokio_util::codec::Decoder;

use crate::ProtocolError;

/// Which protocol a connection speaks; chosen by `HELLO`. It changes only how frames are *encoded*
/// (RESP3-only types are downgraded to their RESP2 form on a RESP2 connection).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Protocol {
    /// RESP2, the default for every new connection.
    #[default]
    Resp2,
    /// RESP3, after `HELLO 3`.
    Resp3,
}

/// One RESP value.
#[derive(Debug, Clone, PartialEq)]
pub enum Frame {
    /// `+OK\r\n`
    Simple(Bytes),
    /// `-ERR ...\r\n`; the payload excludes the leading `-`.
    Error(Bytes),
    /// `:42\r\n`
    Integer(i64),
    /// `$3\r\nfoo\r\n`
    Bulk(Bytes),
    /// The null bulk string: `$-1\r\n` in RESP2, `_\r\n` in RESP3.
    Null,
    /// The null array: `*-1\r\n` in RESP2, `_\r\n` in RESP3.
    NullArray,
    /// `*2\r\n...`
    Array(Vec<Frame>),
    /// RESP3 map `%N`; a flat array of 2N items in RESP2.
    Map(Vec<(Frame, Frame)>),
    /// RESP3 set `~N`; an array in RESP2.
    Set(Vec<Frame>),
    /// RESP3 double `,1.5`; a bulk string in RESP2.
    Double(f64),
    /// RESP3 boolean `#t`/`#f`; the integer 1/0 in RESP2.
    Boolean(bool),
    /// RESP3 big number `(123...`; a bulk string in RESP2.
    BigNumber(Bytes),
    /// RESP3 verbatim string `=N\r\ntxt:...`; a bulk string of the text in RESP2.
    Verbatim {
        /// Three-letter format, such as `txt` or `mkd`.
        format: [u8; 3],
        /// The text after the `xxx:` prefix.
        text: Bytes,
    },
    /// RESP3 bulk error `!N`; a simple error in RESP2.
    BulkError(Bytes),
    /// RESP3 push `>N` (pub/sub messages); an array in RESP2.
    Push(Vec<Frame>),
}

impl Frame {
    /// `+OK`.
    pub fn ok() -> Frame {
        Frame::Simple(Bytes::from_static(b"OK"))
    }

    /// A simple error from its full text, e.g. `Frame::error("ERR syntax error")`.
    pub fn error(text: impl Into<Bytes>) -> Frame {
        Frame::Error(text.into())
    }

    /// A bulk string.
    pub fn bulk(data: impl Into<Bytes>) -> Frame {
        Frame::Bulk(data.into())
    }

    /// An array of bulk strings, the shape of every request and every command in a replication stream.
    pub fn command<I, T>(args: I) -> Frame
    where
        I: IntoIterator<Item = T>,
        T: Into<Bytes>,
    {
        Frame::Array(args.into_iter().map(|arg| Frame::Bulk(arg.into())).collect())
    }

    /// The bytes of a `Simple`, `Bulk` or `Verbatim` frame; `None` for every other kind.
    pub fn as_bytes(&self) -> Option<&Bytes> {
        match self {
            Frame::Simple(data) | Frame::Bulk(data) => Some(data),
            Frame::Verbatim { text, .. } => Some(text),
            _ => None,
        }
    }
}

/// Decodes any RESP2/RESP3 frame (replies, pushes). Incremental: a frame split across reads at any byte
/// decodes the same. Enforces the same size limits as [`crate::CommandDecoder`] so a hostile peer cannot
/// make it allocate without bound.
#[derive(Debug, Default)]
pub struct FrameDecoder {
    // Private resume state lives here so a big aggregate arriving in pieces is not rescanned from the start.
}

impl FrameDecoder {
    /// A decoder with Redis's default limits.
    pub fn new() -> FrameDecoder {
        FrameDecoder::default()
    }
}

impl Decoder for FrameDecoder {
    type Item = Frame;
    type Error = ProtocolError;

    fn decode(&mut self, _src: &mut BytesMut) -> Result<Option<Frame>, ProtocolError> {
        todo!("implemented by the resp work item")
    }
}
