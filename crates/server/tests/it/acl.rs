//! ACLs across processes: a FAILOVER whose target refuses `PSYNC` (`ACL SETUSER default -psync`, Redis's own
//! `failover.tcl` case) aborts and the old master keeps its role; a replica authenticates with `masteruser`;
//! connections of a deleted user, and subscribers of channels a user lost, are disconnected; `COMMAND INFO`
//! reports Redis's ACL categories for every command.

use resp::Frame;
use testkit::{
    Client, DEFAULT_DEADLINE, Node, NodeConfig, free_port, wait_for_ofs_sync, wait_for_sync,
    wait_replica_online, wait_until,
};

use crate::support::{Subject, on_both_servers, replication_field, set};

on_both_servers!(
    failover_aborts_when_target_refuses_psync,
    replica_authenticates_as_masteruser,
    deleted_users_lose_their_connections,
    subscribers_lose_revoked_channels,
);

fn start(subject: &Subject, config: NodeConfig) -> Node {
    subject.start(config.with("save", "\"\""))
}

fn ok(frame: Frame) {
    assert_eq!(frame, Frame::ok());
}

/// The target of a FAILOVER answers the old master's `PSYNC ... FAILOVER` with `-NOPERM`: the failover is
/// aborted, the master stays master, and once `PSYNC` is allowed again both replicas follow it.
fn failover_aborts_when_target_refuses_psync(subject: &Subject) {
    let master = start(subject, NodeConfig::new(free_port()));
    let target = start(
        subject,
        NodeConfig::new(free_port()).replica_of(master.port()),
    );
    let other = start(
        subject,
        NodeConfig::new(free_port()).replica_of(master.port()),
    );
    wait_for_sync(&target);
    wait_for_sync(&other);
    wait_replica_online(&master, 2);
    set(&master, "k", "v");
    wait_for_ofs_sync(&master, &target);

    ok(target.cmd(&["ACL", "SETUSER", "default", "-psync"]));
    let port = target.port().to_string();
    ok(master.cmd(&["FAILOVER", "TO", "127.0.0.1", &port]));
    wait_until(DEFAULT_DEADLINE, "the failover to end", || {
        let state = replication_field(&master, "master_failover_state");
        if state == "no-failover" {
            Ok(())
        } else {
            Err(state)
        }
    });
    assert_eq!(replication_field(&master, "role"), "master");
    assert_eq!(replication_field(&target, "role"), "slave");
    // The refused PSYNC is in the target's ACL log.
    let Frame::Array(entries) = target.cmd(&["ACL", "LOG"]) else {
        panic!("ACL LOG is not an array");
    };
    let first = format!("{:?}", entries.first().expect("a log entry"));
    assert!(
        first.contains("psync") && first.contains("command"),
        "{first}"
    );

    ok(target.cmd(&["ACL", "SETUSER", "default", "+psync"]));
    wait_for_sync(&target);
    wait_for_sync(&other);
    set(&master, "after", "1");
    wait_for_ofs_sync(&master, &target);
    wait_for_ofs_sync(&master, &other);
    assert_eq!(
        target.cmd(&["GET", "after"]),
        Frame::Bulk(bytes::Bytes::from_static(b"1"))
    );
}

/// With `masteruser`, the replica logs in as that user (`AUTH <masteruser> <masterauth>`); a user without
/// the replication commands cannot sync.
fn replica_authenticates_as_masteruser(subject: &Subject) {
    let master = start(subject, NodeConfig::new(free_port()));
    let mut admin = master.client();
    ok(admin.cmd(&[
        "ACL",
        "SETUSER",
        "repl",
        "on",
        ">pw",
        "+psync",
        "+replconf",
        "+ping",
    ]));
    ok(admin.cmd(&[
        "ACL",
        "SETUSER",
        "noreplconf",
        "on",
        ">pw",
        "+psync",
        "+ping",
    ]));
    // Nobody gets in without a password any more (the admin connection stays in).
    ok(admin.cmd(&["ACL", "SETUSER", "default", "resetpass"]));

    let replica = start(
        subject,
        NodeConfig::new(free_port())
            .replica_of(master.port())
            .with("masteruser", "repl")
            .with("masterauth", "pw"),
    );
    wait_for_sync(&replica);
    ok(admin.cmd(&["SET", "k", "v"]));
    wait_until(
        DEFAULT_DEADLINE,
        "the write to reach the replica",
        || match replica.cmd(&["GET", "k"]) {
            Frame::Bulk(value) if &value[..] == b"v" => Ok(()),
            other => Err(format!("{other:?}")),
        },
    );
    let Frame::Bulk(list) = admin.cmd(&["CLIENT", "LIST", "TYPE", "replica"]) else {
        panic!("CLIENT LIST is not a bulk string");
    };
    assert!(
        String::from_utf8_lossy(&list).contains("user=repl"),
        "{list:?}"
    );

    // Its REPLCONFs are refused (a replica ignores those answers, but its later acknowledgements get the link
    // dropped, so it never stays in sync).
    let _refused = start(
        subject,
        NodeConfig::new(free_port())
            .replica_of(master.port())
            .with("masteruser", "noreplconf")
            .with("masterauth", "pw"),
    );
    wait_until(
        DEFAULT_DEADLINE,
        "a refused REPLCONF in the ACL log",
        || {
            let log = format!("{:?}", admin.cmd(&["ACL", "LOG"]));
            if log.contains("replconf") && log.contains("noreplconf") {
                Ok(())
            } else {
                Err(log)
            }
        },
    );
}

