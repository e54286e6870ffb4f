//! The bridge types between scripts and the server: replies and the host callbacks.

/// A reply in Redis's protocol terms, both directions of the bridge.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// Simple string (`+OK`).
    Status(bytes::Bytes),
    /// Error reply: the full text without the leading `-` (e.g. `ERR unknown command`).
    Error(bytes::Bytes),
    /// Integer reply.
    Integer(i64),
    /// Bulk string.
    Bulk(bytes::Bytes),
    /// RESP2 null bulk string / RESP3 null.
    Nil,
    /// Array reply.
    Array(Vec<Reply>),
    /// RESP2 null array (`*-1`).
    NilArray,
    /// RESP3 map.
    Map(Vec<(Reply, Reply)>),
    /// RESP3 set.
    Set(Vec<Reply>),
    /// RESP3 double.
    Double(f64),
    /// RESP3 boolean.
    Boolean(bool),
    /// RESP3 big number (its decimal text).
    BigNumber(bytes::Bytes),
    /// RESP3 verbatim string with its three-byte format (e.g. `txt`).
    Verbatim {
        /// The format, such as `txt` or `mkd`.
        format: [u8; 3],
        /// The text.
        text: bytes::Bytes,
    },
}

/// What a running script can ask of the server.
pub trait Host {
    /// `redis.call` / `redis.pcall`: runs one command. Arguments are already converted: strings
    /// as-is, numbers formatted like Redis does (`%.17g`, so integral values print as integers).
    /// `resp` is the protocol the script selected (`redis.setresp`, 2 by default): with 2, the host
    /// answers in RESP2 shapes (maps as flat arrays, doubles as bulk strings), as Redis does.
    fn call(&mut self, args: Vec<bytes::Bytes>, resp: u8) -> Reply;

    /// Called regularly (at least every 1000 loop iterations or calls) while the script runs.
    /// Returning `Some(error_text)` aborts the script immediately with
    /// [`crate::LuaError::Aborted`]; `pcall` cannot catch it.
    fn check_abort(&mut self) -> Option<String>;

    /// `redis.log(level, message...)`, the message parts already joined with spaces.
    fn log(&mut self, level: i64, message: &[u8]);

    /// `redis.set_repl(flags)`; an `Err(text)` raises a Lua error `{err=text}`, the text being
    /// an error reply's text such as `ERR ...`.
    fn set_repl(&mut self, flags: i64) -> Result<(), String> {
        let _ = flags;
        Ok(())
    }

    /// `redis.acl_check_cmd(command, args...)`: whether the script's user may run the command with these
    /// arguments, or `None` when there is no such command (a Lua error). Without ACLs, everything is allowed.
    fn acl_check_cmd(&mut self, args: &[bytes::Bytes]) -> Option<bool> {
        let _ = args;
        Some(true)
    }
}

/// A host that refuses commands and never aborts: for code that must not reach the server, such as
/// running a library's top level or tests.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoHost;

impl Host for NoHost {
    fn call(&mut self, _args: Vec<bytes::Bytes>, _resp: u8) -> Reply {
        Reply::Error(bytes::Bytes::from_static(
            b"ERR redis.call is not available here",
        ))
    }

    fn check_abort(&mut self) -> Option<String> {
        None
    }

    fn log(&mut self, _level: i64, _message: &[u8]) {}
}
