//! `SHUTDOWN` with a lagging replica waits for it (up to `shutdown-timeout`): the waiting clients count as
//! `blocked_clients`, a second `SHUTDOWN` joins the first, and `SHUTDOWN ABORT` answers both with Redis's
//! error while the server goes on. Run against both servers.

use resp::Frame;
use testkit::{DEFAULT_DEADLINE, NodeConfig, free_ports, info_field_in, wait_for_sync, wait_until};

use crate::support::{Subject, on_both_servers, signal};

on_both_servers!(
    two_shutdowns_wait_for_a_lagging_replica_and_abort_together,
    a_replica_waiting_for_its_first_snapshot_does_not_hold_up_shutdown
);

/// A master with an empty history (offset 0) and a replica still receiving its first snapshot: the replica
/// has acknowledged offset 0, which is the master's, so `SHUTDOWN` does not wait for it (Redis compares the
/// offsets only), and the unfinished snapshot is abandoned.
fn a_replica_waiting_for_its_first_snapshot_does_not_hold_up_shutdown(subject: &Subject) {
    let [master_port, replica_port] = free_ports::<2>();
    let mut master = subject.start(
        NodeConfig::new(master_port)
            .with("shutdown-timeout", "600")
            .with("repl-diskless-sync-delay", "0")
            .with("enable-debug-command", "yes"),
    );
    assert_eq!(master.cmd(&["DEBUG", "POPULATE", "10"]), Frame::ok());
    // One second per key: the snapshot would take ten.
    assert_eq!(
        master.cmd(&["CONFIG", "SET", "rdb-key-save-delay", "1000000"]),
        Frame::ok()
    );
    let replica = subject.start(NodeConfig::new(replica_port).replica_of(master_port));
    wait_until(
        DEFAULT_DEADLINE,
        "the snapshot for the replica to start",
        || {
            let info = master
                .client()
                .info("persistence")
                .expect("INFO persistence");
            match info_field_in(&info, "rdb_bgsave_in_progress") {
                Some("1") => Ok(()),
                other => Err(format!("rdb_bgsave_in_progress {other:?}")),
            }
        },
    );
    let _ = master.try_cmd(&["SHUTDOWN", "NOSAVE"]);
    wait_until(DEFAULT_DEADLINE, "the master to exit", || {
        if master.is_running() {
            Err("still running".to_owned())
        } else {
            Ok(())
        }
    });
    testkit::wait_for_link_down(&replica);
}

fn two_shutdowns_wait_for_a_lagging_replica_and_abort_together(subject: &Subject) {
    let [master_port, replica_port] = free_ports::<2>();
    let master = subject.start(NodeConfig::new(master_port).with("shutdown-timeout", "60"));
    let replica = subject.start(NodeConfig::new(replica_port).replica_of(master_port));
    wait_for_sync(&replica);
    let replica_pid = replica.pid().expect("the replica runs");
    signal(replica_pid, "STOP");
    master.cmd(&["INCR", "k"]);
    let (mut first, mut second) = (master.client(), master.client());
    first.send(&["SHUTDOWN"]).expect("send SHUTDOWN");
    second.send(&["SHUTDOWN"]).expect("send SHUTDOWN");
    wait_until(DEFAULT_DEADLINE, "two clients blocked in SHUTDOWN", || {
        let info = master.client().info("clients").expect("INFO clients");
        match info_field_in(&info, "blocked_clients") {
            Some("2") => Ok(()),
            other => Err(format!("blocked_clients {other:?}")),
        }
    });
    assert_eq!(master.cmd(&["SHUTDOWN", "ABORT"]), Frame::ok());
    let expected = Frame::Error("ERR Errors trying to SHUTDOWN. Check logs.".into());
    assert_eq!(
        first.read_reply().expect("first SHUTDOWN's reply"),
        expected
    );
    assert_eq!(
        second.read_reply().expect("second SHUTDOWN's reply"),
        expected
    );
    signal(replica_pid, "CONT");
    assert_eq!(master.cmd(&["PING"]), Frame::Simple("PONG".into()));
    assert!(master.log().contains("Shutdown manually aborted"));
    let info = master.client().info("clients").expect("INFO clients");
    assert_eq!(info_field_in(&info, "blocked_clients"), Some("0"));
}
