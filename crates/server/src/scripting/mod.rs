//! Lua scripting: `EVAL` scripts and `FUNCTION` libraries, on the `lua` crate's interpreter.
//!
//! - `shebang`: the first line of scripts (`#!lua flags=...`) and libraries (`#!lua name=...`).
//! - `registry`: libraries and the script cache as data in the `Core` (listing, snapshots, INFO).
//! - `gate`: the script running outside the core lock, and what other clients do meanwhile.

pub mod gate;
pub mod registry;
pub mod shebang;

pub use gate::{Phase, ScriptGate};
