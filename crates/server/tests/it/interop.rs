//! Interop with the real Redis tools: `redis-cli` and `redis-benchmark` against the server under test.
//! Needs the Redis tools even for the `rserver` runs; skips loudly without them (fails under `REQUIRE_REDIS=1`).

use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::thread::JoinHandle;

use testkit::{DEFAULT_DEADLINE, NodeConfig, free_port, poll_until, redis_tool};

use crate::support::{Subject, dbsize, get, on_both_servers};

on_both_servers!(redis_cli_commands, redis_benchmark_set_get);

/// What redis-cli prints for a few commands when its output is not a terminal (one value per line, errors
/// without `(error) `), and with `--no-raw` (quoted, typed).
fn redis_cli_commands(subject: &Subject) {
    testkit::require_redis!();
    let node = subject.start(NodeConfig::new(free_port()));
    let port = node.port().to_string();
    let redis_cli = |args: &[&str]| {
        let mut full_args = vec!["-p", port.as_str()];
        full_args.extend_from_slice(args);
        let output = run_tool("redis-cli", &full_args);
        assert!(
            output.status.success(),
            "redis-cli {args:?} failed: {output:?}"
        );
        output.stdout
    };

    assert_eq!(redis_cli(&["PING"]), "PONG\n");
    assert_eq!(redis_cli(&["SET", "foo", "bar"]), "OK\n");
    assert_eq!(redis_cli(&["GET", "foo"]), "bar\n");
    assert_eq!(redis_cli(&["--no-raw", "GET", "foo"]), "\"bar\"\n");
    assert_eq!(redis_cli(&["GET", "nosuchkey"]), "\n");
    assert_eq!(redis_cli(&["--no-raw", "GET", "nosuchkey"]), "(nil)\n");
    assert_eq!(redis_cli(&["DBSIZE"]), "1\n");
    assert_eq!(redis_cli(&["--no-raw", "DBSIZE"]), "(integer) 1\n");
    assert_eq!(
        redis_cli(&["INCR", "foo"]),
        "ERR value is not an integer or out of range\n\n"
    );
    assert_eq!(redis_cli(&["ROLE"]), "master\n0\n\n");
    assert_eq!(
        redis_cli(&["--no-raw", "ROLE"]),
        "1) \"master\"\n2) (integer) 0\n3) (empty array)\n"
    );
    assert_eq!(get(&node, "foo").as_deref(), Some("bar"));
}

/// `redis-benchmark -t set,get -n 10000 -q` completes, reports a rate for both tests, and leaves its key.
fn redis_benchmark_set_get(subject: &Subject) {
    testkit::require_redis!();
    let node = subject.start(NodeConfig::new(free_port()));
    let port = node.port().to_string();
    let output = run_tool(
        "redis-benchmark",
        &["-p", &port, "-t", "set,get", "-n", "10000", "-q"],
    );
    assert!(
        output.status.success(),
        "redis-benchmark failed: {output:?}"
    );
    // Quiet mode overwrites a progress line with `\r` before printing each result line.
    let results: Vec<&str> = output
        .stdout
        .split(['\r', '\n'])
        .map(str::trim)
        .filter(|line| line.contains(" requests per second"))
        .collect();
    for test in ["SET", "GET"] {
        let line = results
            .iter()
            .find(|line| line.starts_with(&format!("{test}: ")))
            .unwrap_or_else(|| panic!("no {test} result in redis-benchmark output: {output:?}"));
        let rate: f64 = line[test.len() + 2..]
            .split(' ')
            .next()
            .and_then(|rate| rate.parse().ok())
            .unwrap_or_else(|| panic!("no rate in {line:?}"));
        assert!(rate > 0.0, "{line}");
    }
    let lowercase_output = format!("{}{}", output.stdout, output.stderr).to_lowercase();
    assert!(
        !lowercase_output.contains("error"),
        "redis-benchmark reported an error: {output:?}"
    );
    assert_eq!(
        dbsize(&node),
        1,
        "redis-benchmark without -r uses the single key key:__rand_int__"
    );
    let value = get(&node, "key:__rand_int__").expect("the benchmark's key exists");
    assert_eq!(value.len(), 3, "default -d 3 payload");
}

/// What a finished tool printed.
#[derive(Debug)]
struct ToolOutput {
    status: ExitStatus,
    stdout: String,
    stderr: String,
}

/// Runs a Redis tool to completion under the default deadline; killed (and the test failed) if it hangs.
fn run_tool(name: &str, args: &[&str]) -> ToolOutput {
    let program = redis_tool(name).unwrap_or_else(|| panic!("{name} not on PATH"));
    let mut child = spawn_piped(&program, args);
    let stdout = read_all(child.stdout.take().expect("stdout is piped"));
    let stderr = read_all(child.stderr.take().expect("stderr is piped"));
    let status = poll_until(DEFAULT_DEADLINE, || match child.try_wait() {
        Ok(Some(status)) => Ok(status),
        Ok(None) => Err("still running".to_string()),
        Err(error) => Err(format!("cannot check its status: {error}")),
    });
    let status = match status {
        Ok(status) => status,
        Err(last_observed) => {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{name} {args:?} did not finish within {DEFAULT_DEADLINE:?} ({last_observed})");
        }
    };
    ToolOutput {
        status,
        stdout: join_text(stdout),
        stderr: join_text(stderr),
    }
}

fn spawn_piped(program: &Path, args: &[&str]) -> Child {
    Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|error| panic!("spawn {}: {error}", program.display()))
}

fn read_all(mut pipe: impl std::io::Read + Send + 'static) -> JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = pipe.read_to_end(&mut bytes);
        bytes
    })
}

fn join_text(reader: JoinHandle<Vec<u8>>) -> String {
    String::from_utf8_lossy(&reader.join().expect("pipe reader thread")).into_owned()
}
