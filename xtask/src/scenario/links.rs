//! `link-flap` and `backlog-overflow`: a replica behind a fault-injecting `testkit::Proxy`.

use std::time::Duration;

use anyhow::{Result, ensure};
use testkit::{DEFAULT_DEADLINE, Direction, Node, Proxy, wait_for_sync, wait_until};

use super::{Step, number, sync_counts, write_keys};

/// How many times `link-flap` cuts the link in the middle of a write batch.
const FLAPS: u64 = 5;

/// Master and a replica connected through a proxy; the scenario's nodes.
struct ProxiedPair {
    master: Node,
    proxy: Proxy,
    replica: Node,
}

/// Starts a master (with `configure`d extras), a proxy to it and a replica of the proxy, and waits for the link.
fn proxied_pair(step: &mut Step, master_directives: &[(&str, &str)]) -> Result<ProxiedPair> {
    let master = step.start_node("master", |mut config| {
        for (directive, value) in master_directives {
            config.set(directive, *value);
        }
        config
    })?;
    let proxy = Proxy::start(master.port());
    step.say(format_args!(
        "proxy on 127.0.0.1:{} -> master",
        proxy.port()
    ));
    let replica = step.start_node("replica", |config| config.replica_of(proxy.port()))?;
    wait_for_sync(&replica);
    Ok(ProxiedPair {
        master,
        proxy,
        replica,
    })
}

/// Waits until the proxy has accepted more than `connections` connections and the replica's link is up again.
fn wait_reconnected(pair: &ProxiedPair, connections: u64) {
    wait_until(
        DEFAULT_DEADLINE,
        "the replica reconnecting through the proxy",
        || {
            let now = pair.proxy.connections();
            if now > connections {
                Ok(())
            } else {
                Err(format!("{now} connection(s)"))
            }
        },
    );
    wait_for_sync(&pair.replica);
}

/// The replica link is cut in the middle of write batches several times, then slowed down, then stalled
/// (a slow reader) and resumed; every time the replica converges, and the cuts are repaired by partial resyncs.
pub fn link_flap(step: &mut Step) -> Result<()> {
    let pair = proxied_pair(step, &[])?;
    step.say("write 1000 keys");
    write_keys(&pair.master, "base", 0..1000, 32)?;
    step.converge(&pair.master, [&pair.replica])?;
    let (full_before, partial_before) = sync_counts(&pair.master)?;

    for flap in 0..FLAPS {
        let position = 2_000 + flap * 3_331;
        let connections = pair.proxy.connections();
        step.say(format_args!(
            "cut {}/{FLAPS}: the link breaks after {position} more bytes of the stream, during 500 writes",
            flap + 1
        ));
        pair.proxy.cut_after(Direction::FromTarget, position);
        write_keys(&pair.master, &format!("flap{flap}"), 0..500, 32)?;
        wait_until(DEFAULT_DEADLINE, "the cut to fire", || {
            match pair.proxy.pending_cuts(Direction::FromTarget) {
                0 => Ok(()),
                pending => Err(format!("{pending} cut(s) pending")),
            }
        });
        wait_reconnected(&pair, connections);
        step.converge(&pair.master, [&pair.replica])?;
    }
    let (full, partial) = sync_counts(&pair.master)?;
    step.note(format_args!(
        "master: sync_full {full_before} -> {full}, sync_partial_ok {partial_before} -> {partial}"
    ));
    ensure!(
        full == full_before && partial == partial_before + FLAPS,
        "expected {FLAPS} partial resyncs and no full one"
    );

    step.say("delay every chunk through the proxy by 20ms (a slow link); write 1000 keys");
    pair.proxy.delay(Duration::from_millis(20));
    write_keys(&pair.master, "slow", 0..1000, 32)?;
    step.converge(&pair.master, [&pair.replica])?;
    pair.proxy.delay(Duration::ZERO);

    step.say("pause the link (the replica stops reading); write 1000 keys");
    pair.proxy.pause();
    write_keys(&pair.master, "paused", 0..1000, 32)?;
    let master_offset = number(&pair.master, "replication", "master_repl_offset")?;
    let replica_offset = number(&pair.replica, "replication", "master_repl_offset")?;
    step.note(format_args!(
        "while paused: master at offset {master_offset}, replica at {replica_offset}"
    ));
    ensure!(
        replica_offset < master_offset,
        "the paused replica is not behind"
    );
    step.say("resume the link");
    pair.proxy.resume();
    step.converge(&pair.master, [&pair.replica])
}

/// A master with a 16 KiB backlog; the replica's link stalls while the master writes far more than the backlog
/// holds, and breaks; when the path works again the replica's offset is no longer in the backlog, so it must
/// get a full resync (`sync_full` grows), after which it converges.
pub fn backlog_overflow(step: &mut Step) -> Result<()> {
    let pair = proxied_pair(step, &[("repl-backlog-size", "16384")])?;
    step.say("write 500 keys");
    write_keys(&pair.master, "base", 0..500, 32)?;
    step.converge(&pair.master, [&pair.replica])?;
    let (full_before, _) = sync_counts(&pair.master)?;

    step.say("pause the link; write 5000 keys of 100 bytes (about 40x the backlog)");
    pair.proxy.pause();
    let start_offset = number(&pair.master, "replication", "master_repl_offset")?;
    write_keys(&pair.master, "flood", 0..5000, 100)?;
    let end_offset = number(&pair.master, "replication", "master_repl_offset")?;
    step.note(format_args!(
        "the master wrote {} bytes of stream",
        end_offset - start_offset
    ));
    ensure!(
        end_offset - start_offset > 16 * 16384,
        "not enough written to overflow the backlog"
    );

    let connections = pair.proxy.connections();
    step.say("the stalled link breaks (cut), then the path works again (resume)");
    pair.proxy.cut();
    pair.proxy.resume();
    wait_reconnected(&pair, connections);
    let (full, partial) = sync_counts(&pair.master)?;
    step.note(format_args!(
        "master: sync_full {full_before} -> {full}, sync_partial_ok {partial}"
    ));
    ensure!(
        full > full_before,
        "expected a full resync, sync_full stayed at {full}"
    );
    step.converge(&pair.master, [&pair.replica])
}
