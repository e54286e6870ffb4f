//! `--bigkeys`: scans the whole keyspace, asks each key's TYPE and size, and reports the biggest key per type and
//! totals, in redis-cli 7.0's exact wording (`findBigKeys`).

use std::io::{self, Write};
use std::time::Duration;

use bytes::Bytes;
use resp::Frame;

use crate::client::Client;
use crate::format::write_quoted;
use crate::modes::scan::scan;

/// What is known of one type: redis-cli's `typeinfo`.
#[derive(Debug)]
struct TypeInfo {
    name: String,
    size_command: Option<&'static str>,
    unit: &'static str,
    biggest: u64,
    count: u64,
    total_size: u64,
    biggest_key: Option<Vec<u8>>,
}

impl TypeInfo {
    fn new(name: &str, size_command: Option<&'static str>, unit: &'static str) -> TypeInfo {
        TypeInfo {
            name: name.to_owned(),
            size_command,
            unit,
            biggest: 0,
            count: 0,
            total_size: 0,
            biggest_key: None,
        }
    }
}

/// The known types in the order redis-cli's summary lists them: the iteration order of its dict of these six
/// names, which is fixed because redis-cli never seeds that dict's hash function.
fn known_types() -> Vec<TypeInfo> {
    vec![
        TypeInfo::new("list", Some("LLEN"), "items"),
        TypeInfo::new("hash", Some("HLEN"), "fields"),
        TypeInfo::new("string", Some("STRLEN"), "bytes"),
        TypeInfo::new("stream", Some("XLEN"), "entries"),
        TypeInfo::new("set", Some("SCARD"), "members"),
        TypeInfo::new("zset", Some("ZCARD"), "members"),
    ]
}

