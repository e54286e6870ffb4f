//! The append-only file: data written with `appendonly yes` survives `kill -9`, an AOF turned on at run time or
//! rewritten holds the same data, a cut-off tail is truncated (or refused), and the files are interchangeable
//! with redis-server's in both directions. Each scenario runs on both servers.

use std::path::Path;
use std::time::Duration;

use resp::Frame;
use testkit::{Dataset, Node, NodeConfig, free_port, free_ports, wait_for_sync, wait_until};

use crate::support::{Subject, get, on_both_servers, set};

on_both_servers!(
    writes_survive_kill_9,
    turned_on_at_run_time,
    rewrite_compacts_and_keeps_the_data,
    cut_off_tail_is_truncated_or_refused,
    crash_inside_a_unit_loads_without_its_half,
    shutdown_refused_while_the_first_rewrite_runs,
    replica_aof_holds_what_its_master_sent
);

/// A node with the AOF on and synced on every write, so `kill -9` may lose nothing acknowledged.
fn aof_config(port: u16) -> NodeConfig {
    NodeConfig::new(port)
        .with("appendonly", "yes")
        .with("appendfsync", "always")
}

/// Writes of every kind, in two databases, with a transaction and expiries.
fn write_mix(node: &Node, round: usize) {
    let mut client = node.client();
    for i in 0..50 {
        let key = format!("k{round}:{i}");
        expect_no_error(client.cmd(&["SET", &key, &format!("v{i}")]));
        expect_no_error(client.cmd(&["INCRBY", &format!("counter{round}"), &i.to_string()]));
        expect_no_error(client.cmd(&["RPUSH", &format!("list{round}"), &key]));
        expect_no_error(client.cmd(&["HSET", &format!("hash{round}"), &key, &i.to_string()]));
        expect_no_error(client.cmd(&["SADD", &format!("set{round}"), &key]));
        expect_no_error(client.cmd(&["ZADD", &format!("zset{round}"), &i.to_string(), &key]));
    }
    expect_no_error(client.cmd(&["EXPIRE", &format!("k{round}:0"), "1000"]));
    expect_no_error(client.cmd(&["DEL", &format!("k{round}:1")]));
    expect_no_error(client.cmd(&["SELECT", "3"]));
    expect_no_error(client.cmd(&["SET", &format!("db3:{round}"), "x"]));
    expect_no_error(client.cmd(&["MULTI"]));
    expect_no_error(client.cmd(&["LPUSH", &format!("txlist{round}"), "a", "b"]));
    expect_no_error(client.cmd(&["INCR", &format!("txcounter{round}")]));
    expect_no_error(client.cmd(&["EXEC"]));
    expect_no_error(client.cmd(&["SELECT", "0"]));
}

#[track_caller]
fn expect_no_error(reply: Frame) {
    if let Frame::Error(error) = reply {
        panic!("unexpected error: {}", String::from_utf8_lossy(&error));
    }
}

fn info(node: &Node, field: &str) -> String {
    node.info_field("persistence", field)
        .unwrap_or_else(|| panic!("INFO persistence has no {field}"))
}

/// Waits until no rewrite runs or is scheduled; returns `aof_enabled`.
fn wait_for_aof_rewrite(node: &Node) -> String {
    wait_until(Duration::from_secs(20), "the AOF rewrite to finish", || {
        let (enabled, running) = (
            info(node, "aof_enabled"),
            info(node, "aof_rewrite_in_progress"),
        );
        let scheduled = info(node, "aof_rewrite_scheduled");
        if running == "0" && scheduled == "0" {
            Ok(enabled)
        } else {
            Err(format!(
                "aof_enabled:{enabled} aof_rewrite_in_progress:{running}"
            ))
        }
    })
}

/// The files of the node's AOF directory, sorted.
fn aof_files(node: &Node) -> Vec<String> {
    aof_files_in(node.dir())
}

fn aof_files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir.join("appendonlydir"))
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|entry| entry.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

fn writes_survive_kill_9(subject: &Subject) {
    let mut node = subject.start(aof_config(free_port()));
    write_mix(&node, 1);
    let before = Dataset::dump(&node);
    node.kill();
    node.start_again();
    assert_eq!(Dataset::dump(&node), before);
    // And once more on top of the replayed files.
    write_mix(&node, 2);
    let before = Dataset::dump(&node);
    node.kill();
    node.start_again();
    assert_eq!(Dataset::dump(&node), before);
    assert_eq!(
        aof_files(&node),
        [
            "appendonly.aof.1.base.rdb",
            "appendonly.aof.1.incr.aof",
            "appendonly.aof.manifest"
        ]
    );
}

