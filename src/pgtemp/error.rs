//! Error type for temporary clusters.

use std::io;
use std::path::PathBuf;

use thiserror::Error;

/// Result alias for this module.
pub type Result<T, E = PgTempError> = std::result::Result<T, E>;

/// Everything that can go wrong while creating, using or stopping a [`TempCluster`].
///
/// [`TempCluster`]: super::TempCluster
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum PgTempError {
    /// No directory with `initdb`, `pg_ctl` and `postgres` was found.
    #[error(
        "PostgreSQL server binaries (initdb, pg_ctl) not found. Install them with \
         `sudo apt-get install postgresql` (Debian/Ubuntu) or set BELLOWS_PG_BINDIR \
         to the directory holding initdb."
    )]
    BinariesNotFound,

    /// An explicitly chosen binary directory lacks one of the server programs.
    #[error(
        "{} does not contain `{missing}`; set BELLOWS_PG_BINDIR to the directory \
         holding initdb, pg_ctl and postgres (e.g. /usr/lib/postgresql/15/bin)",
        dir.display()
    )]
    InvalidBinDir {
        /// The directory that was given.
        dir: PathBuf,
        /// The first missing program.
        missing: &'static str,
    },

    /// A client tool (`psql`, `createdb`, `dropdb`) is neither in the binary directory nor on PATH.
    #[error(
        "`{tool}` not found in {} or on PATH; install the PostgreSQL client \
         (`sudo apt-get install postgresql-client`)",
        bin_dir.display()
    )]
    ToolNotFound {
        /// Name of the missing tool.
        tool: &'static str,
        /// The server binary directory that was searched first.
        bin_dir: PathBuf,
    },

    /// An I/O operation failed.
    #[error("{context}: {error}")]
    Io {
        /// What was being done.
        context: String,
        /// The underlying error.
        error: io::Error,
    },

    /// An external command exited unsuccessfully.
    #[error("`{command}` failed ({status}):\n{output}")]
    CommandFailed {
        /// The command line, for display.
        command: String,
        /// Exit status description.
        status: String,
        /// Captured stderr followed by stdout.
        output: String,
    },

    /// The server did not start or did not become ready.
    #[error("PostgreSQL failed to start: {reason}\n--- tail of {} ---\n{log_tail}", log.display())]
    StartFailed {
        /// Why starting failed.
        reason: String,
        /// Path of the server log.
        log: PathBuf,
        /// The last lines of the server log.
        log_tail: String,
    },

    /// Running as root but no unprivileged user to run `initdb` as.
    #[error(
        "running as root, but neither a `postgres` nor a `nobody` user exists in \
         /etc/passwd, and initdb refuses to run as root; create a `postgres` user \
         or run as an unprivileged user"
    )]
    NoUnprivilegedUser,

    /// No temporary directory is usable by the user running the server.
    #[error(
        "no temporary directory is traversable by user `{user}` with a short enough \
         path for a Unix socket (tried {tried}); set TMPDIR to such a directory"
    )]
    NoUsableTempDir {
        /// The user the server would run as.
        user: String,
        /// The candidate directories, comma separated.
        tried: String,
    },

    /// A caller-supplied value is not acceptable.
    #[error("invalid {what} {value:?}: {reason}")]
    InvalidArgument {
        /// What kind of value it was.
        what: &'static str,
        /// The offending value.
        value: String,
        /// Why it was rejected.
        reason: &'static str,
    },

    /// `postgres --version` printed something unexpected.
    #[error("could not parse a PostgreSQL version from {0:?}")]
    VersionParse(String),
}

impl PgTempError {
    pub(crate) fn io(context: impl Into<String>, error: io::Error) -> Self {
        Self::Io {
            context: context.into(),
            error,
        }
    }
}
