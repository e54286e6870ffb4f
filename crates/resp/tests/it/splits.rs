//! Every fixture, cut at every byte offset (and fed one byte at a time), decodes exactly as in one piece.

use bytes::Bytes;
use resp::{Frame, Protocol, encode_command, encode_frame};

use crate::support::{commands, escape, every_byte, frames, render_command};

/// Raw reply fixtures covering every frame kind, including several frames in one input.
const FRAME_FIXTURES: &[&[u8]] = &[
    b"+OK\r\n",
    b"-ERR unknown command 'foo'\r\n",
    b":0\r\n:-9223372036854775808\r\n",
    b"$5\r\nhello\r\n$0\r\n\r\n",
    b"$-1\r\n*-1\r\n_\r\n",
    b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n",
    b"*2\r\n*2\r\n:1\r\n:2\r\n*0\r\n",
    b"%2\r\n+a\r\n:1\r\n+b\r\n%1\r\n+c\r\n_\r\n",
    b"~3\r\n:1\r\n:2\r\n:3\r\n",
    b",1.5\r\n,inf\r\n,-inf\r\n,nan\r\n,-0\r\n,1e+20\r\n",
    b"#t\r\n#f\r\n",
    b"(3492890328409238509324850943850943825024385\r\n",
    b"=15\r\ntxt:Some string\r\n",
    b"!21\r\nSYNTAX invalid syntax\r\n",
    b">3\r\n$7\r\nmessage\r\n$4\r\nchan\r\n$5\r\nhello\r\n",
    b"|1\r\n+key-popularity\r\n%2\r\n$1\r\na\r\n,0.1923\r\n$1\r\nb\r\n,0.0012\r\n*2\r\n:2039123\r\n:9543892\r\n",
    b"*2\r\n|1\r\n+ttl\r\n:3600\r\n$3\r\nval\r\n:7\r\n",
];

/// Frames whose RESP2 and RESP3 encodings are also used as fixtures.
fn sample_frames() -> Vec<Frame> {
    vec![
        Frame::Map(vec![
            (Frame::bulk("role"), Frame::bulk("master")),
            (Frame::bulk("score"), Frame::Double(0.1)),
            (Frame::bulk("on"), Frame::Boolean(true)),
        ]),
        Frame::Push(vec![
            Frame::bulk("message"),
            Frame::Set(vec![Frame::Integer(1), Frame::Null]),
        ]),
        Frame::Verbatim {
            format: *b"mkd",
            text: Bytes::from_static(b"# title\r\nbody"),
        },
        Frame::BulkError(Bytes::from_static(b"ERR\r\nmulti-line")),
        Frame::BigNumber(Bytes::from_static(b"-1")),
        Frame::Array(vec![
            Frame::NullArray,
            Frame::Double(f64::NEG_INFINITY),
            Frame::bulk(vec![0u8, 13, 10, 255]),
        ]),
    ]
}

/// Decodes `input` whole, then cut at each single offset, then byte by byte, and requires the same result.
/// Frames are compared through `Debug` so a NaN double compares equal to itself.
fn check_frame_splits(input: &[u8]) {
    let whole = format!("{:?}", frames(input, &[]).expect("fixture is valid"));
    for cut in 0..=input.len() {
        let split = format!("{:?}", frames(input, &[cut]).expect("fixture is valid"));
        assert_eq!(split, whole, "{} cut at {cut}", escape(input));
    }
    let bytewise = format!(
        "{:?}",
        frames(input, &every_byte(input)).expect("fixture is valid")
    );
    assert_eq!(bytewise, whole, "{} byte by byte", escape(input));
}

#[test]
fn frame_fixtures_split_anywhere() {
    for input in FRAME_FIXTURES {
        check_frame_splits(input);
    }
}

#[test]
fn encoded_frames_split_anywhere() {
    for frame in sample_frames() {
        for protocol in [Protocol::Resp2, Protocol::Resp3] {
            let mut encoded = bytes::BytesMut::new();
            encode_frame(&frame, protocol, &mut encoded);
            check_frame_splits(&encoded);
        }
    }
}

