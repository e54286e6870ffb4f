//! The faults, injected one at a time at random moments of a round, each counted by kind: link faults through
//! the proxies (cut, cut after N bytes, pause, delay), `kill -9` and restart of a replica or of the master
//! (then a replica is promoted), `FAILOVER`, re-pointing a replica, `CLIENT KILL TYPE master|replica|pubsub`,
//! `DEBUG SLEEP` on a replica, and `SCRIPT KILL` of a busy read-only script.
//!
//! A fault leaves the cluster whole when it returns (a killed node is running again), so the next one starts
//! from a known state; a pending `cut_after` may still fire later, which is the point of it.

use std::time::{Duration, Instant};

use resp::Frame;

use super::cluster::Cluster;
use super::commands::BUSY_SCRIPT;
use super::conn::show_frame;
use super::report::FailureKind;
use super::shared::{NODES, Shared, lock};
use crate::client::{Client, info_field_in};
use crate::proxy::Direction;
use crate::rng::Rng;
use crate::wait::poll_until;

/// What a fault did, when it did something else than its plain self.
enum Outcome {
    /// It happened as named.
    Done,
    /// It happened in one of its variants (e.g. a FAILOVER that was aborted), counted separately.
    Variant(&'static str),
    /// It could not happen now (e.g. no replica was in sync to be promoted); counted and noted.
    Skipped(String),
}

/// The kinds of fault, with their relative weights.
const FAULTS: [(&str, u64); 13] = [
    ("cut", 8),
    ("cut-after", 12),
    ("pause", 6),
    ("delay", 5),
    ("kill-replica", 6),
    ("kill-master", 4),
    ("failover", 5),
    ("repoint", 7),
    ("client-kill-master", 6),
    ("client-kill-replica", 5),
    ("client-kill-pubsub", 3),
    ("debug-sleep", 4),
    ("script-kill", 4),
];

/// Which fault comes next: first every kind once, in a seeded order (so even a short run has each kind),
/// then kinds drawn by weight.
pub(super) struct Plan {
    unplayed: Vec<&'static str>,
}

impl Plan {
    /// Every kind once, shuffled by `rng`.
    pub(super) fn new(rng: &mut Rng) -> Plan {
        let mut unplayed: Vec<&'static str> = FAULTS.iter().map(|(name, _)| *name).collect();
        for index in (1..unplayed.len()).rev() {
            let other = rng.below(index + 1);
            unplayed.swap(index, other);
        }
        Plan { unplayed }
    }

    fn next(&mut self, rng: &mut Rng) -> &'static str {
        if let Some(name) = self.unplayed.pop() {
            return name;
        }
        let total: u64 = FAULTS.iter().map(|(_, weight)| weight).sum();
        let mut pick = rng.range(0, total);
        FAULTS
            .iter()
            .find(|(_, weight)| {
                let found = pick < *weight;
                pick = pick.saturating_sub(*weight);
                found
            })
            .map(|(name, _)| *name)
            .expect("the pick is below the total weight")
    }
}

/// Injects faults at random moments until `until` (or until the run stops).
pub(super) fn run_round(
    cluster: &mut Cluster<'_>,
    shared: &Shared,
    rng: &mut Rng,
    plan: &mut Plan,
    until: Instant,
) {
    loop {
        let now = Instant::now();
        if now >= until || shared.control.stopped() {
            return;
        }
        let gap = Duration::from_millis(rng.range(100, 1000)).min(until - now);
        if !shared.control.pace(gap) || Instant::now() >= until {
            return;
        }
        let name = plan.next(rng);
        match inject(cluster, shared, rng, name) {
            Ok(Outcome::Done) => shared.stats.fault(name),
            Ok(Outcome::Variant(variant)) => shared.stats.fault(format!("{name} ({variant})")),
            Ok(Outcome::Skipped(why)) => {
                shared.stats.fault(format!("{name} (skipped)"));
                shared.stats.note(format!("{name} skipped: {why}"));
            }
            Err(error) => {
                shared.stats.fault(name);
                if !shared.aborted() {
                    shared.fail(FailureKind::Fault, format!("{name}: {error}"));
                }
                return;
            }
        }
    }
}

