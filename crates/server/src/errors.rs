//! Every error text a client can see, in one place, byte for byte as Redis 7.0 sends them.

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
/// `-ERR DB index is out of range`
pub const DB_INDEX_OUT_OF_RANGE: &str = "ERR DB index is out of range";
/// `-NOAUTH Authentication required.`
pub const NOAUTH: &str = "NOAUTH Authentication required.";
/// `HELLO` on a connection that is not authenticated and gave no `AUTH` option. Redis 7.0.15 sends
/// `HELLO AUTH <user> <pass>` here (no `<proto>`), as observed on the wire.
pub const HELLO_NOAUTH: &str = "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time";
/// `-WRONGPASS ...`
pub const WRONGPASS: &str = "WRONGPASS invalid username-password pair or user is disabled.";
/// AUTH when no password is configured.
pub const AUTH_WITHOUT_PASSWORD: &str = "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?";
/// `-READONLY ...`
pub const READONLY: &str = "READONLY You can't write against a read only replica.";
/// `-MASTERDOWN ...`
pub const MASTERDOWN: &str =
    "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.";
/// `-ERR Invalid master port`
pub const INVALID_MASTER_PORT: &str = "ERR Invalid master port";
/// `-NOMASTERLINK ...`
pub const NOMASTERLINK: &str = "NOMASTERLINK Can't SYNC while not connected with my master";
/// `-ERR invalid expire time in '<cmd>' command`, see [`invalid_expire`].
pub const NOT_VALID_FLOAT: &str = "ERR value is not a valid float";
/// `-ERR Background save already in progress`
pub const BGSAVE_IN_PROGRESS: &str = "ERR Background save already in progress";
/// `-ERR Command is not valid when client is a replica.`
pub const NOT_VALID_FROM_REPLICA: &str = "ERR Command is not valid when client is a replica.";
/// `-ERR string exceeds maximum allowed size (proto-max-bulk-len)`
pub const STRING_TOO_LONG: &str = "ERR string exceeds maximum allowed size (proto-max-bulk-len)";

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
pub fn unknown_command(name: &[u8], args: &[bytes::Bytes]) -> Frame {
    let mut text = format!(
        "ERR unknown command '{}', with args beginning with: ",
        printable(name)
    );
    for arg in args.iter().take(128) {
        text.push_str(&format!("'{}' ", printable(arg)));
    }
    reply(&text)
}

/// `-ERR unknown subcommand 'x'. Try CONFIG HELP.`
pub fn unknown_subcommand(subcommand: &[u8], command: &str) -> Frame {
    reply(&format!(
        "ERR unknown subcommand '{}'. Try {} HELP.",
        printable(subcommand),
        command.to_ascii_uppercase()
    ))
}

/// `-ERR invalid expire time in 'set' command`
pub fn invalid_expire(command: &str) -> Frame {
    reply(&format!(
        "ERR invalid expire time in '{}' command",
        command.to_ascii_lowercase()
    ))
}

/// Redis truncates echoed arguments and never lets control characters through in error lines.
fn printable(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(128)]);
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
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
}
