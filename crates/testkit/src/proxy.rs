//! [`Proxy`]: a fault-injecting TCP proxy between two test processes (typically a replica and its master).
//!
//! The proxy listens on a free port of 127.0.0.1 and forwards every accepted connection (a *link*) to a target
//! port, one thread per direction. The test breaks and slows links on purpose:
//!
//! - [`Proxy::cut`] closes every current link at once; new connections are still accepted, so a replica
//!   reconnects through the proxy as it would after a network failure;
//! - [`Proxy::cut_after`] closes the links once exactly `n` more bytes have passed in one [`Direction`], so a
//!   link breaks at an arbitrary byte position: inside a command, inside a snapshot transfer, or in a handshake;
//! - [`Proxy::pause`] / [`Proxy::resume`] hold all forwarding (a stalled link: the sender's socket buffers fill
//!   up and it blocks), and [`Proxy::delay`] holds each chunk for a while (a slow link).
//!
//! Dropping the proxy stops it: the listener and every link are closed and all threads are joined.
//!
//! ```no_run
//! use testkit::{Direction, Node, NodeConfig, Proxy, free_ports, wait_for_sync};
//!
//! let [master_port, replica_port] = free_ports::<2>();
//! let master = Node::start("/usr/bin/redis-server", NodeConfig::new(master_port));
//! let proxy = Proxy::start(master.port());
//! let replica = Node::start(
//!     "/usr/bin/redis-server",
//!     NodeConfig::new(replica_port).replica_of(proxy.port()),
//! );
//! wait_for_sync(&replica);
//! // Break the master-to-replica stream 100 bytes into the next writes.
//! proxy.cut_after(Direction::FromTarget, 100);
//! ```

use std::collections::VecDeque;
use std::fmt;
use std::io::{self, Read as _, Write as _};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::ports::free_port;

/// How many bytes one forwarding step reads and writes at most.
const CHUNK_SIZE: usize = 16 * 1024;

/// How many free ports the proxy tries before giving up (another process may grab a port between the kit
/// choosing it and the proxy binding it).
const BIND_ATTEMPTS: usize = 10;

/// Which way bytes travel through the proxy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// From the connecting side (e.g. a replica) to the target (e.g. its master): PSYNC, ACKs.
    ToTarget,
    /// From the target back to the connecting side: the master's replies, snapshot and command stream.
    FromTarget,
}

impl Direction {
    fn index(self) -> usize {
        match self {
            Direction::ToTarget => 0,
            Direction::FromTarget => 1,
        }
    }
}

/// A running fault-injecting proxy; see the module documentation. Stopped on drop.
pub struct Proxy {
    port: u16,
    target_port: u16,
    shared: Arc<Shared>,
    acceptor: Option<JoinHandle<()>>,
}

/// What the acceptor, the forwarding threads and the test's handle share.
struct Shared {
    state: Mutex<State>,
    /// Signalled on every control change (pause, resume, delay, cut, stop), so waiting forwarders re-check.
    changed: Condvar,
}

#[derive(Default)]
struct State {
    stopping: bool,
    paused: bool,
    delay: Duration,
    /// Per direction, the byte budgets of the queued [`Proxy::cut_after`] rules; the front one is counting.
    cut_rules: [VecDeque<u64>; 2],
    /// Per direction, the byte budget of a pending [`Proxy::pause_after`] rule.
    pause_rules: [Option<u64>; 2],
    live_links: Vec<Arc<Link>>,
    threads: Vec<JoinHandle<()>>,
    forwarded: [u64; 2],
    accepted: u64,
    cuts: u64,
}

/// One proxied connection: the accepted socket and the socket to the target.
struct Link {
    id: u64,
    client: TcpStream,
    target: TcpStream,
    closed: AtomicBool,
}

impl Proxy {
    /// Starts a proxy on a free port of 127.0.0.1 forwarding to `127.0.0.1:target_port`; panics if it cannot
    /// listen. The target need not be up yet: a connection arriving while it is down is closed at once.
    #[track_caller]
    pub fn start(target_port: u16) -> Proxy {
        match Proxy::try_start(target_port) {
            Ok(proxy) => proxy,
            Err(error) => panic!("start a proxy to 127.0.0.1:{target_port}: {error}"),
        }
    }

