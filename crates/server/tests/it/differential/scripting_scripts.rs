//! Differential scripts for Lua scripting: `EVAL`/`EVALSHA` (conversions both ways, `redis.call` and
//! `redis.pcall`, error texts with their script positions, shebang flags), `SCRIPT`, and `FUNCTION` /
//! `FCALL` (registration forms and errors, `LIST`, `DUMP`/`RESTORE`, `STATS`).

use super::{Script, args, cmd, script};

pub fn eval_conversions() -> Script {
    script(vec![
        args(&["EVAL", "return 1", "0"]),
        args(&["EVAL", "return 1.9", "0"]),
        args(&["EVAL", "return -3.7", "0"]),
        args(&["EVAL", "return 'hello'", "0"]),
        args(&["EVAL", "return true", "0"]),
        args(&["EVAL", "return false", "0"]),
        args(&["EVAL", "return nil", "0"]),
        args(&["EVAL", "return {1, 2, 'three', {4, 5}}", "0"]),
        args(&["EVAL", "return {1, 2, nil, 4}", "0"]),
        args(&["EVAL", "return {ok='fine'}", "0"]),
        args(&["EVAL", "return {err='My Error'}", "0"]),
        args(&["EVAL", "return redis.error_reply('Custom error')", "0"]),
        args(&["EVAL", "return redis.status_reply('STATUS')", "0"]),
        args(&[
            "EVAL",
            "return {KEYS[1], KEYS[2], ARGV[1], ARGV[2]}",
            "2",
            "k1",
            "k2",
            "a1",
            "a2",
        ]),
        args(&["EVAL", "return #KEYS + #ARGV * 10", "1", "k", "a", "b"]),
        args(&["EVAL", "return tostring(0.1 + 0.2)", "0"]),
        args(&[
            "EVAL",
            "return string.format('%5.2f|%d|%s', 3.14159, 42, 'x')",
            "0",
        ]),
        args(&["EVAL", "return redis.sha1hex('')", "0"]),
        args(&["EVAL", "return type(redis.call)", "0"]),
        args(&[
            "EVAL",
            "local t = {} for i = 1, 5 do t[#t + 1] = i * i end return t",
            "0",
        ]),
        args(&["EVAL", "return table.concat({'a', 'b', 'c'}, '-')", "0"]),
        args(&["EVAL", "return string.gsub('hello world', 'o', '0')", "0"]),
        args(&["EVAL", "return {string.find('hello', 'l+')}", "0"]),
    ])
}

pub fn eval_redis_call() -> Script {
    script(vec![
        args(&[
            "EVAL",
            "return redis.call('SET', KEYS[1], ARGV[1])",
            "1",
            "k",
            "v",
        ]),
        args(&["EVAL", "return redis.call('GET', KEYS[1])", "1", "k"]),
        args(&["EVAL", "return redis.call('GET', 'missing')", "0"]),
        args(&["EVAL", "return redis.call('INCRBY', 'n', 5)", "0"]),
        args(&["EVAL", "return redis.call('INCRBYFLOAT', 'f', 1.5)", "0"]),
        args(&[
            "EVAL",
            "redis.call('RPUSH', 'l', 1, 2, 3) return redis.call('LRANGE', 'l', 0, -1)",
            "0",
        ]),
        args(&[
            "EVAL",
            "return redis.call('HSET', 'h', 'a', 1, 'b', 2)",
            "0",
        ]),
        args(&["EVAL", "return redis.call('HGETALL', 'h')", "0"]),
        args(&["EVAL", "return redis.call('EXISTS', 'k', 'nokey')", "0"]),
        args(&["EVAL", "return redis.call('PING')", "0"]),
        args(&["EVAL", "return redis.call('TYPE', 'l')", "0"]),
        args(&["EVAL", "return redis.pcall('INCR', 'l')", "0"]),
        args(&["EVAL", "return redis.call('INCR', 'l')", "0"]),
        args(&["EVAL", "return redis.call('NOSUCHCMD')", "0"]),
        args(&["EVAL", "return redis.pcall('NOSUCHCMD')", "0"]),
        args(&["EVAL", "return redis.call('GET')", "0"]),
        args(&["EVAL", "return redis.call()", "0"]),
        args(&["EVAL", "return redis.call('GET', {})", "0"]),
        args(&["EVAL", "return redis.call('EVAL', 'return 1', 0)", "0"]),
        args(&["EVAL", "return redis.call('MULTI')", "0"]),
        args(&["EVAL", "return redis.call('BLPOP', 'empty', 0)", "0"]),
        args(&[
            "EVAL",
            "redis.call('SELECT', 1) redis.call('SET', 'in1', 'x') return redis.call('DBSIZE')",
            "0",
        ]),
        cmd("DBSIZE"),
        cmd("EXISTS in1"),
        cmd("SELECT 1"),
        cmd("GET in1"),
        cmd("SELECT 0"),
        args(&[
            "EVAL",
            "local r = redis.pcall('INCR', 'l') return r['err']",
            "0",
        ]),
        args(&[
            "EVAL",
            "return pcall(function() redis.call('INCR', 'l') end)",
            "0",
        ]),
    ])
}

