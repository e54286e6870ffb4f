//! Sorted-set propagation (reference §5.2): ZADD (also with INCR), ZINCRBY and ZREM go out verbatim when they
//! changed something and not at all otherwise; ZPOPMIN/ZPOPMAX and ZREMRANGEBY* verbatim; ZUNIONSTORE,
//! ZINTERSTORE, ZDIFFSTORE and ZRANGESTORE verbatim, also when an empty result deletes the destination, and
//! not at all when there was nothing to delete. BZPOPMIN/BZPOPMAX served at once go out as `ZPOPMIN key` /
//! `ZPOPMAX key` (no count); a client blocked on a key and served later by another client's write gives two
//! units, the write and then the same two-argument pop.

use super::{Session, SyncMode};
use crate::blocking::{blocked, reply, send, wait_blocked};
use crate::differential::raw::RawConnection;
use crate::support::{Subject, on_both_servers};

on_both_servers!(
    zadd_zincrby_zrem_verbatim_when_changed,
    zpop_and_zremrange_verbatim,
    store_commands_verbatim_even_when_deleting,
    blocking_zpops_served_at_once_become_zpop,
    blocked_zpops_served_later_follow_the_write,
);

fn zadd_zincrby_zrem_verbatim_when_changed(subject: &Subject) {
    let mut session = Session::start(subject, SyncMode::Disk);
    session.run(&[
        "zadd z 1 a 2 b",
        "zadd z 1 a",
        "zadd z XX 5 nothere",
        "zadd z NX 9 a",
        "zadd z INCR 2 a",
        "zadd z INCR NX 1 a",
        "zadd z INCR 0 a",
        "zincrby z 1.5 b",
        "zincrby z 0 b",
        "zincrby z 1 c",
        "zadd z CH GT 1 a",
        "zadd z CH LT 1 a",
        "zadd z INCR inf a",
        "zadd z INCR -inf a",
        "zadd nokey XX 1 a",
        "zrem z nothere",
        "zrem z a nothere",
        "zrem z b c",
        "zrem z b",
        "zscore z a",
        "zrange z 0 -1",
    ]);
    session.expect_stream(
        &[],
        &[
            "SELECT 0",
            "zadd z 1 a 2 b",
            "zadd z INCR 2 a",
            "zincrby z 1.5 b",
            "zincrby z 1 c",
            "zadd z CH LT 1 a",
            "zadd z INCR inf a",
            "zrem z a nothere",
            "zrem z b c",
        ],
    );
}

fn zpop_and_zremrange_verbatim(subject: &Subject) {
    let mut session = Session::start(subject, SyncMode::Disk);
    session.run(&[
        "zadd z 1 a 2 b 3 c 4 d 5 e 6 f",
        "zpopmin z",
        "zpopmax z 2",
        "zpopmin z 0",
        "zpopmin nokey",
        "zpopmax nokey 3",
        "zremrangebyscore z 100 200",
        "zremrangebyscore z (2 3",
        "zremrangebyrank z 5 10",
        "zremrangebyrank z 0 0",
        "zremrangebylex z - +",
        "zpopmin z 10",
    ]);
    session.expect_stream(
        &[],
        &[
            "SELECT 0",
            "zadd z 1 a 2 b 3 c 4 d 5 e 6 f",
            "zpopmin z",
            "zpopmax z 2",
            "zremrangebyscore z (2 3",
            "zremrangebyrank z 0 0",
            "zremrangebylex z - +",
        ],
    );
}

fn store_commands_verbatim_even_when_deleting(subject: &Subject) {
    let mut session = Session::start(subject, SyncMode::Disk);
    session.run(&[
        "zadd a 1 x 2 y",
        "zadd b 3 y",
        "zunionstore d 2 a b",
        "zunion 2 a b",
        "zinterstore d 2 a b WEIGHTS 2 1 AGGREGATE MAX",
        "zinterstore d 2 a nokey",
        "zinterstore d 2 a nokey",
        "zdiffstore e 2 a b",
        "zdiffstore e 2 a a",
        "zdiffstore e 2 a a",
        "zrangestore r a 0 0",
        "zrangestore r a 1 1 REV",
        "zrangestore r a 5 10",
        "zrangestore r a 5 10",
        "zrangestore r nokey 0 -1",
        "set s v",
        "zunionstore s 1 nokey",
        "zunionstore s 1 nokey",
    ]);
    session.expect_stream(
        &[],
        &[
            "SELECT 0",
            "zadd a 1 x 2 y",
            "zadd b 3 y",
            "zunionstore d 2 a b",
            "zinterstore d 2 a b WEIGHTS 2 1 AGGREGATE MAX",
            "zinterstore d 2 a nokey",
            "zdiffstore e 2 a b",
            "zdiffstore e 2 a a",
            "zrangestore r a 0 0",
            "zrangestore r a 1 1 REV",
            "zrangestore r a 5 10",
            "set s v",
            "zunionstore s 1 nokey",
        ],
    );
}

