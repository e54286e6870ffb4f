//! The harness of the interop tests: a real `redis-server` in a temporary directory, and a minimal client.

use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use testkit::wait_until;

/// Now, Unix milliseconds.
pub fn now_ms() -> i64 {
    let since_epoch = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970");
    i64::try_from(since_epoch.as_millis()).expect("fits")
}

/// The `redis-server` on PATH; `None` (after saying so) when absent and not required.
pub fn find_redis_server() -> Option<PathBuf> {
    let found = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|path| std::env::split_paths(&path).collect::<Vec<_>>())
        .map(|dir| dir.join("redis-server"))
        .find(|candidate| candidate.is_file());
    if found.is_none() {
        if std::env::var("REQUIRE_REDIS").as_deref() == Ok("1") {
            panic!("REQUIRE_REDIS=1 but redis-server is not on PATH");
        }
        eprintln!(
            "!!! SKIPPING redis interop test: redis-server is not on PATH (set REQUIRE_REDIS=1 to fail instead)"
        );
    }
    found
}

/// A directory removed when dropped.
pub struct TempDir {
    pub path: PathBuf,
}

impl TempDir {
    pub fn new(label: &str) -> TempDir {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let unique = format!(
            "rdb-it-{label}-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        let path = std::env::temp_dir().join(unique);
        fs::create_dir_all(&path).expect("create temp dir");
        TempDir { path }
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.path);
    }
}

/// A running `redis-server`, killed and reaped on drop (also when the test panics).
pub struct RedisProcess {
    child: Child,
    port: u16,
    pub version: String,
}

impl RedisProcess {
    /// Starts `binary` with its files in `dir` (loading `dir/dump.rdb` if present) and waits until it
    /// accepts connections.
    pub fn start(binary: &Path, dir: &Path) -> RedisProcess {
        let port = {
            let listener = TcpListener::bind("127.0.0.1:0").expect("bind an ephemeral port");
            listener.local_addr().expect("local addr").port()
        };
        let log = fs::File::create(dir.join("redis.log")).expect("create log");
        let child = Command::new(binary)
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .arg("--dir")
            .arg(dir)
            .args(["--dbfilename", "dump.rdb", "--daemonize", "no"])
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("clone log handle"))
            .stderr(log)
            .spawn()
            .expect("spawn redis-server");
        let mut redis = RedisProcess {
            child,
            port,
            version: String::new(),
        };
        let log_path = dir.join("redis.log");
        wait_until(
            Duration::from_secs(10),
            "redis-server to accept connections",
            || {
                if let Ok(Some(status)) = redis.child.try_wait() {
                    let log = fs::read_to_string(&log_path).unwrap_or_default();
                    panic!(
                        "redis-server exited with {status} before accepting connections; log:\n{log}"
                    );
                }
                TcpStream::connect(("127.0.0.1", port))
                    .map(drop)
                    .map_err(|error| error.to_string())
            },
        );
        let info = redis.client().command(&[b"INFO", b"server"]);
        if let Reply::Bulk(Some(text)) = info {
            let text = String::from_utf8_lossy(&text);
            redis.version = text
                .lines()
                .find_map(|line| line.strip_prefix("redis_version:"))
                .unwrap_or("")
                .trim()
                .to_owned();
        }
        redis
    }

    pub fn client(&self) -> Client {
        let stream = TcpStream::connect(("127.0.0.1", self.port)).expect("connect to redis-server");
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .expect("set timeout");
        Client {
            reader: BufReader::new(stream.try_clone().expect("clone stream")),
            writer: stream,
        }
    }
}

impl Drop for RedisProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[derive(Debug, PartialEq, Eq)]
pub enum Reply {
    Simple(String),
    Error(String),
    Integer(i64),
    Bulk(Option<Vec<u8>>),
    Array(Option<Vec<Reply>>),
}

/// Just enough RESP2 for these tests.
pub struct Client {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
}

impl Client {
    pub fn command(&mut self, args: &[&[u8]]) -> Reply {
        let mut request = format!("*{}\r\n", args.len()).into_bytes();
        for arg in args {
            request.extend_from_slice(format!("${}\r\n", arg.len()).as_bytes());
            request.extend_from_slice(arg);
            request.extend_from_slice(b"\r\n");
        }
        self.writer.write_all(&request).expect("send command");
        self.read_reply()
    }

    fn read_reply(&mut self) -> Reply {
        let line = self.read_line();
        let (kind, rest) = line.split_at(1);
        let number = || {
            rest.parse::<i64>()
                .unwrap_or_else(|_| panic!("bad RESP number line {line:?}"))
        };
        match kind {
            "+" => Reply::Simple(rest.to_owned()),
            "-" => Reply::Error(rest.to_owned()),
            ":" => Reply::Integer(number()),
            "$" => match usize::try_from(number()) {
                Err(_) => Reply::Bulk(None),
                Ok(len) => {
                    let mut data = vec![0; len + 2];
                    std::io::Read::read_exact(&mut self.reader, &mut data).expect("read bulk");
                    data.truncate(len);
                    Reply::Bulk(Some(data))
                }
            },
            "*" => match usize::try_from(number()) {
                Err(_) => Reply::Array(None),
                Ok(len) => Reply::Array(Some((0..len).map(|_| self.read_reply()).collect())),
            },
            _ => panic!("unexpected RESP line {line:?}"),
        }
    }

    fn read_line(&mut self) -> String {
        let mut line = String::new();
        self.reader.read_line(&mut line).expect("read reply line");
        assert!(line.ends_with("\r\n"), "reply line without CRLF: {line:?}");
        line.truncate(line.len() - 2);
        line
    }
}
