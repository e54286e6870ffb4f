//! What a master writes to its replicas, byte for byte (reference `replication.md` §5): a fake replica attaches
//! over a raw socket, a client runs writes, and the captured stream must be the expected list of commands, on
//! `rserver` and on the real `redis-server` alike.
//!
//! The fake replica ([`fake_replica`]) attaches with `PSYNC ? -1` in disk or diskless mode; every capture waits
//! until the bytes it received after the snapshot equal `master_repl_offset` minus the `+FULLRESYNC` offset,
//! which is the offset check itself.
//!
//! Normalising: the master's lowercase `ping` keepalives are dropped; absolute times computed from the clock
//! (`SET ... PXAT <ms>`, `PEXPIREAT <key> <ms>`) must lie within a second of `now + delta` for one of the deltas
//! the scenario declares, and are shown as `<now+{delta}ms>`. Absolute times the client gave literally stay as
//! they are.

use std::time::{SystemTime, UNIX_EPOCH};

use bytes::BytesMut;
use resp::Frame;
use testkit::{DEFAULT_DEADLINE, Node, NodeConfig, free_port, wait_replica_online, wait_until};

use crate::differential::raw::RawConnection;
use crate::support::{Subject, on_both_servers};

mod collections;
mod fake_replica;
mod issue3;
mod lists;
mod scripting;
mod streams;
mod zset_scenarios;

use fake_replica::{FakeReplica, parse_stream};

on_both_servers!(
    set_with_expiry_is_rewritten_to_pxat,
    set_with_expiry_is_rewritten_to_pxat_diskless,
    set_get_nx_and_keepttl,
    expire_family_becomes_pexpireat,
    past_expire_times_become_del,
    verbatim_writes_and_silent_reads,
    select_inserted_when_switching_dbs,
    select_inserted_when_switching_dbs_diskless,
    write_on_expired_key_is_wrapped_in_multi,
    read_of_expired_key_propagates_del_alone,
    commands_touching_expired_keys,
    active_expiry_propagates_del,
);

/// 2100-01-01T00:00:00Z, a fixed absolute time far in the future.
const YEAR_2100_S: i64 = 4_102_444_800;

fn set_with_expiry_is_rewritten_to_pxat(subject: &Subject) {
    set_with_expiry(subject, SyncMode::Disk);
}

fn set_with_expiry_is_rewritten_to_pxat_diskless(subject: &Subject) {
    set_with_expiry(subject, SyncMode::Diskless);
}

/// §5.2: `SET` with `EX`/`PX`/`EXAT`/`PXAT`, `SETEX` and `PSETEX` all become `SET k v PXAT <ms>`, also for a
/// time in the past; a refused `SET ... XX` sends nothing.
fn set_with_expiry(subject: &Subject, mode: SyncMode) {
    let mut session = Session::start(subject, mode);
    let now_s = now_ms() / 1000;
    session.run(&[
        "set k1 v ex 100",
        "set k2 v px 5000",
        &format!("set k3 v exat {}", now_s + 200),
        &format!("set k4 v pxat {}", YEAR_2100_S * 1000),
        "set k5 v EXAT 1000",
        "setex k6 100 v",
        "psetex k7 5000 v",
        "set k8 v XX",
        "set k9 v get EX 100",
        "set k10 v PX 5000 NX",
    ]);
    session.expect_stream(
        &[100_000, 5_000, 200_000],
        &[
            "SELECT 0",
            "SET k1 v PXAT <now+100000ms>",
            "SET k2 v PXAT <now+5000ms>",
            "SET k3 v PXAT <now+200000ms>",
            "SET k4 v PXAT 4102444800000",
            "SET k5 v PXAT 1000000",
            "SET k6 v PXAT <now+100000ms>",
            "SET k7 v PXAT <now+5000ms>",
            "SET k9 v PXAT <now+100000ms>",
            "SET k10 v PXAT <now+5000ms>",
        ],
    );
}

/// §5.2: `SET k v NX GET` loses only its GET (and only the option: a key or value spelled `get` stays); a
/// `KEEPTTL` SET goes out verbatim.
fn set_get_nx_and_keepttl(subject: &Subject) {
    let mut session = Session::start(subject, SyncMode::Disk);
    session.run(&[
        "set k v NX GET",
        "set k v2 NX GET",
        "set k v3 get xx",
        "set get get GET",
        "set k v4 KEEPTTL",
        "set k v5 keepttl get",
    ]);
    session.expect_stream(
        &[],
        &[
            "SELECT 0",
            "set k v NX",
            "set k v3 xx",
            "set get get",
            "set k v4 KEEPTTL",
            "set k v5 keepttl",
        ],
    );
}

