//! Backfills and verifications in keyset batches over the primary key. Each backfill batch
//! is one short transaction that updates only rows that still differ and saves the cursor in
//! the same transaction, so a crash loses nothing and a re-run repeats nothing. Batch size
//! follows a target duration; pause, resume and tuning arrive as commands between batches.

use std::time::Instant;

use sqlx::Row;

use super::context::RunCtx;
use super::ddl::is_lock_timeout;
use super::error::ExecError;
use super::events::{Event, emit};
use super::keyset::{Keyset, estimate};
use super::lifecycle::StepState;
use super::settings::backoff;
use super::state::{self, Cursor};
use crate::plan::{BatchSettings, Step};
use crate::sql::quote_ident as q;

/// Why batching stopped early.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Interrupted {
    /// The operator asked to stop after the current batch.
    Stopped,
}

/// Adaptive batch size: aim at the target duration, grow at most 2x per batch.
fn next_size(current: u32, rows: i64, ms: f64, b: &BatchSettings, target_ms: f64) -> u32 {
    if rows <= 0 || ms <= 0.0 {
        return current;
    }
    let per_row = ms / rows as f64;
    let ideal = (target_ms / per_row).floor() as u64;
    let grown = ideal.min(current as u64 * 2).max(1);
    (grown as u32).clamp(b.min_size.max(1), b.max_size.max(1))
}

