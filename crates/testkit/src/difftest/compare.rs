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
