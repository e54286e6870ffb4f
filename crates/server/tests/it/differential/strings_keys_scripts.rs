//! Differential scripts for the string commands added with issue 3 (GETSET, GETDEL, GETEX, MSETNX,
//! INCRBYFLOAT, GETRANGE, SUBSTR, SETRANGE) and the key-space commands (SCAN, RENAMENX, RANDOMKEY, COPY, MOVE,
//! SWAPDB, OBJECT, TOUCH), with their error paths.

use super::data_scripts::{I64_MAX, I64_MIN};
use super::{Expect, Script, args, cmd, script};

pub fn getset_getdel() -> Script {
    script(vec![
        cmd("GETSET k v1"),
        cmd("GETSET k v2"),
        cmd("GET k"),
        cmd("SET t v EX 100"),
        cmd("GETSET t w"),
        cmd("TTL t"),
        cmd("GETDEL k"),
        cmd("GETDEL k"),
        cmd("EXISTS k"),
        cmd("SET n 12"),
        cmd("GETDEL n"),
        cmd("MSET a 1"),
        cmd("GETSET a"),
        cmd("GETSET a b c"),
        cmd("GETDEL"),
        cmd("GETDEL a b"),
        cmd("SET e old PXAT 1"),
        cmd("GETSET e new"),
        cmd("SET e2 old PXAT 1"),
        cmd("GETDEL e2"),
    ])
}

pub fn getex_options() -> Script {
    script(vec![
        cmd("SET s hello"),
        cmd("GETEX s"),
        cmd("TTL s"),
        cmd("GETEX s EX 100"),
        cmd("TTL s").between(99, 100),
        cmd("GETEX s PERSIST"),
        cmd("TTL s"),
        cmd("GETEX s PX 100000"),
        cmd("PTTL s").between(99_000, 100_000),
        cmd("GETEX s EXAT 4102444800"),
        cmd("GETEX s PXAT 4102444800001"),
        cmd("GETEX s persist persist"),
        cmd("TTL s"),
        cmd("GETEX s EX 10 EX 20"),
        cmd("TTL s").between(19, 20),
        cmd("GETEX s EX 10 PX 20"),
        cmd("GETEX s PERSIST EX 10"),
        cmd("GETEX s EX 10 PERSIST"),
        cmd("GETEX s EX"),
        cmd("GETEX s FOO"),
        cmd("GETEX s KEEPTTL"),
        cmd("GETEX s NX"),
        cmd("GETEX s EX abc"),
        cmd("GETEX s EX 0"),
        cmd("GETEX s EX -5"),
        cmd("GETEX s PX 0"),
        args(&["GETEX", "s", "EX", I64_MAX]),
        args(&["GETEX", "s", "PXAT", I64_MAX]),
        cmd("GETEX nokey EX abc"),
        cmd("GETEX nokey FOO"),
        cmd("GETEX nokey EX 10"),
        cmd("GETEX s EXAT 1"),
        cmd("EXISTS s"),
        cmd("SET p v"),
        cmd("GETEX p PXAT 1"),
        cmd("EXISTS p"),
        cmd("GETEX"),
    ])
}

pub fn msetnx() -> Script {
    script(vec![
        cmd("MSETNX a 1 b 2"),
        cmd("MGET a b"),
        cmd("MSETNX a 9 c 3"),
        cmd("EXISTS c"),
        cmd("MSETNX c 3 c 4"),
        cmd("GET c"),
        cmd("MSETNX d"),
        cmd("MSETNX d 1 e"),
        cmd("MSETNX"),
        cmd("SET x old PXAT 1"),
        cmd("MSETNX x new"),
        cmd("GET x"),
    ])
}

