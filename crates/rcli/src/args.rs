//! Command-line parsing, following redis-cli's `parseOptions`: options first, the first word that is not an option
//! starts the command, and numbers are read the lenient C `atoi` way.

use std::ffi::OsString;
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use bytes::Bytes;

use crate::format::FormatMode;

/// What the command line asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum Invocation {
    /// Connect and run a command, or the REPL when [`Args::command`] is empty.
    Run(Box<Args>),
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
    /// `-s`: connect to this Unix domain socket instead of `host:port`.
    pub socket: Option<PathBuf>,
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
    /// `-r`: how many times to run the command; negative runs it forever.
    pub repeat: i64,
    /// `-i`: the pause after each repeated command, and the cycle of `--scan`, `--stat` and the latency modes.
    pub interval: Option<Duration>,
    /// `-x`: read the command's last argument from stdin.
    pub stdin_last_arg: bool,
    /// `-3`: speak RESP3 (`HELLO 3` on every connect).
    pub resp3: bool,
    /// `--pattern`: the `MATCH` pattern of `--scan` and `--bigkeys`.
    pub pattern: Option<Bytes>,
    /// `--pipe-timeout`: seconds to wait for replies after the last byte of `--pipe` input (0: forever).
    pub pipe_timeout: u64,
    /// The special modes asked for; see [`Args::mode`] for which one runs.
    pub modes: Vec<Mode>,
    /// The command to run once; empty for the REPL.
    pub command: Vec<Bytes>,
}

/// A mode that replaces running a command (redis-cli's `--scan`, `--pipe`, ...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    /// `--latency` (`history: false`) or `--latency-history`.
    Latency {
        /// Print a line per sample and a summary per interval, instead of one line.
        history: bool,
    },
    /// `--replica` / `--slave`: show the commands a master streams to its replicas.
    Replica,
    /// `--rdb FILE`: fetch a snapshot through the replication handshake (`-` is stdout).
    Rdb(PathBuf),
    /// `--pipe`: send raw RESP from stdin, count the replies.
    Pipe,
    /// `--bigkeys`: the biggest key of each type, from a full SCAN.
    BigKeys,
    /// `--stat`: a line of server statistics per interval.
    Stat,
    /// `--scan`: list the keys with SCAN.
    Scan,
}

/// The order in which redis-cli's `main` tries the modes: the first one asked for runs and exits.
const MODE_PRIORITY: [fn(&Mode) -> bool; 7] = [
    |mode| matches!(mode, Mode::Latency { .. }),
    |mode| matches!(mode, Mode::Replica),
    |mode| matches!(mode, Mode::Rdb(_)),
    |mode| matches!(mode, Mode::Pipe),
    |mode| matches!(mode, Mode::BigKeys),
    |mode| matches!(mode, Mode::Stat),
    |mode| matches!(mode, Mode::Scan),
];

