//! Scripts as processes see them: a script running past `busy-reply-threshold` makes other clients get
//! `-BUSY` until `SCRIPT KILL` / `FUNCTION KILL` stops it (or, once it wrote, only `SHUTDOWN NOSAVE` can);
//! script effects and function libraries reach replicas (by the stream and by the snapshot); function
//! payloads restore across implementations; scripts from many clients at once all run, and whatever a
//! command paused behind a script turns out to be (another script, a blocking pop, a `WAIT`) it runs as
//! usual. Run against both servers.

use resp::Frame;
use testkit::{
    Client, DEFAULT_DEADLINE, Node, NodeConfig, assert_same_data, free_ports, wait_for_ofs_sync,
    wait_for_sync, wait_until,
};

use crate::support::{Subject, on_both_servers};

on_both_servers!(
    busy_script_answers_busy_until_killed,
    busy_function_is_killed_with_function_kill,
    script_that_wrote_is_unkillable_but_shutdown_nosave_works,
    script_effects_and_functions_reach_replicas,
    concurrent_scripts_from_many_clients_all_run,
    commands_paused_behind_a_script_block_and_wait_as_usual,
    client_killed_before_its_script_runs_leaves_no_gate_held,
    pop_fed_by_a_script_reaches_replicas_after_the_script,
    script_kill_waits_for_a_script_that_is_not_busy,
);

const BUSY_EVAL: &str =
    "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.";
const BUSY_FUNCTION: &str =
    "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.";

fn busy_node(subject: &Subject) -> Node {
    let [port] = free_ports::<1>();
    subject.start(NodeConfig::new(port).with("busy-reply-threshold", "100"))
}

fn error_text(frame: &Frame) -> Option<String> {
    match frame {
        Frame::Error(text) => Some(String::from_utf8_lossy(text).into_owned()),
        _ => None,
    }
}

/// Polls `PING` from another client until it is answered `-BUSY`; returns that text.
fn wait_busy(node: &Node) -> String {
    let mut probe = node.client();
    wait_until(DEFAULT_DEADLINE, "-BUSY from another client", || {
        let reply = probe.cmd(&["PING"]);
        error_text(&reply).ok_or_else(|| format!("{reply:?}"))
    })
}

fn busy_script_answers_busy_until_killed(subject: &Subject) {
    let node = busy_node(subject);
    let mut runner = node.client();
    let script = "local i = 0 while true do i = i + 1 end";
    runner.send(&["EVAL", script, "0"]).expect("send EVAL");
    assert_eq!(wait_busy(&node), BUSY_EVAL);
    let mut other = node.client();
    assert_eq!(
        error_text(&other.cmd(&["GET", "k"])).as_deref(),
        Some(BUSY_EVAL)
    );
    assert_eq!(
        error_text(&other.cmd(&["FUNCTION", "KILL"])).as_deref(),
        Some(BUSY_EVAL),
        "FUNCTION KILL does not stop an EVAL script"
    );
    assert_eq!(other.cmd(&["SCRIPT", "KILL"]), Frame::ok());
    let killed = error_text(&runner.read_reply().expect("the script's reply")).expect("an error");
    let sha = sha1_hex(script);
    assert_eq!(
        killed,
        format!("ERR Script killed by user with SCRIPT KILL... script: {sha}, on @user_script:1.")
    );
    assert_eq!(other.cmd(&["PING"]), Frame::Simple("PONG".into()));
    assert_eq!(
        error_text(&other.cmd(&["SCRIPT", "KILL"])).as_deref(),
        Some("NOTBUSY No scripts in execution right now.")
    );
}

