//! Hash commands (HSET ... HSCAN).
