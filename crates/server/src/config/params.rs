//! [`Config`]: validated settings, and the table of parameters that start-up, `CONFIG GET` and `CONFIG SET`
//! share, so a directive is defined once.

use std::collections::BTreeMap;
use std::path::PathBuf;

use keyspace::pattern::glob_match_case;

use super::{Directive, Origin};

/// One `save <seconds> <changes>` point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SavePoint {
    /// Seconds since the last save.
    pub seconds: u64,
    /// Changes since the last save.
    pub changes: u64,
}

/// Validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// `port`.
    pub port: u16,
    /// `bind` addresses.
    pub bind: Vec<String>,
    /// `dir`: working directory for RDB files.
    pub dir: PathBuf,
    /// `dbfilename`.
    pub dbfilename: String,
    /// `requirepass`; `None` when empty.
    pub requirepass: Option<String>,
    /// `masterauth`.
    pub masterauth: Option<String>,
    /// `masteruser`.
    pub masteruser: Option<String>,
    /// `replicaof host port` from the config (start as a replica).
    pub replicaof: Option<(String, u16)>,
    /// `replica-read-only`.
    pub replica_read_only: bool,
    /// `replica-serve-stale-data`.
    pub replica_serve_stale_data: bool,
    /// `save` points; empty disables automatic saving.
    pub save: Vec<SavePoint>,
    /// `appendonly`.
    pub appendonly: bool,
    /// `loglevel`: debug, verbose, notice, warning.
    pub loglevel: String,
    /// `logfile`: empty means stdout.
    pub logfile: String,
    /// `databases`.
    pub databases: usize,
    /// `repl-backlog-size`.
    pub repl_backlog_size: usize,
    /// `repl-backlog-ttl` in seconds.
    pub repl_backlog_ttl: u64,
    /// `repl-timeout` in seconds.
    pub repl_timeout: u64,
    /// `repl-ping-replica-period` in seconds.
    pub repl_ping_replica_period: u64,
    /// `repl-diskless-sync`.
    pub repl_diskless_sync: bool,
    /// `repl-diskless-sync-delay` in seconds.
    pub repl_diskless_sync_delay: u64,
    /// `replica-priority`.
    pub replica_priority: i64,
    /// `replica-announce-ip`.
    pub replica_announce_ip: Option<String>,
    /// `replica-announce-port`; 0 means the listening port.
    pub replica_announce_port: u16,
    /// `replica-announced`.
    pub replica_announced: bool,
    /// `min-replicas-to-write`.
    pub min_replicas_to_write: u64,
    /// `list-max-listpack-size` (alias `list-max-ziplist-size`): the size of a list's quicklist nodes. Lists keep
    /// one representation whatever it says (Redis 7.0 shows `quicklist` for every list too), so it is only kept.
    pub list_max_listpack_size: i32,
    /// `busy-reply-threshold` (alias `lua-time-limit`), milliseconds: how long a script runs before other
    /// clients are answered `-BUSY` (0: never).
    pub busy_reply_threshold: u64,
    /// `list-compress-depth`: kept like `list-max-listpack-size` (list nodes are never compressed here).
    pub list_compress_depth: i32,
    /// `stream-node-max-bytes`: a stream node (listpack) closes before reaching this size (0 = 1 GB).
    pub stream_node_max_bytes: usize,
    /// `stream-node-max-entries`: a stream node closes at this many entries (0 = no limit).
    pub stream_node_max_entries: i64,
    /// `min-replicas-max-lag`.
    pub min_replicas_max_lag: u64,
    /// `unixsocket` path; empty means none.
    pub unixsocket: String,
    /// `client-output-buffer-limit`.
    pub client_output_buffer_limit: super::output_limits::OutputBufferLimits,
    /// The config file the server was started with (absolute), for `CONFIG REWRITE`.
    pub config_file: Option<PathBuf>,
    /// `user <name> <rules...>` directives, in order, each as its words (name first): ACL users to create at
    /// start-up (checked when read, applied once the server starts, as Redis does).
    pub users: Vec<Vec<String>>,
    /// Directives Redis knows that this server accepts and reports but does not act on (yet).
    other: BTreeMap<&'static str, String>,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            port: 6379,
            bind: vec!["127.0.0.1".to_owned()],
            dir: PathBuf::from("."),
            dbfilename: "dump.rdb".to_owned(),
            requirepass: None,
            masterauth: None,
            masteruser: None,
            replicaof: None,
            replica_read_only: true,
            replica_serve_stale_data: true,
            save: vec![
                SavePoint {
                    seconds: 3600,
                    changes: 1,
                },
                SavePoint {
                    seconds: 300,
                    changes: 100,
                },
                SavePoint {
                    seconds: 60,
                    changes: 10000,
                },
            ],
            appendonly: false,
            loglevel: "notice".to_owned(),
            logfile: String::new(),
            databases: keyspace::DEFAULT_DATABASES,
            repl_backlog_size: 1024 * 1024,
            repl_backlog_ttl: 3600,
            repl_timeout: 60,
            repl_ping_replica_period: 10,
            repl_diskless_sync: true,
            repl_diskless_sync_delay: 5,
            replica_priority: 100,
            replica_announce_ip: None,
            replica_announce_port: 0,
            replica_announced: true,
            min_replicas_to_write: 0,
            list_max_listpack_size: -2,
            busy_reply_threshold: 5000,
            list_compress_depth: 0,
            stream_node_max_bytes: 4096,
            stream_node_max_entries: 100,
            min_replicas_max_lag: 10,
            unixsocket: String::new(),
            client_output_buffer_limit: super::output_limits::OutputBufferLimits::default(),
            config_file: None,
            users: Vec::new(),
            other: PASSTHROUGH
                .iter()
                .map(|param| (param.name, param.default.to_owned()))
                .collect(),
        }
    }
}

