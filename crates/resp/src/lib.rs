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
//! corrupt and the connection must be closed. Neither panics on any input. Both consume bytes from the
//! buffer as soon as they understand them and keep their place between calls, so a large request or reply
//! arriving in many reads is decoded in time proportional to its size.
//!
//! ```
//! use bytes::BytesMut;
//! use resp::{CommandDecoder, Frame, Protocol, encode_frame};
//! use tokio_util::codec::Decoder;
//!
//! let mut decoder = CommandDecoder::default();
//! let mut read_buffer = BytesMut::from(&b"*2\r\n$4\r\nECHO\r\n$2\r\nhi\r\nPING\r\n"[..]);
//! let echo = decoder.decode(&mut read_buffer)?.expect("a whole command");
//! assert_eq!(echo.args, ["ECHO", "hi"]);
//! assert_eq!(echo.wire_len, 22);
//! let ping = decoder.decode(&mut read_buffer)?.expect("an inline command");
//! assert_eq!(ping.args, ["PING"]);
//!
//! let mut reply = BytesMut::new();
//! encode_frame(&Frame::Double(1.5), Protocol::Resp2, &mut reply);
//! assert_eq!(&reply[..], b"$3\r\n1.5\r\n");
//! # Ok::<(), resp::ProtocolError>(())
//! ```
#![forbid(unsafe_code)]
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