/// §5.2: EXPIRE, PEXPIRE and EXPIREAT become `PEXPIREAT k <ms>` (options kept as spelled); PEXPIREAT and
/// PERSIST go out as the client spelled them; an EXPIRE that changes nothing sends nothing.
fn expire_family_becomes_pexpireat(subject: &Subject) {
    let mut session = Session::start(subject, SyncMode::Disk);
    session.run(&[
        "set k v",
        "expire k 500",
        "pexpire k 100000",
        &format!("expireat k {YEAR_2100_S}"),
        &format!("pexpireat k {}", YEAR_2100_S * 1000 + 1),
        "persist k",
        "persist k",
        "expire k 100 NX",
        "expire k 100 nx",
        "expire k 200 gt",
        "expire k 50 GT",
        "expire nokey 100",
        "persist nokey",
        "EXPIRE k 300 XX LT",
        "PERSIST k",
        "EXPIRE k 300 XX LT",
    ]);
    session.expect_stream(
        &[500_000, 100_000, 200_000],
        &[
            "SELECT 0",
            "set k v",
            "PEXPIREAT k <now+500000ms>",
            "PEXPIREAT k <now+100000ms>",
            "PEXPIREAT k 4102444800000",
            "pexpireat k 4102444800001",
            "persist k",
            "PEXPIREAT k <now+100000ms> NX",
            "PEXPIREAT k <now+200000ms> gt",
            "PERSIST k",
        ],
    );
}

/// §5.2: an EXPIRE family command with a time already past deletes the key and sends `DEL k` (not the EXPIRE);
/// on a missing key it sends nothing.
fn past_expire_times_become_del(subject: &Subject) {
    let mut session = Session::start(subject, SyncMode::Disk);
    session.run(&[
        "set a v",
        "expire a -1",
        "set b v",
        "pexpireat b 1",
        "set c v",
        "expireat c 1000",
        "set d v",
        "pexpire d 0",
        "set e v",
        "expire e -1 NX",
        "expire nokey -1",
    ]);
    session.expect_stream(
        &[],
        &[
            "SELECT 0", "set a v", "DEL a", "set b v", "DEL b", "set c v", "DEL c", "set d v",
            "DEL d", "set e v", "DEL e",
        ],
    );
}

/// §5.2: plain writes go out verbatim in the client's spelling, whatever their reply; reads and writes that
/// change nothing (DEL of a missing key, SETNX of an existing one, a failed RENAME) send nothing.
fn verbatim_writes_and_silent_reads(subject: &Subject) {
    let mut session = Session::start(subject, SyncMode::Disk);
    session.run(&[
        "del nokey",
        "get nokey",
        "set a 1",
        "get a",
        "exists a nokey",
        "ttl a",
        "pttl a",
        "mget a b",
        "strlen a",
        "type a",
        "keys *",
        "dbsize",
        "incr a",
        "DECRBY a 5",
        "incrby a 10",
        "decr a",
        "append a x",
        "mset b 1 c 2",
        "setnx d 1",
        "setnx d 2",
        "del a nokey",
        "unlink b",
        "rename nokey x",
        "rename c e",
        "incr notanumber",
        "set s abc",
        "incr s",
        "echo hi",
        "ping",
        "select 0",
        "flushdb",
        "FLUSHALL",
        "flushdb async",
    ]);
    session.expect_stream(
        &[],
        &[
            "SELECT 0",
            "set a 1",
            "incr a",
            "DECRBY a 5",
            "incrby a 10",
            "decr a",
            "append a x",
            "mset b 1 c 2",
            "setnx d 1",
            "del a nokey",
            "unlink b",
            "rename c e",
            "incr notanumber",
            "set s abc",
            "flushdb",
            "FLUSHALL",
            "flushdb async",
        ],
    );
}

fn select_inserted_when_switching_dbs(subject: &Subject) {
    select_insertion(subject, SyncMode::Disk);
}

fn select_inserted_when_switching_dbs_diskless(subject: &Subject) {
    select_insertion(subject, SyncMode::Diskless);
}

