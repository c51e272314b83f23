//! Running synthetic rows (`crate::synth`) into a development database: each table in its own
//! transaction, a table that already has rows left alone, and every table's outcome reported
//! (rows written, or why not).

use sqlx::{Connection, PgConnection};

use super::error::ExecError;
use super::session::{db_err, options, server_text};
use crate::env::Target;
use crate::synth::TablePlan;

/// What happened to one table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seeded {
    /// Rows written.
    Filled {
        /// The table.
        table: String,
        /// How many.
        rows: u64,
    },
    /// Left as it was, and why.
    Left {
        /// The table.
        table: String,
        /// Why.
        why: String,
    },
}

/// Run `plans` against `target`.
pub async fn seed(target: &Target, plans: &[TablePlan]) -> Result<Vec<Seeded>, ExecError> {
    let mut conn = PgConnection::connect_with(&options(target, "bellows-seed")?)
        .await
        .map_err(|e| {
            super::session::connect_err(
                target,
                &format!("cannot connect to {}", target.describe()),
                &e,
            )
        })?;
    let mut out = Vec::new();
    for p in plans {
        match p {
            TablePlan::Skipped { table, why } => out.push(Seeded::Left {
                table: table.display(),
                why: why.clone(),
            }),
            TablePlan::Insert { table, sql } => {
                let has_rows: bool = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                    "SELECT EXISTS (SELECT 1 FROM {})",
                    table.sql()
                )))
                .fetch_one(&mut conn)
                .await
                .map_err(|e| db_err(target, "cannot read a table", &e))?;
                if has_rows {
                    out.push(Seeded::Left {
                        table: table.display(),
                        why: "it already has rows".into(),
                    });
                    continue;
                }
                let mut tx = conn
                    .begin()
                    .await
                    .map_err(|e| db_err(target, "cannot start a transaction", &e))?;
                match sqlx::raw_sql(sqlx::AssertSqlSafe(sql.clone()))
                    .execute(&mut *tx)
                    .await
                {
                    Ok(r) => {
                        tx.commit()
                            .await
                            .map_err(|e| db_err(target, "cannot commit", &e))?;
                        out.push(Seeded::Filled {
                            table: table.display(),
                            rows: r.rows_affected(),
                        });
                    }
                    Err(e) => {
                        let _ = tx.rollback().await;
                        out.push(Seeded::Left {
                            table: table.display(),
                            why: server_text(target, &e),
                        });
                    }
                }
            }
        }
    }
    let _ = conn.close().await;
    Ok(out)
}
