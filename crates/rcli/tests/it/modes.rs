//! The options and special modes of issue 5 next to the real `redis-cli`: `-x`, `-r`/`-i`, `--csv`, `-3`, `-u`,
//! `-s`, `--scan`, `--bigkeys`, `--pipe`, `--rdb`, `--replica`, `--stat` and the latency modes, on a real
//! `redis-server` and, where it supports the commands, on `rserver`.

use testkit::{Node, NodeConfig};

use crate::support::{
    Cli, RedisServer, Run, TempDir, free_port, redis_tools_available, rserver_binary,
};

const TOOLS: &[&str] = &["redis-server", "redis-cli", "stdbuf"];

/// Runs the same command line (and stdin) through both CLIs, resetting the data with `setup` before each.
fn assert_same(port: u16, setup: &[&[&str]], args: &[&str], stdin: &[u8]) -> Run {
    let run = |cli: Cli| {
        load(port, setup);
        cli.run(args, stdin)
    };
    let expected = run(Cli::RedisCli);
    let actual = run(Cli::Rcli);
    assert_eq!(
        actual, expected,
        "{args:?}: rcli (left) and redis-cli (right) differ"
    );
    actual
}

/// Like [`assert_same`] for outputs whose line order follows the server's SCAN order, which changes with its
/// rehashing from one load to the next: lines starting with `[` (--bigkeys progress) and, with `all_lines`, every
/// line is compared as a sorted set; the rest in order.
fn assert_same_unordered(port: u16, setup: &[&[&str]], args: &[&str], all_lines: bool) {
    let normalize = |run: Run| {
        let (mut unordered, ordered): (Vec<&str>, Vec<&str>) = run
            .stdout
            .lines()
            .partition(|line| all_lines || line.starts_with('['));
        unordered.sort();
        (
            unordered.join("\n"),
            ordered.join("\n"),
            run.stderr.clone(),
            run.code,
        )
    };
    load(port, setup);
    let expected = normalize(Cli::RedisCli.run(args, b""));
    load(port, setup);
    let actual = normalize(Cli::Rcli.run(args, b""));
    assert_eq!(
        actual, expected,
        "{args:?}: rcli (left) and redis-cli (right) differ"
    );
}

/// FLUSHALL, then each command through redis-cli.
fn load(port: u16, setup: &[&[&str]]) {
    let port = port.to_string();
    let flush = Cli::RedisCli.run(&["-p", &port, "FLUSHALL"], b"");
    assert_eq!(flush.stdout, "OK\n", "FLUSHALL: {flush:?}");
    for command in setup {
        let mut args = vec!["-p", port.as_str()];
        args.extend_from_slice(command);
        let run = Cli::RedisCli.run(&args, b"");
        assert_eq!(run.code, Some(0), "{command:?}: {run:?}");
    }
}

const DATASET: &[&[&str]] = &[
    &["SET", "s", "hello"],
    &["SET", "longer string key", "a value of some length"],
    &["SET", "bin\u{1}ary\"key", "x"],
    &["RPUSH", "l", "a", "b", "c"],
    &["HSET", "h", "f", "v", "g", "w"],
    &["SADD", "st", "x", "y"],
    &["ZADD", "z", "3.14", "a", "1", "b", "0.1", "c"],
    &["SELECT", "0"],
];

