//! Differential tests: the same script of requests goes to a fresh `rserver` and a fresh real `redis-server`, and
//! the raw reply bytes must be identical, reply by reply.
//!
//! A script is a list of [`Step`]s: the bytes sent (a command encoded as a multibulk, or raw bytes for inline
//! commands and protocol errors) and how to compare what comes back ([`Expect`]). Most replies are compared byte
//! for byte; the few that carry a clock or an id (TTL, PTTL, CLIENT ID, HELLO's `id`) are range- or
//! shape-checked instead, and KEYS (hash order in Redis) is compared as a multiset. Every mismatch of a script is
//! collected, then the test fails listing each one with the request and both replies escaped.
//!
//! Each script is its own test (`differential::<script>`), skipped loudly without Redis installed (failing
//! under `REQUIRE_REDIS=1`): without the reference server there is nothing to compare against.

use std::fmt::Write as _;
use std::path::Path;

use resp::Frame;
use testkit::{Node, NodeConfig, free_ports};
use tokio_util::codec::Decoder as _;

use crate::support::Subject;

mod acl_scripts;
mod connection_scripts;
mod data_scripts;
mod hash_scripts;
mod hll_scripts;
mod list_scripts;
pub mod raw;
mod scripting_scripts;
mod set_scripts;
mod stream_scripts;
mod strings_keys_scripts;
mod tx_pubsub_scripts;
mod zset_blocking_scripts;
mod zset_more_scripts;
mod zset_scripts;

use raw::{RawConnection, escape};

/// One request and what to expect back.
#[derive(Debug, Clone)]
pub struct Step {
    /// The exact bytes sent.
    request: Vec<u8>,
    /// The request as shown in messages.
    shown: String,
    expect: Expect,
    /// Instead of sending anything, replace both connections with new ones.
    reconnect: bool,
    /// Which connection pair the step uses (0 unless set with [`on`]); extra pairs open on first use.
    connection: usize,
}

/// How the replies of the two servers to one step are compared.
#[derive(Debug, Clone)]
pub enum Expect {
    /// One reply each, byte for byte equal.
    Same,
    /// One integer reply each, both within `min..=max` (TTL/PTTL: the clock moves).
    IntegerIn(i64, i64),
    /// One positive integer reply each (ids differ between servers).
    PositiveInteger,
    /// One reply each, equal once the value of HELLO's `id` field (a positive integer) is masked.
    SameExceptHelloId,
    /// One array reply each with the same elements in any order (KEYS follows hash order in Redis).
    SameUnordered,
    /// No reply at all (an empty inline line, `*0`); the next step proves nothing stray arrived.
    Nothing,
    /// A SCAN reply `[cursor, [keys]]`: same cursor, same keys in any order (hash order in Redis). Used with a
    /// COUNT large enough for one call to return everything, so both cursors are 0.
    SameScan,
    /// One reply each, byte for byte equal, after which both servers close the connection.
    SameThenClosed,
    /// One reply each, equal once the elements of every array, set and map are sorted (hash-table order
    /// differs between the servers: SMEMBERS, HSCAN, SUNION of a hashtable-encoded collection).
    SameIgnoringOrder,
    /// Random picks (SPOP, SRANDMEMBER, HRANDFIELD): replies of the same shape (kinds and lengths), every
    /// string one of `within`, and with `distinct` no string twice in one reply.
    Sample {
        /// The strings a pick may return.
        within: Vec<Vec<u8>>,
        /// Whether a reply must not repeat a string.
        distinct: bool,
    },
    /// One reply each, equal once both are passed through the function (which masks what legitimately
    /// differs: ACL LOG's ages and client lines, the order Redis lists single commands of an ACL rule in).
    SameAfter(fn(Frame) -> Frame),
}

/// A script: commands run on both servers before the scripted connections open, and the steps.
#[derive(Debug, Clone, Default)]
pub struct Script {
    /// Run through a separate connection once the servers are up (e.g. `CONFIG SET requirepass`, which
    /// cannot be in the config file: the test kit's readiness probe is an unauthenticated PING).
    setup: Vec<Vec<String>>,
    steps: Vec<Step>,
}

