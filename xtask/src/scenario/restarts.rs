//! `master-restart` and `replica-restart`: polite restarts (`SHUTDOWN`) of a master and of a replica.

use anyhow::{Result, ensure};
use testkit::{Shutdown, wait_for_link_down, wait_for_sync, wait_replica_online};

use super::{Step, command, dbsize, digest, expect_field, sync_counts, write_keys};

/// Master + 2 replicas; the master shuts down with a save, the replicas stay replicas with the link down; the
/// restarted master loads its RDB (data, replication id and offset) and both replicas continue with
/// `+CONTINUE` (`sync_partial_ok:2`, `sync_full:0` on the restarted master), then get the later writes.
pub fn master_restart(step: &mut Step) -> Result<()> {
    let (mut master, replicas) = step.master_with_replicas(2)?;
    step.say("write 2000 keys on the master");
    write_keys(&master, "before", 0..2000, 32)?;
    step.converge(&master, &replicas)?;

    step.say("SHUTDOWN SAVE the master");
    master.shutdown(Shutdown::Save);
    for replica in &replicas {
        wait_for_link_down(replica);
        expect_field(replica, "role", "slave")?;
    }
    step.say("both replicas: role:slave, master_link_status:down");

    step.say("restart the master from its directory");
    master.start_again();
    for replica in &replicas {
        wait_for_sync(replica);
    }
    wait_replica_online(&master, 2);
    let (full, partial) = sync_counts(&master)?;
    step.note(format_args!(
        "restarted master: sync_full:{full} sync_partial_ok:{partial}"
    ));
    ensure!(
        (full, partial) == (0, 2),
        "expected both replicas to continue with a partial resync (sync_full:0 sync_partial_ok:2), got \
         sync_full:{full} sync_partial_ok:{partial}"
    );
    step.say("write 1000 more keys on the restarted master");
    write_keys(&master, "after", 0..1000, 32)?;
    step.converge(&master, &replicas)
}

/// A replica shuts down; restarted without `replicaof` it is a master with its data and no replicas;
/// restarted with `replicaof` it rejoins and holds exactly the master's data again.
pub fn replica_restart(step: &mut Step) -> Result<()> {
    let master = step.start_node("master", |config| config)?;
    let mut replica = step.start_node("replica", |config| config.replica_of(master.port()))?;
    wait_for_sync(&replica);
    step.say("write 2000 keys on the master");
    write_keys(&master, "k", 0..2000, 32)?;
    step.converge(&master, [&replica])?;
    let master_digest = digest(&master)?;

    step.say("SHUTDOWN SAVE the replica; restart it without replicaof");
    replica.shutdown(Shutdown::Save);
    replica.config_mut().remove("replicaof");
    replica.start_again();
    expect_field(&replica, "role", "master")?;
    expect_field(&replica, "connected_slaves", "0")?;
    let (keys, replica_digest) = (dbsize(&replica)?, digest(&replica)?);
    ensure!(
        replica_digest == master_digest,
        "the replica restarted as a master has digest {replica_digest} ({keys} keys), the master {master_digest}"
    );
    step.say(format_args!(
        "it is a master: role:master, connected_slaves:0, {keys} keys, digest {replica_digest}"
    ));
    command(&replica, &["SET", "written-while-alone", "1"])?;
    step.note(
        "and writable (SET answered +OK); the master will overwrite this data when it rejoins",
    );

    step.say("SHUTDOWN it again; restart it with replicaof the master");
    replica.shutdown(Shutdown::NoSave);
    replica
        .config_mut()
        .set("replicaof", format!("127.0.0.1 {}", master.port()));
    replica.start_again();
    wait_for_sync(&replica);
    expect_field(&replica, "role", "slave")?;
    step.say("write 500 more keys on the master");
    write_keys(&master, "later", 0..500, 32)?;
    step.converge(&master, [&replica])
}