#[test]
fn options_like_redis_cli() {
    if !redis_tools_available("options_like_redis_cli", TOOLS) {
        return;
    }
    let server = RedisServer::start_with(
        free_port(),
        &[
            "--unixsocket",
            "{dir}/redis.sock",
            "--enable-debug-command",
            "yes",
        ],
    );
    let port = server.port().to_string();
    let p = port.as_str();
    let socket = server.dir().join("redis.sock").display().to_string();
    let uri = format!("redis://127.0.0.1:{port}/3");
    let bad_password_uri = format!("redis://bob:p%40ss@127.0.0.1:{port}");
    let cases: &[(&[&str], &[u8])] = &[
        // -x: the last argument from stdin, binary and all.
        (&["-p", p, "-x", "SET", "k"], b"line one\nline\x00two\n"),
        (&["-p", p, "-x", "GET"], b"k"),
        (&["-p", p, "--no-raw", "-x", "SET", "k"], b"\x01\xff"),
        // -r / -i, and -r 0 (connects, sends nothing).
        (&["-p", p, "-r", "3", "INCR", "n"], b""),
        (
            &[
                "-p", p, "-r", "2", "-i", "0.01", "--no-raw", "LRANGE", "l", "0", "-1",
            ],
            b"",
        ),
        (&["-p", p, "-r", "0", "PING"], b""),
        // --csv for every RESP2 shape, and errors.
        (&["-p", p, "--csv", "LRANGE", "l", "0", "-1"], b""),
        (&["-p", p, "--csv", "HGETALL", "h"], b""),
        (&["-p", p, "--csv", "GET", "missing"], b""),
        (&["-p", p, "--csv", "INCR", "n"], b""),
        (&["-p", p, "--csv", "SET", "q", "a\"b\\c\n"], b""),
        (&["-p", p, "--csv", "GET", "q"], b""),
        (&["-p", p, "--csv", "NOSUCH"], b""),
        (&["-p", p, "--csv", "INFO", "keyspace"], b""),
        // -3: RESP3 maps, sets, doubles, booleans, verbatim strings and null, in each output mode.
        (&["-p", p, "-3", "--no-raw", "HGETALL", "h"], b""),
        (&["-p", p, "-3", "--no-raw", "SMEMBERS", "st"], b""),
        (
            &[
                "-p",
                p,
                "-3",
                "--no-raw",
                "ZRANGE",
                "z",
                "0",
                "-1",
                "WITHSCORES",
            ],
            b"",
        ),
        (&["-p", p, "-3", "--no-raw", "ZSCORE", "z", "c"], b""),
        (&["-p", p, "-3", "--no-raw", "GET", "missing"], b""),
        (
            &["-p", p, "-3", "--no-raw", "CONFIG", "GET", "maxmemory*"],
            b"",
        ),
        (
            &[
                "-p",
                p,
                "-3",
                "--csv",
                "ZRANGE",
                "z",
                "0",
                "-1",
                "WITHSCORES",
            ],
            b"",
        ),
        (&["-p", p, "-3", "--raw", "HGETALL", "h"], b""),
        (&["-p", p, "-3", "--csv", "HGETALL", "h"], b""),
        (&["-p", p, "-2", "--no-raw", "HGETALL", "h"], b""),
        (&["-p", p, "-2", "-3", "PING"], b""),
        (
            &["-p", p, "-3", "--no-raw", "DEBUG", "PROTOCOL", "map"],
            b"",
        ),
        (
            &["-p", p, "-3", "--no-raw", "DEBUG", "PROTOCOL", "set"],
            b"",
        ),
        (
            &["-p", p, "-3", "--no-raw", "DEBUG", "PROTOCOL", "double"],
            b"",
        ),
        (
            &["-p", p, "-3", "--no-raw", "DEBUG", "PROTOCOL", "true"],
            b"",
        ),
        (
            &["-p", p, "-3", "--no-raw", "DEBUG", "PROTOCOL", "false"],
            b"",
        ),
        (
            &["-p", p, "-3", "--no-raw", "DEBUG", "PROTOCOL", "verbatim"],
            b"",
        ),
        (
            &["-p", p, "-3", "--no-raw", "DEBUG", "PROTOCOL", "null"],
            b"",
        ),
        (&["-p", p, "-3", "--csv", "DEBUG", "PROTOCOL", "map"], b""),
        (&["-p", p, "-3", "--csv", "DEBUG", "PROTOCOL", "true"], b""),
        (
            &["-p", p, "-3", "--csv", "DEBUG", "PROTOCOL", "verbatim"],
            b"",
        ),
        (&["-p", p, "-3", "--raw", "DEBUG", "PROTOCOL", "false"], b""),
        (
            &["-p", p, "-3", "--raw", "DEBUG", "PROTOCOL", "double"],
            b"",
        ),
        // -u: database, user and percent-encoded password, bad schemes.
        (&["-u", &uri, "SET", "a", "in three"], b""),
        (&["-p", p, "-n", "3", "GET", "a"], b""),
        (&["-u", &uri, "-n", "4", "GET", "a"], b""),
        (&["-u", &bad_password_uri, "PING"], b""),
        (&["-u", "http://localhost", "PING"], b""),
        (&["-u", "redis://:%4@x", "PING"], b""),
        (&["-u", "redis://:%zz@x", "PING"], b""),
        (&["-u", "redis://:%@x", "PING"], b""),
        (&["-u", "redis://%4", "PING"], b""),
        (&["-u", "redis://a%41b:c%2fd@127.0.0.1:1/2", "PING"], b""),
        // --user / --pass.
        (
            &[
                "-p",
                p,
                "--user",
                "bob",
                "--pass",
                "pw",
                "--no-auth-warning",
                "PING",
            ],
            b"",
        ),
        // -s: a Unix socket, and one that is not there.
        (&["-s", &socket, "PING"], b""),
        (&["-s", &socket, "-n", "3", "GET", "a"], b""),
        (&["-s", "/nonexistent/redis.sock", "PING"], b""),
    ];
    // The same data before each run: several cases write.
    let mut setup = DATASET.to_vec();
    setup.push(&["SET", "k", "before"]);
    for (args, stdin) in cases {
        assert_same(server.port(), &setup, args, stdin);
    }
}

