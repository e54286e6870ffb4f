//! The `math` library, with Redis's deterministic `random`.

use crate::interp::CallContext;
use crate::table::Table;
use crate::value::Value;

use super::{NativeResult, check_int, check_num, register};

/// The 48-bit linear congruential generator Redis uses for `math.random` (`redisLrand48`), so
/// scripts see the same sequence on every platform and every run of a fresh server.
#[derive(Clone, Debug)]
pub(crate) struct Rand48 {
    state: u64,
}

const RAND48_MASK: u64 = (1 << 48) - 1;
/// `REDIS_LRAND48_MAX`.
const RAND48_MAX: i64 = i32::MAX as i64;

impl Rand48 {
    pub(crate) fn new() -> Rand48 {
        Rand48 {
            state: 0x1234_ABCD_330E,
        }
    }

    pub(crate) fn seed(&mut self, seed: i32) {
        self.state = (u64::from(seed as u32) << 16) | 0x330E;
    }

    pub(crate) fn next(&mut self) -> i64 {
        self.state = (self.state.wrapping_mul(0x5_DEEC_E66D).wrapping_add(0xB)) & RAND48_MASK;
        (self.state >> 17) as i64
    }
}

fn unary(t: &Table, name: &str, f: fn(f64) -> f64) {
    register(t, name, move |ctx, args| {
        Ok(vec![Value::Number(f(check_num(ctx, &args, 0)?))])
    });
}

fn frexp(x: f64) -> (f64, i32) {
    if x == 0.0 || !x.is_finite() {
        return (x, 0);
    }
    let bits = x.to_bits();
    let exp = ((bits >> 52) & 0x7ff) as i32;
    if exp == 0 {
        // Subnormal: scale into the normal range first.
        let (m, e) = frexp(x * 2f64.powi(64));
        return (m, e - 64);
    }
    let m = f64::from_bits((bits & !(0x7ff << 52)) | (1022 << 52));
    (m, exp - 1022)
}

fn ldexp(m: f64, e: i64) -> f64 {
    let e = e.clamp(-2200, 2200) as i32;
    // Two steps keep intermediate powers of two representable.
    let half = e / 2;
    m * 2f64.powi(half) * 2f64.powi(e - half)
}

fn min_max(ctx: &mut CallContext<'_>, args: Vec<Value>, want_max: bool) -> NativeResult {
    let mut best = check_num(ctx, &args, 0)?;
    for i in 1..args.len() {
        let v = check_num(ctx, &args, i)?;
        if (want_max && v > best) || (!want_max && v < best) {
            best = v;
        }
    }
    Ok(vec![Value::Number(best)])
}

fn random(ctx: &mut CallContext<'_>, args: Vec<Value>) -> NativeResult {
    let r = (ctx.lua().rng.next() % RAND48_MAX) as f64 / RAND48_MAX as f64;
    let v = match args.len() {
        0 => r,
        1 => {
            let u = check_int(ctx, &args, 0)?;
            if u < 1 {
                return Err(ctx.arg_error(1, "interval is empty"));
            }
            (r * u as f64).floor() + 1.0
        }
        2 => {
            let l = check_int(ctx, &args, 0)?;
            let u = check_int(ctx, &args, 1)?;
            if l > u {
                return Err(ctx.arg_error(2, "interval is empty"));
            }
            (r * (u as f64 - l as f64 + 1.0)).floor() + l as f64
        }
        _ => return Err(ctx.error("wrong number of arguments")),
    };
    Ok(vec![Value::Number(v)])
}

pub(super) fn open(t: &Table) {
    unary(t, "abs", f64::abs);
    unary(t, "ceil", f64::ceil);
    unary(t, "floor", f64::floor);
    unary(t, "sqrt", f64::sqrt);
    unary(t, "sin", f64::sin);
    unary(t, "cos", f64::cos);
    unary(t, "tan", f64::tan);
    unary(t, "asin", f64::asin);
    unary(t, "acos", f64::acos);
    unary(t, "atan", f64::atan);
    unary(t, "sinh", f64::sinh);
    unary(t, "cosh", f64::cosh);
    unary(t, "tanh", f64::tanh);
    unary(t, "exp", f64::exp);
    unary(t, "log", f64::ln);
    unary(t, "log10", f64::log10);
    unary(t, "deg", f64::to_degrees);
    unary(t, "rad", f64::to_radians);
    register(t, "atan2", |ctx, args| {
        Ok(vec![Value::Number(
            check_num(ctx, &args, 0)?.atan2(check_num(ctx, &args, 1)?),
        )])
    });
    register(t, "pow", |ctx, args| {
        Ok(vec![Value::Number(
            check_num(ctx, &args, 0)?.powf(check_num(ctx, &args, 1)?),
        )])
    });
    // Rust's `%` on floats is C's fmod (truncated division).
    register(t, "fmod", |ctx, args| {
        Ok(vec![Value::Number(
            check_num(ctx, &args, 0)? % check_num(ctx, &args, 1)?,
        )])
    });
    register(t, "modf", |ctx, args| {
        let x = check_num(ctx, &args, 0)?;
        let int = x.trunc();
        let frac = if x.is_infinite() { 0.0 } else { x - int };
        Ok(vec![Value::Number(int), Value::Number(frac)])
    });
    register(t, "frexp", |ctx, args| {
        let (m, e) = frexp(check_num(ctx, &args, 0)?);
        Ok(vec![Value::Number(m), Value::Number(f64::from(e))])
    });
    register(t, "ldexp", |ctx, args| {
        Ok(vec![Value::Number(ldexp(
            check_num(ctx, &args, 0)?,
            check_int(ctx, &args, 1)?,
        ))])
    });
    register(t, "max", |ctx, args| min_max(ctx, args, true));
    register(t, "min", |ctx, args| min_max(ctx, args, false));
    register(t, "random", random);
    register(t, "randomseed", |ctx, args| {
        let seed = check_int(ctx, &args, 0)?;
        ctx.lua().rng.seed(seed as i32);
        Ok(Vec::new())
    });
    t.set_str("pi", Value::Number(std::f64::consts::PI));
    t.set_str("huge", Value::Number(f64::INFINITY));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rand48_matches_redis_sequence() {
        // A fresh redis-server 7.0: math.random() (truncated to 0 in the reply), then
        // math.random(100) == 85 and math.random(1,10) == 4, then 0.44658343468168, 0.31869277233197.
        let mut r = Rand48::new();
        let mut next = || (r.next() % RAND48_MAX) as f64 / RAND48_MAX as f64;
        assert!(next() < 1.0);
        assert_eq!((next() * 100.0).floor() + 1.0, 85.0);
        assert_eq!((next() * 10.0).floor() + 1.0, 4.0);
        assert_eq!(crate::number::format_number(next()), "0.44658343468168");
        assert_eq!(crate::number::format_number(next()), "0.31869277233197");
    }

    #[test]
    fn frexp_ldexp_round_trip() {
        for x in [1.0, 0.5, 3.75, -1e300, 5e-324, 123456.789] {
            let (m, e) = frexp(x);
            assert!((0.5..1.0).contains(&m.abs()), "{x}");
            assert_eq!(ldexp(m, i64::from(e)), x);
        }
    }
}
