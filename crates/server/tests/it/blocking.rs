//! Clients blocked on list keys (`BLPOP`, `BRPOP`, `BLMOVE`): served oldest first, timing out with a null
//! array, leaving the queues when they disconnect, never holding up other clients, and a master's replica
//! ending up with the same data after pops served later; a RENAME onto a waited key serves it, and a master
//! becoming a replica ends every wait with `-UNBLOCKED`.

use resp::Frame;
use testkit::{
    DEFAULT_DEADLINE, Node, NodeConfig, free_port, wait_for_ofs_sync, wait_for_sync, wait_until,
};

use crate::differential::raw::RawConnection;
use crate::support::{Subject, on_both_servers};

on_both_servers!(
    waiters_are_served_first_come_first_served,
    timeouts_answer_a_null_array,
    disconnecting_while_blocked_leaves_the_queue,
    a_blocked_client_does_not_hold_up_others,
    replica_gets_the_pops_served_later,
    rename_onto_a_waited_key_serves_it,
    becoming_a_replica_unblocks_with_an_error,
    client_unblock_ends_a_wait,
    multi_key_pops_served_later_reach_the_replica,
);

fn start(subject: &Subject) -> Node {
    subject.start(NodeConfig::new(free_port()).with("save", "\"\""))
}

/// A master and a replica of it, in sync.
pub fn master_with_replica(subject: &Subject) -> (Node, Node) {
    let master = start(subject);
    let replica = subject.start(
        NodeConfig::new(free_port())
            .with("save", "\"\"")
            .replica_of(master.port()),
    );
    wait_for_sync(&replica);
    (master, replica)
}

/// Two clients blocked on the same key get one element each, in the order they blocked; a client blocked on
/// two keys is served by whichever gets an element.
fn waiters_are_served_first_come_first_served(subject: &Subject) {
    let node = start(subject);
    let mut first = blocked(&node, &["brpop", "q", "0"], 1);
    let mut second = blocked(&node, &["blpop", "other", "q", "0"], 2);
    assert_eq!(node.cmd(&["rpush", "q", "a"]), Frame::Integer(1));
    assert_eq!(reply(&mut first), b"*2\r\n$1\r\nq\r\n$1\r\na\r\n");
    wait_blocked(&node, 1);
    assert_eq!(node.cmd(&["rpush", "q", "b"]), Frame::Integer(1));
    assert_eq!(reply(&mut second), b"*2\r\n$1\r\nq\r\n$1\r\nb\r\n");
    wait_blocked(&node, 0);
    assert_eq!(node.cmd(&["exists", "q"]), Frame::Integer(0));

    // One push of two elements serves both waiters at once, the older one first.
    let mut first = blocked(&node, &["blpop", "k", "0"], 1);
    let mut second = blocked(&node, &["blmove", "k", "moved", "left", "right", "0"], 2);
    assert_eq!(node.cmd(&["rpush", "k", "x", "y"]), Frame::Integer(2));
    assert_eq!(reply(&mut first), b"*2\r\n$1\r\nk\r\n$1\r\nx\r\n");
    assert_eq!(reply(&mut second), b"$1\r\ny\r\n");
    assert_eq!(node.cmd(&["lrange", "moved", "0", "-1"]), bulks(&["y"]));
}

/// A timeout of 0.1 s ends the wait with `*-1` (BLMOVE too), and the client is no longer counted as blocked.
fn timeouts_answer_a_null_array(subject: &Subject) {
    let node = start(subject);
    for command in [
        &["blpop", "nokey", "0.1"][..],
        &["brpop", "a", "b", "0.1"],
        &["blmove", "nokey", "dst", "left", "right", "0.1"],
        &["brpoplpush", "nokey", "dst", "0.1"],
    ] {
        let mut connection = RawConnection::connect(node.port());
        send(&mut connection, command);
        assert_eq!(reply(&mut connection), b"*-1\r\n", "{command:?}");
        wait_blocked(&node, 0);
    }
    assert_eq!(node.cmd(&["exists", "dst"]), Frame::Integer(0));
}

/// A client that disconnects while blocked is forgotten: the next push stays in the list.
fn disconnecting_while_blocked_leaves_the_queue(subject: &Subject) {
    let node = start(subject);
    let connection = blocked(&node, &["blpop", "q", "0"], 1);
    drop(connection);
    wait_blocked(&node, 0);
    assert_eq!(node.cmd(&["rpush", "q", "kept"]), Frame::Integer(1));
    assert_eq!(node.cmd(&["lrange", "q", "0", "-1"]), bulks(&["kept"]));
}

