//! The command line: clap arguments are validated into settings, then handed to the library.
//! Output formats and exit codes (CONTRACT.md) live here and nowhere else.

pub mod args;
pub mod check_cmd;
pub mod check_config;
pub mod check_explain;
pub mod check_output;
pub mod demo_cmd;
pub mod diff_cmd;
pub mod doctor_cmd;
pub mod env_target;
pub mod explain_cmd;
pub mod export_cmd;
pub mod plan_cmd;
pub mod printer;
pub mod rehearse_cmd;
pub mod release_tables;
pub mod replan;
pub mod run_cmd;
pub mod seed_cmd;

use std::ffi::OsString;
use std::process::ExitCode;

use clap::Parser;

/// A failure with the exit code it maps to.
#[derive(Debug)]
pub struct Failure {
    /// Exit code (2: bad input or usage; 1: a step failed).
    pub code: u8,
    /// What to tell the user.
    pub message: String,
}

impl Failure {
    /// Bad input or usage: exit 2, nothing changed.
    pub fn input(message: impl Into<String>) -> Self {
        Self {
            code: 2,
            message: message.into(),
        }
    }
}

/// Run bellows with these arguments (the first is the program name).
pub fn run<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let args: Vec<OsString> = args.into_iter().map(Into::into).collect();
    warn_password_on_command_line(&args);
    let cli = match args::Cli::try_parse_from(args) {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                    ExitCode::SUCCESS
                }
                _ => ExitCode::from(2),
            };
        }
    };
    let result = match cli.command {
        args::Command::Plan(a) => plan_cmd::run(a),
        args::Command::Explain(a) => explain_cmd::run(a),
        args::Command::Check(a) => check_cmd::run(a),
        args::Command::Run(a) => run_cmd::run(a),
        args::Command::Export(a) => export_cmd::run(a),
        args::Command::Status(a) => run_cmd::status(a),
        args::Command::Rollback(a) => run_cmd::rollback(a),
        args::Command::Diff(a) => diff_cmd::run(a),
        args::Command::Demo => demo_cmd::run(),
        args::Command::Doctor(a) => doctor_cmd::run(a),
        args::Command::Seed(a) => seed_cmd::run(a),
        args::Command::Rehearse(a) => rehearse_cmd::run(a),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            // Messages can carry file names and identifiers: never raw control characters.
            eprintln!("error: {}", crate::plan::escape::block(&f.message));
            ExitCode::from(f.code)
        }
    }
}

/// A password given with `--database-url` on the command line is visible to every user of
/// the machine (`/proc/PID/cmdline`, `ps`) and stays in shell history: say so, and where
/// it belongs instead.
fn warn_password_on_command_line(args: &[OsString]) {
    let mut it = args.iter().map(|a| a.to_string_lossy().to_string());
    while let Some(a) = it.next() {
        let value = match a.strip_prefix("--database-url=") {
            Some(v) => Some(v.to_string()),
            None if a == "--database-url" => it.next(),
            None => None,
        };
        if let Some(v) = value
            && crate::env::Target::parse(&v).is_ok_and(|t| t.has_password())
        {
            eprintln!(
                "warning: the password in --database-url is visible to other users of this machine (ps, /proc/PID/cmdline) and in shell history; \
                 set DATABASE_URL instead, or leave the password out and use PGPASSWORD or ~/.pgpass"
            );
            return;
        }
    }
}
