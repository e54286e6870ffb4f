//! `string.format`: C `printf` conversions as Lua 5.1 exposes them.

use crate::interp::{CallContext, MAX_STRING_LEN};
use crate::number;
use crate::value::Value;

use super::{NativeResult, check_num, check_str};

#[derive(Default)]
struct Spec {
    left: bool,
    plus: bool,
    space: bool,
    alt: bool,
    zero: bool,
    width: usize,
    precision: Option<usize>,
}

impl Spec {
    /// Pads `body` (which starts after `sign_and_prefix`) to the field width.
    fn pad(&self, sign_and_prefix: &str, body: &str, zero_allowed: bool) -> String {
        let len = sign_and_prefix.len() + body.len();
        if len >= self.width {
            return format!("{sign_and_prefix}{body}");
        }
        let fill = self.width - len;
        if self.left {
            format!("{sign_and_prefix}{body}{}", " ".repeat(fill))
        } else if self.zero && zero_allowed {
            format!("{sign_and_prefix}{}{body}", "0".repeat(fill))
        } else {
            format!("{}{sign_and_prefix}{body}", " ".repeat(fill))
        }
    }

    fn sign(&self, negative: bool) -> &'static str {
        if negative {
            "-"
        } else if self.plus {
            "+"
        } else if self.space {
            " "
        } else {
            ""
        }
    }
}

/// Parses flags, width and precision after `%`; returns the spec and the index of the conversion.
fn parse_spec(
    ctx: &CallContext<'_>,
    fmt: &[u8],
    mut i: usize,
) -> Result<(Spec, usize), crate::LuaError> {
    let mut spec = Spec::default();
    let flags_start = i;
    while let Some(&c) = fmt.get(i) {
        match c {
            b'-' => spec.left = true,
            b'+' => spec.plus = true,
            b' ' => spec.space = true,
            b'#' => spec.alt = true,
            b'0' => spec.zero = true,
            _ => break,
        }
        i += 1;
    }
    if i - flags_start > 5 {
        return Err(ctx.error("invalid format (repeated flags)"));
    }
    let digits = |i: &mut usize| -> Result<usize, crate::LuaError> {
        let start = *i;
        let mut v = 0;
        while let Some(d) = fmt.get(*i).filter(|d| d.is_ascii_digit()) {
            v = v * 10 + usize::from(d - b'0');
            *i += 1;
        }
        if *i - start > 2 {
            return Err(ctx.error("invalid format (width or precision too long)"));
        }
        Ok(v)
    };
    spec.width = digits(&mut i)?;
    if fmt.get(i) == Some(&b'.') {
        i += 1;
        spec.precision = Some(digits(&mut i)?);
    }
    Ok((spec, i))
}

fn format_int(spec: &Spec, negative: bool, magnitude: u64, conv: u8) -> String {
    let mut digits = match conv {
        b'o' => format!("{magnitude:o}"),
        b'x' => format!("{magnitude:x}"),
        b'X' => format!("{magnitude:X}"),
        _ => magnitude.to_string(),
    };
    if let Some(p) = spec.precision {
        if p == 0 && magnitude == 0 {
            digits.clear();
        } else if digits.len() < p {
            digits = format!("{}{digits}", "0".repeat(p - digits.len()));
        }
    }
    let mut prefix = spec.sign(negative).to_string();
    if spec.alt {
        match conv {
            b'o' if !digits.starts_with('0') => digits.insert(0, '0'),
            b'x' if magnitude != 0 => prefix.push_str("0x"),
            b'X' if magnitude != 0 => prefix.push_str("0X"),
            _ => {}
        }
    }
    spec.pad(&prefix, &digits, spec.precision.is_none())
}

fn format_float(spec: &Spec, n: f64, conv: u8) -> String {
    let precision = spec.precision.unwrap_or(6);
    let negative = n.is_sign_negative();
    let a = n.abs();
    let upper = conv.is_ascii_uppercase();
    let mut body = match conv {
        b'e' | b'E' => number::format_e(a, precision, upper),
        b'f' => number::format_f(a, precision),
        _ => number::format_g(a, precision, spec.alt, upper),
    };
    if spec.alt && conv == b'f' && precision == 0 && a.is_finite() {
        body.push('.');
    }
    spec.pad(spec.sign(negative), &body, a.is_finite())
}

fn add_quoted(out: &mut Vec<u8>, s: &[u8]) {
    out.push(b'"');
    for &c in s {
        match c {
            b'"' | b'\\' | b'\n' => {
                out.push(b'\\');
                out.push(c);
            }
            b'\r' => out.extend_from_slice(b"\\r"),
            0 => out.extend_from_slice(b"\\000"),
            _ => out.push(c),
        }
    }
    out.push(b'"');
}

pub(super) fn format(ctx: &mut CallContext<'_>, args: Vec<Value>) -> NativeResult {
    let fmt = check_str(ctx, &args, 0)?;
    let mut out = Vec::with_capacity(fmt.len());
    let mut argi = 0;
    let mut i = 0;
    while i < fmt.len() {
        let c = fmt[i];
        i += 1;
        if c != b'%' {
            out.push(c);
            continue;
        }
        if fmt.get(i) == Some(&b'%') {
            out.push(b'%');
            i += 1;
            continue;
        }
        let (spec, at) = parse_spec(ctx, &fmt, i)?;
        let Some(&conv) = fmt.get(at) else {
            return Err(ctx.error("invalid option '%' to 'format'"));
        };
        i = at + 1;
        argi += 1;
        match conv {
            b'c' => {
                let ch = check_num(ctx, &args, argi)? as i64 as u8;
                let mut s = vec![ch];
                if spec.width > 1 {
                    let fill = vec![b' '; spec.width - 1];
                    if spec.left {
                        s.extend(fill)
                    } else {
                        s = [fill, s].concat()
                    }
                }
                out.extend(s);
            }
            b'd' | b'i' => {
                let n = number::c_double_to_i64(check_num(ctx, &args, argi)?);
                out.extend(format_int(&spec, n < 0, n.unsigned_abs(), b'd').into_bytes());
            }
            b'o' | b'u' | b'x' | b'X' => {
                let n = number::c_double_to_i64(check_num(ctx, &args, argi)?) as u64;
                out.extend(format_int(&spec, false, n, conv).into_bytes());
            }
            b'e' | b'E' | b'f' | b'g' | b'G' => {
                let n = check_num(ctx, &args, argi)?;
                out.extend(format_float(&spec, n, conv).into_bytes());
            }
            b'q' => add_quoted(&mut out, &check_str(ctx, &args, argi)?),
            b's' => {
                let s = check_str(ctx, &args, argi)?;
                if spec.precision.is_none() && s.len() >= 100 {
                    // Lua 5.1 copies long strings as they are, ignoring the width.
                    out.extend_from_slice(&s);
                } else {
                    let s = &s[..spec.precision.map_or(s.len(), |p| p.min(s.len()))];
                    let fill = spec.width.saturating_sub(s.len());
                    if !spec.left {
                        out.extend(std::iter::repeat_n(b' ', fill));
                    }
                    out.extend_from_slice(s);
                    if spec.left {
                        out.extend(std::iter::repeat_n(b' ', fill));
                    }
                }
            }
            other => {
                let shown = String::from_utf8_lossy(&[other]).into_owned();
                return Err(ctx.error(format!("invalid option '%{shown}' to 'format'")));
            }
        }
        if out.len() > MAX_STRING_LEN {
            return Err(ctx.error("resulting string too large"));
        }
    }
    Ok(vec![Value::from(out)])
}
