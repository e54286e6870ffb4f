//! The replica's side of a new master link: handshake, PSYNC reply, snapshot payload.
//!
//! Everything here works over any `AsyncRead + AsyncWrite` plus the caller's read buffer, which keeps any
//! bytes that arrive after the part just parsed (in a `$<len>` transfer the live stream follows the
//! snapshot immediately, in the same TCP segment if it likes).

use std::time::Duration;

use bytes::BytesMut;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use crate::{ReplId, ReplOffset};

/// Longest line accepted from a master during the handshake.
const MAX_LINE: usize = 64 * 1024;

/// What the replica announces and how it authenticates.
#[derive(Debug, Clone, Default)]
pub struct HandshakeConfig {
    /// Sent as `REPLCONF listening-port` (the announced port if configured).
    pub listening_port: u16,
    /// Sent as `REPLCONF ip-address` when set.
    pub announce_ip: Option<String>,
    /// `masteruser`, sent with AUTH when set.
    pub masteruser: Option<String>,
    /// `masterauth`; AUTH is sent only when set.
    pub masterauth: Option<String>,
    /// Limit on each wait for the master (`repl-timeout`).
    pub timeout: Duration,
    /// Send `PSYNC <id> <offset> FAILOVER`: this (old) master asks the target of a `FAILOVER` to take over.
    pub failover: bool,
}

/// The master's reply to PSYNC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PsyncReply {
    /// `+CONTINUE [id]`: partial resync; the id is the master's current one when it sent one.
    Continue {
        /// The master's replication id, when given.
        replid: Option<ReplId>,
    },
    /// `+FULLRESYNC <id> <offset>`: a snapshot follows.
    FullResync {
        /// The master's replication id.
        replid: ReplId,
        /// The offset the snapshot corresponds to.
        offset: ReplOffset,
    },
}

/// How the snapshot payload is delimited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PayloadFraming {
    /// `$<len>\r\n` then exactly `len` bytes, no trailing CRLF.
    Length(usize),
    /// `$EOF:<mark>\r\n`, then bytes until the 40-byte mark.
    EofMark([u8; 40]),
}

/// Why a handshake step failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HandshakeError {
    /// The connection failed or closed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// The master closed the connection.
    #[error("connection closed by MASTER")]
    Closed,
    /// No reply within `repl-timeout`.
    #[error("timeout waiting for MASTER")]
    Timeout,
    /// The master answered something that makes no sense at this step.
    #[error("unexpected reply from MASTER: {0}")]
    Protocol(String),
    /// The master refused a step (authentication, PSYNC); try again later.
    #[error("{0}")]
    Refused(String),
}

/// Runs PING, AUTH, REPLCONF and PSYNC, and returns the master's PSYNC answer. `psync_id`/`psync_offset` are
/// `?`/`-1` for a forced full resync, else the cached master's id and applied offset + 1.
pub async fn perform<S>(
    stream: &mut S,
    buf: &mut BytesMut,
    config: &HandshakeConfig,
    psync_id: &str,
    psync_offset: ReplOffset,
) -> Result<PsyncReply, HandshakeError>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let mut out = BytesMut::new();
    resp::encode_command(&["PING"], &mut out);
    stream.write_all(&out).await?;
    let pong = read_line(stream, buf, config.timeout).await?;
    let pong_ok = pong.starts_with("+")
        || pong.starts_with("-NOAUTH")
        || pong.starts_with("-NOPERM")
        || pong.starts_with("-ERR operation not permitted");
    if !pong_ok {
        return Err(HandshakeError::Refused(format!(
            "Error reply to PING from master: '{pong}'"
        )));
    }

    // AUTH and the REPLCONFs are pipelined, then their replies read in order, as Redis does.
    out.clear();
    let sends_auth = config.masterauth.is_some();
    if let Some(password) = &config.masterauth {
        match &config.masteruser {
            Some(user) => resp::encode_command(&["AUTH", user, password], &mut out),
            None => resp::encode_command(&["AUTH", password], &mut out),
        }
    }
    let port = config.listening_port.to_string();
    resp::encode_command(&["REPLCONF", "listening-port", &port], &mut out);
    if let Some(ip) = &config.announce_ip {
        resp::encode_command(&["REPLCONF", "ip-address", ip], &mut out);
    }
    resp::encode_command(&["REPLCONF", "capa", "eof", "capa", "psync2"], &mut out);
    stream.write_all(&out).await?;
    if sends_auth {
        let reply = read_line(stream, buf, config.timeout).await?;
        if let Some(error) = reply.strip_prefix('-') {
            return Err(HandshakeError::Refused(format!(
                "Unable to AUTH to MASTER: {error}"
            )));
        }
    }
    let replconf_count = 2 + usize::from(config.announce_ip.is_some());
    for _ in 0..replconf_count {
        // Errors to REPLCONF are ignored: old masters do not know every option.
        read_line(stream, buf, config.timeout).await?;
    }

    out.clear();
    let offset = psync_offset.to_string();
    if config.failover {
        resp::encode_command(&["PSYNC", psync_id, &offset, "FAILOVER"], &mut out);
    } else {
        resp::encode_command(&["PSYNC", psync_id, &offset], &mut out);
    }
    stream.write_all(&out).await?;
    let reply = read_nonempty_line(stream, buf, config.timeout).await?;
    parse_psync_reply(&reply)
}