fn turned_on_at_run_time(subject: &Subject) {
    let mut node = subject.start(NodeConfig::new(free_port()).with("appendfsync", "always"));
    write_mix(&node, 1);
    assert_eq!(info(&node, "aof_enabled"), "0");
    assert_eq!(
        node.cmd(&["CONFIG", "SET", "appendonly", "yes"]),
        Frame::ok()
    );
    assert_eq!(info(&node, "aof_enabled"), "1");
    assert_eq!(wait_for_aof_rewrite(&node), "1");
    assert_eq!(info(&node, "aof_last_bgrewrite_status"), "ok");
    write_mix(&node, 2);
    let before = Dataset::dump(&node);
    node.kill();
    node.config_mut().set("appendonly", "yes");
    node.start_again();
    assert_eq!(Dataset::dump(&node), before);

    // Off again: writes stop reaching the AOF, which keeps what it had.
    assert_eq!(
        node.cmd(&["CONFIG", "SET", "appendonly", "no"]),
        Frame::ok()
    );
    assert_eq!(info(&node, "aof_enabled"), "0");
    set(&node, "after-off", "1");
    node.kill();
    node.start_again();
    assert_eq!(Dataset::dump(&node), before);
}

fn rewrite_compacts_and_keeps_the_data(subject: &Subject) {
    let mut node = subject.start(aof_config(free_port()));
    let mut client = node.client();
    for _ in 0..2000 {
        expect_no_error(client.cmd(&["INCR", "counter"]));
    }
    write_mix(&node, 1);
    let grown: u64 = info(&node, "aof_current_size").parse().unwrap();
    assert_eq!(
        node.cmd(&["BGREWRITEAOF"]),
        Frame::Simple("Background append only file rewriting started".into())
    );
    assert_eq!(wait_for_aof_rewrite(&node), "1");
    assert_eq!(info(&node, "aof_rewrites"), "1");
    let rewritten: u64 = info(&node, "aof_current_size").parse().unwrap();
    assert!(
        rewritten < grown / 2,
        "the rewrite should compact 2000 INCRs: {grown} -> {rewritten} bytes"
    );
    // The old base and increments are gone; writes go to the next increment.
    assert_eq!(
        aof_files(&node),
        [
            "appendonly.aof.2.base.rdb",
            "appendonly.aof.2.incr.aof",
            "appendonly.aof.manifest"
        ]
    );
    write_mix(&node, 2);
    let before = Dataset::dump(&node);
    node.kill();
    node.start_again();
    assert_eq!(Dataset::dump(&node), before);
    assert_eq!(get(&node, "counter").as_deref(), Some("2000"));
}

fn cut_off_tail_is_truncated_or_refused(subject: &Subject) {
    let mut node = subject.start(aof_config(free_port()));
    write_mix(&node, 1);
    let before = Dataset::dump(&node);
    node.kill();
    // A crash in the middle of writing a command leaves half of it.
    let incr = node.dir().join("appendonlydir/appendonly.aof.1.incr.aof");
    let mut bytes = std::fs::read(&incr).unwrap();
    let complete = bytes.len();
    bytes.extend_from_slice(b"*3\r\n$3\r\nSET\r\n$4\r\nhalf\r\n$5\r\nwri");
    std::fs::write(&incr, &bytes).unwrap();

    node.config_mut().set("aof-load-truncated", "no");
    let refused = node.try_start_again();
    assert!(
        refused.is_err(),
        "a cut-off AOF must not load with aof-load-truncated no"
    );
    assert!(
        node.log()
            .contains("Unexpected end of file reading the append only file"),
        "{}",
        node.log_tail(20)
    );

    node.config_mut().set("aof-load-truncated", "yes");
    node.start_again();
    assert_eq!(Dataset::dump(&node), before);
    assert!(
        node.log()
            .contains("!!! Truncating the AOF appendonly.aof.1.incr.aof at offset")
    );
    assert_eq!(std::fs::metadata(&incr).unwrap().len(), complete as u64);
}

/// Issue 9: a crash while a `MULTI`/`EXEC` unit was being written leaves any prefix of it in the file; at
/// every cut position the node loads the data as it was before the unit (the transaction's half is
/// reverted, never half applied) and then takes writes again.
fn crash_inside_a_unit_loads_without_its_half(subject: &Subject) {
    let mut node = subject.start(aof_config(free_port()));
    write_mix(&node, 1);
    let before = Dataset::dump(&node);
    node.kill();
    let incr = node.dir().join("appendonlydir/appendonly.aof.1.incr.aof");
    let complete = std::fs::read(&incr).unwrap();
    let mut unit = Vec::new();
    for command in [
        &["MULTI"][..],
        &["SET", "k1:2", "changed"],
        &["INCR", "counter1"],
        &["DEL", "list1"],
        &["EXEC"],
    ] {
        let args: Vec<bytes::Bytes> = command
            .iter()
            .map(|arg| bytes::Bytes::copy_from_slice(arg.as_bytes()))
            .collect();
        let mut encoded = bytes::BytesMut::new();
        resp::encode_command(&args, &mut encoded);
        unit.extend_from_slice(&encoded);
    }
    // Every cut before the unit's last byte: inside MULTI, between commands, inside a bulk string.
    for cut in (1..unit.len()).step_by(7).chain([unit.len() - 1]) {
        let mut bytes = complete.clone();
        bytes.extend_from_slice(&unit[..cut]);
        std::fs::write(&incr, &bytes).unwrap();
        node.start_again();
        assert_eq!(
            Dataset::dump(&node),
            before,
            "cut {cut} bytes into the unit: {}",
            node.log_tail(10)
        );
        expect_no_error(node.cmd(&["SET", "after", "crash"]));
        node.kill();
    }
}

