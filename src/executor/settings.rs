//! Knobs of one run: timeouts, retries, batch pacing, where to stop.

use std::time::Duration;

use crate::catalog::Catalog;
use crate::plan::{Phase, Plan};

/// Plans `plan`'s own source SQL again against `live` for server major version `major`:
/// what bellows would generate for this database. The command line passes the planner
/// (the executor does not plan; see [`RunSettings::replan`]).
pub type Replan = fn(plan: &Plan, live: &Catalog, major: u32) -> Result<Plan, String>;

/// How a run behaves. Every field can be set per run.
#[derive(Debug, Clone)]
pub struct RunSettings {
    /// `lock_timeout` for each transactional step (how long to wait in the lock queue).
    pub lock_timeout: Duration,
    /// `statement_timeout` ceiling for transactional steps.
    pub statement_timeout: Duration,
    /// `lock_timeout` for CONCURRENTLY steps, whose waits do not queue readers or writers.
    pub concurrent_lock_timeout: Duration,
    /// First retry delay after a lock timeout.
    pub retry_initial: Duration,
    /// Longest delay between retries.
    pub retry_max: Duration,
    /// Give up (resumably) after retrying a step this long.
    pub retry_total: Duration,
    /// Override the plan's initial batch size.
    pub batch_size: Option<u32>,
    /// Override the plan's target batch duration.
    pub batch_target: Option<Duration>,
    /// Pause between batches.
    pub batch_pause: Option<Duration>,
    /// Pause batches while replica replay lag exceeds this.
    pub max_replica_lag: Option<Duration>,
    /// Stop after this phase.
    pub through: Option<Phase>,
    /// Confirm gates without asking.
    pub yes: bool,
    /// A rollback keeps the steps of this phase and earlier (`rollback --to PHASE`).
    pub rollback_to: Option<Phase>,
    /// Gates (step ids) confirmed in advance (`--confirm`); others still stop or wait.
    pub confirm: Vec<String>,
    /// Who runs it (recorded with completions and gate confirmations).
    pub operator: String,
    /// Report transactions older than this that hold locks on a step's tables.
    pub long_transaction: Duration,
    /// Stop after running this many steps (the console's "run the next step").
    pub max_steps: Option<usize>,
    /// On a plan's first run, re-derive it from its source SQL against the live schema and
    /// refuse any difference (None: no re-derivation, which a run records as `unchecked`).
    pub replan: Option<Replan>,
    /// Run a plan that differs from what bellows generates (a deliberate hand edit):
    /// recorded with who and when, and warned about on every run and in `status`.
    pub allow_edited: bool,
    /// `--force-unrehearsed`: the release gate environment skipped (its name), recorded with
    /// who and when on the first run.
    pub unrehearsed: Option<String>,
}

impl Default for RunSettings {
    fn default() -> Self {
        Self {
            lock_timeout: Duration::from_secs(1),
            statement_timeout: Duration::from_secs(60),
            concurrent_lock_timeout: Duration::from_secs(600),
            retry_initial: Duration::from_millis(250),
            retry_max: Duration::from_secs(15),
            retry_total: Duration::from_secs(10 * 60),
            batch_size: None,
            batch_target: None,
            batch_pause: None,
            max_replica_lag: None,
            through: None,
            yes: false,
            rollback_to: None,
            confirm: Vec::new(),
            operator: std::env::var("USER")
                .or_else(|_| std::env::var("LOGNAME"))
                .unwrap_or_default(),
            long_transaction: Duration::from_secs(5),
            max_steps: None,
            replan: None,
            allow_edited: false,
            unrehearsed: None,
        }
    }
}

/// Begin a step's transaction: `SET LOCAL lock_timeout` and `statement_timeout` come first,
/// so nothing in it can wait in the lock queue longer than the run allows.
pub async fn begin_step<'c>(
    conn: &'c mut sqlx::PgConnection,
    set: &RunSettings,
) -> Result<sqlx::Transaction<'c, sqlx::Postgres>, sqlx::Error> {
    use sqlx::Connection;
    let mut t = conn.begin().await?;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SET LOCAL lock_timeout = '{}'",
        pg_ms(set.lock_timeout)
    )))
    .execute(&mut *t)
    .await?;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SET LOCAL statement_timeout = '{}'",
        pg_ms(set.statement_timeout)
    )))
    .execute(&mut *t)
    .await?;
    Ok(t)
}

/// `SET LOCAL` value for a duration (`0` disables the timeout).
pub fn pg_ms(d: Duration) -> String {
    format!("{}ms", d.as_millis())
}

/// Exponential backoff with jitter: attempt 1 waits about `initial`, doubling up to `max`.
pub fn backoff(s: &RunSettings, attempt: u32) -> Duration {
    let exp = s
        .retry_initial
        .saturating_mul(1u32 << attempt.saturating_sub(1).min(16));
    let capped = exp.min(s.retry_max);
    let jitter = 0.5 + fastrand::f64();
    capped.mul_f64(jitter).min(s.retry_max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_stays_bounded() {
        let s = RunSettings::default();
        let first = backoff(&s, 1);
        assert!(first >= Duration::from_millis(125) && first <= Duration::from_millis(375));
        for a in 1..40 {
            assert!(backoff(&s, a) <= s.retry_max);
        }
        assert!(backoff(&s, 8) >= Duration::from_secs(7));
    }
}
