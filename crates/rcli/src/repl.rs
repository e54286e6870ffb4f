//! The interactive mode: read a line, split it like redis-cli, send it, print the reply; redis-cli's `repl()`.
//!
//! With a terminal on stdin, lines come from rustyline (line editing, a history file, hints and tab completion from
//! the server's `COMMAND DOCS`); otherwise they are read as bytes from stdin with no prompt, as linenoise does, so
//! `printf 'SET k v\nGET k\n' | rcli` works and keeps binary arguments intact. `help` works either way.

use std::borrow::Cow;
use std::env;
use std::io::{self, BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::rc::Rc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use rustyline::completion::Completer;
use rustyline::error::ReadlineError;
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::history::DefaultHistory;
use rustyline::validate::Validator;
use rustyline::{Context, Editor};

use crate::args::atoi;
use crate::follow::{Ended, Follow};
use crate::format::{FormatMode, format_reply};
use crate::help::HelpTable;
use crate::rules;
use crate::session::Session;

/// The environment variable naming the history file; `/dev/null` turns history off.
pub const HISTORY_FILE_ENV: &str = "RCLI_HISTFILE";

/// One input line, understood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    /// Nothing but blanks: ignored and not recorded.
    Blank,
    /// Unbalanced quotes or a bad escape: redis-cli prints `Invalid argument(s)` (and still records the line).
    Invalid,
    /// A leading repeat count that is zero, negative or too big: redis-cli complains and does not record the line.
    InvalidRepeat,
    /// A command to run `repeat` times (`3 PING` runs PING three times).
    Command {
        /// How many times to send it.
        repeat: u64,
        /// The command and its arguments.
        args: Vec<Bytes>,
    },
}

/// Splits a line with `resp::split_args` (redis-cli's quoting rules) and recognises a leading repeat count.
pub fn parse_line(line: &[u8]) -> Line {
    let Ok(mut args) = resp::split_args(line) else {
        return Line::Invalid;
    };
    if args.is_empty() {
        return Line::Blank;
    }
    if args.len() == 1 {
        return Line::Command { repeat: 1, args };
    }
    match repeat_count(&args[0]) {
        None => Line::Command { repeat: 1, args },
        Some(Some(repeat)) => {
            args.remove(0);
            Line::Command { repeat, args }
        }
        Some(None) => Line::InvalidRepeat,
    }
}

/// The history file: `$RCLI_HISTFILE` (`/dev/null` or empty for none), else `~/.rcli_history`.
pub fn history_file() -> Option<PathBuf> {
    history_file_from(
        env::var_os(HISTORY_FILE_ENV).map(PathBuf::from),
        env::home_dir(),
    )
}

