//! In-process unit tests of every data command family on a [`crate::DataCtx`]: replies, error paths,
//! WRONGTYPE, what is propagated (rewrites included) and the effects recorded (blocking requests, ready and
//! touched keys). Each runs in microseconds; the byte-for-byte comparison with redis-server is the server's
//! differential suites' job.

mod support;

mod hashes;
mod hyperloglog;
mod keys;
mod lists;
mod sets;
mod streams;
mod strings;
mod zsets;
