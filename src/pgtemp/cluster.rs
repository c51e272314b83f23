//! The running cluster: accessors, client helpers and shutdown.

use std::fmt::Write as _;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::process::Command;

use super::binaries;
use super::error::{PgTempError, Result};
use super::exec;
use super::user::RunAs;

/// Environment variable that, when `1`, keeps cluster directories for debugging.
pub const KEEP_ENV: &str = "BELLOWS_PGTEMP_KEEP";

/// Where the server listens. It never listens on anything but loopback.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Listen {
    /// TCP on 127.0.0.1 on a free port (found by binding 127.0.0.1:0), plus the Unix socket.
    #[default]
    Tcp,
    /// TCP on 127.0.0.1 on this port, plus the Unix socket.
    TcpPort(u16),
    /// Only the Unix socket in [`TempCluster::socket_dir`]; no TCP listener.
    UnixSocket,
}

/// A disposable PostgreSQL cluster, stopped and deleted on drop.
///
/// Started by [`TempCluster::start`] or [`TempCluster::builder`] (see `start.rs`).
#[derive(Debug)]
pub struct TempCluster {
    pub(super) root: PathBuf,
    pub(super) data: PathBuf,
    pub(super) log: PathBuf,
    pub(super) bin_dir: PathBuf,
    pub(super) host: String,
    pub(super) port: u16,
    pub(super) listen: Listen,
    pub(super) superuser: String,
    pub(super) version: u32,
    pub(super) run_as: Option<RunAs>,
    pub(super) keep: bool,
    /// Set once shutdown has run, so drop does nothing more.
    pub(super) finished: bool,
}

impl TempCluster {
    /// The server's port (for the Unix socket only, it just names the socket file).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Host to connect to: `127.0.0.1`, or the socket directory for [`Listen::UnixSocket`].
    pub fn host(&self) -> &str {
        &self.host
    }

    /// Directory holding the server's Unix socket (the cluster's root directory).
    pub fn socket_dir(&self) -> &Path {
        &self.root
    }

    /// The data directory (`PGDATA`).
    pub fn data_dir(&self) -> &Path {
        &self.data
    }

    /// The server log file.
    pub fn log_file(&self) -> &Path {
        &self.log
    }

    /// Directory of the server binaries in use.
    pub fn bin_dir(&self) -> &Path {
        &self.bin_dir
    }

    /// Major version of the server, e.g. `15`.
    pub fn server_version(&self) -> u32 {
        self.version
    }

    /// The superuser name (default `postgres`).
    pub fn superuser(&self) -> &str {
        &self.superuser
    }

    /// Where the server listens.
    pub fn listen(&self) -> Listen {
        self.listen
    }

    /// Connection URL for `dbname`, e.g. `postgres://postgres@127.0.0.1:PORT/dbname`;
    /// for a Unix socket, the socket directory goes in a `host` query parameter.
    pub fn url(&self, dbname: &str) -> String {
        let user = percent_encode(&self.superuser, false);
        let db = percent_encode(dbname, false);
        match self.listen {
            Listen::UnixSocket => format!(
                "postgres://{user}@localhost:{}/{db}?host={}",
                self.port,
                percent_encode(&self.host, true)
            ),
            Listen::Tcp | Listen::TcpPort(_) => {
                format!("postgres://{user}@{}:{}/{db}", self.host, self.port)
            }
        }
    }

    /// The last `lines` lines of the server log.
    pub fn log_tail(&self, lines: usize) -> String {
        exec::tail(&self.log, lines)
    }

    /// Creates a database with `createdb`.
    pub fn create_database(&self, name: &str) -> Result<()> {
        check_db_name(name)?;
        let mut cmd = self.client("createdb")?;
        cmd.arg("--").arg(name);
        exec::run(&mut cmd).map(drop)
    }

    /// Drops a database with `dropdb` (with `--force` on PostgreSQL 13+).
    pub fn drop_database(&self, name: &str) -> Result<()> {
        check_db_name(name)?;
        let mut cmd = self.client("dropdb")?;
        if self.version >= 13 {
            cmd.arg("--force");
        }
        cmd.arg("--").arg(name);
        exec::run(&mut cmd).map(drop)
    }

    /// Runs `sql` in database `db` with `psql -X -q -At -v ON_ERROR_STOP=1` and returns
    /// its output without the trailing newline (rows on lines, columns split by `|`).
    pub fn psql(&self, db: &str, sql: &str) -> Result<String> {
        check_db_name(db)?;
        let mut cmd = self.client("psql")?;
        cmd.args([
            "-X",
            "-q",
            "-At",
            "-v",
            "ON_ERROR_STOP=1",
            "-d",
            db,
            "-c",
            sql,
        ]);
        let out = exec::run(&mut cmd)?;
        Ok(out.trim_end_matches('\n').to_owned())
    }

    /// Runs the SQL file `path` against database `db` with `psql -f`, stopping at the first
    /// error (a `pg_dump` file holds psql meta-commands, so it cannot go through a driver).
    pub fn psql_file(&self, db: &str, path: &Path) -> Result<String> {
        check_db_name(db)?;
        let mut cmd = self.client("psql")?;
        cmd.args(["-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-d", db, "-f"])
            .arg(path);
        let out = exec::run(&mut cmd)?;
        Ok(out.trim_end_matches('\n').to_owned())
    }

    /// Keeps the cluster directory after stop/drop, for debugging; returns its path.
    pub fn keep(&mut self) -> &Path {
        self.keep = true;
        &self.root
    }

    /// Stops the server and removes the directory (unless kept), reporting failures.
    pub fn stop(mut self) -> Result<()> {
        self.shutdown()
    }

    /// A client tool command preset with host, port and user.
    fn client(&self, tool: &'static str) -> Result<Command> {
        let mut cmd = Command::new(binaries::find_tool(&self.bin_dir, tool)?);
        exec::scrub_env(&mut cmd);
        cmd.arg("-h")
            .arg(&self.host)
            .arg("-p")
            .arg(self.port.to_string())
            .arg("-U")
            .arg(&self.superuser)
            .arg("-w");
        Ok(cmd)
    }
}

impl Drop for TempCluster {
    fn drop(&mut self) {
        if self.finished {
            return;
        }
        if let Err(err) = self.shutdown() {
            let _ = writeln!(io::stderr(), "pgtemp: cleanup failed: {err}");
        }
    }
}

fn check_db_name(name: &str) -> Result<()> {
    if name.is_empty() || name.contains('\0') {
        return Err(PgTempError::InvalidArgument {
            what: "database name",
            value: name.to_owned(),
            reason: "must be non-empty and not contain NUL",
        });
    }
    Ok(())
}

/// Percent-encodes everything but unreserved characters (and `/` if `keep_slash`).
fn percent_encode(text: &str, keep_slash: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        let c = char::from(byte);
        if c.is_ascii_alphanumeric() || "-._~".contains(c) || (keep_slash && c == '/') {
            out.push(c);
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::percent_encode;

    #[test]
    fn url_encoding() {
        assert_eq!(percent_encode("app_db", false), "app_db");
        assert_eq!(percent_encode("a b/c", false), "a%20b%2Fc");
        assert_eq!(percent_encode("/tmp/x y", true), "/tmp/x%20y");
    }
}