fn blocking_zpops_served_at_once_become_zpop(subject: &Subject) {
    let mut session = Session::start(subject, SyncMode::Disk);
    session.run(&[
        "zadd z 1 a 2 b 3 c",
        "bzpopmin nokey z 1",
        "BZPOPMAX z 0",
        "bzpopmin nokey 0.01",
        "set s v",
        "bzpopmin nokey s z 0",
        "bzpopmax z s 0",
        "bzpopmin z x",
        "exists z",
        "multi",
        "zadd m 1 x",
        "bzpopmin m 0",
        "bzpopmax m 0",
        "exec",
    ]);
    session.expect_stream(
        &[],
        &[
            "SELECT 0",
            "zadd z 1 a 2 b 3 c",
            "ZPOPMIN z",
            "ZPOPMAX z",
            "set s v",
            "ZPOPMAX z",
            "MULTI",
            "zadd m 1 x",
            "ZPOPMIN m",
            "EXEC",
        ],
    );
}

/// The write is one unit; each waiter it serves (oldest first) is a unit of its own, in its database, after
/// it: after ZADD, after a *STORE, after an `EXEC` (served from the state the transaction left).
fn blocked_zpops_served_later_follow_the_write(subject: &Subject) {
    let mut session = Session::start(subject, SyncMode::Disk);
    let mut first = blocked(&session.master, &["bzpopmin", "q", "other", "0"], 1);
    let mut second = blocked(&session.master, &["bzpopmax", "q", "0"], 2);
    session.run(&["zadd q 1 x 2 y 3 z"]);
    assert_eq!(
        reply(&mut first),
        b"*3\r\n$1\r\nq\r\n$1\r\nx\r\n$1\r\n1\r\n"
    );
    assert_eq!(
        reply(&mut second),
        b"*3\r\n$1\r\nq\r\n$1\r\nz\r\n$1\r\n3\r\n"
    );

    let mut stored = blocked(&session.master, &["bzpopmax", "dst", "0"], 1);
    session.run(&["zunionstore dst 1 q"]);
    assert_eq!(
        reply(&mut stored),
        b"*3\r\n$3\r\ndst\r\n$1\r\ny\r\n$1\r\n2\r\n"
    );

    let mut after_exec = blocked(&session.master, &["bzpopmin", "t", "0"], 1);
    session.run(&["multi", "zadd t 5 a 6 b", "zincrby t 10 a", "exec"]);
    assert_eq!(
        reply(&mut after_exec),
        b"*3\r\n$1\r\nt\r\n$1\r\nb\r\n$1\r\n6\r\n"
    );

    let mut elsewhere = RawConnection::connect(session.master.port());
    send(&mut elsewhere, &["select", "5"]);
    assert_eq!(reply(&mut elsewhere), b"+OK\r\n");
    send(&mut elsewhere, &["bzpopmin", "q5", "0"]);
    wait_blocked(&session.master, 1);
    session.run(&["select 5", "zadd q5 1 v", "select 0"]);
    assert_eq!(
        reply(&mut elsewhere),
        b"*3\r\n$2\r\nq5\r\n$1\r\nv\r\n$1\r\n1\r\n"
    );

    session.expect_stream(
        &[],
        &[
            "SELECT 0",
            "zadd q 1 x 2 y 3 z",
            "ZPOPMIN q",
            "ZPOPMAX q",
            "zunionstore dst 1 q",
            "ZPOPMAX dst",
            "MULTI",
            "zadd t 5 a 6 b",
            "zincrby t 10 a",
            "EXEC",
            "ZPOPMIN t",
            "SELECT 5",
            "zadd q5 1 v",
            "ZPOPMIN q5",
        ],
    );
}
