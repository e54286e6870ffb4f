//! Point-in-time snapshots taken a few keys at a time, so a server can save or ship its whole data set while
//! it keeps serving: [`Keyspace::begin_snapshot`] marks the moment, then each [`Keyspace::snapshot_step`]
//! hands over a bounded batch of entries exactly as they were at that moment. Writes in between pay for it
//! only when they touch a key the snapshot has not reached yet (its old entry is copied first), which is what
//! a forked child's copy-on-write pages give Redis.

use std::sync::atomic::{AtomicU64, Ordering};

use crate::{Entry, Key, Keyspace};

/// Snapshot ids are unique across keyspaces, so a step for a snapshot of a keyspace that has since been
/// replaced (a replica loading its master's data) is recognised as aborted.
static NEXT_SNAPSHOT_ID: AtomicU64 = AtomicU64::new(1);

/// What a snapshot will contain, known when it begins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotPlan {
    /// Identifies the snapshot in [`Keyspace::snapshot_step`] and [`Keyspace::cancel_snapshot`].
    pub id: u64,
    /// The databases that held keys at the snapshot's moment, in increasing order, with their sizes then.
    pub dbs: Vec<DbSize>,
}

/// The size of one database when a snapshot began.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DbSize {
    /// The database number.
    pub index: usize,
    /// Its number of keys.
    pub keys: usize,
    /// How many of them had a TTL.
    pub expires: usize,
}

/// One batch of a snapshot: entries of a single database.
#[derive(Debug, Default)]
pub struct SnapshotChunk {
    /// The database the entries belong to.
    pub db: usize,
    /// Keys with their entries as they were when the snapshot began, in no particular order.
    pub entries: Vec<(Key, Entry)>,
    /// True on the last batch: every entry has been handed over.
    pub done: bool,
}

/// The snapshot no longer exists: cancelled, or its keyspace was replaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the snapshot was abandoned: the data set it was copying has been replaced")]
pub struct SnapshotAborted;

/// The snapshot a keyspace is producing.
#[derive(Debug)]
pub(crate) struct SnapshotProgress {
    id: u64,
    /// Databases still to copy, in increasing order; the first is being copied.
    remaining: Vec<usize>,
}

impl Keyspace {
    /// Begins a snapshot of the data as it is now; `None` if one is already in progress (one at a time, as
    /// Redis has one child at a time).
    pub fn begin_snapshot(&mut self) -> Option<SnapshotPlan> {
        if self.snapshot.is_some() {
            return None;
        }
        let id = NEXT_SNAPSHOT_ID.fetch_add(1, Ordering::Relaxed);
        let mut dbs = Vec::new();
        for (index, db) in self.dbs.iter_mut().enumerate() {
            if db.is_empty() {
                continue;
            }
            dbs.push(DbSize {
                index,
                keys: db.len(),
                expires: db.expires_len(),
            });
            db.entries.begin_snapshot();
        }
        self.snapshot = Some(SnapshotProgress {
            id,
            remaining: dbs.iter().map(|size| size.index).collect(),
        });
        Some(SnapshotPlan { id, dbs })
    }

    /// Hands over up to `budget` more entries of snapshot `id`.
    pub fn snapshot_step(
        &mut self,
        id: u64,
        budget: usize,
    ) -> Result<SnapshotChunk, SnapshotAborted> {
        let progress = self
            .snapshot
            .as_mut()
            .filter(|progress| progress.id == id)
            .ok_or(SnapshotAborted)?;
        let Some(&db) = progress.remaining.first() else {
            self.snapshot = None;
            return Ok(SnapshotChunk {
                done: true,
                ..SnapshotChunk::default()
            });
        };
        let mut entries = Vec::with_capacity(budget.min(4096));
        let finished = self.dbs[db].entries.snapshot_step(budget, &mut entries);
        if finished {
            progress.remaining.remove(0);
        }
        let done = progress.remaining.is_empty();
        if done {
            self.snapshot = None;
        }
        Ok(SnapshotChunk { db, entries, done })
    }

