//! Command-line parsing, following redis-cli's `parseOptions`: options first, the first word that is not an option
//! starts the command, and numbers are read the lenient C `atoi` way.

use std::ffi::OsString;
use std::fmt;

use bytes::Bytes;

use crate::format::FormatMode;

/// What the command line asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum Invocation {
    /// Connect and run a command, or the REPL when [`Args::command`] is empty.
    Run(Args),
    /// `--help`, or `-h` with no host after it (redis-cli's behaviour): print [`USAGE`] and exit 0.
    Help,
    /// `-v` / `--version`: print the version and exit 0.
    Version,
}

/// Options for one run.
#[derive(Debug, Clone, PartialEq)]
pub struct Args {
    /// `-h`, default `127.0.0.1`.
    pub host: String,
    /// `-p`, default 6379.
    pub port: u16,
    /// `-a` / `--pass`: sent as `AUTH` on every connect.
    pub password: Option<Bytes>,
    /// `--user`: makes the `AUTH` on connect the two-argument form (only with a password).
    pub user: Option<Bytes>,
    /// `--no-auth-warning`: do not warn about a password on the command line.
    pub no_auth_warning: bool,
    /// `-n`: the database to `SELECT` on every connect when not 0.
    pub db: i64,
    /// `--raw` / `--no-raw`, the last one wins; `None` means "decide by whether stdout is a terminal".
    pub output: Option<FormatMode>,
    /// The command to run once; empty for the REPL.
    pub command: Vec<Bytes>,
}

impl Default for Args {
    fn default() -> Args {
        Args {
            host: "127.0.0.1".to_owned(),
            port: 6379,
            password: None,
            user: None,
            no_auth_warning: false,
            db: 0,
            output: None,
            command: Vec::new(),
        }
    }
}

impl Args {
    /// The output mode for this run, given whether stdout is a terminal.
    pub fn format_mode(&self, stdout_is_terminal: bool) -> FormatMode {
        self.output.unwrap_or(if stdout_is_terminal {
            FormatMode::Tty
        } else {
            FormatMode::Raw
        })
    }
}

/// A command line that cannot be run. `Display` is redis-cli's message; the process then exits with 1.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ArgsError {
    /// An unknown option, or an option missing its value.
    Unrecognized(String),
    /// A port outside 0..=65535.
    InvalidPort,
}

impl fmt::Display for ArgsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ArgsError::Unrecognized(option) => {
                write!(
                    f,
                    "Unrecognized option or bad number of args for: '{option}'"
                )
            }
            ArgsError::InvalidPort => f.write_str("Invalid server port."),
        }
    }
}

impl std::error::Error for ArgsError {}

/// The `--help` text.
pub const USAGE: &str = "\
Usage: rcli [OPTIONS] [cmd [arg [arg ...]]]
  -h <hostname>      Server hostname (default: 127.0.0.1).
  -p <port>          Server port (default: 6379).
  -a <password>      Password to use when connecting to the server.
  --pass <password>  Alias of -a for consistency with the new --user option.
  --user <username>  Used to send ACL style 'AUTH username pass'. Needs -a.
  --no-auth-warning  Don't show warning message when using password on command
                     line interface.
  -n <db>            Database number.
  --raw              Use raw formatting for replies (default when STDOUT is
                     not a tty).
  --no-raw           Force formatted output even when STDOUT is not a tty.
  --help             Output this help and exit.
  -v, --version      Output version and exit.

Without a command, rcli starts an interactive session; its history is kept in
$RCLI_HISTFILE (default ~/.rcli_history; /dev/null disables it).
";

