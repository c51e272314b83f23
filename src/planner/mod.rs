//! Planning: a change file plus a catalog become a [`crate::plan::Plan`].
//!
//! Pure and synchronous. Each statement goes to its recipe (one file per kind of change in
//! [`recipes`]), which describes its steps as [`kit::Draft`]s, built from the shared step
//! fragments in [`steps`] (backfill, NOT NULL tail, concurrent index, constraint adds, the
//! shadow-column engine) and SQL from [`sqlgen`]. The [`builder`] labels their locks from
//! [`crate::safety`], enforces the zero-downtime rule, wires dependencies inside and across
//! statements, and orders the graph. After each statement the schema moves on
//! ([`crate::catalog::Evolving`]), so later statements see the names earlier ones introduce.

pub mod builder;
pub mod kit;
pub mod recipes;
pub mod sqlgen;
pub mod steps;

pub use kit::Options;

use crate::catalog::Catalog;
use crate::plan::Plan;
use crate::sql::{self, SqlError};

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
