//! Named waits on `INFO replication`, mirroring Redis's own suite (`tests/support/util.tcl`).
//!
//! Each one polls with [`wait_until`] under [`DEFAULT_DEADLINE`] and panics on timeout with the last INFO
//! text it saw; the nodes' log tails follow as the panic unwinds through them.

use crate::client::info_field_in;
use crate::node::Node;
use crate::wait::{DEFAULT_DEADLINE, wait_until};

/// Waits until `replica` reports `master_link_status:up` (Redis's `wait_for_sync`).
#[track_caller]
pub fn wait_for_sync(replica: &Node) {
    wait_for_replication_field(replica, "master_link_status", "up");
}

/// Waits until `replica` reports `master_link_status:down`.
#[track_caller]
pub fn wait_for_link_down(replica: &Node) {
    wait_for_replication_field(replica, "master_link_status", "down");
}

/// Waits until `node`'s `INFO replication` has `field:expected`, e.g. `("connected_slaves", "1")`.
#[track_caller]
pub fn wait_for_replication_field(node: &Node, field: &str, expected: &str) {
    let what = format!(
        "{field}:{expected} in INFO replication of 127.0.0.1:{}",
        node.port()
    );
    wait_until(DEFAULT_DEADLINE, &what, || {
        let info = replication_info(node)?;
        match info_field_in(&info, field) {
            Some(value) if value == expected => Ok(()),
            _ => Err(info),
        }
    });
}

/// Waits until exactly `count` replicas are listed as `state=online` in `master`'s `INFO replication`
/// (Redis's `wait_replica_online`, for all replicas at once).
#[track_caller]
pub fn wait_replica_online(master: &Node, count: usize) {
    let what = format!(
        "{count} online replica(s) on master 127.0.0.1:{}",
        master.port()
    );
    wait_until(DEFAULT_DEADLINE, &what, || {
        let info = replication_info(master)?;
        let online = info
            .lines()
            .filter(|line| line.starts_with("slave") && line.contains(",state=online,"))
            .count();
        if online == count { Ok(()) } else { Err(info) }
    });
}

/// Waits until `master` and `replica` report the same `master_repl_offset` (Redis's `wait_for_ofs_sync`) and
/// returns that offset, so a test can assert on the value both agreed on rather than re-reading a moving one.
#[track_caller]
pub fn wait_for_ofs_sync(master: &Node, replica: &Node) -> u64 {
    let what = format!(
        "equal master_repl_offset on master 127.0.0.1:{} and replica 127.0.0.1:{}",
        master.port(),
        replica.port()
    );
    wait_until(DEFAULT_DEADLINE, &what, || {
        let master_offset = repl_offset(master)?;
        let replica_offset = repl_offset(replica)?;
        if master_offset == replica_offset {
            Ok(master_offset)
        } else {
            Err(format!(
                "master at {master_offset}, replica at {replica_offset}"
            ))
        }
    })
}

fn replication_info(node: &Node) -> Result<String, String> {
    node.try_info_replication()
        .map_err(|error| format!("INFO replication failed: {error}"))
}

fn repl_offset(node: &Node) -> Result<u64, String> {
    let info = replication_info(node)?;
    info_field_in(&info, "master_repl_offset")
        .and_then(|offset| offset.parse().ok())
        .ok_or_else(|| format!("no numeric master_repl_offset in: {info}"))
}
