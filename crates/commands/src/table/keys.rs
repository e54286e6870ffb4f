//! Which arguments of a command are keys (and how it uses each), and which are Pub/Sub channels: what the
//! ACL key patterns (`~`, `%R~`, `%W~`) and channel patterns (`&`) are checked against.
//!
//! Keys come from Redis 7.0's key specs (in the generated table), evaluated the way Redis evaluates them; the
//! few commands whose specs cannot say everything (`SET` and `BITFIELD`, whose access depends on the
//! arguments, and `SORT`/`MIGRATE`, whose specs are incomplete) have their own extraction, as in Redis.

use bytes::Bytes;

use super::CommandInfo;
use crate::args::parse_i64;

/// Key-spec flags, as `COMMAND INFO` names them.
pub mod flags {
    /// Reads the value.
    pub const RO: u16 = 1 << 0;
    /// Reads and writes the value.
    pub const RW: u16 = 1 << 1;
    /// Overwrites the value.
    pub const OW: u16 = 1 << 2;
    /// Deletes the key.
    pub const RM: u16 = 1 << 3;
    /// Returns or uses the user data.
    pub const ACCESS: u16 = 1 << 4;
    /// Updates data.
    pub const UPDATE: u16 = 1 << 5;
    /// Adds data.
    pub const INSERT: u16 = 1 << 6;
    /// Deletes some content.
    pub const DELETE: u16 = 1 << 7;
    /// Not a key (a shard channel): routing only, never checked against key patterns.
    pub const NOT_KEY: u16 = 1 << 8;
    /// The spec may miss keys: the command's own extraction is used instead.
    pub const INCOMPLETE: u16 = 1 << 9;
    /// The flags depend on the arguments: the command's own extraction is used instead.
    pub const VARIABLE_FLAGS: u16 = 1 << 10;
}

use flags::*;

/// Where a key spec's search starts.
#[derive(Debug, Clone, Copy)]
pub enum Begin {
    /// At this argument index.
    Index(i32),
    /// After this keyword, searched from `startfrom` (from the end when negative).
    Keyword(&'static str, i32),
    /// Not expressible: the command extracts its keys itself.
    Unknown,
}

/// How a key spec finds its keys once it knows where they start.
#[derive(Debug, Clone, Copy)]
pub enum Find {
    /// Keys up to `last` (relative; negative counts from the end), every `step`; with `limit` N, only
    /// 1/N of what remains (`XREAD ... STREAMS k1 k2 id1 id2`).
    Range {
        /// Last key, relative to the first (negative: from the end).
        last: i32,
        /// Step between keys.
        step: i32,
        /// Divisor of the remaining arguments (0: none).
        limit: i32,
    },
    /// A count at `index` (relative), then that many keys from `first` (relative), every `step`.
    Keynum {
        /// Where the count is, relative to the start.
        index: i32,
        /// Where the keys start, relative to the start.
        first: i32,
        /// Step between keys.
        step: i32,
    },
    /// Not expressible: the command extracts its keys itself.
    Unknown,
}

/// One key spec of a command.
#[derive(Debug, Clone, Copy)]
pub struct KeySpec {
    /// [`flags`] bits.
    pub flags: u16,
    /// Where the search starts.
    pub begin: Begin,
    /// How keys are found from there.
    pub find: Find,
}

/// The names of the key-spec flags set in `bits`, in Redis's order (`COMMAND GETKEYSANDFLAGS`, `COMMAND INFO`).
pub fn flag_names(bits: u16) -> impl Iterator<Item = &'static str> {
    const NAMES: [(u16, &str); 11] = [
        (RO, "RO"),
        (RW, "RW"),
        (OW, "OW"),
        (RM, "RM"),
        (ACCESS, "access"),
        (UPDATE, "update"),
        (INSERT, "insert"),
        (DELETE, "delete"),
        (NOT_KEY, "not_key"),
        (INCOMPLETE, "incomplete"),
        (VARIABLE_FLAGS, "variable_flags"),
    ];
    NAMES
        .into_iter()
        .filter(move |(bit, _)| bits & bit != 0)
        .map(|(_, name)| name)
}

/// Whether a command names keys at all (any spec that is not a fake key).
pub fn has_keys(info: &CommandInfo) -> bool {
    info.key_specs.iter().any(|spec| spec.flags & NOT_KEY == 0)
}

