//! Backfills in batches: keyset batches over the primary key, or ranges of physical pages on
//! a table with no key ([`pages`](super::pages)); on a partitioned table (when the plan says
//! so), one leaf partition after another, the list read from the database when the step
//! starts. Each batch is one short transaction that updates only rows that still differ and
//! saves the cursor (partition, key or page) in the same transaction, so a crash loses
//! nothing and a re-run repeats nothing. Batch size follows a target duration; pause, resume
//! and tuning arrive as commands between batches.

use std::time::Instant;

use super::context::RunCtx;
use super::ddl::is_lock_timeout;
use super::error::ExecError;
use super::events::{Event, emit};
use super::keyset::{Keyset, estimate};
use super::lifecycle::StepState;
use super::pages;
use super::settings::RunSettings;
use super::settings::backoff;
use super::state::{self, Cursor};
use crate::plan::{Backfill, Plan, Step, Walk};

/// Why batching stopped early.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Interrupted {
    /// The operator asked to stop after the current batch.
    Stopped,
}

/// Adaptive batch size (rows or pages): aim at the target duration, grow at most 2x per
/// batch, stay within `min..=max`.
fn next_size(current: u32, units: i64, ms: f64, min: u32, max: u32, target_ms: f64) -> u32 {
    if units <= 0 || ms <= 0.0 {
        return current;
    }
    let per_unit = ms / units as f64;
    let ideal = (target_ms / per_unit).floor() as u64;
    let grown = ideal.min(current as u64 * 2).max(1);
    (grown as u32).clamp(min.max(1), max.max(min).max(1))
}

/// What one batch did.
#[derive(Default)]
struct Batch {
    /// Rows it covered.
    rows: i64,
    /// Rows it changed.
    changed: i64,
    /// Units (rows or pages) it walked.
    units: i64,
    /// The cursor after it; None when the table is done.
    next: Option<Vec<String>>,
}

/// How batches walk one table (a leaf partition, or the whole table).
enum Walker {
    /// Keyset batches up to the highest key when the walk started.
    Key {
        ks: Keyset,
        upper: Option<Vec<String>>,
    },
    /// Page ranges up to the table's size when the walk started.
    Pages(pages::Size),
}

impl Walker {
    /// The walker of `table`; a page walk resumed keeps the end it measured first (`last`
    /// is the next page and that end).
    async fn load(
        ctx: &RunCtx<'_>,
        b: &Backfill,
        table: &str,
        last: Option<&[String]>,
    ) -> Result<Self, ExecError> {
        let saved_end = last
            .and_then(|l| l.get(1))
            .and_then(|e| e.parse::<i64>().ok());
        Ok(match b.walk {
            Walk::Key => {
                let ks = Keyset::load(ctx.s, table, &b.key).await?;
                // Stop at the highest key present now: rows inserted later already get the
                // new value (sync trigger or default), and chasing them would never end.
                let upper = ks.highest(ctx.s, table).await?;
                Walker::Key { ks, upper }
            }
            // Up to the size now: rows written later pass through the triggers.
            Walk::Pages => {
                let mut size = pages::size(ctx.s, table).await?;
                if let Some(end) = saved_end {
                    size.pages = end;
                }
                Walker::Pages(size)
            }
        })
    }

    /// Smallest and largest batch, in the walk's unit.
    fn bounds(&self, b: &Backfill) -> (u32, u32) {
        match self {
            Walker::Key { .. } => (b.batch.min_size, b.batch.max_size),
            Walker::Pages(sz) => (1, sz.pages_for(b.batch.max_size)),
        }
    }

    /// A size asked for in rows, in the walk's unit.
    fn size_for_rows(&self, rows: u32) -> u32 {
        match self {
            Walker::Key { .. } => rows,
            Walker::Pages(sz) => sz.pages_for(rows),
        }
    }

    /// A size in the walk's unit, in rows (for people, who think in rows).
    fn rows_of_size(&self, size: u32) -> u32 {
        match self {
            Walker::Key { .. } => size,
            Walker::Pages(sz) => sz.rows_in(size),
        }
    }

    /// One batch of `b` over `table` in the transaction `t`: rows covered, rows changed,
    /// the units walked, and the cursor after it (None: this table is done).
    async fn batch(
        &self,
        t: &mut sqlx::PgConnection,
        table: &str,
        b: &Backfill,
        last: Option<&[String]>,
        size: u32,
    ) -> Result<Batch, sqlx::Error> {
        // A partition's batches name the partition; the rest of the step is the plan's.
        let b = &Backfill {
            table: table.to_string(),
            ..b.clone()
        };
        match self {
            Walker::Key { ks, upper } => {
                let (rows, changed, next) = ks
                    .backfill_batch(t, b, (last, upper.as_deref()), size)
                    .await?;
                Ok(Batch {
                    rows,
                    changed,
                    units: rows,
                    next,
                })
            }
            Walker::Pages(sz) => {
                let first = last
                    .and_then(|l| l.first())
                    .and_then(|p| p.parse::<i64>().ok())
                    .unwrap_or(0);
                if first >= sz.pages {
                    return Ok(Batch::default());
                }
                let (rows, changed) = pages::backfill_batch(t, b, first, size).await?;
                // The next page, and the end measured when the walk started (kept on resume).
                let next = vec![(first + size as i64).to_string(), sz.pages.to_string()];
                Ok(Batch {
                    rows,
                    changed,
                    units: size as i64,
                    next: Some(next),
                })
            }
        }
    }
}