    /// Abandons snapshot `id` (a failed save, a replica gone): writes stop paying for it.
    pub fn cancel_snapshot(&mut self, id: u64) {
        if self
            .snapshot
            .as_ref()
            .is_some_and(|progress| progress.id == id)
        {
            self.snapshot = None;
            for db in &mut self.dbs {
                db.entries.cancel_snapshot();
            }
        }
    }

    /// Whether a snapshot is in progress.
    pub fn snapshot_in_progress(&self) -> bool {
        self.snapshot.is_some()
    }

    /// The id of the snapshot in progress, if any.
    pub fn snapshot_id(&self) -> Option<u64> {
        self.snapshot.as_ref().map(|progress| progress.id)
    }

    /// Before two databases trade places: whatever the snapshot has not copied of either is copied now, and
    /// the snapshot's state stays with the database number it describes.
    pub(crate) fn swap_dbs_in_snapshot(&mut self, first: usize, second: usize) {
        let tracked = |keyspace: &Keyspace, index: usize| keyspace.dbs[index].entries.in_snapshot();
        if first == second {
            return;
        }
        if !tracked(self, first) && !tracked(self, second) {
            self.dbs.swap(first, second);
            return;
        }
        self.dbs[first].entries.detach_pending();
        self.dbs[second].entries.detach_pending();
        let first_state = self.dbs[first].entries.take_snapshot_state();
        let second_state = self.dbs[second].entries.take_snapshot_state();
        self.dbs.swap(first, second);
        self.dbs[first].entries.restore_snapshot_state(first_state);
        self.dbs[second]
            .entries
            .restore_snapshot_state(second_state);
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use proptest::prelude::*;

    use bytes::Bytes;

    use super::*;
    use crate::{ExpiryPolicy, Value};

    type Contents = BTreeMap<(usize, Bytes), (Value, Option<i64>)>;

    fn contents(keyspace: &Keyspace) -> Contents {
        let mut out = Contents::new();
        for (index, db) in keyspace.dbs() {
            for (key, entry) in db.iter() {
                out.insert(
                    (index, key.to_bytes()),
                    (entry.value.clone(), entry.expire_at),
                );
            }
        }
        out
    }

    fn string(n: u32) -> Value {
        Value::String(crate::CompactBytes::from_slice(n.to_string().as_bytes()))
    }

    /// Everything that can happen to a keyspace between two snapshot steps.
    #[derive(Debug, Clone)]
    enum Op {
        Insert(usize, u8, u32),
        Modify(usize, u8, u32),
        Expire(usize, u8),
        Remove(usize, u8),
        Clear(usize),
        Swap(usize, usize),
        FlushAll,
        Step(usize),
    }

    fn op() -> impl Strategy<Value = Op> {
        let db = 0..3usize;
        let key = 0..40u8;
        prop_oneof![
            6 => (db.clone(), key.clone(), any::<u32>()).prop_map(|(d, k, v)| Op::Insert(d, k, v)),
            4 => (db.clone(), key.clone(), any::<u32>()).prop_map(|(d, k, v)| Op::Modify(d, k, v)),
            2 => (db.clone(), key.clone()).prop_map(|(d, k)| Op::Expire(d, k)),
            5 => (db.clone(), key).prop_map(|(d, k)| Op::Remove(d, k)),
            1 => db.clone().prop_map(Op::Clear),
            1 => (db.clone(), db).prop_map(|(a, b)| Op::Swap(a, b)),
            1 => Just(Op::FlushAll),
            8 => (1..7usize).prop_map(Op::Step),
        ]
    }

    fn key(k: u8) -> Bytes {
        Bytes::from(format!("key:{k}"))
    }

    fn apply(keyspace: &mut Keyspace, op: &Op) {
        match *op {
            Op::Insert(db, k, v) => {
                keyspace
                    .db_mut(db)
                    .unwrap()
                    .insert(key(k), Entry::new(string(v)));
            }
            Op::Modify(db, k, v) => {
                if let Some(value) =
                    keyspace
                        .db_mut(db)
                        .unwrap()
                        .get_mut(&key(k), 0, ExpiryPolicy::Keep)
                {
                    *value = string(v);
                }
            }
            Op::Expire(db, k) => {
                keyspace
                    .db_mut(db)
                    .unwrap()
                    .set_expire(&key(k), Some(1_000 + i64::from(k)));
            }
            Op::Remove(db, k) => {
                keyspace.db_mut(db).unwrap().remove(&key(k));
            }
            Op::Clear(db) => keyspace.db_mut(db).unwrap().clear(),
            Op::Swap(a, b) => {
                keyspace.swap_dbs(a, b);
            }
            Op::FlushAll => keyspace.flush_all(),
            Op::Step(_) => {}
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// Whatever happens between steps, the snapshot hands over exactly the data of its moment, and the
        /// live keyspace ends up exactly as the same operations leave an untouched copy.
        #[test]
        fn snapshot_is_the_data_of_its_moment(
            before in proptest::collection::vec(op(), 0..80),
            during in proptest::collection::vec(op(), 0..200),
        ) {
            let mut keyspace = Keyspace::new(3);
            for op in &before {
                apply(&mut keyspace, op);
            }
            let expected = contents(&keyspace);
            let mut model = keyspace.clone();
            let plan = keyspace.begin_snapshot().unwrap();
            prop_assert!(keyspace.begin_snapshot().is_none());
            let mut taken = Contents::new();
            let mut done = false;
            let step = |keyspace: &mut Keyspace, budget: usize, taken: &mut Contents| {
                let chunk = keyspace.snapshot_step(plan.id, budget).unwrap();
                for (key, entry) in chunk.entries {
                    let previous = taken.insert((chunk.db, key.to_bytes()), (entry.value, entry.expire_at));
                    assert!(previous.is_none(), "an entry was handed over twice");
                }
                chunk.done
            };
            for op in &during {
                apply(&mut keyspace, op);
                apply(&mut model, op);
                if let Op::Step(budget) = op && !done {
                    done = step(&mut keyspace, *budget, &mut taken);
                }
            }
            while !done {
                done = step(&mut keyspace, 3, &mut taken);
            }
            prop_assert!(!keyspace.snapshot_in_progress());
            prop_assert_eq!(taken, expected);
            prop_assert_eq!(contents(&keyspace), contents(&model));
            for (index, db) in keyspace.dbs() {
                for (key, _) in db.iter() {
                    prop_assert!(model.db(index).unwrap().peek(key).is_some());
                    prop_assert!(db.peek(key).is_some(), "index lost {:?}", key);
                }
                prop_assert_eq!(db.expires_len(), model.db(index).unwrap().expires_len());
            }
        }
    }

    #[test]
    fn plan_lists_non_empty_databases_with_their_sizes() {
        let mut keyspace = Keyspace::new(4);
        keyspace
            .db_mut(2)
            .unwrap()
            .insert(key(1), Entry::new(string(1)));
        keyspace.db_mut(2).unwrap().insert(
            key(2),
            Entry {
                value: string(2),
                expire_at: Some(5),
            },
        );
        let plan = keyspace.begin_snapshot().unwrap();
        assert_eq!(
            plan.dbs,
            vec![DbSize {
                index: 2,
                keys: 2,
                expires: 1
            }]
        );
    }

    #[test]
    fn replaced_or_cancelled_snapshot_reports_aborted() {
        let mut keyspace = Keyspace::new(2);
        keyspace
            .db_mut(0)
            .unwrap()
            .insert(key(1), Entry::new(string(1)));
        let plan = keyspace.begin_snapshot().unwrap();
        keyspace.cancel_snapshot(plan.id);
        assert_eq!(
            keyspace.snapshot_step(plan.id, 10).unwrap_err(),
            SnapshotAborted
        );
        let plan = keyspace.begin_snapshot().unwrap();
        let mut replaced = keyspace.clone();
        assert!(replaced.snapshot_step(plan.id, 10).is_err());
        assert!(keyspace.snapshot_step(plan.id, 10).unwrap().done);
    }
}
