//! Clients blocked on sorted-set keys (`BZPOPMIN`, `BZPOPMAX`): served oldest first by ZADD, ZINCRBY, the
//! *STORE commands, RENAME, RENAMENX, COPY, MOVE and SWAPDB, timing out with a null array, leaving the queues when they disconnect, served
//! by the sorted set even when list waiters share the key, and a master's replica ending up with the same
//! data after pops served later. `COMMAND INFO` lists every blocking pop with Redis's flags.

use resp::Frame;
use testkit::{Node, NodeConfig, free_port, wait_for_ofs_sync};

use crate::blocking::{blocked, master_with_replica, reply, send, wait_blocked};
use crate::differential::raw::RawConnection;
use crate::support::{Subject, on_both_servers};

on_both_servers!(
    zset_waiters_are_served_first_come_first_served,
    zset_timeouts_answer_a_null_array,
    every_zset_write_that_fills_a_key_serves_it,
    copy_renamenx_move_and_swapdb_serve_waiters,
    disconnecting_while_blocked_on_a_zset_leaves_the_queue,
    list_and_zset_waiters_on_one_key,
    served_later_in_resp3_and_after_exec,
    replica_gets_the_zset_pops_served_later,
    command_info_of_the_blocking_pops,
);

fn start(subject: &Subject) -> Node {
    subject.start(NodeConfig::new(free_port()).with("save", "\"\""))
}

/// `*3` key, member, score in RESP2.
fn popped(key: &str, member: &str, score: &str) -> Vec<u8> {
    format!(
        "*3\r\n${}\r\n{key}\r\n${}\r\n{member}\r\n${}\r\n{score}\r\n",
        key.len(),
        member.len(),
        score.len()
    )
    .into_bytes()
}

/// Two clients blocked on one key get a member each, in the order they blocked, each from its own end; a
/// ZADD of one member serves only the oldest waiter (the key is gone after it), the next ZADD the other.
fn zset_waiters_are_served_first_come_first_served(subject: &Subject) {
    let node = start(subject);
    let mut first = blocked(&node, &["bzpopmin", "q", "0"], 1);
    let mut second = blocked(&node, &["bzpopmax", "other", "q", "0"], 2);
    assert_eq!(
        node.cmd(&["zadd", "q", "1", "a", "2", "b", "3", "c"]),
        Frame::Integer(3)
    );
    assert_eq!(reply(&mut first), popped("q", "a", "1"));
    assert_eq!(reply(&mut second), popped("q", "c", "3"));
    wait_blocked(&node, 0);
    assert_eq!(node.cmd(&["zrange", "q", "0", "-1"]), bulks(&["b"]));

    let mut first = blocked(&node, &["bzpopmax", "k", "0"], 1);
    let mut second = blocked(&node, &["bzpopmin", "k", "0"], 2);
    assert_eq!(node.cmd(&["zadd", "k", "5", "x"]), Frame::Integer(1));
    assert_eq!(reply(&mut first), popped("k", "x", "5"));
    wait_blocked(&node, 1);
    assert_eq!(node.cmd(&["exists", "k"]), Frame::Integer(0));
    assert_eq!(node.cmd(&["zadd", "k", "-2.5", "y"]), Frame::Integer(1));
    assert_eq!(reply(&mut second), popped("k", "y", "-2.5"));
    wait_blocked(&node, 0);
    assert_eq!(node.cmd(&["exists", "k"]), Frame::Integer(0));
}

/// A timeout of 0.1 s ends the wait with `*-1` (`_` in RESP3), and the client is no longer counted as blocked.
fn zset_timeouts_answer_a_null_array(subject: &Subject) {
    let node = start(subject);
    for command in [
        &["bzpopmin", "nokey", "0.1"][..],
        &["bzpopmax", "a", "b", "0.1"],
    ] {
        let mut connection = RawConnection::connect(node.port());
        send(&mut connection, command);
        assert_eq!(reply(&mut connection), b"*-1\r\n", "{command:?}");
        wait_blocked(&node, 0);
    }
    let mut connection = RawConnection::connect(node.port());
    send(&mut connection, &["hello", "3"]);
    reply(&mut connection);
    send(&mut connection, &["bzpopmin", "nokey", "0.1"]);
    assert_eq!(reply(&mut connection), b"_\r\n");
    wait_blocked(&node, 0);
}

