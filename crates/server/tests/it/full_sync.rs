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
