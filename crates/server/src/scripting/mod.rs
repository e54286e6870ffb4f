//! Lua scripting: `EVAL` scripts and `FUNCTION` libraries, on the `lua` crate's interpreter.
//!
//! - `shebang`: the first line of scripts (`#!lua flags=...`) and libraries (`#!lua name=...`).
//! - `registry`: libraries and the script cache as data in the `Core` (listing, snapshots, INFO).
//! - `gate`: the script running outside the core lock, and what other clients do meanwhile.
//! - `engine`: the Lua interpreters and what they compiled (`Shared::engine`).
//! - `run`: one script's run: the host behind `redis.call`, reply conversions, error texts.
//! - `commands`: `EVAL`/`EVALSHA`/`FCALL` (and `_RO`), `SCRIPT`, and the engine side of `FUNCTION`.

pub mod commands;
pub mod engine;
pub mod gate;
pub mod registry;
pub mod run;
pub mod shebang;

pub use gate::{Phase, ScriptGate};
