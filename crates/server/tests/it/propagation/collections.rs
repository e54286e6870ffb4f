//! What hash and set writes send to replicas (reference `replication.md` §5.2): HINCRBYFLOAT as `HSET` with the
//! new value, SPOP as its effect (`SREM` per member, `DEL` for the whole set), STORE forms and SMOVE verbatim,
//! and nothing for reads or writes that change nothing. Random pops are matched against their candidates.

use super::{Session, SyncMode, assert_stream};
use crate::support::{Subject, on_both_servers};

on_both_servers!(
    hincrbyfloat_becomes_hset,
    hash_writes_verbatim_when_they_change_something,
    spop_becomes_srem_or_del,
    store_commands_and_smove_verbatim,
);

/// HINCRBYFLOAT goes out as `HSET key field <value as replied>`; a failed one sends nothing.
fn hincrbyfloat_becomes_hset(subject: &Subject) {
    let mut session = Session::start(subject, SyncMode::Disk);
    session.run(&[
        "hincrbyfloat h f 10.5",
        "hincrbyfloat h f 0.1",
        "HINCRBYFLOAT h g 1e3",
        "hincrbyfloat h f abc",
        "hincrbyfloat h f inf",
        "hset h s text",
        "hincrbyfloat h s 1",
        "set str x",
        "hincrbyfloat str f 1",
        "hincrbyfloat h n -0.0",
    ]);
    session.expect_stream(
        &[],
        &[
            "SELECT 0",
            "HSET h f 10.5",
            "HSET h f 10.6",
            "HSET h g 1000",
            "hset h s text",
            "set str x",
            "HSET h n 0",
        ],
    );
}

/// HSET and HMSET always go out (even rewriting a value with itself), HSETNX, HDEL and HINCRBY only when they
/// changed something; reads never.
fn hash_writes_verbatim_when_they_change_something(subject: &Subject) {
    let mut session = Session::start(subject, SyncMode::Disk);
    session.run(&[
        "hset h a 1",
        "hset h a 1",
        "hsetnx h a 2",
        "hsetnx h b 2",
        "hdel h nofield",
        "hdel nokey a",
        "hmset h c 3",
        "hincrby h c 5",
        "hincrby h c x",
        "hincrby h a 9223372036854775807",
        "hget h a",
        "hgetall h",
        "hrandfield h 2",
        "hscan h 0",
        "hdel h a nofield",
        "hdel h b c",
        "exists h",
    ]);
    session.expect_stream(
        &[],
        &[
            "SELECT 0",
            "hset h a 1",
            "hset h a 1",
            "hsetnx h b 2",
            "hmset h c 3",
            "hincrby h c 5",
            "hdel h a nofield",
            "hdel h b c",
        ],
    );
}

/// SPOP without a count sends `SREM key member`; with a count below the size one `SREM` per member (several in
/// MULTI/EXEC), with a count covering the set `DEL key`; SRANDMEMBER and pops that find nothing send nothing.
fn spop_becomes_srem_or_del(subject: &Subject) {
    let mut session = Session::start(subject, SyncMode::Disk);
    session.run(&[
        "sadd one a",
        "spop one",
        "sadd t a b c",
        "spop t 3",
        "spop t",
        "spop t 2",
        "sadd u 1 2 3",
        "spop u 0",
        "srandmember u 2",
        "srandmember u -5",
        "spop u 1",
        "sadd v a b c d e f g h i j",
        "spop v 3",
        "sadd w 1 2 3 4 5 6 7 8 9 10",
        "spop w 9",
        "spop w",
    ]);
    let stream = session.capture(&[]);
    let u = ["1", "2", "3"];
    let v = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"];
    let w: Vec<String> = (1..=10).map(|i| i.to_string()).collect();
    let w: Vec<&str> = w.iter().map(String::as_str).collect();
    let mut picks = PickChecker::new(&stream);
    for line in [
        "SELECT 0",
        "sadd one a",
        "SREM one a",
        "sadd t a b c",
        "DEL t",
        "sadd u 1 2 3",
    ] {
        picks.exact(line);
    }
    picks.srem("u", &u, 1);
    picks.exact("sadd v a b c d e f g h i j");
    picks.exact("MULTI");
    picks.srem("v", &v, 3);
    picks.exact("EXEC");
    picks.exact("sadd w 1 2 3 4 5 6 7 8 9 10");
    picks.exact("MULTI");
    picks.srem("w", &w, 9);
    picks.exact("EXEC");
    // The last member of w, whichever it is.
    picks.srem("w", &w, 1);
    picks.end();
}

