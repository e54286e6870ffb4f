//! The command table is Redis's own: for every command rserver runs, `COMMAND INFO` gives the real Redis
//! 7.0.15's name, arity, flags, key positions and ACL categories, and the behaviour those flags decide
//! follows them, subcommands included (a container's subcommand is checked with its own flags).

use resp::Frame;
use testkit::{Node, NodeConfig, free_port};

use crate::support::{Subject, on_both_servers};

on_both_servers!(
    a_stale_replica_refuses_ping,
    scripts_follow_each_subcommands_flags
);

/// Every command we list has Redis's facts in `COMMAND INFO`, field for field (the first seven fields;
/// tips, key specs and subcommands are not listed yet).
#[test]
fn command_info_matches_redis_for_every_command_we_run() {
    let redis_server = testkit::require_redis!();
    let ours = Subject::rserver().start(NodeConfig::new(free_port()));
    let real = Subject::redis(redis_server).start(NodeConfig::new(free_port()));
    let Frame::Array(listed) = ours.cmd(&["COMMAND", "LIST"]) else {
        panic!("COMMAND LIST did not answer an array")
    };
    assert!(listed.len() > 200, "{} commands", listed.len());
    for name in &listed {
        let Frame::Bulk(name) = name else {
            panic!("COMMAND LIST entry {name:?}")
        };
        let name = String::from_utf8_lossy(name).into_owned();
        let ours = info(&ours, &name);
        let real = info(&real, &name);
        assert_eq!(ours[..7], real[..7], "COMMAND INFO {name}");
    }
}

fn info(node: &Node, name: &str) -> Vec<Frame> {
    match node.cmd(&["COMMAND", "INFO", name]) {
        Frame::Array(mut entries) if entries.len() == 1 => match entries.remove(0) {
            Frame::Array(fields) => fields,
            other => panic!("COMMAND INFO {name}: {other:?}"),
        },
        other => panic!("COMMAND INFO {name}: {other:?}"),
    }
}

/// `PING` has no `stale` flag in Redis 7.0: a replica whose link is down refuses it with
/// `replica-serve-stale-data no`, while `ECHO` (stale) still answers.
fn a_stale_replica_refuses_ping(subject: &Subject) {
    let unreachable_master = free_port();
    let node = subject.start(
        NodeConfig::new(free_port()).with("replicaof", format!("127.0.0.1 {unreachable_master}")),
    );
    // Set once started: the node's readiness check is a PING.
    node.cmd(&["CONFIG", "SET", "replica-serve-stale-data", "no"]);
    let Frame::Error(error) = node.cmd(&["PING"]) else {
        panic!("PING answered on a stale replica")
    };
    assert!(error.starts_with(b"MASTERDOWN "), "{error:?}");
    assert_eq!(node.cmd(&["ECHO", "x"]), Frame::bulk("x"));
}

/// A script may call what Redis 7.0 lets it call, subcommand by subcommand: `OBJECT ENCODING` and
/// `CLIENT HELP` yes, `CLIENT ID`, `CONFIG GET` and `QUIT` no.
fn scripts_follow_each_subcommands_flags(subject: &Subject) {
    let node = subject.start(NodeConfig::new(free_port()));
    node.cmd(&["SET", "k", "1"]);
    let call = |command: &str| node.cmd(&["EVAL", &format!("return redis.pcall({command})"), "0"]);
    assert_eq!(call("'object', 'encoding', 'k'"), Frame::bulk("int"));
    assert!(matches!(call("'client', 'help'"), Frame::Array(_)));
    let refused = Frame::Error("ERR This Redis command is not allowed from script".into());
    for command in ["'client', 'id'", "'config', 'get', 'port'", "'quit'"] {
        let Frame::Error(error) = call(command) else {
            panic!("{command}: allowed from a script")
        };
        assert!(
            error.starts_with(b"ERR This Redis command is not allowed from script"),
            "{command}: {error:?} (expected {refused:?})"
        );
    }
}

/// `COMMAND GETKEYS` and `GETKEYSANDFLAGS` answer as redis-server does, for commands we run and those we
/// do not, with every error.
#[test]
fn command_getkeys_matches_redis() {
    let redis_server = testkit::require_redis!();
    let ours = Subject::rserver().start(NodeConfig::new(free_port()));
    let real = Subject::redis(redis_server).start(NodeConfig::new(free_port()));
    let cases: &[&[&str]] = &[
        &["GETKEYS", "get", "k"],
        &["GETKEYS", "mset", "a", "1", "b", "2"],
        &["GETKEYS", "eval", "return 1", "2", "x", "y", "arg"],
        &["GETKEYS", "eval", "return 1", "0"],
        &[
            "GETKEYS",
            "zunionstore",
            "d",
            "2",
            "a",
            "b",
            "WEIGHTS",
            "1",
            "2",
        ],
        &[
            "GETKEYS", "xread", "COUNT", "1", "STREAMS", "s1", "s2", "0", "0",
        ],
        &["GETKEYS", "sort", "l", "BY", "w_*", "STORE", "dst"],
        &[
            "GETKEYS", "migrate", "h", "1", "", "0", "5", "KEYS", "a", "b",
        ],
        &["GETKEYS", "object", "encoding", "k"],
        &["GETKEYS", "blmpop", "0", "2", "a", "b", "LEFT"],
        &["GETKEYS", "nosuchcommand", "k"],
        &["GETKEYS", "ping"],
        &["GETKEYS", "get"],
        &["GETKEYS", "zunionstore", "d", "0", "a"],
        &["GETKEYS", "config", "get", "x"],
        &["GETKEYSANDFLAGS", "set", "k", "v"],
        &["GETKEYSANDFLAGS", "set", "k", "v", "GET"],
        &["GETKEYSANDFLAGS", "lmove", "a", "b", "LEFT", "RIGHT"],
        &["GETKEYSANDFLAGS", "del", "a", "b"],
        &["GETKEYSANDFLAGS", "bitfield", "k", "GET", "u8", "0"],
    ];
    for case in cases {
        let mut args = vec!["COMMAND"];
        args.extend_from_slice(case);
        assert_eq!(ours.cmd(&args), real.cmd(&args), "{args:?}");
    }
}
