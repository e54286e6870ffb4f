//! Interop with a real `redis-server` (Redis 7.0): its `SAVE` output loads here, and our output loads there,
//! for strings, for every collection type and encoding, and for streams with consumer groups. Skipped,
//! loudly, when `redis-server` is not on PATH, unless `REQUIRE_REDIS=1`.

mod collections;
mod harness;
mod streams;
mod strings;
