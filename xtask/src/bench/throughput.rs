//! Throughput: `redis-benchmark` for each test of issue 5 at pipeline 1 and 16, alternating between the two
//! servers, medians per test and the geometric mean of the ratios per pipeline depth.

use std::path::Path;
use std::process::{Command, Output};

use anyhow::{Context as _, Result};
use testkit::{Client, Node};

use super::report::{Measured, Row, Section, Target, Unit};
use super::servers::{Binaries, Implementation, Pair, alternating, knows_command};
use super::stats::geometric_mean;

/// The `redis-benchmark -t` tests of issue 5; each is also the name of the command it sends.
pub const TESTS: [&str; 9] = [
    "set", "get", "incr", "lpush", "lpop", "sadd", "hset", "zadd", "mset",
];

/// One result per round: requests per second, or what went wrong.
type RoundResults = Vec<Result<f64, String>>;

/// The pipeline depths compared.
pub const PIPELINES: [u32; 2] = [1, 16];

/// `-r`: keys are drawn from this many (`key:__rand_int__` and friends).
const KEYSPACE: u32 = 100_000;

/// Runs the throughput section.
pub fn run(binaries: &Binaries, rounds: usize, quick: bool) -> Result<Section> {
    let nodes = Pair::try_new(|implementation| binaries.start(implementation))?;
    let supported = Pair::try_new(|implementation| supported_tests(nodes.get(implementation)))?;

    // results[pipeline][test] = one Result per round, per implementation.
    let mut results: Vec<Vec<Pair<RoundResults>>> =
        vec![vec![Pair::default(); TESTS.len()]; PIPELINES.len()];
    for round in 0..rounds {
        for (pipeline_index, &pipeline) in PIPELINES.iter().enumerate() {
            for (test_index, &test) in TESTS.iter().enumerate() {
                for implementation in alternating(round + test_index) {
                    if !supported.get(implementation)[test_index] {
                        continue;
                    }
                    let requests = requests(test, pipeline, quick);
                    let outcome = run_benchmark(
                        &binaries.redis_benchmark,
                        nodes.get(implementation).port(),
                        test,
                        pipeline,
                        requests,
                    );
                    match &outcome {
                        Ok(rps) => eprintln!(
                            "throughput round {}/{rounds}: {test} -P {pipeline} on {}: {rps:.0} req/s",
                            round + 1,
                            implementation.name()
                        ),
                        Err(error) => eprintln!(
                            "throughput round {}/{rounds}: {test} -P {pipeline} on {}: failed: {error}",
                            round + 1,
                            implementation.name()
                        ),
                    }
                    results[pipeline_index][test_index]
                        .get_mut(implementation)
                        .push(outcome);
                }
            }
        }
    }

    let method = format!(
        "`redis-benchmark -t <test> -n <N> -r {KEYSPACE} -P <pipeline> -q` (50 clients, 3-byte values: \
         redis-benchmark's defaults), one server of each kind kept running for all rounds; \
         N is {} at pipeline 1 and {} at pipeline 16 (a quarter of that for mset, which writes 10 keys per request). \
         Who runs first alternates from test to test and between rounds. \
         The geometric mean is over the tests both servers support.",
        requests("set", 1, quick),
        requests("set", 16, quick),
    );
    let mut section = Section::new("Throughput (redis-benchmark)", method);
    for (pipeline_index, &pipeline) in PIPELINES.iter().enumerate() {
        let mut ratios = Vec::new();
        let mut both = Pair::<Vec<f64>>::default();
        let mut excluded = Vec::new();
        for (test_index, &test) in TESTS.iter().enumerate() {
            let measured = |implementation: Implementation| {
                if supported.get(implementation)[test_index] {
                    Measured::from_rounds(results[pipeline_index][test_index].get(implementation))
                } else {
                    Measured::Unsupported
                }
            };
            let row = Row {
                test: format!("{test} (pipeline {pipeline})"),
                unit: Unit::RequestsPerSecond,
                rserver: measured(Implementation::Rserver),
                redis: measured(Implementation::Redis),
                target: None,
            };
            match (row.rserver.value(), row.redis.value(), row.ratio()) {
                (Some(rserver), Some(redis), Some(ratio)) => {
                    ratios.push(ratio);
                    both.rserver.push(rserver);
                    both.redis.push(redis);
                }
                _ => excluded.push(test),
            }
            section.push(row);
        }
        let geomean = |values: &[f64]| {
            geometric_mean(values).map_or_else(
                || Measured::Failed("no test measured on both servers".to_string()),
                Measured::Value,
            )
        };
        section.push(Row {
            test: format!(
                "geometric mean, pipeline {pipeline} ({} of {} tests)",
                ratios.len(),
                TESTS.len()
            ),
            unit: Unit::RequestsPerSecond,
            rserver: geomean(&both.rserver),
            redis: geomean(&both.redis),
            target: Some(Target::at_least(1.0)),
        });
        if !excluded.is_empty() {
            section.notes.push(format!(
                "pipeline {pipeline}: {} excluded from the geometric mean (not measured on both servers: \
                 unsupported by one of them or failed)",
                excluded.join(", ")
            ));
        }
    }
    Ok(section)
}

