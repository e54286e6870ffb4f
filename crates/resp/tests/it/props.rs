//! Property tests: encode then decode is the identity (cut anywhere), quoting round-trips through
//! `split_args`, and random bytes never panic either decoder.

use bytes::{Bytes, BytesMut};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::Index;
use resp::{
    CommandDecoder, Frame, FrameDecoder, Limits, Protocol, encode_command, encode_frame, split_args,
};

use crate::support::{commands, feed, frames};

/// Any frame the RESP3 encoding can carry back unchanged: no NaN (it never equals itself), no
/// `NullArray` (RESP3 has one null), and line-based text without CR or LF.
fn frame() -> impl Strategy<Value = Frame> {
    let line = "[^\r\n]{0,16}".prop_map(|text| Bytes::from(text.into_bytes()));
    let blob = vec(any::<u8>(), 0..48).prop_map(Bytes::from);
    let leaf = prop_oneof![
        line.clone().prop_map(Frame::Simple),
        line.prop_map(Frame::Error),
        any::<i64>().prop_map(Frame::Integer),
        blob.clone().prop_map(Frame::Bulk),
        Just(Frame::Null),
        any::<f64>()
            .prop_filter("NaN is not equal to itself", |value| !value.is_nan())
            .prop_map(Frame::Double),
        any::<bool>().prop_map(Frame::Boolean),
        "-?[0-9]{1,40}".prop_map(|digits| Frame::BigNumber(Bytes::from(digits.into_bytes()))),
        (any::<[u8; 3]>(), blob.clone())
            .prop_map(|(format, text)| Frame::Verbatim { format, text }),
        blob.prop_map(Frame::BulkError),
    ];
    leaf.prop_recursive(4, 64, 6, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..6).prop_map(Frame::Array),
            vec((inner.clone(), inner.clone()), 0..4).prop_map(Frame::Map),
            vec(inner.clone(), 0..6).prop_map(Frame::Set),
            vec(inner, 0..6).prop_map(Frame::Push),
        ]
    })
}

/// Up to five cut points anywhere in an input of `len` bytes.
fn cuts(indices: &[Index], len: usize) -> Vec<usize> {
    let mut cuts: Vec<usize> = indices.iter().map(|index| index.index(len + 1)).collect();
    cuts.sort_unstable();
    cuts
}

fn encode_all(frames: &[Frame], protocol: Protocol) -> BytesMut {
    let mut encoded = BytesMut::new();
    for frame in frames {
        encode_frame(frame, protocol, &mut encoded);
    }
    encoded
}

/// Quotes an argument the way redis-cli prints one (`sdscatrepr`), so `split_args` must give it back.
fn quote(arg: &[u8]) -> String {
    let mut quoted = String::from("\"");
    for &byte in arg {
        match byte {
            b'\\' => quoted.push_str("\\\\"),
            b'"' => quoted.push_str("\\\""),
            b'\n' => quoted.push_str("\\n"),
            b'\r' => quoted.push_str("\\r"),
            b'\t' => quoted.push_str("\\t"),
            0x07 => quoted.push_str("\\a"),
            0x08 => quoted.push_str("\\b"),
            0x20..=0x7e => quoted.push(char::from(byte)),
            _ => quoted.push_str(&format!("\\x{byte:02x}")),
        }
    }
    quoted.push('"');
    quoted
}

proptest! {
    #[test]
    fn resp3_frames_round_trip(input in vec(frame(), 1..4), indices in vec(any::<Index>(), 0..5)) {
        let encoded = encode_all(&input, Protocol::Resp3);
        let decoded = frames(&encoded, &cuts(&indices, encoded.len())).expect("own encoding is valid");
        prop_assert_eq!(decoded, input);
    }

    #[test]
    fn resp2_encoding_is_stable_through_a_decode(input in vec(frame(), 1..4), indices in vec(any::<Index>(), 0..5)) {
        // RESP2 loses the RESP3 types, so the decoded frames differ; re-encoding them must not.
        let encoded = encode_all(&input, Protocol::Resp2);
        let decoded = frames(&encoded, &cuts(&indices, encoded.len())).expect("own encoding is valid");
        prop_assert_eq!(encode_all(&decoded, Protocol::Resp2), encoded);
    }

    #[test]
    fn commands_round_trip(
        input in vec(vec(vec(any::<u8>(), 0..40), 1..6), 1..5),
        indices in vec(any::<Index>(), 0..5),
    ) {
        let mut encoded = BytesMut::new();
        let mut lengths = Vec::new();
        for args in &input {
            let before = encoded.len();
            encode_command(args, &mut encoded);
            lengths.push(encoded.len() - before);
        }
        let decoded = commands(&encoded, &cuts(&indices, encoded.len())).expect("own encoding is valid");
        let decoded_args: Vec<Vec<Vec<u8>>> =
            decoded.iter().map(|command| command.args.iter().map(|arg| arg.to_vec()).collect()).collect();
        prop_assert_eq!(decoded_args, input);
        let wire_lengths: Vec<usize> = decoded.iter().map(|command| command.wire_len).collect();
        prop_assert_eq!(wire_lengths, lengths);
    }

    #[test]
    fn quoted_inline_commands_round_trip(
        input in vec(vec(any::<u8>(), 0..24), 1..6),
        indices in vec(any::<Index>(), 0..5),
    ) {
        let line: Vec<String> = input.iter().map(|arg| quote(arg)).collect();
        let line = line.join(" ");
        let split: Vec<Vec<u8>> = split_args(line.as_bytes()).expect("balanced").iter().map(|arg| arg.to_vec()).collect();
        prop_assert_eq!(&split, &input);
        let request = format!("{line}\r\n");
        let decoded = commands(request.as_bytes(), &cuts(&indices, request.len())).expect("balanced");
        prop_assert_eq!(decoded.len(), 1);
        let args: Vec<Vec<u8>> = decoded[0].args.iter().map(|arg| arg.to_vec()).collect();
        prop_assert_eq!(args, input);
        prop_assert_eq!(decoded[0].wire_len, request.len());
    }

    #[test]
    fn random_bytes_never_panic(input in vec(any::<u8>(), 0..512), indices in vec(any::<Index>(), 0..8)) {
        check_no_panic(&input, &cuts(&indices, input.len()));
    }

    #[test]
    fn protocol_flavoured_junk_never_panics(
        input in vec(prop::sample::select(&b"*$%~>|+-:,#_(=!\r\n\r\n0123-1 \"'\\xaz"[..]), 0..256),
        indices in vec(any::<Index>(), 0..8),
    ) {
        check_no_panic(&input, &cuts(&indices, input.len()));
    }

    #[test]
    fn split_args_never_panics(input in vec(any::<u8>(), 0..128)) {
        let _ = split_args(&input);
    }
}

/// Feeds junk to both decoders, with Redis's limits and with tiny ones (to reach the limit paths).
/// Errors are expected; a panic fails the property.
fn check_no_panic(input: &[u8], cuts: &[usize]) {
    let tiny = Limits {
        max_bulk_len: 8,
        max_multibulk_len: 4,
        max_inline_len: 16,
    };
    for limits in [Limits::default(), tiny] {
        let _ = feed(&mut CommandDecoder::new(limits), input, cuts);
        let _ = feed(&mut FrameDecoder::with_limits(limits), input, cuts);
    }
}
