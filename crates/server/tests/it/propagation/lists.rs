//! What the list commands send to replicas: pushes, pops, LSET, LREM, LTRIM, LINSERT, LMOVE and RPOPLPUSH go
//! out verbatim, and only when they changed something; a pop that empties its list sends no extra `DEL`; a
//! blocking pop served at once goes out in its non-blocking form; a client blocked on a key and served later
//! by another client's push gives two units, the push and then the pop (`LPOP k`, `RPOP k`, `RPOPLPUSH s d`,
//! `LMOVE s d left right`).

use super::{Session, SyncMode};
use crate::blocking::{blocked, reply, send, wait_blocked};
use crate::differential::raw::RawConnection;
use crate::support::{Subject, on_both_servers};

on_both_servers!(
    list_writes_propagate_verbatim_when_they_change_data,
    lmove_and_rpoplpush_propagate_verbatim,
    blocking_pops_served_at_once_become_non_blocking,
    blocked_pops_served_later_follow_the_push,
);

fn list_writes_propagate_verbatim_when_they_change_data(subject: &Subject) {
    let mut session = Session::start(subject, SyncMode::Disk);
    session.run(&[
        "lpush l a b",
        "rpush l c d e",
        "lpushx nokey a",
        "rpushx l f",
        "LPUSHX l g",
        "lpop l",
        "rpop l 2",
        "lpop l 0",
        "lpop nokey",
        "rpop nokey 3",
        "lpop l -1",
        "lrange l 0 -1",
        "llen l",
        "lindex l 0",
        "lpos l c",
        "lset l 0 A",
        "lset l 99 A",
        "lset nokey 0 A",
        "lrem l 0 missing",
        "lrem l 1 A",
        "ltrim l 0 -1",
        "ltrim nokey 0 1",
        "linsert l before missing x",
        "linsert l AFTER c x",
        "ltrim l 1 -1",
        "set s v",
        "lpush s a",
        "rpop l 10",
        "exists l",
        "rpush one x",
        "lrem one 0 x",
        "rpush two x y",
        "ltrim two 5 10",
    ]);
    session.expect_stream(
        &[],
        &[
            "SELECT 0",
            "lpush l a b",
            "rpush l c d e",
            "rpushx l f",
            "LPUSHX l g",
            "lpop l",
            "rpop l 2",
            "lset l 0 A",
            "lrem l 1 A",
            "linsert l AFTER c x",
            "ltrim l 1 -1",
            "set s v",
            "rpop l 10",
            "rpush one x",
            "lrem one 0 x",
            "rpush two x y",
            "ltrim two 5 10",
        ],
    );
}

fn lmove_and_rpoplpush_propagate_verbatim(subject: &Subject) {
    let mut session = Session::start(subject, SyncMode::Disk);
    session.run(&[
        "rpush src 1 2 3",
        "lmove src dst LEFT right",
        "lmove src src left left",
        "lmove nokey dst left right",
        "lmove src dst up right",
        "set s v",
        "lmove src s left right",
        "rpoplpush src dst",
        "rpoplpush src dst",
        "rpoplpush src dst",
    ]);
    session.expect_stream(
        &[],
        &[
            "SELECT 0",
            "rpush src 1 2 3",
            "lmove src dst LEFT right",
            "lmove src src left left",
            "set s v",
            "rpoplpush src dst",
            "rpoplpush src dst",
        ],
    );
}

fn blocking_pops_served_at_once_become_non_blocking(subject: &Subject) {
    let mut session = Session::start(subject, SyncMode::Disk);
    session.run(&[
        "rpush a 1 2 3 4 5",
        "blpop nokey a 1",
        "brpop a 0",
        "blmove a b LEFT right 0",
        "brpoplpush a b 0",
        "blpop nokey 0.01",
        "blmove nokey b left left 0.01",
        "blpop b 0",
        "brpop b 0",
        "exists b",
    ]);
    session.expect_stream(
        &[],
        &[
            "SELECT 0",
            "rpush a 1 2 3 4 5",
            "LPOP a",
            "RPOP a",
            "LMOVE a b LEFT right",
            "RPOPLPUSH a b",
            "LPOP b",
            "RPOP b",
        ],
    );
}

/// The push is one unit; each waiter it serves (oldest first) is a unit of its own, in its database, after it.
fn blocked_pops_served_later_follow_the_push(subject: &Subject) {
    let mut session = Session::start(subject, SyncMode::Disk);
    let mut first = blocked(&session.master, &["blpop", "q", "other", "0"], 1);
    let mut second = blocked(&session.master, &["brpop", "q", "0"], 2);
    session.run(&["rpush q x y z"]);
    assert_eq!(reply(&mut first), b"*2\r\n$1\r\nq\r\n$1\r\nx\r\n");
    assert_eq!(reply(&mut second), b"*2\r\n$1\r\nq\r\n$1\r\nz\r\n");

    let mut mover = blocked(
        &session.master,
        &["blmove", "src", "dst", "LEFT", "RIGHT", "0"],
        1,
    );
    let mut rotator = blocked(&session.master, &["brpoplpush", "src", "dst2", "0"], 2);
    session.run(&["lpush src a"]);
    assert_eq!(reply(&mut mover), b"$1\r\na\r\n");
    session.run(&["lpush src b c"]);
    assert_eq!(reply(&mut rotator), b"$1\r\nb\r\n");

    let mut elsewhere = RawConnection::connect(session.master.port());
    send(&mut elsewhere, &["select", "5"]);
    assert_eq!(reply(&mut elsewhere), b"+OK\r\n");
    send(&mut elsewhere, &["blpop", "q5", "0"]);
    wait_blocked(&session.master, 1);
    session.run(&["select 5", "rpush q5 v", "select 0"]);
    assert_eq!(reply(&mut elsewhere), b"*2\r\n$2\r\nq5\r\n$1\r\nv\r\n");

    session.expect_stream(
        &[],
        &[
            "SELECT 0",
            "rpush q x y z",
            "LPOP q",
            "RPOP q",
            "lpush src a",
            "LMOVE src dst left right",
            "lpush src b c",
            "RPOPLPUSH src dst2",
            "SELECT 5",
            "rpush q5 v",
            "LPOP q5",
        ],
    );
}