#[test]
fn fixtures_decode_to_the_expected_frames() {
    let decoded = frames(FRAME_FIXTURES[15], &[]).expect("valid");
    assert_eq!(
        decoded,
        vec![Frame::Array(vec![
            Frame::Integer(2039123),
            Frame::Integer(9543892)
        ])]
    );
    let decoded = frames(FRAME_FIXTURES[16], &[]).expect("valid");
    assert_eq!(
        decoded,
        vec![Frame::Array(vec![Frame::bulk("val"), Frame::Integer(7)])]
    );
    let mut resp3 = bytes::BytesMut::new();
    for frame in sample_frames() {
        encode_frame(&frame, Protocol::Resp3, &mut resp3);
    }
    let decoded = frames(&resp3, &[]).expect("valid");
    // RESP3 has a single null, so the null array comes back as the null.
    let mut expected = sample_frames();
    expected[5] = Frame::Array(vec![
        Frame::Null,
        Frame::Double(f64::NEG_INFINITY),
        Frame::bulk(vec![0u8, 13, 10, 255]),
    ]);
    assert_eq!(decoded, expected);
}

/// Requests: multibulk, pipelines, inline forms, skipped empty lines and empty multibulks.
fn command_fixtures() -> Vec<Vec<u8>> {
    let mut fixtures: Vec<Vec<u8>> = vec![
        b"*1\r\n$4\r\nPING\r\n".to_vec(),
        b"*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nva\r\nl\r\n*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n"
            .to_vec(),
        b"*2\r\n$4\r\nECHO\r\n$0\r\n\r\n".to_vec(),
        b"PING\r\n".to_vec(),
        b"PING\n".to_vec(),
        b"SET k \"a \\x41\\n\" 'it\\'s'\r\nGET k\r\n".to_vec(),
        b"\r\n\n   \r\nECHO hi\r\n\r\n".to_vec(),
        b"*0\r\n*-1\r\n*1\r\n$1\r\nx\r\nPING\r\n*1\r\n$4\r\nPING\r\n".to_vec(),
    ];
    let mut replicated = bytes::BytesMut::new();
    encode_command(&["SELECT", "0"], &mut replicated);
    encode_command(&[&b"SET"[..], b"\x00\xff", &[b'v'; 300]], &mut replicated);
    encode_command(&["PING"], &mut replicated);
    fixtures.push(replicated.to_vec());
    fixtures
}

#[test]
fn command_fixtures_split_anywhere() {
    for input in command_fixtures() {
        let whole: Vec<_> = commands(&input, &[])
            .expect("fixture is valid")
            .iter()
            .map(render_command)
            .collect();
        for cut in 0..=input.len() {
            let split: Vec<_> = commands(&input, &[cut])
                .expect("fixture is valid")
                .iter()
                .map(render_command)
                .collect();
            assert_eq!(split, whole, "{} cut at {cut}", escape(&input));
        }
        let bytewise: Vec<_> = commands(&input, &every_byte(&input))
            .expect("fixture is valid")
            .iter()
            .map(render_command)
            .collect();
        assert_eq!(bytewise, whole, "{} byte by byte", escape(&input));
    }
}

#[test]
fn command_fixtures_decode_to_the_expected_commands() {
    let fixtures = command_fixtures();
    let expected: [&[(&[&str], usize)]; 9] = [
        &[(&["PING"], 14)],
        &[(&["SET", "key", "va\\r\\nl"], 33), (&["GET", "key"], 22)],
        &[(&["ECHO", ""], 20)],
        &[(&["PING"], 6)],
        &[(&["PING"], 5)],
        &[(&["SET", "k", "a A\\n", "it\\'s"], 26), (&["GET", "k"], 7)],
        &[(&["ECHO", "hi"], 9)],
        &[(&["x"], 11), (&["PING"], 6), (&["PING"], 14)],
        &[
            (&["SELECT", "0"], 23),
            (&["SET", "\\x00\\xff", &"v".repeat(300)], 329),
            (&["PING"], 14),
        ],
    ];
    for (input, expected) in fixtures.iter().zip(expected) {
        let actual: Vec<_> = commands(input, &[])
            .expect("valid")
            .iter()
            .map(render_command)
            .collect();
        let expected: Vec<_> = expected
            .iter()
            .map(|(args, wire_len)| {
                (
                    args.iter().map(|arg| arg.to_string()).collect::<Vec<_>>(),
                    *wire_len,
                )
            })
            .collect();
        assert_eq!(actual, expected, "{}", escape(input));
    }
}

#[test]
fn wire_lengths_of_a_multibulk_stream_add_up() {
    let input = &command_fixtures()[8];
    let total: usize = commands(input, &[])
        .expect("valid")
        .iter()
        .map(|command| command.wire_len)
        .sum();
    assert_eq!(total, input.len());
}
