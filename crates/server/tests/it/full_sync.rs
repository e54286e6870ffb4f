//! Full resyncs: replicas asking within `repl-diskless-sync-delay` share one snapshot (one "Starting BGSAVE
//! for SYNC" in the master's log, as Redis shares one fork), keepalive newlines during the delay keep them
//! in handshake, and both end with the master's data. Run against both servers.

use testkit::{NodeConfig, free_ports, wait_for_ofs_sync, wait_for_sync, wait_replica_online};

use crate::support::{Subject, dbsize, on_both_servers, set};

on_both_servers!(replicas_share_one_delayed_snapshot);

fn replicas_share_one_delayed_snapshot(subject: &Subject) {
    let [master_port, replica1_port, replica2_port] = free_ports::<3>();
    let master = subject.start(
        NodeConfig::new(master_port)
            .with("repl-diskless-sync", "yes")
            .with("repl-diskless-sync-delay", "2")
            .with("repl-diskless-sync-max-replicas", "2"),
    );
    for i in 0..100 {
        set(&master, &format!("k{i}"), "v");
    }
    let replicas = [replica1_port, replica2_port]
        .map(|port| subject.start(NodeConfig::new(port).replica_of(master_port)));
    wait_replica_online(&master, 2);
    for replica in &replicas {
        wait_for_sync(replica);
        wait_for_ofs_sync(&master, replica);
        assert_eq!(dbsize(replica), 100);
    }
    let snapshots = master
        .log()
        .lines()
        .filter(|line| line.contains("Starting BGSAVE for SYNC"))
        .count();
    assert_eq!(snapshots, 1, "both replicas were served by one snapshot");
}

on_both_servers!(replica_sending_commands_is_disconnected);

/// A replica's link carries only the stream: a command from it is answered (keyspace commands with an
/// error) and the replica is dropped, with both in the master's log; the master goes on serving.
fn replica_sending_commands_is_disconnected(subject: &Subject) {
    let [master_port] = free_ports::<1>();
    let master = subject.start(NodeConfig::new(master_port));
    for (command, name) in [("PING", "ping"), ("GET foo", "get")] {
        let mut link = crate::differential::raw::RawConnection::connect(master_port);
        link.send(b"PSYNC replicationid -1\r\n")
            .expect("send PSYNC");
        let line = link.read_line().expect("+FULLRESYNC");
        assert!(line.starts_with(b"+FULLRESYNC "), "{}", line.escape_ascii());
        link.send(format!("{command}\r\n").as_bytes())
            .expect("send");
        link.read_until_closed()
            .expect("the master closes the link");
        let log = master.log();
        assert!(
            log.contains(&format!(
                "Replica generated a reply to command '{name}', disconnecting it: "
            )),
            "{log}"
        );
        assert_eq!(master.cmd(&["PING"]), resp::Frame::Simple("PONG".into()));
    }
    let log = master.log();
    let critical = log
        .lines()
        .find(|line| line.contains("== CRITICAL =="))
        .unwrap_or_default();
    assert!(
        critical.ends_with(
            "== CRITICAL == This master is sending an error to its replica: 'Replica can't interact with the keyspace' after processing the command 'get'"
        ),
        "{critical}"
    );
    // A non-integer offset is refused before anything starts.
    assert_eq!(
        master.cmd(&["PSYNC", "replicationid", "offset_str"]),
        resp::Frame::Error("ERR value is not an integer or out of range".into())
    );
    assert!(
        master
            .log()
            .contains("asks for synchronization but with a wrong offset")
    );
}

/// rserver only: a real Redis replica answers a client only between 2 MB pieces of a socket load, so this
/// probe does not see its `async_loading` reliably; Redis's own `Diskless load swapdb` tests
/// (`integration/replication`, run by `../shared/acceptance/redis-tcl/run.sh`) cross-check the same
/// behaviour on both servers.
#[test]
fn diskless_load_swapdb_serves_old_data_until_the_new_data_is_complete_rserver() {
    diskless_load_swapdb_serves_old_data_until_the_new_data_is_complete(&Subject::rserver());
}

