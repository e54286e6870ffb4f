//! [`Watches`]: which clients `WATCH` which keys, and which of them saw a watched key change (their next `EXEC`
//! answers the null array). Lives in the [`crate::core::Core`], so every write path reaches it under the same
//! lock that applies the write.
//!
//! Every write reaches it without each handler knowing: [`crate::cmd::call`] touches the key positions of
//! any write-flagged command that changed something (the dirty counter moved) and every key deleted by expiry;
//! commands whose keys the table cannot describe (MOVE, COPY ... DB, FLUSHDB, FLUSHALL, SWAPDB) touch explicitly.
//! The rules follow Redis 7.0 (`multi.c`): a key already logically expired when watched is flagged, and its
//! deletion by expiry is then no change; an `EXEC` also aborts when a key that was live at `WATCH` has expired
//! since, even if nothing deleted it yet.

use std::collections::{HashMap, HashSet};

use bytes::Bytes;
use keyspace::{Db, Keyspace, UnixMillis};

/// One client's watch of one key.
#[derive(Debug, Clone)]
struct Watcher {
    client: u64,
    db: usize,
    /// The key was logically expired (but not deleted) when watched.
    expired: bool,
}

/// The watch registry.
#[derive(Debug, Default)]
pub struct Watches {
    /// Key name to its watchers, in every database (the db is in the watcher).
    keys: HashMap<Bytes, Vec<Watcher>>,
    /// Client to the keys it watches, in `WATCH` order.
    by_client: HashMap<u64, Vec<(usize, Bytes)>>,
    /// Clients a watched key of which changed since they watched it.
    dirty: HashSet<u64>,
}

impl Watches {
    /// Whether nobody watches anything (the fast path of every write).
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// `WATCH key` for `client` in `db`; `expired` says whether the key is logically expired right now.
    pub fn watch(&mut self, client: u64, db: usize, key: &Bytes, expired: bool) {
        let watched = self.by_client.entry(client).or_default();
        if watched.iter().any(|(d, k)| *d == db && k == key) {
            return;
        }
        watched.push((db, key.clone()));
        self.keys.entry(key.clone()).or_default().push(Watcher {
            client,
            db,
            expired,
        });
    }

    /// Whether a key watched by `client` changed since it was watched.
    pub fn is_dirty(&self, client: u64) -> bool {
        self.dirty.contains(&client)
    }

    /// `UNWATCH`, `EXEC`, `DISCARD`, disconnection: forgets the client's watches and its dirty mark.
    pub fn forget(&mut self, client: u64) {
        self.unwatch_all(client);
        self.dirty.remove(&client);
    }

    /// Whether a key `client` watches has expired since it was watched (`isWatchedKeyExpired`).
    pub fn any_expired(&self, client: u64, keyspace: &Keyspace, now_ms: UnixMillis) -> bool {
        let Some(watched) = self.by_client.get(&client) else {
            return false;
        };
        watched.iter().any(|(db, key)| {
            let expired_at_watch = self.keys.get(key).is_some_and(|watchers| {
                watchers
                    .iter()
                    .any(|w| w.client == client && w.db == *db && w.expired)
            });
            !expired_at_watch
                && keyspace
                    .db(*db)
                    .is_some_and(|data| data.is_expired(key, now_ms))
        })
    }

    /// A write changed `key` in `db`; `exists` says whether the key is in the database now.
    pub fn touch(&mut self, db: usize, key: &[u8], exists: bool) {
        let Some(watchers) = self.keys.get_mut(key) else {
            return;
        };
        let mut newly_dirty = Vec::new();
        for watcher in watchers.iter_mut().filter(|w| w.db == db) {
            if watcher.expired {
                // Watched while already expired: its deletion is no logical change; anything else does
                // not count either until then (as in Redis 7.0).
                if !exists {
                    watcher.expired = false;
                }
                continue;
            }
            newly_dirty.push(watcher.client);
        }
        for client in newly_dirty {
            self.dirty.insert(client);
            // Nothing more can change the outcome of its EXEC.
            self.unwatch_all(client);
        }
    }

