//! Transactions and Pub/Sub across clients and processes: WATCH invalidated by another client's write and by
//! expiry; messages delivered to channel and pattern subscribers on a master and, through the replication
//! stream, on a replica; a subscriber that stops reading is disconnected at its output limit without slowing
//! the publisher; subscribed clients are their own `pubsub` type for `CLIENT LIST` and `CLIENT KILL`; `EXEC`
//! counts as the writes it would run (refused on a read-only replica, held while writes are paused), and
//! scripts are held while writes are paused.

use bytes::BytesMut;
use resp::Frame;
use testkit::{DEFAULT_DEADLINE, Node, NodeConfig, free_port, wait_for_sync, wait_until};

use crate::differential::raw::{RawConnection, escape};
use crate::support::{Subject, on_both_servers};

on_both_servers!(
    watch_aborted_by_another_clients_write,
    watch_aborted_by_expiry,
    watch_sees_only_the_keys_a_command_changed,
    pubsub_delivery_on_master,
    pubsub_delivery_through_replica,
    slow_subscriber_is_disconnected,
    reset_clears_connection_state,
    subscribers_are_their_own_client_type,
    exec_of_writes_is_refused_once_the_master_became_a_replica,
    paused_writes_hold_exec_and_scripts,
    exec_of_reads_is_refused_once_the_link_is_down_without_stale_data,
    client_reply_applies_to_later_replies,
);

fn start(subject: &Subject) -> Node {
    subject.start(NodeConfig::new(free_port()).with("save", "\"\""))
}

/// A connection that sends commands and reads raw replies (pushes included).
fn connect(node: &Node) -> RawConnection {
    RawConnection::connect(node.port())
}

fn send(connection: &mut RawConnection, words: &[&str]) -> Vec<u8> {
    let mut request = BytesMut::new();
    resp::encode_command(words, &mut request);
    connection
        .send(&request)
        .unwrap_or_else(|error| panic!("send {words:?}: {error}"));
    connection
        .read_reply()
        .unwrap_or_else(|error| panic!("reply to {words:?}: {error}"))
}

#[track_caller]
fn expect(connection: &mut RawConnection, words: &[&str], reply: &[u8]) {
    let received = send(connection, words);
    assert_eq!(
        received,
        reply,
        "{words:?} answered {} instead of {}",
        escape(&received),
        escape(reply)
    );
}

#[track_caller]
fn expect_push(connection: &mut RawConnection, items: &[&str]) {
    let mut expected = format!("*{}\r\n", items.len());
    for item in items {
        expected.push_str(&format!("${}\r\n{item}\r\n", item.len()));
    }
    let received = connection
        .read_reply()
        .unwrap_or_else(|error| panic!("waiting for {items:?}: {error}"));
    assert_eq!(
        received,
        expected.as_bytes(),
        "received {} instead of {items:?}",
        escape(&received)
    );
}

fn watch_aborted_by_another_clients_write(subject: &Subject) {
    let node = start(subject);
    let mut watcher = connect(&node);
    let mut other = node.client();
    expect(&mut watcher, &["SET", "k", "1"], b"+OK\r\n");
    expect(&mut watcher, &["WATCH", "k"], b"+OK\r\n");
    // A write to another key, and a read of this one, change nothing.
    other.cmd(&["SET", "unrelated", "x"]);
    other.cmd(&["GET", "k"]);
    expect(&mut watcher, &["MULTI"], b"+OK\r\n");
    expect(&mut watcher, &["INCR", "k"], b"+QUEUED\r\n");
    expect(&mut watcher, &["EXEC"], b"*1\r\n:2\r\n");
    // Now another client writes the watched key between WATCH and EXEC: EXEC answers the null array.
    expect(&mut watcher, &["WATCH", "k"], b"+OK\r\n");
    assert_eq!(other.cmd(&["INCR", "k"]), Frame::Integer(3));
    expect(&mut watcher, &["MULTI"], b"+OK\r\n");
    expect(&mut watcher, &["INCR", "k"], b"+QUEUED\r\n");
    expect(&mut watcher, &["EXEC"], b"*-1\r\n");
    assert_eq!(other.cmd(&["GET", "k"]), Frame::bulk("3"));
    // A write queued by the other client's own transaction counts too.
    expect(&mut watcher, &["WATCH", "k"], b"+OK\r\n");
    other.cmd(&["MULTI"]);
    other.cmd(&["DEL", "k"]);
    other.cmd(&["EXEC"]);
    expect(&mut watcher, &["MULTI"], b"+OK\r\n");
    expect(&mut watcher, &["SET", "k", "mine"], b"+QUEUED\r\n");
    expect(&mut watcher, &["EXEC"], b"*-1\r\n");
    assert_eq!(other.cmd(&["EXISTS", "k"]), Frame::Integer(0));
}

