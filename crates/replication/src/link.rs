//! Link states on both ends of a replication connection, named as in Redis.

use std::fmt;

/// Replica side: where this server's link to its master stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplicaLinkState {
    /// Waiting for the next connection attempt.
    Connect,
    /// TCP connect in flight.
    Connecting,
    /// PING, AUTH, REPLCONF and PSYNC exchanged, waiting for the PSYNC reply.
    Handshake,
    /// Receiving the snapshot of a full resync.
    Transfer,
    /// Streaming commands.
    Connected,
}

impl ReplicaLinkState {
    /// The word `ROLE` shows for this state.
    pub fn role_name(self) -> &'static str {
        match self {
            ReplicaLinkState::Connect => "connect",
            ReplicaLinkState::Connecting => "connecting",
            ReplicaLinkState::Handshake => "handshake",
            ReplicaLinkState::Transfer => "sync",
            ReplicaLinkState::Connected => "connected",
        }
    }
}

/// Master side: where one attached replica stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplicaSyncState {
    /// Full resync accepted, snapshot being produced and (diskless) sent.
    WaitBgsaveStart,
    /// Snapshot being produced to a file.
    WaitBgsaveEnd,
    /// Snapshot file being sent.
    SendBulk,
    /// Receiving the live stream.
    Online,
}

impl ReplicaSyncState {
    /// The word INFO shows in `slaveN:...,state=<word>`.
    pub fn info_name(self) -> &'static str {
        match self {
            ReplicaSyncState::WaitBgsaveStart | ReplicaSyncState::WaitBgsaveEnd => "wait_bgsave",
            ReplicaSyncState::SendBulk => "send_bulk",
            ReplicaSyncState::Online => "online",
        }
    }
}

/// Why a link to the master went down; feeds the log and INFO.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkDownReason {
    /// The TCP connection could not be made.
    ConnectFailed(String),
    /// The master closed the connection.
    ClosedByMaster,
    /// Nothing received for longer than `repl-timeout` on an established link.
    Timeout,
    /// The handshake (or the wait for the snapshot) stalled for longer than `repl-timeout`.
    HandshakeTimeout,
    /// The master sent something that is not valid for the current step.
    Protocol(String),
    /// The master refused a handshake step.
    Refused(String),
    /// An I/O error on an established link.
    Io(String),
    /// The snapshot could not be loaded.
    BadSnapshot(String),
    /// `REPLICAOF` changed or removed the master.
    Reconfigured,
    /// `CLIENT KILL` closed the link.
    Killed,
}

impl fmt::Display for LinkDownReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LinkDownReason::ConnectFailed(error) => {
                write!(f, "Error condition on socket for SYNC: {error}")
            }
            LinkDownReason::ClosedByMaster => f.write_str("Connection with master lost."),
            LinkDownReason::Timeout => f.write_str("MASTER timeout: no data nor PING received..."),
            LinkDownReason::HandshakeTimeout => f.write_str("Timeout connecting to the MASTER..."),
            LinkDownReason::Protocol(what) => write!(f, "Protocol error from MASTER: {what}"),
            LinkDownReason::Refused(what) => write!(f, "MASTER refused the handshake: {what}"),
            LinkDownReason::Io(error) => write!(f, "I/O error on the MASTER link: {error}"),
            LinkDownReason::BadSnapshot(error) => write!(
                f,
                "Failed trying to load the MASTER synchronization DB: {error}"
            ),
            LinkDownReason::Reconfigured => f.write_str("MASTER changed by REPLICAOF"),
            LinkDownReason::Killed => {
                f.write_str("Connection with master lost (killed by CLIENT KILL).")
            }
        }
    }
}
