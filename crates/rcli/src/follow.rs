//! Commands after which the server keeps talking: `MONITOR` (a line per command it runs) and the subscribe
//! family (a message per publication). Like redis-cli, rcli then prints every frame as it arrives until an
//! error reply ends the mode; a lost connection ends rcli with `Error: Server closed the connection`.

use std::io::{self, Write};

use bytes::Bytes;
use resp::Frame;

use crate::client::describe_io_error;
use crate::format::{FormatMode, format_reply};
use crate::session::Session;

/// The endless modes redis-cli recognises by command name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Follow {
    /// `MONITOR`.
    Monitor,
    /// `SUBSCRIBE`, `PSUBSCRIBE`, `SSUBSCRIBE`.
    PubSub,
}

impl Follow {
    /// The mode `command` starts, if any.
    pub fn of(command: &[Bytes]) -> Option<Follow> {
        let name = command.first()?;
        let is = |word: &str| name.eq_ignore_ascii_case(word.as_bytes());
        if is("monitor") {
            Some(Follow::Monitor)
        } else if is("subscribe") || is("psubscribe") || is("ssubscribe") {
            Some(Follow::PubSub)
        } else {
            None
        }
    }
}

/// How following ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    /// The server answered an error: back to normal commands.
    ErrorReply,
    /// The connection is gone (already reported on stderr); redis-cli exits with status 1.
    ConnectionLost,
}

/// Sends `command` and prints every frame the server sends from then on, in `mode`.
pub fn run(
    session: &mut Session,
    kind: Follow,
    command: &[Bytes],
    mode: FormatMode,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> io::Result<Ended> {
    // The REPL's connection (and its selected database) is kept; otherwise connect now.
    let client = if session.is_connected() {
        session.client_mut()
    } else {
        session.connect_for_mode(stderr)
    };
    let sent = match client {
        Some(client) => client
            .set_read_timeout(None)
            .and_then(|()| client.send(command)),
        None => return Ok(Ended::ConnectionLost),
    };
    if let Err(error) = sent {
        writeln!(stderr, "Error: {}", describe_io_error(&error))?;
        return Ok(Ended::ConnectionLost);
    }
    if kind == Follow::PubSub && mode != FormatMode::Raw {
        writeln!(stdout, "Reading messages... (press Ctrl-C to quit)")?;
        stdout.flush()?;
    }
    loop {
        let client = session.client_mut().expect("connected above");
        match client.read_reply() {
            Ok(frame) => {
                stdout.write_all(&format_reply(&frame, mode))?;
                stdout.flush()?;
                if matches!(frame, Frame::Error(_) | Frame::BulkError(_)) {
                    return Ok(Ended::ErrorReply);
                }
            }
            Err(error) => {
                writeln!(stderr, "Error: {}", describe_io_error(&error))?;
                return Ok(Ended::ConnectionLost);
            }
        }
    }
}