/// STORE forms go out verbatim when they stored a result or deleted an existing destination (Redis does not
/// rewrite the empty case to DEL); SMOVE goes out verbatim when the member moved.
fn store_commands_and_smove_verbatim(subject: &Subject) {
    let mut session = Session::start(subject, SyncMode::Disk);
    session.run(&[
        "sadd a 1 2 3",
        "sadd b 2 3 4",
        "sinterstore d a b",
        "sunionstore d a b",
        "sdiffstore d a a",
        "sdiffstore d a a",
        "sinterstore e a nokey",
        "set str x",
        "sinterstore str a nokey",
        "sunionstore str2 nokey",
        "sinterstore d a str2 b",
        "SDIFFSTORE d a b",
        "sadd src p q",
        "sadd dst q",
        "smove src dst p",
        "smove src dst zz",
        "smove src dst q",
        "exists src",
        "smove nokey dst p",
        "smove dst dst q",
        "set s2 x",
        "smove dst s2 q",
        "sadd s a",
        "sadd s a",
        "srem s z",
        "srem s a",
    ]);
    session.expect_stream(
        &[],
        &[
            "SELECT 0",
            "sadd a 1 2 3",
            "sadd b 2 3 4",
            "sinterstore d a b",
            "sunionstore d a b",
            "sdiffstore d a a",
            "set str x",
            "sinterstore str a nokey",
            "SDIFFSTORE d a b",
            "sadd src p q",
            "sadd dst q",
            "smove src dst p",
            "smove src dst q",
            "set s2 x",
            "sadd s a",
            "srem s a",
        ],
    );
}

/// Walks a captured stream line by line: exact lines, and `SREM key <member>` lines whose members are
/// distinct candidates.
struct PickChecker<'a> {
    stream: &'a [String],
    position: usize,
    used: Vec<String>,
}

impl<'a> PickChecker<'a> {
    fn new(stream: &'a [String]) -> PickChecker<'a> {
        PickChecker {
            stream,
            position: 0,
            used: Vec::new(),
        }
    }

    fn fail(&self, wanted: &str) -> ! {
        panic!(
            "at line {} of the replication stream, expected {wanted}\n  received: {:#?}",
            self.position, self.stream
        );
    }

    fn exact(&mut self, line: &str) {
        if self.stream.get(self.position).map(String::as_str) != Some(line) {
            self.fail(line);
        }
        self.position += 1;
    }

    fn srem(&mut self, key: &str, candidates: &[&str], count: usize) {
        for _ in 0..count {
            let wanted = format!("SREM {key} <one of {candidates:?}, not popped before>");
            let Some(member) = self
                .stream
                .get(self.position)
                .and_then(|line| line.strip_prefix(&format!("SREM {key} ")))
            else {
                self.fail(&wanted);
            };
            let popped = format!("{key}/{member}");
            if !candidates.contains(&member) || self.used.contains(&popped) {
                self.fail(&wanted);
            }
            self.used.push(popped);
            self.position += 1;
        }
    }

    fn end(&self) {
        if self.position != self.stream.len() {
            self.fail("the end of the stream");
        }
    }
}

#[test]
fn pick_checker_accepts_distinct_candidates_only() {
    let stream: Vec<String> = ["SREM k a", "SREM k b"].map(str::to_owned).to_vec();
    let mut checker = PickChecker::new(&stream);
    checker.srem("k", &["a", "b"], 2);
    checker.end();
    let repeated: Vec<String> = ["SREM k a", "SREM k a"].map(str::to_owned).to_vec();
    let outcome = std::panic::catch_unwind(|| {
        let mut checker = PickChecker::new(&repeated);
        checker.srem("k", &["a", "b"], 2);
    });
    assert!(outcome.is_err());
    assert_stream(&stream, &["SREM k a", "SREM k b"]);
}
