//! [`Keyspace`]: the numbered databases together.

use bytes::Bytes;

use crate::snapshot::SnapshotProgress;
use crate::{Db, UnixMillis};

/// Redis's default number of databases (`databases 16`).
pub const DEFAULT_DATABASES: usize = 16;

/// All databases of a server.
#[derive(Debug)]
pub struct Keyspace {
    pub(crate) dbs: Vec<Db>,
    /// The snapshot being taken, if any (see `snapshot.rs`).
    pub(crate) snapshot: Option<SnapshotProgress>,
}

/// A copy holds the data only; a snapshot in progress stays with the original.
impl Clone for Keyspace {
    fn clone(&self) -> Keyspace {
        Keyspace {
            dbs: self.dbs.clone(),
            snapshot: None,
        }
    }
}

impl Default for Keyspace {
    fn default() -> Keyspace {
        Keyspace::new(DEFAULT_DATABASES)
    }
}

impl Keyspace {
    /// `count` empty databases.
    pub fn new(count: usize) -> Keyspace {
        Keyspace {
            dbs: (0..count).map(|_| Db::new()).collect(),
            snapshot: None,
        }
    }

    /// Number of databases.
    pub fn db_count(&self) -> usize {
        self.dbs.len()
    }

    /// Database `index`; `None` if out of range.
    pub fn db(&self, index: usize) -> Option<&Db> {
        self.dbs.get(index)
    }

    /// Database `index` for modification; `None` if out of range.
    pub fn db_mut(&mut self, index: usize) -> Option<&mut Db> {
        self.dbs.get_mut(index)
    }

    /// Every database with its index.
    pub fn dbs(&self) -> impl Iterator<Item = (usize, &Db)> {
        self.dbs.iter().enumerate()
    }

    /// Total keys in all databases.
    pub fn key_count(&self) -> usize {
        self.dbs.iter().map(Db::len).sum()
    }

    /// Exchanges the contents of two databases (`SWAPDB`); false if either index is out of range.
    pub fn swap_dbs(&mut self, first: usize, second: usize) -> bool {
        if first >= self.dbs.len() || second >= self.dbs.len() {
            return false;
        }
        if self.snapshot.is_some() {
            self.swap_dbs_in_snapshot(first, second);
        } else {
            self.dbs.swap(first, second);
        }
        true
    }

    /// Two distinct databases for modification at once (`MOVE`, `COPY ... DB`); `None` if either is out of
    /// range or they are the same.
    pub fn two_dbs_mut(&mut self, first: usize, second: usize) -> Option<(&mut Db, &mut Db)> {
        if first == second || first >= self.dbs.len() || second >= self.dbs.len() {
            return None;
        }
        if first < second {
            let (low, high) = self.dbs.split_at_mut(second);
            Some((&mut low[first], &mut high[0]))
        } else {
            let (low, high) = self.dbs.split_at_mut(first);
            Some((&mut high[0], &mut low[second]))
        }
    }

    /// Empties every database.
    pub fn flush_all(&mut self) {
        self.dbs.iter_mut().for_each(Db::clear);
    }

    /// Runs active expiry over every database: per database, steps of `samples` keys are repeated while more
    /// than a quarter of a step expired, as Redis's cycle does. Returns the total number of deleted keys.
    pub fn active_expire(
        &mut self,
        now_ms: UnixMillis,
        samples: usize,
        max_steps_per_db: usize,
    ) -> usize {
        let mut total = 0;
        for db in &mut self.dbs {
            for _ in 0..max_steps_per_db {
                let deleted = db.active_expire_step(now_ms, samples);
                total += deleted;
                if deleted * 4 <= samples {
                    break;
                }
            }
        }
        total
    }

    /// Drains every database's record of keys deleted by expiry, as `(db index, key)`.
    pub fn take_expired(&mut self) -> Vec<(usize, Bytes)> {
        let mut out = Vec::new();
        for (index, db) in self.dbs.iter_mut().enumerate() {
            if db.has_expired() {
                out.extend(db.take_expired().into_iter().map(|key| (index, key)));
            }
        }
        out
    }
}
