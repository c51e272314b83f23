//! Reading a plan file and refusing anything inconsistent or edited.

use std::collections::HashSet;

use super::error::PlanError;
use super::graph;
use super::model::*;

/// Read and validate a plan file (TOML, or JSON when it starts with `{`).
pub fn load_file(path: &str) -> Result<Plan, PlanError> {
    let text = std::fs::read_to_string(path).map_err(|source| PlanError::Io {
        path: path.to_string(),
        source,
    })?;
    parse(path, &text)
}

/// Parse and validate plan text; `path` names it in messages.
pub fn parse(path: &str, text: &str) -> Result<Plan, PlanError> {
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
        message,
    })?;
    if plan.hash != plan.compute_hash() {
        return Err(PlanError::Invalid {
            path: path.to_string(),
            message: "the plan was changed after bellows generated it (its hash does not match its content); \
                      re-run `bellows plan` on the change instead of editing the plan"
                .into(),
        });
    }
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
