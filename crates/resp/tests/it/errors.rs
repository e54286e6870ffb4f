//! Oversize lengths and junk give Redis's exact protocol errors, whole or fed byte by byte.

use resp::{Limits, ProtocolError};

use crate::support::{commands, escape, every_byte, frames};

/// Decodes `input` whole and byte by byte; both must fail with exactly `expected` as `Display` text.
fn check_command_error(input: &[u8], expected: &str) {
    for cuts in [Vec::new(), every_byte(input)] {
        match commands(input, &cuts) {
            Err(error) => assert_eq!(
                error.to_string(),
                expected,
                "{}",
                escape(&input[..input.len().min(80)])
            ),
            Ok(decoded) => panic!(
                "{}: expected {expected:?}, decoded {decoded:?}",
                escape(&input[..input.len().min(80)])
            ),
        }
    }
}

#[test]
fn display_texts_are_redis_texts() {
    let cases = [
        (
            ProtocolError::InvalidMultibulkLength,
            "Protocol error: invalid multibulk length",
        ),
        (
            ProtocolError::InvalidBulkLength,
            "Protocol error: invalid bulk length",
        ),
        (
            ProtocolError::ExpectedDollar('x'),
            "Protocol error: expected '$', got 'x'",
        ),
        (
            ProtocolError::TooBigInlineRequest,
            "Protocol error: too big inline request",
        ),
        (
            ProtocolError::TooBigMultibulkCount,
            "Protocol error: too big mbulk count string",
        ),
        (
            ProtocolError::TooBigBulkCount,
            "Protocol error: too big bulk count string",
        ),
        (
            ProtocolError::UnbalancedQuotes,
            "Protocol error: unbalanced quotes in request",
        ),
    ];
    for (error, text) in cases {
        assert_eq!(error.to_string(), text);
        // What a client reads before Redis closes the connection.
        assert_eq!(
            format!("-ERR {error}\r\n").as_bytes(),
            format!("-ERR {text}\r\n").as_bytes()
        );
    }
}

#[test]
fn invalid_multibulk_length() {
    let expected = "Protocol error: invalid multibulk length";
    check_command_error(b"*abc\r\n", expected);
    check_command_error(b"*\r\n", expected);
    check_command_error(b"*+1\r\n", expected);
    check_command_error(b"*01\r\n", expected);
    check_command_error(b"*2147483648\r\n", expected);
    check_command_error(b"*99999999999999999999999\r\n", expected);
    check_command_error(b"*3 \r\n", expected);
    // A count line ended by a bare `\n` runs into the next line, as in Redis.
    check_command_error(b"*1\n$4\r\nPING\r\n", expected);
}

#[test]
fn largest_multibulk_count_is_accepted() {
    assert!(
        commands(b"*2147483647\r\n", &[])
            .expect("within the limit")
            .is_empty()
    );
}

#[test]
fn invalid_bulk_length() {
    let expected = "Protocol error: invalid bulk length";
    check_command_error(b"*1\r\n$-1\r\n", expected);
    check_command_error(b"*1\r\n$abc\r\n", expected);
    check_command_error(b"*1\r\n$\r\n", expected);
    check_command_error(b"*1\r\n$536870913\r\n", expected);
    check_command_error(b"*2\r\n$3\r\nGET\r\n$99999999999999999999\r\n", expected);
}

#[test]
fn expected_dollar() {
    check_command_error(b"*1\r\nPING\r\n", "Protocol error: expected '$', got 'P'");
    check_command_error(
        b"*2\r\n$3\r\nGET\r\n:1\r\n",
        "Protocol error: expected '$', got ':'",
    );
}

#[test]
fn too_big_length_lines() {
    let limit = Limits::default().max_inline_len;
    let mut count_line = b"*".to_vec();
    count_line.resize(limit + 1, b'1');
    check_command_error(&count_line, "Protocol error: too big mbulk count string");
    let mut bulk_line = b"*1\r\n$".to_vec();
    bulk_line.resize(limit + 5, b'1');
    check_command_error(&bulk_line, "Protocol error: too big bulk count string");
    // Exactly at the limit Redis still waits for more.
    count_line.truncate(limit);
    assert!(
        commands(&count_line, &[])
            .expect("still waiting")
            .is_empty()
    );
}

#[test]
fn too_big_inline_request() {
    let limit = Limits::default().max_inline_len;
    let line = vec![b'a'; limit + 1];
    check_command_error(&line, "Protocol error: too big inline request");
    assert!(
        commands(&line[..limit], &[])
            .expect("still waiting")
            .is_empty()
    );
}

#[test]
fn unbalanced_quotes() {
    let expected = "Protocol error: unbalanced quotes in request";
    check_command_error(b"SET \"a\r\n", expected);
    check_command_error(b"SET 'a\r\n", expected);
    check_command_error(b"SET \"a\"b\r\n", expected);
}

#[test]
fn errors_come_after_the_commands_before_them() {
    let input = b"*1\r\n$4\r\nPING\r\n*x\r\n";
    let mut decoder = resp::CommandDecoder::default();
    let mut src = bytes::BytesMut::from(&input[..]);
    let first = tokio_util::codec::Decoder::decode(&mut decoder, &mut src)
        .expect("first is valid")
        .expect("complete");
    assert_eq!(first.wire_len, 14);
    assert_eq!(
        tokio_util::codec::Decoder::decode(&mut decoder, &mut src),
        Err(ProtocolError::InvalidMultibulkLength)
    );
}

#[test]
fn reply_decoder_rejects_junk_with_protocol_errors() {
    let cases: [(&[u8], &str); 5] = [
        (
            b"*2147483648\r\n",
            "Protocol error: invalid multibulk length",
        ),
        (b"$536870913\r\n", "Protocol error: invalid bulk length"),
        (b"@\r\n", "Protocol error: unexpected type byte '@'"),
        (
            b":1\n",
            "Protocol error: expected CRLF at the end of a line",
        ),
        (
            b"$3\r\nabcd\r\n",
            "Protocol error: expected CRLF after bulk data",
        ),
    ];
    for (input, expected) in cases {
        for cuts in [Vec::new(), every_byte(input)] {
            let error = frames(input, &cuts).expect_err("junk");
            assert_eq!(error.to_string(), expected, "{}", escape(input));
        }
    }
}
