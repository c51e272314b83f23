//! Reading a plan file and refusing anything inconsistent or edited.

use std::collections::HashSet;

use super::error::PlanError;
use super::graph;
use super::model::*;

/// Read and validate a plan file (TOML, or JSON when it starts with `{`).
pub fn load_file(path: &str) -> Result<Plan, PlanError> {
    parse(path, &read(path)?)
}

fn read(path: &str) -> Result<String, PlanError> {
    std::fs::read_to_string(path).map_err(|source| PlanError::Io {
        path: super::escape::line(path).into_owned(),
        source,
    })
}

/// A plan read with `--allow-edited`: validated like any other, but its stored hash may
/// be stale. `plan.hash` is then the hash of what the file holds now (the run's key).
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The plan, with `hash` set from its content.
    pub plan: Plan,
    /// The file's own hash matched its content (false: edited without re-sealing).
    pub hash_matched: bool,
}

/// Read a plan that may have been edited by hand: every structural check still applies,
/// only the stale-hash refusal does not.
pub fn load_file_allowing_edits(path: &str) -> Result<Loaded, PlanError> {
    let text = read(path)?;
    let mut plan = parse_unsealed(path, &text)?;
    let hash_matched = plan.hash == plan.compute_hash();
    plan.seal();
    Ok(Loaded { plan, hash_matched })
}

/// Parse and validate plan text; `path` names it in messages.
pub fn parse(path: &str, text: &str) -> Result<Plan, PlanError> {
    let plan = parse_unsealed(path, text)?;
    if plan.hash != plan.compute_hash() {
        return Err(PlanError::Invalid {
            path: super::escape::line(path).into_owned(),
            message: "the plan was changed after bellows generated it (its hash does not match its content); \
                      re-run `bellows plan` on the change instead of editing the plan \
                      (or, for a deliberate hand edit, pass --allow-edited to `bellows run`)"
                .into(),
        });
    }
    Ok(plan)
}

/// Parse and validate, without looking at the hash.
fn parse_unsealed(path: &str, text: &str) -> Result<Plan, PlanError> {
    let path = super::escape::line(path);
    let path = path.as_ref();
    let plan: Plan = if text.trim_start().starts_with('{') {
        serde_json::from_str(text).map_err(|e| PlanError::Format {
            path: path.to_string(),
            message: e.to_string(),
        })?
    } else {
        toml::from_str(text).map_err(|e| PlanError::Format {
            path: path.to_string(),
            message: e.to_string().trim().to_string(),
        })?
    };
    validate(&plan).map_err(|message| PlanError::Invalid {
        path: path.to_string(),
        message: super::escape::line(&message).into_owned(),
    })?;
    Ok(plan)
}

