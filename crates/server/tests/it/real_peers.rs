//! Replication with the real `redis-server` as a peer (issue 4, "Real peers"): an `rserver` replica of a Redis
//! master, a Redis replica of an `rserver` master, and mixed chains (Redis -> rserver -> Redis,
//! rserver -> Redis -> rserver) under a write load; a replica promoted with two siblings of the other
//! implementation, and a replica restarted from its RDB continuing with its master of the other implementation.
//!
//! Each pairing goes through a full sync (after snapshot transfers cut in the middle), a live stream of varied writes, and partial resyncs after the link is
//! cut by a [`Proxy`] (at once, and at seeded byte positions inside commands); after each step the offsets are
//! equal and the data sets are compared key by key, value by value, TTL presence included
//! (`faults::dataset`: `DEBUG DIGEST` is not comparable across the two implementations). The same scenarios
//! with Redis on every side validate the expectations. All tests need the Redis tools: they skip loudly
//! without them (fail under `REQUIRE_REDIS=1`).

use std::fs;

use resp::Frame;
use testkit::{
    Client, DEFAULT_DEADLINE, Direction, Proxy, Rng, Shutdown, assert_same_data, free_ports,
    wait_for_ofs_sync, wait_for_sync, wait_until,
};

use crate::faults::load::{ExtraTypes, Load};
use crate::faults::{SyncCounts, cut_at_and_resync, node_config, promotion_with_siblings};
use crate::support::{Subject, replication_field};

/// Partial resyncs after cuts at seeded byte positions, per pairing.
const POSITION_CUTS: usize = 3;

/// Snapshot transfers cut at seeded byte positions before the one that completes, per pairing.
const SNAPSHOT_CUTS: usize = 2;

#[test]
fn redis_master_rserver_replica() {
    let redis_server = testkit::require_redis!();
    replica_follows_master(&Subject::redis(redis_server), &Subject::rserver());
}

#[test]
fn rserver_master_redis_replica() {
    let redis_server = testkit::require_redis!();
    replica_follows_master(&Subject::rserver(), &Subject::redis(redis_server));
}

/// The pairing scenario with Redis on both sides: validates the expectations.
#[test]
fn redis_master_redis_replica() {
    let redis_server = testkit::require_redis!();
    replica_follows_master(
        &Subject::redis(redis_server.clone()),
        &Subject::redis(redis_server),
    );
}

#[test]
fn chain_redis_rserver_redis() {
    let redis_server = testkit::require_redis!();
    chain_follows_top(
        &Subject::redis(redis_server.clone()),
        &Subject::rserver(),
        &Subject::redis(redis_server),
    );
}

#[test]
fn chain_rserver_redis_rserver() {
    let redis_server = testkit::require_redis!();
    chain_follows_top(
        &Subject::rserver(),
        &Subject::redis(redis_server),
        &Subject::rserver(),
    );
}

/// The chain scenario with Redis everywhere: validates the expectations.
#[test]
fn chain_redis_redis_redis() {
    let redis_server = testkit::require_redis!();
    chain_follows_top(
        &Subject::redis(redis_server.clone()),
        &Subject::redis(redis_server.clone()),
        &Subject::redis(redis_server),
    );
}

/// A Redis master with an `rserver` replica promoted after the master stops and two Redis siblings re-pointed at
/// it: both continue with `+CONTINUE` from `rserver`'s history (replid2).
#[test]
fn promotion_rserver_promoted_redis_siblings() {
    let redis_server = testkit::require_redis!();
    promotion_with_siblings(
        &Subject::redis(redis_server.clone()),
        &Subject::rserver(),
        &Subject::redis(redis_server),
    );
}

/// The reverse: `rserver` master and siblings, a Redis replica promoted; the `rserver` siblings continue from it.
#[test]
fn promotion_redis_promoted_rserver_siblings() {
    let redis_server = testkit::require_redis!();
    promotion_with_siblings(
        &Subject::rserver(),
        &Subject::redis(redis_server),
        &Subject::rserver(),
    );
}

/// An `rserver` replica of a Redis master is shut down (saving its RDB with the replication id and offset) and
/// restarted with `replicaof`: the Redis master accepts its PSYNC with `+CONTINUE` and it catches up.
#[test]
fn rserver_replica_restart_continues_with_redis_master() {
    let redis_server = testkit::require_redis!();
    replica_restart_continues(&Subject::redis(redis_server), &Subject::rserver());
}

