//! A content digest of the data set, for `DEBUG DIGEST` / `DEBUG DIGEST-VALUE`: equal on two servers exactly
//! when they hold the same keys, values and expiry times, whatever the insertion order.
//!
//! Like Redis's, each key contributes its own digest and the contributions are XORed, so the result does not
//! depend on iteration order; unlike Redis's, it is not SHA-1 (tests compare digests between our own
//! servers, never with Redis's values).

use std::hash::{Hash, Hasher};

use keyspace::{Entry, Keyspace, Value};

/// Digest width in bytes; printed as 40 hex characters like Redis's.
const WIDTH: usize = 20;

/// The digest of the whole keyspace; all zeros when it is empty.
pub fn keyspace_digest(keyspace: &Keyspace) -> String {
    let mut total = [0u8; WIDTH];
    for (index, db) in keyspace.dbs() {
        for (key, entry) in db.iter() {
            xor_into(&mut total, &entry_digest(index, key, entry));
        }
    }
    hex(&total)
}

/// The digest of one value (`DEBUG DIGEST-VALUE`); all zeros for a missing key.
pub fn value_digest(entry: Option<&Entry>) -> String {
    match entry {
        Some(entry) => hex(&words(|hasher| hash_value(&entry.value, hasher))),
        None => hex(&[0u8; WIDTH]),
    }
}

fn entry_digest(db: usize, key: &[u8], entry: &Entry) -> [u8; WIDTH] {
    words(|hasher| {
        db.hash(hasher);
        key.hash(hasher);
        hash_value(&entry.value, hasher);
        entry.expire_at.hash(hasher);
    })
}

/// Feeds a value to `hasher` in a canonical form: order-free collections contribute an XOR of per-element
/// hashes, ordered ones their elements in order.
fn hash_value(value: &Value, hasher: &mut std::hash::DefaultHasher) {
    value.type_name().hash(hasher);
    match value {
        Value::String(data) => data.hash(hasher),
        Value::List(list) => list.iter().for_each(|item| item.hash(hasher)),
        Value::Hash(hash) => unordered(hash.iter(), hasher),
        Value::Set(set) => unordered(set.iter(), hasher),
        Value::ZSet(zset) => zset.iter().for_each(|(member, score)| {
            member.hash(hasher);
            score.to_bits().hash(hasher);
        }),
        Value::Stream(stream) => hash_stream(stream, hasher),
    }
}

/// Entries in order, the metadata, and each group's position and pending entries (ID and owner). Left out is
/// what Redis itself does not replicate exactly (its own digest covers the entries alone): times (per-node
/// clocks), consumers (a history read by a new consumer creates it on the master only), delivery counts (a
/// history read counts a delivery on the master only) and `entries_read` (group reads propagate as `XCLAIM`,
/// which does not carry it).
fn hash_stream(stream: &keyspace::types::stream::Stream, hasher: &mut std::hash::DefaultHasher) {
    use keyspace::types::stream::StreamId;
    for (id, fields) in stream.range(StreamId::MIN, StreamId::MAX, false, None) {
        id.hash(hasher);
        fields.hash(hasher);
    }
    stream.last_id().hash(hasher);
    stream.entries_added().hash(hasher);
    stream.max_deleted_entry_id().hash(hasher);
    for (name, group) in stream.groups() {
        name.hash(hasher);
        group.last_id.hash(hasher);
        for (id, pending) in &group.pending {
            id.hash(hasher);
            pending.consumer.hash(hasher);
        }
    }
}

fn unordered<T: Hash>(items: impl Iterator<Item = T>, hasher: &mut std::hash::DefaultHasher) {
    let mut combined = 0u64;
    let mut count = 0u64;
    for item in items {
        let mut element = std::hash::DefaultHasher::new();
        item.hash(&mut element);
        combined ^= element.finish();
        count += 1;
    }
    combined.hash(hasher);
    count.hash(hasher);
}

/// Runs `feed` into three differently seeded hashers to get 20 bytes.
fn words(feed: impl Fn(&mut std::hash::DefaultHasher)) -> [u8; WIDTH] {
    let mut out = [0u8; WIDTH];
    for (seed, chunk) in out.chunks_mut(8).enumerate() {
        let mut hasher = std::hash::DefaultHasher::new();
        seed.hash(&mut hasher);
        feed(&mut hasher);
        let bytes = hasher.finish().to_le_bytes();
        chunk.copy_from_slice(&bytes[..chunk.len()]);
    }
    out
}

fn xor_into(total: &mut [u8; WIDTH], digest: &[u8; WIDTH]) {
    total.iter_mut().zip(digest).for_each(|(a, b)| *a ^= b);
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;

    use super::*;

    fn keyspace(pairs: &[(&'static str, &'static str)]) -> Keyspace {
        let mut keyspace = Keyspace::new(16);
        let db = keyspace.db_mut(0).unwrap();
        for (key, value) in pairs {
            db.insert(
                Bytes::from_static(key.as_bytes()),
                Entry::new(Value::String(Bytes::from_static(value.as_bytes()).into())),
            );
        }
        keyspace
    }

    #[test]
    fn empty_is_zeros_and_order_does_not_matter() {
        assert_eq!(keyspace_digest(&Keyspace::new(16)), "0".repeat(40));
        let a = keyspace(&[("a", "1"), ("b", "2")]);
        let b = keyspace(&[("b", "2"), ("a", "1")]);
        assert_eq!(keyspace_digest(&a), keyspace_digest(&b));
        assert_ne!(
            keyspace_digest(&a),
            keyspace_digest(&keyspace(&[("a", "1"), ("b", "3")]))
        );
        assert_ne!(keyspace_digest(&a), "0".repeat(40));
    }

    #[test]
    fn expiry_and_database_count() {
        let mut a = keyspace(&[("a", "1")]);
        let before = keyspace_digest(&a);
        a.db_mut(0).unwrap().set_expire(b"a", Some(10));
        assert_ne!(keyspace_digest(&a), before);
        let mut moved = Keyspace::new(16);
        moved.db_mut(1).unwrap().insert(
            Bytes::from_static(b"a"),
            Entry::new(Value::String(Bytes::from_static(b"1").into())),
        );
        assert_ne!(keyspace_digest(&moved), before);
    }
}
