//! Streams: read as type 15 (Redis 5 and 6) and 19 (Redis 7.0, which adds the first entry ID, the greatest
//! deleted ID, the count of entries ever added and each group's entries read); written as 19, byte for
//! byte as Redis 7.0.15 saves them.
//!
//! Each node is stored as its master ID (16 bytes, big-endian ms then seq) and the listpack Redis keeps
//! in memory: a master entry `live, deleted, field count, fields…, 0`, then per entry `flags, ms diff,
//! seq diff, [field count, fields…] values…, lp-count`, IDs as differences from the master ID. The
//! stream's metadata and consumer groups follow the nodes. A group's pending entries list stores the
//! delivery details; each consumer then lists the IDs it owns, which is how ownership is restored.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::io;

use bytes::Bytes;
use keyspace::Value;
use keyspace::types::stream::{
    Consumer, ConsumerGroup, Node, NodeEntry, PendingEntry, Stream, StreamId,
};

use super::{Context, RDB_TYPE_STREAM_LISTPACKS_2, bounded_capacity};
use crate::RdbError;
use crate::input::Input;
use crate::length::{read_length, write_length};
use crate::listpack::{self, Element, canonical_int64};
use crate::sink::Sink;
use crate::string::{read_bytes, read_string, write_string};

/// Entry flags in a node's listpack (`STREAM_ITEM_FLAG_*`).
const FLAG_DELETED: i64 = 1;
const FLAG_SAMEFIELDS: i64 = 2;
/// Elements of an entry besides its fields and values: flags, ms diff, seq diff.
const ENTRY_FIXED_ELEMENTS: i64 = 3;
/// How a group's unknown entries-read counter (Redis's -1) is stored: the long long as a length.
const ENTRIES_READ_UNKNOWN: u64 = u64::MAX;
/// Bytes of a raw stream ID (a node key or a pending entry's ID).
const ID_SIZE: usize = 16;

/// Writes type 19: the nodes, the stream's metadata, then every consumer group in name order.
pub(super) fn write<S: Sink + ?Sized>(out: &mut S, key: &[u8], stream: &Stream) -> io::Result<()> {
    out.put(&[RDB_TYPE_STREAM_LISTPACKS_2])?;
    write_string(out, key)?;
    write_length(out, stream.nodes().count() as u64)?;
    let mut builder = listpack::Builder::new();
    for (&master_id, node) in stream.nodes() {
        write_string(out, &master_id.to_be_bytes())?;
        builder.clear();
        build_node(&mut builder, master_id, node);
        write_string(out, builder.finish())?;
    }
    write_length(out, stream.len())?;
    write_id(out, stream.last_id())?;
    write_id(out, stream.first_id())?;
    write_id(out, stream.max_deleted_entry_id())?;
    write_length(out, stream.entries_added())?;
    write_length(out, stream.groups().len() as u64)?;
    for (name, group) in stream.groups() {
        write_string(out, name)?;
        write_id(out, group.last_id)?;
        write_length(out, group.entries_read.unwrap_or(ENTRIES_READ_UNKNOWN))?;
        write_length(out, group.pending.len() as u64)?;
        for (id, pending) in &group.pending {
            out.put(&id.to_be_bytes())?;
            out.put(&pending.delivery_time.to_le_bytes())?;
            write_length(out, pending.delivery_count)?;
        }
        write_length(out, group.consumers.len() as u64)?;
        for (name, consumer) in &group.consumers {
            write_string(out, name)?;
            out.put(&consumer.seen_time.to_le_bytes())?;
            // Only the IDs: the loader finds the details in the group's list written above.
            write_length(out, consumer.pending.len() as u64)?;
            for id in &consumer.pending {
                out.put(&id.to_be_bytes())?;
            }
        }
    }
    Ok(())
}

/// An ID as two lengths, ms then seq (how the metadata stores IDs, unlike the raw form of PEL IDs).
fn write_id<S: Sink + ?Sized>(out: &mut S, id: StreamId) -> io::Result<()> {
    write_length(out, id.ms)?;
    write_length(out, id.seq)
}

