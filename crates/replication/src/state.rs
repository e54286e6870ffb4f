//! [`ReplicationState`]: one server's replication ids, offset, backlog and stream database.

use bytes::{Bytes, BytesMut};

use crate::{Backlog, ReplId, ReplOffset};

/// The master's answer to `PSYNC <id> <offset>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PsyncDecision {
    /// `+CONTINUE`: stream from the requested offset out of the backlog.
    Continue,
    /// `+FULLRESYNC`: a snapshot is needed.
    FullResync,
}

/// One server's place in replication, master or replica alike (a replica keeps the same ids and offsets
/// as its master, so it can serve sub-replicas and be promoted).
#[derive(Debug, Clone)]
pub struct ReplicationState {
    replid: ReplId,
    replid2: ReplId,
    second_replid_offset: ReplOffset,
    offset: ReplOffset,
    backlog: Option<Backlog>,
    backlog_size: usize,
    /// Database the stream last selected; `None` forces a `SELECT` before the next command.
    stream_db: Option<usize>,
}

impl ReplicationState {
    /// A fresh history: random id, offset 0, no backlog.
    pub fn new(backlog_size: usize) -> ReplicationState {
        ReplicationState {
            replid: ReplId::random(),
            replid2: ReplId::ZERO,
            second_replid_offset: ReplOffset(-1),
            offset: ReplOffset(0),
            backlog: None,
            backlog_size,
            stream_db: None,
        }
    }

    /// `master_replid`.
    pub fn replid(&self) -> ReplId {
        self.replid
    }

    /// `master_replid2`.
    pub fn replid2(&self) -> ReplId {
        self.replid2
    }

    /// `second_repl_offset`.
    pub fn second_replid_offset(&self) -> ReplOffset {
        self.second_replid_offset
    }

    /// `master_repl_offset`: bytes produced (master) or applied (replica) in this history.
    pub fn offset(&self) -> ReplOffset {
        self.offset
    }

    /// The backlog, if one exists.
    pub fn backlog(&self) -> Option<&Backlog> {
        self.backlog.as_ref()
    }

    /// `repl-backlog-size`.
    pub fn backlog_size(&self) -> usize {
        self.backlog_size
    }

    /// Changes `repl-backlog-size` (Redis stores at least 16384).
    pub fn set_backlog_size(&mut self, size: usize) {
        self.backlog_size = size.max(16 * 1024);
        if let Some(backlog) = &mut self.backlog {
            backlog.set_size(self.backlog_size);
            backlog.trim(None);
        }
    }

    /// The database of the last `SELECT` in the stream, for the RDB's `repl-stream-db`.
    pub fn stream_db(&self) -> Option<usize> {
        self.stream_db
    }

    /// Records the database the stream is in. A replica calls this with its master connection's database
    /// after each applied command, because it relays the stream verbatim and never inserts `SELECT`s: a
    /// sub-replica resyncing from it learns where it is from the RDB's `repl-stream-db`.
    pub fn set_stream_db(&mut self, db: Option<usize>) {
        self.stream_db = db;
    }

    /// Creates the backlog if there is none. A master creating its first backlog starts a new history
    /// (new id, no id2) because nobody can hold a position in the old one; returns whether that happened.
    pub fn ensure_backlog_for_new_replica(&mut self) -> bool {
        if self.backlog.is_some() {
            return false;
        }
        self.replid = ReplId::random();
        self.clear_replid2();
        self.backlog = Some(Backlog::new(self.backlog_size, self.offset.next()));
        true
    }

    /// Forces a `SELECT` before the next propagated command, as after every full resync.
    pub fn force_select(&mut self) {
        self.stream_db = None;
    }

    /// Appends one execution unit (commands from one client command, all in database `db`) to the stream,
    /// with a `SELECT` first when the database changed and `MULTI`/`EXEC` around two or more commands.
    /// Without a backlog nothing is recorded and the offset does not move, as in Redis.
    pub fn feed_unit(&mut self, db: usize, commands: &[Vec<Bytes>]) {
        if self.backlog.is_none() || commands.is_empty() {
            return;
        }
        let mut encoded = BytesMut::new();
        if self.stream_db != Some(db) {
            resp::encode_command(&[&b"SELECT"[..], db.to_string().as_bytes()], &mut encoded);
            self.stream_db = Some(db);
        }
        let wrap = commands.len() > 1;
        if wrap {
            resp::encode_command(&[&b"MULTI"[..]], &mut encoded);
        }
        for command in commands {
            resp::encode_command(command, &mut encoded);
        }
        if wrap {
            resp::encode_command(&[&b"EXEC"[..]], &mut encoded);
        }
        self.feed_raw(&encoded);
    }

