//! [`Db`]: one numbered database, with lazy and active expiry.

use std::collections::HashMap;

use bytes::Bytes;

use crate::expire_index::ExpireIndex;
use crate::{Entry, UnixMillis, Value};

/// What to do with a key found logically expired on access.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpiryPolicy {
    /// Master behaviour: delete it and record the deletion (see [`Db::take_expired`]) so a `DEL` is propagated.
    Delete,
    /// Replica behaviour towards its clients: act as if it were missing but keep it; the master's `DEL`
    /// will remove it.
    Hide,
    /// Replica applying its master's stream: the master is the authority on expiry, so the key is live until
    /// the master deletes it.
    Keep,
}

/// One database: keys to entries, plus an index of the keys that carry a TTL.
#[derive(Debug, Default, Clone)]
pub struct Db {
    entries: HashMap<Bytes, Entry>,
    expires: ExpireIndex,
    expired: Vec<Bytes>,
    sample_state: u64,
}

impl Db {
    /// An empty database.
    pub fn new() -> Db {
        Db::default()
    }

    /// Number of keys, including logically expired ones not yet deleted (what `DBSIZE` reports).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the database holds no keys at all.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Number of keys with a TTL.
    pub fn expires_len(&self) -> usize {
        self.expires.len()
    }

    /// The live entry under `key`, applying `policy` to a logically expired one.
    pub fn get(&mut self, key: &[u8], now_ms: UnixMillis, policy: ExpiryPolicy) -> Option<&Entry> {
        if self.expire_if_needed(key, now_ms, policy) {
            return None;
        }
        self.entries.get(key)
    }

    /// The live value under `key` for in-place modification (its TTL is left alone; see [`Db::set_expire`]).
    pub fn get_mut(
        &mut self,
        key: &[u8],
        now_ms: UnixMillis,
        policy: ExpiryPolicy,
    ) -> Option<&mut Value> {
        if self.expire_if_needed(key, now_ms, policy) {
            return None;
        }
        self.entries.get_mut(key).map(|entry| &mut entry.value)
    }

    /// Whether a live key exists.
    pub fn contains(&mut self, key: &[u8], now_ms: UnixMillis, policy: ExpiryPolicy) -> bool {
        self.get(key, now_ms, policy).is_some()
    }

    /// Stores `entry` under `key`, replacing any previous entry and its TTL; returns the previous entry.
    pub fn insert(&mut self, key: Bytes, entry: Entry) -> Option<Entry> {
        match entry.expire_at {
            Some(_) => self.expires.insert(&key),
            None => self.expires.remove(&key),
        }
        self.entries.insert(key, entry)
    }

    /// Stores `value` under `key`, keeping the TTL of the key it replaces (if the key exists).
    pub fn insert_keep_ttl(&mut self, key: Bytes, value: Value) {
        match self.entries.get_mut(&key) {
            Some(entry) => entry.value = value,
            None => {
                self.entries.insert(key, Entry::new(value));
            }
        }
    }

    /// Deletes `key` whatever its expiry state; returns the removed entry.
    pub fn remove(&mut self, key: &[u8]) -> Option<Entry> {
        let entry = self.entries.remove(key)?;
        if entry.expire_at.is_some() {
            self.expires.remove(key);
        }
        Some(entry)
    }

    /// Sets or clears the TTL of an existing key; returns false if the key does not exist.
    pub fn set_expire(&mut self, key: &[u8], expire_at: Option<UnixMillis>) -> bool {
        let Some((stored_key, entry)) = self.entries.get_key_value(key) else {
            return false;
        };
        let stored_key = stored_key.clone();
        let had_ttl = entry.expire_at.is_some();
        match (had_ttl, expire_at) {
            (false, Some(_)) => self.expires.insert(&stored_key),
            (true, None) => self.expires.remove(key),
            _ => {}
        }
        if let Some(entry) = self.entries.get_mut(key) {
            entry.expire_at = expire_at;
        }
        true
    }

    /// The entry under `key` as stored, expired or not, without applying any expiry policy.
    pub fn peek(&self, key: &[u8]) -> Option<&Entry> {
        self.entries.get(key)
    }

