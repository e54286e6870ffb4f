//! rserver as a library: config, listener, connections, command table, replication glue.
#![deny(missing_docs)]
