//! Encoding frames to bytes, for either protocol version.

use bytes::BytesMut;
use tokio_util::codec::Encoder;

use crate::{Frame, Protocol};

/// Appends the encoding of `frame` to `dst`; RESP3-only types are downgraded when `protocol` is RESP2.
pub fn encode_frame(_frame: &Frame, _protocol: Protocol, _dst: &mut BytesMut) {
    todo!("implemented by the resp work item")
}

/// Appends `*N\r\n$len\r\narg\r\n...`: the form of every request and every replicated command.
pub fn encode_command<A: AsRef<[u8]>>(_args: &[A], _dst: &mut BytesMut) {
    todo!("implemented by the resp work item")
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
