//! The REPL losing its server: the connection error, the reconnect on the next command, and the database chosen
//! before the loss selected again afterwards.

use std::io::{Read, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use testkit::wait_until;

use crate::support::{Cli, RedisServer, free_port, redis_tools_available};

/// A running `rcli` session fed line by line, with everything it printed so far.
struct Session {
    child: Child,
    stdin: ChildStdin,
    stdout: Arc<Mutex<Vec<u8>>>,
    stderr: Arc<Mutex<Vec<u8>>>,
}

impl Session {
    fn start(port: u16) -> Session {
        let mut child = Command::new(env!("CARGO_BIN_EXE_rcli"))
            .args(["-p", &port.to_string()])
            .env("RCLI_HISTFILE", "/dev/null")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start rcli");
        let stdin = child.stdin.take().expect("stdin is piped");
        let stdout = collect(child.stdout.take().expect("stdout is piped"));
        let stderr = collect(child.stderr.take().expect("stderr is piped"));
        Session {
            child,
            stdin,
            stdout,
            stderr,
        }
    }

    /// Sends one line and waits until stdout and stderr end with what is expected of it.
    fn line(&mut self, line: &str, stdout: &str, stderr: &str) {
        let (stdout_before, stderr_before) = (self.stdout_text().len(), self.stderr_text().len());
        writeln!(self.stdin, "{line}").expect("write a line to rcli");
        wait_until(
            Duration::from_secs(10),
            &format!("the output of {line:?}"),
            || {
                let (out, err) = (self.stdout_text(), self.stderr_text());
                let (new_out, new_err) = (&out[stdout_before..], &err[stderr_before..]);
                if new_out == stdout && new_err == stderr {
                    Ok(())
                } else {
                    Err(format!("stdout {new_out:?}, stderr {new_err:?}"))
                }
            },
        );
    }

    fn stdout_text(&self) -> String {
        String::from_utf8_lossy(&self.stdout.lock().expect("stdout buffer")).into_owned()
    }

    fn stderr_text(&self) -> String {
        String::from_utf8_lossy(&self.stderr.lock().expect("stderr buffer")).into_owned()
    }
}

impl Drop for Session {
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
        while let Ok(read @ 1..) = pipe.read(&mut chunk) {
            sink.lock()
                .expect("output buffer")
                .extend_from_slice(&chunk[..read]);
        }
    });
    buffer
}

#[test]
fn reconnects_after_the_server_comes_back() {
    if !redis_tools_available(
        "reconnects_after_the_server_comes_back",
        &["redis-server", "redis-cli"],
    ) {
        return;
    }
    let port = free_port();
    let mut server = RedisServer::start_on(port);
    let mut session = Session::start(port);
    session.line("select 3", "OK\n", "");
    session.line("set before 1", "OK\n", "");

    drop(server);
    let address = format!("127.0.0.1:{port}");
    // The first command after the loss finds the connection dead; hiredis's wording for the usual case.
    session.line("ping", "", "Error: Server closed the connection\n");
    session.line(
        "ping",
        "",
        &format!("Could not connect to Redis at {address}: Connection refused\n"),
    );

    server = RedisServer::start_on(port);
    session.line("set after 1", "OK\n", "");
    // The new connection is on database 3 again (redis-cli 7.0 only shows [3] in its prompt but stays on 0).
    let run = Cli::RedisCli.run(&["-p", &port.to_string(), "-n", "3", "GET", "after"], b"");
    assert_eq!(run.stdout, "1\n");
    session.line("quit", "", "");
    let status = session.child.wait().expect("wait for rcli");
    assert!(status.success(), "rcli exited with {status}");
    drop(server);
}
