//! `cargo xtask scenario NAME|all`: named, scripted multi-node scenarios with faults (issue 5).
//!
//! Each scenario starts `rserver` nodes on free loopback ports (through `testkit::Node`, so every node is
//! stopped when the scenario ends, also when it fails), injects a fault (shutdown, `SIGKILL`, a cut or stalled
//! link through `testkit::Proxy`, a promotion), prints every step through [`Step`], and ends by comparing the
//! `DEBUG DIGEST` of every node. The outcome is one line, `PASS name (Xs)` or `FAIL name: reason`.
//!
//! The same situations are proven as tests in `crates/server/tests/it/{faults,restart}.rs`; this is their
//! runnable, narrated form for a person watching the cluster, built from the same `testkit` pieces.

mod kills;
mod links;
mod promote;
mod restarts;

use std::fmt;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context as _, Result, bail, ensure};
use resp::Frame;
use testkit::{
    Client, Node, NodeConfig, free_port, info_field_in, wait_for_ofs_sync, wait_replica_online,
};

/// One scenario: its name on the command line, a one-line summary, and the script.
pub struct Scenario {
    /// The name given to `cargo xtask scenario`.
    pub name: &'static str,
    /// What it shows, for the usage text and the header line.
    pub summary: &'static str,
    /// The script; an `Err` (or a panic of a `testkit` wait) fails the scenario.
    run: fn(&mut Step) -> Result<()>,
}

/// Every scenario, in the order `all` runs them.
pub const SCENARIOS: &[Scenario] = &[
    Scenario {
        name: "master-restart",
        summary: "master + 2 replicas; the master shuts down with a save and restarts; partial resyncs",
        run: restarts::master_restart,
    },
    Scenario {
        name: "replica-restart",
        summary: "a replica restarts without replicaof (a master with its data), then with it (rejoins)",
        run: restarts::replica_restart,
    },
    Scenario {
        name: "link-flap",
        summary: "the replica link is cut while writing, delayed, paused and resumed; converges each time",
        run: links::link_flap,
    },
    Scenario {
        name: "kill-master",
        summary: "kill -9 the master, restart it from its directory; the replicas converge",
        run: kills::kill_master,
    },
    Scenario {
        name: "kill-replica",
        summary: "kill -9 a replica during writes and during a full sync; restarted, it converges",
        run: kills::kill_replica,
    },
    Scenario {
        name: "promote",
        summary: "master + 3 replicas; the master stops, one replica is promoted, the others continue",
        run: promote::promote,
    },
    Scenario {
        name: "backlog-overflow",
        summary: "the stalled replica falls further behind than the 16 KiB backlog: a full resync",
        run: links::backlog_overflow,
    },
];

/// What `cargo xtask scenario` was asked to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// Scenario names to run, in order (`all` expands to every scenario).
    pub names: Vec<&'static str>,
    /// Build and run the release binary instead of the debug one.
    pub release: bool,
}

impl Options {
    /// Parses `NAME|all [--release]`.
    pub fn parse(args: &[String]) -> Result<Options> {
        let mut names = Vec::new();
        let mut release = false;
        for arg in args {
            match arg.as_str() {
                "--release" => release = true,
                "all" => names.extend(SCENARIOS.iter().map(|scenario| scenario.name)),
                flag if flag.starts_with('-') => bail!("scenario: unknown option `{flag}`"),
                name => match SCENARIOS.iter().find(|scenario| scenario.name == name) {
                    Some(scenario) => names.push(scenario.name),
                    None => bail!(
                        "scenario: unknown scenario `{name}`; known: all, {}",
                        known()
                    ),
                },
            }
        }
        ensure!(
            !names.is_empty(),
            "scenario: give a NAME or `all`; known: {}",
            known()
        );
        Ok(Options { names, release })
    }
}

/// The scenario names, comma-separated.
fn known() -> String {
    let names: Vec<&str> = SCENARIOS.iter().map(|scenario| scenario.name).collect();
    names.join(", ")
}

/// Builds `rserver` and runs the chosen scenarios one after the other; fails if any of them failed.
pub fn run(root: &Path, options: &Options) -> Result<()> {
    let rserver = crate::difftest::build(root, options.release)?;
    let mut failed = Vec::new();
    for name in &options.names {
        let scenario = SCENARIOS
            .iter()
            .find(|scenario| scenario.name == *name)
            .expect("Options::parse only accepts known names");
        if !run_one(scenario, &rserver) {
            failed.push(scenario.name);
        }
    }
    if !failed.is_empty() {
        bail!(
            "{} of {} scenario(s) failed: {}",
            failed.len(),
            options.names.len(),
            failed.join(", ")
        );
    }
    Ok(())
}

