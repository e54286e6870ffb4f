//! The error texts commands share, byte for byte as Redis 7.0 sends them: the generic ones (syntax, arity,
//! unknown command or subcommand, integers and floats) and those of the data commands. The server adds its own
//! (authentication, replication, transactions) in `server::errors`, which re-exports these.

use resp::Frame;

/// `-ERR syntax error`
pub const SYNTAX: &str = "ERR syntax error";

/// `-ERR value is not an integer or out of range`
pub const NOT_INTEGER: &str = "ERR value is not an integer or out of range";

/// `-ERR increment or decrement would overflow`
pub const OVERFLOW: &str = "ERR increment or decrement would overflow";

/// `-WRONGTYPE ...`
pub const WRONG_TYPE: &str = "WRONGTYPE Operation against a key holding the wrong kind of value";

/// `-ERR no such key`
pub const NO_SUCH_KEY: &str = "ERR no such key";

/// An integer argument that must fit in a C `int` (`getIntFromObjectOrReply`), e.g. SELECT's index.
pub const INT_OUT_OF_RANGE: &str =
    "ERR value is out of range, value must between -2147483648 and 2147483647";

/// `-ERR DB index is out of range`
pub const DB_INDEX_OUT_OF_RANGE: &str = "ERR DB index is out of range";

/// `-ERR invalid expire time in '<cmd>' command`, see [`invalid_expire`].
pub const NOT_VALID_FLOAT: &str = "ERR value is not a valid float";

/// `-ERR string exceeds maximum allowed size (proto-max-bulk-len)`
pub const STRING_TOO_LONG: &str = "ERR string exceeds maximum allowed size (proto-max-bulk-len)";

/// `-ERR invalid cursor`
pub const INVALID_CURSOR: &str = "ERR invalid cursor";

/// `-ERR source and destination objects are the same`
pub const SAME_OBJECT: &str = "ERR source and destination objects are the same";

/// `-ERR index out of range` (LSET).
pub const INDEX_OUT_OF_RANGE: &str = "ERR index out of range";

/// A count that must be zero or more (`getPositiveLongFromObjectOrReply` without a message), also for a
/// non-integer.
pub const MUST_BE_POSITIVE: &str = "ERR value is out of range, must be positive";

/// A blocking command's timeout that is not a number.
pub const TIMEOUT_NOT_FLOAT: &str = "ERR timeout is not a float or out of range";

/// A blocking command's timeout below zero.
pub const TIMEOUT_NEGATIVE: &str = "ERR timeout is negative";

/// `LPOS ... RANK 0`.
pub const LPOS_RANK_ZERO: &str = "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list";

/// `LPOS ... COUNT` below zero or not an integer.
pub const LPOS_COUNT_NEGATIVE: &str = "ERR COUNT can't be negative";

/// `LPOS ... MAXLEN` below zero or not an integer.
pub const LPOS_MAXLEN_NEGATIVE: &str = "ERR MAXLEN can't be negative";

/// An error reply from its full text.
pub fn reply(text: &str) -> Frame {
    Frame::Error(bytes::Bytes::copy_from_slice(text.as_bytes()))
}

/// `-ERR wrong number of arguments for 'get' command` (the name as Redis shows it: lower case).
pub fn wrong_arity(command: &str) -> Frame {
    reply(&format!(
        "ERR wrong number of arguments for '{}' command",
        command.to_ascii_lowercase()
    ))
}

/// `-ERR unknown command 'foo', with args beginning with: 'a' 'b' `
///
/// As Redis formats it: the name cut at 128 bytes; arguments appended while the list is shorter than 128
/// bytes, each cut so the list stops near 128 (`'%.*s' `); bytes are kept as sent, except that C formatting
/// stops at a NUL and `\r`/`\n` become spaces (`rejectCommandFormat`).
pub fn unknown_command(name: &[u8], args: &[bytes::Bytes]) -> Frame {
    let mut shown_args = Vec::new();
    for arg in args {
        if shown_args.len() >= 128 {
            break;
        }
        let room = 128 - shown_args.len();
        shown_args.push(b'\'');
        shown_args.extend_from_slice(c_string(arg, room));
        shown_args.extend_from_slice(b"' ");
    }
    let mut text = b"ERR unknown command '".to_vec();
    text.extend_from_slice(c_string(name, 128));
    text.extend_from_slice(b"', with args beginning with: ");
    text.extend_from_slice(&shown_args);
    reply_bytes(text)
}