fn inject(
    cluster: &mut Cluster<'_>,
    shared: &Shared,
    rng: &mut Rng,
    name: &str,
) -> Result<Outcome, String> {
    let topology = cluster.topology().clone();
    let replicas = topology.replicas();
    let replica = *rng.pick(&replicas);
    let proxy = cluster
        .proxy(replica)
        .ok_or_else(|| format!("replica n{replica} has no proxy"))?;
    match name {
        "cut" => proxy.cut(),
        "cut-after" => {
            let direction = if rng.chance(80) {
                Direction::FromTarget
            } else {
                Direction::ToTarget
            };
            // Inside a command or a reply, inside a bulk string, inside a snapshot.
            let bytes = match rng.below(10) {
                0..=4 => rng.range(0, 200),
                5..=7 => rng.range(200, 5_000),
                _ => rng.range(5_000, 300_000),
            };
            proxy.cut_after(direction, bytes);
        }
        "pause" => {
            proxy.pause();
            shared
                .control
                .pace(Duration::from_millis(rng.range(100, 6_000)));
            proxy.resume();
        }
        "delay" => {
            proxy.delay(Duration::from_millis(rng.range(1, 40)));
            shared
                .control
                .pace(Duration::from_millis(rng.range(500, 3_000)));
            proxy.delay(Duration::ZERO);
        }
        "kill-replica" => {
            let _exclusion = shared.health.exclude(replica);
            cluster.kill(replica);
            shared
                .control
                .pace(Duration::from_millis(rng.range(0, 1_500)));
            cluster.restart(replica)?;
        }
        "kill-master" => return kill_master(cluster, shared, rng),
        "failover" => return failover(cluster, shared, rng),
        "repoint" => {
            let moves: Vec<(usize, usize)> = replicas
                .iter()
                .flat_map(|&node| (0..NODES).map(move |upstream| (node, upstream)))
                .filter(|&(node, upstream)| {
                    !topology.descends_from(upstream, node)
                        && Some(upstream) != topology.upstream[node]
                })
                .collect();
            if moves.is_empty() {
                return Ok(Outcome::Skipped("no replica can move".to_string()));
            }
            let (node, upstream) = *rng.pick(&moves);
            cluster.point(node, upstream)?;
        }
        "client-kill-master" => {
            expect_integer(cluster, replica, &["CLIENT", "KILL", "TYPE", "master"])?
        }
        "client-kill-replica" => {
            let upstreams: Vec<usize> = (0..NODES)
                .filter(|&node| !topology.children(node).is_empty())
                .collect();
            let node = *rng.pick(&upstreams);
            expect_integer(cluster, node, &["CLIENT", "KILL", "TYPE", "replica"])?;
        }
        "client-kill-pubsub" => {
            let node = rng.below(NODES);
            expect_integer(cluster, node, &["CLIENT", "KILL", "TYPE", "pubsub"])?;
        }
        "debug-sleep" => {
            let _exclusion = shared.health.exclude(replica);
            let reply = cluster.admin(replica, &["DEBUG", "SLEEP", "0.5"])?;
            if reply != Frame::ok() {
                return Err(format!(
                    "DEBUG SLEEP 0.5 on n{replica} answered {}",
                    show_frame(&reply)
                ));
            }
        }
        "script-kill" => script_kill(cluster, shared, rng)?,
        other => return Err(format!("unknown fault {other}")),
    }
    Ok(Outcome::Done)
}

fn expect_integer(cluster: &Cluster<'_>, node: usize, args: &[&str]) -> Result<(), String> {
    match cluster.admin(node, args)? {
        Frame::Integer(_) => Ok(()),
        other => Err(format!(
            "{} on n{node} answered {}",
            args.join(" "),
            show_frame(&other)
        )),
    }
}

/// `kill -9` of the master, then the replica with the highest offset that holds every acknowledged write is
/// promoted, the others follow it, and the old master restarts as its replica. No acknowledgement is in flight
/// meanwhile (the writer's gate is held), and the promoted replica must have reached the offset the master had
/// when the gate closed, so every write `WAIT` confirmed is on it: never promote a replica that lacks them.
fn kill_master(
    cluster: &mut Cluster<'_>,
    shared: &Shared,
    rng: &mut Rng,
) -> Result<Outcome, String> {
    let gate = lock(&shared.acks.gate);
    let topology = cluster.topology().clone();
    let master = topology.master;
    let needed = cluster.offset(master)?;
    let chosen = poll_until(Duration::from_secs(5), || {
        let mut best: Option<(u64, usize)> = None;
        for node in topology.replicas() {
            if !cluster.link_up(node) {
                continue;
            }
            let offset = cluster.offset(node)?;
            if offset >= needed && best.is_none_or(|(best_offset, _)| offset > best_offset) {
                best = Some((offset, node));
            }
        }
        best.map(|(_, node)| node)
            .ok_or_else(|| format!("no linked replica at the master's offset {needed} yet"))
    });
    let chosen = match chosen {
        Ok(node) => node,
        Err(why) => return Ok(Outcome::Skipped(why)),
    };
    let _exclusion = shared.health.exclude(master);
    cluster.kill(master);
    cluster.promote(chosen)?;
    for node in topology.replicas() {
        if node != chosen && topology.upstream[node] == Some(master) {
            cluster.point(node, chosen)?;
        }
    }
    // The old master gets its proxy to the new one while down; it starts as a replica, never as a master.
    cluster.set_upstream(master, chosen);
    cluster.prepare_proxy(master)?;
    drop(gate);
    shared
        .control
        .pace(Duration::from_millis(rng.range(0, 1_000)));
    cluster.restart(master)?;
    Ok(Outcome::Done)
}

