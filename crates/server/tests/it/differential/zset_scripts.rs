//! Differential scripts for the sorted-set commands, part 1: ZADD and its options and errors, score parsing
//! (inf, hex, spaces, overflow, NaN, negative zero), ZINCRBY, ZREM, ZCARD, ZSCORE, ZMSCORE, ZRANK, ZREVRANK,
//! ZCOUNT, ZLEXCOUNT, every ZRANGE form (rank, BYSCORE, BYLEX, REV with reversed bounds, LIMIT with negative
//! offset and count, WITHSCORES) and its errors. Part 2 is `zset_more_scripts`.

use super::{Script, args, cmd, script};

/// Five members with scores 1..5, in a listpack-encoded set.
pub(super) const FIVE: &str = "ZADD z 1 a 2 b 3 c 4 d 5 e";

pub fn zadd_options() -> Script {
    script(vec![
        cmd("ZADD z 1 a 2 b 3 c"),
        cmd("ZADD z NX 5 a 6 d"),
        cmd("ZADD z XX CH 10 a 20 e"),
        cmd("ZADD z GT CH 5 a 30 b"),
        cmd("ZADD z LT CH 5 a 30 c"),
        cmd("ZADD z XX GT CH 50 a 1 b"),
        cmd("ZADD z XX LT 1 a 100 zz"),
        cmd("ZADD z CH 1 a 2 a 3 new"),
        cmd("ZADD z nx ch xx 1 a"),
        cmd("ZRANGE z 0 -1 WITHSCORES"),
        cmd("ZADD z INCR 1.5 a"),
        cmd("ZADD z INCR NX 1 a"),
        cmd("ZADD z INCR XX 1 missing"),
        cmd("ZADD z INCR GT -1 a"),
        cmd("ZADD z INCR LT -1 a"),
        cmd("ZADD z incr ch 0 a"),
        cmd("ZADD z INCR 7 fresh"),
        cmd("ZADD nokey XX 1 a"),
        cmd("EXISTS nokey"),
        cmd("ZADD nokey XX INCR 1 a"),
        cmd("ZADD nokey GT 5 a"),
        cmd("ZSCORE nokey a"),
        cmd("ZADD z 1 a 1 a 1 a"),
        cmd("ZRANGE z 0 -1 WITHSCORES"),
        cmd("ZCARD z"),
    ])
}

pub fn zadd_errors() -> Script {
    script(vec![
        cmd("ZADD z"),
        cmd("ZADD z 1"),
        cmd("ZADD z NX"),
        cmd("ZADD z 1 a 2"),
        cmd("ZADD z XX NX 1 a"),
        cmd("ZADD z GT LT 1 a"),
        cmd("ZADD z NX GT 1 a"),
        cmd("ZADD z NX LT 1 a"),
        cmd("ZADD z XX NX GT 1 a"),
        cmd("ZADD z INCR 1 a 2 b"),
        cmd("ZADD z INCR XX NX 1 a 2 b"),
        cmd("ZADD z abc a"),
        cmd("ZADD z 1 a abc b"),
        cmd("EXISTS z"),
        cmd("ZADD z FOO 1 a"),
        cmd("ZINCRBY z abc a"),
        cmd("ZINCRBY z 1"),
        cmd("ZINCRBY z NX a"),
        cmd("ZINCRBY z 1 a extra"),
        cmd("ZADD z inf x"),
        cmd("ZADD z INCR -inf x"),
        cmd("ZINCRBY z -inf x"),
        cmd("ZSCORE z x"),
        cmd("ZADD z INCR +inf x"),
    ])
}