/// The key arguments of `argv` (positions into `argv`) with their spec flags, as Redis's
/// `getKeysFromCommandWithSpecs` finds them.
pub fn keys(info: &CommandInfo, argv: &[Bytes]) -> Vec<(usize, u16)> {
    let variable = info
        .key_specs
        .iter()
        .any(|spec| spec.flags & VARIABLE_FLAGS != 0);
    if has_keys(info)
        && !variable
        && let Some(keys) = from_specs(info, argv)
    {
        return keys;
    }
    // The command's own extraction, used when the specs do not apply (a count that is not a clean
    // number, a key past the end...), as Redis falls back to its `getkeys_proc`.
    match info.name {
        "set" => set_keys(argv),
        "bitfield" => bitfield_keys(argv),
        "sort" => sort_keys(argv),
        "sort_ro" => vec![(1, RO | ACCESS)],
        "migrate" => migrate_keys(argv),
        "sintercard" | "zunion" | "zinter" | "zdiff" | "zintercard" | "lmpop" | "zmpop" => {
            counted_keys(argv, None, 1, 2)
        }
        "zunionstore" | "zinterstore" | "zdiffstore" => counted_keys(argv, Some(1), 2, 3),
        "eval" | "evalsha" | "eval_ro" | "evalsha_ro" | "fcall" | "fcall_ro" | "blmpop"
        | "bzmpop" => counted_keys(argv, None, 2, 3),
        "xread" | "xreadgroup" => stream_keys(argv),
        _ => Vec::new(),
    }
}

/// Redis's `genericGetKeys`: a count at `count_at` read the lenient C way (`atoi`: leading digits, the rest
/// ignored), that many keys from `first`, and a destination key at `store` (flags unknown: 0). No keys when the
/// count does not fit, the command then fails on its own.
fn counted_keys(
    argv: &[Bytes],
    store: Option<usize>,
    count_at: usize,
    first: usize,
) -> Vec<(usize, u16)> {
    let count = argv.get(count_at).map_or(0, |arg| atoi(arg));
    if count < 1 || count as usize > argv.len().saturating_sub(first) {
        return Vec::new();
    }
    let mut keys: Vec<(usize, u16)> = (first..first + count as usize).map(|at| (at, 0)).collect();
    if let Some(store) = store {
        keys.push((store, 0));
    }
    keys
}

/// C's `atoi`: optional spaces and sign, then digits up to the first other byte (0 if none); like glibc's,
/// the `long` it parses is truncated to an `int`.
fn atoi(text: &[u8]) -> i64 {
    let mut rest = text;
    while let [b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c, tail @ ..] = rest {
        rest = tail;
    }
    let negative = rest.first() == Some(&b'-');
    if let [b'+' | b'-', tail @ ..] = rest {
        rest = tail;
    }
    let mut value: i64 = 0;
    for digit in rest.iter().take_while(|byte| byte.is_ascii_digit()) {
        value = value
            .saturating_mul(10)
            .saturating_add(i64::from(digit - b'0'));
    }
    let value = if negative {
        value.saturating_neg()
    } else {
        value
    };
    i64::from(value as i32)
}

/// `XREAD`/`XREADGROUP` parsed the way Redis's own extraction does: the first half of what follows `STREAMS`.
fn stream_keys(argv: &[Bytes]) -> Vec<(usize, u16)> {
    let mut streams = None;
    let mut index = 1;
    while index < argv.len() {
        let arg = &argv[index];
        if arg.eq_ignore_ascii_case(b"block") || arg.eq_ignore_ascii_case(b"count") {
            index += 1;
        } else if arg.eq_ignore_ascii_case(b"group") {
            index += 2;
        } else if arg.eq_ignore_ascii_case(b"streams") {
            streams = Some(index);
            break;
        } else if !arg.eq_ignore_ascii_case(b"noack") {
            break;
        }
        index += 1;
    }
    let Some(streams) = streams else {
        return Vec::new();
    };
    let count = argv.len() - streams - 1;
    if count == 0 || !count.is_multiple_of(2) {
        return Vec::new();
    }
    (streams + 1..streams + 1 + count / 2)
        .map(|at| (at, 0))
        .collect()
}