/// Runs one scenario and prints its final line; returns whether it passed. A panic of a `testkit` wait is a
/// failure like an `Err`; the nodes alive at that moment are killed as the panic unwinds through them.
fn run_one(scenario: &Scenario, rserver: &Path) -> bool {
    println!("=== {}: {}", scenario.name, scenario.summary);
    let start = Instant::now();
    let mut step = Step::new(rserver.to_path_buf());
    let outcome = panic::catch_unwind(AssertUnwindSafe(|| (scenario.run)(&mut step)));
    let reason = match outcome {
        Ok(Ok(())) => None,
        Ok(Err(error)) => Some(format!("{error:#}")),
        Err(payload) => Some(
            payload
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| payload.downcast_ref::<&str>().map(|text| text.to_string()))
                .unwrap_or_else(|| "panicked".to_string()),
        ),
    };
    match reason {
        None => {
            println!(
                "PASS {} ({:.1}s)",
                scenario.name,
                start.elapsed().as_secs_f64()
            );
            true
        }
        Some(reason) => {
            println!("FAIL {}: {reason}", scenario.name);
            false
        }
    }
}

/// The step printer of a running scenario: numbers the steps and shows the time since the start. It also
/// knows the `rserver` binary, so scenarios start nodes through it.
pub struct Step {
    rserver: PathBuf,
    start: Instant,
    count: usize,
}

impl Step {
    fn new(rserver: PathBuf) -> Step {
        Step {
            rserver,
            start: Instant::now(),
            count: 0,
        }
    }

    /// Prints the next step, e.g. `  3. [+0.41s] SHUTDOWN SAVE the master`.
    pub fn say(&mut self, what: impl fmt::Display) {
        self.count += 1;
        println!(
            "  {:>2}. [+{:.2}s] {what}",
            self.count,
            self.start.elapsed().as_secs_f64()
        );
    }

    /// Prints a detail of the current step (an observed value), indented under it.
    pub fn note(&self, what: impl fmt::Display) {
        println!("          {what}");
    }

    /// Starts an `rserver` node on a free loopback port with `configure` applied to the scenario defaults
    /// (no save points, `DEBUG` enabled), and says so.
    pub fn start_node(
        &mut self,
        role: &str,
        configure: impl FnOnce(NodeConfig) -> NodeConfig,
    ) -> Result<Node> {
        let config = configure(
            NodeConfig::new(free_port())
                .with("save", "\"\"")
                .with("enable-debug-command", "yes"),
        );
        let port = config.port();
        let node =
            Node::try_start(&self.rserver, config).with_context(|| format!("start {role}"))?;
        match node.config().get("replicaof") {
            Some(master) => self.say(format_args!(
                "start {role} on 127.0.0.1:{port}, replicaof {master}"
            )),
            None => self.say(format_args!("start {role} on 127.0.0.1:{port}")),
        }
        Ok(node)
    }

    /// Starts a master and `count` replicas of it, and waits until all of them are online on the master.
    pub fn master_with_replicas(&mut self, count: usize) -> Result<(Node, Vec<Node>)> {
        let master = self.start_node("master", |config| config)?;
        let port = master.port();
        let mut replicas = Vec::with_capacity(count);
        for index in 1..=count {
            replicas.push(self.start_node(&format!("replica {index}"), |config| {
                config.replica_of(port)
            })?);
        }
        wait_replica_online(&master, count);
        Ok((master, replicas))
    }

    /// Waits until every replica has `master`'s replication offset, then compares the `DEBUG DIGEST` (and
    /// `DBSIZE`) of all of them; the final check of every scenario, also used between faults.
    pub fn converge<'a>(
        &mut self,
        master: &Node,
        replicas: impl IntoIterator<Item = &'a Node>,
    ) -> Result<()> {
        let replicas: Vec<&Node> = replicas.into_iter().collect();
        let mut offset = 0;
        for replica in &replicas {
            offset = wait_for_ofs_sync(master, replica);
        }
        let expected = digest(master)?;
        let keys = dbsize(master)?;
        for replica in &replicas {
            let actual = digest(replica)?;
            ensure!(
                actual == expected,
                "DEBUG DIGEST of 127.0.0.1:{} is {actual}, the master 127.0.0.1:{} has {expected}",
                replica.port(),
                master.port()
            );
        }
        self.say(format_args!(
            "converged: {} node(s) at offset {offset}, {keys} keys, digest {expected}",
            replicas.len() + 1
        ));
        Ok(())
    }
}

