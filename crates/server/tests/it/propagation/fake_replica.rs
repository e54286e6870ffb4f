//! [`FakeReplica`]: a replica made of a raw socket, for capturing exactly what a master streams.
//!
//! It does the handshake a real replica does (`REPLCONF listening-port`, `REPLCONF capa eof capa psync2`,
//! `PSYNC ? -1`), skips `\n` keepalives, reads the snapshot in either framing (`$<len>` for
//! `repl-diskless-sync no`, `$EOF:<mark>` for `yes`) and acknowledges offsets like a real replica (a diskless
//! master streams nothing before an ACK that follows the transfer).

use bytes::BytesMut;
use resp::{Frame, FrameDecoder};
use testkit::{DEFAULT_DEADLINE, Node, wait_until};
use tokio_util::codec::Decoder as _;

use super::SyncMode;
use crate::differential::raw::{RawConnection, escape};

/// A replica made of a raw socket: handshake, snapshot skipped, stream bytes collected.
pub struct FakeReplica {
    connection: RawConnection,
    /// The offset of `+FULLRESYNC`: the stream starts at the byte after it.
    start_offset: i64,
    /// Stream bytes received after the snapshot.
    received: Vec<u8>,
}

impl FakeReplica {
    pub fn attach(master: &Node, mode: SyncMode) -> FakeReplica {
        let mut connection = RawConnection::connect(master.port());
        for command in [
            &["REPLCONF", "listening-port", "1"][..],
            &["REPLCONF", "capa", "eof", "capa", "psync2"],
        ] {
            let mut request = BytesMut::new();
            resp::encode_command(command, &mut request);
            connection.send(&request).expect("send REPLCONF");
            let reply = connection.read_reply().expect("reply to REPLCONF");
            assert_eq!(reply, b"+OK\r\n", "{command:?} answered {}", escape(&reply));
        }
        let mut request = BytesMut::new();
        resp::encode_command(&["PSYNC", "?", "-1"], &mut request);
        connection.send(&request).expect("send PSYNC");

        let fullresync = read_non_empty_line(&mut connection);
        let fields: Vec<&str> = std::str::from_utf8(&fullresync)
            .expect("+FULLRESYNC is text")
            .trim_end()
            .split(' ')
            .collect();
        let ["+FULLRESYNC", replid, offset] = fields[..] else {
            panic!("PSYNC ? -1 answered {}", escape(&fullresync));
        };
        assert!(
            replid.len() == 40 && replid.bytes().all(|b| b.is_ascii_hexdigit()),
            "replid {replid:?}"
        );
        let start_offset: i64 = offset.parse().expect("+FULLRESYNC offset is a number");

        let header = read_non_empty_line(&mut connection);
        let header = std::str::from_utf8(&header).expect("payload header is text");
        let payload = if let Some(mark) = header.strip_prefix("$EOF:") {
            let mark = mark.trim_end();
            assert_eq!(
                mode,
                SyncMode::Diskless,
                "EOF framing without diskless sync"
            );
            assert_eq!(mark.len(), 40, "EOF mark {mark:?}");
            let mut payload = connection
                .read_through_mark(mark.as_bytes())
                .expect("diskless payload");
            payload.truncate(payload.len() - mark.len());
            payload
        } else {
            assert_eq!(mode, SyncMode::Disk, "length framing with diskless sync");
            let length: usize = header
                .strip_prefix('$')
                .and_then(|length| length.trim_end().parse().ok())
                .unwrap_or_else(|| panic!("payload header {header:?}"));
            connection.read_exact_bytes(length).expect("disk payload")
        };
        assert!(
            payload.starts_with(b"REDIS"),
            "the snapshot is an RDB file: {}",
            escape(&payload[..payload.len().min(16)])
        );

        let mut replica = FakeReplica {
            connection,
            start_offset,
            received: Vec::new(),
        };
        // A diskless master starts streaming only after an ACK following the transfer.
        replica.acknowledge();
        replica
    }

    /// `REPLCONF ACK <offset of the last byte received>`.
    pub fn acknowledge(&mut self) {
        let offset = self.start_offset + self.received.len() as i64;
        let mut ack = BytesMut::new();
        resp::encode_command(&["REPLCONF", "ACK", &offset.to_string()], &mut ack);
        self.connection.send(&ack).expect("send REPLCONF ACK");
    }

    /// Reads until the stream bytes received equal `master_repl_offset - start_offset`, and returns them all.
    pub fn receive_until_caught_up(&mut self, master: &Node) -> Vec<u8> {
        wait_until(
            DEFAULT_DEADLINE,
            "the fake replica to receive master_repl_offset - FULLRESYNC offset stream bytes",
            || {
                let bytes = self.connection.read_available()?;
                self.received.extend_from_slice(&bytes);
                // Acknowledge like a real replica (which does so every second). Redis ignores an ACK that
                // arrives before it has marked the diskless transfer finished, and streams only after one.
                self.acknowledge();
                let master_offset: i64 = master
                    .info_field("replication", "master_repl_offset")
                    .and_then(|offset| offset.parse().ok())
                    .ok_or("no master_repl_offset")?;
                let expected = master_offset - self.start_offset;
                if self.received.len() as i64 == expected {
                    Ok(())
                } else {
                    Err(format!(
                        "received {} stream bytes, master_repl_offset {master_offset} - {} = {expected}: {}",
                        self.received.len(),
                        self.start_offset,
                        escape(&self.received)
                    ))
                }
            },
        );
        self.received.clone()
    }
}

/// The next line that is not a bare `\n` keepalive.
fn read_non_empty_line(connection: &mut RawConnection) -> Vec<u8> {
    loop {
        let line = connection.read_line().expect("a line from the master");
        if line != b"\n" {
            return line;
        }
    }
}

/// Splits the stream into commands, checking each is a multibulk of bulk strings in canonical encoding.
pub fn parse_stream(stream: &[u8]) -> Vec<Vec<Vec<u8>>> {
    let mut buffer = BytesMut::from(stream);
    let mut decoder = FrameDecoder::new();
    let mut commands = Vec::new();
    while !buffer.is_empty() {
        let before = buffer.len();
        let frame = match decoder.decode(&mut buffer) {
            Ok(Some(frame)) => frame,
            other => panic!(
                "the stream does not decode ({other:?}) at {}",
                escape(&buffer)
            ),
        };
        let raw = &stream[stream.len() - before..stream.len() - buffer.len()];
        let Frame::Array(items) = frame else {
            panic!("stream item is not an array: {}", escape(raw));
        };
        let args: Vec<Vec<u8>> = items
            .iter()
            .map(|item| match item {
                Frame::Bulk(arg) => arg.to_vec(),
                other => panic!(
                    "stream argument {other:?} is not a bulk string in {}",
                    escape(raw)
                ),
            })
            .collect();
        let mut canonical = BytesMut::new();
        resp::encode_command(&args, &mut canonical);
        assert_eq!(
            raw,
            &canonical[..],
            "non-canonical stream item {}",
            escape(raw)
        );
        commands.push(args);
    }
    commands
}