/// A Redis replica of an `rserver` master, restarted the same way.
#[test]
fn redis_replica_restart_continues_with_rserver_master() {
    let redis_server = testkit::require_redis!();
    replica_restart_continues(&Subject::rserver(), &Subject::redis(redis_server));
}

/// Redis on both sides: validates [`replica_restart_continues`].
#[test]
fn redis_replica_restart_continues_with_redis_master() {
    let redis_server = testkit::require_redis!();
    replica_restart_continues(
        &Subject::redis(redis_server.clone()),
        &Subject::redis(redis_server),
    );
}

/// Reference §13: a replica with persistence shut down and restarted with `replicaof` loads its RDB, PSYNCs
/// with the stored id and offset, gets `+CONTINUE` and receives what it missed.
fn replica_restart_continues(master_subject: &Subject, replica_subject: &Subject) {
    let [master_port, replica_port] = free_ports::<2>();
    let master = master_subject.start(node_config(master_port));
    let mut replica = replica_subject.start(node_config(replica_port).replica_of(master_port));
    let mut load = Load::new(31).with_types(ExtraTypes::supported_by(&[&master, &replica]));
    load.run_on(&master, 400);
    wait_for_sync(&replica);
    wait_for_ofs_sync(&master, &replica);
    let before = SyncCounts::of(&master);

    replica.shutdown(Shutdown::Save);
    load.run_on(&master, 200);
    replica.start_again();
    wait_for_sync(&replica);
    load.run_on(&master, 100);
    wait_for_ofs_sync(&master, &replica);
    assert_same_data(&master, &replica, "after the replica's restart");
    assert_eq!(
        SyncCounts::of(&master),
        SyncCounts {
            full: before.full,
            partial_ok: before.partial_ok + 1
        },
        "the restarted replica continues from its RDB with a partial resync"
    );
}

/// A replica of `replica_subject` follows a master of `master_subject` through a proxy: full sync of existing
/// data (after two transfers cut in the middle), live stream, a partial resync after an abrupt cut (with writes meanwhile), and partial resyncs after
/// cuts in the middle of the stream; the master's counters show one full sync and only partial ones after.
fn replica_follows_master(master_subject: &Subject, replica_subject: &Subject) {
    let [master_port, replica_port] = free_ports::<2>();
    let master = master_subject.start(node_config(master_port));
    let replica = replica_subject.start(node_config(replica_port));
    let mut load = Load::new(11).with_types(ExtraTypes::supported_by(&[&master, &replica]));
    load.run_on(&master, 500);

    // The first snapshot transfers are cut at seeded byte positions inside the payload (past the handshake
    // replies, the +FULLRESYNC line and the payload header); each retry is a full sync.
    let mut rng = Rng::new(0x0005_eed0_f00d);
    assert_eq!(master.cmd(&["SAVE"]), Frame::ok());
    let snapshot_size = fs::metadata(master.dir().join("dump.rdb"))
        .expect("the master's dump.rdb")
        .len();
    let proxy = Proxy::start(master_port);
    let snapshot_positions: Vec<u64> = (0..SNAPSHOT_CUTS)
        .map(|_| rng.range(200, snapshot_size))
        .collect();
    for &position in &snapshot_positions {
        proxy.cut_after(Direction::FromTarget, position);
    }
    assert_eq!(
        replica.cmd(&["REPLICAOF", "127.0.0.1", &proxy.port().to_string()]),
        Frame::ok()
    );
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
        &format!("after a full sync, transfers cut at {snapshot_positions:?}"),
    );
    assert_eq!(
        replication_field(&replica, "master_replid"),
        replication_field(&master, "master_replid"),
        "the replica follows the master's history"
    );
    let full = 1 + SNAPSHOT_CUTS as u64;
    assert_eq!(
        SyncCounts::of(&master),
        SyncCounts {
            full,
            partial_ok: 0
        },
        "one full sync per cut transfer, and the one that completed"
    );

    load.run_on(&master, 500);
    wait_for_ofs_sync(&master, &replica);
    assert_same_data(&master, &replica, "after streaming writes");

    let connections = proxy.connections();
    proxy.cut();
    load.run_on(&master, 100);
    wait_until(
        DEFAULT_DEADLINE,
        "the replica to reconnect through the proxy",
        || match proxy.connections() {
            now if now > connections => Ok(()),
            now => Err(format!("{now} connections")),
        },
    );
    wait_for_sync(&replica);
    wait_for_ofs_sync(&master, &replica);
    assert_same_data(&master, &replica, "after a cut with writes meanwhile");
    assert_eq!(
        SyncCounts::of(&master),
        SyncCounts {
            full,
            partial_ok: 1
        },
        "the cut is repaired by a partial resync"
    );

    for cut in 0..POSITION_CUTS {
        let position = rng.range(1, 40_000);
        cut_at_and_resync(
            &mut load,
            &master,
            &replica,
            &proxy,
            Direction::FromTarget,
            position,
        );
        assert_same_data(
            &master,
            &replica,
            &format!("after a cut at byte {position} of the stream"),
        );
        assert_eq!(
            SyncCounts::of(&master),
            SyncCounts {
                full,
                partial_ok: 2 + cut as u64
            },
            "a cut at byte {position} is repaired by a partial resync"
        );
    }
}

