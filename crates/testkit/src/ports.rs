//! Free TCP ports on 127.0.0.1 for nodes under test.
//!
//! A port is found by binding `127.0.0.1:0` and reading what the OS chose, then closing the listener, so
//! another process could take it before the server binds it. We accept that small race; what we do avoid is
//! handing the same port out twice within one test process (tests run in parallel threads).

use std::collections::HashSet;
use std::net::TcpListener;
use std::sync::Mutex;

/// Ports already handed out by this process; never handed out again.
static HANDED_OUT: Mutex<Option<HashSet<u16>>> = Mutex::new(None);

/// A currently free port on 127.0.0.1, distinct from every port this process got from the kit before.
pub fn free_port() -> u16 {
    free_ports_vec(1)[0]
}

/// `N` distinct free ports, e.g. `let [master, replica] = free_ports::<2>();`.
pub fn free_ports<const N: usize>() -> [u16; N] {
    let ports = free_ports_vec(N);
    ports
        .try_into()
        .expect("free_ports_vec returns exactly N ports")
}

/// `count` distinct free ports. All listeners are held until every port is chosen, so the OS cannot give the
/// same port twice.
pub fn free_ports_vec(count: usize) -> Vec<u16> {
    let mut handed_out = HANDED_OUT
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let handed_out = handed_out.get_or_insert_with(HashSet::new);
    let mut listeners = Vec::new();
    let mut ports = Vec::with_capacity(count);
    while ports.len() < count {
        let listener =
            TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0 to find a free port");
        let port = listener
            .local_addr()
            .expect("local address of a bound listener")
            .port();
        // Keep rejected listeners open too, so the OS moves on to another port.
        listeners.push(listener);
        if handed_out.insert(port) {
            ports.push(port);
        }
    }
    ports
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_are_distinct_and_bindable() {
        let ports = free_ports_vec(5);
        let unique: HashSet<u16> = ports.iter().copied().collect();
        assert_eq!(unique.len(), 5);
        for port in ports {
            TcpListener::bind(("127.0.0.1", port)).expect("a free port can be bound");
        }
        let [a, b] = free_ports::<2>();
        assert_ne!(a, b);
        assert_ne!(free_port(), a);
    }
}
