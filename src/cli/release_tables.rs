//! The release gate's table check, before a protected environment's first step: the plan's
//! tables on the target now must be what the gate environment had before the plan ran there
//! (recorded by that run), compared by the parity engine (columns, types, defaults,
//! constraints, indexes, triggers, policies; not grants or comments). A pass on a staging
//! whose tables differ proves nothing about production.

use super::Failure;
use crate::catalog::{Catalog, Table};
use crate::env::Target;
use crate::executor::release;
use crate::parity;
use crate::plan::Plan;

/// Refuse (exit 2, nothing changed) when the plan's tables differ between the gate
/// environment's record and the target; nothing to compare once the target has started the
/// plan, or when the gate's run predates the record (said on standard error).
pub async fn require_same_tables(
    plan: &Plan,
    gate: (&str, &Target),
    target: (&str, &Target),
) -> Result<(), Failure> {
    let refuse = |e: crate::executor::ExecError| Failure::input(e.to_string());
    if release::started(plan, target.1).await.map_err(refuse)? {
        return Ok(());
    }
    let Some(before) = release::gate_tables(plan, gate.1).await.map_err(refuse)? else {
        eprintln!(
            "note: {}'s run of this plan predates bellows recording its tables; they were checked against the plan's fingerprints only",
            gate.0
        );
        return Ok(());
    };
    let live = crate::catalog::live::introspect_target(target.1)
        .await
        .map_err(|e| Failure {
            code: 4,
            message: target.1.redact(&e.to_string()),
        })?;
    let names: Vec<_> = before.iter().map(|t| t.name.clone()).collect();
    let now: Vec<Table> = names
        .iter()
        .filter_map(|n| live.tables.get(n).cloned())
        .collect();
    let mut report = parity::compare(&only(before), &only(now));
    // Who may read a table and what it is called in comments may differ between
    // environments; its shape may not.
    for ds in report.objects.values_mut() {
        ds.retain(|d| !matches!(d.kind, parity::Kind::Grants | parity::Kind::Comment));
    }
    report.objects.retain(|_, ds| !ds.is_empty());
    if report.is_identical() {
        return Ok(());
    }
    Err(Failure::input(format!(
        "the plan's tables on {} differ from what {} had before the plan ran there, so that pass proves nothing here, and nothing was changed ({}: A, {}: B):\n  {}\n\
         make them the same first (`bellows diff {} {}` lists every difference), re-run the plan on {}, then this again",
        target.0,
        gate.0,
        gate.0,
        target.0,
        parity::render::lines(&report).join("\n  "),
        gate.0,
        target.0,
        gate.0
    )))
}

/// A catalog of just these tables.
fn only(tables: Vec<Table>) -> Catalog {
    let mut c = Catalog::default();
    for t in tables {
        c.schemas.insert(t.name.schema.clone());
        c.tables.insert(t.name.clone(), t);
    }
    c
}
