//! The [`Frame`] type (every RESP2 and RESP3 value) and [`FrameDecoder`], the general reply decoder.

use bytes::{Buf, Bytes, BytesMut};
use tokio_util::codec::Decoder;

use crate::command::{find_byte, reserve_for};
use crate::number::parse_i64;
use crate::{Limits, ProtocolError};

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
        Frame::Array(
            args.into_iter()
                .map(|arg| Frame::Bulk(arg.into()))
                .collect(),
        )
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
///
/// Like the command decoder it removes bytes from the buffer as soon as they are understood and keeps the
/// aggregates still open between calls, so a big reply arriving in pieces is never rescanned.
/// Attributes (`|N`, RESP3) are read and discarded: the frame they annotate is returned on its own, and an
/// attribute inside an aggregate does not count as one of its elements. Nesting deeper than 512 levels is
/// rejected, which keeps the recursion of dropping or encoding a decoded frame shallow.
#[derive(Debug, Default)]
pub struct FrameDecoder {
    limits: Limits,
    /// Aggregates whose header was read but not all of their elements, innermost last.
    open: Vec<OpenAggregate>,
    /// A length-prefixed string whose header was read but whose payload has not fully arrived.
    pending_blob: Option<PendingBlob>,
    /// How many bytes at the front of the buffer are known to hold no line terminator.
    scanned: usize,
}

impl FrameDecoder {
    /// A decoder with Redis's default limits.
    pub fn new() -> FrameDecoder {
        FrameDecoder::default()
    }

    /// A decoder with the given limits: `max_bulk_len` bounds strings, `max_multibulk_len` aggregates,
    /// `max_inline_len` the header lines.
    pub fn with_limits(limits: Limits) -> FrameDecoder {
        FrameDecoder {
            limits,
            ..FrameDecoder::default()
        }
    }

    /// True when part of a frame has been consumed from the buffer but the frame is not complete.
    pub fn is_mid_frame(&self) -> bool {
        !self.open.is_empty() || self.pending_blob.is_some()
    }
}

impl Decoder for FrameDecoder {
    type Item = Frame;
    type Error = ProtocolError;

    fn decode(&mut self, src: &mut BytesMut) -> Result<Option<Frame>, ProtocolError> {
        loop {
            let value = match self.next_value(src)? {
                Step::Incomplete => return Ok(None),
                Step::Continue => continue,
                Step::Ready(value) => value,
            };
            if let Some(frame) = self.attach(value) {
                return Ok(Some(frame));
            }
        }
    }

    fn decode_eof(&mut self, src: &mut BytesMut) -> Result<Option<Frame>, ProtocolError> {
        match self.decode(src)? {
            Some(frame) => Ok(Some(frame)),
            None if src.is_empty() && !self.is_mid_frame() => Ok(None),
            None => Err(ProtocolError::Invalid(
                "connection closed in the middle of a reply".to_owned(),
            )),
        }
    }
}

/// Deepest nesting of aggregates accepted from the wire.
const MAX_DEPTH: usize = 512;

/// Cap on an aggregate's initial capacity: its count is untrusted until the elements arrive.
const MAX_PREALLOCATED_ELEMENTS: usize = 1024;

/// From this size a string's payload gets its whole room reserved at once (Redis's `PROTO_MBULK_BIG_ARG`).
const BIG_PAYLOAD: usize = 32 * 1024;

