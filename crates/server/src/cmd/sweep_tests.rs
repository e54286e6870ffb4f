//! An in-process sweep over the whole command table: every data command, given arguments of every shape
//! against keys of every type, answers (an error at worst) instead of panicking. Bad input must never crash
//! the server. (That no handler is reached with a refused argument count is the type's doing: the handler
//! is private to `CommandSpec::invoke`, which checks the arity first.)

use std::sync::Arc;

use bytes::Bytes;
use keyspace::ExpiryPolicy;
use resp::Frame;

use super::{Ctx, all, flags};
use crate::client::ClientState;
use crate::config::Config;
use crate::core::Core;
use crate::shared::Shared;

fn shared() -> Arc<Shared> {
    Arc::new(Shared::new(Core::new(16, 1 << 20, 0), Config::default(), 0))
}

/// Runs `argv` as a client would reach the handler (through `invoke`); returns the reply.
fn run(shared: &Arc<Shared>, client: &mut ClientState, argv: &[Bytes]) -> Frame {
    let spec = super::lookup(&argv[0]).expect("a known command");
    let mut core = shared.core();
    let mut ctx = Ctx::new(
        &mut core,
        client,
        shared,
        1_700_000_000_000,
        ExpiryPolicy::Delete,
    );
    let reply = spec.invoke(&mut ctx, argv);
    let _ = ctx.take_propagation();
    reply
}

fn args(words: &[&[u8]]) -> Vec<Bytes> {
    words
        .iter()
        .map(|word| Bytes::copy_from_slice(word))
        .collect()
}

/// Commands left out of the sweep: they act on the process, files, sockets or other tasks (a test has no
/// runtime, no data directory of its own, and must not stop or sleep), not on the data.
const NOT_SWEPT: &[&str] = &[
    "shutdown",
    "debug",
    "save",
    "bgsave",
    "bgrewriteaof",
    "replicaof",
    "slaveof",
    "sync",
    "psync",
    "failover",
    "monitor",
    "config",
    "acl",
    "client",
    "quit",
    "reset",
    "auth",
    "hello",
    "wait",
    "eval",
    "evalsha",
    "eval_ro",
    "evalsha_ro",
    "fcall",
    "fcall_ro",
    "function",
    "script",
    "multi",
    "exec",
    "discard",
    "swapdb",
    "select",
    "move",
    "flushall",
    "flushdb",
    "subscribe",
    "psubscribe",
    "unsubscribe",
    "punsubscribe",
    "restore",
    "restore-asking",
    "pfselftest",
];

/// Argument shapes: names of keys holding each type (and a missing one), numbers in and out of range,
/// option words, empty and binary strings.
const SHAPES: &[&[u8]] = &[
    b"string",
    b"list",
    b"hash",
    b"set",
    b"zset",
    b"stream",
    b"missing",
    b"0",
    b"1",
    b"-1",
    b"3",
    b"-100",
    b"9223372036854775807",
    b"-9223372036854775808",
    b"99999999999999999999",
    b"1.5",
    b"inf",
    b"-inf",
    b"nan",
    b"",
    b"\x00\xff",
    b"*",
    b"$",
    b">",
    b"0-1",
    b"+",
    b"-",
    b"(1",
    b"[a",
    b"EX",
    b"PX",
    b"NX",
    b"XX",
    b"GT",
    b"LIMIT",
    b"COUNT",
    b"WITHSCORES",
    b"BY",
    b"MAXLEN",
    b"~",
    b"=",
    b"STREAMS",
    b"GROUP",
    b"BLOCK",
    b"LEFT",
    b"RIGHT",
    b"MATCH",
    b"TYPE",
];

fn populate(shared: &Arc<Shared>, client: &mut ClientState) {
    for command in [
        &[&b"SET"[..], b"string", b"12"][..],
        &[b"RPUSH", b"list", b"a", b"1", b"b"],
        &[b"HSET", b"hash", b"f", b"1", b"g", b"x"],
        &[b"SADD", b"set", b"a", b"1", b"b"],
        &[b"ZADD", b"zset", b"1", b"a", b"2", b"b"],
        &[b"XADD", b"stream", b"1-1", b"f", b"v"],
        &[b"XGROUP", b"CREATE", b"stream", b"g", b"0"],
    ] {
        let reply = run(shared, client, &args(command));
        assert!(!matches!(reply, Frame::Error(_)), "{command:?}: {reply:?}");
    }
}

/// Every data command with every argument count up to its arity plus three, each argument drawn from
/// [`SHAPES`] by a fixed sequence, against a keyspace holding every type: no handler may panic. The keyspace
/// is rebuilt per command so one command's effects do not hide another's paths.
#[test]
fn every_data_command_answers_any_arguments_without_panicking() {
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut swept = 0;
    for spec in all() {
        if NOT_SWEPT.contains(&spec.name) || spec.has(flags::ADMIN) {
            continue;
        }
        let shared = shared();
        let mut client = ClientState::new(1, None, true);
        populate(&shared, &mut client);
        let least = spec.arity.unsigned_abs() as usize;
        let most = if spec.arity > 0 { least } else { least + 3 };
        for count in least..=most {
            for _ in 0..400 {
                let mut argv = vec![Bytes::from_static(spec.name.as_bytes())];
                for _ in 1..count {
                    let shape = SHAPES[(next() % SHAPES.len() as u64) as usize];
                    argv.push(Bytes::from_static(shape));
                }
                let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    run(&shared, &mut client, &argv)
                }));
                assert!(
                    outcome.is_ok(),
                    "{} panicked on {:?}",
                    spec.name,
                    argv.iter()
                        .map(|arg| String::from_utf8_lossy(arg).into_owned())
                        .collect::<Vec<_>>()
                );
                client.blocked = None;
                client.after_reply = None;
                client.multi = None;
            }
        }
        swept += 1;
    }
    assert!(swept > 150, "only {swept} commands swept");
}