/// Runs the scan and prints the report; pauses `interval` every 100 SCAN calls.
pub fn run(
    client: &mut Client,
    pattern: Option<&[u8]>,
    interval: Option<Duration>,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> io::Result<i32> {
    match report(client, pattern, interval, stdout, stderr) {
        Ok(()) => Ok(0),
        Err(Failure::Io(error)) => Err(error),
        Err(Failure::Message(message)) => {
            writeln!(stderr, "{message}")?;
            Ok(1)
        }
    }
}

enum Failure {
    Io(io::Error),
    Message(String),
}

impl From<io::Error> for Failure {
    fn from(error: io::Error) -> Failure {
        Failure::Io(error)
    }
}

fn report(
    client: &mut Client,
    pattern: Option<&[u8]>,
    interval: Option<Duration>,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> Result<(), Failure> {
    let mut types = known_types();
    let total_keys = match client
        .command(&["DBSIZE"])
        .map_err(|_| Failure::Message("\nI/O error".to_owned()))?
    {
        Frame::Integer(count) => count,
        Frame::Error(text) | Frame::BulkError(text) => {
            return Err(Failure::Message(format!(
                "Couldn't determine DBSIZE: {}",
                String::from_utf8_lossy(&text)
            )));
        }
        _ => {
            return Err(Failure::Message(
                "Non INTEGER response from DBSIZE!".to_owned(),
            ));
        }
    };
    stdout.write_all(
        b"\n# Scanning the entire keyspace to find biggest keys as well as\n\
          # average sizes per key type.  You can use -i 0.1 to sleep 0.1 sec\n\
          # per 100 SCAN commands (not usually needed).\n\n",
    )?;
    let (mut sampled, mut total_length, mut scan_loops) = (0u64, 0u64, 0u64);
    let mut cursor = Bytes::from_static(b"0");
    loop {
        let percent = 100.0 * sampled as f64 / total_keys as f64;
        let (next, keys) = scan(client, &cursor, pattern).map_err(Failure::Message)?;
        cursor = next;
        scan_loops += 1;
        let key_types = key_types(client, &keys, &mut types)?;
        let sizes = key_sizes(client, &keys, &key_types, &types, stderr)?;
        for ((key, type_index), size) in keys.iter().zip(&key_types).zip(&sizes) {
            let Some(type_index) = *type_index else {
                continue;
            };
            let info = &mut types[type_index];
            info.total_size += size;
            info.count += 1;
            total_length += key.len() as u64;
            sampled += 1;
            if info.biggest < *size {
                let mut quoted = Vec::new();
                write_quoted(key, &mut quoted);
                let mut line = format!(
                    "[{}%] Biggest {:<6} found so far '",
                    percent_05_2(percent),
                    info.name
                )
                .into_bytes();
                line.extend_from_slice(&quoted);
                line.extend_from_slice(format!("' with {size} {}\n", info.unit).as_bytes());
                stdout.write_all(&line)?;
                info.biggest_key = Some(quoted);
                info.biggest = *size;
            }
            if sampled % 1_000_000 == 0 {
                writeln!(
                    stdout,
                    "[{}%] Sampled {sampled} keys so far",
                    percent_05_2(percent)
                )?;
            }
        }
        if let Some(interval) = interval
            && scan_loops % 100 == 0
        {
            std::thread::sleep(interval);
        }
        if &cursor[..] == b"0" {
            break;
        }
    }
    let average_length = if total_length > 0 {
        total_length as f64 / sampled as f64
    } else {
        0.0
    };
    write!(
        stdout,
        "\n-------- summary -------\n\n\
         Sampled {sampled} keys in the keyspace!\n\
         Total key length in bytes is {total_length} (avg len {average_length:.2})\n\n"
    )?;
    for info in &types {
        if let Some(key) = &info.biggest_key {
            let mut line = format!("Biggest {:>6} found '", info.name).into_bytes();
            line.extend_from_slice(key);
            line.extend_from_slice(format!("' has {} {}\n", info.biggest, info.unit).as_bytes());
            stdout.write_all(&line)?;
        }
    }
    stdout.write_all(b"\n")?;
    for info in &types {
        let share = if sampled > 0 {
            100.0 * info.count as f64 / sampled as f64
        } else {
            0.0
        };
        let average = if info.count > 0 {
            info.total_size as f64 / info.count as f64
        } else {
            0.0
        };
        writeln!(
            stdout,
            "{} {}s with {} {} ({}% of keys, avg size {average:.2})",
            info.count,
            info.name,
            info.total_size,
            info.unit,
            percent_05_2(share)
        )?;
    }
    stdout.flush()?;
    Ok(())
}

/// Pipelines `TYPE key` for every key; the index in `types` of each key's type (added as "other" when unknown),
/// `None` for a key deleted since the SCAN.
fn key_types(
    client: &mut Client,
    keys: &[Bytes],
    types: &mut Vec<TypeInfo>,
) -> Result<Vec<Option<usize>>, Failure> {
    let commands: Vec<Vec<&[u8]>> = keys.iter().map(|key| vec![&b"TYPE"[..], key]).collect();
    client.send_all(&commands)?;
    let mut found = Vec::with_capacity(keys.len());
    for key in keys {
        let name = match client.read_reply() {
            Ok(Frame::Simple(name)) => name,
            Ok(Frame::Error(text) | Frame::BulkError(text)) => {
                return Err(Failure::Message(format!(
                    "TYPE returned an error: {}",
                    String::from_utf8_lossy(&text)
                )));
            }
            Ok(_) => {
                return Err(Failure::Message(format!(
                    "Invalid reply type for TYPE on key '{}'!",
                    String::from_utf8_lossy(key)
                )));
            }
            Err(error) => {
                return Err(Failure::Message(format!(
                    "Error getting type for key '{}' ({error})",
                    String::from_utf8_lossy(key)
                )));
            }
        };
        let name = String::from_utf8_lossy(&name).into_owned();
        let index = match types.iter().position(|info| info.name == name) {
            Some(index) => Some(index),
            None if name == "none" => None,
            // Module types: counted, but with no size command.
            None => {
                types.push(TypeInfo::new(&name, None, "?"));
                Some(types.len() - 1)
            }
        };
        found.push(index);
    }
    Ok(found)
}

/// Pipelines each key's size command (`STRLEN`, `LLEN`, ...); 0 for keys without one or whose type changed.
fn key_sizes(
    client: &mut Client,
    keys: &[Bytes],
    key_types: &[Option<usize>],
    types: &[TypeInfo],
    stderr: &mut dyn Write,
) -> Result<Vec<u64>, Failure> {
    let size_command = |index: &Option<usize>| index.and_then(|index| types[index].size_command);
    let commands: Vec<Vec<&[u8]>> = keys
        .iter()
        .zip(key_types)
        .filter_map(|(key, index)| Some(vec![size_command(index)?.as_bytes(), key]))
        .collect();
    client.send_all(&commands)?;
    let mut sizes = Vec::with_capacity(keys.len());
    for (key, index) in keys.iter().zip(key_types) {
        let Some(command) = size_command(index) else {
            sizes.push(0);
            continue;
        };
        match client.read_reply() {
            Ok(Frame::Integer(size)) => sizes.push(u64::try_from(size).unwrap_or(0)),
            Ok(_) => {
                // The key may have been replaced by one of another type between TYPE and this command.
                writeln!(
                    stderr,
                    "Warning:  {command} on '{}' failed (may have changed type)",
                    String::from_utf8_lossy(key)
                )?;
                sizes.push(0);
            }
            Err(error) => {
                return Err(Failure::Message(format!(
                    "Error getting size for key '{}' ({error})",
                    String::from_utf8_lossy(key)
                )));
            }
        }
    }
    Ok(sizes)
}

/// C's `%05.2f`, including glibc's space-padded `nan` and `inf` (a DBSIZE of 0 with keys appearing meanwhile).
fn percent_05_2(value: f64) -> String {
    if value.is_nan() {
        "  nan".to_owned()
    } else if value.is_infinite() {
        "  inf".to_owned()
    } else {
        format!("{value:05.2}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_like_printf() {
        assert_eq!(percent_05_2(0.0), "00.00");
        assert_eq!(percent_05_2(5.5), "05.50");
        assert_eq!(percent_05_2(100.0), "100.00");
        assert_eq!(percent_05_2(f64::NAN), "  nan");
    }
}
