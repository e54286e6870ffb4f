//! HyperLogLog values for PFADD, PFCOUNT, PFMERGE and PFDEBUG, byte-for-byte compatible with Redis 7.0.
//!
//! A HyperLogLog is an ordinary string value. Its layout:
//!
//! * a 16-byte header: the magic `HYLL`, one encoding byte (0 = dense, 1 = sparse), three unused bytes (kept as
//!   they are), and an 8-byte little-endian cached cardinality whose top bit (bit 7 of byte 15) means "stale";
//! * dense: 16384 registers of 6 bits each, register `i` occupying bits `6i..6i+6` of the register area, bytes
//!   filled from their least significant bit up (12288 bytes, 12304 with the header);
//! * sparse: a run-length list of opcodes covering the 16384 registers in order. `00xxxxxx` is a run of
//!   `x+1` (1..=64) zero registers, `01xxxxxx yyyyyyyy` a run of `(x<<8 | y) + 1` (1..=16384) zero registers, and
//!   `1vvvvvxx` a run of `x+1` (1..=4) registers all holding `v+1` (1..=32).
//!
//! An element is hashed with MurmurHash64A (seed `0xadc83b19`); the low 14 bits pick the register, and the
//! register candidate is one plus the number of trailing zero bits of the remaining 50 bits (at most 51).
//!
//! Every function that reads a value first applies Redis's header check ([`validate`]) and fails with
//! [`HllError::NotHll`] (`-WRONGTYPE Key is not a valid HyperLogLog string value.`); broken sparse data found
//! while walking it is [`HllError::Corrupted`] (`-INVALIDOBJ Corrupted HLL object detected`). As in Redis, a
//! sparse opcode list is read as if one zero byte followed the value (the string terminator Redis relies on).
//!
//! Checked against `redis-server` 7.0.15 as distributed with the CVE-2025-32023 fix (Debian's 7.0.15 builds):
//! a sparse list is only accepted when its runs add up to exactly 16384, whereas the unpatched tag let value runs
//! after a complete list through in conversions and merges. One corner cannot be reproduced on a byte vector:
//! when PFADD splits a sparse value whose last opcode is a cut-short two-byte opcode, Redis leaves the last byte
//! it wrote just past the string's end and a later PFADD in the same process reads it back; here that byte is
//! always zero.

/// Redis's default `hll-sparse-max-bytes`: a sparse value (header included) that would grow past this many
/// bytes is converted to the dense encoding instead.
pub const HLL_SPARSE_MAX_BYTES_DEFAULT: usize = 3000;

/// Number of registers (2^14).
pub const HLL_REGISTERS: usize = 1 << HLL_P;

/// Length of the header shared by both encodings.
pub const HLL_HEADER_LEN: usize = 16;

/// Exact length of a dense value, header included.
pub const HLL_DENSE_LEN: usize = HLL_HEADER_LEN + HLL_REGISTERS * HLL_BITS / 8;

/// Bits of the hash that select the register.
const HLL_P: u32 = 14;
/// Bits of the hash that remain for counting trailing zeros.
const HLL_Q: u32 = 64 - HLL_P;
/// Width of one dense register.
const HLL_BITS: usize = 6;
const HLL_REGISTER_MASK: u32 = (1 << HLL_BITS) - 1;

const ENCODING_DENSE: u8 = 0;
const ENCODING_SPARSE: u8 = 1;
const ENCODING_BYTE: usize = 4;
const CARD_RANGE: std::ops::Range<usize> = 8..16;
const STALE_BYTE: usize = 15;
const STALE_BIT: u8 = 0x80;

const SPARSE_VAL_MAX_VALUE: u8 = 32;
const SPARSE_VAL_MAX_RUN: usize = 4;
const SPARSE_ZERO_MAX_RUN: usize = 64;
const SPARSE_XZERO_MAX_RUN: usize = 16384;

/// Seed Redis passes to MurmurHash64A for PFADD elements.
const HASH_SEED: u32 = 0xadc8_3b19;
/// 1 / (2 ln 2), the bias constant of the estimator for an unbounded number of registers.
const ALPHA_INF: f64 = 0.721_347_520_444_481_7;

/// Why a value cannot be used as a HyperLogLog.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum HllError {
    /// The header is wrong (length, magic, encoding byte, or a dense value of the wrong length). Redis replies
    /// `-WRONGTYPE Key is not a valid HyperLogLog string value.`
    #[error("not a valid HyperLogLog string value")]
    NotHll,
    /// The sparse opcodes do not describe exactly 16384 registers. Redis replies
    /// `-INVALIDOBJ Corrupted HLL object detected`.
    #[error("corrupted HLL object")]
    Corrupted,
    /// `PFDEBUG DECODE` of a dense value. Redis replies `-ERR HLL encoding is not sparse`.
    #[error("HLL encoding is not sparse")]
    NotSparse,
}

/// MurmurHash64A as Redis uses it: 8-byte blocks read little-endian whatever the platform.
pub fn murmurhash64a(data: &[u8], seed: u32) -> u64 {
    const M: u64 = 0xc6a4_a793_5bd1_e995;
    const R: u32 = 47;
    // Redis passes the length as a C `int`; elements are far shorter than 2 GiB.
    let mut h = u64::from(seed) ^ (data.len() as u64).wrapping_mul(M);
    let blocks = data.chunks_exact(8);
    let tail = blocks.remainder();
    for block in blocks {
        let mut k = u64::from_le_bytes(block.try_into().expect("8-byte block"));
        k = k.wrapping_mul(M);
        k ^= k >> R;
        k = k.wrapping_mul(M);
        h ^= k;
        h = h.wrapping_mul(M);
    }
    if !tail.is_empty() {
        for (i, &b) in tail.iter().enumerate() {
            h ^= u64::from(b) << (8 * i);
        }
        h = h.wrapping_mul(M);
    }
    h ^= h >> R;
    h = h.wrapping_mul(M);
    h ^= h >> R;
    h
}