/// Runs the REPL until `quit`, `exit`, end of input or Ctrl-C. Connects first (a failure is reported and the prompt
/// reads `not connected> `; every command then tries again). Returns the exit status: 0, or 1 when the connection
/// was lost while following `MONITOR` or a subscription.
pub fn run(
    session: &mut Session,
    mode: FormatMode,
    history_file: &Option<PathBuf>,
) -> io::Result<i32> {
    let mut stderr = io::stderr();
    if let Err(error) = session.connect(&mut stderr) {
        writeln!(stderr, "{error}")?;
    }
    let mut input = Input::open(history_file.clone())?;
    let mut stdout = io::stdout();
    // `None` until `COMMAND DOCS` has been asked of the current server.
    let mut help: Option<Rc<HelpTable>> = None;
    load_help(session, &mut input, &mut help, false, &mut stderr);
    while let Some(line) = input.read_line(&session.prompt())? {
        let (repeat, args) = match parse_line(&line) {
            Line::Blank => continue,
            Line::Invalid => {
                stdout.write_all(b"Invalid argument(s)\n")?;
                stdout.flush()?;
                input.record(&line);
                continue;
            }
            Line::InvalidRepeat => {
                stdout.write_all(b"Invalid redis-cli repeat command option value.\n")?;
                stdout.flush()?;
                continue;
            }
            Line::Command { repeat, args } => (repeat, args),
        };
        if !rules::is_sensitive(&args) {
            input.record(&line);
        }
        let is = |name: &str| repeat == 1 && args[0].eq_ignore_ascii_case(name.as_bytes());
        if is("quit") || is("exit") {
            break;
        } else if repeat == 1 && args[0].starts_with(b":") {
            set_preference(&args, &mut input, &mut stdout)?;
        } else if is("clear") && args.len() == 1 {
            input.clear_screen()?;
        } else if is("connect") && args.len() == 3 {
            let Ok(port) = u16::try_from(atoi(&args[2])) else {
                writeln!(stderr, "Invalid server port.")?;
                continue;
            };
            session.retarget(String::from_utf8_lossy(&args[1]).into_owned(), port);
            if let Err(error) = session.connect(&mut stderr) {
                writeln!(stderr, "{error}")?;
            }
            help = None;
            load_help(session, &mut input, &mut help, false, &mut stderr);
        } else if args[0].eq_ignore_ascii_case(b"help") || args[0] == "?" {
            // Like redis-cli, once however many times it is repeated, and the general help needs no server.
            if args.len() > 1 {
                load_help(session, &mut input, &mut help, true, &mut stderr);
            }
            let rendered = match &help {
                Some(table) => table.render(&args[1..]),
                None => HelpTable::default().render(&args[1..]),
            };
            stdout.write_all(&rendered)?;
            stdout.flush()?;
        } else {
            if Follow::of(&args).is_none() {
                load_help(session, &mut input, &mut help, true, &mut stderr);
            }
            let started = Instant::now();
            if !run_repeated(session, &args, repeat, mode, &mut stdout, &mut stderr)? {
                // The connection died while following MONITOR or a subscription: redis-cli exits too.
                return Ok(1);
            }
            let elapsed = started.elapsed();
            // redis-cli reports slow commands, only in the human-readable mode.
            if elapsed >= Duration::from_millis(500) && mode == FormatMode::Tty {
                writeln!(stdout, "({:.2}s)", elapsed.as_secs_f64())?;
            }
        }
    }
    Ok(0)
}

