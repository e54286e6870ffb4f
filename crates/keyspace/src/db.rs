//! [`Db`]: one numbered database, with lazy and active expiry.

use std::collections::HashMap;

use bytes::Bytes;

use crate::expire_index::ExpireIndex;
use crate::key::Key;
use crate::key_table::KeyTable;
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
    pub(crate) entries: KeyTable,
    expires: ExpireIndex,
    expired: Vec<Bytes>,
    sample_state: u64,
    /// The latest time seen by any call taking `now_ms`, in seconds: what inserts stamp as their access time
    /// (writes look their key up first, so this is the time of the command).
    clock_s: u32,
    /// Strings whose encoding the writing command fixed (APPEND, SETRANGE: `raw`; INCRBYFLOAT: `embstr`)
    /// instead of Redis deriving it from the bytes; any other write of the key forgets it.
    string_encodings: HashMap<Key, StringEncoding>,
}

/// A string encoding fixed by the command that wrote the value, as Redis keeps it in the object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StringEncoding {
    /// Built in place (APPEND, SETRANGE): always `raw`.
    Raw,
    /// Created from a number's text (INCRBYFLOAT): `embstr` up to 44 bytes, even if it looks like an integer.
    Embstr,
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
        self.entries.len() == 0
    }

    /// Number of keys with a TTL.
    pub fn expires_len(&self) -> usize {
        self.expires.len()
    }

    /// The live entry under `key`, applying `policy` to a logically expired one.
    pub fn get(&mut self, key: &[u8], now_ms: UnixMillis, policy: ExpiryPolicy) -> Option<&Entry> {
        let position = self.live_position(key, now_ms, policy)?;
        self.entries.set_access(position, self.clock_s);
        self.entries.at(position).map(|(_, entry)| entry)
    }

    /// The entry under `key` as stored, expired or not, without touching its access time (`OBJECT`, `WATCH`,
    /// `SCAN`'s filters).
    pub fn peek(&self, key: &[u8]) -> Option<&Entry> {
        let position = self.entries.position(key)?;
        self.entries.at(position).map(|(_, entry)| entry)
    }

    /// Seconds since `key` was last read or written (`OBJECT IDLETIME`); `None` if it does not exist.
    pub fn idle_seconds(&self, key: &[u8], now_ms: UnixMillis) -> Option<u64> {
        let position = self.entries.position(key)?;
        let accessed = self.entries.access(position);
        Some(u64::from(clock_of(now_ms).wrapping_sub(accessed)))
    }

    /// Makes `key` look idle for `idle` seconds at `now_ms` (`RESTORE ... IDLETIME`).
    pub fn set_idle_seconds(&mut self, key: &[u8], idle: u64, now_ms: UnixMillis) {
        if let Some(position) = self.entries.position(key) {
            let clock = clock_of(now_ms).wrapping_sub(u32::try_from(idle).unwrap_or(u32::MAX));
            self.entries.set_access(position, clock);
        }
    }

    /// Marks `key` as accessed now without reading it (`TOUCH`); false if it is not live.
    pub fn touch(&mut self, key: &[u8], now_ms: UnixMillis, policy: ExpiryPolicy) -> bool {
        self.get(key, now_ms, policy).is_some()
    }

    /// The live value under `key` for in-place modification (its TTL is left alone; see [`Db::set_expire`]).
    pub fn get_mut(
        &mut self,
        key: &[u8],
        now_ms: UnixMillis,
        policy: ExpiryPolicy,
    ) -> Option<&mut Value> {
        let position = self.live_position(key, now_ms, policy)?;
        self.entries.set_access(position, self.clock_s);
        Some(&mut self.entries.entry_mut(position).value)
    }

    /// Whether a live key exists; unlike [`Db::get`] it does not count as an access (Redis's `LOOKUP_NOTOUCH`,
    /// as for EXISTS, TYPE, TTL and OBJECT).
    pub fn contains(&mut self, key: &[u8], now_ms: UnixMillis, policy: ExpiryPolicy) -> bool {
        self.live_position(key, now_ms, policy).is_some()
    }

    /// Stores `entry` under `key`, replacing any previous entry and its TTL; returns the previous entry.
    pub fn insert(&mut self, key: impl AsRef<[u8]>, entry: Entry) -> Option<Entry> {
        let key = key.as_ref();
        self.forget_encoding(key);
        match entry.expire_at {
            Some(_) => self.expires.insert(key),
            // Most databases have no TTLs at all: no hashing for them.
            None if self.expires.len() > 0 => self.expires.remove(key),
            None => {}
        }
        self.entries.insert(key, entry, self.clock_s)
    }

    /// Stores `value` under `key`, keeping the TTL of the key it replaces (if the key exists).
    pub fn insert_keep_ttl(&mut self, key: impl AsRef<[u8]>, value: Value) {
        let key = key.as_ref();
        self.forget_encoding(key);
        match self.entries.position(key) {
            Some(position) => {
                self.entries.entry_mut(position).value = value;
                self.entries.set_access(position, self.clock_s);
            }
            None => {
                self.entries.insert(key, Entry::new(value), self.clock_s);
            }
        }
    }

    /// Deletes `key` whatever its expiry state; returns the removed entry.
    pub fn remove(&mut self, key: &[u8]) -> Option<Entry> {
        self.forget_encoding(key);
        let position = self.entries.position(key)?;
        let (_, entry) = self.entries.remove_at(position);
        if entry.expire_at.is_some() {
            self.expires.remove(key);
        }
        Some(entry)
    }

    /// Sets or clears the TTL of an existing key; returns false if the key does not exist.
    pub fn set_expire(&mut self, key: &[u8], expire_at: Option<UnixMillis>) -> bool {
        let Some(position) = self.entries.position(key) else {
            return false;
        };
        let Some((stored_key, entry)) = self.entries.at(position) else {
            return false;
        };
        let had_ttl = entry.expire_at.is_some();
        let _ = stored_key;
        match (had_ttl, expire_at) {
            (false, Some(_)) => self.expires.insert(key),
            (true, None) => self.expires.remove(key),
            _ => {}
        }
        self.entries.entry_mut(position).expire_at = expire_at;
        true
    }

    /// Every entry, including logically expired ones, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (&Key, &Entry)> {
        self.entries.iter()
    }

    /// One step of `SCAN`: calls `visit` for up to `count` keys from `cursor` (0 starts a scan) and returns the
    /// next cursor, 0 once every position was visited. Every key present for the whole scan is visited at least
    /// once; keys added meanwhile may or may not be. Logically expired keys are visited too: the caller filters.
    pub fn scan(&self, cursor: u64, count: usize, visit: impl FnMut(&Key, &Entry)) -> u64 {
        self.entries.scan(cursor, count, visit)
    }

    /// A uniformly random key, expired or not (`RANDOMKEY` retries on expired ones); `None` when empty.
    pub fn random_key(&mut self) -> Option<Bytes> {
        if self.entries.len() == 0 {
            return None;
        }
        let position = (self.next_random() % self.entries.len() as u64) as usize;
        self.entries.at(position).map(|(key, _)| key.to_bytes())
    }

    /// Whether `key` has a TTL that has passed at `now_ms` (Redis's `keyIsExpired`: no deletion, any role).
    pub fn is_expired(&self, key: &[u8], now_ms: UnixMillis) -> bool {
        self.peek(key).is_some_and(|entry| entry.is_expired(now_ms))
    }

    /// Removes every key.
    pub fn clear(&mut self) {
        self.entries.clear();
        self.expires.clear();
        self.string_encodings.clear();
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

    /// The position of `key` if it is live under `policy` (an expired key is deleted under
    /// [`ExpiryPolicy::Delete`]); also advances the clock.
    fn live_position(
        &mut self,
        key: &[u8],
        now_ms: UnixMillis,
        policy: ExpiryPolicy,
    ) -> Option<usize> {
        self.clock_s = clock_of(now_ms);
        let position = self.entries.position(key)?;
        let (_, entry) = self.entries.at(position)?;
        if policy == ExpiryPolicy::Keep || !entry.is_expired(now_ms) {
            return Some(position);
        }
        if policy == ExpiryPolicy::Delete {
            let (stored_key, _) = self.entries.remove_at(position);
            self.expires.remove(key);
            self.forget_encoding(key);
            self.expired.push(stored_key.to_bytes());
        }
        None
    }

    /// Returns true when `key` is logically expired (deleting it under [`ExpiryPolicy::Delete`]).
    fn expire_if_needed(&mut self, key: &[u8], now_ms: UnixMillis, policy: ExpiryPolicy) -> bool {
        let exists = self.entries.position(key).is_some();
        exists && self.live_position(key, now_ms, policy).is_none()
    }

    /// Records that the string under `key` has the encoding its writing command gave it.
    pub fn set_string_encoding(&mut self, key: &[u8], encoding: StringEncoding) {
        if let Some(position) = self.entries.position(key)
            && let Some((stored_key, _)) = self.entries.at(position)
        {
            self.string_encodings.insert(stored_key.clone(), encoding);
        }
    }

    /// The encoding fixed for the string under `key`, if any (to carry it along RENAME, COPY, MOVE).
    pub fn string_encoding(&self, key: &[u8]) -> Option<StringEncoding> {
        self.string_encodings.get(key).copied()
    }

    /// What `OBJECT ENCODING` answers for `key` (expired or not); `None` if it is absent.
    pub fn encoding_of(&self, key: &[u8]) -> Option<&'static str> {
        let entry = self.peek(key)?;
        Some(match (&entry.value, self.string_encodings.get(key)) {
            (Value::String(_), Some(StringEncoding::Raw)) => "raw",
            (Value::String(data), Some(StringEncoding::Embstr)) if data.len() <= 44 => "embstr",
            (Value::String(_), Some(StringEncoding::Embstr)) => "raw",
            (value, _) => value.encoding(),
        })
    }

    fn forget_encoding(&mut self, key: &[u8]) {
        if !self.string_encodings.is_empty() {
            self.string_encodings.remove(key);
        }
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

/// Unix seconds truncated to 32 bits, the unit of access times.
fn clock_of(now_ms: UnixMillis) -> u32 {
    (now_ms.max(0) / 1000) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn string(text: &'static str) -> Value {
        Value::String(crate::CompactBytes::from_slice(text.as_bytes()))
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
        // Redis's keyIsExpired: expired once now > when; at its very millisecond the key is still there.
        assert!(db.get(b"k", 999, ExpiryPolicy::Delete).is_some());
        assert!(db.get(b"k", 1_000, ExpiryPolicy::Delete).is_some());
        assert!(db.get(b"k", 1_001, ExpiryPolicy::Delete).is_none());
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