fn busy_function_is_killed_with_function_kill(subject: &Subject) {
    let node = busy_node(subject);
    let mut runner = node.client();
    runner.cmd(&[
        "FUNCTION",
        "LOAD",
        "#!lua name=spin\nredis.register_function{function_name='spin', callback=function() while true do end end, flags={'no-writes'}}",
    ]);
    runner.send(&["FCALL", "spin", "0"]).expect("send FCALL");
    assert_eq!(wait_busy(&node), BUSY_FUNCTION);
    let mut other = node.client();
    assert_eq!(
        error_text(&other.cmd(&["SCRIPT", "KILL"])).as_deref(),
        Some(BUSY_FUNCTION),
        "SCRIPT KILL does not stop a function"
    );
    assert_eq!(other.cmd(&["FUNCTION", "KILL"]), Frame::ok());
    let killed = error_text(&runner.read_reply().expect("the function's reply")).expect("an error");
    assert!(
        killed.starts_with(
            "ERR Script killed by user with SCRIPT KILL... script: spin, on @user_function:"
        ),
        "{killed}"
    );
    assert_eq!(other.cmd(&["PING"]), Frame::Simple("PONG".into()));
}

fn script_that_wrote_is_unkillable_but_shutdown_nosave_works(subject: &Subject) {
    let mut node = busy_node(subject);
    let mut runner = node.client();
    runner
        .send(&["EVAL", "redis.call('set', 'x', 'y') while true do end", "0"])
        .expect("send EVAL");
    wait_busy(&node);
    let mut other = node.client();
    let refused = error_text(&other.cmd(&["SCRIPT", "KILL"])).expect("an error");
    assert!(refused.starts_with("UNKILLABLE Sorry the script already executed write commands"));
    assert_eq!(
        error_text(&other.cmd(&["SHUTDOWN"])).as_deref(),
        Some(BUSY_EVAL),
        "a plain SHUTDOWN would save the script's partial work"
    );
    let _ = other.send(&["SHUTDOWN", "NOSAVE"]);
    wait_until(DEFAULT_DEADLINE, "the server to exit", || {
        if node.is_running() {
            Err("still running".to_owned())
        } else {
            Ok(())
        }
    });
}

const LIBRARY: &str = "#!lua name=counters\n\
    redis.register_function('bump', function(keys, args) return redis.call('incrby', keys[1], args[1]) end)\n\
    redis.register_function{function_name='peek', callback=function(keys) return redis.call('get', keys[1]) end, flags={'no-writes'}}";

/// A master and its synced replica, both with `DEBUG` enabled (for `DEBUG DIGEST`).
fn master_with_replica(subject: &Subject) -> (Node, Node) {
    let [master_port, replica_port] = free_ports::<2>();
    let master = subject.start(NodeConfig::new(master_port).with("enable-debug-command", "yes"));
    let replica = subject.start(
        NodeConfig::new(replica_port)
            .with("enable-debug-command", "yes")
            .replica_of(master_port),
    );
    wait_for_sync(&replica);
    (master, replica)
}

fn script_effects_and_functions_reach_replicas(subject: &Subject) {
    let (master, replica) = master_with_replica(subject);
    let [late_port] = free_ports::<1>();
    let master_port = master.port();
    let mut client: Client = master.client();
    client.cmd(&["FUNCTION", "LOAD", LIBRARY]);
    for i in 0..50 {
        let key = format!("k{}", i % 7);
        client.cmd(&["FCALL", "bump", "1", &key, &i.to_string()]);
        client.cmd(&[
            "EVAL",
            "redis.call('rpush', KEYS[1], ARGV[1]) redis.call('hincrby', 'h', KEYS[1], 1) if tonumber(ARGV[1]) % 5 == 0 then redis.call('del', KEYS[1]) end",
            "1",
            &format!("list{}", i % 3),
            &i.to_string(),
        ]);
    }
    wait_for_ofs_sync(&master, &replica);
    assert_same_data(&master, &replica, "after script writes");
    assert_eq!(
        master.cmd(&["DEBUG", "DIGEST"]),
        replica.cmd(&["DEBUG", "DIGEST"])
    );
    // The read-only function runs on the read-only replica; the writing one is refused there.
    assert_eq!(
        replica.cmd(&["FCALL", "peek", "1", "k1"]),
        master.cmd(&["GET", "k1"])
    );
    let refused = replica.cmd(&["FCALL", "bump", "1", "k1", "1"]);
    assert_eq!(
        error_text(&refused).as_deref(),
        Some("READONLY You can't write against a read only replica.")
    );
    // A replica that syncs later gets the library through the snapshot.
    let late = subject.start(NodeConfig::new(late_port).replica_of(master_port));
    wait_for_sync(&late);
    // (FUNCTION LIST orders functions by hash in Redis; the dump is the same bytes on one implementation.)
    assert_eq!(
        late.cmd(&["FUNCTION", "DUMP"]),
        master.cmd(&["FUNCTION", "DUMP"])
    );
    assert_eq!(
        late.cmd(&["FCALL_RO", "peek", "1", "k2"]),
        master.cmd(&["GET", "k2"])
    );
}

