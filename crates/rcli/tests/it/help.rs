//! The REPL's `help`, built from `COMMAND DOCS`, next to redis-cli's: byte for byte on the same server (every group,
//! so every command and subcommand the server documents), and the same facts for `help set` on rserver and Redis
//! (the summaries are rserver's own words by design).

use testkit::{Node, NodeConfig};

use crate::support::{Cli, RedisServer, free_port, redis_tools_available, rserver_binary};

const TOOLS: &[&str] = &["redis-server", "redis-cli"];

/// Help topics fed to both CLIs, one line each: every group, commands, subcommands, a container, an unknown
/// command, the `?` alias and a repeated `help` (printed once); then the `:set` preferences, good and bad.
const TOPICS: &str = "help @generic\nhelp @string\nhelp @list\nhelp @set\nhelp @sorted-set\nhelp @hash\n\
                      help @pubsub\nhelp @transactions\nhelp @connection\nhelp @server\nhelp @scripting\n\
                      help @hyperloglog\nhelp @cluster\nhelp @geo\nhelp @stream\nhelp @bitmap\n\
                      help set\nhelp SET\nhelp client\nhelp client list\nhelp config get\nhelp nosuchcommand\n\
                      ? get\n3 help get\nhelp @nosuchgroup\n:set nohints\n:set hints\n:set colors\n:nosuch x\n";

#[test]
fn help_like_redis_cli_on_redis() {
    if !redis_tools_available("help_like_redis_cli_on_redis", TOOLS) {
        return;
    }
    let server = RedisServer::start();
    assert_same_help(server.port());
}

#[test]
fn help_like_redis_cli_on_rserver() {
    if !redis_tools_available("help_like_redis_cli_on_rserver", TOOLS) {
        return;
    }
    let Some(rserver) = rserver_binary("help_like_redis_cli_on_rserver") else {
        return;
    };
    let node = Node::start(rserver, NodeConfig::new(free_port()));
    assert_same_help(node.port());
}

/// `help set` through rcli: the name and parameters, `since` and `group` are the same on rserver as on Redis.
#[test]
fn help_set_on_rserver_and_redis() {
    if !redis_tools_available("help_set_on_rserver_and_redis", TOOLS) {
        return;
    }
    let Some(rserver) = rserver_binary("help_set_on_rserver_and_redis") else {
        return;
    };
    let node = Node::start(rserver, NodeConfig::new(free_port()));
    let server = RedisServer::start();
    let facts = |port: u16| -> Vec<String> {
        let run = Cli::Rcli.run(&["-p", &port.to_string()], b"help set\n");
        assert_eq!(run.stderr, "");
        run.stdout
            .split("\r\n")
            .filter(|line| !line.contains("summary:"))
            .map(str::to_owned)
            .collect()
    };
    let on_rserver = facts(node.port());
    assert_eq!(on_rserver, facts(server.port()));
    assert_eq!(
        on_rserver,
        [
            "",
            "  \x1b[1mSET\x1b[0m \x1b[90mkey value [NX|XX] [GET] [EX seconds|PX milliseconds|EXAT unix-time-seconds|\
             PXAT unix-time-milliseconds|KEEPTTL]\x1b[0m",
            "  \x1b[33msince:\x1b[0m 1.0.0",
            "  \x1b[33mgroup:\x1b[0m string",
            "",
            "",
        ]
    );
}

/// rcli and redis-cli print the same help for [`TOPICS`] from the server on `port`.
fn assert_same_help(port: u16) {
    let port = port.to_string();
    let args = ["-p", port.as_str()];
    let expected = Cli::RedisCli.run(&args, TOPICS.as_bytes());
    let actual = Cli::Rcli.run(&args, TOPICS.as_bytes());
    assert!(
        expected.stdout.matches("\x1b[1m").count() > 100,
        "redis-cli printed little help: {expected:?}"
    );
    // Compared topic by topic (each ends in an empty CRLF line) so a failure names the first that differs.
    let topics = |text: &str| -> Vec<String> {
        text.split_inclusive("\r\n\r\n")
            .map(str::to_owned)
            .collect()
    };
    let (expected_topics, actual_topics) = (topics(&expected.stdout), topics(&actual.stdout));
    for (expected, actual) in expected_topics.iter().zip(&actual_topics) {
        assert_eq!(actual, expected, "rcli (left) and redis-cli (right) differ");
    }
    assert_eq!(actual.stdout, expected.stdout);
    assert_eq!(actual.stderr, expected.stderr);
}

/// `rcli help <topic>` on the command line prints what `redis-cli help <topic>` prints (redis-cli answers
/// `help` in one-shot mode as in its REPL).
#[test]
fn one_shot_help_like_redis_cli() {
    if !redis_tools_available("one_shot_help_like_redis_cli", TOOLS) {
        return;
    }
    let server = RedisServer::start();
    let port = server.port().to_string();
    for topic in [
        &["help", "set"][..],
        &["help", "@hash"],
        &["help", "client", "list"],
    ] {
        let mut args = vec!["-p", port.as_str()];
        args.extend_from_slice(topic);
        let ours = Cli::Rcli.run(&args, b"");
        let theirs = Cli::RedisCli.run(&args, b"");
        assert_eq!(ours.stdout, theirs.stdout, "{topic:?}");
        assert_eq!(ours.code, theirs.code, "{topic:?}");
    }
}