/// While one client waits, others run commands; what the blocked client pipelined behind its BLPOP runs once
/// it is served.
fn a_blocked_client_does_not_hold_up_others(subject: &Subject) {
    let node = start(subject);
    let mut waiting = RawConnection::connect(node.port());
    let mut request = bytes::BytesMut::new();
    resp::encode_command(&["blpop", "q", "0"], &mut request);
    resp::encode_command(&["ping"], &mut request);
    waiting.send(&request).expect("send BLPOP and PING");
    wait_blocked(&node, 1);
    let mut other = node.client();
    let flags = |other: &mut testkit::Client| match other.cmd(&["client", "list"]) {
        Frame::Bulk(list) => String::from_utf8_lossy(&list).matches(" flags=b ").count(),
        reply => panic!("CLIENT LIST answered {reply:?}"),
    };
    assert_eq!(flags(&mut other), 1, "the waiting client shows flags=b");
    assert_eq!(other.cmd(&["set", "k", "v"]), Frame::ok());
    assert_eq!(other.cmd(&["get", "k"]), Frame::bulk("v"));
    assert_eq!(other.cmd(&["ping"]), Frame::Simple("PONG".into()));
    assert_eq!(other.cmd(&["rpush", "q", "x"]), Frame::Integer(1));
    assert_eq!(reply(&mut waiting), b"*2\r\n$1\r\nq\r\n$1\r\nx\r\n");
    assert_eq!(reply(&mut waiting), b"+PONG\r\n");
    assert_eq!(flags(&mut other), 0, "a served client is no longer blocked");
}

/// The pops served after a push reach the replica (as LPOP/LMOVE), so both end with the same lists.
fn replica_gets_the_pops_served_later(subject: &Subject) {
    let (master, replica) = master_with_replica(subject);
    let mut pop = blocked(&master, &["blpop", "q", "0"], 1);
    let mut mover = blocked(&master, &["blmove", "q", "dst", "right", "left", "0"], 2);
    assert_eq!(
        master.cmd(&["rpush", "q", "a", "b", "c"]),
        Frame::Integer(3)
    );
    assert_eq!(reply(&mut pop), b"*2\r\n$1\r\nq\r\n$1\r\na\r\n");
    assert_eq!(reply(&mut mover), b"$1\r\nc\r\n");
    wait_for_ofs_sync(&master, &replica);
    for node in [&master, &replica] {
        assert_eq!(node.cmd(&["lrange", "q", "0", "-1"]), bulks(&["b"]));
        assert_eq!(node.cmd(&["lrange", "dst", "0", "-1"]), bulks(&["c"]));
    }
}

/// BLMPOP and BZMPOP waiting on two keys are served by later writes, with up to COUNT elements; the replica
/// ends up with the same data (the pops propagate as `RPOP key n` and `ZPOPMAX key n`).
fn multi_key_pops_served_later_reach_the_replica(subject: &Subject) {
    let (master, replica) = master_with_replica(subject);
    let mut lists = blocked(
        &master,
        &["blmpop", "0", "2", "l1", "l2", "right", "count", "2"],
        1,
    );
    let mut zsets = blocked(
        &master,
        &["bzmpop", "0", "2", "z1", "z2", "max", "count", "2"],
        2,
    );
    assert_eq!(
        master.cmd(&["rpush", "l2", "a", "b", "c"]),
        Frame::Integer(3)
    );
    assert_eq!(
        reply(&mut lists),
        b"*2\r\n$2\r\nl2\r\n*2\r\n$1\r\nc\r\n$1\r\nb\r\n"
    );
    assert_eq!(
        master.cmd(&["zadd", "z2", "1", "x", "2", "y", "3", "z"]),
        Frame::Integer(3)
    );
    assert_eq!(
        reply(&mut zsets),
        b"*2\r\n$2\r\nz2\r\n*2\r\n*2\r\n$1\r\nz\r\n$1\r\n3\r\n*2\r\n$1\r\ny\r\n$1\r\n2\r\n"
    );
    wait_for_ofs_sync(&master, &replica);
    for node in [&master, &replica] {
        assert_eq!(node.cmd(&["lrange", "l2", "0", "-1"]), bulks(&["a"]));
        assert_eq!(node.cmd(&["zrange", "z2", "0", "-1"]), bulks(&["x"]));
    }
}

fn bulks(items: &[&str]) -> Frame {
    Frame::Array(
        items
            .iter()
            .map(|item| Frame::bulk(item.to_string()))
            .collect(),
    )
}