pub fn incrbyfloat() -> Script {
    let mut steps = vec![
        cmd("SET f 10.50"),
        cmd("INCRBYFLOAT f 0.1"),
        cmd("INCRBYFLOAT f -5"),
        cmd("SET f 5.0e3"),
        cmd("INCRBYFLOAT f 2.0e2"),
        cmd("INCRBYFLOAT new 3"),
        cmd("INCRBYFLOAT new .5"),
        cmd("INCRBYFLOAT new +1.25"),
        cmd("INCRBYFLOAT new -4.75"),
        cmd("INCRBYFLOAT new 1e-17"),
        cmd("INCRBYFLOAT new 0.1"),
        cmd("INCRBYFLOAT new 1e20"),
        cmd("INCRBYFLOAT new 5."),
        cmd("INCRBYFLOAT new -1e20"),
        cmd("INCRBYFLOAT big 1e300"),
        cmd("INCRBYFLOAT big 1"),
        cmd("INCRBYFLOAT tiny 1e-300"),
        cmd("INCRBYFLOAT f abc"),
        cmd("INCRBYFLOAT f 1e"),
        cmd("INCRBYFLOAT f inf"),
        cmd("INCRBYFLOAT f -inf"),
        cmd("INCRBYFLOAT f nan"),
        cmd("INCRBYFLOAT f 1e99999"),
        args(&["INCRBYFLOAT", "f", " 1"]),
        args(&["INCRBYFLOAT", "f", "1 "]),
        args(&["INCRBYFLOAT", "f", ""]),
        cmd("SET s abc"),
        cmd("INCRBYFLOAT s 1"),
        cmd("SET t 1 EX 100"),
        cmd("INCRBYFLOAT t 1.5"),
        cmd("TTL t").between(99, 100),
        args(&["SET", "m", I64_MAX]),
        cmd("INCRBYFLOAT m 1"),
        args(&["SET", "m", I64_MIN]),
        cmd("INCRBYFLOAT m -0.5"),
        cmd("INCRBYFLOAT f"),
    ];
    for (start, increment) in [
        ("0.1", "0.2"),
        ("1.1", "2.2"),
        ("123456789.123456789", "0.000000001"),
        ("-0.000000000000000001", "0"),
        ("3", "-3"),
        ("1.7976931348623157e308", "1e308"),
        ("2.5", "-2.50000000000000001"),
        ("99999999999999999", "0.5"),
    ] {
        steps.push(args(&["SET", "g", start]));
        steps.push(args(&["INCRBYFLOAT", "g", increment]));
    }
    script(steps)
}

pub fn getrange_setrange() -> Script {
    script(vec![
        cmd("SET r Hello"),
        cmd("GETRANGE r 0 3"),
        cmd("GETRANGE r -3 -1"),
        cmd("GETRANGE r 0 -1"),
        cmd("GETRANGE r 10 100"),
        cmd("GETRANGE r -1 -5"),
        cmd("GETRANGE r -100 100"),
        cmd("GETRANGE r 3 1"),
        cmd("GETRANGE nokey 0 1"),
        cmd("GETRANGE r a 1"),
        cmd("GETRANGE r 0 b"),
        cmd("SUBSTR r 1 2"),
        cmd("SET n 12345"),
        cmd("GETRANGE n 1 2"),
        cmd("SETRANGE r 1 EY"),
        cmd("GET r"),
        cmd("SETRANGE r 8 xyz"),
        cmd("GET r"),
        cmd("SETRANGE fresh 3 ab"),
        cmd("GET fresh"),
        cmd("SETRANGE r -1 x"),
        cmd("SETRANGE r x x"),
        args(&["SETRANGE", "r", "0", ""]),
        args(&["SETRANGE", "none", "0", ""]),
        cmd("EXISTS none"),
        cmd("SETRANGE r 536870912 x"),
        cmd("SETRANGE r 536870911 x").expect(Expect::IntegerIn(536_870_912, 536_870_912)),
        cmd("DEL r"),
        cmd("SET e 1 EX 100"),
        cmd("SETRANGE e 0 2"),
        cmd("TTL e").between(99, 100),
        cmd("GETRANGE e 0"),
        cmd("SETRANGE e 0"),
    ])
}