/// `repl-diskless-load swapdb`: a second full sync from the same master loads from the socket while the
/// old data stays served (`async_loading:1`, writes to forbidden configs refused with `-LOADING`); a load
/// cut short keeps the old data; a completed one replaces it.
fn diskless_load_swapdb_serves_old_data_until_the_new_data_is_complete(subject: &Subject) {
    use testkit::{DEFAULT_DEADLINE, info_field_in, wait_until};
    let [master_port, replica_port] = free_ports::<2>();
    let master = subject.start(
        NodeConfig::new(master_port)
            .with("enable-debug-command", "yes")
            .with("repl-diskless-sync", "yes")
            .with("save", "\"\""),
    );
    let replica = subject.start(
        NodeConfig::new(replica_port)
            .with("repl-diskless-load", "swapdb")
            .with("replica-read-only", "no")
            .with("save", "\"\"")
            .replica_of(master_port),
    );
    wait_for_sync(&replica);
    // Over 2 MB, so that a Redis replica answers INFO during the load (it serves clients every 2 MB).
    let value = "v".repeat(20_000);
    for chunk in 0..10 {
        let mut mset = vec!["MSET".to_owned()];
        for i in 0..30 {
            mset.push(format!("master:{}", chunk * 30 + i));
            mset.push(value.clone());
        }
        master.cmd(&mset);
    }
    wait_for_ofs_sync(&master, &replica);
    set(&replica, "mykey", "myvalue");
    // Force a full sync of the same history, slowed down by the master.
    master.cmd(&["CONFIG", "SET", "rdb-key-save-delay", "10000"]);
    let mut client = master.client();
    client.cmd(&["MULTI"]);
    client.cmd(&["CLIENT", "KILL", "TYPE", "replica"]);
    client.cmd(&["CONFIG", "SET", "repl-backlog-size", "16384"]);
    for i in 0..10 {
        client.cmd(&["SET", &format!("big{i}"), &"A".repeat(16384)]);
    }
    client.cmd(&["EXEC"]);
    // One connection for every probe: while it loads, Redis serves existing connections every 2 MB.
    let probe = std::cell::RefCell::new(replica.client());
    let persistence = |field: &str| {
        let info = probe
            .borrow_mut()
            .info("persistence")
            .expect("INFO persistence");
        info_field_in(&info, field).map(str::to_owned)
    };
    wait_until(DEFAULT_DEADLINE, "async_loading:1", || {
        match persistence("async_loading").as_deref() {
            Some("1") => Ok(()),
            other => Err(format!("{other:?}")),
        }
    });
    assert_eq!(persistence("loading").as_deref(), Some("0"));
    let mut during = probe.borrow_mut();
    assert_eq!(
        during.cmd(&["GET", "mykey"]),
        resp::Frame::Bulk("myvalue".into())
    );
    assert_eq!(during.cmd(&["DBSIZE"]), resp::Frame::Integer(301));
    let refused = during.cmd(&["CONFIG", "SET", "appendonly", "no"]);
    drop(during);
    assert!(
        matches!(&refused, resp::Frame::Error(text) if text.starts_with(b"LOADING")),
        "{refused:?}"
    );
    // Cut the load short: the old data stays.
    master.cmd(&["CLIENT", "KILL", "TYPE", "replica"]);
    master.cmd(&["CONFIG", "SET", "repl-diskless-sync-delay", "5"]);
    wait_until(
        DEFAULT_DEADLINE,
        "the load to stop",
        || match persistence("async_loading").as_deref() {
            Some("0") => Ok(()),
            other => Err(format!("{other:?}")),
        },
    );
    assert_eq!(
        crate::support::get(&replica, "mykey").as_deref(),
        Some("myvalue")
    );
    assert_eq!(dbsize(&replica), 301);
    // Let the next sync complete: the master's data replaces ours.
    master.cmd(&["CONFIG", "SET", "rdb-key-save-delay", "0"]);
    master.cmd(&["CONFIG", "SET", "repl-diskless-sync-delay", "0"]);
    wait_for_ofs_sync(&master, &replica);
    wait_until(DEFAULT_DEADLINE, "the master's data", || {
        match dbsize(&replica) {
            310 => Ok(()),
            other => Err(format!("dbsize {other}")),
        }
    });
    assert_eq!(crate::support::get(&replica, "mykey"), None);
}
