//! The start-up contract shared with `redis-server`: a bad config file or argument is refused with Redis's
//! exact report (line number, the offending line, the reason) and exit code 1, and so are a busy port and a
//! missing `dir`. Every case runs against both servers.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use crate::support::{Subject, on_both_servers};

/// Runs the server with `args` in a fresh directory holding `config` as `node.conf`; it must exit by itself.
/// Returns the exit code and everything it printed.
fn run(subject: &Subject, config: &str, args: &[&str]) -> (Option<i32>, String) {
    let dir = unique_dir();
    std::fs::write(dir.join("node.conf"), config).expect("write node.conf");
    let output = Command::new(subject.binary())
        .args(args)
        .current_dir(&dir)
        .stdin(Stdio::null())
        .output()
        .expect("run the server");
    let _ = std::fs::remove_dir_all(&dir);
    let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&output.stderr));
    (output.status.code(), text)
}

fn unique_dir() -> PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "rserver-startup-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).expect("create test dir");
    dir
}

fn assert_refused(subject: &Subject, config: &str, args: &[&str], expected: &str) {
    let (code, output) = run(subject, config, args);
    assert_eq!(code, Some(1), "exit code; output:\n{output}");
    assert!(
        output.contains(expected),
        "expected the output to contain\n{expected}\n--- got ---\n{output}"
    );
}

fn unknown_directive_in_file(subject: &Subject) {
    assert_refused(
        subject,
        "port 7999\nfoo bar\n",
        &["node.conf"],
        "*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 2\n>>> 'foo bar'\nBad directive or wrong number of arguments",
    );
}

fn unknown_directive_on_command_line(subject: &Subject) {
    // Command-line directives are numbered as lines after the file and a separator line.
    assert_refused(
        subject,
        "port 7999\nsave \"\"\n",
        &["node.conf", "--loglevel", "notice", "--foo", "bar"],
        "Reading the configuration file, at line 5\n>>> 'foo \"bar\"'\nBad directive or wrong number of arguments",
    );
}

fn bad_integer(subject: &Subject) {
    assert_refused(
        subject,
        "",
        &["--port", "abc"],
        "Reading the configuration file, at line 2\n>>> 'port \"abc\"'\nargument couldn't be parsed into an integer",
    );
}

fn unbalanced_quotes(subject: &Subject) {
    assert_refused(
        subject,
        "port 7999\nsave \"a\n",
        &["node.conf"],
        "Reading the configuration file, at line 2\n>>> 'save \"a'\nUnbalanced quotes in configuration line",
    );
}

fn busy_port(subject: &Subject) {
    let busy = TcpListener::bind("127.0.0.1:0").expect("bind a port");
    let port = busy.local_addr().expect("local addr").port().to_string();
    assert_refused(
        subject,
        "",
        &["--port", &port, "--bind", "127.0.0.1", "--save", ""],
        &format!("Failed listening on port {port} (TCP), aborting."),
    );
}

fn missing_dir(subject: &Subject) {
    assert_refused(
        subject,
        "",
        &["--port", "0", "--dir", "/nonexistent/rserver-test"],
        "Reading the configuration file, at line 3\n>>> 'dir \"/nonexistent/rserver-test\"'\nNo such file or directory",
    );
}

/// `unixsocket`: clients (the test suite's `redis-benchmark -s`, `redis-cli -s`) connect through it too.
fn unix_socket(subject: &Subject) {
    use std::io::{Read, Write};
    let path = unique_dir().join("server.sock");
    let node = subject.start(
        testkit::NodeConfig::new(testkit::free_port())
            .with("unixsocket", path.display().to_string()),
    );
    let mut socket =
        std::os::unix::net::UnixStream::connect(&path).expect("connect to the unix socket");
    socket
        .write_all(b"SET viaunix 1\r\nPING\r\n")
        .expect("write");
    let mut reply = Vec::new();
    while reply.len() < b"+OK\r\n+PONG\r\n".len() {
        let mut chunk = [0u8; 64];
        let n = socket.read(&mut chunk).expect("read");
        assert!(n > 0, "the server closed the unix socket");
        reply.extend_from_slice(&chunk[..n]);
    }
    assert_eq!(reply, b"+OK\r\n+PONG\r\n");
    assert_eq!(
        node.cmd(&["GET", "viaunix"]),
        resp::Frame::bulk("1"),
        "same data over TCP"
    );
}

