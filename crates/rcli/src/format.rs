//! Turning a reply [`Frame`] into the exact bytes redis-cli 7.0 prints for it.
//!
//! This is a port of redis-cli's `cliFormatReplyTTY` and `cliFormatReplyRaw` (`src/redis-cli.c`), kept pure so
//! both the one-shot mode and the REPL use it and snapshot tests can pin every case without a server.
//! The output is bytes, not a `String`: in raw mode redis-cli writes values exactly as received, and a binary value
//! (`rcli GET image > image.png`) must survive.

use resp::Frame;

/// How a reply is rendered; redis-cli's `config.output` plus its per-command "verbatim" override.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormatMode {
    /// Human-readable output, redis-cli's default when stdout is a terminal (or with `--no-raw`):
    /// `(integer) 1`, quoted and escaped strings, numbered nested arrays.
    Tty,
    /// redis-cli's default when stdout is not a terminal (or with `--raw`): values as-is, one array element per line,
    /// and a newline after the whole reply.
    Raw,
    /// `--csv`: scalars comma-separated on one line, strings quoted, aggregates (maps too) flattened.
    Csv,
    /// What redis-cli uses for commands whose reply is text meant to be read as-is (`INFO`, `CLIENT LIST`, ...),
    /// whatever the output mode: like [`FormatMode::Raw`] but without the newline after the reply, because such
    /// text already ends in CRLF.
    Verbatim,
}

/// Renders `frame` as redis-cli prints it in `mode`, including the final newline (except in
/// [`FormatMode::Verbatim`]).
pub fn format_reply(frame: &Frame, mode: FormatMode) -> Vec<u8> {
    let mut out = Vec::new();
    match mode {
        FormatMode::Tty => write_tty(frame, b"", &mut out),
        FormatMode::Raw => {
            write_raw(frame, &mut out);
            out.push(b'\n');
        }
        FormatMode::Csv => {
            write_csv(frame, &mut out);
            out.push(b'\n');
        }
        FormatMode::Verbatim => write_raw(frame, &mut out),
    }
    out
}

/// Appends `bytes` quoted and escaped as redis-cli shows strings (sds `sdscatrepr`).
pub fn write_quoted(bytes: &[u8], out: &mut Vec<u8>) {
    out.push(b'"');
    for &byte in bytes {
        match byte {
            b'\\' | b'"' => out.extend_from_slice(&[b'\\', byte]),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0x07 => out.extend_from_slice(b"\\a"),
            0x08 => out.extend_from_slice(b"\\b"),
            // `isprint` in the C locale, which redis-cli never changes.
            0x20..=0x7e => out.push(byte),
            _ => out.extend_from_slice(format!("\\x{byte:02x}").as_bytes()),
        }
    }
    out.push(b'"');
}

/// `cliFormatReplyTTY`. `prefix` is the indentation of the enclosing aggregates; it is written before every element
/// but the first, because the caller has already written the first element's index on the current line.
fn write_tty(frame: &Frame, prefix: &[u8], out: &mut Vec<u8>) {
    match frame {
        Frame::Error(text) | Frame::BulkError(text) => {
            out.extend_from_slice(b"(error) ");
            out.extend_from_slice(text);
            out.push(b'\n');
        }
        Frame::Simple(text) => {
            out.extend_from_slice(text);
            out.push(b'\n');
        }
        Frame::Integer(value) => out.extend_from_slice(format!("(integer) {value}\n").as_bytes()),
        Frame::Double(value) => {
            out.extend_from_slice(format!("(double) {}\n", resp::format_double(*value)).as_bytes())
        }
        // redis-cli 7.0 aborts with "Unknown reply type: 13" here; later versions print this, which is the useful choice.
        Frame::BigNumber(digits) => {
            out.extend_from_slice(b"(big number) ");
            out.extend_from_slice(digits);
            out.push(b'\n');
        }
        Frame::Bulk(data) => {
            write_quoted(data, out);
            out.push(b'\n');
        }
        // Verbatim strings are shown as the text they are, not quoted.
        Frame::Verbatim { text, .. } => {
            out.extend_from_slice(text);
            out.push(b'\n');
        }
        Frame::Null | Frame::NullArray => out.extend_from_slice(b"(nil)\n"),
        Frame::Boolean(value) => {
            out.extend_from_slice(if *value { b"(true)\n" } else { b"(false)\n" })
        }
        Frame::Array(items) => write_tty_sequence(items, b')', b"(empty array)\n", prefix, out),
        Frame::Set(items) => write_tty_sequence(items, b'~', b"(empty set)\n", prefix, out),
        Frame::Push(items) => write_tty_sequence(items, b')', b"(empty push)\n", prefix, out),
        Frame::Map(entries) => write_tty_map(entries, prefix, out),
    }
}

fn write_tty_sequence(
    items: &[Frame],
    separator: u8,
    empty: &[u8],
    prefix: &[u8],
    out: &mut Vec<u8>,
) {
    if items.is_empty() {
        out.extend_from_slice(empty);
        return;
    }
    let index_width = decimal_width(items.len());
    let nested_prefix = nested_prefix(prefix, index_width);
    for (index, item) in items.iter().enumerate() {
        write_tty_index(index, index_width, separator, prefix, out);
        write_tty(item, &nested_prefix, out);
    }
}

