//! [`ClientRegistry`]: every connection the server has, for `CLIENT LIST` and `CLIENT KILL`. Each entry
//! holds a cancellation token its connection task watches, so killing a client is cancelling the token.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::Mutex;
use std::time::Instant;

use tokio_util::sync::CancellationToken;

/// What kind of connection a client is (`CLIENT KILL TYPE`, the `flags=` of `CLIENT LIST`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientKind {
    /// An ordinary client.
    Normal,
    /// A replica attached to us.
    Replica,
    /// Our link to our master.
    Master,
    /// A normal client subscribed to at least one channel or pattern (Redis 7.0's `pubsub` type; it is
    /// never `normal` meanwhile). Only `CLIENT KILL`/`CLIENT LIST TYPE` filters carry it: a registry
    /// entry stays `Normal` and is seen as `PubSub` from its subscription counts.
    PubSub,
}

impl ClientKind {
    /// Parses a `CLIENT KILL TYPE` value.
    pub fn parse(name: &[u8]) -> Option<ClientKind> {
        match name.to_ascii_lowercase().as_slice() {
            b"normal" => Some(ClientKind::Normal),
            b"replica" | b"slave" => Some(ClientKind::Replica),
            b"master" => Some(ClientKind::Master),
            b"pubsub" => Some(ClientKind::PubSub),
            _ => None,
        }
    }
}

/// One registered connection.
#[derive(Debug, Clone)]
pub struct ClientInfo {
    /// Peer address.
    pub addr: Option<SocketAddr>,
    /// Kind of connection.
    pub kind: ClientKind,
    /// `CLIENT SETNAME`.
    pub name: Option<String>,
    /// Selected database.
    pub db: usize,
    /// The ACL user it runs as (`user=` in `CLIENT LIST`).
    pub user: String,
    /// In `MONITOR` mode (flag `O` in `CLIENT LIST`).
    pub monitor: bool,
    /// Waiting in a blocking command (flag `b` in `CLIENT LIST`).
    pub blocked: bool,
    /// Channels subscribed to (`sub=` in `CLIENT LIST`).
    pub channels: usize,
    /// Patterns subscribed to (`psub=` in `CLIENT LIST`).
    pub patterns: usize,
    /// When it connected.
    pub created: Instant,
    /// Cancelled to disconnect it.
    pub kill: CancellationToken,
    /// A second handle on its socket, to close the connection at the moment it is killed (see
    /// [`SocketCloser`]).
    pub closer: Option<Arc<SocketCloser>>,
}

/// A duplicate of a client's socket descriptor. `CLIENT KILL` shuts the socket down through it at once, as
/// Redis closes a killed client's connection before answering, rather than when the client's task next
/// looks at its kill token (a replica killed inside `MULTI` must see its link drop before `EXEC` returns).
#[derive(Debug)]
pub enum SocketCloser {
    /// A TCP connection.
    Tcp(std::net::TcpStream),
    /// A unix-socket connection.
    Unix(std::os::unix::net::UnixStream),
}

impl SocketCloser {
    /// A closer for `socket` (a duplicate of its descriptor); `None` if the descriptor cannot be duplicated.
    pub fn of_tcp(socket: &impl std::os::fd::AsFd) -> Option<SocketCloser> {
        let fd = socket.as_fd().try_clone_to_owned().ok()?;
        Some(SocketCloser::Tcp(std::net::TcpStream::from(fd)))
    }

    /// A closer for a unix-socket connection.
    pub fn of_unix(socket: &impl std::os::fd::AsFd) -> Option<SocketCloser> {
        let fd = socket.as_fd().try_clone_to_owned().ok()?;
        Some(SocketCloser::Unix(std::os::unix::net::UnixStream::from(fd)))
    }

    /// Shuts the connection down both ways (the peer sees it closed; the client's task reads its end).
    pub fn shutdown(&self) {
        let _ = match self {
            SocketCloser::Tcp(stream) => stream.shutdown(std::net::Shutdown::Both),
            SocketCloser::Unix(stream) => stream.shutdown(std::net::Shutdown::Both),
        };
    }
}

