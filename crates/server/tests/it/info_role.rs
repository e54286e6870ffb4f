//! Snapshots of `INFO replication` and ROLE in the states an operator sees most (reference `replication.md`
//! §8-§9), with the shared testkit filters; relations the filters mask are asserted beside each snapshot.
//!
//! Both servers assert against the *same* snapshot files: the `redis` run pins Redis's format, the `rserver`
//! run must match it.

use resp::Frame;
use testkit::{
    DEFAULT_DEADLINE, NodeConfig, free_port, free_ports, info_field_in, replication_filters,
    wait_for_link_down, wait_for_ofs_sync, wait_for_sync, wait_replica_online, wait_until,
};

use crate::support::{Subject, assert_crlf_lines, format_like_redis_cli, on_both_servers, set};

on_both_servers!(
    fresh_master,
    master_with_two_replicas,
    replica_with_master_down,
    replica_never_connected,
    promoted_replica
);

fn fresh_master(subject: &Subject) {
    let master = subject.start(NodeConfig::new(free_port()));
    let info = master.info_replication();
    assert_crlf_lines(&info);
    for zero_field in [
        "master_repl_offset",
        "repl_backlog_first_byte_offset",
        "repl_backlog_histlen",
    ] {
        assert_eq!(
            info_field_in(&info, zero_field),
            Some("0"),
            "{zero_field} of a fresh master"
        );
    }
    let role = master.cmd(&["ROLE"]);
    assert_eq!(
        role,
        Frame::Array(vec![
            Frame::bulk("master"),
            Frame::Integer(0),
            Frame::Array(vec![])
        ])
    );
    assert_replication_snapshot("info_fresh_master", &info);
    assert_replication_snapshot("role_fresh_master", &format_like_redis_cli(&role));
}

fn master_with_two_replicas(subject: &Subject) {
    let [master_port, replica1_port, replica2_port] = free_ports::<3>();
    let master = subject.start(NodeConfig::new(master_port));
    let replicas = [replica1_port, replica2_port]
        .map(|port| subject.start(NodeConfig::new(port).replica_of(master_port)));
    let mut replica_ports = [replica1_port, replica2_port];
    replica_ports.sort();
    wait_replica_online(&master, 2);
    set(&master, "k", "v");
    for replica in &replicas {
        wait_for_sync(replica);
        wait_for_ofs_sync(&master, replica);
    }

    // The master's view once both replicas have acknowledged everything: listed ports are the replicas' ports
    // and every acknowledged offset is the master's offset.
    let info = wait_until(DEFAULT_DEADLINE, "both replicas acked in INFO", || {
        let info = master.info_replication();
        let offset = info_field_in(&info, "master_repl_offset")
            .unwrap_or("?")
            .to_string();
        let mut acked_ports: Vec<u16> = info
            .lines()
            .filter(|line| line.starts_with("slave") && line.contains(",state=online,"))
            .filter(|line| line.contains(&format!(",offset={offset},")))
            .filter_map(|line| line.split(",port=").nth(1)?.split(',').next()?.parse().ok())
            .collect();
        acked_ports.sort();
        if acked_ports == replica_ports {
            Ok(info)
        } else {
            Err(info)
        }
    });
    assert_crlf_lines(&info);
    assert_replication_snapshot("info_master_two_replicas", &info);

    let role = wait_until(DEFAULT_DEADLINE, "both replicas acked in ROLE", || {
        let role = master.cmd(&["ROLE"]);
        let acked = master_role_acked(&role);
        if acked == replica_ports {
            Ok(role)
        } else {
            Err(format!("{role:?}"))
        }
    });
    assert_replication_snapshot("role_master_two_replicas", &format_like_redis_cli(&role));

    let replica = &replicas[0];
    let offset = wait_for_ofs_sync(&master, replica);
    let info = replica.info_replication();
    assert_crlf_lines(&info);
    assert_eq!(
        info_field_in(&info, "master_port"),
        Some(master_port.to_string().as_str())
    );
    assert_eq!(
        info_field_in(&info, "slave_repl_offset"),
        Some(offset.to_string().as_str())
    );
    assert_eq!(
        info_field_in(&info, "master_repl_offset"),
        Some(offset.to_string().as_str())
    );
    assert_eq!(
        info_field_in(&info, "master_replid"),
        info_field_in(&master.info_replication(), "master_replid")
    );
    assert_replication_snapshot("info_replica_connected", &info);

    let role = replica.cmd(&["ROLE"]);
    assert_replica_role(&role, master_port, "connected", offset as i64);
    assert_replication_snapshot("role_replica_connected", &format_like_redis_cli(&role));
}

