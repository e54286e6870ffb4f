//! Authentication (`requirepass`, `masterauth`; reference `replication.md` §3, §10) and expiry on masters and
//! replicas (§5.4): the texts a client sees, replicas syncing from a password-protected master (and retrying
//! forever with a wrong password), active expiry propagated as `DEL`, and a replica that hides logically expired
//! keys without deleting them until its master says so.
//!
//! The password is set with `CONFIG SET requirepass` after start-up: testkit's readiness probe is an
//! unauthenticated `PING`, so a node cannot be *started* with `requirepass` in its config file.

use resp::Frame;
use testkit::{
    Client, DEFAULT_DEADLINE, Node, NodeConfig, free_port, free_ports, info_field_in,
    wait_for_ofs_sync, wait_for_sync, wait_until,
};

use crate::robustness::{Ending, send_and_read_until_closed};
use crate::support::{Subject, dbsize, get, on_both_servers, replication_field};

on_both_servers!(
    auth_replies,
    unauthenticated_request_limits,
    replica_with_masterauth_syncs,
    wrong_masterauth_keeps_retrying,
    masterauth_against_a_master_without_password_keeps_retrying,
    active_expiry_on_master_and_replica,
    replica_hides_logically_expired_keys,
);

const PASSWORD: &str = "s3cret";
const NOAUTH: &str = "NOAUTH Authentication required.";
const WRONGPASS: &str = "WRONGPASS invalid username-password pair or user is disabled.";
const HELLO_NOAUTH: &str = "NOAUTH HELLO must be called with the client already authenticated, otherwise the \
HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at \
the same time";

/// Everything a client sees before and after `AUTH`, byte for byte.
fn auth_replies(subject: &Subject) {
    let (node, mut admin) = start_with_password(subject);
    assert_eq!(admin.cmd(&["SET", "k", "v"]), Frame::ok());

    let mut client = node.client();
    for args in [
        &["PING"][..],
        &["GET", "k"],
        &["SET", "k", "x"],
        &["INFO", "replication"],
        &["DBSIZE"],
    ] {
        assert_eq!(
            client.cmd(args),
            Frame::error(NOAUTH),
            "{args:?} before AUTH"
        );
    }
    // Unknown commands and arity errors are reported before the authentication check, as in Redis.
    assert_eq!(
        client.cmd(&["FOO", "a"]),
        Frame::error("ERR unknown command 'FOO', with args beginning with: 'a' ")
    );
    assert_eq!(
        client.cmd(&["GET"]),
        Frame::error("ERR wrong number of arguments for 'get' command")
    );
    assert_eq!(client.cmd(&["AUTH", "nope"]), Frame::error(WRONGPASS));
    assert_eq!(
        client.cmd(&["GET", "k"]),
        Frame::error(NOAUTH),
        "still not authenticated"
    );
    assert_eq!(
        client.cmd(&["AUTH", "default", "nope"]),
        Frame::error(WRONGPASS)
    );
    assert_eq!(
        client.cmd(&["AUTH", "nouser", PASSWORD]),
        Frame::error(WRONGPASS)
    );
    assert_eq!(
        client.cmd(&["AUTH", "a", "b", "c"]),
        Frame::error("ERR syntax error")
    );
    assert_eq!(client.cmd(&["HELLO"]), Frame::error(HELLO_NOAUTH));
    assert_eq!(client.cmd(&["HELLO", "3"]), Frame::error(HELLO_NOAUTH));
    assert_eq!(
        client.cmd(&["HELLO", "3", "AUTH", "default", "nope"]),
        Frame::error(WRONGPASS)
    );
    assert_eq!(client.cmd(&["AUTH", PASSWORD]), Frame::ok());
    assert_eq!(client.cmd(&["GET", "k"]), Frame::bulk("v"));
    // A failed AUTH does not log an authenticated connection out.
    assert_eq!(client.cmd(&["AUTH", "bad"]), Frame::error(WRONGPASS));
    assert_eq!(client.cmd(&["PING"]), pong());
    assert_eq!(client.cmd(&["AUTH", "default", PASSWORD]), Frame::ok());

    // HELLO 3 AUTH authenticates and switches to RESP3 in one step.
    let mut resp3 = node.client();
    let Frame::Map(fields) = resp3.cmd(&["HELLO", "3", "AUTH", "default", PASSWORD]) else {
        panic!("HELLO 3 AUTH default {PASSWORD} must answer a RESP3 map");
    };
    let field = |name: &str| {
        fields
            .iter()
            .find(|(key, _)| key == &Frame::bulk(name.to_string()))
            .map(|(_, value)| value.clone())
            .unwrap_or_else(|| panic!("no {name} in HELLO's map: {fields:?}"))
    };
    assert_eq!(field("server"), Frame::bulk("redis"));
    assert_eq!(field("version"), Frame::bulk("7.0.15"));
    assert_eq!(field("proto"), Frame::Integer(3));
    assert_eq!(field("mode"), Frame::bulk("standalone"));
    assert_eq!(field("role"), Frame::bulk("master"));
    assert_eq!(field("modules"), Frame::Array(Vec::new()));
    assert_eq!(resp3.cmd(&["GET", "k"]), Frame::bulk("v"));
    assert_eq!(resp3.cmd(&["GET", "missing"]), Frame::Null);

    // Inline commands authenticate too.
    let reply = send_and_read_until_closed(
        node.port(),
        format!("AUTH {PASSWORD}\r\nGET k\r\n").as_bytes(),
        Ending::ClientCloses,
    );
    assert_eq!(String::from_utf8_lossy(&reply), "+OK\r\n$1\r\nv\r\n");
}