/// Run a backfill step to the end (or until stopped). Marks it done.
pub async fn backfill(ctx: &mut RunCtx<'_>, step: &Step) -> Result<Option<Interrupted>, ExecError> {
    let b = step.backfill.as_ref().ok_or_else(|| {
        ExecError::Precondition(format!("step {} has no backfill details", step.id))
    })?;
    if b.walk == Walk::Pages {
        pages::require_tid_range_scans(ctx.s).await?;
    }
    let mut cur = state::cursor(&ctx.s.pool, &ctx.plan.hash, &step.id)
        .await
        .map_err(|e| e.into_exec(|e| ctx.s.err("cannot read the cursor", e)))?;
    if cur.walk != b.walk && (cur.last.is_some() || !cur.partitions_done.is_empty()) {
        return Err(ExecError::Precondition(format!(
            "the saved progress of step {} walks by {} and the plan by {}: roll the plan back and run it again",
            step.id,
            cur.walk.name(),
            b.walk.name()
        )));
    }
    cur.walk = b.walk;
    let tables = if b.by_partition {
        pages::leaves(ctx.s, &b.table).await?
    } else {
        vec![b.table.clone()]
    };
    // The partition under way first, then the others not done yet, by name.
    let mut todo: Vec<String> = tables
        .iter()
        .filter(|t| !cur.partitions_done.contains(t))
        .cloned()
        .collect();
    if let Some(p) = &cur.partition {
        match todo.iter().position(|t| t == p) {
            Some(i) => {
                let p = todo.remove(i);
                todo.insert(0, p);
            }
            // Detached since: its rows left the table.
            None => cur.last = None,
        }
    }
    let mut total = 0;
    for t in &tables {
        total += estimate(ctx.s, t).await;
    }
    state::begin_attempt(ctx.s, &ctx.plan.hash, &step.id).await?;
    emit(
        ctx.tx,
        Event::StepStarted {
            step: step.id.clone(),
            phase: step.phase,
            summary: step.summary.clone(),
            attempt: 1,
        },
    );
    let run = Run {
        step,
        b,
        total,
        started: Instant::now(),
        rows_at_start: cur.rows_done,
    };
    if todo.is_empty() {
        finish_table(ctx, &run, &mut cur, None, true).await?;
    }
    let n = todo.len();
    for (i, table) in todo.into_iter().enumerate() {
        let partition = b.by_partition.then(|| table.clone());
        if cur.partition != partition {
            cur.partition = partition.clone();
            cur.last = None;
        }
        if let Some(stop) = walk_table(ctx, &run, &mut cur, &table, i + 1 == n).await? {
            return Ok(Some(stop));
        }
    }
    emit(
        ctx.tx,
        Event::StepFinished {
            step: step.id.clone(),
            ms: run.started.elapsed().as_millis() as u64,
        },
    );
    Ok(None)
}

/// What every table of one backfill run shares.
struct Run<'a> {
    step: &'a Step,
    b: &'a Backfill,
    total: i64,
    started: Instant,
    rows_at_start: i64,
}

/// In its own transaction: the table is done; the step too when it was the last.
async fn finish_table(
    ctx: &mut RunCtx<'_>,
    run: &Run<'_>,
    cur: &mut Cursor,
    partition: Option<&str>,
    last_table: bool,
) -> Result<(), ExecError> {
    let on = (ctx.plan, ctx.set);
    let result: Result<(), sqlx::Error> = async {
        let mut t = super::settings::begin_step(&mut ctx.s.work, ctx.set).await?;
        record_end(&mut t, on, run, cur, partition, last_table).await?;
        t.commit().await
    }
    .await;
    result.map_err(|e| ctx.s.err("cannot record the backfill's progress", &e))
}

/// On `t`: the table's end in the cursor (the next partition starts from nothing), and the
/// step done when it was the last table.
async fn record_end(
    t: &mut sqlx::PgConnection,
    (plan, set): (&Plan, &RunSettings),
    run: &Run<'_>,
    cur: &mut Cursor,
    partition: Option<&str>,
    last_table: bool,
) -> Result<(), sqlx::Error> {
    let (hash, id) = (&plan.hash, &run.step.id);
    if last_table {
        return state::mark_done(t, hash, id, &set.operator).await;
    }
    if let Some(p) = partition {
        cur.partitions_done.push(p.to_string());
    }
    cur.partition = None;
    cur.last = None;
    state::save_cursor(t, hash, id, cur).await
}