fn replica_with_master_down(subject: &Subject) {
    let [master_port, replica_port] = free_ports::<2>();
    let mut master = subject.start(NodeConfig::new(master_port));
    let replica = subject.start(NodeConfig::new(replica_port).replica_of(master_port));
    wait_for_sync(&replica);
    set(&master, "k", "v");
    let offset = wait_for_ofs_sync(&master, &replica);
    master.kill();
    wait_for_link_down(&replica);

    let info = replica.info_replication();
    assert_crlf_lines(&info);
    assert_eq!(
        info_field_in(&info, "master_repl_offset"),
        Some(offset.to_string().as_str())
    );
    assert_eq!(
        info_field_in(&info, "slave_repl_offset"),
        Some(offset.to_string().as_str())
    );
    assert_replication_snapshot("info_replica_master_down", &info);

    // Between reconnect attempts the state is `connect`; a refused attempt passes through `connecting` briefly.
    let role = wait_until(DEFAULT_DEADLINE, "replica ROLE in state connect", || {
        let role = replica.cmd(&["ROLE"]);
        match &role {
            Frame::Array(items) if items.get(3) == Some(&Frame::bulk("connect")) => Ok(role),
            _ => Err(format!("{role:?}")),
        }
    });
    assert_replica_role(&role, master_port, "connect", -1);
    assert_replication_snapshot("role_replica_master_down", &format_like_redis_cli(&role));
}

fn replica_never_connected(subject: &Subject) {
    let [nobody_port, replica_port] = free_ports::<2>();
    let replica = subject.start(NodeConfig::new(replica_port).replica_of(nobody_port));
    // Past at least one refused attempt, the state settles on `connect` between attempts.
    let role = wait_until(DEFAULT_DEADLINE, "replica ROLE in state connect", || {
        let role = replica.cmd(&["ROLE"]);
        match &role {
            Frame::Array(items) if items.get(3) == Some(&Frame::bulk("connect")) => Ok(role),
            _ => Err(format!("{role:?}")),
        }
    });
    assert_replica_role(&role, nobody_port, "connect", -1);
    let info = replica.info_replication();
    assert_crlf_lines(&info);
    // Never up: -1, and with no master nor cached master the offsets read 1, as Redis prints them.
    assert_eq!(
        info_field_in(&info, "master_link_down_since_seconds"),
        Some("-1")
    );
    assert_eq!(info_field_in(&info, "slave_repl_offset"), Some("1"));
    assert_eq!(info_field_in(&info, "repl_backlog_active"), Some("0"));
    assert_replication_snapshot("info_replica_never_connected", &info);
}

fn promoted_replica(subject: &Subject) {
    let [master_port, replica_port] = free_ports::<2>();
    let mut master = subject.start(NodeConfig::new(master_port));
    let replica = subject.start(NodeConfig::new(replica_port).replica_of(master_port));
    wait_for_sync(&replica);
    set(&master, "k", "v");
    let offset = wait_for_ofs_sync(&master, &replica);
    let old_replid = info_field_in(&master.info_replication(), "master_replid")
        .expect("master_replid")
        .to_owned();
    master.kill();
    wait_for_link_down(&replica);
    assert_eq!(replica.cmd(&["REPLICAOF", "NO", "ONE"]), Frame::ok());

    let info = replica.info_replication();
    assert_crlf_lines(&info);
    assert_eq!(info_field_in(&info, "role"), Some("master"));
    assert_eq!(
        info_field_in(&info, "master_replid2"),
        Some(old_replid.as_str())
    );
    assert_ne!(
        info_field_in(&info, "master_replid"),
        Some(old_replid.as_str())
    );
    assert_eq!(
        info_field_in(&info, "second_repl_offset"),
        Some((offset + 1).to_string().as_str())
    );
    assert_eq!(
        info_field_in(&info, "master_repl_offset"),
        Some(offset.to_string().as_str())
    );
    assert_replication_snapshot("info_promoted_replica", &info);
    set(&replica, "after", "promotion");
    let role = replica.cmd(&["ROLE"]);
    assert_replication_snapshot("role_promoted_replica", &format_like_redis_cli(&role));
}

