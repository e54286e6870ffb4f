//! Differential scripts for the blocking sorted-set pops, BZPOPMIN and BZPOPMAX, where no client has to wait:
//! pops served at once (first non-empty key wins), the order of the WRONGTYPE and timeout checks, short
//! timeouts answering a null array, no blocking inside `MULTI`, and the RESP3 reply shape. Clients served
//! later by another connection's write are in `tests/it/blocking_zsets.rs`.

use super::{Expect, Script, cmd, script};

pub fn bzpop_served_at_once() -> Script {
    script(vec![
        cmd("ZADD z 1 a 2 b 3 c 4 d 5 e 6 f"),
        cmd("ZADD other -1.5 x 1e300 y"),
        cmd("BZPOPMIN z 0"),
        cmd("BZPOPMAX z 0"),
        cmd("BZPOPMIN nokey z 1"),
        cmd("BZPOPMAX nokey other z 0.5"),
        cmd("BZPOPMIN other z 0"),
        cmd("EXISTS other"),
        cmd("BZPOPMAX other z 0"),
        cmd("BZPOPMIN z z 0"),
        cmd("EXISTS z"),
        cmd("ZADD inf -inf low +inf high"),
        cmd("BZPOPMIN inf 0"),
        cmd("bzpopmax inf 0"),
        cmd("ZCARD z"),
    ])
}

/// Redis parses the timeout first, then walks the keys: missing keys are skipped, the first key of another
/// type answers WRONGTYPE, a sorted set before it is popped.
pub fn bzpop_errors() -> Script {
    script(vec![
        cmd("SET s v"),
        cmd("RPUSH l x"),
        cmd("ZADD z 1 a 2 b"),
        cmd("BZPOPMIN s 0"),
        cmd("BZPOPMAX l 0"),
        cmd("BZPOPMIN nokey s z 0"),
        cmd("BZPOPMIN z s 0"),
        cmd("BZPOPMAX z l 0"),
        cmd("EXISTS z"),
        cmd("BZPOPMIN s abc"),
        cmd("BZPOPMIN s -1"),
        cmd("BZPOPMIN nokey -1"),
        cmd("BZPOPMAX nokey nan"),
        cmd("BZPOPMAX nokey inf"),
        cmd("BZPOPMAX nokey 1e5000"),
        cmd("BZPOPMIN nokey 0x"),
        cmd("BZPOPMIN z"),
        cmd("BZPOPMAX z"),
        cmd("BZPOPMIN"),
        cmd("LRANGE l 0 -1"),
        cmd("GET s"),
    ])
}

pub fn bzpop_timeouts() -> Script {
    script(vec![
        cmd("BZPOPMIN nokey 0.01"),
        cmd("BZPOPMAX nokey other .02"),
        cmd("BZPOPMIN nokey +0.001"),
        cmd("BZPOPMIN nokey 1e-400"),
        cmd("BZPOPMAX nokey 0x1p-8"),
        cmd("EXISTS nokey other"),
        cmd("ZADD z 1 a"),
        cmd("BZPOPMIN nokey z 0.01"),
        cmd("BZPOPMIN z 0.01"),
    ])
}

/// Inside `MULTI` nothing blocks: empty keys answer as a timeout would, even with timeout 0.
pub fn bzpop_in_multi() -> Script {
    script(vec![
        cmd("ZADD z 1 a 2 b"),
        cmd("MULTI"),
        cmd("BZPOPMIN nokey 0"),
        cmd("BZPOPMAX z 0"),
        cmd("BZPOPMIN z 0"),
        cmd("BZPOPMIN z 0"),
        cmd("BZPOPMAX nokey abc"),
        cmd("EXEC"),
        cmd("EXISTS z"),
    ])
}

pub fn bzpop_resp3() -> Script {
    script(vec![
        cmd("HELLO 3").expect(Expect::SameExceptHelloId),
        cmd("ZADD z 1 a 2.5 b inf c"),
        cmd("BZPOPMIN z 0"),
        cmd("BZPOPMAX z 0"),
        cmd("BZPOPMAX nokey z 0"),
        cmd("BZPOPMIN nokey 0.01"),
        cmd("MULTI"),
        cmd("BZPOPMIN nokey 0"),
        cmd("EXEC"),
        cmd("HELLO 2").expect(Expect::SameExceptHelloId),
        cmd("BZPOPMIN nokey 0.01"),
    ])
}

/// ZMPOP and BZMPOP: the first non-empty sorted set of the keys, counts beyond the size, argument errors in
/// Redis's order, WRONGTYPE met first, inside MULTI, RESP3 scores, and a BZMPOP that times out.
pub fn zmpop_and_bzmpop() -> Script {
    script(vec![
        cmd("ZADD z2 1 a 2 b 3 c -1.5 d 1e300 e"),
        cmd("ZMPOP 2 z1 z2 MIN"),
        cmd("ZMPOP 2 z1 z2 max COUNT 2"),
        cmd("ZMPOP 1 z2 MIN COUNT 10"),
        cmd("EXISTS z2"),
        cmd("ZMPOP 2 z1 z2 MIN"),
        cmd("ZADD z1 5 x"),
        cmd("SET s v"),
        cmd("ZMPOP 2 s z1 MIN"),
        cmd("ZMPOP 2 z1 s MIN"),
        cmd("ZMPOP 0 z1 MIN"),
        cmd("ZMPOP abc z1 MIN"),
        cmd("ZMPOP 3 z1 MIN"),
        cmd("ZMPOP 1 z1 LEFT"),
        cmd("ZMPOP 1 z1 MIN COUNT 0"),
        cmd("ZMPOP 1 z1 MIN COUNT 1 COUNT 1"),
        cmd("ZMPOP 1 z1 MIN BAR"),
        cmd("BZMPOP 0.01 2 nokey other MIN"),
        cmd("BZMPOP 0.01 1 z1 MAX COUNT 3"),
        cmd("BZMPOP abc 1 z1 MIN"),
        cmd("BZMPOP 0.01 0 z1 MIN"),
        cmd("ZADD m 1 one 2 two 3 three"),
        cmd("MULTI"),
        cmd("BZMPOP 0 1 nokey MIN"),
        cmd("ZMPOP 1 m MAX COUNT 2"),
        cmd("EXEC"),
        cmd("HELLO 3").expect(Expect::SameExceptHelloId),
        cmd("ZMPOP 1 m MIN"),
        cmd("ZADD m 0.5 half"),
        cmd("BZMPOP 0 1 m MAX COUNT 2"),
    ])
}