/// SHA-1 in lower-case hex, for checking the script names in error texts.
fn sha1_hex(text: &str) -> String {
    lua::sha1_hex(text.as_bytes())
}

/// `FUNCTION DUMP` of either server restores on the other (Redis compresses the code, we do not).
#[test]
fn function_payloads_restore_across_implementations() {
    let redis_server = testkit::require_redis!();
    let [redis_port, rserver_port] = free_ports::<2>();
    let redis = Subject::redis(redis_server).start(NodeConfig::new(redis_port));
    let rserver = Subject::rserver().start(NodeConfig::new(rserver_port));
    let library = "#!lua name=greetings\nredis.register_function('hello', function() return 'hello from a library long enough for LZF to compress it' end)";
    let expected = Frame::Bulk("hello from a library long enough for LZF to compress it".into());
    for (from, to) in [(&redis, &rserver), (&rserver, &redis)] {
        from.cmd(&["FUNCTION", "FLUSH"]);
        to.cmd(&["FUNCTION", "FLUSH"]);
        from.cmd(&["FUNCTION", "LOAD", library]);
        let Frame::Bulk(payload) = from.cmd(&["FUNCTION", "DUMP"]) else {
            panic!("FUNCTION DUMP gave no payload");
        };
        assert_eq!(
            to.cmd(&[&b"FUNCTION"[..], b"RESTORE", &payload]),
            Frame::ok()
        );
        assert_eq!(to.cmd(&["FCALL", "hello", "0"]), expected);
    }
}

/// Issue 9, defect 1: with two or more clients running scripts at once, a script that waited for another
/// one lost its invocation (nil reply, never run) and left the gate closed: the server answered nothing
/// again, not even `PING` on a new connection.
fn concurrent_scripts_from_many_clients_all_run(subject: &Subject) {
    const CLIENTS: usize = 8;
    const CALLS: usize = 300;
    let [port] = free_ports::<1>();
    let node = subject.start(NodeConfig::new(port));
    let mut setup = node.client();
    setup.cmd(&["FUNCTION", "LOAD", LIBRARY]);
    let sha = match setup.cmd(&["SCRIPT", "LOAD", "return redis.call('incr', KEYS[1])"]) {
        Frame::Bulk(sha) => String::from_utf8(sha.to_vec()).expect("sha"),
        other => panic!("SCRIPT LOAD: {other:?}"),
    };
    std::thread::scope(|scope| {
        for worker in 0..CLIENTS {
            let node = &node;
            let sha = &sha;
            scope.spawn(move || {
                let mut client = node.client();
                for call in 0..CALLS {
                    let reply = match call % 3 {
                        0 => client.cmd(&["EVAL", "return redis.call('incr', KEYS[1])", "1", "n"]),
                        1 => client.cmd(&["EVALSHA", sha, "1", "n"]),
                        _ => client.cmd(&["FCALL", "bump", "1", "n", "1"]),
                    };
                    assert!(
                        matches!(reply, Frame::Integer(_)),
                        "client {worker}, call {call}: {reply:?}"
                    );
                }
            });
        }
    });
    assert_eq!(
        node.client().cmd(&["GET", "n"]),
        Frame::Bulk((CLIENTS * CALLS).to_string().into())
    );
    assert_eq!(node.client().cmd(&["PING"]), Frame::Simple("PONG".into()));
}