/// A rejected directive or `CONFIG SET`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// Unknown name or wrong number of arguments.
    #[error("Bad directive or wrong number of arguments")]
    BadDirective,
    /// A known name with an invalid value; the text says why.
    #[error("{0}")]
    BadValue(String),
    /// A parameter that cannot be changed at run time.
    #[error("can't set immutable config")]
    Immutable,
}

impl ConfigError {
    /// The multi-line report Redis prints before refusing to start.
    pub fn fatal_report(&self, directive: &Directive) -> String {
        let location = match directive.origin {
            Origin::File { line } => format!("at line {line}"),
        };
        format!(
            "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, {location}\n>>> '{}'\n{self}",
            directive.text
        )
    }
}

type Getter = fn(&Config) -> String;
type Setter = fn(&mut Config, &[String]) -> Result<(), ConfigError>;

/// One parameter: its names, how to read it for `CONFIG GET`, how to set it.
struct Param {
    name: &'static str,
    alias: Option<&'static str>,
    get: Getter,
    set: Setter,
    /// Only settable at start-up.
    immutable: bool,
}

impl Config {
    /// Applies one start-up directive.
    pub fn apply(&mut self, directive: &Directive) -> Result<(), ConfigError> {
        if directive.name == "user" && !directive.args.is_empty() {
            let known: Vec<&str> = self.users.iter().map(|user| user[0].as_str()).collect();
            crate::acl::check_user_directive(&directive.args, &known)
                .map_err(ConfigError::BadValue)?;
            self.users.push(directive.args.clone());
            return Ok(());
        }
        if let Some(param) = find_param(&directive.name) {
            return (param.set)(self, &directive.args);
        }
        if let Some(param) = find_passthrough(&directive.name) {
            let value = param.kind.normalise(&directive.args)?;
            self.other.insert(param.name, value);
            return Ok(());
        }
        Err(ConfigError::BadDirective)
    }

    /// `CONFIG SET name value`.
    pub fn set(&mut self, name: &str, value: &str) -> Result<(), ConfigError> {
        let name = name.to_ascii_lowercase();
        if let Some(param) = find_param(&name) {
            if param.immutable {
                return Err(ConfigError::Immutable);
            }
            let args: Vec<String> =
                if ["save", "bind", "client-output-buffer-limit"].contains(&param.name) {
                    value.split_whitespace().map(str::to_owned).collect()
                } else {
                    vec![value.to_owned()]
                };
            return (param.set)(self, &args);
        }
        if let Some(param) = find_passthrough(&name) {
            if param.immutable {
                return Err(ConfigError::Immutable);
            }
            let value = param.kind.normalise(&[value.to_owned()])?;
            self.other.insert(param.name, value);
            return Ok(());
        }
        Err(ConfigError::BadDirective)
    }