pub fn score_parsing() -> Script {
    let mut steps = Vec::new();
    for score in [
        "1",
        "-1.5",
        "+2",
        ".5",
        "5.",
        "1e3",
        "1E-3",
        "inf",
        "-inf",
        "+inf",
        "Infinity",
        "-INFINITY",
        "0x10",
        "0x1.8p1",
        "1e-320",
        "3.14159265358979323846",
        "0.1",
        "1e20",
        "123456789012345678",
        "-0",
        "0",
        "1e308",
        "4.9e-324",
    ] {
        steps.push(args(&["ZADD", "z", score, "m"]));
        steps.push(cmd("ZSCORE z m"));
    }
    for bad in [
        "", " 1", "1 ", "nan", "NaN", "-nan", "abc", "1e400", "-1e400", "1e-400", "1.5.5", "e5",
        ".", "-", "0x", "1\x002", "inf1", "1,5",
    ] {
        steps.push(args(&["ZADD", "z", bad, "m"]));
        steps.push(args(&["ZINCRBY", "z", bad, "m"]));
    }
    steps.extend([
        cmd("ZRANGE z 0 -1 WITHSCORES"),
        // Negative zero: a listpack-encoded set stores 0, a skiplist-encoded one keeps -0.
        cmd("ZADD lp -0 a"),
        cmd("ZSCORE lp a"),
        cmd("ZADD lp INCR -0 b"),
        cmd("ZSCORE lp b"),
        args(&["ZADD", "sl", "1", &"x".repeat(65)]),
        cmd("ZADD sl -0 a"),
        cmd("ZSCORE sl a"),
        cmd("ZRANGE sl 0 -1 WITHSCORES"),
    ]);
    script(steps)
}

pub fn zincrby_zrem_zscore() -> Script {
    script(vec![
        cmd("ZINCRBY z 1 a"),
        cmd("ZINCRBY z 1.1 a"),
        cmd("ZINCRBY z -10 a"),
        cmd("ZINCRBY z 0 a"),
        cmd("ZINCRBY z 1e300 a"),
        cmd("ZINCRBY z 1e308 a"),
        cmd("ZSCORE z a"),
        cmd("ZADD z 1 b 2 c"),
        cmd("ZREM z b nothere b"),
        cmd("ZREM z nothere"),
        cmd("ZREM nokey a"),
        cmd("ZREM z a c"),
        cmd("EXISTS z"),
        cmd(FIVE),
        cmd("ZCARD z"),
        cmd("ZCARD nokey"),
        cmd("ZSCORE z c"),
        cmd("ZSCORE z nothere"),
        cmd("ZSCORE nokey a"),
        cmd("ZMSCORE z a nothere e"),
        cmd("ZMSCORE nokey a b"),
        cmd("ZMSCORE z"),
        cmd("ZRANK z a"),
        cmd("ZRANK z e"),
        cmd("ZREVRANK z a"),
        cmd("ZREVRANK z e"),
        cmd("ZRANK z nothere"),
        cmd("ZRANK nokey a"),
        cmd("ZREVRANK nokey a"),
        cmd("ZRANK z a WITHSCORE"),
        cmd("ZREM z a b c d e f"),
        cmd("EXISTS z"),
    ])
}

pub fn zrange_by_rank() -> Script {
    script(vec![
        cmd(FIVE),
        cmd("ZRANGE z 0 -1"),
        cmd("ZRANGE z 1 3 WITHSCORES"),
        cmd("ZRANGE z -2 -1"),
        cmd("ZRANGE z 3 1"),
        cmd("ZRANGE z 0 100"),
        cmd("ZRANGE z -100 1"),
        cmd("ZRANGE z -100 -50"),
        cmd("ZRANGE z 5 10"),
        cmd("ZRANGE z 0 -1 REV WITHSCORES"),
        cmd("ZRANGE z 0 1 rev"),
        cmd("ZRANGE z -1 -1 REV"),
        cmd("ZRANGE z 0 1 LIMIT 0 -1"),
        cmd("ZRANGE z 0 1 withscores WITHSCORES"),
        cmd("ZREVRANGE z 0 1 WITHSCORES"),
        cmd("ZREVRANGE z 1 -1"),
        cmd("ZREVRANGE z 0 1 LIMIT 0 1"),
        cmd("ZREVRANGE z 0 1 REV"),
        cmd("ZREVRANGE z 0 1 BYSCORE"),
        cmd("ZRANGE nokey 0 -1"),
        cmd("ZREVRANGE nokey 0 -1"),
        cmd("ZRANGE z a 1"),
        cmd("ZRANGE z 0 b"),
        cmd("ZRANGE z 0 1 foo"),
        cmd("ZRANGE z 0 1 LIMIT 1 1"),
    ])
}

