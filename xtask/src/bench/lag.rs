//! Replica lag under a write load: a `redis-benchmark` SET load on a master with one replica, sampling how
//! many bytes of the replication stream the replica has not applied yet, then how long it takes to catch up
//! once the load stops.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, bail};
use testkit::{Client, Node, free_port, info_field_in};

use super::report::{Measured, Row, Section, Unit};
use super::servers::{
    Binaries, Implementation, Pair, alternating, bench_config, info_number, poll_every,
};
use super::stats::median;
use super::throughput::{benchmark_args, requests_per_second_of};

/// How often both offsets are sampled during the load.
const SAMPLE_INTERVAL: Duration = Duration::from_millis(10);

/// How often the replica's offset is read while timing the catch-up.
const CATCH_UP_POLL_INTERVAL: Duration = Duration::from_millis(1);

/// A load or a catch-up taking longer than this is reported as failed.
const DEADLINE: Duration = Duration::from_secs(300);

/// The pipeline depth of the load: deep enough to push a replica.
const PIPELINE: u32 = 16;

/// Picks one number out of a [`LagSample`].
type Extract = fn(&LagSample) -> f64;

/// What one load measured.
#[derive(Debug, Clone)]
struct LagSample {
    requests_per_second: f64,
    median_lag: f64,
    max_lag: f64,
    catch_up: Duration,
}

/// Runs the lag section.
pub fn run(binaries: &Binaries, rounds: usize, quick: bool) -> Result<Section> {
    let requests: u64 = if quick { 200_000 } else { 2_000_000 };
    let mut pairs: Pair<Result<(Node, Node), String>> = Pair {
        rserver: Err(String::new()),
        redis: Err(String::new()),
    };
    for implementation in alternating(0) {
        *pairs.get_mut(implementation) =
            start_pair(binaries, implementation).map_err(|error| format!("{error:#}"));
    }

    let mut results: Pair<Vec<Result<LagSample, String>>> = Pair::default();
    for round in 0..rounds {
        for implementation in alternating(round) {
            let outcome = match pairs.get(implementation) {
                Ok((master, replica)) => {
                    measure_once(&binaries.redis_benchmark, master, replica, requests)
                        .map_err(|error| format!("{error:#}"))
                }
                Err(error) => Err(format!("set-up failed: {error}")),
            };
            match &outcome {
                Ok(sample) => eprintln!(
                    "lag round {}/{rounds} on {}: {:.0} SET/s, lag median {:.0} B, max {:.0} B, caught up in {:.1} ms",
                    round + 1,
                    implementation.name(),
                    sample.requests_per_second,
                    sample.median_lag,
                    sample.max_lag,
                    sample.catch_up.as_secs_f64() * 1e3
                ),
                Err(error) => eprintln!(
                    "lag round {}/{rounds} on {}: failed: {error}",
                    round + 1,
                    implementation.name()
                ),
            }
            results.get_mut(implementation).push(outcome);
        }
    }

    let method = format!(
        "A master and a replica of each kind. `redis-benchmark -t set -n {requests} -r 100000 -P {PIPELINE} -q` \
         loads the master; every {} ms the master's `master_repl_offset` is read, then the replica's: the \
         difference is the lag in bytes (read back to back, master first, so a slight underestimate). When the \
         load ends, the catch-up time is until the replica's offset reaches the master's. Issue 5 sets no target \
         here; the write rates differ when the servers do, so read the lag together with the rate.",
        SAMPLE_INTERVAL.as_millis()
    );
    let mut section = Section::new("Replica lag under a write load", method);
    let pick = |implementation: Implementation, value: fn(&LagSample) -> f64| {
        let rounds: Vec<Result<f64, String>> = results
            .get(implementation)
            .iter()
            .map(|result| result.as_ref().map(value).map_err(Clone::clone))
            .collect();
        Measured::from_rounds(&rounds)
    };
    let rows: [(&str, Unit, Extract); 4] = [
        (
            "SET load on the master (pipeline 16)",
            Unit::RequestsPerSecond,
            |sample| sample.requests_per_second,
        ),
        ("replica lag, median of samples", Unit::Bytes, |sample| {
            sample.median_lag
        }),
        ("replica lag, largest sample", Unit::Bytes, |sample| {
            sample.max_lag
        }),
        (
            "replica catch-up after the load stops",
            Unit::Milliseconds,
            |sample| sample.catch_up.as_secs_f64() * 1e3,
        ),
    ];
    for (index, (test, unit, value)) in rows.into_iter().enumerate() {
        let row = Row {
            test: test.to_string(),
            unit,
            rserver: pick(Implementation::Rserver, value),
            redis: pick(Implementation::Redis, value),
            target: None,
        };
        // Report a failed round once, not once per row.
        if index == 0 {
            section.push(row);
        } else {
            section.rows.push(row);
        }
    }
    Ok(section)
}