/// Before AUTH Redis refuses multibulk counts over 10 and bulk lengths over 16384 (so an unauthenticated client
/// cannot make it buffer much), then closes the connection.
fn unauthenticated_request_limits(subject: &Subject) {
    let (node, _admin) = start_with_password(subject);
    let cases: [(&[u8], &str); 3] = [
        (
            b"*11\r\n",
            "-ERR Protocol error: unauthenticated multibulk length\r\n",
        ),
        (
            b"*1\r\n$16385\r\n",
            "-ERR Protocol error: unauthenticated bulk length\r\n",
        ),
        (
            b"*1\r\n$4\r\nPING\r\n*2\r\n$3\r\nGET\r\n$100000\r\n",
            "-NOAUTH Authentication required.\r\n-ERR Protocol error: unauthenticated bulk length\r\n",
        ),
    ];
    for (request, expected) in cases {
        let reply = send_and_read_until_closed(node.port(), request, Ending::ServerCloses);
        assert_eq!(
            String::from_utf8_lossy(&reply),
            expected,
            "{:?}",
            String::from_utf8_lossy(request)
        );
    }
    // The limits are for unauthenticated connections only, and the edge values are accepted.
    let mut request =
        format!("*2\r\n$4\r\nAUTH\r\n${}\r\n{PASSWORD}\r\n", PASSWORD.len()).into_bytes();
    request.extend_from_slice(b"*1\r\n$16385\r\n");
    request.extend_from_slice(&[b'x'; 16385]);
    request.extend_from_slice(b"\r\n");
    let reply = send_and_read_until_closed(node.port(), &request, Ending::ClientCloses);
    let reply = String::from_utf8_lossy(&reply);
    assert!(
        reply.starts_with("+OK\r\n-ERR unknown command 'xxxxxxxx"),
        "a 16385-byte argument after AUTH is read as a command: {reply:?}"
    );
    let mut request = b"*10\r\n$4\r\nPING\r\n".to_vec();
    for _ in 0..9 {
        request.extend_from_slice(b"$1\r\nx\r\n");
    }
    let reply = send_and_read_until_closed(node.port(), &request, Ending::ClientCloses);
    assert_eq!(
        String::from_utf8_lossy(&reply),
        "-NOAUTH Authentication required.\r\n",
        "a count of 10 is allowed before AUTH"
    );
}

