//! The only `os` function Redis scripts get: `os.clock`.

use crate::table::Table;
use crate::value::Value;

use super::register;

pub(super) fn open(t: &Table) {
    // Wall time since the interpreter was created stands in for process CPU time: both only
    // serve to measure durations inside a script.
    register(t, "clock", |ctx, _| {
        Ok(vec![Value::Number(
            ctx.lua().started.elapsed().as_secs_f64(),
        )])
    });
}