/// `FAILOVER TO <a direct replica> TIMEOUT 5000` (Redis 7.0): the master pauses writes, waits for the target
/// to catch up, hands over and becomes its replica; on timeout it aborts and stays the master. The model then
/// follows what happened, and the old master is re-pointed through a proxy.
fn failover(cluster: &mut Cluster<'_>, shared: &Shared, rng: &mut Rng) -> Result<Outcome, String> {
    let _gate = lock(&shared.acks.gate);
    let topology = cluster.topology().clone();
    let master = topology.master;
    let targets = topology.children(master);
    let target = *rng.pick(&targets);
    if !cluster.link_up(target) {
        return Ok(Outcome::Skipped(format!("n{target}'s link is not up")));
    }
    let port = topology.ports[target].to_string();
    let reply = cluster.admin(
        master,
        &["FAILOVER", "TO", "127.0.0.1", &port, "TIMEOUT", "5000"],
    )?;
    if let Frame::Error(error) = &reply {
        shared.stats.note(format!(
            "FAILOVER TO n{target} refused: {}",
            String::from_utf8_lossy(error)
        ));
        return Ok(Outcome::Variant("refused"));
    }
    if reply != Frame::ok() {
        return Err(format!("FAILOVER answered {}", show_frame(&reply)));
    }
    let role = poll_until(Duration::from_secs(15), || {
        let info = cluster.info(master)?;
        match info_field_in(&info, "master_failover_state") {
            Some("no-failover") => Ok(info_field_in(&info, "role").unwrap_or_default().to_string()),
            state => Err(format!("master_failover_state {state:?}")),
        }
    })
    .map_err(|last| format!("the FAILOVER to n{target} did not end within 15 s: {last}"))?;
    if role == "slave" {
        cluster.became_master(target);
        cluster.set_upstream(master, target);
        cluster.enforce()?;
        Ok(Outcome::Done)
    } else {
        cluster.enforce()?;
        Ok(Outcome::Variant("aborted"))
    }
}

/// Runs the busy read-only script on a node and kills it with `SCRIPT KILL` once it is busy.
fn script_kill(cluster: &Cluster<'_>, shared: &Shared, rng: &mut Rng) -> Result<(), String> {
    let node = rng.below(NODES);
    let port = cluster.node(node).port();
    let _exclusion = shared.health.exclude(node);
    let busy_for = Duration::from_millis(rng.range(0, 400));
    std::thread::scope(|scope| {
        let script = scope.spawn(move || {
            Client::connect(port)
                .map_err(Into::into)
                .and_then(|mut client| client.try_cmd(&["EVAL", BUSY_SCRIPT, "0"]))
        });
        shared.control.pace(busy_for);
        let killed = poll_until(Duration::from_secs(10), || {
            match cluster.admin(node, &["SCRIPT", "KILL"]) {
                Ok(Frame::Simple(_)) => Ok(Ok(())),
                Ok(Frame::Error(error)) if error.starts_with(b"NOTBUSY") => {
                    Err("NOTBUSY (the script has not started yet)".to_string())
                }
                Ok(other) => Ok(Err(format!(
                    "SCRIPT KILL on n{node} answered {}",
                    show_frame(&other)
                ))),
                Err(error) => Ok(Err(error)),
            }
        });
        let script_reply = script
            .join()
            .map_err(|_| "the busy-script thread panicked".to_string())?;
        match killed {
            Ok(Ok(())) => {}
            Ok(Err(error)) => return Err(error),
            Err(last) => {
                return Err(format!(
                    "SCRIPT KILL on n{node} never found the busy script: {last}"
                ));
            }
        }
        match script_reply {
            Ok(Frame::Error(_)) => Ok(()),
            Ok(other) => Err(format!(
                "the killed busy script on n{node} answered {}",
                show_frame(&other)
            )),
            Err(error) => Err(format!("the busy script on n{node} got no reply: {error}")),
        }
    })
}
