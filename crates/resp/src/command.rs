//! [`CommandDecoder`]: client requests (multibulk or inline) to argument vectors, with Redis's limits.

use bytes::{Buf, Bytes, BytesMut};
use tokio_util::codec::Decoder;

use crate::number::parse_i64;
use crate::{ProtocolError, split_args};

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
    /// Largest multibulk count: `INT_MAX`, as in Redis 7.0 (arguments are not preallocated from it).
    pub max_multibulk_len: usize,
    /// Largest inline request or length line: 64 KB.
    pub max_inline_len: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_bulk_len: 512 * 1024 * 1024,
            max_multibulk_len: i32::MAX as usize,
            max_inline_len: 64 * 1024,
        }
    }
}

/// Most arguments an unauthenticated client may send in one request.
const UNAUTHENTICATED_MAX_ARGUMENTS: i64 = 10;
/// Longest argument an unauthenticated client may send.
const UNAUTHENTICATED_MAX_BULK: usize = 16384;

/// Decodes requests. An empty inline line (a bare `\n` or `\r\n`) yields no command but its bytes are consumed
/// (they are neither counted in `wire_len` of the next command nor an error), as Redis does.
///
/// Bytes are removed from the buffer as soon as they are understood, even while a command is still
/// incomplete: the decoder keeps the arguments read so far, the count still missing and how far it already
/// searched an unterminated line, so a request arriving in many reads costs time proportional to its size.
/// Arguments are split off the buffer without copying; they share the read buffer's allocation, so a
/// caller that keeps one for long (a stored value) and cares about memory may want to copy it.
#[derive(Debug)]
pub struct CommandDecoder {
    limits: Limits,
    /// The multibulk request whose count line was consumed but not all of its arguments.
    partial: Option<PartialCommand>,
    /// How many bytes at the front of the buffer are known to hold no line terminator.
    scanned: usize,
    /// False while the client still has to authenticate: Redis then refuses big requests outright, so an
    /// unauthenticated peer cannot make the server buffer much.
    authenticated: bool,
}

impl Default for CommandDecoder {
    /// Redis's default limits, for an authenticated peer.
    fn default() -> CommandDecoder {
        CommandDecoder::new(Limits::default())
    }
}

impl CommandDecoder {
    /// A decoder with the given limits.
    pub fn new(limits: Limits) -> CommandDecoder {
        CommandDecoder {
            limits,
            partial: None,
            scanned: 0,
            authenticated: true,
        }
    }

    /// Whether the peer is authenticated; an unauthenticated one may send at most 10 arguments of at most
    /// 16384 bytes each (`Protocol error: unauthenticated ...`), as in Redis.
    pub fn set_authenticated(&mut self, authenticated: bool) {
        self.authenticated = authenticated;
    }

    /// The limits this decoder enforces.
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// True when part of a request has been consumed from the buffer but the request is not complete.
    pub fn is_mid_command(&self) -> bool {
        self.partial.is_some()
    }
}

impl Decoder for CommandDecoder {
    type Item = Command;
    type Error = ProtocolError;

    fn decode(&mut self, src: &mut BytesMut) -> Result<Option<Command>, ProtocolError> {
        loop {
            let step = match (&self.partial, src.first()) {
                (Some(_), _) => self.read_arguments(src)?,
                (None, None) => Step::Incomplete,
                (None, Some(b'*')) => self.read_multibulk_count(src)?,
                (None, Some(_)) => self.read_inline(src)?,
            };
            match step {
                Step::Incomplete => return Ok(None),
                Step::Continue => continue,
                Step::Ready(command) => return Ok(Some(command)),
            }
        }
    }

    fn decode_eof(&mut self, src: &mut BytesMut) -> Result<Option<Command>, ProtocolError> {
        match self.decode(src)? {
            Some(command) => Ok(Some(command)),
            None if src.is_empty() && self.partial.is_none() => Ok(None),
            None => Err(ProtocolError::Invalid(
                "connection closed in the middle of a request".to_owned(),
            )),
        }
    }
}

/// Below this size an argument is read as it comes; from it on, the buffer is grown once to hold the
/// whole argument, as Redis does for `PROTO_MBULK_BIG_ARG`.
const BIG_ARGUMENT: usize = 32 * 1024;

/// Cap on the argument vector's initial capacity: the count is untrusted until the arguments arrive.
const MAX_PREALLOCATED_ARGUMENTS: usize = 1024;