/// The register an element maps to and the value it proposes for it (1..=51).
pub fn element_register(element: &[u8]) -> (usize, u8) {
    let hash = murmurhash64a(element, HASH_SEED);
    let index = (hash & (HLL_REGISTERS as u64 - 1)) as usize;
    // The forced bit bounds the count at Q + 1.
    let rest = (hash >> HLL_P) | (1u64 << HLL_Q);
    (index, rest.trailing_zeros() as u8 + 1)
}

/// A fresh empty HLL as PFADD stores it when it creates the key: sparse, a single `XZERO:16384` opcode, and the
/// cached cardinality 0 marked stale (PFADD and PFMERGE both mark the cache stale after creating a key, so a
/// stored new value always has the stale bit).
pub fn new_sparse() -> Vec<u8> {
    let mut hll = Vec::with_capacity(HLL_HEADER_LEN + 2);
    hll.extend_from_slice(b"HYLL");
    hll.extend_from_slice(&[ENCODING_SPARSE, 0, 0, 0]);
    hll.extend_from_slice(&[0; 8]);
    let mut left = HLL_REGISTERS;
    while left > 0 {
        let run = left.min(SPARSE_XZERO_MAX_RUN);
        hll.extend_from_slice(&xzero_op(run));
        left -= run;
    }
    invalidate_cache(&mut hll);
    hll
}

/// Validates the header and length, as Redis's `isHLLObjectOrReply` does: at least a header, the `HYLL` magic, a
/// known encoding, and exactly [`HLL_DENSE_LEN`] bytes when dense. Sparse data is not examined.
pub fn validate(bytes: &[u8]) -> Result<(), HllError> {
    if bytes.len() < HLL_HEADER_LEN || &bytes[..4] != b"HYLL" {
        return Err(HllError::NotHll);
    }
    match bytes[ENCODING_BYTE] {
        ENCODING_DENSE if bytes.len() == HLL_DENSE_LEN => Ok(()),
        ENCODING_SPARSE => Ok(()),
        _ => Err(HllError::NotHll),
    }
}

/// Whether the cached cardinality in the header can be used (its stale bit is clear). The value must be valid.
pub fn cache_is_valid(hll: &[u8]) -> bool {
    hll[STALE_BYTE] & STALE_BIT == 0
}

/// Marks the cached cardinality stale (sets the top bit of the last header byte, leaving the rest as is).
pub fn invalidate_cache(hll: &mut [u8]) {
    hll[STALE_BYTE] |= STALE_BIT;
}

/// PFADD of one element: returns whether a register grew. A sparse value is edited in place exactly as Redis
/// does, or converted to dense when the new register value exceeds 32 or the value would grow past
/// `sparse_max_bytes`. On change the cached cardinality is marked stale; on error the value is unchanged.
///
/// PFADD creating a key stores [`new_sparse`] and replies 1 even when no element changes a register; PFADD on an
/// existing key checks it with [`validate`] first, even when no elements are given.
pub fn add(hll: &mut Vec<u8>, element: &[u8], sparse_max_bytes: usize) -> Result<bool, HllError> {
    validate(hll)?;
    let (index, count) = element_register(element);
    let changed = if hll[ENCODING_BYTE] == ENCODING_DENSE {
        dense_raise(&mut hll[HLL_HEADER_LEN..], index, count)
    } else {
        sparse_raise(hll, index, count, sparse_max_bytes)?
    };
    if changed {
        invalidate_cache(hll);
    }
    Ok(changed)
}

/// PFCOUNT of one key. Returns the cached cardinality when it is valid; otherwise computes it, stores it in the
/// header (clearing the stale bit) and reports `true` so the caller can treat the key as modified (Redis calls
/// `signalModifiedKey` and bumps `dirty` then). The value is untouched on error.
///
/// Redis replies with the count as a signed 64-bit integer (`card as i64`): crafted registers can make it 2^63,
/// replied as -9223372036854775808 (and stored, so the cache then looks stale and is recomputed every time).
pub fn count(hll: &mut [u8]) -> Result<(u64, bool), HllError> {
    validate(hll)?;
    if cache_is_valid(hll) {
        let card = u64::from_le_bytes(hll[CARD_RANGE].try_into().expect("8 bytes"));
        return Ok((card, false));
    }
    let mut histogram = [0u64; 64];
    if hll[ENCODING_BYTE] == ENCODING_DENSE {
        dense_histogram(&hll[HLL_HEADER_LEN..], &mut histogram);
    } else {
        sparse_histogram(&hll[HLL_HEADER_LEN..], &mut histogram)?;
    }
    let card = estimate(&histogram);
    hll[CARD_RANGE].copy_from_slice(&card.to_le_bytes());
    Ok((card, true))
}

/// PFCOUNT of several keys: the cardinality of their union, computed on a scratch register array; the values are
/// not modified. Pass only the keys that exist, in command order (the first invalid one decides the error).
/// Reply with `as i64`, as for [`count`].
pub fn count_union(hlls: &[&[u8]]) -> Result<u64, HllError> {
    let mut max = vec![0u8; HLL_REGISTERS];
    for hll in hlls {
        validate(hll)?;
        merge_into(&mut max, hll)?;
    }
    let mut histogram = [0u64; 64];
    for &register in &max {
        histogram[usize::from(register)] += 1;
    }
    Ok(estimate(&histogram))
}

/// PFMERGE with Redis's default `hll-sparse-max-bytes`; see [`merge_with_sparse_max`].
pub fn merge(dest: Option<&[u8]>, sources: &[&[u8]]) -> Result<Vec<u8>, HllError> {
    merge_with_sparse_max(dest, sources, HLL_SPARSE_MAX_BYTES_DEFAULT)
}

