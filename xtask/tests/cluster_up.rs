//! `cargo xtask cluster-up` as a process supervisor sees it: stopped by SIGTERM (as `timeout`, systemd or a CI
//! script stop it) it shuts its nodes down as it does on Ctrl-C, instead of leaving them running.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use testkit::{Client, DEFAULT_DEADLINE, free_port, wait_until};

/// The supervisor and its nodes' ports: on drop (a check failed first) the supervisor is killed and any
/// node still answering is shut down, so a failing run leaves nothing behind.
struct Supervisor {
    child: Child,
    ports: [u16; 2],
}

impl Drop for Supervisor {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        for port in self.ports {
            if let Ok(mut client) = Client::connect(port) {
                let _ = client.try_cmd(&["SHUTDOWN", "NOSAVE"]);
            }
        }
    }
}

/// Two consecutive free ports: the master's and its replica's.
fn consecutive_free_ports() -> u16 {
    wait_until(DEFAULT_DEADLINE, "two consecutive free ports", || {
        let port = free_port();
        match port
            .checked_add(1)
            .map(|next| TcpListener::bind(("127.0.0.1", next)))
        {
            Some(Ok(_)) => Ok(port),
            _ => Err(format!("{} is taken", port + 1)),
        }
    })
}

fn answers(port: u16) -> bool {
    Client::connect(port)
        .ok()
        .and_then(|mut client| client.try_cmd(&["PING"]).ok())
        .is_some()
}

#[test]
fn sigterm_stops_the_nodes() {
    let redis_server = testkit::require_redis!();
    let base_port = consecutive_free_ports();
    let dir = std::env::temp_dir().join(format!("xtask-cluster-sigterm-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let child = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["cluster-up", "--replicas", "1", "--fresh", "--base-port"])
        .arg(base_port.to_string())
        .arg("--dir")
        .arg(&dir)
        .arg("--server-bin")
        .arg(redis_server)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start cargo xtask cluster-up");
    let mut supervisor = Supervisor {
        child,
        ports: [base_port, base_port + 1],
    };
    // The state file is written once every replica is in sync.
    wait_until(DEFAULT_DEADLINE * 2, "the cluster to be up", || {
        match dir.join("cluster.state").exists() && answers(base_port + 1) {
            true => Ok(()),
            false => Err("no cluster.state yet".to_owned()),
        }
    });
    let pid = supervisor.child.id().to_string();
    let status = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("run kill");
    assert!(status.success());
    let exited = wait_until(DEFAULT_DEADLINE * 2, "cluster-up to exit", || {
        supervisor
            .child
            .try_wait()
            .map_err(|error| error.to_string())?
            .ok_or_else(|| "still running".to_owned())
    });
    assert!(exited.success(), "cluster-up exited with {exited}");
    for port in [base_port, base_port + 1] {
        wait_until(
            Duration::from_secs(5),
            "the node to be stopped",
            || match answers(port) {
                false => Ok(()),
                true => Err(format!("port {port} still answers")),
            },
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