/// A replica with `masterauth` syncs from a master with `requirepass`, and keeps following its writes.
fn replica_with_masterauth_syncs(subject: &Subject) {
    masterauth_sync(subject, subject);
}

/// The real Redis as the password-protected master, `rserver` as its replica.
#[test]
fn redis_master_with_requirepass_rserver_replica() {
    let redis_server = testkit::require_redis!();
    masterauth_sync(&Subject::redis(redis_server), &Subject::rserver());
}

/// `rserver` as the password-protected master, the real Redis as its replica.
#[test]
fn rserver_master_with_requirepass_redis_replica() {
    let redis_server = testkit::require_redis!();
    masterauth_sync(&Subject::rserver(), &Subject::redis(redis_server));
}

fn masterauth_sync(master_subject: &Subject, replica_subject: &Subject) {
    let (master, mut admin) = start_with_password(master_subject);
    assert_eq!(admin.cmd(&["SET", "before", "sync"]), Frame::ok());
    let replica = replica_subject.start(
        NodeConfig::new(free_port())
            .replica_of(master.port())
            .with("masterauth", PASSWORD),
    );
    wait_for_sync(&replica);
    assert_eq!(admin.cmd(&["SET", "after", "sync"]), Frame::ok());
    wait_until(
        DEFAULT_DEADLINE,
        "the write made after the sync on the replica",
        || match get(&replica, "after") {
            Some(value) => Ok(value),
            None => Err(format!("replica keys: {:?}", replica.cmd(&["KEYS", "*"]))),
        },
    );
    assert_eq!(get(&replica, "before").as_deref(), Some("sync"));
    assert_eq!(dbsize(&replica), 2);
    let info = admin.info_replication();
    assert_eq!(
        info_field_in(&info, "connected_slaves"),
        Some("1"),
        "{info}"
    );
    wait_until(
        DEFAULT_DEADLINE,
        "equal offsets on master and replica",
        || {
            let master_offset = admin
                .info_field("replication", "master_repl_offset")
                .map_err(|error| error.to_string())?;
            let replica_offset = replica.info_field("replication", "master_repl_offset");
            if master_offset == replica_offset {
                Ok(())
            } else {
                Err(format!(
                    "master {master_offset:?}, replica {replica_offset:?}"
                ))
            }
        },
    );
}

/// A replica with the wrong `masterauth` never syncs: it stays a replica with the link down, retrying about
/// once a second; the master sees each attempt as a new connection.
fn wrong_masterauth_keeps_retrying(subject: &Subject) {
    let (master, mut admin) = start_with_password(subject);
    assert_eq!(admin.cmd(&["SET", "k", "v"]), Frame::ok());
    retries_forever(subject, &master, &mut admin, "wrong-password");
}

/// `masterauth` set but the master has no password: Redis's master answers AUTH with an error, and the replica
/// aborts and retries forever (reference §3, failure handling quirks).
fn masterauth_against_a_master_without_password_keeps_retrying(subject: &Subject) {
    let master = subject.start(NodeConfig::new(free_port()));
    let mut admin = master.client();
    assert_eq!(
        admin.cmd(&["AUTH", PASSWORD]),
        Frame::error(
            "ERR AUTH <password> called without any password configured for the default user. \
             Are you sure your configuration is correct?"
        )
    );
    assert_eq!(admin.cmd(&["SET", "k", "v"]), Frame::ok());
    retries_forever(subject, &master, &mut admin, PASSWORD);
}

