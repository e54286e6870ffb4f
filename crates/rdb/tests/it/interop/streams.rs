//! Interop for streams: a stream Redis built with `XADD`, `XDEL`, `XGROUP`, `XREADGROUP`, `XCLAIM` and
//! `XSETID` loads here with the same nodes (cut where our model cuts them), metadata, groups, pending
//! entries and consumers, and our encoding of it is byte for byte Redis's; our streams load into Redis,
//! read back identically through `XRANGE`/`XINFO`/`XPENDING`, and Redis saves them again unchanged.

use std::collections::BTreeMap;
use std::fs;

use bytes::Bytes;
use keyspace::types::stream::{ConsumerGroup, Stream, StreamId};
use keyspace::{Entry, Keyspace, Value};
use rdb::{Checksum, SaveOptions, encode_to_vec, read_rdb, write_rdb};

use super::harness::{Client, RedisProcess, Reply, TempDir, find_redis_server, now_ms};
use crate::streams::{
    BASE_MS, sample_deleted, sample_fields, sample_id, sample_stream, stream_keyspace,
};
use crate::support::{DATABASES, contents};

const SAMPLE_ENTRIES: u64 = 250;

#[test]
fn redis_streams_load_here() {
    let Some(redis_server) = find_redis_server() else {
        return;
    };
    let dir = TempDir::new("redis-streams");
    let redis = RedisProcess::start(&redis_server, &dir.path);
    let mut client = redis.client();
    // Uncompressed first, so our encoding can be compared with Redis's bytes.
    ok(command(
        &mut client,
        &["CONFIG", "SET", "rdbcompression", "no"],
    ));
    let before = now_ms();
    for i in 0..SAMPLE_ENTRIES {
        let mut args = vec![
            b"XADD".to_vec(),
            b"st".to_vec(),
            sample_id(i).to_string().into(),
        ];
        args.extend(sample_fields(i).iter().map(|item| item.to_vec()));
        assert!(matches!(run(&mut client, &args), Reply::Bulk(Some(_))));
    }
    let mut xdel = vec![b"XDEL".to_vec(), b"st".to_vec()];
    let deleted = sample_deleted(SAMPLE_ENTRIES);
    xdel.extend(deleted.iter().map(|id| id.to_string().into_bytes()));
    assert_eq!(
        run(&mut client, &xdel),
        Reply::Integer(deleted.len() as i64)
    );
    ok(command(&mut client, &["XGROUP", "CREATE", "st", "g1", "0"]));
    let to_alice = read_group(&mut client, "g1", "alice", 10);
    let to_bob = read_group(&mut client, "g1", "bob", 3);
    assert_eq!((to_alice.len(), to_bob.len()), (10, 3));
    let acked = command(&mut client, &["XACK", "st", "g1", &to_alice[1]]);
    assert_eq!(acked, Reply::Integer(1));
    let created = command(
        &mut client,
        &["XGROUP", "CREATECONSUMER", "st", "g1", "carol"],
    );
    assert_eq!(created, Reply::Integer(1));
    let claimed = command(
        &mut client,
        &["XCLAIM", "st", "g1", "carol", "0", &to_bob[0]],
    );
    assert!(matches!(claimed, Reply::Array(Some(ref items)) if items.len() == 1));
    ok(command(&mut client, &["XGROUP", "CREATE", "st", "g2", "$"]));
    let mid = sample_id(100).to_string();
    ok(command(
        &mut client,
        &["XGROUP", "CREATE", "st", "g3", &mid],
    ));
    ok(command(
        &mut client,
        &["XGROUP", "CREATE", "st", "12345", "0"],
    ));
    read_group(&mut client, "12345", "7", 1);
    ok(command(
        &mut client,
        &["XGROUP", "CREATE", "empty", "g", "$", "MKSTREAM"],
    ));
    for i in 0..3 {
        let id = sample_id(i).to_string();
        command(&mut client, &["XADD", "moved", &id, "f", "v"]);
    }
    command(&mut client, &["XDEL", "moved", &sample_id(1).to_string()]);
    let (moved_last, moved_max_deleted) = (
        StreamId::new(BASE_MS + 9_999, 9).to_string(),
        StreamId::new(BASE_MS + 5, 1).to_string(),
    );
    ok(command(
        &mut client,
        &[
            "XSETID",
            "moved",
            &moved_last,
            "ENTRIESADDED",
            "100",
            "MAXDELETEDID",
            &moved_max_deleted,
        ],
    ));
    ok(command(&mut client, &["SAVE"]));
    let after = now_ms();

    let plain = fs::read(dir.path.join("dump.rdb")).expect("redis wrote dump.rdb");
    let loaded = read_rdb(&plain, DATABASES).expect("Redis's streams load");
    assert_eq!(loaded.checksum, Checksum::Verified);
    assert!(
        loaded.skipped_empty_keys.is_empty(),
        "the empty stream is kept"
    );
    let st = stream_at(&loaded.keyspace, b"st");
    assert_same_entries(st, &sample_stream(SAMPLE_ENTRIES));
    check_groups_against_redis(&mut client, b"st", st, Some((before, after)));
    let empty = stream_at(&loaded.keyspace, b"empty");
    assert!(empty.is_empty() && empty.nodes().count() == 0);
    check_groups_against_redis(&mut client, b"empty", empty, Some((before, after)));
    let moved = stream_at(&loaded.keyspace, b"moved");
    check_stream_info(&mut client, b"moved", moved);
    assert_eq!(moved.last_id().to_string(), moved_last);
    assert_eq!(moved.max_deleted_entry_id().to_string(), moved_max_deleted);
    assert_eq!(moved.entries_added(), 100);
    check_stream_info(&mut client, b"st", st);

    // Our encoding of what we loaded is exactly what Redis wrote.
    for key in [&b"st"[..], b"empty", b"moved"] {
        let ours = entry_bytes(key, loaded.keyspace.db(0).and_then(|db| db.peek(key)));
        assert!(
            find(&plain, &ours).is_some(),
            "our encoding of {:?} is not in Redis's dump",
            String::from_utf8_lossy(key)
        );
    }

    // With compression on (the default), Redis writes the node listpacks as LZF strings.
    ok(command(
        &mut client,
        &["CONFIG", "SET", "rdbcompression", "yes"],
    ));
    ok(command(&mut client, &["SAVE"]));
    let compressed = fs::read(dir.path.join("dump.rdb")).expect("redis wrote dump.rdb");
    assert!(
        compressed.len() < plain.len(),
        "expected LZF-compressed nodes"
    );
    let reloaded = read_rdb(&compressed, DATABASES).expect("compressed streams load");
    assert_eq!(contents(&reloaded.keyspace), contents(&loaded.keyspace));
}

