//! Restart scenarios (reference `replication.md` §13): a master and a replica are shut down and come back with
//! their data, as replicas or as a master depending on their config.

use resp::Frame;
use testkit::{
    NodeConfig, Shutdown, free_ports, wait_for_link_down, wait_for_ofs_sync,
    wait_for_replication_field, wait_for_sync, wait_replica_online,
};

use crate::support::{Subject, dbsize, get, on_both_servers, replication_field, set, sorted_keys};

on_both_servers!(
    master_shutdown_and_restart,
    replica_restarted_without_then_with_replicaof
);

const READONLY_ERROR: &str = "READONLY You can't write against a read only replica.";

/// Master + 2 replicas; the master (with save points) is shut down: the replicas stay read-only replicas with the
/// link down; the master comes back from its RDB and the replicas catch up with a write made after the restart.
fn master_shutdown_and_restart(subject: &Subject) {
    let [master_port, replica1_port, replica2_port] = free_ports::<3>();
    let mut master = subject.start(NodeConfig::new(master_port));
    let replicas = [replica1_port, replica2_port]
        .map(|port| subject.start(NodeConfig::new(port).replica_of(master_port)));
    for replica in &replicas {
        wait_for_sync(replica);
    }

    set(&master, "k1", "v1");
    set(&master, "k2", "v2");
    for replica in &replicas {
        wait_for_ofs_sync(&master, replica);
        assert_eq!(get(replica, "k1").as_deref(), Some("v1"));
        assert_eq!(get(replica, "k2").as_deref(), Some("v2"));
    }
    let replid_before_restart = replication_field(&master, "master_replid");

    master.shutdown(Shutdown::Default);
    for replica in &replicas {
        wait_for_link_down(replica);
        assert_eq!(replication_field(replica, "role"), "slave");
        assert_eq!(
            replica.cmd(&["SET", "k", "v"]),
            Frame::error(READONLY_ERROR)
        );
        assert_eq!(
            get(replica, "k1").as_deref(),
            Some("v1"),
            "a replica keeps its data while the master is down"
        );
    }

    master.start_again();
    // The RDB written at shutdown restores the data and the replication id (as the *previous* id, §13), which is
    // what lets the replicas continue with a partial resync.
    assert_eq!(sorted_keys(&master), ["k1", "k2"]);
    assert_eq!(
        replication_field(&master, "master_replid2"),
        replid_before_restart
    );
    set(&master, "k3", "v3");
    for replica in &replicas {
        wait_for_sync(replica);
        wait_for_ofs_sync(&master, replica);
        assert_eq!(sorted_keys(replica), ["k1", "k2", "k3"]);
        assert_eq!(get(replica, "k3").as_deref(), Some("v3"));
    }
}

/// A replica is shut down; restarted without `replicaof` it is a writable master with its data; restarted
/// again with `replicaof` it rejoins and ends up with exactly the master's data.
fn replica_restarted_without_then_with_replicaof(subject: &Subject) {
    let [master_port, replica1_port, replica2_port] = free_ports::<3>();
    let master = subject.start(NodeConfig::new(master_port));
    let replica1 = subject.start(NodeConfig::new(replica1_port).replica_of(master_port));
    let mut replica2 = subject.start(NodeConfig::new(replica2_port).replica_of(master_port));
    wait_replica_online(&master, 2);
    set(&master, "k1", "v1");
    set(&master, "k2", "v2");
    wait_for_ofs_sync(&master, &replica1);
    wait_for_ofs_sync(&master, &replica2);

    replica2.shutdown(Shutdown::Default);
    wait_for_replication_field(&master, "connected_slaves", "1");
    let master_replid = replication_field(&master, "master_replid");

    replica2.config_mut().remove("replicaof");
    replica2.start_again();
    assert_eq!(replication_field(&replica2, "role"), "master");
    assert_eq!(replication_field(&replica2, "connected_slaves"), "0");
    assert_eq!(
        replication_field(&replica2, "master_replid2"),
        master_replid,
        "a replica restarted as a master remembers its old master's id as replid2"
    );
    assert_ne!(replication_field(&replica2, "master_replid"), master_replid);
    assert_eq!(sorted_keys(&replica2), ["k1", "k2"]);
    set(&replica2, "k9", "written while a master");
    assert_eq!(
        get(&replica2, "k9").as_deref(),
        Some("written while a master")
    );

    replica2.shutdown(Shutdown::Default);
    replica2
        .config_mut()
        .set("replicaof", format!("127.0.0.1 {master_port}"));
    replica2.start_again();
    wait_for_sync(&replica2);
    wait_for_ofs_sync(&master, &replica2);
    wait_for_replication_field(&master, "connected_slaves", "2");
    wait_replica_online(&master, 2);
    assert_eq!(replication_field(&replica2, "role"), "slave");
    assert_eq!(sorted_keys(&replica2), sorted_keys(&master));
    assert_eq!(dbsize(&replica2), 2);
    assert_eq!(
        get(&replica2, "k9"),
        None,
        "the write made while it was a master is gone after the resync"
    );
    assert_eq!(get(&replica2, "k2").as_deref(), Some("v2"));
    assert_eq!(get(&replica1, "k2").as_deref(), Some("v2"));
}
