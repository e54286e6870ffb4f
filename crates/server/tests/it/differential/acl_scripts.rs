//! Differential scripts for ACLs: `ACL SETUSER` rules and their errors, `GETUSER`/`LIST`/`USERS`/`DELUSER`,
//! `AUTH` and `HELLO ... AUTH` with users, `requirepass` as the default user's password, `-NOPERM` for commands,
//! subcommands, keys (`%R~`/`%W~`) and channels, `MULTI` and scripts, `ACL CAT`, `DRYRUN`, `GENPASS`, `LOG`, and
//! selectors.
//!
//! Redis lists the single-command rules of a description in hash order, so descriptions are compared with those
//! rules sorted (the categories before them keep their order); `ACL LOG`'s ages and client lines, and
//! `GENPASS`'s random digits, are masked.

use bytes::Bytes;
use resp::Frame;

use super::{Expect, Script, args, cmd, on, reconnect, script};

/// Sorts each run of single-command rules (`+get`, `-config|set`) inside every string of the reply.
fn rules_sorted(frame: Frame) -> Frame {
    match frame {
        Frame::Bulk(text) => Frame::Bulk(Bytes::from(sorted_rules(&text))),
        Frame::Simple(text) => Frame::Simple(Bytes::from(sorted_rules(&text))),
        Frame::Array(items) => Frame::Array(items.into_iter().map(rules_sorted).collect()),
        Frame::Set(items) => Frame::Set(items.into_iter().map(rules_sorted).collect()),
        Frame::Map(pairs) => Frame::Map(
            pairs
                .into_iter()
                .map(|(key, value)| (key, rules_sorted(value)))
                .collect(),
        ),
        other => other,
    }
}

fn sorted_rules(text: &[u8]) -> Vec<u8> {
    let is_single =
        |word: &&[u8]| matches!(word.first(), Some(b'+' | b'-')) && word.get(1) != Some(&b'@');
    let words: Vec<&[u8]> = text.split(|&byte| byte == b' ').collect();
    let mut out: Vec<&[u8]> = Vec::with_capacity(words.len());
    let mut run: Vec<&[u8]> = Vec::new();
    for word in words {
        if is_single(&word) {
            run.push(word);
            continue;
        }
        run.sort();
        out.append(&mut run);
        out.push(word);
    }
    run.sort();
    out.append(&mut run);
    out.join(&b' ')
}

/// `ACL LOG` with every entry's `age-seconds` and `client-info` values masked (RESP2 flat arrays and RESP3
/// maps alike).
fn log_masked(frame: Frame) -> Frame {
    let masked = |key: &Frame| matches!(key, Frame::Bulk(name) if &name[..] == b"age-seconds" || &name[..] == b"client-info");
    match frame {
        Frame::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            let mut mask_next = false;
            for item in items {
                if mask_next {
                    out.push(Frame::Null);
                    mask_next = false;
                    continue;
                }
                mask_next = masked(&item);
                out.push(log_masked(item));
            }
            Frame::Array(out)
        }
        Frame::Map(pairs) => Frame::Map(
            pairs
                .into_iter()
                .map(|(key, value)| {
                    let value = if masked(&key) {
                        Frame::Null
                    } else {
                        log_masked(value)
                    };
                    (key, value)
                })
                .collect(),
        ),
        other => other,
    }
}

/// A random password: only its length and that it is hex are compared.
fn hex_length(frame: Frame) -> Frame {
    match frame {
        Frame::Bulk(text) if text.iter().all(u8::is_ascii_hexdigit) => {
            Frame::Integer(text.len() as i64)
        }
        other => other,
    }
}

/// A valid password hash (SHA-256 of `passwd4`).
const HASH: &str = "34344e4d60c2b6d639b7bd22e18f2b0b91bc34bf0ac5f9952744435093cfb4e6";

