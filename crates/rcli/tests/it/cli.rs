//! End-to-end runs of the built `rcli` next to the real `redis-cli`, both against the same real `redis-server`:
//! what they print on stdout and stderr and their exit codes must be identical.

use crate::support::{Cli, RedisServer, Run, free_port, redis_tools_available};

/// Runs `commands` one-shot with `options` in front of each, from an empty server, and collects every run.
fn transcript(cli: Cli, server: &RedisServer, options: &[&str], commands: &[&[&str]]) -> Vec<Run> {
    let port = server.port().to_string();
    let flush = Cli::RedisCli.run(&["-p", &port, "FLUSHALL"], b"");
    assert_eq!(flush.stdout, "OK\n", "FLUSHALL before a transcript");
    commands
        .iter()
        .map(|command| {
            let mut args = vec!["-p", port.as_str()];
            args.extend_from_slice(options);
            args.extend_from_slice(command);
            cli.run(&args, b"")
        })
        .collect()
}

fn assert_same_transcripts(server: &RedisServer, options: &[&str], commands: &[&[&str]]) {
    let expected = transcript(Cli::RedisCli, server, options, commands);
    let actual = transcript(Cli::Rcli, server, options, commands);
    for ((command, actual), expected) in commands.iter().zip(&actual).zip(&expected) {
        assert_eq!(
            actual, expected,
            "{options:?} {command:?}: rcli (left) and redis-cli (right) differ"
        );
    }
}

const COMMANDS: &[&[&str]] = &[
    &["SET", "k", "v"],
    &["GET", "k"],
    &["GET", "missing"],
    &["INCR", "counter"],
    &["INCR", "k"],
    &[
        "RPUSH", "list", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l",
    ],
    &["LRANGE", "list", "0", "-1"],
    &["LRANGE", "missing", "0", "-1"],
    &["HSET", "hash", "field", "value"],
    &["HGETALL", "hash"],
    &[
        "SET",
        "odd",
        "quote\" backslash\\ tab\t newline\n bell\x07 high\u{e9}",
    ],
    &["GET", "odd"],
    &["FOO", "bar"],
    &["ZADD", "zset", "0.1", "member"],
    &["ZRANGE", "zset", "0", "-1", "WITHSCORES"],
    &["INFO", "keyspace"],
    &["CONFIG", "GET", "maxmemory"],
    &["SELECT", "99"],
    &["DEL", "k", "list"],
];

#[test]
fn one_shot_commands_print_like_redis_cli() {
    if !redis_tools_available(
        "one_shot_commands_print_like_redis_cli",
        &["redis-server", "redis-cli"],
    ) {
        return;
    }
    let server = RedisServer::start();
    // No option: stdout is a pipe here, so both default to raw output.
    for options in [&[][..], &["--no-raw"], &["--raw"], &["--raw", "--no-raw"]] {
        assert_same_transcripts(&server, options, COMMANDS);
    }
}

#[test]
fn database_and_password_options_like_redis_cli() {
    if !redis_tools_available(
        "database_and_password_options_like_redis_cli",
        &["redis-server", "redis-cli"],
    ) {
        return;
    }
    let server = RedisServer::start();
    assert_same_transcripts(&server, &["-n", "2"], &[&["SET", "a", "1"], &["GET", "a"]]);
    assert_same_transcripts(&server, &["-n", "100"], &[&["PING"]]);
    // The server has no password: AUTH fails, redis-cli says so on stderr and runs the command anyway.
    assert_same_transcripts(&server, &["-a", "secret"], &[&["PING"]]);
    assert_same_transcripts(
        &server,
        &["-a", "secret", "--no-auth-warning", "-n", "3"],
        &[&["PING"]],
    );
    assert_same_transcripts(
        &server,
        &["--user", "bob", "--pass", "secret"],
        &[&["PING"]],
    );
}

#[test]
fn database_option_selects() {
    if !redis_tools_available("database_option_selects", &["redis-server", "redis-cli"]) {
        return;
    }
    let server = RedisServer::start();
    let port = server.port().to_string();
    Cli::Rcli.run(&["-p", &port, "-n", "5", "SET", "where", "five"], b"");
    assert_eq!(
        Cli::RedisCli
            .run(&["-p", &port, "-n", "5", "GET", "where"], b"")
            .stdout,
        "five\n"
    );
    assert_eq!(
        Cli::RedisCli
            .run(&["-p", &port, "GET", "where"], b"")
            .stdout,
        "\n"
    );
}

#[test]
fn bad_command_lines_like_redis_cli() {
    if !redis_tools_available("bad_command_lines_like_redis_cli", &["redis-cli"]) {
        return;
    }
    let port = free_port().to_string();
    for args in [
        &["--foo", "PING"][..],
        &["-p"],
        &["-n", "1", "-a"],
        &["-p", &port, "PING"],
    ] {
        let expected = Cli::RedisCli.run(args, b"");
        let actual = Cli::Rcli.run(args, b"");
        assert_eq!(
            actual, expected,
            "{args:?}: rcli (left) and redis-cli (right) differ"
        );
    }
}

/// The REPL with a pipe on stdin: no prompt, lines run one by one, same output as redis-cli's.
#[test]
fn piped_session_like_redis_cli() {
    if !redis_tools_available(
        "piped_session_like_redis_cli",
        &["redis-server", "redis-cli"],
    ) {
        return;
    }
    let server = RedisServer::start();
    let port = server.port().to_string();
    let script = b"set a 1\n\
        get a\n\
        \n   \n\
        select 2\n\
        get a\n\
        set b 'x y'\n\
        get b\n\
        get \"unbalanced\n\
        3 incr counter\n\
        0 ping\n\
        set \"\\x01\\xff\" binary\n\
        keys *\n\
        multi\n\
        incr counter\n\
        exec\n\
        nosuchcommand\r\n\
        quit\n\
        get a\n";
    for options in [&[][..], &["--no-raw"]] {
        let mut args = vec!["-p", port.as_str()];
        args.extend_from_slice(options);
        Cli::RedisCli.run(&["-p", &port, "FLUSHALL"], b"");
        let expected = Cli::RedisCli.run(&args, script);
        Cli::RedisCli.run(&["-p", &port, "FLUSHALL"], b"");
        let actual = Cli::Rcli.run(&args, script);
        assert_eq!(
            actual, expected,
            "{options:?}: rcli (left) and redis-cli (right) differ"
        );
    }
}

#[test]
fn piped_session_without_server_like_redis_cli() {
    if !redis_tools_available(
        "piped_session_without_server_like_redis_cli",
        &["redis-cli"],
    ) {
        return;
    }
    let port = free_port().to_string();
    let script = b"ping\nget a\n";
    let expected = Cli::RedisCli.run(&["-p", &port], script);
    let actual = Cli::Rcli.run(&["-p", &port], script);
    assert_eq!(actual, expected, "rcli (left) and redis-cli (right) differ");
}