/// Lays a node out as Redis's `streamAppendItem` (and the later in-place flag and count updates) leave
/// its listpack. Redis rewrites the counts and flags with `lpReplaceInteger`, which picks the smallest
/// encoding just as appending does, so building the listpack afresh gives the same bytes.
fn build_node(builder: &mut listpack::Builder, master_id: StreamId, node: &Node) {
    builder.push_int(node.live() as i64);
    builder.push_int(node.deleted() as i64);
    builder.push_int(node.master_fields().len() as i64);
    for field in node.master_fields() {
        builder.push(field);
    }
    builder.push_int(0);
    for entry in node.entries() {
        let pairs = (entry.fields.len() / 2) as i64;
        let flags = (i64::from(entry.deleted) * FLAG_DELETED)
            | (i64::from(entry.same_fields) * FLAG_SAMEFIELDS);
        builder.push_int(flags);
        // Redis subtracts as unsigned and stores the result as a signed integer, so a smaller seq in a
        // later millisecond is a negative difference.
        builder.push_int(entry.id.ms.wrapping_sub(master_id.ms) as i64);
        builder.push_int(entry.id.seq.wrapping_sub(master_id.seq) as i64);
        let mut lp_count = pairs + ENTRY_FIXED_ELEMENTS;
        if entry.same_fields {
            for value in entry.fields.iter().skip(1).step_by(2) {
                builder.push(value);
            }
        } else {
            builder.push_int(pairs);
            for item in &entry.fields {
                builder.push(item);
            }
            lp_count += pairs + 1;
        }
        builder.push_int(lp_count);
    }
}

/// Reads type 15 or 19. Empty streams are kept: unlike the other types, Redis does not skip them.
pub(super) fn read(
    input: &mut Input<'_>,
    context: &Context<'_>,
) -> Result<Option<Value>, RdbError> {
    let version_2 = context.type_id == RDB_TYPE_STREAM_LISTPACKS_2;
    let mut stream = Stream::new();
    let node_count = read_length(input)?;
    let mut masters = HashSet::with_capacity(bounded_capacity(node_count, input) / ID_SIZE);
    for _ in 0..node_count {
        let key = read_string(input)?;
        let master_id = raw_id(&key).ok_or_else(|| context.corrupt(NODE_KEY_SIZE))?;
        let blob = read_string(input)?;
        let node = read_node(&blob, master_id, context)?;
        if !masters.insert(master_id) {
            return Err(context.corrupt("two stream nodes with the same master ID"));
        }
        stream.push_loaded_node(master_id, node);
    }
    let length = read_length(input)?;
    let last_id = read_id(input)?;
    if version_2 {
        let first_id = read_id(input)?;
        let max_deleted = read_id(input)?;
        let entries_added = read_length(input)?;
        stream.set_meta(last_id, entries_added, max_deleted);
        stream.set_first_id(first_id);
    } else {
        // What Redis 7.0 derives for a pre-7.0 stream: no known deletions, every live entry counted as
        // added, and the first live entry (MAX when there is none, as `streamGetEdgeID` reports).
        stream.set_meta(last_id, length, StreamId::MIN);
        let first_id = stream.edge(true).map_or(StreamId::MAX, |(id, _)| id);
        stream.set_first_id(first_id);
    }
    // Redis trusts the stored length; ours is counted from the nodes, so the two must agree.
    if length != stream.len() {
        return Err(context.corrupt("stream length differs from its live entries"));
    }
    let group_count = read_length(input)?;
    for _ in 0..group_count {
        let name = read_bytes(input)?;
        let group = read_group(input, context, &stream, version_2)?;
        if stream.groups_mut().insert(name, group).is_some() {
            return Err(context.corrupt("duplicate consumer group name"));
        }
    }
    Ok(Some(Value::Stream(Box::new(stream))))
}

const NODE_KEY_SIZE: &str = "stream node key is not the size of a stream ID";

/// The 16-byte big-endian form of an ID.
fn raw_id(bytes: &[u8]) -> Option<StreamId> {
    let bytes: [u8; ID_SIZE] = bytes.try_into().ok()?;
    Some(StreamId::from_be_bytes(bytes))
}

fn read_id(input: &mut Input<'_>) -> Result<StreamId, RdbError> {
    let ms = read_length(input)?;
    let seq = read_length(input)?;
    Ok(StreamId::new(ms, seq))
}