/// Sends `args` to `node` and fails on an error reply.
pub fn command(node: &Node, args: &[&str]) -> Result<Frame> {
    let reply = node
        .try_cmd(args)
        .with_context(|| format!("{} on 127.0.0.1:{}", args.join(" "), node.port()))?;
    if let Frame::Error(error) = &reply {
        bail!(
            "{} on 127.0.0.1:{}: -{}",
            args.join(" "),
            node.port(),
            String::from_utf8_lossy(error)
        );
    }
    Ok(reply)
}

/// `SET {prefix}:{i} <value of value_len bytes>` for every `i` in `range`, pipelined in batches of 500.
pub fn write_keys(
    node: &Node,
    prefix: &str,
    range: std::ops::Range<u64>,
    value_len: usize,
) -> Result<()> {
    let mut client = Client::connect(node.port())
        .with_context(|| format!("connect to 127.0.0.1:{}", node.port()))?;
    let mut pending = 0;
    for i in range {
        let key = format!("{prefix}:{i}");
        let value = format!("{i}:{}", "v".repeat(value_len));
        client.send(&["SET", &key, &value])?;
        pending += 1;
        if pending == 500 {
            read_ok(&mut client, pending)?;
            pending = 0;
        }
    }
    read_ok(&mut client, pending)
}

/// Reads `count` replies and fails unless each is `+OK`.
fn read_ok(client: &mut Client, count: usize) -> Result<()> {
    for _ in 0..count {
        let reply = client.read_reply()?;
        ensure!(
            matches!(&reply, Frame::Simple(ok) if ok.as_ref() == b"OK"),
            "SET answered {reply:?}"
        );
    }
    Ok(())
}

/// `DEBUG DIGEST` of `node` (40 hex digits).
pub fn digest(node: &Node) -> Result<String> {
    match command(node, &["DEBUG", "DIGEST"])? {
        Frame::Simple(text) | Frame::Bulk(text) => Ok(String::from_utf8_lossy(&text).into_owned()),
        other => bail!("DEBUG DIGEST answered {other:?}"),
    }
}

/// `DBSIZE` of `node`.
pub fn dbsize(node: &Node) -> Result<i64> {
    match command(node, &["DBSIZE"])? {
        Frame::Integer(count) => Ok(count),
        other => bail!("DBSIZE answered {other:?}"),
    }
}

/// A field of `INFO section` of `node`.
pub fn info(node: &Node, section: &str, field: &str) -> Result<String> {
    let text = node
        .client()
        .info(section)
        .with_context(|| format!("INFO {section} on 127.0.0.1:{}", node.port()))?;
    info_field_in(&text, field)
        .map(str::to_string)
        .with_context(|| format!("no {field} in INFO {section} of 127.0.0.1:{}", node.port()))
}

/// A numeric field of `INFO section` (`sync_full`, `master_repl_offset`, ...).
pub fn number(node: &Node, section: &str, field: &str) -> Result<u64> {
    let value = info(node, section, field)?;
    value.parse().with_context(|| {
        format!(
            "{field} of 127.0.0.1:{} is not a number: {value}",
            node.port()
        )
    })
}

/// The master's `sync_full` and `sync_partial_ok` counters.
pub fn sync_counts(master: &Node) -> Result<(u64, u64)> {
    Ok((
        number(master, "stats", "sync_full")?,
        number(master, "stats", "sync_partial_ok")?,
    ))
}

/// Fails unless `node`'s `INFO replication` has `field:expected`.
pub fn expect_field(node: &Node, field: &str, expected: &str) -> Result<()> {
    let actual = info(node, "replication", field)?;
    ensure!(
        actual == expected,
        "127.0.0.1:{} has {field}:{actual}, expected {expected}",
        node.port()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(args: &[&str]) -> Vec<String> {
        args.iter().map(|arg| arg.to_string()).collect()
    }

    #[test]
    fn parses_names_all_and_release() {
        assert_eq!(
            Options::parse(&strings(&["promote", "--release"])).expect("valid"),
            Options {
                names: vec!["promote"],
                release: true
            }
        );
        let all = Options::parse(&strings(&["all"])).expect("valid");
        assert_eq!(all.names.len(), SCENARIOS.len());
        assert_eq!(all.names[0], "master-restart");
        assert!(!all.release);
        let error = Options::parse(&strings(&["nope"])).expect_err("unknown name");
        assert!(
            error.to_string().contains("unknown scenario `nope`"),
            "{error}"
        );
        assert!(Options::parse(&[]).is_err());
        assert!(Options::parse(&strings(&["--release"])).is_err());
        assert!(Options::parse(&strings(&["all", "--fast"])).is_err());
    }

    #[test]
    fn scenario_names_are_unique() {
        let mut names: Vec<&str> = SCENARIOS.iter().map(|scenario| scenario.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), SCENARIOS.len());
    }
}
