//! Lua scripting: `EVAL` scripts and `FUNCTION` libraries, on the `lua` crate's interpreter.
//!
//! - `shebang`: the first line of scripts (`#!lua flags=...`) and libraries (`#!lua name=...`).
//! - `registry`: libraries and the script cache as data in the `Core` (listing, snapshots, INFO).
//! - `gate`: the script running outside the core lock, and what other clients do meanwhile.
//! - `engine`: the Lua interpreters and what they compiled (`Shared::engine`).
//!
//! What runs scripts is in the command layer, which they call back into: `cmd/scripts.rs` (`EVAL`/`EVALSHA`/
//! `FCALL` and `_RO`, `SCRIPT`, the engine side of `FUNCTION`) and `cmd/script_run.rs` (one script's run: the
//! host behind `redis.call`, reply conversions, error texts). This module is the state they share, below
//! the `Core` and `Shared` that hold it.

pub mod engine;
pub mod gate;
mod invocation;
pub mod registry;
pub mod shebang;

pub use gate::{Phase, ScriptGate};
pub use invocation::Invocation;