/// A new connection that sent `command` and is now blocked, the `count`th blocked client.
pub fn blocked(node: &Node, command: &[&str], count: usize) -> RawConnection {
    let mut connection = RawConnection::connect(node.port());
    send(&mut connection, command);
    wait_blocked(node, count);
    connection
}

pub fn send(connection: &mut RawConnection, command: &[&str]) {
    let mut request = bytes::BytesMut::new();
    resp::encode_command(command, &mut request);
    connection
        .send(&request)
        .unwrap_or_else(|error| panic!("send {command:?}: {error}"));
}

pub fn reply(connection: &mut RawConnection) -> Vec<u8> {
    connection
        .read_reply()
        .unwrap_or_else(|error| panic!("no reply: {error}"))
}

/// Waits until INFO counts `count` blocked clients.
pub fn wait_blocked(node: &Node, count: usize) {
    let expected = count.to_string();
    wait_until(
        DEFAULT_DEADLINE,
        &format!("{count} blocked client(s)"),
        || {
            let blocked = node
                .client()
                .info_field("clients", "blocked_clients")
                .map_err(|error| error.to_string())?;
            match blocked {
                Some(value) if value == expected => Ok(()),
                other => Err(format!("blocked_clients {other:?}")),
            }
        },
    );
}

/// A list renamed onto a key a client waits on serves it, like a push.
fn rename_onto_a_waited_key_serves_it(subject: &Subject) {
    let node = start(subject);
    let mut waiting = blocked(&node, &["blpop", "q", "0"], 1);
    assert_eq!(node.cmd(&["rpush", "tmp", "a", "b"]), Frame::Integer(2));
    assert_eq!(node.cmd(&["rename", "tmp", "q"]), Frame::ok());
    assert_eq!(reply(&mut waiting), b"*2\r\n$1\r\nq\r\n$1\r\na\r\n");
    assert_eq!(node.cmd(&["lrange", "q", "0", "-1"]), bulks(&["b"]));
}

/// A master turning into a replica ends every wait with `-UNBLOCKED ...` and closes those connections.
fn becoming_a_replica_unblocks_with_an_error(subject: &Subject) {
    let node = start(subject);
    let mut waiting = blocked(&node, &["brpop", "q", "0"], 1);
    // Nothing listens on the new master's port: the link just keeps retrying.
    let nowhere = free_port().to_string();
    assert_eq!(node.cmd(&["replicaof", "127.0.0.1", &nowhere]), Frame::ok());
    assert_eq!(
        reply(&mut waiting),
        b"-UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)\r\n"
    );
    assert_eq!(waiting.read_until_closed(), Ok(Vec::new()));
    wait_blocked(&node, 0);
}

/// CLIENT UNBLOCK ends another client's wait as a timeout or with `-UNBLOCKED`, and answers 0 for a client
/// that is not waiting.
fn client_unblock_ends_a_wait(subject: &Subject) {
    let node = start(subject);
    let mut waiting = RawConnection::connect(node.port());
    send(&mut waiting, &["client", "id"]);
    let id = String::from_utf8(reply(&mut waiting)).expect("text");
    let id = id.trim_start_matches(':').trim_end().to_owned();
    let mut other = node.client();
    let unblock = |other: &mut testkit::Client, args: &[&str]| {
        let mut full = vec!["client", "unblock"];
        full.extend_from_slice(args);
        other.cmd(&full)
    };
    assert_eq!(unblock(&mut other, &[&id]), Frame::Integer(0));

    send(&mut waiting, &["blpop", "q", "0"]);
    wait_blocked(&node, 1);
    assert_eq!(unblock(&mut other, &[&id, "timeout"]), Frame::Integer(1));
    assert_eq!(reply(&mut waiting), b"*-1\r\n");
    wait_blocked(&node, 0);

    send(&mut waiting, &["brpop", "q", "0"]);
    wait_blocked(&node, 1);
    assert_eq!(
        unblock(&mut other, &[&id, "sometimes"]),
        Frame::error("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR")
    );
    assert_eq!(
        unblock(&mut other, &["abc"]),
        Frame::error("ERR value is not an integer or out of range")
    );
    assert_eq!(unblock(&mut other, &[&id, "ERROR"]), Frame::Integer(1));
    assert_eq!(
        reply(&mut waiting),
        b"-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n"
    );
    // The connection goes on as usual.
    send(&mut waiting, &["ping"]);
    assert_eq!(reply(&mut waiting), b"+PONG\r\n");
}