/// Decodes one node's listpack with the checks of Redis's deep stream validation: the master entry's
/// shape and zero terminator, exactly `live + deleted` entries, each with a `lp-count` matching its
/// size, nothing after the last one. On top of that the master entry's counts must match the entries'
/// deleted flags, since the node's counters are derived from those.
fn read_node(blob: &[u8], master_id: StreamId, context: &Context<'_>) -> Result<Node, RdbError> {
    let corrupt = |reason| context.corrupt(reason);
    let elements = listpack::decode(blob).map_err(corrupt)?;
    if elements.is_empty() {
        return Err(corrupt("empty listpack in a stream"));
    }
    let mut rest = Elements(&elements);
    let live = rest.count().map_err(corrupt)?;
    let deleted = rest.count().map_err(corrupt)?;
    let master_count = rest.count().map_err(corrupt)?;
    let master_fields: Vec<Bytes> = rest
        .take(master_count)
        .map_err(corrupt)?
        .iter()
        .map(|element| element.to_bytes())
        .collect();
    if rest.int().map_err(corrupt)? != 0 {
        return Err(corrupt("stream master entry does not end with 0"));
    }
    let total = live
        .checked_add(deleted)
        .ok_or_else(|| corrupt(TOO_FEW_ELEMENTS))?;
    // Every entry takes at least four elements, so the remaining ones bound what to reserve.
    let mut entries = Vec::with_capacity(total.min(rest.0.len() / 4));
    for _ in 0..total {
        entries.push(read_entry(&mut rest, master_id, &master_fields).map_err(corrupt)?);
    }
    if !rest.0.is_empty() {
        return Err(corrupt("stream listpack has elements after its last entry"));
    }
    let node = Node::from_parts(master_id, master_fields, entries);
    if node.live() != live as u64 || node.deleted() != deleted as u64 {
        return Err(corrupt(
            "stream node's live and deleted counts differ from its entries",
        ));
    }
    Ok(node)
}

const TOO_FEW_ELEMENTS: &str = "stream listpack has fewer elements than its entries need";

/// One entry after the master entry.
fn read_entry(
    rest: &mut Elements<'_, '_>,
    master_id: StreamId,
    master_fields: &[Bytes],
) -> Result<NodeEntry, &'static str> {
    let flags = rest.int()?;
    if flags & !(FLAG_DELETED | FLAG_SAMEFIELDS) != 0 {
        return Err("unknown stream entry flags");
    }
    let same_fields = flags & FLAG_SAMEFIELDS != 0;
    // The differences are signed in the listpack and added back as unsigned, wrapping as Redis does.
    let ms = master_id.ms.wrapping_add(rest.int()? as u64);
    let seq = master_id.seq.wrapping_add(rest.int()? as u64);
    let (fields, expected_count) = if same_fields {
        let values = rest.take(master_fields.len())?;
        let fields = master_fields
            .iter()
            .zip(values)
            .flat_map(|(field, value)| [field.clone(), value.to_bytes()])
            .collect::<Vec<_>>();
        (fields, master_fields.len() as i64 + ENTRY_FIXED_ELEMENTS)
    } else {
        // Field, value, field, value...: each pair is two elements.
        let pairs = rest.count()?;
        let items = rest.take(pairs.checked_mul(2).ok_or(TOO_FEW_ELEMENTS)?)?;
        let fields = items.iter().map(|item| item.to_bytes()).collect::<Vec<_>>();
        (fields, 2 * pairs as i64 + 1 + ENTRY_FIXED_ELEMENTS)
    };
    if rest.int()? != expected_count {
        return Err("stream entry's lp-count does not match its size");
    }
    Ok(NodeEntry {
        id: StreamId::new(ms, seq),
        fields,
        deleted: flags & FLAG_DELETED != 0,
        same_fields,
    })
}

/// A cursor over the decoded elements of a node.
struct Elements<'e, 'a>(&'e [Element<'a>]);

impl<'e, 'a> Elements<'e, 'a> {
    /// The next `n` elements.
    fn take(&mut self, n: usize) -> Result<&'e [Element<'a>], &'static str> {
        if n > self.0.len() {
            return Err(TOO_FEW_ELEMENTS);
        }
        let (taken, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(taken)
    }

    /// The next element as an integer; like Redis, a string holding a canonical integer counts.
    fn int(&mut self) -> Result<i64, &'static str> {
        match self.take(1)?[0] {
            Element::Int(value) => Ok(value),
            Element::Str(text) => {
                canonical_int64(text).ok_or("string where a stream listpack needs an integer")
            }
        }
    }

    /// The next element as a count: a non-negative integer no larger than the elements left, which
    /// is all any count here can describe.
    fn count(&mut self) -> Result<usize, &'static str> {
        usize::try_from(self.int()?)
            .ok()
            .filter(|&count| count <= self.0.len())
            .ok_or(TOO_FEW_ELEMENTS)
    }
}