    /// Fallible [`Proxy::start`].
    pub fn try_start(target_port: u16) -> io::Result<Proxy> {
        let mut last_error = None;
        for _ in 0..BIND_ATTEMPTS {
            let port = free_port();
            match TcpListener::bind(("127.0.0.1", port)) {
                Ok(listener) => return Ok(Proxy::serve(listener, port, target_port)),
                Err(error) => last_error = Some(error),
            }
        }
        Err(last_error.expect("BIND_ATTEMPTS is not zero"))
    }

    fn serve(listener: TcpListener, port: u16, target_port: u16) -> Proxy {
        let shared = Arc::new(Shared {
            state: Mutex::new(State::default()),
            changed: Condvar::new(),
        });
        let acceptor = {
            let shared = Arc::clone(&shared);
            std::thread::Builder::new()
                .name(format!("proxy-{port}-accept"))
                .spawn(move || accept_loop(&listener, target_port, &shared))
                .expect("spawn the proxy's accept thread")
        };
        Proxy {
            port,
            target_port,
            shared,
            acceptor: Some(acceptor),
        }
    }

    /// The port the proxy listens on: point the connecting side (e.g. `replicaof`) here.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The port it forwards to.
    pub fn target_port(&self) -> u16 {
        self.target_port
    }

    /// Closes every current link now (both sockets of each); connections made afterwards are forwarded as usual.
    /// Counts as one cut in [`Proxy::cuts`] if any link was open.
    pub fn cut(&self) {
        let mut state = self.shared.lock();
        if !state.live_links.is_empty() {
            state.cuts += 1;
        }
        close_all(&mut state);
        self.shared.changed.notify_all();
    }

    /// Closes the links once exactly `n_bytes` more bytes have been forwarded in `direction` (counted over all
    /// links): the first `n_bytes` bytes get through, the next one does not. `0` cuts before the next byte.
    ///
    /// Rules queue up per direction: each starts counting when the previous one has fired (or now, if none is
    /// pending). After a cut the connecting side reconnects, so a queue of budgets is a list of byte positions in
    /// the successive connections' streams, e.g. several positions inside successive snapshot transfers.
    pub fn cut_after(&self, direction: Direction, n_bytes: u64) {
        let mut state = self.shared.lock();
        state.cut_rules[direction.index()].push_back(n_bytes);
        self.shared.changed.notify_all();
    }

    /// Pauses the proxy (as [`Proxy::pause`]) once exactly `n_bytes` more bytes have been forwarded in
    /// `direction`: the first `n_bytes` get through, the rest waits for [`Proxy::resume`]. Holds a transfer at
    /// a known byte position, however late the test looks: e.g. a replica killed in the middle of a snapshot.
    pub fn pause_after(&self, direction: Direction, n_bytes: u64) {
        let mut state = self.shared.lock();
        if n_bytes == 0 {
            state.paused = true;
        } else {
            state.pause_rules[direction.index()] = Some(n_bytes);
        }
        self.shared.changed.notify_all();
    }

    /// Whether forwarding is paused now ([`Proxy::pause`], or a [`Proxy::pause_after`] rule that fired).
    pub fn is_paused(&self) -> bool {
        self.shared.lock().paused
    }

    /// How many [`Proxy::cut_after`] rules in `direction` have not fired yet.
    pub fn pending_cuts(&self, direction: Direction) -> usize {
        self.shared.lock().cut_rules[direction.index()].len()
    }

    /// Drops the [`Proxy::cut_after`] rules that have not fired yet, in both directions.
    pub fn cancel_cuts(&self) {
        let mut state = self.shared.lock();
        for rules in &mut state.cut_rules {
            rules.clear();
        }
    }

    /// Stops forwarding in both directions until [`Proxy::resume`]: the links stay open but nothing passes, as
    /// on a stalled network path. Connections are still accepted.
    pub fn pause(&self) {
        self.shared.lock().paused = true;
        self.shared.changed.notify_all();
    }

    /// Forwards again after [`Proxy::pause`], starting with the data held meanwhile.
    pub fn resume(&self) {
        self.shared.lock().paused = false;
        self.shared.changed.notify_all();
    }

    /// Holds every chunk read from now on for `delay` before forwarding it (a slow link);
    /// `Duration::ZERO` turns the delay off.
    pub fn delay(&self, delay: Duration) {
        self.shared.lock().delay = delay;
        self.shared.changed.notify_all();
    }

    /// Total bytes forwarded in `direction` since the proxy started, over all links.
    pub fn forwarded(&self, direction: Direction) -> u64 {
        self.shared.lock().forwarded[direction.index()]
    }

    /// How many connections were accepted and forwarded since the proxy started.
    pub fn connections(&self) -> u64 {
        self.shared.lock().accepted
    }

