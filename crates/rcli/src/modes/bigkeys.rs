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

/// The known types, in the order redis-cli adds them to its dict.
fn known_types() -> Vec<TypeInfo> {
    vec![
        TypeInfo::new("string", Some("STRLEN"), "bytes"),
        TypeInfo::new("list", Some("LLEN"), "items"),
        TypeInfo::new("set", Some("SCARD"), "members"),
        TypeInfo::new("hash", Some("HLEN"), "fields"),
        TypeInfo::new("zset", Some("ZCARD"), "members"),
        TypeInfo::new("stream", Some("XLEN"), "entries"),
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
    let mut order = TypeOrder::default();
    for info in &types {
        order.add(&info.name);
    }
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
        let key_types = key_types(client, &keys, &mut types, &mut order)?;
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
    let summary_order: Vec<&TypeInfo> = order
        .iteration()
        .iter()
        .filter_map(|name| types.iter().find(|info| &info.name == name))
        .collect();
    for info in &summary_order {
        if let Some(key) = &info.biggest_key {
            let mut line = format!("Biggest {:>6} found '", info.name).into_bytes();
            line.extend_from_slice(key);
            line.extend_from_slice(format!("' has {} {}\n", info.biggest, info.unit).as_bytes());
            stdout.write_all(&line)?;
        }
    }
    stdout.write_all(b"\n")?;
    for info in &summary_order {
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
    order: &mut TypeOrder,
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
        order.find();
        let index = match types.iter().position(|info| info.name == name) {
            Some(index) => Some(index),
            None if name == "none" => None,
            // Module types: counted, but with no size command.
            None => {
                order.add(&name);
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

/// The order in which redis-cli's summary lists the types: the iteration order of its `dict` of type names.
///
/// That dict hashes with SipHash under a seed redis-cli never sets (all zeros), but it rehashes incrementally:
/// one bucket moves on each add and each lookup while a rehash is under way, and an iterator walks the old table
/// and then the new one. So the order depends on how many keys were looked up; this replays Redis 7.0's `dict.c`
/// (`_dictExpandIfNeeded`, `dictRehash`, `dictNext`) on the names alone.
#[derive(Debug, Default)]
struct TypeOrder {
    /// `ht_table[0]` and `ht_table[1]`: buckets of names, each chain newest first.
    tables: [Vec<Vec<String>>; 2],
    used: [usize; 2],
    /// `rehashidx`: the next bucket of table 0 to move, while rehashing.
    rehash_index: Option<usize>,
}

impl TypeOrder {
    /// `dictAdd` of a name known not to be there.
    fn add(&mut self, name: &str) {
        if self.rehash_index.is_some() {
            self.rehash_step();
        }
        self.expand_if_needed();
        let table = usize::from(self.rehash_index.is_some());
        let mask = self.tables[table].len() - 1;
        let bucket = (hash(name) as usize) & mask;
        self.tables[table][bucket].insert(0, name.to_owned());
        self.used[table] += 1;
    }

    /// `dictFind`: only its side effect matters here, one rehash step.
    fn find(&mut self) {
        if self.tables[0].is_empty() && self.tables[1].is_empty() {
            return;
        }
        if self.rehash_index.is_some() {
            self.rehash_step();
        }
    }

    /// The names in `dictNext` order.
    fn iteration(&self) -> Vec<String> {
        let tables = if self.rehash_index.is_some() { 2 } else { 1 };
        self.tables[..tables]
            .iter()
            .flatten()
            .flatten()
            .cloned()
            .collect()
    }

    fn expand_if_needed(&mut self) {
        if self.rehash_index.is_some() {
            return;
        }
        if self.tables[0].is_empty() {
            self.tables[0] = vec![Vec::new(); 4];
        } else if self.used[0] >= self.tables[0].len() {
            let size = (self.used[0] + 1).next_power_of_two().max(4);
            self.tables[1] = vec![Vec::new(); size];
            self.rehash_index = Some(0);
        }
    }

    /// `dictRehash(d, 1)`.
    fn rehash_step(&mut self) {
        let Some(mut index) = self.rehash_index else {
            return;
        };
        let mut empty_visits = 10;
        if self.used[0] != 0 {
            while self.tables[0][index].is_empty() {
                index += 1;
                empty_visits -= 1;
                if empty_visits == 0 {
                    self.rehash_index = Some(index);
                    return;
                }
            }
            let chain = std::mem::take(&mut self.tables[0][index]);
            let mask = self.tables[1].len() - 1;
            for name in chain {
                let bucket = (hash(&name) as usize) & mask;
                self.tables[1][bucket].insert(0, name);
                self.used[0] -= 1;
                self.used[1] += 1;
            }
            index += 1;
        }
        self.rehash_index = Some(index);
        if self.used[0] == 0 {
            self.tables[0] = std::mem::take(&mut self.tables[1]);
            self.used = [self.used[1], 0];
            self.rehash_index = None;
        }
    }
}

/// Redis's `dictGenHashFunction` (`siphash.c`): SipHash-1-2, here with the all-zero key redis-cli leaves in place
/// (so the key terms of the initial state vanish).
fn hash(name: &str) -> u64 {
    let mut v = [
        0x736f_6d65_7073_6575u64,
        0x646f_7261_6e64_6f6d,
        0x6c79_6765_6e65_7261,
        0x7465_6462_7974_6573,
    ];
    let round = |v: &mut [u64; 4]| {
        v[0] = v[0].wrapping_add(v[1]);
        v[1] = v[1].rotate_left(13) ^ v[0];
        v[0] = v[0].rotate_left(32);
        v[2] = v[2].wrapping_add(v[3]);
        v[3] = v[3].rotate_left(16) ^ v[2];
        v[0] = v[0].wrapping_add(v[3]);
        v[3] = v[3].rotate_left(21) ^ v[0];
        v[2] = v[2].wrapping_add(v[1]);
        v[1] = v[1].rotate_left(17) ^ v[2];
        v[2] = v[2].rotate_left(32);
    };
    let bytes = name.as_bytes();
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let word = u64::from_le_bytes(chunk.try_into().expect("chunks of 8"));
        v[3] ^= word;
        round(&mut v);
        v[0] ^= word;
    }
    let mut last = (bytes.len() as u64) << 56;
    for (index, byte) in chunks.remainder().iter().enumerate() {
        last |= u64::from(*byte) << (8 * index);
    }
    v[3] ^= last;
    round(&mut v);
    v[0] ^= last;
    v[2] ^= 0xff;
    round(&mut v);
    round(&mut v);
    v[0] ^ v[1] ^ v[2] ^ v[3]
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

    fn order_after(finds: usize) -> Vec<String> {
        let mut order = TypeOrder::default();
        for info in known_types() {
            order.add(&info.name);
        }
        for _ in 0..finds {
            order.find();
        }
        order.iteration()
    }

    /// What redis-cli 7.0.15 prints for an empty keyspace and for one with a few keys.
    #[test]
    fn summary_order_follows_the_rehash() {
        assert_eq!(
            order_after(0),
            ["hash", "list", "string", "stream", "set", "zset"]
        );
        assert_eq!(
            order_after(5),
            ["list", "hash", "string", "stream", "set", "zset"]
        );
    }

    #[test]
    fn percent_like_printf() {
        assert_eq!(percent_05_2(0.0), "00.00");
        assert_eq!(percent_05_2(5.5), "05.50");
        assert_eq!(percent_05_2(100.0), "100.00");
        assert_eq!(percent_05_2(f64::NAN), "  nan");
    }
}
