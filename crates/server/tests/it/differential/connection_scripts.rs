//! Differential scripts for the connection layer: PING, ECHO, SELECT, CONFIG, CLIENT, QUIT, AUTH, HELLO, unknown
//! commands and wrong arity, inline commands, pipelining, and malformed requests after which both servers answer
//! an error and close the connection.

use super::data_scripts::I64_MAX;
use super::{Expect, Script, args, cmd, next_reply, raw, reconnect, script};

pub fn ping_echo() -> Script {
    script(vec![
        cmd("PING"),
        cmd("ping"),
        cmd("PING hello"),
        cmd("PING a b"),
        cmd("ECHO hi"),
        args(&["ECHO", ""]),
        args(&[&b"ECHO"[..], b"\x00\xff\r\n binary"]),
        cmd("ECHO"),
        cmd("ECHO a b"),
        cmd("PiNg"),
    ])
}

/// FUNCTION on an empty library (rserver has no scripting engine, so its library is always empty).
pub fn function_flush_and_list() -> Script {
    script(vec![
        cmd("FUNCTION"),
        cmd("FUNCTION FLUSH"),
        cmd("FUNCTION FLUSH SYNC"),
        cmd("function flush async"),
        cmd("FUNCTION FLUSH NOW"),
        cmd("FUNCTION FLUSH SYNC ASYNC"),
        cmd("FUNCTION LIST"),
        cmd("FUNCTION LIST WITHCODE"),
        cmd("FUNCTION LIST LIBRARYNAME x* WITHCODE"),
        cmd("FUNCTION LIST LIBRARYNAME"),
        cmd("FUNCTION LIST BOGUS"),
        cmd("FUNCTION NOSUCH"),
        cmd("MULTI"),
        cmd("FUNCTION FLUSH"),
        cmd("EXEC"),
    ])
}

pub fn unknown_commands() -> Script {
    script(vec![
        cmd("FOO"),
        cmd("foo a b"),
        cmd("GETT k"),
        args(&["FOO BAR", "x y"]),
        args(&["", "a"]),
        cmd("CONFIGG GET save"),
        cmd("PING"),
    ])
}

/// Redis truncates the echoed arguments to about 128 characters in total, and the name to 128.
pub fn unknown_command_args_truncated() -> Script {
    let long_arg = "a".repeat(200);
    let many_args: Vec<String> = std::iter::once("FOO".to_owned())
        .chain((0..50).map(|i| format!("arg{i:03}")))
        .collect();
    let long_name = "X".repeat(200);
    script(vec![
        args(&["FOO", &long_arg]),
        args(&many_args),
        args(&[&long_name, "a"]),
        args(&["FOO", &"b".repeat(120), "cccccccccc", "d"]),
    ])
}

/// Redis puts argument bytes into the error line as they are, replacing only `\r` and `\n` by spaces.
pub fn unknown_command_arg_bytes_kept() -> Script {
    script(vec![
        args(&[&b"FOO"[..], b"a\tb"]),
        args(&[&b"FOO"[..], b"\xff\xfe"]),
        args(&[&b"FOO"[..], b"a\r\nb"]),
        args(&[&b"FOO"[..], b"\x01\x7f"]),
        args(&[&b"F\tOO"[..], b"x"]),
        args(&[&b"F\xc3\xa9"[..], b"\xc3\xa9"]),
    ])
}

pub fn wrong_arity() -> Script {
    script(vec![
        cmd("GET"),
        cmd("GET a b"),
        cmd("SET k"),
        cmd("TTL"),
        cmd("PTTL a b"),
        cmd("DEL"),
        cmd("UNLINK"),
        cmd("EXISTS"),
        cmd("MGET"),
        cmd("INCR"),
        cmd("DECR a b"),
        cmd("INCRBY k"),
        cmd("DECRBY k"),
        cmd("APPEND k"),
        cmd("STRLEN"),
        cmd("RENAME a"),
        cmd("RENAME a b c"),
        cmd("SELECT"),
        cmd("DBSIZE x"),
        cmd("KEYS"),
        cmd("TYPE"),
        cmd("EXPIRE k"),
        cmd("PEXPIREAT k"),
        cmd("PERSIST"),
        cmd("SETNX k"),
        cmd("SETEX k 1"),
        cmd("PSETEX k 1 v x"),
        cmd("MSET k"),
        cmd("MSET k v k2"),
        cmd("CLIENT"),
        cmd("CONFIG"),
        cmd("AUTH"),
        cmd("get"),
    ])
}

