//! Memory per key: how much a fresh server's resident set grows when it is loaded with N keys of 16-byte
//! values. RSS on both sides, because rserver has no allocator accounting (its `used_memory` is its RSS).

use anyhow::{Context as _, Result};
use testkit::Client;

use super::report::{Measured, Row, Section, Target, Unit, thousands};
use super::servers::{Binaries, Implementation, Pair, alternating, info_number, populate};
use super::stats::median;

/// What one load measured, per key.
#[derive(Debug, Clone, Copy)]
struct MemorySample {
    rss_per_key: f64,
    used_memory_per_key: f64,
}

/// Runs the memory section with `keys` keys.
pub fn run(binaries: &Binaries, rounds: usize, keys: u64) -> Result<Section> {
    let mut results: Pair<Vec<Result<MemorySample, String>>> = Pair::default();
    for round in 0..rounds {
        for implementation in alternating(round) {
            let outcome =
                measure_once(binaries, implementation, keys).map_err(|error| format!("{error:#}"));
            match &outcome {
                Ok(sample) => eprintln!(
                    "memory round {}/{rounds} on {}: {:.1} B/key (RSS), {:.1} B/key (used_memory)",
                    round + 1,
                    implementation.name(),
                    sample.rss_per_key,
                    sample.used_memory_per_key
                ),
                Err(error) => eprintln!(
                    "memory round {}/{rounds} on {}: failed: {error}",
                    round + 1,
                    implementation.name()
                ),
            }
            results.get_mut(implementation).push(outcome);
        }
    }

    let method = format!(
        "A fresh server of each kind per round: its resident set size before and after \
         `DEBUG POPULATE {keys} key 16`, the growth divided by {keys}. RSS is used for both because rserver has no \
         allocator accounting: its `used_memory` is its RSS, so comparing it with redis-server's `used_memory` \
         would not be fair. RSS is read from `VmRSS` in `/proc/<pid>/status` (what `used_memory_rss` reports) \
         because redis-server refreshes `used_memory_rss` only in its cron, up to 100 ms late."
    );
    let mut section = Section::new(
        format!(
            "Memory per key ({} keys, 16-byte values)",
            thousands(keys as f64)
        ),
        method,
    );
    let rounds_of = |implementation: Implementation| -> Vec<Result<f64, String>> {
        results
            .get(implementation)
            .iter()
            .map(|result| {
                result
                    .as_ref()
                    .map(|sample| sample.rss_per_key)
                    .map_err(Clone::clone)
            })
            .collect()
    };
    section.push(Row {
        test: "used memory per key (RSS growth)".to_string(),
        unit: Unit::BytesPerKey,
        rserver: Measured::from_rounds(&rounds_of(Implementation::Rserver)),
        redis: Measured::from_rounds(&rounds_of(Implementation::Redis)),
        target: Some(Target::at_most(1.3)),
    });
    let redis_used_memory: Vec<f64> = results
        .redis
        .iter()
        .filter_map(|result| result.as_ref().ok())
        .map(|sample| sample.used_memory_per_key)
        .collect();
    if let Some(per_key) = median(&redis_used_memory) {
        section.notes.push(format!(
            "for reference, redis-server's own `used_memory` (allocator accounting, not RSS) grew by \
             {per_key:.1} B/key; rserver has no such figure"
        ));
    }
    Ok(section)
}

/// Loads `keys` keys into a fresh server of `implementation` and measures its growth.
fn measure_once(
    binaries: &Binaries,
    implementation: Implementation,
    keys: u64,
) -> Result<MemorySample> {
    let node = binaries.start(implementation)?;
    let mut client = Client::connect(node.port()).context("connect")?;
    let pid = node.pid().context("the node has no process")?;
    let rss_before = resident_bytes(pid)?;
    let used_before = info_number(&mut client, "memory", "used_memory")?;
    populate(&node, keys)?;
    let rss_after = resident_bytes(pid)?;
    let used_after = info_number(&mut client, "memory", "used_memory")?;
    let per_key = |before: u64, after: u64| after.saturating_sub(before) as f64 / keys as f64;
    Ok(MemorySample {
        rss_per_key: per_key(rss_before, rss_after),
        used_memory_per_key: per_key(used_before, used_after),
    })
}

/// The resident set size of process `pid` in bytes (`VmRSS` of `/proc/<pid>/status`).
fn resident_bytes(pid: u32) -> Result<u64> {
    let path = format!("/proc/{pid}/status");
    let status = std::fs::read_to_string(&path).with_context(|| format!("read {path}"))?;
    parse_vm_rss(&status).with_context(|| format!("no VmRSS line in {path}"))
}

/// `VmRSS:    123456 kB` → bytes.
fn parse_vm_rss(status: &str) -> Option<u64> {
    let line = status.lines().find(|line| line.starts_with("VmRSS:"))?;
    let kilobytes: u64 = line
        .trim_start_matches("VmRSS:")
        .trim()
        .strip_suffix("kB")?
        .trim()
        .parse()
        .ok()?;
    Some(kilobytes * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_vm_rss() {
        let status =
            "Name:\tredis-server\nVmHWM:\t  9000 kB\nVmRSS:\t    8012 kB\nRssAnon:\t 1 kB\n";
        assert_eq!(parse_vm_rss(status), Some(8012 * 1024));
        assert_eq!(parse_vm_rss("Name:\tx\n"), None);
    }
}
