//! [`RawConnection`]: a TCP connection that sends exact bytes and hands back each reply's exact bytes, for tests
//! that compare servers byte for byte (a parsed `Frame` would hide framing differences).

use std::io::{ErrorKind, Read as _, Write as _};
use std::net::TcpStream;
use std::time::Duration;

use bytes::BytesMut;
use resp::FrameDecoder;
use tokio_util::codec::Decoder as _;

/// How long a read may block: a server that never answers fails the step instead of hanging the test.
const READ_TIMEOUT: Duration = Duration::from_secs(10);

/// A client connection speaking raw bytes.
pub struct RawConnection {
    stream: TcpStream,
    /// Bytes read from the socket and not yet handed out.
    buffer: BytesMut,
    decoder: FrameDecoder,
    /// The bytes of the reply being decoded that the decoder already consumed from `buffer`.
    partial_reply: Vec<u8>,
}

impl RawConnection {
    /// Connects to `127.0.0.1:port`; panics if that fails.
    #[track_caller]
    pub fn connect(port: u16) -> RawConnection {
        let stream = TcpStream::connect(("127.0.0.1", port))
            .unwrap_or_else(|error| panic!("connect to 127.0.0.1:{port}: {error}"));
        stream
            .set_read_timeout(Some(READ_TIMEOUT))
            .expect("set a read timeout on a connected socket");
        stream
            .set_nodelay(true)
            .expect("set TCP_NODELAY on a connected socket");
        RawConnection {
            stream,
            buffer: BytesMut::new(),
            decoder: FrameDecoder::new(),
            partial_reply: Vec::new(),
        }
    }

    /// Writes `bytes` in one call. A server that already closed the connection makes this fail; the caller
    /// then sees the closed connection on its next read.
    pub fn send(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.stream.write_all(bytes)
    }

    /// The exact bytes of the next complete reply (RESP2 or RESP3), or why there is none.
    pub fn read_reply(&mut self) -> Result<Vec<u8>, String> {
        loop {
            let before = self.buffer.clone();
            let decoded = self
                .decoder
                .decode(&mut self.buffer)
                .map_err(|error| format!("corrupt reply: {error}"))?;
            let consumed = before.len() - self.buffer.len();
            self.partial_reply.extend_from_slice(&before[..consumed]);
            if decoded.is_some() {
                return Ok(std::mem::take(&mut self.partial_reply));
            }
            match self.read_some()? {
                0 => {
                    return Err(format!(
                        "connection closed; unanswered bytes: {}",
                        escape(&self.partial_reply)
                    ));
                }
                _ => continue,
            }
        }
    }

    /// Reads until the server closes the connection; returns whatever arrived before that (normally nothing).
    /// Fails if the connection is still open after the read timeout.
    pub fn read_until_closed(&mut self) -> Result<Vec<u8>, String> {
        let mut rest = std::mem::take(&mut self.partial_reply);
        rest.extend_from_slice(&self.buffer.split());
        loop {
            match self.read_some() {
                Ok(0) => return Ok(rest),
                Ok(_) => rest.extend_from_slice(&self.buffer.split()),
                // A reset after the reply is as good as a close.
                Err(error) if error.contains("reset") => return Ok(rest),
                Err(error) => {
                    return Err(format!(
                        "{error} (connection still open; received {})",
                        escape(&rest)
                    ));
                }
            }
        }
    }

    /// Everything that is readable right now without blocking (for streams whose end is not known).
    pub fn read_available(&mut self) -> Result<Vec<u8>, String> {
        self.stream
            .set_nonblocking(true)
            .map_err(|error| format!("set non-blocking: {error}"))?;
        let mut closed = false;
        let outcome = loop {
            match self.read_some() {
                Ok(0) => {
                    closed = true;
                    break Ok(());
                }
                Ok(_) => continue,
                Err(error) if error.contains("WouldBlock") => break Ok(()),
                Err(error) => break Err(error),
            }
        };
        self.stream
            .set_nonblocking(false)
            .map_err(|error| format!("set blocking: {error}"))?;
        outcome?;
        let bytes = self.buffer.split().to_vec();
        if closed && bytes.is_empty() {
            return Err("connection closed by the server".to_owned());
        }
        Ok(bytes)
    }

    /// Reads exactly `count` bytes (e.g. a snapshot payload), blocking.
    pub fn read_exact_bytes(&mut self, count: usize) -> Result<Vec<u8>, String> {
        while self.buffer.len() < count {
            if self.read_some()? == 0 {
                return Err(format!(
                    "connection closed after {} of {count} bytes",
                    self.buffer.len()
                ));
            }
        }
        Ok(self.buffer.split_to(count).to_vec())
    }

    /// Reads one line ending in `\n` (the `\r\n` or `\n` included), blocking.
    pub fn read_line(&mut self) -> Result<Vec<u8>, String> {
        loop {
            if let Some(newline) = self.buffer.iter().position(|&byte| byte == b'\n') {
                return Ok(self.buffer.split_to(newline + 1).to_vec());
            }
            if self.read_some()? == 0 {
                return Err(format!(
                    "connection closed in a line: {}",
                    escape(&self.buffer)
                ));
            }
        }
    }

    /// Reads until the buffered bytes end with `mark` (a diskless payload's EOF mark) and returns them,
    /// mark included, blocking.
    pub fn read_through_mark(&mut self, mark: &[u8]) -> Result<Vec<u8>, String> {
        loop {
            if let Some(end) = find(&self.buffer, mark) {
                return Ok(self.buffer.split_to(end + mark.len()).to_vec());
            }
            if self.read_some()? == 0 {
                return Err("connection closed before the EOF mark".to_owned());
            }
        }
    }

    /// One `read` into the buffer: the number of bytes read (0 = closed), or a description of the error.
    fn read_some(&mut self) -> Result<usize, String> {
        let mut chunk = [0u8; 16 * 1024];
        loop {
            match self.stream.read(&mut chunk) {
                Ok(read) => {
                    self.buffer.extend_from_slice(&chunk[..read]);
                    return Ok(read);
                }
                Err(error) if error.kind() == ErrorKind::Interrupted => continue,
                Err(error) if error.kind() == ErrorKind::WouldBlock => {
                    // With a read timeout set, Linux reports a timeout as WouldBlock too.
                    return Err(format!("WouldBlock / timed out after {READ_TIMEOUT:?}"));
                }
                Err(error) if error.kind() == ErrorKind::ConnectionReset => {
                    return Err(format!("connection reset: {error}"));
                }
                Err(error) => return Err(format!("read failed: {error}")),
            }
        }
    }
}

/// Bytes as a readable Rust-like string literal: `"+OK\r\n"`.
pub fn escape(bytes: &[u8]) -> String {
    format!("\"{}\"", bytes.escape_ascii())
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}
