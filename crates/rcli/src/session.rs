//! [`Session`]: the connection as the user sees it, shared by the one-shot mode and the REPL.
//!
//! It (re)connects on demand, sends `AUTH` and `SELECT` on every new connection, and tracks what the prompt shows:
//! the selected database and whether a `MULTI` is open, following redis-cli's `cliConnect` and `cliSendCommand`.

use std::fmt;
use std::io::{self, Write};
use std::path::PathBuf;

use bytes::Bytes;
use resp::Frame;

use crate::args::{Args, atoi};
use crate::client::{Client, Timeouts, describe_io_error};

/// Where to connect and how to log in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// Host name or address.
    pub host: String,
    /// TCP port.
    pub port: u16,
    /// `-s`: a Unix domain socket to use instead of `host:port`.
    pub socket: Option<PathBuf>,
    /// `-3`: switch every connection to RESP3 with `HELLO 3` (after `AUTH` and `SELECT`, as redis-cli does).
    pub resp3: bool,
    /// Sent as `AUTH [user] password` on every connect.
    pub password: Option<Bytes>,
    /// The ACL user for `AUTH`, used only with a password.
    pub user: Option<Bytes>,
    /// Socket timeouts of each connection.
    pub timeouts: Timeouts,
}

impl Target {
    /// The target named by the command line, with no timeouts (as redis-cli).
    pub fn from_args(args: &Args) -> Target {
        Target {
            host: args.host.clone(),
            port: args.port,
            socket: args.socket.clone(),
            resp3: args.resp3,
            password: args.password.clone(),
            user: args.user.clone(),
            timeouts: Timeouts::default(),
        }
    }
}

/// Why a command got no reply. `Display` is the line redis-cli prints on stderr.
#[derive(Debug)]
#[non_exhaustive]
pub enum IssueError {
    /// There was no connection and connecting failed.
    Connect {
        /// `host:port` as redis-cli shows it.
        address: String,
        /// The socket error.
        error: io::Error,
    },
    /// The connection broke (or the stream was corrupt) while sending or waiting for the reply; it has been dropped.
    Connection(io::Error),
}

impl fmt::Display for IssueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IssueError::Connect { address, error } => {
                write!(
                    f,
                    "Could not connect to Redis at {address}: {}",
                    describe_io_error(error)
                )
            }
            IssueError::Connection(error) => write!(f, "Error: {}", describe_io_error(error)),
        }
    }
}

impl std::error::Error for IssueError {}

/// A connection that comes back by itself, plus the client-side state the prompt shows.
#[derive(Debug)]
pub struct Session {
    target: Target,
    client: Option<Client>,
    /// The database the user asked for (`-n`, then every successful `SELECT`); re-selected on every reconnect.
    wanted_db: i64,
    /// The database the current connection is on, as far as we know; what the prompt shows.
    current_db: i64,
    in_multi: bool,
    db_before_multi: i64,
    /// False when the last connect's `AUTH`, `SELECT` or `HELLO 3` was refused (redis-cli's `cliConnect` failing).
    handshake_ok: bool,
}

impl Session {
    /// A session that is not connected yet; `db` is selected on every connect.
    pub fn new(target: Target, db: i64) -> Session {
        Session {
            target,
            client: None,
            wanted_db: db,
            current_db: 0,
            in_multi: false,
            db_before_multi: 0,
            handshake_ok: false,
        }
    }

    /// Whether the last connect completed `AUTH`, `SELECT` and `HELLO 3` without an error reply. The special modes
    /// (`--scan`, `--pipe`, ...) give up when it did not, as redis-cli's `cliConnect(0) == REDIS_ERR` does.
    pub fn handshake_ok(&self) -> bool {
        self.handshake_ok
    }

    /// The open connection, if any, for the modes that drive the protocol themselves.
    pub fn client_mut(&mut self) -> Option<&mut Client> {
        self.client.as_mut()
    }

    /// Connects for one of the special modes: on failure says why on `diagnostics` and returns `None`, after which
    /// the caller exits with 1 (redis-cli's `if (cliConnect(0) == REDIS_ERR) exit(1)`).
    pub fn connect_for_mode(&mut self, diagnostics: &mut dyn Write) -> Option<&mut Client> {
        if let Err(error) = self.connect(diagnostics) {
            let _ = writeln!(diagnostics, "{error}");
            return None;
        }
        if !self.handshake_ok {
            return None;
        }
        self.client.as_mut()
    }

    /// True when a connection is open (it may still turn out to be broken on the next command).
    pub fn is_connected(&self) -> bool {
        self.client.is_some()
    }

