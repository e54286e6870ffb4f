//! Lists: read as type 1 (plain strings), 10 (one ziplist), 14 (quicklist of ziplists) and 18 (quicklist
//! of listpacks or plain nodes); written as 18 with the node boundaries Redis's quicklist would have.

use std::io;

use bytes::Bytes;
use keyspace::Value;
use keyspace::types::list::List;

use super::{
    Context, RDB_TYPE_LIST, RDB_TYPE_LIST_QUICKLIST, RDB_TYPE_LIST_QUICKLIST_2,
    RDB_TYPE_LIST_ZIPLIST, bounded_capacity,
};
use crate::RdbError;
use crate::input::Input;
use crate::length::{read_length, write_length};
use crate::listpack::{self, Element};
use crate::sink::Sink;
use crate::string::{read_bytes, read_string, write_string};
use crate::ziplist;

/// Quicklist node containers (`QUICKLIST_NODE_CONTAINER_*`).
const CONTAINER_PLAIN: u64 = 1;
const CONTAINER_PACKED: u64 = 2;

/// `list-max-listpack-size -2`: a node's listpack may grow to 8 KB.
const NODE_SIZE_LIMIT: usize = 8192;
/// Redis over-estimates each new entry by this much when deciding whether it still fits a node.
const SIZE_ESTIMATE_OVERHEAD: usize = 8;
/// Elements this large get a PLAIN node of their own (`packed_threshold`, 1 GB by default).
const PACKED_THRESHOLD: usize = 1 << 30;
/// `lpBytes` of an empty listpack: header and terminator.
const EMPTY_LISTPACK_BYTES: usize = 7;

pub(super) fn read(
    input: &mut Input<'_>,
    context: &Context<'_>,
) -> Result<Option<Value>, RdbError> {
    let items = match context.type_id {
        RDB_TYPE_LIST => {
            let len = read_length(input)?;
            let mut items = Vec::with_capacity(bounded_capacity(len, input));
            for _ in 0..len {
                items.push(read_bytes(input)?);
            }
            items
        }
        RDB_TYPE_LIST_ZIPLIST => {
            let blob = read_string(input)?;
            elements_to_bytes(ziplist::decode(&blob).map_err(|reason| context.corrupt(reason))?)
        }
        RDB_TYPE_LIST_QUICKLIST | RDB_TYPE_LIST_QUICKLIST_2 => read_quicklist(input, context)?,
        _ => unreachable!("dispatched by type id"),
    };
    if items.is_empty() {
        return Ok(None);
    }
    Ok(Some(Value::List(Box::new(List::from_iter(items)))))
}

fn read_quicklist(input: &mut Input<'_>, context: &Context<'_>) -> Result<Vec<Bytes>, RdbError> {
    let nodes = read_length(input)?;
    let mut items = Vec::new();
    for _ in 0..nodes {
        let container = if context.type_id == RDB_TYPE_LIST_QUICKLIST_2 {
            read_length(input)?
        } else {
            CONTAINER_PACKED
        };
        if container != CONTAINER_PLAIN && container != CONTAINER_PACKED {
            return Err(context.corrupt("unknown quicklist node container"));
        }
        let blob = read_string(input)?;
        if blob.is_empty() {
            return Err(context.corrupt("empty quicklist node"));
        }
        if container == CONTAINER_PLAIN {
            items.push(Bytes::from(blob.into_owned()));
            continue;
        }
        let elements = if context.type_id == RDB_TYPE_LIST_QUICKLIST_2 {
            listpack::decode(&blob)
        } else {
            ziplist::decode(&blob)
        }
        .map_err(|reason| context.corrupt(reason))?;
        // An empty node is skipped, as Redis does; only an entirely empty list is dropped.
        items.extend(elements.into_iter().map(Element::to_bytes));
    }
    Ok(items)
}

fn elements_to_bytes(elements: Vec<Element<'_>>) -> Vec<Bytes> {
    elements.into_iter().map(Element::to_bytes).collect()
}