/// Redis's `getKeysUsingKeySpecs`; `None` when a spec cannot be applied (unknown form, bad count, out of
/// range, or incomplete), so the command's own extraction must decide.
fn from_specs(info: &CommandInfo, argv: &[Bytes]) -> Option<Vec<(usize, u16)>> {
    let argc = argv.len() as i64;
    let mut keys = Vec::new();
    for spec in info.key_specs {
        if spec.flags & NOT_KEY != 0 {
            continue;
        }
        let first = match spec.begin {
            Begin::Index(index) => i64::from(index),
            Begin::Keyword(keyword, startfrom) => {
                let startfrom = i64::from(startfrom);
                let (start, end) = if startfrom > 0 {
                    (startfrom, argc - 1)
                } else {
                    (argc + startfrom, 1)
                };
                let mut found = 0;
                let mut index = start;
                while index != end {
                    if index >= argc || index < 1 {
                        break;
                    }
                    if argv[index as usize].eq_ignore_ascii_case(keyword.as_bytes()) {
                        found = index + 1;
                        break;
                    }
                    index = if start <= end { index + 1 } else { index - 1 };
                }
                if found == 0 {
                    continue;
                }
                found
            }
            Begin::Unknown => return None,
        };
        let (first, last, step) = match spec.find {
            Find::Range { last, step, limit } => {
                let last = i64::from(last);
                let last = if last >= 0 {
                    first + last
                } else if limit == 0 {
                    argc + last
                } else {
                    first + ((argc - first) / i64::from(limit) + last)
                };
                (first, last, i64::from(step))
            }
            Find::Keynum {
                index,
                first: offset,
                step,
            } => {
                if i64::from(index) >= argc {
                    return None;
                }
                let count_at = usize::try_from(first + i64::from(index)).ok()?;
                let count = parse_i64(argv.get(count_at)?)?;
                if count < 0 {
                    return None;
                }
                let first = first + i64::from(offset);
                (first, first + count - 1, i64::from(step))
            }
            Find::Unknown => return None,
        };
        if last >= argc || last < first || first >= argc {
            return None;
        }
        let mut index = first;
        while index <= last {
            keys.push((index as usize, spec.flags));
            index += step.max(1);
        }
        if spec.flags & INCOMPLETE != 0 {
            return None;
        }
    }
    Some(keys)
}

/// `SET`: overwrites, unless `GET` makes it read the old value too.
fn set_keys(argv: &[Bytes]) -> Vec<(usize, u16)> {
    let reads = argv
        .iter()
        .skip(3)
        .any(|arg| arg.eq_ignore_ascii_case(b"get"));
    let flags = if reads {
        RW | ACCESS | UPDATE
    } else {
        OW | UPDATE
    };
    vec![(1, flags)]
}

/// `BITFIELD`: read-only when every operation is a `GET` (or `OVERFLOW`).
fn bitfield_keys(argv: &[Bytes]) -> Vec<(usize, u16)> {
    let mut read_only = true;
    let mut index = 2;
    while index < argv.len() {
        let remaining = argv.len() - index - 1;
        let arg = &argv[index];
        if arg.eq_ignore_ascii_case(b"get") && remaining >= 2 {
            index += 3;
        } else if (arg.eq_ignore_ascii_case(b"set") || arg.eq_ignore_ascii_case(b"incrby"))
            && remaining >= 3
        {
            read_only = false;
            break;
        } else if arg.eq_ignore_ascii_case(b"overflow") && remaining >= 1 {
            index += 2;
        } else {
            read_only = false;
            break;
        }
    }
    let flags = if read_only {
        RO | ACCESS
    } else {
        RW | ACCESS | UPDATE
    };
    vec![(1, flags)]
}

/// `SORT key ... [STORE destination]`: the last `STORE` names the written key.
fn sort_keys(argv: &[Bytes]) -> Vec<(usize, u16)> {
    let mut keys = vec![(1, RO | ACCESS)];
    let mut store = None;
    let mut index = 2;
    while index < argv.len() {
        let arg = &argv[index];
        if arg.eq_ignore_ascii_case(b"limit") {
            index += 2;
        } else if arg.eq_ignore_ascii_case(b"get") || arg.eq_ignore_ascii_case(b"by") {
            index += 1;
        } else if arg.eq_ignore_ascii_case(b"store") && index + 1 < argv.len() {
            store = Some(index + 1);
        }
        index += 1;
    }
    if let Some(position) = store {
        keys.push((position, OW | UPDATE));
    }
    keys
}