/// Sends `args` `repeat` times, printing each reply; stops at the first command that gets no reply. Returns
/// false when the REPL must end (the connection was lost while following `MONITOR` or a subscription).
fn run_repeated(
    session: &mut Session,
    args: &[Bytes],
    repeat: u64,
    mode: FormatMode,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> io::Result<bool> {
    let mode = rules::reply_mode(args, mode);
    if let Some(kind) = Follow::of(args) {
        let ended = crate::follow::run(session, kind, args, mode, stdout, stderr)?;
        return Ok(ended == Ended::ErrorReply);
    }
    for _ in 0..repeat {
        match session.issue(args, stderr) {
            Ok(reply) => {
                stdout.write_all(&format_reply(&reply, mode))?;
                stdout.flush()?;
            }
            Err(error) => {
                writeln!(stderr, "{error}")?;
                break;
            }
        }
    }
    Ok(true)
}

/// Fetches the help table (`COMMAND DOCS`) for hints, completion and `help`, unless the current server already gave
/// it. With `connect`, first connects if needed: the table is asked for on a fresh connection, before any command of
/// the user's can have opened a transaction or turned replies off. A failed connect is not reported here; the
/// command that follows tries again and reports it as usual.
///
/// An error reply (a server without `COMMAND DOCS`, or one that wants `AUTH` first) gives an empty table: redis-cli
/// then uses the help compiled into it, rcli has none, so there are simply no hints.
fn load_help(
    session: &mut Session,
    input: &mut Input,
    help: &mut Option<Rc<HelpTable>>,
    connect: bool,
    diagnostics: &mut dyn Write,
) {
    if help.is_some() {
        return;
    }
    if !session.is_connected() && (!connect || session.connect(diagnostics).is_err()) {
        return;
    }
    let command = [Bytes::from_static(b"COMMAND"), Bytes::from_static(b"DOCS")];
    // A broken connection leaves `help` unset, so the next command asks again after reconnecting.
    if let Ok(reply) = session.issue(&command, diagnostics) {
        let table = Rc::new(HelpTable::from_docs(&reply).unwrap_or_default());
        input.set_help(Rc::clone(&table));
        *help = Some(table);
    }
}

/// redis-cli's `:set hints` / `:set nohints`; anything else starting with `:` is refused with its messages.
fn set_preference(args: &[Bytes], input: &mut Input, stdout: &mut dyn Write) -> io::Result<()> {
    let word = |index: usize| String::from_utf8_lossy(&args[index]).into_owned();
    if args[0].eq_ignore_ascii_case(b":set") && args.len() >= 2 {
        if args[1].eq_ignore_ascii_case(b"hints") {
            input.set_hints(true);
        } else if args[1].eq_ignore_ascii_case(b"nohints") {
            input.set_hints(false);
        } else {
            writeln!(stdout, "unknown redis-cli preference '{}'", word(1))?;
        }
    } else {
        writeln!(stdout, "unknown redis-cli internal command '{}'", word(0))?;
    }
    stdout.flush()
}

/// `strtol(word) > 0` with nothing left over, as redis-cli tests a repeat count: `None` when `word` is not a number
/// at all, `Some(None)` when it is one but not a usable count.
fn repeat_count(word: &[u8]) -> Option<Option<u64>> {
    let unsigned = word.trim_ascii_start();
    let digits = unsigned
        .strip_prefix(b"-")
        .or_else(|| unsigned.strip_prefix(b"+"))
        .unwrap_or(unsigned);
    let is_number =
        digits.first().is_some_and(u8::is_ascii_digit) && digits.iter().all(u8::is_ascii_digit);
    // strtol consumes an empty string entirely, so redis-cli takes `""` as the count 0.
    if !is_number && !word.is_empty() {
        return None;
    }
    let count = std::str::from_utf8(unsigned)
        .ok()
        .and_then(|text| text.parse::<i64>().ok());
    Some(
        count
            .filter(|count| *count > 0)
            .map(|count| count.unsigned_abs()),
    )
}

fn history_file_from(configured: Option<PathBuf>, home: Option<PathBuf>) -> Option<PathBuf> {
    match configured {
        Some(path) if path.as_os_str().is_empty() || path == std::path::Path::new("/dev/null") => {
            None
        }
        Some(path) => Some(path),
        None => home.map(|home| home.join(".rcli_history")),
    }
}

/// rustyline's hooks into the help table: redis-cli's hints (in linenoise's grey) and tab completion.
struct Hooks {
    help: Rc<HelpTable>,
    /// `:set hints` / `:set nohints`; on by default, as in redis-cli.
    hints: bool,
}

/// A hint that is only shown: rustyline would otherwise insert it on the right arrow key, which linenoise never does
/// (and the parameter list is no text to type).
struct ShownHint(String);

impl rustyline::hint::Hint for ShownHint {
    fn display(&self) -> &str {
        &self.0
    }

    fn completion(&self) -> Option<&str> {
        None
    }
}

impl Hinter for Hooks {
    type Hint = ShownHint;

    fn hint(&self, line: &str, _pos: usize, _ctx: &Context<'_>) -> Option<ShownHint> {
        // linenoise hints the whole line wherever the cursor is.
        self.hints
            .then(|| self.help.hint(line))
            .flatten()
            .map(ShownHint)
    }
}

impl Completer for Hooks {
    type Candidate = String;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<String>)> {
        // Candidates are whole lines, as linenoise's are; what follows the cursor is kept.
        Ok((0, self.help.completions(&line[..pos])))
    }
}

impl Highlighter for Hooks {
    fn highlight_hint<'h>(&self, hint: &'h str) -> Cow<'h, str> {
        // linenoise's colour 90 (grey), not bold, default background.
        Cow::Owned(format!("\x1b[0;90;49m{hint}\x1b[0m"))
    }
}

impl Validator for Hooks {}

impl rustyline::Helper for Hooks {}

/// Where lines come from.
enum Input {
    /// A terminal: rustyline, with history when a file is configured.
    Terminal {
        editor: Box<Editor<Hooks, DefaultHistory>>,
        history_file: Option<PathBuf>,
    },
    /// A pipe or a file: plain lines of bytes, no prompt, no history.
    Piped(io::StdinLock<'static>),
}

impl Input {
    fn open(history_file: Option<PathBuf>) -> io::Result<Input> {
        let stdin = io::stdin();
        if !stdin.is_terminal() {
            return Ok(Input::Piped(stdin.lock()));
        }
        let config = rustyline::Config::builder()
            .auto_add_history(false)
            .history_ignore_dups(true)
            .map_err(readline_to_io)?
            .build();
        let mut editor = Editor::with_config(config).map_err(readline_to_io)?;
        editor.set_helper(Some(Hooks {
            help: Rc::default(),
            hints: true,
        }));
        if let Some(path) = &history_file {
            // A first run has no history file yet; that is not worth a message.
            let _ = editor.load_history(path);
        }
        Ok(Input::Terminal {
            editor: Box::new(editor),
            history_file,
        })
    }

