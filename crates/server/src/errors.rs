//! Every error text a client can see, byte for byte as Redis 7.0 sends them: the shared and data-command texts
//! of [`commands::errors`], re-exported, and the server's own (authentication, replication, transactions).

use resp::Frame;

pub use commands::errors::*;

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

/// `-LOADING ...` (a command refused while a snapshot loads)
pub const LOADING: &str = "LOADING Redis is loading the dataset in memory";

/// `-NOSCRIPT ...` (`EVALSHA` of a script not in the cache)
pub const NOSCRIPT: &str = "NOSCRIPT No matching script. Please use EVAL.";

/// `-NOREPLICAS ...` (min-replicas-to-write not met)
pub const NOREPLICAS: &str = "NOREPLICAS Not enough good replicas to write.";

/// `WAIT` on a replica.
pub const WAIT_ON_REPLICA: &str = "ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a replica is configured to be writable (which is not the default) writes to replicas are just local and are not propagated.";

/// `-MASTERDOWN ...`
pub const MASTERDOWN: &str =
    "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.";

/// `-ERR Invalid master port`
pub const INVALID_MASTER_PORT: &str = "ERR Invalid master port";

/// `-NOMASTERLINK ...`
pub const NOMASTERLINK: &str = "NOMASTERLINK Can't SYNC while not connected with my master";

/// `-ERR Background save already in progress`
pub const BGSAVE_IN_PROGRESS: &str = "ERR Background save already in progress";

/// `-ERR Command is not valid when client is a replica.`
pub const NOT_VALID_FROM_REPLICA: &str = "ERR Command is not valid when client is a replica.";

/// `-ERR Command not allowed inside a transaction` (commands flagged no-multi).
pub const NOT_IN_MULTI: &str = "ERR Command not allowed inside a transaction";

/// `-ERR MULTI calls can not be nested`
pub const MULTI_NESTED: &str = "ERR MULTI calls can not be nested";

/// `-ERR EXEC without MULTI`
pub const EXEC_WITHOUT_MULTI: &str = "ERR EXEC without MULTI";

/// `-ERR DISCARD without MULTI`
pub const DISCARD_WITHOUT_MULTI: &str = "ERR DISCARD without MULTI";

/// `-ERR WATCH inside MULTI is not allowed`
pub const WATCH_IN_MULTI: &str = "ERR WATCH inside MULTI is not allowed";

/// `MONITOR` inside `MULTI` (run by `EXEC`, which expects one reply per command).
pub const MONITOR_DENY_BLOCKING: &str = "ERR MONITOR isn't allowed for DENY BLOCKING client";

/// `EXEC` after a command was refused while queueing.
pub const EXECABORT: &str = "EXECABORT Transaction discarded because of previous errors.";

/// Sent to clients blocked on keys when the server turns into a replica; the connection then closes.
pub const UNBLOCKED_ROLE_CHANGE: &str =
    "UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)";

/// A refused `EXEC`: `-EXECABORT Transaction discarded because of: <reason>`, the reason being the refusal
/// without the `ERR ` Redis adds only when sending an error on its own.
pub fn exec_abort_because(error: &Frame) -> Frame {
    let reason = match error {
        Frame::Error(text) => text.strip_prefix(b"ERR ").unwrap_or(text),
        _ => &b""[..],
    };
    let mut text = b"EXECABORT Transaction discarded because of: ".to_vec();
    text.extend_from_slice(reason);
    reply_bytes(text)
}

/// A RESP2 connection in subscribed mode ran something else (`name` as Redis 7 shows it: `config|get`).
pub fn pubsub_context(name: &str) -> Frame {
    reply_bytes(
        format!(
            "ERR Can't execute '{name}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET \
             are allowed in this context"
        )
        .into_bytes(),
    )
}

/// An error reply's text as Redis logs it in its `== CRITICAL ==` lines: the message alone for a plain
/// `ERR`, the code with its leading `-` otherwise (Redis logs what the handler passed in).
pub fn as_logged(text: &[u8]) -> String {
    let text = String::from_utf8_lossy(text);
    match text.strip_prefix("ERR ") {
        Some(message) => message.to_owned(),
        None => format!("-{text}"),
    }
}
