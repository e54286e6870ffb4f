//! Interop for every collection type and encoding: Redis's dump of lists, hashes, sets and sorted sets in
//! small and large encodings (LZF-compressed quicklist nodes included) loads here with the same content;
//! our file for the same content loads into Redis and reads back identically; hand-built files in the
//! load-only encodings load into Redis (proving the bytes valid) and here, with the same content.

use std::fs;

use bytes::Bytes;
use keyspace::{Keyspace, Value};
use rdb::{Checksum, SaveOptions, read_rdb, write_rdb};

use super::harness::{Client, RedisProcess, Reply, TempDir, find_redis_server};
use crate::handbuilt::{handbuilt_body, handbuilt_expected};
use crate::support::{
    DATABASES, contents, every_type_keyspace, hash, list, put, rdb_file, set, zset,
};

#[test]
fn redis_collections_load_here() {
    let Some(redis_server) = find_redis_server() else {
        return;
    };
    let dir = TempDir::new("redis-collections");
    let redis = RedisProcess::start(&redis_server, &dir.path);
    let mut client = redis.client();
    // Inner quicklist nodes of every list are then stored LZF-compressed.
    ok(client.command(&[b"CONFIG", b"SET", b"list-compress-depth", b"1"]));
    let expected = every_type_keyspace();
    populate(&mut client, &expected);
    for (db, key, encoding) in [
        (0, &b"l:small"[..], "quicklist"),
        (0, b"l:big", "quicklist"),
        (0, b"h:small", "listpack"),
        (1, b"h:big", "hashtable"),
        (1, b"h:long", "hashtable"),
        (0, b"s:int", "intset"),
        (0, b"s:str", "hashtable"),
        (2, b"s:bigint", "hashtable"),
        (0, b"z:small", "listpack"),
        (2, b"z:big", "skiplist"),
    ] {
        select(&mut client, db);
        assert_eq!(
            client.command(&[b"OBJECT", b"ENCODING", key]),
            Reply::Bulk(Some(encoding.as_bytes().to_vec())),
            "Redis's encoding of {:?}",
            String::from_utf8_lossy(key)
        );
    }
    ok(client.command(&[b"SAVE"]));

    let bytes = fs::read(dir.path.join("dump.rdb")).expect("redis wrote dump.rdb");
    let loaded = read_rdb(&bytes, DATABASES).expect("Redis's dump loads");
    assert_eq!(loaded.checksum, Checksum::Verified);
    assert_eq!(contents(&loaded.keyspace), contents(&expected));
    // The point of the compress depth: Redis must have written a PACKED node as an LZF string.
    let key_at = find(&bytes, b"\x05l:big").expect("l:big in the dump");
    assert!(
        find(&bytes[key_at..], b"\x02\xc3").is_some(),
        "expected an LZF-compressed quicklist node in Redis's dump"
    );
}

#[test]
fn our_collections_load_in_redis() {
    let Some(redis_server) = find_redis_server() else {
        return;
    };
    let dir = TempDir::new("our-collections");
    let ours = every_type_keyspace();
    let file = fs::File::create(dir.path.join("dump.rdb")).expect("create dump.rdb");
    write_rdb(&ours, &SaveOptions::default(), file).expect("write dump.rdb");

    let redis = RedisProcess::start(&redis_server, &dir.path);
    let mut client = redis.client();
    assert_eq!(contents(&read_back(&mut client)), contents(&ours));
}

#[test]
fn handbuilt_encodings_load_in_redis_and_here() {
    let Some(redis_server) = find_redis_server() else {
        return;
    };
    let dir = TempDir::new("handbuilt");
    let file = rdb_file(10, &handbuilt_body());
    fs::write(dir.path.join("dump.rdb"), &file).expect("write dump.rdb");

    let redis = RedisProcess::start(&redis_server, &dir.path);
    let mut client = redis.client();
    let in_redis = contents(&read_back(&mut client));
    assert_eq!(in_redis, contents(&handbuilt_expected()));
    let loaded = read_rdb(&file, DATABASES).expect("hand-built file loads here");
    assert_eq!(contents(&loaded.keyspace), in_redis);
}

