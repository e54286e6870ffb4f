//! `MONITOR` and `SUBSCRIBE` from the command line next to the real `redis-cli`: both follow the same server at
//! once and must print the same thing (monitor lines with their time and client port masked).

use testkit::{Node, NodeConfig};

use crate::support::{Cli, RedisServer, free_port, redis_tools_available, rserver_binary};

const TOOLS: &[&str] = &["redis-server", "redis-cli", "stdbuf"];

#[test]
fn monitor_and_subscribe_like_redis_cli() {
    if !redis_tools_available("monitor_and_subscribe_like_redis_cli", TOOLS) {
        return;
    }
    let server = RedisServer::start();
    check_monitor(server.port());
    check_subscribe(server.port());
}

#[test]
fn monitor_and_subscribe_on_rserver_like_redis_cli() {
    if !redis_tools_available("monitor_and_subscribe_on_rserver_like_redis_cli", TOOLS) {
        return;
    }
    let Some(rserver) = rserver_binary("monitor_and_subscribe_on_rserver_like_redis_cli") else {
        return;
    };
    let node = Node::start(rserver, NodeConfig::new(free_port()));
    check_monitor(node.port());
    check_subscribe(node.port());
}

/// `1700000000.123456 [0 127.0.0.1:40000] "set"` becomes `T [0 P] "set"`.
fn mask_monitor_line(line: &str) -> String {
    let Some((time, rest)) = line.split_once(" [") else {
        return line.to_owned();
    };
    let Some((origin, args)) = rest.split_once("] ") else {
        return line.to_owned();
    };
    let Some((db, _peer)) = origin.split_once(' ') else {
        return line.to_owned();
    };
    assert!(
        time.bytes().all(|b| b.is_ascii_digit() || b == b'.'),
        "{line}"
    );
    format!("T [{db} P] {args}")
}

fn check_monitor(port: u16) {
    let p = port.to_string();
    let args = ["-p", p.as_str(), "monitor"];
    let monitors = [Cli::RedisCli.spawn(&args), Cli::Rcli.spawn(&args)];
    for monitor in &monitors {
        monitor.wait_for("MONITOR to answer", |out, _| out.starts_with("OK\n"));
    }
    for command in [
        &["SET", "k", "a b\n\"c\""][..],
        &["CONFIG", "GET", "maxmemory"],
        &["RPUSH", "l", "x"],
        &["-n", "3", "DEL", "gone"],
    ] {
        let mut full = vec!["-p", p.as_str()];
        full.extend_from_slice(command);
        Cli::RedisCli.run(&full, b"");
    }
    for monitor in &monitors {
        monitor.wait_for("the last command", |out, _| out.contains("\"gone\"\n"));
    }
    let masked = |text: String| -> Vec<String> { text.lines().map(mask_monitor_line).collect() };
    let [expected, actual] = &monitors;
    assert_eq!(
        masked(actual.stdout()),
        masked(expected.stdout()),
        "rcli (left) and redis-cli (right) differ"
    );
    assert_eq!(actual.stderr(), expected.stderr());
}

fn check_subscribe(port: u16) {
    let p = port.to_string();
    let args = ["-p", p.as_str(), "subscribe", "news", "weather"];
    let subscribers = [Cli::RedisCli.spawn(&args), Cli::Rcli.spawn(&args)];
    for subscriber in &subscribers {
        subscriber.wait_for("both subscriptions", |out, _| out.contains("weather\n2\n"));
    }
    Cli::RedisCli.run(&["-p", p.as_str(), "PUBLISH", "news", "hello world"], b"");
    Cli::RedisCli.run(&["-p", p.as_str(), "PUBLISH", "weather", "rain"], b"");
    for subscriber in &subscribers {
        subscriber.wait_for("the last message", |out, _| out.contains("rain\n"));
    }
    let [expected, actual] = &subscribers;
    assert_eq!(
        actual.stdout(),
        expected.stdout(),
        "rcli (left) and redis-cli (right) differ"
    );
    assert_eq!(actual.stderr(), expected.stderr());
}
