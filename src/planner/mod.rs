//! Planning: a change file plus a catalog become a [`crate::plan::Plan`].
//!
//! Pure and synchronous. Each statement goes to its recipe (one file per kind of change in
//! [`recipes`]), which returns [`builder::Draft`] steps; the [`builder`] labels their locks
//! from [`crate::safety`], enforces the zero-downtime rule, wires dependencies inside and
//! across statements, and orders the graph. After each statement the catalog is advanced
//! with [`crate::catalog::Catalog::apply`], so later statements see the names earlier ones
//! introduce.

pub mod builder;
pub mod recipes;
pub mod sqlgen;

use crate::catalog::Catalog;
use crate::plan::{BatchSettings, Plan};
use crate::sql::{self, SqlError};

/// Settings that shape a plan.
#[derive(Debug, Clone)]
pub struct Options {
    /// Server major version to plan for (from the live database, else 15).
    pub pg_version: u32,
    /// Plan statements that have no online path as blocking steps instead of refusing.
    pub allow_blocking: bool,
    /// Initial backfill batch settings.
    pub batch: BatchSettings,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            pg_version: 15,
            allow_blocking: false,
            batch: BatchSettings::default(),
        }
    }
}

/// Plan the change in `text` (read from `path`) against `catalog`.
pub fn plan(path: &str, text: &str, catalog: &Catalog, opts: &Options) -> Result<Plan, SqlError> {
    let stmts = sql::parse_file(path, text, false)?;
    if stmts.is_empty() {
        return Err(SqlError::new(path, sql::Loc { line: 1, col: 1 }, "the change file has no SQL statement")
            .with_hint("write the DDL you would naively run, e.g. `ALTER TABLE users RENAME COLUMN email TO email_address;`"));
    }
    let mut b = builder::Builder::new(path, catalog.clone(), opts.clone());
    for (i, st) in stmts.iter().enumerate() {
        b.statement(i + 1, st)?;
    }
    Ok(b.finish(path, text))
}