impl Default for Args {
    fn default() -> Args {
        Args {
            host: "127.0.0.1".to_owned(),
            port: 6379,
            socket: None,
            password: None,
            user: None,
            no_auth_warning: false,
            db: 0,
            output: None,
            repeat: 1,
            interval: None,
            stdin_last_arg: false,
            resp3: false,
            pattern: None,
            pipe_timeout: 30,
            modes: Vec::new(),
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

    /// The special mode to run, if any; when several are asked for, the one redis-cli would run.
    pub fn mode(&self) -> Option<&Mode> {
        MODE_PRIORITY
            .iter()
            .find_map(|is| self.modes.iter().rev().find(|mode| is(mode)))
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
    /// Any other refusal, worded as redis-cli words it (a bad `-u` URI, `-2` with `-3`, ...).
    Message(String),
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
            ArgsError::Message(text) => f.write_str(text),
        }
    }
}

impl std::error::Error for ArgsError {}

/// The `--help` text.
pub const USAGE: &str = "\
Usage: rcli [OPTIONS] [cmd [arg [arg ...]]]
  -h <hostname>      Server hostname (default: 127.0.0.1).
  -p <port>          Server port (default: 6379).
  -s <socket>        Server socket (overrides hostname and port).
  -a <password>      Password to use when connecting to the server.
  --user <username>  Used to send ACL style 'AUTH username pass'. Needs -a.
  --pass <password>  Alias of -a for consistency with the new --user option.
  -u <uri>           Server URI: redis://[[user:]password@]host[:port][/db].
  -r <repeat>        Execute specified command N times (-1: forever).
  -i <interval>      When -r is used, waits <interval> seconds per command.
                     It is possible to specify sub-second times like -i 0.1.
                     This interval is also used in --scan and --stat per cycle.
                     and in --bigkeys per 100 cycles.
  -n <db>            Database number.
  -2                 Start session in RESP2 protocol mode.
  -3                 Start session in RESP3 protocol mode.
  -x                 Read last argument from STDIN (see example below).
  --no-auth-warning  Don't show warning message when using password on command
                     line interface.
  --raw              Use raw formatting for replies (default when STDOUT is
                     not a tty).
  --no-raw           Force formatted output even when STDOUT is not a tty.
  --csv              Output in CSV format.
  --stat             Print rolling stats about server: mem, clients, ...
  --latency          Enter a special mode continuously sampling latency.
                     If you use this mode in an interactive session it runs
                     forever displaying real-time stats. Otherwise if --raw or
                     --csv is specified, or if you redirect the output to a non
                     TTY, it samples the latency for 1 second (you can use
                     -i to change the interval), then produces a single output
                     and exits.
  --latency-history  Like --latency but tracking latency changes over time.
                     Default time interval is 15 sec. Change it using -i.
  --replica          Simulate a replica showing commands received from the master.
  --rdb <filename>   Transfer an RDB dump from remote server to local file.
                     Use filename of \"-\" to write to stdout.
  --pipe             Transfer raw Redis protocol from stdin to server.
  --pipe-timeout <n> In --pipe mode, abort with error if after sending all data.
                     no reply is received within <n> seconds.
                     Default timeout: 30. Use 0 to wait forever.
  --bigkeys          Sample Redis keys looking for keys with many elements (complexity).
  --scan             List all keys using the SCAN command.
  --pattern <pat>    Keys pattern when using the --scan or --bigkeys
                     options (default: *).
  --help             Output this help and exit.
  -v, --version      Output version and exit.

Examples:
  cat /etc/passwd | rcli -x set mypasswd
  rcli -r 100 lpush mylist x
  rcli -r 100 -i 1 info | grep used_memory_human:
  rcli --scan --pattern '*:12345*'

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
    let mut resp2 = false;
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
            "-s" if has_value => args.socket = Some(PathBuf::from(value())),
            "-u" if has_value => parse_uri(&value().into_encoded_bytes(), &mut args)?,
            "-r" if has_value => args.repeat = atoi(&value().into_encoded_bytes()),
            "-i" if has_value => args.interval = interval(&value().into_encoded_bytes()),
            "-x" => args.stdin_last_arg = true,
            "-2" => resp2 = true,
            "-3" => args.resp3 = true,
            "--raw" => args.output = Some(FormatMode::Raw),
            "--no-raw" => args.output = Some(FormatMode::Tty),
            "--csv" => args.output = Some(FormatMode::Csv),
            "--latency" => args.modes.push(Mode::Latency { history: false }),
            "--latency-history" => args.modes.push(Mode::Latency { history: true }),
            "--replica" | "--slave" => args.modes.push(Mode::Replica),
            "--rdb" if has_value => args.modes.push(Mode::Rdb(PathBuf::from(value()))),
            "--pipe" => args.modes.push(Mode::Pipe),
            "--pipe-timeout" if has_value => {
                args.pipe_timeout = u64::try_from(atoi(&value().into_encoded_bytes())).unwrap_or(0)
            }
            "--bigkeys" => args.modes.push(Mode::BigKeys),
            "--stat" => args.modes.push(Mode::Stat),
            "--scan" => args.modes.push(Mode::Scan),
            "--pattern" if has_value => args.pattern = Some(os_bytes(value())),
            _ => return Err(ArgsError::Unrecognized(option)),
        }
    }
    if resp2 && args.resp3 {
        return Err(ArgsError::Message(
            "Options -2 and -3 are mutually exclusive.".to_owned(),
        ));
    }
    // Latency modes with both flags given behave as --latency-history in redis-cli (one flag each).
    if args.modes.contains(&Mode::Latency { history: true }) {
        args.modes
            .retain(|mode| *mode != Mode::Latency { history: false });
    }
    args.command = arguments.map(os_bytes).collect();
    Ok(Invocation::Run(Box::new(args)))
}

/// `-i`: C's `atof` seconds; zero or less (or not a number) means no pause, as in redis-cli.
fn interval(text: &[u8]) -> Option<Duration> {
    let text = String::from_utf8_lossy(text);
    let text = text.trim_start();
    // atof reads the longest prefix that is a number.
    let seconds = (1..=text.len())
        .rev()
        .filter(|end| text.is_char_boundary(*end))
        .find_map(|end| text[..end].parse::<f64>().ok())
        .unwrap_or(0.0);
    // redis-cli keeps whole microseconds.
    let micros = (seconds * 1_000_000.0) as i64;
    u64::try_from(micros)
        .ok()
        .filter(|micros| *micros > 0)
        .map(Duration::from_micros)
}

