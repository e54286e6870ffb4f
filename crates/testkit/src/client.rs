//! [`Client`]: a small blocking RESP client over `std::net`, built on the `resp` crate's codec.

use std::fmt;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use bytes::BytesMut;
use resp::{Frame, FrameDecoder, ProtocolError};
use tokio_util::codec::Decoder;

/// How long a read or write may block before the client gives up: a hung server fails the test instead of
/// hanging it.
const IO_TIMEOUT: Duration = Duration::from_secs(30);

/// A blocking connection to one server, speaking RESP2.
///
/// Error replies (`-ERR ...`) are ordinary [`Frame::Error`] values, not Rust errors: tests assert on them.
/// Rust errors are for a broken connection or a corrupt stream.
#[derive(Debug)]
pub struct Client {
    stream: TcpStream,
    read_buffer: BytesMut,
    decoder: FrameDecoder,
    /// The bytes of the reply being decoded that the decoder already took out of `read_buffer`.
    partial_reply: Vec<u8>,
}

/// Why a request got no reply.
#[derive(Debug)]
#[non_exhaustive]
pub enum ClientError {
    /// Connecting, reading or writing failed (including a read timeout).
    Io(io::Error),
    /// The server sent bytes that are not valid RESP.
    Protocol(ProtocolError),
    /// The server closed the connection before a complete reply.
    Closed,
    /// The reply has the wrong shape for a helper such as [`Client::info`] (e.g. an error reply).
    UnexpectedReply(Frame),
}

impl fmt::Display for ClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClientError::Io(error) => write!(f, "I/O error: {error}"),
            ClientError::Protocol(error) => write!(f, "corrupt reply stream: {error}"),
            ClientError::Closed => write!(f, "connection closed by the server"),
            ClientError::UnexpectedReply(frame) => write!(f, "unexpected reply: {frame:?}"),
        }
    }
}

impl std::error::Error for ClientError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ClientError::Io(error) => Some(error),
            ClientError::Protocol(error) => Some(error),
            ClientError::Closed | ClientError::UnexpectedReply(_) => None,
        }
    }
}

impl From<io::Error> for ClientError {
    fn from(error: io::Error) -> ClientError {
        ClientError::Io(error)
    }
}

impl Client {
    /// Connects to `127.0.0.1:port`.
    pub fn connect(port: u16) -> io::Result<Client> {
        Client::connect_addr(SocketAddr::from(([127, 0, 0, 1], port)))
    }

    /// Connects to `address`, with read and write timeouts so a hung server cannot hang the caller.
    pub fn connect_addr(address: SocketAddr) -> io::Result<Client> {
        let stream = TcpStream::connect_timeout(&address, IO_TIMEOUT)?;
        stream.set_read_timeout(Some(IO_TIMEOUT))?;
        stream.set_write_timeout(Some(IO_TIMEOUT))?;
        stream.set_nodelay(true)?;
        Ok(Client {
            stream,
            read_buffer: BytesMut::with_capacity(4096),
            decoder: FrameDecoder::new(),
            partial_reply: Vec::new(),
        })
    }

    /// Sends one command and reads its reply; panics (naming the command) if there is no reply.
    #[track_caller]
    pub fn cmd<A: AsRef<[u8]>>(&mut self, args: &[A]) -> Frame {
        match self.try_cmd(args) {
            Ok(frame) => frame,
            Err(error) => panic!("command {} failed: {error}", display_args(args)),
        }
    }

    /// Sends one command and reads its reply.
    pub fn try_cmd<A: AsRef<[u8]>>(&mut self, args: &[A]) -> Result<Frame, ClientError> {
        self.send(args)?;
        self.read_reply()
    }

    /// Sends one command without reading anything (for `SHUTDOWN`, which normally gets no reply, or pipelining).
    pub fn send<A: AsRef<[u8]>>(&mut self, args: &[A]) -> Result<(), ClientError> {
        let mut request = BytesMut::new();
        resp::encode_command(args, &mut request);
        self.stream.write_all(&request)?;
        Ok(())
    }