    /// `CONFIG GET pattern`: every (name, value) whose name or alias matches, in table order.
    pub fn get_matching(&self, pattern: &str) -> Vec<(String, String)> {
        let pattern = pattern.as_bytes();
        let mut out = Vec::new();
        for param in PARAMS {
            for name in std::iter::once(param.name).chain(param.alias) {
                if glob_match_case(pattern, name.as_bytes(), true) {
                    out.push((name.to_owned(), (param.get)(self)));
                }
            }
        }
        for (name, value) in &self.other {
            if glob_match_case(pattern, name.as_bytes(), true) {
                out.push(((*name).to_owned(), value.clone()));
            }
        }
        out
    }

    /// Every parameter's canonical name and current value, in table order (for `CONFIG REWRITE`).
    pub fn all_values(&self) -> Vec<(&'static str, String)> {
        PARAMS
            .iter()
            .map(|param| (param.name, (param.get)(self)))
            .chain(
                self.other
                    .iter()
                    .map(|(name, value)| (*name, value.clone())),
            )
            .collect()
    }

    /// The canonical name of a directive given by its name or alias.
    pub fn canonical_name(name: &str) -> Option<&'static str> {
        let name = name.to_ascii_lowercase();
        find_param(&name)
            .map(|param| param.name)
            .or_else(|| find_passthrough(&name).map(|param| param.name))
    }

    /// The value of a pass-through directive (one accepted for compatibility but not acted on).
    pub fn other(&self, name: &str) -> Option<&str> {
        self.other.get(name).map(String::as_str)
    }

    /// What ACLs read of the configuration.
    pub fn acl_settings(&self) -> crate::acl::file::AclSettings<'_> {
        crate::acl::file::AclSettings {
            dir: &self.dir,
            aclfile: self.other("aclfile"),
            users: &self.users,
            all_channels: self.other("acl-pubsub-default") == Some("allchannels"),
        }
    }

    /// The configuration the data commands read, for [`commands::DataCtx`] (kept in the `Core`, refreshed on
    /// `CONFIG SET`).
    pub fn data_limits(&self) -> commands::Limits {
        let defaults = commands::Limits::default();
        commands::Limits {
            stream_node_max_bytes: self.stream_node_max_bytes,
            stream_node_max_entries: self.stream_node_max_entries,
            hll_sparse_max_bytes: self
                .other("hll-sparse-max-bytes")
                .and_then(|value| value.parse().ok())
                .unwrap_or(defaults.hll_sparse_max_bytes),
            lfu_policy: self
                .other("maxmemory-policy")
                .is_some_and(|policy| policy.contains("lfu")),
        }
    }
}

fn find_param(name: &str) -> Option<&'static Param> {
    PARAMS
        .iter()
        .find(|param| param.name == name || param.alias == Some(name))
}

fn one(args: &[String]) -> Result<&str, ConfigError> {
    match args {
        [value] => Ok(value),
        _ => Err(ConfigError::BadDirective),
    }
}

fn parse_bool(args: &[String]) -> Result<bool, ConfigError> {
    match one(args)?.to_ascii_lowercase().as_str() {
        "yes" => Ok(true),
        "no" => Ok(false),
        _ => Err(ConfigError::BadValue(
            "argument must be 'yes' or 'no'".to_owned(),
        )),
    }
}

fn parse_number<T: std::str::FromStr>(args: &[String]) -> Result<T, ConfigError> {
    one(args)?.parse().map_err(|_| {
        ConfigError::BadValue("argument couldn't be parsed into an integer".to_owned())
    })
}

/// An integer within Redis's declared bounds for the parameter, with Redis's wording when it is outside them.
fn parse_int_in(args: &[String], min: i32, max: i32) -> Result<i32, ConfigError> {
    let value: i64 = parse_number(args)?;
    i32::try_from(value)
        .ok()
        .filter(|value| (min..=max).contains(value))
        .ok_or_else(|| {
            ConfigError::BadValue(format!(
                "argument must be between {min} and {max} inclusive"
            ))
        })
}

/// Sizes accept Redis's unit suffixes (`1mb`, `64kb`, `1gb`).
fn parse_memory(args: &[String]) -> Result<usize, ConfigError> {
    memory_value(one(args)?)
        .and_then(|bytes| usize::try_from(bytes).ok())
        .ok_or_else(|| ConfigError::BadValue("argument must be a memory value".to_owned()))
}

