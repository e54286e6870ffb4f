//! Test kit for multi-process tests.
#![deny(missing_docs)]
