//! `--latency` and `--latency-history`: PING in a loop every 10 ms and report min, max and average round trips in
//! whole milliseconds, as redis-cli's `latencyMode` does.

use std::io::{self, Write};
use std::time::{Duration, Instant};

use crate::client::Client;
use crate::format::FormatMode;

/// The pause between two samples.
const SAMPLE_RATE: Duration = Duration::from_millis(10);
/// `--latency-history` starts a new range this often unless `-i` says otherwise.
const HISTORY_DEFAULT_INTERVAL: Duration = Duration::from_secs(15);

/// Running statistics of one range of samples.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct Stats {
    /// Smallest sample, ms.
    pub min: u64,
    /// Largest sample, ms.
    pub max: u64,
    /// Sum of the samples, ms.
    pub total: u64,
    /// Number of samples.
    pub count: u64,
}

impl Stats {
    /// Adds one sample.
    pub fn add(&mut self, latency: u64) {
        self.count += 1;
        if self.count == 1 {
            (self.min, self.max) = (latency, latency);
        } else {
            self.min = self.min.min(latency);
            self.max = self.max.max(latency);
        }
        self.total += latency;
    }

    /// The line (or the text before the carriage reset, in the human-readable mode) that redis-cli prints.
    pub fn render(&self, output: FormatMode) -> String {
        let average = if self.count == 0 {
            0.0
        } else {
            self.total as f64 / self.count as f64
        };
        let Stats {
            min, max, count, ..
        } = self;
        match output {
            FormatMode::Tty => {
                format!("min: {min}, max: {max}, avg: {average:.2} ({count} samples)")
            }
            FormatMode::Csv => format!("{min},{max},{average:.2},{count}\n"),
            FormatMode::Raw | FormatMode::Verbatim => format!("{min} {max} {average:.2} {count}\n"),
        }
    }
}

/// Samples until the connection breaks; in the non-human modes without `history`, prints once after `interval`
/// (default 1 s) and returns.
pub fn run(
    client: &mut Client,
    history: bool,
    interval: Option<Duration>,
    output: FormatMode,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> io::Result<i32> {
    let history_interval = interval.unwrap_or(HISTORY_DEFAULT_INTERVAL);
    let single_interval = interval.unwrap_or(Duration::from_secs(1));
    let mut stats = Stats::default();
    let mut range_start = Instant::now();
    loop {
        let start = Instant::now();
        if client.command(&["PING"]).is_err() {
            writeln!(stderr, "\nI/O error")?;
            return Ok(1);
        }
        stats.add(start.elapsed().as_millis() as u64);
        if output == FormatMode::Tty {
            // Clear the line and rewrite it in place.
            write!(stdout, "\x1b[0G\x1b[2K{}", stats.render(output))?;
        } else if history {
            stdout.write_all(stats.render(output).as_bytes())?;
        } else if range_start.elapsed() > single_interval {
            stdout.write_all(stats.render(output).as_bytes())?;
            stdout.flush()?;
            return Ok(0);
        }
        if history && range_start.elapsed() > history_interval {
            writeln!(
                stdout,
                " -- {:.2} seconds range",
                range_start.elapsed().as_secs_f64()
            )?;
            range_start = Instant::now();
            stats = Stats::default();
        }
        stdout.flush()?;
        std::thread::sleep(SAMPLE_RATE);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_like_latency_mode_print() {
        let mut stats = Stats::default();
        for sample in [1, 0, 3] {
            stats.add(sample);
        }
        assert_eq!(
            stats.render(FormatMode::Tty),
            "min: 0, max: 3, avg: 1.33 (3 samples)"
        );
        assert_eq!(stats.render(FormatMode::Raw), "0 3 1.33 3\n");
        assert_eq!(stats.render(FormatMode::Csv), "0,3,1.33,3\n");
    }
}