on_both_servers!(
    unix_socket,
    unknown_directive_in_file,
    unknown_directive_on_command_line,
    bad_integer,
    unbalanced_quotes,
    busy_port,
    missing_dir,
    several_values_in_one_argument,
);

/// A server started straight from command-line arguments, killed on drop.
struct Spawned(std::process::Child);

impl Drop for Spawned {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts the server from `args` alone (after `--port <free port>`) in `dir`; returns it (killed on drop)
/// and a client once it answers.
fn spawn_with(
    subject: &Subject,
    dir: &std::path::Path,
    args: &[&str],
) -> (Spawned, testkit::Client) {
    let port = testkit::free_port();
    let child = Command::new(subject.binary())
        .arg("--port")
        .arg(port.to_string())
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the server");
    let server = Spawned(child);
    let client = testkit::wait_until(testkit::DEFAULT_DEADLINE, "the server to answer", || {
        testkit::Client::connect(port).map_err(|error| error.to_string())
    });
    (server, client)
}

/// `CONFIG GET name` as (name, value) pairs of strings.
fn config_get(client: &mut testkit::Client, name: &str) -> Vec<String> {
    match client.cmd(&["CONFIG", "GET", name]) {
        resp::Frame::Array(items) => items
            .iter()
            .map(|item| String::from_utf8_lossy(item.as_bytes().expect("a string")).into_owned())
            .collect(),
        other => panic!("CONFIG GET {name}: {other:?}"),
    }
}

/// Issue 9, defect 3: container set-ups pass a directive's several values as one argument
/// (`--save "3600 1"`); Redis 7.0 splits it for its multi-value directives, and so must we. A name and its
/// values in one argument (`"--save 60 5"`) are split too.
fn several_values_in_one_argument(subject: &Subject) {
    let dir = unique_dir();
    let (server, mut client) = spawn_with(
        subject,
        &dir,
        &[
            "--save",
            "3600 1 300 10",
            "--client-output-buffer-limit",
            "replica 1mb 2mb 60 pubsub 3mb 4mb 70",
            "--bind",
            "127.0.0.1 ::1",
            "--appendonly no",
        ],
    );
    assert_eq!(config_get(&mut client, "save"), ["save", "3600 1 300 10"]);
    assert_eq!(
        config_get(&mut client, "client-output-buffer-limit"),
        [
            "client-output-buffer-limit",
            "normal 0 0 0 slave 1048576 2097152 60 pubsub 3145728 4194304 70"
        ]
    );
    assert_eq!(config_get(&mut client, "bind"), ["bind", "127.0.0.1 ::1"]);
    assert_eq!(config_get(&mut client, "appendonly"), ["appendonly", "no"]);
    drop((server, client));

    // `replicaof "host port"` and a name with its values in one argument.
    let (_server, mut client) = spawn_with(
        subject,
        &dir,
        &["--replicaof", "127.0.0.1 1", "--save 60 5"],
    );
    assert_eq!(config_get(&mut client, "save"), ["save", "60 5"]);
    match client.cmd(&["ROLE"]) {
        resp::Frame::Array(role) => assert_eq!(
            role[..3],
            [
                resp::Frame::bulk("slave"),
                resp::Frame::bulk("127.0.0.1"),
                resp::Frame::Integer(1)
            ]
        ),
        other => panic!("ROLE: {other:?}"),
    }
    let _ = std::fs::remove_dir_all(&dir);
}