/// `MIGRATE host port key|"" db timeout [COPY] [REPLACE] [AUTH ...] [AUTH2 ...] [KEYS key ...]`.
fn migrate_keys(argv: &[Bytes]) -> Vec<(usize, u16)> {
    let (mut first, mut count) = (3, 1);
    let mut index = 6;
    while index < argv.len() {
        let arg = &argv[index];
        if arg.eq_ignore_ascii_case(b"keys") {
            if argv[3].is_empty() {
                first = index + 1;
                count = argv.len() - first;
            } else {
                count = 0;
            }
            break;
        }
        if arg.eq_ignore_ascii_case(b"auth") {
            index += 1;
        } else if arg.eq_ignore_ascii_case(b"auth2") {
            index += 2;
        }
        index += 1;
    }
    (first..first + count)
        .filter(|position| *position < argv.len())
        .map(|position| (position, RW | ACCESS | DELETE))
        .collect()
}

/// How a command uses its channel arguments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChannelUse {
    /// `PUBLISH`, `SPUBLISH`: the channel is published to.
    Publish,
    /// `SUBSCRIBE`, `SSUBSCRIBE`: channels subscribed to.
    Subscribe,
    /// `PSUBSCRIBE`: patterns, which ACL channel patterns match literally.
    SubscribePattern,
}

/// The channel arguments a command is checked on (unsubscribing is never refused), as positions into `argv`.
pub fn channels(
    info: &CommandInfo,
    argv: &[Bytes],
) -> Option<(ChannelUse, std::ops::Range<usize>)> {
    let (usage, count) = match info.name {
        "publish" | "spublish" => (ChannelUse::Publish, Some(1)),
        "subscribe" | "ssubscribe" => (ChannelUse::Subscribe, None),
        "psubscribe" => (ChannelUse::SubscribePattern, None),
        _ => return None,
    };
    let end = count.map_or(argv.len(), |count| (1 + count).min(argv.len()));
    Some((usage, 1..end.max(1)))
}

#[cfg(test)]
mod tests {
    use super::super::lookup;
    use super::*;

    fn args(line: &str) -> Vec<Bytes> {
        line.split_whitespace()
            .map(|word| Bytes::copy_from_slice(word.as_bytes()))
            .collect()
    }

    fn positions(line: &str) -> Vec<usize> {
        let argv = args(line);
        let info = lookup(&argv[0]).expect("a known command");
        keys(info, &argv).into_iter().map(|(at, _)| at).collect()
    }

    #[test]
    fn specs_find_keys_like_redis() {
        assert_eq!(positions("get k"), [1]);
        assert_eq!(positions("mset a 1 b 2"), [1, 3]);
        assert_eq!(positions("del a b c"), [1, 2, 3]);
        assert_eq!(positions("eval s 2 a b c"), [3, 4]);
        assert_eq!(positions("eval s 5 a"), Vec::<usize>::new());
        assert_eq!(positions("eval s x a"), Vec::<usize>::new());
        // A count Redis's fallback reads with `atoi`.
        assert_eq!(positions("eval s 1x a"), [3]);
        assert_eq!(positions("xread count 2 streams a b 0 0"), [4, 5]);
        assert_eq!(positions("zunionstore d 2 a b"), [1, 3, 4]);
        assert_eq!(positions("lmove a b left right"), [1, 2]);
        assert_eq!(positions("blpop a b 0"), [1, 2]);
        assert_eq!(positions("ping"), Vec::<usize>::new());
    }

    #[test]
    fn variable_flags_follow_the_arguments() {
        let flags = |line: &str| {
            let argv = args(line);
            keys(lookup(&argv[0]).unwrap(), &argv)[0].1
        };
        assert_eq!(flags("set k v"), OW | UPDATE);
        assert_eq!(flags("set k v get"), RW | ACCESS | UPDATE);
        assert_eq!(flags("bitfield k get u8 0"), RO | ACCESS);
        assert_eq!(flags("bitfield k set u8 0 1"), RW | ACCESS | UPDATE);
        assert_eq!(positions("sort k by x store d"), [1, 5]);
    }

    #[test]
    fn channels_of_pubsub_commands() {
        let argv = args("publish ch msg");
        let (usage, range) = channels(lookup(b"publish").unwrap(), &argv).unwrap();
        assert_eq!((usage, range), (ChannelUse::Publish, 1..2));
        let argv = args("psubscribe a* b*");
        let (usage, range) = channels(lookup(b"psubscribe").unwrap(), &argv).unwrap();
        assert_eq!((usage, range), (ChannelUse::SubscribePattern, 1..3));
        assert!(channels(lookup(b"unsubscribe").unwrap(), &argv).is_none());
    }
}