/// A script that runs for `micros` microseconds of the server's clock after `prefix` (Lua run first), then
/// returns 1.
fn timed_script(prefix: &str, micros: u64) -> String {
    format!(
        "{prefix} local t = redis.call('time') local start = t[1] * 1000000 + t[2] \
         repeat t = redis.call('time') until t[1] * 1000000 + t[2] - start > {micros} return 1"
    )
}

/// A command that arrives while a script runs waits for it, then runs as if it had come later: a blocking
/// pop blocks (and is served by a later push), a `WAIT` answers, another script runs. Whether each command
/// arrives during the script or after it varies from round to round; the outcome must not.
fn commands_paused_behind_a_script_block_and_wait_as_usual(subject: &Subject) {
    let [port] = free_ports::<1>();
    let node = subject.start(NodeConfig::new(port));
    // Runs for about 20 ms of the server's clock, reading only.
    let slow = &timed_script("", 20_000);
    for round in 0..20 {
        let list = format!("list{round}");
        let mut runner = node.client();
        let mut popper = node.client();
        let mut waiter = node.client();
        let mut scripter = node.client();
        runner.send(&["EVAL", slow, "0"]).expect("send EVAL");
        popper.send(&["BLPOP", &list, "0"]).expect("send BLPOP");
        waiter.send(&["WAIT", "0", "0"]).expect("send WAIT");
        scripter
            .send(&["EVAL", "return redis.call('incr', KEYS[1])", "1", "count"])
            .expect("send EVAL");
        assert_eq!(runner.read_reply().expect("slow script"), Frame::Integer(1));
        assert_eq!(waiter.read_reply().expect("WAIT"), Frame::Integer(0));
        assert_eq!(
            scripter.read_reply().expect("second script"),
            Frame::Integer(round + 1)
        );
        // The pop is blocked (not answered nil): it gets the element pushed now.
        crate::support::wait_blocked_clients(&node, 1);
        node.client().cmd(&["RPUSH", &list, "x"]);
        assert_eq!(
            popper.read_reply().expect("BLPOP"),
            Frame::Array(vec![
                Frame::Bulk(list.clone().into()),
                Frame::Bulk("x".into())
            ])
        );
    }
}

/// A script used to wait, holding the gate, until the replies before it were written: a client that reads
/// nothing held every other client for as long as it liked, and killing it then could leave the gate held
/// for a script that would never run (found in review of issue 9's fix). The script now runs at once, as in
/// Redis; the replies leave with its own.
fn client_killed_before_its_script_runs_leaves_no_gate_held(subject: &Subject) {
    let [port] = free_ports::<1>();
    let node = subject.start(NodeConfig::new(port));
    let mut setup = node.client();
    let big = "x".repeat(256 * 1024);
    setup.cmd(&["SET", "big", &big]);
    let mut stuck = crate::differential::raw::RawConnection::connect(port);
    let mut request = bytes::BytesMut::new();
    resp::encode_command(&["CLIENT", "ID"], &mut request);
    stuck.send(&request).expect("send CLIENT ID");
    let id = String::from_utf8_lossy(&stuck.read_reply().expect("CLIENT ID"))
        .trim_start_matches(':')
        .trim_end()
        .to_owned();
    // 64 MB of replies the client never reads, then a script: one write, so the server reads the script with
    // the GETs (a server busy writing to a client does not read more from it).
    request.clear();
    for _ in 0..256 {
        resp::encode_command(&["GET", "big"], &mut request);
    }
    resp::encode_command(
        &["EVAL", "return redis.call('incr', KEYS[1])", "1", "n"],
        &mut request,
    );
    stuck.send(&request).expect("send the pipeline");
    // The script runs at once, as in Redis, even though its client reads none of the replies before it.
    wait_until(DEFAULT_DEADLINE, "the script to run", || {
        match setup.cmd(&["GET", "n"]) {
            Frame::Bulk(n) if &n[..] == b"1" => Ok(()),
            other => Err(format!("{other:?}")),
        }
    });
    assert_eq!(
        setup.cmd(&["CLIENT", "KILL", "ID", &id]),
        Frame::Integer(1),
        "the stuck client is killed"
    );
    let mut other = node.client();
    assert_eq!(other.cmd(&["PING"]), Frame::Simple("PONG".into()));
    assert!(matches!(
        other.cmd(&["EVAL", "return redis.call('incr', KEYS[1])", "1", "n"]),
        Frame::Integer(_)
    ));
    assert_eq!(other.cmd(&["SET", "after", "1"]), Frame::ok());
}

