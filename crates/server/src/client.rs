//! [`ClientState`]: what the server remembers about one connection.

use std::net::SocketAddr;

use resp::Protocol;

/// What happens to the connection after the current reply is written.
#[derive(Debug)]
pub enum AfterReply {
    /// Close it (`QUIT`).
    Close,
    /// Shut the server down (`SHUTDOWN`); the client gets no reply unless saving fails.
    Shutdown(crate::shutdown::ShutdownMode),
    /// The connection becomes a replica link (`PSYNC`/`SYNC` accepted).
    ServeReplica(crate::replica_feed::SyncPlan),
    /// Writes are paused (`FAILOVER`): run this command again once they are released.
    Paused,
    /// `WAIT`: answer once enough replicas acknowledged, or at the deadline.
    Wait(crate::wait::WaitRequest),
}

/// Per-connection state.
#[derive(Debug)]
pub struct ClientState {
    /// `CLIENT ID`.
    pub id: u64,
    /// Peer address.
    pub addr: Option<SocketAddr>,
    /// `CLIENT SETNAME`.
    pub name: Option<String>,
    /// Selected database.
    pub db: usize,
    /// Passed AUTH (or no password is configured).
    pub authenticated: bool,
    /// RESP version chosen by HELLO.
    pub protocol: Protocol,
    /// This connection is our master's stream: no read-only check, no replies, master's view of expiry.
    pub is_master_link: bool,
    /// `REPLCONF listening-port` seen on this connection.
    pub replica_listening_port: Option<u16>,
    /// `REPLCONF ip-address` seen on this connection.
    pub replica_announced_ip: Option<String>,
    /// `REPLCONF capa eof` seen on this connection.
    pub replica_capa_eof: bool,
    /// `REPLCONF capa psync2` seen on this connection.
    pub replica_capa_psync2: bool,
    /// Set by a command that ends or transforms the connection.
    pub after_reply: Option<AfterReply>,
    /// The replication offset right after this client's last propagated write (what `WAIT` waits for).
    pub last_write_offset: replication::ReplOffset,
    /// Set by a command that must not be answered (`REPLCONF ACK` from a non-replica, `SYNC`).
    pub suppress_reply: bool,
    /// Set while `EXEC` runs its commands: blocking commands must behave as their non-blocking forms.
    pub deny_blocking: bool,
    /// Set by a blocking command that found nothing to pop: the connection waits for it before reading on.
    pub blocked: Option<crate::blocking::Pending>,
}

impl ClientState {
    /// A new client; `authenticated` is true when no password is required.
    pub fn new(id: u64, addr: Option<SocketAddr>, authenticated: bool) -> ClientState {
        ClientState {
            id,
            addr,
            name: None,
            db: 0,
            authenticated,
            protocol: Protocol::Resp2,
            is_master_link: false,
            replica_listening_port: None,
            replica_announced_ip: None,
            replica_capa_eof: false,
            replica_capa_psync2: false,
            after_reply: None,
            suppress_reply: false,
            deny_blocking: false,
            blocked: None,
            last_write_offset: replication::ReplOffset(0),
        }
    }
}