pub fn acl_setuser_rules_and_errors() -> Script {
    let rules = Expect::SameAfter(rules_sorted);
    script(vec![
        cmd("ACL SETUSER u1"),
        cmd("ACL GETUSER u1"),
        cmd("ACL LIST"),
        args(&[
            "ACL",
            "SETUSER",
            "u1",
            "on",
            ">p1",
            ">p2",
            "<p1",
            &format!("#{HASH}"),
            "~k*",
            "%R~r*",
            "%W~w*",
            "%RW~rw*",
            "%R~k*",
            "&ch:*",
            "+@string",
            "-append",
            "+client|id",
            "+select|0",
            "+debug|object",
        ]),
        cmd("ACL GETUSER u1").expect(rules.clone()),
        cmd("ACL LIST").expect(rules.clone()),
        cmd("ACL SETUSER u1 resetkeys allkeys"),
        cmd("ACL SETUSER u1 ~x"),
        cmd("ACL SETUSER u1 %R~x"),
        cmd("ACL SETUSER u1 allchannels"),
        cmd("ACL SETUSER u1 &x"),
        cmd("ACL SETUSER u1 +nosuch"),
        cmd("ACL SETUSER u1 -nosuch"),
        cmd("ACL SETUSER u1 +@nosuch"),
        cmd("ACL SETUSER u1 -@NoSuch"),
        cmd("ACL SETUSER u1 +config|get|maxmemory"),
        cmd("ACL SETUSER u1 +config|nosuch"),
        cmd("ACL SETUSER u1 -config|nosuch"),
        cmd("ACL SETUSER u1 +get|a|b"),
        cmd("ACL SETUSER u1 -select|0"),
        cmd("ACL SETUSER u1 +select|"),
        cmd("ACL SETUSER u1 +"),
        cmd("ACL SETUSER u1 <notapassword"),
        cmd("ACL SETUSER u1 #abc"),
        cmd("ACL SETUSER u1 !abc"),
        args(&[
            "ACL",
            "SETUSER",
            "u1",
            &format!("!{}", HASH.to_ascii_uppercase()),
        ]),
        args(&["ACL", "SETUSER", "u1", &format!("!{HASH}")]),
        args(&["ACL", "SETUSER", "u1", &format!("!{HASH}")]),
        cmd("ACL SETUSER u1 bogus"),
        cmd("ACL SETUSER u1 %X~a"),
        cmd("ACL SETUSER u1 %RR~a"),
        args(&["ACL", "SETUSER", "u1", "~a b"]),
        args(&["ACL", "SETUSER", "u1", "&a\tb"]),
        args(&["ACL", "SETUSER", "a b"]),
        args(&["ACL", "SETUSER", "a\0b"]),
        args(&["ACL", "SETUSER", "u1", ""]),
        // A failing rule leaves the user as it was.
        cmd("ACL SETUSER u1 off +set bogus"),
        cmd("ACL GETUSER u1").expect(rules.clone()),
        cmd("ACL SETUSER u1 On OFF nopass resetpass skip-sanitize-payload"),
        cmd("ACL GETUSER u1").expect(rules.clone()),
        cmd("ACL SETUSER u1 sanitize-payload nocommands"),
        cmd("ACL GETUSER u1"),
        cmd("ACL SETUSER u1 reset"),
        cmd("ACL LIST"),
        cmd("ACL SETUSER u1 allcommands -@dangerous +@admin -flushall"),
        cmd("ACL GETUSER u1").expect(rules.clone()),
        cmd("ACL SETUSER u1 +@all -client +client|setname +client|getname"),
        cmd("ACL GETUSER u1").expect(rules.clone()),
        cmd("ACL SETUSER u1 -@all +memory|doctor"),
        cmd("ACL GETUSER u1"),
        cmd("ACL SETUSER u1 +memory"),
        cmd("ACL GETUSER u1"),
        cmd("ACL SETUSER u1 -@all +@read +@write -@keyspace"),
        cmd("ACL GETUSER u1").expect(rules.clone()),
        cmd("HELLO 3").expect(Expect::SameExceptHelloId),
        cmd("ACL GETUSER u1").expect(rules.clone()),
        cmd("ACL GETUSER default"),
        cmd("ACL GETUSER nosuch"),
        cmd("HELLO 2").expect(Expect::SameExceptHelloId),
        cmd("ACL GETUSER nosuch"),
        cmd("ACL SETUSER"),
        cmd("ACL GETUSER"),
        cmd("ACL GETUSER a b"),
        cmd("ACL"),
        cmd("ACL NOSUCH"),
        cmd("acl help extra"),
        cmd("ACL LIST extra"),
    ])
}