/// A size with Redis's unit suffixes (`1mb`, `64kb`, `1gb`, `5k`), in bytes.
pub fn memory_value(text: &str) -> Option<u64> {
    let text = text.to_ascii_lowercase();
    let units: [(&str, u64); 7] = [
        ("kb", 1024),
        ("mb", 1 << 20),
        ("gb", 1 << 30),
        ("k", 1000),
        ("m", 1_000_000),
        ("g", 1_000_000_000),
        ("b", 1),
    ];
    let (digits, multiplier) = units
        .iter()
        .find_map(|(suffix, mult)| text.strip_suffix(suffix).map(|d| (d, *mult)))
        .unwrap_or((&text, 1));
    digits
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(multiplier))
}

fn optional(value: &str) -> Option<String> {
    (!value.is_empty()).then(|| value.to_owned())
}

fn yes_no(value: bool) -> String {
    if value { "yes" } else { "no" }.to_owned()
}

fn parse_save(args: &[String]) -> Result<Vec<SavePoint>, ConfigError> {
    if args.is_empty() || (args.len() == 1 && args[0].is_empty()) {
        return Ok(Vec::new());
    }
    if !args.len().is_multiple_of(2) {
        return Err(ConfigError::BadDirective);
    }
    args.chunks(2)
        .map(|pair| match (pair[0].parse(), pair[1].parse()) {
            (Ok(seconds), Ok(changes)) => Ok(SavePoint { seconds, changes }),
            _ => Err(ConfigError::BadValue("Invalid save parameters".to_owned())),
        })
        .collect()
}

fn parse_replicaof(args: &[String]) -> Result<Option<(String, u16)>, ConfigError> {
    match args {
        [host, port] if host.eq_ignore_ascii_case("no") && port.eq_ignore_ascii_case("one") => {
            Ok(None)
        }
        [host, port] => {
            let port = port
                .parse::<u16>()
                .map_err(|_| ConfigError::BadValue("Invalid master port".to_owned()))?;
            Ok(Some((host.clone(), port)))
        }
        _ => Err(ConfigError::BadDirective),
    }
}

