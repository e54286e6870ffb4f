//! Differential scripts for the sorted-set commands, part 2: ZRANGESTORE, ZPOPMIN/ZPOPMAX, ZREMRANGEBY*,
//! ZUNION, ZINTER, ZDIFF and their STORE forms, ZINTERCARD, ZSCAN, the deterministic cases of ZRANDMEMBER,
//! WRONGTYPE and arity everywhere, RESP3 replies.

use super::zset_scripts::FIVE;
use super::{Expect, Script, args, cmd, script};

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

/// A weighted zero becomes -0: the destination keeps the sign only when it stays a skiplist (more than 128
/// members), whatever the order members were added in (found by `cargo xtask difftest --seed 19`).
pub fn store_negative_zero() -> Script {
    let mut big = vec![
        "ZADD".to_owned(),
        "big".to_owned(),
        "0".to_owned(),
        "zero".to_owned(),
    ];
    for i in 1..=129 {
        big.extend([i.to_string(), format!("m{i}")]);
    }
    script(vec![
        args(&big),
        cmd("ZADD small 0 zero 1 one"),
        cmd("ZUNIONSTORE d 1 big WEIGHTS -1"),
        cmd("OBJECT ENCODING d"),
        cmd("ZSCORE d zero"),
        cmd("ZRANGE d 0 2 WITHSCORES"),
        cmd("ZINTERSTORE d 2 big big WEIGHTS -1 1 AGGREGATE MIN"),
        cmd("ZSCORE d zero"),
        cmd("ZUNIONSTORE d 1 small WEIGHTS -1"),
        cmd("OBJECT ENCODING d"),
        cmd("ZSCORE d zero"),
        cmd("ZUNIONSTORE d 2 small big WEIGHTS -1 0"),
        cmd("ZSCORE d zero"),
    ])
}