/// A command touches only the keys it changed, as Redis's `signalModifiedKey` calls: a blocking pop served
/// at once (not its other keys), the set and sorted-set STORE commands and PFMERGE (their destination, not
/// their sources); and PFCOUNT refreshing its cached count does touch its key.
fn watch_sees_only_the_keys_a_command_changed(subject: &Subject) {
    let node = start(subject);
    let mut watcher = connect(&node);
    let mut other = node.client();
    other.cmd(&["RPUSH", "b", "x"]);
    other.cmd(&["RPUSH", "w", "y"]);
    other.cmd(&["SADD", "src", "m"]);
    other.cmd(&["ZADD", "zsrc", "1", "m"]);
    other.cmd(&["PFADD", "h1", "a"]);
    other.cmd(&["PFADD", "h2", "b"]);
    let unchanged: &[(&str, &[&str])] = &[
        ("b2", &["BLPOP", "b2", "b", "0"]),
        ("src", &["SINTERSTORE", "dst", "src"]),
        ("src", &["SUNIONSTORE", "dst", "src"]),
        ("zsrc", &["ZRANGESTORE", "zdst", "zsrc", "0", "-1"]),
        ("h1", &["PFMERGE", "hd", "h1", "h2"]),
    ];
    for (watched, command) in unchanged {
        expect(&mut watcher, &["WATCH", watched], b"+OK\r\n");
        assert!(
            !matches!(other.cmd(command), Frame::Error(_)),
            "{command:?}"
        );
        expect(&mut watcher, &["MULTI"], b"+OK\r\n");
        expect(&mut watcher, &["PING"], b"+QUEUED\r\n");
        expect(&mut watcher, &["EXEC"], b"*1\r\n+PONG\r\n");
    }
    // The destination of a STORE and the key a pop served from are changed.
    for (watched, command) in [
        ("dst", &["SINTERSTORE", "dst", "src", "nosuch"][..]),
        ("w", &["BLPOP", "empty", "w", "0"][..]),
    ] {
        expect(&mut watcher, &["WATCH", watched], b"+OK\r\n");
        other.cmd(command);
        expect(&mut watcher, &["MULTI"], b"+OK\r\n");
        expect(&mut watcher, &["PING"], b"+QUEUED\r\n");
        expect(&mut watcher, &["EXEC"], b"*-1\r\n");
    }
    // PFCOUNT after PFADD rewrites the cached count: a change for WATCH.
    other.cmd(&["PFADD", "h1", "c"]);
    expect(&mut watcher, &["WATCH", "h1"], b"+OK\r\n");
    other.cmd(&["PFCOUNT", "h1"]);
    expect(&mut watcher, &["MULTI"], b"+OK\r\n");
    expect(&mut watcher, &["PING"], b"+QUEUED\r\n");
    expect(&mut watcher, &["EXEC"], b"*-1\r\n");
}

