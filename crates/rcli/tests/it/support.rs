//! Test helpers: a real `redis-server` on a free port killed on drop, a fake one-reply server, running `rcli` and
//! `redis-cli` as processes. Waiting uses `testkit::wait_until`, the workspace's one polling helper (the only code
//! allowed to sleep in tests).

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use bytes::BytesMut;
use resp::{CommandDecoder, Frame, Protocol};
use testkit::wait_until;
use tokio_util::codec::Decoder;

/// What one run of a CLI printed, and how it ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    pub stdout: String,
    pub stderr: String,
    pub code: Option<i32>,
}

impl From<Output> for Run {
    fn from(output: Output) -> Run {
        Run {
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            code: output.status.code(),
        }
    }
}

/// Which CLI to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cli {
    Rcli,
    RedisCli,
}

impl Cli {
    fn program(self) -> PathBuf {
        match self {
            Cli::Rcli => PathBuf::from(env!("CARGO_BIN_EXE_rcli")),
            Cli::RedisCli => PathBuf::from("redis-cli"),
        }
    }

    /// Starts the CLI with `args` and no input, for the modes that run until killed. redis-cli's stdio buffers a
    /// piped stdout fully, so it runs under `stdbuf -oL` to show each line as it is printed.
    pub fn spawn(self, args: &[&str]) -> Running {
        let mut command = match self {
            Cli::Rcli => Command::new(self.program()),
            Cli::RedisCli => {
                let mut command = Command::new("stdbuf");
                command.arg("-oL").arg(self.program());
                command
            }
        };
        let mut child = command
            .args(args)
            .env("REDISCLI_HISTFILE", "/dev/null")
            .env("RCLI_HISTFILE", "/dev/null")
            .env_remove("REDISCLI_AUTH")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|error| panic!("start {:?}: {error}", self.program()));
        let stdout = collect(child.stdout.take().expect("stdout is piped"));
        let stderr = collect(child.stderr.take().expect("stderr is piped"));
        Running {
            child,
            stdout,
            stderr,
        }
    }

    /// Runs the CLI with `args`, stdout and stderr piped (so both default to raw output), `stdin` as input.
    pub fn run(self, args: &[&str], stdin: &[u8]) -> Run {
        let mut child = Command::new(self.program())
            .args(args)
            // Keep redis-cli from reading or writing the developer's files.
            .env("REDISCLI_HISTFILE", "/dev/null")
            .env("RCLI_HISTFILE", "/dev/null")
            .env_remove("REDISCLI_AUTH")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|error| panic!("start {:?}: {error}", self.program()));
        let mut input = child.stdin.take().expect("stdin is piped");
        input.write_all(stdin).expect("write the CLI's stdin");
        drop(input);
        child.wait_with_output().expect("wait for the CLI").into()
    }
}

/// True when `program` can be started from PATH.
fn installed(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok()
}

/// Whether tests comparing with the real Redis tools can run: `false` (said loudly) when a tool is missing, unless
/// `REQUIRE_REDIS=1`, which turns the absence into a failure.
pub fn redis_tools_available(test: &str, programs: &[&str]) -> bool {
    let missing: Vec<&str> = programs
        .iter()
        .copied()
        .filter(|program| !installed(program))
        .collect();
    if missing.is_empty() {
        return true;
    }
    if std::env::var("REQUIRE_REDIS").as_deref() == Ok("1") {
        panic!("{test}: {missing:?} not on PATH and REQUIRE_REDIS=1");
    }
    eprintln!(
        "SKIPPED {test}: {missing:?} not on PATH (set REQUIRE_REDIS=1 to make this a failure)"
    );
    false
}

/// A port nobody listens on right now.
pub fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind an ephemeral port");
    listener
        .local_addr()
        .expect("local address of a bound listener")
        .port()
}

/// A real `redis-server` on a free port, with no persistence, killed on drop.
pub struct RedisServer {
    child: Child,
    port: u16,
    _dir: TempDir,
}

impl RedisServer {
    pub fn start() -> RedisServer {
        RedisServer::start_on(free_port())
    }

    /// Starts on a given port, e.g. the port of a server a test has just stopped.
    pub fn start_on(port: u16) -> RedisServer {
        RedisServer::start_with(port, &[])
    }