/// A multibulk request in progress.
#[derive(Debug)]
struct PartialCommand {
    args: Vec<Bytes>,
    /// Arguments still to read.
    remaining: usize,
    /// The length of the argument whose `$` line was consumed but whose payload has not fully arrived.
    bulk_len: Option<usize>,
    /// Bytes of this request consumed so far.
    wire_len: usize,
}

/// What one parsing step achieved.
enum Step {
    /// More bytes are needed.
    Incomplete,
    /// Progress was made (or bytes were skipped) without completing a command; keep going.
    Continue,
    Ready(Command),
}

impl CommandDecoder {
    fn read_multibulk_count(&mut self, src: &mut BytesMut) -> Result<Step, ProtocolError> {
        let Some(cr) = find_length_line(
            src,
            &mut self.scanned,
            self.limits.max_inline_len,
            ProtocolError::TooBigMultibulkCount,
        )?
        else {
            return Ok(Step::Incomplete);
        };
        let count = src
            .get(1..cr)
            .and_then(parse_i64)
            .filter(|&count| {
                usize::try_from(count).map_or(true, |count| count <= self.limits.max_multibulk_len)
            })
            .ok_or(ProtocolError::InvalidMultibulkLength)?;
        if !self.authenticated && count > UNAUTHENTICATED_MAX_ARGUMENTS {
            return Err(ProtocolError::UnauthenticatedMultibulkLength);
        }
        src.advance(cr + 2);
        self.scanned = 0;
        // `*0` and `*-1` are consumed without producing a command, as in Redis.
        if let Ok(count @ 1..) = usize::try_from(count) {
            self.partial = Some(PartialCommand {
                args: Vec::with_capacity(count.min(MAX_PREALLOCATED_ARGUMENTS)),
                remaining: count,
                bulk_len: None,
                wire_len: cr + 2,
            });
        }
        Ok(Step::Continue)
    }

    fn read_arguments(&mut self, src: &mut BytesMut) -> Result<Step, ProtocolError> {
        let Some(partial) = self.partial.as_mut() else {
            return Ok(Step::Continue);
        };
        while partial.remaining > 0 {
            let bulk_len = match partial.bulk_len {
                Some(bulk_len) => bulk_len,
                None => {
                    let Some(cr) = find_length_line(
                        src,
                        &mut self.scanned,
                        self.limits.max_inline_len,
                        ProtocolError::TooBigBulkCount,
                    )?
                    else {
                        return Ok(Step::Incomplete);
                    };
                    // Like Redis, the `$` is checked only once the whole length line has arrived.
                    match src.first() {
                        Some(b'$') => {}
                        Some(&other) => {
                            return Err(ProtocolError::ExpectedDollar(char::from(other)));
                        }
                        None => return Ok(Step::Incomplete),
                    }
                    let bulk_len = src
                        .get(1..cr)
                        .and_then(parse_i64)
                        .and_then(|len| usize::try_from(len).ok())
                        .filter(|&len| len <= self.limits.max_bulk_len)
                        .ok_or(ProtocolError::InvalidBulkLength)?;
                    if !self.authenticated && bulk_len > UNAUTHENTICATED_MAX_BULK {
                        return Err(ProtocolError::UnauthenticatedBulkLength);
                    }
                    src.advance(cr + 2);
                    self.scanned = 0;
                    partial.wire_len += cr + 2;
                    partial.bulk_len = Some(bulk_len);
                    if bulk_len >= BIG_ARGUMENT {
                        reserve_for(src, bulk_len);
                    }
                    bulk_len
                }
            };
            let Some(frame_len) = bulk_len.checked_add(2) else {
                return Err(ProtocolError::InvalidBulkLength);
            };
            if src.len() < frame_len {
                return Ok(Step::Incomplete);
            }
            // Redis skips the two bytes after a bulk argument without looking at them; so do we, so a
            // sloppy client gets the same answer from both.
            partial.args.push(src.split_to(bulk_len).freeze());
            src.advance(2);
            partial.wire_len += frame_len;
            partial.remaining -= 1;
            partial.bulk_len = None;
        }
        match self.partial.take() {
            Some(done) => Ok(Step::Ready(Command {
                args: done.args,
                wire_len: done.wire_len,
            })),
            None => Ok(Step::Continue),
        }
    }

    fn read_inline(&mut self, src: &mut BytesMut) -> Result<Step, ProtocolError> {
        let Some(newline) = find_byte(src, self.scanned, b'\n') else {
            if src.len() > self.limits.max_inline_len {
                return Err(ProtocolError::TooBigInlineRequest);
            }
            self.scanned = src.len();
            return Ok(Step::Incomplete);
        };
        let line_end = match newline.checked_sub(1) {
            Some(cr) if src.get(cr) == Some(&b'\r') => cr,
            _ => newline,
        };
        let args = split_args(src.get(..line_end).unwrap_or_default())?;
        let wire_len = newline + 1;
        src.advance(wire_len);
        self.scanned = 0;
        if args.is_empty() {
            Ok(Step::Continue)
        } else {
            Ok(Step::Ready(Command { args, wire_len }))
        }
    }
}

