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
use crate::cmd::{self, CommandSpec, Ctx, call, feed_unit, flags, serve_blocked};
use crate::core::Core;
use crate::errors;
use crate::scripting::Phase;
use crate::shared::Shared;
use crate::stats::Stats;
use crate::util::now_ms;

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
    /// Unix time of the burst, read once: the commands of one burst run within microseconds, and reading
    /// the clock per command showed up in profiles (Redis also caches the time).
    now_ms: i64,
    fed: bool,
    /// What is paused, read once per batch: pausing happens in a command (under this lock) or in cron,
    /// and a command caught by a stale "paused" just runs again when it is retried.
    pause: crate::shared::PauseLevel,
    /// The script gate's phase, read once per batch: a script starts inside a command (under this lock),
    /// and one that ends meanwhile only makes a command wait for nothing and run again.
    script_phase: Phase,
    /// When the previous command of this batch ended: the next one's start, so a burst reads the clock
    /// once per command instead of twice (the reads were 5% of a pipelined GET profile).
    last_clock: Option<std::time::Instant>,
    /// The effect buffers every command of the batch records into, reused: no allocation per command.
    effects: commands::Effects,
}

impl<'a> Batch<'a> {
    /// Takes the lock.
    pub fn new(shared: &'a Arc<Shared>) -> Batch<'a> {
        let (read_only, serve_stale, min_replicas, slowlog) = {
            let config = shared.config();
            let min_replicas =
                (config.min_replicas_to_write > 0 && config.min_replicas_max_lag > 0).then_some((
                    config.min_replicas_to_write as usize,
                    config.min_replicas_max_lag,
                ));
            let mut slowlog = crate::slowlog::SlowLog::default();
            slowlog.configure_from(&config);
            (
                config.replica_read_only,
                config.replica_serve_stale_data,
                min_replicas,
                slowlog,
            )
        };
        let mut core = shared.core();
        core.slowlog.configure_like(&slowlog);
        Batch {
            shared,
            core: Some(core),
            read_only,
            serve_stale,
            min_replicas,
            now_ms: now_ms(),
            fed: false,
            pause: *shared.pause.borrow(),
            script_phase: shared.scripts.phase(),
            last_clock: None,
            effects: commands::Effects::new(),
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

    /// Runs one command: the generic checks, then either queues it (inside `MULTI`) or runs it and appends
    /// what it changed to the replication stream.
    pub fn execute(&mut self, client: &mut ClientState, argv: &[Bytes]) -> Frame {
        let shared = self.shared;
        let Some(name) = argv.first() else {
            return Frame::Null;
        };
        let Some(spec) = cmd::lookup(name) else {
            return self.reject(client, None, errors::unknown_command(name, &argv[1..]));
        };
        if !spec.arity_ok(argv.len()) {
            return self.reject(client, Some(spec), errors::wrong_arity(spec.name));
        }
        // Like Redis, a container's subcommand is looked up and its arity checked before anything else,
        // so inside MULTI a bad one is refused at once (and aborts the transaction) instead of queued.
        if let Some(error) = cmd::subcommand_error(spec, argv) {
            return self.reject(client, Some(spec), error);
        }
        // From here on a container's subcommand answers for itself: its own flags (`CONFIG GET` may run
        // while loading, `SCRIPT KILL` while a script is busy), as Redis's `lookupCommand` returns it.
        let spec = spec.resolve(argv);
        if !client.authenticated && !spec.has(flags::NO_AUTH) && !self.core().acl.default_open() {
            return self.reject(client, Some(spec), errors::reply(errors::NOAUTH));
        }
        if client.multi.is_some() && spec.has(flags::NO_MULTI) {
            return self.reject(client, Some(spec), errors::reply(errors::NOT_IN_MULTI));
        }
        // ACLs are checked before a command runs or is queued (EXEC checks its queue again).
        if let Err(error) = cmd::acl_log::check_client(self.core(), shared, client, argv) {
            return self.reject(client, Some(spec), error);
        }
        // The master's stream checks the gate itself (replica_link), before decoding the next command.
        match self.script_phase {
            _ if client.is_master_link => {}
            Phase::Idle => {}
            // The script's own commands never come through here; everyone else waits (outside the lock) for
            // it to end or turn busy, then runs the command again: as on Redis's one thread, nothing runs
            // beside a script that is not busy yet, not even `SCRIPT KILL` (which would otherwise kill a
            // script before it is slow, one Redis could never reach).
            Phase::Running => {
                client.after_reply = Some(crate::client::AfterReply::Paused);
                return Frame::Null;
            }
            Phase::Busy if !allowed_while_busy(spec) => {
                let busy = errors::reply(shared.scripts.busy_error());
                return self.reject(client, Some(spec), busy);
            }
            Phase::Busy => {}
        }
        // What an EXEC would run but the state now refuses: a command without `loading` or `stale`.
        let exec_lacking = match &client.multi {
            Some(multi) if spec.name == "exec" => multi.queued_lacking,
            _ => 0,
        };
        if let Some(loading) = self.core().persistence.loading
            && !client.is_master_link
            && (refused_while_loading(spec, argv, loading)
                || (!loading && exec_lacking & flags::LOADING != 0))
        {
            return self.reject(client, Some(spec), errors::reply(errors::LOADING));
        }
        // EXEC is as much a write as the commands it would run (Redis's `mstate.cmd_flags`).
        let effective = match &client.multi {
            Some(multi) if spec.name == "exec" => spec.flags | multi.queued_flags,
            _ => spec.flags,
        };
        let is_write = effective & flags::WRITE != 0;
        let pause = self.pause;
        let paused = match pause {
            crate::shared::PauseLevel::None => false,
            crate::shared::PauseLevel::Writes => {
                effective & (flags::WRITE | flags::MAY_REPLICATE) != 0
            }
            crate::shared::PauseLevel::All => true,
        };
        if paused && !client.is_master_link {
            // The client waits (outside the lock) and runs the command again when writes resume.
            client.after_reply = Some(crate::client::AfterReply::Paused);
            return Frame::Null;
        }
        Stats::bump(&shared.stats.commands_processed);
        let (read_only, serve_stale) = (self.read_only, self.serve_stale);
        let core = self.core.as_mut().expect("the guard is only taken in drop");
        let link_down = match core.master_link() {
            Some(link) if !client.is_master_link => Some(link.state != ReplicaLinkState::Connected),
            _ => None,
        };
        if let Some(error) = crate::aof::write_error(&core.aof)
            && (is_write || spec.name == "ping")
            && !client.is_master_link
        {
            return self.reject(client, Some(spec), errors::reply(&error));
        }
        if let Some((needed, max_lag)) = self.min_replicas
            && is_write
            && !core.is_replica()
            && core.replicas.good_count(max_lag) < needed
        {
            return self.reject(client, Some(spec), errors::reply(errors::NOREPLICAS));
        }
        if link_down.is_some() && is_write && read_only {
            return self.reject(client, Some(spec), errors::reply(errors::READONLY));
        }
        if client.in_resp2_pubsub_mode() && !ALLOWED_IN_PUBSUB.contains(&spec.name) {
            let error = errors::pubsub_context(&cmd::full_name(spec, argv));
            return self.reject(client, Some(spec), error);
        }
        if link_down == Some(true)
            && !serve_stale
            && (!spec.has(flags::STALE) || exec_lacking & flags::STALE != 0)
        {
            return self.reject(client, Some(spec), errors::reply(errors::MASTERDOWN));
        }
        if let Some(multi) = client.multi.as_mut()
            && !TRANSACTION_CONTROL.contains(&spec.name)
        {
            // An aborted transaction will not run: no point keeping its commands (Redis does the same).
            if !multi.aborted {
                multi.commands.push(argv.iter().map(cmd::owned).collect());
                multi.queued_flags |= spec.flags;
                multi.queued_lacking |= !spec.flags & (flags::LOADING | flags::STALE);
            }
            return Frame::Simple(Bytes::from_static(b"QUEUED"));
        }

        let core = self.core.as_mut().expect("the guard is only taken in drop");
        // (`call` lets a write on a writable replica delete what it finds expired.)
        let policy = if client.is_master_link {
            ExpiryPolicy::Keep
        } else {
            core.client_expiry_policy()
        };
        let db = client.db;
        // The batch's effect buffers are lent to each command and come back with their capacity.
        let effects = std::mem::take(&mut self.effects);
        let mut ctx = Ctx::with_effects(core, client, shared, self.now_ms, policy, effects);
        ctx.clock_hint = self.last_clock;
        let reply = call(&mut ctx, spec, argv);
        self.last_clock = ctx.clock_hint;
        self.effects = ctx.into_effects();
        // The commands that pause others (FAILOVER, CLIENT PAUSE, SHUTDOWN's wait) take effect for the
        // rest of this batch too.
        if matches!(spec.name, "failover" | "client" | "shutdown") {
            self.pause = *shared.pause.borrow();
        }
        let unit = self.effects.propagation();
        // A replica's own clients' writes (writable replica) stay local, and the master link's commands
        // are fed to sub-replicas as the exact bytes received, by the link itself.
        if core.is_replica() {
            // A replica's AOF records what it applied from its master and its own clients' writes.
            core.aof.feed_unit(unit);
            self.effects.clear_propagation();
            if spec.has(flags::WRITE) && !client.is_master_link {
                core.track_local_expires(db, spec.keys(argv));
            }
            serve_blocked(core, shared);
            return reply;
        }
        // Run directly, a command that may delete keys it did not name (SCAN, RANDOMKEY meeting expired keys)
        // propagates its DELs one by one, not as a MULTI/EXEC unit, as Redis does (and as active expiry does).
        let fed_unit = if spec.has(flags::TOUCHES_ARBITRARY_KEYS) {
            unit.iter().fold(false, |fed, command| {
                feed_unit(core, std::slice::from_ref(command)) | fed
            })
        } else {
            feed_unit(core, unit)
        };
        if fed_unit {
            self.fed = true;
            client.last_write_offset = core.repl.offset();
        }
        self.effects.clear_propagation();
        self.fed |= std::mem::take(&mut core.stream_grew);
        self.fed |= serve_blocked(core, shared);
        reply
    }

    /// A command refused before running: inside `MULTI` the transaction is flagged so `EXEC` will answer
    /// `-EXECABORT`; a refused `EXEC` itself ends any transaction and answers `-EXECABORT` with the reason.
    fn reject(
        &mut self,
        client: &mut ClientState,
        spec: Option<&CommandSpec>,
        error: Frame,
    ) -> Frame {
        if let Some(multi) = client.multi.as_mut() {
            multi.aborted = true;
        }
        let core = self.core();
        if let Some(spec) = spec {
            core.command_stats.record_rejected(spec.name);
        }
        // Redis answers any refused EXEC this way, inside MULTI or not.
        let error = if spec.is_some_and(|spec| spec.name == "exec") {
            client.multi = None;
            core.watches.forget(client.id);
            errors::exec_abort_because(&error)
        } else {
            error
        };
        core.error_stats.record(&error);
        error
    }
}

/// Whether a command is refused while a snapshot loads: any command without the `loading` flag while
/// clients wait for the load, and during an async load (old data still served) the commands that would
/// disturb it (Redis's `no-async-loading` flag: `REPLICAOF`, saves, syncs) and `CONFIG SET` of `appendonly`,
/// `dir` or `repl-diskless-load`.
fn refused_while_loading(spec: &CommandSpec, argv: &[Bytes], async_loading: bool) -> bool {
    if !async_loading {
        return !spec.has(flags::LOADING);
    }
    if spec.has(flags::NO_ASYNC_LOADING) {
        return true;
    }
    spec.full_name == "config|set"
        && argv[2..].iter().step_by(2).any(|name| {
            ["appendonly", "dir", "repl-diskless-load"]
                .iter()
                .any(|denied| cmd::is(name, denied))
        })
}

/// Whether a command runs even while a script is busy: the commands and subcommands Redis flags `allow-busy`
/// (`SCRIPT KILL`, `FUNCTION KILL`, `FUNCTION STATS`, `SHUTDOWN`, `AUTH`...).
fn allowed_while_busy(spec: &CommandSpec) -> bool {
    spec.has(flags::ALLOW_BUSY)
}

/// Commands that run, not queue, inside `MULTI`.
const TRANSACTION_CONTROL: &[&str] = &["exec", "discard", "multi", "watch", "quit", "reset"];

/// What a RESP2 connection in subscribed mode may run.
const ALLOWED_IN_PUBSUB: &[&str] = &[
    "ping",
    "subscribe",
    "ssubscribe",
    "unsubscribe",
    "sunsubscribe",
    "psubscribe",
    "punsubscribe",
    "quit",
    "reset",
];

impl Drop for Batch<'_> {
    fn drop(&mut self) {
        let Some(mut core) = self.core.take() else {
            return;
        };
        // The batch's writes reach the AOF before any of its replies leave (as Redis flushes before it
        // writes to clients).
        core.aof.flush();
        if self.fed {
            let offset = core.repl.offset();
            drop(core);
            self.shared.notify_stream(offset);
        }
    }
}