/// Parses the line answering PSYNC.
pub fn parse_psync_reply(reply: &str) -> Result<PsyncReply, HandshakeError> {
    if let Some(rest) = reply.strip_prefix("+FULLRESYNC ") {
        let mut parts = rest.split(' ');
        let replid = parts.next().and_then(|id| ReplId::parse(id.as_bytes()));
        let offset = parts.next().and_then(|offset| offset.parse::<i64>().ok());
        return match (replid, offset) {
            (Some(replid), Some(offset)) => Ok(PsyncReply::FullResync {
                replid,
                offset: ReplOffset(offset),
            }),
            _ => Err(HandshakeError::Protocol(format!(
                "bad FULLRESYNC reply '{reply}'"
            ))),
        };
    }
    if let Some(rest) = reply.strip_prefix("+CONTINUE") {
        let rest = rest.trim();
        if rest.is_empty() {
            return Ok(PsyncReply::Continue { replid: None });
        }
        return match ReplId::parse(rest.as_bytes()) {
            Some(replid) => Ok(PsyncReply::Continue {
                replid: Some(replid),
            }),
            None => Err(HandshakeError::Protocol(format!(
                "bad CONTINUE reply '{reply}'"
            ))),
        };
    }
    if let Some(error) = reply.strip_prefix('-') {
        return Err(HandshakeError::Refused(format!(
            "MASTER aborted replication with an error: {error}"
        )));
    }
    Err(HandshakeError::Protocol(format!(
        "unexpected reply to PSYNC: '{reply}'"
    )))
}

/// Reads the `$<len>` or `$EOF:<mark>` line that starts a snapshot, skipping keepalive newlines.
pub async fn read_payload_framing<S>(
    stream: &mut S,
    buf: &mut BytesMut,
    timeout: Duration,
) -> Result<PayloadFraming, HandshakeError>
where
    S: AsyncRead + Unpin,
{
    let line = read_nonempty_line(stream, buf, timeout).await?;
    if let Some(error) = line.strip_prefix('-') {
        return Err(HandshakeError::Refused(format!(
            "MASTER aborted replication with an error: {error}"
        )));
    }
    let Some(spec) = line.strip_prefix('$') else {
        return Err(HandshakeError::Protocol(format!(
            "Bad protocol from MASTER, the first byte is not '$': '{line}'"
        )));
    };
    if let Some(mark) = spec.strip_prefix("EOF:") {
        let mark: [u8; 40] = mark
            .as_bytes()
            .try_into()
            .map_err(|_| HandshakeError::Protocol(format!("bad EOF mark '{line}'")))?;
        return Ok(PayloadFraming::EofMark(mark));
    }
    spec.parse::<usize>()
        .map(PayloadFraming::Length)
        .map_err(|_| HandshakeError::Protocol(format!("bad payload length '{line}'")))
}

/// Reads the whole snapshot payload per `framing` into memory, reporting progress (bytes so far) after each
/// read. Bytes after the payload stay in `buf`.
pub async fn read_payload<S>(
    stream: &mut S,
    buf: &mut BytesMut,
    framing: &PayloadFraming,
    timeout: Duration,
    mut progress: impl FnMut(usize),
) -> Result<Vec<u8>, HandshakeError>
where
    S: AsyncRead + Unpin,
{
    let mut reader = PayloadReader::new(framing.clone());
    let mut payload = Vec::new();
    while let Some(piece) = reader.next_piece(stream, buf, timeout).await? {
        payload.extend_from_slice(&piece);
        progress(payload.len());
    }
    Ok(payload)
}

/// A snapshot payload read piece by piece, for a replica that loads it while it arrives
/// (`repl-diskless-load`). With EOF framing, the last 40 bytes seen are held back until more arrive, since
/// they may be the end mark.
#[derive(Debug)]
pub struct PayloadReader {
    framing: PayloadFraming,
    /// Payload bytes handed out so far.
    delivered: usize,
    /// EOF framing: the tail that may be (part of) the mark.
    held: Vec<u8>,
    done: bool,
}