pub fn acl_getuser_list_users_deluser() -> Script {
    script(vec![
        cmd("ACL SETUSER b on nopass"),
        cmd("ACL SETUSER a"),
        cmd("ACL SETUSER c >x ~* &* +@all"),
        cmd("ACL SETUSER B"),
        cmd("ACL USERS"),
        cmd("ACL LIST"),
        cmd("ACL DELUSER a nosuch c"),
        cmd("ACL DELUSER default a"),
        cmd("ACL DELUSER Default"),
        cmd("ACL DELUSER"),
        cmd("ACL USERS"),
        cmd("ACL WHOAMI"),
        cmd("ACL WHOAMI x"),
        cmd("ACL USERS x"),
        cmd("ACL LOAD"),
        cmd("ACL SAVE"),
        cmd("CLIENT KILL USER nosuch"),
        cmd("CLIENT KILL USER B"),
        on(1, cmd("AUTH b x")),
        cmd("CLIENT KILL USER b"),
        // Deleting the user a connection runs as closes it, after the reply.
        cmd("ACL SETUSER d on nopass +acl"),
        cmd("AUTH d x"),
        cmd("ACL WHOAMI"),
        cmd("ACL DELUSER d").then_closed(),
        reconnect(),
        cmd("ACL WHOAMI"),
        cmd("ACL USERS"),
    ])
}

pub fn acl_auth_with_users() -> Script {
    script(vec![
        cmd("AUTH x"),
        cmd("AUTH default x"),
        cmd("AUTH a b c"),
        cmd("ACL SETUSER alice >pw"),
        cmd("AUTH alice pw"),
        cmd("ACL SETUSER alice on"),
        cmd("AUTH alice wrong"),
        cmd("AUTH nosuch pw"),
        cmd("AUTH alice pw"),
        cmd("ACL WHOAMI"),
        cmd("PING"),
        cmd("auth default whatever"),
        cmd("ACL WHOAMI"),
        cmd("HELLO 3 AUTH alice wrong"),
        cmd("HELLO 3 AUTH alice pw").expect(Expect::SameExceptHelloId),
        cmd("PING"),
        cmd("ACL WHOAMI"),
        cmd("HELLO 2 AUTH default x").expect(Expect::SameExceptHelloId),
        cmd("ACL SETUSER nopassuser on nopass +acl|whoami"),
        cmd("AUTH nopassuser anything"),
        cmd("ACL WHOAMI"),
        cmd("AUTH default x"),
        // requirepass is the default user's password.
        cmd("CONFIG SET requirepass secret"),
        cmd("ACL LIST"),
        cmd("AUTH x"),
        cmd("AUTH secret"),
        cmd("AUTH default secret"),
        reconnect(),
        cmd("PING"),
        cmd("ACL WHOAMI"),
        cmd("AUTH alice pw"),
        cmd("ACL WHOAMI"),
        cmd("AUTH secret"),
        cmd("ACL SETUSER default >second"),
        cmd("AUTH second"),
        cmd("CONFIG GET requirepass"),
        cmd("CONFIG SET requirepass secret"),
        cmd("AUTH second"),
        cmd("CONFIG SET requirepass other"),
        cmd("AUTH second"),
        cmd("ACL LIST"),
        args(&["CONFIG", "SET", "requirepass", ""]),
        cmd("ACL LIST"),
        cmd("AUTH x"),
        // With the default user off, a new connection must authenticate; an existing one stays in.
        cmd("ACL SETUSER default off"),
        cmd("PING"),
        reconnect(),
        cmd("PING"),
        cmd("HELLO 3"),
        cmd("AUTH default x"),
        cmd("HELLO 3 AUTH alice pw").expect(Expect::SameExceptHelloId),
        cmd("ACL WHOAMI"),
        cmd("HELLO 2 AUTH default x"),
        cmd("HELLO 2 AUTH nopassuser x").expect(Expect::SameExceptHelloId),
        cmd("ACL SETUSER default on"),
        cmd("ACL WHOAMI"),
        // RESET goes back to the default user.
        cmd("RESET"),
        cmd("ACL WHOAMI"),
    ])
}

