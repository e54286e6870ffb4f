//! Proof that replication survives faults (issue 4): a link broken at seeded random byte positions of the stream
//! (also inside snapshot transfers), a replica killed with `SIGKILL` during a full sync, a replica promoted with
//! two siblings re-pointed at it, a master restarted from its RDB, a link that stalls past `repl-timeout`, and
//! links cut inside multi-command units (`MULTI`/`EXEC`, scripts), also with a chained replica behind.
//!
//! Every scenario ends the same way: offsets equal ([`wait_for_ofs_sync`]), then the data sets are compared key
//! by key ([`testkit::assert_same_data`]), and the master's `sync_full` / `sync_partial_ok` counters say whether
//! a failure was repaired with the cheap partial resync Redis uses. Each runs against `rserver` and against the
//! real `redis-server`, which validates the expectations.
//!
//! The submodule [`load`] (a seeded write load) is shared with `real_peers`; the data-set comparison
//! ([`testkit::Dataset`]) and the PRNG ([`testkit::Rng`]) live in the test kit.

pub(crate) mod load;

use std::fs;
use std::time::Duration;

use resp::Frame;
use testkit::{
    DEFAULT_DEADLINE, Dataset, Direction, Node, NodeConfig, Proxy, Rng, Shutdown,
    assert_equal_datasets, assert_same_data, free_ports, info_field_in, wait_for_link_down,
    wait_for_ofs_sync, wait_for_replication_field, wait_for_sync, wait_replica_online, wait_until,
};

use crate::support::{Subject, on_both_servers, replication_field};
use load::{ExtraTypes, Load};

on_both_servers!(
    link_cut_at_random_byte_positions,
    replica_killed_during_full_sync,
    promoted_replica_continues_its_siblings,
    restarted_master_continues_its_replicas,
    stalled_link_times_out_then_continues,
    link_cut_inside_units_resumes_at_their_start,
);

/// Links cut inside the transfer of the initial snapshot (the replica has nothing yet: each retry is a full sync).
const SNAPSHOT_CUTS: usize = 4;

/// Links cut in the command stream (each must be repaired by a partial resync).
const STREAM_CUTS: usize = 16;

/// A node for these scenarios: no save points (saving is asked for explicitly), DEBUG enabled.
pub(crate) fn node_config(port: u16) -> NodeConfig {
    NodeConfig::new(port)
        .with("save", "\"\"")
        .with("enable-debug-command", "yes")
}

/// A counter of `INFO stats` (`sync_full`, `sync_partial_ok`, ...).
#[track_caller]
pub(crate) fn stat(node: &Node, field: &str) -> u64 {
    let stats = node
        .client()
        .info("stats")
        .unwrap_or_else(|error| panic!("INFO stats on 127.0.0.1:{}: {error}", node.port()));
    info_field_in(&stats, field)
        .and_then(|value| value.parse().ok())
        .unwrap_or_else(|| panic!("no numeric {field} in INFO stats: {stats}"))
}

/// The master's full and partial resync counters, for before/after comparisons.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SyncCounts {
    /// `sync_full`.
    pub full: u64,
    /// `sync_partial_ok`.
    pub partial_ok: u64,
}

impl SyncCounts {
    /// Reads both counters of `master`.
    #[track_caller]
    pub(crate) fn of(master: &Node) -> SyncCounts {
        SyncCounts {
            full: stat(master, "sync_full"),
            partial_ok: stat(master, "sync_partial_ok"),
        }
    }
}

