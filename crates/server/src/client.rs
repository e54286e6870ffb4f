//! [`ClientState`]: what the server remembers about one connection.

use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use resp::{Frame, Protocol};

use crate::pubsub::Mailbox;
use crate::scripting::Invocation;
use crate::shared::Shared;

/// What happens to the connection after the current reply is written.
#[derive(Debug)]
pub enum AfterReply {
    /// Close it (`QUIT`).
    Close,
    /// Run a script outside the core lock, then answer with its reply (`EVAL`, `FCALL`; see
    /// `scripting/gate.rs`).
    RunScript(Admitted),
    /// Shut the server down (`SHUTDOWN`); the client gets no reply unless saving fails.
    Shutdown(crate::shutdown::ShutdownMode),
    /// The connection becomes a replica link (`PSYNC`/`SYNC` accepted).
    ServeReplica(crate::replicas::SyncPlan),
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
    /// Passed AUTH, or connected while the default user needed no password (Redis's `c->authenticated`;
    /// a command still runs unauthenticated while the default user is on and `nopass`).
    pub authenticated: bool,
    /// The ACL user the connection runs as (`ACL WHOAMI`).
    pub user: Bytes,
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
    /// `CLIENT REPLY OFF`: nothing is written back until `CLIENT REPLY ON`.
    pub reply_off: bool,
    /// `CLIENT REPLY SKIP` was sent: the reply of the command after it is dropped.
    pub reply_skip_next: bool,
    /// The running command's reply is dropped (the one after `CLIENT REPLY SKIP`).
    pub reply_skip: bool,
    /// Replies written before the command's own reply (commands answering several frames, like `SUBSCRIBE`).
    pub extra_replies: Vec<resp::Frame>,
    /// Inside `MULTI`: the queued commands.
    pub multi: Option<MultiState>,
    /// Set while `EXEC` runs its commands: blocking commands must behave as their non-blocking forms.
    pub deny_blocking: bool,
    /// The client a script's `redis.call`s run as (`MONITOR` shows it as `lua`).
    pub is_script: bool,
    /// Channels and patterns this connection is subscribed to.
    pub subscriptions: Subscriptions,
    /// Where published messages for this connection wait to be written.
    pub mailbox: Arc<Mailbox>,
    /// Set by a blocking command that found nothing to pop: the connection waits for it before reading on.
    pub blocked: Option<crate::blocking::Pending>,
}

/// A transaction being queued.
#[derive(Debug, Default)]
pub struct MultiState {
    /// Commands queued so far (owned copies of their arguments).
    pub commands: Vec<Vec<Bytes>>,
    /// A command was refused while queueing: `EXEC` answers `-EXECABORT`.
    pub aborted: bool,
    /// The flags of the queued commands, or-ed: `EXEC` is checked as a write (read-only replica, paused
    /// writes, `min-replicas-to-write`, a failed AOF write) when it would run one, as Redis's
    /// `mstate.cmd_flags`. A transaction queued on a master must not write on it once it became a replica.
    pub queued_flags: u32,
    /// The `loading` and `stale` flags some queued command lacks: `EXEC` is refused with `-LOADING` or
    /// `-MASTERDOWN` as the first such command would be (Redis's `mstate.cmd_inv_flags`).
    pub queued_lacking: u32,
}

/// A connection's subscriptions, in subscription order.
#[derive(Debug, Default)]
pub struct Subscriptions {
    /// `SUBSCRIBE`d channels.
    pub channels: Vec<Bytes>,
    /// `PSUBSCRIBE`d patterns.
    pub patterns: Vec<Bytes>,
}

impl Subscriptions {
    /// Channels plus patterns: the count in every (un)subscribe reply; non-zero means subscribed mode.
    pub fn count(&self) -> usize {
        self.channels.len() + self.patterns.len()
    }
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
            user: Bytes::from_static(b"default"),
            protocol: Protocol::Resp2,
            is_master_link: false,
            replica_listening_port: None,
            replica_announced_ip: None,
            replica_capa_eof: false,
            replica_capa_psync2: false,
            after_reply: None,
            suppress_reply: false,
            reply_off: false,
            reply_skip_next: false,
            reply_skip: false,
            extra_replies: Vec::new(),
            multi: None,
            deny_blocking: false,
            is_script: false,
            subscriptions: Subscriptions::default(),
            mailbox: Arc::new(Mailbox::default()),
            blocked: None,
            last_write_offset: replication::ReplOffset(0),
        }
    }

    /// Forgets what the server keeps about this client beyond the connection: its watches, subscriptions and
    /// `MONITOR` registration.
    pub fn release(&mut self, core: &mut crate::core::Core) {
        core.watches.forget(self.id);
        core.monitors.remove(self.id);
        let subscriptions = std::mem::take(&mut self.subscriptions);
        core.pubsub
            .remove_client(self.id, &subscriptions.channels, &subscriptions.patterns);
        self.multi = None;
    }

    /// RESP2 connections with subscriptions accept only the (un)subscribe commands, PING, QUIT and RESET.
    pub fn in_resp2_pubsub_mode(&self) -> bool {
        self.protocol == Protocol::Resp2 && self.subscriptions.count() > 0
    }
}

/// A script let through the gate (which is now held for it) and handed to its connection to run. Whatever
/// ends the connection before the script runs (a failed write, `CLIENT KILL`, a subscriber's overflowing
/// mailbox, shutdown) drops it, and dropping it unrun closes the gate again: no path leaves the gate held
/// for a script that will never run, which would stall every other client for good.
#[derive(Debug)]
pub struct Admitted {
    shared: Arc<Shared>,
    invocation: Option<Box<Invocation>>,
}

impl Admitted {
    /// Hands `invocation`, admitted through the gate, to its connection.
    pub fn new(shared: Arc<Shared>, invocation: Invocation) -> Admitted {
        Admitted {
            shared,
            invocation: Some(Box::new(invocation)),
        }
    }

    /// Runs the script with `run` (`cmd::scripts::run_outside_lock`, which closes the gate when it ends); on a
    /// blocking thread. Should it panic, the unwinding drop closes the gate instead.
    pub fn run(
        mut self,
        run: impl FnOnce(&Arc<Shared>, &Invocation) -> (Frame, Option<i64>),
    ) -> (Frame, Option<i64>) {
        let invocation = self
            .invocation
            .as_ref()
            .expect("an admitted script runs once");
        let result = run(&self.shared, invocation);
        // `run_outside_lock` closed the gate: closing it again could open it under the next script.
        self.invocation = None;
        result
    }
}

impl Drop for Admitted {
    fn drop(&mut self) {
        if self.invocation.is_some() {
            self.shared.scripts.finish();
        }
    }
}