fn shutdown_refused_while_the_first_rewrite_runs(subject: &Subject) {
    let mut node = subject.start(NodeConfig::new(free_port()));
    write_mix(&node, 1);
    // A very slow snapshot keeps the first rewrite running.
    assert_eq!(
        node.cmd(&["CONFIG", "SET", "rdb-key-save-delay", "1000000"]),
        Frame::ok()
    );
    assert_eq!(
        node.cmd(&["CONFIG", "SET", "appendonly", "yes"]),
        Frame::ok()
    );
    assert_eq!(info(&node, "aof_rewrite_in_progress"), "1");
    assert_eq!(
        node.cmd(&["SHUTDOWN", "NOSAVE"]),
        Frame::error("ERR Errors trying to SHUTDOWN. Check logs.")
    );
    assert!(node.log().contains("Writing initial AOF, can't exit."));
    set(&node, "still", "serving");
    // FORCE exits anyway, abandoning the rewrite.
    let _ = node.try_cmd(&["SHUTDOWN", "NOSAVE", "FORCE"]);
    wait_until(Duration::from_secs(10), "the server to exit", || {
        if node.is_running() {
            Err("still running".to_owned())
        } else {
            Ok(())
        }
    });
    assert!(node.log().contains("Writing initial AOF. Exit anyway."));
}

fn replica_aof_holds_what_its_master_sent(subject: &Subject) {
    let [master_port, replica_port] = free_ports::<2>();
    let master = subject.start(NodeConfig::new(master_port));
    write_mix(&master, 1);
    let mut replica = subject.start(aof_config(replica_port).replica_of(master_port));
    wait_for_sync(&replica);
    // The full sync replaced the replica's data: its AOF starts over from a rewrite of it.
    assert_eq!(wait_for_aof_rewrite(&replica), "1");
    write_mix(&master, 2);
    testkit::wait_for_ofs_sync(&master, &replica);
    let expected = Dataset::dump(&master);
    assert_eq!(Dataset::dump(&replica), expected);
    replica.kill();
    // Back without `replicaof`: a master with the data of its AOF.
    replica.config_mut().remove("replicaof");
    replica.start_again();
    assert_eq!(Dataset::dump(&replica), expected);
}

/// An AOF written by rserver loads in redis-server, which appends and rewrites; rserver then loads that.
#[test]
fn aof_files_move_between_rserver_and_redis_server() {
    let redis_server = testkit::require_redis!();
    let rserver = Subject::rserver();
    let mut ours = rserver.start(aof_config(free_port()));
    write_mix(&ours, 1);
    expect_no_error(ours.cmd(&["BGREWRITEAOF"]));
    assert_eq!(wait_for_aof_rewrite(&ours), "1");
    write_mix(&ours, 2);
    let written = Dataset::dump(&ours);
    ours.shutdown(testkit::Shutdown::NoSave);

    let dir = ours.dir().to_path_buf();
    let mut redis = Node::try_start_in(&redis_server, dir.clone(), aof_config(free_port()))
        .unwrap_or_else(|error| panic!("redis-server on rserver's AOF: {error}"));
    assert_eq!(
        Dataset::dump(&redis),
        written,
        "redis-server loading rserver's AOF"
    );
    write_mix(&redis, 3);
    expect_no_error(redis.cmd(&["BGREWRITEAOF"]));
    assert_eq!(wait_for_aof_rewrite(&redis), "1");
    write_mix(&redis, 4);
    let written = Dataset::dump(&redis);
    redis.shutdown(testkit::Shutdown::NoSave);

    ours.start_again();
    assert_eq!(
        Dataset::dump(&ours),
        written,
        "rserver loading redis-server's AOF"
    );
    assert_eq!(
        aof_files_in(&dir),
        [
            "appendonly.aof.3.base.rdb",
            "appendonly.aof.3.incr.aof",
            "appendonly.aof.manifest"
        ]
    );
}