/// Redis 7.0 (`isWatchedKeyExpired`): a key that was live when watched and has expired by EXEC aborts it,
/// whether or not anything deleted it yet.
fn watch_aborted_by_expiry(subject: &Subject) {
    let node = start(subject);
    let mut watcher = connect(&node);
    expect(&mut watcher, &["SET", "k", "v", "PX", "300"], b"+OK\r\n");
    expect(&mut watcher, &["WATCH", "k"], b"+OK\r\n");
    expect(&mut watcher, &["MULTI"], b"+OK\r\n");
    expect(&mut watcher, &["SET", "other", "x"], b"+QUEUED\r\n");
    let mut probe = node.client();
    wait_until(
        DEFAULT_DEADLINE,
        "the watched key to expire",
        || match probe.cmd(&["EXISTS", "k"]) {
            Frame::Integer(0) => Ok(()),
            other => Err(format!("EXISTS k answered {other:?}")),
        },
    );
    expect(&mut watcher, &["EXEC"], b"*-1\r\n");
    assert_eq!(probe.cmd(&["EXISTS", "other"]), Frame::Integer(0));

    // Again without any client touching the key: waiting on the server's clock only.
    expect(&mut watcher, &["SET", "k", "v", "PX", "300"], b"+OK\r\n");
    let expires_at = server_ms(&mut probe) + 300;
    expect(&mut watcher, &["WATCH", "k"], b"+OK\r\n");
    expect(&mut watcher, &["MULTI"], b"+OK\r\n");
    expect(&mut watcher, &["SET", "other", "x"], b"+QUEUED\r\n");
    wait_until(
        DEFAULT_DEADLINE,
        "the server clock to pass the expiry",
        || {
            let now = server_ms(&mut probe);
            if now > expires_at + 5 {
                Ok(())
            } else {
                Err(format!("server time {now}"))
            }
        },
    );
    expect(&mut watcher, &["EXEC"], b"*-1\r\n");
}

/// The server's clock (`TIME`) in milliseconds.
fn server_ms(client: &mut testkit::Client) -> i64 {
    let Frame::Array(parts) = client.cmd(&["TIME"]) else {
        panic!("TIME is an array");
    };
    let number = |frame: &Frame| -> i64 {
        let bytes = frame.as_bytes().expect("TIME parts are bulk strings");
        std::str::from_utf8(bytes)
            .expect("digits")
            .parse()
            .expect("a number")
    };
    number(&parts[0]) * 1000 + number(&parts[1]) / 1000
}

/// Two channel subscribers and a pattern subscriber all receive a message; PUBLISH counts them.
fn pubsub_delivery_on_master(subject: &Subject) {
    let node = start(subject);
    let mut first = connect(&node);
    let mut second = connect(&node);
    let mut pattern = connect(&node);
    expect(
        &mut first,
        &["SUBSCRIBE", "news"],
        b"*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n",
    );
    expect(
        &mut second,
        &["SUBSCRIBE", "news"],
        b"*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n",
    );
    expect(
        &mut pattern,
        &["PSUBSCRIBE", "n*"],
        b"*3\r\n$10\r\npsubscribe\r\n$2\r\nn*\r\n:1\r\n",
    );
    let mut publisher = node.client();
    assert_eq!(
        publisher.cmd(&["PUBLISH", "news", "hello"]),
        Frame::Integer(3)
    );
    assert_eq!(
        publisher.cmd(&["PUBLISH", "nothing", "x"]),
        Frame::Integer(1)
    );
    expect_push(&mut first, &["message", "news", "hello"]);
    expect_push(&mut second, &["message", "news", "hello"]);
    expect_push(&mut pattern, &["pmessage", "n*", "news", "hello"]);
    expect_push(&mut pattern, &["pmessage", "n*", "nothing", "x"]);
    assert_eq!(
        publisher.cmd(&["PUBSUB", "NUMSUB", "news"]),
        Frame::Array(vec![Frame::bulk("news"), Frame::Integer(2)])
    );
    // A closed subscriber is forgotten.
    drop(second);
    wait_until(
        DEFAULT_DEADLINE,
        "the closed subscriber to be dropped",
        || match publisher.cmd(&["PUBLISH", "news", "again"]) {
            Frame::Integer(2) => Ok(()),
            other => Err(format!("PUBLISH answered {other:?}")),
        },
    );
}

