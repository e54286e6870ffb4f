//! HyperLogLog: `PFADD`, `PFCOUNT`, `PFMERGE`, `PFDEBUG`, `PFSELFTEST`. The values are plain strings in
//! Redis's exact HLL layout (`keyspace::types::hyperloglog`), so they replicate, persist and `GET` the same
//! bytes as on Redis. Like Redis, `PFCOUNT` stores the cardinality it computed in the value's header, and
//! propagates itself when it did, so replicas keep identical bytes.

use bytes::Bytes;
use keyspace::types::hyperloglog::{self as hll, HllError};
use keyspace::{StringEncoding, Value};
use resp::Frame;

use super::strings::{Lookup, lookup_string};
use super::{DataCtx, is, owned};
use crate::Reply;
use crate::errors;

const NOT_HLL: &str = "WRONGTYPE Key is not a valid HyperLogLog string value.";
const CORRUPTED: &str = "INVALIDOBJ Corrupted HLL object detected";

fn error_reply(error: HllError) -> Frame {
    errors::reply(match error {
        HllError::NotHll => NOT_HLL,
        HllError::Corrupted => CORRUPTED,
        HllError::NotSparse => "ERR HLL encoding is not sparse",
    })
}

/// The HLL under `key`: `Ok(None)` when missing, the error reply for another type or a non-HLL string.
fn lookup_hll(ctx: &mut DataCtx<'_>, key: &[u8]) -> Result<Option<Bytes>, Frame> {
    match lookup_string(ctx, key) {
        Lookup::Missing => Ok(None),
        Lookup::WrongType => Err(errors::reply(errors::WRONG_TYPE)),
        Lookup::String(data) => match hll::validate(&data) {
            Ok(()) => Ok(Some(data)),
            Err(error) => Err(error_reply(error)),
        },
    }
}

/// Stores an HLL value (always a `raw` string, as Redis creates them), keeping the key's TTL.
fn store(ctx: &mut DataCtx<'_>, key: &Bytes, value: Vec<u8>) {
    let db = ctx.db();
    // Shrunk to size first: a `Bytes` from a `Vec` with spare capacity also carries a sharing header.
    db.insert_keep_ttl(owned(key), Value::String(value.into()));
    db.set_string_encoding(key, StringEncoding::Raw);
}

fn sparse_max_bytes(ctx: &DataCtx<'_>) -> usize {
    ctx.limits.hll_sparse_max_bytes
}

/// `PFADD key [element ...]`: 1 if a register changed (or the key was created), else 0.
pub fn pfadd(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    let existing = lookup_hll(ctx, &argv[1])?;
    let mut updated = existing.is_none();
    let mut value = existing.map_or_else(hll::new_sparse, |data| data.to_vec());
    let max_bytes = sparse_max_bytes(ctx);
    for element in &argv[2..] {
        match hll::add(&mut value, element, max_bytes) {
            Ok(changed) => updated |= changed,
            Err(error) => return Err(error_reply(error)),
        }
    }
    if !updated {
        return Ok(Frame::Integer(0));
    }
    hll::invalidate_cache(&mut value);
    store(ctx, &argv[1], value);
    ctx.propagate_verbatim(argv);
    Ok(Frame::Integer(1))
}

/// `PFCOUNT key [key ...]`: the estimated cardinality of one HLL (caching it in the value) or of the union
/// of several (missing keys count as empty).
pub fn pfcount(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    if argv.len() > 2 {
        let mut values = Vec::with_capacity(argv.len() - 1);
        for key in &argv[1..] {
            if let Some(data) = lookup_hll(ctx, key)? {
                values.push(data)
            }
        }
        let slices: Vec<&[u8]> = values.iter().map(|data| &data[..]).collect();
        return hll::count_union(&slices)
            .map(|card| Frame::Integer(card as i64))
            .map_err(error_reply);
    }
    let data = match lookup_hll(ctx, &argv[1])? {
        Some(data) => data,
        None => return Ok(Frame::Integer(0)),
    };
    let mut value = data.to_vec();
    Ok(match hll::count(&mut value) {
        Ok((card, false)) => Frame::Integer(card as i64),
        Ok((card, true)) => {
            // Refreshing the cached count modifies the key (PFCOUNT is not flagged as a write, so the
            // generic touch would not tell its watchers).
            store(ctx, &argv[1], value);
            ctx.touch(&argv[1]);
            ctx.propagate_verbatim(argv);
            Frame::Integer(card as i64)
        }
        Err(error) => error_reply(error),
    })
}

