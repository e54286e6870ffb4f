//! `client-output-buffer-limit replica`: a replica that cannot keep up is disconnected instead of making the
//! master buffer without bound; when it comes back and its offset has left the backlog it gets a full resync,
//! and ends with the master's data. Run against both servers.

use testkit::{
    DEFAULT_DEADLINE, NodeConfig, free_ports, info_field_in, wait_for_ofs_sync, wait_for_sync,
    wait_until,
};

use crate::support::{Subject, dbsize, on_both_servers, signal};

on_both_servers!(
    slow_replica_is_cut_off_then_resyncs,
    hard_limit_below_backlog_size_does_not_cut_a_partial_resync
);

fn slow_replica_is_cut_off_then_resyncs(subject: &Subject) {
    let [master_port, replica_port] = free_ports::<2>();
    let master = subject.start(
        NodeConfig::new(master_port)
            .with("repl-backlog-size", "16384")
            .with("client-output-buffer-limit", "replica 256kb 0 0")
            .with("save", "\"\""),
    );
    let replica = subject.start(
        NodeConfig::new(replica_port)
            .replica_of(master_port)
            .with("save", "\"\""),
    );
    wait_for_sync(&replica);
    let replica_pid = replica.pid().expect("the replica runs");
    signal(replica_pid, "STOP");
    // 32 MB of writes: far beyond the 256 KB limit, the 16 KB backlog, and what loopback socket buffers
    // (several MB each way) can absorb while the replica is stopped.
    let value = "x".repeat(100_000);
    for i in 0..320 {
        master.cmd(&["SET", &format!("k{i}"), &value]);
    }
    wait_until(
        DEFAULT_DEADLINE,
        "the master drops the stalled replica",
        || {
            let info = master.info_replication();
            match info_field_in(&info, "connected_slaves") {
                Some("0") => Ok(()),
                other => Err(format!("connected_slaves {other:?}")),
            }
        },
    );
    signal(replica_pid, "CONT");
    wait_for_sync(&replica);
    wait_for_ofs_sync(&master, &replica);
    assert_eq!(dbsize(&replica), 320);
    let stats = master.client().info("stats").expect("INFO stats");
    assert_eq!(
        info_field_in(&stats, "sync_full"),
        Some("2"),
        "the comeback needed a full resync: {stats}"
    );
}

/// A hard limit smaller than `repl-backlog-size` counts as the backlog size: a replica that reconnects
/// behind by more than the limit (but within the backlog) continues with a partial resync and is not cut off.
fn hard_limit_below_backlog_size_does_not_cut_a_partial_resync(subject: &Subject) {
    let [master_port, replica_port] = free_ports::<2>();
    let master = subject.start(
        NodeConfig::new(master_port)
            .with("enable-debug-command", "yes")
            .with("repl-backlog-size", "8mb")
            .with("client-output-buffer-limit", "replica 512kb 0 0")
            .with("save", "\"\""),
    );
    let replica = subject.start(
        NodeConfig::new(replica_port)
            .replica_of(master_port)
            .with("save", "\"\""),
    );
    wait_for_sync(&replica);
    let value = "A".repeat(1024 * 1024);
    let mut client = master.client();
    client.cmd(&["MULTI"]);
    client.cmd(&["CLIENT", "KILL", "TYPE", "replica"]);
    client.cmd(&["SET", "key", &value]);
    client.cmd(&["SET", "key", &value]);
    // Time for the replica to reconnect while the master is busy, as in Redis's own test.
    client.cmd(&["DEBUG", "SLEEP", "2"]);
    client.cmd(&["EXEC"]);
    client.cmd(&["SET", "key", &value]);
    wait_for_ofs_sync(&master, &replica);
    let stats = master.client().info("stats").expect("INFO stats");
    assert_eq!(info_field_in(&stats, "sync_full"), Some("1"), "{stats}");
    assert_eq!(
        info_field_in(&stats, "sync_partial_ok"),
        Some("1"),
        "{stats}"
    );
}
