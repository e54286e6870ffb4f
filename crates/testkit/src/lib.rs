//! Test kit for multi-process tests of `rserver` (and of the real `redis-server`, which obeys the same contract).
//!
//! Everything here is blocking `std`: spawned server processes, `std::net` sockets, polling with a deadline.
//! It is shared by the server's integration tests and by `cargo xtask` (cluster-up, scenarios), so the
//! node lifecycle lives in exactly one place.
//!
//! - [`Node`]: a server process with its own directory, config file and log file, killed (`SIGKILL`) on drop;
//!   stopped politely with [`Node::stop`] / [`Node::shutdown`], restarted with [`Node::start_again`] after
//!   editing its [`NodeConfig`].
//! - [`Client`]: a blocking RESP client built on the `resp` crate's codec.
//! - [`wait_until`] / [`poll_until`]: the one place where the kit sleeps; [`wait_for_sync`],
//!   [`wait_replica_online`] and [`wait_for_ofs_sync`] are the named waits of Redis's own test suite.
//! - [`free_port`] / [`free_ports`]: ports for nodes; tests never use fixed ports.
//! - [`Proxy`]: a fault-injecting TCP proxy to put between a replica and its master (cut the link, also at a
//!   chosen byte position of a [`Direction`], pause it, slow it down).
//! - [`require_redis!`]: skip loudly (or fail under `REQUIRE_REDIS=1`) when the real Redis tools are missing.
//! - [`replication_filters`]: insta filters for `INFO replication` and ROLE text.
//! - [`Dataset`]: a node's whole data set read through ordinary commands, comparable across implementations.
//! - [`Rng`]: the seeded PRNG behind seeded loads; [`difftest`]: the seeded differential command sequence run
//!   against `rserver` and `redis-server` (and through a replica), shared by `cargo xtask difftest` and CI.
//! - [`torture`]: the seeded, time-bounded torture run (a replicated cluster under every command family and
//!   random faults, with invariants checked continuously and at quiescence points), shared by
//!   `cargo xtask torture` and CI.
//!
//! ```no_run
//! use testkit::{Node, NodeConfig, free_ports, wait_for_sync};
//!
//! let [master_port, replica_port] = free_ports::<2>();
//! let master = Node::start("/usr/bin/redis-server", NodeConfig::new(master_port));
//! let replica = Node::start(
//!     "/usr/bin/redis-server",
//!     NodeConfig::new(replica_port).replica_of(master.port()),
//! );
//! wait_for_sync(&replica);
//! master.cmd(&["SET", "k", "v"]);
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod client;
mod config;
mod dataset;
pub mod difftest;
mod filters;
mod node;
mod ports;
mod proxy;
mod redis;
mod rng;
pub mod torture;
mod wait;
mod waits;

pub use client::{Client, ClientError, info_field_in};
pub use config::NodeConfig;
pub use dataset::{
    Dataset, Entry, StreamContent, StreamGroup, Value, assert_equal_datasets, assert_same_data,
};
pub use filters::replication_filters;
pub use node::{Node, NodeError, Shutdown};
pub use ports::{free_port, free_ports, free_ports_vec};
pub use proxy::{Direction, Proxy};
pub use redis::{REDIS_TOOLS, redis_available, redis_tool, require_redis};
pub use rng::Rng;
pub use wait::{DEFAULT_DEADLINE, POLL_INTERVAL, poll_until, wait_until};
pub use waits::{
    wait_for_link_down, wait_for_ofs_sync, wait_for_replication_field, wait_for_sync,
    wait_replica_online,
};