/// §5: a `SELECT` (uppercase) goes out before the first command after the sync and before each command whose
/// db differs from the last one sent, whichever client sends it; SELECT alone, reads and failed commands send
/// nothing.
fn select_insertion(subject: &Subject, mode: SyncMode) {
    let mut session = Session::start(subject, mode);
    session.run(&[
        "select 3",
        "set a 1",
        "set b 1",
        "select 0",
        "get a",
        "select 3",
        "set c 1",
        "select 16",
        "set d 1",
        "select 5",
        "get x",
        "del nokey",
        "select 0",
        "set e 1",
    ]);
    session.run_on_new_client(&["select 7", "set f 1"]);
    session.run(&["set g 1", "select 7", "set h 1", "select 2", "flushall"]);
    session.expect_stream(
        &[],
        &[
            "SELECT 3", "set a 1", "set b 1", "set c 1", "set d 1", "SELECT 0", "set e 1",
            "SELECT 7", "set f 1", "SELECT 0", "set g 1", "SELECT 7", "set h 1", "SELECT 2",
            "flushall",
        ],
    );
}

/// §5.3/§5.4: a write that finds its key logically expired sends `DEL` and the write wrapped in
/// `MULTI`/`EXEC`. The key is made expired by `SET ... PXAT 1` in the same pipelined write as the command
/// touching it, so active expiry cannot delete it in between (both servers run one read's commands in a row);
/// should that ever happen anyway, the stream shows a bare `DEL` and the attempt is repeated, at most twice.
fn write_on_expired_key_is_wrapped_in_multi(subject: &Subject) {
    let expected = [
        "SELECT 0",
        "SET x 5 PXAT 1",
        "MULTI",
        "DEL x",
        "incr x",
        "EXEC",
        "SET y v PXAT 1",
        "MULTI",
        "DEL y",
        "set y w",
        "EXEC",
    ];
    let raced = [
        "SELECT 0",
        "SET x 5 PXAT 1",
        "DEL x",
        "incr x",
        "SET y v PXAT 1",
        "DEL y",
        "set y w",
    ];
    for attempt in 1..=3 {
        let mut session = Session::start(subject, SyncMode::Disk);
        session.run_pipelined(&["set x 5 pxat 1", "incr x"]);
        session.run_pipelined(&["set y v pxat 1", "set y w"]);
        let stream = session.capture(&[]);
        if stream == raced && attempt < 3 {
            eprintln!(
                "attempt {attempt}: active expiry deleted a key between two pipelined commands; again"
            );
            continue;
        }
        assert_stream(&stream, &expected);
        return;
    }
}

/// §5.4: a read that finds its key logically expired sends `DEL k` alone (the read itself is not propagated).
/// Whether lazy or active expiry deletes the key first, the stream is the same.
fn read_of_expired_key_propagates_del_alone(subject: &Subject) {
    let mut session = Session::start(subject, SyncMode::Disk);
    session.run_pipelined(&["set y 1 pxat 1", "get y"]);
    session.run_pipelined(&["set z 1 pxat 1", "exists z"]);
    session.expect_stream(
        &[],
        &[
            "SELECT 0",
            "SET y 1 PXAT 1",
            "DEL y",
            "SET z 1 PXAT 1",
            "DEL z",
        ],
    );
}

