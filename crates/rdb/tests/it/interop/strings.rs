//! Interop for strings: Redis's `SAVE` output loads here, and our output loads there.

use std::fs;

use bytes::Bytes;
use keyspace::Value;
use rdb::{Checksum, SaveOptions, read_rdb, write_rdb};

use super::harness::{Client, RedisProcess, Reply, TempDir, find_redis_server, now_ms};

use crate::support::{DATABASES, contents, keyspace};

const LONG_RUN: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

#[test]
fn redis_save_loads_here() {
    let Some(redis_server) = find_redis_server() else {
        return;
    };
    let dir = TempDir::new("redis-save");
    let redis = RedisProcess::start(&redis_server, &dir.path);
    let mut client = redis.client();
    let long_text = "abcdefghij".repeat(10);
    let binary_key = b"bin\x00\xff\r\n".as_slice();
    let before_ms = now_ms();
    for (key, value) in [
        (&b"foo"[..], &b"bar"[..]),
        (b"cnt", b"42"),
        (b"neg", b"-7"),
        (b"s:int", b"12345"),
        (b"s:zero", b"007"),
        (b"s:negzero", b"-0"),
        (b"s:big", b"9876543210"),
        (b"s:empty", b""),
        (b"s:lzf", LONG_RUN.as_bytes()),
        (b"s:lzf2", long_text.as_bytes()),
        (binary_key, b"\x00\x01\xfe\xff"),
    ] {
        assert_eq!(
            client.command(&[b"SET", key, value]),
            Reply::Simple("OK".into())
        );
    }
    assert_eq!(
        client.command(&[b"SET", b"ttl", b"v", b"PX", b"100000"]),
        Reply::Simple("OK".into())
    );
    assert_eq!(
        client.command(&[b"SET", b"ttl:int", b"300", b"PXAT", b"4102444800123"]),
        Reply::Simple("OK".into())
    );
    assert_eq!(
        client.command(&[b"SELECT", b"3"]),
        Reply::Simple("OK".into())
    );
    assert_eq!(
        client.command(&[b"SET", b"indb3", b"x"]),
        Reply::Simple("OK".into())
    );
    assert_eq!(client.command(&[b"SAVE"]), Reply::Simple("OK".into()));
    let after_ms = now_ms();

    let bytes = fs::read(dir.path.join("dump.rdb")).expect("redis wrote dump.rdb");
    let loaded = read_rdb(&bytes, DATABASES).expect("Redis's dump loads");
    assert_eq!(loaded.checksum, Checksum::Verified);
    assert_eq!(
        loaded.aux.redis_ver.as_deref(),
        Some(redis.version.as_str())
    );
    assert!(
        loaded.aux.ctime.is_some_and(
            |ctime| ctime * 1000 >= before_ms - 2000 && ctime * 1000 <= after_ms + 2000
        )
    );
    assert!(loaded.functions.is_empty());

    let mut loaded_contents = contents(&loaded.keyspace);
    let ttl_entry = loaded_contents
        .remove(&(0, Bytes::from("ttl")))
        .expect("ttl key loaded");
    assert_eq!(ttl_entry.value, string(b"v"));
    let ttl_at = ttl_entry.expire_at.expect("ttl key has an expiry");
    assert!(
        (before_ms + 100_000..=after_ms + 100_000).contains(&ttl_at),
        "PX 100000 saved as {ttl_at}"
    );

    let expected = keyspace(&[
        (0, b"foo", b"bar", None),
        (0, b"cnt", b"42", None),
        (0, b"neg", b"-7", None),
        (0, b"s:int", b"12345", None),
        (0, b"s:zero", b"007", None),
        (0, b"s:negzero", b"-0", None),
        (0, b"s:big", b"9876543210", None),
        (0, b"s:empty", b"", None),
        (0, b"s:lzf", LONG_RUN.as_bytes(), None),
        (0, b"s:lzf2", long_text.as_bytes(), None),
        (0, binary_key, b"\x00\x01\xfe\xff", None),
        (0, b"ttl:int", b"300", Some(4_102_444_800_123)),
        (3, b"indb3", b"x", None),
    ]);
    assert_eq!(loaded_contents, contents(&expected));
    // The point of the long values: Redis must actually have compressed them, or LZF went untested.
    for key in [&b"\x05s:lzf"[..], b"\x06s:lzf2"] {
        let compressed = bytes
            .windows(key.len() + 1)
            .any(|w| w[..key.len()] == *key && w[key.len()] == 0xc3);
        assert!(
            compressed,
            "expected Redis to LZF-compress {:?}",
            String::from_utf8_lossy(key)
        );
    }
}

