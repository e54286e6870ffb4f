//! Differential scripts for the hash commands: every command, option and error, RESP2 and RESP3 reply shapes,
//! listpack order (insertion order, kept across deletes) and, for hashtable-encoded hashes, order-free
//! comparison. HINCRBYFLOAT's replies check Redis's `long double` arithmetic and printing.

use super::data_scripts::{I64_MAX, I64_MIN};
use super::{Expect, Script, Step, args, cmd, script};

/// `HSET big f0 v0 ... f<n-1> v<n-1>`: more than 512 fields makes a hashtable.
fn big_hash(key: &str, fields: usize) -> Step {
    let mut words = vec!["HSET".to_owned(), key.to_owned()];
    for i in 0..fields {
        words.push(format!("f{i}"));
        words.push(format!("v{i}"));
    }
    args(&words)
}

fn hello(protocol: u8) -> Step {
    cmd(&format!("HELLO {protocol}")).expect(Expect::SameExceptHelloId)
}

pub fn hash_basic() -> Script {
    script(vec![
        cmd("HSET h f1 v1 f2 v2"),
        cmd("HSET h f1 x"),
        cmd("HSET h f1 x f1 y"),
        cmd("HGET h f1"),
        cmd("HGET h nofield"),
        cmd("HGET nokey f"),
        cmd("HMGET h f1 nofield f2"),
        cmd("HMGET nokey a b"),
        cmd("HSETNX h f1 z"),
        cmd("HSETNX h f3 z"),
        cmd("HSETNX fresh f v"),
        cmd("HGETALL h"),
        cmd("HKEYS h"),
        cmd("HVALS h"),
        cmd("HLEN h"),
        cmd("HLEN nokey"),
        cmd("HEXISTS h f1"),
        cmd("HEXISTS h nofield"),
        cmd("HEXISTS nokey f"),
        cmd("HSTRLEN h f1"),
        cmd("HSTRLEN h nofield"),
        cmd("HSTRLEN nokey f"),
        cmd("HDEL h f1 nofield f1"),
        cmd("HDEL h nofield"),
        cmd("HDEL nokey f"),
        cmd("HGETALL h"),
        cmd("HDEL h f2 f3 f2"),
        cmd("EXISTS h"),
        cmd("TYPE fresh"),
        cmd("HMSET h a 1 b 2"),
        cmd("HMSET h a"),
        cmd("HMSET h a 1 b"),
        cmd("HSET h a"),
        cmd("HSET h a 1 b"),
        cmd("HGETALL h"),
        cmd("HGETALL nokey"),
        cmd("HKEYS nokey"),
        cmd("HVALS nokey"),
        args(&["HSET", "bin", "", "", "a\r\nb", "\0\u{1}"]),
        args(&["HGET", "bin", ""]),
        args(&["HGETALL", "bin"]),
        // Listpack order: appended on insert, kept on update and delete.
        cmd("HSET o a 1 b 2 c 3 d 4"),
        cmd("HDEL o b"),
        cmd("HSET o e 5 a 9"),
        cmd("HGETALL o"),
        cmd("HGET"),
        cmd("HDEL h"),
        cmd("HLEN"),
    ])
}

pub fn hash_wrong_type() -> Script {
    script(vec![
        cmd("SET s x"),
        cmd("HSET s f v"),
        cmd("HMSET s f v"),
        cmd("HSETNX s f v"),
        cmd("HGET s f"),
        cmd("HMGET s f"),
        cmd("HGETALL s"),
        cmd("HKEYS s"),
        cmd("HVALS s"),
        cmd("HDEL s f"),
        cmd("HLEN s"),
        cmd("HEXISTS s f"),
        cmd("HSTRLEN s f"),
        cmd("HINCRBY s f 1"),
        cmd("HINCRBYFLOAT s f 1"),
        cmd("HRANDFIELD s"),
        cmd("HRANDFIELD s 1"),
        cmd("HSCAN s 0"),
        cmd("HSET h f v"),
        cmd("GET h"),
        cmd("INCR h"),
        cmd("APPEND h x"),
        cmd("STRLEN h"),
        cmd("MGET h s"),
        cmd("TYPE h"),
        // Errors that come before the type check.
        cmd("HINCRBY s f x"),
        cmd("HINCRBYFLOAT s f x"),
        cmd("HRANDFIELD s x"),
        cmd("HSCAN s x"),
        // And one that comes after it.
        cmd("HSCAN s 0 COUNT 0"),
    ])
}

