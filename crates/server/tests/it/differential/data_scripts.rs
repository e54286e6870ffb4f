//! Differential scripts for the data commands: keys (DBSIZE, FLUSH*, KEYS, EXISTS, DEL, UNLINK, TYPE, RENAME),
//! strings (GET, SET and its options, SETNX, SETEX, PSETEX, MGET, MSET, INCR family, APPEND, STRLEN) and expiry
//! (EXPIRE family with NX/XX/GT/LT, TTL, PTTL, PERSIST), with their error paths: non-integers, syntax errors,
//! option conflicts, overflow, zero, negative and past times.

use std::time::{SystemTime, UNIX_EPOCH};

use super::{Expect, Script, Step, args, cmd, script};

/// The largest and smallest 64-bit integers, as Redis prints them.
pub(super) const I64_MAX: &str = "9223372036854775807";
pub(super) const I64_MIN: &str = "-9223372036854775808";

/// 2100-01-01T00:00:00Z: far in the future, a fixed absolute time.
const YEAR_2100_S: i64 = 4_102_444_800;

fn now_s() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("the clock is after 1970")
        .as_secs() as i64
}

/// `TTL` of a key expiring at 2100-01-01: whatever the second, within a small window of the script's start.
fn ttl_until_2100(command: &str) -> Step {
    let remaining = YEAR_2100_S - now_s();
    cmd(command).between(remaining - 60, remaining + 1)
}
pub fn dbsize_flush() -> Script {
    script(vec![
        cmd("DBSIZE"),
        cmd("SET a 1"),
        cmd("SET b 2"),
        cmd("DBSIZE"),
        cmd("FLUSHDB"),
        cmd("DBSIZE"),
        cmd("SET a 1"),
        cmd("SELECT 1"),
        cmd("SET b 1"),
        cmd("DBSIZE"),
        cmd("FLUSHALL"),
        cmd("DBSIZE"),
        cmd("SELECT 0"),
        cmd("DBSIZE"),
        cmd("FLUSHDB ASYNC"),
        cmd("FLUSHDB sync"),
        cmd("FLUSHALL async"),
        cmd("FLUSHALL SYNC"),
        cmd("FLUSHDB foo"),
        cmd("FLUSHALL foo"),
        cmd("FLUSHDB SYNC extra"),
        cmd("FLUSHALL a b"),
    ])
}

pub fn keys_patterns() -> Script {
    let keys = |pattern: &str| args(&["KEYS", pattern]).expect(Expect::SameUnordered);
    script(vec![
        args(&[
            "MSET", "hello", "1", "hallo", "2", "hxllo", "3", "hllo", "4", "heeeello", "5",
            "h*llo", "6", "a", "7", "h[llo", "8",
        ]),
        keys("*"),
        keys("h?llo"),
        keys("h*llo"),
        keys("h[ae]llo"),
        keys("h[^e]llo"),
        keys("h[a-b]llo"),
        keys("h\\*llo"),
        keys("h[\\[]llo"),
        keys("nomatch"),
        keys("a"),
        keys("H*"),
        keys("[a"),
        keys("*[z-a]*"),
        cmd("SELECT 1"),
        keys("*"),
    ])
}

pub fn exists_del_unlink_type() -> Script {
    script(vec![
        cmd("SET a 1"),
        cmd("EXISTS a"),
        cmd("EXISTS a a a"),
        cmd("EXISTS nokey"),
        cmd("EXISTS a nokey a"),
        cmd("TYPE a"),
        cmd("TYPE nokey"),
        cmd("DEL a nokey"),
        cmd("DEL a"),
        cmd("MSET a 1 b 2 c 3"),
        cmd("UNLINK a b nokey"),
        cmd("DEL c c"),
        cmd("TYPE c"),
        cmd("EXISTS a b c"),
    ])
}

