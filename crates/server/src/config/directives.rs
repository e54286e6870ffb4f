//! Raw directives from a config file and the command line, as typed by the user.

use resp::split_args;

/// Where a directive came from, for error messages: a line of the configuration text. As in Redis, the
/// command-line directives count as lines appended after the file (after one blank separator line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Line `line` (1-based) of the configuration.
    File {
        /// 1-based line number.
        line: usize,
    },
}

/// One directive: its name (lower-cased) and arguments, with the text it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    /// Lower-cased name, e.g. `replicaof`.
    pub name: String,
    /// Arguments as written (quotes removed).
    pub args: Vec<String>,
    /// The original text, shown in errors.
    pub text: String,
    /// Where it came from.
    pub origin: Origin,
}

/// A line that cannot be split into arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// Where.
    pub origin: Origin,
    /// The line.
    pub text: String,
}

/// Parses config file text: one directive per line, `#` comments, blank lines ignored, arguments split with
/// Redis's quoting rules (`logfile ""` is an empty argument).
pub fn parse_file(text: &str) -> Result<Vec<Directive>, SyntaxError> {
    let mut out = Vec::new();
    for (index, raw_line) in text.lines().enumerate() {
        let line = raw_line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let origin = Origin::File { line: index + 1 };
        let words = split_args(line.as_bytes()).map_err(|_| SyntaxError {
            origin: origin.clone(),
            text: line.to_owned(),
        })?;
        if let Some(directive) = directive_from_words(
            words
                .iter()
                .map(|w| String::from_utf8_lossy(w).into_owned()),
            line,
            origin,
        ) {
            out.push(directive);
        }
    }
    Ok(out)
}

/// Parses `--name value ...` arguments (after the optional config file path): each `--name` starts a
/// directive and the following words, up to the next `--name`, are its arguments. `file_text` is the config
/// file's text (empty without one): Redis numbers these directives as lines following it, and shows them
/// with quoted arguments (`foo "bar"`), so errors read exactly like Redis's.
pub fn parse_args(args: &[String], file_text: &str) -> Vec<Directive> {
    let first_line = file_text.matches('\n').count() + 2;
    let mut out = Vec::new();
    let mut current: Vec<String> = Vec::new();
    let flush = |current: &mut Vec<String>, out: &mut Vec<Directive>| {
        if current.is_empty() {
            return;
        }
        let text = std::iter::once(current[0].clone())
            .chain(current[1..].iter().map(|arg| quoted(arg)))
            .collect::<Vec<_>>()
            .join(" ");
        let origin = Origin::File {
            line: first_line + out.len(),
        };
        if let Some(directive) = directive_from_words(current.drain(..), &text, origin) {
            out.push(directive);
        }
    };
    for arg in args {
        // A lone `--` or a negative number is an argument, not a directive name.
        if let Some(name) = arg
            .strip_prefix("--")
            .filter(|name| !name.is_empty() && !name.starts_with(|c: char| c.is_ascii_digit()))
        {
            flush(&mut current, &mut out);
            current.push(name.to_owned());
        } else {
            current.push(arg.clone());
        }
    }
    flush(&mut current, &mut out);
    out
}

/// An argument as Redis's `sdscatrepr` shows it: in double quotes, with escapes for quotes, backslashes and
/// unprintable bytes.
pub(crate) fn quoted(arg: &str) -> String {
    let mut out = String::from("\"");
    for byte in arg.bytes() {
        match byte {
            b'\\' => out.push_str("\\\\"),
            b'"' => out.push_str("\\\""),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            0x20..=0x7e => out.push(char::from(byte)),
            _ => out.push_str(&format!("\\x{byte:02x}")),
        }
    }
    out.push('"');
    out
}

fn directive_from_words(
    mut words: impl Iterator<Item = String>,
    text: &str,
    origin: Origin,
) -> Option<Directive> {
    let name = words.next()?.to_ascii_lowercase();
    Some(Directive {
        name,
        args: words.collect(),
        text: text.to_owned(),
        origin,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_lines_comments_and_quotes() {
        let directives = parse_file(
            "# comment\nport 6380\n\nsave 900 1\nlogfile \"\"\nREPLICAOF 127.0.0.1 6379\n",
        )
        .unwrap();
        let names: Vec<_> = directives
            .iter()
            .map(|d| (d.name.as_str(), d.args.clone()))
            .collect();
        assert_eq!(
            names,
            vec![
                ("port", vec!["6380".to_owned()]),
                ("save", vec!["900".to_owned(), "1".to_owned()]),
                ("logfile", vec![String::new()]),
                ("replicaof", vec!["127.0.0.1".to_owned(), "6379".to_owned()]),
            ]
        );
        assert_eq!(directives[3].origin, Origin::File { line: 6 });
    }

    #[test]
    fn command_line_groups_words_by_name() {
        let args: Vec<String> = [
            "--port",
            "6380",
            "--replicaof",
            "127.0.0.1",
            "6379",
            "--save",
            "",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let directives = parse_args(&args, "");
        assert_eq!(directives.len(), 3);
        assert_eq!(directives[1].args, vec!["127.0.0.1", "6379"]);
        assert_eq!(directives[2].args, vec![""]);
        assert_eq!(directives[1].text, "replicaof \"127.0.0.1\" \"6379\"");
        assert_eq!(directives[0].origin, Origin::File { line: 2 });
        assert_eq!(
            parse_args(&args, "port 1\nsave 2 3\n")[0].origin,
            Origin::File { line: 4 }
        );
    }
}
