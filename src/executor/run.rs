//! Carrying out a plan: preconditions ([`super::accept`]) before anything is created, then
//! every step in order, stopping at gates (unless confirmed), after `--through`, on failure
//! (resumably) or when told to stop.

use std::collections::HashSet;

use super::backfill::{self, Interrupted};
use super::context::{Pacing, RunCtx};
use super::ddl;
use super::error::ExecError;
use super::events::{Command, CommandRx, Event, EventTx, emit};
use super::guard;
use super::lifecycle::{Acceptance, StepState};
use super::outcome::{self, Outcome};
use super::session::Session;
use super::settings::RunSettings;
use super::state;
use crate::env::Target;
use crate::plan::{Phase, Plan, Step, StepKind};

/// Report a failed step as an event before passing the error on.
fn failed<T>(tx: &EventTx, r: Result<T, ExecError>) -> Result<T, ExecError> {
    if let Err(ExecError::StepFailed { step, error }) = &r {
        emit(
            tx,
            Event::StepFailed {
                step: step.clone(),
                error: error.clone(),
            },
        );
    }
    r
}

/// Run `plan` against `target`. Events go to `tx`; commands come from `rx`.
/// With `wait_at_gates`, a gate waits for [`Command::ConfirmGate`] instead of stopping.
pub async fn run(
    plan: &Plan,
    target: &Target,
    set: &RunSettings,
    wait_at_gates: bool,
    tx: EventTx,
    mut rx: CommandRx,
) -> Result<Outcome, ExecError> {
    if let Some(w) = target.cleartext_warning() {
        emit(
            &tx,
            Event::Note {
                text: format!("WARNING: {w}"),
            },
        );
    }
    let mut s = Session::open(target, &plan.hash).await?;
    if s.orphans_ended > 0 {
        emit(
            &tx,
            Event::Note {
                text: format!(
                    "ended {} statement(s) an earlier, interrupted run of this plan left running",
                    s.orphans_ended
                ),
            },
        );
    }
    let result = run_inner(&mut s, plan, set, wait_at_gates, &tx, &mut rx).await;
    if let Some(status) = outcome::run_status(&result) {
        let _ = state::set_run_status(&s, &plan.hash, status).await;
    }
    emit(
        &tx,
        Event::RunFinished {
            outcome: outcome::describe(&result),
        },
    );
    s.close(&plan.hash).await;
    result
}

async fn run_inner(
    s: &mut Session,
    plan: &Plan,
    set: &RunSettings,
    wait_at_gates: bool,
    tx: &EventTx,
    rx: &mut CommandRx,
) -> Result<Outcome, ExecError> {
    let owned;
    let set = if set.operator.is_empty() {
        let mut o = set.clone();
        o.operator = sqlx::query_scalar("SELECT session_user::text")
            .fetch_one(&s.pool)
            .await
            .map_err(|e| s.err("cannot read the session user", &e))?;
        owned = o;
        &owned
    } else {
        set
    };
    // Read-only checks first: nothing (not even the state schema) is created before the
    // state can be trusted and the plan fits this database.
    let record = if state::schema_exists(&s.pool)
        .await
        .map_err(|e| s.err("cannot read state", &e))?
    {
        let mut conn = s
            .pool
            .acquire()
            .await
            .map_err(|e| s.err("cannot read state", &e))?;
        super::trust::require(&mut conn, &s.target).await?;
        state::run_record(&s.pool, &plan.hash)
            .await
            .map_err(|e| e.into_exec(|e| s.err("cannot read run state", e)))?
    } else {
        None
    };
    let first_run = record.is_none();
    let accepted = super::accept::preconditions(s, plan, set, record.as_ref(), tx).await?;
    state::ensure_schema(s).await?;
    state::start_run(s, &plan.hash, &plan.name, &plan.to_json(), &set.operator).await?;
    if let Some(super::accept::Accepted { how, tables_before }) = accepted {
        let tables: Vec<crate::sql::QName> = plan
            .fingerprint
            .keys()
            .filter_map(|k| k.parse().ok())
            .collect();
        state::accept(s, &plan.hash, how, &set.operator, &tables).await?;
        if !tables_before.is_empty() {
            let json = serde_json::to_string(&tables_before).map_err(|e| {
                ExecError::Database(format!("cannot record the plan's tables: {e}"))
            })?;
            state::record_tables_before(s, &plan.hash, &json).await?;
        }
        if let Some(gate) = &set.unrehearsed {
            state::record_unrehearsed(s, &plan.hash, gate, &set.operator).await?;
            emit(
                tx,
                Event::Note {
                    text: format!(
                        "RUNNING WITHOUT A PASS ON {gate} (--force-unrehearsed): recorded with who and when"
                    ),
                },
            );
        }
        if how == Acceptance::Edited {
            emit(
                tx,
                Event::Note {
                    text: format!(
                        "WARNING: this plan is not what bellows generates from its source SQL; it is accepted as a hand edit with --allow-edited by {} (recorded in bellows.runs)",
                        set.operator
                    ),
                },
            );
        }
    }
    let recorded: HashSet<String> = state::steps(&s.pool, &plan.hash)
        .await
        .map_err(|e| e.into_exec(|e| s.err("cannot read step state", e)))?
        .into_iter()
        .filter(|r| r.state == StepState::Done)
        .map(|r| r.step_id)
        .collect();
    let (done, notes) = super::done::trusted(plan, &recorded);
    for text in notes {
        emit(tx, Event::Note { text });
    }
    emit(
        tx,
        Event::RunStarted {
            plan: plan.name.clone(),
            hash: plan.hash.clone(),
            resumed: !first_run,
            done_steps: plan.steps.iter().filter(|st| done.contains(&st.id)).count(),
            total_steps: plan.steps.len(),
        },
    );
    let mut ctx = RunCtx {
        s,
        plan,
        set,
        tx,
        rx,
        pacing: Pacing::new(set),
        confirmed: Vec::new(),
        wait_at_gates,
    };
    run_steps(&mut ctx, &done).await
}