pub fn rename() -> Script {
    script(vec![
        cmd("RENAME nokey x"),
        cmd("RENAME nokey nokey"),
        cmd("SET a 1"),
        cmd("RENAME a a"),
        cmd("RENAME a b"),
        cmd("GET a"),
        cmd("GET b"),
        cmd("SET c 2 EX 1000"),
        cmd("RENAME c d"),
        cmd("TTL d").between(990, 1000),
        cmd("RENAME b d"),
        cmd("TTL d"),
        cmd("GET d"),
        cmd("EXISTS b c"),
    ])
}

pub fn get_set_basic() -> Script {
    script(vec![
        cmd("GET nokey"),
        cmd("SET k v"),
        cmd("GET k"),
        args(&["SET", "k", ""]),
        cmd("GET k"),
        args(&[&b"SET"[..], b"bin\x00key", b"\x00\xff\r\nvalue"]),
        args(&[&b"GET"[..], b"bin\x00key"]),
        args(&["SET", "", "empty key"]),
        args(&["GET", ""]),
        cmd("SET k v extra"),
        cmd("set K V"),
        cmd("GET K"),
        cmd("GET k"),
    ])
}

pub fn set_options() -> Script {
    script(vec![
        cmd("SET k v NX"),
        cmd("SET k v2 NX"),
        cmd("GET k"),
        cmd("SET k v3 XX"),
        cmd("GET k"),
        cmd("SET nokey v XX"),
        cmd("GET nokey"),
        cmd("SET k v4 GET"),
        cmd("SET new v GET"),
        cmd("SET k v5 NX GET"),
        cmd("GET k"),
        cmd("SET k v6 XX GET"),
        cmd("SET k2 v NX GET"),
        cmd("SET k3 v XX GET"),
        cmd("GET k3"),
        cmd("set k v7 nx"),
        cmd("set k v8 xx get"),
        cmd("SET k v GET GET"),
        cmd("SET k v NX NX"),
        cmd("SET k v XX XX"),
        cmd("SET t v EX 100"),
        cmd("SET t v2 KEEPTTL"),
        cmd("TTL t").between(99, 100),
        cmd("SET t v3 keepttl GET"),
        cmd("TTL t").between(99, 100),
        cmd("SET t v4"),
        cmd("TTL t"),
        cmd("SET t v5 KEEPTTL KEEPTTL"),
        cmd("SET t v6 GET EX 100"),
        cmd("TTL t").between(99, 100),
    ])
}

pub fn set_option_conflicts() -> Script {
    script(vec![
        cmd("SET k v NX XX"),
        cmd("SET k v XX NX"),
        cmd("SET k v EX 10 PX 10"),
        cmd("SET k v PX 10 EX 10"),
        cmd("SET k v EX 10 KEEPTTL"),
        cmd("SET k v KEEPTTL EX 10"),
        cmd("SET k v KEEPTTL PXAT 10"),
        cmd("SET k v PXAT 1 EXAT 1"),
        cmd("SET k v EXAT 1 PXAT 1"),
        cmd("SET k v EX"),
        cmd("SET k v PX"),
        cmd("SET k v EX 10 EX 20"),
        cmd("TTL k").between(19, 20),
        cmd("SET k v PX 10000 PX 20000"),
        cmd("PTTL k").between(18_000, 20_000),
        cmd("SET k v FOO"),
        cmd("SET k v EX abc NX XX"),
        cmd("SET k v EX abc FOO"),
        cmd("SET k v EX abc"),
        cmd("SET k v EX 1.5"),
        cmd("SET k v NX EX abc"),
        cmd("SET k v EX 0 NX XX"),
        cmd("SET k v GET PERSIST"),
        cmd("SET k v EX EX"),
        cmd("SET k v EX 10 GET KEEPTTL"),
        cmd("SET k v NX GET XX"),
    ])
}

