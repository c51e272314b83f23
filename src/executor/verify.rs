//! Verifications: batched reads over the primary key that prove what the next steps need
//! (no NULL left, old and new columns equal); a failure names sample keys.

use std::time::Instant;

use sqlx::Row;

use super::backfill::{Keyset, estimate};
use super::error::ExecError;
use super::events::{Event, EventTx, emit};
use super::lifecycle::StepState;
use super::session::Session;
use super::settings::RunSettings;
use super::state;
use crate::plan::{Plan, Step};
use crate::sql::quote_ident as q;

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
    let ks = Keyset::load(s, &v.table, &v.key).await?;
    let total = estimate(s, &v.table).await;
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
    let size: i64 = 10_000;
    let n = ks.cols.len();
    let mut last: Option<Vec<String>> = None;
    let mut done: i64 = 0;
    let started = Instant::now();
    loop {
        let lower = if last.is_some() {
            format!("WHERE {}", ks.after(2))
        } else {
            String::new()
        };
        let lower_and = if last.is_some() {
            format!("{} AND ", ks.after(2))
        } else {
            String::new()
        };
        let key_text = ks
            .cols
            .iter()
            .map(|c| format!("{}::text", q(c)))
            .collect::<Vec<_>>()
            .join(" || ', ' || ");
        let sql = format!(
            "WITH batch AS (SELECT {k} FROM {t} {lower} ORDER BY {k} LIMIT $1), \
                  last AS (SELECT {k} FROM batch ORDER BY {desc} LIMIT 1) \
             SELECT (SELECT count(*) FROM batch), \
                    ARRAY(SELECT {key_text} FROM {t} WHERE {lower_and}({k}) <= (SELECT {k} FROM last) AND ({viol}) ORDER BY {k} LIMIT 10), \
                    {texts}",
            k = ks.list(),
            t = v.table,
            desc = ks.desc(),
            viol = v.violation,
            texts = ks.texts("last"),
        );
        let mut qy = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(size);
        if let Some(l) = &last {
            for x in l {
                qy = qy.bind(x.clone());
            }
        }
        let row = qy
            .fetch_one(&mut s.work)
            .await
            .map_err(|e| ExecError::StepFailed {
                step: step.id.clone(),
                error: super::session::step_error(&s.target, &e),
            })?;
        let scanned: i64 = row.try_get(0).unwrap_or(0);
        let bad: Vec<String> = row.try_get(1).unwrap_or_default();
        if !bad.is_empty() {
            let msg = format!(
                "{} — rows that break it, by key: {}",
                v.expectation,
                bad.join("; ")
            );
            emit(
                tx,
                Event::VerifyFailed {
                    step: step.id.clone(),
                    violations: bad.len() as i64,
                    sample_keys: bad,
                },
            );
            state::mark(s, &plan.hash, &step.id, StepState::Failed, Some(&msg)).await?;
            return Err(ExecError::StepFailed {
                step: step.id.clone(),
                error: format!("verification failed: not true that {msg}"),
            });
        }
        if scanned == 0 {
            break;
        }
        done += scanned;
        let mut next = Vec::with_capacity(n);
        for i in 0..n {
            let x: Option<String> = row.try_get(2 + i).unwrap_or(None);
            next.extend(x);
        }
        last = Some(next);
        let rate = done as f64 / started.elapsed().as_secs_f64().max(1e-3);
        emit(
            tx,
            Event::BatchProgress {
                step: step.id.clone(),
                rows_done: done,
                estimated_total: total.max(done),
                rows_per_s: rate,
                eta_s: None,
                batch_size: size as u32,
                last_batch_ms: 0,
                pause_ms: 0,
            },
        );
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
