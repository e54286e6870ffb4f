//! Redis replication core: replication IDs and offsets, the backlog, the PSYNC decision and link state machines.
#![deny(missing_docs)]