pub fn set_expiry_values() -> Script {
    script(vec![
        cmd("SET k v EX 0"),
        cmd("SET k v EX -1"),
        cmd("SET k v PX 0"),
        cmd("SET k v PX -100"),
        cmd("SET k v EXAT 0"),
        cmd("SET k v PXAT -5"),
        cmd(&format!("SET k v EX {I64_MAX}")),
        cmd("SET k v EX 9223372036854775"),
        cmd("SET k v EX 9223372036854776"),
        cmd(&format!("SET k v PX {I64_MAX}")),
        cmd(&format!("SET k v EXAT {I64_MAX}")),
        cmd(&format!("SET k v EX {I64_MIN}")),
        cmd("SET k v EX 99999999999999999999"),
        cmd("GET k"),
        cmd("SET k v EXAT 9223372036854775"),
        cmd("EXISTS k"),
        cmd(&format!("SET k v PXAT {I64_MAX}")),
        cmd("EXISTS k"),
        cmd("SET k v EX 100"),
        cmd("TTL k").between(99, 100),
        cmd("SET k v PX 100000"),
        cmd("PTTL k").between(98_000, 100_000),
        cmd(&format!("SET k v EXAT {}", now_s() + 1000)),
        cmd("TTL k").between(990, 1000),
        cmd(&format!("SET k v PXAT {}", (now_s() + 1000) * 1000)),
        cmd("TTL k").between(990, 1000),
        cmd("SET k v EXAT 1000"),
        cmd("GET k"),
        cmd("EXISTS k"),
        cmd("SET k v PXAT 1"),
        cmd("GET k"),
        cmd("SET k v PXAT 1 GET"),
        cmd("SET k v2 GET"),
    ])
}

pub fn setnx_setex_psetex() -> Script {
    script(vec![
        cmd("SETNX k v"),
        cmd("SETNX k v2"),
        cmd("GET k"),
        cmd("SETEX k 100 v"),
        cmd("TTL k").between(99, 100),
        cmd("GET k"),
        cmd("SETEX k 0 v"),
        cmd("SETEX k -5 v"),
        cmd("SETEX k abc v"),
        cmd("SETEX k 1.5 v"),
        cmd(&format!("SETEX k {I64_MAX} v")),
        cmd("SETEX k 9223372036854775 v"),
        cmd("PSETEX k 0 v"),
        cmd("PSETEX k -1 v"),
        cmd(&format!("PSETEX k {I64_MAX} v")),
        cmd("PSETEX k 100000 v"),
        cmd("PTTL k").between(98_000, 100_000),
        cmd("setex k2 100 v"),
        cmd("psetex k3 abc v"),
        cmd("SETNX k v"),
    ])
}

pub fn mget_mset() -> Script {
    script(vec![
        cmd("MGET a b"),
        cmd("MSET a 1 b 2"),
        cmd("MGET a nokey b"),
        cmd("MSET a"),
        cmd("MSET a 1 b"),
        cmd("MSET a 1 a 2"),
        cmd("GET a"),
        cmd("MGET a a"),
        cmd("SET t v PXAT 1"),
        cmd("MGET t a"),
    ])
}

pub fn incr_decr() -> Script {
    script(vec![
        cmd("INCR n"),
        cmd("INCR n"),
        cmd("DECR n"),
        cmd("INCRBY n 10"),
        cmd("DECRBY n 5"),
        cmd("INCRBY n -3"),
        cmd("DECRBY n -3"),
        cmd("DECR fresh"),
        cmd("INCRBY n abc"),
        cmd("INCRBY n 1.5"),
        args(&["INCRBY", "n", " 1"]),
        cmd("INCRBY n +1"),
        cmd("INCRBY n 01"),
        cmd("DECRBY n abc"),
        cmd("INCRBY n 9223372036854775808"),
        cmd("GET n"),
        cmd("SET s abc"),
        cmd("INCR s"),
        args(&["SET", "s", "1 "]),
        cmd("INCR s"),
        cmd("SET s 01"),
        cmd("INCR s"),
        cmd("SET s -0"),
        cmd("INCR s"),
        cmd("SET s 1.0"),
        cmd("DECR s"),
        args(&["SET", "s", ""]),
        cmd("INCR s"),
        cmd("SET s -5"),
        cmd("INCR s"),
        cmd("SET t 5 EX 100"),
        cmd("INCR t"),
        cmd("TTL t").between(99, 100),
        cmd("SET e 1 PXAT 1"),
        cmd("INCR e"),
        cmd("TTL e"),
    ])
}

