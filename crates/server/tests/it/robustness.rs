//! Robustness against bad input (reference `replication.md` §10, §14): clients sending garbage over raw TCP,
//! a master sending garbage (`robustness/fake_master.rs`), and the REPLICAOF edge cases.
//!
//! After every bad input the server must still answer `PING` on a new connection and hold exactly the data it
//! had. Where Redis defines the reply (the `Protocol error: ...` texts, REPLICAOF's errors) the scenario asserts
//! it byte for byte and runs on both servers, so the expectation itself is checked against the real thing.

mod fake_master;

use std::io::{self, Read as _, Write as _};
use std::net::{Shutdown, TcpStream};
use std::time::Duration;

use resp::Frame;
use testkit::{
    Client, DEFAULT_DEADLINE, Node, NodeConfig, free_port, free_ports, wait_for_link_down,
    wait_for_ofs_sync, wait_for_sync, wait_until,
};

use crate::support::{Subject, dbsize, get, on_both_servers, replication_field, set};

on_both_servers!(
    pipeline_read_only_after_it_is_sent,
    protocol_errors_are_answered_and_harmless,
    incomplete_requests_are_harmless,
    multibulk_count_up_to_int_max_is_accepted,
    random_bytes_are_harmless,
    binary_safe_keys_and_values,
    dropped_connections_are_released,
    replicaof_argument_errors,
    replica_of_a_dead_master_until_promoted,
);

/// The keys every garbage scenario starts with; [`assert_intact`] checks them after each bad input.
const SEEDED_KEYS: usize = 10;

/// How long a raw connection waits for the server to answer or close: a hang fails the test.
const RAW_TIMEOUT: Duration = Duration::from_secs(30);

/// Each request is sent on a fresh connection; Redis answers with the error and closes the connection.
fn protocol_errors_are_answered_and_harmless(subject: &Subject) {
    let node = seeded_node(subject);
    let long_digits = "1".repeat(100 * 1024);
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "multibulk count 2^31",
            b"*2147483648\r\n".to_vec(),
            "-ERR Protocol error: invalid multibulk length\r\n",
        ),
        (
            "bulk length of 600 MB (over proto-max-bulk-len)",
            b"*1\r\n$629145600\r\n".to_vec(),
            "-ERR Protocol error: invalid bulk length\r\n",
        ),
        (
            "bulk length 512 MB + 1",
            b"*1\r\n$536870913\r\n".to_vec(),
            "-ERR Protocol error: invalid bulk length\r\n",
        ),
        (
            "non-numeric multibulk count",
            b"*abc\r\n".to_vec(),
            "-ERR Protocol error: invalid multibulk length\r\n",
        ),
        (
            "non-numeric bulk length",
            b"*1\r\n$abc\r\n".to_vec(),
            "-ERR Protocol error: invalid bulk length\r\n",
        ),
        (
            "negative bulk length",
            b"*1\r\n$-1\r\n".to_vec(),
            "-ERR Protocol error: invalid bulk length\r\n",
        ),
        (
            "argument without '$'",
            b"*1\r\nfoo\r\n".to_vec(),
            "-ERR Protocol error: expected '$', got 'f'\r\n",
        ),
        (
            "100 KB of inline junk without newline",
            junk_without_newline(100 * 1024),
            "-ERR Protocol error: too big inline request\r\n",
        ),
        (
            "100 KB multibulk count line",
            format!("*{long_digits}").into_bytes(),
            "-ERR Protocol error: too big mbulk count string\r\n",
        ),
        (
            "100 KB bulk length line",
            format!("*1\r\n${long_digits}").into_bytes(),
            "-ERR Protocol error: too big bulk count string\r\n",
        ),
        (
            "unbalanced quotes inline",
            b"SET \"foo bar\r\n".to_vec(),
            "-ERR Protocol error: unbalanced quotes in request\r\n",
        ),
        (
            "a good command, then a bad one in the same packet",
            b"*1\r\n$4\r\nPING\r\n*x\r\n".to_vec(),
            "+PONG\r\n-ERR Protocol error: invalid multibulk length\r\n",
        ),
    ];
    for (case, request, expected) in cases {
        let reply = send_and_read_until_closed(node.port(), &request, Ending::ServerCloses);
        assert_eq!(
            String::from_utf8_lossy(&reply),
            expected,
            "{case}: reply, then the server closes the connection"
        );
        assert_intact(&node, case);
    }
}