/// A text snapshot with the shared replication filters.
fn assert_replication_snapshot(name: &str, text: &str) {
    insta::with_settings!({ filters => replication_filters() }, {
        insta::assert_snapshot!(name, text);
    });
}

/// Ports of the replicas listed in a master's ROLE reply whose acknowledged offset equals the master offset,
/// sorted. Checks the shape on the way: port and offset are bulk strings, the master offset an integer.
fn master_role_acked(role: &Frame) -> Vec<u16> {
    let Frame::Array(items) = role else {
        panic!("ROLE is not an array: {role:?}")
    };
    let [
        Frame::Bulk(kind),
        Frame::Integer(master_offset),
        Frame::Array(replicas),
    ] = items.as_slice()
    else {
        panic!("master ROLE has the wrong shape: {role:?}")
    };
    assert_eq!(kind.as_ref(), b"master");
    let mut acked: Vec<u16> = replicas
        .iter()
        .filter_map(|replica| {
            let Frame::Array(fields) = replica else {
                panic!("ROLE replica entry is not an array: {replica:?}")
            };
            let [Frame::Bulk(ip), Frame::Bulk(port), Frame::Bulk(offset)] = fields.as_slice()
            else {
                panic!("ROLE replica entry has the wrong shape: {replica:?}")
            };
            assert_eq!(ip.as_ref(), b"127.0.0.1");
            let offset: i64 = std::str::from_utf8(offset).ok()?.parse().ok()?;
            (offset == *master_offset).then(|| std::str::from_utf8(port).ok()?.parse().ok())?
        })
        .collect();
    acked.sort();
    acked
}

/// Asserts a replica's ROLE reply: `slave`, master ip, master port (integer), state, offset (integer).
fn assert_replica_role(role: &Frame, master_port: u16, state: &str, offset: i64) {
    assert_eq!(
        role,
        &Frame::Array(vec![
            Frame::bulk("slave"),
            Frame::bulk("127.0.0.1"),
            Frame::Integer(i64::from(master_port)),
            Frame::bulk(state.to_string()),
            Frame::Integer(offset),
        ])
    );
}

/// A plain `INFO` has Redis 7.0's sections in Redis's order, `# Modules` (empty) and `# Cluster`
/// (`cluster_enabled:0`, which tools such as redis-py's test harness read) among them.
#[test]
fn info_sections_are_redis_own() {
    let redis_server = testkit::require_redis!();
    let headers = |subject: &Subject, section: Option<&str>| -> Vec<String> {
        let node = subject.start(NodeConfig::new(free_port()).with("save", "\"\""));
        let reply = match section {
            Some(section) => node.cmd(&["INFO", section]),
            None => node.cmd(&["INFO"]),
        };
        let Frame::Bulk(text) = reply else {
            panic!("INFO answers a bulk string")
        };
        String::from_utf8_lossy(&text)
            .lines()
            .filter(|line| line.starts_with('#') || section == Some("cluster"))
            .map(str::to_owned)
            .collect()
    };
    let ours = Subject::rserver();
    let real = Subject::redis(redis_server);
    assert_eq!(headers(&ours, None), headers(&real, None));
    assert_eq!(
        headers(&ours, Some("cluster")),
        headers(&real, Some("cluster"))
    );
    assert_eq!(
        headers(&ours, Some("modules")),
        headers(&real, Some("modules"))
    );
}
