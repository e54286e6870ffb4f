//! Hand-built entries for the encodings our writer never produces (Redis 7.0 only loads them, or writes
//! them only under some encodings): types 1, 3, 4 with raw strings, zipmap, ziplists (10, 12, 13, 14),
//! intset, listpacks (16, 17) and a quicklist-2 with a PLAIN node and an LZF-compressed node. Laid out per
//! the format reference §10 and Redis's ziplist.c/listpack.c/zipmap.c, independently of the crate's code.

use keyspace::Keyspace;

use crate::support::{DATABASES, hash, list, put, raw, set, zset};

/// A ziplist or listpack element.
#[derive(Clone, Copy)]
pub enum El<'a> {
    S(&'a [u8]),
    I(i64),
}

/// A ziplist with each integer in the smallest encoding Redis's ziplist picks.
pub fn ziplist(elements: &[El<'_>]) -> Vec<u8> {
    let mut entries = Vec::new();
    let mut previous = 0usize;
    let mut tail = 10;
    for element in elements {
        tail = 10 + entries.len();
        let start = entries.len();
        if previous < 254 {
            entries.push(previous as u8);
        } else {
            entries.push(0xfe);
            entries.extend_from_slice(&(previous as u32).to_le_bytes());
        }
        match *element {
            El::S(text) if text.len() < 64 => {
                entries.push(text.len() as u8);
                entries.extend_from_slice(text);
            }
            El::S(text) => {
                assert!(text.len() < 16384);
                entries.extend_from_slice(&[0x40 | (text.len() >> 8) as u8, text.len() as u8]);
                entries.extend_from_slice(text);
            }
            El::I(v @ 0..=12) => entries.push(0xf1 + v as u8),
            El::I(v) if i8::try_from(v).is_ok() => entries.extend_from_slice(&[0xfe, v as u8]),
            El::I(v) if i16::try_from(v).is_ok() => {
                entries.push(0xc0);
                entries.extend_from_slice(&(v as i16).to_le_bytes());
            }
            El::I(v) if (-(1 << 23)..(1 << 23)).contains(&v) => {
                entries.push(0xf0);
                entries.extend_from_slice(&(v as i32).to_le_bytes()[..3]);
            }
            El::I(v) if i32::try_from(v).is_ok() => {
                entries.push(0xd0);
                entries.extend_from_slice(&(v as i32).to_le_bytes());
            }
            El::I(v) => {
                entries.push(0xe0);
                entries.extend_from_slice(&v.to_le_bytes());
            }
        }
        previous = entries.len() - start;
    }
    let mut blob = ((10 + entries.len() + 1) as u32).to_le_bytes().to_vec();
    blob.extend_from_slice(&(tail as u32).to_le_bytes());
    blob.extend_from_slice(&(elements.len() as u16).to_le_bytes());
    blob.extend_from_slice(&entries);
    blob.push(0xff);
    blob
}

/// A listpack of short strings (< 64 bytes) and integers up to 16 bits.
pub fn listpack(elements: &[El<'_>]) -> Vec<u8> {
    let mut entries = Vec::new();
    for element in elements {
        let start = entries.len();
        match *element {
            El::S(text) => {
                assert!(text.len() < 64);
                entries.push(0x80 | text.len() as u8);
                entries.extend_from_slice(text);
            }
            El::I(v @ 0..=127) => entries.push(v as u8),
            El::I(v) if (-4096..4096).contains(&v) => {
                let u = (v as u16) & 0x1fff;
                entries.extend_from_slice(&[0xc0 | (u >> 8) as u8, u as u8]);
            }
            El::I(v) => {
                entries.push(0xf1);
                entries.extend_from_slice(&i16::try_from(v).expect("16-bit").to_le_bytes());
            }
        }
        let size = entries.len() - start;
        assert!(size <= 127, "one-byte backlens only");
        entries.push(size as u8);
    }
    let mut blob = ((6 + entries.len() + 1) as u32).to_le_bytes().to_vec();
    blob.extend_from_slice(&(elements.len() as u16).to_le_bytes());
    blob.extend_from_slice(&entries);
    blob.push(0xff);
    blob
}

/// A string of any length (length-prefixed, 6- or 14-bit lengths).
pub fn string(bytes: &[u8]) -> Vec<u8> {
    let mut out = if bytes.len() < 64 {
        vec![bytes.len() as u8]
    } else {
        assert!(bytes.len() < 16384);
        vec![0x40 | (bytes.len() >> 8) as u8, bytes.len() as u8]
    };
    out.extend_from_slice(bytes);
    out
}

/// An LZF string made only of literal runs: valid LZF that any decompressor accepts.
pub fn lzf_literal_string(bytes: &[u8]) -> Vec<u8> {
    let mut compressed = Vec::new();
    for chunk in bytes.chunks(32) {
        compressed.push((chunk.len() - 1) as u8);
        compressed.extend_from_slice(chunk);
    }
    assert!(compressed.len() < 64 && bytes.len() < 64);
    let mut out = vec![0xc3, compressed.len() as u8, bytes.len() as u8];
    out.extend_from_slice(&compressed);
    out
}

fn entry(type_id: u8, key: &[u8], value: &[u8]) -> Vec<u8> {
    [&[type_id][..], &raw(key), value].concat()
}

/// Every load-only encoding, one key each, in db 0 (and an expiry on one of them).
pub fn handbuilt_body() -> Vec<u8> {
    use El::{I, S};
    let mut body = b"\xfe\x00".to_vec();
    body.extend(entry(
        1,
        b"hb:list1",
        &[&[3][..], &raw(b"a"), b"\xc0\x0c", &raw(b"hello")].concat(),
    ));
    body.extend(entry(
        3,
        b"hb:zset1",
        &[
            &[4][..],
            &raw(b"a"),
            b"\x031.5",
            &raw(b"b"),
            b"\xfe",
            &raw(b"c"),
            b"\xff",
            &raw(b"d"),
            b"\x02-3",
        ]
        .concat(),
    ));
    body.extend(entry(
        4,
        b"hb:hash4",
        &[&[2][..], &raw(b"f"), &raw(b"v"), &raw(b"n"), b"\xc0\x07"].concat(),
    ));
    body.extend(entry(
        9,
        b"hb:zipmap",
        &string(b"\x02\x03foo\x03\x02bar\x00\x00\x01n\x01\x005\xff"),
    ));
    let long = vec![b'L'; 300];
    body.extend(entry(
        10,
        b"hb:zl-list",
        &string(&ziplist(&[
            S(b"x"),
            I(5),
            I(-100),
            I(-200),
            I(70000),
            I(1 << 40),
            S(&long),
            I(300),
            I(8_388_607),
            I(-2_147_483_648),
        ])),
    ));
    body.extend(entry(
        11,
        b"hb:intset",
        &string(b"\x02\x00\x00\x00\x03\x00\x00\x00\xfb\xff\x03\x00\xe8\x03"),
    ));
    body.extend(entry(
        12,
        b"hb:zl-zset",
        &string(&ziplist(&[
            S(b"m1"),
            I(1),
            S(b"m2"),
            S(b"2.5"),
            S(b"m3"),
            I(-7),
        ])),
    ));
    body.extend(entry(
        13,
        b"hb:zl-hash",
        &string(&ziplist(&[S(b"f1"), S(b"v1"), S(b"f2"), I(2)])),
    ));
    body.extend(entry(
        14,
        b"hb:ql1",
        &[
            &[2][..],
            &string(&ziplist(&[S(b"a"), S(b"b")])),
            &string(&ziplist(&[I(1), I(2), S(b"c")])),
        ]
        .concat(),
    ));
    body.extend(entry(
        16,
        b"hb:lp-hash",
        &string(&listpack(&[S(b"f1"), S(b"v1"), S(b"f2"), I(2)])),
    ));
    body.extend(entry(
        17,
        b"hb:lp-zset",
        &string(&listpack(&[S(b"a"), I(1), S(b"b"), S(b"2.5")])),
    ));
    let repeated = [S(b"c"); 12];
    body.extend(b"\xfc\x00\xd8\xc3\x2c\xbb\x03\x00\x00");
    body.extend(entry(
        18,
        b"hb:ql2",
        &[
            &[3, 2][..],
            &string(&listpack(&[S(b"a"), I(5), I(-3000), I(20000)])),
            &[1],
            &string(b"plain-element"),
            &[2],
            &lzf_literal_string(&listpack(&repeated)),
        ]
        .concat(),
    ));
    body
}

/// What [`handbuilt_body`] holds.
pub fn handbuilt_expected() -> Keyspace {
    let mut keyspace = Keyspace::new(DATABASES);
    let long = vec![b'L'; 300];
    put(
        &mut keyspace,
        0,
        b"hb:list1",
        list(&[b"a", b"12", b"hello"]),
        None,
    );
    let zset1 = zset(&[
        (b"a", 1.5),
        (b"b", f64::INFINITY),
        (b"c", f64::NEG_INFINITY),
        (b"d", -3.0),
    ]);
    put(&mut keyspace, 0, b"hb:zset1", zset1, None);
    put(
        &mut keyspace,
        0,
        b"hb:hash4",
        hash(&[(b"f", b"v"), (b"n", b"7")]),
        None,
    );
    put(
        &mut keyspace,
        0,
        b"hb:zipmap",
        hash(&[(b"foo", b"bar"), (b"n", b"5")]),
        None,
    );
    let zl_list: Vec<&[u8]> = vec![
        b"x",
        b"5",
        b"-100",
        b"-200",
        b"70000",
        b"1099511627776",
        &long,
        b"300",
        b"8388607",
        b"-2147483648",
    ];
    put(&mut keyspace, 0, b"hb:zl-list", list(&zl_list), None);
    put(
        &mut keyspace,
        0,
        b"hb:intset",
        set(&[b"-5", b"3", b"1000"]),
        None,
    );
    put(
        &mut keyspace,
        0,
        b"hb:zl-zset",
        zset(&[(b"m1", 1.0), (b"m2", 2.5), (b"m3", -7.0)]),
        None,
    );
    put(
        &mut keyspace,
        0,
        b"hb:zl-hash",
        hash(&[(b"f1", b"v1"), (b"f2", b"2")]),
        None,
    );
    put(
        &mut keyspace,
        0,
        b"hb:ql1",
        list(&[b"a", b"b", b"1", b"2", b"c"]),
        None,
    );
    put(
        &mut keyspace,
        0,
        b"hb:lp-hash",
        hash(&[(b"f1", b"v1"), (b"f2", b"2")]),
        None,
    );
    put(
        &mut keyspace,
        0,
        b"hb:lp-zset",
        zset(&[(b"a", 1.0), (b"b", 2.5)]),
        None,
    );
    let mut ql2: Vec<&[u8]> = vec![b"a", b"5", b"-3000", b"20000", b"plain-element"];
    ql2.extend([&b"c"[..]; 12]);
    put(
        &mut keyspace,
        0,
        b"hb:ql2",
        list(&ql2),
        Some(4_102_444_800_000),
    );
    keyspace
}

#[test]
fn handbuilt_encodings_load() {
    let loaded = rdb::read_rdb(&crate::support::rdb_file(10, &handbuilt_body()), DATABASES)
        .expect("hand-built file loads");
    assert_eq!(
        crate::support::contents(&loaded.keyspace),
        crate::support::contents(&handbuilt_expected())
    );
    assert!(loaded.skipped_empty_keys.is_empty());
}

#[test]
fn empty_collections_are_skipped_and_the_rest_loads() {
    use El::S;
    let body = [
        b"\xfe\x00".to_vec(),
        entry(1, b"empty:list", &[0]),
        entry(16, b"empty:lp", &string(&listpack(&[]))),
        entry(13, b"empty:zl", &string(&ziplist(&[]))),
        entry(
            18,
            b"empty:ql",
            &[&[1, 2][..], &string(&listpack(&[]))].concat(),
        ),
        entry(
            14,
            b"empty:nodes",
            &[
                &[2][..],
                &string(&ziplist(&[])),
                &string(&ziplist(&[S(b"x")])),
            ]
            .concat(),
        ),
    ]
    .concat();
    let loaded = rdb::read_rdb(&crate::support::rdb_file(10, &body), DATABASES).expect("loads");
    assert_eq!(loaded.skipped_empty_keys.len(), 4);
    let mut expected = Keyspace::new(DATABASES);
    put(&mut expected, 0, b"empty:nodes", list(&[b"x"]), None);
    assert_eq!(
        crate::support::contents(&loaded.keyspace),
        crate::support::contents(&expected)
    );
}
