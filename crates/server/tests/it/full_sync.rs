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
