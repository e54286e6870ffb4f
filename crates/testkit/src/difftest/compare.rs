//! Reply normalisation and comparison: what each [`Check`] lets differ between two servers, and nothing more.

use std::collections::BTreeSet;

use bytes::BytesMut;
use resp::{Frame, Protocol};

use super::generate::Check;

/// `frame` with what `check` allows to differ made canonical (orders sorted, TTLs classed, random picks reduced
/// to their shape). Equal normal forms mean the replies agree.
pub(super) fn normalize(check: &Check, frame: &Frame) -> Frame {
    match (check, frame) {
        (Check::Unordered, Frame::Array(items)) => {
            let mut items = items.clone();
            items.sort_by_key(encode);
            Frame::Array(items)
        }
        (Check::UnorderedPairs, Frame::Array(items)) if items.len() % 2 == 0 => {
            let mut pairs: Vec<&[Frame]> = items.chunks(2).collect();
            pairs.sort_by_key(|pair| (encode(&pair[0]), encode(&pair[1])));
            Frame::Array(pairs.concat())
        }
        (Check::TtlClass, Frame::Integer(ttl)) if *ttl >= 0 => Frame::Simple("<ttl>".into()),
        (Check::PendingIdle, Frame::Array(items)) => Frame::Array(
            items
                .iter()
                .map(|item| match item {
                    Frame::Array(parts) if parts.len() == 4 => mask_at(parts, 2),
                    other => other.clone(),
                })
                .collect(),
        ),
        (Check::StreamTimes, frame) => mask_stream_times(frame),
        (Check::Shape | Check::Sample { .. }, frame) => shape(frame),
        (Check::Exec(checks), Frame::Array(items)) if items.len() == checks.len() => Frame::Array(
            checks
                .iter()
                .zip(items)
                .map(|(check, item)| normalize(check, item))
                .collect(),
        ),
        (_, frame) => frame.clone(),
    }
}

/// The RESP2 bytes of `frame`.
pub(super) fn encode(frame: &Frame) -> Vec<u8> {
    let mut bytes = BytesMut::new();
    resp::encode_frame(frame, Protocol::Resp2, &mut bytes);
    bytes.to_vec()
}

/// The strings of a random pick (a bulk string or an array of them), grouped in pairs with `pairs`.
pub(super) fn picks(frame: &Frame, pairs: bool) -> Vec<Vec<Vec<u8>>> {
    let strings: Vec<Vec<u8>> = match frame {
        Frame::Bulk(bytes) => vec![bytes.to_vec()],
        Frame::Array(items) => items
            .iter()
            .map(|item| match item {
                Frame::Bulk(bytes) => bytes.to_vec(),
                other => encode(other),
            })
            .collect(),
        _ => Vec::new(),
    };
    let group = if pairs { 2 } else { 1 };
    strings.chunks(group).map(<[Vec<u8>]>::to_vec).collect()
}

/// Checks a random pick against the candidates read right after it on the same server: every pick is a
/// candidate and, with `distinct`, none repeats.
pub(super) fn check_sample(
    reply: &Frame,
    candidates: &Frame,
    pairs: bool,
    distinct: bool,
) -> Result<(), String> {
    let candidates: BTreeSet<Vec<Vec<u8>>> = picks(candidates, pairs).into_iter().collect();
    let picked = picks(reply, pairs);
    if let Some(stray) = picked.iter().find(|pick| !candidates.contains(*pick)) {
        return Err(format!(
            "picked {} which is not a candidate",
            stray
                .iter()
                .map(|part| escape(part))
                .collect::<Vec<_>>()
                .join(" ")
        ));
    }
    let unique: BTreeSet<&Vec<Vec<u8>>> = picked.iter().collect();
    if distinct && unique.len() != picked.len() {
        return Err("picked the same element twice".to_owned());
    }
    Ok(())
}

/// Bytes for a message: escaped, and cut after 600 bytes with the full length.
pub fn escape(bytes: &[u8]) -> String {
    const SHOWN: usize = 600;
    let shown = bytes[..bytes.len().min(SHOWN)].escape_ascii().to_string();
    if bytes.len() > SHOWN {
        format!("{shown}... ({} bytes)", bytes.len())
    } else {
        shown
    }
}