const PARAMS: &[Param] = &[
    Param {
        name: "port",
        alias: None,
        get: |c| c.port.to_string(),
        set: |c, a| {
            c.port = parse_number(a)?;
            Ok(())
        },
        immutable: true,
    },
    Param {
        name: "bind",
        alias: None,
        get: |c| c.bind.join(" "),
        set: |c, a| {
            if a.is_empty() {
                return Err(ConfigError::BadDirective);
            }
            c.bind = a.to_vec();
            Ok(())
        },
        immutable: true,
    },
    Param {
        name: "dir",
        alias: None,
        get: |c| {
            std::fs::canonicalize(&c.dir)
                .unwrap_or_else(|_| c.dir.clone())
                .display()
                .to_string()
        },
        set: |c, a| {
            // Redis changes into the directory right here, so a missing one is a config error at this line.
            let dir = PathBuf::from(one(a)?);
            if !dir.is_dir() {
                return Err(ConfigError::BadValue(
                    "No such file or directory".to_owned(),
                ));
            }
            c.dir = dir;
            Ok(())
        },
        immutable: false,
    },
    Param {
        name: "dbfilename",
        alias: None,
        get: |c| c.dbfilename.clone(),
        set: |c, a| {
            let name = one(a)?;
            if name.contains('/') {
                return Err(ConfigError::BadValue(
                    "dbfilename can't be a path, just a filename".to_owned(),
                ));
            }
            c.dbfilename = name.to_owned();
            Ok(())
        },
        immutable: false,
    },
    Param {
        name: "requirepass",
        alias: None,
        get: |c| c.requirepass.clone().unwrap_or_default(),
        set: |c, a| {
            c.requirepass = optional(one(a)?);
            Ok(())
        },
        immutable: false,
    },
    Param {
        name: "masterauth",
        alias: None,
        get: |c| c.masterauth.clone().unwrap_or_default(),
        set: |c, a| {
            c.masterauth = optional(one(a)?);
            Ok(())
        },
        immutable: false,
    },
    Param {
        name: "masteruser",
        alias: None,
        get: |c| c.masteruser.clone().unwrap_or_default(),
        set: |c, a| {
            c.masteruser = optional(one(a)?);
            Ok(())
        },
        immutable: false,
    },
    Param {
        name: "replicaof",
        alias: Some("slaveof"),
        get: |c| {
            c.replicaof
                .as_ref()
                .map(|(host, port)| format!("{host} {port}"))
                .unwrap_or_default()
        },
        set: |c, a| {
            c.replicaof = parse_replicaof(a)?;
            Ok(())
        },
        immutable: true,
    },
    Param {
        name: "replica-read-only",
        alias: Some("slave-read-only"),
        get: |c| yes_no(c.replica_read_only),
        set: |c, a| {
            c.replica_read_only = parse_bool(a)?;
            Ok(())
        },
        immutable: false,
    },
    Param {
        name: "replica-serve-stale-data",
        alias: Some("slave-serve-stale-data"),
        get: |c| yes_no(c.replica_serve_stale_data),
        set: |c, a| {
            c.replica_serve_stale_data = parse_bool(a)?;
            Ok(())
        },
        immutable: false,
    },
    Param {
        name: "save",
        alias: None,
        get: |c| {
            c.save
                .iter()
                .map(|p| format!("{} {}", p.seconds, p.changes))
                .collect::<Vec<_>>()
                .join(" ")
        },
        set: |c, a| {
            c.save = parse_save(a)?;
            Ok(())
        },
        immutable: false,
    },
    Param {
        name: "appendonly",
        alias: None,
        get: |c| yes_no(c.appendonly),
        set: |c, a| {
            c.appendonly = parse_bool(a)?;
            Ok(())
        },
        immutable: false,
    },
    Param {
        name: "loglevel",
        alias: None,
        get: |c| c.loglevel.clone(),
        set: |c, a| {
            let level = one(a)?.to_ascii_lowercase();
            if !["debug", "verbose", "notice", "warning", "nothing"].contains(&level.as_str()) {
                return Err(ConfigError::BadValue("argument(s) must be one of the following: debug, verbose, notice, warning, nothing".to_owned()));
            }
            c.loglevel = level;
            Ok(())
        },
        immutable: false,
    },
    Param {
        name: "logfile",
        alias: None,
        get: |c| c.logfile.clone(),
        set: |c, a| {
            c.logfile = one(a)?.to_owned();
            Ok(())
        },
        immutable: true,
    },
    Param {
        name: "databases",
        alias: None,
        get: |c| c.databases.to_string(),
        set: |c, a| {
            let count: usize = parse_number(a)?;
            if count == 0 {
                return Err(ConfigError::BadValue(
                    "argument must be between 1 and 2147483647 inclusive".to_owned(),
                ));
            }
            c.databases = count;
            Ok(())
        },
        immutable: true,
    },
    Param {
        name: "repl-backlog-size",
        alias: None,
        get: |c| c.repl_backlog_size.to_string(),
        set: |c, a| {
            c.repl_backlog_size = parse_memory(a)?.max(16 * 1024);
            Ok(())
        },
        immutable: false,
    },
    Param {
        name: "repl-backlog-ttl",
        alias: None,
        get: |c| c.repl_backlog_ttl.to_string(),
        set: |c, a| {
            c.repl_backlog_ttl = parse_number(a)?;
            Ok(())
        },
        immutable: false,
    },
    Param {
        name: "repl-timeout",
        alias: None,
        get: |c| c.repl_timeout.to_string(),
        set: |c, a| {
            let timeout: u64 = parse_number(a)?;
            if timeout == 0 {
                return Err(ConfigError::BadValue(
                    "argument must be between 1 and 2147483647 inclusive".to_owned(),
                ));
            }
            c.repl_timeout = timeout;
            Ok(())
        },
        immutable: false,
    },
    Param {
        name: "repl-ping-replica-period",
        alias: Some("repl-ping-slave-period"),
        get: |c| c.repl_ping_replica_period.to_string(),
        set: |c, a| {
            let period: u64 = parse_number(a)?;
            if period == 0 {
                return Err(ConfigError::BadValue(
                    "argument must be between 1 and 2147483647 inclusive".to_owned(),
                ));
            }
            c.repl_ping_replica_period = period;
            Ok(())
        },
        immutable: false,
    },
    Param {
        name: "repl-diskless-sync",
        alias: None,
        get: |c| yes_no(c.repl_diskless_sync),
        set: |c, a| {
            c.repl_diskless_sync = parse_bool(a)?;
            Ok(())
        },
        immutable: false,
    },
    Param {
        name: "repl-diskless-sync-delay",
        alias: None,
        get: |c| c.repl_diskless_sync_delay.to_string(),
        set: |c, a| {
            c.repl_diskless_sync_delay = parse_number(a)?;
            Ok(())
        },
        immutable: false,
    },
    Param {
        name: "replica-priority",
        alias: Some("slave-priority"),
        get: |c| c.replica_priority.to_string(),
        set: |c, a| {
            c.replica_priority = parse_number(a)?;
            Ok(())
        },
        immutable: false,
    },
    Param {
        name: "replica-announce-ip",
        alias: Some("slave-announce-ip"),
        get: |c| c.replica_announce_ip.clone().unwrap_or_default(),
        set: |c, a| {
            c.replica_announce_ip = optional(one(a)?);
            Ok(())
        },
        immutable: false,
    },
    Param {
        name: "replica-announce-port",
        alias: Some("slave-announce-port"),
        get: |c| c.replica_announce_port.to_string(),
        set: |c, a| {
            c.replica_announce_port = parse_number(a)?;
            Ok(())
        },
        immutable: false,
    },
    Param {
        name: "replica-announced",
        alias: None,
        get: |c| yes_no(c.replica_announced),
        set: |c, a| {
            c.replica_announced = parse_bool(a)?;
            Ok(())
        },
        immutable: false,
    },
    Param {
        name: "list-max-listpack-size",
        alias: Some("list-max-ziplist-size"),
        get: |c| c.list_max_listpack_size.to_string(),
        set: |c, a| {
            c.list_max_listpack_size = parse_int_in(a, i32::MIN, i32::MAX)?;
            Ok(())
        },
        immutable: false,
    },
    Param {
        name: "busy-reply-threshold",
        alias: Some("lua-time-limit"),
        get: |c| c.busy_reply_threshold.to_string(),
        set: |c, a| {
            let value: i64 = parse_number(a)?;
            c.busy_reply_threshold = u64::try_from(value).map_err(|_| {
                ConfigError::BadValue(format!(
                    "argument must be between 0 and {} inclusive",
                    i64::MAX
                ))
            })?;
            Ok(())
        },
        immutable: false,
    },
    Param {
        name: "stream-node-max-bytes",
        alias: None,
        get: |c| c.stream_node_max_bytes.to_string(),
        set: |c, a| {
            c.stream_node_max_bytes = parse_memory(a)?;
            Ok(())
        },
        immutable: false,
    },
    Param {
        name: "stream-node-max-entries",
        alias: None,
        get: |c| c.stream_node_max_entries.to_string(),
        set: |c, a| {
            let value: i64 = parse_number(a)?;
            if value < 0 {
                return Err(ConfigError::BadValue(format!(
                    "argument must be between 0 and {} inclusive",
                    i64::MAX
                )));
            }
            c.stream_node_max_entries = value;
            Ok(())
        },
        immutable: false,
    },
    Param {
        name: "list-compress-depth",
        alias: None,
        get: |c| c.list_compress_depth.to_string(),
        set: |c, a| {
            c.list_compress_depth = parse_int_in(a, 0, i32::MAX)?;
            Ok(())
        },
        immutable: false,
    },
    Param {
        name: "min-replicas-to-write",
        alias: Some("min-slaves-to-write"),
        get: |c| c.min_replicas_to_write.to_string(),
        set: |c, a| {
            c.min_replicas_to_write = parse_number(a)?;
            Ok(())
        },
        immutable: false,
    },
    Param {
        name: "min-replicas-max-lag",
        alias: Some("min-slaves-max-lag"),
        get: |c| c.min_replicas_max_lag.to_string(),
        set: |c, a| {
            c.min_replicas_max_lag = parse_number(a)?;
            Ok(())
        },
        immutable: false,
    },
    Param {
        name: "client-output-buffer-limit",
        alias: None,
        get: |c| c.client_output_buffer_limit.to_string(),
        set: |c, a| {
            c.client_output_buffer_limit
                .apply(a)
                .map_err(ConfigError::BadValue)
        },
        immutable: false,
    },
    Param {
        name: "unixsocket",
        alias: None,
        get: |c| c.unixsocket.clone(),
        set: |c, a| {
            c.unixsocket = one(a)?.to_owned();
            Ok(())
        },
        immutable: true,
    },
];