fn write_tty_map(entries: &[(Frame, Frame)], prefix: &[u8], out: &mut Vec<u8>) {
    if entries.is_empty() {
        out.extend_from_slice(b"(empty hash)\n");
        return;
    }
    let index_width = decimal_width(entries.len());
    let nested_prefix = nested_prefix(prefix, index_width);
    for (index, (key, value)) in entries.iter().enumerate() {
        write_tty_index(index, index_width, b'#', prefix, out);
        write_tty(key, &nested_prefix, out);
        // redis-cli drops the key's newline (whatever the key rendered as) to put the value on the same line.
        out.pop();
        out.extend_from_slice(b" => ");
        // A value spanning several lines starts on its own line, aligned like the entries below it.
        if is_multiline_tty(value) {
            out.push(b'\n');
            out.extend_from_slice(&nested_prefix);
        }
        write_tty(value, &nested_prefix, out);
    }
}

/// `cliIsMultilineValueTTY`: whether [`write_tty`] renders `frame` on more than one line.
fn is_multiline_tty(frame: &Frame) -> bool {
    match frame {
        Frame::Array(items) | Frame::Set(items) | Frame::Push(items) => match items.as_slice() {
            [] => false,
            [only] => is_multiline_tty(only),
            _ => true,
        },
        Frame::Map(entries) => match entries.as_slice() {
            [] => false,
            [(_, value)] => is_multiline_tty(value),
            _ => true,
        },
        _ => false,
    }
}

fn write_tty_index(
    index: usize,
    index_width: usize,
    separator: u8,
    prefix: &[u8],
    out: &mut Vec<u8>,
) {
    if index > 0 {
        out.extend_from_slice(prefix);
    }
    out.extend_from_slice(format!("{:>index_width$}", index + 1).as_bytes());
    out.push(separator);
    out.push(b' ');
}

/// Elements of a nested aggregate line up after the parent's index: its width plus the separator and a space.
fn nested_prefix(prefix: &[u8], index_width: usize) -> Vec<u8> {
    let mut nested = prefix.to_vec();
    nested.resize(prefix.len() + index_width + 2, b' ');
    nested
}

fn decimal_width(count: usize) -> usize {
    count.to_string().len()
}

/// `cliFormatReplyRaw`: no quoting, no type markers, aggregates flattened one element per line.
fn write_raw(frame: &Frame, out: &mut Vec<u8>) {
    match frame {
        Frame::Null | Frame::NullArray => {}
        // The extra newline is redis-cli's: raw errors end up followed by an empty line.
        Frame::Error(text) | Frame::BulkError(text) => {
            out.extend_from_slice(text);
            out.push(b'\n');
        }
        Frame::Simple(text)
        | Frame::Bulk(text)
        | Frame::BigNumber(text)
        | Frame::Verbatim { text, .. } => out.extend_from_slice(text),
        Frame::Boolean(value) => out.extend_from_slice(if *value { b"(true)" } else { b"(false)" }),
        Frame::Integer(value) => out.extend_from_slice(value.to_string().as_bytes()),
        Frame::Double(value) => out.extend_from_slice(resp::format_double(*value).as_bytes()),
        Frame::Array(items) | Frame::Set(items) | Frame::Push(items) => {
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    out.push(b'\n');
                }
                write_raw(item, out);
            }
        }
        Frame::Map(entries) => {
            for (index, (key, value)) in entries.iter().enumerate() {
                if index > 0 {
                    out.push(b'\n');
                }
                write_raw(key, out);
                out.push(b' ');
                write_raw(value, out);
            }
        }
    }
}

/// `cliFormatReplyCSV`.
fn write_csv(frame: &Frame, out: &mut Vec<u8>) {
    match frame {
        Frame::Error(text) | Frame::BulkError(text) => {
            out.extend_from_slice(b"ERROR,");
            // redis-cli measures the error with `strlen`: it ends at the first NUL.
            let end = text
                .iter()
                .position(|byte| *byte == 0)
                .unwrap_or(text.len());
            write_quoted(&text[..end], out);
        }
        Frame::Simple(text) | Frame::Bulk(text) | Frame::Verbatim { text, .. } => {
            write_quoted(text, out)
        }
        Frame::Integer(value) => out.extend_from_slice(value.to_string().as_bytes()),
        Frame::Double(value) => out.extend_from_slice(resp::format_double(*value).as_bytes()),
        // redis-cli 7.0 exits with "Unknown reply type" here; the digits are the useful choice.
        Frame::BigNumber(digits) => out.extend_from_slice(digits),
        Frame::Null | Frame::NullArray => out.extend_from_slice(b"NULL"),
        Frame::Boolean(value) => out.extend_from_slice(if *value { b"true" } else { b"false" }),
        Frame::Array(items) | Frame::Set(items) | Frame::Push(items) => {
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    out.push(b',');
                }
                write_csv(item, out);
            }
        }
        Frame::Map(entries) => {
            for (index, (key, value)) in entries.iter().enumerate() {
                if index > 0 {
                    out.push(b',');
                }
                write_csv(key, out);
                out.push(b',');
                write_csv(value, out);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_escapes_like_sdscatrepr() {
        let mut out = Vec::new();
        write_quoted(b"a\"b\\c\n\r\t\x07\x08\x00\x7f\xff ~", &mut out);
        assert_eq!(out, br#""a\"b\\c\n\r\t\a\b\x00\x7f\xff ~""#);
    }
}