#[test]
fn scan_and_bigkeys_like_redis_cli() {
    if !redis_tools_available("scan_and_bigkeys_like_redis_cli", TOOLS) {
        return;
    }
    let server = RedisServer::start();
    check_scan_and_bigkeys(server.port());
}

#[test]
fn scan_and_bigkeys_on_rserver_like_redis_cli() {
    if !redis_tools_available("scan_and_bigkeys_on_rserver_like_redis_cli", TOOLS) {
        return;
    }
    let Some(rserver) = rserver_binary("scan_and_bigkeys_on_rserver_like_redis_cli") else {
        return;
    };
    let node = Node::start(rserver, NodeConfig::new(free_port()));
    check_scan_and_bigkeys(node.port());
}

fn check_scan_and_bigkeys(port: u16) {
    let port = port.to_string();
    let p = port.as_str();
    for args in [
        &["-p", p, "--scan"][..],
        &["-p", p, "--scan", "--no-raw"],
        &["-p", p, "--scan", "--pattern", "l*"],
        &["-p", p, "--scan", "--pattern", "nothing*"],
        &["-p", p, "--scan", "-i", "0.01"],
        &["-p", p, "--bigkeys"],
        &["-p", p, "--bigkeys", "--pattern", "*s*"],
        &["-p", p, "-n", "5", "--bigkeys"],
    ] {
        let scan = args.contains(&"--scan");
        assert_same_unordered(port.parse().expect("a port"), DATASET, args, scan);
    }
    // More keys than one SCAN call returns.
    let many: Vec<Vec<String>> = (0..120)
        .map(|index| vec!["SET".to_owned(), format!("key:{index}"), "v".repeat(index)])
        .collect();
    let many: Vec<Vec<&str>> = many
        .iter()
        .map(|command| command.iter().map(String::as_str).collect())
        .collect();
    let many: Vec<&[&str]> = many.iter().map(Vec::as_slice).collect();
    // The server's SCAN order of many keys varies with its own rehashing between loads: compare sorted keys, and
    // of --bigkeys the summary (the "so far" lines follow the SCAN order).
    let port: u16 = port.parse().expect("a port");
    let sorted = |run: Run| {
        let mut lines: Vec<String> = run.stdout.lines().map(str::to_owned).collect();
        lines.sort();
        (lines.join("\n"), run.stderr, run.code)
    };
    let summary = |run: Run| {
        let start = run.stdout.find("-------- summary").unwrap_or(0);
        (run.stdout[start..].to_owned(), run.stderr, run.code)
    };
    let checks: [(&[&str], &Comparison); 2] = [
        (&["-p", p, "--scan"], &sorted),
        (&["-p", p, "--bigkeys"], &summary),
    ];
    for (args, compare) in checks {
        load(port, &many);
        let expected = compare(Cli::RedisCli.run(args, b""));
        load(port, &many);
        let actual = compare(Cli::Rcli.run(args, b""));
        assert_eq!(
            actual, expected,
            "{args:?}: rcli (left) and redis-cli (right) differ"
        );
    }
    load(port, &many);
    assert_eq!(
        Cli::Rcli
            .run(&["-p", p, "--scan"], b"")
            .stdout
            .lines()
            .count(),
        120
    );
}