/// Requests cut off in the middle (the client closes) get no reply and change nothing.
fn incomplete_requests_are_harmless(subject: &Subject) {
    let node = seeded_node(subject);
    let cases: [(&str, &[u8]); 5] = [
        ("'*1\\r\\n$3\\r\\nfoo' then close", b"*1\r\n$3\r\nfoo"),
        (
            "SET cut before its value",
            b"*3\r\n$3\r\nSET\r\n$2\r\nk0\r\n",
        ),
        (
            "SET cut inside its value",
            b"*3\r\n$3\r\nSET\r\n$2\r\nk0\r\n$10\r\nover",
        ),
        ("count line without CRLF", b"*3"),
        ("inline command without newline", b"FLUSHALL"),
    ];
    for (case, request) in cases {
        let reply = send_and_read_until_closed(node.port(), request, Ending::ClientCloses);
        assert_eq!(
            String::from_utf8_lossy(&reply),
            "",
            "{case}: no reply to an incomplete request"
        );
        assert_intact(&node, case);
    }
    // The same, but the client vanishes without reading or half-closing.
    let mut stream = raw_connect(node.port());
    stream
        .write_all(b"*2\r\n$3\r\nDEL\r\n$2\r\nk1")
        .expect("write a partial DEL");
    drop(stream);
    assert_intact(&node, "partial DEL, connection dropped");
}

/// Redis 7.0 accepts any multibulk count up to `INT_MAX` from an authenticated client (the old 1048576 limit is
/// gone): a request with 1048577 arguments is executed.
fn multibulk_count_up_to_int_max_is_accepted(subject: &Subject) {
    let node = seeded_node(subject);
    let keys = 1024 * 1024;
    let mut request = format!("*{}\r\n$6\r\nEXISTS\r\n", keys + 1).into_bytes();
    for _ in 0..keys {
        request.extend_from_slice(b"$1\r\nx\r\n");
    }
    request.extend_from_slice(b"*1\r\n$4\r\nPING\r\n");
    let reply = send_and_read_until_closed(node.port(), &request, Ending::ClientCloses);
    assert_eq!(
        String::from_utf8_lossy(&reply),
        ":0\r\n+PONG\r\n",
        "EXISTS with 1048576 keys (count line *1048577) is a valid request"
    );
    assert_intact(&node, "1048577 arguments");
}

/// Seeded pseudo-random bytes (biased towards RESP punctuation so that lengths and counts get parsed), each
/// burst on its own connection, which the client then half-closes and drains.
fn random_bytes_are_harmless(subject: &Subject) {
    let node = seeded_node(subject);
    let mut random = XorShift(0x5eed_cafe_f00d_d00d);
    for burst in 0..64 {
        let len = 1 + random.below(4096);
        let junk: Vec<u8> = (0..len).map(|_| random.resp_ish_byte()).collect();
        // Whatever the server answers, it must close once the client is done, and be unharmed.
        send_and_read_until_closed(node.port(), &junk, Ending::ClientCloses);
        if burst % 8 == 7 {
            assert_intact(&node, &format!("random burst {burst}"));
        }
    }
    assert_intact(&node, "64 random bursts");
}

/// NULs, CR and LF inside keys and values round-trip (multibulk is binary safe); NUL junk sent inline is harmless.
fn binary_safe_keys_and_values(subject: &Subject) {
    let node = seeded_node(subject);
    let key: &[u8] = b"bin\0key\r\n";
    let value: &[u8] = b"\0\0\r\n\0\xff\xfe*1\r\n$3\r\n";
    let mut client = node.client();
    assert_eq!(client.cmd(&[&b"SET"[..], key, value]), Frame::ok());
    assert_eq!(
        client.cmd(&[&b"GET"[..], key]),
        Frame::Bulk(bytes::Bytes::copy_from_slice(value))
    );
    assert_eq!(
        client.cmd(&[&b"STRLEN"[..], key]),
        Frame::Integer(value.len() as i64)
    );
    assert_eq!(client.cmd(&[&b"DEL"[..], key]), Frame::Integer(1));
    send_and_read_until_closed(node.port(), b"\0\0\0PING\0\r\n\0\0", Ending::ClientCloses);
    send_and_read_until_closed(node.port(), &[0u8; 8192], Ending::ClientCloses);
    assert_intact(&node, "NUL bytes");
}