    /// `FLUSHDB`, `FLUSHALL` (`replaced_with` = `None`) and `SWAPDB` (the other database): called before the
    /// change, marks the watchers of keys that exist in `emptied` or in `replaced_with`.
    pub fn touch_db(
        &mut self,
        db: usize,
        emptied: &Db,
        replaced_with: Option<&Db>,
        now_ms: UnixMillis,
    ) {
        if self.keys.is_empty() {
            return;
        }
        let mut newly_dirty = Vec::new();
        for (key, watchers) in &mut self.keys {
            let in_emptied = emptied.peek(key).is_some();
            let in_replacement = replaced_with.is_some_and(|other| other.peek(key).is_some());
            if !in_emptied && !in_replacement {
                continue;
            }
            let replacement_expired =
                replaced_with.is_some_and(|other| other.is_expired(key, now_ms));
            for watcher in watchers.iter_mut().filter(|w| w.db == db) {
                if watcher.expired {
                    if !in_replacement {
                        watcher.expired = false;
                        continue;
                    } else if replacement_expired {
                        continue;
                    }
                } else if !in_emptied && replacement_expired {
                    watcher.expired = true;
                    continue;
                }
                newly_dirty.push(watcher.client);
            }
        }
        self.dirty.extend(newly_dirty);
    }

    /// A replica's full resync replaced the whole data set: every watched key present before or after changed.
    pub fn touch_replaced(&mut self, before: &Keyspace, after: &Keyspace) {
        let mut newly_dirty = Vec::new();
        for (key, watchers) in &self.keys {
            for watcher in watchers {
                let present = |keyspace: &Keyspace| {
                    keyspace
                        .db(watcher.db)
                        .is_some_and(|db| db.peek(key).is_some())
                };
                if present(before) || present(after) {
                    newly_dirty.push(watcher.client);
                }
            }
        }
        self.dirty.extend(newly_dirty);
    }

    fn unwatch_all(&mut self, client: u64) {
        let Some(watched) = self.by_client.remove(&client) else {
            return;
        };
        for (_, key) in watched {
            if let Some(watchers) = self.keys.get_mut(&key) {
                watchers.retain(|w| w.client != client);
                if watchers.is_empty() {
                    self.keys.remove(&key);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(name: &'static str) -> Bytes {
        Bytes::from_static(name.as_bytes())
    }

    #[test]
    fn a_touched_key_marks_its_watchers_in_that_db_only() {
        let mut watches = Watches::default();
        watches.watch(1, 0, &key("k"), false);
        watches.watch(2, 1, &key("k"), false);
        watches.touch(0, b"k", true);
        assert!(watches.is_dirty(1));
        assert!(!watches.is_dirty(2));
        watches.forget(1);
        assert!(!watches.is_dirty(1));
        watches.forget(2);
        assert!(watches.is_empty());
    }

    #[test]
    fn a_key_live_when_watched_and_expired_since_aborts() {
        let mut keyspace = Keyspace::new(2);
        let db = keyspace.db_mut(0).unwrap();
        let entry = |expire_at| keyspace::Entry {
            value: keyspace::Value::String(key("v").into()),
            expire_at: Some(expire_at),
        };
        db.insert(key("live"), entry(1_000));
        db.insert(key("dead"), entry(10));
        let mut watches = Watches::default();
        watches.watch(1, 0, &key("live"), false);
        watches.watch(2, 0, &key("dead"), true);
        assert!(!watches.any_expired(1, &keyspace, 500));
        // Expired once now > its time (Redis's keyIsExpired), not at its very millisecond.
        assert!(!watches.any_expired(1, &keyspace, 1_000));
        assert!(watches.any_expired(1, &keyspace, 1_001));
        assert!(!watches.any_expired(2, &keyspace, 1_001));
    }

    #[test]
    fn deleting_a_key_that_was_expired_when_watched_is_no_change() {
        let mut watches = Watches::default();
        watches.watch(1, 0, &key("k"), true);
        watches.touch(0, b"k", false);
        assert!(!watches.is_dirty(1));
        // Once deleted, recreating it is a change.
        watches.touch(0, b"k", true);
        assert!(watches.is_dirty(1));
    }
}