/// What of a [`Run`] a check compares: (stdout as normalized, stderr, exit code).
type Comparison = dyn Fn(Run) -> (String, String, Option<i32>);

/// Raw RESP for `--pipe`: writes, an error, and inline commands.
fn pipe_input() -> Vec<u8> {
    let mut input = Vec::new();
    for index in 0..2000 {
        let key = format!("pipe:{index}");
        input.extend_from_slice(
            format!("*3\r\n$3\r\nSET\r\n${}\r\n{key}\r\n$1\r\nv\r\n", key.len()).as_bytes(),
        );
    }
    input.extend_from_slice(b"*1\r\n$6\r\nNOSUCH\r\n");
    input.extend_from_slice(b"*2\r\n$4\r\nINCR\r\n$7\r\npipe:10\r\n");
    input
}

#[test]
fn pipe_like_redis_cli() {
    if !redis_tools_available("pipe_like_redis_cli", TOOLS) {
        return;
    }
    let server = RedisServer::start();
    check_pipe(server.port());
}

#[test]
fn pipe_on_rserver_like_redis_cli() {
    if !redis_tools_available("pipe_on_rserver_like_redis_cli", TOOLS) {
        return;
    }
    let Some(rserver) = rserver_binary("pipe_on_rserver_like_redis_cli") else {
        return;
    };
    let node = Node::start(rserver, NodeConfig::new(free_port()));
    check_pipe(node.port());
}

fn check_pipe(port: u16) {
    let p = port.to_string();
    let run = assert_same(port, &[], &["-p", &p, "--pipe"], &pipe_input());
    // NOSUCH and the INCR of a non-number.
    assert_eq!(run.stdout.lines().last(), Some("errors: 2, replies: 2002"));
    let clean = assert_same(port, &[], &["-p", &p, "--pipe"], b"*1\r\n$4\r\nPING\r\n");
    assert_eq!(clean.code, Some(0));
    assert_same(port, &[], &["-p", &p, "--pipe"], b"");
}

#[test]
fn rdb_like_redis_cli() {
    if !redis_tools_available("rdb_like_redis_cli", TOOLS) {
        return;
    }
    // Disk-based and diskless transfers: a byte count, or the EOF mark.
    for diskless in ["no", "yes"] {
        let server = RedisServer::start_with(
            free_port(),
            &[
                "--repl-diskless-sync",
                diskless,
                "--repl-diskless-sync-delay",
                "0",
            ],
        );
        check_rdb(server.port(), true);
    }
}

