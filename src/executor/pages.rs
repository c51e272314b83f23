//! Walking a table by ranges of physical pages (`ctid >= '(p,0)' AND ctid < '(p+n,0)'`, a
//! TID range scan, PostgreSQL 14+), for tables with no key: the server check, the table's
//! size when a walk starts, and the batch statements of a backfill and a verification.
//! Also the leaf partitions a partitioned table's backfill walks one after another.

use sqlx::{PgConnection, Row};

use super::error::ExecError;
use super::session::Session;
use crate::plan::{Backfill, PAGE_RANGE, PAGE_WALK_VERSION};

/// Rows per page assumed when the table's statistics say nothing yet.
const UNKNOWN_ROWS_PER_PAGE: f64 = 100.0;

/// Refuse a page walk on a server without TID range scans.
pub(super) async fn require_tid_range_scans(s: &Session) -> Result<(), ExecError> {
    let v: i32 = sqlx::query_scalar("SELECT current_setting('server_version_num')::int")
        .fetch_one(&s.pool)
        .await
        .map_err(|e| s.err("cannot read the server version", &e))?;
    if (v / 10_000) < PAGE_WALK_VERSION as i32 {
        return Err(ExecError::Precondition(format!(
            "this step walks a table with no key by ranges of physical pages, which needs PostgreSQL {PAGE_WALK_VERSION}+ (TID range scans), and the server is {}; add a primary key or a unique index on NOT NULL columns, then plan the change again",
            v / 10_000
        )));
    }
    Ok(())
}

/// The leaf tables of `$1`: its leaf partitions, or the table itself (`pg_partition_tree`
/// returns no row for a table that is neither partitioned nor a partition).
const LEAVES: &str = "(SELECT relid FROM pg_partition_tree(to_regclass($1)) WHERE isleaf \
     UNION ALL SELECT to_regclass($1) WHERE NOT EXISTS (SELECT 1 FROM pg_partition_tree(to_regclass($1))))";

/// A table's size when a walk starts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Size {
    /// Pages to walk: the largest leaf's, so `ctid` ranges on a partitioned table reach
    /// every partition's pages.
    pub(super) pages: i64,
    /// Rows per page, from the statistics (an assumption when there are none).
    pub(super) rows_per_page: f64,
}

impl Size {
    /// Pages holding about `rows` rows (at least one).
    pub(super) fn pages_for(&self, rows: u32) -> u32 {
        ((rows as f64 / self.rows_per_page).ceil() as u32).max(1)
    }

    /// About how many rows `pages` pages hold.
    pub(super) fn rows_in(&self, pages: u32) -> u32 {
        (pages as f64 * self.rows_per_page)
            .round()
            .min(u32::MAX as f64) as u32
    }
}

/// The size of `table` (quoted, qualified) now.
pub(super) async fn size(s: &Session, table: &str) -> Result<Size, ExecError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT coalesce(max(pg_relation_size(t.relid) / current_setting('block_size')::bigint), 0)::bigint, \
                coalesce(sum(greatest(c.reltuples, 0)), 0)::float8, coalesce(sum(c.relpages), 0)::float8 \
         FROM {LEAVES} t JOIN pg_class c ON c.oid = t.relid"
    )))
    .bind(table)
    .fetch_one(&s.pool)
    .await
    .map_err(|e| s.err("cannot read the table's size", &e))?;
    let pages: i64 = row.try_get(0).unwrap_or(0);
    let tuples: f64 = row.try_get(1).unwrap_or(0.0);
    let relpages: f64 = row.try_get(2).unwrap_or(0.0);
    Ok(Size {
        pages,
        rows_per_page: if tuples > 0.0 && relpages > 0.0 {
            (tuples / relpages).max(1.0)
        } else {
            UNKNOWN_ROWS_PER_PAGE
        },
    })
}

/// The bounds of pages `first .. first + n` as `tid` texts: `(first,0)`, `(first+n,0)`.
pub(super) fn bounds(first: i64, n: u32) -> (String, String) {
    (format!("({first},0)"), format!("({},0)", first + n as i64))
}

/// One backfill batch over pages `first .. first + n` of `b.table`: does the step's write to
/// the rows that still match its filter. Returns the rows the pages hold and the rows changed.
pub(super) async fn backfill_batch(
    conn: &mut PgConnection,
    b: &Backfill,
    first: i64,
    n: u32,
) -> Result<(i64, i64), sqlx::Error> {
    let table = &b.table;
    let sql = format!(
        "WITH {} SELECT (SELECT count(*) FROM {table} WHERE {PAGE_RANGE}), (SELECT count(*) FROM upd)",
        b.write_ctes(PAGE_RANGE)
    );
    let (lo, hi) = bounds(first, n);
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(lo)
        .bind(hi)
        .fetch_one(conn)
        .await?;
    Ok((row.try_get(0)?, row.try_get(1)?))
}

/// One verification batch over pages `first .. first + n`: the rows read, the rows matching
/// `violation`, and the positions (`ctid`) of the first ten of them.
pub(super) async fn verify_batch(
    conn: &mut PgConnection,
    table: &str,
    violation: &str,
    first: i64,
    n: u32,
) -> Result<(i64, i64, Vec<String>), sqlx::Error> {
    let range = PAGE_RANGE;
    let sql = format!(
        "SELECT count(*), count(*) FILTER (WHERE {violation}), \
                (array_agg('ctid ' || ctid::text ORDER BY ctid) FILTER (WHERE {violation}))[1:10] \
         FROM {table} WHERE {range}"
    );
    let (lo, hi) = bounds(first, n);
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(lo)
        .bind(hi)
        .fetch_one(conn)
        .await?;
    let sample: Option<Vec<String>> = row.try_get(2)?;
    Ok((row.try_get(0)?, row.try_get(1)?, sample.unwrap_or_default()))
}

/// The leaf partitions of `table` (quoted, qualified) now, by name; the table itself when
/// it is not partitioned.
pub(super) async fn leaves(s: &Session, table: &str) -> Result<Vec<String>, ExecError> {
    sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT format('%I.%I', n.nspname, c.relname) \
         FROM {LEAVES} t JOIN pg_class c ON c.oid = t.relid \
         JOIN pg_namespace n ON n.oid = c.relnamespace ORDER BY 1"
    )))
    .bind(table)
    .fetch_all(&s.pool)
    .await
    .map_err(|e| s.err("cannot read the table's partitions", &e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_bounds_and_batch_sizes_convert_between_rows_and_pages() {
        assert_eq!(bounds(10, 5), ("(10,0)".into(), "(15,0)".into()));
        let s = Size {
            pages: 100,
            rows_per_page: 40.0,
        };
        assert_eq!(s.pages_for(1000), 25);
        assert_eq!(s.pages_for(1), 1, "never an empty batch");
        assert_eq!(s.rows_in(25), 1000);
    }
}
