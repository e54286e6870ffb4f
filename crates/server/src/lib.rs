//! rserver as a library: a Redis-compatible server with master-replica replication.
//!
//! Data flow: a [`connection`] decodes requests with `resp`, [`dispatch`] looks each up in the [`cmd`] table,
//! runs its handler against the [`core::Core`] (keyspace + replication state, one lock), and appends what it
//! changed to the replication stream in the same critical section; [`replica_feed`] tasks send that stream
//! to attached replicas, and on a replica the [`replica_link`] task applies its master's stream.
#![deny(missing_docs)]

pub mod acl;
pub mod aof;
pub mod aof_load;
pub mod aof_rewrite;
pub mod blocking;
pub mod client;
pub mod clients;
pub mod cmd;
pub mod config;
pub mod core;
pub mod cron;
pub mod digest;
pub mod dispatch;
pub mod errors;
pub mod failover;
pub mod full_sync;
pub mod info;
pub mod monitor;
pub mod persistence;
pub mod pubsub;
pub mod replica_feed;
pub mod replica_link;
pub mod replicas;
pub mod scripting;
pub mod shared;
pub mod shutdown;
pub mod slowlog;
pub mod snapshot;
pub mod stats;
pub mod sync_batch;
pub mod util;
pub mod wait;
pub mod watch;
pub mod watchdog;

mod connection;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;

use crate::config::Config;
use crate::core::{Core, MasterLinkStatus, Role};
use crate::shared::Shared;

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StartError {
    /// The port could not be bound.
    #[error("Failed listening on port {port} (TCP), aborting.")]
    Listen {
        /// The port.
        port: u16,
        /// The cause.
        source: std::io::Error,
    },
    /// `dir` does not exist or is not a directory.
    #[error("Can't chdir to '{0}': No such file or directory")]
    BadDir(PathBuf),
    /// The RDB file exists but cannot be read.
    #[error("Failed reading the RDB file {path}: {source}")]
    ReadRdb {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The RDB file is corrupt or of an unsupported version.
    #[error("Failed loading the RDB file {path}: {source}")]
    LoadRdb {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: rdb::RdbError,
    },
    /// The ACL users of the config file or the ACL file could not be loaded.
    #[error("{0}")]
    Acl(String),
    /// The AOF could not be loaded or opened (the reason is logged).
    #[error("Failed loading or opening the append only file, aborting.")]
    Aof,
}

/// A server that has bound its port and loaded its data, ready to [`Server::run`].
pub struct Server {
    shared: Arc<Shared>,
    listener: TcpListener,
    unix_listener: Option<tokio::net::UnixListener>,
}

impl Server {
    /// Binds, loads the RDB file, and sets up the role from the config.
    pub async fn start(config: Config) -> Result<Server, StartError> {
        if !config.dir.is_dir() {
            return Err(StartError::BadDir(config.dir.clone()));
        }
        let host = config
            .bind
            .first()
            .cloned()
            .unwrap_or_else(|| "127.0.0.1".to_owned());
        let listener = TcpListener::bind((host.as_str(), config.port))
            .await
            .map_err(|source| {
                tracing::warn!(
                    "Warning: Could not create server TCP listening socket {host}:{}: bind: {source}",
                    config.port
                );
                StartError::Listen { port: config.port, source }
            })?;
        let port = listener
            .local_addr()
            .map(|addr| addr.port())
            .unwrap_or(config.port);
        let now_unix = util::now_ms() / 1000;
        let mut core = Core::new(config.databases, config.repl_backlog_size, now_unix);
        core.replicas.output_limit = config.client_output_buffer_limit.replica;
        core.data_limits = config.data_limits();
        core.acl
            .set_default_password(config.requirepass.as_deref().map(str::as_bytes));
        acl::file::load_at_startup(&mut core.acl, &config.acl_settings())
            .map_err(StartError::Acl)?;
        if let Some((host, master_port)) = &config.replicaof {
            core.role = Role::Replica(MasterLinkStatus::new(host.clone(), *master_port, false));
        }
        let unix_listener = bind_unix_socket(&config)?;
        // With the AOF on, it alone is the data at start-up (as in Redis, the RDB file is then ignored).
        let appendonly = config.appendonly;
        let functions = if appendonly {
            Vec::new()
        } else {
            let path = config.dir.join(&config.dbfilename);
            persistence::load_at_startup(&path, &mut core, config.databases)?
        };
        core.aof.configure(&config);
        let shared = Arc::new(Shared::new(core, config, port));
        {
            let mut core = shared.core();
            if !functions.is_empty() {
                crate::cmd::scripts::load_snapshot_functions(&mut core, &shared, &functions);
            }
            if appendonly {
                aof_load::start_at_startup(&shared, &mut core).map_err(|_| StartError::Aof)?;
            }
        }
        Ok(Server {
            shared,
            listener,
            unix_listener,
        })
    }

    /// The state shared by every task (for tests and the binary's signal handling).
    pub fn shared(&self) -> &Arc<Shared> {
        &self.shared
    }

    /// The bound address.
    pub fn local_addr(&self) -> std::io::Result<std::net::SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until the shutdown token is cancelled (SHUTDOWN, a signal), then waits briefly for tasks.
    pub async fn run(self) {
        let Server {
            shared,
            listener,
            unix_listener,
        } = self;
        shared.tasks.spawn(cron::run(Arc::clone(&shared)));
        start_watchdog(&shared);
        if shared.core().is_replica() {
            replica_link::start(&shared);
        }
        tracing::info!("Ready to accept connections tcp");
        if unix_listener.is_some() {
            tracing::info!("Ready to accept connections unix");
        }
        loop {
            tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok((stream, addr)) => {
                        let _ = stream.set_nodelay(true);
                        let closer = clients::SocketCloser::of_tcp(&stream);
                        shared.tasks.spawn(connection::handle(
                            Arc::clone(&shared),
                            stream,
                            Some(addr),
                            closer,
                        ));
                    }
                    Err(error) => tracing::warn!("Accepting client connection: {error}"),
                },
                accepted = accept_unix(unix_listener.as_ref()) => match accepted {
                    Ok(stream) => {
                        let closer = clients::SocketCloser::of_unix(&stream);
                        shared.tasks.spawn(connection::handle(
                            Arc::clone(&shared),
                            stream,
                            None,
                            closer,
                        ));
                    }
                    Err(error) => tracing::warn!("Accepting unix socket connection: {error}"),
                },
                () = shared.shutdown.cancelled() => break,
            }
        }
        drop(listener);
        if unix_listener.is_some() {
            let _ = std::fs::remove_file(&shared.config().unixsocket);
        }
        shared.tasks.close();
        if tokio::time::timeout(Duration::from_secs(2), shared.tasks.wait())
            .await
            .is_err()
        {
            tracing::warn!("Some tasks did not stop within 2 seconds; exiting anyway");
        }
        tracing::info!("Redis is now ready to exit, bye bye...");
    }
}

