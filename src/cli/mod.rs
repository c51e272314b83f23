//! The command line: clap arguments are validated into settings, then handed to the library.
//! Output formats and exit codes (CONTRACT.md) live here and nowhere else.

pub mod args;
pub mod check_cmd;
pub mod check_config;
pub mod check_explain;
pub mod check_output;
pub mod demo_cmd;
pub mod explain_cmd;
pub mod export_cmd;
pub mod plan_cmd;
pub mod printer;
pub mod replan;
pub mod run_cmd;

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
        args::Command::Demo => demo_cmd::run(),
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
