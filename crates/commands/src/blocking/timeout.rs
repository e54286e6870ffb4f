//! The timeout argument of the blocking commands, in seconds, read the way Redis 7.0 reads it
//! (`getTimeoutFromObjectOrReply`): a C `long double` by `strtold` (decimal, hexadecimal, `inf`), times 1000 in
//! extended precision, rounded up to whole milliseconds, then converted to a 64-bit integer, where an
//! out-of-range value becomes `LLONG_MIN` on x86-64 and is thus reported as negative. The extended precision
//! shows: `-0.001` rounds up to 0 (wait forever), not to -1.

use std::time::Duration;

use resp::Frame;

use crate::errors;
use crate::float::LongDouble;

/// The timeout: `Ok(None)` waits forever (0, or a negative value rounding up to 0), `Ok(Some(d))` waits `d`,
/// `Err` is the error reply.
pub fn parse_timeout(arg: &[u8]) -> Result<Option<Duration>, Frame> {
    let seconds = LongDouble::parse(arg).ok_or_else(|| errors::reply(errors::TIMEOUT_NOT_FLOAT))?;
    match seconds.thousandfold_ceil() {
        millis if millis < 0 => Err(errors::reply(errors::TIMEOUT_NEGATIVE)),
        0 => Ok(None),
        millis => Ok(Some(Duration::from_millis(millis.unsigned_abs()))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn timeout(arg: &str) -> Result<Option<u128>, String> {
        parse_timeout(arg.as_bytes())
            .map(|timeout| timeout.map(|duration| duration.as_millis()))
            .map_err(|error| match error {
                Frame::Error(text) => String::from_utf8_lossy(&text).into_owned(),
                other => format!("{other:?}"),
            })
    }

    const NOT_FLOAT: &str = "ERR timeout is not a float or out of range";
    const NEGATIVE: &str = "ERR timeout is negative";

    #[test]
    fn seconds_round_up_to_milliseconds() {
        assert_eq!(timeout("0"), Ok(None));
        assert_eq!(timeout("1"), Ok(Some(1000)));
        assert_eq!(timeout("0.01"), Ok(Some(10)));
        assert_eq!(timeout(".05"), Ok(Some(50)));
        assert_eq!(timeout("5."), Ok(Some(5000)));
        assert_eq!(timeout("+0.001"), Ok(Some(1)));
        assert_eq!(timeout("0.0001"), Ok(Some(1)));
        assert_eq!(timeout("1e-400"), Ok(Some(1)));
        assert_eq!(timeout("0x10"), Ok(Some(16000)));
        assert_eq!(timeout("0x1.8p1"), Ok(Some(3000)));
        assert_eq!(timeout("-0.0001"), Ok(None));
        assert_eq!(timeout("-1e-400"), Ok(None));
        // 0.001 is slightly below a thousandth in extended precision: -0.001 s rounds up to 0 ms, as in Redis.
        assert_eq!(timeout("-0.001"), Ok(None));
        assert_eq!(
            timeout("9223372036854775.807"),
            Ok(Some(9_223_372_036_854_775_807))
        );
    }

    #[test]
    fn refusals_match_redis() {
        for bad in [
            "", "abc", " 1", "1 ", "1e2x", "nan", "NaN", "1e-5000", "1e5000", "0x", "++1",
        ] {
            assert_eq!(timeout(bad), Err(NOT_FLOAT.to_owned()), "{bad:?}");
        }
        for negative in [
            "-1",
            "-0.002",
            "-inf",
            "inf",
            "infinity",
            "1e30",
            "1e400",
            "9223372036854775.808",
        ] {
            assert_eq!(timeout(negative), Err(NEGATIVE.to_owned()), "{negative:?}");
        }
        assert_eq!(timeout(&"1".repeat(5 * 1024)), Err(NOT_FLOAT.to_owned()));
    }
}