/// Listens on `unixsocket` when configured (replacing a stale socket file), with `unixsocketperm`.
fn bind_unix_socket(config: &Config) -> Result<Option<tokio::net::UnixListener>, StartError> {
    if config.unixsocket.is_empty() {
        return Ok(None);
    }
    let path = std::path::Path::new(&config.unixsocket);
    let _ = std::fs::remove_file(path);
    let listener = tokio::net::UnixListener::bind(path).map_err(|source| {
        tracing::warn!("Failed opening Unix socket: {source}");
        StartError::Listen {
            port: config.port,
            source,
        }
    })?;
    let perm = config
        .other("unixsocketperm")
        .and_then(|perm| u32::from_str_radix(perm, 8).ok())
        .unwrap_or(0);
    if perm != 0 {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(perm));
    }
    Ok(Some(listener))
}

/// The next unix-socket connection, or never when there is no unix listener.
async fn accept_unix(
    listener: Option<&tokio::net::UnixListener>,
) -> std::io::Result<tokio::net::UnixStream> {
    match listener {
        Some(listener) => listener.accept().await.map(|(stream, _)| stream),
        None => std::future::pending().await,
    }
}

/// Shuts down as on SIGTERM: waits for lagging replicas, saves if save points are configured, then stops.
pub async fn shutdown_on_signal(shared: &Arc<Shared>) {
    tracing::info!("Received SIGTERM scheduling shutdown...");
    // Like Redis, a failed final save keeps the server running rather than losing the data.
    if shutdown::shut_down(shared, shutdown::ShutdownMode::default())
        .await
        .is_err()
    {
        tracing::warn!(
            "SIGTERM received but errors trying to shut down the server, check the logs for more information"
        );
    }
}

/// Builds a [`Config`] the way `redis-server` does from its command line: an optional config file path
/// first, then `--directive value ...`. Returns the fatal report text on error.
pub fn config_from_args(args: &[String]) -> Result<Config, String> {
    let mut config = Config::default();
    let (file, rest) = match args.first() {
        Some(first) if !first.starts_with("--") => (Some(first), &args[1..]),
        _ => (None, args),
    };
    let mut directives = Vec::new();
    let mut text = String::new();
    if let Some(file) = file {
        text = std::fs::read_to_string(file)
            .map_err(|error| format!("Fatal error, can't open config file '{file}': {error}"))?;
        directives = config::directives::parse_file(&text).map_err(|error| {
            let config::Origin::File { line } = error.origin;
            format!(
                "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line {line}\n>>> '{}'\nUnbalanced quotes in configuration line",
                error.text
            )
        })?;
    }
    directives.extend(config::directives::parse_args(rest, &text));
    config.config_file = file.map(|file| std::path::absolute(file).unwrap_or_else(|_| file.into()));
    for directive in &directives {
        config
            .apply(directive)
            .map_err(|error| error.fatal_report(directive))?;
    }
    Ok(config)
}

/// Starts the watchdog's thread (once per server; it sleeps while the period is 0): the state it checks is in
/// [`watchdog::Watchdog`], which the code that can block service marks.
fn start_watchdog(shared: &Arc<Shared>) {
    if shared.watchdog.started.set(()).is_err() {
        return;
    }
    let weak = Arc::downgrade(shared);
    let spawned = std::thread::Builder::new()
        .name("watchdog".to_owned())
        .spawn(move || {
            loop {
                let Some(shared) = weak.upgrade() else { return };
                if shared.shutdown.is_cancelled() {
                    return;
                }
                let period: u64 = shared
                    .config()
                    .other("watchdog-period")
                    .and_then(|value| value.parse().ok())
                    .unwrap_or(0);
                if period > 0 {
                    let period = Duration::from_millis(period.max(watchdog::MIN_PERIOD_MS));
                    if let Some((what, elapsed)) = shared.watchdog.due_report(period) {
                        tracing::warn!(
                            "--- WATCHDOG TIMER EXPIRED --- clients have not been served normally for {} ms: {what}",
                            elapsed.as_millis()
                        );
                    }
                }
                drop(shared);
                std::thread::sleep(Duration::from_millis(20));
            }
        });
    if let Err(error) = spawned {
        tracing::warn!("Can't start the watchdog thread: {error}");
    }
}
