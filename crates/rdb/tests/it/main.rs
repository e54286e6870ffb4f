//! Integration tests of the `rdb` crate through its public API: round trips, Redis's own bytes, the exact
//! layout the writer produces, corrupt input, and interop with a real `redis-server` when one is installed.

mod corrupt;
mod handbuilt;
mod interop;
mod layout;
mod reader;
mod roundtrip;
mod streaming;
mod streams;
mod support;