pub fn hash_hincrby() -> Script {
    script(vec![
        cmd("HINCRBY h f 5"),
        cmd("HINCRBY h f -10"),
        cmd("HINCRBY h f 0"),
        cmd("HINCRBY h f abc"),
        cmd("HINCRBY h f 1.5"),
        cmd("HINCRBY h f 9223372036854775808"),
        cmd("HINCRBY h f +1"),
        cmd("HSET h s hello lead 012 space 1 neg -0"),
        cmd("HINCRBY h s 1"),
        cmd("HINCRBY h lead 1"),
        cmd("HINCRBY h neg 1"),
        args(&["HSET", "h", "space", " 1"]),
        cmd("HINCRBY h space 1"),
        args(&["HSET", "h", "big", I64_MAX, "small", I64_MIN]),
        cmd("HINCRBY h big 1"),
        cmd("HINCRBY h big 0"),
        cmd("HINCRBY h small -1"),
        args(&["HINCRBY", "h", "small", I64_MAX]),
        cmd("HGETALL h"),
        cmd("HINCRBY newkey f -3"),
        cmd("HGETALL newkey"),
    ])
}

pub fn hash_hincrbyfloat() -> Script {
    script(vec![
        cmd("HINCRBYFLOAT h x 10.5"),
        cmd("HINCRBYFLOAT h x 0.1"),
        cmd("HINCRBYFLOAT h x -5"),
        cmd("HINCRBYFLOAT h x 1e3"),
        cmd("HINCRBYFLOAT h y 0.1"),
        cmd("HINCRBYFLOAT h y 0.2"),
        cmd("HINCRBYFLOAT h z 1e30"),
        cmd("HINCRBYFLOAT h z 0x10"),
        cmd("HINCRBYFLOAT h w -0.0"),
        cmd("HINCRBYFLOAT h w 3.0e-5"),
        cmd("HINCRBYFLOAT h v 1e17"),
        cmd("HINCRBYFLOAT h v 0.1"),
        cmd("HINCRBYFLOAT h u 1e100"),
        cmd("HINCRBYFLOAT h t 3.14159265358979323846264338327950288"),
        cmd("HINCRBYFLOAT h x abc"),
        cmd("HINCRBYFLOAT h x inf"),
        cmd("HINCRBYFLOAT h x -infinity"),
        cmd("HINCRBYFLOAT h x nan"),
        cmd("HINCRBYFLOAT h x 1e5000"),
        cmd("HINCRBYFLOAT h x 1e-5000"),
        args(&["HINCRBYFLOAT", "h", "x", " 1"]),
        args(&["HINCRBYFLOAT", "h", "x", "1 "]),
        args(&["HINCRBYFLOAT", "h", "x", ""]),
        cmd("HSET h s str i 5 lead 007 inf inf"),
        cmd("HINCRBYFLOAT h s 1"),
        cmd("HINCRBYFLOAT h i 0.5"),
        cmd("HINCRBYFLOAT h lead 1"),
        cmd("HINCRBYFLOAT h inf 1"),
        cmd("HSET h huge 1.18e4932"),
        cmd("HINCRBYFLOAT h huge 1.18e4932"),
        cmd("HINCRBYFLOAT h huge -1.18e4932"),
        args(&["HSET", "h", "imax", I64_MAX]),
        cmd("HINCRBYFLOAT h imax 1"),
        // The 100-digit value of `u` made the hash a hashtable.
        cmd("HGETALL h").unordered(),
    ])
}