/// `-u redis://[[user:]password@]host[:port][/db]`, parsed like redis-cli's `parseRedisUri`: each part is optional
/// and overrides what came before it on the command line.
fn parse_uri(uri: &[u8], args: &mut Args) -> Result<(), ArgsError> {
    const SCHEME: &[u8] = b"redis://";
    const TLS_SCHEME: &[u8] = b"rediss://";
    let refuse = |text: &str| Err(ArgsError::Message(text.to_owned()));
    let starts_with = |prefix: &[u8]| {
        uri.len() >= prefix.len() && uri[..prefix.len()].eq_ignore_ascii_case(prefix)
    };
    if starts_with(TLS_SCHEME) {
        return refuse("rediss:// is only supported when rcli is compiled with OpenSSL");
    }
    if !starts_with(SCHEME) {
        return refuse("Invalid URI scheme");
    }
    let mut rest = &uri[SCHEME.len()..];
    if rest.is_empty() {
        return Ok(());
    }
    if let Some(at) = rest.iter().position(|byte| *byte == b'@') {
        let password_start = match rest[..at].iter().position(|byte| *byte == b':') {
            Some(colon) => {
                args.user = Some(percent_decode(rest, colon)?);
                colon + 1
            }
            None => 0,
        };
        args.password = Some(percent_decode(
            &rest[password_start..],
            at - password_start,
        )?);
        rest = &rest[at + 1..];
    }
    if rest.is_empty() {
        return Ok(());
    }
    let slash = rest.iter().position(|byte| *byte == b'/');
    if rest[0] != b'/' {
        let host_and_port = &rest[..slash.unwrap_or(rest.len())];
        // redis-cli looks for the port's colon in the whole rest, path included.
        let host = match rest.iter().position(|byte| *byte == b':') {
            Some(colon) => {
                args.port = u16::try_from(atoi(&rest[colon + 1..])).unwrap_or(0);
                &rest[..colon]
            }
            None => host_and_port,
        };
        args.host = String::from_utf8_lossy(host).into_owned();
    }
    let Some(slash) = slash else {
        return Ok(());
    };
    let path = &rest[slash + 1..];
    if !path.is_empty() {
        args.db = atoi(path);
    }
    Ok(())
}

/// redis-cli's `percentDecode` of the first `length` bytes of `text`. Like it, a `%` needs one more byte inside
/// the part, and the second hex digit may be read from just past it (`:%4@` fails on the `@`).
fn percent_decode(text: &[u8], length: usize) -> Result<Bytes, ArgsError> {
    let mut decoded = Vec::with_capacity(length);
    let mut index = 0;
    while index < length {
        if text[index] != b'%' {
            decoded.push(text[index]);
            index += 1;
            continue;
        }
        let incomplete = || ArgsError::Message("Incomplete URI encoding".to_owned());
        if length - index < 2 {
            return Err(incomplete());
        }
        let (Some(high), Some(low)) = (text.get(index + 1), text.get(index + 2)) else {
            // Past the end of the whole URI, C reads its terminating NUL, which is no hex digit.
            return Err(ArgsError::Message(
                "Illegal character in URI encoding".to_owned(),
            ));
        };
        let hex = |digit: u8| (digit as char).to_digit(16);
        let (Some(high), Some(low)) = (hex(*high), hex(*low)) else {
            return Err(ArgsError::Message(
                "Illegal character in URI encoding".to_owned(),
            ));
        };
        decoded.push((high * 16 + low) as u8);
        index += 3;
    }
    Ok(Bytes::from(decoded))
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
            Ok(Invocation::Run(args)) => *args,
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
    fn uri_parts_override_options() {
        let args = run_args("-p 1 -u redis://bob:p%40ss@example.org:6380/4 PING");
        assert_eq!(
            (args.host.as_str(), args.port, args.db),
            ("example.org", 6380, 4)
        );
        assert_eq!(args.user.as_deref(), Some(&b"bob"[..]));
        assert_eq!(args.password.as_deref(), Some(&b"p@ss"[..]));
        let args = run_args("-u redis://h");
        assert_eq!((args.host.as_str(), args.port), ("h", 6379));
        assert_eq!(
            parse_words("-u http://h").unwrap_err().to_string(),
            "Invalid URI scheme"
        );
    }

    #[test]
    fn modes_run_in_redis_cli_order() {
        assert_eq!(run_args("--scan --bigkeys").mode(), Some(&Mode::BigKeys));
        assert_eq!(
            run_args("--scan --latency-history --latency").mode(),
            Some(&Mode::Latency { history: true })
        );
        assert_eq!(run_args("GET k").mode(), None);
        for option in [
            "-x",
            "-r",
            "-i",
            "--csv",
            "-3",
            "-u",
            "-s",
            "--scan",
            "--pattern",
            "--bigkeys",
            "--pipe",
            "--stat",
            "--latency",
            "--latency-history",
            "--replica",
            "--rdb",
        ] {
            assert!(
                USAGE.contains(&format!("  {option} ")),
                "{option} in --help"
            );
        }
    }

    #[test]
    fn intervals_are_atof_seconds() {
        assert_eq!(interval(b"0.5"), Some(Duration::from_millis(500)));
        assert_eq!(interval(b"2x"), Some(Duration::from_secs(2)));
        assert_eq!(interval(b"0"), None);
        assert_eq!(interval(b"-1"), None);
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
