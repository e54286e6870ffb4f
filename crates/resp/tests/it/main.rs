//! Integration tests of the resp crate.