/// Starts a replica of `master` with `masterauth` and checks it retries at least three times without ever
/// syncing; `admin` is one connection to the master, so the master's connection count grows only by the
/// replica's attempts.
fn retries_forever(subject: &Subject, master: &Node, admin: &mut Client, masterauth: &str) {
    let connections_before = total_connections(admin);
    let replica = subject.start(
        NodeConfig::new(free_port())
            .replica_of(master.port())
            .with("masterauth", masterauth),
    );
    wait_until(
        DEFAULT_DEADLINE,
        "3 connection attempts from the replica, on the master and in the replica's log",
        || {
            let role = replication_field(&replica, "role");
            let status = replication_field(&replica, "master_link_status");
            assert_eq!(
                (role.as_str(), status.as_str()),
                ("slave", "down"),
                "while retrying"
            );
            let attempts = total_connections(admin) - connections_before;
            let logged = replica.log().matches("Connecting to MASTER").count();
            if attempts >= 3 && logged >= 3 {
                Ok(())
            } else {
                Err(format!(
                    "{attempts} connections on the master, {logged} attempts logged"
                ))
            }
        },
    );
    assert!(
        replica.log().contains("Unable to AUTH to MASTER"),
        "the replica logs why: {}",
        replica.log_tail(20)
    );
    assert_eq!(dbsize(&replica), 0, "nothing was synced");
    assert_eq!(replication_field(&replica, "master_link_status"), "down");
    let info = admin.info_replication();
    assert_eq!(
        info_field_in(&info, "connected_slaves"),
        Some("0"),
        "{info}"
    );
}

/// Keys with short TTLs vanish from the master without anyone touching them (active expiry), and the `DEL`s it
/// propagates remove them from the replica, which counts no expiry of its own.
fn active_expiry_on_master_and_replica(subject: &Subject) {
    let [master_port, replica_port] = free_ports::<2>();
    let master = subject.start(NodeConfig::new(master_port));
    let replica = subject.start(NodeConfig::new(replica_port).replica_of(master_port));
    wait_for_sync(&replica);
    let mut client = master.client();
    for index in 0..20 {
        let key = format!("short{index}");
        let ttl = (100 + 10 * index).to_string();
        assert_eq!(
            client.cmd(&["SET", key.as_str(), "v", "PX", ttl.as_str()]),
            Frame::ok()
        );
    }
    wait_for_ofs_sync(&master, &replica);
    // DBSIZE reads no key, so only the active expiry cycle can bring it to 0.
    wait_until(
        DEFAULT_DEADLINE,
        "DBSIZE 0 on the master (active expiry)",
        || match dbsize(&master) {
            0 => Ok(()),
            size => Err(format!("DBSIZE {size}")),
        },
    );
    assert_eq!(stat(&master, "expired_keys"), 20);
    wait_until(
        DEFAULT_DEADLINE,
        "DBSIZE 0 on the replica (DELs from the master)",
        || match dbsize(&replica) {
            0 => Ok(()),
            size => Err(format!("DBSIZE {size}")),
        },
    );
    wait_for_ofs_sync(&master, &replica);
    assert_eq!(
        stat(&replica, "expired_keys"),
        0,
        "a replica never expires keys itself"
    );

    // An expired key is never returned, whichever of lazy or active expiry removes it.
    assert_eq!(client.cmd(&["SET", "lazy", "v", "PX", "50"]), Frame::ok());
    wait_until(
        DEFAULT_DEADLINE,
        "GET lazy to answer nil",
        || match client.cmd(&["GET", "lazy"]) {
            Frame::Null => Ok(()),
            other => Err(format!("{other:?}")),
        },
    );
    assert_eq!(client.cmd(&["EXISTS", "lazy"]), Frame::Integer(0));
    assert_eq!(stat(&master, "expired_keys"), 21);
    wait_for_ofs_sync(&master, &replica);
    assert_eq!(dbsize(&replica), 0);
}

