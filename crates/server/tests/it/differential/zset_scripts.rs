//! Differential scripts for the sorted-set commands: ZADD and its options and errors, score parsing (inf,
//! hex, spaces, overflow, NaN, negative zero), ZINCRBY, ZREM, ZCARD, ZSCORE, ZMSCORE, ZRANK, ZREVRANK,
//! ZCOUNT, ZLEXCOUNT, every ZRANGE form (rank, BYSCORE, BYLEX, REV with reversed bounds, LIMIT with negative
//! offset and count, WITHSCORES) and its errors, ZRANGESTORE, ZPOPMIN/ZPOPMAX, ZREMRANGEBY*, ZUNION, ZINTER,
//! ZDIFF and their STORE forms, ZINTERCARD, ZSCAN, the deterministic cases of ZRANDMEMBER, RESP3 replies and
//! WRONGTYPE everywhere.

use super::{Expect, Script, args, cmd, script};

/// Five members with scores 1..5, in a listpack-encoded set.
const FIVE: &str = "ZADD z 1 a 2 b 3 c 4 d 5 e";

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

pub fn zrangestore() -> Script {
    script(vec![
        cmd(FIVE),
        cmd("ZRANGESTORE dst z 0 1"),
        cmd("ZRANGE dst 0 -1 WITHSCORES"),
        cmd("ZRANGESTORE dst z 5 10"),
        cmd("EXISTS dst"),
        cmd("ZRANGESTORE dst z 5 10"),
        cmd("ZRANGESTORE dst z 0 -1 REV"),
        cmd("ZRANGE dst 0 -1 WITHSCORES"),
        cmd("ZRANGESTORE dst nokey 0 -1"),
        cmd("EXISTS dst"),
        cmd("ZRANGESTORE dst2 z 1 3 BYSCORE REV"),
        cmd("ZRANGESTORE dst2 z 3 1 BYSCORE REV LIMIT 1 1"),
        cmd("ZRANGE dst2 0 -1 WITHSCORES"),
        cmd("ZADD lex 0 a 0 b 0 c"),
        cmd("ZRANGESTORE dst3 lex [a [c BYLEX LIMIT 1 1"),
        cmd("ZRANGE dst3 0 -1 WITHSCORES"),
        cmd("SET str v"),
        cmd("ZRANGESTORE str z 0 0"),
        cmd("TYPE str"),
        cmd("ZRANGESTORE dst str 0 0"),
        cmd("ZRANGESTORE z z 0 1"),
        cmd("ZRANGE z 0 -1"),
        cmd("SET plain v"),
        cmd("EXPIRE plain 100"),
        cmd("ZRANGESTORE plain z 0 0"),
        cmd("TTL plain"),
    ])
}

pub fn zpop() -> Script {
    script(vec![
        cmd(FIVE),
        cmd("ZPOPMIN z"),
        cmd("ZPOPMAX z"),
        cmd("ZPOPMIN z 2"),
        cmd("ZPOPMIN z 0"),
        cmd("ZPOPMAX z 0"),
        cmd("ZPOPMIN z -1"),
        cmd("ZPOPMIN z abc"),
        cmd("ZPOPMIN z 1.5"),
        cmd("ZPOPMIN z 1 2"),
        cmd("ZPOPMAX z 10"),
        cmd("EXISTS z"),
        cmd("ZPOPMIN nokey"),
        cmd("ZPOPMIN nokey 3"),
        cmd("ZPOPMAX nokey 0"),
        cmd("ZPOPMIN nokey -1"),
        cmd("ZADD z 1 a"),
        cmd("ZPOPMAX z"),
        cmd("EXISTS z"),
    ])
}