/// A consumer group after its name: last ID, entries read (type 19 only; for type 15 estimated as
/// Redis does), the group's pending entries with their delivery details, then the consumers with
/// the IDs each owns.
fn read_group(
    input: &mut Input<'_>,
    context: &Context<'_>,
    stream: &Stream,
    version_2: bool,
) -> Result<ConsumerGroup, RdbError> {
    let last_id = read_id(input)?;
    let entries_read = if version_2 {
        Some(read_length(input)?).filter(|&read| read != ENTRIES_READ_UNKNOWN)
    } else {
        stream.estimate_distance_from_first_ever_entry(last_id)
    };
    let mut group = ConsumerGroup::new(last_id, entries_read);
    // Delivery time, count and (once a consumer claims it) owner of each pending ID.
    let mut pending: BTreeMap<StreamId, (i64, u64, Option<Bytes>)> = BTreeMap::new();
    let pending_count = read_length(input)?;
    for _ in 0..pending_count {
        let id = StreamId::from_be_bytes(input.read_array()?);
        let delivery_time = i64::from_le_bytes(input.read_array()?);
        let delivery_count = read_length(input)?;
        if pending
            .insert(id, (delivery_time, delivery_count, None))
            .is_some()
        {
            return Err(context.corrupt("duplicate ID in a consumer group's pending entries"));
        }
    }
    let consumer_count = read_length(input)?;
    for _ in 0..consumer_count {
        let name = read_bytes(input)?;
        let seen_time = i64::from_le_bytes(input.read_array()?);
        let owned_count = read_length(input)?;
        let mut owned = BTreeSet::new();
        for _ in 0..owned_count {
            let id = StreamId::from_be_bytes(input.read_array()?);
            let (_, _, owner) = pending.get_mut(&id).ok_or_else(|| {
                context.corrupt("consumer's pending ID is not in its group's pending entries")
            })?;
            // Redis would let the later consumer take the entry over while the earlier one still
            // lists it; a state no command creates, refused rather than half-loaded.
            if owner.replace(name.clone()).is_some() {
                return Err(context.corrupt("pending ID listed twice by the consumers of a group"));
            }
            owned.insert(id);
        }
        let consumer = Consumer {
            seen_time,
            pending: owned,
        };
        if group.consumers.insert(name, consumer).is_some() {
            return Err(context.corrupt("duplicate consumer name in a group"));
        }
    }
    for (id, (delivery_time, delivery_count, owner)) in pending {
        // Redis's deep validation refuses this too; without it the entry would have no owner.
        let consumer =
            owner.ok_or_else(|| context.corrupt("pending entry without a consumer in a group"))?;
        group.pending.insert(
            id,
            PendingEntry {
                delivery_time,
                delivery_count,
                consumer,
            },
        );
    }
    Ok(group)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::test_support::read_entry;
    use keyspace::types::stream::NodeLimits;

    fn fields(pairs: &[(&str, &str)]) -> Vec<Bytes> {
        pairs
            .iter()
            .flat_map(|(f, v)| [Bytes::from(f.to_string()), Bytes::from(v.to_string())])
            .collect()
    }

    fn written(stream: &Stream) -> Vec<u8> {
        let mut out = Vec::new();
        write(&mut out, b"st", stream).expect("writing to a Vec cannot fail");
        out
    }

    fn node_listpack(master_id: StreamId, node: &Node) -> Vec<u8> {
        let mut builder = listpack::Builder::new();
        build_node(&mut builder, master_id, node);
        builder.finish().to_vec()
    }

    fn round_trip(stream: &Stream) {
        let bytes = written(stream);
        let (type_id, value) = read_entry(&bytes).expect("our own stream loads");
        assert_eq!(type_id, RDB_TYPE_STREAM_LISTPACKS_2);
        let Some(Value::Stream(loaded)) = value else {
            panic!("not a stream");
        };
        // Field by field first, so a failure names what differs without printing every entry.
        assert_eq!(loaded.len(), stream.len());
        assert_eq!(loaded.last_id(), stream.last_id());
        assert_eq!(loaded.first_id(), stream.first_id());
        assert_eq!(loaded.max_deleted_entry_id(), stream.max_deleted_entry_id());
        assert_eq!(loaded.entries_added(), stream.entries_added());
        assert_eq!(loaded.groups(), stream.groups());
        assert!(loaded.nodes().eq(stream.nodes()), "nodes differ");
        assert!(*loaded == *stream, "streams differ");
    }

    #[test]
    fn redis_example_byte_for_byte() {
        // `XADD st 1-1 f v` and `XGROUP CREATE st g1 0` as Redis 7.0.15 saved them (format reference
        // §11): listpack [1, 0, 1, "f", 0, 2, 0, 0, "v", 4].
        let mut stream = Stream::new();
        stream.append(
            StreamId::new(1, 1),
            fields(&[("f", "v")]),
            NodeLimits::default(),
        );
        stream
            .groups_mut()
            .insert(Bytes::from("g1"), ConsumerGroup::new(StreamId::MIN, None));
        let mut expected = b"\x13\x02st\x01\x10".to_vec();
        expected.extend_from_slice(&StreamId::new(1, 1).to_be_bytes());
        expected.extend_from_slice(
            b"\x1d\x1d\x00\x00\x00\x0a\x00\x01\x01\x00\x01\x01\x01\x81f\x02\x00\x01\
              \x02\x01\x00\x01\x00\x01\x81v\x02\x04\x01\xff",
        );
        expected.extend_from_slice(b"\x01\x01\x01\x01\x01\x00\x00\x01");
        expected
            .extend_from_slice(b"\x01\x02g1\x00\x00\x81\xff\xff\xff\xff\xff\xff\xff\xff\x00\x00");
        assert_eq!(written(&stream), expected);
        round_trip(&stream);
    }

    #[test]
    fn listpack_sizes_match_node_bytes() {
        let mut stream = Stream::new();
        let long = "x".repeat(5000);
        let medium = "y".repeat(100);
        let values = [
            "v",
            "0",
            "-1",
            "127",
            "128",
            "-4096",
            "70000",
            "-8388609",
            "2147483648",
            "9223372036854775807",
            "007",
            &medium,
            &long,
        ];
        let mut id = StreamId::new(1_700_000_000_000, 5);
        for (i, value) in values.iter().cycle().take(400).enumerate() {
            let entry = match i % 4 {
                0 => fields(&[("f", value)]),
                1 => fields(&[("f", value), ("g", "1")]),
                2 => fields(&[(value, "x")]),
                _ => fields(&[("f", value)]),
            };
            stream.append(id, entry, NodeLimits::default());
            // Alternate sequence-only steps and millisecond steps that reset the sequence, so seq
            // differences from the master ID go negative.
            id = if i % 3 == 0 {
                StreamId::new(id.ms, id.seq + 7)
            } else {
                StreamId::new(id.ms + 1 + (i as u64) * 1000, 0)
            };
        }
        let doomed: Vec<StreamId> = stream
            .range(StreamId::MIN, StreamId::MAX, false, None)
            .iter()
            .map(|(id, _)| *id)
            .step_by(3)
            .collect();
        stream.delete(&doomed);
        assert!(stream.nodes().count() > 3);
        for (&master_id, node) in stream.nodes() {
            let blob = node_listpack(master_id, node);
            assert_eq!(blob.len(), node.bytes(), "node {master_id}");
            assert!(listpack::decode(&blob).is_ok());
        }
        round_trip(&stream);
    }

    #[test]
    fn groups_pending_entries_and_consumers_round_trip() {
        let mut stream = Stream::new();
        for i in 1..=250 {
            stream.append(
                StreamId::new(i, 0),
                fields(&[("n", &i.to_string())]),
                NodeLimits::default(),
            );
        }
        stream.delete(&[StreamId::new(1, 0), StreamId::new(150, 0)]);
        let alice = Bytes::from("alice");
        let bob = Bytes::from("12");
        let mut group = ConsumerGroup::new(StreamId::new(10, 0), Some(10));
        group.create_consumer(&alice, 1_000);
        group.create_consumer(&bob, 2_000);
        group.create_consumer(&Bytes::from("idle"), -5);
        for i in 2..=6 {
            group.deliver(StreamId::new(i, 0), &alice, 3_000 + i as i64);
        }
        group.deliver(StreamId::new(7, 0), &bob, 4_000);
        group.deliver(StreamId::new(3, 0), &bob, 5_000);
        stream.groups_mut().insert(Bytes::from("g"), group);
        stream.groups_mut().insert(
            Bytes::from("empty"),
            ConsumerGroup::new(StreamId::MAX, None),
        );
        round_trip(&stream);
    }

    #[test]
    fn empty_streams_are_kept() {
        round_trip(&Stream::new());
        let mut emptied = Stream::new();
        emptied.append(
            StreamId::new(5, 5),
            fields(&[("a", "b")]),
            NodeLimits::default(),
        );
        emptied.delete(&[StreamId::new(5, 5)]);
        assert_eq!(emptied.nodes().count(), 0);
        round_trip(&emptied);
    }

    #[test]
    fn every_truncation_is_an_error() {
        let mut stream = Stream::new();
        for i in 1..=120 {
            stream.append(
                StreamId::new(i, i),
                fields(&[("k", "v")]),
                NodeLimits::default(),
            );
        }
        let consumer = Bytes::from("c");
        let mut group = ConsumerGroup::new(StreamId::new(3, 3), Some(3));
        group.create_consumer(&consumer, 9);
        group.deliver(StreamId::new(2, 2), &consumer, 10);
        stream.groups_mut().insert(Bytes::from("g"), group);
        let bytes = written(&stream);
        for len in 0..bytes.len() {
            assert!(read_entry_prefix(&bytes[..len]).is_err(), "cut at {len}");
        }
    }

    /// A listpack of integers and strings, laid out by hand for corrupt cases.
    fn lp(elements: &[Lp<'_>]) -> Vec<u8> {
        let mut builder = listpack::Builder::new();
        for element in elements {
            match element {
                Lp::I(value) => builder.push_int(*value),
                Lp::S(text) => builder.push(text),
            }
        }
        builder.finish().to_vec()
    }

    enum Lp<'a> {
        I(i64),
        S(&'a [u8]),
    }
    use Lp::{I, S};

    /// One valid node at `1-0`: entries `1-0 {f: a}` and `1-1 {f: b}`.
    fn good_node() -> Vec<u8> {
        lp(&[
            I(2),
            I(0),
            I(1),
            S(b"f"),
            I(0),
            I(2),
            I(0),
            I(0),
            S(b"a"),
            I(4),
            I(2),
            I(0),
            I(1),
            S(b"b"),
            I(4),
        ])
    }

    /// A stream entry of `type_id` with these nodes (key bytes, listpack) and then `tail` verbatim.
    fn entry(type_id: u8, nodes: &[(&[u8], &[u8])], tail: &[u8]) -> Vec<u8> {
        let mut out = vec![type_id, 2, b's', b't'];
        write_length(&mut out, nodes.len() as u64).expect("Vec");
        for (key, blob) in nodes {
            write_string(&mut out, key).expect("Vec");
            write_string(&mut out, blob).expect("Vec");
        }
        out.extend_from_slice(tail);
        out
    }

    /// Lengths, as the metadata and counts are stored.
    fn lengths(values: &[u64]) -> Vec<u8> {
        let mut out = Vec::new();
        for &value in values {
            write_length(&mut out, value).expect("Vec");
        }
        out
    }

    const KEY_1_0: [u8; 16] = [0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0];

    fn corrupt_reason(bytes: &[u8]) -> &'static str {
        match read_entry_prefix(bytes) {
            Err(RdbError::CorruptValue { reason, .. }) => reason,
            other => panic!("expected a corrupt value, got {other:?}"),
        }
    }

    /// Version 2 metadata for the good node: 2 entries, last 1-1, first 1-0, nothing deleted, 2 added.
    fn good_meta() -> Vec<u8> {
        lengths(&[2, 1, 1, 1, 0, 0, 0, 2])
    }

    #[test]
    fn hand_built_node_loads() {
        let bytes = entry(
            19,
            &[(&KEY_1_0, &good_node())],
            &[good_meta(), lengths(&[0])].concat(),
        );
        let Ok(Some(Value::Stream(stream))) = read_entry_prefix(&bytes) else {
            panic!("hand-built stream does not load");
        };
        let entries = stream.range(StreamId::MIN, StreamId::MAX, false, None);
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[1].0, StreamId::new(1, 1));
        assert_eq!(entries[1].1, [Bytes::from("f"), Bytes::from("b")]);
        // Counts stored as strings holding integers are read as Redis reads them.
        let strings = lp(&[
            S(b"1"),
            S(b"0"),
            I(1),
            S(b"f"),
            I(0),
            I(2),
            I(0),
            I(0),
            S(b"a"),
            S(b"4"),
        ]);
        let meta = lengths(&[1, 1, 0, 1, 0, 0, 0, 1, 0]);
        assert!(read_entry_prefix(&entry(19, &[(&KEY_1_0, &strings)], &meta)).is_ok());
    }

    #[test]
    fn corrupt_nodes_are_errors() {
        let tail = [good_meta(), lengths(&[0])].concat();
        let node = |blob: &[u8]| corrupt_reason(&entry(19, &[(&KEY_1_0, blob)], &tail));
        assert_eq!(
            corrupt_reason(&entry(19, &[(&KEY_1_0[..15], &good_node())], &tail)),
            NODE_KEY_SIZE
        );
        assert_eq!(node(&lp(&[])), "empty listpack in a stream");
        let mut bad_backlen = good_node();
        bad_backlen[7] ^= 1;
        assert!(node(&bad_backlen).starts_with("listpack"));
        let cases: [(&[Lp<'_>], &str); 7] = [
            (
                &[
                    I(1),
                    I(0),
                    I(1),
                    S(b"f"),
                    I(1),
                    I(2),
                    I(0),
                    I(0),
                    S(b"a"),
                    I(4),
                ],
                "stream master entry does not end with 0",
            ),
            (
                &[
                    I(1),
                    I(0),
                    I(1),
                    S(b"f"),
                    I(0),
                    I(2),
                    I(0),
                    I(0),
                    S(b"a"),
                    I(5),
                ],
                "stream entry's lp-count does not match its size",
            ),
            (
                &[
                    I(1),
                    I(0),
                    I(1),
                    S(b"f"),
                    I(0),
                    I(6),
                    I(0),
                    I(0),
                    S(b"a"),
                    I(4),
                ],
                "unknown stream entry flags",
            ),
            (
                &[
                    I(1),
                    I(0),
                    I(1),
                    S(b"f"),
                    I(0),
                    I(3),
                    I(0),
                    I(0),
                    S(b"a"),
                    I(4),
                ],
                "stream node's live and deleted counts differ from its entries",
            ),
            (
                &[
                    I(1),
                    I(0),
                    I(1),
                    S(b"f"),
                    I(0),
                    I(2),
                    I(0),
                    I(0),
                    S(b"a"),
                    I(4),
                    I(0),
                ],
                "stream listpack has elements after its last entry",
            ),
            (
                &[
                    I(2),
                    I(0),
                    I(1),
                    S(b"f"),
                    I(0),
                    I(2),
                    I(0),
                    I(0),
                    S(b"a"),
                    I(4),
                ],
                TOO_FEW_ELEMENTS,
            ),
            (
                &[
                    I(1),
                    I(0),
                    I(1),
                    S(b"f"),
                    I(0),
                    S(b"x"),
                    I(0),
                    I(0),
                    S(b"a"),
                    I(4),
                ],
                "string where a stream listpack needs an integer",
            ),
        ];
        for (elements, reason) in cases {
            assert_eq!(node(&lp(elements)), reason);
        }
        let hostile = lp(&[I(i64::MAX), I(i64::MAX), I(0), I(0)]);
        assert_eq!(node(&hostile), TOO_FEW_ELEMENTS);
        let two = [
            (&KEY_1_0[..], &good_node()[..]),
            (&KEY_1_0[..], &good_node()[..]),
        ];
        let meta = [lengths(&[4, 1, 1, 1, 0, 0, 0, 4]), lengths(&[0])].concat();
        assert_eq!(
            corrupt_reason(&entry(19, &two, &meta)),
            "two stream nodes with the same master ID"
        );
        let wrong_length = [lengths(&[3, 1, 1, 1, 0, 0, 0, 2]), lengths(&[0])].concat();
        assert_eq!(
            corrupt_reason(&entry(19, &[(&KEY_1_0, &good_node())], &wrong_length)),
            "stream length differs from its live entries"
        );
    }

    /// A group `g` (last ID 1-1, 2 read) with `pel` (IDs as 1-seq, time 7, count 1) and `consumers`
    /// (name, 1-seq IDs owned).
    fn group(name: &[u8], pel: &[u64], consumers: &[(&[u8], &[u64])]) -> Vec<u8> {
        let mut out = Vec::new();
        write_string(&mut out, name).expect("Vec");
        out.extend(lengths(&[1, 1, 2, pel.len() as u64]));
        for &seq in pel {
            out.extend_from_slice(&StreamId::new(1, seq).to_be_bytes());
            out.extend_from_slice(&7i64.to_le_bytes());
            out.extend(lengths(&[1]));
        }
        out.extend(lengths(&[consumers.len() as u64]));
        for (name, owned) in consumers {
            write_string(&mut out, name).expect("Vec");
            out.extend_from_slice(&9i64.to_le_bytes());
            out.extend(lengths(&[owned.len() as u64]));
            for &seq in *owned {
                out.extend_from_slice(&StreamId::new(1, seq).to_be_bytes());
            }
        }
        out
    }

    #[test]
    fn groups_load_and_corrupt_groups_are_errors() {
        let with_groups = |groups: &[Vec<u8>]| {
            let mut tail = good_meta();
            tail.extend(lengths(&[groups.len() as u64]));
            for group in groups {
                tail.extend_from_slice(group);
            }
            entry(19, &[(&KEY_1_0, &good_node())], &tail)
        };
        let good = with_groups(&[group(b"g", &[0, 1], &[(b"a", &[1]), (b"b", &[0])])]);
        let Ok(Some(Value::Stream(stream))) = read_entry_prefix(&good) else {
            panic!("groups do not load");
        };
        let loaded = stream.group(b"g").expect("group g");
        assert_eq!(loaded.entries_read, Some(2));
        assert_eq!(
            loaded.pending[&StreamId::new(1, 1)].consumer,
            Bytes::from("a")
        );
        assert_eq!(loaded.pending[&StreamId::new(1, 0)].delivery_time, 7);
        assert_eq!(loaded.consumers[&Bytes::from("b")].seen_time, 9);
        let cases: [(Vec<Vec<u8>>, &str); 6] = [
            (
                vec![group(b"g", &[0], &[(b"a", &[1])])],
                "consumer's pending ID is not in its group's pending entries",
            ),
            (
                vec![group(b"g", &[0, 1], &[(b"a", &[1])])],
                "pending entry without a consumer in a group",
            ),
            (
                vec![group(b"g", &[0], &[(b"a", &[0]), (b"b", &[0])])],
                "pending ID listed twice by the consumers of a group",
            ),
            (
                vec![group(b"g", &[0, 0], &[(b"a", &[0])])],
                "duplicate ID in a consumer group's pending entries",
            ),
            (
                vec![group(b"g", &[], &[(b"a", &[]), (b"a", &[])])],
                "duplicate consumer name in a group",
            ),
            (
                vec![group(b"g", &[], &[]), group(b"g", &[], &[])],
                "duplicate consumer group name",
            ),
        ];
        for (groups, reason) in cases {
            assert_eq!(corrupt_reason(&with_groups(&groups)), reason);
        }
    }

    #[test]
    fn version_1_derives_what_redis_derives() {
        // Type 15: no first ID, max deleted ID or entries added, and groups without entries read.
        let mut tail = lengths(&[2, 1, 1, 2]);
        for (name, last_seq) in [(&b"at-first"[..], 0), (b"at-last", 1)] {
            write_string(&mut tail, name).expect("Vec");
            tail.extend(lengths(&[1, last_seq, 0, 0]));
        }
        let bytes = entry(15, &[(&KEY_1_0, &good_node())], &tail);
        let Ok(Some(Value::Stream(stream))) = read_entry_prefix(&bytes) else {
            panic!("type 15 does not load");
        };
        assert_eq!(stream.first_id(), StreamId::new(1, 0));
        assert_eq!(stream.max_deleted_entry_id(), StreamId::MIN);
        assert_eq!(stream.entries_added(), 2);
        assert_eq!(
            stream.group(b"at-first").map(|g| g.entries_read),
            Some(Some(1))
        );
        assert_eq!(
            stream.group(b"at-last").map(|g| g.entries_read),
            Some(Some(2))
        );
        // An empty old-format stream records MAX as its first ID, as Redis's edge lookup reports.
        let empty = entry(15, &[], &lengths(&[0, 0, 0, 0]));
        let Ok(Some(Value::Stream(stream))) = read_entry_prefix(&empty) else {
            panic!("empty type 15 does not load");
        };
        assert_eq!(stream.first_id(), StreamId::MAX);
        assert_eq!(stream.entries_added(), 0);
    }

    /// Like `read_entry` but without insisting that everything was consumed.
    fn read_entry_prefix(bytes: &[u8]) -> Result<Option<Value>, RdbError> {
        let mut input = Input::new(bytes);
        let type_id = input.read_u8()?;
        let key = read_bytes(&mut input)?;
        super::super::read_value(&mut input, type_id, &key)
    }
}