#[test]
fn our_streams_load_in_redis() {
    let Some(redis_server) = find_redis_server() else {
        return;
    };
    let dir = TempDir::new("our-streams");
    let ours = stream_keyspace(SAMPLE_ENTRIES);
    let file = fs::File::create(dir.path.join("dump.rdb")).expect("create dump.rdb");
    write_rdb(&ours, &SaveOptions::default(), file).expect("write dump.rdb");

    let redis = RedisProcess::start(&redis_server, &dir.path);
    let mut client = redis.client();
    let mut keys = 0;
    for (db, entries) in ours.dbs() {
        select(&mut client, db);
        for (key, entry) in entries.iter() {
            let Value::Stream(stream) = &entry.value else {
                panic!("stream_keyspace holds streams only");
            };
            keys += 1;
            let len = run(&mut client, &[b"XLEN".to_vec(), key.to_vec()]);
            assert_eq!(len, Reply::Integer(stream.len() as i64));
            assert_eq!(xrange(&mut client, key), model_range(stream));
            check_stream_info(&mut client, key, stream);
            check_groups_against_redis(&mut client, key, stream, None);
        }
    }
    assert_eq!(keys, 4);

    // Redis saves what it loaded from us byte for byte as we wrote it.
    ok(command(
        &mut client,
        &["CONFIG", "SET", "rdbcompression", "no"],
    ));
    ok(command(&mut client, &["SAVE"]));
    let resaved = fs::read(dir.path.join("dump.rdb")).expect("redis wrote dump.rdb");
    for (db, entries) in ours.dbs() {
        for (key, entry) in entries.iter() {
            let ours = entry_bytes(key, Some(entry));
            assert!(
                find(&resaved, &ours).is_some(),
                "Redis re-saved db {db} {:?} differently",
                String::from_utf8_lossy(key)
            );
        }
    }
}

/// The stream under `key` in db 0.
fn stream_at<'k>(keyspace: &'k Keyspace, key: &[u8]) -> &'k Stream {
    match keyspace
        .db(0)
        .and_then(|db| db.peek(key))
        .map(|entry| &entry.value)
    {
        Some(Value::Stream(stream)) => stream,
        other => panic!(
            "{:?} is not a stream: {other:?}",
            String::from_utf8_lossy(key)
        ),
    }
}