/// Arms `proxy.cut_after(direction, position)` on an idle, caught-up link and makes it fire: for
/// [`Direction::FromTarget`] writes the load to `master` until its stream has grown past `position` (no further:
/// the proxy may lag behind the master, and writing on would only push the replica out of the backlog); the
/// replica's ACKs feed [`Direction::ToTarget`] on their own. Then waits for the replica to come back through
/// the proxy, writes a little more, and waits until the replica has caught up.
#[track_caller]
pub(crate) fn cut_at_and_resync(
    load: &mut Load,
    master: &Node,
    replica: &Node,
    proxy: &Proxy,
    direction: Direction,
    position: u64,
) {
    let (cuts_before, connections_before) = (proxy.cuts(), proxy.connections());
    let mut client = master.client();
    let start = master_offset(master);
    proxy.cut_after(direction, position);
    if direction == Direction::FromTarget {
        while master_offset(master) <= start + position {
            load.run(&mut client, 8);
        }
    }
    wait_until(
        DEFAULT_DEADLINE,
        "the proxy to cut the link",
        || match proxy.cuts() {
            cuts if cuts > cuts_before => Ok(()),
            cuts => Err(format!(
                "{cuts} cuts; {} bytes forwarded to the replica, {} from it",
                proxy.forwarded(Direction::FromTarget),
                proxy.forwarded(Direction::ToTarget)
            )),
        },
    );
    wait_until(
        DEFAULT_DEADLINE,
        "the replica to reconnect through the proxy",
        || match proxy.connections() {
            connections if connections > connections_before => Ok(()),
            connections => Err(format!("{connections} connections")),
        },
    );
    load.run(&mut client, 20);
    wait_for_sync(replica);
    wait_for_ofs_sync(master, replica);
}

/// `master_repl_offset` of `node`.
#[track_caller]
pub(crate) fn master_offset(node: &Node) -> u64 {
    let offset = replication_field(node, "master_repl_offset");
    offset
        .parse()
        .unwrap_or_else(|_| panic!("master_repl_offset {offset:?}"))
}

/// The master-to-replica link breaks at 20 seeded byte positions: 4 inside successive snapshot transfers (the
/// replica retries full syncs), then 16 in the command stream (inside headers, inside big binary values, between
/// commands), 2 of them in the replica's ACK stream. After every repair the data sets are equal, and every
/// stream cut was repaired by a partial resync.
fn link_cut_at_random_byte_positions(subject: &Subject) {
    let mut rng = Rng::new(0x00c0_ffee_d00d_2024);
    let [master_port, replica_port] = free_ports::<2>();
    let master = subject.start(node_config(master_port));
    let mut load = Load::new(1).with_types(ExtraTypes::supported_by(&[&master]));
    load.run_on(&master, 600);

    // The snapshot's size, to aim the first cuts inside its transfer.
    assert_eq!(master.cmd(&["SAVE"]), Frame::ok());
    let snapshot_size = fs::metadata(master.dir().join("dump.rdb"))
        .expect("the master's dump.rdb")
        .len();
    assert!(
        snapshot_size > 100_000,
        "snapshot of {snapshot_size} bytes is too small"
    );

    let proxy = Proxy::start(master_port);
    let snapshot_positions: Vec<u64> = (0..SNAPSHOT_CUTS)
        .map(|_| rng.range(1, snapshot_size))
        .collect();
    for &position in &snapshot_positions {
        proxy.cut_after(Direction::FromTarget, position);
    }
    let replica = subject.start(node_config(replica_port).replica_of(proxy.port()));
    wait_until(
        DEFAULT_DEADLINE * 2,
        "every snapshot cut to fire",
        || match proxy.pending_cuts(Direction::FromTarget) {
            0 => Ok(()),
            pending => Err(format!(
                "{pending} pending of {snapshot_positions:?}; {} connections",
                proxy.connections()
            )),
        },
    );
    wait_for_sync(&replica);
    wait_for_ofs_sync(&master, &replica);
    assert_same_data(
        &master,
        &replica,
        &format!("after snapshot transfers cut at {snapshot_positions:?}"),
    );
    assert!(
        stat(&master, "sync_full") >= 1,
        "the replica was fed by full syncs"
    );

    let before = SyncCounts::of(&master);
    for cut in 0..STREAM_CUTS {
        let (direction, position) = match cut % 8 {
            7 => (Direction::ToTarget, rng.range(1, 120)),
            0 | 4 => (Direction::FromTarget, rng.range(0, 64)),
            1 | 5 => (Direction::FromTarget, rng.range(64, 4_096)),
            2 | 6 => (Direction::FromTarget, rng.range(4_096, 65_536)),
            _ => (Direction::FromTarget, rng.range(65_536, 300_000)),
        };
        cut_at_and_resync(&mut load, &master, &replica, &proxy, direction, position);
        assert_same_data(
            &master,
            &replica,
            &format!("after stream cut {cut}: {direction:?} at byte {position}"),
        );
    }
    let after = SyncCounts::of(&master);
    assert_eq!(
        after,
        SyncCounts {
            full: before.full,
            partial_ok: before.partial_ok + STREAM_CUTS as u64
        },
        "every stream cut is repaired by a partial resync"
    );
}

