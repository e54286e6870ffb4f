//! The `rcli` binary: parses the command line, then runs one command or the REPL (see the `rcli` library).
#![forbid(unsafe_code)]

use std::io::{self, IsTerminal, Read, Write};
use std::process::ExitCode;

use anyhow::Context;
use rcli::{Invocation, Session, Target, args, repl};

fn main() -> ExitCode {
    match try_main() {
        Ok(code) => code,
        // `rcli KEYS '*' | head` closes our stdout early; that is the reader's choice, not a failure to report.
        Err(error) if is_broken_pipe(&error) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("rcli: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn try_main() -> anyhow::Result<ExitCode> {
    let args = match args::parse(std::env::args_os().skip(1)) {
        Ok(Invocation::Run(args)) => args,
        Ok(Invocation::Help) => {
            io::stdout()
                .write_all(args::USAGE.as_bytes())
                .context("print usage")?;
            return Ok(ExitCode::SUCCESS);
        }
        Ok(Invocation::Version) => {
            println!("rcli {}", env!("CARGO_PKG_VERSION"));
            return Ok(ExitCode::SUCCESS);
        }
        Err(error) => {
            eprintln!("{error}");
            return Ok(ExitCode::FAILURE);
        }
    };
    if args.password.is_some() && !args.no_auth_warning {
        eprintln!("{}", rcli::PASSWORD_WARNING);
    }
    let mode = args.format_mode(io::stdout().is_terminal());
    let mut session = Session::new(Target::from_args(&args), args.db);
    let mut stderr = io::stderr();
    if let Some(special) = args.mode() {
        let code = rcli::modes::run(
            special,
            &args,
            &mut session,
            mode,
            &mut io::stdin(),
            &mut io::stdout().lock(),
            &mut stderr,
        )
        .context("run mode")?;
        return Ok(exit_code(code));
    }
    if args.command.is_empty() {
        let code = repl::run(&mut session, mode, &repl::history_file())
            .context("run interactive session")?;
        return Ok(exit_code(code));
    }
    let mut command = args.command.clone();
    if args.stdin_last_arg {
        let mut last = Vec::new();
        io::stdin()
            .read_to_end(&mut last)
            .context("Reading from standard input")?;
        command.push(last.into());
    }
    let code = rcli::run_repeated(
        &mut session,
        &command,
        args.repeat,
        args.interval,
        mode,
        &mut io::stdout().lock(),
        &mut stderr,
    )
    .context("write reply")?;
    Ok(exit_code(code))
}

fn exit_code(code: i32) -> ExitCode {
    ExitCode::from(u8::try_from(code).unwrap_or(1))
}

fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
    })
}
