//! [`Shared`]: what every task of one server holds an `Arc` to, split by owner.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, RwLock, RwLockReadGuard};
use std::time::Instant;

use replication::ReplOffset;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::config::Config;
use crate::core::Core;
use crate::stats::Stats;

/// State shared by the listener, connections and background tasks of one server.
#[derive(Debug)]
pub struct Shared {
    // A std mutex, not tokio's: it is never held across an `.await`, and command execution is short.
    core: Mutex<Core>,
    config: RwLock<Config>,
    /// Counters for INFO.
    pub stats: Stats,
    /// Replicas waiting for the next full-resync snapshot.
    pub full_syncs: crate::sync_batch::SyncBatcher,
    /// Every connection, for CLIENT LIST / CLIENT KILL.
    pub clients: crate::clients::ClientRegistry,
    /// Bumped after every append to the replication stream; replica senders wait on it.
    pub stream_notify: watch::Sender<ReplOffset>,
    /// While a shutdown waits for lagging replicas: when the wait ends (INFO `shutdown_in_milliseconds`),
    /// and the switch `SHUTDOWN ABORT` flips.
    pub pending_shutdown: Mutex<Option<(Instant, CancellationToken)>>,
    /// What client commands are paused (`FAILOVER`, a shutdown waiting for replicas, `CLIENT PAUSE`);
    /// paused clients wait on it.
    pub pause: watch::Sender<PauseLevel>,
    pause_reasons: Mutex<PauseReasons>,
    /// Bumped on every `REPLCONF ACK` from a replica; clients in `WAIT` wait on it.
    pub ack_notify: watch::Sender<u64>,
    /// The script running outside the core lock, if any; other commands wait or get `-BUSY`.
    pub scripts: crate::scripting::ScriptGate,
    /// The Lua interpreters. Lock order: the core lock, then this one (a script running outside the core
    /// lock holds this one and takes the core lock per call, which is safe because the gate keeps every
    /// other engine user out meanwhile).
    engine: Mutex<crate::scripting::engine::Engine>,
    /// Cancelled when the server shuts down.
    pub shutdown: CancellationToken,
    /// Every spawned task, so shutdown can wait for them.
    pub tasks: TaskTracker,
    /// What currently keeps clients from being served (`watchdog-period` reports it).
    pub watchdog: crate::watchdog::Watchdog,
    /// The running master-link task, when this server is a replica.
    pub master_link_task: Mutex<Option<CancellationToken>>,
    /// `run_id` for INFO.
    pub run_id: String,
    /// When the server started.
    pub started: Instant,
    /// The TCP port actually listened on.
    pub port: u16,
    next_client_id: AtomicU64,
}

impl Shared {
    /// Wraps a ready core and config.
    pub fn new(core: Core, config: Config, port: u16) -> Shared {
        let offset = core.repl.offset();
        Shared {
            core: Mutex::new(core),
            config: RwLock::new(config),
            stats: Stats::default(),
            clients: crate::clients::ClientRegistry::default(),
            full_syncs: crate::sync_batch::SyncBatcher::default(),
            stream_notify: watch::channel(offset).0,
            ack_notify: watch::channel(0).0,
            pause: watch::channel(PauseLevel::None).0,
            pause_reasons: Mutex::new(PauseReasons::default()),
            scripts: crate::scripting::ScriptGate::default(),
            engine: Mutex::new(crate::scripting::engine::Engine::new()),
            pending_shutdown: Mutex::new(None),
            shutdown: CancellationToken::new(),
            tasks: TaskTracker::new(),
            watchdog: crate::watchdog::Watchdog::default(),
            master_link_task: Mutex::new(None),
            run_id: replication::ReplId::random().to_string(),
            started: Instant::now(),
            port,
            next_client_id: AtomicU64::new(1),
        }
    }

    /// Locks the script engine (see the field's lock order).
    pub fn engine(&self) -> MutexGuard<'_, crate::scripting::engine::Engine> {
        self.engine
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Locks the core. A panic while holding it would leave the data in an unknown state; we keep serving
    /// (like Redis would have crashed, we at least log it once) rather than poisoning every later command.
    pub fn core(&self) -> MutexGuard<'_, Core> {
        self.core
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Reads the config.
    pub fn config(&self) -> RwLockReadGuard<'_, Config> {
        self.config
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Changes the config.
    pub fn update_config<T>(&self, change: impl FnOnce(&mut Config) -> T) -> T {
        let mut config = self
            .config
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        change(&mut config)
    }

    /// A fresh client id.
    pub fn next_client_id(&self) -> u64 {
        self.next_client_id.fetch_add(1, Ordering::Relaxed)
    }

    /// Pauses or releases write commands for a failover or a shutdown.
    pub fn set_writes_paused(&self, paused: bool) {
        self.update_pause(|reasons| reasons.internal = paused);
    }

    /// `CLIENT PAUSE ms [WRITE|ALL]`: until `until`.
    pub fn client_pause(&self, until: Instant, level: PauseLevel) {
        self.update_pause(|reasons| reasons.client = Some((until, level)));
    }

    /// `CLIENT UNPAUSE`, or the end of a `CLIENT PAUSE` (checked by the cron).
    pub fn client_unpause_if_due(&self, force: bool) {
        self.update_pause(|reasons| {
            if force
                || reasons
                    .client
                    .is_some_and(|(until, _)| Instant::now() >= until)
            {
                reasons.client = None;
            }
        });
    }

    fn update_pause(&self, change: impl FnOnce(&mut PauseReasons)) {
        let mut reasons = self
            .pause_reasons
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        change(&mut reasons);
        let client = reasons.client.map_or(PauseLevel::None, |(_, level)| level);
        let internal = if reasons.internal {
            PauseLevel::Writes
        } else {
            PauseLevel::None
        };
        let level = client.max(internal);
        self.pause
            .send_if_modified(|current| std::mem::replace(current, level) != level);
    }

    /// Wakes the replica senders after the stream grew.
    pub fn notify_stream(&self, offset: ReplOffset) {
        self.stream_notify.send_replace(offset);
    }
}

/// Which client commands wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub enum PauseLevel {
    /// Nothing is paused.
    #[default]
    None,
    /// Commands that write wait.
    Writes,
    /// Every command waits (`CLIENT PAUSE ... ALL`).
    All,
}

/// Why commands are paused; the effective level is the strongest of them.
#[derive(Debug, Default)]
struct PauseReasons {
    /// A failover or a shutdown waiting for replicas (writes only).
    internal: bool,
    /// `CLIENT PAUSE`, until a deadline.
    client: Option<(Instant, PauseLevel)>,
}
