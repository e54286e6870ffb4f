//! The writer's bytes, checked exactly: the layout Redis 7.0.15 produces for the same data.

use rdb::{ReplInfo, SaveOptions, encode_to_vec, write_rdb};

use crate::support::{keyspace, redis_tiny_file};

const REDIS_AUX_HEAD: &[u8] = b"REDIS0010\
\xfa\x09redis-ver\x067.0.15\
\xfa\x0aredis-bits\xc0\x40\
\xfa\x05ctime\xc2\xfc\x48\x07\x6b\
\xfa\x08used-mem\xc2\x70\x3b\x13\x00";

const AOF_BASE: &[u8] = b"\xfa\x08aof-base\xc0\x00";

fn options(repl: Option<ReplInfo>) -> SaveOptions {
    SaveOptions {
        repl,
        ctime_secs: 0x6b07_48fc,
        used_mem: 1_260_400,
        functions: Vec::new(),
        aof_base: false,
    }
}

fn with_crc(mut body: Vec<u8>) -> Vec<u8> {
    let crc = rdb::crc64(0, &body);
    body.extend_from_slice(&crc.to_le_bytes());
    body
}

#[test]
fn one_key_per_db_byte_for_byte() {
    let keyspace = keyspace(&[
        (0, b"foo", b"bar", None),
        (2, b"cnt", b"42", Some(4_102_444_800_000)),
    ]);
    let expected = with_crc(
        [
            REDIS_AUX_HEAD,
            AOF_BASE,
            b"\xfe\x00\xfb\x01\x00",
            b"\x00\x03foo\x03bar",
            b"\xfe\x02\xfb\x01\x01",
            b"\xfc\x00\xd8\xc3\x2c\xbb\x03\x00\x00",
            b"\x00\x03cnt\xc0\x2a",
            b"\xff",
        ]
        .concat(),
    );
    assert_eq!(encode_to_vec(&keyspace, &options(None)), expected);
}

#[test]
fn repl_fields_sit_between_used_mem_and_aof_base() {
    let id = "2765387037df63d5d8c6a4ec830ab6c39509510f";
    let repl = ReplInfo {
        id: id.to_owned(),
        offset: 176,
        stream_db: 1,
    };
    let keyspace = keyspace(&[]);
    let expected = with_crc(
        [
            REDIS_AUX_HEAD,
            b"\xfa\x0erepl-stream-db\xc0\x01",
            b"\xfa\x07repl-id\x28",
            id.as_bytes(),
            b"\xfa\x0brepl-offset\xc1\xb0\x00",
            AOF_BASE,
            b"\xff",
        ]
        .concat(),
    );
    assert_eq!(encode_to_vec(&keyspace, &options(Some(repl))), expected);
}

#[test]
fn same_keys_as_redis_tiny_file_give_the_same_bytes_up_to_key_order() {
    // Redis's file lists foo then cnt; our HashMap order may differ, so compare as sets of entry bytes
    // around a fixed head and tail.
    let keyspace = keyspace(&[
        (0, b"foo", b"bar", None),
        (0, b"cnt", b"42", Some(4_102_444_800_000)),
    ]);
    let ours = encode_to_vec(&keyspace, &options(None));
    let redis = redis_tiny_file();
    assert_eq!(ours.len(), redis.len());
    let head = 0x55;
    let tail = redis.len() - 9;
    assert_eq!(ours[..head], redis[..head]);
    assert_eq!(ours[tail], 0xff);
    let foo: &[u8] = b"\x00\x03foo\x03bar";
    let cnt: &[u8] = b"\xfc\x00\xd8\xc3\x2c\xbb\x03\x00\x00\x00\x03cnt\xc0\x2a";
    let middle = &ours[head..tail];
    assert!(
        middle == [foo, cnt].concat() || middle == [cnt, foo].concat(),
        "entries: {middle:02x?}"
    );
    if middle == &redis[head..tail] {
        assert_eq!(
            ours, redis,
            "same order, so the checksum must match Redis's too"
        );
    }
}

#[test]
fn write_rdb_reports_io_errors() {
    struct Broken;
    impl std::io::Write for Broken {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::Error::other("disk full"))
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let error = write_rdb(&keyspace(&[]), &options(None), Broken).expect_err("the sink fails");
    assert_eq!(error.to_string(), "disk full");
}