pub fn hash_hrandfield() -> Script {
    let fields = "a b c";
    let pairs = "a b c 1 2 3";
    let big_fields: String = (0..600).map(|i| format!("f{i} ")).collect();
    let big_all: String = (0..600).map(|i| format!("f{i} v{i} ")).collect();
    script(vec![
        cmd("HRANDFIELD nokey"),
        cmd("HRANDFIELD nokey 5"),
        cmd("HRANDFIELD nokey 5 WITHVALUES"),
        cmd("HRANDFIELD nokey x"),
        cmd("HSET h a 1 b 2 c 3"),
        cmd("HRANDFIELD h").sample(fields, true),
        cmd("HRANDFIELD h 0"),
        cmd("HRANDFIELD h 0 WITHVALUES"),
        cmd("HRANDFIELD h 1").sample(fields, true),
        cmd("HRANDFIELD h 2").sample(fields, true),
        cmd("HRANDFIELD h 2 WITHVALUES").sample(pairs, true),
        // The whole hash: a listpack in insertion order.
        cmd("HRANDFIELD h 3"),
        cmd("HRANDFIELD h 10"),
        cmd("HRANDFIELD h 10 withvalues"),
        cmd("HRANDFIELD h -5").sample(fields, false),
        cmd("HRANDFIELD h -5 WITHVALUES").sample(pairs, false),
        cmd("HRANDFIELD h 1 foo"),
        cmd("HRANDFIELD h 1 WITHVALUES x"),
        cmd("HRANDFIELD h x WITHVALUES"),
        cmd("HRANDFIELD h 1.5"),
        args(&["HRANDFIELD", "h", I64_MIN]),
        args(&["HRANDFIELD", "h", I64_MAX, "WITHVALUES"]),
        cmd("HRANDFIELD h 4611686018427387903 WITHVALUES"),
        cmd("HRANDFIELD h -4611686018427387904 WITHVALUES"),
        hello(3),
        cmd("HRANDFIELD h 3 WITHVALUES"),
        cmd("HRANDFIELD h -2 WITHVALUES").sample(pairs, false),
        cmd("HRANDFIELD h 2 WITHVALUES").sample(pairs, true),
        cmd("HRANDFIELD h 2").sample(fields, true),
        cmd("HRANDFIELD nokey"),
        cmd("HRANDFIELD nokey 3"),
        cmd("HGETALL h"),
        cmd("HGETALL nokey"),
        hello(2),
        big_hash("big", 600),
        cmd("HRANDFIELD big 700").unordered(),
        cmd("HRANDFIELD big 700 WITHVALUES").unordered(),
        cmd("HRANDFIELD big 5").sample(&big_fields, true),
        cmd("HRANDFIELD big 150").sample(&big_fields, true),
        cmd("HRANDFIELD big -5 WITHVALUES").sample(&big_all, false),
        cmd("HRANDFIELD big").sample(&big_fields, true),
    ])
}

pub fn hash_scan_and_big() -> Script {
    script(vec![
        cmd("HSCAN nokey 0"),
        cmd("HSCAN nokey 0 COUNT 0"),
        cmd("HSCAN nokey abc"),
        cmd("HSET h a 1 b 2 ab 3"),
        cmd("HSCAN h 0"),
        cmd("HSCAN h 0 MATCH a*"),
        cmd("HSCAN h 0 match * count 1"),
        cmd("HSCAN h 7"),
        cmd("HSCAN h -1"),
        args(&["HSCAN", "h", ""]),
        cmd("HSCAN h +0"),
        cmd("HSCAN h abc"),
        args(&["HSCAN", "h", " 1"]),
        cmd("HSCAN h 18446744073709551616"),
        cmd("HSCAN h 0 COUNT 0"),
        cmd("HSCAN h 0 COUNT -1"),
        cmd("HSCAN h 0 COUNT x"),
        cmd("HSCAN h 0 MATCH"),
        cmd("HSCAN h 0 TYPE string"),
        cmd("HSCAN h 0 foo bar"),
        big_hash("big", 600),
        cmd("HLEN big"),
        cmd("HSCAN big 0 COUNT 1000").unordered(),
        cmd("HSCAN big 0 COUNT 1000 MATCH f1?").unordered(),
        cmd("HGETALL big").unordered(),
        cmd("HKEYS big").unordered(),
        cmd("HVALS big").unordered(),
        cmd("HDEL big f0 f1 nofield"),
        cmd("HGET big f2"),
        cmd("HMGET big f199 f0 f198"),
        cmd("HINCRBY big f5 1"),
        cmd("HSET big f5 5"),
        cmd("HINCRBY big f5 1"),
        cmd("HINCRBYFLOAT big f5 1.5"),
        cmd("HLEN big"),
        // Long values make a hashtable too; the commands must not care.
        args(&["HSET", "long", "f", &"x".repeat(65)]),
        cmd("HSTRLEN long f"),
        cmd("HSET long g 1"),
        cmd("HGETALL long").unordered(),
        cmd("HSCAN long 0 COUNT 100").unordered(),
    ])
}