/// SCAN with a COUNT large enough to return everything in one call, so the cursors agree (both 0) and the keys
/// are compared as sets.
pub fn scan() -> Script {
    let scan = |line: &str| cmd(line).expect(Expect::SameScan);
    script(vec![
        scan("SCAN 0"),
        cmd("MSET a 1 b 2 c 3 ab 4 abc 5 x:1 6 x:2 7"),
        scan("SCAN 0 COUNT 1000"),
        scan("SCAN 0 MATCH a* COUNT 1000"),
        scan("SCAN 0 MATCH * COUNT 1000"),
        scan("SCAN 0 MATCH x:? COUNT 1000"),
        scan("SCAN 0 TYPE string COUNT 1000"),
        scan("SCAN 0 type STRING COUNT 1000"),
        scan("SCAN 0 TYPE list COUNT 1000"),
        scan("SCAN 0 TYPE nosuchtype COUNT 1000"),
        scan("SCAN 0 COUNT 1000 MATCH nomatch"),
        scan("SCAN 0 COUNT 5 COUNT 1000"),
        cmd("SCAN abc"),
        cmd("SCAN 1.5"),
        cmd("SCAN 0 COUNT 0"),
        cmd("SCAN 0 COUNT -1"),
        cmd("SCAN 0 COUNT x"),
        cmd("SCAN 0 FOO bar"),
        cmd("SCAN 0 MATCH"),
        cmd("SCAN 0 COUNT"),
        cmd("SCAN"),
        cmd("HSET h f v"),
        cmd("SADD st m"),
        cmd("ZADD z 1 m"),
        scan("SCAN 0 TYPE hash COUNT 1000"),
        scan("SCAN 0 TYPE set COUNT 1000"),
        scan("SCAN 0 TYPE zset COUNT 1000"),
        scan("SCAN 0 TYPE string MATCH a* COUNT 1000"),
        cmd("OBJECT ENCODING h"),
        cmd("OBJECT ENCODING st"),
        cmd("OBJECT ENCODING z"),
        cmd("OBJECT REFCOUNT h"),
        cmd("SET gone v PXAT 1"),
        scan("SCAN 0 COUNT 1000"),
        cmd("SELECT 1"),
        scan("SCAN 0 COUNT 1000"),
    ])
}

pub fn renamenx_randomkey_touch() -> Script {
    script(vec![
        cmd("RANDOMKEY"),
        cmd("SET a 1"),
        cmd("RANDOMKEY"),
        cmd("SET b 2"),
        cmd("RENAMENX a b"),
        cmd("RENAMENX a c"),
        cmd("MGET a c"),
        cmd("RENAMENX nokey d"),
        cmd("RENAMENX c c"),
        cmd("SET t v EX 100"),
        cmd("RENAMENX t u"),
        cmd("TTL u").between(99, 100),
        cmd("SET old v PXAT 1"),
        cmd("RENAMENX u old"),
        cmd("RENAMENX a"),
        cmd("TOUCH b c nokey b"),
        cmd("TOUCH nokey"),
        cmd("TOUCH"),
        cmd("FLUSHALL"),
        cmd("SET only v PXAT 1"),
        cmd("RANDOMKEY"),
        cmd("RANDOMKEY x"),
    ])
}

