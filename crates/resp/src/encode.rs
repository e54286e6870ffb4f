//! Encoding frames to bytes, for either protocol version.

use bytes::{BufMut, BytesMut};
use tokio_util::codec::Encoder;

use crate::number::{
    DoubleBuf, MAX_INTEGER_DIGITS, decimal_len, format_double_into, format_i64, format_u64,
};
use crate::{Frame, Protocol};

/// Appends the encoding of `frame` to `dst`; RESP3-only types are downgraded when `protocol` is RESP2.
///
/// The RESP2 forms are Redis's: a map becomes a flat array of its 2N keys and values, a set or push an
/// array, a double a bulk string rendered like `%.17g` (`3`, `1.5`, `inf`), a boolean the integer 1 or 0,
/// a big number or verbatim string a bulk string (of the text, without the `txt:` prefix), a bulk error a
/// simple error, and both nulls `$-1` / `*-1`; in RESP3 both nulls are `_`. A `\r` or `\n` inside a simple
/// string or error is sent as a space, as Redis does for error replies, so the stream stays well framed.
pub fn encode_frame(frame: &Frame, protocol: Protocol, dst: &mut BytesMut) {
    let resp3 = protocol == Protocol::Resp3;
    match frame {
        Frame::Simple(text) => put_simple_line(dst, b'+', text),
        Frame::Error(text) => put_simple_line(dst, b'-', text),
        Frame::Integer(value) => put_integer_line(dst, b':', *value),
        Frame::Bulk(data) => put_blob(dst, b'$', data),
        Frame::Null => dst.put_slice(if resp3 { b"_\r\n" } else { b"$-1\r\n" }),
        Frame::NullArray => dst.put_slice(if resp3 { b"_\r\n" } else { b"*-1\r\n" }),
        Frame::Array(items) => put_aggregate(dst, b'*', items, protocol),
        Frame::Set(items) => put_aggregate(dst, if resp3 { b'~' } else { b'*' }, items, protocol),
        Frame::Push(items) => put_aggregate(dst, if resp3 { b'>' } else { b'*' }, items, protocol),
        Frame::Map(pairs) => {
            if resp3 {
                put_header(dst, b'%', pairs.len());
            } else {
                put_header(dst, b'*', pairs.len().saturating_mul(2));
            }
            for (key, value) in pairs {
                encode_frame(key, protocol, dst);
                encode_frame(value, protocol, dst);
            }
        }
        Frame::Double(value) => {
            let mut buf = DoubleBuf::new();
            let text = format_double_into(*value, &mut buf);
            if resp3 {
                put_line(dst, b',', text);
            } else {
                put_blob(dst, b'$', text);
            }
        }
        Frame::Boolean(value) => dst.put_slice(match (resp3, value) {
            (true, true) => b"#t\r\n",
            (true, false) => b"#f\r\n",
            (false, true) => b":1\r\n",
            (false, false) => b":0\r\n",
        }),
        Frame::BigNumber(digits) => {
            if resp3 {
                put_simple_line(dst, b'(', digits);
            } else {
                put_blob(dst, b'$', digits);
            }
        }
        Frame::Verbatim { format, text } => {
            if resp3 {
                put_header(dst, b'=', text.len() + 4);
                dst.reserve(text.len() + 6);
                dst.put_slice(format);
                dst.put_u8(b':');
                dst.put_slice(text);
                dst.put_slice(b"\r\n");
            } else {
                put_blob(dst, b'$', text);
            }
        }
        Frame::BulkError(text) => {
            if resp3 {
                put_blob(dst, b'!', text);
            } else {
                put_simple_line(dst, b'-', text);
            }
        }
    }
}

/// Appends `*N\r\n$len\r\narg\r\n...`: the form of every request and every replicated command.
///
/// The exact size is computed first so `dst` grows at most once, and lengths are formatted on the stack.
pub fn encode_command<A: AsRef<[u8]>>(args: &[A], dst: &mut BytesMut) {
    let mut total = decimal_len(args.len()) + 3;
    for arg in args {
        let len = arg.as_ref().len();
        total += decimal_len(len) + len + 5;
    }
    dst.reserve(total);
    put_header(dst, b'*', args.len());
    for arg in args {
        let arg = arg.as_ref();
        put_header(dst, b'$', arg.len());
        dst.put_slice(arg);
        dst.put_slice(b"\r\n");
    }
}

