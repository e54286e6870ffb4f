//! The `rcli` binary.
fn main() {}