    /// Every entry, including logically expired ones, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (&Bytes, &Entry)> {
        self.entries.iter()
    }

    /// Removes every key.
    pub fn clear(&mut self) {
        self.entries.clear();
        self.expires.clear();
    }

    /// One step of active expiry: looks at up to `samples` random keys that have a TTL and deletes the expired
    /// ones (recorded for [`Db::take_expired`]). Returns how many were deleted, so the caller can decide, like
    /// Redis, to run another step when a large share of the sample had expired.
    pub fn active_expire_step(&mut self, now_ms: UnixMillis, samples: usize) -> usize {
        let mut deleted = 0;
        for _ in 0..samples.min(self.expires.len()) {
            let index = (self.next_random() % self.expires.len() as u64) as usize;
            let Some(key) = self.expires.get(index).cloned() else {
                break;
            };
            if self.expire_if_needed(&key, now_ms, ExpiryPolicy::Delete) {
                deleted += 1;
            }
        }
        deleted
    }

    /// Drains the keys deleted by expiry since the last call, oldest first.
    pub fn take_expired(&mut self) -> Vec<Bytes> {
        std::mem::take(&mut self.expired)
    }

    /// Whether keys were deleted by expiry since the last [`Db::take_expired`].
    pub fn has_expired(&self) -> bool {
        !self.expired.is_empty()
    }

    /// Returns true when `key` is logically expired (deleting it under [`ExpiryPolicy::Delete`]).
    fn expire_if_needed(&mut self, key: &[u8], now_ms: UnixMillis, policy: ExpiryPolicy) -> bool {
        if policy == ExpiryPolicy::Keep {
            return false;
        }
        let expired = self
            .entries
            .get(key)
            .is_some_and(|entry| entry.is_expired(now_ms));
        if expired
            && policy == ExpiryPolicy::Delete
            && let Some((stored_key, _)) = self.entries.remove_entry(key)
        {
            self.expires.remove(key);
            self.expired.push(stored_key);
        }
        expired
    }

    /// xorshift64*: sampling only needs to be spread out, not unpredictable.
    fn next_random(&mut self) -> u64 {
        if self.sample_state == 0 {
            self.sample_state = 0x9E37_79B9_7F4A_7C15;
        }
        let mut x = self.sample_state;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.sample_state = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn string(text: &'static str) -> Value {
        Value::String(Bytes::from_static(text.as_bytes()))
    }

    fn db_with_ttl_key() -> Db {
        let mut db = Db::new();
        db.insert(
            Bytes::from("k"),
            Entry {
                value: string("v"),
                expire_at: Some(1_000),
            },
        );
        db
    }

    #[test]
    fn master_deletes_expired_key_on_access_and_reports_it() {
        let mut db = db_with_ttl_key();
        assert!(db.get(b"k", 999, ExpiryPolicy::Delete).is_some());
        assert!(db.get(b"k", 1_000, ExpiryPolicy::Delete).is_none());
        assert_eq!(db.len(), 0);
        assert_eq!(db.expires_len(), 0);
        assert_eq!(db.take_expired(), vec![Bytes::from("k")]);
        assert!(db.take_expired().is_empty());
    }

    #[test]
    fn replica_hides_expired_key_but_keeps_it() {
        let mut db = db_with_ttl_key();
        assert!(db.get(b"k", 5_000, ExpiryPolicy::Hide).is_none());
        assert_eq!(db.len(), 1);
        assert!(db.take_expired().is_empty());
    }

    #[test]
    fn set_expire_and_persist_update_the_index() {
        let mut db = Db::new();
        db.insert(Bytes::from("k"), Entry::new(string("v")));
        assert!(db.set_expire(b"k", Some(10)));
        assert_eq!(db.expires_len(), 1);
        assert!(db.set_expire(b"k", None));
        assert_eq!(db.expires_len(), 0);
        assert!(!db.set_expire(b"missing", Some(10)));
    }

    #[test]
    fn insert_keep_ttl_preserves_expiry() {
        let mut db = db_with_ttl_key();
        db.insert_keep_ttl(Bytes::from("k"), string("w"));
        let entry = db.get(b"k", 0, ExpiryPolicy::Delete).unwrap();
        assert_eq!(entry.expire_at, Some(1_000));
        assert_eq!(entry.value, string("w"));
    }

    #[test]
    fn active_expiry_eventually_deletes_every_expired_key() {
        let mut db = Db::new();
        for i in 0..100 {
            let expire_at = if i % 2 == 0 {
                Some(10)
            } else {
                Some(1_000_000)
            };
            db.insert(
                Bytes::from(format!("k{i}")),
                Entry {
                    value: string("v"),
                    expire_at,
                },
            );
        }
        let mut rounds = 0;
        while db.len() > 50 {
            db.active_expire_step(100, 20);
            rounds += 1;
            assert!(rounds < 1_000, "active expiry made no progress");
        }
        assert_eq!(db.len(), 50);
        assert_eq!(db.take_expired().len(), 50);
    }
}