/// PUBLISH on the master reaches the replica's subscribers through the replication stream.
fn pubsub_delivery_through_replica(subject: &Subject) {
    let master = start(subject);
    let replica = subject.start(
        NodeConfig::new(free_port())
            .with("save", "\"\"")
            .replica_of(master.port()),
    );
    wait_for_sync(&replica);
    let mut on_master = connect(&master);
    let mut on_replica = connect(&replica);
    let mut pattern_on_replica = connect(&replica);
    expect(
        &mut on_master,
        &["SUBSCRIBE", "news"],
        b"*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n",
    );
    expect(
        &mut on_replica,
        &["SUBSCRIBE", "news"],
        b"*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n",
    );
    expect(
        &mut pattern_on_replica,
        &["PSUBSCRIBE", "*s"],
        b"*3\r\n$10\r\npsubscribe\r\n$2\r\n*s\r\n:1\r\n",
    );
    // Only the master's own subscriber counts in the master's answer.
    assert_eq!(master.cmd(&["PUBLISH", "news", "hello"]), Frame::Integer(1));
    expect_push(&mut on_master, &["message", "news", "hello"]);
    expect_push(&mut on_replica, &["message", "news", "hello"]);
    expect_push(
        &mut pattern_on_replica,
        &["pmessage", "*s", "news", "hello"],
    );
    // A PUBLISH on the replica stays there.
    assert_eq!(
        replica.cmd(&["PUBLISH", "news", "local"]),
        Frame::Integer(2)
    );
    expect_push(&mut on_replica, &["message", "news", "local"]);
    assert_eq!(master.cmd(&["PUBLISH", "news", "next"]), Frame::Integer(1));
    expect_push(&mut on_master, &["message", "news", "next"]);
}

/// `client-output-buffer-limit pubsub 1mb 0 0`: a subscriber that never reads is disconnected once its pending
/// messages pass 1 MB; publishing never waits for it.
fn slow_subscriber_is_disconnected(subject: &Subject) {
    let node = start(subject);
    assert_eq!(
        node.cmd(&[
            "CONFIG",
            "SET",
            "client-output-buffer-limit",
            "pubsub 1mb 0 0"
        ]),
        Frame::ok()
    );
    let mut sleeper = connect(&node);
    expect(
        &mut sleeper,
        &["SUBSCRIBE", "flood"],
        b"*3\r\n$9\r\nsubscribe\r\n$5\r\nflood\r\n:1\r\n",
    );
    let payload = "x".repeat(64 * 1024);
    let mut publisher = node.client();
    // 32 MB in all: well past the limit plus what the sockets can buffer.
    for _ in 0..512 {
        let receivers = publisher.cmd(&["PUBLISH", "flood", payload.as_str()]);
        if receivers == Frame::Integer(0) {
            break;
        }
    }
    wait_until(
        DEFAULT_DEADLINE,
        "the slow subscriber to be dropped",
        || match publisher.cmd(&["PUBSUB", "NUMSUB", "flood"]) {
            Frame::Array(items) if items.get(1) == Some(&Frame::Integer(0)) => Ok(()),
            other => Err(format!("PUBSUB NUMSUB flood answered {other:?}")),
        },
    );
    let rest = sleeper.read_until_closed();
    assert!(
        rest.is_ok(),
        "the subscriber's connection stayed open: {rest:?}"
    );
}