pub fn incr_overflow() -> Script {
    script(vec![
        cmd(&format!("SET m {I64_MAX}")),
        cmd("INCR m"),
        cmd("INCRBY m 1"),
        cmd("DECRBY m -1"),
        cmd("GET m"),
        cmd(&format!("SET m {I64_MIN}")),
        cmd("DECR m"),
        cmd("DECRBY m 1"),
        cmd("INCRBY m -1"),
        cmd(&format!("INCRBY m {I64_MAX}")),
        cmd(&format!("DECRBY x {I64_MIN}")),
        cmd(&format!("INCRBY x {I64_MIN}")),
        cmd(&format!("DECRBY y {I64_MAX}")),
        cmd("DECR y"),
        cmd("DECR y"),
        cmd("GET y"),
    ])
}

pub fn append_strlen() -> Script {
    script(vec![
        cmd("APPEND a hello"),
        args(&["APPEND", "a", " world"]),
        cmd("GET a"),
        cmd("STRLEN a"),
        cmd("STRLEN nokey"),
        args(&["APPEND", "a", ""]),
        args(&["APPEND", "empty", ""]),
        cmd("EXISTS empty"),
        cmd("SET n 1 EX 100"),
        cmd("APPEND n 2"),
        cmd("TTL n").between(99, 100),
        cmd("GET n"),
        cmd("INCR n"),
        args(&[&b"APPEND"[..], b"bin", b"\x00\xff"]),
        cmd("STRLEN bin"),
    ])
}

pub fn expire_family() -> Script {
    script(vec![
        cmd("SET k v"),
        cmd("EXPIRE k 100"),
        cmd("TTL k").between(99, 100),
        cmd("PEXPIRE k 200000"),
        cmd("PTTL k").between(198_000, 200_000),
        cmd(&format!("EXPIREAT k {YEAR_2100_S}")),
        ttl_until_2100("TTL k"),
        cmd(&format!("PEXPIREAT k {}", YEAR_2100_S * 1000)),
        ttl_until_2100("TTL k"),
        cmd("EXPIRE nokey 100"),
        cmd("PEXPIRE nokey 100"),
        cmd("EXPIREAT nokey 100"),
        cmd("PEXPIREAT nokey 100"),
        cmd("expire k 300"),
        cmd("TTL k").between(299, 300),
        cmd("GET k"),
    ])
}

pub fn expire_conditions() -> Script {
    let at = |ms: i64| format!("{}", YEAR_2100_S * 1000 + ms);
    script(vec![
        cmd("SET k v"),
        cmd("EXPIRE k 100 XX"),
        cmd("EXPIRE k 100 GT"),
        cmd("TTL k"),
        cmd("EXPIRE k 100 LT"),
        cmd("TTL k").between(99, 100),
        cmd("EXPIRE k 200 LT"),
        cmd("EXPIRE k 50 LT"),
        cmd("TTL k").between(49, 50),
        cmd("EXPIRE k 100 GT"),
        cmd("EXPIRE k 50 GT"),
        cmd("TTL k").between(99, 100),
        cmd("EXPIRE k 100 NX"),
        cmd("EXPIRE k 150 XX"),
        cmd("TTL k").between(149, 150),
        cmd("PERSIST k"),
        cmd("EXPIRE k 100 NX"),
        cmd("TTL k").between(99, 100),
        cmd("PERSIST k"),
        cmd("EXPIRE k 100 XX LT"),
        cmd("TTL k"),
        cmd("EXPIRE k 100 LT XX"),
        cmd("EXPIRE k 100 XX GT"),
        cmd("TTL k"),
        cmd("EXPIRE k 100 xx"),
        cmd("EXPIRE k 100 nx"),
        cmd("EXPIRE k 100 NX NX"),
        cmd("EXPIRE k 200 GT GT"),
        cmd("EXPIRE k 300 XX GT"),
        cmd("EXPIRE k 50 XX LT"),
        cmd("TTL k").between(49, 50),
        cmd(&format!("PEXPIREAT k {} ", at(0))),
        cmd(&format!("PEXPIREAT k {} GT", at(0))),
        cmd(&format!("PEXPIREAT k {} LT", at(0))),
        cmd(&format!("PEXPIREAT k {} GT", at(1))),
        cmd(&format!("PEXPIREAT k {} LT", at(0))),
        cmd("EXPIRE nokey 100 NX"),
        cmd("EXPIRE nokey 100 LT"),
    ])
}

