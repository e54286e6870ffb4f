//! [`Sink`]: where the encoder puts bytes, and [`ChecksummedWriter`], the sink that buffers them, folds them
//! into the CRC-64 and hands them to an `io::Write` in large chunks.

use std::io::{self, Write};

use crate::crc64;

/// A destination for encoded bytes.
pub(crate) trait Sink {
    /// Appends `bytes`.
    fn put(&mut self, bytes: &[u8]) -> io::Result<()>;
}

impl Sink for Vec<u8> {
    fn put(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.extend_from_slice(bytes);
        Ok(())
    }
}

/// Flush threshold. Big enough that per-key `put`s are plain memory copies and the CRC runs over long
/// stretches; small enough not to matter next to the keyspace itself.
const CHUNK: usize = 64 * 1024;

/// Buffers output in `CHUNK`-sized pieces and keeps a running CRC-64 of everything written.
pub(crate) struct ChecksummedWriter<W: Write> {
    out: W,
    buffer: Vec<u8>,
    crc: u64,
}

impl<W: Write> ChecksummedWriter<W> {
    pub(crate) fn new(out: W) -> ChecksummedWriter<W> {
        ChecksummedWriter {
            out,
            buffer: Vec::with_capacity(CHUNK),
            crc: 0,
        }
    }

    /// Flushes everything and writes the CRC-64 trailer, which the checksum itself does not cover.
    pub(crate) fn finish(mut self) -> io::Result<W> {
        self.flush_buffer()?;
        self.out.write_all(&self.crc.to_le_bytes())?;
        self.out.flush()?;
        Ok(self.out)
    }

    fn flush_buffer(&mut self) -> io::Result<()> {
        self.crc = crc64(self.crc, &self.buffer);
        self.out.write_all(&self.buffer)?;
        self.buffer.clear();
        Ok(())
    }
}

impl<W: Write> Sink for ChecksummedWriter<W> {
    fn put(&mut self, bytes: &[u8]) -> io::Result<()> {
        if bytes.len() >= CHUNK {
            // A large value goes straight through rather than being copied into the buffer first.
            self.flush_buffer()?;
            self.crc = crc64(self.crc, bytes);
            return self.out.write_all(bytes);
        }
        self.buffer.extend_from_slice(bytes);
        if self.buffer.len() >= CHUNK {
            self.flush_buffer()?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_is_input_plus_crc_whatever_the_piece_sizes() {
        let big = vec![7u8; CHUNK + 3];
        let pieces: [&[u8]; 5] = [b"abc", &big, b"", &[1; CHUNK - 1], b"xyz"];
        let mut writer = ChecksummedWriter::new(Vec::new());
        let mut expected = Vec::new();
        for piece in pieces {
            writer.put(piece).expect("writing to a Vec cannot fail");
            expected.extend_from_slice(piece);
        }
        let out = writer.finish().expect("writing to a Vec cannot fail");
        let crc = crc64(0, &expected);
        expected.extend_from_slice(&crc.to_le_bytes());
        assert_eq!(out, expected);
    }
}
