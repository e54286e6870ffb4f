//! `kill-master` and `kill-replica`: `SIGKILL` (kill -9) of a node, restarted from its directory.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::{Result, ensure};
use testkit::{DEFAULT_DEADLINE, Direction, Proxy, wait_for_link_down, wait_for_sync, wait_until};

use super::{Step, command, dbsize, info, write_keys};

/// Keys `DEBUG POPULATE` creates for the full sync that `kill-replica` interrupts.
const POPULATE_KEYS: &str = "100000";

/// Bytes of that full sync let through before the replica is killed (its snapshot is megabytes).
const MID_SYNC_BYTES: u64 = 64 * 1024;

/// Removes `node`'s `dump.rdb` (the node is stopped), so it starts empty.
fn remove_dump(node: &testkit::Node) -> Result<()> {
    let dump = node.dir().join("dump.rdb");
    match std::fs::remove_file(&dump) {
        Ok(()) => Ok(()),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(error) => Err(anyhow::Error::new(error).context(format!("remove {}", dump.display()))),
    }
}

/// Master + 2 replicas; the master saves, takes more writes, and is killed with `SIGKILL`. Restarted from its
/// directory it has what it saved (the later writes are lost: no AOF), and the replicas, which are ahead of it,
/// resynchronise with it and converge to its data.
pub fn kill_master(step: &mut Step) -> Result<()> {
    let (mut master, replicas) = step.master_with_replicas(2)?;
    step.say("write 1000 keys, SAVE, write 500 more");
    write_keys(&master, "saved", 0..1000, 32)?;
    command(&master, &["SAVE"])?;
    write_keys(&master, "unsaved", 0..500, 32)?;
    step.converge(&master, &replicas)?;

    step.say("kill -9 the master");
    master.kill();
    for replica in &replicas {
        wait_for_link_down(replica);
    }
    step.say("restart the master from its directory");
    master.start_again();
    let keys = dbsize(&master)?;
    step.note(format_args!(
        "it loaded {keys} keys from dump.rdb (the 500 unsaved writes are lost)"
    ));
    ensure!(
        keys == 1000,
        "the restarted master has {keys} keys, expected the 1000 saved ones"
    );
    for replica in &replicas {
        wait_for_sync(replica);
    }
    step.converge(&master, &replicas)?;
    step.say("write 500 keys on the restarted master");
    write_keys(&master, "after", 0..500, 32)?;
    step.converge(&master, &replicas)
}

/// A replica (behind a proxy) is killed with `SIGKILL` while a writer is busy on the master, restarted, and
/// converges; then it is killed again in the middle of the full sync of a large data set (`DEBUG POPULATE`),
/// restarted, and converges again.
pub fn kill_replica(step: &mut Step) -> Result<()> {
    let master = step.start_node("master", |config| config)?;
    let proxy = Proxy::start(master.port());
    step.say(format_args!(
        "proxy on 127.0.0.1:{} -> master",
        proxy.port()
    ));
    let mut replica = step.start_node("replica", |config| config.replica_of(proxy.port()))?;
    wait_for_sync(&replica);

    step.say("a writer thread writes batches of 200 keys on the master");
    let stop = AtomicBool::new(false);
    let batches = std::thread::scope(|scope| -> Result<u64> {
        let writer = scope.spawn(|| -> Result<u64> {
            let mut batch = 0;
            while !stop.load(Ordering::Relaxed) {
                write_keys(&master, &format!("w{batch}"), 0..200, 32)?;
                batch += 1;
            }
            Ok(batch)
        });
        let outcome = kill_and_restart_while_writing(step, &master, &mut replica);
        stop.store(true, Ordering::Relaxed);
        let batches = writer.join().expect("the writer thread does not panic")?;
        outcome.map(|()| batches)
    })?;
    step.say(format_args!("the writer stopped after {batches} batches"));
    step.converge(&master, [&replica])?;

    step.say(format_args!("DEBUG POPULATE {POPULATE_KEYS} on the master"));
    command(&master, &["DEBUG", "POPULATE", POPULATE_KEYS])?;
    step.say("kill -9 the replica; restart it empty (no dump.rdb: it needs a full sync), the link slowed to 5ms a chunk");
    replica.kill();
    // DEBUG POPULATE is not propagated (in Redis neither): only a full sync brings those keys. A replica
    // restarted from the dump.rdb of its earlier sync would continue by a partial resync whenever the master's
    // backlog still covers its offset, which depends on how fast the writer ran above (a busy machine: less).
    remove_dump(&replica)?;
    proxy.delay(Duration::from_millis(5));
    let forwarded_before = proxy.forwarded(Direction::FromTarget);
    // The proxy holds the transfer 64 KB in (the handshake's replies and the snapshot's start), so the kill
    // lands inside it however slowly this thread gets to look.
    proxy.pause_after(Direction::FromTarget, MID_SYNC_BYTES);
    replica.start_again();
    wait_until(
        DEFAULT_DEADLINE,
        "the proxy to hold the transfer",
        || match proxy.is_paused() {
            true => Ok(()),
            false => Err(format!(
                "{} bytes forwarded",
                proxy.forwarded(Direction::FromTarget) - forwarded_before
            )),
        },
    );
    let syncing = info(&replica, "replication", "master_sync_in_progress")?;
    ensure!(
        syncing == "1",
        "the replica is not in a full sync (master_sync_in_progress:{syncing}) with the link paused"
    );
    let received = proxy.forwarded(Direction::FromTarget) - forwarded_before;
    step.say(format_args!(
        "kill -9 the replica in the middle of the full sync ({received} bytes of it forwarded so far)"
    ));
    replica.kill();
    proxy.cut();
    proxy.resume();
    proxy.delay(Duration::ZERO);
    step.say("restart the replica");
    replica.start_again();
    wait_for_sync(&replica);
    step.converge(&master, [&replica])
}

/// The middle of `kill-replica`'s first part: waits for some writes, kills the replica, restarts it, waits for
/// its link and for more writes to pass, all while the writer runs.
fn kill_and_restart_while_writing(
    step: &mut Step,
    master: &testkit::Node,
    replica: &mut testkit::Node,
) -> Result<()> {
    let wait_keys = |at_least: i64| {
        wait_until(
            DEFAULT_DEADLINE,
            &format!("{at_least} keys on the master"),
            || {
                let keys = dbsize(master).map_err(|error| format!("{error:#}"))?;
                if keys >= at_least {
                    Ok(keys)
                } else {
                    Err(format!("{keys} keys"))
                }
            },
        )
    };
    let keys = wait_keys(1000);
    step.say(format_args!(
        "kill -9 the replica (the master has {keys} keys and counting)"
    ));
    replica.kill();
    let keys = wait_keys(keys + 1000);
    step.say(format_args!(
        "restart the replica (the master has {keys} keys now)"
    ));
    replica.start_again();
    wait_for_sync(replica);
    wait_keys(dbsize(master)? + 1000);
    step.say("the replica's link is up and the writer goes on");
    Ok(())
}
