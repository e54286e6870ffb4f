//! Conversions between Redis replies and Lua values, following Redis 7.0's scripting rules.

use bytes::Bytes;

use crate::host::Reply;
use crate::table::Table;
use crate::value::Value;

/// Nesting beyond this is reported instead of converted (Redis runs out of Lua stack similarly);
/// it also stops cycles such as `t[1] = t` and bounds the Rust stack the recursion needs.
const MAX_REPLY_DEPTH: usize = 256;

/// Normalises an error text the way Redis builds its `{err=...}` tables: a leading `-` means the
/// text starts with an error code (`-WRONGTYPE msg`), otherwise `ERR` is prepended; surrounding
/// CR/LF are trimmed.
pub(crate) fn normalize_error(raw: &[u8]) -> Vec<u8> {
    let (code, msg): (&[u8], &[u8]) = match raw.strip_prefix(b"-") {
        Some(rest) => match rest.iter().position(|&c| c == b' ') {
            Some(i) => (&rest[..i], &rest[i + 1..]),
            None => (b"ERR", rest),
        },
        None => (b"ERR", raw),
    };
    let is_crlf = |c: &u8| *c == b'\r' || *c == b'\n';
    let start = msg.iter().position(|c| !is_crlf(c)).unwrap_or(msg.len());
    let end = msg
        .iter()
        .rposition(|c| !is_crlf(c))
        .map_or(start, |i| i + 1);
    let mut out = Vec::with_capacity(code.len() + 1 + end - start);
    out.extend_from_slice(code);
    out.push(b' ');
    out.extend_from_slice(&msg[start..end]);
    out
}

/// `{err = <normalised text>}`.
pub(crate) fn error_table(raw: &[u8]) -> Value {
    let t = Table::new();
    t.set_str("err", Value::from(normalize_error(raw)));
    Value::Table(t)
}

/// The error table for an error reply produced by a command: Redis marks it so the server does
/// not count the error twice in its statistics.
fn command_error_table(text: &[u8]) -> Value {
    let mut raw = Vec::with_capacity(text.len() + 1);
    raw.push(b'-');
    raw.extend_from_slice(text);
    let v = error_table(&raw);
    if let Value::Table(t) = &v {
        t.set_str("ignore_error_stats_update", Value::Boolean(true));
    }
    v
}

fn single_field(name: &str, v: Value) -> Value {
    let t = Table::new();
    t.set_str(name, v);
    Value::Table(t)
}

/// Converts a command reply to the value `redis.call`/`redis.pcall` return (an error reply becomes
/// an `{err=...}` table; raising it is the caller's business). `resp` is the script's protocol:
/// a null is `false` under RESP2 and `nil` under RESP3.
pub(crate) fn reply_to_value(reply: &Reply, resp: u8) -> Value {
    match reply {
        Reply::Status(s) => single_field("ok", Value::from(&s[..])),
        Reply::Error(e) => command_error_table(e),
        Reply::Integer(i) => Value::Number(*i as f64),
        Reply::Bulk(b) => Value::from(&b[..]),
        Reply::Nil => {
            if resp == 3 {
                Value::Nil
            } else {
                Value::Boolean(false)
            }
        }
        Reply::NilArray => Value::Boolean(false),
        Reply::Array(items) => Value::Table(Table::from_array(
            items.iter().map(|r| reply_to_value(r, resp)).collect(),
        )),
        Reply::Map(pairs) => {
            let inner = Table::new();
            for (k, v) in pairs {
                // Entries whose key converts to nil cannot be stored, as in Redis.
                let _ = inner.raw_set(reply_to_value(k, resp), reply_to_value(v, resp));
            }
            single_field("map", Value::Table(inner))
        }
        Reply::Set(items) => {
            let inner = Table::new();
            for k in items {
                let _ = inner.raw_set(reply_to_value(k, resp), Value::Boolean(true));
            }
            single_field("set", Value::Table(inner))
        }
        Reply::Double(d) => single_field("double", Value::Number(*d)),
        Reply::Boolean(b) => Value::Boolean(*b),
        Reply::BigNumber(n) => single_field("big_number", Value::from(&n[..])),
        Reply::Verbatim { format, text } => {
            let inner = Table::new();
            inner.set_str("string", Value::from(&text[..]));
            inner.set_str("format", Value::from(&format[..]));
            single_field("verbatim_string", Value::Table(inner))
        }
    }
}