/// Every step not done yet, in order, until the end, a gate, `--through`, `max_steps`, a
/// stop request or a failure.
async fn run_steps(ctx: &mut RunCtx<'_>, done: &HashSet<String>) -> Result<Outcome, ExecError> {
    let (plan, set, tx) = (ctx.plan, ctx.set, ctx.tx);
    let guards = guard::guards(plan);
    let mut phase: Option<Phase> = None;
    let mut worked_in_phase = false;
    let mut ran = 0usize;
    for step in &plan.steps {
        ctx.drain();
        if ctx.pacing.stop {
            return Ok(Outcome::Stopped);
        }
        if phase.is_some_and(|p| p != step.phase) {
            let finished = phase.unwrap_or(step.phase);
            if worked_in_phase {
                emit(tx, Event::PhaseFinished { phase: finished });
            }
            worked_in_phase = false;
        }
        // `--through P`: never touch a step of a later phase, whether or not the plan has
        // steps in P (a contract-only plan run `--through expand` must change nothing).
        if let Some(t) = set.through
            && step.phase > t
        {
            return Ok(Outcome::Through(t));
        }
        phase = Some(step.phase);
        if done.contains(&step.id) {
            continue;
        }
        if set.max_steps.is_some_and(|m| ran >= m) {
            return Ok(Outcome::StepsDone);
        }
        ran += 1;
        worked_in_phase = true;
        ctx.s.check_lock(&plan.hash).await?;
        match step.kind {
            StepKind::Gate => {
                if let Some(g) = guards.get(&step.id) {
                    failed(tx, guard::before_gate(ctx.s, plan, step, g, tx).await)?;
                }
                if let Some(o) = gate(ctx, step).await? {
                    return Ok(o);
                }
            }
            StepKind::Backfill => {
                if let Some(Interrupted::Stopped) = failed(tx, backfill::backfill(ctx, step).await)?
                {
                    return Ok(Outcome::Stopped);
                }
            }
            StepKind::Verify => {
                failed(tx, super::verify::verify(ctx.s, plan, step, set, tx).await)?
            }
            StepKind::Ddl | StepKind::DdlConcurrent | StepKind::Trigger => {
                let check = match guards.get(&step.id) {
                    Some(g) => Some(guard::InTx {
                        facts: &g.facts,
                        identity: failed(tx, guard::before_step(ctx.s, plan, step, g, tx).await)?,
                    }),
                    None => None,
                };
                failed(
                    tx,
                    ddl::run_step(ctx.s, plan, step, set, tx, check.as_ref()).await,
                )?
            }
        }
    }
    if let Some(p) = phase
        && worked_in_phase
    {
        emit(tx, Event::PhaseFinished { phase: p });
    }
    Ok(Outcome::Done)
}

/// Handle a gate: pass it if confirmed, else stop (headless) or wait (console).
async fn gate(ctx: &mut RunCtx<'_>, step: &Step) -> Result<Option<Outcome>, ExecError> {
    let (plan, set, tx) = (ctx.plan, ctx.set, ctx.tx);
    let g = step.gate.clone().unwrap_or(crate::plan::Gate {
        text: step.summary.clone(),
        confirm: "confirm".into(),
    });
    let at_gate = |g: crate::plan::Gate| {
        Some(Outcome::AtGate {
            step: step.id.clone(),
            text: g.text,
            confirm: g.confirm,
        })
    };
    if !(set.yes || set.confirm.contains(&step.id) || ctx.confirmed.contains(&step.id)) {
        state::mark(ctx.s, &plan.hash, &step.id, StepState::WaitingAtGate, None).await?;
        emit(
            tx,
            Event::GateReached {
                step: step.id.clone(),
                text: g.text.clone(),
                confirm: g.confirm.clone(),
            },
        );
        if !ctx.wait_at_gates {
            return Ok(at_gate(g));
        }
        loop {
            match ctx.rx.recv().await {
                Some(Command::ConfirmGate(id)) if id == step.id => break,
                Some(c) => {
                    ctx.pacing.apply(&c);
                    if ctx.pacing.stop {
                        return Ok(Some(Outcome::Stopped));
                    }
                }
                None => return Ok(at_gate(g)),
            }
        }
    }
    ctx.s.check_lock(&plan.hash).await?;
    state::confirm_gate(ctx.s, &plan.hash, &step.id, &set.operator).await?;
    state::mark_done(&mut ctx.s.work, &plan.hash, &step.id, &set.operator)
        .await
        .map_err(|e| ctx.s.err("cannot record the gate", &e))?;
    emit(
        tx,
        Event::GateConfirmed {
            step: step.id.clone(),
            by: set.operator.clone(),
        },
    );
    Ok(None)
}
