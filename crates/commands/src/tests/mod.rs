//! In-process unit tests of every data command family on a [`crate::DataCtx`]: replies, error paths (Redis
//! 7.0's texts, byte for byte), WRONGTYPE, what is propagated (rewrites included), the changes counted, and
//! the effects recorded (blocking requests and their serving, ready, touched and expired keys). Every handler
//! runs through `support::Harness`, one file per family; the byte-for-byte comparison with a running
//! redis-server is the server's differential suites' job.

mod support;

mod expire;
mod hashes;
mod hyperloglog;
mod keys;
mod lists;
mod sets;
mod streams;
mod strings;
mod zsets;
