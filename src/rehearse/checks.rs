//! The data checks of a rehearsal: a snapshot of every table's rows taken before the plan
//! runs (in a schema of the copy), compared afterwards over the columns the plan leaves
//! alone; and, before contract, every backfill's "rows still to do" condition, which must
//! match no row.

use sqlx::{Connection, PgConnection};

use super::error::RehearseError;
use super::report::{Check, CheckKind};
use crate::catalog::{Catalog, Parent, Table};
use crate::plan::{Plan, StepKind};
use crate::sql::{QName, quote_ident as q, quote_literal};

/// The schema the snapshots live in (in the rehearsal copy only).
const SNAPSHOTS: &str = "bellows_rehearsal";

/// Tables whose rows are snapshot: each with the name of its snapshot table.
pub struct Snapshot {
    tables: Vec<(QName, String)>,
}

async fn connect(url: &str) -> Result<PgConnection, RehearseError> {
    PgConnection::connect(url)
        .await
        .map_err(|e| RehearseError::db("connect", e))
}

/// Copy every table's rows (partitioned tables through their root) as JSON documents.
pub async fn snapshot(url: &str, before: &Catalog) -> Result<Snapshot, RehearseError> {
    let mut c = connect(url).await?;
    exec(&mut c, &format!("CREATE SCHEMA {}", q(SNAPSHOTS))).await?;
    let mut tables = Vec::new();
    for (i, t) in roots(before).enumerate() {
        let snap = format!("{}.{}", q(SNAPSHOTS), q(&format!("t{i}")));
        exec(
            &mut c,
            &format!(
                "CREATE TABLE {snap} AS SELECT to_jsonb(t) AS r FROM {} t",
                t.name.sql()
            ),
        )
        .await?;
        tables.push((t.name.clone(), snap));
    }
    let _ = c.close().await;
    Ok(Snapshot { tables })
}

/// Tables that are not partitions.
fn roots(cat: &Catalog) -> impl Iterator<Item = &Table> {
    cat.tables
        .values()
        .filter(|t| !matches!(t.parent, Some(Parent::Partition { .. })))
}

async fn exec(c: &mut PgConnection, sql: &str) -> Result<(), RehearseError> {
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
        .execute(&mut *c)
        .await
        .map(drop)
        .map_err(|e| RehearseError::db(sql, e))
}

async fn count(c: &mut PgConnection, sql: &str) -> Result<i64, RehearseError> {
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string()))
        .fetch_one(&mut *c)
        .await
        .map_err(|e| RehearseError::db(sql, e))
}

/// Every snapshot row must still be there with the same values in the columns that have
/// the same name and type before and after the plan (rows the application added are
/// allowed; a row lost or changed is not). Columns the table's own triggers write
/// (`NEW.col := ...`) may change where the plan's updates fire them: said, not failed.
pub async fn unchanged(
    url: &str,
    snap: &Snapshot,
    before: &Catalog,
    after: &Catalog,
) -> Result<Check, RehearseError> {
    let mut c = connect(url).await?;
    let mut evidence = Vec::new();
    let mut failed = false;
    let (mut tables, mut rows) = (0, 0i64);
    for (name, table) in &snap.tables {
        let (Some(b), Some(a)) = (before.tables.get(name), after.tables.get(name)) else {
            continue;
        };
        let same: Vec<&str> = b
            .columns
            .iter()
            .filter(|c| a.column(&c.name).is_some_and(|ac| ac.ty == c.ty))
            .map(|c| c.name.as_str())
            .collect();
        if same.is_empty() {
            continue;
        }
        tables += 1;
        rows += count(&mut c, &format!("SELECT count(*) FROM {table}")).await?;
        let n = count(
            &mut c,
            &format!("SELECT count(*) FROM ({}) x", lost(table, b, a, &same)),
        )
        .await?;
        if n == 0 {
            continue;
        }
        let written = trigger_written(before, b);
        let rest: Vec<&str> = same
            .iter()
            .copied()
            .filter(|c| !written.iter().any(|(col, _)| col == c))
            .collect();
        let explained = !written.is_empty()
            && count(
                &mut c,
                &format!("SELECT count(*) FROM ({}) x", lost(table, b, a, &rest)),
            )
            .await?
                == 0;
        if explained {
            let by: Vec<String> = written
                .iter()
                .filter(|(col, _)| same.contains(&col.as_str()))
                .map(|(col, t)| format!("{col} (trigger {t})"))
                .collect();
            evidence.push(format!(
                "{}: {n} row(s) changed only in columns the table's own triggers write when the plan updates rows: {}",
                name.display(),
                by.join(", ")
            ));
            continue;
        }
        failed = true;
        let sample: Option<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT r::text FROM ({}) x LIMIT 1",
            lost(table, b, a, &same)
        )))
        .fetch_optional(&mut c)
        .await
        .map_err(|e| RehearseError::db("a sample row", e))?;
        evidence.push(format!(
            "{}: {n} row(s) lost or changed in columns the plan leaves alone ({}); one as it was: {}",
            name.display(),
            same.join(", "),
            sample.unwrap_or_default()
        ));
    }
    exec(&mut c, &format!("DROP SCHEMA {} CASCADE", q(SNAPSHOTS))).await?;
    let _ = c.close().await;
    evidence.insert(0, format!("{rows} rows of {tables} tables compared"));
    Ok(Check {
        check: CheckKind::UnchangedData,
        passed: !failed,
        evidence,
    })
}

