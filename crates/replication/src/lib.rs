//! Redis replication core, free of sockets and of the keyspace.
//!
//! - [`ReplId`] and [`ReplOffset`] name a position in a replication history.
//! - [`Backlog`] keeps the most recent bytes of the stream so a replica that lost its link can continue
//!   (`+CONTINUE`) instead of resyncing, and holds bytes that attached replicas have not been sent yet.
//! - [`ReplicationState`] is one server's view: its ids, offset, backlog and which database the stream last
//!   selected; [`ReplicationState::psync_decision`] is the master's PSYNC decision as one pure function.
//! - [`handshake`] drives the replica side of a new master link (PING, AUTH, REPLCONF, PSYNC) and reads the
//!   snapshot payload, over any `AsyncRead + AsyncWrite`, so it is tested over in-memory pipes.
//!
//! The snapshot payload is opaque bytes here: `server` produces and consumes it with the `rdb` crate.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod backlog;
pub mod handshake;
mod ids;
mod link;
mod state;

pub use backlog::Backlog;
pub use ids::{ReplId, ReplOffset};
pub use link::{LinkDownReason, ReplicaLinkState, ReplicaSyncState};
pub use state::{PsyncDecision, ReplicationState};
