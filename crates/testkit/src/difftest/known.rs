//! Known divergences of `rserver` from Redis 7.0 that the sequence keeps finding: real bugs, reported and not
//! yet fixed. A difference is *known* only when it matches one of these narrow rules exactly; a run lists
//! every known instance in its report (so nothing is hidden) and fails on them with `strict`.
//!
//! Remove a rule in the commit that fixes its bug; the CI test then holds the fix.

use resp::Frame;

use super::compare::normalize;
use super::generate::Op;

/// A known divergence: what differs and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KnownDivergence {
    /// Short name for reports.
    pub name: &'static str,
    /// What rserver does differently, and where.
    pub description: &'static str,
}

/// String encodings follow content in rserver, history in Redis.
pub const STRING_ENCODING: KnownDivergence = KnownDivergence {
    name: "string encoding",
    description: "OBJECT ENCODING of a string: Redis makes APPEND and SETRANGE results `raw` (dbUnshareStringValue) and \
                  INCRBYFLOAT results `embstr` even when they look like integers, and COPY/RENAME/MOVE keep that; \
                  rserver derives int/embstr/raw from the current bytes (keyspace::value::string_encoding)",
};

/// Whether the only difference between `rserver`'s and `redis`'s replies to `op` is a known divergence.
pub(super) fn explain(op: &Op, rserver: &Frame, redis: &Frame) -> Option<KnownDivergence> {
    let (rserver, redis) = (normalize(&op.check, rserver), normalize(&op.check, redis));
    (rserver != redis && only_string_encodings_differ(&rserver, &redis)).then_some(STRING_ENCODING)
}

/// Whether two `OBJECT ENCODING` replies for a string key differ in the known way: rserver says `int` or
/// `embstr` where Redis says `embstr` or `raw` (never the other direction, never another type's encoding).
pub(super) fn is_string_encoding_divergence(rserver: &[u8], redis: &[u8]) -> bool {
    matches!(
        (rserver, redis),
        (b"int", b"embstr") | (b"int", b"raw") | (b"embstr", b"raw")
    )
}

/// Equal except for bulk strings (at any depth) that are string-encoding names differing in the known way.
fn only_string_encodings_differ(rserver: &Frame, redis: &Frame) -> bool {
    match (rserver, redis) {
        (Frame::Array(left), Frame::Array(right)) => {
            left.len() == right.len()
                && left
                    .iter()
                    .zip(right)
                    .all(|(left, right)| only_string_encodings_differ(left, right))
        }
        (Frame::Bulk(left), Frame::Bulk(right)) if left != right => {
            is_string_encoding_divergence(left, right)
        }
        (left, right) => left == right,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::difftest::generate::{Check, Family};

    fn op(check: Check) -> Op {
        Op {
            family: Family::Key,
            connection: 0,
            args: vec![b"OBJECT".to_vec(), b"ENCODING".to_vec(), b"s:1".to_vec()],
            check,
        }
    }

    #[test]
    fn only_the_known_direction_is_known() {
        let known = |rserver: &str, redis: &str| {
            explain(
                &op(Check::Exact),
                &Frame::bulk(rserver.to_owned()),
                &Frame::bulk(redis.to_owned()),
            )
            .is_some()
        };
        assert!(known("embstr", "raw"));
        assert!(known("int", "embstr"));
        assert!(!known("raw", "embstr"));
        assert!(!known("listpack", "hashtable"));
        assert!(!known("raw", "raw"));
    }

    #[test]
    fn inside_exec_every_other_element_must_match() {
        let check = Check::Exec(vec![Check::Exact, Check::Exact]);
        let reply = |count: i64, encoding: &str| {
            Frame::Array(vec![
                Frame::Integer(count),
                Frame::bulk(encoding.to_owned()),
            ])
        };
        assert!(explain(&op(check.clone()), &reply(1, "embstr"), &reply(1, "raw")).is_some());
        assert!(explain(&op(check), &reply(1, "embstr"), &reply(2, "raw")).is_none());
    }
}