/// A replica hides a logically expired key (GET nil, EXISTS 0) but keeps counting it (DBSIZE 1) until the
/// master's `DEL` arrives. The master's active expiry is switched off (`DEBUG SET-ACTIVE-EXPIRE 0`) so it
/// cannot send that `DEL` early, whatever the machine's load: no timing window to race.
fn replica_hides_logically_expired_keys(subject: &Subject) {
    let [master_port, replica_port] = free_ports::<2>();
    let master = subject.start(NodeConfig::new(master_port).with("enable-debug-command", "yes"));
    let replica = subject.start(NodeConfig::new(replica_port).replica_of(master_port));
    wait_for_sync(&replica);
    assert_eq!(
        master.cmd(&["DEBUG", "SET-ACTIVE-EXPIRE", "0"]),
        Frame::ok()
    );
    assert_eq!(master.cmd(&["SET", "k", "v", "PX", "100"]), Frame::ok());
    wait_for_ofs_sync(&master, &replica);
    assert_eq!(dbsize(&replica), 1, "the key reached the replica");
    let hidden = wait_until(
        DEFAULT_DEADLINE,
        "GET k to answer nil on the replica",
        || {
            let value = get(&replica, "k");
            let size = dbsize(&replica);
            assert_eq!(
                size, 1,
                "the master's active expiry is off, it cannot have sent a DEL (GET answered {value:?})"
            );
            match value {
                None => Ok(size),
                Some(value) => Err(format!("GET k = {value:?}")),
            }
        },
    );
    assert_eq!(hidden, 1);
    assert_eq!(replica.cmd(&["EXISTS", "k"]), Frame::Integer(0));
    assert_eq!(replica.cmd(&["TTL", "k"]), Frame::Integer(-2));
    assert_eq!(replica.cmd(&["KEYS", "*"]), Frame::Array(Vec::new()));
    assert_eq!(dbsize(&replica), 1, "the replica still counts the key");
    let keyspace = replica.client().info("keyspace").expect("INFO keyspace");
    assert!(
        keyspace.contains("db0:keys=1,expires=1,"),
        "INFO keyspace still counts it: {keyspace:?}"
    );
    assert_eq!(stat(&replica, "expired_keys"), 0);
    assert_eq!(
        master.cmd(&["DEBUG", "SET-ACTIVE-EXPIRE", "1"]),
        Frame::ok()
    );
    wait_until(
        DEFAULT_DEADLINE,
        "DBSIZE 0 on the replica after the master's DEL",
        || match dbsize(&replica) {
            0 => Ok(()),
            size => Err(format!("DBSIZE {size}")),
        },
    );
    assert_eq!(dbsize(&master), 0);
    assert_eq!(replication_field(&replica, "master_link_status"), "up");
}

/// Starts a node and sets `requirepass` at run time; returns it with the (still authenticated) connection that
/// set it.
fn start_with_password(subject: &Subject) -> (Node, Client) {
    let node = subject.start(NodeConfig::new(free_port()));
    let mut admin = node.client();
    assert_eq!(
        admin.cmd(&["CONFIG", "SET", "requirepass", PASSWORD]),
        Frame::ok()
    );
    assert_eq!(
        admin.cmd(&["PING"]),
        pong(),
        "the connection that set the password stays authenticated"
    );
    assert_eq!(
        node.cmd(&["PING"]),
        Frame::error(NOAUTH),
        "new connections need AUTH"
    );
    (node, admin)
}

fn pong() -> Frame {
    Frame::Simple(bytes::Bytes::from_static(b"PONG"))
}

/// A numeric field of `INFO stats`.
fn stat(node: &Node, field: &str) -> u64 {
    node.info_field("stats", field)
        .and_then(|value| value.parse().ok())
        .unwrap_or_else(|| {
            panic!(
                "no numeric {field} in INFO stats of 127.0.0.1:{}",
                node.port()
            )
        })
}

fn total_connections(admin: &mut Client) -> u64 {
    admin
        .info_field("stats", "total_connections_received")
        .ok()
        .flatten()
        .and_then(|value| value.parse().ok())
        .expect("numeric total_connections_received in INFO stats")
}