    /// Opens a fresh connection, replacing any current one, then sends `AUTH` and `SELECT`.
    ///
    /// A refused `AUTH` or `SELECT` does not fail the connect: like redis-cli, we say so on `diagnostics` and carry on
    /// (after a failed `AUTH` the `SELECT` is skipped), so the user sees the server's own errors on the next command.
    pub fn connect(&mut self, diagnostics: &mut dyn Write) -> Result<(), IssueError> {
        self.client = None;
        self.current_db = 0;
        self.in_multi = false;
        self.handshake_ok = false;
        let connected = match &self.target.socket {
            Some(path) => Client::connect_unix(path, self.target.timeouts),
            None => Client::connect(&self.target.host, self.target.port, self.target.timeouts),
        };
        let mut client = connected.map_err(|error| IssueError::Connect {
            address: self.address(),
            error,
        })?;
        if let Some(password) = &self.target.password {
            let mut auth = vec![Bytes::from_static(b"AUTH")];
            auth.extend(self.target.user.clone());
            auth.push(password.clone());
            if let Frame::Error(text) | Frame::BulkError(text) =
                client.command(&auth).map_err(IssueError::Connection)?
            {
                note(diagnostics, &[b"AUTH failed: ", &text[..]]);
                self.client = Some(client);
                return Ok(());
            }
        }
        if self.wanted_db != 0 {
            let db = self.wanted_db.to_string();
            match client
                .command(&["SELECT", &db])
                .map_err(IssueError::Connection)?
            {
                Frame::Error(text) | Frame::BulkError(text) => {
                    note(
                        diagnostics,
                        &[b"SELECT ", db.as_bytes(), b" failed: ", &text[..]],
                    );
                    self.client = Some(client);
                    return Ok(());
                }
                _ => self.current_db = self.wanted_db,
            }
        }
        if self.target.resp3
            && let Frame::Error(text) | Frame::BulkError(text) = client
                .command(&["HELLO", "3"])
                .map_err(IssueError::Connection)?
        {
            note(diagnostics, &[b"HELLO 3 failed: ", &text[..]]);
            self.client = Some(client);
            return Ok(());
        }
        self.handshake_ok = true;
        self.client = Some(client);
        Ok(())
    }

    /// Sends one command and returns its reply, connecting first when there is no connection.
    /// On a broken connection the connection is dropped, so the next call reconnects.
    pub fn issue(
        &mut self,
        args: &[Bytes],
        diagnostics: &mut dyn Write,
    ) -> Result<Frame, IssueError> {
        if self.client.is_none() {
            self.connect(diagnostics)?;
        }
        let client = self.client.as_mut().expect("connected just above");
        match client.command(args) {
            Ok(reply) => {
                self.track(args, &reply);
                Ok(reply)
            }
            Err(error) => {
                self.client = None;
                Err(IssueError::Connection(error))
            }
        }
    }

    /// The REPL prompt: `127.0.0.1:6379> `, `127.0.0.1:6379[2]> `, `127.0.0.1:6379(TX)> `, or `not connected> `.
    pub fn prompt(&self) -> String {
        if !self.is_connected() {
            return "not connected> ".to_owned();
        }
        let mut prompt = self.formatted_address();
        if self.current_db != 0 {
            prompt.push_str(&format!("[{}]", self.current_db));
        }
        if self.in_multi {
            prompt.push_str("(TX)");
        }
        prompt.push_str("> ");
        prompt
    }

    /// `host:port` (or the socket path) as redis-cli prints it in connection errors (no brackets around IPv6
    /// addresses).
    pub fn address(&self) -> String {
        match &self.target.socket {
            Some(path) => path.display().to_string(),
            None => format!("{}:{}", self.target.host, self.target.port),
        }
    }

    /// Points the session at another server (the REPL's `connect host port`); the next command connects there.
    pub fn retarget(&mut self, host: String, port: u16) {
        self.target.host = host;
        self.target.port = port;
        self.target.socket = None;
        self.client = None;
    }

    /// `anetFormatAddr`: IPv6 addresses in brackets, as in the prompt; `redis <path>` for a Unix socket.
    fn formatted_address(&self) -> String {
        if let Some(path) = &self.target.socket {
            format!("redis {}", path.display())
        } else if self.target.host.contains(':') {
            format!("[{}]:{}", self.target.host, self.target.port)
        } else {
            self.address()
        }
    }

    /// Follows `SELECT`, `MULTI`, `EXEC` and `DISCARD` so the prompt shows what the server will do. Inside a
    /// transaction a `SELECT` only replies `QUEUED`, yet redis-cli already shows the new database; `EXEC` failing or
    /// `DISCARD` puts back the one from before `MULTI`.
    fn track(&mut self, args: &[Bytes], reply: &Frame) {
        let failed = matches!(reply, Frame::Error(_) | Frame::BulkError(_));
        let Some(command) = args.first() else {
            return;
        };
        let is = |name: &str| command.eq_ignore_ascii_case(name.as_bytes());
        if is("select") && args.len() == 2 && !failed {
            self.wanted_db = atoi(&args[1]);
            self.current_db = self.wanted_db;
        } else if is("multi") && args.len() == 1 && !failed {
            self.in_multi = true;
            self.db_before_multi = self.current_db;
        } else if is("exec") && args.len() == 1 && self.in_multi {
            self.in_multi = false;
            if failed || matches!(reply, Frame::Null | Frame::NullArray) {
                self.restore_db_before_multi();
            }
        } else if is("discard") && args.len() == 1 && !failed {
            self.in_multi = false;
            self.restore_db_before_multi();
        }
    }

    fn restore_db_before_multi(&mut self) {
        self.current_db = self.db_before_multi;
        self.wanted_db = self.db_before_multi;
    }
}

/// Diagnostics go to stderr; if even that fails there is nobody left to tell.
fn note(diagnostics: &mut dyn Write, parts: &[&[u8]]) {
    let mut line = parts.concat();
    line.push(b'\n');
    let _ = diagnostics.write_all(&line);
}