/// A replica is killed with `SIGKILL` while a full sync of 200k keys is in flight (held mid-transfer by the
/// proxy); the master keeps serving clients, the replica restarts, syncs again and ends with the master's data.
fn replica_killed_during_full_sync(subject: &Subject) {
    let [master_port, replica_port] = free_ports::<2>();
    let master = subject.start(node_config(master_port));
    assert_eq!(
        master.cmd(&["DEBUG", "POPULATE", "200000", "key", "64"]),
        Frame::ok()
    );
    let mut load = Load::new(2).with_types(ExtraTypes::supported_by(&[&master]));
    load.run_on(&master, 200);

    let proxy = Proxy::start(master_port);
    // A slow link (each 16 KB chunk held 20 ms) so the transfer of several MB is surely in flight when the
    // proxy is paused.
    proxy.delay(Duration::from_millis(20));
    let mut replica = subject.start(node_config(replica_port).replica_of(proxy.port()));
    wait_until(
        DEFAULT_DEADLINE,
        "the snapshot transfer to be under way",
        || match proxy.forwarded(Direction::FromTarget) {
            bytes if bytes > 200_000 => Ok(()),
            bytes => Err(format!("{bytes} bytes forwarded")),
        },
    );
    proxy.pause();
    assert_eq!(
        replication_field(&replica, "master_sync_in_progress"),
        "1",
        "the replica is receiving the snapshot: {}",
        replica.info_replication()
    );
    // While the transfer is stalled the master answers its clients.
    load.run_on(&master, 200);
    assert_eq!(master.cmd(&["PING"]), Frame::Simple("PONG".into()));

    replica.kill();
    load.run_on(&master, 200);
    proxy.delay(Duration::ZERO);
    proxy.resume();
    wait_for_replication_field(&master, "connected_slaves", "0");
    load.run_on(&master, 200);

    replica.start_again();
    wait_for_sync(&replica);
    load.run_on(&master, 200);
    wait_for_ofs_sync(&master, &replica);
    let data = assert_same_data(&master, &replica, "after the killed replica restarted");
    assert!(data.len() >= 200_000, "{} keys", data.len());
    assert_eq!(master.cmd(&["PING"]), Frame::Simple("PONG".into()));
}

/// M with replicas R1, R2, R3; M stops; R1 is promoted (`REPLICAOF NO ONE`), R2 and R3 are re-pointed at it and
/// both continue with a partial resync (`+CONTINUE`): R1 counts `sync_partial_ok:2`, `sync_full:0`. Writes on R1
/// then reach R2 and R3.
fn promoted_replica_continues_its_siblings(subject: &Subject) {
    promotion_with_siblings(subject, subject, subject);
}