pub fn zremrange() -> Script {
    script(vec![
        cmd(FIVE),
        cmd("ZREMRANGEBYSCORE z 2 (4"),
        cmd("ZREMRANGEBYSCORE z a b"),
        cmd("ZREMRANGEBYSCORE z 10 20"),
        cmd("ZREMRANGEBYRANK z 0 0"),
        cmd("ZREMRANGEBYRANK z 5 10"),
        cmd("ZREMRANGEBYRANK z a 1"),
        cmd("ZRANGE z 0 -1"),
        cmd("ZREMRANGEBYSCORE z -inf +inf"),
        cmd("EXISTS z"),
        cmd("ZADD z 0 a 0 b 0 c 0 d"),
        cmd("ZREMRANGEBYLEX z [b (d"),
        cmd("ZREMRANGEBYLEX z b d"),
        cmd("ZRANGE z 0 -1"),
        cmd("ZREMRANGEBYRANK z -1 -1"),
        cmd("ZREMRANGEBYRANK z 1 0"),
        cmd("ZREMRANGEBYLEX z - +"),
        cmd("EXISTS z"),
        cmd("ZREMRANGEBYRANK nokey 0 -1"),
        cmd("ZREMRANGEBYSCORE nokey 0 1"),
        cmd("ZREMRANGEBYLEX nokey - +"),
    ])
}

pub fn union_inter_diff() -> Script {
    script(vec![
        cmd("ZADD a 1 x 2 y 3 z"),
        cmd("ZADD b 10 y 20 z 30 w"),
        cmd("ZUNION 2 a b"),
        cmd("ZUNION 2 a b WITHSCORES"),
        cmd("ZUNION 2 a b WEIGHTS 2 3 WITHSCORES"),
        cmd("ZUNION 2 a b weights 2 3 weights 1 1 WITHSCORES"),
        cmd("ZUNION 2 a b AGGREGATE MIN WITHSCORES"),
        cmd("ZUNION 2 a b aggregate max withscores"),
        cmd("ZUNION 2 a a WITHSCORES"),
        cmd("ZUNION 2 a nokey WITHSCORES"),
        cmd("ZINTER 2 a b WITHSCORES"),
        cmd("ZINTER 2 a b WEIGHTS 1 0 AGGREGATE SUM WITHSCORES"),
        cmd("ZINTER 2 a b AGGREGATE MIN"),
        cmd("ZINTER 2 a a WITHSCORES"),
        cmd("ZINTER 2 a nokey"),
        cmd("ZDIFF 2 a b WITHSCORES"),
        cmd("ZDIFF 2 b a"),
        cmd("ZDIFF 1 a WITHSCORES"),
        cmd("ZDIFF 2 nokey a"),
        cmd("ZDIFF 2 a a"),
        cmd("ZINTERCARD 2 a b"),
        cmd("ZINTERCARD 2 a b LIMIT 1"),
        cmd("ZINTERCARD 2 a b LIMIT 0"),
        cmd("ZINTERCARD 1 a"),
        cmd("ZADD i1 inf x 1 y"),
        cmd("ZADD i2 -inf x 2 y"),
        cmd("ZUNION 2 i1 i2 WITHSCORES"),
        cmd("ZUNION 2 i1 i2 WEIGHTS 0 1 WITHSCORES"),
        cmd("ZINTER 2 i1 i2 WITHSCORES"),
        cmd("ZINTER 2 i1 i2 WEIGHTS 1 0 WITHSCORES"),
        cmd("ZINTER 2 i1 i2 AGGREGATE MIN WITHSCORES"),
        cmd("ZINTER 2 i1 i2 AGGREGATE MAX WITHSCORES"),
        cmd("ZUNION 2 a b WEIGHTS inf -inf WITHSCORES"),
    ])
}

pub fn union_inter_diff_store() -> Script {
    script(vec![
        cmd("ZADD a 1 x 2 y 3 z"),
        cmd("ZADD b 10 y 20 z 30 w"),
        cmd("ZUNIONSTORE d 2 a b"),
        cmd("ZRANGE d 0 -1 WITHSCORES"),
        cmd("ZINTERSTORE d 2 a b AGGREGATE MAX"),
        cmd("ZRANGE d 0 -1 WITHSCORES"),
        cmd("ZDIFFSTORE d 2 a b"),
        cmd("ZRANGE d 0 -1 WITHSCORES"),
        cmd("ZINTERSTORE d 2 a nokey"),
        cmd("EXISTS d"),
        cmd("ZINTERSTORE d 2 a nokey"),
        cmd("ZUNIONSTORE d 1 nokey"),
        cmd("ZUNIONSTORE a 2 a b"),
        cmd("ZRANGE a 0 -1 WITHSCORES"),
        cmd("SET str v"),
        cmd("ZUNIONSTORE str 1 b"),
        cmd("TYPE str"),
        cmd("SET ttl v"),
        cmd("EXPIRE ttl 100"),
        cmd("ZUNIONSTORE ttl 1 b"),
        cmd("TTL ttl"),
        cmd("ZDIFFSTORE e 2 b b"),
        cmd("EXISTS e"),
    ])
}