/// top <- middle <- bottom, the middle link through a proxy. The chain forms while a writer loads the top; the
/// bottom ends with the top's data, id and offset. Then the top-middle link is cut under writes: the middle
/// continues with a partial resync and the bottom, never disconnected, keeps following.
fn chain_follows_top(top_subject: &Subject, middle_subject: &Subject, bottom_subject: &Subject) {
    let [top_port, middle_port, bottom_port] = free_ports::<3>();
    let top = top_subject.start(node_config(top_port));
    let middle = middle_subject.start(node_config(middle_port));
    let bottom = bottom_subject.start(node_config(bottom_port));
    let extra = ExtraTypes::supported_by(&[&top, &middle, &bottom]);
    let mut load = Load::new(21).with_types(extra);
    load.run_on(&top, 300);

    let proxy = Proxy::start(top_port);
    let writer = {
        let mut writer_load = Load::new(22).with_types(extra);
        std::thread::spawn(move || {
            let mut client = Client::connect(top_port).expect("the writer connects to the top");
            writer_load.run(&mut client, 1_500);
        })
    };
    assert_eq!(
        middle.cmd(&["REPLICAOF", "127.0.0.1", &proxy.port().to_string()]),
        Frame::ok()
    );
    assert_eq!(
        bottom.cmd(&["REPLICAOF", "127.0.0.1", &middle_port.to_string()]),
        Frame::ok()
    );
    wait_for_sync(&middle);
    wait_for_sync(&bottom);
    writer.join().expect("the writer thread");
    load.run_on(&top, 200);
    let middle_offset = wait_for_ofs_sync(&top, &middle);
    let bottom_offset = wait_for_ofs_sync(&top, &bottom);
    assert!(bottom_offset >= middle_offset);
    let replid = replication_field(&top, "master_replid");
    for node in [&middle, &bottom] {
        assert_eq!(replication_field(node, "master_replid"), replid);
    }
    assert_same_data(&top, &middle, "middle of the chain after the load");
    assert_same_data(&top, &bottom, "bottom of the chain after the load");

    let top_before = SyncCounts::of(&top);
    let middle_before = SyncCounts::of(&middle);
    let connections = proxy.connections();
    proxy.cut();
    load.run_on(&top, 200);
    wait_until(
        DEFAULT_DEADLINE,
        "the middle to reconnect through the proxy",
        || match proxy.connections() {
            now if now > connections => Ok(()),
            now => Err(format!("{now} connections")),
        },
    );
    wait_for_sync(&middle);
    load.run_on(&top, 200);
    wait_for_ofs_sync(&top, &middle);
    wait_for_ofs_sync(&top, &bottom);
    assert_same_data(&top, &bottom, "bottom of the chain after the cut");
    assert_eq!(
        SyncCounts::of(&top),
        SyncCounts {
            full: top_before.full,
            partial_ok: top_before.partial_ok + 1
        },
        "the middle continues with a partial resync"
    );
    assert_eq!(
        SyncCounts::of(&middle),
        middle_before,
        "the bottom stays attached to the middle across the middle's partial resync"
    );
    assert_eq!(replication_field(&bottom, "master_link_status"), "up");
    assert_eq!(replication_field(&bottom, "master_replid"), replid);
}