/// Hundreds of connections opened and dropped (idle, mid-request, or with unread replies) are all released.
fn dropped_connections_are_released(subject: &Subject) {
    let node = seeded_node(subject);
    let mut streams = Vec::new();
    for index in 0..300 {
        let mut stream = raw_connect(node.port());
        let request: &[u8] = match index % 4 {
            0 => b"",
            1 => b"*3\r\n$3\r\nSET\r\n$2\r\nk0\r\n",
            // Replies nobody reads.
            2 => b"*1\r\n$4\r\nPING\r\n*2\r\n$3\r\nGET\r\n$2\r\nk1\r\n",
            _ => b"*2\r\n$3\r\nGET",
        };
        stream
            .write_all(request)
            .expect("write to a new connection");
        streams.push(stream);
    }
    drop(streams);
    let mut probe = node.client();
    wait_until(
        DEFAULT_DEADLINE,
        "connected_clients:1 after dropping 300 connections",
        || {
            let clients = probe
                .info_field("clients", "connected_clients")
                .map_err(|error| format!("INFO clients failed: {error}"))?;
            match clients.as_deref() {
                Some("1") => Ok(()),
                other => Err(format!("connected_clients: {other:?}")),
            }
        },
    );
    assert_intact(&node, "300 dropped connections");
}

/// REPLICAOF's argument errors and no-ops, byte for byte (reference §10).
fn replicaof_argument_errors(subject: &Subject) {
    let [master_port, replica_port] = free_ports::<2>();
    let master = subject.start(NodeConfig::new(master_port));
    let invalid_port = Frame::error("ERR Invalid master port");
    for port in ["99999", "-1", "abc", "7050x", "65536"] {
        assert_eq!(
            master.cmd(&["REPLICAOF", "127.0.0.1", port]),
            invalid_port,
            "REPLICAOF 127.0.0.1 {port}"
        );
        assert_eq!(
            master.cmd(&["SLAVEOF", "127.0.0.1", port]),
            invalid_port,
            "SLAVEOF 127.0.0.1 {port}"
        );
    }
    let arity = |name: &str| {
        Frame::error(format!(
            "ERR wrong number of arguments for '{name}' command"
        ))
    };
    for args in [
        &["REPLICAOF", "onlyone"][..],
        &["REPLICAOF"],
        &["REPLICAOF", "a", "b", "c"],
        &["REPLICAOF", "no", "one", "extra"],
        &["replicaof", "onlyone"],
    ] {
        assert_eq!(master.cmd(args), arity("replicaof"), "{args:?}");
    }
    for args in [&["SLAVEOF", "onlyone"][..], &["slaveof", "no", "one", "x"]] {
        assert_eq!(master.cmd(args), arity("slaveof"), "{args:?}");
    }
    for args in [
        &["REPLICAOF", "NO", "ONE"][..],
        &["replicaof", "no", "one"],
        &["SLAVEOF", "No", "One"],
    ] {
        assert_eq!(
            master.cmd(args),
            Frame::ok(),
            "{args:?} on a master is a no-op"
        );
    }
    assert_eq!(replication_field(&master, "role"), "master");
    assert_eq!(replication_field(&master, "master_repl_offset"), "0");

    let replica = subject.start(NodeConfig::new(replica_port));
    let master_port_text = master_port.to_string();
    assert_eq!(
        replica.cmd(&["REPLICAOF", "127.0.0.1", &master_port_text]),
        Frame::ok()
    );
    wait_for_sync(&replica);
    let already = Frame::Simple(bytes::Bytes::from_static(
        b"OK Already connected to specified master",
    ));
    for command in ["REPLICAOF", "SLAVEOF", "REPLICAOF"] {
        assert_eq!(
            replica.cmd(&[command, "127.0.0.1", &master_port_text]),
            already,
            "{command} to the same master again"
        );
    }
    assert_eq!(replication_field(&replica, "master_link_status"), "up");
}