pub fn acl_noperm_commands_and_subcommands() -> Script {
    script(vec![
        cmd("SET k v"),
        cmd("ACL SETUSER u on nopass -@all +get +config|get +client +@hash -hdel ~*"),
        cmd("AUTH u x"),
        cmd("GET k"),
        cmd("SET k v"),
        cmd("CONFIG GET maxmemory"),
        cmd("CONFIG SET maxmemory 0"),
        cmd("CONFIG NOSUCH"),
        cmd("CONFIG"),
        cmd("CLIENT GETNAME"),
        cmd("HSET h f v"),
        cmd("HGET h f"),
        cmd("HDEL h f"),
        cmd("PING"),
        cmd("NOSUCHCMD"),
        cmd("GET"),
        cmd("SET k"),
        cmd("ACL WHOAMI"),
        cmd("ACL NOSUCH"),
        cmd("AUTH default x"),
        cmd("ACL SETUSER u +@all -client|kill -debug +debug|object -@keyspace"),
        cmd("AUTH u x"),
        cmd("CLIENT KILL ID 999999"),
        cmd("CLIENT GETNAME"),
        cmd("DEBUG SLEEP 0"),
        cmd("DEBUG OBJECT nosuchkey"),
        cmd("DEL k"),
        cmd("EXISTS k"),
        cmd("FLUSHALL"),
        cmd("OBJECT ENCODING k"),
        cmd("AUTH default x"),
        cmd("ACL SETUSER u -@all +select|0 +acl|whoami"),
        cmd("AUTH u x"),
        cmd("SELECT 0"),
        cmd("SELECT 1"),
        cmd("select 0"),
        cmd("ACL WHOAMI"),
        cmd("AUTH default x"),
        cmd("ACL SETUSER u -@all +@scripting +@connection"),
        cmd("AUTH u x"),
        cmd("PING"),
        cmd("ECHO hi"),
        args(&["EVAL_RO", "return 1", "0"]),
        cmd("SCRIPT FLUSH"),
        cmd("FUNCTION LIST"),
        cmd("GET k"),
        cmd("INFO"),
    ])
}

pub fn acl_noperm_keys() -> Script {
    script(vec![
        cmd("ACL SETUSER k on nopass +@all ~a:* %R~r:* %W~w:*"),
        cmd("AUTH k x"),
        cmd("SET a:1 v"),
        cmd("SET r:1 v"),
        cmd("GET r:1"),
        cmd("SET w:1 v"),
        cmd("GET w:1"),
        cmd("SET w:1 v GET"),
        cmd("SET a:1 v get"),
        cmd("MSET a:2 v w:2 v"),
        cmd("MSET a:2 v r:2 v"),
        cmd("MGET a:1 r:1"),
        cmd("MGET a:1 w:1"),
        cmd("COPY r:1 w:1"),
        cmd("COPY w:1 r:1"),
        cmd("LPUSH w:l x"),
        cmd("LRANGE w:l 0 -1"),
        cmd("DEL w:l"),
        cmd("DEL r:1"),
        cmd("EXISTS r:1 a:1"),
        cmd("RENAME a:1 w:9"),
        args(&["EVAL", "return 1", "1", "x:1"]),
        args(&["EVAL", "return 1", "1", "a:1"]),
        args(&["EVAL", "return 1", "0"]),
        args(&["EVAL", "return 1", "5", "a:1"]),
        args(&["EVAL", "return 1", "x", "a:1"]),
        // Redis's fallback reads a malformed count the C way (`atoi`).
        args(&["EVAL", "return 1", "1x", "x:1"]),
        args(&["EVAL", "return 1", "1x", "a:1"]),
        cmd("XREAD STREAMS r:s 0"),
        cmd("XREAD STREAMS r:s x:s 0 0"),
        cmd("XADD w:s * f v").expect(Expect::SameAfter(|frame| match frame {
            Frame::Bulk(_) => Frame::Null,
            other => other,
        })),
        cmd("ZUNIONSTORE a:z 2 r:z w:z"),
        cmd("ZUNIONSTORE a:z 2 r:z a:z"),
        cmd("ZUNION 2 r:z a:z"),
        cmd("SINTERCARD 2 r:s a:s"),
        cmd("SINTERCARD 2 r:s x:s"),
        cmd("KEYS *").expect(Expect::SameUnordered),
        cmd("DBSIZE"),
        cmd("FLUSHDB"),
        cmd("AUTH default x"),
        cmd("ACL SETUSER k resetkeys"),
        cmd("AUTH k x"),
        cmd("GET a:1"),
        cmd("PING"),
    ])
}