impl Script {
    /// Adds a setup command (words separated by spaces), which must answer `+OK` on both servers.
    pub fn setup(mut self, line: &str) -> Script {
        self.setup
            .push(line.split_whitespace().map(str::to_owned).collect());
        self
    }
}

/// A script from its steps.
pub fn script(steps: Vec<Step>) -> Script {
    Script {
        setup: Vec::new(),
        steps,
    }
}

/// A command written as words separated by spaces (no word may contain a space; use [`args`] for those).
pub fn cmd(line: &str) -> Step {
    let words: Vec<&[u8]> = line.split_whitespace().map(str::as_bytes).collect();
    args(&words)
}

/// A command from its arguments (binary-safe).
pub fn args<A: AsRef<[u8]>>(args: &[A]) -> Step {
    let mut request = bytes::BytesMut::new();
    resp::encode_command(args, &mut request);
    let shown = args
        .iter()
        .map(|arg| {
            let arg = arg.as_ref();
            if arg.len() > 40 {
                format!("<{} bytes: {}...>", arg.len(), escape(&arg[..20]))
            } else {
                arg.escape_ascii().to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(" ");
    Step {
        request: request.to_vec(),
        shown,
        expect: Expect::Same,
        reconnect: false,
        connection: 0,
    }
}

/// Raw bytes: inline commands, malformed requests.
pub fn raw(bytes: &[u8]) -> Step {
    let shown = if bytes.len() > 60 {
        format!("raw <{} bytes: {}...>", bytes.len(), escape(&bytes[..30]))
    } else {
        format!("raw {}", escape(bytes))
    };
    Step {
        request: bytes.to_vec(),
        shown,
        expect: Expect::Same,
        reconnect: false,
        connection: 0,
    }
}

/// Sends nothing and reads the next reply (the second reply of a pipelined request).
pub fn next_reply() -> Step {
    Step {
        request: Vec::new(),
        shown: "(next reply)".to_owned(),
        expect: Expect::Same,
        reconnect: false,
        connection: 0,
    }
}

/// `step` on the `index`-th pair of connections (0 is the default pair), e.g. a second client subscribed
/// to a channel the first publishes on.
pub fn on(index: usize, mut step: Step) -> Step {
    step.connection = index;
    step.shown = format!("[client {index}] {}", step.shown);
    step
}

/// Closes both connections and opens new ones (after a step that closed them).
pub fn reconnect() -> Step {
    Step {
        request: Vec::new(),
        shown: "(reconnect)".to_owned(),
        expect: Expect::Nothing,
        reconnect: true,
        connection: 0,
    }
}

impl Step {
    /// Compare the replies with `expect` instead of byte equality.
    pub fn expect(mut self, expect: Expect) -> Step {
        self.expect = expect;
        self
    }

    /// Shorthand for `expect(Expect::IntegerIn(min, max))`.
    pub fn between(self, min: i64, max: i64) -> Step {
        self.expect(Expect::IntegerIn(min, max))
    }

    /// Shorthand for `expect(Expect::SameIgnoringOrder)`.
    pub fn unordered(self) -> Step {
        self.expect(Expect::SameIgnoringOrder)
    }

    /// Shorthand for `expect(Expect::Sample { .. })` over the words of `within` (separated by spaces).
    pub fn sample(self, within: &str, distinct: bool) -> Step {
        let within = within
            .split_whitespace()
            .map(|word| word.as_bytes().to_vec())
            .collect();
        self.expect(Expect::Sample { within, distinct })
    }

    /// Shorthand for `expect(Expect::SameThenClosed)`.
    pub fn then_closed(self) -> Step {
        self.expect(Expect::SameThenClosed)
    }
}

/// Generates one test per script function of a scripts module.
macro_rules! differential_tests {
    ($module:ident: $($script:ident),* $(,)?) => {
        $(
            #[test]
            fn $script() {
                let redis_server = testkit::require_redis!();
                run(stringify!($script), $module::$script(), &redis_server);
            }
        )*
    };
}

differential_tests!(
    connection_scripts:
    ping_echo,
    unknown_commands,
    function_flush_and_list,
    unknown_command_args_truncated,
    unknown_command_arg_bytes_kept,
    wrong_arity,
    select_and_databases,
    config_get_set,
    config_set_validates_passthrough_values,
    config_set_aliases,
    config_list_node_settings,
    client_list_ids,
    client_commands,
    client_subcommand_arity,
    quit_closes,
    auth_without_password,
    auth_with_requirepass,
    unauthenticated_multibulk_length,
    unauthenticated_bulk_length,
    hello,
    inline_commands,
    protocol_errors_close_the_connection,
    bulk_payload_without_crlf,
    multibulk_count_up_to_int_max,
    pipelined_and_split_requests,
    slowlog_basics,
    errorstats,
    client_reply_modes,
);

differential_tests!(
    data_scripts:
    dbsize_flush,
    keys_patterns,
    exists_del_unlink_type,
    rename,
    get_set_basic,
    set_options,
    set_option_conflicts,
    set_expiry_values,
    setnx_setex_psetex,
    mget_mset,
    incr_decr,
    incr_overflow,
    append_strlen,
    expire_family,
    expire_conditions,
    expire_argument_errors,
    expire_negative_and_past_times,
    ttl_pttl_persist,
);

differential_tests!(
    strings_keys_scripts:
    string_encodings,
    getset_getdel,
    getex_options,
    msetnx,
    incrbyfloat,
    getrange_setrange,
    scan,
    renamenx_randomkey_touch,
    copy_move_swapdb,
    object_command,
    dump_restore,
);

differential_tests!(
    tx_pubsub_scripts:
    multi_exec_basics,
    multi_errors_abort_exec,
    watch_own_writes_and_flushes,
    watch_other_client,
    multi_with_lists,
    subscribe_and_publish_resp2,
    subscribe_and_publish_resp3,
);

differential_tests!(
    list_scripts:
    push_pop,
    range_index_set,
    rem_trim_insert,
    lpos_options,
    lmove_rpoplpush,
    blocking_pops_served_at_once,
    blocking_timeouts,
    multi_key_pops,
);

differential_tests!(
    hash_scripts:
    hash_basic,
    hash_wrong_type,
    hash_hincrby,
    hash_hincrbyfloat,
    hash_hrandfield,
    hash_scan_and_big,
);

differential_tests!(
    set_scripts:
    set_basic,
    set_wrong_type,
    set_spop_srandmember,
    set_smove,
    set_algebra,
    set_store,
    set_scan,
);

differential_tests!(
    zset_scripts:
    zadd_options,
    zadd_errors,
    score_parsing,
    zincrby_zrem_zscore,
    zrange_by_rank,
    zrange_by_score,
    zrange_by_lex,
    zrange_option_errors,
    zcount_and_ranks,
);

differential_tests!(
    zset_blocking_scripts:
    bzpop_served_at_once,
    bzpop_errors,
    bzpop_timeouts,
    bzpop_in_multi,
    bzpop_resp3,
    zmpop_and_bzmpop,
);

differential_tests!(
    zset_more_scripts:
    zrangestore,
    zpop,
    zremrange,
    union_inter_diff,
    union_inter_diff_store,
    setop_errors,
    zscan,
    zrandmember,
    wrong_type,
    resp3_replies,
    store_negative_zero,
);

differential_tests!(
    stream_scripts:
    xadd_ids_and_ranges,
    xadd_trimming_options,
    xtrim_and_xdel,
    xsetid_rules,
    xread_at_once,
    xread_served_while_blocked,
    consumer_groups,
);

/// Runs `script` on a fresh `rserver` and a fresh `redis-server` and fails listing every mismatch.
fn run(name: &str, script: Script, redis_server: &Path) {
    let [rserver_port, redis_port] = free_ports::<2>();
    let config = |port: u16| {
        NodeConfig::new(port)
            .with("save", "\"\"")
            .with("enable-debug-command", "yes")
    };
    let rserver = Subject::rserver().start(config(rserver_port));
    let redis = Subject::redis(redis_server.to_path_buf()).start(config(redis_port));
    let nodes: [&Node; 2] = [&rserver, &redis];
    for node in nodes {
        for command in &script.setup {
            assert_eq!(
                node.cmd(command),
                Frame::ok(),
                "setup {command:?} on {}",
                node.binary().display()
            );
        }
    }
    let mut connections = vec![nodes.map(|node| RawConnection::connect(node.port()))];

    let mut mismatches = Vec::new();
    // After a close, the steps up to the next reconnect cannot run.
    let mut closed = false;
    for (index, step) in script.steps.iter().enumerate() {
        if step.reconnect {
            connections = vec![nodes.map(|node| RawConnection::connect(node.port()))];
            closed = false;
            continue;
        }
        if closed {
            continue;
        }
        while connections.len() <= step.connection {
            connections.push(nodes.map(|node| RawConnection::connect(node.port())));
        }
        let outcome = run_step(step, &mut connections[step.connection]);
        if let Err(message) = outcome.check {
            mismatches.push(format!("step {index}: {}\n{message}", step.shown));
        }
        closed = outcome.stop;
    }
    if !mismatches.is_empty() {
        let mut report = format!(
            "script {name}: {} mismatch(es) between rserver and redis-server 7.0.15\n",
            mismatches.len()
        );
        for mismatch in &mismatches {
            writeln!(report, "---\n{mismatch}").expect("write to a String");
        }
        panic!("{report}");
    }
}

struct StepOutcome {
    check: Result<(), String>,
    /// The connections are closed (as expected or not): later steps cannot run.
    stop: bool,
}

fn run_step(step: &Step, connections: &mut [RawConnection; 2]) -> StepOutcome {
    for connection in connections.iter_mut() {
        // A write error means the server closed early; the read below reports it.
        let _ = connection.send(&step.request);
    }
    if matches!(step.expect, Expect::Nothing) {
        return StepOutcome {
            check: Ok(()),
            stop: false,
        };
    }
    let [rserver, redis] = connections.each_mut().map(RawConnection::read_reply);
    let (rserver, redis) = match (rserver, redis) {
        (Ok(rserver), Ok(redis)) => (rserver, redis),
        (rserver, redis) => {
            return StepOutcome {
                check: Err(format!(
                    "  rserver: {}\n  redis:   {}",
                    shown_outcome(&rserver),
                    shown_outcome(&redis)
                )),
                stop: true,
            };
        }
    };
    let mut check = compare(&step.expect, &rserver, &redis);
    let mut stop = false;
    if matches!(step.expect, Expect::SameThenClosed) {
        stop = true;
        let [rserver_rest, redis_rest] =
            connections.each_mut().map(RawConnection::read_until_closed);
        let expected_close: Result<Vec<u8>, String> = Ok(Vec::new());
        if rserver_rest != expected_close || redis_rest != expected_close {
            let closed = format!(
                "  after the reply, expected both to close with nothing more:\n  rserver: {}\n  redis:   {}",
                shown_outcome(&rserver_rest),
                shown_outcome(&redis_rest)
            );
            check = match check {
                Ok(()) => Err(closed),
                Err(message) => Err(format!("{message}\n{closed}")),
            };
        }
    }
    StepOutcome { check, stop }
}

fn shown_outcome(outcome: &Result<Vec<u8>, String>) -> String {
    match outcome {
        Ok(bytes) => escape(bytes),
        Err(error) => format!("<{error}>"),
    }
}

/// Compares one reply of each server according to `expect`.
fn compare(expect: &Expect, rserver: &[u8], redis: &[u8]) -> Result<(), String> {
    let both = || {
        format!(
            "  rserver: {}\n  redis:   {}",
            escape(rserver),
            escape(redis)
        )
    };
    match expect {
        Expect::Same | Expect::SameThenClosed | Expect::Nothing => {
            if rserver == redis {
                Ok(())
            } else {
                Err(both())
            }
        }
        Expect::IntegerIn(min, max) => {
            let in_range =
                |reply: &[u8]| integer(reply).is_some_and(|n| (*min..=*max).contains(&n));
            if in_range(rserver) && in_range(redis) {
                Ok(())
            } else {
                Err(format!("  expected integers in {min}..={max}\n{}", both()))
            }
        }
        Expect::PositiveInteger => {
            let positive = |reply: &[u8]| integer(reply).is_some_and(|n| n > 0);
            if positive(rserver) && positive(redis) {
                Ok(())
            } else {
                Err(format!("  expected positive integers\n{}", both()))
            }
        }
        Expect::SameExceptHelloId => match (mask_hello_id(rserver), mask_hello_id(redis)) {
            (Some(masked_rserver), Some(masked_redis)) if masked_rserver == masked_redis => Ok(()),
            (masked_rserver, masked_redis) => Err(format!(
                "  with HELLO's id masked:\n  rserver: {}\n  redis:   {}",
                masked_rserver.map_or("<no valid id field>".to_owned(), |m| escape(&m)),
                masked_redis.map_or("<no valid id field>".to_owned(), |m| escape(&m)),
            )),
        },
        Expect::SameScan => match (scan_reply(rserver), scan_reply(redis)) {
            (Some(rserver_scan), Some(redis_scan)) if rserver_scan == redis_scan => Ok(()),
            _ => Err(format!(
                "  compared as SCAN replies (cursor, keys in any order)\n{}",
                both()
            )),
        },
        Expect::SameIgnoringOrder => match (decode(rserver), decode(redis)) {
            (Some(a), Some(b)) if canonical(&a) == canonical(&b) => Ok(()),
            _ => Err(format!(
                "  compared with every aggregate sorted\n{}",
                both()
            )),
        },
        Expect::SameAfter(normalise) => {
            let shown = |reply: &[u8]| decode(reply).map(|frame| format!("{:?}", normalise(frame)));
            match (shown(rserver), shown(redis)) {
                (Some(a), Some(b)) if a == b => Ok(()),
                _ => Err(format!("  compared after normalising\n{}", both())),
            }
        }
        Expect::Sample { within, distinct } => compare_sample(within, *distinct, rserver, redis)
            .map_err(|message| format!("{message}\n{}", both())),
        Expect::SameUnordered => {
            let (Some(rserver_items), Some(redis_items)) =
                (sorted_elements(rserver), sorted_elements(redis))
            else {
                return Err(format!("  expected two arrays\n{}", both()));
            };
            if rserver_items == redis_items && rserver.len() == redis.len() {
                Ok(())
            } else {
                Err(format!("  compared as multisets\n{}", both()))
            }
        }
    }
}

/// One reply decoded; `None` if it is not exactly one frame.
fn decode(reply: &[u8]) -> Option<Frame> {
    let mut buffer = bytes::BytesMut::from(reply);
    let frame = resp::FrameDecoder::new().decode(&mut buffer).ok()??;
    buffer.is_empty().then_some(frame)
}

/// A frame with the elements of every aggregate sorted, shown as text.
fn canonical(frame: &Frame) -> String {
    let sorted = |items: &[Frame]| {
        let mut items: Vec<String> = items.iter().map(canonical).collect();
        items.sort();
        items.join(", ")
    };
    match frame {
        Frame::Array(items) => format!("*[{}]", sorted(items)),
        Frame::Set(items) => format!("~[{}]", sorted(items)),
        Frame::Push(items) => format!(">[{}]", sorted(items)),
        Frame::Map(pairs) => {
            let mut pairs: Vec<String> = pairs
                .iter()
                .map(|(key, value)| format!("{} => {}", canonical(key), canonical(value)))
                .collect();
            pairs.sort();
            format!("%[{}]", pairs.join(", "))
        }
        other => format!("{other:?}"),
    }
}

/// The kinds and lengths of a frame, with every bulk string's content left out (collected in `strings`).
fn shape(frame: &Frame, strings: &mut Vec<Vec<u8>>) -> String {
    let aggregate = |tag: &str, items: &[Frame], strings: &mut Vec<Vec<u8>>| {
        let inner: Vec<String> = items.iter().map(|item| shape(item, strings)).collect();
        format!("{tag}[{}]", inner.join(","))
    };
    match frame {
        Frame::Bulk(data) => {
            strings.push(data.to_vec());
            "$".to_owned()
        }
        Frame::Array(items) => aggregate("*", items, strings),
        Frame::Set(items) => aggregate("~", items, strings),
        other => format!("{other:?}"),
    }
}

fn compare_sample(
    within: &[Vec<u8>],
    distinct: bool,
    rserver: &[u8],
    redis: &[u8],
) -> Result<(), String> {
    let (Some(rserver_frame), Some(redis_frame)) = (decode(rserver), decode(redis)) else {
        return Err("  expected one decodable reply each".to_owned());
    };
    let (mut rserver_strings, mut redis_strings) = (Vec::new(), Vec::new());
    let shapes = (
        shape(&rserver_frame, &mut rserver_strings),
        shape(&redis_frame, &mut redis_strings),
    );
    if shapes.0 != shapes.1 {
        return Err(format!("  shapes differ: {} vs {}", shapes.0, shapes.1));
    }
    for (server, strings) in [("rserver", &rserver_strings), ("redis", &redis_strings)] {
        if let Some(stray) = strings.iter().find(|string| !within.contains(string)) {
            return Err(format!(
                "  {server} picked {} (not a candidate)",
                escape(stray)
            ));
        }
        let mut unique = strings.to_vec();
        unique.sort();
        unique.dedup();
        if distinct && unique.len() != strings.len() {
            return Err(format!("  {server} picked a string twice"));
        }
    }
    Ok(())
}

/// The value of an integer reply `:<n>\r\n`.
fn integer(reply: &[u8]) -> Option<i64> {
    let digits = reply.strip_prefix(b":")?.strip_suffix(b"\r\n")?;
    std::str::from_utf8(digits).ok()?.parse().ok()
}

/// HELLO's reply with the digits after `$2\r\nid\r\n:` replaced by `<id>`; `None` if there is no such field or
/// its value is not a positive integer.
fn mask_hello_id(reply: &[u8]) -> Option<Vec<u8>> {
    const FIELD: &[u8] = b"$2\r\nid\r\n:";
    let start = reply.windows(FIELD.len()).position(|w| w == FIELD)? + FIELD.len();
    let length = reply[start..].iter().position(|&b| b == b'\r')?;
    let digits = &reply[start..start + length];
    let id: i64 = std::str::from_utf8(digits).ok()?.parse().ok()?;
    if id <= 0 {
        return None;
    }
    let mut masked = reply[..start].to_vec();
    masked.extend_from_slice(b"<id>");
    masked.extend_from_slice(&reply[start + length..]);
    Some(masked)
}

/// A SCAN reply as (cursor, sorted keys).
fn scan_reply(reply: &[u8]) -> Option<(Frame, Vec<String>)> {
    let mut buffer = bytes::BytesMut::from(reply);
    let Ok(Some(Frame::Array(parts))) = resp::FrameDecoder::new().decode(&mut buffer) else {
        return None;
    };
    let [cursor, Frame::Array(keys)] = <[Frame; 2]>::try_from(parts).ok()? else {
        return None;
    };
    let mut keys: Vec<String> = keys.iter().map(|key| format!("{key:?}")).collect();
    keys.sort();
    Some((cursor, keys))
}

/// The elements of an array reply, each as its debug form, sorted.
fn sorted_elements(reply: &[u8]) -> Option<Vec<String>> {
    let mut buffer = bytes::BytesMut::from(reply);
    let Ok(Some(Frame::Array(items))) = resp::FrameDecoder::new().decode(&mut buffer) else {
        return None;
    };
    let mut items: Vec<String> = items.iter().map(|item| format!("{item:?}")).collect();
    items.sort();
    Some(items)
}

differential_tests!(
    acl_scripts:
    acl_setuser_rules_and_errors,
    acl_getuser_list_users_deluser,
    acl_auth_with_users,
    acl_noperm_commands_and_subcommands,
    acl_noperm_keys,
    acl_noperm_channels,
    acl_multi_and_scripts,
    acl_cat_dryrun_genpass_log,
    acl_selectors,
);

differential_tests!(
    hll_scripts:
    hll_add_count_bytes,
    hll_merge_and_debug,
    hll_errors,
);

differential_tests!(
    scripting_scripts:
    eval_conversions,
    eval_redis_call,
    eval_errors,
    evalsha_and_script,
    functions,
    function_dump_restore,
);