/// A tokio-util `Encoder` for frames in a fixed protocol.
#[derive(Debug, Default, Clone, Copy)]
pub struct FrameEncoder {
    /// The protocol to encode in.
    pub protocol: Protocol,
}

impl Encoder<&Frame> for FrameEncoder {
    type Error = std::io::Error;

    fn encode(&mut self, frame: &Frame, dst: &mut BytesMut) -> Result<(), std::io::Error> {
        encode_frame(frame, self.protocol, dst);
        Ok(())
    }
}

/// `<type><len>\r\n` in one write.
fn put_header(dst: &mut BytesMut, type_byte: u8, len: usize) {
    let mut digits = [0u8; MAX_INTEGER_DIGITS];
    put_number_line(dst, type_byte, format_u64(len as u64, &mut digits));
}

fn put_integer_line(dst: &mut BytesMut, type_byte: u8, value: i64) {
    let mut digits = [0u8; MAX_INTEGER_DIGITS];
    put_number_line(dst, type_byte, format_i64(value, &mut digits));
}

fn put_number_line(dst: &mut BytesMut, type_byte: u8, digits: &[u8]) {
    // Assembling the line on the stack turns four small appends into one.
    let mut line = [0u8; MAX_INTEGER_DIGITS + 3];
    line[0] = type_byte;
    line[1..=digits.len()].copy_from_slice(digits);
    line[digits.len() + 1..digits.len() + 3].copy_from_slice(b"\r\n");
    dst.put_slice(&line[..digits.len() + 3]);
}

fn put_line(dst: &mut BytesMut, type_byte: u8, text: &[u8]) {
    dst.reserve(text.len() + 3);
    dst.put_u8(type_byte);
    dst.put_slice(text);
    dst.put_slice(b"\r\n");
}

fn put_simple_line(dst: &mut BytesMut, type_byte: u8, text: &[u8]) {
    if !text.iter().any(|&byte| byte == b'\r' || byte == b'\n') {
        put_line(dst, type_byte, text);
        return;
    }
    dst.reserve(text.len() + 3);
    dst.put_u8(type_byte);
    for &byte in text {
        dst.put_u8(if byte == b'\r' || byte == b'\n' {
            b' '
        } else {
            byte
        });
    }
    dst.put_slice(b"\r\n");
}

fn put_blob(dst: &mut BytesMut, type_byte: u8, data: &[u8]) {
    dst.reserve(decimal_len(data.len()) + data.len() + 5);
    put_header(dst, type_byte, data.len());
    dst.put_slice(data);
    dst.put_slice(b"\r\n");
}