pub fn zrange_by_score() -> Script {
    script(vec![
        cmd(FIVE),
        cmd("ZADD z -inf min +inf max"),
        cmd("ZRANGE z 1 3 BYSCORE"),
        cmd("ZRANGE z (1 3 BYSCORE WITHSCORES"),
        cmd("ZRANGE z 1 (3 byscore"),
        cmd("ZRANGE z (1 (2 BYSCORE"),
        cmd("ZRANGE z (2 (2 BYSCORE"),
        cmd("ZRANGE z 2 2 BYSCORE"),
        cmd("ZRANGE z -inf +inf BYSCORE WITHSCORES"),
        cmd("ZRANGE z (-inf (+inf BYSCORE"),
        cmd("ZRANGE z -inf -inf BYSCORE"),
        cmd("ZRANGE z 3 1 BYSCORE"),
        cmd("ZRANGE z 3 1 BYSCORE REV"),
        cmd("ZRANGE z 1 3 BYSCORE REV"),
        cmd("ZRANGE z (3 1 BYSCORE REV"),
        cmd("ZRANGE z +inf -inf BYSCORE REV LIMIT 1 2"),
        cmd("ZRANGE z -inf +inf BYSCORE LIMIT 1 -1"),
        cmd("ZRANGE z -inf +inf BYSCORE LIMIT 1 -5"),
        cmd("ZRANGE z -inf +inf BYSCORE LIMIT -1 2"),
        cmd("ZRANGE z -inf +inf BYSCORE LIMIT 0 0"),
        cmd("ZRANGE z -inf +inf BYSCORE LIMIT 10 1"),
        cmd("ZRANGE z -inf +inf BYSCORE LIMIT 6 10"),
        cmd("ZRANGE z -inf +inf BYSCORE LIMIT 7 10"),
        cmd("ZRANGE z -inf +inf BYSCORE LIMIT 2 2 LIMIT 0 1"),
        cmd("ZRANGE z 1 3 BYSCORE LIMIT 0 1 WITHSCORES REV"),
        cmd("ZRANGEBYSCORE z 1 3 WITHSCORES LIMIT 1 1"),
        cmd("ZRANGEBYSCORE z -inf 2"),
        cmd("ZRANGEBYSCORE z 1 3 BYSCORE"),
        cmd("ZRANGEBYSCORE z 1 3 REV"),
        cmd("ZRANGEBYSCORE z 1 3 LIMIT 1"),
        cmd("ZREVRANGEBYSCORE z 3 1"),
        cmd("ZREVRANGEBYSCORE z 1 3"),
        cmd("ZREVRANGEBYSCORE z +inf -inf WITHSCORES LIMIT 0 2"),
        cmd("ZREVRANGEBYSCORE z (5 (1"),
        cmd("ZRANGEBYSCORE nokey 0 1"),
        args(&["ZRANGE", "z", "", "", "BYSCORE"]),
        args(&["ZRANGE", "z", "(", "5", "BYSCORE"]),
        args(&["ZRANGE", "z", " 1", "1e400", "BYSCORE"]),
        args(&["ZRANGEBYSCORE", "z", "1\x00junk", "3"]),
        args(&["ZRANGEBYSCORE", "z", "0x1", "0x3"]),
    ])
}