fn bytes_of(v: &Value) -> Bytes {
    Bytes::copy_from_slice(v.as_bytes().unwrap_or_default())
}

/// Redis replaces CR/LF in status-like replies so they cannot break the protocol.
fn without_newlines(v: &Value) -> Bytes {
    let mut b = v.as_bytes().unwrap_or_default().to_vec();
    for c in &mut b {
        if *c == b'\r' || *c == b'\n' {
            *c = b' ';
        }
    }
    Bytes::from(b)
}

/// Converts a script's return value (or a nested element) to a reply.
pub(crate) fn value_to_reply(v: &Value, resp: u8) -> Reply {
    to_reply_at(v, resp, 0)
}

fn to_reply_at(v: &Value, resp: u8, depth: usize) -> Reply {
    match v {
        Value::String(s) => Reply::Bulk(Bytes::copy_from_slice(s)),
        Value::Boolean(b) => {
            if resp == 3 {
                Reply::Boolean(*b)
            } else if *b {
                Reply::Integer(1)
            } else {
                Reply::Nil
            }
        }
        Value::Number(n) => Reply::Integer(crate::number::c_double_to_i64(*n)),
        Value::Table(t) => {
            if depth >= MAX_REPLY_DEPTH {
                return Reply::Error(Bytes::from_static(b"ERR reached lua stack limit"));
            }
            table_to_reply(t, resp, depth + 1)
        }
        Value::Nil | Value::Function(_) => Reply::Nil,
    }
}

fn table_to_reply(t: &Table, resp: u8, depth: usize) -> Reply {
    let err = t.get_str("err");
    if let Value::String(_) = err {
        return Reply::Error(bytes_of(&err));
    }
    let ok = t.get_str("ok");
    if let Value::String(_) = ok {
        return Reply::Status(without_newlines(&ok));
    }
    if let Value::Number(d) = t.get_str("double") {
        return Reply::Double(d);
    }
    let big = t.get_str("big_number");
    if let Value::String(_) = big {
        return Reply::BigNumber(without_newlines(&big));
    }
    if let Value::Table(vt) = t.get_str("verbatim_string")
        && let (Value::String(f), Value::String(s)) = (vt.get_str("format"), vt.get_str("string"))
    {
        let mut format = [b' '; 3];
        for (dst, src) in format.iter_mut().zip(f.iter()) {
            *dst = *src;
        }
        return Reply::Verbatim {
            format,
            text: Bytes::copy_from_slice(&s),
        };
    }
    if let Value::Table(m) = t.get_str("map") {
        let pairs = m
            .pairs()
            .iter()
            .map(|(k, v)| (to_reply_at(k, resp, depth), to_reply_at(v, resp, depth)))
            .collect();
        return Reply::Map(pairs);
    }
    if let Value::Table(s) = t.get_str("set") {
        return Reply::Set(
            s.pairs()
                .iter()
                .map(|(k, _)| to_reply_at(k, resp, depth))
                .collect(),
        );
    }
    let mut items = Vec::new();
    for i in 1.. {
        let v = t.get_int(i);
        if v.is_nil() {
            break;
        }
        items.push(to_reply_at(&v, resp, depth));
    }
    Reply::Array(items)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_normalisation_matches_redis() {
        assert_eq!(
            normalize_error(b"-WRONGTYPE bad type\r\n"),
            b"WRONGTYPE bad type"
        );
        assert_eq!(normalize_error(b"-FOO"), b"ERR FOO");
        assert_eq!(normalize_error(b"plain message"), b"ERR plain message");
        assert_eq!(normalize_error(b"-FOO bar baz"), b"FOO bar baz");
    }

    #[test]
    fn nested_cycles_are_cut() {
        let t = Table::new();
        t.set(Value::Number(1.0), Value::Table(t.clone())).unwrap();
        let mut r = value_to_reply(&Value::Table(t.clone()), 2);
        let mut depth = 0;
        while let Reply::Array(mut items) = r {
            r = items.pop().unwrap();
            depth += 1;
        }
        assert_eq!(depth, MAX_REPLY_DEPTH);
        assert_eq!(
            r,
            Reply::Error(Bytes::from_static(b"ERR reached lua stack limit"))
        );
        // Break the cycle so the test does not leak.
        t.set(Value::Number(1.0), Value::Nil).unwrap();
    }
}
