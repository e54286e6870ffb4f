//! rcli as a library: a blocking [`Client`], reply formatting exactly like redis-cli ([`format_reply`]), the
//! command-line parser and the two ways to run: one command ([`run_once`]) or the interactive REPL ([`repl::run`]).
//!
//! The binary's `main.rs` only parses the command line, wires stdin/stdout/stderr and maps errors to an exit code,
//! so everything here can be driven from tests with in-memory writers.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod args;
pub mod client;
pub mod follow;
pub mod format;
pub mod help;
pub mod modes;
pub mod repl;
pub mod rules;
pub mod session;

use std::io::{self, Write};
use std::time::Duration;

use bytes::Bytes;

pub use args::{Args, Invocation, Mode};
pub use client::{Client, Timeouts};
pub use format::{FormatMode, format_reply};
pub use session::{IssueError, Session, Target};

use crate::help::HelpTable;

/// The warning redis-cli prints on stderr when a password is given on the command line.
pub const PASSWORD_WARNING: &str = "Warning: Using a password with '-a' or '-u' option on the command line interface may not be safe.";

/// Runs one command and prints its reply to `stdout` in `mode`; returns the process exit code.
///
/// Like redis-cli 7.0 the code is 0 even for an error reply (the error is printed on stdout, it is the command's
/// answer); it is 1 only when there was no reply at all, after telling why on `stderr`.
pub fn run_once(
    session: &mut Session,
    command: &[Bytes],
    mode: FormatMode,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> io::Result<i32> {
    run_repeated(session, command, 1, None, mode, stdout, stderr)
}

/// Runs one command `repeat` times (forever when negative, redis-cli's `-r -1`), pausing `interval` after each,
/// printing every reply like [`run_once`]; stops at the first command that gets no reply.
///
/// With `repeat` 0 nothing is sent, but the connection is still made, so an unreachable server is reported.
pub fn run_repeated(
    session: &mut Session,
    command: &[Bytes],
    repeat: i64,
    interval: Option<Duration>,
    mode: FormatMode,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> io::Result<i32> {
    if !session.is_connected()
        && let Err(error) = session.connect(stderr)
    {
        writeln!(stderr, "{error}")?;
        return Ok(1);
    }
    if command
        .first()
        .is_some_and(|name| name.eq_ignore_ascii_case(b"help") || name.as_ref() == b"?")
    {
        return print_help(session, &command[1..], stdout, stderr);
    }
    let mode = rules::reply_mode(command, mode);
    if let Some(kind) = follow::Follow::of(command) {
        // redis-cli never returns from these modes except on an error reply, so `-r` has nothing to repeat.
        return match follow::run(session, kind, command, mode, stdout, stderr)? {
            follow::Ended::ErrorReply => Ok(0),
            follow::Ended::ConnectionLost => Ok(1),
        };
    }
    let mut remaining = repeat;
    while remaining != 0 {
        if remaining > 0 {
            remaining -= 1;
        }
        match session.issue(command, stderr) {
            Ok(reply) => {
                stdout.write_all(&format_reply(&reply, mode))?;
                stdout.flush()?;
            }
            Err(error) => {
                writeln!(stderr, "{error}")?;
                return Ok(1);
            }
        }
        if let Some(interval) = interval {
            std::thread::sleep(interval);
        }
    }
    Ok(0)
}

/// `rcli help [command | @group]`: redis-cli's help, built from the server's `COMMAND DOCS` (the general
/// help needs no server's docs, and a server without them leaves only that).
fn print_help(
    session: &mut Session,
    topic: &[Bytes],
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> io::Result<i32> {
    let table = if topic.is_empty() {
        HelpTable::default()
    } else {
        match session.issue(
            &[Bytes::from_static(b"COMMAND"), Bytes::from_static(b"DOCS")],
            stderr,
        ) {
            Ok(docs) => HelpTable::from_docs(&docs).unwrap_or_default(),
            Err(error) => {
                writeln!(stderr, "{error}")?;
                return Ok(1);
            }
        }
    };
    stdout.write_all(&table.render(topic))?;
    stdout.flush()?;
    Ok(0)
}