/// ZADD, ZINCRBY, ZUNIONSTORE, ZINTERSTORE, ZDIFFSTORE, ZRANGESTORE and RENAME each serve a client blocked
/// on the key they fill; a STORE with an empty result (nothing stored) leaves it waiting, and so does a key
/// of another type.
fn every_zset_write_that_fills_a_key_serves_it(subject: &Subject) {
    let node = start(subject);
    assert_eq!(
        node.cmd(&["zadd", "src", "1", "a", "2", "b"]),
        Frame::Integer(2)
    );
    let writes: [(&[&str], &str, &str); 7] = [
        (&["zadd", "w", "7", "m"], "m", "7"),
        (&["zincrby", "w", "1.5", "m"], "m", "1.5"),
        (&["zunionstore", "w", "1", "src"], "a", "1"),
        (&["zinterstore", "w", "2", "src", "src"], "a", "2"),
        (&["zdiffstore", "w", "1", "src"], "a", "1"),
        (&["zrangestore", "w", "src", "1", "1"], "b", "2"),
        (&["rename", "tmp", "w"], "t", "9"),
    ];
    for (write, member, score) in writes {
        let mut waiting = blocked(&node, &["bzpopmin", "w", "0"], 1);
        // What does not fill the key leaves the client waiting.
        node.cmd(&["zunionstore", "w", "1", "nokey"]);
        node.cmd(&["zadd", "w", "XX", "1", "m"]);
        assert_eq!(node.cmd(&["set", "w", "string"]), Frame::ok());
        assert_eq!(node.cmd(&["del", "w"]), Frame::Integer(1));
        wait_blocked(&node, 1);
        assert_eq!(node.cmd(&["zadd", "tmp", "9", "t"]), Frame::Integer(1));
        node.cmd(write);
        assert_eq!(reply(&mut waiting), popped("w", member, score), "{write:?}");
        wait_blocked(&node, 0);
        node.cmd(&["del", "w", "tmp"]);
    }
}

/// Commands that create a key from another one (RENAMENX, COPY, MOVE from another database, COPY ... DB)
/// serve its waiters, and SWAPDB serves the waiters of both databases whose keys now exist.
fn copy_renamenx_move_and_swapdb_serve_waiters(subject: &Subject) {
    let node = start(subject);
    let mut client = node.client();
    // (database the write runs in, the key it reads, the write)
    let writes: [(&str, &str, &[&str]); 4] = [
        ("0", "src", &["renamenx", "src", "w"]),
        ("0", "src", &["copy", "src", "w"]),
        ("1", "src", &["copy", "src", "w", "db", "0"]),
        ("1", "w", &["move", "w", "0"]),
    ];
    for (db, source, write) in writes {
        let mut waiting = blocked(&node, &["bzpopmin", "w", "0"], 1);
        assert_eq!(client.cmd(&["select", db]), Frame::ok());
        assert_eq!(client.cmd(&["zadd", source, "4", "s"]), Frame::Integer(1));
        assert_eq!(client.cmd(write), Frame::Integer(1), "{write:?}");
        assert_eq!(reply(&mut waiting), popped("w", "s", "4"), "{write:?}");
        wait_blocked(&node, 0);
        client.cmd(&["del", source]);
    }
    assert_eq!(client.cmd(&["select", "1"]), Frame::ok());
    let mut waiting = RawConnection::connect(node.port());
    send(&mut waiting, &["select", "1"]);
    assert_eq!(reply(&mut waiting), b"+OK\r\n");
    send(&mut waiting, &["bzpopmax", "nokey", "w", "0"]);
    wait_blocked(&node, 1);
    assert_eq!(client.cmd(&["select", "0"]), Frame::ok());
    assert_eq!(
        client.cmd(&["zadd", "w", "1", "x", "2", "y"]),
        Frame::Integer(2)
    );
    assert_eq!(client.cmd(&["swapdb", "0", "1"]), Frame::ok());
    assert_eq!(reply(&mut waiting), popped("w", "y", "2"));
    wait_blocked(&node, 0);
    assert_eq!(client.cmd(&["select", "1"]), Frame::ok());
    assert_eq!(client.cmd(&["zrange", "w", "0", "-1"]), bulks(&["x"]));
}

/// A client that disconnects while blocked is forgotten: the next ZADD stays in the set.
fn disconnecting_while_blocked_on_a_zset_leaves_the_queue(subject: &Subject) {
    let node = start(subject);
    let connection = blocked(&node, &["bzpopmin", "q", "0"], 1);
    drop(connection);
    wait_blocked(&node, 0);
    assert_eq!(node.cmd(&["zadd", "q", "1", "kept"]), Frame::Integer(1));
    assert_eq!(node.cmd(&["zrange", "q", "0", "-1"]), bulks(&["kept"]));
}