fn put_aggregate(dst: &mut BytesMut, type_byte: u8, items: &[Frame], protocol: Protocol) {
    put_header(dst, type_byte, items.len());
    for item in items {
        encode_frame(item, protocol, dst);
    }
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;

    use super::*;

    fn check(frame: Frame, resp2: &[u8], resp3: &[u8]) {
        for (protocol, expected) in [(Protocol::Resp2, resp2), (Protocol::Resp3, resp3)] {
            let mut dst = BytesMut::new();
            encode_frame(&frame, protocol, &mut dst);
            assert_eq!(
                String::from_utf8_lossy(&dst),
                String::from_utf8_lossy(expected),
                "{frame:?} in {protocol:?}"
            );
        }
    }

    #[test]
    fn scalars_in_both_protocols() {
        check(Frame::ok(), b"+OK\r\n", b"+OK\r\n");
        check(Frame::error("ERR x"), b"-ERR x\r\n", b"-ERR x\r\n");
        check(Frame::Integer(-7), b":-7\r\n", b":-7\r\n");
        check(Frame::bulk("foo"), b"$3\r\nfoo\r\n", b"$3\r\nfoo\r\n");
        check(Frame::Null, b"$-1\r\n", b"_\r\n");
        check(Frame::NullArray, b"*-1\r\n", b"_\r\n");
        check(Frame::Double(3.0), b"$1\r\n3\r\n", b",3\r\n");
        check(Frame::Double(1.5), b"$3\r\n1.5\r\n", b",1.5\r\n");
        check(Frame::Double(f64::INFINITY), b"$3\r\ninf\r\n", b",inf\r\n");
        check(
            Frame::Double(f64::NEG_INFINITY),
            b"$4\r\n-inf\r\n",
            b",-inf\r\n",
        );
        check(Frame::Double(f64::NAN), b"$3\r\nnan\r\n", b",nan\r\n");
        check(Frame::Boolean(true), b":1\r\n", b"#t\r\n");
        check(Frame::Boolean(false), b":0\r\n", b"#f\r\n");
        check(
            Frame::BigNumber(Bytes::from_static(b"12345678901234567890")),
            b"$20\r\n12345678901234567890\r\n",
            b"(12345678901234567890\r\n",
        );
        check(
            Frame::Verbatim {
                format: *b"txt",
                text: Bytes::from_static(b"hi"),
            },
            b"$2\r\nhi\r\n",
            b"=6\r\ntxt:hi\r\n",
        );
        check(
            Frame::BulkError(Bytes::from_static(b"ERR x")),
            b"-ERR x\r\n",
            b"!5\r\nERR x\r\n",
        );
    }

    #[test]
    fn aggregates_in_both_protocols() {
        check(Frame::Array(vec![]), b"*0\r\n", b"*0\r\n");
        check(
            Frame::Array(vec![Frame::Integer(1), Frame::Null]),
            b"*2\r\n:1\r\n$-1\r\n",
            b"*2\r\n:1\r\n_\r\n",
        );
        check(
            Frame::Map(vec![
                (Frame::bulk("a"), Frame::Double(0.5)),
                (Frame::bulk("b"), Frame::Boolean(true)),
            ]),
            b"*4\r\n$1\r\na\r\n$3\r\n0.5\r\n$1\r\nb\r\n:1\r\n",
            b"%2\r\n$1\r\na\r\n,0.5\r\n$1\r\nb\r\n#t\r\n",
        );
        check(
            Frame::Set(vec![Frame::Integer(1)]),
            b"*1\r\n:1\r\n",
            b"~1\r\n:1\r\n",
        );
        check(
            Frame::Push(vec![Frame::bulk("message")]),
            b"*1\r\n$7\r\nmessage\r\n",
            b">1\r\n$7\r\nmessage\r\n",
        );
    }

    #[test]
    fn line_breaks_in_simple_strings_become_spaces() {
        check(
            Frame::error("ERR a\r\nb"),
            b"-ERR a  b\r\n",
            b"-ERR a  b\r\n",
        );
        check(
            Frame::BulkError(Bytes::from_static(b"ERR a\nb")),
            b"-ERR a b\r\n",
            b"!7\r\nERR a\nb\r\n",
        );
    }

    #[test]
    fn commands() {
        let mut dst = BytesMut::new();
        encode_command(&["SET", "key", ""], &mut dst);
        assert_eq!(&dst[..], b"*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$0\r\n\r\n");
        let big = vec![b'x'; 12345];
        let mut dst = BytesMut::new();
        encode_command(&[&big[..]], &mut dst);
        assert_eq!(&dst[..13], b"*1\r\n$12345\r\nx");
        assert_eq!(dst.len(), 13 + 12345 + 1);
        let mut via_frame = BytesMut::new();
        encode_frame(
            &Frame::command([Bytes::from(big)]),
            Protocol::Resp2,
            &mut via_frame,
        );
        assert_eq!(dst, via_frame);
    }

    #[test]
    fn command_reserves_exactly_once() {
        let args: Vec<String> = (0..100).map(|index| format!("argument-{index}")).collect();
        let mut dst = BytesMut::new();
        encode_command(&args, &mut dst);
        assert_eq!(dst.len(), dst.capacity());
    }

    #[test]
    fn encoder_trait() {
        let mut dst = BytesMut::new();
        FrameEncoder {
            protocol: Protocol::Resp3,
        }
        .encode(&Frame::Null, &mut dst)
        .expect("infallible");
        assert_eq!(&dst[..], b"_\r\n");
    }
}