/// Snapshot rows of `table` missing from the live table `b`/`a` names, over columns `keep`.
fn lost(table: &str, b: &Table, a: &Table, keep: &[&str]) -> String {
    let drop_from = |t: &Table| -> String {
        let gone: Vec<String> = t
            .columns
            .iter()
            .filter(|c| !keep.contains(&c.name.as_str()))
            .map(|c| quote_literal(&c.name))
            .collect();
        if gone.is_empty() {
            String::new()
        } else {
            format!(" - ARRAY[{}]::text[]", gone.join(", "))
        }
    };
    format!(
        "SELECT r{} AS r FROM {table} EXCEPT ALL SELECT to_jsonb(t){} FROM {} t",
        drop_from(b),
        drop_from(a),
        a.name.sql()
    )
}

/// Columns of `t` its triggers' functions assign (`NEW.col :=` / `NEW.col =`), with the
/// trigger's name.
fn trigger_written(cat: &Catalog, t: &Table) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for tr in t.triggers.values() {
        let Some(bodies) = cat.function_bodies.get(&tr.function) else {
            continue;
        };
        for col in &t.columns {
            if bodies.iter().any(|b| assigns(b, &col.name)) {
                out.push((col.name.clone(), tr.name.clone()));
            }
        }
    }
    out
}

/// Whether a function body assigns `NEW.<column>`.
fn assigns(body: &str, column: &str) -> bool {
    let lower = body.to_ascii_lowercase();
    let col = column.to_ascii_lowercase();
    [format!("new.{col}"), format!("new.\"{col}\"")]
        .iter()
        .any(|pat| {
            lower.match_indices(pat.as_str()).any(|(i, _)| {
                let rest = lower[i + pat.len()..].trim_start();
                let prev_ok = i == 0
                    || !lower.as_bytes()[i - 1].is_ascii_alphanumeric()
                        && lower.as_bytes()[i - 1] != b'_';
                prev_ok
                    && (rest.starts_with(":=")
                        || (rest.starts_with('=') && !rest.starts_with("==")))
            })
        })
}

/// Every backfill's condition for rows still to do matches no row (run before contract,
/// while the columns its expressions read still exist).
pub async fn backfilled(url: &str, plan: &Plan) -> Result<Check, RehearseError> {
    let mut c = connect(url).await?;
    let mut evidence = Vec::new();
    let mut failed = false;
    for s in plan.steps.iter().filter(|s| s.kind == StepKind::Backfill) {
        let Some(b) = &s.backfill else { continue };
        if b.filter.trim().is_empty() {
            continue;
        }
        let sql = format!("SELECT count(*) FROM {} WHERE {}", b.table, b.filter);
        let n = count(&mut c, &sql).await?;
        let cols: Vec<&str> = b.set.keys().map(String::as_str).collect();
        if n > 0 {
            failed = true;
            evidence.push(format!(
                "step {}: {n} row(s) of {} still where {}",
                s.id, b.table, b.filter
            ));
        } else {
            evidence.push(format!(
                "step {}: {} ({}) done for every row",
                s.id,
                b.table,
                if cols.is_empty() {
                    "rows".to_string()
                } else {
                    cols.join(", ")
                }
            ));
        }
    }
    let _ = c.close().await;
    Ok(Check {
        check: CheckKind::Backfilled,
        passed: !failed,
        evidence,
    })
}

#[cfg(test)]
mod tests {
    use super::assigns;

    #[test]
    fn an_assignment_to_new_is_found() {
        let body = "begin NEW.updated_at := clock_timestamp(); return NEW; end;";
        assert!(assigns(body, "updated_at"));
        assert!(assigns("begin new.\"Updated\" = now(); end", "Updated"));
        assert!(!assigns(body, "created_at"));
        assert!(!assigns(
            "begin if NEW.updated_at IS NULL then return null; end if; end",
            "updated_at"
        ));
        assert!(!assigns("begin renew.updated_at := 1; end", "updated_at"));
    }
}