#[test]
fn rdb_from_rserver_like_redis_cli() {
    if !redis_tools_available("rdb_from_rserver_like_redis_cli", TOOLS) {
        return;
    }
    let Some(rserver) = rserver_binary("rdb_from_rserver_like_redis_cli") else {
        return;
    };
    let node = Node::start(rserver, NodeConfig::new(free_port()));
    // rserver writes its own RDB (with its own aux fields), the same for both CLIs.
    check_rdb(node.port(), false);
}

fn check_rdb(port: u16, same_bytes: bool) {
    let dir = TempDir::new("rdb");
    let p = port.to_string();
    load(port, DATASET);
    let fetch = |cli: Cli, name: &str| {
        let path = dir.path().join(name);
        let run = cli.run(&["-p", &p, "--rdb", &path.display().to_string()], b"");
        let expected = run.stderr.replace(&path.display().to_string(), "FILE");
        (run, expected, std::fs::read(&path).unwrap_or_default())
    };
    let (expected_run, expected_stderr, expected_file) = fetch(Cli::RedisCli, "redis-cli.rdb");
    let (actual_run, actual_stderr, actual_file) = fetch(Cli::Rcli, "rcli.rdb");
    assert_eq!(
        actual_stderr, expected_stderr,
        "rcli (left) and redis-cli (right) differ"
    );
    assert_eq!(
        (actual_run.code, &actual_run.stdout),
        (expected_run.code, &expected_run.stdout)
    );
    assert!(
        actual_file.starts_with(b"REDIS"),
        "not an RDB: {actual_file:?}"
    );
    if same_bytes {
        assert_eq!(actual_file.len(), expected_file.len());
    }
    // Into an unwritable place.
    assert_same(
        port,
        DATASET,
        &["-p", &p, "--rdb", "/nonexistent/dir/x.rdb"],
        b"",
    );
}

#[test]
fn replica_like_redis_cli() {
    if !redis_tools_available("replica_like_redis_cli", TOOLS) {
        return;
    }
    for diskless in ["no", "yes"] {
        let server = RedisServer::start_with(
            free_port(),
            &[
                "--repl-diskless-sync",
                diskless,
                "--repl-diskless-sync-delay",
                "0",
            ],
        );
        check_replica(server.port());
    }
}

#[test]
fn replica_of_rserver_like_redis_cli() {
    if !redis_tools_available("replica_of_rserver_like_redis_cli", TOOLS) {
        return;
    }
    let Some(rserver) = rserver_binary("replica_of_rserver_like_redis_cli") else {
        return;
    };
    let node = Node::start(rserver, NodeConfig::new(free_port()));
    check_replica(node.port());
}

/// Both CLIs follow the same master at once and must print the same stream. Pings from the master and the frame
/// redis-cli swallows after its first ACK (a SELECT or a ping, by timing) are left out of the comparison.
fn check_replica(port: u16) {
    let p = port.to_string();
    load(port, DATASET);
    let args = ["-p", p.as_str(), "--replica"];
    let followers = [Cli::RedisCli.spawn(&args), Cli::Rcli.spawn(&args)];
    for follower in &followers {
        follower.wait_for("the replica to log commands", |_, err| {
            err.contains("Logging commands from master.\n")
                && (!err.contains("EOF marker") || err.contains("sending REPLCONF ACK 0\n"))
        });
    }
    for command in [
        &["SET", "k", "v"][..],
        &["RPUSH", "l", "x y", "z\"q"],
        &["INCRBY", "n", "5"],
        &["DEL", "k"],
    ] {
        let mut full = vec!["-p", p.as_str()];
        full.extend_from_slice(command);
        Cli::RedisCli.run(&full, b"");
    }
    for follower in &followers {
        follower.wait_for("the last command", |out, _| {
            out.to_ascii_lowercase().contains("\"del\",\"k\"\n")
        });
    }
    let relevant = |text: String| -> Vec<String> {
        text.lines()
            .filter(|line| *line != "\"ping\"" && !line.starts_with("\"select\""))
            .map(str::to_owned)
            .collect()
    };
    let [expected, actual] = &followers;
    assert_eq!(
        relevant(actual.stdout()),
        relevant(expected.stdout()),
        "rcli (left) and redis-cli (right) differ"
    );
    let masked = |text: String| -> String {
        text.chars()
            .map(|c| if c.is_ascii_digit() { '#' } else { c })
            .collect()
    };
    assert_eq!(masked(actual.stderr()), masked(expected.stderr()));
}

