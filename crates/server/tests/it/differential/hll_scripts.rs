//! Differential scripts for HyperLogLog: the replies and the exact bytes of the values (`GET` after every
//! change), sparse and dense, the header cache `PFCOUNT` writes, merges, `PFDEBUG`, and the error texts.

use super::{Script, Step, args, cmd, script};

/// `PFADD key e<from> .. e<to>`.
fn add_range(key: &str, from: usize, to: usize) -> Step {
    let mut words = vec!["PFADD".to_owned(), key.to_owned()];
    words.extend((from..to).map(|i| format!("e{i}")));
    args(&words)
}

pub fn hll_add_count_bytes() -> Script {
    script(vec![
        cmd("PFADD h"),
        cmd("GET h"),
        cmd("PFADD h"),
        cmd("PFADD h a b c"),
        cmd("PFADD h a b c"),
        cmd("GET h"),
        cmd("PFCOUNT h"),
        cmd("GET h"),
        cmd("PFCOUNT h"),
        cmd("OBJECT ENCODING h"),
        cmd("PFDEBUG ENCODING h"),
        cmd("PFDEBUG DECODE h"),
        add_range("big", 0, 1000),
        cmd("GET big"),
        cmd("PFCOUNT big"),
        cmd("GET big"),
        cmd("PFDEBUG ENCODING big"),
        add_range("big", 1000, 5000),
        cmd("PFDEBUG ENCODING big"),
        cmd("GET big"),
        cmd("PFCOUNT big"),
        cmd("GET big"),
        cmd("PFCOUNT nokey"),
        cmd("PFCOUNT h big nokey"),
        cmd("GET h"),
    ])
}

pub fn hll_merge_and_debug() -> Script {
    script(vec![
        add_range("a", 0, 50),
        add_range("b", 25, 100),
        add_range("d", 0, 3000),
        cmd("PFMERGE m a b"),
        cmd("GET m"),
        cmd("PFCOUNT m"),
        cmd("PFMERGE a b"),
        cmd("GET a"),
        cmd("PFMERGE m d"),
        cmd("PFDEBUG ENCODING m"),
        cmd("GET m"),
        cmd("PFMERGE empty nokey"),
        cmd("GET empty"),
        cmd("PFMERGE empty"),
        cmd("PFDEBUG TODENSE a"),
        cmd("PFDEBUG TODENSE a"),
        cmd("GET a"),
        cmd("PFDEBUG GETREG b"),
        cmd("GET b"),
        cmd("PFDEBUG DECODE a"),
        cmd("PFDEBUG ENCODING nokey"),
        cmd("PFDEBUG NOPE a"),
        cmd("CONFIG SET hll-sparse-max-bytes 40"),
        add_range("tiny", 0, 30),
        cmd("PFDEBUG ENCODING tiny"),
        cmd("GET tiny"),
    ])
}

pub fn hll_errors() -> Script {
    script(vec![
        cmd("SET s hello"),
        cmd("PFADD s a"),
        cmd("PFADD s"),
        cmd("PFCOUNT s"),
        cmd("PFCOUNT s s"),
        cmd("PFMERGE s"),
        cmd("PFMERGE x s"),
        cmd("PFDEBUG ENCODING s"),
        cmd("LPUSH l a"),
        cmd("PFADD l a"),
        cmd("PFCOUNT l"),
        args(&[&b"SET"[..], b"bad", b"HYLL\x01\0\0\0\0\0\0\0\0\0\0\0\x80"]),
        cmd("PFCOUNT bad"),
        cmd("PFADD bad x"),
        cmd("PFADD"),
        cmd("PFCOUNT"),
        cmd("PFMERGE"),
        cmd("PFDEBUG"),
    ])
}
