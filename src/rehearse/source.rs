//! The schema of an environment, read-only: `pg_dump --schema-only` of its database into a
//! file the rehearsal loads (bellows' own state schema left out). The password goes to
//! pg_dump in `PGPASSWORD`, never on its command line; no row is read.

use std::path::Path;
use std::process::Command;

use super::error::RehearseError;
use crate::env::Target;

/// Dump `target`'s schema into `out` with the `pg_dump` of `bin_dir` (or PATH's).
pub fn dump_schema(bin_dir: &Path, target: &Target, out: &Path) -> Result<(), RehearseError> {
    let bundled = bin_dir.join("pg_dump");
    let program = if bundled.exists() {
        bundled
    } else {
        "pg_dump".into()
    };
    let (url, password) = target.split_password();
    let mut cmd = Command::new(&program);
    for (key, _) in std::env::vars_os() {
        if key.to_str().is_some_and(|k| k.starts_with("PG")) {
            cmd.env_remove(key);
        }
    }
    if let Some(pw) = password {
        cmd.env("PGPASSWORD", pw);
    }
    let done = cmd
        // bellows' own run state is not the application's schema.
        .args([
            "--schema-only",
            "--no-password",
            "--exclude-schema=bellows",
            "--file",
        ])
        .arg(out)
        .arg("--dbname")
        .arg(&url)
        .output()
        .map_err(|e| RehearseError::Dump {
            target: target.describe(),
            error: format!("cannot run {}: {e}", program.display()),
        })?;
    if done.status.success() {
        return Ok(());
    }
    Err(RehearseError::Dump {
        target: target.describe(),
        error: target.redact(String::from_utf8_lossy(&done.stderr).trim()),
    })
}