/// [`promoted_replica_continues_its_siblings`] with the master, the promoted replica and the two siblings
/// possibly of different implementations (`real_peers` mixes them).
pub(crate) fn promotion_with_siblings(
    master_subject: &Subject,
    promoted_subject: &Subject,
    sibling_subject: &Subject,
) {
    let [master_port, port1, port2, port3] = free_ports::<4>();
    let mut master = master_subject.start(node_config(master_port));
    let replicas: Vec<Node> = [
        (promoted_subject, port1),
        (sibling_subject, port2),
        (sibling_subject, port3),
    ]
    .into_iter()
    .map(|(subject, port)| subject.start(node_config(port).replica_of(master_port)))
    .collect();
    wait_replica_online(&master, 3);
    let nodes: Vec<&Node> = std::iter::once(&master).chain(&replicas).collect();
    let mut load = Load::new(3).with_types(ExtraTypes::supported_by(&nodes));
    load.run_on(&master, 400);
    for replica in &replicas {
        wait_for_ofs_sync(&master, replica);
    }
    let master_data = Dataset::dump(&master);

    master.stop();
    let offsets: Vec<String> = replicas
        .iter()
        .map(|replica| replication_field(replica, "master_repl_offset"))
        .collect();
    assert!(
        offsets.iter().all(|offset| *offset == offsets[0]),
        "the replicas got the same stream before the master stopped: {offsets:?}"
    );
    let [promoted, sibling1, sibling2] = [&replicas[0], &replicas[1], &replicas[2]];
    assert_eq!(promoted.cmd(&["REPLICAOF", "NO", "ONE"]), Frame::ok());
    assert_eq!(replication_field(promoted, "role"), "master");
    for sibling in [sibling1, sibling2] {
        assert_eq!(
            sibling.cmd(&["REPLICAOF", "127.0.0.1", &promoted.port().to_string()]),
            Frame::ok()
        );
    }
    for sibling in [sibling1, sibling2] {
        wait_for_sync(sibling);
        wait_for_ofs_sync(promoted, sibling);
    }
    wait_replica_online(promoted, 2);
    assert_eq!(
        SyncCounts::of(promoted),
        SyncCounts {
            full: 0,
            partial_ok: 2
        },
        "both siblings continue from the promoted replica with +CONTINUE"
    );
    for node in [promoted, sibling1, sibling2] {
        assert_equal_datasets(
            &master_data,
            &master,
            &Dataset::dump(node),
            node,
            "the old master's data",
        );
    }

    load.run_on(promoted, 300);
    for sibling in [sibling1, sibling2] {
        wait_for_ofs_sync(promoted, sibling);
        assert_same_data(promoted, sibling, "after writes on the promoted replica");
    }
    assert_eq!(SyncCounts::of(promoted).full, 0);
}

/// A master with two replicas is shut down with a save and restarted: it loads its RDB (with the replication id
/// and offset) and both replicas continue with `+CONTINUE`: on the restarted master `sync_partial_ok:2`,
/// `sync_full:0`. Later writes reach both.
fn restarted_master_continues_its_replicas(subject: &Subject) {
    let [master_port, port1, port2] = free_ports::<3>();
    let mut master = subject.start(node_config(master_port));
    let replicas: Vec<Node> = [port1, port2]
        .into_iter()
        .map(|port| subject.start(node_config(port).replica_of(master_port)))
        .collect();
    wait_replica_online(&master, 2);
    let mut load = Load::new(4).with_types(ExtraTypes::supported_by(&[&master]));
    load.run_on(&master, 400);
    for replica in &replicas {
        wait_for_ofs_sync(&master, replica);
    }

    master.shutdown(Shutdown::Save);
    master.start_again();
    for replica in &replicas {
        wait_for_sync(replica);
    }
    wait_replica_online(&master, 2);
    assert_eq!(
        SyncCounts::of(&master),
        SyncCounts {
            full: 0,
            partial_ok: 2
        },
        "the replicas continue from the restarted master with +CONTINUE"
    );
    load.run_on(&master, 300);
    for replica in &replicas {
        wait_for_ofs_sync(&master, replica);
        assert_same_data(&master, replica, "after the master's restart");
    }
}

/// The link stalls (the proxy holds everything) for longer than `repl-timeout` while the master keeps writing:
/// both sides give up on the silent link, and once the path works again the replica continues with a partial
/// resync and ends with the master's data.
fn stalled_link_times_out_then_continues(subject: &Subject) {
    let [master_port, replica_port] = free_ports::<2>();
    // repl-timeout must exceed the PING period (reference §14), or an idle link times out by itself.
    let timeouts = |config: NodeConfig| {
        config
            .with("repl-timeout", "3")
            .with("repl-ping-replica-period", "1")
    };
    let master = subject.start(timeouts(node_config(master_port)));
    let proxy = Proxy::start(master_port);
    let replica = subject.start(timeouts(node_config(replica_port)).replica_of(proxy.port()));
    let mut load = Load::new(5).with_types(ExtraTypes::supported_by(&[&master, &replica]));
    load.run_on(&master, 300);
    wait_for_sync(&replica);
    wait_for_ofs_sync(&master, &replica);
    let before = SyncCounts::of(&master);

    proxy.pause();
    load.run_on(&master, 200);
    wait_for_link_down(&replica);
    wait_for_replication_field(&master, "connected_slaves", "0");
    load.run_on(&master, 100);
    proxy.resume();

    wait_for_sync(&replica);
    load.run_on(&master, 100);
    wait_for_ofs_sync(&master, &replica);
    assert_same_data(&master, &replica, "after the stalled link recovered");
    assert_eq!(
        SyncCounts::of(&master),
        SyncCounts {
            full: before.full,
            partial_ok: before.partial_ok + 1
        },
        "the stalled link is repaired by a partial resync"
    );
}