/// Which clients `CLIENT KILL` targets.
#[derive(Debug, Clone, Default)]
pub struct KillFilter {
    /// `ID n`.
    pub id: Option<u64>,
    /// `TYPE t`.
    pub kind: Option<ClientKind>,
    /// `ADDR ip:port` (also the old one-argument form).
    pub addr: Option<String>,
    /// `USER name`: clients running as this ACL user.
    pub user: Option<String>,
    /// `SKIPME yes` (the default) spares the caller.
    pub skip: Option<u64>,
}

/// All connections, by client id.
#[derive(Debug, Default)]
pub struct ClientRegistry {
    clients: Mutex<BTreeMap<u64, ClientInfo>>,
}

impl ClientRegistry {
    /// Registers a connection; returns the token its task must watch, and a guard that unregisters it.
    pub fn register(
        &self,
        id: u64,
        addr: Option<SocketAddr>,
        kind: ClientKind,
    ) -> (CancellationToken, Registration<'_>) {
        let kill = CancellationToken::new();
        let info = ClientInfo {
            addr,
            kind,
            name: None,
            db: 0,
            user: "default".to_owned(),
            monitor: false,
            blocked: false,
            channels: 0,
            patterns: 0,
            created: Instant::now(),
            kill: kill.clone(),
            closer: None,
        };
        self.lock().insert(id, info);
        (kill, Registration { registry: self, id })
    }

    /// Changes a registered client (its kind, name or database).
    pub fn update(&self, id: u64, change: impl FnOnce(&mut ClientInfo)) {
        if let Some(info) = self.lock().get_mut(&id) {
            change(info);
        }
    }

    /// The kill token of a client.
    pub fn kill_token(&self, id: u64) -> Option<CancellationToken> {
        self.lock().get(&id).map(|info| info.kill.clone())
    }

    /// The ACL user a client runs as.
    pub fn user(&self, id: u64) -> Option<String> {
        self.lock().get(&id).map(|info| info.user.clone())
    }

    /// A copy of every entry, by id.
    pub fn snapshot(&self) -> Vec<(u64, ClientInfo)> {
        self.lock()
            .iter()
            .map(|(id, info)| (*id, info.clone()))
            .collect()
    }

    /// Disconnects every client matching `filter` (closing their sockets at once, but for `caller`'s,
    /// which closes after its reply); returns their ids.
    pub fn kill(&self, filter: &KillFilter, caller: Option<u64>) -> Vec<u64> {
        let clients = self.lock();
        let mut killed = Vec::new();
        for (id, info) in clients.iter() {
            let matches = filter.id.is_none_or(|wanted| wanted == *id)
                && filter.kind.is_none_or(|kind| kind == info.client_type())
                && filter
                    .addr
                    .as_ref()
                    .is_none_or(|addr| info.addr.is_some_and(|a| a.to_string() == *addr))
                && filter.user.as_ref().is_none_or(|user| info.user == *user)
                && filter.skip != Some(*id);
            if matches {
                info.kill.cancel();
                // The caller's own connection still has to send its reply; it closes after it.
                if Some(*id) != caller
                    && let Some(closer) = &info.closer
                {
                    closer.shutdown();
                }
                killed.push(*id);
            }
        }
        killed
    }

    /// One `CLIENT LIST` line (without the newline).
    pub fn describe(&self, id: u64, port: u16) -> Option<String> {
        self.lock().get(&id).map(|info| describe(id, info, port))
    }

    /// `CLIENT LIST`, optionally of one kind.
    pub fn list(&self, kind: Option<ClientKind>, port: u16) -> String {
        let mut out = String::new();
        // A killed client is gone for `CLIENT LIST` at once, as in Redis, though its task may not have
        // noticed yet.
        for (id, info) in self.lock().iter() {
            if kind.is_none_or(|kind| kind == info.client_type()) && !info.kill.is_cancelled() {
                out.push_str(&describe(*id, info, port));
                out.push('\n');
            }
        }
        out
    }