/// §5.4 for the rest of the command set: every command that looks its key up deletes it first when it is
/// logically expired, so the `DEL` comes before the command's own effect (both inside one `MULTI`/`EXEC`), or
/// alone when the command then changes nothing. Writes that do not read their key in Redis still look it up
/// (`setKey`), so SETEX, MSET and RENAME onto an expired key send the `DEL` too. Everything runs in one
/// pipelined write so active expiry cannot get there first.
fn commands_touching_expired_keys(subject: &Subject) {
    let mut session = Session::start(subject, SyncMode::Disk);
    let expired = |key: &str| format!("set {key} old pxat 1");
    let commands = [
        expired("a"),
        "setex a 100 v".to_owned(),
        expired("b"),
        "psetex b 5000 v".to_owned(),
        expired("c"),
        "mset c 1 other 2".to_owned(),
        "set src v".to_owned(),
        expired("dst"),
        "rename src dst".to_owned(),
        expired("gone"),
        "rename gone x".to_owned(),
        expired("e"),
        "setnx e v".to_owned(),
        expired("f"),
        "append f x".to_owned(),
        expired("g"),
        "del g".to_owned(),
        expired("h"),
        "expire h 100".to_owned(),
        expired("i"),
        "persist i".to_owned(),
        expired("j"),
        expired("k"),
        "mget j k".to_owned(),
        expired("l"),
        "ttl l".to_owned(),
        expired("m"),
        "type m".to_owned(),
        expired("n"),
        "strlen n".to_owned(),
        expired("o"),
        "decrby o 5".to_owned(),
    ];
    let commands: Vec<&str> = commands.iter().map(String::as_str).collect();
    session.run_pipelined(&commands);
    // What `set <key> old pxat 1` followed by a command touching <key> sends: the SET, then either the DEL
    // and the command in MULTI/EXEC, or the DEL alone (a command that then changes nothing).
    let set_expired = |key: &str| format!("SET {key} old PXAT 1");
    let wrapped = |key: &str, command: &str| {
        vec![
            set_expired(key),
            "MULTI".to_owned(),
            format!("DEL {key}"),
            command.to_owned(),
            "EXEC".to_owned(),
        ]
    };
    let alone = |key: &str| vec![set_expired(key), format!("DEL {key}")];
    let expected: Vec<String> = [
        vec!["SELECT 0".to_owned()],
        wrapped("a", "SET a v PXAT <now+100000ms>"),
        wrapped("b", "SET b v PXAT <now+5000ms>"),
        wrapped("c", "mset c 1 other 2"),
        vec!["set src v".to_owned()],
        wrapped("dst", "rename src dst"),
        alone("gone"),
        wrapped("e", "setnx e v"),
        wrapped("f", "append f x"),
        alone("g"),
        alone("h"),
        alone("i"),
        vec![
            set_expired("j"),
            set_expired("k"),
            "MULTI".to_owned(),
            "DEL j".to_owned(),
            "DEL k".to_owned(),
            "EXEC".to_owned(),
        ],
        alone("l"),
        alone("m"),
        alone("n"),
        wrapped("o", "decrby o 5"),
    ]
    .concat();
    let expected: Vec<&str> = expected.iter().map(String::as_str).collect();
    session.expect_stream(&[100_000, 5_000], &expected);
}

/// §5.4: the active expiry cycle deleting a key nobody touches sends `DEL k`, preceded by a SELECT when the
/// key's db is not the last one sent.
fn active_expiry_propagates_del(subject: &Subject) {
    let mut session = Session::start(subject, SyncMode::Disk);
    // One write, so neither key can expire before both are set.
    session.run_pipelined(&["set a 1 px 50", "select 4", "set b 1 px 50"]);
    for db in [0, 4] {
        wait_until(
            DEFAULT_DEADLINE,
            &format!("active expiry to empty db {db}"),
            || {
                let mut client = session.master.client();
                client.cmd(&["SELECT", &db.to_string()]);
                match client.cmd(&["DBSIZE"]) {
                    Frame::Integer(0) => Ok(()),
                    other => Err(format!("DBSIZE {other:?}")),
                }
            },
        );
    }
    let stream = session.capture(&[50]);
    // The two DELs come in the order the cycle found the keys: db 0 first, as both servers scan dbs in order.
    assert_stream(
        &stream,
        &[
            "SELECT 0",
            "SET a 1 PXAT <now+50ms>",
            "SELECT 4",
            "SET b 1 PXAT <now+50ms>",
            "SELECT 0",
            "DEL a",
            "SELECT 4",
            "DEL b",
        ],
    );
}

/// How the master sends the snapshot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SyncMode {
    /// `repl-diskless-sync no`: `$<len>` framing.
    Disk,
    /// `repl-diskless-sync yes`: `$EOF:<mark>` framing, streaming starts after the first ACK.
    Diskless,
}

/// A master, a fake replica attached to it, and a client connection running the scenario's commands.
struct Session {
    master: Node,
    replica: FakeReplica,
    client: RawConnection,
    /// Unix ms just before the first command: absolute times are checked against it.
    started_ms: i64,
}

impl Session {
    fn start(subject: &Subject, mode: SyncMode) -> Session {
        let diskless = match mode {
            SyncMode::Disk => "no",
            SyncMode::Diskless => "yes",
        };
        let master = subject.start(
            NodeConfig::new(free_port())
                .with("save", "\"\"")
                .with("repl-diskless-sync", diskless),
        );
        let mut replica = FakeReplica::attach(&master, mode);
        // Until the master calls the sync finished, a diskless Redis still has its snapshot child running, and
        // a FLUSHALL would kill it and drop the replica. Then one more ACK: Redis ignores one that arrived
        // before that point, and streams only after an ACK.
        wait_replica_online(&master, 1);
        replica.acknowledge();
        let client = RawConnection::connect(master.port());
        Session {
            master,
            replica,
            client,
            started_ms: now_ms(),
        }
    }