pub fn select_and_databases() -> Script {
    script(vec![
        cmd("SELECT 0"),
        cmd("SELECT 15"),
        cmd("SET k v"),
        cmd("SELECT 16"),
        cmd("SELECT -1"),
        cmd("SELECT abc"),
        cmd("SELECT 1.5"),
        cmd("SELECT 01"),
        args(&["SELECT", " 1"]),
        cmd("SELECT 4294967296"),
        cmd("SELECT 2147483648"),
        cmd("SELECT -2147483649"),
        cmd(&format!("SELECT {I64_MAX}")),
        cmd("SELECT 99999999999999999999"),
        cmd("GET k"),
        cmd("SELECT 0"),
        cmd("GET k"),
        cmd("DBSIZE"),
    ])
}

pub fn config_get_set() -> Script {
    script(vec![
        cmd("CONFIG GET save"),
        cmd("CONFIG GET databases"),
        cmd("CONFIG GET repl-backlog-size"),
        cmd("CONFIG GET maxmemory"),
        cmd("CONFIG GET timeout"),
        cmd("CONFIG GET appendonly"),
        cmd("CONFIG GET nosuchparam"),
        cmd("CONFIG GET replica-read-only"),
        cmd("CONFIG GET slave-read-only"),
        cmd("CONFIG GET repl-diskless-sync"),
        cmd("CONFIG GET repl-diskless-sync-delay"),
        cmd("CONFIG GET requirepass"),
        cmd("CONFIG GET REPL-BACKLOG-SIZE"),
        cmd("CONFIG GET repl-backlog-*").expect(Expect::SameUnordered),
        cmd("CONFIG SET repl-backlog-size 2mb"),
        cmd("CONFIG GET repl-backlog-size"),
        cmd("CONFIG SET repl-backlog-size abc"),
        cmd("CONFIG SET nosuch 1"),
        cmd("CONFIG SET timeout"),
        cmd("CONFIG SET timeout 5 maxmemory"),
        cmd("CONFIG SET timeout 5"),
        cmd("CONFIG GET timeout"),
        cmd("CONFIG SET timeout 5 timeout 6"),
        cmd("CONFIG SET timeout 5 TIMEOUT 6"),
        cmd("CONFIG SET REPL-TIMEOUT abc"),
        cmd("CONFIG SET NOSUCH 1"),
        cmd("CONFIG SET repl-timeout abc nosuch 1"),
        cmd("CONFIG SET repl-timeout abc repl-timeout 1"),
        cmd("CONFIG SET repl-timeout 70 repl-backlog-size abc"),
        cmd("CONFIG GET repl-timeout"),
        cmd("CONFIG GET Repl-Timeout"),
        cmd("CONFIG SET repl-timeout 70 repl-backlog-size 3mb"),
        cmd("CONFIG GET repl-timeout"),
        args(&["CONFIG", "SET", "save", "100 10"]),
        cmd("CONFIG GET save"),
        args(&["CONFIG", "SET", "save", ""]),
        cmd("CONFIG GET save"),
        cmd("CONFIG SET repl-timeout 0"),
        cmd("CONFIG SET replica-read-only maybe"),
        cmd("CONFIG FOO"),
        cmd("CONFIG GET"),
        cmd("config get databases"),
    ])
}

pub fn client_commands() -> Script {
    script(vec![
        cmd("CLIENT ID").expect(Expect::PositiveInteger),
        cmd("CLIENT GETNAME"),
        cmd("CLIENT SETNAME foo"),
        cmd("CLIENT GETNAME"),
        args(&["CLIENT", "SETNAME", "a b"]),
        args(&["CLIENT", "SETNAME", "a\nb"]),
        args(&["CLIENT", "SETNAME", "é"]),
        cmd("CLIENT GETNAME"),
        args(&["CLIENT", "SETNAME", ""]),
        cmd("CLIENT GETNAME"),
        cmd("CLIENT FOO"),
        cmd("client getname"),
        cmd("client setname Bar"),
        cmd("CLIENT GETNAME"),
    ])
}

/// Parameters rserver only passes through (accepted, shown by CONFIG GET, not acted on) still have their values
/// validated by Redis.
pub fn config_set_validates_passthrough_values() -> Script {
    script(vec![
        cmd("CONFIG SET timeout abc"),
        cmd("CONFIG SET maxmemory abc"),
        cmd("CONFIG SET maxmemory-policy nosuchpolicy"),
        cmd("CONFIG SET appendonly maybe"),
        cmd("CONFIG GET timeout"),
        cmd("CONFIG GET maxmemory"),
    ])
}