/// Finds the `\r` ending a length line (`*N` or `$N`) that starts the buffer, the way Redis does: the first
/// `\r`, which must be followed by one more byte (the `\n`, not checked, as in Redis). `scanned` remembers
/// how far the search got so an unterminated line is not searched again from the start on every read.
/// Without a `\r`, a buffer longer than `limit` is `too_big`.
fn find_length_line(
    src: &[u8],
    scanned: &mut usize,
    limit: usize,
    too_big: ProtocolError,
) -> Result<Option<usize>, ProtocolError> {
    match find_byte(src, *scanned, b'\r') {
        Some(cr) if cr + 1 < src.len() => Ok(Some(cr)),
        Some(cr) => {
            *scanned = cr;
            Ok(None)
        }
        None if src.len() > limit => Err(too_big),
        None => {
            *scanned = src.len();
            Ok(None)
        }
    }
}

/// The index of the first `byte` at or after `from`.
pub(crate) fn find_byte(haystack: &[u8], from: usize, byte: u8) -> Option<usize> {
    let tail = haystack.get(from..)?;
    tail.iter()
        .position(|&candidate| candidate == byte)
        .map(|index| index + from)
}

/// Grows the buffer once so the rest of a big payload (and its CRLF) fits without repeated reallocation.
pub(crate) fn reserve_for(src: &mut BytesMut, payload_len: usize) {
    let needed = payload_len.saturating_add(2);
    if let Some(missing) = needed.checked_sub(src.len())
        && missing > 0
    {
        src.reserve(missing);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_all(decoder: &mut CommandDecoder, input: &[u8]) -> Vec<Command> {
        let mut src = BytesMut::from(input);
        let mut commands = Vec::new();
        while let Some(command) = decoder.decode(&mut src).expect("valid input") {
            commands.push(command);
        }
        assert!(src.is_empty(), "left over: {src:?}");
        commands
    }

    fn check(input: &[u8], expected: &[(&[&str], usize)]) {
        let commands = decode_all(&mut CommandDecoder::default(), input);
        let actual: Vec<(Vec<&[u8]>, usize)> = commands
            .iter()
            .map(|command| {
                (
                    command.args.iter().map(|arg| arg.as_ref()).collect(),
                    command.wire_len,
                )
            })
            .collect();
        let expected: Vec<(Vec<&[u8]>, usize)> = expected
            .iter()
            .map(|(args, wire_len)| (args.iter().map(|arg| arg.as_bytes()).collect(), *wire_len))
            .collect();
        assert_eq!(actual, expected, "{:?}", String::from_utf8_lossy(input));
    }

    #[test]
    fn multibulk_and_pipelines() {
        check(b"*1\r\n$4\r\nPING\r\n", &[(&["PING"], 14)]);
        check(
            b"*2\r\n$3\r\nGET\r\n$0\r\n\r\n*1\r\n$4\r\nPING\r\n",
            &[(&["GET", ""], 19), (&["PING"], 14)],
        );
    }

    #[test]
    fn inline_commands() {
        check(b"PING\r\n", &[(&["PING"], 6)]);
        check(b"SET k \"a b\"\n", &[(&["SET", "k", "a b"], 12)]);
        check(b"\r\n\n  \r\nPING\n", &[(&["PING"], 5)]);
        check(b"\n*1\r\n$4\r\nPING\r\n", &[(&["PING"], 14)]);
    }

    #[test]
    fn empty_and_negative_multibulk_are_skipped() {
        check(b"*0\r\n*-1\r\n*-5\r\n*1\r\n$1\r\nx\r\n", &[(&["x"], 11)]);
    }

    #[test]
    fn partial_input_is_consumed_and_resumed() {
        let mut decoder = CommandDecoder::default();
        let mut src = BytesMut::from(&b"*2\r\n$3\r\nGET\r\n$3\r\nk"[..]);
        assert_eq!(decoder.decode(&mut src), Ok(None));
        assert!(decoder.is_mid_command());
        // The count line, the first argument and the second argument's header are already consumed.
        assert_eq!(&src[..], b"k");
        src.extend_from_slice(b"ey\r\n");
        let command = decoder.decode(&mut src).expect("valid").expect("complete");
        assert_eq!(
            command.args,
            vec![Bytes::from_static(b"GET"), Bytes::from_static(b"key")]
        );
        assert_eq!(command.wire_len, 22);
        assert!(!decoder.is_mid_command());
    }

    #[test]
    fn unterminated_line_is_not_rescanned() {
        let mut decoder = CommandDecoder::default();
        let mut src = BytesMut::from(&b"PING PING PING"[..]);
        assert_eq!(decoder.decode(&mut src), Ok(None));
        assert_eq!(decoder.scanned, 14);
        src.extend_from_slice(b" X\r\n");
        let command = decoder.decode(&mut src).expect("valid").expect("complete");
        assert_eq!(command.args.len(), 4);
        assert_eq!(decoder.scanned, 0);
    }

    #[test]
    fn unauthenticated_peers_get_small_limits() {
        let mut decoder = CommandDecoder::default();
        decoder.set_authenticated(false);
        let mut src = BytesMut::from(&b"*11\r\n"[..]);
        assert_eq!(
            decoder.decode(&mut src),
            Err(ProtocolError::UnauthenticatedMultibulkLength)
        );
        let mut decoder = CommandDecoder::default();
        decoder.set_authenticated(false);
        let mut src = BytesMut::from(&b"*1\r\n$16385\r\n"[..]);
        assert_eq!(
            decoder.decode(&mut src),
            Err(ProtocolError::UnauthenticatedBulkLength)
        );
        let mut src = BytesMut::from(&b"*2\r\n$4\r\nAUTH\r\n$16384\r\n"[..]);
        let mut decoder = CommandDecoder::default();
        decoder.set_authenticated(false);
        assert_eq!(decoder.decode(&mut src), Ok(None));
    }

    #[test]
    fn big_argument_reserves_its_room() {
        let mut decoder = CommandDecoder::default();
        let mut src = BytesMut::from(&b"*1\r\n$100000\r\nabc"[..]);
        assert_eq!(decoder.decode(&mut src), Ok(None));
        assert!(src.capacity() >= 100_002, "capacity {}", src.capacity());
    }

    #[test]
    fn small_argument_does_not_reserve() {
        let mut decoder = CommandDecoder::default();
        let mut src = BytesMut::with_capacity(64);
        src.extend_from_slice(b"*1\r\n$100\r\nabc");
        assert_eq!(decoder.decode(&mut src), Ok(None));
        assert!(src.capacity() < 1024);
    }

    #[test]
    fn limits_are_configurable() {
        let limits = Limits {
            max_bulk_len: 3,
            max_multibulk_len: 2,
            max_inline_len: 8,
        };
        let decode = |input: &[u8]| CommandDecoder::new(limits).decode(&mut BytesMut::from(input));
        assert_eq!(
            decode(b"*2\r\n$3\r\nabc\r\n$3\r\ndef\r\n").map(|c| c.map(|c| c.wire_len)),
            Ok(Some(22))
        );
        assert_eq!(
            decode(b"*3\r\n"),
            Err(ProtocolError::InvalidMultibulkLength)
        );
        assert_eq!(
            decode(b"*1\r\n$4\r\n"),
            Err(ProtocolError::InvalidBulkLength)
        );
        assert_eq!(
            decode(b"PING PING"),
            Err(ProtocolError::TooBigInlineRequest)
        );
        assert_eq!(
            decode(b"*111111111"),
            Err(ProtocolError::TooBigMultibulkCount)
        );
        assert_eq!(
            decode(b"*1\r\n$111111111"),
            Err(ProtocolError::TooBigBulkCount)
        );
        assert_eq!(CommandDecoder::new(limits).limits(), limits);
    }

    #[test]
    fn bytes_after_an_argument_are_skipped_unchecked() {
        let mut src = BytesMut::from(&b"*1\r\n$4\r\nPINGxx*1\r\n"[..]);
        let command = CommandDecoder::default()
            .decode(&mut src)
            .expect("valid")
            .expect("complete");
        assert_eq!(command.args, vec![bytes::Bytes::from_static(b"PING")]);
        assert_eq!(command.wire_len, 14);
        assert_eq!(&src[..], b"*1\r\n");
    }

    #[test]
    fn eof_in_the_middle_of_a_request_is_an_error() {
        let mut decoder = CommandDecoder::default();
        let mut src = BytesMut::from(&b"*2\r\n$3\r\nGET\r\n"[..]);
        assert!(decoder.decode_eof(&mut src).is_err());
        assert_eq!(
            CommandDecoder::default().decode_eof(&mut BytesMut::new()),
            Ok(None)
        );
    }
}