#[derive(Debug)]
struct OpenAggregate {
    kind: AggregateKind,
    /// Elements still to read; a map of N pairs has 2N elements.
    remaining: usize,
    /// Elements read so far (keys and values alternate for a map; nothing is kept for an attribute).
    items: Vec<Frame>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AggregateKind {
    Array,
    Set,
    Push,
    Map,
    Attribute,
}

#[derive(Debug, Clone, Copy)]
struct PendingBlob {
    kind: BlobKind,
    len: usize,
}

#[derive(Debug, Clone, Copy)]
enum BlobKind {
    Bulk,
    BulkError,
    Verbatim,
}

/// What one parsing step achieved.
enum Step {
    /// More bytes are needed.
    Incomplete,
    /// A header was consumed (or an attribute finished); keep going.
    Continue,
    /// A complete value, to be placed in the innermost open aggregate.
    Ready(Frame),
}

impl OpenAggregate {
    /// The finished frame; `None` for an attribute, which is dropped.
    fn into_frame(self) -> Option<Frame> {
        Some(match self.kind {
            AggregateKind::Array => Frame::Array(self.items),
            AggregateKind::Set => Frame::Set(self.items),
            AggregateKind::Push => Frame::Push(self.items),
            AggregateKind::Map => {
                let mut pairs = Vec::with_capacity(self.items.len() / 2);
                let mut items = self.items.into_iter();
                while let (Some(key), Some(value)) = (items.next(), items.next()) {
                    pairs.push((key, value));
                }
                Frame::Map(pairs)
            }
            AggregateKind::Attribute => return None,
        })
    }
}

impl FrameDecoder {
    /// Places a complete value in the innermost open aggregate, closing every aggregate it completes.
    /// Returns the frame once the outermost one is complete.
    fn attach(&mut self, mut value: Frame) -> Option<Frame> {
        loop {
            let Some(top) = self.open.last_mut() else {
                return Some(value);
            };
            if top.kind != AggregateKind::Attribute {
                top.items.push(value);
            }
            top.remaining = top.remaining.saturating_sub(1);
            if top.remaining > 0 {
                return None;
            }
            value = self.open.pop()?.into_frame()?;
        }
    }

    fn next_value(&mut self, src: &mut BytesMut) -> Result<Step, ProtocolError> {
        if let Some(blob) = self.pending_blob {
            return self.read_blob_payload(src, blob);
        }
        let Some(&type_byte) = src.first() else {
            return Ok(Step::Incomplete);
        };
        let (line_limit, too_big) = match type_byte {
            b'*' | b'%' | b'~' | b'>' | b'|' => (
                self.limits.max_inline_len,
                ProtocolError::TooBigMultibulkCount,
            ),
            b'$' | b'!' | b'=' => (self.limits.max_inline_len, ProtocolError::TooBigBulkCount),
            // Status and error lines carry text, so they get the string limit rather than the header limit.
            b'+' | b'-' => (self.limits.max_bulk_len, invalid("too big simple string")),
            b':' | b',' | b'#' | b'_' | b'(' => {
                (self.limits.max_inline_len, invalid("too big line"))
            }
            other => {
                return Err(invalid(&format!(
                    "unexpected type byte {:?}",
                    char::from(other)
                )));
            }
        };
        let Some(line_end) = self.find_line_end(src, line_limit, too_big)? else {
            return Ok(Step::Incomplete);
        };
        let line = src.get(1..line_end).unwrap_or_default();
        let frame = match type_byte {
            b'+' | b'-' | b'(' => {
                if type_byte == b'(' && !is_big_number(line) {
                    return Err(invalid("invalid big number"));
                }
                src.advance(1);
                let text = src.split_to(line_end - 1).freeze();
                src.advance(2);
                self.scanned = 0;
                return Ok(Step::Ready(match type_byte {
                    b'+' => Frame::Simple(text),
                    b'-' => Frame::Error(text),
                    _ => Frame::BigNumber(text),
                }));
            }
            b':' => Frame::Integer(parse_i64(line).ok_or_else(|| invalid("invalid integer"))?),
            b',' => Frame::Double(parse_double(line).ok_or_else(|| invalid("invalid double"))?),
            b'#' => match line {
                b"t" => Frame::Boolean(true),
                b"f" => Frame::Boolean(false),
                _ => return Err(invalid("invalid boolean")),
            },
            b'_' if line.is_empty() => Frame::Null,
            b'_' => return Err(invalid("invalid null")),
            b'$' | b'!' | b'=' => {
                let len = parse_i64(line).ok_or(ProtocolError::InvalidBulkLength)?;
                self.consume_line(src, line_end);
                if type_byte == b'$' && len == -1 {
                    return Ok(Step::Ready(Frame::Null));
                }
                let len = usize::try_from(len)
                    .ok()
                    .filter(|&len| len <= self.limits.max_bulk_len)
                    .ok_or(ProtocolError::InvalidBulkLength)?;
                let kind = match type_byte {
                    b'$' => BlobKind::Bulk,
                    b'!' => BlobKind::BulkError,
                    _ if len < 4 => {
                        return Err(invalid("verbatim string shorter than its format prefix"));
                    }
                    _ => BlobKind::Verbatim,
                };
                if len >= BIG_PAYLOAD {
                    reserve_for(src, len);
                }
                self.pending_blob = Some(PendingBlob { kind, len });
                return Ok(Step::Continue);
            }
            _ => {
                let count = parse_i64(line).ok_or(ProtocolError::InvalidMultibulkLength)?;
                self.consume_line(src, line_end);
                if type_byte == b'*' && count == -1 {
                    return Ok(Step::Ready(Frame::NullArray));
                }
                return self.open_aggregate(type_byte, count);
            }
        };
        self.consume_line(src, line_end);
        Ok(Step::Ready(frame))
    }

