//! What scripts send to replicas (Redis 7 replicates effects, never the script): the writes a script's
//! `redis.call`s made, wrapped in `MULTI`/`EXEC` when there are two or more, nothing for a read-only script,
//! the writes made before a script failed; `FUNCTION LOAD`/`DELETE` verbatim, `SCRIPT LOAD` not at all;
//! `PFADD`/`PFCOUNT` (when it refreshed the cached cardinality) verbatim.

use super::{Session, SyncMode};
use crate::support::{Subject, on_both_servers};

on_both_servers!(
    script_effects_are_replicated,
    hyperloglog_commands_propagate
);

const LIBRARY: &str = "#!lua name=lib\nredis.register_function('bump', function(keys, args) redis.call('incr', keys[1]) return redis.call('incr', keys[1]) end)";

fn script_effects_are_replicated(subject: &Subject) {
    let mut session = Session::start(subject, SyncMode::Disk);
    session.run_args(&[
        &["eval", "redis.call('set', 'a', '1') redis.call('incr', 'a') return 1", "0"],
        &["eval", "return redis.call('set', KEYS[1], ARGV[1])", "1", "b", "2"],
        &["eval", "return redis.call('get', 'a')", "0"],
        &["eval", "redis.call('set', 'c', '3') redis.call('nosuchcommand')", "0"],
        &["eval", "redis.call('select', 1) redis.call('set', 'd', '4') redis.call('select', 0) redis.call('del', 'b')", "0"],
        &["script", "load", "return redis.call('set', 'e', '5')"],
        &["evalsha", "ceeccbc3e55b90c76373d46f9bab772f0f69eb65", "0"],
        &["function", "load", LIBRARY],
        &["fcall", "bump", "1", "n"],
        &["function", "delete", "lib"],
    ]);
    session.expect_stream(
        &[],
        &[
            "SELECT 0",
            "MULTI",
            "set a 1",
            "incr a",
            "EXEC",
            "set b 2",
            "set c 3",
            "SELECT 1",
            "MULTI",
            "set d 4",
            "SELECT 0",
            "del b",
            "EXEC",
            "set e 5",
            "function load #!lua name=lib\nredis.register_function('bump', function(keys, args) redis.call('incr', keys[1]) return redis.call('incr', keys[1]) end)",
            "MULTI",
            "incr n",
            "incr n",
            "EXEC",
            "function delete lib",
        ],
    );
}

fn hyperloglog_commands_propagate(subject: &Subject) {
    let mut session = Session::start(subject, SyncMode::Disk);
    session.run(&[
        "pfadd h a b c",
        "pfadd h a",
        "pfcount h",
        "pfcount h",
        "pfadd h d",
        "pfcount h nokey",
        "pfmerge m h",
        "pfcount nokey",
    ]);
    session.expect_stream(
        &[],
        &[
            "SELECT 0",
            "pfadd h a b c",
            "pfcount h",
            "pfadd h d",
            "pfmerge m h",
        ],
    );
}
