//! Errors from building or querying the catalog.

use crate::sql::SqlError;

/// Why a catalog could not be built or a change does not fit it.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    /// The schema file could not be read.
    #[error("cannot read schema file {path}: {source}")]
    Io {
        /// File.
        path: String,
        /// Cause.
        source: std::io::Error,
    },
    /// The SQL itself is wrong.
    #[error(transparent)]
    Sql(#[from] SqlError),
    /// A name the statement relies on does not exist (or one it creates already does).
    #[error("{0}")]
    Mismatch(String),
    /// The live database could not be reached (exit 4: nothing was read or changed).
    #[error("{0}")]
    Unreachable(String),
    /// The live database could not be introspected.
    #[error("cannot introspect the database: {0}")]
    Database(String),
}