/// A master and a replica of `implementation` whose link is up.
fn start_pair(binaries: &Binaries, implementation: Implementation) -> Result<(Node, Node)> {
    let master = binaries.start(implementation)?;
    let replica = Node::try_start(
        binaries.server(implementation),
        bench_config(free_port()).replica_of(master.port()),
    )
    .with_context(|| format!("start a {} replica", implementation.name()))?;
    let mut replica_client = Client::connect(replica.port()).context("connect to the replica")?;
    poll_every(
        Duration::from_millis(20),
        Duration::from_secs(30),
        "replica link up",
        || {
            let info = replica_client.info("replication")?;
            Ok((info_field_in(&info, "master_link_status") == Some("up")).then_some(()))
        },
    )?;
    Ok((master, replica))
}

/// One load of `requests` SETs on `master` while sampling the replica's lag.
fn measure_once(
    redis_benchmark: &Path,
    master: &Node,
    replica: &Node,
    requests: u64,
) -> Result<LagSample> {
    let mut master_client = Client::connect(master.port()).context("connect to the master")?;
    let mut replica_client = Client::connect(replica.port()).context("connect to the replica")?;
    let offset = |client: &mut Client| info_number(client, "replication", "master_repl_offset");

    let mut load = LoadGuard(Some(
        Command::new(redis_benchmark)
            .args(benchmark_args(master.port(), "set", PIPELINE, requests))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .context("start redis-benchmark")?,
    ));
    let start = Instant::now();
    let mut lags = Vec::new();
    loop {
        if load
            .child()
            .try_wait()
            .context("check redis-benchmark")?
            .is_some()
        {
            break;
        }
        if start.elapsed() > DEADLINE {
            bail!("the SET load did not finish within {DEADLINE:?}");
        }
        let master_offset = offset(&mut master_client)?;
        let replica_offset = offset(&mut replica_client)?;
        lags.push(master_offset.saturating_sub(replica_offset) as f64);
        std::thread::sleep(SAMPLE_INTERVAL);
    }
    let load_end = Instant::now();
    let final_offset = offset(&mut master_client)?;
    poll_every(
        CATCH_UP_POLL_INTERVAL,
        DEADLINE,
        "replica offset reaching the master's",
        || Ok((offset(&mut replica_client)? >= final_offset).then_some(())),
    )?;
    let catch_up = load_end.elapsed();

    let output = load
        .0
        .take()
        .expect("the load is taken once")
        .wait_with_output()
        .context("read redis-benchmark output")?;
    let requests_per_second = requests_per_second_of(&output).map_err(anyhow::Error::msg)?;
    Ok(LagSample {
        requests_per_second,
        median_lag: median(&lags).unwrap_or(0.0),
        max_lag: lags.iter().copied().fold(0.0, f64::max),
        catch_up,
    })
}

/// The running `redis-benchmark`, killed and reaped if the measurement fails half-way.
struct LoadGuard(Option<Child>);

impl LoadGuard {
    fn child(&mut self) -> &mut Child {
        self.0.as_mut().expect("the load runs until taken")
    }
}

impl Drop for LoadGuard {
    fn drop(&mut self) {
        if let Some(child) = self.0.as_mut() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