    /// How many links are open now.
    pub fn live_links(&self) -> usize {
        self.shared.lock().live_links.len()
    }

    /// How many times links were closed on purpose ([`Proxy::cut`] with a link open, or a fired
    /// [`Proxy::cut_after`] rule).
    pub fn cuts(&self) -> u64 {
        self.shared.lock().cuts
    }
}

impl fmt::Debug for Proxy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Proxy")
            .field("port", &self.port)
            .field("target_port", &self.target_port)
            .finish_non_exhaustive()
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        {
            let mut state = self.shared.lock();
            state.stopping = true;
            close_all(&mut state);
        }
        self.shared.changed.notify_all();
        // The accept thread is blocked in accept(): one connection wakes it, and it sees `stopping`. If the
        // connect fails the listener is already gone (the thread ended on an error).
        let _ = TcpStream::connect(SocketAddr::from(([127, 0, 0, 1], self.port)));
        if let Some(acceptor) = self.acceptor.take() {
            let _ = acceptor.join();
        }
        // No thread is added after the acceptor has ended.
        let threads = std::mem::take(&mut self.shared.lock().threads);
        for thread in threads {
            let _ = thread.join();
        }
    }
}

impl Shared {
    /// The state, also after a forwarding thread panicked while holding it (the state stays consistent: every
    /// update is a single assignment or push).
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Link {
    fn is_closed(&self) -> bool {
        self.closed.load(Ordering::SeqCst)
    }

    /// Closes both sockets in both directions; wakes the forwarding threads blocked in `read` or `write`.
    fn close(&self) {
        self.closed.store(true, Ordering::SeqCst);
        let _ = self.client.shutdown(Shutdown::Both);
        let _ = self.target.shutdown(Shutdown::Both);
    }
}

fn close_all(state: &mut State) {
    for link in state.live_links.drain(..) {
        link.close();
    }
}

fn accept_loop(listener: &TcpListener, target_port: u16, shared: &Arc<Shared>) {
    static LINK_IDS: AtomicU64 = AtomicU64::new(0);
    for incoming in listener.incoming() {
        if shared.lock().stopping {
            return;
        }
        let Ok(client) = incoming else { continue };
        // A refused connect closes the client socket on drop: to the connecting side the target is down.
        let Ok(target) = TcpStream::connect(SocketAddr::from(([127, 0, 0, 1], target_port))) else {
            continue;
        };
        let _ = client.set_nodelay(true);
        let _ = target.set_nodelay(true);
        let sockets = (
            client.try_clone(),
            target.try_clone(),
            client.try_clone(),
            target.try_clone(),
        );
        let (Ok(client_reader), Ok(target_reader), Ok(client_writer), Ok(target_writer)) = sockets
        else {
            continue;
        };
        let link = Arc::new(Link {
            id: LINK_IDS.fetch_add(1, Ordering::Relaxed),
            client,
            target,
            closed: AtomicBool::new(false),
        });
        let mut state = shared.lock();
        if state.stopping {
            link.close();
            return;
        }
        state.accepted += 1;
        state.live_links.push(Arc::clone(&link));
        state.threads.retain(|thread| !thread.is_finished());
        for (direction, source, destination) in [
            (Direction::ToTarget, client_reader, target_writer),
            (Direction::FromTarget, target_reader, client_writer),
        ] {
            let link = Arc::clone(&link);
            let shared = Arc::clone(shared);
            let thread = std::thread::Builder::new()
                .name(format!("proxy-link{}-{direction:?}", link.id))
                .spawn(move || forward(direction, source, destination, &link, &shared))
                .expect("spawn a proxy forwarding thread");
            state.threads.push(thread);
        }
    }
}

/// What a forwarding thread does with one chunk it has read.
enum Verdict {
    /// Forward this many bytes (all of the chunk, or what is left of a cut rule's budget), then close the
    /// links in `cut` (those open when the rule fired; links accepted meanwhile are not affected).
    Forward { bytes: usize, cut: Vec<Arc<Link>> },
    /// The link was closed or the proxy is stopping: drop the chunk and end.
    Stop,
}

/// Copies `source` to `destination` chunk by chunk, applying pause, delay and cut rules, until either side
/// closes or the link is cut; then closes the whole link (a proxy in the middle does not keep half-open links).
fn forward(
    direction: Direction,
    mut source: TcpStream,
    mut destination: TcpStream,
    link: &Arc<Link>,
    shared: &Shared,
) {
    let mut buffer = vec![0u8; CHUNK_SIZE];
    loop {
        let read = match source.read(&mut buffer) {
            Ok(0) | Err(_) => break,
            Ok(read) => read,
        };
        // A pause rule may admit part of a chunk: the rest is admitted (after the pause) in turn.
        if !forward_chunk(direction, &buffer[..read], &mut destination, link, shared) {
            break;
        }
    }
    link.close();
    shared.lock().live_links.retain(|live| live.id != link.id);
    // The other direction's thread may be holding a chunk in `admit` (paused or delayed): let it see the close.
    shared.changed.notify_all();
}

/// Forwards one chunk read from the source, in as many admitted pieces as the rules make; false when the link
/// ends (cut, closed, or the destination failed).
fn forward_chunk(
    direction: Direction,
    chunk: &[u8],
    destination: &mut TcpStream,
    link: &Arc<Link>,
    shared: &Shared,
) -> bool {
    let mut start = 0;
    while start < chunk.len() {
        let (bytes, cut) = match admit(direction, chunk.len() - start, link, shared) {
            Verdict::Forward { bytes, cut } => (bytes, cut),
            Verdict::Stop => return false,
        };
        let written = destination.write_all(&chunk[start..start + bytes]);
        if !cut.is_empty() {
            // FIN after the admitted bytes, so the peer sees exactly those bytes, then close the links.
            let _ = destination.shutdown(Shutdown::Write);
            for link in cut {
                link.close();
            }
            shared.changed.notify_all();
            return false;
        }
        if written.is_err() {
            return false;
        }
        start += bytes;
    }
    true
}

/// Waits while the proxy is paused and for the per-chunk delay, then decides how much of a chunk of `read`
/// bytes passes.
///
/// The waits are `Condvar::wait` / `Condvar::wait_timeout` on the proxy's own condition variable. That is not
/// a test sleeping in the hope that a server has caught up (which `wait_until` replaces with polling): it is
/// the simulated network itself holding data, and every control change (resume, a shorter delay, a cut, drop)
/// wakes it at once.
fn admit(direction: Direction, read: usize, link: &Link, shared: &Shared) -> Verdict {
    let read_at = Instant::now();
    let mut state = shared.lock();
    loop {
        if state.stopping || link.is_closed() {
            return Verdict::Stop;
        }
        if state.paused {
            state = shared
                .changed
                .wait(state)
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            continue;
        }
        let due = read_at + state.delay;
        let now = Instant::now();
        if now >= due {
            break;
        }
        state = shared
            .changed
            .wait_timeout(state, due - now)
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .0;
    }
    // As many bytes as the chunk has and both rules' budgets allow.
    let index = direction.index();
    let within = |budget: Option<u64>| {
        budget.map_or(usize::MAX, |b| usize::try_from(b).unwrap_or(usize::MAX))
    };
    let bytes = read
        .min(within(state.pause_rules[index]))
        .min(within(state.cut_rules[index].front().copied()));
    if let Some(budget) = state.pause_rules[index] {
        let left = budget - bytes as u64;
        state.pause_rules[index] = (left > 0).then_some(left);
        if left == 0 {
            // The next byte waits: the forwarder's next `admit` finds the proxy paused.
            state.paused = true;
        }
    }
    let rules = &mut state.cut_rules[index];
    let cut = match rules.front_mut() {
        Some(budget) => {
            *budget -= bytes as u64;
            *budget == 0
        }
        None => false,
    };
    let cut = if cut {
        rules.pop_front();
        state.cuts += 1;
        std::mem::take(&mut state.live_links)
    } else {
        Vec::new()
    };
    state.forwarded[direction.index()] += bytes as u64;
    Verdict::Forward { bytes, cut }
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc;

    use super::*;
    use crate::wait::wait_until;

    /// Generous: the machine running the tests is shared and slow.
    const IO_TIMEOUT: Duration = Duration::from_secs(30);

    /// A target that echoes every connection back until the other side closes.
    fn echo_target() -> u16 {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the echo target");
        let port = listener.local_addr().expect("local address").port();
        std::thread::spawn(move || {
            for connection in listener.incoming() {
                let Ok(mut connection) = connection else {
                    return;
                };
                std::thread::spawn(move || {
                    let mut reader = connection.try_clone().expect("clone a socket");
                    let _ = io::copy(&mut reader, &mut connection);
                });
            }
        });
        port
    }

    /// A target that reads each connection to its end and reports everything it received.
    fn sink_target() -> (u16, mpsc::Receiver<Vec<u8>>) {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the sink target");
        let port = listener.local_addr().expect("local address").port();
        let (sender, receiver) = mpsc::channel();
        std::thread::spawn(move || {
            for connection in listener.incoming() {
                let Ok(mut connection) = connection else {
                    return;
                };
                let sender = sender.clone();
                std::thread::spawn(move || {
                    let mut received = Vec::new();
                    let _ = connection.read_to_end(&mut received);
                    let _ = sender.send(received);
                });
            }
        });
        (port, receiver)
    }

    fn connect(proxy: &Proxy) -> TcpStream {
        let stream = TcpStream::connect(("127.0.0.1", proxy.port())).expect("connect to the proxy");
        stream
            .set_read_timeout(Some(IO_TIMEOUT))
            .expect("set a read timeout");
        stream
    }

    fn read_exactly(stream: &mut TcpStream, len: usize) -> Vec<u8> {
        let mut data = vec![0u8; len];
        stream.read_exact(&mut data).expect("read the echo");
        data
    }

    /// Reads until the proxy closes the connection (a reset counts as closed too).
    fn read_to_close(stream: &mut TcpStream) -> Vec<u8> {
        let mut data = Vec::new();
        let mut chunk = [0u8; 4096];
        loop {
            match stream.read(&mut chunk) {
                Ok(0) => return data,
                Ok(read) => data.extend_from_slice(&chunk[..read]),
                Err(error) if error.kind() == io::ErrorKind::ConnectionReset => return data,
                Err(error) => panic!("read from the proxy: {error}"),
            }
        }
    }

    fn pattern(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i % 251) as u8).collect()
    }

    #[test]
    fn forwards_both_directions_and_counts_bytes() {
        let proxy = Proxy::start(echo_target());
        let mut stream = connect(&proxy);
        let data = pattern(100_000);
        let mut writer = stream.try_clone().expect("clone");
        let sent = data.clone();
        let sender = std::thread::spawn(move || writer.write_all(&sent).expect("send"));
        assert_eq!(read_exactly(&mut stream, data.len()), data);
        sender.join().expect("sender thread");
        assert_eq!(proxy.forwarded(Direction::ToTarget), 100_000);
        assert_eq!(proxy.forwarded(Direction::FromTarget), 100_000);
        assert_eq!(proxy.connections(), 1);
        assert_eq!(proxy.live_links(), 1);
        assert_eq!(proxy.cuts(), 0);
    }

    #[test]
    fn cut_closes_current_links_and_keeps_accepting() {
        let proxy = Proxy::start(echo_target());
        let mut first = connect(&proxy);
        first.write_all(b"hello").expect("send");
        assert_eq!(read_exactly(&mut first, 5), b"hello");
        proxy.cut();
        assert_eq!(read_to_close(&mut first), b"");
        assert_eq!(proxy.cuts(), 1);

        let mut second = connect(&proxy);
        second.write_all(b"again").expect("send");
        assert_eq!(read_exactly(&mut second, 5), b"again");
        assert_eq!(proxy.connections(), 2);
        proxy.cut();
        proxy.cut();
        assert_eq!(proxy.cuts(), 2, "a cut with no open link is not counted");
    }

    #[test]
    fn cut_after_breaks_the_stream_at_the_byte_position() {
        let (port, received) = sink_target();
        let proxy = Proxy::start(port);
        proxy.cut_after(Direction::ToTarget, 12_345);
        proxy.cut_after(Direction::ToTarget, 7);
        assert_eq!(proxy.pending_cuts(Direction::ToTarget), 2);
        let data = pattern(100_000);
        let mut stream = connect(&proxy);
        // The proxy closes the link mid-way: the write may fail, which is the point.
        let _ = stream.write_all(&data);
        let got = received
            .recv_timeout(IO_TIMEOUT)
            .expect("the target's bytes");
        assert_eq!(got.len(), 12_345);
        assert_eq!(got, data[..12_345]);
        assert_eq!(proxy.cuts(), 1);

        // The second rule counts from the first cut: it breaks the next connection after 7 bytes.
        let mut stream = connect(&proxy);
        let _ = stream.write_all(&data);
        let got = received
            .recv_timeout(IO_TIMEOUT)
            .expect("the target's bytes");
        assert_eq!(got, data[..7]);
        assert_eq!(proxy.cuts(), 2);
        assert_eq!(proxy.pending_cuts(Direction::ToTarget), 0);
    }

    #[test]
    fn pause_after_holds_the_stream_at_the_byte_position_until_resume() {
        let proxy = Proxy::start(echo_target());
        proxy.pause_after(Direction::FromTarget, 10_000);
        let data = pattern(50_000);
        let mut stream = connect(&proxy);
        stream.write_all(&data).expect("write");
        assert_eq!(read_exactly(&mut stream, 10_000), data[..10_000]);
        wait_until(IO_TIMEOUT, "the proxy to pause", || {
            proxy
                .is_paused()
                .then_some(())
                .ok_or_else(|| "not paused".to_owned())
        });
        assert_eq!(proxy.forwarded(Direction::FromTarget), 10_000);
        proxy.resume();
        assert_eq!(read_exactly(&mut stream, 40_000), data[10_000..]);
        assert_eq!(proxy.cuts(), 0);
    }

    #[test]
    fn cut_after_from_target_breaks_what_the_client_receives() {
        let proxy = Proxy::start(echo_target());
        proxy.cut_after(Direction::FromTarget, 1_000);
        let mut stream = connect(&proxy);
        let data = pattern(50_000);
        let mut writer = stream.try_clone().expect("clone");
        let sent = data.clone();
        let sender = std::thread::spawn(move || {
            let _ = writer.write_all(&sent);
        });
        let got = read_to_close(&mut stream);
        sender.join().expect("sender thread");
        assert_eq!(got, data[..1_000]);
        assert_eq!(proxy.cuts(), 1);
        assert_eq!(proxy.forwarded(Direction::FromTarget), 1_000);
    }

    #[test]
    fn pause_holds_data_until_resume() {
        let proxy = Proxy::start(echo_target());
        let mut stream = connect(&proxy);
        stream.write_all(b"before").expect("send");
        assert_eq!(read_exactly(&mut stream, 6), b"before");

        proxy.pause();
        stream.write_all(b"held").expect("send");
        // A blocking read with a short timeout: nothing may arrive while the proxy is paused.
        stream
            .set_read_timeout(Some(Duration::from_millis(300)))
            .expect("set a read timeout");
        let mut byte = [0u8; 1];
        let error = stream
            .read(&mut byte)
            .expect_err("nothing passes a paused proxy");
        assert!(
            matches!(
                error.kind(),
                io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
            ),
            "{error}"
        );

        proxy.resume();
        stream
            .set_read_timeout(Some(IO_TIMEOUT))
            .expect("set a read timeout");
        assert_eq!(read_exactly(&mut stream, 4), b"held");
    }

    #[test]
    fn a_close_behind_a_paused_link_arrives_after_resume() {
        let (port, received) = sink_target();
        let proxy = Proxy::start(port);
        proxy.pause();
        let mut stream = connect(&proxy);
        stream.write_all(b"held").expect("send");
        drop(stream);
        // Like a stalled network path, a paused proxy holds the close too: it follows the data on resume.
        assert!(
            received.recv_timeout(Duration::from_millis(300)).is_err(),
            "nothing reaches the target while paused"
        );
        proxy.resume();
        let got = received
            .recv_timeout(IO_TIMEOUT)
            .expect("the target sees the data, then the close");
        assert_eq!(got, b"held");
        wait_until(IO_TIMEOUT, "the link is gone", || {
            match proxy.live_links() {
                0 => Ok(()),
                live => Err(format!("{live} live links")),
            }
        });
    }

    #[test]
    fn delay_holds_each_chunk() {
        let proxy = Proxy::start(echo_target());
        let mut stream = connect(&proxy);
        proxy.delay(Duration::from_millis(200));
        let start = Instant::now();
        stream.write_all(b"slow").expect("send");
        assert_eq!(read_exactly(&mut stream, 4), b"slow");
        // Held once on the way there and once on the way back.
        assert!(
            start.elapsed() >= Duration::from_millis(400),
            "{:?}",
            start.elapsed()
        );
        proxy.delay(Duration::ZERO);
        stream.write_all(b"fast").expect("send");
        assert_eq!(read_exactly(&mut stream, 4), b"fast");
    }

    #[test]
    fn drop_closes_links_and_the_listener() {
        let proxy = Proxy::start(echo_target());
        let port = proxy.port();
        let mut stream = connect(&proxy);
        stream.write_all(b"x").expect("send");
        assert_eq!(read_exactly(&mut stream, 1), b"x");
        proxy.pause();
        drop(proxy);
        assert_eq!(read_to_close(&mut stream), b"");
        assert!(
            TcpStream::connect(("127.0.0.1", port)).is_err(),
            "nobody listens after drop"
        );
    }
}