/// Aliases (`slave-*`) are separate parameters for Redis 7.0's error texts and duplicate check.
pub fn config_set_aliases() -> Script {
    script(vec![
        cmd("CONFIG SET slave-read-only maybe"),
        cmd("CONFIG SET repl-ping-slave-period abc"),
        cmd("CONFIG SET replica-read-only yes slave-read-only no"),
    ])
}

/// `CLIENT LIST ID`: errors and unknown ids (a listed client's line differs in fields rserver fills with 0).
pub fn client_list_ids() -> Script {
    script(vec![
        cmd("CLIENT LIST ID"),
        cmd("CLIENT LIST ID abc"),
        cmd("CLIENT LIST ID 99999 abc"),
        cmd("CLIENT LIST ID 99999 88888"),
        cmd("CLIENT LIST ID -1"),
        cmd("CLIENT LIST TYPE normal extra"),
    ])
}

/// The list node settings (Redis's list tests set the old `ziplist` name first thing).
pub fn config_list_node_settings() -> Script {
    script(vec![
        cmd("CONFIG GET list-max-ziplist-size"),
        cmd("CONFIG GET list-max-listpack-size"),
        cmd("CONFIG GET list-compress-depth"),
        cmd("CONFIG SET list-max-ziplist-size 4"),
        cmd("CONFIG GET list-max-listpack-size"),
        cmd("CONFIG SET list-max-listpack-size -5"),
        cmd("CONFIG GET list-max-ziplist-size"),
        cmd("CONFIG SET list-max-listpack-size 2147483648"),
        cmd("CONFIG SET list-max-listpack-size x"),
        cmd("CONFIG SET list-compress-depth -1"),
        cmd("CONFIG SET list-compress-depth 3"),
        cmd("CONFIG GET list-compress-depth"),
        cmd("CONFIG SET list-compress-depth 0 list-max-listpack-size -2"),
        cmd("CONFIG GET list-max-listpack-size"),
    ])
}

/// Subcommands have their own arity in Redis 7 (`client|setname`).
pub fn client_subcommand_arity() -> Script {
    script(vec![
        cmd("CLIENT SETNAME"),
        cmd("CLIENT SETNAME a b"),
        cmd("CLIENT GETNAME x"),
        cmd("CLIENT ID x"),
    ])
}

pub fn quit_closes() -> Script {
    script(vec![cmd("SET a 1"), cmd("QUIT").then_closed()])
}

pub fn auth_without_password() -> Script {
    script(vec![
        cmd("AUTH foo"),
        cmd("AUTH default foo"),
        cmd("AUTH bob pass"),
        cmd("AUTH a b c"),
        cmd("PING"),
    ])
}

pub fn auth_with_requirepass() -> Script {
    script(vec![
        cmd("PING"),
        cmd("GET k"),
        cmd("FOO"),
        cmd("GET"),
        cmd("AUTH wrong"),
        cmd("AUTH default wrong"),
        cmd("AUTH nobody secret"),
        cmd("HELLO 3"),
        cmd("HELLO 2 AUTH default wrong"),
        cmd("CLIENT ID"),
        cmd("AUTH secret"),
        cmd("GET k"),
        cmd("AUTH default secret"),
        cmd("AUTH nobody secret"),
        cmd("GET k"),
        reconnect(),
        cmd("HELLO 3 AUTH default secret").expect(Expect::SameExceptHelloId),
        cmd("GET k"),
        reconnect(),
        cmd("QUIT").then_closed(),
    ])
    .setup("CONFIG SET requirepass secret")
}

/// An unauthenticated client may not announce more than 10 arguments.
pub fn unauthenticated_multibulk_length() -> Script {
    script(vec![
        raw(b"*10\r\n").expect(Expect::Nothing),
        raw(b"$1\r\na\r\n$1\r\na\r\n$1\r\na\r\n$1\r\na\r\n$1\r\na\r\n$1\r\na\r\n$1\r\na\r\n$1\r\na\r\n$1\r\na\r\n$1\r\na\r\n"),
        raw(b"*11\r\n").then_closed(),
    ])
    .setup("CONFIG SET requirepass secret")
}

/// An unauthenticated client may not send an argument longer than 16 KB.
pub fn unauthenticated_bulk_length() -> Script {
    script(vec![
        raw(b"*1\r\n$16384\r\n").expect(Expect::Nothing),
        raw(&[&b"a".repeat(16384)[..], b"\r\n"].concat()),
        raw(b"*1\r\n$16385\r\n").then_closed(),
    ])
    .setup("CONFIG SET requirepass secret")
}