/// A replica whose master died stays a replica forever (retrying about once a second), serves reads, refuses
/// writes; `REPLICAOF NO ONE` then promotes it with the old history kept as replid2 (reference §7, §11).
fn replica_of_a_dead_master_until_promoted(subject: &Subject) {
    let [master_port, replica_port] = free_ports::<2>();
    let mut master = subject.start(NodeConfig::new(master_port));
    let replica = subject.start(NodeConfig::new(replica_port).replica_of(master_port));
    wait_for_sync(&replica);
    set(&master, "k1", "v1");
    set(&master, "k2", "v2");
    let offset = wait_for_ofs_sync(&master, &replica);
    let master_replid = replication_field(&master, "master_replid");
    assert_eq!(replication_field(&replica, "master_replid"), master_replid);

    master.kill();
    wait_for_link_down(&replica);
    let attempts_before = connect_attempts(&replica);
    // Several more reconnect attempts (one a second in Redis) prove the replica keeps trying and stays a replica
    // throughout; each poll also checks it still serves reads.
    wait_until(
        DEFAULT_DEADLINE,
        "3 more 'Connecting to MASTER' lines in the replica's log",
        || {
            let role = replication_field(&replica, "role");
            let status = replication_field(&replica, "master_link_status");
            let value = get(&replica, "k1");
            if role != "slave" || status != "down" || value.as_deref() != Some("v1") {
                panic!(
                    "while the master is down: role:{role} master_link_status:{status} GET k1 = {value:?}"
                );
            }
            let attempts = connect_attempts(&replica) - attempts_before;
            if attempts >= 3 {
                Ok(())
            } else {
                Err(format!("{attempts} attempts so far"))
            }
        },
    );
    let Frame::Array(role) = replica.cmd(&["ROLE"]) else {
        panic!("ROLE is an array");
    };
    assert_eq!(role[0], Frame::bulk("slave"));
    assert_eq!(role[2], Frame::Integer(i64::from(master_port)));
    assert!(
        matches!(&role[3], Frame::Bulk(state) if state.as_ref() == b"connect" || state.as_ref() == b"connecting"),
        "ROLE state while the master is down: {:?}",
        role[3]
    );
    assert_eq!(
        role[4],
        Frame::Integer(-1),
        "ROLE offset is -1 while not connected"
    );
    assert_eq!(get(&replica, "k2").as_deref(), Some("v2"));
    assert_eq!(dbsize(&replica), 2);
    assert_eq!(
        replica.cmd(&["SET", "k3", "v3"]),
        Frame::error("READONLY You can't write against a read only replica.")
    );
    assert_eq!(
        replica.cmd(&["DEL", "k1"]),
        Frame::error("READONLY You can't write against a read only replica.")
    );

    assert_eq!(replica.cmd(&["REPLICAOF", "NO", "ONE"]), Frame::ok());
    assert_eq!(replication_field(&replica, "role"), "master");
    assert_eq!(replication_field(&replica, "master_replid2"), master_replid);
    assert_eq!(
        replication_field(&replica, "second_repl_offset"),
        (offset + 1).to_string()
    );
    assert_eq!(
        replication_field(&replica, "master_repl_offset"),
        offset.to_string()
    );
    assert_ne!(replication_field(&replica, "master_replid"), master_replid);
    set(&replica, "k3", "v3");
    assert_eq!(get(&replica, "k3").as_deref(), Some("v3"));
    assert_eq!(dbsize(&replica), 3);
}

/// How many times the node's log says it started connecting to its master.
fn connect_attempts(node: &Node) -> usize {
    node.log().matches("Connecting to MASTER").count()
}

/// A master with [`SEEDED_KEYS`] keys `k0..` = `v0..`.
fn seeded_node(subject: &Subject) -> Node {
    let node = subject.start(NodeConfig::new(free_port()));
    for index in 0..SEEDED_KEYS {
        set(&node, &format!("k{index}"), &format!("v{index}"));
    }
    node
}

/// The node answers PING on a new connection and still holds exactly the seeded keys.
#[track_caller]
fn assert_intact(node: &Node, after: &str) {
    let mut client = Client::connect(node.port())
        .unwrap_or_else(|error| panic!("after {after}: cannot connect: {error}"));
    match client.try_cmd(&["PING"]) {
        Ok(Frame::Simple(pong)) if pong.as_ref() == b"PONG" => {}
        other => panic!("after {after}: PING answered {other:?}"),
    }
    assert_eq!(dbsize(node), SEEDED_KEYS as i64, "after {after}: DBSIZE");
    for index in [0, 1, SEEDED_KEYS / 2, SEEDED_KEYS - 1] {
        assert_eq!(
            get(node, &format!("k{index}")),
            Some(format!("v{index}")),
            "after {after}: GET k{index}"
        );
    }
}

/// Who ends a raw exchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ending {
    /// The server must close the connection by itself (after a protocol error).
    ServerCloses,
    /// The client half-closes after writing; the server then closes its side.
    ClientCloses,
}

