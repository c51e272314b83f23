//! Keyset pagination over a table's primary key, shared by backfills and verifications: the key columns with their types, the SQL pieces for a range, and the table's row estimate.

use super::error::ExecError;
use super::session::Session;
use crate::sql::quote_ident as q;

/// The key columns with their types, and the SQL pieces for a keyset range.
pub(super) struct Keyset {
    pub(super) cols: Vec<String>,
    pub(super) types: Vec<String>,
}

impl Keyset {
    pub(super) async fn load(s: &Session, table: &str, key: &[String]) -> Result<Self, ExecError> {
        let mut types = Vec::new();
        for k in key {
            let t: Option<String> = sqlx::query_scalar(
                "SELECT format_type(a.atttypid, a.atttypmod) FROM pg_attribute a WHERE a.attrelid = to_regclass($1) AND a.attname = $2 AND NOT a.attisdropped",
            )
            .bind(table)
            .bind(k)
            .fetch_optional(&s.pool)
            .await
            .map_err(|e| s.err("cannot read the key's types", &e))?;
            types.push(t.ok_or_else(|| {
                ExecError::Precondition(format!("key column {k} of {table} does not exist"))
            })?);
        }
        Ok(Self {
            cols: key.to_vec(),
            types,
        })
    }

    pub(super) fn list(&self) -> String {
        self.cols
            .iter()
            .map(|c| q(c))
            .collect::<Vec<_>>()
            .join(", ")
    }

    pub(super) fn desc(&self) -> String {
        self.cols
            .iter()
            .map(|c| format!("{} DESC", q(c)))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// `(k1, k2) <op> ($first::t1, $first+1::t2)`: the key against typed parameters.
    pub(super) fn compare(&self, op: &str, first: usize) -> String {
        let params: Vec<String> = self
            .types
            .iter()
            .enumerate()
            .map(|(i, t)| format!("${}::{t}", first + i))
            .collect();
        format!("({}) {op} ({})", self.list(), params.join(", "))
    }

    /// Rows after the cursor.
    pub(super) fn after(&self, first: usize) -> String {
        self.compare(">", first)
    }

    /// Rows up to the bound.
    pub(super) fn at_most(&self, first: usize) -> String {
        self.compare("<=", first)
    }

    pub(super) fn texts(&self, rel: &str) -> String {
        self.cols
            .iter()
            .map(|c| format!("(SELECT {}::text FROM {rel})", q(c)))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The planner's row estimate of `table` (0 when unknown).
pub(super) async fn estimate(s: &Session, table: &str) -> i64 {
    sqlx::query_scalar::<_, f32>("SELECT reltuples FROM pg_class WHERE oid = to_regclass($1)")
        .bind(table)
        .fetch_optional(&s.pool)
        .await
        .ok()
        .flatten()
        .map(|r| r.max(0.0) as i64)
        .unwrap_or(0)
}
