//! The `rserver` binary.
fn main() {}