    /// Runs each command (words separated by spaces) on the session's client, one at a time.
    fn run(&mut self, commands: &[&str]) {
        for command in commands {
            self.run_pipelined(&[command]);
        }
    }

    /// Runs each command, given as its arguments (for arguments with spaces, such as scripts).
    fn run_args(&mut self, commands: &[&[&str]]) {
        for words in commands {
            let mut request = BytesMut::new();
            resp::encode_command(words, &mut request);
            self.client
                .send(&request)
                .unwrap_or_else(|error| panic!("send {words:?}: {error}"));
            if let Err(error) = self.client.read_reply() {
                panic!("no reply to {words:?}: {error}");
            }
        }
    }

    /// Sends `commands` in one write and reads their replies.
    fn run_pipelined(&mut self, commands: &[&str]) {
        let mut request = BytesMut::new();
        for command in commands {
            let words: Vec<&str> = command.split_whitespace().collect();
            resp::encode_command(&words, &mut request);
        }
        self.client
            .send(&request)
            .unwrap_or_else(|error| panic!("send {commands:?}: {error}"));
        for command in commands {
            if let Err(error) = self.client.read_reply() {
                panic!("no reply to {command:?}: {error}");
            }
        }
    }

    /// Runs `commands` on a new client connection, then closes it.
    fn run_on_new_client(&mut self, commands: &[&str]) {
        let mut client = self.master.client();
        for command in commands {
            let words: Vec<&str> = command.split_whitespace().collect();
            client.cmd(&words);
        }
    }

    /// Waits for the whole stream (checking the offsets), normalises it and returns one line per command.
    fn capture(&mut self, deltas_ms: &[i64]) -> Vec<String> {
        let stream = self.replica.receive_until_caught_up(&self.master);
        let window = (self.started_ms, now_ms());
        parse_stream(&stream)
            .into_iter()
            .filter(|command| !(command.len() == 1 && command[0] == b"ping"))
            .map(|command| normalise(command, window, deltas_ms))
            .collect()
    }

    fn expect_stream(&mut self, deltas_ms: &[i64], expected: &[&str]) {
        let stream = self.capture(deltas_ms);
        assert_stream(&stream, expected);
    }
}

/// Fails showing both streams, one command per line.
fn assert_stream(stream: &[String], expected: &[&str]) {
    if stream != expected {
        panic!(
            "the replication stream differs from Redis 7.0.15's\n  expected: {expected:#?}\n  \
             received: {stream:#?}"
        );
    }
}

/// One command as a line, with a clock-derived absolute time (`SET ... PXAT t`, `PEXPIREAT k t`) replaced by
/// `<now+{delta}ms>` when `t` lies within a second of `window + delta` for a declared delta.
fn normalise(mut command: Vec<Vec<u8>>, window: (i64, i64), deltas_ms: &[i64]) -> String {
    let time_index = if command[0].eq_ignore_ascii_case(b"set") {
        command
            .iter()
            .position(|arg| arg.eq_ignore_ascii_case(b"pxat"))
            .map(|index| index + 1)
    } else if command[0].eq_ignore_ascii_case(b"pexpireat") {
        Some(2)
    } else if command[0].eq_ignore_ascii_case(b"xclaim") {
        // A group delivery's time, taken from the clock.
        command
            .iter()
            .position(|arg| arg.eq_ignore_ascii_case(b"time"))
            .map(|index| index + 1)
    } else {
        None
    };
    if command[0].eq_ignore_ascii_case(b"xadd") {
        // `XADD *` goes out with the ID it got: `<clock ms>-<seq>`.
        for arg in command.iter_mut().skip(2) {
            let text = String::from_utf8_lossy(arg).into_owned();
            if let Some((ms, seq)) = text.split_once('-')
                && let Ok(ms) = ms.parse::<i64>()
                && (window.0 - 1000..=window.1 + 1000).contains(&ms)
            {
                *arg = format!("<now>-{seq}").into_bytes();
            }
        }
    }
    if let Some(index) = time_index
        && let Some(time) = command
            .get(index)
            .and_then(|arg| std::str::from_utf8(arg).ok())
            .and_then(|arg| arg.parse::<i64>().ok())
    {
        let (from, to) = window;
        if let Some(delta) = deltas_ms
            .iter()
            .find(|&&delta| (from + delta - 1000..=to + delta + 1000).contains(&time))
        {
            command[index] = format!("<now+{delta}ms>").into_bytes();
        }
    }
    command
        .iter()
        .map(|arg| String::from_utf8_lossy(arg).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("the clock is after 1970")
        .as_millis() as i64
}