    /// The next line without its terminator; `None` at end of input or on Ctrl-C (both leave the REPL).
    fn read_line(&mut self, prompt: &str) -> io::Result<Option<Vec<u8>>> {
        match self {
            Input::Terminal { editor, .. } => match editor.readline(prompt) {
                Ok(line) => Ok(Some(line.into_bytes())),
                Err(ReadlineError::Eof | ReadlineError::Interrupted) => Ok(None),
                Err(error) => Err(readline_to_io(error)),
            },
            Input::Piped(stdin) => {
                let mut line = Vec::new();
                if stdin.read_until(b'\n', &mut line)? == 0 {
                    return Ok(None);
                }
                if line.last() == Some(&b'\n') {
                    line.pop();
                }
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                Ok(Some(line))
            }
        }
    }

    /// Adds a line to the history and saves the file at once, as redis-cli does, so a crash loses nothing.
    fn record(&mut self, line: &[u8]) {
        let Input::Terminal {
            editor,
            history_file,
        } = self
        else {
            return;
        };
        // History is a convenience: a full disk or a read-only home must not stop the session.
        let _ = editor.add_history_entry(String::from_utf8_lossy(line));
        if let Some(path) = history_file {
            let _ = editor.save_history(path);
        }
    }

    /// Gives the line editor a new help table.
    fn set_help(&mut self, help: Rc<HelpTable>) {
        if let Some(hooks) = self.hooks() {
            hooks.help = help;
        }
    }

    /// `:set hints` / `:set nohints`.
    fn set_hints(&mut self, on: bool) {
        if let Some(hooks) = self.hooks() {
            hooks.hints = on;
        }
    }

    fn hooks(&mut self) -> Option<&mut Hooks> {
        match self {
            Input::Terminal { editor, .. } => editor.helper_mut(),
            Input::Piped(_) => None,
        }
    }

    fn clear_screen(&mut self) -> io::Result<()> {
        match self {
            Input::Terminal { editor, .. } => editor.clear_screen().map_err(readline_to_io),
            Input::Piped(_) => Ok(()),
        }
    }
}

fn readline_to_io(error: ReadlineError) -> io::Error {
    match error {
        ReadlineError::Io(error) => error,
        other => io::Error::other(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn command(repeat: u64, words: &[&str]) -> Line {
        Line::Command {
            repeat,
            args: words
                .iter()
                .map(|word| Bytes::copy_from_slice(word.as_bytes()))
                .collect(),
        }
    }

    #[test]
    fn repeat_counts_follow_strtol() {
        assert_eq!(repeat_count(b"3"), Some(Some(3)));
        assert_eq!(repeat_count(b"+3"), Some(Some(3)));
        assert_eq!(repeat_count(b"0"), Some(None));
        assert_eq!(repeat_count(b"-2"), Some(None));
        assert_eq!(repeat_count(b"99999999999999999999"), Some(None));
        assert_eq!(repeat_count(b""), Some(None));
        assert_eq!(repeat_count(b"3x"), None);
        assert_eq!(repeat_count(b"GET"), None);
        assert_eq!(repeat_count(b"-"), None);
    }

    #[test]
    fn history_file_choice() {
        let home = Some(PathBuf::from("/home/me"));
        assert_eq!(
            history_file_from(None, home.clone()),
            Some(PathBuf::from("/home/me/.rcli_history"))
        );
        assert_eq!(
            history_file_from(Some("/tmp/h".into()), home.clone()),
            Some(PathBuf::from("/tmp/h"))
        );
        assert_eq!(
            history_file_from(Some("/dev/null".into()), home.clone()),
            None
        );
        assert_eq!(history_file_from(Some("".into()), home), None);
        assert_eq!(history_file_from(None, None), None);
    }

    // These go through resp::split_args.
    #[test]
    fn lines() {
        assert_eq!(parse_line(b""), Line::Blank);
        assert_eq!(parse_line(b"   "), Line::Blank);
        assert_eq!(parse_line(b"get \"a"), Line::Invalid);
        assert_eq!(parse_line(b"set k 'x y'"), command(1, &["set", "k", "x y"]));
        assert_eq!(parse_line(b"3 ping"), command(3, &["ping"]));
        assert_eq!(parse_line(b"3"), command(1, &["3"]));
        assert_eq!(parse_line(b"0 ping"), Line::InvalidRepeat);
    }
}