pub fn copy_move_swapdb() -> Script {
    script(vec![
        cmd("SET src v EX 100"),
        cmd("COPY src dst"),
        cmd("TTL dst").between(99, 100),
        cmd("COPY src dst"),
        cmd("SET src w"),
        cmd("COPY src dst REPLACE"),
        cmd("GET dst"),
        cmd("COPY src src"),
        cmd("COPY src src DB 1"),
        cmd("COPY src src db 0"),
        cmd("COPY src x DB 99"),
        cmd("COPY src x DB -1"),
        cmd("COPY src x DB abc"),
        cmd("COPY src x DB 99999999999"),
        cmd("COPY src x DB"),
        cmd("COPY src x FOO"),
        cmd("COPY src x REPLACE REPLACE"),
        cmd("COPY nokey x"),
        cmd("COPY src"),
        cmd("MOVE src 1"),
        cmd("EXISTS src"),
        cmd("MOVE src 1"),
        cmd("MOVE dst 0"),
        cmd("MOVE dst 99"),
        cmd("MOVE dst -1"),
        cmd("MOVE dst x"),
        cmd("MOVE nokey 1"),
        cmd("SET dst2 v"),
        cmd("SELECT 1"),
        cmd("SET dst2 other"),
        cmd("SELECT 0"),
        cmd("MOVE dst2 1"),
        cmd("KEYS *").expect(Expect::SameUnordered),
        cmd("SWAPDB 0 1"),
        cmd("KEYS *").expect(Expect::SameUnordered),
        cmd("GET src"),
        cmd("SWAPDB 0 0"),
        cmd("SWAPDB 0 99"),
        cmd("SWAPDB x 1"),
        cmd("SWAPDB 0 y"),
        cmd("SWAPDB x y"),
        cmd("SWAPDB -1 0"),
        cmd("SWAPDB 99999999999 0"),
        cmd("SWAPDB 0"),
        cmd("SET t v EX 100"),
        cmd("MOVE t 3"),
        cmd("SELECT 3"),
        cmd("TTL t").between(99, 100),
    ])
}

pub fn object_command() -> Script {
    script(vec![
        cmd("SET int 12"),
        cmd("SET big 123456"),
        cmd("SET neg -5"),
        cmd("SET str hello"),
        args(&["SET", "long", &"x".repeat(45)]),
        cmd("OBJECT ENCODING int"),
        cmd("OBJECT encoding big"),
        cmd("OBJECT ENCODING str"),
        cmd("OBJECT ENCODING long"),
        cmd("OBJECT ENCODING nokey"),
        cmd("OBJECT REFCOUNT int"),
        cmd("OBJECT REFCOUNT big"),
        cmd("OBJECT REFCOUNT neg"),
        cmd("OBJECT REFCOUNT str"),
        cmd("OBJECT REFCOUNT nokey"),
        cmd("OBJECT IDLETIME str").between(0, 2),
        cmd("OBJECT IDLETIME nokey"),
        cmd("OBJECT FREQ str"),
        cmd("OBJECT FREQ nokey"),
        cmd("OBJECT HELP"),
        cmd("OBJECT help"),
        cmd("OBJECT FOO str"),
        cmd("OBJECT ENCODING"),
        cmd("OBJECT ENCODING a b"),
        cmd("OBJECT HELP x"),
        cmd("OBJECT"),
        cmd("SET gone v PXAT 1"),
        cmd("OBJECT ENCODING gone"),
    ])
}

/// `OBJECT ENCODING` of strings follows the writing command, not only the bytes: APPEND to an existing
/// string and SETRANGE give `raw`, INCRBYFLOAT gives `embstr` even for an integer result, RENAME/COPY/MOVE
/// keep it, and any other write re-derives it.
pub fn string_encodings() -> Script {
    script(vec![
        cmd("SET k 5"),
        cmd("OBJECT ENCODING k"),
        cmd("APPEND k 1"),
        cmd("OBJECT ENCODING k"),
        cmd("APPEND fresh 12"),
        cmd("OBJECT ENCODING fresh"),
        cmd("SET s abc"),
        cmd("SETRANGE s 1 x"),
        cmd("OBJECT ENCODING s"),
        cmd("SETRANGE new 1 x"),
        cmd("OBJECT ENCODING new"),
        cmd("SET f 1.5"),
        cmd("INCRBYFLOAT f -4.5"),
        cmd("OBJECT ENCODING f"),
        cmd("RENAME k k2"),
        cmd("OBJECT ENCODING k2"),
        cmd("COPY k2 k3"),
        cmd("OBJECT ENCODING k3"),
        cmd("MOVE k3 1"),
        cmd("SELECT 1"),
        cmd("OBJECT ENCODING k3"),
        cmd("SELECT 0"),
        cmd("INCR k2"),
        cmd("OBJECT ENCODING k2"),
        cmd("SET k2 hello"),
        cmd("OBJECT ENCODING k2"),
        cmd("SET long aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"),
        cmd("OBJECT ENCODING long"),
    ])
}