/// How a pass-through value is checked and normalised, with Redis's error texts.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Bool,
    Int,
    Memory,
    Enum(&'static [&'static str]),
    /// Accepted as written (the formats with their own grammar, such as `notify-keyspace-events`).
    Text,
}

/// A directive accepted (and shown by CONFIG GET) for compatibility with Redis config files, with Redis
/// 7.0's default, that does not change this server's behaviour yet.
struct Passthrough {
    name: &'static str,
    default: &'static str,
    kind: Kind,
    immutable: bool,
}

const fn passthrough(
    name: &'static str,
    default: &'static str,
    kind: Kind,
    immutable: bool,
) -> Passthrough {
    Passthrough {
        name,
        default,
        kind,
        immutable,
    }
}

const DEBUG_ENUM: Kind = Kind::Enum(&["no", "yes", "local"]);

const PASSTHROUGH: &[Passthrough] = &[
    passthrough(
        "acl-pubsub-default",
        "resetchannels",
        Kind::Enum(&["allchannels", "resetchannels"]),
        false,
    ),
    passthrough("aclfile", "", Kind::Text, true),
    passthrough("acllog-max-len", "128", Kind::Int, false),
    passthrough("activerehashing", "yes", Kind::Bool, false),
    passthrough("always-show-logo", "no", Kind::Bool, true),
    passthrough("appenddirname", "appendonlydir", Kind::Text, true),
    passthrough("appendfilename", "appendonly.aof", Kind::Text, true),
    passthrough("aof-load-truncated", "yes", Kind::Bool, false),
    passthrough("aof-rewrite-incremental-fsync", "yes", Kind::Bool, false),
    passthrough("aof-timestamp-enabled", "no", Kind::Bool, false),
    passthrough("aof-use-rdb-preamble", "yes", Kind::Bool, false),
    passthrough("auto-aof-rewrite-min-size", "64mb", Kind::Memory, false),
    passthrough("auto-aof-rewrite-percentage", "100", Kind::Int, false),
    passthrough(
        "appendfsync",
        "everysec",
        Kind::Enum(&["everysec", "always", "no"]),
        false,
    ),
    passthrough(
        "client-query-buffer-limit",
        "1073741824",
        Kind::Memory,
        false,
    ),
    passthrough("daemonize", "no", Kind::Bool, true),
    passthrough("dynamic-hz", "yes", Kind::Bool, false),
    passthrough("enable-debug-command", "no", DEBUG_ENUM, true),
    passthrough("enable-module-command", "no", DEBUG_ENUM, true),
    passthrough("enable-protected-configs", "no", DEBUG_ENUM, true),
    passthrough("hz", "10", Kind::Int, false),
    passthrough("hll-sparse-max-bytes", "3000", Kind::Memory, false),
    passthrough("io-threads", "1", Kind::Int, true),
    passthrough("key-load-delay", "0", Kind::Int, false),
    passthrough("latency-monitor-threshold", "0", Kind::Int, false),
    passthrough("lazyfree-lazy-eviction", "no", Kind::Bool, false),
    passthrough("lazyfree-lazy-expire", "no", Kind::Bool, false),
    passthrough("lazyfree-lazy-server-del", "no", Kind::Bool, false),
    passthrough("lazyfree-lazy-user-del", "no", Kind::Bool, false),
    passthrough("lazyfree-lazy-user-flush", "no", Kind::Bool, false),
    passthrough(
        "loading-process-events-interval-bytes",
        "2097152",
        Kind::Memory,
        false,
    ),
    passthrough("maxclients", "10000", Kind::Int, false),
    passthrough("maxmemory", "0", Kind::Memory, false),
    passthrough(
        "maxmemory-policy",
        "noeviction",
        Kind::Enum(&[
            "volatile-lru",
            "volatile-lfu",
            "volatile-random",
            "volatile-ttl",
            "allkeys-lru",
            "allkeys-lfu",
            "allkeys-random",
            "noeviction",
        ]),
        false,
    ),
    passthrough("no-appendfsync-on-rewrite", "no", Kind::Bool, false),
    passthrough("notify-keyspace-events", "", Kind::Text, false),
    passthrough("pidfile", "", Kind::Text, true),
    passthrough(
        "propagation-error-behavior",
        "ignore",
        Kind::Enum(&["ignore", "panic", "panic-on-replicas"]),
        false,
    ),
    passthrough("protected-mode", "yes", Kind::Bool, false),
    passthrough("proto-max-bulk-len", "536870912", Kind::Memory, false),
    passthrough("rdb-del-sync-files", "no", Kind::Bool, false),
    passthrough("rdb-key-save-delay", "0", Kind::Int, false),
    passthrough("rdbchecksum", "yes", Kind::Bool, true),
    passthrough("rdbcompression", "yes", Kind::Bool, false),
    passthrough("repl-disable-tcp-nodelay", "no", Kind::Bool, false),
    passthrough(
        "repl-diskless-load",
        "disabled",
        Kind::Enum(&["disabled", "on-empty-db", "swapdb"]),
        false,
    ),
    passthrough("repl-diskless-sync-max-replicas", "0", Kind::Int, false),
    passthrough("replica-ignore-maxmemory", "yes", Kind::Bool, false),
    passthrough("replica-lazy-flush", "no", Kind::Bool, false),
    passthrough("shutdown-timeout", "10", Kind::Int, false),
    passthrough("slowlog-log-slower-than", "10000", Kind::Int, false),
    passthrough("slowlog-max-len", "128", Kind::Int, false),
    passthrough("stop-writes-on-bgsave-error", "yes", Kind::Bool, false),
    passthrough(
        "supervised",
        "no",
        Kind::Enum(&["upstart", "systemd", "auto", "no"]),
        true,
    ),
    passthrough("tcp-backlog", "511", Kind::Int, true),
    passthrough("tcp-keepalive", "300", Kind::Int, false),
    passthrough("timeout", "0", Kind::Int, false),
    passthrough("unixsocketperm", "0", Kind::Text, true),
    passthrough("watchdog-period", "0", Kind::Int, false),
];