impl PayloadReader {
    /// A reader for a payload announced with `framing`.
    pub fn new(framing: PayloadFraming) -> PayloadReader {
        PayloadReader {
            framing,
            delivered: 0,
            held: Vec::new(),
            done: false,
        }
    }

    /// Payload bytes handed out so far.
    pub fn delivered(&self) -> usize {
        self.delivered
    }

    /// The next piece of the payload (what has arrived), or `None` once it is complete. Bytes after the
    /// payload stay in `buf`.
    pub async fn next_piece<S>(
        &mut self,
        stream: &mut S,
        buf: &mut BytesMut,
        timeout: Duration,
    ) -> Result<Option<Vec<u8>>, HandshakeError>
    where
        S: AsyncRead + Unpin,
    {
        if self.done {
            return Ok(None);
        }
        match &self.framing {
            PayloadFraming::Length(len) => {
                if self.delivered == *len {
                    self.done = true;
                    return Ok(None);
                }
                if buf.is_empty() {
                    fill(stream, buf, timeout).await?;
                }
                let take = buf.len().min(len - self.delivered);
                let piece = buf.split_to(take).to_vec();
                self.delivered += take;
                Ok(Some(piece))
            }
            PayloadFraming::EofMark(mark) => {
                let mark = *mark;
                loop {
                    if buf.is_empty() {
                        fill(stream, buf, timeout).await?;
                    }
                    self.held.extend_from_slice(buf);
                    buf.clear();
                    if self.held.ends_with(&mark) {
                        self.held.truncate(self.held.len() - mark.len());
                        self.done = true;
                        let piece = std::mem::take(&mut self.held);
                        self.delivered += piece.len();
                        return Ok(Some(piece));
                    }
                    if self.held.len() > mark.len() {
                        let keep = self.held.split_off(self.held.len() - mark.len());
                        let piece = std::mem::replace(&mut self.held, keep);
                        self.delivered += piece.len();
                        return Ok(Some(piece));
                    }
                }
            }
        }
    }
}

/// `REPLCONF ACK <offset>` as sent by a replica.
pub fn encode_ack(offset: ReplOffset, out: &mut BytesMut) {
    resp::encode_command(&["REPLCONF", "ACK", &offset.to_string()], out);
}

/// Reads one line (without its terminator), skipping empty lines (keepalive newlines).
async fn read_nonempty_line<S>(
    stream: &mut S,
    buf: &mut BytesMut,
    timeout: Duration,
) -> Result<String, HandshakeError>
where
    S: AsyncRead + Unpin,
{
    loop {
        let line = read_line(stream, buf, timeout).await?;
        if !line.is_empty() {
            return Ok(line);
        }
    }
}

/// Reads one `\n`-terminated line, dropping a trailing `\r`.
async fn read_line<S>(
    stream: &mut S,
    buf: &mut BytesMut,
    timeout: Duration,
) -> Result<String, HandshakeError>
where
    S: AsyncRead + Unpin,
{
    loop {
        if let Some(end) = buf.iter().position(|&byte| byte == b'\n') {
            let line = buf.split_to(end + 1);
            let text = line
                .strip_suffix(b"\r\n")
                .or_else(|| line.strip_suffix(b"\n"))
                .unwrap_or(&line);
            return Ok(String::from_utf8_lossy(text).into_owned());
        }
        if buf.len() > MAX_LINE {
            return Err(HandshakeError::Protocol(
                "line from MASTER too long".to_owned(),
            ));
        }
        fill(stream, buf, timeout).await?;
    }
}

