//! `MONITOR`, compared with real Redis: which commands are shown, in what database, quoted how, with
//! passwords redacted, and commands applied from the master shown on a replica's monitor.

use bytes::BytesMut;
use testkit::{NodeConfig, free_port, wait_for_sync};

use crate::differential::raw::{RawConnection, escape};
use crate::support::{Subject, on_both_servers};

on_both_servers!(
    monitor_shows_commands_as_run,
    monitor_on_a_replica_shows_the_masters_writes
);

fn send(connection: &mut RawConnection, words: &[&str]) -> Vec<u8> {
    let mut request = BytesMut::new();
    resp::encode_command(words, &mut request);
    connection
        .send(&request)
        .unwrap_or_else(|error| panic!("send {words:?}: {error}"));
    connection
        .read_reply()
        .unwrap_or_else(|error| panic!("reply to {words:?}: {error}"))
}

/// Reads one monitor line, checks its `+<secs>.<micros> [<db> 127.0.0.1:<port>] ` shape and returns the
/// database and the quoted arguments.
fn next_line(monitor: &mut RawConnection) -> (String, String) {
    let raw = monitor
        .read_line()
        .unwrap_or_else(|error| panic!("waiting for a monitor line: {error}"));
    let line = String::from_utf8(raw.clone()).unwrap_or_else(|_| panic!("{}", escape(&raw)));
    let line = line.trim_end_matches("\r\n");
    let rest = line
        .strip_prefix('+')
        .unwrap_or_else(|| panic!("not a simple string: {line}"));
    let (time, rest) = rest.split_once(" [").expect("time then [");
    let (secs, micros) = time.split_once('.').expect("secs.micros");
    assert!(
        secs.len() >= 10 && secs.bytes().all(|b| b.is_ascii_digit()),
        "{line}"
    );
    assert!(
        micros.len() == 6 && micros.bytes().all(|b| b.is_ascii_digit()),
        "{line}"
    );
    let (origin, args) = rest.split_once("] ").expect("] then arguments");
    let (db, peer) = origin.split_once(' ').expect("db then peer");
    let port = peer.strip_prefix("127.0.0.1:").expect("a loopback peer");
    assert!(port.parse::<u16>().is_ok(), "{line}");
    (db.to_owned(), args.to_owned())
}

fn start_monitor(port: u16) -> RawConnection {
    let mut monitor = RawConnection::connect(port);
    assert_eq!(send(&mut monitor, &["MONITOR"]), b"+OK\r\n");
    monitor
}

fn monitor_shows_commands_as_run(subject: &Subject) {
    let node = subject.start(NodeConfig::new(free_port()).with("save", "\"\""));
    let mut in_multi = RawConnection::connect(node.port());
    // CLIENT LIST ID lists exactly the clients asked for, in that order.
    let id = String::from_utf8(send(&mut in_multi, &["CLIENT", "ID"])).expect("text");
    let id = id.trim_start_matches(':').trim_end().to_owned();
    let listed = String::from_utf8(send(
        &mut in_multi,
        &["CLIENT", "LIST", "ID", &id, "999999", &id],
    ))
    .expect("text");
    let lines: Vec<&str> = listed
        .lines()
        .skip(1)
        .filter(|line| !line.is_empty())
        .collect();
    assert_eq!(lines.len(), 2, "{listed}");
    assert!(
        lines
            .iter()
            .all(|line| line.starts_with(&format!("id={id} "))),
        "{listed}"
    );
    send(&mut in_multi, &["MULTI"]);
    assert_eq!(send(&mut in_multi, &["MONITOR"]), b"+QUEUED\r\n");
    assert_eq!(
        send(&mut in_multi, &["EXEC"]),
        b"*1\r\n-ERR MONITOR isn't allowed for DENY BLOCKING client\r\n"
    );
    let mut monitor = start_monitor(node.port());
    let mut client = RawConnection::connect(node.port());
    send(&mut client, &["SET", "k", "a \"b\"\n\u{1}"]);
    send(&mut client, &["CONFIG", "GET", "maxmemory"]);
    let list = String::from_utf8(send(&mut client, &["CLIENT", "LIST"])).expect("text");
    assert!(list.contains(" flags=O "), "no monitor in {list}");
    send(&mut client, &["CLIENT", "SETNAME", "watched"]);
    send(&mut client, &["SELECT", "2"]);
    send(&mut client, &["AUTH", "secret"]);
    send(&mut client, &["MULTI"]);
    send(&mut client, &["INCR", "n"]);
    send(&mut client, &["EXEC"]);
    send(&mut client, &["NOSUCHCOMMAND"]);
    send(&mut client, &["GET"]);
    send(&mut client, &["PING"]);
    let expected = [
        ("0", r#""SET" "k" "a \"b\"\n\x01""#),
        ("0", r#""CLIENT" "SETNAME" "watched""#),
        ("2", r#""SELECT" "2""#),
        ("2", r#""AUTH" "(redacted)""#),
        ("2", r#""MULTI""#),
        ("2", r#""INCR" "n""#),
        ("2", r#""EXEC""#),
        ("2", r#""PING""#),
    ];
    for (db, args) in expected {
        assert_eq!(next_line(&mut monitor), (db.to_owned(), args.to_owned()));
    }
    // A second MONITOR is ignored without a reply: the next thing the monitor reads is the next line.
    let mut request = BytesMut::new();
    resp::encode_command(&["MONITOR"], &mut request);
    monitor.send(&request).expect("send MONITOR");
    send(&mut client, &["ECHO", "after"]);
    assert_eq!(
        next_line(&mut monitor),
        ("2".to_owned(), r#""ECHO" "after""#.to_owned())
    );
}

fn monitor_on_a_replica_shows_the_masters_writes(subject: &Subject) {
    let master = subject.start(NodeConfig::new(free_port()).with("save", "\"\""));
    let replica = subject.start(
        NodeConfig::new(free_port())
            .with("save", "\"\"")
            .replica_of(master.port()),
    );
    wait_for_sync(&replica);
    let mut monitor = start_monitor(replica.port());
    let mut client = RawConnection::connect(master.port());
    send(&mut client, &["SET", "from-master", "1"]);
    // The master may also send PING (repl-ping-replica-period) and SELECT before the write.
    loop {
        let (db, args) = next_line(&mut monitor);
        let upper = args.to_ascii_uppercase();
        if upper == r#""PING""# || upper.starts_with(r#""SELECT""#) {
            continue;
        }
        assert_eq!(
            (db.as_str(), args.as_str()),
            ("0", r#""SET" "from-master" "1""#)
        );
        break;
    }
}