/// `PFMERGE destkey [sourcekey ...]`: the union of the destination and the sources, stored in the
/// destination.
pub fn pfmerge(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    let mut sources = Vec::with_capacity(argv.len() - 1);
    let mut destination = None;
    for (index, key) in argv[1..].iter().enumerate() {
        match lookup_hll(ctx, key) {
            Ok(Some(data)) if index == 0 => destination = Some(data),
            Ok(Some(data)) => sources.push(data),
            Ok(None) => {}
            Err(reply) => return Err(reply),
        }
    }
    let slices: Vec<&[u8]> = sources.iter().map(|data| &data[..]).collect();
    let merged =
        match hll::merge_with_sparse_max(destination.as_deref(), &slices, sparse_max_bytes(ctx)) {
            Ok(merged) => merged,
            Err(error) => return Err(error_reply(error)),
        };
    store(ctx, &argv[1], merged);
    // Only the destination changed, not the sources.
    ctx.touch(&argv[1]);
    ctx.propagate_verbatim(argv);
    Ok(Frame::ok())
}

/// `PFDEBUG GETREG|DECODE|ENCODING|TODENSE key`
pub fn pfdebug(ctx: &mut DataCtx<'_>, argv: &[Bytes]) -> Reply {
    let (sub, key) = (&argv[1], &argv[2]);
    let data = match lookup_string(ctx, key) {
        Lookup::Missing => return Err(errors::reply("ERR The specified key does not exist")),
        Lookup::WrongType => return Err(errors::reply(errors::WRONG_TYPE)),
        Lookup::String(data) => data,
    };
    if let Err(error) = hll::validate(&data) {
        return Err(error_reply(error));
    }
    let mut value = data.to_vec();
    Ok(if is(sub, "getreg") {
        let was_sparse = hll::encoding_name(&value) == Ok("sparse");
        let registers = match hll::registers(&mut value) {
            Ok(registers) => registers,
            Err(error) => return Err(error_reply(error)),
        };
        if was_sparse {
            store(ctx, key, value);
            ctx.propagate_verbatim(argv);
        }
        Frame::Array(
            registers
                .into_iter()
                .map(|register| Frame::Integer(i64::from(register)))
                .collect(),
        )
    } else if is(sub, "decode") {
        match hll::decode_sparse(&value) {
            Ok(text) => Frame::Bulk(Bytes::from(text)),
            Err(error) => error_reply(error),
        }
    } else if is(sub, "encoding") {
        match hll::encoding_name(&value) {
            Ok(name) => Frame::Simple(Bytes::from_static(name.as_bytes())),
            Err(error) => error_reply(error),
        }
    } else if is(sub, "todense") {
        match hll::to_dense(&mut value) {
            Ok(converted) => {
                if converted {
                    store(ctx, key, value);
                    ctx.propagate_verbatim(argv);
                }
                Frame::Integer(i64::from(converted))
            }
            Err(error) => error_reply(error),
        }
    } else {
        errors::with_argument("ERR Unknown PFDEBUG subcommand '", sub, "'")
    })
}

/// `PFSELFTEST`: checks that the sparse and dense representations agree register by register and that
/// the estimate stays within a few standard errors of the true cardinality.
pub fn pfselftest(_ctx: &mut DataCtx<'_>, _argv: &[Bytes]) -> Reply {
    let mut sparse = hll::new_sparse();
    let mut dense = hll::new_sparse();
    if hll::to_dense(&mut dense).is_err() {
        return Err(errors::reply("ERR TESTFAILED dense conversion failed"));
    }
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    for n in 1..=10_000u64 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let element = state.to_le_bytes();
        let added_sparse = hll::add(&mut sparse, &element, usize::MAX);
        let added_dense = hll::add(&mut dense, &element, usize::MAX);
        if added_sparse.is_err() || added_sparse != added_dense {
            return Err(errors::reply(
                "ERR TESTFAILED sparse and dense registers differ",
            ));
        }
        if n.is_power_of_two() || n == 10_000 {
            let estimate = hll::count(&mut dense.clone()).map_or(0, |(card, _)| card);
            let error = (estimate as f64 - n as f64).abs() / n as f64;
            // 1.04 / sqrt(16384) is the standard error; small sets are counted almost exactly.
            if error > 0.05 && n > 100 {
                return Err(errors::reply(&format!(
                    "ERR TESTFAILED Too big error. card:{n} abserr:{error}"
                )));
            }
        }
    }
    let same = match (hll::registers(&mut sparse), hll::registers(&mut dense)) {
        (Ok(left), Ok(right)) => left == right,
        _ => false,
    };
    Ok(if same {
        Frame::ok()
    } else {
        errors::reply("ERR TESTFAILED sparse and dense registers differ")
    })
}

/// This family's commands, each bound to its handler; the server's command table joins them with Redis's
/// facts about each command (arity, flags, keys) from [`crate::table`].
pub const HANDLERS: &[(&str, crate::Handler)] = &[
    ("pfadd", pfadd),
    ("pfcount", pfcount),
    ("pfmerge", pfmerge),
    ("pfdebug", pfdebug),
    ("pfselftest", pfselftest),
];