#[test]
fn our_file_loads_in_redis() {
    let Some(redis_server) = find_redis_server() else {
        return;
    };
    let dir = TempDir::new("our-save");
    let far_future = 4_102_444_800_000;
    let soon = now_ms() + 600_000;
    let long = "xyz".repeat(40);
    let ours = keyspace(&[
        (0, b"foo", b"bar", None),
        (0, b"cnt", b"42", Some(far_future)),
        (0, b"s:zero", b"007", None),
        (0, b"s:big", b"9876543210", None),
        (0, b"s:min", b"-2147483648", None),
        (0, b"s:empty", b"", None),
        (0, b"bin\x00\xff", b"\r\n\x00", Some(soon)),
        (0, b"long", long.as_bytes(), None),
        (3, b"indb3", b"x", None),
    ]);
    let options = SaveOptions {
        repl: Some(rdb::ReplInfo {
            id: "0123456789abcdef0123456789abcdef01234567".into(),
            offset: 176,
            stream_db: 0,
        }),
        ctime_secs: now_ms() / 1000,
        used_mem: 1_000_000,
        functions: Vec::new(),
        aof_base: false,
    };
    let file = fs::File::create(dir.path.join("dump.rdb")).expect("create dump.rdb");
    write_rdb(&ours, &options, file).expect("write dump.rdb");

    let redis = RedisProcess::start(&redis_server, &dir.path);
    let mut client = redis.client();
    let get = |client: &mut Client, key: &[u8]| client.command(&[b"GET", key]);
    assert_eq!(get(&mut client, b"foo"), Reply::Bulk(Some(b"bar".to_vec())));
    assert_eq!(get(&mut client, b"cnt"), Reply::Bulk(Some(b"42".to_vec())));
    assert_eq!(
        get(&mut client, b"s:zero"),
        Reply::Bulk(Some(b"007".to_vec()))
    );
    assert_eq!(
        get(&mut client, b"s:big"),
        Reply::Bulk(Some(b"9876543210".to_vec()))
    );
    assert_eq!(
        get(&mut client, b"s:min"),
        Reply::Bulk(Some(b"-2147483648".to_vec()))
    );
    assert_eq!(get(&mut client, b"s:empty"), Reply::Bulk(Some(Vec::new())));
    assert_eq!(
        get(&mut client, b"bin\x00\xff"),
        Reply::Bulk(Some(b"\r\n\x00".to_vec()))
    );
    assert_eq!(
        get(&mut client, b"long"),
        Reply::Bulk(Some(long.clone().into_bytes()))
    );
    assert_eq!(client.command(&[b"PTTL", b"foo"]), Reply::Integer(-1));
    let Reply::Integer(pttl) = client.command(&[b"PTTL", b"cnt"]) else {
        panic!("PTTL is an integer")
    };
    let expected_pttl = far_future - now_ms();
    assert!(
        pttl <= expected_pttl + 1000 && pttl > expected_pttl - 60_000,
        "PTTL cnt = {pttl}"
    );
    let Reply::Integer(pttl) = client.command(&[b"PTTL", b"bin\x00\xff"]) else {
        panic!("PTTL is an integer")
    };
    assert!(pttl > 0 && pttl <= 600_000, "PTTL bin = {pttl}");
    assert_eq!(client.command(&[b"DBSIZE"]), Reply::Integer(8));
    assert_eq!(
        client.command(&[b"SELECT", b"3"]),
        Reply::Simple("OK".into())
    );
    assert_eq!(get(&mut client, b"indb3"), Reply::Bulk(Some(b"x".to_vec())));
    assert_eq!(client.command(&[b"DBSIZE"]), Reply::Integer(1));
}

fn string(bytes: &[u8]) -> Value {
    Value::String(Bytes::copy_from_slice(bytes).into())
}
