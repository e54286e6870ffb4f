//! Configuration in two layers: [`directives`] turns a config file and `--name value` arguments into raw
//! directives (no I/O, errors name the line), and [`Config`] holds the validated values, including what
//! `CONFIG GET`/`CONFIG SET` read and change at run time.

pub mod directives;
pub mod output_limits;
mod params;
pub mod rewrite;

pub use directives::{Directive, Origin};
pub use params::{Config, ConfigError, SavePoint, memory_value};
