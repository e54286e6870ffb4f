//! CRC-64 with the "Jones" polynomial, reflected, as Redis uses for the RDB trailer (`crc64.c`).
//!
//! Slicing-by-8: eight 256-entry tables built at compile time let the loop consume eight bytes per step,
//! which matters because every byte of a multi-gigabyte snapshot goes through here twice (save and load).

/// The Jones polynomial `0xad93d23594c935a9`, bit-reversed for the reflected algorithm.
const POLY_REFLECTED: u64 = 0x95ac_9329_ac4b_c9b5;

const TABLES: [[u64; 256]; 8] = build_tables();

/// Extends `crc` with `bytes`. Start from 0; `crc64(crc64(0, a), b) == crc64(0, a ++ b)`.
///
/// ```
/// assert_eq!(rdb::crc64(0, b"123456789"), 0xe9c6d914c4b8d9ca);
/// ```
pub fn crc64(crc: u64, bytes: &[u8]) -> u64 {
    let mut crc = crc;
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let x = crc ^ u64::from_le_bytes(word);
        crc = TABLES[7][(x & 0xff) as usize]
            ^ TABLES[6][((x >> 8) & 0xff) as usize]
            ^ TABLES[5][((x >> 16) & 0xff) as usize]
            ^ TABLES[4][((x >> 24) & 0xff) as usize]
            ^ TABLES[3][((x >> 32) & 0xff) as usize]
            ^ TABLES[2][((x >> 40) & 0xff) as usize]
            ^ TABLES[1][((x >> 48) & 0xff) as usize]
            ^ TABLES[0][(x >> 56) as usize];
    }
    for &byte in chunks.remainder() {
        crc = TABLES[0][((crc ^ u64::from(byte)) & 0xff) as usize] ^ (crc >> 8);
    }
    crc
}

const fn build_tables() -> [[u64; 256]; 8] {
    let mut tables = [[0u64; 256]; 8];
    let mut i = 0;
    while i < 256 {
        let mut crc = i as u64;
        let mut bit = 0;
        while bit < 8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ POLY_REFLECTED
            } else {
                crc >> 1
            };
            bit += 1;
        }
        tables[0][i] = crc;
        i += 1;
    }
    // tables[k][i] is the CRC of byte i followed by k zero bytes.
    let mut k = 1;
    while k < 8 {
        let mut i = 0;
        while i < 256 {
            let previous = tables[k - 1][i];
            tables[k][i] = tables[0][(previous & 0xff) as usize] ^ (previous >> 8);
            i += 1;
        }
        k += 1;
    }
    tables
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Bit-at-a-time reference, straight from the definition.
    fn crc64_bitwise(mut crc: u64, bytes: &[u8]) -> u64 {
        for &byte in bytes {
            crc ^= u64::from(byte);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ POLY_REFLECTED
                } else {
                    crc >> 1
                };
            }
        }
        crc
    }

    #[test]
    fn redis_test_vector() {
        assert_eq!(crc64(0, b"123456789"), 0xe9c6_d914_c4b8_d9ca);
    }

    #[test]
    fn empty_input_keeps_the_crc() {
        assert_eq!(crc64(0, b""), 0);
        assert_eq!(crc64(0x1234, b""), 0x1234);
    }

    #[test]
    fn sliced_matches_bitwise_for_every_length_and_split() {
        let data: Vec<u8> = (0..100u32)
            .map(|i| (i.wrapping_mul(131) ^ (i >> 3)) as u8)
            .collect();
        for len in 0..data.len() {
            assert_eq!(
                crc64(0, &data[..len]),
                crc64_bitwise(0, &data[..len]),
                "len {len}"
            );
        }
        let whole = crc64(0, &data);
        for split in 0..data.len() {
            assert_eq!(
                crc64(crc64(0, &data[..split]), &data[split..]),
                whole,
                "split {split}"
            );
        }
    }
}