    /// `CLIENT LIST ID ...`: the clients with these ids, in the order asked (unknown ids are skipped).
    pub fn list_ids(&self, ids: &[i64], port: u16) -> String {
        let clients = self.lock();
        let mut out = String::new();
        for id in ids {
            if let Some(info) = u64::try_from(*id).ok().and_then(|id| clients.get(&id)) {
                out.push_str(&describe(*id as u64, info, port));
                out.push('\n');
            }
        }
        out
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<u64, ClientInfo>> {
        self.clients
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl ClientInfo {
    /// The client's type as Redis 7.0's `getClientType` sees it: a replica or our master link by kind, a
    /// normal client with subscriptions is `pubsub` (a monitor stays `normal`).
    pub fn client_type(&self) -> ClientKind {
        match self.kind {
            ClientKind::Normal if self.channels + self.patterns > 0 => ClientKind::PubSub,
            kind => kind,
        }
    }

    /// The `flags=` letters, in Redis's order: `O` for a monitor (else `S` for a replica), `M` for our
    /// master, `P` while subscribed, `b` while blocked; `N` when none applies.
    fn flags(&self) -> String {
        let mut flags = String::new();
        match self.kind {
            _ if self.monitor => flags.push('O'),
            ClientKind::Replica => flags.push('S'),
            ClientKind::Master => flags.push('M'),
            ClientKind::Normal | ClientKind::PubSub => {}
        }
        if self.channels + self.patterns > 0 {
            flags.push('P');
        }
        if self.blocked {
            flags.push('b');
        }
        if flags.is_empty() {
            flags.push('N');
        }
        flags
    }
}

fn describe(id: u64, info: &ClientInfo, port: u16) -> String {
    format!(
        "id={id} addr={} laddr=127.0.0.1:{port} fd=0 name={} age={} idle=0 flags={} db={} sub={} psub={} ssub=0 multi=-1 qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=0 rbp=0 obl=0 oll=0 omem=0 tot-mem=0 events=r cmd=NULL user={} redir=-1 resp=2",
        info.addr.map(|addr| addr.to_string()).unwrap_or_default(),
        info.name.as_deref().unwrap_or(""),
        info.created.elapsed().as_secs(),
        info.flags(),
        info.db,
        info.channels,
        info.patterns,
        info.user,
    )
}

/// Unregisters its client when dropped, whatever way the connection ends.
#[derive(Debug)]
pub struct Registration<'a> {
    registry: &'a ClientRegistry,
    id: u64,
}

impl Drop for Registration<'_> {
    fn drop(&mut self) {
        self.registry.lock().remove(&self.id);
    }
}

/// A client transport: a TCP connection or a unix socket.
pub trait Transport: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static {}

impl<T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static> Transport for T {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kill_by_type_spares_the_caller_and_unregisters_on_drop() {
        let registry = ClientRegistry::default();
        let (a, guard_a) = registry.register(1, None, ClientKind::Normal);
        let (b, _guard_b) = registry.register(2, None, ClientKind::Replica);
        let (c, _guard_c) = registry.register(3, None, ClientKind::Normal);
        let killed = registry.kill(
            &KillFilter {
                kind: Some(ClientKind::Normal),
                skip: Some(1),
                ..KillFilter::default()
            },
            Some(1),
        );
        assert_eq!(killed, vec![3]);
        assert!(!a.is_cancelled() && !b.is_cancelled() && c.is_cancelled());
        drop(guard_a);
        assert_eq!(registry.snapshot().len(), 2);
        assert!(
            registry
                .list(Some(ClientKind::Replica), 6379)
                .contains("id=2 ")
        );
    }

    #[test]
    fn kill_shuts_the_socket_down_at_once() {
        use std::io::Read as _;
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let mut peer =
            std::net::TcpStream::connect(listener.local_addr().expect("addr")).expect("connect");
        let (server_side, _) = listener.accept().expect("accept");
        let registry = ClientRegistry::default();
        let (_kill, _guard) = registry.register(7, None, ClientKind::Replica);
        let closer = Arc::new(SocketCloser::of_tcp(&server_side).expect("dup"));
        registry.update(7, |info| info.closer = Some(closer));
        registry.kill(
            &KillFilter {
                id: Some(7),
                ..KillFilter::default()
            },
            None,
        );
        // The peer sees the end of the stream although `server_side` itself is still open.
        let mut buf = [0u8; 1];
        assert_eq!(peer.read(&mut buf).expect("read"), 0);
        drop(server_side);
    }
}
