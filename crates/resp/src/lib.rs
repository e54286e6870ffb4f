//! RESP2/RESP3 wire format: the [`Frame`] type, incremental decoders and an encoder.
//!
//! Two decoders exist because the two directions have different needs:
//! - [`FrameDecoder`] decodes any RESP2/RESP3 reply (clients, the replica side of a master link);
//! - [`CommandDecoder`] decodes client requests (multibulk arrays of bulk strings, or inline
//!   commands such as `PING\r\n` typed into a raw TCP connection) into argument vectors, enforcing
//!   Redis's protocol limits and producing Redis's exact `Protocol error: ...` messages. It reports how many
//!   wire bytes each command used, because a replica's replication offset counts exactly those bytes.
//!
//! Both implement tokio-util's `Decoder`: `Ok(None)` means "need more bytes", `Err` means the stream is
//! corrupt and the connection must be closed. Neither panics on any input.
#![deny(missing_docs)]

mod command;
mod encode;
mod error;
mod frame;
mod inline;
mod number;

pub use command::{Command, CommandDecoder, Limits};
pub use encode::{FrameEncoder, encode_command, encode_frame};
pub use error::ProtocolError;
pub use frame::{Frame, FrameDecoder, Protocol};
pub use inline::split_args;
pub use number::format_double;