pub fn zrange_by_lex() -> Script {
    script(vec![
        cmd("ZADD z 0 a 0 b 0 c 0 d 0 e 0 ab"),
        cmd("ZRANGE z - + BYLEX"),
        cmd("ZRANGE z [a [c BYLEX"),
        cmd("ZRANGE z (a (c BYLEX"),
        cmd("ZRANGE z [ab (d BYLEX"),
        cmd("ZRANGE z + - BYLEX"),
        cmd("ZRANGE z - - BYLEX"),
        cmd("ZRANGE z + + BYLEX"),
        cmd("ZRANGE z + - BYLEX REV"),
        cmd("ZRANGE z [c (a BYLEX REV LIMIT 0 1"),
        cmd("ZRANGE z - + BYLEX LIMIT 2 -1"),
        cmd("ZRANGE z - + BYLEX LIMIT -2 1"),
        cmd("ZRANGE z - + BYLEX LIMIT 1 0"),
        args(&["ZRANGE", "z", "[", "+", "BYLEX"]),
        args(&["ZRANGE", "z", "(", "(", "BYLEX"]),
        cmd("ZRANGEBYLEX z - +"),
        cmd("ZRANGEBYLEX z [b +"),
        cmd("ZRANGEBYLEX z [b + LIMIT 1 2"),
        cmd("ZREVRANGEBYLEX z + [b"),
        cmd("ZREVRANGEBYLEX z + [b LIMIT 1 1"),
        cmd("ZREVRANGEBYLEX z [b +"),
        cmd("ZRANGEBYLEX nokey - +"),
        cmd("ZLEXCOUNT z - +"),
        cmd("ZLEXCOUNT z [b (d"),
        cmd("ZLEXCOUNT z (e +"),
        cmd("ZLEXCOUNT nokey - +"),
        // Errors.
        cmd("ZRANGE z - + BYLEX WITHSCORES"),
        cmd("ZRANGEBYLEX z - + WITHSCORES"),
        cmd("ZRANGE z a b BYLEX"),
        cmd("ZRANGE z -a + BYLEX"),
        cmd("ZRANGE z - ++ BYLEX"),
        args(&["ZRANGE", "z", "", "+", "BYLEX"]),
        cmd("ZRANGEBYLEX z a +"),
        cmd("ZLEXCOUNT z a b"),
        cmd("ZLEXCOUNT z - b"),
        cmd("ZREVRANGEBYLEX z + - BYLEX"),
    ])
}

pub fn zrange_option_errors() -> Script {
    script(vec![
        cmd(FIVE),
        cmd("ZRANGE z 0 1 BYSCORE BYLEX"),
        cmd("ZRANGE z 0 1 BYLEX BYSCORE"),
        cmd("ZRANGE z 0 1 BYSCORE BYSCORE"),
        cmd("ZRANGE z 0 1 REV REV"),
        cmd("ZRANGE z 0 1 LIMIT 0"),
        cmd("ZRANGE z 0 1 LIMIT"),
        cmd("ZRANGE z 0 1 LIMIT a 1"),
        cmd("ZRANGE z 0 1 LIMIT 1 a"),
        cmd("ZRANGE z 0 1 BYSCORE LIMIT 1 1 foo"),
        cmd("ZRANGE z abc 1 BYSCORE"),
        cmd("ZRANGE z 1 abc BYSCORE"),
        cmd("ZRANGE z nan 1 BYSCORE"),
        cmd("ZRANGE z [1 2 BYSCORE"),
        cmd("ZRANGE z 0 1 LIMIT 0 1 WITHSCORES BYLEX"),
        cmd("ZRANGE z abc 1 LIMIT 0 1"),
        cmd("ZRANGE z abc 1 BYLEX WITHSCORES"),
        cmd("ZCOUNT z a 1"),
        cmd("ZCOUNT z 1 (a"),
        cmd("ZRANGE z 0"),
        cmd("ZRANGESTORE d z 0 1 WITHSCORES"),
        cmd("ZRANGESTORE d z 0 1 LIMIT 0 1"),
    ])
}

pub fn zcount_and_ranks() -> Script {
    script(vec![
        cmd(FIVE),
        cmd("ZCOUNT z 1 3"),
        cmd("ZCOUNT z (1 (3"),
        cmd("ZCOUNT z -inf +inf"),
        cmd("ZCOUNT z 3 1"),
        cmd("ZCOUNT z (3 3"),
        cmd("ZCOUNT z 6 +inf"),
        cmd("ZCOUNT nokey 0 1"),
        cmd("ZCOUNT nokey a b"),
        args(&["ZCOUNT", "z", "", "10"]),
    ])
}
