//! Running commands: lookup, the generic checks, the handler, then propagation of what it changed (plus
//! `DEL`s of keys it found expired) in the same critical section.
//!
//! A [`Batch`] holds the core lock for several commands in a row (a pipelined burst from one client, or a
//! chunk of the master's stream on a replica), so the lock is taken once per burst instead of once per
//! command; replica senders are woken once, when the batch ends.

use std::sync::{Arc, MutexGuard};

use bytes::Bytes;
use keyspace::ExpiryPolicy;
use replication::ReplicaLinkState;
use resp::Frame;

use crate::client::ClientState;
use crate::cmd::{self, Ctx, flags};
use crate::core::Core;
use crate::errors;
use crate::shared::{Shared, now_ms};
use crate::stats::Stats;

/// Most commands run under one lock acquisition, so one client's long pipeline cannot starve others.
pub const MAX_BATCH: usize = 64;

/// Runs one command for `client` and returns the reply.
pub fn execute(shared: &Arc<Shared>, client: &mut ClientState, argv: &[Bytes]) -> Frame {
    Batch::new(shared).execute(client, argv)
}

/// The core lock, held across several commands.
pub struct Batch<'a> {
    shared: &'a Arc<Shared>,
    core: Option<MutexGuard<'a, Core>>,
    read_only: bool,
    serve_stale: bool,
    /// `min-replicas-to-write` and `min-replicas-max-lag`; writes need that many good replicas.
    min_replicas: Option<(usize, u64)>,
    fed: bool,
}

impl<'a> Batch<'a> {
    /// Takes the lock.
    pub fn new(shared: &'a Arc<Shared>) -> Batch<'a> {
        let (read_only, serve_stale, min_replicas) = {
            let config = shared.config();
            let min_replicas =
                (config.min_replicas_to_write > 0 && config.min_replicas_max_lag > 0).then_some((
                    config.min_replicas_to_write as usize,
                    config.min_replicas_max_lag,
                ));
            (
                config.replica_read_only,
                config.replica_serve_stale_data,
                min_replicas,
            )
        };
        Batch {
            shared,
            core: Some(shared.core()),
            read_only,
            serve_stale,
            min_replicas,
            fed: false,
        }
    }

    /// The locked core, for work that must happen in the same critical section as the commands (a replica
    /// appending the bytes it just applied).
    pub fn core(&mut self) -> &mut Core {
        self.core.as_mut().expect("the guard is only taken in drop")
    }

    /// Marks that the stream grew, so replica senders are woken when the batch ends.
    pub fn mark_fed(&mut self) {
        self.fed = true;
    }

    /// Runs one command.
    pub fn execute(&mut self, client: &mut ClientState, argv: &[Bytes]) -> Frame {
        let shared = self.shared;
        let Some(name) = argv.first() else {
            return Frame::Null;
        };
        let Some(spec) = cmd::lookup(name) else {
            return errors::unknown_command(name, &argv[1..]);
        };
        if !spec.arity_ok(argv.len()) {
            return errors::wrong_arity(spec.name);
        }
        if !client.authenticated && !spec.has(flags::NO_AUTH) {
            return errors::reply(errors::NOAUTH);
        }
        if spec.has(flags::WRITE) && !client.is_master_link && *shared.writes_paused.borrow() {
            // The client waits (outside the lock) and runs the command again when writes resume.
            client.after_reply = Some(crate::client::AfterReply::Paused);
            return Frame::Null;
        }
        Stats::bump(&shared.stats.commands_processed);
        let (read_only, serve_stale) = (self.read_only, self.serve_stale);
        let core = self.core.as_mut().expect("the guard is only taken in drop");
        if !client.is_master_link
            && let Some(link) = core.master_link()
        {
            if spec.has(flags::WRITE) && read_only {
                return errors::reply(errors::READONLY);
            }
            if !serve_stale && link.state != ReplicaLinkState::Connected && !spec.has(flags::STALE)
            {
                return errors::reply(errors::MASTERDOWN);
            }
        }

        if let Some((needed, max_lag)) = self.min_replicas
            && spec.has(flags::WRITE)
            && !core.is_replica()
            && core.replicas.good_count(max_lag) < needed
        {
            return errors::reply(errors::NOREPLICAS);
        }

        let policy = if client.is_master_link {
            ExpiryPolicy::Keep
        } else if spec.has(flags::WRITE) {
            // A write on a writable replica deletes an expired key it touches (locally, unpropagated),
            // as Redis's write lookups do; reads only hide it.
            ExpiryPolicy::Delete
        } else {
            core.client_expiry_policy()
        };
        let mut ctx = Ctx::new(core, client, shared, now_ms(), policy);
        let started = std::time::Instant::now();
        let reply = (spec.handler)(&mut ctx, argv);
        let commands = ctx.take_propagation();
        core.command_stats.record(
            spec.name,
            started.elapsed(),
            matches!(reply, Frame::Error(_)),
        );
        let db = client.db;

        // Keys found expired while running the command are deleted on the master, which tells its
        // replicas: their DELs come first, in the same unit as the command's own effects.
        let expired = core.keyspace.take_expired();
        if !expired.is_empty() {
            shared
                .stats
                .expired_keys
                .fetch_add(expired.len() as u64, std::sync::atomic::Ordering::Relaxed);
        }
        // A replica's own clients' writes (writable replica) stay local, and the master link's commands
        // are fed to sub-replicas as the exact bytes received, by the link itself.
        if core.is_replica() {
            if spec.has(flags::WRITE) && !client.is_master_link {
                core.track_local_expires(db, spec, argv);
            }
            serve_blocked(core, shared);
            return reply;
        }
        let mut unit: Vec<Vec<Bytes>> = Vec::with_capacity(expired.len() + commands.len());
        for (expired_db, key) in expired {
            let del = vec![Bytes::from_static(b"DEL"), key];
            if expired_db == db {
                unit.push(del);
            } else {
                self.fed |= core.propagate(expired_db, &[del]);
            }
        }
        unit.extend(commands);
        if core.propagate(db, &unit) {
            self.fed = true;
            client.last_write_offset = core.repl.offset();
        }
        self.fed |= std::mem::take(&mut core.stream_grew);
        self.fed |= serve_blocked(core, shared);
        reply
    }
}

/// After a command (or `EXEC`), still under the lock: serves the clients blocked on keys it filled, each
/// served operation its own unit after the command's (Redis's `handleClientsBlockedOnKeys`).
fn serve_blocked(core: &mut Core, shared: &Arc<Shared>) -> bool {
    if core.blocking.is_empty() {
        return false;
    }
    crate::blocking::serve_ready_keys(core, shared)
}

impl Drop for Batch<'_> {
    fn drop(&mut self) {
        let Some(core) = self.core.take() else { return };
        if self.fed {
            let offset = core.repl.offset();
            drop(core);
            self.shared.notify_stream(offset);
        }
    }
}