pub fn expire_argument_errors() -> Script {
    script(vec![
        cmd("SET k v"),
        cmd("EXPIRE k abc"),
        cmd("EXPIRE k 1.5"),
        cmd("EXPIRE k 100 FOO"),
        cmd("EXPIRE k 100 NX XX"),
        cmd("EXPIRE k 100 NX GT"),
        cmd("EXPIRE k 100 LT NX"),
        cmd("EXPIRE k 100 GT LT"),
        cmd("EXPIRE k 100 GT LT NX"),
        cmd("EXPIRE k abc FOO"),
        cmd("EXPIRE k abc NX XX"),
        cmd("EXPIRE nokey 100 FOO"),
        cmd("EXPIRE nokey abc"),
        cmd(&format!("EXPIRE k {I64_MAX}")),
        cmd(&format!("EXPIRE k {I64_MIN}")),
        cmd("EXPIRE k 9223372036854775"),
        cmd("EXPIRE k -9223372036854775"),
        cmd("EXISTS k"),
        cmd("SET k v"),
        cmd(&format!("PEXPIRE k {I64_MAX}")),
        cmd(&format!("PEXPIRE k {I64_MIN}")),
        cmd("EXISTS k"),
        cmd("SET k v"),
        cmd(&format!("EXPIREAT k {I64_MAX}")),
        cmd(&format!("PEXPIREAT k {I64_MAX}")),
        cmd("TTL k").expect(Expect::PositiveInteger),
        cmd(&format!("EXPIRE nokey {I64_MAX}")),
        cmd("PEXPIRE k 99999999999999999999"),
        cmd("TTL k").expect(Expect::PositiveInteger),
    ])
}

pub fn expire_negative_and_past_times() -> Script {
    let past = |command: &str| vec![cmd("SET k v"), cmd(command), cmd("EXISTS k")];
    let mut steps = Vec::new();
    for command in [
        "EXPIRE k -1",
        "EXPIRE k 0",
        "PEXPIRE k -100",
        "PEXPIRE k 0",
        "EXPIREAT k 1",
        "EXPIREAT k 0",
        "EXPIREAT k -1",
        "PEXPIREAT k 1",
        "PEXPIREAT k 0",
        "PEXPIREAT k -5",
        "EXPIRE k -1 NX",
        "EXPIRE k -1 LT",
        "EXPIRE k -1 XX",
        "EXPIRE k -1 GT",
    ] {
        steps.extend(past(command));
    }
    steps.extend([
        cmd("SET k v EX 100"),
        cmd("EXPIRE k -1 XX"),
        cmd("EXISTS k"),
        cmd("SET k v EX 100"),
        cmd("EXPIRE k -1 GT"),
        cmd("EXISTS k"),
        cmd("EXPIRE nokey -1"),
    ]);
    script(steps)
}

pub fn ttl_pttl_persist() -> Script {
    script(vec![
        cmd("TTL nokey"),
        cmd("PTTL nokey"),
        cmd("SET k v"),
        cmd("TTL k"),
        cmd("PTTL k"),
        cmd("PERSIST k"),
        cmd("PERSIST nokey"),
        cmd("EXPIRE k 100"),
        cmd("PERSIST k"),
        cmd("TTL k"),
        cmd("PERSIST k"),
        cmd("SET k v PX 1500"),
        cmd("TTL k").between(1, 2),
        cmd("PTTL k").between(1000, 1500),
        cmd("SET k v PX 2600"),
        cmd("TTL k").between(2, 3),
        cmd("SET gone v PXAT 1"),
        cmd("TTL gone"),
        cmd("PTTL gone"),
        cmd("PERSIST gone"),
    ])
}