/// Found by `cargo xtask torture` (seed 101): a script pushed to a list a client was blocked on, and while the
/// script still ran, another client's `MULTI` (allowed meanwhile) served the blocked `BLMOVE`, whose `LMOVE`
/// reached the stream before the script's push. The replica then moved nothing, got the push, and kept the
/// element the master had moved: same offset, different data.
fn pop_fed_by_a_script_reaches_replicas_after_the_script(subject: &Subject) {
    let (master, replica) = master_with_replica(subject);
    assert_eq!(
        master.cmd(&["CONFIG", "SET", "busy-reply-threshold", "100"]),
        Frame::ok()
    );
    let mut blocked = master.client();
    blocked
        .send(&["BLMOVE", "src", "dst", "RIGHT", "LEFT", "0"])
        .expect("send BLMOVE");
    crate::support::wait_blocked_clients(&master, 1);
    // Pushes, then runs for about 300 ms of the server's clock.
    let script = &timed_script("redis.call('rpush', KEYS[1], 'x')", 300_000);
    let mut runner = master.client();
    runner
        .send(&["EVAL", script, "1", "src"])
        .expect("send EVAL");
    let mut other = master.client();
    // Past busy-reply-threshold the others get -BUSY, and MULTI runs beside the script (on both servers).
    assert_eq!(wait_busy(&master), BUSY_EVAL);
    assert_eq!(other.cmd(&["MULTI"]), Frame::ok());
    assert_eq!(runner.read_reply().expect("EVAL"), Frame::Integer(1));
    assert_eq!(
        blocked.read_reply().expect("BLMOVE"),
        Frame::Bulk("x".into())
    );
    assert_eq!(other.cmd(&["DISCARD"]), Frame::ok());
    wait_for_ofs_sync(&master, &replica);
    assert_same_data(&master, &replica, "after a pop served by a script's push");
    assert_eq!(
        master.cmd(&["DEBUG", "DIGEST"]),
        replica.cmd(&["DEBUG", "DIGEST"])
    );
}

/// Found by `cargo xtask torture` (seed 102): `SCRIPT KILL` ran beside any script, so it killed another
/// client's short script before it was slow (and the busy script it was meant for then ran on, unkilled).
/// As on Redis's one thread, nothing runs beside a script that is not busy yet: `SCRIPT KILL` waits for it to
/// end (then answers `NOTBUSY`) or to turn busy.
fn script_kill_waits_for_a_script_that_is_not_busy(subject: &Subject) {
    let [port] = free_ports::<1>();
    let node = subject.start(NodeConfig::new(port));
    // Runs for about 200 ms of the server's clock, far below busy-reply-threshold (5 s).
    let short = &timed_script("", 200_000);
    for _ in 0..5 {
        let mut runner = node.client();
        runner.send(&["EVAL", short, "0"]).expect("send EVAL");
        let killed = node.client().cmd(&["SCRIPT", "KILL"]);
        assert_eq!(
            killed,
            Frame::Error("NOTBUSY No scripts in execution right now.".into())
        );
        assert_eq!(runner.read_reply().expect("EVAL"), Frame::Integer(1));
    }
}