pub fn acl_noperm_channels() -> Script {
    script(vec![
        cmd("ACL SETUSER p on nopass +@all ~* resetchannels &news:* &exact"),
        cmd("ACL SETUSER fresh on nopass +@all ~*"),
        cmd("ACL GETUSER fresh"),
        cmd("AUTH p x"),
        cmd("PUBLISH news:1 m"),
        cmd("PUBLISH exact m"),
        cmd("PUBLISH other m"),
        cmd("PSUBSCRIBE news:1*"),
        cmd("SUBSCRIBE news:1 other"),
        cmd("SUBSCRIBE exact news:1"),
        cmd("UNSUBSCRIBE other"),
        cmd("PSUBSCRIBE news:*"),
        cmd("PUNSUBSCRIBE"),
        // Named: without arguments Redis goes through its channels in hash order.
        cmd("UNSUBSCRIBE exact news:1"),
        on(1, cmd("AUTH fresh x")),
        on(1, cmd("PUBLISH news:1 m")),
        on(1, cmd("SUBSCRIBE anything")),
        on(1, cmd("AUTH default x")),
        on(1, cmd("PUBLISH news:1 m")),
        cmd("MULTI"),
        cmd("PUBLISH other m"),
        cmd("SUBSCRIBE other"),
        cmd("PUBLISH news:2 m"),
        cmd("EXEC"),
        cmd("AUTH default x"),
        cmd("ACL SETUSER p allchannels"),
        cmd("ACL SETUSER p &more"),
        cmd("ACL GETUSER p"),
        cmd("CONFIG SET acl-pubsub-default allchannels"),
        cmd("ACL SETUSER fresh2"),
        cmd("ACL SETUSER fresh3 reset"),
        cmd("ACL SETUSER fresh4 &x"),
        cmd("ACL LIST"),
        cmd("CONFIG SET acl-pubsub-default resetchannels"),
        cmd("ACL SETUSER fresh5 (+get)"),
        cmd("ACL LIST"),
        cmd("CONFIG GET acl*"),
        cmd("CONFIG SET acl-pubsub-default nosuch"),
    ])
}

pub fn acl_multi_and_scripts() -> Script {
    script(vec![
        cmd("ACL SETUSER m on nopass +multi +exec +discard +get +set +eval +evalsha ~k*"),
        cmd("AUTH m x"),
        cmd("MULTI"),
        cmd("GET k1"),
        cmd("DEL k1"),
        cmd("SET x v"),
        cmd("EXEC"),
        cmd("MULTI"),
        cmd("SET k1 v"),
        cmd("GET k1"),
        on(1, cmd("ACL SETUSER m -set")),
        cmd("EXEC"),
        cmd("MULTI"),
        cmd("PING"),
        cmd("DISCARD"),
        args(&["EVAL", "return redis.call('get','k1')", "0"]),
        args(&["EVAL", "return redis.call('set','k1','x')", "0"]),
        args(&["EVAL", "return redis.call('get','x')", "0"]),
        args(&["EVAL", "return redis.pcall('del','k1')", "0"]),
        args(&["EVAL", "return redis.call('nosuch')", "0"]),
        on(1, cmd("ACL SETUSER m +set")),
        args(&["EVAL", "return redis.call('set','k1','x')", "0"]),
        args(&["EVAL", "return redis.call('set','x','x')", "0"]),
        cmd("GET k1"),
        args(&["EVAL", "return redis.acl_check_cmd('get','k1')", "0"]),
        args(&["EVAL", "return redis.acl_check_cmd('get','x')", "0"]),
        args(&["EVAL", "return redis.acl_check_cmd('del','k1')", "0"]),
        args(&["EVAL", "return redis.acl_check_cmd('nosuch')", "0"]),
        args(&["EVAL", "return redis.acl_check_cmd('config','nosuch')", "0"]),
        args(&["EVAL", "return redis.acl_check_cmd()", "0"]),
        cmd("MULTI"),
        args(&["EVAL", "return redis.call('set','x','x')", "0"]),
        cmd("EXEC"),
        cmd("AUTH default x"),
        cmd("ACL LOG").expect(Expect::SameAfter(log_masked)),
    ])
}