pub fn eval_errors() -> Script {
    script(vec![
        args(&["EVAL", "return 1"]),
        args(&["EVAL", "return 1", "x"]),
        args(&["EVAL", "return 1", "-1"]),
        args(&["EVAL", "return 1", "2", "a"]),
        args(&["EVAL", "return +", "0"]),
        args(&["EVAL", "retur 1", "0"]),
        args(&["EVAL", "return nosuchvar", "0"]),
        args(&["EVAL", "newglobal = 1", "0"]),
        args(&["EVAL", "return loadstring('return 1 + 1')()", "0"]),
        args(&["EVAL", "return select(2, loadstring('x ='))", "0"]),
        args(&["EVAL", "return select(2, loadstring('x =', '=mine'))", "0"]),
        args(&["EVAL", "return select(2, loadstring('x = \\1'))", "0"]),
        args(&[
            "EVAL",
            "return select(2, loadstring(string.rep('y', 61) .. ' ='))",
            "0",
        ]),
        args(&[
            "EVAL",
            "return select(2, loadstring(string.rep('y', 70) .. ' ='))",
            "0",
        ]),
        args(&[
            "EVAL",
            "return loadstring(string.dump(function() return 1 end))()",
            "0",
        ]),
        args(&["EVAL", "return redis.pcall('client', 'getname')", "0"]),
        args(&["DEBUG", "SET-DISABLE-DENY-SCRIPTS", "1"]),
        args(&["EVAL", "return redis.call('client', 'getname')", "0"]),
        args(&["DEBUG", "SET-DISABLE-DENY-SCRIPTS", "0"]),
        args(&["EVAL", "return redis.pcall('object', 'nope', 'k')", "0"]),
        args(&["EVAL", "return redis.pcall('object', 'encoding')", "0"]),
        args(&["EVAL", "return redis.pcall('xinfo', 'help', 'x')", "0"]),
        args(&["EVAL", "return redis.pcall('client', 'getname')", "0"]),
        args(&["EVAL", "return nil + 1", "0"]),
        args(&["EVAL", "error('plain')", "0"]),
        args(&["EVAL", "error({err='TABLEERR raised'})", "0"]),
        args(&["EVAL", "local x = nil; return x.field", "0"]),
        args(&["EVAL", "return type(print)", "0"]),
        args(&["EVAL", "#!lua\nreturn 1", "0"]),
        args(&[
            "EVAL",
            "#!lua flags=no-writes\nreturn redis.call('SET', 'x', 1)",
            "0",
        ]),
        args(&[
            "EVAL",
            "#!lua flags=no-writes\nreturn redis.call('GET', 'x')",
            "0",
        ]),
        args(&["EVAL", "#!lua flags=bogus\nreturn 1", "0"]),
        args(&["EVAL", "#!python\nreturn 1", "0"]),
        args(&["EVAL", "#!lua name=x\nreturn 1", "0"]),
        args(&["EVAL", "#!lua", "0"]),
        args(&["EVAL_RO", "return redis.call('SET', 'x', 1)", "0"]),
        args(&[
            "EVAL_RO",
            "#!lua flags=no-writes\nreturn redis.call('GET', 'x')",
            "0",
        ]),
        args(&["EVAL_RO", "#!lua\nreturn 1", "0"]),
    ])
}

pub fn evalsha_and_script() -> Script {
    script(vec![
        args(&["SCRIPT", "LOAD", "return 'loaded'"]),
        args(&["EVALSHA", "b534286061d4b9e4026607613b95c06c06015ae8", "0"]),
        args(&["EVALSHA", "short", "0"]),
        args(&["EVAL", "return 'cached'", "0"]),
        args(&[
            "SCRIPT",
            "EXISTS",
            "952f49ffc8f7b098d8ab5da45d3164ca36ed18b1",
            "B534286061D4B9E4026607613B95C06C06015AE8",
            "0000000000000000000000000000000000000000",
        ]),
        args(&["SCRIPT", "LOAD", "return +"]),
        args(&["SCRIPT", "FLUSH", "BOGUS"]),
        args(&["SCRIPT", "FLUSH"]),
        args(&["SCRIPT", "FLUSH", "ASYNC"]),
        args(&["SCRIPT", "KILL"]),
        args(&["SCRIPT", "NOPE"]),
        args(&["SCRIPT"]),
        args(&["SCRIPT", "EXISTS"]),
        args(&[
            "EVALSHA_RO",
            "0000000000000000000000000000000000000000",
            "0",
        ]),
    ])
}