    /// Appends bytes that are already stream-encoded: the master's periodic `ping`, or, on a replica, the
    /// exact bytes it applied from its master. Moves the offset only when a backlog exists.
    pub fn feed_raw(&mut self, bytes: &[u8]) {
        if let Some(backlog) = &mut self.backlog {
            backlog.append(bytes);
            self.offset = self.offset.advanced(bytes.len());
        }
    }

    /// Applied bytes on a replica: they always move the offset, and go to the backlog when there is one.
    pub fn apply_from_master(&mut self, bytes: &[u8]) {
        if self.backlog.is_none() {
            self.backlog = Some(Backlog::new(self.backlog_size, self.offset.next()));
        }
        self.feed_raw(bytes);
    }

    /// Trims the backlog, keeping bytes from `keep_from` on for replicas still reading them.
    pub fn trim_backlog(&mut self, keep_from: Option<ReplOffset>) {
        if let Some(backlog) = &mut self.backlog {
            backlog.trim(keep_from);
        }
    }

    /// Frees the backlog (after `repl-backlog-ttl` with no replicas). The offset is kept; the id changes so
    /// nobody can PSYNC into the gap.
    pub fn free_backlog(&mut self) {
        self.backlog = None;
        self.replid = ReplId::random();
        self.clear_replid2();
    }

    /// The PSYNC decision, as `masterTryPartialResynchronization`: the id must be ours (or our previous one,
    /// up to where it stayed valid), and the offset must be inside the backlog.
    pub fn psync_decision(
        &self,
        requested_id: &[u8],
        requested_offset: ReplOffset,
    ) -> PsyncDecision {
        let Some(requested_id) = ReplId::parse(requested_id) else {
            return PsyncDecision::FullResync;
        };
        let id_matches = requested_id == self.replid
            || (requested_id == self.replid2
                && !self.replid2.is_zero()
                && requested_offset <= self.second_replid_offset);
        let in_backlog = self
            .backlog
            .as_ref()
            .is_some_and(|backlog| backlog.can_serve_from(requested_offset));
        if id_matches && in_backlog {
            PsyncDecision::Continue
        } else {
            PsyncDecision::FullResync
        }
    }

    /// A fresh id for the same history position, forgetting the previous id (`DEBUG CHANGE-REPL-ID`):
    /// replicas can no longer continue and must resync.
    pub fn change_replid(&mut self) {
        self.replid = ReplId::random();
        self.clear_replid2();
    }

    /// A promoted replica (`REPLICAOF NO ONE`) starts a new history but keeps the old id valid up to its
    /// current offset, so former siblings can continue from it.
    pub fn shift_replid(&mut self) {
        self.replid2 = self.replid;
        self.second_replid_offset = self.offset.next();
        self.replid = ReplId::random();
        self.force_select();
    }

    /// A replica that got `+CONTINUE <id>` with a new id adopts it, keeping the old one as id2.
    pub fn adopt_master_replid(&mut self, new_replid: ReplId) {
        if new_replid != self.replid {
            self.replid2 = self.replid;
            self.second_replid_offset = self.offset.next();
            self.replid = new_replid;
        }
    }

    /// After a full resync: the master's history, at the snapshot's offset, with a fresh empty backlog.
    pub fn reset_to_master(&mut self, replid: ReplId, offset: ReplOffset) {
        self.replid = replid;
        self.clear_replid2();
        self.offset = offset;
        self.backlog = Some(Backlog::new(self.backlog_size, offset.next()));
        self.stream_db = None;
    }

    /// A master that loaded an RDB with replication info at start-up: new id, the file's id valid as id2 up
    /// to its offset, so replicas of the previous run can continue.
    pub fn restore_as_master(&mut self, saved_id: ReplId, saved_offset: ReplOffset) {
        self.replid2 = saved_id;
        self.second_replid_offset = saved_offset.next();
        self.offset = saved_offset;
        self.replid = ReplId::random();
        self.backlog = Some(Backlog::new(self.backlog_size, saved_offset.next()));
    }

