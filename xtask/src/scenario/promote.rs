//! `promote`: a replica is promoted after its master stops and its siblings continue from it.

use anyhow::{Result, ensure};
use testkit::{wait_for_link_down, wait_for_sync, wait_replica_online};

use super::{Step, command, sync_counts, write_keys};

/// Master + 3 replicas; the master stops; `REPLICAOF NO ONE` on one replica and the two others are re-pointed
/// at it. They continue with `+CONTINUE` (on the promoted node `sync_partial_ok:2`, `sync_full:0`) and the
/// new master's writes reach them.
pub fn promote(step: &mut Step) -> Result<()> {
    let (mut master, replicas) = step.master_with_replicas(3)?;
    step.say("write 2000 keys on the master");
    write_keys(&master, "k", 0..2000, 32)?;
    step.converge(&master, &replicas)?;

    step.say("stop the master (SHUTDOWN NOSAVE)");
    master.stop();
    for replica in &replicas {
        wait_for_link_down(replica);
    }
    let (promoted, siblings) = replicas.split_first().expect("three replicas");
    step.say(format_args!(
        "REPLICAOF NO ONE on 127.0.0.1:{}",
        promoted.port()
    ));
    command(promoted, &["REPLICAOF", "NO", "ONE"])?;
    let new_master_port = promoted.port().to_string();
    for sibling in siblings {
        step.say(format_args!(
            "REPLICAOF 127.0.0.1 {new_master_port} on 127.0.0.1:{}",
            sibling.port()
        ));
        command(sibling, &["REPLICAOF", "127.0.0.1", &new_master_port])?;
    }
    for sibling in siblings {
        wait_for_sync(sibling);
    }
    wait_replica_online(promoted, 2);
    let (full, partial) = sync_counts(promoted)?;
    step.note(format_args!(
        "promoted node: sync_full:{full} sync_partial_ok:{partial}"
    ));
    ensure!(
        (full, partial) == (0, 2),
        "expected both siblings to continue with +CONTINUE (sync_full:0 sync_partial_ok:2)"
    );
    step.say("write 1000 keys on the new master");
    write_keys(promoted, "new", 0..1000, 32)?;
    step.converge(promoted, siblings)
}
