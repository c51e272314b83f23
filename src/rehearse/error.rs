//! What stops a rehearsal before it can judge the plan (bad input, a cluster that will not
//! start, a schema that does not load). A failed check is not an error: it is in the report.

use thiserror::Error;

/// Why a rehearsal could not be carried out.
#[derive(Debug, Error)]
pub enum RehearseError {
    /// The throwaway cluster (start, databases, psql).
    #[error("the throwaway cluster: {0}")]
    Cluster(#[from] crate::pgtemp::PgTempError),
    /// The schema file does not load into a fresh database.
    #[error(
        "{file} does not load into a fresh database: {error}\n  (fix the file, or load it by hand with psql -f to see where)"
    )]
    Schema {
        /// The schema file.
        file: String,
        /// psql's message.
        error: String,
    },
    /// `pg_dump --schema-only` of the environment failed.
    #[error("cannot read the schema of {target} with pg_dump: {error}")]
    Dump {
        /// The environment's database (no user or password).
        target: String,
        /// What pg_dump said.
        error: String,
    },
    /// Reading a catalog from the throwaway database.
    #[error("cannot read the rehearsal database's schema: {0}")]
    Catalog(String),
    /// A query on the throwaway database.
    #[error("the rehearsal database: {0}")]
    Database(String),
}

impl RehearseError {
    /// A database error as text.
    pub fn db(what: &str, e: impl std::fmt::Display) -> Self {
        RehearseError::Database(format!("{what}: {e}"))
    }
}