/// Same nodes (master IDs, master fields, entries with flags) and metadata, groups aside.
fn assert_same_entries(loaded: &Stream, expected: &Stream) {
    let masters = |stream: &Stream| stream.nodes().map(|(id, _)| *id).collect::<Vec<_>>();
    assert_eq!(masters(loaded), masters(expected), "node boundaries");
    for ((master, ours), (_, theirs)) in loaded.nodes().zip(expected.nodes()) {
        assert!(ours == theirs, "node {master} differs");
        assert_eq!(ours.bytes(), theirs.bytes());
    }
    assert_eq!(loaded.len(), expected.len());
    assert_eq!(loaded.last_id(), expected.last_id());
    assert_eq!(loaded.first_id(), expected.first_id());
    assert_eq!(
        loaded.max_deleted_entry_id(),
        expected.max_deleted_entry_id()
    );
    assert_eq!(loaded.entries_added(), expected.entries_added());
}

/// `XINFO STREAM` agrees with `stream` on its length, IDs, counters and group count.
fn check_stream_info(client: &mut Client, key: &[u8], stream: &Stream) {
    let info = fields(run(
        client,
        &[b"XINFO".to_vec(), b"STREAM".to_vec(), key.to_vec()],
    ));
    assert_eq!(info["length"], Reply::Integer(stream.len() as i64));
    assert_eq!(info["last-generated-id"], id_reply(stream.last_id()));
    assert_eq!(
        info["max-deleted-entry-id"],
        id_reply(stream.max_deleted_entry_id())
    );
    assert_eq!(
        info["entries-added"],
        Reply::Integer(stream.entries_added() as i64)
    );
    assert_eq!(info["recorded-first-entry-id"], id_reply(stream.first_id()));
    assert_eq!(info["groups"], Reply::Integer(stream.groups().len() as i64));
}

/// Every group `XINFO GROUPS` reports matches `stream`'s (counts, last ID, entries read, lag), and so
/// do their pending entries (`XPENDING`) and consumers (`XINFO CONSUMERS`). With `window`, the times
/// Redis recorded must fall inside it.
fn check_groups_against_redis(
    client: &mut Client,
    key: &[u8],
    stream: &Stream,
    window: Option<(i64, i64)>,
) {
    let in_window = |time: i64| window.is_none_or(|(from, to)| (from..=to).contains(&time));
    let Reply::Array(Some(groups)) = run(
        client,
        &[b"XINFO".to_vec(), b"GROUPS".to_vec(), key.to_vec()],
    ) else {
        panic!("XINFO GROUPS did not reply with an array");
    };
    assert_eq!(groups.len(), stream.groups().len());
    for info in groups {
        let info = fields(info);
        let name = bulk(&info["name"]);
        let group: &ConsumerGroup = stream.group(&name).expect("Redis's group loaded");
        assert_eq!(
            info["consumers"],
            Reply::Integer(group.consumers.len() as i64)
        );
        assert_eq!(info["pending"], Reply::Integer(group.pending.len() as i64));
        assert_eq!(info["last-delivered-id"], id_reply(group.last_id));
        assert_eq!(
            info["entries-read"],
            optional(group.entries_read.map(|read| read as i64))
        );
        assert_eq!(info["lag"], optional(stream.group_lag(group)));

        let pending = run(
            client,
            &[
                b"XPENDING".to_vec(),
                key.to_vec(),
                name.to_vec(),
                b"-".to_vec(),
                b"+".to_vec(),
                b"1000".to_vec(),
            ],
        );
        let Reply::Array(Some(pending)) = pending else {
            panic!("XPENDING did not reply with an array");
        };
        assert_eq!(pending.len(), group.pending.len());
        for (row, (id, ours)) in pending.into_iter().zip(&group.pending) {
            let Reply::Array(Some(row)) = row else {
                panic!("XPENDING row is not an array");
            };
            assert_eq!(row[0], id_reply(*id));
            assert_eq!(row[1], Reply::Bulk(Some(ours.consumer.to_vec())));
            assert_eq!(row[3], Reply::Integer(ours.delivery_count as i64));
            assert!(in_window(ours.delivery_time), "delivery time of {id}");
        }

        let consumers = run(
            client,
            &[
                b"XINFO".to_vec(),
                b"CONSUMERS".to_vec(),
                key.to_vec(),
                name.to_vec(),
            ],
        );
        let Reply::Array(Some(consumers)) = consumers else {
            panic!("XINFO CONSUMERS did not reply with an array");
        };
        assert_eq!(consumers.len(), group.consumers.len());
        for (info, (consumer_name, ours)) in consumers.into_iter().zip(&group.consumers) {
            let info = fields(info);
            assert_eq!(bulk(&info["name"]), *consumer_name);
            assert_eq!(info["pending"], Reply::Integer(ours.pending.len() as i64));
            assert!(in_window(ours.seen_time), "seen time of {consumer_name:?}");
            for id in &ours.pending {
                assert_eq!(group.pending[id].consumer, *consumer_name);
            }
        }
    }
}