/// Creates every key of `keyspace` in Redis with ordinary commands.
fn populate(client: &mut Client, keyspace: &Keyspace) {
    for (db, entries) in keyspace.dbs() {
        select(client, db);
        for (key, entry) in entries.iter() {
            let mut args: Vec<Vec<u8>> = Vec::new();
            match &entry.value {
                Value::String(bytes) => {
                    args.extend([b"SET".to_vec(), key.to_vec(), bytes.to_vec()])
                }
                Value::List(list) => {
                    args.extend([b"RPUSH".to_vec(), key.to_vec()]);
                    args.extend(list.iter().map(|item| item.to_vec()));
                }
                Value::Hash(hash) => {
                    args.extend([b"HSET".to_vec(), key.to_vec()]);
                    for (field, value) in hash.iter() {
                        args.extend([field.to_vec(), value.to_vec()]);
                    }
                }
                Value::Set(set) => {
                    args.extend([b"SADD".to_vec(), key.to_vec()]);
                    args.extend(set.iter().map(|member| member.to_vec()));
                }
                Value::ZSet(zset) => {
                    args.extend([b"ZADD".to_vec(), key.to_vec()]);
                    for (member, score) in zset.iter() {
                        // Rust prints the shortest text that parses back exactly, and `inf`/`-inf`.
                        args.extend([score.to_string().into_bytes(), member.to_vec()]);
                    }
                }
                // Streams need several commands (and groups); `interop::streams` builds its own.
                Value::Stream(_) => panic!("populate() does not build streams"),
            }
            let args: Vec<&[u8]> = args.iter().map(Vec::as_slice).collect();
            let reply = client.command(&args);
            assert!(
                !matches!(reply, Reply::Error(_)),
                "{:?}: {reply:?}",
                String::from_utf8_lossy(args[0])
            );
            if let Some(at) = entry.expire_at {
                let at = at.to_string();
                let reply = client.command(&[b"PEXPIREAT", key, at.as_bytes()]);
                assert_eq!(reply, Reply::Integer(1));
            }
        }
    }
}

/// Everything Redis holds, read back with type-specific commands, expiries included.
fn read_back(client: &mut Client) -> Keyspace {
    let mut keyspace = Keyspace::new(DATABASES);
    for db in 0..DATABASES {
        select(client, db);
        for key in strings(client.command(&[b"KEYS", b"*"])) {
            let value = match client.command(&[b"TYPE", &key]) {
                Reply::Simple(kind) => read_value(client, &kind, &key),
                other => panic!("TYPE replied {other:?}"),
            };
            let expire_at = match client.command(&[b"PEXPIRETIME", &key]) {
                Reply::Integer(-1) => None,
                Reply::Integer(at) => Some(at),
                other => panic!("PEXPIRETIME replied {other:?}"),
            };
            put(&mut keyspace, db, &key, value, expire_at);
        }
    }
    keyspace
}

fn read_value(client: &mut Client, kind: &str, key: &[u8]) -> Value {
    let items = |client: &mut Client, command: &[&[u8]]| strings(client.command(command));
    match kind {
        "string" => match client.command(&[b"GET", key]) {
            Reply::Bulk(Some(value)) => Value::String(Bytes::from(value).into()),
            other => panic!("GET replied {other:?}"),
        },
        "list" => {
            let items = items(client, &[b"LRANGE", key, b"0", b"-1"]);
            list(&items.iter().map(Vec::as_slice).collect::<Vec<_>>())
        }
        "hash" => {
            let flat = items(client, &[b"HGETALL", key]);
            let pairs: Vec<(&[u8], &[u8])> = flat
                .chunks_exact(2)
                .map(|p| (&p[0][..], &p[1][..]))
                .collect();
            hash(&pairs)
        }
        "set" => {
            let members = items(client, &[b"SMEMBERS", key]);
            set(&members.iter().map(Vec::as_slice).collect::<Vec<_>>())
        }
        "zset" => {
            let flat = items(client, &[b"ZRANGE", key, b"0", b"-1", b"WITHSCORES"]);
            let members: Vec<(&[u8], f64)> = flat
                .chunks_exact(2)
                .map(|p| {
                    let score = std::str::from_utf8(&p[1]).ok().and_then(|s| s.parse().ok());
                    (
                        &p[0][..],
                        score.expect("Redis replies with a parsable score"),
                    )
                })
                .collect();
            zset(&members)
        }
        other => panic!("unexpected type {other}"),
    }
}

fn strings(reply: Reply) -> Vec<Vec<u8>> {
    match reply {
        Reply::Array(Some(items)) => items
            .into_iter()
            .map(|item| match item {
                Reply::Bulk(Some(bytes)) => bytes,
                other => panic!("expected a bulk string, got {other:?}"),
            })
            .collect(),
        other => panic!("expected an array, got {other:?}"),
    }
}

fn select(client: &mut Client, db: usize) {
    ok(client.command(&[b"SELECT", db.to_string().as_bytes()]));
}

fn ok(reply: Reply) {
    assert_eq!(reply, Reply::Simple("OK".into()));
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}
