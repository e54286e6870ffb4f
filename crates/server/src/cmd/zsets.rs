//! Sorted-set commands (ZADD ... ZSCAN).