/// `-n` for `test` at `pipeline`: about one to two seconds per run on the 2-core machine of issue 5.
fn requests(test: &str, pipeline: u32, quick: bool) -> u64 {
    let base = match (pipeline, quick) {
        (1, false) => 200_000,
        (_, false) => 1_500_000,
        (1, true) => 20_000,
        (_, true) => 150_000,
    };
    if test == "mset" { base / 4 } else { base }
}

/// For each of [`TESTS`], whether `node` knows its command.
fn supported_tests(node: &Node) -> Result<Vec<bool>> {
    let mut client = Client::connect(node.port()).context("connect to check commands")?;
    TESTS
        .iter()
        .map(|test| knows_command(&mut client, test))
        .collect()
}

/// One `redis-benchmark` run; its requests per second, or what went wrong.
fn run_benchmark(
    redis_benchmark: &Path,
    port: u16,
    test: &str,
    pipeline: u32,
    requests: u64,
) -> Result<f64, String> {
    let output = Command::new(redis_benchmark)
        .args(benchmark_args(port, test, pipeline, requests))
        .output()
        .map_err(|error| format!("run redis-benchmark: {error}"))?;
    requests_per_second_of(&output)
}

/// The arguments of one quiet `redis-benchmark` run against `127.0.0.1:port`.
pub fn benchmark_args(port: u16, test: &str, pipeline: u32, requests: u64) -> Vec<String> {
    [
        "-h",
        "127.0.0.1",
        "-p",
        &port.to_string(),
        "-t",
        test,
        "-n",
        &requests.to_string(),
        "-r",
        &KEYSPACE.to_string(),
        "-P",
        &pipeline.to_string(),
        "-q",
    ]
    .map(str::to_string)
    .to_vec()
}

/// The result of a finished `redis-benchmark -q`, or its error output.
pub fn requests_per_second_of(output: &Output) -> Result<f64, String> {
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    match (output.status.success(), parse_requests_per_second(&stdout)) {
        (true, Some(rps)) => Ok(rps),
        _ => {
            let message = stderr.trim();
            let message = if message.is_empty() {
                stdout
                    .rsplit(['\r', '\n'])
                    .find(|part| !part.trim().is_empty())
                    .unwrap_or("")
                    .trim()
            } else {
                message
            };
            Err(format!("redis-benchmark {}: {message}", output.status))
        }
    }
}

/// The number in the last `NAME: X requests per second` of `redis-benchmark -q` output, whose progress
/// lines are separated by `\r` rather than newlines.
pub fn parse_requests_per_second(stdout: &str) -> Option<f64> {
    stdout
        .split(['\r', '\n'])
        .filter_map(|part| {
            let (before, _) = part.split_once(" requests per second")?;
            let (_, number) = before.rsplit_once(": ")?;
            number.trim().parse::<f64>().ok()
        })
        .next_back()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_quiet_output_with_progress_lines() {
        let output = " SET: rps=0.0 (overall: -nan) avg_msec=-nan (overall: -nan)\r \
                      SET: rps=162940.0 (overall: 162290.8) avg_msec=0.196 (overall: 0.196)\r\
                      SET: 157480.31 requests per second, p50=0.175 msec\n\n";
        assert_eq!(parse_requests_per_second(output), Some(157480.31));
        let mset = "MSET (10 keys): rps=65292.0 (overall: 65231.1)\rMSET (10 keys): 50838.84 requests per second, p50=0.871 msec\n";
        assert_eq!(parse_requests_per_second(mset), Some(50838.84));
        assert_eq!(
            parse_requests_per_second("Error from server: ERR unknown command"),
            None
        );
    }

    #[test]
    fn every_test_has_sizes() {
        for test in TESTS {
            for pipeline in PIPELINES {
                assert!(requests(test, pipeline, true) < requests(test, pipeline, false));
            }
        }
    }
}