/// PFMERGE: the new value of the destination (`None` when the key is missing) after merging `sources` (the
/// existing source keys, in command order) into it. As in Redis 7.0: the destination's own registers take part;
/// the result is dense if the destination or any source is dense, otherwise the destination stays sparse and is
/// raised register by register (converting to dense only as PFADD would, past `sparse_max_bytes` or above 32);
/// the cached cardinality is always marked stale, keeping its other bits.
pub fn merge_with_sparse_max(
    dest: Option<&[u8]>,
    sources: &[&[u8]],
    sparse_max_bytes: usize,
) -> Result<Vec<u8>, HllError> {
    let mut max = vec![0u8; HLL_REGISTERS];
    let mut use_dense = false;
    for hll in dest.into_iter().chain(sources.iter().copied()) {
        validate(hll)?;
        use_dense |= hll[ENCODING_BYTE] == ENCODING_DENSE;
        merge_into(&mut max, hll)?;
    }
    let mut out = match dest {
        Some(d) => d.to_vec(),
        None => new_sparse(),
    };
    if use_dense {
        sparse_to_dense(&mut out)?;
    }
    for (index, &value) in max.iter().enumerate() {
        if value == 0 {
            continue;
        }
        if out[ENCODING_BYTE] == ENCODING_DENSE {
            dense_raise(&mut out[HLL_HEADER_LEN..], index, value);
        } else {
            // Redis ignores a failure here; it cannot happen for data that merged above.
            let _ = sparse_raise(&mut out, index, value, sparse_max_bytes);
        }
    }
    invalidate_cache(&mut out);
    Ok(out)
}

/// PFDEBUG GETREG: converts a sparse value to dense in place (as Redis does, keeping the header otherwise;
/// the caller should then treat the key as modified) and returns the 16384 register values.
pub fn registers(hll: &mut Vec<u8>) -> Result<Vec<u8>, HllError> {
    validate(hll)?;
    sparse_to_dense(hll)?;
    let regs = &hll[HLL_HEADER_LEN..];
    Ok((0..HLL_REGISTERS).map(|i| dense_get(regs, i)).collect())
}

/// PFDEBUG DECODE: the sparse opcodes as text, space-separated: `z:N` (short zero run), `Z:N` (long zero run),
/// `v:VALUE,N` (run of equal values). The opcodes are listed as stored, without checking their total. Fails with
/// [`HllError::NotSparse`] for a dense value.
pub fn decode_sparse(hll: &[u8]) -> Result<String, HllError> {
    validate(hll)?;
    if hll[ENCODING_BYTE] != ENCODING_SPARSE {
        return Err(HllError::NotSparse);
    }
    let data = &hll[HLL_HEADER_LEN..];
    let mut out = String::new();
    let mut p = 0;
    while p < data.len() {
        let op = SparseOp::at(data, p);
        if !out.is_empty() {
            out.push(' ');
        }
        let text = match op.kind {
            OpKind::Zero => format!("z:{}", op.run),
            OpKind::XZero => format!("Z:{}", op.run),
            OpKind::Val(v) => format!("v:{},{}", v, op.run),
        };
        out.push_str(&text);
        p += op.width;
    }
    Ok(out)
}

/// PFDEBUG ENCODING: `"dense"` or `"sparse"`.
pub fn encoding_name(hll: &[u8]) -> Result<&'static str, HllError> {
    validate(hll)?;
    Ok(if hll[ENCODING_BYTE] == ENCODING_DENSE {
        "dense"
    } else {
        "sparse"
    })
}

/// PFDEBUG TODENSE: converts a sparse value to dense in place; returns whether it was sparse. The header (cached
/// cardinality and unused bytes included) is carried over.
pub fn to_dense(hll: &mut Vec<u8>) -> Result<bool, HllError> {
    validate(hll)?;
    if hll[ENCODING_BYTE] == ENCODING_DENSE {
        return Ok(false);
    }
    sparse_to_dense(hll)?;
    Ok(true)
}

// ---------------------------------------------------------------------------------------------------------------
// Dense registers.

/// Reads register `index` of a dense register area.
fn dense_get(regs: &[u8], index: usize) -> u8 {
    let bit = index * HLL_BITS;
    let byte = bit / 8;
    let shift = bit % 8;
    let b0 = u32::from(regs[byte]);
    let b1 = u32::from(regs.get(byte + 1).copied().unwrap_or(0));
    (((b0 >> shift) | (b1 << (8 - shift))) & HLL_REGISTER_MASK) as u8
}

/// Writes register `index` (value at most 63) of a dense register area.
fn dense_put(regs: &mut [u8], index: usize, value: u8) {
    let bit = index * HLL_BITS;
    let byte = bit / 8;
    let shift = bit % 8;
    let v = u32::from(value);
    regs[byte] = ((u32::from(regs[byte]) & !(HLL_REGISTER_MASK << shift)) | (v << shift)) as u8;
    if shift > 8 - HLL_BITS {
        let spill = 8 - shift;
        regs[byte + 1] =
            ((u32::from(regs[byte + 1]) & !(HLL_REGISTER_MASK >> spill)) | (v >> spill)) as u8;
    }
}

/// Raises register `index` to `value` if it is lower; returns whether it changed.
fn dense_raise(regs: &mut [u8], index: usize, value: u8) -> bool {
    if value > dense_get(regs, index) {
        dense_put(regs, index, value);
        true
    } else {
        false
    }
}

