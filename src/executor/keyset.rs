//! Keyset pagination over a table's primary key, shared by backfills and verifications: the key columns with their types, the SQL pieces for a range, a backfill batch, and the table's row estimate.

use sqlx::{PgConnection, Row};

use super::error::ExecError;
use super::session::Session;
use crate::plan::Backfill;
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

impl Keyset {
    /// The highest key of `table` now (texts), None when it is empty.
    pub(super) async fn highest(
        &self,
        s: &Session,
        table: &str,
    ) -> Result<Option<Vec<String>>, ExecError> {
        let sql = format!(
            "SELECT {} FROM {table} ORDER BY {} LIMIT 1",
            self.cols
                .iter()
                .enumerate()
                .map(|(i, c)| format!("{}::text AS bellows_key_{i}", q(c)))
                .collect::<Vec<_>>()
                .join(", "),
            self.desc()
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_optional(&s.pool)
            .await
            .map_err(|e| s.err("cannot read the key range", &e))?;
        Ok(row.map(|r| {
            (0..self.cols.len())
                .map(|i| r.try_get::<String, _>(i).unwrap_or_default())
                .collect()
        }))
    }

    /// One backfill batch of at most `size` rows of `b.table` after `last`, up to `upper`:
    /// does the step's write to the rows that still match its filter. Returns the rows in
    /// the batch, the rows changed, and the last key of the batch (None when none was left).
    pub(super) async fn backfill_batch(
        &self,
        conn: &mut PgConnection,
        b: &Backfill,
        (last, upper): (Option<&[String]>, Option<&[String]>),
        size: u32,
    ) -> Result<(i64, i64, Option<Vec<String>>), sqlx::Error> {
        let table = &b.table;
        let n = self.cols.len();
        let upper_first = if last.is_some() { 2 + n } else { 2 };
        let lower = match (last.is_some(), upper.is_some()) {
            (true, true) => format!("WHERE {} AND {}", self.after(2), self.at_most(upper_first)),
            (true, false) => format!("WHERE {}", self.after(2)),
            (false, true) => format!("WHERE {}", self.at_most(upper_first)),
            (false, false) => String::new(),
        };
        let lower_and = if last.is_some() {
            format!("{} AND ", self.after(2))
        } else {
            String::new()
        };
        let range = format!(
            "{lower_and}({k}) <= (SELECT {k} FROM last)",
            k = self.list()
        );
        let sql = format!(
            "WITH batch AS (SELECT {k} FROM {table} {lower} ORDER BY {k} LIMIT $1), \
                  last AS (SELECT {k} FROM batch ORDER BY {desc} LIMIT 1), \
                  {write} \
             SELECT (SELECT count(*) FROM batch), (SELECT count(*) FROM upd), {texts}",
            k = self.list(),
            desc = self.desc(),
            write = b.write_ctes(&range),
            texts = self.texts("last"),
        );
        let mut qy = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(size as i64);
        for v in last.into_iter().chain(upper).flatten() {
            qy = qy.bind(v.clone());
        }
        let row = qy.fetch_one(conn).await?;
        let scanned: i64 = row.try_get(0)?;
        let changed: i64 = row.try_get(1)?;
        let mut out: Vec<String> = Vec::with_capacity(n);
        for i in 0..n {
            let v: Option<String> = row.try_get(2 + i)?;
            out.extend(v);
        }
        Ok((
            scanned,
            changed,
            (scanned > 0 && out.len() == n).then_some(out),
        ))
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