/// Parses the arguments after the program name.
pub fn parse<I>(arguments: I) -> Result<Invocation, ArgsError>
where
    I: IntoIterator<Item = OsString>,
{
    let mut arguments = arguments.into_iter().peekable();
    let mut args = Args::default();
    while let Some(argument) = arguments.peek() {
        let Some(option) = argument.to_str().filter(|word| word.starts_with('-')) else {
            break;
        };
        let option = option.to_owned();
        arguments.next();
        // Like redis-cli, an option that needs a value but comes last is not recognised at all.
        let has_value = arguments.peek().is_some();
        let mut value = || arguments.next().expect("checked by `has_value`");
        match option.as_str() {
            "-h" if has_value => args.host = value().to_string_lossy().into_owned(),
            "-h" | "--help" => return Ok(Invocation::Help),
            "-v" | "--version" => return Ok(Invocation::Version),
            "-p" if has_value => {
                let port = atoi(&value().into_encoded_bytes());
                args.port = u16::try_from(port).map_err(|_| ArgsError::InvalidPort)?;
            }
            "-a" | "--pass" if has_value => args.password = Some(os_bytes(value())),
            "--user" if has_value => args.user = Some(os_bytes(value())),
            "--no-auth-warning" => args.no_auth_warning = true,
            "-n" if has_value => args.db = atoi(&value().into_encoded_bytes()),
            "--raw" => args.output = Some(FormatMode::Raw),
            "--no-raw" => args.output = Some(FormatMode::Tty),
            _ => return Err(ArgsError::Unrecognized(option)),
        }
    }
    args.command = arguments.map(os_bytes).collect();
    Ok(Invocation::Run(args))
}

/// C's `atoi`: optional blanks and sign, then as many digits as there are; anything else reads as 0.
/// redis-cli accepts `-n 2x` as 2 and `-p abc` as 0, and so do we.
pub fn atoi(text: &[u8]) -> i64 {
    let text = text.trim_ascii_start();
    let (negative, digits) = match text.split_first() {
        Some((b'-', rest)) => (true, rest),
        Some((b'+', rest)) => (false, rest),
        _ => (false, text),
    };
    let magnitude =
        digits
            .iter()
            .take_while(|byte| byte.is_ascii_digit())
            .fold(0i64, |number, digit| {
                number
                    .saturating_mul(10)
                    .saturating_add(i64::from(digit - b'0'))
            });
    if negative { -magnitude } else { magnitude }
}

/// Command arguments are bytes, not text: a key may be any byte string.
fn os_bytes(argument: OsString) -> Bytes {
    Bytes::from(argument.into_encoded_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_words(words: &str) -> Result<Invocation, ArgsError> {
        parse(words.split_whitespace().map(OsString::from))
    }

    fn run_args(words: &str) -> Args {
        match parse_words(words) {
            Ok(Invocation::Run(args)) => args,
            other => panic!("{words:?} parsed as {other:?}"),
        }
    }

    #[test]
    fn defaults_and_repl() {
        assert_eq!(run_args(""), Args::default());
    }

    #[test]
    fn options_then_command() {
        let args = run_args("-h example.org -p 6380 -a secret --user bob -n 2 --raw SET k -p");
        assert_eq!(args.host, "example.org");
        assert_eq!(args.port, 6380);
        assert_eq!(args.password.as_deref(), Some(&b"secret"[..]));
        assert_eq!(args.user.as_deref(), Some(&b"bob"[..]));
        assert_eq!(args.db, 2);
        assert_eq!(args.output, Some(FormatMode::Raw));
        // Options end at the command: a later `-p` is an argument of SET.
        assert_eq!(
            args.command,
            vec![Bytes::from("SET"), Bytes::from("k"), Bytes::from("-p")]
        );
    }

    #[test]
    fn last_output_option_wins() {
        assert_eq!(run_args("--raw --no-raw").output, Some(FormatMode::Tty));
        assert_eq!(run_args("--no-raw --raw").output, Some(FormatMode::Raw));
        assert_eq!(run_args("").format_mode(true), FormatMode::Tty);
        assert_eq!(run_args("").format_mode(false), FormatMode::Raw);
        assert_eq!(run_args("--no-raw").format_mode(false), FormatMode::Tty);
    }

    #[test]
    fn errors_use_redis_cli_wording() {
        assert_eq!(
            parse_words("-p").unwrap_err().to_string(),
            "Unrecognized option or bad number of args for: '-p'"
        );
        assert_eq!(
            parse_words("--foo PING").unwrap_err().to_string(),
            "Unrecognized option or bad number of args for: '--foo'"
        );
        assert_eq!(parse_words("-p 70000").unwrap_err(), ArgsError::InvalidPort);
        assert_eq!(parse_words("-h"), Ok(Invocation::Help));
        assert_eq!(parse_words("--version"), Ok(Invocation::Version));
    }

    #[test]
    fn numbers_read_like_atoi() {
        assert_eq!(atoi(b"12"), 12);
        assert_eq!(atoi(b" -3x"), -3);
        assert_eq!(atoi(b"abc"), 0);
        assert_eq!(run_args("-p abc").port, 0);
        assert_eq!(run_args("-n 2x").db, 2);
    }
}
