//! [`Conn`]: a small blocking RESP connection with a chosen read timeout, for the run's many clients.
//!
//! The kit's [`Client`](crate::Client) waits up to 30 s for a reply; the torture run needs shorter bounds (the
//! watchdog's PING bound, subscribers that wake up to see the end of the run) and keeps the currently
//! selected database with the connection.

use std::io::{self, Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use bytes::BytesMut;
use resp::{Frame, FrameDecoder};
use tokio_util::codec::Decoder as _;

/// How long connecting may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// One blocking connection to `127.0.0.1:port`.
pub(super) struct Conn {
    stream: TcpStream,
    buffer: BytesMut,
    decoder: FrameDecoder,
    /// The port it is connected to.
    pub(super) port: u16,
    /// The database its last `SELECT` chose (0 on a new connection).
    pub(super) db: u32,
}

impl Conn {
    /// Connects, with `read_timeout` for every reply (and as the write timeout).
    pub(super) fn connect(port: u16, read_timeout: Duration) -> io::Result<Conn> {
        let address = SocketAddr::from(([127, 0, 0, 1], port));
        let stream = TcpStream::connect_timeout(&address, CONNECT_TIMEOUT)?;
        stream.set_read_timeout(Some(read_timeout))?;
        stream.set_write_timeout(Some(read_timeout))?;
        stream.set_nodelay(true)?;
        Ok(Conn {
            stream,
            buffer: BytesMut::with_capacity(4096),
            decoder: FrameDecoder::new(),
            port,
            db: 0,
        })
    }

    /// Sends one command without reading its reply.
    pub(super) fn send<A: AsRef<[u8]>>(&mut self, args: &[A]) -> io::Result<()> {
        let mut request = BytesMut::new();
        resp::encode_command(args, &mut request);
        self.stream.write_all(&request)
    }

    /// Reads the next reply; a read timeout is an error of kind `WouldBlock` or `TimedOut`, after which the
    /// connection stays usable (the bytes of a partly received reply are kept).
    pub(super) fn read(&mut self) -> io::Result<Frame> {
        loop {
            match self.decoder.decode(&mut self.buffer) {
                Ok(Some(frame)) => return Ok(frame),
                Ok(None) => {}
                Err(error) => return Err(io::Error::new(io::ErrorKind::InvalidData, error)),
            }
            let mut chunk = [0u8; 16 * 1024];
            let read = self.stream.read(&mut chunk)?;
            if read == 0 {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
            self.buffer.extend_from_slice(&chunk[..read]);
        }
    }

    /// Sends one command and reads its reply.
    pub(super) fn request<A: AsRef<[u8]>>(&mut self, args: &[A]) -> io::Result<Frame> {
        self.send(args)?;
        self.read()
    }

    /// `SELECT db` unless it is selected already. A refusal (`-LOADING`, `-BUSY`) is an error too: the caller
    /// drops the connection rather than run a command in the wrong database.
    pub(super) fn select(&mut self, db: u32) -> io::Result<()> {
        if self.db == db {
            return Ok(());
        }
        match self.request(&["SELECT", &db.to_string()])? {
            Frame::Simple(_) => {
                self.db = db;
                Ok(())
            }
            other => Err(io::Error::other(format!(
                "SELECT {db} answered {}",
                show_frame(&other)
            ))),
        }
    }
}

/// Whether an I/O error is a read timeout (the connection is fine, nothing arrived in time).
pub(super) fn is_timeout(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

/// What a bounded PING found.
#[derive(Debug)]
pub(super) enum Ping {
    /// Some reply came (`PONG`, but also `-BUSY` or `-LOADING`: the node is alive and serving).
    Answered,
    /// Connected, but no reply within the bound.
    TimedOut,
    /// Could not connect, or the connection broke.
    Failed(io::Error),
}

/// PINGs `127.0.0.1:port` on a new connection and waits at most `bound` for any reply.
pub(super) fn ping_within(port: u16, bound: Duration) -> Ping {
    let mut conn = match Conn::connect(port, bound) {
        Ok(conn) => conn,
        Err(error) if is_timeout(&error) => return Ping::TimedOut,
        Err(error) => return Ping::Failed(error),
    };
    match conn.request(&["PING"]) {
        Ok(_) => Ping::Answered,
        Err(error) if is_timeout(&error) => Ping::TimedOut,
        Err(error) => Ping::Failed(error),
    }
}

/// A frame as short readable text, for messages.
pub(super) fn show_frame(frame: &Frame) -> String {
    let text = match frame {
        Frame::Simple(bytes) | Frame::Bulk(bytes) => String::from_utf8_lossy(bytes).into_owned(),
        Frame::Error(bytes) | Frame::BulkError(bytes) => {
            format!("-{}", String::from_utf8_lossy(bytes))
        }
        Frame::Integer(value) => format!(":{value}"),
        Frame::Null | Frame::NullArray => "(nil)".to_string(),
        other => format!("{other:?}"),
    };
    let mut text: String = text.chars().take(300).collect();
    if text.len() >= 300 {
        text.push_str("...");
    }
    text
}

/// A command as readable text (`SET k v`), for messages.
pub(super) fn show_args<A: AsRef<[u8]>>(args: &[A]) -> String {
    let words: Vec<String> = args
        .iter()
        .map(|arg| String::from_utf8_lossy(arg.as_ref()).into_owned())
        .collect();
    let text = words.join(" ");
    if text.len() > 200 {
        let cut: String = text.chars().take(200).collect();
        format!("{cut}...")
    } else {
        text
    }
}