/// A BLPOP and a BZPOPMIN blocked on one key: a ZADD serves the sorted-set waiter although the list waiter
/// is older; an RPUSH after the key is gone serves the list waiter.
fn list_and_zset_waiters_on_one_key(subject: &Subject) {
    let node = start(subject);
    let mut list_waiter = blocked(&node, &["blpop", "k", "0"], 1);
    let mut zset_waiter = blocked(&node, &["bzpopmax", "k", "0"], 2);
    assert_eq!(node.cmd(&["zadd", "k", "1", "z"]), Frame::Integer(1));
    assert_eq!(reply(&mut zset_waiter), popped("k", "z", "1"));
    wait_blocked(&node, 1);
    assert_eq!(node.cmd(&["rpush", "k", "l"]), Frame::Integer(1));
    assert_eq!(reply(&mut list_waiter), b"*2\r\n$1\r\nk\r\n$1\r\nl\r\n");
    wait_blocked(&node, 0);
}

/// A RESP3 client served later gets its score as a double; writes inside `MULTI` serve waiters once `EXEC`
/// has run, from the state after the whole transaction.
fn served_later_in_resp3_and_after_exec(subject: &Subject) {
    let node = start(subject);
    let mut resp3 = RawConnection::connect(node.port());
    send(&mut resp3, &["hello", "3"]);
    reply(&mut resp3);
    send(&mut resp3, &["bzpopmin", "q", "0"]);
    wait_blocked(&node, 1);
    let mut resp2 = blocked(&node, &["bzpopmax", "q", "0"], 2);
    let mut client = node.client();
    assert_eq!(client.cmd(&["multi"]), Frame::ok());
    for command in [
        &["zadd", "q", "1.5", "a", "2", "b", "3", "c"][..],
        &["zrem", "q", "c"],
    ] {
        assert_eq!(client.cmd(command), Frame::Simple("QUEUED".into()));
    }
    assert_eq!(
        client.cmd(&["exec"]),
        Frame::Array(vec![Frame::Integer(3), Frame::Integer(1)])
    );
    assert_eq!(reply(&mut resp3), b"*3\r\n$1\r\nq\r\n$1\r\na\r\n,1.5\r\n");
    assert_eq!(reply(&mut resp2), popped("q", "b", "2"));
    wait_blocked(&node, 0);
    assert_eq!(node.cmd(&["exists", "q"]), Frame::Integer(0));
}

/// The pops served after a ZADD reach the replica (as ZPOPMIN/ZPOPMAX), so both end with the same sets.
fn replica_gets_the_zset_pops_served_later(subject: &Subject) {
    let (master, replica) = master_with_replica(subject);
    let mut low = blocked(&master, &["bzpopmin", "q", "0"], 1);
    let mut high = blocked(&master, &["bzpopmax", "q", "0"], 2);
    assert_eq!(
        master.cmd(&["zadd", "q", "1", "a", "2", "b", "3", "c"]),
        Frame::Integer(3)
    );
    assert_eq!(reply(&mut low), popped("q", "a", "1"));
    assert_eq!(reply(&mut high), popped("q", "c", "3"));
    wait_for_ofs_sync(&master, &replica);
    for node in [&master, &replica] {
        assert_eq!(node.cmd(&["zrange", "q", "0", "-1"]), bulks(&["b"]));
    }
}

/// `COMMAND INFO`'s name, arity, flags (in Redis's order) and key positions of the blocking pops.
fn command_info_of_the_blocking_pops(subject: &Subject) {
    let node = start(subject);
    let blocking_pop = ["write", "noscript", "blocking"];
    let blocking_zpop = ["write", "noscript", "blocking", "fast"];
    let blocking_move = ["write", "denyoom", "noscript", "blocking"];
    let expected: [(&str, i64, &[&str], i64); 6] = [
        ("bzpopmin", -3, &blocking_zpop, -2),
        ("bzpopmax", -3, &blocking_zpop, -2),
        ("blpop", -3, &blocking_pop, -2),
        ("brpop", -3, &blocking_pop, -2),
        ("blmove", 6, &blocking_move, 2),
        ("brpoplpush", 4, &blocking_move, 2),
    ];
    for (name, arity, flags, last_key) in expected {
        let Frame::Array(infos) = node.cmd(&["command", "info", name]) else {
            panic!("COMMAND INFO {name}: not an array");
        };
        let Some(Frame::Array(info)) = infos.first() else {
            panic!("COMMAND INFO {name}: {infos:?}");
        };
        let flags = flags
            .iter()
            .map(|flag| Frame::Simple(flag.to_string().into()))
            .collect();
        let head = [
            Frame::bulk(name.to_string()),
            Frame::Integer(arity),
            Frame::Array(flags),
            Frame::Integer(1),
            Frame::Integer(last_key),
            Frame::Integer(1),
        ];
        assert_eq!(info.get(..6), Some(&head[..]), "COMMAND INFO {name}");
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
