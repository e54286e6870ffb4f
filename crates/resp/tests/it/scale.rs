//! The no-quadratic-rescan guard: huge requests and replies arriving in small reads are decoded with the
//! bytes consumed as they are understood, so nothing is ever searched twice.

use bytes::BytesMut;
use resp::{CommandDecoder, Frame, FrameDecoder, Protocol, encode_command, encode_frame};
use tokio_util::codec::Decoder;

/// Feeds `input` in `chunk`-byte reads; after every read the decoder must leave at most `max_left`
/// bytes unconsumed, which is what rules out rescanning (consumed bytes cannot be looked at again).
fn feed_in_chunks<D: Decoder>(
    decoder: &mut D,
    input: &[u8],
    chunk: usize,
    max_left: usize,
) -> Vec<D::Item>
where
    D::Error: std::fmt::Debug,
{
    let mut items = Vec::new();
    let mut src = BytesMut::new();
    for piece in input.chunks(chunk) {
        src.extend_from_slice(piece);
        while let Some(item) = decoder.decode(&mut src).expect("valid input") {
            items.push(item);
        }
        assert!(src.len() <= max_left, "{} bytes left unconsumed", src.len());
    }
    assert!(src.is_empty());
    items
}

#[test]
fn a_200k_argument_multibulk_in_1k_reads() {
    let args: Vec<String> = (0..200_000)
        .map(|index| format!("member:{index}"))
        .collect();
    let mut encoded = BytesMut::new();
    encode_command(&args, &mut encoded);
    // One argument is at most 25 bytes on the wire, so less than that can ever wait in the buffer.
    let commands = feed_in_chunks(&mut CommandDecoder::default(), &encoded, 1024, 32);
    assert_eq!(commands.len(), 1);
    assert_eq!(commands[0].wire_len, encoded.len());
    assert_eq!(commands[0].args.len(), args.len());
    assert!(
        commands[0]
            .args
            .iter()
            .zip(&args)
            .all(|(decoded, sent)| decoded == sent.as_bytes())
    );
}

#[test]
fn a_200k_element_reply_in_1k_reads() {
    let reply = Frame::Array(
        (0..200_000)
            .map(|index| Frame::bulk(format!("value:{index}")))
            .collect(),
    );
    let mut encoded = BytesMut::new();
    encode_frame(&reply, Protocol::Resp2, &mut encoded);
    let decoded = feed_in_chunks(&mut FrameDecoder::new(), &encoded, 1024, 32);
    assert_eq!(decoded, vec![reply]);
}

#[test]
fn a_16mb_argument_in_4k_reads_grows_the_buffer_once() {
    let payload: Vec<u8> = (0..16 * 1024 * 1024)
        .map(|index: u32| index.to_le_bytes()[0])
        .collect();
    let mut encoded = BytesMut::new();
    encode_command(&[&b"SET"[..], b"big", &payload], &mut encoded);
    let mut decoder = CommandDecoder::default();
    let mut src = BytesMut::new();
    let mut capacity_once_known = None;
    let mut command = None;
    for piece in encoded.chunks(4096) {
        src.extend_from_slice(piece);
        if let Some(decoded) = decoder.decode(&mut src).expect("valid input") {
            command = Some(decoded);
        } else if decoder.is_mid_command() && src.capacity() > payload.len() {
            // Once the big length is known the room for it is reserved, so reads never reallocate again.
            let capacity = *capacity_once_known.get_or_insert(src.capacity());
            assert_eq!(src.capacity(), capacity);
        }
    }
    assert!(
        capacity_once_known.is_some(),
        "the buffer was never grown for the payload"
    );
    let command = command.expect("complete");
    assert_eq!(command.wire_len, encoded.len());
    assert_eq!(command.args[2].len(), payload.len());
    assert!(command.args[2] == payload);
}