/// RESET leaves a connection as new: out of MULTI, subscriptions and MONITOR, db 0, RESP2, no name, and
/// unauthenticated again when a password is set.
fn reset_clears_connection_state(subject: &Subject) {
    let node = subject.start(
        NodeConfig::new(free_port())
            .with("save", "\"\"")
            .with("requirepass", "pw"),
    );
    let mut conn = connect(&node);
    expect(&mut conn, &["AUTH", "pw"], b"+OK\r\n");
    expect(&mut conn, &["SELECT", "3"], b"+OK\r\n");
    expect(&mut conn, &["CLIENT", "SETNAME", "someone"], b"+OK\r\n");
    let hello = send(&mut conn, &["HELLO", "3"]);
    assert!(
        hello.starts_with(b"%"),
        "HELLO 3 answered {}",
        escape(&hello)
    );
    expect(&mut conn, &["MULTI"], b"+OK\r\n");
    expect(&mut conn, &["SET", "k", "v"], b"+QUEUED\r\n");
    expect(&mut conn, &["RESET"], b"+RESET\r\n");
    expect(
        &mut conn,
        &["GET", "k"],
        b"-NOAUTH Authentication required.\r\n",
    );
    expect(&mut conn, &["AUTH", "pw"], b"+OK\r\n");
    expect(&mut conn, &["EXEC"], b"-ERR EXEC without MULTI\r\n");
    expect(&mut conn, &["CLIENT", "GETNAME"], b"$-1\r\n");
    expect(&mut conn, &["SET", "k", "db0"], b"+OK\r\n");
    expect(&mut conn, &["SELECT", "3"], b"+OK\r\n");
    // RESP2 again: a missing key is `$-1`, not RESP3's `_`.
    expect(&mut conn, &["GET", "k"], b"$-1\r\n");

    let mut subscriber = connect(&node);
    expect(&mut subscriber, &["AUTH", "pw"], b"+OK\r\n");
    expect(
        &mut subscriber,
        &["SUBSCRIBE", "news"],
        b"*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n",
    );
    expect(&mut subscriber, &["RESET"], b"+RESET\r\n");
    expect(&mut conn, &["PUBLISH", "news", "x"], b":0\r\n");

    let mut monitor = connect(&node);
    expect(&mut monitor, &["AUTH", "pw"], b"+OK\r\n");
    expect(&mut monitor, &["MONITOR"], b"+OK\r\n");
    expect(&mut monitor, &["RESET"], b"+RESET\r\n");
    expect(&mut conn, &["SET", "unseen", "1"], b"+OK\r\n");
    expect(
        &mut monitor,
        &["PING"],
        b"-NOAUTH Authentication required.\r\n",
    );
}

/// `CLIENT LIST` as text.
fn client_list(node: &Node, args: &[&str]) -> String {
    let mut command = vec!["CLIENT", "LIST"];
    command.extend_from_slice(args);
    match node.cmd(&command) {
        Frame::Bulk(list) => String::from_utf8_lossy(&list).into_owned(),
        other => panic!("CLIENT LIST: {other:?}"),
    }
}

/// Issue 9, defect 4: Redis Sentinel sends `CLIENT KILL TYPE pubsub` in every reconfiguration. A client
/// with subscriptions is of type `pubsub` (flag `P`, its `sub=`/`psub=` counts), not `normal`, until it
/// unsubscribes from everything.
fn subscribers_are_their_own_client_type(subject: &Subject) {
    let node = start(subject);
    let mut channel = node.client();
    channel.cmd(&["CLIENT", "SETNAME", "channel"]);
    channel
        .send(&["SUBSCRIBE", "news", "sport"])
        .expect("SUBSCRIBE");
    channel.read_reply().expect("first confirmation");
    channel.read_reply().expect("second confirmation");
    let mut pattern = node.client();
    pattern.cmd(&["CLIENT", "SETNAME", "pattern"]);
    pattern.send(&["PSUBSCRIBE", "n*"]).expect("PSUBSCRIBE");
    pattern.read_reply().expect("confirmation");
    let mut plain = node.client();
    plain.cmd(&["CLIENT", "SETNAME", "plain"]);

    let subscribed = client_list(&node, &["TYPE", "pubsub"]);
    let names: Vec<&str> = subscribed
        .lines()
        .filter_map(|line| {
            line.split(' ')
                .find_map(|field| field.strip_prefix("name="))
        })
        .collect();
    assert_eq!(names, ["channel", "pattern"], "{subscribed}");
    assert!(
        subscribed.contains("name=channel ") && subscribed.contains(" flags=P db=0 sub=2 psub=0 "),
        "{subscribed}"
    );
    assert!(
        subscribed.contains(" flags=P db=0 sub=0 psub=1 "),
        "{subscribed}"
    );
    let normal = client_list(&node, &["TYPE", "normal"]);
    assert!(
        normal.contains("name=plain ") && !normal.contains("flags=P"),
        "{normal}"
    );

    // TYPE normal spares the subscribers (and, with SKIPME, the caller); TYPE pubsub takes them.
    assert_eq!(
        node.cmd(&["CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes"]),
        Frame::Integer(1)
    );
    assert_eq!(
        node.cmd(&["CLIENT", "KILL", "TYPE", "pubsub"]),
        Frame::Integer(2)
    );
    wait_until(
        DEFAULT_DEADLINE,
        "the killed clients to leave",
        || match client_list(&node, &[]).lines().count() {
            1 => Ok(()),
            count => Err(format!("{count} clients")),
        },
    );

    // Unsubscribed from everything, a client is normal again.
    let mut again = node.client();
    again.send(&["SUBSCRIBE", "x"]).expect("SUBSCRIBE");
    again.read_reply().expect("confirmation");
    again.send(&["UNSUBSCRIBE"]).expect("UNSUBSCRIBE");
    again.read_reply().expect("confirmation");
    assert_eq!(client_list(&node, &["TYPE", "pubsub"]), "");
    assert_eq!(
        node.cmd(&["CLIENT", "KILL", "TYPE", "bogus"]),
        Frame::Error("ERR Unknown client type 'bogus'".into())
    );
}