/// One read into `buf`, bounded by `timeout`; EOF is [`HandshakeError::Closed`].
async fn fill<S>(
    stream: &mut S,
    buf: &mut BytesMut,
    timeout: Duration,
) -> Result<(), HandshakeError>
where
    S: AsyncRead + Unpin,
{
    buf.reserve(64 * 1024);
    match tokio::time::timeout(timeout, stream.read_buf(buf)).await {
        Err(_) => Err(HandshakeError::Timeout),
        Ok(Err(error)) => Err(HandshakeError::Io(error)),
        Ok(Ok(0)) => Err(HandshakeError::Closed),
        Ok(Ok(_)) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A scripted master: reads exactly `expect` then writes `reply`, step by step.
    async fn fake_master(
        mut side: tokio::io::DuplexStream,
        steps: Vec<(&'static [u8], &'static [u8])>,
    ) {
        for (expect, reply) in steps {
            let mut got = vec![0u8; expect.len()];
            side.read_exact(&mut got).await.unwrap();
            assert_eq!(
                String::from_utf8_lossy(&got),
                String::from_utf8_lossy(expect)
            );
            side.write_all(reply).await.unwrap();
        }
    }

    fn config() -> HandshakeConfig {
        HandshakeConfig {
            listening_port: 7002,
            timeout: Duration::from_secs(5),
            ..HandshakeConfig::default()
        }
    }

    #[tokio::test]
    async fn handshake_sends_redis_bytes_and_parses_fullresync() {
        let (mut replica_side, master_side) = tokio::io::duplex(4096);
        let master = tokio::spawn(fake_master(
            master_side,
            vec![
                (b"*1\r\n$4\r\nPING\r\n", b"+PONG\r\n"),
                (
                    b"*3\r\n$8\r\nREPLCONF\r\n$14\r\nlistening-port\r\n$4\r\n7002\r\n*5\r\n$8\r\nREPLCONF\r\n$4\r\ncapa\r\n$3\r\neof\r\n$4\r\ncapa\r\n$6\r\npsync2\r\n",
                    b"+OK\r\n+OK\r\n",
                ),
                (
                    b"*3\r\n$5\r\nPSYNC\r\n$1\r\n?\r\n$2\r\n-1\r\n",
                    b"\n\n+FULLRESYNC 4f53318b6274e1692f2c7160fec7deb00fe3ebdf 14\r\n\n$3\r\nabc*1\r\n",
                ),
            ],
        ));
        let mut buf = BytesMut::new();
        let reply = perform(&mut replica_side, &mut buf, &config(), "?", ReplOffset(-1))
            .await
            .unwrap();
        assert_eq!(
            reply,
            PsyncReply::FullResync {
                replid: ReplId::parse(b"4f53318b6274e1692f2c7160fec7deb00fe3ebdf").unwrap(),
                offset: ReplOffset(14)
            }
        );
        let timeout = Duration::from_secs(5);
        let framing = read_payload_framing(&mut replica_side, &mut buf, timeout)
            .await
            .unwrap();
        assert_eq!(framing, PayloadFraming::Length(3));
        let payload = read_payload(&mut replica_side, &mut buf, &framing, timeout, |_| {})
            .await
            .unwrap();
        assert_eq!(payload, b"abc");
        assert_eq!(
            &buf[..],
            b"*1\r\n",
            "stream bytes after the payload stay buffered"
        );
        master.await.unwrap();
    }

    #[tokio::test]
    async fn auth_failure_is_refused() {
        let (mut replica_side, master_side) = tokio::io::duplex(4096);
        let master = tokio::spawn(fake_master(
            master_side,
            vec![
                (b"*1\r\n$4\r\nPING\r\n", b"-NOAUTH Authentication required.\r\n"),
                (
                    b"*2\r\n$4\r\nAUTH\r\n$6\r\ns3cret\r\n*3\r\n$8\r\nREPLCONF\r\n$14\r\nlistening-port\r\n$4\r\n7002\r\n*5\r\n$8\r\nREPLCONF\r\n$4\r\ncapa\r\n$3\r\neof\r\n$4\r\ncapa\r\n$6\r\npsync2\r\n",
                    b"-WRONGPASS invalid username-password pair or user is disabled.\r\n",
                ),
            ],
        ));
        let config = HandshakeConfig {
            masterauth: Some("s3cret".into()),
            ..config()
        };
        let mut buf = BytesMut::new();
        let error = perform(&mut replica_side, &mut buf, &config, "?", ReplOffset(-1))
            .await
            .unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("Unable to AUTH to MASTER: WRONGPASS"),
            "{error}"
        );
        master.await.unwrap();
    }

    #[tokio::test]
    async fn eof_framed_payload_is_read_to_the_mark() {
        let mark = [b'm'; 40];
        let (mut replica_side, mut master_side) = tokio::io::duplex(16);
        let writer = tokio::spawn(async move {
            master_side
                .write_all(b"$EOF:mmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmm\r\nREDIS0010-payload-")
                .await
                .unwrap();
            master_side.write_all(&mark).await.unwrap();
        });
        let mut buf = BytesMut::new();
        let timeout = Duration::from_secs(5);
        let framing = read_payload_framing(&mut replica_side, &mut buf, timeout)
            .await
            .unwrap();
        assert_eq!(framing, PayloadFraming::EofMark(mark));
        let payload = read_payload(&mut replica_side, &mut buf, &framing, timeout, |_| {})
            .await
            .unwrap();
        assert_eq!(payload, b"REDIS0010-payload-");
        writer.await.unwrap();
    }

    #[test]
    fn psync_replies_parse() {
        assert_eq!(
            parse_psync_reply("+CONTINUE").unwrap(),
            PsyncReply::Continue { replid: None }
        );
        assert!(matches!(
            parse_psync_reply("-NOMASTERLINK Can't SYNC"),
            Err(HandshakeError::Refused(_))
        ));
        assert!(matches!(
            parse_psync_reply("+FULLRESYNC abc 1"),
            Err(HandshakeError::Protocol(_))
        ));
    }
}
