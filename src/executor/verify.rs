//! Verifications: batched reads over the primary key that prove what the next steps need
//! (no NULL left, old and new columns equal); a failure names sample keys. The same batched
//! scan ([`scan`]) serves the contract guard's online pass before an irreversible step.

use std::time::Instant;

use sqlx::Row;

use super::error::ExecError;
use super::events::{Event, EventTx, emit};
use super::keyset::{Keyset, estimate};
use super::lifecycle::StepState;
use super::session::Session;
use super::settings::RunSettings;
use super::state;
use crate::plan::{Plan, Step, Verify};
use crate::sql::quote_ident as q;

/// Rows per verification batch.
const BATCH: i64 = 10_000;

/// What a scan found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scan {
    /// Rows read.
    pub rows: i64,
    /// Rows that break the expectation (counted up to the first bad batch, or over all rows
    /// when the scan goes on past failures).
    pub bad: i64,
    /// Keys of the first rows that break it (at most ten).
    pub sample: Vec<String>,
}

/// How a scan reports and when it stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScanMode {
    /// A plan's verify step: progress events, stop at the first bad batch.
    Step,
    /// The contract guard: quiet, every row read so the count is whole.
    Whole,
}

/// Read every row of `v.table` in key order, in batches, counting rows that match
/// `v.violation`.
pub async fn scan(
    s: &mut Session,
    plan_hash: &str,
    v: &Verify,
    step_id: &str,
    mode: ScanMode,
    tx: &EventTx,
) -> Result<Scan, ExecError> {
    let ks = Keyset::load(s, &v.table, &v.key).await?;
    let total = estimate(s, &v.table).await;
    let n = ks.cols.len();
    let mut last: Option<Vec<String>> = None;
    let mut out = Scan::default();
    let started = Instant::now();
    let key_text = ks
        .cols
        .iter()
        .map(|c| format!("{}::text", q(c)))
        .collect::<Vec<_>>()
        .join(" || ', ' || ");
    loop {
        s.check_lock(plan_hash).await?;
        let (lower, lower_and) = if last.is_some() {
            (
                format!("WHERE {}", ks.after(2)),
                format!("{} AND ", ks.after(2)),
            )
        } else {
            (String::new(), String::new())
        };
        let sql = format!(
            "WITH batch AS (SELECT {k} FROM {t} {lower} ORDER BY {k} LIMIT $1), \
                  last AS (SELECT {k} FROM batch ORDER BY {desc} LIMIT 1), \
                  bad AS (SELECT {k}, {key_text} AS bellows_key FROM {t} WHERE {lower_and}({k}) <= (SELECT {k} FROM last) AND ({viol})) \
             SELECT (SELECT count(*) FROM batch), (SELECT count(*) FROM bad), \
                    ARRAY(SELECT bellows_key FROM bad ORDER BY {k} LIMIT 10), \
                    {texts}",
            k = ks.list(),
            t = v.table,
            desc = ks.desc(),
            viol = v.violation,
            texts = ks.texts("last"),
        );
        let mut qy = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(BATCH);
        if let Some(l) = &last {
            for x in l {
                qy = qy.bind(x.clone());
            }
        }
        let row = qy
            .fetch_one(&mut s.work)
            .await
            .map_err(|e| ExecError::StepFailed {
                step: step_id.to_string(),
                error: super::session::step_error(&s.target, &e),
            })?;
        let scanned: i64 = row.try_get(0).unwrap_or(0);
        let bad: i64 = row.try_get(1).unwrap_or(0);
        let keys: Vec<String> = row.try_get(2).unwrap_or_default();
        out.bad += bad;
        for k in keys {
            if out.sample.len() < 10 {
                out.sample.push(k);
            }
        }
        if scanned == 0 || (bad > 0 && mode == ScanMode::Step) {
            return Ok(out);
        }
        out.rows += scanned;
        let mut next = Vec::with_capacity(n);
        for i in 0..n {
            let x: Option<String> = row.try_get(3 + i).unwrap_or(None);
            next.extend(x);
        }
        last = Some(next);
        if mode == ScanMode::Step {
            let rate = out.rows as f64 / started.elapsed().as_secs_f64().max(1e-3);
            emit(
                tx,
                Event::BatchProgress {
                    step: step_id.to_string(),
                    rows_done: out.rows,
                    rows_changed: None,
                    estimated_total: total.max(out.rows),
                    rows_per_s: rate,
                    eta_s: None,
                    batch_size: BATCH as u32,
                    last_batch_ms: 0,
                    pause_ms: 0,
                },
            );
        }
    }
}

/// Run a verification in batches; fails with sample keys on the first bad batch.
pub async fn verify(
    s: &mut Session,
    plan: &Plan,
    step: &Step,
    set: &RunSettings,
    tx: &EventTx,
) -> Result<(), ExecError> {
    let v = step.verify.as_ref().ok_or_else(|| {
        ExecError::Precondition(format!("step {} has no verify details", step.id))
    })?;
    state::begin_attempt(s, &plan.hash, &step.id).await?;
    emit(
        tx,
        Event::StepStarted {
            step: step.id.clone(),
            phase: step.phase,
            summary: step.summary.clone(),
            attempt: 1,
        },
    );
    let started = Instant::now();
    let found = scan(s, &plan.hash, v, &step.id, ScanMode::Step, tx).await?;
    if found.bad > 0 {
        let msg = format!(
            "{} — rows that break it, by key: {}",
            v.expectation,
            found.sample.join("; ")
        );
        emit(
            tx,
            Event::VerifyFailed {
                step: step.id.clone(),
                violations: found.sample.len() as i64,
                sample_keys: found.sample,
            },
        );
        state::mark(s, &plan.hash, &step.id, StepState::Failed, Some(&msg)).await?;
        return Err(ExecError::StepFailed {
            step: step.id.clone(),
            error: format!("verification failed: not true that {msg}"),
        });
    }
    state::mark_done(&mut s.work, &plan.hash, &step.id, &set.operator)
        .await
        .map_err(|e| s.err("cannot record the step", &e))?;
    emit(
        tx,
        Event::StepFinished {
            step: step.id.clone(),
            ms: started.elapsed().as_millis() as u64,
        },
    );
    Ok(())
}