/// `ACL DELUSER` closes the connections logged in as the user (the caller's own after the reply).
fn deleted_users_lose_their_connections(subject: &Subject) {
    let node = start(subject, NodeConfig::new(free_port()));
    let mut admin = node.client();
    ok(admin.cmd(&["ACL", "SETUSER", "gone", "on", "nopass", "+@all", "~*"]));
    let mut other = node.client();
    ok(other.cmd(&["AUTH", "gone", "x"]));
    let mut bystander = node.client();
    assert_eq!(bystander.cmd(&["PING"]), Frame::Simple("PONG".into()));
    assert_eq!(admin.cmd(&["ACL", "DELUSER", "gone"]), Frame::Integer(1));
    assert!(
        other.try_cmd(&["PING"]).is_err(),
        "the deleted user's connection is closed"
    );
    assert_eq!(bystander.cmd(&["PING"]), Frame::Simple("PONG".into()));

    ok(admin.cmd(&["ACL", "SETUSER", "self", "on", "nopass", "+acl"]));
    let mut own = node.client();
    ok(own.cmd(&["AUTH", "self", "x"]));
    assert_eq!(own.cmd(&["ACL", "DELUSER", "self"]), Frame::Integer(1));
    assert!(own.try_cmd(&["ACL", "WHOAMI"]).is_err());
}

/// A subscriber whose user loses a channel it is subscribed to is disconnected; one whose subscriptions all
/// stay allowed is not.
fn subscribers_lose_revoked_channels(subject: &Subject) {
    let node = start(subject, NodeConfig::new(free_port()));
    let mut admin = node.client();
    ok(admin.cmd(&[
        "ACL",
        "SETUSER",
        "sub",
        "on",
        "nopass",
        "+@all",
        "resetchannels",
        "&keep",
        "&drop",
        "&pat:*",
    ]));
    let subscribe = |args: &[&str]| -> Client {
        let mut client = node.client();
        ok(client.cmd(&["AUTH", "sub", "x"]));
        client.send(args).expect("send SUBSCRIBE");
        client.read_reply().expect("subscribe confirmation");
        client
    };
    let mut keeper = subscribe(&["SUBSCRIBE", "keep"]);
    let mut dropper = subscribe(&["SUBSCRIBE", "drop"]);
    let mut pattern = subscribe(&["PSUBSCRIBE", "pat:*"]);
    ok(admin.cmd(&[
        "ACL",
        "SETUSER",
        "sub",
        "resetchannels",
        "&keep",
        "&pat:*",
        "&new",
    ]));
    assert!(
        dropper.read_reply().is_err(),
        "the dropped channel's subscriber is closed"
    );
    wait_until(
        DEFAULT_DEADLINE,
        "one subscriber left on `drop`",
        || match admin.cmd(&["PUBSUB", "NUMSUB", "drop", "keep"]) {
            Frame::Array(counts) if counts.get(1) == Some(&Frame::Integer(0)) => Ok(()),
            other => Err(format!("{other:?}")),
        },
    );
    assert_eq!(admin.cmd(&["PUBLISH", "keep", "m"]), Frame::Integer(1));
    assert!(keeper.read_reply().is_ok());
    ok(admin.cmd(&["ACL", "SETUSER", "sub", "resetchannels", "&keep"]));
    assert!(
        pattern.read_reply().is_err(),
        "the pattern's subscriber is closed"
    );
    ok(admin.cmd(&["ACL", "SETUSER", "sub", "allchannels"]));
    assert_eq!(admin.cmd(&["PUBLISH", "keep", "m"]), Frame::Integer(1));
}

/// `COMMAND INFO`'s ACL categories (its seventh field) of every command we run are Redis's.
#[test]
fn command_info_categories_match_redis() {
    let redis_server = testkit::require_redis!();
    let ours = start(&Subject::rserver(), NodeConfig::new(free_port()));
    let real = start(&Subject::redis(redis_server), NodeConfig::new(free_port()));
    let Frame::Array(commands) = ours.cmd(&["COMMAND"]) else {
        panic!("COMMAND did not answer an array");
    };
    assert!(commands.len() > 150);
    for info in commands {
        let Frame::Array(fields) = info else {
            panic!("COMMAND entry {info:?}");
        };
        let Frame::Bulk(name) = &fields[0] else {
            panic!("COMMAND entry without a name: {fields:?}");
        };
        let name = String::from_utf8_lossy(name).into_owned();
        let Frame::Array(real_infos) = real.cmd(&["COMMAND", "INFO", &name]) else {
            panic!("COMMAND INFO {name} on redis");
        };
        let Some(Frame::Array(real_fields)) = real_infos.first() else {
            panic!("redis has no command {name}");
        };
        assert_eq!(fields[6], real_fields[6], "ACL categories of {name}");
    }
}
