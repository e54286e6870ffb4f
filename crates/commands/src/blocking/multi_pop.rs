//! The arguments the multi-key pops share (`LMPOP`, `ZMPOP`, and `BLMPOP`, `BZMPOP` after their timeout), read as
//! Redis 7.0's `blmpopGenericCommand` and `zmpopGenericCommand` read them.

use bytes::Bytes;
use resp::Frame;

/// The arguments of `LMPOP`/`ZMPOP` (and, after their timeout, `BLMPOP`/`BZMPOP`): `numkeys key... WHERE
/// [COUNT count]`, checked in Redis's order: numkeys, then that a WHERE word follows the keys, then the
/// options. The WHERE word itself is for the caller to check.
#[derive(Debug)]
pub struct MultiPop<'a> {
    /// The keys, in order.
    pub keys: &'a [Bytes],
    /// `LEFT`/`RIGHT` or `MIN`/`MAX`, as written.
    pub where_arg: &'a Bytes,
    /// How many to pop (1 without `COUNT`).
    pub count: u64,
}

/// Parses [`MultiPop`] from `args`, which starts at `numkeys`.
pub fn parse_multi_pop(args: &[Bytes]) -> Result<MultiPop<'_>, Frame> {
    let positive = |arg: &[u8], message: &str| {
        crate::args::parse_i64(arg)
            .filter(|value| *value >= 1)
            .map(|value| value as u64)
            .ok_or_else(|| crate::errors::reply(message))
    };
    let numkeys = positive(&args[0], "ERR numkeys should be greater than 0")?;
    let where_index = usize::try_from(numkeys)
        .ok()
        .and_then(|numkeys| numkeys.checked_add(1))
        .filter(|index| *index < args.len())
        .ok_or_else(|| crate::errors::reply(crate::errors::SYNTAX))?;
    let mut count = None;
    let mut options = args[where_index + 1..].iter();
    while let Some(option) = options.next() {
        match options.as_slice().first() {
            Some(value) if count.is_none() && crate::is(option, "count") => {
                count = Some(positive(value, "ERR count should be greater than 0")?);
                options.next();
            }
            _ => return Err(crate::errors::reply(crate::errors::SYNTAX)),
        }
    }
    Ok(MultiPop {
        keys: &args[1..where_index],
        where_arg: &args[where_index],
        count: count.unwrap_or(1),
    })
}
