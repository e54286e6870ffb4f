//! The ACL command categories (`+@read`, `ACL CAT`), as bits, in Redis's order: `ACL CAT`, `COMMAND INFO` and
//! the rule describer all walk them in this order, and the describer's choice between equally good
//! categories depends on it.

/// `@keyspace`.
pub const KEYSPACE: u32 = 1 << 0;
/// `@read`.
pub const READ: u32 = 1 << 1;
/// `@write`.
pub const WRITE: u32 = 1 << 2;
/// `@set`.
pub const SET: u32 = 1 << 3;
/// `@sortedset`.
pub const SORTEDSET: u32 = 1 << 4;
/// `@list`.
pub const LIST: u32 = 1 << 5;
/// `@hash`.
pub const HASH: u32 = 1 << 6;
/// `@string`.
pub const STRING: u32 = 1 << 7;
/// `@bitmap`.
pub const BITMAP: u32 = 1 << 8;
/// `@hyperloglog`.
pub const HYPERLOGLOG: u32 = 1 << 9;
/// `@geo`.
pub const GEO: u32 = 1 << 10;
/// `@stream`.
pub const STREAM: u32 = 1 << 11;
/// `@pubsub`.
pub const PUBSUB: u32 = 1 << 12;
/// `@admin`.
pub const ADMIN: u32 = 1 << 13;
/// `@fast`.
pub const FAST: u32 = 1 << 14;
/// `@slow`.
pub const SLOW: u32 = 1 << 15;
/// `@blocking`.
pub const BLOCKING: u32 = 1 << 16;
/// `@dangerous`.
pub const DANGEROUS: u32 = 1 << 17;
/// `@connection`.
pub const CONNECTION: u32 = 1 << 18;
/// `@transaction`.
pub const TRANSACTION: u32 = 1 << 19;
/// `@scripting`.
pub const SCRIPTING: u32 = 1 << 20;

/// Every category: its name and bit, in Redis's order.
pub const ALL: [(&str, u32); 21] = [
    ("keyspace", KEYSPACE),
    ("read", READ),
    ("write", WRITE),
    ("set", SET),
    ("sortedset", SORTEDSET),
    ("list", LIST),
    ("hash", HASH),
    ("string", STRING),
    ("bitmap", BITMAP),
    ("hyperloglog", HYPERLOGLOG),
    ("geo", GEO),
    ("stream", STREAM),
    ("pubsub", PUBSUB),
    ("admin", ADMIN),
    ("fast", FAST),
    ("slow", SLOW),
    ("blocking", BLOCKING),
    ("dangerous", DANGEROUS),
    ("connection", CONNECTION),
    ("transaction", TRANSACTION),
    ("scripting", SCRIPTING),
];

/// The bit of the category named `name` (any case), as `+@name` and `ACL CAT name` accept it.
pub fn by_name(name: &[u8]) -> Option<u32> {
    ALL.iter()
        .find(|(known, _)| known.as_bytes().eq_ignore_ascii_case(name))
        .map(|(_, bit)| *bit)
}

/// The names of the categories set in `bits`, in Redis's order (`COMMAND INFO` shows them with an `@`).
pub fn names(bits: u32) -> impl Iterator<Item = &'static str> {
    ALL.iter()
        .filter(move |(_, bit)| bits & bit != 0)
        .map(|(name, _)| *name)
}
