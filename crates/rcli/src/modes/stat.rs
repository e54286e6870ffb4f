//! `--stat`: one line of server statistics per interval (default 1 s) from `INFO`, with a header every 20 lines,
//! in redis-cli's `statMode` columns.

use std::io::{self, Write};
use std::time::Duration;

use resp::Frame;

use crate::client::Client;
use crate::modes::info_field;

/// The two header lines, printed before the first line and every 20 lines.
pub const HEADER: &str = "\
------- data ------ --------------------- load -------------------- - child -
keys       mem      clients blocked requests            connections          
";

/// Polls `INFO` forever (until the connection breaks).
pub fn run(
    client: &mut Client,
    interval: Option<Duration>,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> io::Result<i32> {
    let interval = interval.unwrap_or(Duration::from_secs(1));
    let mut previous_requests = 0i64;
    for line_number in 0u64.. {
        let info = match client.command(&["INFO"]) {
            Ok(Frame::Bulk(text) | Frame::Verbatim { text, .. }) => text,
            Ok(Frame::Error(text) | Frame::BulkError(text)) => {
                stderr.write_all(b"ERROR: ")?;
                stderr.write_all(&text)?;
                stderr.write_all(b"\n")?;
                return Ok(1);
            }
            Ok(_) => bytes::Bytes::new(),
            Err(_) => {
                writeln!(stderr, "\nI/O error")?;
                return Ok(1);
            }
        };
        if line_number % 20 == 0 {
            stdout.write_all(HEADER.as_bytes())?;
        }
        let (line, requests) = stat_line(&info, previous_requests);
        previous_requests = requests;
        stdout.write_all(line.as_bytes())?;
        stdout.flush()?;
        std::thread::sleep(interval);
    }
    Ok(0)
}

/// One line of statistics from an `INFO` text, given the request count of the previous line (0 for none); also
/// returns this line's request count.
pub fn stat_line(info: &[u8], previous_requests: i64) -> (String, i64) {
    // redis-cli's getLongInfoField answers LONG_MIN for a missing field and prints whatever follows from it.
    let field = |name: &str| info_field(info, name).unwrap_or(i64::MIN);
    let keys: i64 = (0..20)
        .filter_map(|db| info_field(info, &format!("db{db}:keys")))
        .fold(0, i64::wrapping_add);
    let mut line = format!("{:<11}", keys.to_string());
    line.push_str(&format!("{:<8}", bytes_to_human(field("used_memory"))));
    line.push_str(&format!(" {:<8}", field("connected_clients").to_string()));
    line.push_str(&format!("{:<8}", field("blocked_clients").to_string()));
    let requests = field("total_commands_processed");
    let delta = if previous_requests == 0 {
        0
    } else {
        requests.wrapping_sub(previous_requests)
    };
    line.push_str(&format!("{:<19}", format!("{requests} (+{delta})")));
    line.push_str(&format!(
        " {:<12}",
        field("total_connections_received").to_string()
    ));
    let children = field("bgsave_in_progress")
        | field("aof_rewrite_in_progress").wrapping_shl(1)
        | field("loading").wrapping_shl(2);
    line.push_str(match children {
        1 => "SAVE",
        2 => "AOF",
        3 => "SAVE+AOF",
        4 => "LOAD",
        _ => "",
    });
    line.push('\n');
    (line, requests)
}

/// redis-cli's `bytesToHuman`: `100B`, `4.00K`, `2.50M`, `1.00G` (and nothing at all from a terabyte on).
pub fn bytes_to_human(bytes: i64) -> String {
    let (sign, magnitude) = if bytes < 0 {
        ("-", bytes.wrapping_neg())
    } else {
        ("", bytes)
    };
    let value = magnitude as f64;
    let text = if magnitude < 1024 {
        format!("{magnitude}B")
    } else if magnitude < 1024 * 1024 {
        format!("{:.2}K", value / 1024.0)
    } else if magnitude < 1024 * 1024 * 1024 {
        format!("{:.2}M", value / (1024.0 * 1024.0))
    } else if magnitude < 1024 * 1024 * 1024 * 1024 {
        format!("{:.2}G", value / (1024.0 * 1024.0 * 1024.0))
    } else {
        String::new()
    };
    format!("{sign}{text}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_sizes() {
        assert_eq!(bytes_to_human(100), "100B");
        assert_eq!(bytes_to_human(1024 * 1024 * 5 / 2), "2.50M");
        assert_eq!(bytes_to_human(-2048), "-2.00K");
        assert_eq!(bytes_to_human(i64::MIN), "--9223372036854775808B");
    }

    #[test]
    fn a_line_from_info() {
        let info = b"connected_clients:3\r\nblocked_clients:0\r\nused_memory:1048576\r\n\
            total_connections_received:9\r\ntotal_commands_processed:120\r\nloading:0\r\n\
            rdb_bgsave_in_progress:1\r\naof_rewrite_in_progress:0\r\ndb0:keys=2,expires=0\r\ndb3:keys=5,expires=1\r\n";
        let (line, requests) = stat_line(info, 100);
        assert_eq!(requests, 120);
        assert_eq!(
            line,
            "7          1.00M    3       0       120 (+20)           9           SAVE\n"
        );
    }
}
