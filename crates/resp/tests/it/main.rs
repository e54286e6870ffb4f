//! Integration tests of the resp crate: every-offset splits, Redis's exact protocol errors, property tests,
//! the no-quadratic-rescan guard and data-driven snapshots.

mod data;
mod errors;
mod props;
mod scale;
mod splits;
mod support;