#[test]
fn stat_and_latency_first_lines_like_redis_cli() {
    if !redis_tools_available("stat_and_latency_first_lines_like_redis_cli", TOOLS) {
        return;
    }
    let server = RedisServer::start();
    let p = server.port().to_string();
    load(server.port(), DATASET);
    let first_lines = |cli: Cli, args: &[&str], lines: usize| -> Vec<String> {
        let running = cli.spawn(args);
        running.wait_for("the first lines", |out, _| out.lines().count() >= lines);
        running
            .stdout()
            .lines()
            .take(lines)
            .map(str::to_owned)
            .collect()
    };
    // --stat: same header, same columns; the request and connection counts move between the two runs.
    let stat_args = ["-p", p.as_str(), "--stat", "-i", "0.05"];
    let expected = first_lines(Cli::RedisCli, &stat_args, 4);
    let actual = first_lines(Cli::Rcli, &stat_args, 4);
    assert_eq!(actual[..2], expected[..2]);
    assert_eq!(&actual[2][..11], &expected[2][..11], "keys column");
    let widths = |line: &str| line.split_whitespace().count();
    for (actual, expected) in actual[2..].iter().zip(&expected[2..]) {
        assert_eq!(
            widths(actual),
            widths(expected),
            "{actual:?} vs {expected:?}"
        );
        assert!(actual.ends_with(' '), "{actual:?}");
    }
    // --latency-history in raw and CSV: "min max avg count" per sample.
    for (format, separator) in [("--raw", ' '), ("--csv", ',')] {
        let args = ["-p", p.as_str(), "--latency-history", format, "-i", "5"];
        for cli in [Cli::RedisCli, Cli::Rcli] {
            let lines = first_lines(cli, &args, 2);
            for (index, line) in lines.iter().enumerate() {
                let fields: Vec<&str> = line.split(separator).collect();
                assert_eq!(fields.len(), 4, "{cli:?} {format}: {line:?}");
                assert!(fields[2].contains('.'), "{cli:?} {format}: {line:?}");
                assert_eq!(
                    fields[3],
                    (index + 1).to_string(),
                    "{cli:?} {format}: {line:?}"
                );
            }
        }
    }
    // --latency without a terminal: one line after the interval, then exit 0.
    for cli in [Cli::RedisCli, Cli::Rcli] {
        let run = cli.run(&["-p", &p, "--latency", "--csv", "-i", "0.1"], b"");
        assert_eq!(run.code, Some(0), "{cli:?}: {run:?}");
        assert_eq!(run.stdout.lines().count(), 1, "{cli:?}: {run:?}");
        assert_eq!(run.stdout.split(',').count(), 4, "{cli:?}: {run:?}");
    }
}

#[test]
fn modes_without_a_server_like_redis_cli() {
    if !redis_tools_available("modes_without_a_server_like_redis_cli", TOOLS) {
        return;
    }
    let p = free_port().to_string();
    for mode in [
        &["--scan"][..],
        &["--bigkeys"],
        &["--pipe"],
        &["--stat"],
        &["--latency"],
        &["--replica"],
        &["--rdb", "x.rdb"],
    ] {
        let mut args = vec!["-p", p.as_str()];
        args.extend_from_slice(mode);
        let expected = Cli::RedisCli.run(&args, b"");
        let actual = Cli::Rcli.run(&args, b"");
        assert_eq!(
            actual, expected,
            "{args:?}: rcli (left) and redis-cli (right) differ"
        );
    }
}