impl Kind {
    /// The stored form of `args`, or Redis's complaint about them.
    fn normalise(self, args: &[String]) -> Result<String, ConfigError> {
        match self {
            Kind::Bool => parse_bool(args).map(yes_no),
            Kind::Int => parse_number::<i64>(args).map(|n| n.to_string()),
            Kind::Memory => parse_memory(args).map(|n| n.to_string()),
            Kind::Enum(values) => {
                let value = one(args)?.to_ascii_lowercase();
                if values.contains(&value.as_str()) {
                    Ok(value)
                } else {
                    Err(ConfigError::BadValue(format!(
                        "argument(s) must be one of the following: {}",
                        values.join(", ")
                    )))
                }
            }
            // Multi-word values (e.g. client-output-buffer-limit) are kept as one string, as CONFIG GET shows.
            Kind::Text => Ok(args.join(" ")),
        }
    }
}

fn find_passthrough(name: &str) -> Option<&'static Passthrough> {
    PASSTHROUGH.iter().find(|param| param.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::directives::parse_file;

    #[test]
    fn defaults_match_redis() {
        let config = Config::default();
        assert_eq!(
            config.get_matching("save"),
            vec![("save".to_owned(), "3600 1 300 100 60 10000".to_owned())]
        );
        assert_eq!(config.get_matching("repl-backlog-size")[0].1, "1048576");
    }

    #[test]
    fn unknown_directive_is_reported_with_its_line() {
        let mut config = Config::default();
        let directives = parse_file("port 7000\nfoo bar\n").unwrap();
        config.apply(&directives[0]).unwrap();
        let error = config.apply(&directives[1]).unwrap_err();
        let report = error.fatal_report(&directives[1]);
        assert!(
            report.contains("at line 2\n>>> 'foo bar'\nBad directive or wrong number of arguments"),
            "{report}"
        );
    }

    #[test]
    fn aliases_and_runtime_set() {
        let mut config = Config::default();
        config.set("slave-read-only", "no").unwrap();
        assert!(!config.replica_read_only);
        assert_eq!(config.set("port", "1"), Err(ConfigError::Immutable));
        config.set("save", "").unwrap();
        assert!(config.save.is_empty());
        config.set("repl-backlog-size", "1mb").unwrap();
        assert_eq!(config.repl_backlog_size, 1 << 20);
        assert!(
            config
                .get_matching("*slave*")
                .iter()
                .any(|(name, _)| name == "slaveof")
        );
    }
}