/// Walk one table (a leaf partition, or the whole table) to its end, or until stopped.
async fn walk_table(
    ctx: &mut RunCtx<'_>,
    run: &Run<'_>,
    cur: &mut Cursor,
    table: &str,
    last_table: bool,
) -> Result<Option<Interrupted>, ExecError> {
    let (step, b) = (run.step, run.b);
    let walker = Walker::load(ctx, b, table, cur.last.as_deref()).await?;
    let target_ms = ctx
        .set
        .batch_target
        .map(|d| d.as_millis() as f64)
        .unwrap_or(b.batch.target_ms as f64);
    let (min, max) = walker.bounds(b);
    let mut size = match (ctx.pacing.size, cur.batch_size) {
        (Some(rows), _) => walker.size_for_rows(rows),
        (None, Some(saved)) => saved.max(1) as u32,
        (None, None) => walker.size_for_rows(b.batch.size),
    }
    .max(1);
    let mut attempt = 0;
    loop {
        if !ctx.wait_while_paused(step).await {
            return Ok(Some(Interrupted::Stopped));
        }
        ctx.s.check_lock(&ctx.plan.hash).await?;
        if let Some(rows) = ctx.pacing.size.take() {
            size = walker.size_for_rows(rows);
        }
        let t0 = Instant::now();
        let on = (ctx.plan, ctx.set);
        let result: Result<(i64, bool), sqlx::Error> = async {
            let mut t = super::settings::begin_step(&mut ctx.s.work, ctx.set).await?;
            // The batch writes both sides consistently: the sync trigger may skip it.
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "SET LOCAL {} = 'on'",
                crate::plan::BACKFILL_SETTING
            )))
            .execute(&mut *t)
            .await?;
            let Batch {
                rows,
                changed,
                units,
                next,
            } = walker
                .batch(&mut t, table, b, cur.last.as_deref(), size)
                .await?;
            let more = next.is_some();
            if let Some(l) = next {
                let c = Cursor {
                    last: Some(l),
                    rows_done: cur.rows_done + rows,
                    rows_changed: cur.rows_changed + changed,
                    batch_size: Some(size as i32),
                    ..cur.clone()
                };
                state::save_cursor(&mut t, &ctx.plan.hash, &step.id, &c).await?;
                t.commit().await?;
                *cur = c;
            } else {
                let mut c = cur.clone();
                record_end(&mut t, on, run, &mut c, Some(table), last_table).await?;
                t.commit().await?;
                *cur = c;
            }
            Ok((units, more))
        }
        .await;
        let ms = t0.elapsed().as_secs_f64() * 1000.0;
        match result {
            Ok((units, true)) => {
                attempt = 0;
                let done_here = (cur.rows_done - run.rows_at_start) as f64;
                let rate = done_here / run.started.elapsed().as_secs_f64().max(1e-3);
                let est = run.total.max(cur.rows_done);
                emit(
                    ctx.tx,
                    Event::BatchProgress {
                        step: step.id.clone(),
                        rows_done: cur.rows_done,
                        rows_changed: Some(cur.rows_changed),
                        estimated_total: est,
                        rows_per_s: rate,
                        eta_s: (rate > 0.0).then(|| (est - cur.rows_done).max(0) as f64 / rate),
                        batch_size: walker.rows_of_size(size),
                        last_batch_ms: ms as u64,
                        pause_ms: ctx.pacing.pause.as_millis() as u64,
                        partition: cur.partition.clone(),
                    },
                );
                if !ctx.pacing.pinned {
                    size = next_size(size, units, ms, min, max, target_ms);
                }
                if !ctx.pacing.pause.is_zero() {
                    tokio::time::sleep(ctx.pacing.pause).await;
                }
            }
            Ok((_, false)) => return Ok(None),
            Err(e) if is_lock_timeout(&e) => {
                attempt += 1;
                size = (size / 2).max(min.max(1));
                let delay = backoff(ctx.set, attempt);
                emit(
                    ctx.tx,
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
                state::mark(
                    ctx.s,
                    &ctx.plan.hash,
                    &step.id,
                    StepState::Failed,
                    Some(&msg),
                )
                .await?;
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
        let (min, max) = (100, 50_000);
        assert_eq!(
            next_size(1000, 1000, 50.0, min, max, 200.0),
            2000,
            "growth is capped at 2x"
        );
        assert_eq!(
            next_size(1000, 1000, 400.0, min, max, 200.0),
            500,
            "slow batches shrink"
        );
        assert_eq!(
            next_size(200, 200, 10_000.0, min, max, 200.0),
            min,
            "never below the minimum"
        );
        assert_eq!(
            next_size(40_000, 40_000, 1.0, min, max, 200.0),
            max,
            "never above the maximum"
        );
    }

    #[test]
    fn page_batches_adapt_in_pages() {
        assert_eq!(
            next_size(10, 10, 100.0, 1, 500, 50.0),
            5,
            "slow: fewer pages"
        );
        assert_eq!(
            next_size(10, 10, 1.0, 1, 500, 50.0),
            20,
            "fast: at most twice"
        );
        assert_eq!(
            next_size(1, 1, 1000.0, 1, 500, 50.0),
            1,
            "never below one page"
        );
    }
}