const LIBRARY: &str = "#!lua name=mylib\n\
    redis.register_function('myget', function(keys, args) return redis.call('GET', keys[1]) end)\n\
    redis.register_function{function_name='myset', callback=function(keys, args) return redis.call('SET', keys[1], args[1]) end, description='sets'}\n\
    redis.register_function{function_name='ro', callback=function(keys, args) return #keys end, flags={'no-writes', 'allow-stale'}}";

pub fn functions() -> Script {
    script(vec![
        args(&["FUNCTION", "LOAD", LIBRARY]),
        args(&["FUNCTION", "LOAD", LIBRARY]),
        args(&["FUNCTION", "LOAD", "REPLACE", LIBRARY]),
        args(&["FCALL", "myset", "1", "fk", "fv"]),
        args(&["FCALL", "myget", "1", "fk"]),
        args(&["FCALL", "ro", "2", "a", "b"]),
        args(&["FCALL_RO", "ro", "1", "a"]),
        args(&["FCALL_RO", "myset", "1", "fk", "x"]),
        args(&["FCALL", "nosuch", "0"]),
        args(&["FCALL", "myget", "x"]),
        args(&["FCALL", "myget", "5", "a"]),
        // Redis lists a library's functions in hash-table order.
        args(&["FUNCTION", "LIST"]).unordered(),
        args(&["FUNCTION", "LIST", "WITHCODE"]).unordered(),
        args(&["FUNCTION", "LIST", "LIBRARYNAME", "my*"]).unordered(),
        args(&["FUNCTION", "LIST", "LIBRARYNAME", "x*"]),
        args(&["FUNCTION", "LIST", "LIBRARYNAME"]),
        args(&["FUNCTION", "LIST", "BOGUS"]),
        args(&["FUNCTION", "STATS"]),
        args(&[
            "FUNCTION",
            "LOAD",
            "#!lua name=other\nredis.register_function('myget', function() return 1 end)",
        ]),
        args(&["FUNCTION", "LOAD", "return 1"]),
        args(&["FUNCTION", "LOAD", "#!lua\nreturn 1"]),
        args(&["FUNCTION", "LOAD", "#!lua name=bad-name\nreturn 1"]),
        args(&["FUNCTION", "LOAD", "#!js name=x\nreturn 1"]),
        args(&["FUNCTION", "LOAD", "#!lua name=empty\nlocal x = 1"]),
        args(&["FUNCTION", "LOAD", "#!lua name=broken\nreturn +"]),
        args(&["FUNCTION", "LOAD", "#!lua name=fails\nerror('boom')"]),
        args(&[
            "FUNCTION",
            "LOAD",
            "#!lua name=callsredis\nredis.call('SET', 'a', 1)",
        ]),
        args(&[
            "FUNCTION",
            "LOAD",
            "#!lua name=dup\nredis.register_function('d', function() end) redis.register_function('d', function() end)",
        ]),
        args(&[
            "FUNCTION",
            "LOAD",
            "#!lua name=badflag\nredis.register_function{function_name='f', callback=function() end, flags={'nope'}}",
        ]),
        args(&[
            "FUNCTION",
            "LOAD",
            "#!lua name=noname\nredis.register_function{callback=function() end}",
        ]),
        args(&[
            "FUNCTION",
            "LOAD",
            "#!lua name=nocb\nredis.register_function{function_name='f'}",
        ]),
        args(&[
            "FUNCTION",
            "LOAD",
            "#!lua name=args3\nredis.register_function('a', function() end, 3)",
        ]),
        args(&["FUNCTION", "DELETE", "nosuch"]),
        args(&["FUNCTION", "DELETE", "mylib"]),
        args(&["FCALL", "myget", "1", "fk"]),
        args(&["FUNCTION", "LIST"]),
        args(&["FUNCTION", "KILL"]),
        args(&["FUNCTION", "NOPE"]),
        args(&["FUNCTION", "FLUSH"]),
    ])
}

/// (`FUNCTION DUMP` bytes differ: Redis compresses the code with LZF; `scripting.rs` restores each server's
/// payload on the other instead.)
pub fn function_dump_restore() -> Script {
    let dumped_library = "#!lua name=lib1\nredis.register_function('one', function() return 1 end)";
    script(vec![
        args(&["FUNCTION", "LOAD", dumped_library]),
        args(&["FUNCTION", "RESTORE", "garbage"]),
        args(&["FUNCTION", "RESTORE", "x", "BOGUS"]),
    ])
}