/// `-ERR unknown subcommand 'x'. Try CONFIG HELP.` (the subcommand cut at 128 bytes, as sent otherwise).
pub fn unknown_subcommand(subcommand: &[u8], command: &str) -> Frame {
    let mut text = b"ERR unknown subcommand '".to_vec();
    text.extend_from_slice(c_string(subcommand, 128));
    text.extend_from_slice(format!("'. Try {} HELP.", command.to_ascii_uppercase()).as_bytes());
    reply_bytes(text)
}

/// `-ERR unknown subcommand or wrong number of arguments for 'sub'. Try COMMAND HELP.` (Redis's
/// `addReplySubcommandSyntaxError`, for a known container whose handler rejects the subcommand or its arguments).
pub fn subcommand_syntax(subcommand: &[u8], command: &str) -> Frame {
    with_argument(
        "ERR unknown subcommand or wrong number of arguments for '",
        subcommand,
        &format!("'. Try {} HELP.", command.to_ascii_uppercase()),
    )
}

/// An error whose text embeds a client's argument (`-ERR Unsupported option <arg>`): `prefix`, the argument as
/// C's `%s` prints it, `suffix`.
pub fn with_argument(prefix: &str, argument: &[u8], suffix: &str) -> Frame {
    let mut text = prefix.as_bytes().to_vec();
    text.extend_from_slice(c_string(argument, usize::MAX));
    text.extend_from_slice(suffix.as_bytes());
    reply_bytes(text)
}

/// `-ERR invalid expire time in 'set' command`
pub fn invalid_expire(command: &str) -> Frame {
    reply(&format!(
        "ERR invalid expire time in '{}' command",
        command.to_ascii_lowercase()
    ))
}

/// An error reply from raw bytes, with `\r` and `\n` turned into spaces as Redis does for every formatted
/// error, so a client's argument can never break the reply line.
pub fn reply_bytes(mut text: Vec<u8>) -> Frame {
    for byte in &mut text {
        if matches!(*byte, b'\r' | b'\n') {
            *byte = b' ';
        }
    }
    Frame::Error(bytes::Bytes::from(text))
}

/// What C's `%.<max>s` prints of `bytes`: up to the first NUL, at most `max` bytes.
pub(crate) fn c_string(bytes: &[u8], max: usize) -> &[u8] {
    let end = bytes
        .iter()
        .position(|&byte| byte == 0)
        .unwrap_or(bytes.len())
        .min(max);
    &bytes[..end]
}

/// A `HELP` subcommand's reply: one status line per text line, as Redis's `addReplyHelp` sends them.
pub fn help_lines(lines: &[&'static str]) -> Frame {
    Frame::Array(
        lines
            .iter()
            .map(|line| Frame::Simple(bytes::Bytes::from_static(line.as_bytes())))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(frame: Frame) -> String {
        match frame {
            Frame::Error(text) => String::from_utf8(text.to_vec()).unwrap(),
            other => panic!("not an error: {other:?}"),
        }
    }

    #[test]
    fn formatted_errors_match_redis_byte_for_byte() {
        assert_eq!(
            text(wrong_arity("GET")),
            "ERR wrong number of arguments for 'get' command"
        );
        assert_eq!(
            text(unknown_command(
                b"foo",
                &[bytes::Bytes::from("a"), bytes::Bytes::from("b")]
            )),
            "ERR unknown command 'foo', with args beginning with: 'a' 'b' "
        );
        assert_eq!(
            text(unknown_command(b"foo", &[])),
            "ERR unknown command 'foo', with args beginning with: "
        );
        assert_eq!(
            text(invalid_expire("SET")),
            "ERR invalid expire time in 'set' command"
        );
        assert_eq!(
            text(unknown_subcommand(b"foo", "config")),
            "ERR unknown subcommand 'foo'. Try CONFIG HELP."
        );
    }

    #[test]
    fn echoed_arguments_are_cut_and_kept_like_redis() {
        let args: Vec<bytes::Bytes> = (0..50).map(|i| format!("arg{i:03}").into()).collect();
        assert_eq!(
            text(unknown_command(b"FOO", &args)),
            "ERR unknown command 'FOO', with args beginning with: 'arg000' 'arg001' 'arg002' 'arg003' \
             'arg004' 'arg005' 'arg006' 'arg007' 'arg008' 'arg009' 'arg010' 'arg011' 'arg012' 'arg013' 'ar' "
        );
        let Frame::Error(raw) =
            unknown_command(b"F\tO", &[bytes::Bytes::from_static(b"\xff\r\n\x01x\0y")])
        else {
            panic!("an error reply");
        };
        assert_eq!(
            &raw[..],
            b"ERR unknown command 'F\tO', with args beginning with: '\xff  \x01x' "
        );
    }
}