/// Issue 9, defect 2: a link cut inside a `MULTI`/`EXEC` unit (a transaction, a script's writes) made the
/// replica count the half it had received as applied, ask PSYNC from inside the unit, get `EXEC without
/// MULTI` and end at the master's offset with different data. Each round arms a cut a few bytes further
/// into the next unit; after the partial resync the replica and its own replica must hold exactly the
/// master's data, with no error sent back to a master.
fn link_cut_inside_units_resumes_at_their_start(subject: &Subject) {
    let [master_port, replica_port, chained_port] = free_ports::<3>();
    let master = subject.start(node_config(master_port));
    let proxy = Proxy::start(master_port);
    let replica = subject.start(node_config(replica_port).replica_of(proxy.port()));
    let chained = subject.start(node_config(chained_port).replica_of(replica_port));
    wait_for_sync(&replica);
    wait_for_sync(&chained);
    let mut client = master.client();
    client.cmd(&["SET", "counter", "0"]);
    wait_for_ofs_sync(&master, &replica);
    // A unit is about 150 bytes on the wire; cut at positions spread over it (and once just past it).
    for (round, position) in [1u64, 9, 23, 40, 58, 77, 96, 121, 160]
        .into_iter()
        .enumerate()
    {
        let cuts_before = proxy.cuts();
        proxy.cut_after(Direction::FromTarget, position);
        let round = round.to_string();
        if position % 2 == 1 {
            client.cmd(&["MULTI"]);
            client.cmd(&["SET", &format!("tx:{round}"), &round]);
            client.cmd(&["INCR", "counter"]);
            client.cmd(&["RPUSH", "rounds", &round]);
            assert!(matches!(client.cmd(&["EXEC"]), Frame::Array(_)));
        } else {
            client.cmd(&[
                "EVAL",
                "redis.call('set', KEYS[1], ARGV[1]) redis.call('incr', KEYS[2]) redis.call('rpush', KEYS[3], ARGV[1])",
                "3",
                &format!("script:{round}"),
                "counter",
                "rounds",
                &round,
            ]);
        }
        // Whatever follows the unit, so a cut armed past it fires too.
        while proxy.cuts() == cuts_before {
            client.cmd(&["INCR", "after"]);
            assert!(proxy.pending_cuts(Direction::FromTarget) <= 1);
            if proxy.pending_cuts(Direction::FromTarget) == 0 {
                break;
            }
        }
        wait_until(
            DEFAULT_DEADLINE,
            "the proxy to cut the link",
            || match proxy.cuts() {
                cuts if cuts > cuts_before => Ok(()),
                cuts => Err(format!("{cuts} cuts")),
            },
        );
        wait_for_sync(&replica);
        wait_for_ofs_sync(&master, &replica);
        wait_for_ofs_sync(&replica, &chained);
        let context = format!("after a cut {position} bytes into unit {round}");
        assert_same_data(&master, &replica, &context);
        assert_same_data(&master, &chained, &context);
        for node in [&replica, &chained] {
            assert_eq!(
                node.cmd(&["DEBUG", "DIGEST"]),
                master.cmd(&["DEBUG", "DIGEST"]),
                "{context}: digest of 127.0.0.1:{}",
                node.port()
            );
            let log = node.log();
            assert!(
                !log.contains("CRITICAL"),
                "{context}: 127.0.0.1:{} logged:\n{}",
                node.port(),
                node.log_tail(30)
            );
        }
    }
    assert_eq!(
        master.cmd(&["GET", "counter"]),
        Frame::Bulk("9".into()),
        "every unit ran once on the master"
    );
}
