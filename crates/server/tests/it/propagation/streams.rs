//! Stream propagation (Redis 7.0's `t_stream.c`): `XADD *` and `<ms>-*` go out with the ID they got, `~`
//! trims go out as `=` with the threshold they reached (length or first ID kept), XDEL/XACK/XGROUP/XSETID
//! verbatim when they changed something, group reads (a command with several effects in MULTI/EXEC) as `XCLAIM ... FORCE JUSTID LASTID` per entry, and
//! `NOACK` reads as `XGROUP SETID ... ENTRIESREAD` (after `XGROUP CREATECONSUMER` for a new consumer).

use super::{Session, SyncMode};
use crate::support::{Subject, on_both_servers};

on_both_servers!(
    xadd_ids_and_trims_are_rewritten,
    group_commands_propagate_their_effects,
);

fn xadd_ids_and_trims_are_rewritten(subject: &Subject) {
    let mut session = Session::start(subject, SyncMode::Disk);
    let mut commands: Vec<String> = (1..=250).map(|i| format!("xadd s {i}-0 f v")).collect();
    commands.extend(
        [
            "xadd s 250-* f v",
            "xadd s 250-0 f v",
            "xadd s MAXLEN ~ 120 300-0 f v",
            // Nothing to remove in whole nodes: not propagated.
            "xtrim s MAXLEN ~ 120",
            "xtrim s MINID ~ 200",
            "xtrim s MAXLEN 200",
            "xtrim s MAXLEN 100",
            "xdel s 1-0 999-0",
            "xdel s 200-0",
            "xadd nokey NOMKSTREAM * f v",
            "xadd t * f v",
            "xsetid s 400-0",
            "xlen s",
            "xrange s - + COUNT 1",
        ]
        .map(str::to_owned),
    );
    let refs: Vec<&str> = commands.iter().map(String::as_str).collect();
    session.run(&refs);
    let mut expected: Vec<String> = vec!["SELECT 0".to_owned()];
    expected.extend((1..=250).map(|i| format!("xadd s {i}-0 f v")));
    expected.extend(
        [
            "xadd s 250-1 f v",
            "xadd s MAXLEN = 152 300-0 f v",
            "xtrim s MAXLEN 100",
            "xdel s 200-0",
            "xadd t <now>-0 f v",
            "xsetid s 400-0",
        ]
        .map(str::to_owned),
    );
    let expected: Vec<&str> = expected.iter().map(String::as_str).collect();
    session.expect_stream(&[0], &expected);
}

fn group_commands_propagate_their_effects(subject: &Subject) {
    let mut session = Session::start(subject, SyncMode::Disk);
    session.run(&[
        "xadd s 1-0 a 1",
        "xadd s 2-0 b 2",
        "xadd s 3-0 c 3",
        "xgroup create s g 0",
        "xgroup create s g 0",
        "xgroup createconsumer s g alice",
        "xgroup createconsumer s g alice",
        "xreadgroup GROUP g bob NOACK COUNT 2 STREAMS s >",
        "xclaim s g carol 0 3-0 FORCE TIME 1000 RETRYCOUNT 4",
        "xclaim s g carol 0 2-0 TIME 2000",
        "xclaim s g carol 0 1-0 JUSTID LASTID 9-0",
        "xack s g 3-0 3-0",
        "xack s g 3-0",
        "xgroup setid s g 0 ENTRIESREAD 0",
        "xgroup delconsumer s g carol",
        "xgroup delconsumer s g nobody",
        "xgroup destroy s g",
        "xgroup destroy s g",
        "xgroup create fresh g $ MKSTREAM",
    ]);
    session.expect_stream(
        &[],
        &[
            "SELECT 0",
            "xadd s 1-0 a 1",
            "xadd s 2-0 b 2",
            "xadd s 3-0 c 3",
            "xgroup create s g 0",
            "xgroup createconsumer s g alice",
            "MULTI",
            "XGROUP CREATECONSUMER s g bob",
            "XGROUP SETID s g 2-0 ENTRIESREAD 2",
            "EXEC",
            "XCLAIM s g carol 0 3-0 TIME 1000 RETRYCOUNT 4 FORCE JUSTID LASTID 2-0",
            "XGROUP SETID s g 9-0 ENTRIESREAD 2",
            "xack s g 3-0 3-0",
            "xgroup setid s g 0 ENTRIESREAD 0",
            "xgroup delconsumer s g carol",
            "xgroup destroy s g",
            "xgroup create fresh g $ MKSTREAM",
        ],
    );
}