/// Sends `words` without reading the reply.
fn send_only(connection: &mut RawConnection, words: &[&str]) {
    let mut request = BytesMut::new();
    resp::encode_command(words, &mut request);
    connection
        .send(&request)
        .unwrap_or_else(|error| panic!("send {words:?}: {error}"));
}

/// Found by the torture run (seed 101): a transaction queued on a master that then became a replica
/// (`FAILOVER`, `REPLICAOF`) ran its writes on the replica at `EXEC`, locally, so the replica's data left its
/// master's. Redis checks `EXEC` as the writes it queued: `-EXECABORT` with the read-only error.
fn exec_of_writes_is_refused_once_the_master_became_a_replica(subject: &Subject) {
    let other = start(subject);
    let node = start(subject);
    let mut writer = connect(&node);
    expect(&mut writer, &["MULTI"], b"+OK\r\n");
    expect(&mut writer, &["RPUSH", "list", "x"], b"+QUEUED\r\n");
    let mut reader = connect(&node);
    expect(&mut reader, &["MULTI"], b"+OK\r\n");
    expect(&mut reader, &["LLEN", "list"], b"+QUEUED\r\n");
    let port = other.port().to_string();
    expect(
        &mut connect(&node),
        &["REPLICAOF", "127.0.0.1", &port],
        b"+OK\r\n",
    );
    expect(
        &mut writer,
        &["EXEC"],
        b"-EXECABORT Transaction discarded because of: READONLY You can't write against a read only replica.\r\n",
    );
    // The transaction is gone; a read-only one still runs.
    expect(&mut writer, &["EXEC"], b"-ERR EXEC without MULTI\r\n");
    expect(&mut reader, &["EXEC"], b"*1\r\n:0\r\n");
}

