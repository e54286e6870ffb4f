//! [`Input`]: a bounds-checked cursor over the bytes being decoded. Every read goes through it, so corrupt
//! or truncated data becomes [`RdbError::Truncated`] instead of a panic.

use crate::RdbError;

/// Read position in a byte slice.
#[derive(Debug, Clone)]
pub(crate) struct Input<'a> {
    bytes: &'a [u8],
    position: usize,
}

impl<'a> Input<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Input<'a> {
        Input { bytes, position: 0 }
    }

    /// Offset of the next byte, for error messages.
    pub(crate) fn offset(&self) -> usize {
        self.position
    }

    pub(crate) fn remaining(&self) -> usize {
        self.bytes.len() - self.position
    }

    pub(crate) fn read_u8(&mut self) -> Result<u8, RdbError> {
        let [byte] = self.read_array::<1>()?;
        Ok(byte)
    }

    pub(crate) fn read_array<const N: usize>(&mut self) -> Result<[u8; N], RdbError> {
        let slice = self.read_slice(N as u64)?;
        let mut array = [0u8; N];
        array.copy_from_slice(slice);
        Ok(array)
    }

    /// The next `len` bytes. Taking a `u64` lets callers pass a decoded length unchecked: a length larger
    /// than the input is an error here rather than an allocation or a wrap-around elsewhere.
    pub(crate) fn read_slice(&mut self, len: u64) -> Result<&'a [u8], RdbError> {
        let available = self.remaining();
        let len = match usize::try_from(len) {
            Ok(len) if len <= available => len,
            _ => {
                return Err(RdbError::Truncated {
                    offset: self.position,
                    needed: len,
                    available,
                });
            }
        };
        let slice = &self.bytes[self.position..self.position + len];
        self.position += len;
        Ok(slice)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_advance_and_stop_at_the_end() {
        let mut input = Input::new(&[1, 2, 3, 4]);
        assert_eq!(input.read_u8(), Ok(1));
        assert_eq!(input.read_array::<2>(), Ok([2, 3]));
        assert_eq!(input.offset(), 3);
        assert_eq!(
            input.read_slice(2),
            Err(RdbError::Truncated {
                offset: 3,
                needed: 2,
                available: 1
            })
        );
        assert_eq!(input.offset(), 3, "a failed read consumes nothing");
        assert!(input.read_slice(u64::MAX).is_err());
        assert_eq!(input.read_u8(), Ok(4));
        assert!(input.read_u8().is_err());
    }
}
