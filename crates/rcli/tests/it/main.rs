//! Integration tests of rcli: reply formatting against snapshots and against the real redis-cli, and end-to-end runs
//! of the built binary next to redis-cli on a real redis-server.

mod cli;
mod follow;
mod format;
mod help;
mod modes;
mod repl;
mod support;