    /// A replica that loaded an RDB with replication info at start-up: it continues its master's history.
    pub fn restore_as_replica(&mut self, saved_id: ReplId, saved_offset: ReplOffset) {
        self.replid = saved_id;
        self.clear_replid2();
        self.offset = saved_offset;
        self.backlog = None;
    }

    fn clear_replid2(&mut self) {
        self.replid2 = ReplId::ZERO;
        self.second_replid_offset = ReplOffset(-1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(parts: &[&'static str]) -> Vec<Bytes> {
        parts
            .iter()
            .map(|part| Bytes::from_static(part.as_bytes()))
            .collect()
    }

    #[test]
    fn no_backlog_means_offset_does_not_move() {
        let mut state = ReplicationState::new(1 << 20);
        state.feed_unit(0, &[args(&["set", "a", "1"])]);
        assert_eq!(state.offset(), ReplOffset(0));
        assert!(state.backlog().is_none());
    }

    #[test]
    fn first_replica_creates_backlog_with_new_id() {
        let mut state = ReplicationState::new(1 << 20);
        let before = state.replid();
        assert!(state.ensure_backlog_for_new_replica());
        assert_ne!(state.replid(), before);
        assert_eq!(state.backlog().unwrap().first_byte_offset(), ReplOffset(1));
        assert!(!state.ensure_backlog_for_new_replica());
    }

    #[test]
    fn feed_inserts_select_and_wraps_multi_exec() {
        let mut state = ReplicationState::new(1 << 20);
        state.ensure_backlog_for_new_replica();
        state.feed_unit(0, &[args(&["set", "a", "1"])]);
        // SELECT 0 (23 bytes) + set a 1 (27 bytes).
        assert_eq!(state.offset(), ReplOffset(50));
        state.feed_unit(0, &[args(&["SET", "a", "1"]), args(&["INCR", "a"])]);
        // MULTI (15) + SET (27) + INCR (20) + EXEC (14) = 76; Redis reference says 77 for `SET a 1; INCR a`
        // because its SET argument differs; here check framing instead of a number.
        let backlog = state.backlog().unwrap();
        let mut out = Vec::new();
        backlog
            .copy_from(ReplOffset(51), usize::MAX, &mut out)
            .unwrap();
        assert!(out.starts_with(b"*1\r\n$5\r\nMULTI\r\n*3\r\n$3\r\nSET\r\n"));
        assert!(out.ends_with(b"*1\r\n$4\r\nEXEC\r\n"));
    }

    #[test]
    fn psync_decision_follows_redis_rules() {
        let mut state = ReplicationState::new(1 << 20);
        state.ensure_backlog_for_new_replica();
        state.feed_raw(&[b'x'; 1642]);
        let id = state.replid().to_string();
        let id = id.as_bytes();
        assert_eq!(
            state.psync_decision(id, ReplOffset(1643)),
            PsyncDecision::Continue
        );
        assert_eq!(
            state.psync_decision(id, ReplOffset(1637)),
            PsyncDecision::Continue
        );
        assert_eq!(
            state.psync_decision(id, ReplOffset(1742)),
            PsyncDecision::FullResync
        );
        assert_eq!(
            state.psync_decision(id, ReplOffset(0)),
            PsyncDecision::FullResync
        );
        assert_eq!(
            state.psync_decision(&[b'0'; 40], ReplOffset(1)),
            PsyncDecision::FullResync
        );
        assert_eq!(
            state.psync_decision(b"?", ReplOffset(-1)),
            PsyncDecision::FullResync
        );
    }

    #[test]
    fn promoted_replica_accepts_old_id_up_to_second_offset() {
        let mut state = ReplicationState::new(1 << 20);
        let master_id = ReplId::random();
        state.reset_to_master(master_id, ReplOffset(100));
        state.apply_from_master(&[b'y'; 50]);
        state.shift_replid();
        let old = master_id.to_string();
        assert_eq!(state.second_replid_offset(), ReplOffset(151));
        assert_eq!(
            state.psync_decision(old.as_bytes(), ReplOffset(151)),
            PsyncDecision::Continue
        );
        state.feed_raw(b"more");
        assert_eq!(
            state.psync_decision(old.as_bytes(), ReplOffset(155)),
            PsyncDecision::FullResync
        );
    }
}
