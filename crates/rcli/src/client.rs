//! [`Client`]: a blocking connection to a server that sends commands and reads replies.
//!
//! Blocking std sockets are enough for a CLI that does one request at a time, and they keep tokio out of the binary;
//! the `resp` decoder is driven by hand over our own read buffer (the decoder never does I/O itself).

use std::fmt;
use std::io::{self, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

use bytes::BytesMut;
use resp::{Frame, FrameDecoder};
use tokio_util::codec::Decoder;

/// Socket timeouts of a [`Client`]; `None` waits forever.
///
/// The CLI uses no read timeout, as redis-cli does, because `BLPOP k 0` may legitimately wait forever; tests want
/// every timeout set so a broken server fails them instead of hanging them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Timeouts {
    /// Per address tried while connecting.
    pub connect: Option<Duration>,
    /// Per `read` call while waiting for a reply.
    pub read: Option<Duration>,
    /// Per `write` call while sending a command.
    pub write: Option<Duration>,
}

impl Timeouts {
    /// The same timeout for connecting, reading and writing.
    pub fn all(timeout: Duration) -> Timeouts {
        Timeouts {
            connect: Some(timeout),
            read: Some(timeout),
            write: Some(timeout),
        }
    }
}

/// One connection to a server.
#[derive(Debug)]
pub struct Client {
    stream: TcpStream,
    read_buffer: BytesMut,
    write_buffer: BytesMut,
    decoder: FrameDecoder,
}

impl Client {
    /// Connects to `host:port`, trying each address the name resolves to in turn, like hiredis.
    pub fn connect(host: &str, port: u16, timeouts: Timeouts) -> io::Result<Client> {
        let mut last_error = None;
        for address in (host, port).to_socket_addrs()? {
            let attempt = match timeouts.connect {
                Some(timeout) => TcpStream::connect_timeout(&address, timeout),
                None => TcpStream::connect(address),
            };
            match attempt {
                Ok(stream) => return Client::from_stream(stream, timeouts),
                Err(error) => last_error = Some(error),
            }
        }
        Err(last_error.unwrap_or_else(|| {
            io::Error::new(io::ErrorKind::NotFound, "Name or service not known")
        }))
    }

    /// Wraps an already connected stream (tests use this with a hand-made fake server).
    pub fn from_stream(stream: TcpStream, timeouts: Timeouts) -> io::Result<Client> {
        stream.set_read_timeout(timeouts.read)?;
        stream.set_write_timeout(timeouts.write)?;
        // Requests are single small writes and the user waits for each reply: Nagle only adds latency.
        stream.set_nodelay(true)?;
        Ok(Client {
            stream,
            read_buffer: BytesMut::with_capacity(16 * 1024),
            write_buffer: BytesMut::new(),
            decoder: FrameDecoder::new(),
        })
    }

    /// Sends one command and waits for its reply. An error reply is an `Ok(Frame::Error)`: only a broken connection
    /// or a corrupt stream is an `Err` (see [`describe_io_error`] for how to show it).
    pub fn command<A: AsRef<[u8]>>(&mut self, args: &[A]) -> io::Result<Frame> {
        self.send(args)?;
        self.read_reply()
    }

    /// Sends one command without waiting for the reply.
    pub fn send<A: AsRef<[u8]>>(&mut self, args: &[A]) -> io::Result<()> {
        self.write_buffer.clear();
        resp::encode_command(args, &mut self.write_buffer);
        self.stream.write_all(&self.write_buffer)?;
        self.stream.flush()
    }

    /// Reads the next frame from the server.
    pub fn read_reply(&mut self) -> io::Result<Frame> {
        loop {
            match self.decoder.decode(&mut self.read_buffer) {
                Ok(Some(frame)) => return Ok(frame),
                Ok(None) => {}
                Err(error) => return Err(io::Error::new(io::ErrorKind::InvalidData, error)),
            }
            let mut chunk = [0u8; 16 * 1024];
            let read = self.stream.read(&mut chunk)?;
            if read == 0 {
                return Err(io::Error::new(io::ErrorKind::UnexpectedEof, ServerClosed));
            }
            self.read_buffer.extend_from_slice(&chunk[..read]);
        }
    }
}

/// The text redis-cli (hiredis) shows for a failed connect or a broken connection: the bare `strerror` text, so
/// `Connection refused` rather than Rust's `Connection refused (os error 111)`.
pub fn describe_io_error(error: &io::Error) -> String {
    let text = error.to_string();
    let text = text
        .strip_prefix("failed to lookup address information: ")
        .unwrap_or(&text);
    match text.rfind(" (os error ") {
        Some(start) if text.ends_with(')') => text[..start].to_owned(),
        _ => text.to_owned(),
    }
}

/// The end of the stream before a complete reply, worded as hiredis words it.
#[derive(Debug)]
struct ServerClosed;

impl fmt::Display for ServerClosed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Server closed the connection")
    }
}

impl std::error::Error for ServerClosed {}

#[cfg(test)]
mod tests {
    use super::*;

    // 111 is ECONNREFUSED on Linux only.
    #[cfg(target_os = "linux")]
    #[test]
    fn io_errors_read_like_strerror() {
        let refused = io::Error::from_raw_os_error(111);
        assert_eq!(describe_io_error(&refused), "Connection refused");
        let closed = io::Error::new(io::ErrorKind::UnexpectedEof, ServerClosed);
        assert_eq!(describe_io_error(&closed), "Server closed the connection");
    }
}
