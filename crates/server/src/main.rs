//! The `rserver` binary: `rserver [config-file] [--directive value ...]`, like `redis-server`.
#![forbid(unsafe_code)]

use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use server::Server;
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::registry::LookupSpan;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|arg| arg == "-v" || arg == "--version") {
        println!(
            "rserver v={} (Redis 7.0.15 compatible)",
            env!("CARGO_PKG_VERSION")
        );
        return ExitCode::SUCCESS;
    }
    if args.iter().any(|arg| arg == "-h" || arg == "--help") {
        println!(
            "Usage: rserver [/path/to/redis.conf] [--directive value ...]\n\nExamples:\n  rserver --port 6380 --dir /data\n  rserver --port 6380 --replicaof 127.0.0.1 6379\n  rserver node.conf --port 6381"
        );
        return ExitCode::SUCCESS;
    }
    let config = match server::config_from_args(&args) {
        Ok(config) => config,
        Err(report) => {
            eprintln!("{report}");
            return ExitCode::FAILURE;
        }
    };
    if let Err(error) = init_logging(&config.loglevel, &config.logfile) {
        eprintln!("Can't open the log file: {error:#}");
        return ExitCode::FAILURE;
    }
    let runtime = match runtime_builder().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("Failed to start the runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            // A failed AOF load has logged its reason; as in Redis, that stays the last line of the log.
            if !matches!(
                error.downcast_ref::<server::StartError>(),
                Some(server::StartError::Aof)
            ) {
                tracing::error!("{error}");
            }
            ExitCode::FAILURE
        }
    }
}

async fn run(config: server::config::Config) -> anyhow::Result<()> {
    tracing::info!("oO0OoO0OoO0Oo rserver is starting oO0OoO0OoO0Oo");
    tracing::info!(
        "rserver version={}, Redis 7.0.15 compatible, bits=64, PID: {}, just started",
        env!("CARGO_PKG_VERSION"),
        std::process::id()
    );
    tracing::info!(
        "Running mode=standalone, port={}. PID: {}",
        config.port,
        std::process::id()
    );
    let server = Server::start(config).await?;
    tracing::info!("Server initialized");
    let shared = std::sync::Arc::clone(server.shared());
    tokio::spawn(async move {
        // Loops because a shutdown whose final save failed leaves the server running.
        loop {
            wait_for_termination().await;
            server::shutdown_on_signal(&shared).await;
        }
    });
    server.run().await;
    Ok(())
}

/// SIGTERM (what the test suite and service managers send) or SIGINT (Ctrl-C).
async fn wait_for_termination() {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut term), Ok(mut int)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) else {
        std::future::pending::<()>().await;
        return;
    };
    tokio::select! {
        _ = term.recv() => {}
        _ = int.recv() => {}
    }
}

fn init_logging(loglevel: &str, logfile: &str) -> anyhow::Result<()> {
    let level = match loglevel {
        "debug" | "verbose" => tracing::Level::DEBUG,
        "warning" => tracing::Level::WARN,
        "nothing" => tracing::Level::ERROR,
        _ => tracing::Level::INFO,
    };
    let builder = tracing_subscriber::fmt()
        .with_max_level(level)
        .event_format(RedisLogFormat);
    if logfile.is_empty() {
        builder.with_writer(std::io::stdout).init();
    } else {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(logfile)?;
        builder.with_writer(std::sync::Mutex::new(file)).init();
    }
    Ok(())
}

/// Redis's log line shape, `pid:M 25 Nov 2026 22:05:24.123 * message`, so operators and tools that grep
/// Redis logs feel at home.
struct RedisLogFormat;

impl<S, N> FormatEvent<S, N> for RedisLogFormat
where
    S: tracing::Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &tracing::Event<'_>,
    ) -> std::fmt::Result {
        let marker = match *event.metadata().level() {
            tracing::Level::ERROR | tracing::Level::WARN => '#',
            tracing::Level::INFO => '*',
            _ => '.',
        };
        write!(writer, "{}:M {} {marker} ", std::process::id(), timestamp())?;
        ctx.field_format().format_fields(writer.by_ref(), event)?;
        writeln!(writer)
    }
}

/// `25 Nov 2026 22:05:24.123` in UTC, computed without a date library.
fn timestamp() -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let secs = now.as_secs() as i64;
    let (days, rem) = (secs.div_euclid(86400), secs.rem_euclid(86400));
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    format!(
        "{day:02} {} {year} {:02}:{:02}:{:02}.{:03}",
        MONTHS[(month - 1) as usize],
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        now.subsec_millis()
    )
}

/// Worker threads: `RSERVER_THREADS`, else half the cores (at least one). Commands serialize on the core
/// lock anyway, so extra workers mostly buy socket I/O parallelism; on a 2-core machine one worker leaves a
/// core to the clients and beat two workers by 10-40% at pipeline 16 in `redis-benchmark`.
fn runtime_builder() -> tokio::runtime::Builder {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let threads = std::env::var("RSERVER_THREADS")
        .ok()
        .and_then(|n| n.parse::<usize>().ok())
        .unwrap_or((cores / 2).max(1));
    if threads <= 1 {
        tokio::runtime::Builder::new_current_thread()
    } else {
        let mut builder = tokio::runtime::Builder::new_multi_thread();
        builder.worker_threads(threads);
        builder
    }
}