/// Writes `request` on a new connection and returns everything the server sent until it closed the connection.
/// Write errors are ignored (the server may close before reading everything); a reset after the reply counts as
/// the close. Panics if the server neither closes nor answers within [`RAW_TIMEOUT`].
pub(crate) fn send_and_read_until_closed(port: u16, request: &[u8], ending: Ending) -> Vec<u8> {
    let mut stream = raw_connect(port);
    let _ = stream.write_all(request);
    if ending == Ending::ClientCloses {
        let _ = stream.shutdown(Shutdown::Write);
    }
    let mut reply = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    loop {
        match stream.read(&mut chunk) {
            Ok(0) => return reply,
            Ok(read) => reply.extend_from_slice(&chunk[..read]),
            Err(error) if error.kind() == io::ErrorKind::ConnectionReset => return reply,
            Err(error)
                if matches!(
                    error.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                panic!(
                    "127.0.0.1:{port} neither closed the connection nor said more within {RAW_TIMEOUT:?} after \
                     {} bytes were sent ({ending:?}); got so far: {:?}",
                    request.len(),
                    String::from_utf8_lossy(&reply)
                )
            }
            Err(error) => panic!(
                "reading from 127.0.0.1:{port} after sending {} bytes: {error}; got so far: {:?}",
                request.len(),
                String::from_utf8_lossy(&reply)
            ),
        }
    }
}

fn raw_connect(port: u16) -> TcpStream {
    let stream = TcpStream::connect(("127.0.0.1", port))
        .unwrap_or_else(|error| panic!("connect to 127.0.0.1:{port}: {error}"));
    stream
        .set_read_timeout(Some(RAW_TIMEOUT))
        .expect("set read timeout");
    stream
        .set_write_timeout(Some(RAW_TIMEOUT))
        .expect("set write timeout");
    stream
}

/// `len` printable bytes, none of them a newline (nor a quote, so inline splitting cannot fail first).
fn junk_without_newline(len: usize) -> Vec<u8> {
    (0..len).map(|index| b'a' + (index % 26) as u8).collect()
}

/// A tiny deterministic PRNG (xorshift64), so the "random" input is the same on every run.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    fn below(&mut self, bound: usize) -> usize {
        (self.next() % bound as u64) as usize
    }

    /// Half the time a byte RESP cares about (`*`, `$`, digits, `-`, CR, LF, space, quote), else any byte.
    fn resp_ish_byte(&mut self) -> u8 {
        const PUNCTUATION: &[u8] = b"*$0123456789-\r\n \"";
        let value = self.next();
        if value & 1 == 0 {
            PUNCTUATION[(value >> 8) as usize % PUNCTUATION.len()]
        } else {
            (value >> 16) as u8
        }
    }
}

/// A client that sends a whole pipeline before reading any reply (as many client libraries do) must get all
/// its replies: the server keeps reading while the replies wait for the client. rserver used to stop reading
/// while its write waited, so once the replies filled the socket buffers both sides waited for each other
/// for good (found while testing issue 9). 64 MB each way, far past any socket buffer.
fn pipeline_read_only_after_it_is_sent(subject: &Subject) {
    const COMMANDS: usize = 256;
    let node = subject.start(NodeConfig::new(free_port()));
    let payload = "p".repeat(256 * 1024);
    let mut request = bytes::BytesMut::new();
    for _ in 0..COMMANDS {
        resp::encode_command(&["ECHO", &payload], &mut request);
    }
    let mut stream = TcpStream::connect(("127.0.0.1", node.port())).expect("connect");
    // A deadlock shows as a write (or read) that does not finish within this.
    stream
        .set_write_timeout(Some(DEFAULT_DEADLINE))
        .expect("write timeout");
    stream
        .set_read_timeout(Some(DEFAULT_DEADLINE))
        .expect("read timeout");
    stream
        .write_all(&request)
        .expect("the whole pipeline is sent before any reply is read");
    let reply_len = format!("${}\r\n{payload}\r\n", payload.len()).len();
    let mut received = vec![0u8; reply_len * COMMANDS];
    stream
        .read_exact(&mut received)
        .expect("every reply arrives");
    assert!(received.starts_with(format!("${}\r\n", payload.len()).as_bytes()));
    assert_eq!(node.cmd(&["PING"]), Frame::Simple("PONG".into()));
}
