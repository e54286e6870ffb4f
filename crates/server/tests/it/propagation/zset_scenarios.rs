//! Sorted-set propagation (reference §5.2): ZADD (also with INCR), ZINCRBY and ZREM go out verbatim when they
//! changed something and not at all otherwise; ZPOPMIN/ZPOPMAX and ZREMRANGEBY* verbatim; ZUNIONSTORE,
//! ZINTERSTORE, ZDIFFSTORE and ZRANGESTORE verbatim, also when an empty result deletes the destination, and
//! not at all when there was nothing to delete.

use super::{Session, SyncMode};
use crate::support::{Subject, on_both_servers};

on_both_servers!(
    zadd_zincrby_zrem_verbatim_when_changed,
    zpop_and_zremrange_verbatim,
    store_commands_verbatim_even_when_deleting,
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
