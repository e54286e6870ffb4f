//! rcli as a library: the client and reply formatting exactly like redis-cli.
#![deny(missing_docs)]