pub fn hello() -> Script {
    let hello = |line: &str| cmd(line).expect(Expect::SameExceptHelloId);
    script(vec![
        hello("HELLO"),
        hello("HELLO 2"),
        hello("HELLO 3"),
        cmd("GET nokey"),
        cmd("SET k v"),
        cmd("GET k"),
        cmd("TTL nokey"),
        cmd("CONFIG GET save"),
        cmd("MGET k nokey"),
        cmd("CLIENT GETNAME"),
        cmd("PING"),
        cmd("EXISTS k"),
        cmd("KEYS k"),
        cmd("SET k v2 GET"),
        cmd("SET k v NX"),
        hello("HELLO 3 SETNAME me"),
        cmd("CLIENT GETNAME"),
        cmd("HELLO 4"),
        cmd("HELLO abc"),
        cmd("HELLO 3 FOO"),
        cmd("HELLO 3 AUTH default"),
        cmd("HELLO 3 SETNAME"),
        args(&["HELLO", "3", "SETNAME", "a b"]),
        hello("HELLO 3 AUTH default anything"),
        hello("HELLO 2"),
        cmd("GET nokey"),
        cmd("CONFIG GET save"),
        cmd("HELLO 1"),
        cmd("HELLO 0"),
        cmd("HELLO -1"),
        hello("hello 2 setname again"),
        cmd("CLIENT GETNAME"),
        cmd("FOO"),
    ])
}

pub fn inline_commands() -> Script {
    script(vec![
        raw(b"PING\r\n"),
        raw(b"SET a b\r\n"),
        cmd("GET a"),
        raw(b"GET a\r\n"),
        raw(b"ECHO \"hello world\"\r\n"),
        raw(b"ECHO 'single quoted'\r\n"),
        raw(b"ECHO \"\\x41\\n\\t\\\\\"\r\n"),
        raw(b"ECHO 'it\\'s'\r\n"),
        raw(b"PING\n"),
        raw(b"\r\n").expect(Expect::Nothing),
        raw(b"   \r\n").expect(Expect::Nothing),
        raw(b"\n").expect(Expect::Nothing),
        cmd("PING"),
        raw(b"  PING   \r\n"),
        raw(b"set   b   c\r\n"),
        raw(b"GET b\r\n"),
        raw(b"NOSUCH a b\r\n"),
        raw(b"$-5\r\n"),
        raw(b"GET\r\n"),
        raw(b"ECHO \"\"\r\n"),
        raw(b"PING\r\nECHO x\r\n"),
        next_reply(),
        raw(b"ECHO a\tb\r\n"),
    ])
}

pub fn protocol_errors_close_the_connection() -> Script {
    let too_big_inline = vec![b'a'; 64 * 1024 + 100];
    let too_big_count = [&b"*"[..], &vec![b'1'; 64 * 1024 + 100]].concat();
    let too_big_bulk_count = [&b"*1\r\n$"[..], &vec![b'1'; 64 * 1024 + 100]].concat();
    script(vec![
        raw(b"*abc\r\n").then_closed(),
        reconnect(),
        raw(b"*1\r\n$-5\r\n").then_closed(),
        reconnect(),
        raw(b"*1\r\n$536870913\r\n").then_closed(),
        reconnect(),
        raw(b"*1\r\n+foo\r\n").then_closed(),
        reconnect(),
        raw(b"*2\r\n$4\r\nECHO\r\n:5\r\n").then_closed(),
        reconnect(),
        raw(b"*1\r\n$abc\r\n").then_closed(),
        reconnect(),
        raw(b"*1\r\n$01\r\nA\r\n").then_closed(),
        reconnect(),
        raw(b"*+1\r\n").then_closed(),
        reconnect(),
        raw(b"*3000000000\r\n").then_closed(),
        reconnect(),
        raw(b"ECHO \"abc\r\n").then_closed(),
        reconnect(),
        raw(b"ECHO \"a\"b\r\n").then_closed(),
        reconnect(),
        raw(b"ECHO 'a\r\n").then_closed(),
        reconnect(),
        raw(&too_big_inline).then_closed(),
        reconnect(),
        raw(&too_big_count).then_closed(),
        reconnect(),
        raw(&too_big_bulk_count).then_closed(),
        reconnect(),
        // Not errors: a count of zero or less is skipped, the connection stays usable.
        raw(b"*0\r\n").expect(Expect::Nothing),
        raw(b"*-1\r\n").expect(Expect::Nothing),
        raw(b"*-5\r\n").expect(Expect::Nothing),
        cmd("PING"),
        raw(b"*1\r\n$0\r\n\r\n"),
    ])
}