    fn open_aggregate(&mut self, type_byte: u8, count: i64) -> Result<Step, ProtocolError> {
        let count = usize::try_from(count)
            .ok()
            .filter(|&count| count <= self.limits.max_multibulk_len)
            .ok_or(ProtocolError::InvalidMultibulkLength)?;
        let kind = match type_byte {
            b'*' => AggregateKind::Array,
            b'~' => AggregateKind::Set,
            b'>' => AggregateKind::Push,
            b'%' => AggregateKind::Map,
            _ => AggregateKind::Attribute,
        };
        let elements = match kind {
            AggregateKind::Map | AggregateKind::Attribute => count.saturating_mul(2),
            _ => count,
        };
        if elements == 0 {
            let empty = OpenAggregate {
                kind,
                remaining: 0,
                items: Vec::new(),
            };
            return Ok(empty.into_frame().map_or(Step::Continue, Step::Ready));
        }
        if self.open.len() >= MAX_DEPTH {
            return Err(invalid("aggregates nested too deep"));
        }
        let capacity = if kind == AggregateKind::Attribute {
            0
        } else {
            elements.min(MAX_PREALLOCATED_ELEMENTS)
        };
        self.open.push(OpenAggregate {
            kind,
            remaining: elements,
            items: Vec::with_capacity(capacity),
        });
        Ok(Step::Continue)
    }

    fn read_blob_payload(
        &mut self,
        src: &mut BytesMut,
        blob: PendingBlob,
    ) -> Result<Step, ProtocolError> {
        let Some(frame_len) = blob.len.checked_add(2) else {
            return Err(ProtocolError::InvalidBulkLength);
        };
        if src.len() < frame_len {
            return Ok(Step::Incomplete);
        }
        if src.get(blob.len..frame_len) != Some(b"\r\n") {
            return Err(invalid("expected CRLF after bulk data"));
        }
        let payload = src.split_to(blob.len).freeze();
        src.advance(2);
        self.pending_blob = None;
        Ok(Step::Ready(match blob.kind {
            BlobKind::Bulk => Frame::Bulk(payload),
            BlobKind::BulkError => Frame::BulkError(payload),
            BlobKind::Verbatim => match payload.get(..4) {
                Some(&[a, b, c, b':']) => Frame::Verbatim {
                    format: [a, b, c],
                    text: payload.slice(4..),
                },
                _ => return Err(invalid("verbatim string without a format prefix")),
            },
        }))
    }

    /// Finds the `\r\n` ending the line at the front of the buffer and returns the index of its `\r`.
    /// Replies are strict: a `\n` not preceded by `\r` is an error.
    fn find_line_end(
        &mut self,
        src: &[u8],
        limit: usize,
        too_big: ProtocolError,
    ) -> Result<Option<usize>, ProtocolError> {
        match find_byte(src, self.scanned, b'\n') {
            Some(newline) => match newline.checked_sub(1) {
                Some(cr) if cr > 0 && src.get(cr) == Some(&b'\r') => Ok(Some(cr)),
                _ => Err(invalid("expected CRLF at the end of a line")),
            },
            None if src.len() > limit.saturating_add(2) => Err(too_big),
            None => {
                self.scanned = src.len();
                Ok(None)
            }
        }
    }

