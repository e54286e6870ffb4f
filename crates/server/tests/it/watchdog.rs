//! `watchdog-period`: a server that stops serving clients for longer than the period says so in its log, on
//! both servers (Redis from its `SIGALRM` handler, rserver from its watchdog thread).

use std::time::Duration;

use resp::Frame;
use testkit::{NodeConfig, free_port, wait_until};

use crate::support::{Subject, on_both_servers};

on_both_servers!(a_long_debug_sleep_is_reported);

fn a_long_debug_sleep_is_reported(subject: &Subject) {
    let node = subject.start(NodeConfig::new(free_port()).with("enable-debug-command", "yes"));
    assert_eq!(
        node.cmd(&["CONFIG", "SET", "watchdog-period", "200"]),
        Frame::ok()
    );
    assert_eq!(node.cmd(&["DEBUG", "SLEEP", "1"]), Frame::ok());
    wait_until(Duration::from_secs(5), "the watchdog's report", || {
        if node.log().contains("--- WATCHDOG TIMER EXPIRED ---") {
            Ok(())
        } else {
            Err(node.log_tail(5))
        }
    });
    // Off again: a new block goes unreported.
    assert_eq!(
        node.cmd(&["CONFIG", "SET", "watchdog-period", "0"]),
        Frame::ok()
    );
    let reports = node.log().matches("WATCHDOG TIMER EXPIRED").count();
    assert_eq!(node.cmd(&["DEBUG", "SLEEP", "0.5"]), Frame::ok());
    assert_eq!(
        node.log().matches("WATCHDOG TIMER EXPIRED").count(),
        reports
    );
}