/// Adds the dense registers' value counts to `histogram`, four registers per three bytes.
fn dense_histogram(regs: &[u8], histogram: &mut [u64; 64]) {
    for chunk in regs.chunks_exact(3) {
        let (a, b, c) = (
            usize::from(chunk[0]),
            usize::from(chunk[1]),
            usize::from(chunk[2]),
        );
        histogram[a & 63] += 1;
        histogram[(a >> 6 | b << 2) & 63] += 1;
        histogram[(b >> 4 | c << 4) & 63] += 1;
        histogram[c >> 2] += 1;
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Sparse opcodes.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OpKind {
    Zero,
    XZero,
    Val(u8),
}

#[derive(Debug, Clone, Copy)]
struct SparseOp {
    kind: OpKind,
    /// Registers covered.
    run: usize,
    /// Bytes taken.
    width: usize,
}

impl SparseOp {
    /// Decodes the opcode at `p` (which must be in bounds); a byte read past the end is zero, like the string
    /// terminator Redis reads there.
    fn at(data: &[u8], p: usize) -> SparseOp {
        let b = data[p];
        match b & 0xc0 {
            0x00 => SparseOp {
                kind: OpKind::Zero,
                run: usize::from(b & 0x3f) + 1,
                width: 1,
            },
            0x40 => {
                let low = usize::from(data.get(p + 1).copied().unwrap_or(0));
                SparseOp {
                    kind: OpKind::XZero,
                    run: ((usize::from(b & 0x3f) << 8) | low) + 1,
                    width: 2,
                }
            }
            _ => SparseOp {
                kind: OpKind::Val(((b >> 2) & 0x1f) + 1),
                run: usize::from(b & 0x03) + 1,
                width: 1,
            },
        }
    }
}

/// Appends the shortest zero-run opcode for `run` registers to `seq` at `*n`.
fn push_zero_run(seq: &mut [u8; 5], n: &mut usize, run: usize) {
    if run > SPARSE_ZERO_MAX_RUN {
        seq[*n..*n + 2].copy_from_slice(&xzero_op(run));
        *n += 2;
    } else {
        seq[*n] = zero_op(run);
        *n += 1;
    }
}

/// `VAL` opcode byte: `value` 1..=32, `run` 1..=4.
fn val_op(value: u8, run: usize) -> u8 {
    0x80 | ((value - 1) << 2) | (run - 1) as u8
}

/// `ZERO` opcode byte: `run` 1..=64.
fn zero_op(run: usize) -> u8 {
    (run - 1) as u8
}

/// `XZERO` opcode bytes: `run` 1..=16384.
fn xzero_op(run: usize) -> [u8; 2] {
    let l = run - 1;
    [0x40 | (l >> 8) as u8, (l & 0xff) as u8]
}

/// Calls `f(first_register, value, run)` for every nonzero run of a sparse opcode list, failing unless the runs
/// add up to exactly 16384 registers (a value run past the end fails before `f` sees it). This is what the
/// Redis 7.0.15 builds patched for CVE-2025-32023 (such as Debian's) do; the unpatched tag ignored value runs
/// after a complete list in sparse-to-dense conversion and merges.
fn for_each_sparse_value(data: &[u8], mut f: impl FnMut(usize, u8, usize)) -> Result<(), HllError> {
    let mut index = 0usize;
    let mut p = 0;
    while p < data.len() {
        let op = SparseOp::at(data, p);
        if let OpKind::Val(value) = op.kind {
            if index + op.run > HLL_REGISTERS {
                return Err(HllError::Corrupted);
            }
            f(index, value, op.run);
        }
        index += op.run;
        p += op.width;
    }
    if index == HLL_REGISTERS {
        Ok(())
    } else {
        Err(HllError::Corrupted)
    }
}

/// Adds the sparse registers' value counts to `histogram`; every opcode counts, and the total must be 16384.
fn sparse_histogram(data: &[u8], histogram: &mut [u64; 64]) -> Result<(), HllError> {
    let mut index = 0u64;
    let mut p = 0;
    while p < data.len() {
        let op = SparseOp::at(data, p);
        let value = match op.kind {
            OpKind::Val(v) => usize::from(v),
            OpKind::Zero | OpKind::XZero => 0,
        };
        histogram[value] += op.run as u64;
        index += op.run as u64;
        p += op.width;
    }
    if index == HLL_REGISTERS as u64 {
        Ok(())
    } else {
        Err(HllError::Corrupted)
    }
}

/// Raises `max[i]` to every register of `hll` (a validated value).
fn merge_into(max: &mut [u8], hll: &[u8]) -> Result<(), HllError> {
    let data = &hll[HLL_HEADER_LEN..];
    if hll[ENCODING_BYTE] == ENCODING_DENSE {
        for (i, m) in max.iter_mut().enumerate() {
            *m = (*m).max(dense_get(data, i));
        }
        Ok(())
    } else {
        for_each_sparse_value(data, |first, value, run| {
            for m in &mut max[first..first + run] {
                *m = (*m).max(value);
            }
        })
    }
}

/// Converts a validated value to dense in place (no-op if dense). The header is kept but for the encoding byte.
fn sparse_to_dense(hll: &mut Vec<u8>) -> Result<(), HllError> {
    if hll[ENCODING_BYTE] == ENCODING_DENSE {
        return Ok(());
    }
    let mut dense = vec![0u8; HLL_DENSE_LEN];
    dense[..HLL_HEADER_LEN].copy_from_slice(&hll[..HLL_HEADER_LEN]);
    dense[ENCODING_BYTE] = ENCODING_DENSE;
    let regs = &mut dense[HLL_HEADER_LEN..];
    for_each_sparse_value(&hll[HLL_HEADER_LEN..], |first, value, run| {
        for index in first..first + run {
            dense_put(regs, index, value);
        }
    })?;
    *hll = dense;
    Ok(())
}

/// Redis's sparse register update: raises register `index` to `count` if lower, splitting the opcode that covers
/// it and then merging equal neighbouring value runs, or converts to dense (then raises) when `count` does not fit
/// a `VAL` opcode or the value would grow past `sparse_max_bytes`. Returns whether the register changed. Does not
/// touch the cached cardinality.
fn sparse_raise(
    hll: &mut Vec<u8>,
    index: usize,
    count: u8,
    sparse_max_bytes: usize,
) -> Result<bool, HllError> {
    if count > SPARSE_VAL_MAX_VALUE {
        return promote_and_raise(hll, index, count);
    }

    // Find the opcode covering the register, and the one before it.
    let len = hll.len();
    let mut p = HLL_HEADER_LEN;
    let mut first = 0usize;
    let mut prev = None;
    let op = loop {
        if p >= len {
            return Err(HllError::Corrupted);
        }
        let op = SparseOp::at(hll, p);
        if index < first + op.run {
            break op;
        }
        prev = Some(p);
        p += op.width;
        first += op.run;
    };

    let mut end = len;
    let single = match op.kind {
        OpKind::Val(old) if old >= count => return Ok(false),
        OpKind::Val(_) | OpKind::Zero => op.run == 1,
        OpKind::XZero => false,
    };
    if single {
        // A one-register run becomes a one-register value run.
        hll[p] = val_op(count, 1);
    } else {
        // Split the run into (before, our register, after).
        let last = first + op.run - 1;
        let mut seq = [0u8; 5];
        let mut n = 0;
        match op.kind {
            OpKind::Val(old) => {
                if index != first {
                    seq[n] = val_op(old, index - first);
                    n += 1;
                }
                seq[n] = val_op(count, 1);
                n += 1;
                if index != last {
                    seq[n] = val_op(old, last - index);
                    n += 1;
                }
            }
            OpKind::Zero | OpKind::XZero => {
                if index != first {
                    push_zero_run(&mut seq, &mut n, index - first);
                }
                seq[n] = val_op(count, 1);
                n += 1;
                if index != last {
                    push_zero_run(&mut seq, &mut n, last - index);
                }
            }
        }

        // The old opcode's width is what Redis assumes, even for a two-byte opcode cut short by the end.
        let growth = n as isize - op.width as isize;
        if growth > 0 && len + growth as usize > sparse_max_bytes {
            return promote_and_raise(hll, index, count);
        }
        // Work in a padded buffer (Redis has spare room and a zero terminator past the end), cut at the end.
        hll.resize(len + 8, 0);
        let next = p + op.width;
        if growth != 0 && next < len {
            let to = next.wrapping_add_signed(growth);
            hll.copy_within(next..len, to);
        }
        end = len.wrapping_add_signed(growth);
        hll[p..p + n].copy_from_slice(&seq[..n]);
    }

    // Merge equal adjacent value runs, scanning five opcodes from the one before the change.
    let mut q = prev.unwrap_or(HLL_HEADER_LEN);
    let mut scan = 5;
    while q < end && scan > 0 {
        scan -= 1;
        let b = hll[q];
        match b & 0xc0 {
            0x40 => {
                q += 2;
                continue;
            }
            0x00 => {
                q += 1;
                continue;
            }
            _ => {}
        }
        if q + 1 < end && hll[q + 1] & 0x80 != 0 {
            let (v1, r1) = val_parts(b);
            let (v2, r2) = val_parts(hll[q + 1]);
            if v1 == v2 && r1 + r2 <= SPARSE_VAL_MAX_RUN {
                hll[q + 1] = val_op(v1, r1 + r2);
                hll.copy_within(q + 1..end, q);
                end -= 1;
                // Retry at the same place: the merged run may merge with the next one.
                continue;
            }
        }
        q += 1;
    }
    hll.truncate(end);
    Ok(true)
}

/// Value and run of a `VAL` opcode byte.
fn val_parts(b: u8) -> (u8, usize) {
    (((b >> 2) & 0x1f) + 1, usize::from(b & 0x03) + 1)
}

/// Converts to dense and raises the register (which always changes: the sparse value could not hold the new one).
fn promote_and_raise(hll: &mut Vec<u8>, index: usize, count: u8) -> Result<bool, HllError> {
    sparse_to_dense(hll)?;
    dense_raise(&mut hll[HLL_HEADER_LEN..], index, count);
    Ok(true)
}

// ---------------------------------------------------------------------------------------------------------------
// Estimation (Otmar Ertl, "New cardinality estimation algorithms for HyperLogLog sketches", as in Redis 7.0).

fn hll_sigma(mut x: f64) -> f64 {
    if x == 1.0 {
        return f64::INFINITY;
    }
    let mut y = 1.0;
    let mut z = x;
    loop {
        x *= x;
        let before = z;
        z += x * y;
        y += y;
        if z == before {
            return z;
        }
    }
}

fn hll_tau(mut x: f64) -> f64 {
    if x == 0.0 || x == 1.0 {
        return 0.0;
    }
    let mut y = 1.0;
    let mut z = 1.0 - x;
    loop {
        x = x.sqrt();
        let before = z;
        y *= 0.5;
        let d = 1.0 - x;
        z -= d * d * y;
        if z == before {
            return z / 3.0;
        }
    }
}

/// The cardinality estimate from a register-value histogram (values above 51 are ignored, as in Redis).
fn estimate(histogram: &[u64; 64]) -> u64 {
    let m = HLL_REGISTERS as f64;
    let q = HLL_Q as usize;
    let mut z = m * hll_tau((m - histogram[q + 1] as f64) / m);
    for j in (1..=q).rev() {
        z += histogram[j] as f64;
        z *= 0.5;
    }
    z += m * hll_sigma(histogram[0] as f64 / m);
    let e = (ALPHA_INF * m * m / z).round();
    // Out of range only for crafted registers (z == 0 gives infinity): Redis's llroundl then yields i64::MIN,
    // which it turns into 2^63 through a double.
    if e < 9_223_372_036_854_775_808.0 {
        e as u64
    } else {
        1u64 << 63
    }
}

#[cfg(test)]
mod tests {
    //! Expected bytes, counts and hashes below were produced by a real `redis-server` 7.0.15 (`GET` of the key
    //! after the commands described), with the default `hll-sparse-max-bytes` of 3000.

    use super::*;
    use proptest::prelude::*;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    /// FNV-1a 64, to pin large values compactly.
    fn fnv(bytes: &[u8]) -> u64 {
        bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
            (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
        })
    }

    fn elements(range: std::ops::Range<u32>) -> Vec<Vec<u8>> {
        range.map(|i| format!("element:{i}").into_bytes()).collect()
    }

    /// PFADD semantics on a possibly missing key: returns the new value and the reply.
    fn pfadd(value: Option<Vec<u8>>, elements: &[Vec<u8>]) -> (Vec<u8>, bool) {
        let mut updated = value.is_none();
        let mut hll = value.unwrap_or_else(new_sparse);
        for e in elements {
            updated |= add(&mut hll, e, HLL_SPARSE_MAX_BYTES_DEFAULT).unwrap();
        }
        (hll, updated)
    }

    fn dense_with_all(value: u8) -> Vec<u8> {
        let mut hll = new_sparse();
        to_dense(&mut hll).unwrap();
        for i in 0..HLL_REGISTERS {
            dense_put(&mut hll[HLL_HEADER_LEN..], i, value);
        }
        hll
    }

    const EMPTY: &str = "48594c4c0100000000000000000000807fff";
    const EMPTY_COUNTED: &str = "48594c4c0100000000000000000000007fff";
    const ABC: &str = "48594c4c01000000000000000000008060f38050b1844bfb80425a";
    const ABC_COUNTED: &str = "48594c4c01000000030000000000000060f38050b1844bfb80425a";

    #[test]
    fn murmurhash64a_vectors() {
        // Full hashes with the PFADD seed, and (register, value) pairs as real Redis placed them (PFDEBUG DECODE
        // of a key holding only that element).
        let cases: [(&[u8], u64, usize, u8); 7] = [
            (b"", 0xd8df_ea65_85bc_9732, 5938, 2),
            (b"a", 0x53d2_470a_9b43_b1a7, 12711, 2),
            (b"foo", 0xe646_09b8_b014_1cb4, 7348, 5),
            (b"hello world", 0xa919_bc30_51f6_24b7, 9399, 4),
            (b"12345678", 0x95eb_b863_8913_2953, 10579, 3),
            (b"123456789abcdef0x", 0x8c32_084b_49d4_6f06, 12038, 1),
            (b"element:42", 0xdd03_425d_9dad_23a2, 9122, 3),
        ];
        for (input, hash, register, value) in cases {
            assert_eq!(murmurhash64a(input, HASH_SEED), hash, "{input:?}");
            assert_eq!(element_register(input), (register, value), "{input:?}");
        }
        assert_eq!(murmurhash64a(b"hello world", 0), 0xd3ba_2368_a832_afce);
        assert_eq!(
            murmurhash64a(b"The quick brown fox jumps over the lazy dog", 0x9747_b28c),
            0x029a_7747_a564_bd84
        );
    }

    #[test]
    fn empty_hll() {
        let (mut hll, updated) = pfadd(None, &[]);
        assert!(updated);
        assert_eq!(hll, hex(EMPTY));
        assert_eq!(encoding_name(&hll), Ok("sparse"));
        assert_eq!(decode_sparse(&hll).unwrap(), "Z:16384");
        assert_eq!(count(&mut hll), Ok((0, true)));
        assert_eq!(hll, hex(EMPTY_COUNTED));
        assert_eq!(count(&mut hll), Ok((0, false)));
        assert_eq!(merge(None, &[]).unwrap(), hex(EMPTY));
    }

    #[test]
    fn three_elements() {
        let (mut hll, updated) = pfadd(None, &[b"a".to_vec(), b"b".to_vec(), b"c".to_vec()]);
        assert!(updated);
        assert_eq!(hll, hex(ABC));
        assert_eq!(
            decode_sparse(&hll).unwrap(),
            "Z:8436 v:1,1 Z:4274 v:2,1 Z:3068 v:1,1 Z:603"
        );
        assert_eq!(count(&mut hll), Ok((3, true)));
        assert_eq!(hll, hex(ABC_COUNTED));
        // Re-adding changes nothing, so the cache stays valid.
        assert_eq!(add(&mut hll, b"a", HLL_SPARSE_MAX_BYTES_DEFAULT), Ok(false));
        assert_eq!(hll, hex(ABC_COUNTED));
        assert_eq!(count(&mut hll), Ok((3, false)));

        let regs = registers(&mut hll).unwrap();
        assert_eq!(regs.len(), HLL_REGISTERS);
        let nonzero: Vec<(usize, u8)> = regs
            .iter()
            .enumerate()
            .filter(|&(_, &r)| r != 0)
            .map(|(i, &r)| (i, r))
            .collect();
        assert_eq!(nonzero, [(8436, 1), (12711, 2), (15780, 1)]);
        // GETREG left it dense, header (and valid cache) kept.
        assert_eq!(hll.len(), HLL_DENSE_LEN);
        assert_eq!(encoding_name(&hll), Ok("dense"));
        let mut header = hex(ABC_COUNTED)[..16].to_vec();
        header[ENCODING_BYTE] = ENCODING_DENSE;
        assert_eq!(&hll[..16], &header[..]);
        assert_eq!(count(&mut hll), Ok((3, false)));
        assert_eq!(decode_sparse(&hll), Err(HllError::NotSparse));
        assert_eq!(to_dense(&mut hll), Ok(false));
    }

    #[test]
    fn thousand_elements_stay_sparse() {
        let (mut hll, _) = pfadd(None, &elements(0..1000));
        assert_eq!(encoding_name(&hll), Ok("sparse"));
        assert_eq!((hll.len(), fnv(&hll)), (1897, 0x0f28_a9d9_3d31_64c9));
        assert_eq!(count(&mut hll), Ok((997, true)));
        assert_eq!((hll.len(), fnv(&hll)), (1897, 0xb2a2_cc50_8fc5_ee31));
        assert_eq!(count(&mut hll), Ok((997, false)));
        let mut dense = hll.clone();
        assert_eq!(to_dense(&mut dense), Ok(true));
        assert_eq!(registers(&mut dense).unwrap(), registers(&mut hll).unwrap());
    }

    #[test]
    fn five_thousand_elements_go_dense() {
        let (mut hll, _) = pfadd(None, &elements(0..5000));
        assert_eq!(encoding_name(&hll), Ok("dense"));
        assert_eq!(
            (hll.len(), fnv(&hll)),
            (HLL_DENSE_LEN, 0x71b5_9976_ab1a_a332)
        );
        assert_eq!(count(&mut hll), Ok((5005, true)));
        assert_eq!(
            (hll.len(), fnv(&hll)),
            (HLL_DENSE_LEN, 0x34cb_6bb2_d0f2_df6a)
        );
    }

    #[test]
    fn union_and_merge() {
        let (k1000, _) = pfadd(None, &elements(0..1000));
        let (k5000, _) = pfadd(None, &elements(0..5000));
        let (kb, _) = pfadd(None, &elements(500..3000));
        assert_eq!(fnv(&kb), 0xdaba_cc08_74f9_acd9);
        assert_eq!(count_union(&[&k1000, &kb]), Ok(3002));
        assert_eq!(count_union(&[&k1000, &k5000]), Ok(5005));
        // Sources are left alone.
        assert_eq!(fnv(&k1000), 0x0f28_a9d9_3d31_64c9);

        let mut m1 = merge(None, &[&k1000, &kb]).unwrap();
        assert_eq!((m1.len(), fnv(&m1)), (HLL_DENSE_LEN, 0x8eec_5669_f13d_2ebc));
        assert_eq!(count(&mut m1), Ok((3002, true)));

        let (abc, _) = pfadd(None, &[b"a".to_vec(), b"b".to_vec(), b"c".to_vec()]);
        let mut m2 = merge(None, &[&abc, &k5000]).unwrap();
        assert_eq!((m2.len(), fnv(&m2)), (HLL_DENSE_LEN, 0x0068_3534_7c2b_4316));
        assert_eq!(count(&mut m2), Ok((5009, true)));

        // All sparse: the destination stays sparse; its stale cache keeps the old count bits.
        let mut m3 = merge(Some(&hex(ABC_COUNTED)), &[&k1000]).unwrap();
        assert_eq!(encoding_name(&m3), Ok("sparse"));
        assert_eq!((m3.len(), fnv(&m3)), (1903, 0x3bd6_0f09_6409_861e));
        assert_eq!(&m3[8..16], &[3, 0, 0, 0, 0, 0, 0, 0x80]);
        assert_eq!(count(&mut m3), Ok((1000, true)));

        // Merging a sparse source into nothing with a tiny limit converts to dense on the way.
        let small = merge_with_sparse_max(None, &[&k1000], 100).unwrap();
        assert_eq!(encoding_name(&small), Ok("dense"));
        let mut a = small.clone();
        let mut b = k1000.clone();
        assert_eq!(registers(&mut a), registers(&mut b));
    }

    #[test]
    fn sparse_limit_and_big_values_promote() {
        let mut hll = new_sparse();
        assert_eq!(add(&mut hll, b"a", 0), Ok(true));
        assert_eq!(encoding_name(&hll), Ok("dense"));
        assert_eq!(registers(&mut hll).unwrap()[12711], 2);

        let mut hll = new_sparse();
        assert_eq!(
            sparse_raise(&mut hll, 100, 33, HLL_SPARSE_MAX_BYTES_DEFAULT),
            Ok(true)
        );
        assert_eq!(encoding_name(&hll), Ok("dense"));
        assert_eq!(dense_get(&hll[HLL_HEADER_LEN..], 100), 33);

        let mut hll = new_sparse();
        assert_eq!(
            sparse_raise(&mut hll, 100, 32, HLL_SPARSE_MAX_BYTES_DEFAULT),
            Ok(true)
        );
        assert_eq!(decode_sparse(&hll).unwrap(), "Z:100 v:32,1 Z:16283");
    }

    #[test]
    fn sparse_runs_split_and_merge() {
        let mut hll = new_sparse();
        for (index, value) in [(10, 3), (12, 3), (11, 3), (13, 3), (14, 3), (0, 1), (63, 1)] {
            sparse_raise(&mut hll, index, value, HLL_SPARSE_MAX_BYTES_DEFAULT).unwrap();
        }
        assert_eq!(
            decode_sparse(&hll).unwrap(),
            "v:1,1 z:9 v:3,4 v:3,1 z:48 v:1,1 Z:16320"
        );
        sparse_raise(&mut hll, 12, 5, HLL_SPARSE_MAX_BYTES_DEFAULT).unwrap();
        assert_eq!(
            decode_sparse(&hll).unwrap(),
            "v:1,1 z:9 v:3,2 v:5,1 v:3,2 z:48 v:1,1 Z:16320"
        );
        assert_eq!(
            sparse_raise(&mut hll, 13, 2, HLL_SPARSE_MAX_BYTES_DEFAULT),
            Ok(false)
        );
    }

    #[test]
    fn cached_cardinality_is_trusted() {
        let mut hll = hex(ABC);
        hll[8..16].copy_from_slice(&12345u64.to_le_bytes());
        assert_eq!(count(&mut hll), Ok((12345, false)));
        invalidate_cache(&mut hll);
        assert_eq!(count(&mut hll), Ok((3, true)));
    }

    #[test]
    fn estimator_edges() {
        // Checked against real Redis: all registers 1 gives 23637; 51 or 63 everywhere divides by zero, which
        // Redis turns into 2^63 (replied as a negative long long) and stores as a stale-looking cache.
        let mut hll = dense_with_all(1);
        assert_eq!(count(&mut hll), Ok((23637, true)));
        for value in [51, 63] {
            let mut hll = dense_with_all(value);
            assert_eq!(count(&mut hll), Ok((1 << 63, true)));
            assert_eq!(&hll[8..16], &[0, 0, 0, 0, 0, 0, 0, 0x80]);
            assert_eq!(count(&mut hll), Ok((1 << 63, true)));
        }
        let mut hll = dense_with_all(0);
        assert_eq!(count(&mut hll), Ok((0, true)));
    }

    #[test]
    fn header_validation() {
        let dense = dense_with_all(0);
        assert_eq!(validate(&dense), Ok(()));
        assert_eq!(validate(&dense[..HLL_DENSE_LEN - 1]), Err(HllError::NotHll));
        let mut longer = dense.clone();
        longer.push(0);
        assert_eq!(validate(&longer), Err(HllError::NotHll));
        assert_eq!(validate(b"HYLL"), Err(HllError::NotHll));
        assert_eq!(validate(&hex(EMPTY)[..15]), Err(HllError::NotHll));
        // A bare sparse header is a valid value, but holds no registers.
        let mut bare = hex(EMPTY)[..16].to_vec();
        assert_eq!(validate(&bare), Ok(()));
        assert_eq!(count(&mut bare), Err(HllError::Corrupted));
        assert_eq!(decode_sparse(&bare).unwrap(), "");
        let mut bad_magic = hex(EMPTY);
        bad_magic[0] = b'h';
        assert_eq!(validate(&bad_magic), Err(HllError::NotHll));
        let mut bad_encoding = hex(EMPTY);
        bad_encoding[4] = 2;
        for mut v in [bad_magic, bad_encoding] {
            assert_eq!(add(&mut v, b"x", 3000), Err(HllError::NotHll));
            assert_eq!(count(&mut v), Err(HllError::NotHll));
            assert_eq!(count_union(&[&hex(EMPTY), &v]), Err(HllError::NotHll));
            assert_eq!(merge(Some(&v), &[]), Err(HllError::NotHll));
            assert_eq!(encoding_name(&v), Err(HllError::NotHll));
            assert_eq!(decode_sparse(&v), Err(HllError::NotHll));
        }
    }

    #[test]
    fn corrupted_sparse() {
        let header = &hex(EMPTY)[..16];
        let with = |data: &[u8]| [header, data].concat();
        // XZERO:16384 then VAL:1,1 (one register too many), XZERO:16000 (too few), ZERO runs past the end.
        for data in [
            &[0x7f, 0xff, 0x80][..],
            &[0x7e, 0x7f],
            &[0x7f, 0xff, 0x00, 0x80],
        ] {
            let v = with(data);
            assert_eq!(count(&mut v.clone()), Err(HllError::Corrupted), "{data:?}");
            assert_eq!(to_dense(&mut v.clone()), Err(HllError::Corrupted));
            assert_eq!(registers(&mut v.clone()), Err(HllError::Corrupted));
            assert_eq!(count_union(&[&v]), Err(HllError::Corrupted));
            assert_eq!(merge(None, &[&v]), Err(HllError::Corrupted));
            assert_eq!(merge(Some(&v), &[]), Err(HllError::Corrupted));
        }
        // PFADD only needs the opcode covering its register, as in Redis: "Z:16000" takes "a" (register 12711).
        let mut short = with(&[0x7e, 0x7f]);
        assert_eq!(add(&mut short, b"a", 3000), Ok(true));
        assert_eq!(decode_sparse(&short).unwrap(), "Z:12711 v:2,1 Z:3288");
        // ... but not a register past the end: error, value unchanged.
        let mut tiny = with(&[0x00]);
        assert_eq!(add(&mut tiny, b"a", 3000), Err(HllError::Corrupted));
        assert_eq!(tiny, with(&[0x00]));
        // A two-byte opcode cut short reads a zero second byte, like the string terminator Redis reads.
        let mut cut = with(&[0x40, 0xfe, 0x7f]);
        assert_eq!(decode_sparse(&cut).unwrap(), "Z:255 Z:16129");
        assert_eq!(count(&mut cut.clone()), Ok((0, true)));
        assert_eq!(to_dense(&mut cut), Ok(true));
    }

    #[test]
    fn sparse_and_dense_agree() {
        let mut sparse = new_sparse();
        let mut dense = new_sparse();
        to_dense(&mut dense).unwrap();
        let mut naive = vec![0u8; HLL_REGISTERS];
        for i in 0..3000u32 {
            let e = i.to_le_bytes();
            let (index, value) = element_register(&e);
            let grew = value > naive[index];
            naive[index] = naive[index].max(value);
            assert_eq!(add(&mut sparse, &e, 1 << 20), Ok(grew));
            assert_eq!(add(&mut dense, &e, 1 << 20), Ok(grew));
            if i % 250 == 0 {
                assert_eq!(count(&mut sparse).unwrap().0, count(&mut dense).unwrap().0);
            }
        }
        assert_eq!(encoding_name(&sparse), Ok("sparse"));
        assert_eq!(registers(&mut dense).unwrap(), naive);
        assert_eq!(registers(&mut sparse).unwrap(), naive);
    }

    proptest! {
        #[test]
        fn random_bytes_never_panic(mut bytes in proptest::collection::vec(any::<u8>(), 0..64), element in proptest::collection::vec(any::<u8>(), 0..16)) {
            exercise(&mut bytes, &element);
        }

        #[test]
        fn random_sparse_never_panic(data in proptest::collection::vec(any::<u8>(), 0..200), cache in any::<u64>(), elements in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..8), 0..20), limit in 0usize..400) {
            let mut v = hex(EMPTY)[..16].to_vec();
            v[8..16].copy_from_slice(&cache.to_le_bytes());
            v.extend_from_slice(&data);
            let before = v.clone();
            for e in &elements {
                let was = v.clone();
                if add(&mut v, e, limit).is_err() {
                    prop_assert_eq!(&v, &was);
                }
            }
            exercise(&mut v, b"x");
            let _ = merge(Some(&before), &[&v]);
        }

        #[test]
        fn random_dense_never_panic(regs in proptest::collection::vec(any::<u8>(), HLL_DENSE_LEN - HLL_HEADER_LEN), stale in any::<bool>()) {
            let mut v = hex(EMPTY_COUNTED)[..16].to_vec();
            v[ENCODING_BYTE] = ENCODING_DENSE;
            if stale {
                invalidate_cache(&mut v);
            }
            v.extend_from_slice(&regs);
            exercise(&mut v, b"y");
        }
    }

    fn exercise(v: &mut Vec<u8>, element: &[u8]) {
        let _ = validate(v);
        let _ = decode_sparse(v);
        let _ = encoding_name(v);
        let _ = count_union(&[v, &hex(ABC)]);
        let _ = merge(None, &[v]);
        let _ = count(&mut v.clone());
        let _ = add(&mut v.clone(), element, 3000);
        let _ = add(&mut v.clone(), element, 0);
        let _ = registers(&mut v.clone());
        let _ = to_dense(v);
    }
}