/// Redis reads exactly `len` bytes of a bulk argument and skips the next two without checking they are CRLF.
pub fn bulk_payload_without_crlf() -> Script {
    script(vec![
        raw(b"*1\r\n$4\r\nPINGxx"),
        raw(b"*2\r\n$4\r\nECHO\r\n$3\r\nabcXY"),
        cmd("PING"),
    ])
}

/// Redis 7.0 accepts multibulk counts up to INT_MAX (the arguments then have to follow).
pub fn multibulk_count_up_to_int_max() -> Script {
    script(vec![raw(b"*1048577\r\n*1\r\n").then_closed()])
}

/// Requests arriving in pieces and several requests in one write.
pub fn pipelined_and_split_requests() -> Script {
    script(vec![
        raw(b"*2\r\n$4\r\nECHO\r\n").expect(Expect::Nothing),
        raw(b"$5\r\nhel").expect(Expect::Nothing),
        raw(b"lo\r\n"),
        raw(b"*1\r\n$4\r\nPING\r\n*2\r\n$4\r\nECHO\r\n$1\r\nx\r\nPING\r\n"),
        next_reply(),
        next_reply(),
        raw(b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n*2\r\n$4\r\nINCR\r\n$1\r\nk\r\n"),
        next_reply(),
        next_reply(),
        raw(b"PI").expect(Expect::Nothing),
        raw(b"NG\r\n"),
    ])
}

/// `SLOWLOG`: lengths, resets, the threshold switch, and the errors (entries carry times and ids, so only
/// counts are compared).
pub fn slowlog_basics() -> Script {
    script(vec![
        cmd("SLOWLOG RESET"),
        cmd("CONFIG SET slowlog-log-slower-than -1"),
        cmd("SET a b"),
        cmd("SLOWLOG LEN"),
        cmd("SLOWLOG GET"),
        cmd("CONFIG SET slowlog-log-slower-than 0"),
        cmd("SLOWLOG RESET"),
        cmd("CONFIG SET slowlog-log-slower-than -1"),
        cmd("SLOWLOG LEN"),
        cmd("SLOWLOG GET -2"),
        cmd("SLOWLOG GET x"),
        cmd("SLOWLOG GET 1 2"),
        cmd("SLOWLOG LEN x"),
        cmd("SLOWLOG NOPE"),
        cmd("SLOWLOG"),
        cmd("CONFIG GET slowlog-max-len"),
    ])
}

/// `INFO errorstats` counts error replies by their first word: failed commands, rejected ones (unknown,
/// wrong arity), errors inside `EXEC` and the `EXECABORT` itself; `CONFIG RESETSTAT` clears them.
pub fn errorstats() -> Script {
    script(vec![
        cmd("CONFIG RESETSTAT"),
        cmd("INFO errorstats"),
        cmd("SET s x"),
        cmd("LPUSH s a"),
        cmd("INCR s"),
        cmd("NOSUCHCOMMAND"),
        cmd("GET"),
        cmd("XGROUP SETID s g 0"),
        cmd("XREADGROUP GROUP g c STREAMS nokey >"),
        cmd("MULTI"),
        cmd("INCR s"),
        cmd("EXEC"),
        cmd("MULTI"),
        cmd("GET"),
        cmd("EXEC"),
        cmd("INFO errorstats"),
        cmd("CONFIG RESETSTAT"),
        cmd("INFO errorstats"),
    ])
}

/// `CLIENT REPLY`: SKIP drops its own reply and the next one's, OFF drops everything (errors too) until ON,
/// which is answered; SKIP while off changes nothing.
pub fn client_reply_modes() -> Script {
    script(vec![
        cmd("CLIENT REPLY SKIP").expect(Expect::Nothing),
        cmd("PING").expect(Expect::Nothing),
        cmd("ECHO after-skip"),
        cmd("CLIENT REPLY OFF").expect(Expect::Nothing),
        cmd("SET k v").expect(Expect::Nothing),
        cmd("NOSUCHCOMMAND").expect(Expect::Nothing),
        cmd("CLIENT REPLY SKIP").expect(Expect::Nothing),
        cmd("GET k").expect(Expect::Nothing),
        cmd("CLIENT REPLY ON"),
        cmd("GET k"),
        cmd("CLIENT REPLY MAYBE"),
        cmd("CLIENT REPLY"),
    ])
}
