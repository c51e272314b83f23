//! Running external programs and reading the server log.

use std::env;
use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};

use super::error::{PgTempError, Result};

/// Removes inherited `PG*` variables (PGHOST, PGPORT, PGDATA, PGOPTIONS, ...) so that
/// only the explicit arguments decide what a tool talks to, and fixes the locale
/// so messages are predictable.
pub(crate) fn scrub_env(cmd: &mut Command) {
    for (key, _) in env::vars_os() {
        if key.to_str().is_some_and(|k| k.starts_with("PG")) {
            cmd.env_remove(key);
        }
    }
    cmd.env("LC_ALL", "C").env("LANG", "C");
}

/// Renders a command line for error messages.
pub(crate) fn describe(cmd: &Command) -> String {
    let mut text = cmd.get_program().to_string_lossy().into_owned();
    for arg in cmd.get_args() {
        text.push(' ');
        text.push_str(&arg.to_string_lossy());
    }
    text
}

/// Runs `cmd` to completion with stdin closed; returns stdout, or an error carrying
/// stderr and stdout when it exits unsuccessfully.
pub(crate) fn run(cmd: &mut Command) -> Result<String> {
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .map_err(|e| PgTempError::io(format!("could not run `{}`", describe(cmd)), e))?;
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    if out.status.success() {
        return Ok(stdout);
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    let output = [stderr.trim(), stdout.trim()]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("\n");
    Err(PgTempError::CommandFailed {
        command: describe(cmd),
        status: out.status.to_string(),
        output,
    })
}

/// The last `lines` lines of a (log) file; a note instead if it cannot be read.
pub(crate) fn tail(path: &Path, lines: usize) -> String {
    match fs::read(path) {
        Ok(bytes) => {
            let text = String::from_utf8_lossy(&bytes);
            let all: Vec<&str> = text.lines().collect();
            all[all.len().saturating_sub(lines)..].join("\n")
        }
        Err(e) => format!("(could not read {}: {e})", path.display()),
    }
}