    /// Reads the next reply.
    pub fn read_reply(&mut self) -> Result<Frame, ClientError> {
        loop {
            if let Some(frame) = self
                .decoder
                .decode(&mut self.read_buffer)
                .map_err(ClientError::Protocol)?
            {
                return Ok(frame);
            }
            self.fill_buffer()?;
        }
    }

    /// Reads the next reply, with the exact bytes it arrived as (for byte-for-byte comparisons of two servers).
    pub fn read_reply_with_bytes(&mut self) -> Result<(Frame, Vec<u8>), ClientError> {
        loop {
            // The decoder takes the prefix it has parsed out of the buffer, also while the reply is incomplete:
            // keep what it took. The copy is of unread bytes only, small when replies are read one at a time.
            let unread = self.read_buffer.clone();
            let decoded = self.decoder.decode(&mut self.read_buffer);
            let consumed = unread.len() - self.read_buffer.len();
            self.partial_reply.extend_from_slice(&unread[..consumed]);
            if let Some(frame) = decoded.map_err(ClientError::Protocol)? {
                return Ok((frame, std::mem::take(&mut self.partial_reply)));
            }
            self.fill_buffer()?;
        }
    }

    /// Appends what the socket has (blocking until something arrives) to the read buffer.
    fn fill_buffer(&mut self) -> Result<(), ClientError> {
        let mut chunk = [0u8; 16 * 1024];
        let read = self.stream.read(&mut chunk)?;
        if read == 0 {
            return Err(ClientError::Closed);
        }
        self.read_buffer.extend_from_slice(&chunk[..read]);
        Ok(())
    }

    /// `INFO <section>` as the text the server sent (lines end in `\r\n`).
    pub fn info(&mut self, section: &str) -> Result<String, ClientError> {
        match self.try_cmd(&["INFO", section])? {
            Frame::Bulk(text) | Frame::Verbatim { text, .. } => {
                Ok(String::from_utf8_lossy(&text).into_owned())
            }
            other => Err(ClientError::UnexpectedReply(other)),
        }
    }

    /// `INFO replication` as the text the server sent; panics if there is no such reply.
    #[track_caller]
    pub fn info_replication(&mut self) -> String {
        match self.info("replication") {
            Ok(info) => info,
            Err(error) => panic!("INFO replication failed: {error}"),
        }
    }

    /// The value of `field` in `INFO <section>`, e.g. `info_field("replication", "role")`; `None` if absent.
    pub fn info_field(
        &mut self,
        section: &str,
        field: &str,
    ) -> Result<Option<String>, ClientError> {
        let text = self.info(section)?;
        Ok(info_field_in(&text, field).map(str::to_string))
    }
}

/// The value of `field` in INFO text (`field:value` lines), without the line terminator; `None` if absent.
pub fn info_field_in<'a>(info: &'a str, field: &str) -> Option<&'a str> {
    info.lines().find_map(|line| {
        let (name, value) = line.split_once(':')?;
        (name == field).then(|| value.trim_end_matches('\r'))
    })
}

/// A command for messages: `SET k v`.
fn display_args<A: AsRef<[u8]>>(args: &[A]) -> String {
    let words: Vec<String> = args
        .iter()
        .map(|arg| String::from_utf8_lossy(arg.as_ref()).into_owned())
        .collect();
    words.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn info_field_reads_crlf_lines() {
        let info = "# Replication\r\nrole:slave\r\nmaster_port:7050\r\nslave0:ip=127.0.0.1,port=1,state=online\r\n";
        assert_eq!(info_field_in(info, "role"), Some("slave"));
        assert_eq!(info_field_in(info, "master_port"), Some("7050"));
        assert_eq!(
            info_field_in(info, "slave0"),
            Some("ip=127.0.0.1,port=1,state=online")
        );
        assert_eq!(info_field_in(info, "master"), None);
    }
}