pub fn acl_cat_dryrun_genpass_log() -> Script {
    let log = Expect::SameAfter(log_masked);
    script(vec![
        cmd("ACL CAT"),
        cmd("ACL CAT string").unordered(),
        cmd("ACL CAT STRING").unordered(),
        cmd("ACL CAT scripting").unordered(),
        cmd("ACL CAT keyspace").unordered(),
        cmd("ACL CAT admin").unordered(),
        cmd("ACL CAT nosuch"),
        cmd("ACL CAT a b"),
        cmd("ACL SETUSER d on nopass +get ~a resetchannels &c +publish +config|get"),
        cmd("ACL DRYRUN d get a"),
        cmd("ACL DRYRUN d get b"),
        cmd("ACL DRYRUN d set a v"),
        cmd("ACL DRYRUN d publish x m"),
        cmd("ACL DRYRUN d publish c m"),
        cmd("ACL DRYRUN d config get x"),
        cmd("ACL DRYRUN d CONFIG SET x y"),
        cmd("ACL DRYRUN d config nosuch"),
        cmd("ACL DRYRUN nosuch get a"),
        cmd("ACL DRYRUN d nosuch"),
        cmd("ACL DRYRUN d get"),
        cmd("ACL DRYRUN d"),
        cmd("ACL DRYRUN default flushall"),
        cmd("ACL GENPASS").expect(Expect::SameAfter(hex_length)),
        cmd("ACL GENPASS 1").expect(Expect::SameAfter(hex_length)),
        cmd("ACL GENPASS 5").expect(Expect::SameAfter(hex_length)),
        cmd("ACL GENPASS 4096").expect(Expect::SameAfter(hex_length)),
        cmd("ACL GENPASS x"),
        cmd("ACL GENPASS 0"),
        cmd("ACL GENPASS 4097"),
        cmd("ACL GENPASS -1"),
        cmd("ACL GENPASS 1 2"),
        cmd("ACL LOG RESET"),
        cmd("ACL LOG"),
        cmd("AUTH d x"),
        cmd("GET b"),
        cmd("GET b"),
        cmd("SET a v"),
        cmd("PUBLISH x m"),
        cmd("CONFIG SET x y"),
        cmd("AUTH d wrong"),
        cmd("AUTH nobody wrong"),
        cmd("auth default x"),
        cmd("ACL LOG").expect(log.clone()),
        cmd("ACL LOG 1").expect(log.clone()),
        cmd("ACL LOG x"),
        cmd("ACL LOG -5"),
        cmd("ACL LOG 0"),
        cmd("ACL LOG 1 2"),
        cmd("HELLO 3").expect(Expect::SameExceptHelloId),
        cmd("ACL LOG 2").expect(log.clone()),
        cmd("HELLO 2").expect(Expect::SameExceptHelloId),
        cmd("ACL LOG reset"),
        cmd("CONFIG SET acllog-max-len 2"),
        cmd("AUTH d x"),
        cmd("GET k1"),
        cmd("GET k2"),
        cmd("GET k3"),
        cmd("AUTH default x"),
        cmd("ACL LOG").expect(log),
    ])
}

pub fn acl_selectors() -> Script {
    let rules = Expect::SameAfter(rules_sorted);
    script(vec![
        cmd("ACL SETUSER s on nopass +get ~a (+set ~b) (%R~c +@read)"),
        cmd("ACL GETUSER s").expect(rules.clone()),
        cmd("ACL LIST").expect(rules.clone()),
        cmd("AUTH s x"),
        cmd("GET a"),
        cmd("GET c"),
        cmd("SET b v"),
        cmd("SET a v"),
        cmd("GET b"),
        cmd("DEL a"),
        cmd("STRLEN c"),
        cmd("AUTH default x"),
        cmd("ACL SETUSER s (~x +get) clearselectors"),
        cmd("ACL GETUSER s"),
        cmd("ACL SETUSER s (on)"),
        cmd("ACL SETUSER s (+get ~a"),
        cmd("ACL SETUSER s (+get on)"),
        cmd("ACL SETUSER s ()"),
        args(&["ACL", "SETUSER", "s", "(~\"a b\" +get)"]),
        args(&["ACL", "SETUSER", "s", "( ~x   +set )"]),
        cmd("ACL LIST").expect(rules),
    ])
}
