//! [`ProtocolError`]: why a byte stream is not valid RESP.

/// A corrupt stream. `Display` gives the exact text Redis puts after `-ERR ` before closing the connection,
/// e.g. `Protocol error: invalid multibulk length`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProtocolError {
    /// `*` length not a number or above the limit; in a reply also negative below -1 (a request with a
    /// count of zero or less is skipped, as in Redis).
    #[error("Protocol error: invalid multibulk length")]
    InvalidMultibulkLength,
    /// `$` length not a number, negative, or above `proto-max-bulk-len`.
    #[error("Protocol error: invalid bulk length")]
    InvalidBulkLength,
    /// More than 10 arguments from a client that has not authenticated.
    #[error("Protocol error: unauthenticated multibulk length")]
    UnauthenticatedMultibulkLength,
    /// An argument over 16384 bytes from a client that has not authenticated.
    #[error("Protocol error: unauthenticated bulk length")]
    UnauthenticatedBulkLength,
    /// Inside a multibulk request something other than `$` started an argument.
    #[error("Protocol error: expected '$', got '{0}'")]
    ExpectedDollar(char),
    /// An inline request longer than the inline limit without a newline.
    #[error("Protocol error: too big inline request")]
    TooBigInlineRequest,
    /// A multibulk count line longer than the inline limit.
    #[error("Protocol error: too big mbulk count string")]
    TooBigMultibulkCount,
    /// A bulk length line longer than the inline limit.
    #[error("Protocol error: too big bulk count string")]
    TooBigBulkCount,
    /// An inline request with an unterminated quote.
    #[error("Protocol error: unbalanced quotes in request")]
    UnbalancedQuotes,
    /// A reply-side problem: unknown type byte, missing CRLF after a bulk payload, bad number, etc.
    #[error("Protocol error: {0}")]
    Invalid(String),
}

impl From<std::io::Error> for ProtocolError {
    /// Required by tokio-util's `Decoder`; the decoders themselves never perform I/O.
    fn from(error: std::io::Error) -> ProtocolError {
        ProtocolError::Invalid(format!("I/O error: {error}"))
    }
}