/// Run a backfill step to the end (or until stopped). Marks it done.
pub async fn backfill(ctx: &mut RunCtx<'_>, step: &Step) -> Result<Option<Interrupted>, ExecError> {
    let (plan, set, tx) = (ctx.plan, ctx.set, ctx.tx);
    let b = step.backfill.as_ref().ok_or_else(|| {
        ExecError::Precondition(format!("step {} has no backfill details", step.id))
    })?;
    let ks = Keyset::load(ctx.s, &b.table, &b.key).await?;
    let mut cur = state::cursor(&ctx.s.pool, &plan.hash, &step.id)
        .await
        .map_err(|e| ctx.s.err("cannot read the cursor", &e))?;
    let total = estimate(ctx.s, &b.table).await;
    // Stop at the highest key present now: rows inserted later already get the new value
    // (sync trigger or default), and chasing them would never end under steady inserts.
    let upper: Option<Vec<String>> = {
        let q = format!(
            "SELECT {} FROM {} ORDER BY {} LIMIT 1",
            ks.cols
                .iter()
                .enumerate()
                .map(|(i, c)| format!("{}::text AS bellows_key_{i}", q(c)))
                .collect::<Vec<_>>()
                .join(", "),
            b.table,
            ks.desc()
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(q))
            .fetch_optional(&ctx.s.pool)
            .await
            .map_err(|e| ctx.s.err("cannot read the key range", &e))?;
        row.map(|r| {
            (0..ks.cols.len())
                .map(|i| r.try_get::<String, _>(i).unwrap_or_default())
                .collect()
        })
    };
    let target_ms = set
        .batch_target
        .map(|d| d.as_millis() as f64)
        .unwrap_or(b.batch.target_ms as f64);
    let mut size = ctx
        .pacing
        .size
        .or(cur.batch_size.map(|x| x as u32))
        .unwrap_or(b.batch.size)
        .max(1);
    let started = Instant::now();
    let rows_at_start = cur.rows_done;
    state::begin_attempt(ctx.s, &plan.hash, &step.id).await?;
    emit(
        tx,
        Event::StepStarted {
            step: step.id.clone(),
            phase: step.phase,
            summary: step.summary.clone(),
            attempt: 1,
        },
    );
    let mut attempt = 0;
    loop {
        if !ctx.wait_while_paused(step).await {
            return Ok(Some(Interrupted::Stopped));
        }
        ctx.s.check_lock(&plan.hash).await?;
        if let Some(n) = ctx.pacing.size.take() {
            size = n;
        }
        let n = ks.cols.len();
        let upper_first = if cur.last.is_some() {
            2 + ks.cols.len()
        } else {
            2
        };
        let lower = match (cur.last.is_some(), upper.is_some()) {
            (true, true) => format!("WHERE {} AND {}", ks.after(2), ks.at_most(upper_first)),
            (true, false) => format!("WHERE {}", ks.after(2)),
            (false, true) => format!("WHERE {}", ks.at_most(upper_first)),
            (false, false) => String::new(),
        };
        let lower_and = if cur.last.is_some() {
            format!("{} AND ", ks.after(2))
        } else {
            String::new()
        };
        let range = format!("{lower_and}({k}) <= (SELECT {k} FROM last)", k = ks.list());
        let sql = format!(
            "WITH batch AS (SELECT {k} FROM {t} {lower} ORDER BY {k} LIMIT $1), \
                  last AS (SELECT {k} FROM batch ORDER BY {desc} LIMIT 1), \
                  {write} \
             SELECT (SELECT count(*) FROM batch), (SELECT count(*) FROM upd), {texts}",
            k = ks.list(),
            t = b.table,
            desc = ks.desc(),
            write = b.write_ctes(&range),
            texts = ks.texts("last"),
        );
        let t0 = Instant::now();
        let result: Result<(i64, i64, Option<Vec<String>>), sqlx::Error> = async {
            let mut t = super::settings::begin_step(&mut ctx.s.work, set).await?;
            // The batch writes both sides consistently: the sync trigger may skip it.
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "SET LOCAL {} = 'on'",
                crate::plan::BACKFILL_SETTING
            )))
            .execute(&mut *t)
            .await?;
            let mut qy = sqlx::query(sqlx::AssertSqlSafe(sql.clone())).bind(size as i64);
            if let Some(last) = &cur.last {
                for v in last {
                    qy = qy.bind(v.clone());
                }
            }
            if let Some(up) = &upper {
                for v in up {
                    qy = qy.bind(v.clone());
                }
            }
            let row = qy.fetch_one(&mut *t).await?;
            let scanned: i64 = row.try_get(0)?;
            let changed: i64 = row.try_get(1)?;
            let mut last: Vec<String> = Vec::with_capacity(n);
            for i in 0..n {
                let v: Option<String> = row.try_get(2 + i)?;
                if let Some(v) = v {
                    last.push(v);
                }
            }
            let next = if scanned > 0 && last.len() == n {
                Some(last)
            } else {
                None
            };
            if let Some(l) = &next {
                let c = Cursor {
                    last: Some(l.clone()),
                    rows_done: cur.rows_done + scanned,
                    rows_changed: cur.rows_changed + changed,
                    batch_size: Some(size as i32),
                };
                state::save_cursor(&mut t, &plan.hash, &step.id, &c).await?;
            } else {
                state::mark_done(&mut t, &plan.hash, &step.id, &set.operator).await?;
            }
            t.commit().await?;
            Ok((scanned, changed, next))
        }
        .await;
        let ms = t0.elapsed().as_secs_f64() * 1000.0;
        match result {
            Ok((scanned, changed, Some(last))) => {
                attempt = 0;
                cur.last = Some(last);
                cur.rows_done += scanned;
                cur.rows_changed += changed;
                cur.batch_size = Some(size as i32);
                let done_here = (cur.rows_done - rows_at_start) as f64;
                let rate = done_here / started.elapsed().as_secs_f64().max(1e-3);
                let est = total.max(cur.rows_done);
                emit(
                    tx,
                    Event::BatchProgress {
                        step: step.id.clone(),
                        rows_done: cur.rows_done,
                        rows_changed: Some(cur.rows_changed),
                        estimated_total: est,
                        rows_per_s: rate,
                        eta_s: (rate > 0.0).then(|| (est - cur.rows_done).max(0) as f64 / rate),
                        batch_size: size,
                        last_batch_ms: ms as u64,
                        pause_ms: ctx.pacing.pause.as_millis() as u64,
                    },
                );
                if !ctx.pacing.pinned {
                    size = next_size(size, scanned, ms, &b.batch, target_ms);
                }
                if !ctx.pacing.pause.is_zero() {
                    tokio::time::sleep(ctx.pacing.pause).await;
                }
            }
            Ok((_, _, None)) => {
                emit(
                    tx,
                    Event::StepFinished {
                        step: step.id.clone(),
                        ms: started.elapsed().as_millis() as u64,
                    },
                );
                return Ok(None);
            }
            Err(e) if is_lock_timeout(&e) => {
                attempt += 1;
                size = (size / 2).max(b.batch.min_size.max(1));
                let delay = backoff(set, attempt);
                emit(
                    tx,
                    Event::RetryScheduled {
                        step: step.id.clone(),
                        attempt,
                        delay_ms: delay.as_millis() as u64,
                    },
                );
                tokio::time::sleep(delay).await;
            }
            Err(e) => {
                let msg = super::session::step_error(&ctx.s.target, &e);
                state::mark(ctx.s, &plan.hash, &step.id, StepState::Failed, Some(&msg)).await?;
                return Err(ExecError::StepFailed {
                    step: step.id.clone(),
                    error: msg,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batch_size_follows_the_target_within_bounds() {
        let b = BatchSettings::default();
        assert_eq!(
            next_size(1000, 1000, 50.0, &b, 200.0),
            2000,
            "growth is capped at 2x"
        );
        assert_eq!(
            next_size(1000, 1000, 400.0, &b, 200.0),
            500,
            "slow batches shrink"
        );
        assert_eq!(
            next_size(200, 200, 10_000.0, &b, 200.0),
            b.min_size,
            "never below the minimum"
        );
        assert_eq!(
            next_size(40_000, 40_000, 1.0, &b, 200.0),
            b.max_size,
            "never above the maximum"
        );
    }
}
