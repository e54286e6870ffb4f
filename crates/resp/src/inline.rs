//! Splitting an inline command line into arguments, with Redis's quoting rules.

use bytes::Bytes;

use crate::ProtocolError;

/// Splits `line` (without its line terminator) into arguments the way Redis's `sdssplitargs` does:
/// whitespace separates, `"..."` supports `\n \r \t \b \a \\ \" \xHH` escapes, `'...'` supports only `\'`,
/// and a closing quote must be followed by whitespace or the end. Also used by the config file parser and rcli.
///
/// Details kept from the C original on purpose: a NUL byte ends the line (Redis sees a C string);
/// leading blanks are C `isspace` (space, `\t \n \v \f \r`) but an unquoted argument ends only at space,
/// `\t`, `\n` or `\r`; a quote in the middle of an unquoted argument starts a quoted part of the same
/// argument (`a"b c"` is `ab c`); any other escaped character stands for itself (`"\q"` is `q`).
/// Unterminated quotes, or a closing quote followed by something other than whitespace, give
/// [`ProtocolError::UnbalancedQuotes`]. A blank line gives no arguments.
pub fn split_args(line: &[u8]) -> Result<Vec<Bytes>, ProtocolError> {
    let line = match line.iter().position(|&byte| byte == 0) {
        Some(nul) => &line[..nul],
        None => line,
    };
    // Reading past the end yields NUL, which is how the C code detects the end of the string.
    let at = |index: usize| line.get(index).copied().unwrap_or(0);
    let mut args = Vec::new();
    let mut index = 0;
    loop {
        while index < line.len() && is_c_space(at(index)) {
            index += 1;
        }
        if index >= line.len() {
            return Ok(args);
        }
        let mut current = Vec::new();
        let mut quote = Quote::None;
        loop {
            let byte = at(index);
            match quote {
                Quote::Double => {
                    if byte == b'\\'
                        && at(index + 1) == b'x'
                        && let (Some(high), Some(low)) =
                            (hex_value(at(index + 2)), hex_value(at(index + 3)))
                    {
                        current.push(high * 16 + low);
                        index += 3;
                    } else if byte == b'\\' && at(index + 1) != 0 {
                        index += 1;
                        current.push(match at(index) {
                            b'n' => b'\n',
                            b'r' => b'\r',
                            b't' => b'\t',
                            b'b' => 0x08,
                            b'a' => 0x07,
                            other => other,
                        });
                    } else if byte == b'"' {
                        if !closes_cleanly(at(index + 1)) {
                            return Err(ProtocolError::UnbalancedQuotes);
                        }
                        index += 1;
                        break;
                    } else if byte == 0 {
                        return Err(ProtocolError::UnbalancedQuotes);
                    } else {
                        current.push(byte);
                    }
                }
                Quote::Single => {
                    if byte == b'\\' && at(index + 1) == b'\'' {
                        index += 1;
                        current.push(b'\'');
                    } else if byte == b'\'' {
                        if !closes_cleanly(at(index + 1)) {
                            return Err(ProtocolError::UnbalancedQuotes);
                        }
                        index += 1;
                        break;
                    } else if byte == 0 {
                        return Err(ProtocolError::UnbalancedQuotes);
                    } else {
                        current.push(byte);
                    }
                }
                Quote::None => match byte {
                    b' ' | b'\n' | b'\r' | b'\t' | 0 => {
                        index += 1;
                        break;
                    }
                    b'"' => quote = Quote::Double,
                    b'\'' => quote = Quote::Single,
                    other => current.push(other),
                },
            }
            index += 1;
        }
        args.push(Bytes::from(current));
    }
}

/// Which kind of quoted section the scanner is inside.
#[derive(Clone, Copy)]
enum Quote {
    None,
    Double,
    Single,
}

/// C's `isspace` in the "C" locale.
fn is_c_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// A closing quote must be followed by whitespace or the end of the line.
fn closes_cleanly(next: u8) -> bool {
    next == 0 || is_c_space(next)
}

fn hex_value(byte: u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        b'A'..=b'F' => Some(byte - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(line: &[u8], expected: &[&[u8]]) {
        let args = split_args(line).unwrap_or_else(|error| panic!("{line:?}: {error}"));
        let args: Vec<&[u8]> = args.iter().map(|arg| arg.as_ref()).collect();
        assert_eq!(args, expected, "{:?}", String::from_utf8_lossy(line));
    }

    fn check_unbalanced(line: &[u8]) {
        assert_eq!(
            split_args(line),
            Err(ProtocolError::UnbalancedQuotes),
            "{:?}",
            String::from_utf8_lossy(line)
        );
    }

    #[test]
    fn plain_words() {
        check(b"SET key value", &[b"SET", b"key", b"value"]);
        check(b"  PING\t \r\n", &[b"PING"]);
        check(b"", &[]);
        check(b"   \t", &[]);
        check(b"\x0b\x0cPING", &[b"PING"]);
        // Vertical tab and form feed are blanks before an argument but not inside one, as in sdssplitargs.
        check(b"a\x0bb", &[b"a\x0bb"]);
    }

    #[test]
    fn double_quotes_and_escapes() {
        check(br#"SET "a key" "x\ny""#, &[b"SET", b"a key", b"x\ny"]);
        check(br#""\r\t\b\a\\\"""#, &[b"\r\t\x08\x07\\\""]);
        check(br#""\x41\x7a\xff""#, &[b"Az\xff"]);
        check(br#""\xZZ""#, &[b"xZZ"]);
        check(br#""\x4""#, &[b"x4"]);
        check(br#""\q""#, &[b"q"]);
        check(br#""""#, &[b""]);
    }

    #[test]
    fn single_quotes() {
        check(br"'it\'s' 'a\nb'", &[b"it's", br"a\nb"]);
        check(b"''", &[b""]);
        check(b"'say \"hi\"'", &[b"say \"hi\""]);
    }

    #[test]
    fn quote_inside_unquoted_word_joins() {
        check(br#"ab"c d" e"#, &[b"abc d", b"e"]);
        check(b"ab'c d'", &[b"abc d"]);
    }

    #[test]
    fn unbalanced() {
        check_unbalanced(br#""abc"#);
        check_unbalanced(b"'abc");
        check_unbalanced(br#""abc"def"#);
        check_unbalanced(b"'abc'def");
        check_unbalanced(br#""abc\"#);
        check_unbalanced(br#"SET "a"#);
        check_unbalanced(br#"a"b c"d"#);
    }

    #[test]
    fn closing_quote_may_be_followed_by_any_blank() {
        check(b"\"a\"\x0bb", &[b"a", b"b"]);
        check(b"'a'\tb", &[b"a", b"b"]);
    }

    #[test]
    fn nul_ends_the_line() {
        check(b"SET a\0b c", &[b"SET", b"a"]);
        check_unbalanced(b"\"abc\0\"");
    }
}