/// A command for messages: arguments escaped, long ones cut.
pub fn show_command(args: &[Vec<u8>]) -> String {
    args.iter()
        .map(|arg| {
            if arg.len() > 40 {
                format!("<{} bytes: {}...>", arg.len(), arg[..16].escape_ascii())
            } else if arg.is_empty() || arg.iter().any(|byte| !byte.is_ascii_graphic()) {
                format!("\"{}\"", arg.escape_ascii())
            } else {
                arg.escape_ascii().to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// What replaces an integer the clock decided (an idle time, a delivery or seen time).
fn clock_mask() -> Frame {
    Frame::Simple("<ms>".into())
}

/// `parts` with the integer at `index` masked (anything else there is kept, so a wrong kind still differs).
fn mask_at(parts: &[Frame], index: usize) -> Frame {
    let mut parts = parts.to_vec();
    if matches!(parts[index], Frame::Integer(_)) {
        parts[index] = clock_mask();
    }
    Frame::Array(parts)
}

/// `frame` with the clock's integers of `XINFO CONSUMERS` and `XINFO STREAM FULL` masked: the values named
/// `idle` and `seen-time`, and in a `pending` list of arrays the delivery time (`[id, consumer, time, count]`
/// of a group, `[id, time, count]` of a consumer). Maps come as RESP3 maps or RESP2 flat arrays of names and
/// values; a flat array counts as a map when its every even element is a bulk string.
fn mask_stream_times(frame: &Frame) -> Frame {
    let mask_value = |name: &[u8], value: &Frame| -> Frame {
        match (name, value) {
            (b"idle" | b"seen-time", Frame::Integer(_)) => clock_mask(),
            (b"pending", Frame::Array(entries)) => Frame::Array(
                entries
                    .iter()
                    .map(|entry| match entry {
                        Frame::Array(parts) if parts.len() == 4 => mask_at(parts, 2),
                        Frame::Array(parts) if parts.len() == 3 => mask_at(parts, 1),
                        other => other.clone(),
                    })
                    .collect(),
            ),
            (_, value) => mask_stream_times(value),
        }
    };
    match frame {
        Frame::Map(pairs) => Frame::Map(
            pairs
                .iter()
                .map(|(name, value)| {
                    let masked = match name {
                        Frame::Bulk(name) => mask_value(name, value),
                        _ => mask_stream_times(value),
                    };
                    (name.clone(), masked)
                })
                .collect(),
        ),
        Frame::Array(items)
            if !items.is_empty()
                && items.len() % 2 == 0
                && items
                    .iter()
                    .step_by(2)
                    .all(|name| matches!(name, Frame::Bulk(_))) =>
        {
            let mut masked = Vec::with_capacity(items.len());
            for pair in items.chunks(2) {
                masked.push(pair[0].clone());
                match &pair[0] {
                    Frame::Bulk(name) => masked.push(mask_value(name, &pair[1])),
                    _ => unreachable!("every name is a bulk string"),
                }
            }
            Frame::Array(masked)
        }
        Frame::Array(items) => Frame::Array(items.iter().map(mask_stream_times).collect()),
        other => other.clone(),
    }
}

/// A reply reduced to kinds and lengths: every bulk string becomes `?`.
fn shape(frame: &Frame) -> Frame {
    match frame {
        Frame::Bulk(_) => Frame::Bulk("?".into()),
        Frame::Array(items) => Frame::Array(items.iter().map(shape).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bulks(items: &[&'static str]) -> Frame {
        Frame::Array(items.iter().map(|item| Frame::bulk(*item)).collect())
    }

    #[test]
    fn unordered_sorts_and_keeps_pairs_together() {
        assert_eq!(
            normalize(&Check::Unordered, &bulks(&["b", "a", "c"])),
            normalize(&Check::Unordered, &bulks(&["c", "b", "a"]))
        );
        let left = normalize(&Check::UnorderedPairs, &bulks(&["f2", "1", "f1", "2"]));
        let right = normalize(&Check::UnorderedPairs, &bulks(&["f1", "2", "f2", "1"]));
        assert_eq!(left, right);
        let swapped = normalize(&Check::UnorderedPairs, &bulks(&["f1", "1", "f2", "2"]));
        assert_ne!(left, swapped);
    }

    #[test]
    fn ttl_classes() {
        let class = |ttl| normalize(&Check::TtlClass, &Frame::Integer(ttl));
        assert_eq!(class(5), class(86_400));
        assert_ne!(class(-1), class(-2));
        assert_ne!(class(-1), class(3));
    }

    #[test]
    fn exec_replies_use_each_commands_check() {
        let check = Check::Exec(vec![Check::Exact, Check::Unordered]);
        let left = Frame::Array(vec![Frame::Integer(1), bulks(&["a", "b"])]);
        let right = Frame::Array(vec![Frame::Integer(1), bulks(&["b", "a"])]);
        assert_eq!(normalize(&check, &left), normalize(&check, &right));
        let other = Frame::Array(vec![Frame::Integer(2), bulks(&["b", "a"])]);
        assert_ne!(normalize(&check, &left), normalize(&check, &other));
    }

    #[test]
    fn pending_entries_compare_without_idle_times() {
        let entry = |idle, deliveries| {
            Frame::Array(vec![
                Frame::bulk("1-1"),
                Frame::bulk("c1"),
                Frame::Integer(idle),
                Frame::Integer(deliveries),
            ])
        };
        let pending = |idle, deliveries| Frame::Array(vec![entry(idle, deliveries)]);
        let normal = |frame: &Frame| normalize(&Check::PendingIdle, frame);
        assert_eq!(normal(&pending(3, 1)), normal(&pending(9000, 1)));
        assert_ne!(normal(&pending(3, 1)), normal(&pending(3, 2)));
        let error = Frame::Error("NOGROUP".into());
        assert_eq!(normal(&error), error);
    }

    #[test]
    fn stream_info_compares_without_clock_times() {
        let normal = |frame: &Frame| normalize(&Check::StreamTimes, frame);
        // XINFO CONSUMERS, RESP2: an array of flat maps.
        let consumers = |idle, pending| {
            Frame::Array(vec![Frame::Array(vec![
                Frame::bulk("name"),
                Frame::bulk("c1"),
                Frame::bulk("pending"),
                Frame::Integer(pending),
                Frame::bulk("idle"),
                Frame::Integer(idle),
            ])])
        };
        assert_eq!(normal(&consumers(1, 2)), normal(&consumers(700, 2)));
        assert_ne!(normal(&consumers(1, 2)), normal(&consumers(1, 3)));
        // XINFO STREAM FULL: a group's pending entries [id, consumer, time, count], its consumers' seen-time
        // and pending entries [id, time, count]; an entry whose field is named `idle` keeps its value.
        let full = |time, count, value: &'static str| {
            let consumer = Frame::Array(vec![
                Frame::bulk("name"),
                Frame::bulk("c1"),
                Frame::bulk("seen-time"),
                Frame::Integer(time),
                Frame::bulk("pending"),
                Frame::Array(vec![Frame::Array(vec![
                    Frame::bulk("1-1"),
                    Frame::Integer(time),
                    Frame::Integer(count),
                ])]),
            ]);
            let group = Frame::Array(vec![
                Frame::bulk("name"),
                Frame::bulk("g1"),
                Frame::bulk("pending"),
                Frame::Array(vec![Frame::Array(vec![
                    Frame::bulk("1-1"),
                    Frame::bulk("c1"),
                    Frame::Integer(time),
                    Frame::Integer(count),
                ])]),
                Frame::bulk("consumers"),
                Frame::Array(vec![consumer]),
            ]);
            let entry = Frame::Array(vec![
                Frame::bulk("1-1"),
                Frame::Array(vec![Frame::bulk("idle"), Frame::bulk(value)]),
            ]);
            Frame::Array(vec![
                Frame::bulk("length"),
                Frame::Integer(1),
                Frame::bulk("entries"),
                Frame::Array(vec![entry]),
                Frame::bulk("groups"),
                Frame::Array(vec![group]),
            ])
        };
        assert_eq!(normal(&full(5, 1, "a")), normal(&full(123_456, 1, "a")));
        assert_ne!(normal(&full(5, 1, "a")), normal(&full(5, 2, "a")));
        assert_ne!(normal(&full(5, 1, "a")), normal(&full(5, 1, "b")));
    }

    #[test]
    fn samples_must_be_candidates() {
        let members = bulks(&["a", "b", "c"]);
        assert!(check_sample(&bulks(&["a", "c"]), &members, false, true).is_ok());
        assert!(check_sample(&bulks(&["a", "a"]), &members, false, true).is_err());
        assert!(check_sample(&bulks(&["a", "a"]), &members, false, false).is_ok());
        assert!(check_sample(&bulks(&["d"]), &members, false, false).is_err());
        let hash = bulks(&["f", "1", "g", "2"]);
        assert!(check_sample(&bulks(&["g", "2"]), &hash, true, true).is_ok());
        assert!(check_sample(&bulks(&["g", "1"]), &hash, true, true).is_err());
    }
}
