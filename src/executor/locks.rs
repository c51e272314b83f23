//! Who holds or blocks the locks a step needs: `pg_blocking_pids` and `pg_locks` joined to
//! `pg_stat_activity`.

use sqlx::{PgPool, Row};

use super::events::Blocker;

const BLOCKER_COLUMNS: &str = "a.pid, coalesce(a.usename, '') AS usename, coalesce(a.application_name, '') AS app, \
     coalesce(a.state, '') AS state, coalesce(extract(epoch FROM now() - a.xact_start), 0)::float8 AS age, \
     left(coalesce(a.query, ''), 200) AS query";

fn to_blocker(r: &sqlx::postgres::PgRow) -> Blocker {
    Blocker {
        pid: r.try_get("pid").unwrap_or_default(),
        user: r.try_get("usename").unwrap_or_default(),
        application: r.try_get("app").unwrap_or_default(),
        state: r.try_get("state").unwrap_or_default(),
        transaction_age_s: r.try_get("age").unwrap_or_default(),
        modes: r.try_get::<Vec<String>, _>("modes").unwrap_or_default(),
        query: r.try_get("query").unwrap_or_default(),
    }
}

/// Sessions that block backend `pid` right now.
pub async fn blocking(pool: &PgPool, pid: i32) -> Result<Vec<Blocker>, sqlx::Error> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {BLOCKER_COLUMNS}, \
           ARRAY(SELECT DISTINCT l.mode FROM pg_locks l WHERE l.pid = a.pid AND l.granted AND l.locktype = 'relation' ORDER BY 1) AS modes \
         FROM pg_stat_activity a WHERE a.pid = ANY(pg_blocking_pids($1)) ORDER BY a.xact_start NULLS LAST"
    )))
    .bind(pid)
    .fetch_all(pool)
    .await?;
    Ok(rows.iter().map(to_blocker).collect())
}

/// Sessions other than ours that hold locks on any of `tables` (qualified, quoted names)
/// inside a transaction older than `older_than_s` seconds.
pub async fn holders(
    pool: &PgPool,
    tables: &[String],
    older_than_s: f64,
    exclude: &[i32],
) -> Result<Vec<Blocker>, sqlx::Error> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {BLOCKER_COLUMNS}, array_agg(DISTINCT l.mode ORDER BY l.mode) AS modes \
         FROM pg_locks l JOIN pg_stat_activity a USING (pid) \
         WHERE l.locktype = 'relation' AND l.granted \
           AND l.relation = ANY(ARRAY(SELECT to_regclass(t)::oid FROM unnest($1::text[]) t)) \
           AND a.pid <> pg_backend_pid() AND NOT (a.pid = ANY($3)) \
           AND a.xact_start IS NOT NULL AND now() - a.xact_start > make_interval(secs => $2) \
         GROUP BY a.pid, a.usename, a.application_name, a.state, a.xact_start, a.query \
         ORDER BY a.xact_start"
    )))
    .bind(tables)
    .bind(older_than_s)
    .bind(exclude)
    .fetch_all(pool)
    .await?;
    Ok(rows.iter().map(to_blocker).collect())
}