pub fn setop_errors() -> Script {
    script(vec![
        cmd("ZADD a 1 x"),
        cmd("SET str v"),
        cmd("ZUNION 0 a"),
        cmd("ZUNION -1 a"),
        cmd("ZUNION 3 a b"),
        cmd("ZUNION abc a"),
        cmd("ZUNION 1"),
        cmd("ZUNION 2 a b WEIGHTS 1"),
        cmd("ZUNION 2 a b WEIGHTS 1 x"),
        cmd("ZUNION 2 a b WEIGHTS nan 1"),
        cmd("ZUNION 2 a b AGGREGATE foo"),
        cmd("ZUNION 2 a b AGGREGATE"),
        cmd("ZUNION 1 a WITHSCORES foo"),
        cmd("ZUNION 2 a str"),
        cmd("ZUNION 2 str a WEIGHTS x y"),
        cmd("ZINTER 0 a"),
        cmd("ZINTER 1 a LIMIT 1"),
        cmd("ZDIFF 0 a"),
        cmd("ZDIFF 2 a b WEIGHTS 1 1"),
        cmd("ZDIFF 1 a AGGREGATE SUM"),
        cmd("ZUNIONSTORE d 0 a"),
        cmd("ZINTERSTORE d 0 a"),
        cmd("ZDIFFSTORE d 0 a"),
        cmd("ZUNIONSTORE d 2 a"),
        cmd("ZUNIONSTORE d 1 a WITHSCORES"),
        cmd("ZUNIONSTORE d 2 str a"),
        cmd("ZINTERCARD 0 a"),
        cmd("ZINTERCARD 2 a b LIMIT -1"),
        cmd("ZINTERCARD 2 a b LIMIT x"),
        cmd("ZINTERCARD 1 a LIMIT"),
        cmd("ZINTERCARD 1 a WITHSCORES"),
        cmd("ZINTERCARD 1 a WEIGHTS 1"),
        cmd("ZINTERCARD 2 a str"),
        cmd("EXISTS d"),
    ])
}

pub fn zscan() -> Script {
    let mut big = vec!["ZADD".to_owned(), "big".to_owned()];
    for i in 0..200 {
        big.push(i.to_string());
        big.push(format!("m{i:03}"));
    }
    script(vec![
        cmd("ZADD z 1 a 2.5 b -inf c 3 d"),
        cmd("ZSCAN z 0"),
        cmd("ZSCAN z 0 MATCH a"),
        cmd("ZSCAN z 0 match [ab] count 1"),
        cmd("ZSCAN z 0 MATCH *"),
        cmd("ZSCAN z 5"),
        cmd("ZSCAN z 0 COUNT 0"),
        cmd("ZSCAN z 0 COUNT -1"),
        cmd("ZSCAN z 0 COUNT abc"),
        cmd("ZSCAN z 0 COUNT"),
        cmd("ZSCAN z 0 MATCH"),
        cmd("ZSCAN z 0 TYPE zset"),
        cmd("ZSCAN z 0 foo"),
        cmd("ZSCAN z abc"),
        cmd("ZSCAN z -1"),
        cmd("ZSCAN z 18446744073709551616"),
        args(&["ZSCAN", "z", " 1"]),
        args(&["ZSCAN", "z", ""]),
        cmd("ZSCAN nokey 0 foo"),
        cmd("ZSCAN nokey abc"),
        args(&big),
        cmd("ZSCAN big 0 MATCH m123 COUNT 1000"),
        cmd("ZSCAN big 0 MATCH nomatch COUNT 1000"),
    ])
}