/// A `DUMP`/`RESTORE` payload of `value` as our encoder frames it (Redis must accept it too).
fn payload(value: keyspace::Value) -> Vec<u8> {
    rdb::encode_value(&value)
}

/// `DUMP` of every type (byte-identical with `rdbcompression no`), `RESTORE` of payloads (ours, which Redis
/// must also take), its options and every error: busy key, bad TTL, bad framing, bad data.
pub fn dump_restore() -> Script {
    let hello = payload(keyspace::Value::String(
        bytes::Bytes::from_static(b"hello").into(),
    ));
    let mut corrupt = hello.clone();
    let last = corrupt.len() - 1;
    corrupt[last] ^= 1;
    let mut newer = hello.clone();
    let version_at = newer.len() - 10;
    newer[version_at] = 11;
    let bad_type = {
        let mut body = vec![8u8, 0];
        body.extend_from_slice(&10u16.to_le_bytes());
        let crc = rdb::crc64(0, &body);
        body.extend_from_slice(&crc.to_le_bytes());
        body
    };
    script(vec![
        cmd("RPUSH l a b 1 2"),
        cmd("HSET h f v n 5"),
        cmd("SADD s x"),
        cmd("SADD ints 1 2 3"),
        cmd("ZADD z 1 a 2.5 b"),
        cmd("SET str hello"),
        cmd("SET num 12345"),
        cmd("XADD x 1-0 f v"),
        cmd("DUMP l"),
        cmd("DUMP h"),
        cmd("DUMP s"),
        cmd("DUMP ints"),
        cmd("DUMP z"),
        cmd("DUMP str"),
        cmd("DUMP num"),
        cmd("DUMP x"),
        cmd("DUMP nokey"),
        args(&[&b"RESTORE"[..], b"r1", b"0", &hello]),
        cmd("GET r1"),
        cmd("TTL r1"),
        args(&[&b"RESTORE"[..], b"r1", b"0", &hello]),
        args(&[&b"RESTORE"[..], b"r1", b"0", &hello, b"REPLACE"]),
        args(&[&b"RESTORE"[..], b"r2", b"100000", &hello]),
        cmd("TTL r2").between(99, 100),
        args(&[&b"RESTORE"[..], b"r3", b"4102444800000", &hello, b"ABSTTL"]),
        cmd("EXPIRETIME r3"),
        cmd("PEXPIRETIME r3"),
        cmd("EXPIRETIME r1"),
        cmd("PEXPIRETIME nokey"),
        args(&[&b"RESTORE"[..], b"r1", b"1", &hello, b"REPLACE", b"ABSTTL"]),
        cmd("EXISTS r1"),
        args(&[&b"RESTORE"[..], b"r4", b"-1", &hello]),
        args(&[&b"RESTORE"[..], b"r4", b"x", &hello]),
        args(&[&b"RESTORE"[..], b"r4", b"0", &corrupt]),
        args(&[&b"RESTORE"[..], b"r4", b"0", &newer]),
        args(&[&b"RESTORE"[..], b"r4", b"0", &bad_type]),
        args(&[&b"RESTORE"[..], b"r4", b"0", b"short"]),
        args(&[&b"RESTORE"[..], b"r4", b"0", &hello, b"IDLETIME", b"-1"]),
        args(&[&b"RESTORE"[..], b"r4", b"0", &hello, b"FREQ", b"256"]),
        args(&[
            &b"RESTORE"[..],
            b"r4",
            b"0",
            &hello,
            b"IDLETIME",
            b"5",
            b"FREQ",
            b"1",
        ]),
        args(&[&b"RESTORE"[..], b"r4", b"0", &hello, b"FOO"]),
        args(&[&b"RESTORE"[..], b"r4", b"0", &hello, b"IDLETIME", b"10"]),
        cmd("GET r4"),
        args(&[&b"RESTORE"[..], b"r5", b"0", &hello, b"FREQ", b"10"]),
        cmd("OBJECT ENCODING r5"),
        cmd("DEL r5"),
    ])
    .setup("CONFIG SET rdbcompression no")
}