    /// Starts on `port` with extra `--directive value` arguments; `{dir}` in an argument is replaced by the
    /// server's own directory (for `--unixsocket {dir}/redis.sock`).
    pub fn start_with(port: u16, extra: &[&str]) -> RedisServer {
        let dir = TempDir::new("redis-server");
        let extra: Vec<String> = extra
            .iter()
            .map(|argument| argument.replace("{dir}", &dir.path().display().to_string()))
            .collect();
        let child = Command::new("redis-server")
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
            .arg(dir.path())
            .args(&extra)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start redis-server");
        let server = RedisServer {
            child,
            port,
            _dir: dir,
        };
        wait_until(
            Duration::from_secs(10),
            "redis-server to answer PING",
            || ping(port),
        );
        server
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn dir(&self) -> &Path {
        self._dir.path()
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn ping(port: u16) -> Result<(), String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).map_err(|error| error.to_string())?;
    stream
        .set_read_timeout(Some(Duration::from_secs(1)))
        .map_err(|error| error.to_string())?;
    stream
        .write_all(b"PING\r\n")
        .map_err(|error| error.to_string())?;
    let mut reply = [0u8; 7];
    stream
        .read_exact(&mut reply)
        .map_err(|error| error.to_string())?;
    if &reply == b"+PONG\r\n" {
        Ok(())
    } else {
        Err(format!(
            "unexpected reply {:?}",
            String::from_utf8_lossy(&reply)
        ))
    }
}

/// A server that answers every request on `connections` connections with the same frame, in RESP3 encoding
/// (hiredis, under redis-cli, decodes every RESP3 type whatever the protocol was negotiated).
pub struct FakeServer {
    port: u16,
    thread: Option<JoinHandle<()>>,
}

impl FakeServer {
    pub fn serve(reply: Frame, connections: usize) -> FakeServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the fake server");
        let port = listener
            .local_addr()
            .expect("local address of a bound listener")
            .port();
        let mut encoded = BytesMut::new();
        resp::encode_frame(&reply, Protocol::Resp3, &mut encoded);
        let thread = thread::spawn(move || {
            for _ in 0..connections {
                let (stream, _) = listener.accept().expect("accept a client");
                answer_every_request(stream, &encoded);
            }
        });
        FakeServer {
            port,
            thread: Some(thread),
        }
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Waits until every expected connection has come and gone, so a failure in the server thread is seen.
    pub fn finish(mut self) {
        if let Some(thread) = self.thread.take() {
            thread.join().expect("fake server thread");
        }
    }
}

fn answer_every_request(mut stream: TcpStream, reply: &[u8]) {
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("set a read timeout");
    let mut decoder = CommandDecoder::default();
    let mut buffer = BytesMut::new();
    let mut chunk = [0u8; 4096];
    loop {
        while decoder
            .decode(&mut buffer)
            .expect("a well-formed request")
            .is_some()
        {
            stream.write_all(reply).expect("write the reply");
        }
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => break,
            Ok(read) => buffer.extend_from_slice(&chunk[..read]),
        }
    }
    let _ = stream.shutdown(Shutdown::Both);
}

/// A directory under the system temp dir, removed on drop.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(label: &str) -> TempDir {
        let path = std::env::temp_dir().join(format!(
            "rcli-it-{label}-{}-{}",
            std::process::id(),
            free_port()
        ));
        std::fs::create_dir_all(&path).expect("create a temp dir");
        TempDir(path)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A CLI running in the background, its output collected as it comes; killed on drop.
pub struct Running {
    child: Child,
    stdout: Arc<Mutex<Vec<u8>>>,
    stderr: Arc<Mutex<Vec<u8>>>,
}

impl Running {
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.stdout.lock().expect("stdout buffer")).into_owned()
    }

    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.stderr.lock().expect("stderr buffer")).into_owned()
    }

    /// Waits until `ready` holds for (stdout, stderr), failing with both after 20 s.
    pub fn wait_for(&self, what: &str, ready: impl Fn(&str, &str) -> bool) {
        wait_until(Duration::from_secs(20), what, || {
            let (out, err) = (self.stdout(), self.stderr());
            if ready(&out, &err) {
                Ok(())
            } else {
                Err(format!("stdout {out:?}, stderr {err:?}"))
            }
        });
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn collect(mut pipe: impl Read + Send + 'static) -> Arc<Mutex<Vec<u8>>> {
    let buffer = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&buffer);
    thread::spawn(move || {
        let mut chunk = [0u8; 4096];
        while let Ok(read) = pipe.read(&mut chunk) {
            if read == 0 {
                break;
            }
            sink.lock()
                .expect("output buffer")
                .extend_from_slice(&chunk[..read]);
        }
    });
    buffer
}

/// The `rserver` binary of this workspace if it has been built (`target/debug/rserver`); otherwise says loudly
/// that the rserver leg of `test` is skipped.
pub fn rserver_binary(test: &str) -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/debug/rserver");
    if path.is_file() {
        return Some(path);
    }
    eprintln!(
        "SKIPPED the rserver leg of {test}: {} not built (cargo build -p server)",
        path.display()
    );
    None
}