/// Structural checks every plan must pass (also run on freshly generated plans).
pub fn validate(plan: &Plan) -> Result<(), String> {
    if plan.format_version != FORMAT_VERSION {
        return Err(format!(
            "plan format version {} is not supported (this bellows reads version {FORMAT_VERSION})",
            plan.format_version
        ));
    }
    for (what, text) in [("name", &plan.name), ("source_file", &plan.source_file)] {
        if super::escape::has_unsafe(text) {
            return Err(format!(
                "the plan's {what} `{}` holds control characters; rename the change file and plan it again",
                super::escape::line(text)
            ));
        }
    }
    let mut ids = HashSet::new();
    for s in &plan.steps {
        if !ids.insert(s.id.as_str()) {
            return Err(format!("two steps share the id `{}`", s.id));
        }
    }
    for s in &plan.steps {
        let need = |ok: bool, what: &str| {
            if ok {
                Ok(())
            } else {
                Err(format!("step `{}` of kind {} {what}", s.id, s.kind.name()))
            }
        };
        match s.kind {
            StepKind::Backfill => need(s.backfill.is_some(), "needs a [backfill] table")?,
            StepKind::Verify => need(s.verify.is_some(), "needs a [verify] table")?,
            StepKind::Gate => need(
                s.gate.is_some() && s.sql.is_empty(),
                "needs a [gate] table and no SQL",
            )?,
            _ => need(!s.sql.is_empty(), "has no SQL")?,
        }
        if s.rollback_sql.is_none() && s.irreversible_reason.as_deref().is_none_or(str::is_empty) {
            return Err(format!(
                "step `{}` has no rollback and no reason why it is irreversible",
                s.id
            ));
        }
        if let Some(b) = &s.backfill {
            batch_in_range(&s.id, &b.batch)?;
        }
        if s.kind == StepKind::DdlConcurrent && s.transactional {
            return Err(format!(
                "step `{}` runs CONCURRENTLY, which cannot be in a transaction",
                s.id
            ));
        }
        for d in &s.depends_on {
            if let Some(dep) = plan.step(d)
                && dep.phase > s.phase
            {
                return Err(format!(
                    "step `{}` ({}) depends on `{}` of the later phase {}",
                    s.id,
                    s.phase.name(),
                    d,
                    dep.phase.name()
                ));
            }
        }
    }
    let order = graph::order(&plan.steps)?;
    order_follows_dependencies(plan)?;
    let mut seen = HashSet::new();
    for i in order {
        seen.insert(i);
    }
    let used: Vec<Phase> = Phase::ALL
        .into_iter()
        .filter(|p| plan.steps.iter().any(|s| s.phase == *p))
        .collect();
    if used != plan.phases {
        return Err(format!(
            "`phases` lists {:?} but the steps use {:?}",
            plan.phases.iter().map(|p| p.name()).collect::<Vec<_>>(),
            used.iter().map(|p| p.name()).collect::<Vec<_>>()
        ));
    }
    Ok(())
}

/// Steps run in file order, so the file order must be one bellows would write: phases in
/// order, and every dependency earlier in the file than the step that needs it.
fn order_follows_dependencies(plan: &Plan) -> Result<(), String> {
    let mut seen: HashSet<&str> = HashSet::new();
    let mut phase = None;
    for s in &plan.steps {
        if let Some(p) = phase
            && s.phase < p
        {
            return Err(format!(
                "step `{}` of phase {} comes after a step of the later phase {}: steps run in file order, and phases in the order expand, dual_write, backfill, contract",
                s.id,
                s.phase.name(),
                p.name()
            ));
        }
        phase = Some(s.phase);
        for d in &s.depends_on {
            if !seen.contains(d.as_str()) && plan.step(d).is_some() {
                return Err(format!(
                    "step `{}` depends on `{d}`, which comes after it in the file: steps run in file order, so every dependency must come first",
                    s.id
                ));
            }
        }
        seen.insert(&s.id);
    }
    Ok(())
}

/// Largest batch a plan may ask for, and the longest target and pause (one hour).
const MAX_BATCH_ROWS: u32 = 10_000_000;
const MAX_BATCH_MS: u32 = 3_600_000;

/// Batch settings the executor can use: positive, `min_size <= size <= max_size`, bounded.
fn batch_in_range(id: &str, b: &BatchSettings) -> Result<(), String> {
    let bad = |what: String| Err(format!("step `{id}`: batch settings out of range: {what}"));
    if b.min_size == 0 {
        return bad("min_size must be at least 1".into());
    }
    if b.min_size > b.max_size {
        return bad(format!(
            "min_size {} is above max_size {}",
            b.min_size, b.max_size
        ));
    }
    if !(b.min_size..=b.max_size).contains(&b.size) {
        return bad(format!(
            "size {} is outside min_size {} ..= max_size {}",
            b.size, b.min_size, b.max_size
        ));
    }
    if b.max_size > MAX_BATCH_ROWS {
        return bad(format!(
            "max_size {} is above {MAX_BATCH_ROWS} rows",
            b.max_size
        ));
    }
    if b.target_ms == 0 || b.target_ms > MAX_BATCH_MS {
        return bad(format!(
            "target_ms {} must be from 1 to {MAX_BATCH_MS}",
            b.target_ms
        ));
    }
    if b.pause_ms > MAX_BATCH_MS {
        return bad(format!("pause_ms {} is above {MAX_BATCH_MS}", b.pause_ms));
    }
    Ok(())
}