pub fn zrandmember() -> Script {
    script(vec![
        cmd("ZADD z 1 a 2 b 3 c"),
        cmd("ZRANDMEMBER z 0"),
        cmd("ZRANDMEMBER z 3"),
        cmd("ZRANDMEMBER z 10"),
        cmd("ZRANDMEMBER z 10 WITHSCORES"),
        cmd("ZRANDMEMBER z 5 foo"),
        cmd("ZRANDMEMBER z 5 WITHSCORES foo"),
        cmd("ZRANDMEMBER z abc"),
        cmd("ZRANDMEMBER z -9223372036854775808"),
        cmd("ZRANDMEMBER z 9223372036854775807 WITHSCORES"),
        cmd("ZRANDMEMBER z -4611686018427387904 WITHSCORES"),
        cmd("ZRANDMEMBER nokey"),
        cmd("ZRANDMEMBER nokey 5"),
        cmd("ZRANDMEMBER nokey -5 WITHSCORES"),
        cmd("ZADD one 7 only"),
        cmd("ZRANDMEMBER one"),
        cmd("ZRANDMEMBER one -3"),
        cmd("ZRANDMEMBER one -2 WITHSCORES"),
        cmd("ZRANDMEMBER one 1 WITHSCORES"),
    ])
}

pub fn wrong_type() -> Script {
    let mut steps = vec![cmd("SET s v")];
    for command in [
        "ZADD s 1 a",
        "ZINCRBY s 1 a",
        "ZREM s a",
        "ZCARD s",
        "ZSCORE s a",
        "ZMSCORE s a",
        "ZRANK s a",
        "ZREVRANK s a",
        "ZCOUNT s 0 1",
        "ZLEXCOUNT s - +",
        "ZRANGE s 0 1",
        "ZRANGE s 0 1 BYSCORE",
        "ZRANGEBYSCORE s 0 1",
        "ZREVRANGEBYLEX s + -",
        "ZREVRANGE s 0 1",
        "ZRANGESTORE d s 0 1",
        "ZPOPMIN s",
        "ZPOPMAX s 2",
        "ZREMRANGEBYRANK s 0 1",
        "ZREMRANGEBYSCORE s 0 1",
        "ZREMRANGEBYLEX s - +",
        "ZSCAN s 0",
        "ZRANDMEMBER s",
        "ZRANDMEMBER s 2",
        "ZUNION 1 s",
        "ZINTERSTORE d 1 s",
        "ZADD s abc a",
        "ZCOUNT s a b",
    ] {
        steps.push(cmd(command));
    }
    steps.extend([
        cmd("ZADD z 1 a"),
        cmd("GET z"),
        cmd("TYPE z"),
        cmd("ZADD"),
        cmd("ZCARD"),
        cmd("ZRANGE z 0"),
        cmd("ZRANGESTORE d z 0"),
        cmd("ZPOPMIN"),
        cmd("ZUNIONSTORE d 1"),
        cmd("ZSCAN z"),
        cmd("ZRANDMEMBER"),
        cmd("ZMSCORE z"),
        cmd("ZINCRBY z 1"),
    ]);
    script(steps)
}

pub fn resp3_replies() -> Script {
    script(vec![
        cmd("HELLO 3").expect(Expect::SameExceptHelloId),
        cmd("ZADD z 1 a 2.5 b inf c"),
        cmd("ZSCORE z b"),
        cmd("ZSCORE z c"),
        cmd("ZSCORE z nothere"),
        cmd("ZMSCORE z a nothere"),
        cmd("ZINCRBY z 1 a"),
        cmd("ZADD z INCR 1 a"),
        cmd("ZADD z INCR NX 1 a"),
        cmd("ZRANGE z 0 -1 WITHSCORES"),
        cmd("ZRANGE z 0 -1"),
        cmd("ZRANGE z 5 6 WITHSCORES"),
        cmd("ZRANGEBYSCORE z -inf +inf WITHSCORES"),
        cmd("ZREVRANGE z 0 0 WITHSCORES"),
        cmd("ZRANK z nothere"),
        cmd("ZUNION 1 z WITHSCORES"),
        cmd("ZINTER 1 z"),
        cmd("ZDIFF 1 z WITHSCORES"),
        cmd("ZRANDMEMBER z 5 WITHSCORES"),
        cmd("ZRANDMEMBER nokey"),
        cmd("ZSCAN z 0"),
        cmd("ZPOPMIN z"),
        cmd("ZPOPMIN z 1"),
        cmd("ZPOPMAX z 5"),
        cmd("ZPOPMAX z"),
        cmd("ZPOPMIN nokey 2"),
    ])
}
