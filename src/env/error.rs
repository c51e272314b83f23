//! Why a connection target cannot be used; the messages never repeat a password.

use std::fmt;

/// A database URL that cannot be used. The messages never repeat the URL's password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetError {
    /// Nothing given.
    Empty,
    /// No `scheme://`.
    NoScheme,
    /// A scheme other than postgres or postgresql.
    WrongScheme(String),
    /// A port that is not a number.
    BadPort(String),
    /// A libpq key-value string that cannot be read (the text never holds a value).
    BadKeyValue(String),
    /// TLS is required and the connection string turns it off (`sslmode`).
    TlsRefused(String),
}

impl fmt::Display for TargetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TargetError::Empty => {
                write!(
                    f,
                    "no database: pass --database-url URL or set DATABASE_URL"
                )
            }
            TargetError::NoScheme => write!(
                f,
                "the database URL has no scheme: write it as postgres://user@host:port/database (or as libpq settings: host=... dbname=...)"
            ),
            TargetError::WrongScheme(s) => write!(
                f,
                "the database URL starts with `{s}://`; bellows needs postgres://user@host:port/database (or postgresql://)"
            ),
            TargetError::BadPort(p) => write!(
                f,
                "the database URL's port `{p}` is not a number from 1 to 65535"
            ),
            TargetError::BadKeyValue(what) => write!(
                f,
                "the connection string cannot be read ({what}): write it as host=... port=... user=... dbname=... (quote values with spaces in single quotes) or as postgres://user@host:port/database"
            ),
            TargetError::TlsRefused(mode) => write!(
                f,
                "TLS is required (--require-tls or BELLOWS_REQUIRE_TLS=1), and the connection string says sslmode={mode}; use sslmode=require, verify-ca or verify-full"
            ),
        }
    }
}

impl std::error::Error for TargetError {}

/// An environment from `bellows.toml` that cannot be used. Messages never hold a URL's
/// password or a secret command's output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnvError {
    /// The config file is wrong at `file:line`.
    Config {
        /// The file.
        file: String,
        /// 1-based line.
        line: usize,
        /// What is wrong.
        message: String,
        /// What to write instead.
        hint: String,
    },
    /// No environment of that name.
    Unknown {
        /// The name asked for.
        name: String,
        /// The file searched.
        file: String,
        /// The names it has.
        known: Vec<String>,
    },
    /// The URL could not be obtained (variable unset, command failed).
    Source {
        /// The environment.
        name: String,
        /// Why, and what to do.
        message: String,
    },
    /// The connection does not meet the environment's TLS policy.
    Tls {
        /// The environment.
        name: String,
        /// Why, and what to do.
        message: String,
    },
    /// The URL itself is unusable.
    Target {
        /// The environment.
        name: String,
        /// The target's error.
        error: TargetError,
    },
}

impl fmt::Display for EnvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EnvError::Config {
                file,
                line,
                message,
                hint,
            } => write!(f, "{file}:{line}: {message}\n  hint: {hint}"),
            EnvError::Unknown { name, file, known } if known.is_empty() => write!(
                f,
                "no environment `{name}`: {file} defines none (add an [environments.{name}] table)"
            ),
            EnvError::Unknown { name, file, known } => write!(
                f,
                "no environment `{name}` in {file}; it defines {}",
                known.join(", ")
            ),
            EnvError::Source { name, message } | EnvError::Tls { name, message } => {
                write!(f, "environment {name}: {message}")
            }
            EnvError::Target { name, error } => write!(f, "environment {name}: {error}"),
        }
    }
}

impl std::error::Error for EnvError {}
