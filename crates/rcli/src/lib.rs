//! rcli as a library: a blocking [`Client`], reply formatting exactly like redis-cli ([`format_reply`]), the
//! command-line parser and the two ways to run: one command ([`run_once`]) or the interactive REPL ([`repl::run`]).
//!
//! The binary's `main.rs` only parses the command line, wires stdin/stdout/stderr and maps errors to an exit code,
//! so everything here can be driven from tests with in-memory writers.
#![deny(missing_docs)]

pub mod args;
pub mod client;
pub mod format;
pub mod repl;
pub mod rules;
pub mod session;

use std::io::{self, Write};

use bytes::Bytes;

pub use args::{Args, Invocation};
pub use client::{Client, Timeouts};
pub use format::{FormatMode, format_reply};
pub use session::{IssueError, Session, Target};

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
    match session.issue(command, stderr) {
        Ok(reply) => {
            stdout.write_all(&format_reply(&reply, rules::reply_mode(command, mode)))?;
            stdout.flush()?;
            Ok(0)
        }
        Err(error) => {
            writeln!(stderr, "{error}")?;
            Ok(1)
        }
    }
}