    fn consume_line(&mut self, src: &mut BytesMut, line_end: usize) {
        src.advance(line_end + 2);
        self.scanned = 0;
    }
}

fn invalid(reason: &str) -> ProtocolError {
    ProtocolError::Invalid(reason.to_owned())
}

/// RESP3 doubles: a decimal or exponent number, `inf`, `-inf` or `nan`.
fn parse_double(text: &[u8]) -> Option<f64> {
    std::str::from_utf8(text).ok()?.parse().ok()
}

/// An optional `-` followed by at least one digit.
fn is_big_number(text: &[u8]) -> bool {
    let digits = text.strip_prefix(b"-").unwrap_or(text);
    !digits.is_empty() && digits.iter().all(u8::is_ascii_digit)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_one(input: &[u8]) -> Result<Option<Frame>, ProtocolError> {
        FrameDecoder::new().decode(&mut BytesMut::from(input))
    }

    fn check(input: &[u8], expected: Frame) {
        let mut src = BytesMut::from(input);
        let frame = FrameDecoder::new().decode(&mut src);
        assert_eq!(
            frame,
            Ok(Some(expected)),
            "{:?}",
            String::from_utf8_lossy(input)
        );
        assert!(src.is_empty(), "left over: {src:?}");
    }

    fn check_error(input: &[u8], expected: &str) {
        match decode_one(input) {
            Err(error) => assert_eq!(error.to_string(), expected),
            other => panic!(
                "{:?}: expected an error, got {other:?}",
                String::from_utf8_lossy(input)
            ),
        }
    }

    #[test]
    fn scalars() {
        check(b"+OK\r\n", Frame::ok());
        check(b"-ERR no\r\n", Frame::error("ERR no"));
        check(b":-42\r\n", Frame::Integer(-42));
        check(b"$3\r\nfoo\r\n", Frame::bulk("foo"));
        check(b"$0\r\n\r\n", Frame::bulk(""));
        check(b"$-1\r\n", Frame::Null);
        check(b"*-1\r\n", Frame::NullArray);
        check(b"_\r\n", Frame::Null);
        check(b",1.5\r\n", Frame::Double(1.5));
        check(b",inf\r\n", Frame::Double(f64::INFINITY));
        check(b",-inf\r\n", Frame::Double(f64::NEG_INFINITY));
        check(b",3\r\n", Frame::Double(3.0));
        check(b"#t\r\n", Frame::Boolean(true));
        check(b"#f\r\n", Frame::Boolean(false));
        check(
            b"(-123456789012345678901234567890\r\n",
            Frame::BigNumber(Bytes::from_static(b"-123456789012345678901234567890")),
        );
        check(
            b"=8\r\ntxt:abcd\r\n",
            Frame::Verbatim {
                format: *b"txt",
                text: Bytes::from_static(b"abcd"),
            },
        );
        check(
            b"!5\r\nERR x\r\n",
            Frame::BulkError(Bytes::from_static(b"ERR x")),
        );
        let nan = decode_one(b",nan\r\n");
        assert!(
            matches!(nan, Ok(Some(Frame::Double(value))) if value.is_nan()),
            "{nan:?}"
        );
    }

    #[test]
    fn aggregates() {
        check(b"*0\r\n", Frame::Array(vec![]));
        check(
            b"*2\r\n:1\r\n*1\r\n+a\r\n",
            Frame::Array(vec![
                Frame::Integer(1),
                Frame::Array(vec![Frame::Simple("a".into())]),
            ]),
        );
        check(
            b"%1\r\n+k\r\n:1\r\n",
            Frame::Map(vec![(Frame::Simple("k".into()), Frame::Integer(1))]),
        );
        check(
            b"~2\r\n:1\r\n:2\r\n",
            Frame::Set(vec![Frame::Integer(1), Frame::Integer(2)]),
        );
        check(
            b">2\r\n+message\r\n$1\r\nx\r\n",
            Frame::Push(vec![Frame::Simple("message".into()), Frame::bulk("x")]),
        );
        check(b"%0\r\n", Frame::Map(vec![]));
    }

    #[test]
    fn attributes_are_skipped() {
        check(
            b"|1\r\n+key-popularity\r\n%1\r\n$1\r\na\r\n,0.19\r\n:42\r\n",
            Frame::Integer(42),
        );
        check(
            b"*2\r\n:1\r\n|1\r\n+k\r\n+v\r\n:2\r\n",
            Frame::Array(vec![Frame::Integer(1), Frame::Integer(2)]),
        );
        check(b"|0\r\n+OK\r\n", Frame::ok());
    }

    #[test]
    fn strictness() {
        check_error(b"?x\r\n", "Protocol error: unexpected type byte '?'");
        check_error(
            b"+OK\n",
            "Protocol error: expected CRLF at the end of a line",
        );
        check_error(b":12a\r\n", "Protocol error: invalid integer");
        check_error(b",abc\r\n", "Protocol error: invalid double");
        check_error(b"#x\r\n", "Protocol error: invalid boolean");
        check_error(b"_x\r\n", "Protocol error: invalid null");
        check_error(b"(12a\r\n", "Protocol error: invalid big number");
        check_error(b"$-2\r\n", "Protocol error: invalid bulk length");
        check_error(b"!-1\r\n", "Protocol error: invalid bulk length");
        check_error(b"*-2\r\n", "Protocol error: invalid multibulk length");
        check_error(b"%-1\r\n", "Protocol error: invalid multibulk length");
        check_error(b"$x\r\n", "Protocol error: invalid bulk length");
        check_error(
            b"$1\r\nab\r\n",
            "Protocol error: expected CRLF after bulk data",
        );
        check_error(
            b"=3\r\ntxt\r\n",
            "Protocol error: verbatim string shorter than its format prefix",
        );
        check_error(
            b"=4\r\ntxt-\r\n",
            "Protocol error: verbatim string without a format prefix",
        );
    }

    #[test]
    fn limits_apply() {
        let limits = Limits {
            max_bulk_len: 4,
            max_multibulk_len: 2,
            max_inline_len: 8,
        };
        let decode =
            |input: &[u8]| FrameDecoder::with_limits(limits).decode(&mut BytesMut::from(input));
        assert_eq!(decode(b"$5\r\n"), Err(ProtocolError::InvalidBulkLength));
        assert_eq!(
            decode(b"*3\r\n"),
            Err(ProtocolError::InvalidMultibulkLength)
        );
        assert_eq!(decode(b"%2\r\n"), Ok(None));
        assert_eq!(
            decode(b"*1234567890123"),
            Err(ProtocolError::TooBigMultibulkCount)
        );
        assert_eq!(
            decode(b"$1234567890123"),
            Err(ProtocolError::TooBigBulkCount)
        );
        assert_eq!(decode(b"+abcdefgh"), Err(invalid("too big simple string")));
    }

    #[test]
    fn nesting_is_bounded() {
        let mut input = b"*1\r\n".repeat(MAX_DEPTH);
        input.extend_from_slice(b":1\r\n");
        let mut frame = decode_one(&input).expect("valid").expect("complete");
        for _ in 0..MAX_DEPTH {
            let Frame::Array(mut items) = frame else {
                panic!("expected an array")
            };
            frame = items.pop().expect("one element");
        }
        assert_eq!(frame, Frame::Integer(1));
        let too_deep = b"*1\r\n".repeat(MAX_DEPTH + 1);
        assert_eq!(
            decode_one(&too_deep),
            Err(invalid("aggregates nested too deep"))
        );
    }

    #[test]
    fn partial_aggregate_keeps_its_state() {
        let mut decoder = FrameDecoder::new();
        let mut src = BytesMut::from(&b"*3\r\n:1\r\n$5\r\nab"[..]);
        assert_eq!(decoder.decode(&mut src), Ok(None));
        assert!(decoder.is_mid_frame());
        assert_eq!(&src[..], b"ab");
        src.extend_from_slice(b"cde\r\n_\r\n");
        let frame = decoder.decode(&mut src).expect("valid").expect("complete");
        assert_eq!(
            frame,
            Frame::Array(vec![Frame::Integer(1), Frame::bulk("abcde"), Frame::Null])
        );
        assert!(!decoder.is_mid_frame());
        assert!(decoder.decode_eof(&mut src).is_ok());
    }

    #[test]
    fn frame_helpers() {
        assert_eq!(
            Frame::command(["GET", "k"]),
            Frame::Array(vec![Frame::bulk("GET"), Frame::bulk("k")])
        );
        assert_eq!(Frame::bulk("x").as_bytes(), Some(&Bytes::from_static(b"x")));
        assert_eq!(Frame::Integer(1).as_bytes(), None);
    }
}
