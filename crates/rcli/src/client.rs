//! [`Client`]: a blocking connection to a server that sends commands and reads replies.
//!
//! Blocking std sockets are enough for a CLI that does one request at a time, and they keep tokio out of the binary;
//! the `resp` decoder is driven by hand over our own read buffer (the decoder never does I/O itself).

use std::fmt;
use std::io::{self, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::os::unix::net::UnixStream;
use std::path::Path;
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

/// The socket under a [`Client`]: TCP, or a Unix domain socket (`-s`).
#[derive(Debug)]
enum Stream {
    Tcp(TcpStream),
    Unix(UnixStream),
}

impl Read for Stream {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        match self {
            Stream::Tcp(stream) => stream.read(buffer),
            Stream::Unix(stream) => stream.read(buffer),
        }
    }
}

impl Write for Stream {
    fn write(&mut self, buffer: &[u8]) -> io::Result<usize> {
        match self {
            Stream::Tcp(stream) => stream.write(buffer),
            Stream::Unix(stream) => stream.write(buffer),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Stream::Tcp(stream) => stream.flush(),
            Stream::Unix(stream) => stream.flush(),
        }
    }
}

/// One connection to a server.
#[derive(Debug)]
pub struct Client {
    stream: Stream,
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

    /// Connects to the Unix domain socket at `path` (redis-cli's `-s`).
    pub fn connect_unix(path: &Path, timeouts: Timeouts) -> io::Result<Client> {
        let stream = UnixStream::connect(path)?;
        stream.set_read_timeout(timeouts.read)?;
        stream.set_write_timeout(timeouts.write)?;
        Ok(Client::wrap(Stream::Unix(stream)))
    }

    /// Wraps an already connected stream (tests use this with a hand-made fake server).
    pub fn from_stream(stream: TcpStream, timeouts: Timeouts) -> io::Result<Client> {
        stream.set_read_timeout(timeouts.read)?;
        stream.set_write_timeout(timeouts.write)?;
        // Requests are single small writes and the user waits for each reply: Nagle only adds latency.
        stream.set_nodelay(true)?;
        Ok(Client::wrap(Stream::Tcp(stream)))
    }

    fn wrap(stream: Stream) -> Client {
        Client {
            stream,
            read_buffer: BytesMut::with_capacity(16 * 1024),
            write_buffer: BytesMut::new(),
            decoder: FrameDecoder::new(),
        }
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

    /// Sends several commands in one write, without waiting for the replies (a pipeline).
    pub fn send_all<A: AsRef<[u8]>>(&mut self, commands: &[Vec<A>]) -> io::Result<()> {
        self.write_buffer.clear();
        for args in commands {
            resp::encode_command(args, &mut self.write_buffer);
        }
        self.stream.write_all(&self.write_buffer)?;
        self.stream.flush()
    }

    /// Reads the next frame from the server.
    pub fn read_reply(&mut self) -> io::Result<Frame> {
        loop {
            if let Some(frame) = self.buffered_reply()? {
                return Ok(frame);
            }
            if self.fill()? == 0 {
                return Err(io::Error::new(io::ErrorKind::UnexpectedEof, ServerClosed));
            }
        }
    }

    /// The next frame if the bytes already read hold a whole one; never touches the socket.
    pub fn buffered_reply(&mut self) -> io::Result<Option<Frame>> {
        self.decoder
            .decode(&mut self.read_buffer)
            .map_err(|error| io::Error::new(io::ErrorKind::InvalidData, error))
    }

    /// One `read` from the socket into the buffer of unparsed bytes; returns how many bytes came (0 at the end).
    pub fn fill(&mut self) -> io::Result<usize> {
        let mut chunk = [0u8; 16 * 1024];
        let read = self.stream.read(&mut chunk)?;
        self.read_buffer.extend_from_slice(&chunk[..read]);
        Ok(read)
    }

    /// Reads raw bytes, bypassing the RESP decoder: first what is already buffered, then from the socket.
    /// Replication payloads (`SYNC`) are not RESP frames and need this.
    pub fn read_raw(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        if !self.read_buffer.is_empty() {
            let count = buffer.len().min(self.read_buffer.len());
            buffer[..count].copy_from_slice(&self.read_buffer.split_to(count));
            return Ok(count);
        }
        self.stream.read(buffer)
    }

    /// Writes raw bytes as they are (`--pipe` sends the user's own RESP).
    pub fn write_raw(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.stream.write_all(bytes)?;
        self.stream.flush()
    }

    /// Sets the read timeout of the socket (`None` waits forever).
    pub fn set_read_timeout(&mut self, timeout: Option<Duration>) -> io::Result<()> {
        match &self.stream {
            Stream::Tcp(stream) => stream.set_read_timeout(timeout),
            Stream::Unix(stream) => stream.set_read_timeout(timeout),
        }
    }

    /// A second handle on the same socket, for writing from one thread while another reads (`--pipe`).
    pub fn try_clone_writer(&self) -> io::Result<Box<dyn Write + Send>> {
        Ok(match &self.stream {
            Stream::Tcp(stream) => Box::new(stream.try_clone()?),
            Stream::Unix(stream) => Box::new(stream.try_clone()?),
        })
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