/// Writes type 18: the node count, then per node its container and a listpack (or the raw element of a
/// PLAIN node). Node boundaries follow `quicklistPushTail`: an element joins the tail node while the
/// node's size plus the element's length plus 8 stays within 8 KB.
pub(super) fn write<S: Sink + ?Sized>(out: &mut S, key: &[u8], list: &List) -> io::Result<()> {
    out.put(&[RDB_TYPE_LIST_QUICKLIST_2])?;
    write_string(out, key)?;
    let nodes = plan_nodes(list);
    write_length(out, nodes.len() as u64)?;
    let mut items = list.iter();
    let mut builder = listpack::Builder::new();
    for node in nodes {
        match node {
            Node::Plain => {
                write_length(out, CONTAINER_PLAIN)?;
                write_string(out, items.next().map_or(&[][..], |item| &item[..]))?;
            }
            Node::Packed(count) => {
                write_length(out, CONTAINER_PACKED)?;
                builder.clear();
                for item in items.by_ref().take(count) {
                    builder.push(item);
                }
                write_string(out, builder.finish())?;
            }
        }
    }
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Node {
    /// A listpack of this many elements.
    Packed(usize),
    /// One element stored raw.
    Plain,
}

/// The quicklist nodes Redis would build by pushing `list`'s elements at the tail one by one.
fn plan_nodes(list: &List) -> Vec<Node> {
    let mut nodes = Vec::new();
    // (lpBytes, element count) of the tail node while it is a listpack.
    let mut tail: Option<(usize, usize)> = None;
    for item in list.iter() {
        if item.len() >= PACKED_THRESHOLD {
            nodes.extend(tail.take().map(|(_, count)| Node::Packed(count)));
            nodes.push(Node::Plain);
            continue;
        }
        let entry_size = listpack::entry_size(item);
        tail = match tail {
            Some((bytes, count))
                if bytes + item.len() + SIZE_ESTIMATE_OVERHEAD <= NODE_SIZE_LIMIT =>
            {
                Some((bytes + entry_size, count + 1))
            }
            full => {
                nodes.extend(full.map(|(_, count)| Node::Packed(count)));
                Some((EMPTY_LISTPACK_BYTES + entry_size, 1))
            }
        };
    }
    nodes.extend(tail.map(|(_, count)| Node::Packed(count)));
    nodes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(items: &[&[u8]]) -> List {
        items
            .iter()
            .map(|item| Bytes::copy_from_slice(item))
            .collect()
    }

    #[test]
    fn small_list_is_one_node_as_redis_writes_it() {
        // `RPUSH l:small a b 3` saved by Redis 7.0.15: one PACKED node, listpack ["a", "b", 3].
        let mut out = Vec::new();
        write(&mut out, b"l", &list(&[b"a", b"b", b"3"])).expect("writing to a Vec cannot fail");
        assert_eq!(
            out,
            b"\x12\x01l\x01\x02\x0f\x0f\x00\x00\x00\x03\x00\x81a\x02\x81b\x02\x03\x01\xff"
        );
    }

    #[test]
    fn nodes_split_at_eight_kilobytes() {
        // 100-byte elements: each entry takes 100 + 2 + 1 = 103 bytes. A node of n entries is 7 + 103n
        // bytes and accepts one more while 7 + 103n + 100 + 8 <= 8192, i.e. up to n = 78, so 79 per node.
        let item = vec![b'x'; 100];
        let items: Vec<&[u8]> = (0..200).map(|_| item.as_slice()).collect();
        assert_eq!(
            plan_nodes(&list(&items)),
            [Node::Packed(79), Node::Packed(79), Node::Packed(42)]
        );
        let big = vec![b'y'; 9000];
        assert_eq!(
            plan_nodes(&list(&[b"a", &big, b"b"])),
            [Node::Packed(1), Node::Packed(1), Node::Packed(1)]
        );
    }
}
