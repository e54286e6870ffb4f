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
            // `"--save 3600 1"`: a name and its values in one argument are split like a config line.
            match split_args(name.as_bytes()) {
                Ok(words) if words.len() > 1 => current.extend(
                    words
                        .iter()
                        .map(|word| String::from_utf8_lossy(word).into_owned()),
                ),
                _ => current.push(name.to_owned()),
            }
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

/// The directives that take several values (Redis's `MULTI_ARG_CONFIG`s): given as one argument, as in
/// `--save "3600 1"` or `client-output-buffer-limit "normal 0 0 0"`, that argument is split into words.
const MULTI_ARG: &[&str] = &[
    "save",
    "client-output-buffer-limit",
    "oom-score-adj-values",
    "bind",
    "replicaof",
    "slaveof",
    "latency-tracking-info-percentiles",
    "shutdown-on-sigint",
    "shutdown-on-sigterm",
];

fn directive_from_words(
    mut words: impl Iterator<Item = String>,
    text: &str,
    origin: Origin,
) -> Option<Directive> {
    let name = words.next()?.to_ascii_lowercase();
    let mut args: Vec<String> = words.collect();
    if let [single] = args.as_slice()
        && !single.is_empty()
        && MULTI_ARG.contains(&name.as_str())
        && let Ok(split) = split_args(single.as_bytes())
    {
        args = split
            .iter()
            .map(|word| String::from_utf8_lossy(word).into_owned())
            .collect();
    }
    Some(Directive {
        name,
        args,
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

    #[test]
    fn several_values_in_one_argument_are_split_for_multi_value_directives() {
        let args: Vec<String> = [
            "--save",
            "3600 1 300 10",
            "--replicaof",
            "127.0.0.1 6379",
            "--client-output-buffer-limit",
            "replica 1mb 2mb 60",
            "--save 60 5",
            "--requirepass",
            "with space",
            "--bind",
            "",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let directives = parse_args(&args, "");
        let parsed: Vec<(&str, Vec<&str>)> = directives
            .iter()
            .map(|d| (d.name.as_str(), d.args.iter().map(String::as_str).collect()))
            .collect();
        assert_eq!(
            parsed,
            vec![
                ("save", vec!["3600", "1", "300", "10"]),
                ("replicaof", vec!["127.0.0.1", "6379"]),
                (
                    "client-output-buffer-limit",
                    vec!["replica", "1mb", "2mb", "60"]
                ),
                ("save", vec!["60", "5"]),
                // Single-value directives keep their argument whole; an empty one stays empty.
                ("requirepass", vec!["with space"]),
                ("bind", vec![""]),
            ]
        );
        let file = parse_file("save \"900 1\"\nbind \"127.0.0.1 ::1\"\n").unwrap();
        assert_eq!(file[0].args, vec!["900", "1"]);
        assert_eq!(file[1].args, vec!["127.0.0.1", "::1"]);
    }
}
