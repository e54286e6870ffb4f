//! A snapshot is the data of one moment however the data changes while it is being produced: writes,
//! deletions, expiries, SWAPDB and FLUSHDB racing a slowed-down full sync leave the replica equal to its
//! master, and a slowed-down BGSAVE writes exactly the data of the moment it was asked for. The snapshot is
//! slowed with `rdb-key-save-delay` (a pause per key written) so the writes land while it is in progress.
//! Run against both servers: Redis gets the same guarantee from its fork.

use std::time::Duration;

use resp::Frame;
use testkit::{Client, Node, NodeConfig, free_ports, wait_for_ofs_sync, wait_until};

use crate::support::{Subject, on_both_servers};

on_both_servers!(
    writes_during_a_full_sync_reach_the_replica_exactly,
    bgsave_writes_the_data_of_its_moment
);

/// Microseconds of pause per key: 4,000 keys make a snapshot of about a second.
const KEY_SAVE_DELAY: &str = "200";

fn digest(node: &Node) -> Frame {
    checked(node.cmd(&["DEBUG", "DIGEST"]))
}

fn checked(reply: Frame) -> Frame {
    assert!(!matches!(reply, Frame::Error(_)), "{reply:?}");
    reply
}

/// A node with `DEBUG` enabled and its snapshots slowed down.
fn slow_snapshots(port: u16) -> NodeConfig {
    NodeConfig::new(port)
        .with("enable-debug-command", "yes")
        .with("rdb-key-save-delay", KEY_SAVE_DELAY)
}

/// Three databases of plain keys plus a few collections.
fn populate(master: &Node) {
    let mut client = master.client();
    for (db, count, prefix) in [
        ("0", "3000", "key"),
        ("1", "500", "one"),
        ("2", "500", "two"),
    ] {
        checked(client.cmd(&["SELECT", db]));
        checked(client.cmd(&["DEBUG", "POPULATE", count, prefix, "16"]));
    }
    checked(client.cmd(&["SELECT", "0"]));
    for i in 0..5 {
        checked(client.cmd(&["RPUSH", &format!("list{i}"), "a", "b", "c"]));
        checked(client.cmd(&["HSET", &format!("hash{i}"), "f", "v", "g", "w"]));
    }
}

/// The `step`th write of a mix that touches keys the snapshot has and has not reached yet.
fn write(db0: &mut Client, db2: &mut Client, step: u64) {
    let key = format!("key:{}", (step * 13) % 3000);
    let reply = match step % 11 {
        0 => db0.cmd(&["SET", &key, &format!("new{step}")]),
        1 => db0.cmd(&["DEL", &key]),
        2 => db0.cmd(&["APPEND", &key, "x"]),
        3 => db0.cmd(&["RPUSH", &format!("list{}", step % 5), &format!("e{step}")]),
        4 => db0.cmd(&[
            "HSET",
            &format!("hash{}", step % 5),
            &format!("f{step}"),
            "v",
        ]),
        5 => db0.cmd(&["EXPIRE", &key, "1000"]),
        6 => db0.cmd(&["SET", &format!("fresh:{step}"), "v"]),
        7 => db2.cmd(&["SET", &format!("two:{}", step % 500), &format!("w{step}")]),
        8 if step % 97 == 8 => db0.cmd(&["SWAPDB", "1", "2"]),
        9 if step % 191 == 9 => db2.cmd(&["FLUSHDB"]),
        _ => db0.cmd(&["LPOP", &format!("list{}", step % 5)]),
    };
    assert!(
        !matches!(reply, Frame::Error(_)),
        "write {step} failed: {reply:?}"
    );
}

fn writes_during_a_full_sync_reach_the_replica_exactly(subject: &Subject) {
    let [master_port, replica_port] = free_ports::<2>();
    let master = subject.start(
        slow_snapshots(master_port)
            .with("repl-diskless-sync", "yes")
            .with("repl-diskless-sync-delay", "0"),
    );
    populate(&master);
    let replica = subject.start(
        NodeConfig::new(replica_port)
            .with("enable-debug-command", "yes")
            .replica_of(master_port),
    );
    let (mut db0, mut db2) = (master.client(), master.client());
    db2.cmd(&["SELECT", "2"]);
    let mut step = 0;
    let mut during_sync = 0;
    wait_until(Duration::from_secs(60), "replica online", || {
        let info = master.info_replication();
        if info.contains("state=online") {
            return Ok(());
        }
        if info.contains("slave0:") {
            during_sync += 1;
        }
        for _ in 0..5 {
            write(&mut db0, &mut db2, step);
            step += 1;
        }
        Err(info)
    });
    assert!(
        during_sync > 10,
        "only {during_sync} write rounds ran during the sync"
    );
    // Some more after the sync, through the stream.
    for _ in 0..200 {
        write(&mut db0, &mut db2, step);
        step += 1;
    }
    wait_for_ofs_sync(&master, &replica);
    testkit::assert_same_data(&master, &replica, "after a full sync raced by writes");
    assert_eq!(digest(&master), digest(&replica));
}

fn bgsave_writes_the_data_of_its_moment(subject: &Subject) {
    let [master_port, check_port] = free_ports::<2>();
    let master = subject.start(slow_snapshots(master_port).with("save", ""));
    populate(&master);
    // This client is the only writer and no key has a TTL yet: nothing changes between the two commands.
    let digest_at_save = digest(&master);
    let mut db0 = master.client();
    checked(db0.cmd(&["BGSAVE"]));
    let mut db2 = master.client();
    db2.cmd(&["SELECT", "2"]);
    let mut step = 0;
    let mut during_save = 0;
    wait_until(Duration::from_secs(60), "BGSAVE finished", || {
        let in_progress = master.info_field("persistence", "rdb_bgsave_in_progress");
        if in_progress.as_deref() == Some("0") {
            return Ok(());
        }
        during_save += 1;
        for _ in 0..5 {
            write(&mut db0, &mut db2, step);
            step += 1;
        }
        Err(format!("rdb_bgsave_in_progress:{in_progress:?}"))
    });
    assert!(
        during_save > 10,
        "only {during_save} write rounds ran during the save"
    );
    assert_eq!(
        master
            .info_field("persistence", "rdb_last_bgsave_status")
            .as_deref(),
        Some("ok")
    );
    assert_ne!(
        digest(&master),
        digest_at_save,
        "the writes changed the data"
    );

    let mut check = subject.start(NodeConfig::new(check_port).with("enable-debug-command", "yes"));
    check.kill();
    std::fs::copy(master.dir().join("dump.rdb"), check.dir().join("dump.rdb"))
        .expect("copy the dump");
    check.start_again();
    assert_eq!(digest(&check), digest_at_save);
}
