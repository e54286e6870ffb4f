//! Multi-process integration tests of the `rserver` binary.
//!
//! Every scenario is a function taking the [`support::Subject`] under test and runs twice: against `rserver`
//! (`env!("CARGO_BIN_EXE_rserver")`) and against the real `redis-server`, which validates the test itself and
//! skips loudly when Redis is not installed (fails under `REQUIRE_REDIS=1`). Filter with
//! `cargo test -p server --test it rserver` or `... redis`.
//!
//! Nodes run on free ports of 127.0.0.1 in their own temp directories and are killed when a test ends, passes
//! or fails; waits poll with a deadline (testkit), never sleep.

mod support;

mod acl;
mod aof;
mod auth_expiry;
mod blocking;
mod blocking_zsets;
mod command_docs;
mod command_table;
mod differential;
mod difftest;
mod faults;
mod full_sync;
mod info_role;
mod interop;
mod monitor;
mod output_limits;
mod propagation;
mod real_peers;
mod restart;
mod robustness;
mod scripting;
mod shutdown_wait;
mod snapshot_writes;
mod startup;
mod torture;
mod tx_pubsub;
mod watchdog;
mod zsets;