/// `XREADGROUP ... COUNT n STREAMS st >`: the IDs delivered.
fn read_group(client: &mut Client, group: &str, consumer: &str, count: usize) -> Vec<String> {
    let count = count.to_string();
    let reply = command(
        client,
        &[
            "XREADGROUP",
            "GROUP",
            group,
            consumer,
            "COUNT",
            &count,
            "STREAMS",
            "st",
            ">",
        ],
    );
    let Reply::Array(Some(streams)) = reply else {
        panic!("XREADGROUP replied {reply:?}");
    };
    let Some(Reply::Array(Some(stream))) = streams.into_iter().next() else {
        panic!("XREADGROUP reply without a stream");
    };
    let Some(Reply::Array(Some(entries))) = stream.into_iter().nth(1) else {
        panic!("XREADGROUP reply without entries");
    };
    entries
        .into_iter()
        .map(|entry| match entry {
            Reply::Array(Some(parts)) => String::from_utf8(bulk(&parts[0]).to_vec()).expect("ID"),
            other => panic!("XREADGROUP entry {other:?}"),
        })
        .collect()
}

/// `XRANGE key - +` as (ID text, fields and values).
fn xrange(client: &mut Client, key: &[u8]) -> Vec<(String, Vec<Bytes>)> {
    let reply = run(
        client,
        &[
            b"XRANGE".to_vec(),
            key.to_vec(),
            b"-".to_vec(),
            b"+".to_vec(),
        ],
    );
    let Reply::Array(Some(entries)) = reply else {
        panic!("XRANGE replied {reply:?}");
    };
    entries
        .into_iter()
        .map(|entry| {
            let Reply::Array(Some(mut parts)) = entry else {
                panic!("XRANGE entry is not an array");
            };
            let Some(Reply::Array(Some(items))) = parts.pop() else {
                panic!("XRANGE entry without fields");
            };
            let id = String::from_utf8(bulk(&parts[0]).to_vec()).expect("ID");
            (id, items.iter().map(bulk).collect())
        })
        .collect()
}

fn model_range(stream: &Stream) -> Vec<(String, Vec<Bytes>)> {
    stream
        .range(StreamId::MIN, StreamId::MAX, false, None)
        .into_iter()
        .map(|(id, items)| (id.to_string(), items.to_vec()))
        .collect()
}

/// The bytes our writer gives `key` (type byte through the end of the value), cut out of a file
/// holding only that key.
fn entry_bytes(key: &[u8], entry: Option<&Entry>) -> Vec<u8> {
    let entry = entry.expect("key exists");
    let mut keyspace = Keyspace::new(DATABASES);
    let value = Entry {
        value: entry.value.clone(),
        expire_at: None,
    };
    keyspace
        .db_mut(0)
        .expect("db 0")
        .insert(Bytes::copy_from_slice(key), value);
    let file = encode_to_vec(&keyspace, &SaveOptions::default());
    let mut head = vec![19, key.len() as u8];
    head.extend_from_slice(key);
    let start = find(&file, &head).expect("our entry in our file");
    // Everything up to the EOF opcode and the 8-byte checksum.
    file[start..file.len() - 9].to_vec()
}

/// A flat `name, value, name, value...` reply as a map.
fn fields(reply: Reply) -> BTreeMap<String, Reply> {
    let Reply::Array(Some(items)) = reply else {
        panic!("expected a flat map, got {reply:?}");
    };
    let mut map = BTreeMap::new();
    let mut items = items.into_iter();
    while let (Some(name), Some(value)) = (items.next(), items.next()) {
        map.insert(String::from_utf8_lossy(&bulk(&name)).into_owned(), value);
    }
    map
}

fn bulk(reply: &Reply) -> Bytes {
    match reply {
        Reply::Bulk(Some(bytes)) => Bytes::copy_from_slice(bytes),
        other => panic!("expected a bulk string, got {other:?}"),
    }
}

fn id_reply(id: StreamId) -> Reply {
    Reply::Bulk(Some(id.to_string().into_bytes()))
}

/// An integer, or the nil Redis answers for an unknown counter.
fn optional(value: Option<i64>) -> Reply {
    value.map_or(Reply::Bulk(None), Reply::Integer)
}

fn command(client: &mut Client, args: &[&str]) -> Reply {
    let args: Vec<&[u8]> = args.iter().map(|arg| arg.as_bytes()).collect();
    client.command(&args)
}

fn run(client: &mut Client, args: &[Vec<u8>]) -> Reply {
    let args: Vec<&[u8]> = args.iter().map(Vec::as_slice).collect();
    client.command(&args)
}

fn select(client: &mut Client, db: usize) {
    ok(command(client, &["SELECT", &db.to_string()]));
}

fn ok(reply: Reply) {
    assert_eq!(reply, Reply::Simple("OK".into()));
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}