/// While writes are paused (`CLIENT PAUSE WRITE`, and `FAILOVER` the same way) nothing may reach the
/// replication stream: an `EXEC` of queued writes and a script (which may write) wait for the pause to end,
/// as Redis holds `may-replicate` commands. Before, both ran at once and moved the offset a failover was
/// waiting on.
fn paused_writes_hold_exec_and_scripts(subject: &Subject) {
    // No replica PINGs meanwhile (Redis sends them during a CLIENT PAUSE): only a held command could move
    // the offset.
    let node = subject.start(
        NodeConfig::new(free_port())
            .with("save", "\"\"")
            .with("repl-ping-replica-period", "3600"),
    );
    // A replica, so the node keeps a replication stream whose offset shows any write.
    let replica = subject.start(
        NodeConfig::new(free_port())
            .with("save", "\"\"")
            .replica_of(node.port()),
    );
    wait_for_sync(&replica);
    let mut transaction = connect(&node);
    expect(&mut transaction, &["MULTI"], b"+OK\r\n");
    expect(&mut transaction, &["INCR", "n"], b"+QUEUED\r\n");
    let mut pauser = connect(&node);
    let offset = |pauser: &mut RawConnection| {
        let info = send(pauser, &["INFO", "replication"]);
        String::from_utf8_lossy(&info)
            .lines()
            .find_map(|line| line.strip_prefix("master_repl_offset:").map(str::to_owned))
            .expect("master_repl_offset")
    };
    let before = offset(&mut pauser);
    expect(
        &mut pauser,
        &["CLIENT", "PAUSE", "60000", "WRITE"],
        b"+OK\r\n",
    );
    send_only(&mut transaction, &["EXEC"]);
    let mut script = connect(&node);
    send_only(
        &mut script,
        &["EVAL", "return redis.call('incr', KEYS[1])", "1", "n"],
    );
    // Round trips on another connection give the server every chance to (wrongly) run them meanwhile.
    for _ in 0..50 {
        assert_eq!(
            offset(&mut pauser),
            before,
            "the offset moved while writes were paused"
        );
    }
    assert_eq!(transaction.read_available().expect("no reply yet"), b"");
    assert_eq!(script.read_available().expect("no reply yet"), b"");
    expect(&mut pauser, &["CLIENT", "UNPAUSE"], b"+OK\r\n");
    // Both run once released (Redis releases held clients in arrival order; rserver in no set order).
    let replies = (
        transaction.read_reply().expect("EXEC's reply"),
        script.read_reply().expect("EVAL's reply"),
    );
    assert!(
        replies == (b"*1\r\n:1\r\n".to_vec(), b":2\r\n".to_vec())
            || replies == (b"*1\r\n:2\r\n".to_vec(), b":1\r\n".to_vec()),
        "{replies:?}"
    );
    assert_ne!(offset(&mut pauser), before);
}

/// Redis checks `EXEC` against what its queued commands lack, too: queued while the replica's link was up,
/// a `GET` may not run once the link is down with `replica-serve-stale-data no` (found in review).
fn exec_of_reads_is_refused_once_the_link_is_down_without_stale_data(subject: &Subject) {
    let mut master = start(subject);
    let replica = subject.start(
        NodeConfig::new(free_port())
            .with("save", "\"\"")
            .with("replica-serve-stale-data", "no")
            .replica_of(master.port()),
    );
    wait_for_sync(&replica);
    let mut reader = connect(&replica);
    expect(&mut reader, &["MULTI"], b"+OK\r\n");
    expect(&mut reader, &["GET", "k"], b"+QUEUED\r\n");
    master.kill();
    testkit::wait_for_link_down(&replica);
    expect(
        &mut reader,
        &["EXEC"],
        b"-EXECABORT Transaction discarded because of: MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.\r\n",
    );
}

/// `CLIENT REPLY SKIP|OFF` drops the reply of a script, a `WAIT` and a blocking pop served later, as any other
/// (found in review: those replies went out whatever the flags said).
fn client_reply_applies_to_later_replies(subject: &Subject) {
    let node = start(subject);
    let mut conn = connect(&node);
    send_only(&mut conn, &["CLIENT", "REPLY", "SKIP"]);
    send_only(&mut conn, &["EVAL", "return 1", "0"]);
    expect(&mut conn, &["PING"], b"+PONG\r\n");

    send_only(&mut conn, &["CLIENT", "REPLY", "OFF"]);
    send_only(&mut conn, &["WAIT", "0", "0"]);
    send_only(&mut conn, &["EVAL", "return 2", "0"]);
    expect(&mut conn, &["CLIENT", "REPLY", "ON"], b"+OK\r\n");

    send_only(&mut conn, &["CLIENT", "REPLY", "SKIP"]);
    send_only(&mut conn, &["BLPOP", "list", "0"]);
    crate::support::wait_blocked_clients(&node, 1);
    node.cmd(&["RPUSH", "list", "x"]);
    expect(&mut conn, &["PING"], b"+PONG\r\n");
    assert_eq!(
        node.cmd(&["LLEN", "list"]),
        Frame::Integer(0),
        "the pop ran"
    );
}
