//! cargo xtask: developer and user tasks that drive the built binaries.
fn main() {}
