//! `bellows rehearse`: a plan run up and down on a throwaway copy before it runs anywhere
//! that matters. In a throwaway cluster ([`crate::pgtemp`]) a template database gets the
//! schema and synthetic rows ([`base`]); a copy runs the whole plan beside an application
//! load with old column names until the gate and new ones after ([`full`], [`load`]),
//! while locks are watched ([`locks`]) and the data checked ([`checks`]); and for each
//! phase boundary before contract another copy runs to it, rolls back, and is compared with
//! its starting catalog by the parity engine ([`boundary`]). The result is a [`Report`].

pub mod base;
pub mod boundary;
pub mod checks;
pub mod drive;
pub mod error;
pub mod full;
pub mod load;
pub mod locks;
pub mod report;
pub mod source;

use std::path::Path;

pub use error::RehearseError;
pub use report::Report;

use crate::catalog::Catalog;
use crate::executor::seed::Seeded;
use crate::pgtemp::TempCluster;
use crate::plan::Plan;
use crate::synth;
use report::{BoundaryOutcome, Check, CheckKind, Extrapolated, Server};

/// What to rehearse with.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Synthetic rows per table, and their seed.
    pub synth: synth::Settings,
    /// The target environment's catalog (row estimates, server version), with `--env`.
    pub target: Option<Catalog>,
}

/// Rehearse `plan` in `cluster` on `schema` (a SQL file psql loads).
pub async fn rehearse(
    cluster: &TempCluster,
    plan: &Plan,
    schema: &Path,
    s: &Settings,
) -> Result<Report, RehearseError> {
    let prepared = base::prepare(cluster, schema, plan, &s.synth).await?;
    let full = full::run(cluster, plan, &prepared, s.synth).await?;
    let rollbacks = boundary::all(cluster, plan).await?;
    let mut checks = full.checks;
    if !rollbacks.is_empty() {
        let bad: Vec<String> = rollbacks
            .iter()
            .filter(|b| {
                matches!(
                    b.outcome,
                    BoundaryOutcome::Differs { .. } | BoundaryOutcome::Failed { .. }
                )
            })
            .map(|b| format!("after {}: see below", b.after.name()))
            .collect();
        checks.push(Check {
            check: CheckKind::Rollback,
            passed: bad.is_empty(),
            evidence: bad,
        });
    }
    let passed = checks.iter().all(|c| c.passed);
    Ok(Report {
        plan: plan.name.clone(),
        hash: plan.hash.clone(),
        server: Server {
            major: cluster.server_version(),
            wanted: s.target.as_ref().and_then(|t| t.server_version),
        },
        rows: s.synth.rows,
        seed: s.synth.seed,
        not_filled: prepared
            .seeded
            .iter()
            .filter_map(|x| match x {
                Seeded::Left { table, why } => Some(format!("{table}: {why}")),
                Seeded::Filled { .. } => None,
            })
            .collect(),
        phases: full.phases,
        application: full.application,
        checks,
        rollbacks,
        extrapolated: s
            .target
            .as_ref()
            .map(|t| extrapolate(t, &full.rates))
            .unwrap_or_default(),
        passed,
    })
}

/// The schema the plan leads to: `before` with the plan's change applied (what new
/// application code sees). Statements the catalog cannot apply leave it as it was.
pub fn after_plan(plan: &Plan, before: &Catalog) -> Catalog {
    let mut after = before.clone();
    if let Ok(sts) = crate::sql::parse_file(&plan.source_file, &plan.source_sql, true) {
        for st in sts {
            let _ = after.apply(&st.ddl);
        }
    }
    after
}

/// Each backfilled table's time at the target's row estimate, at the rehearsal's speed.
fn extrapolate(target: &Catalog, rates: &[(String, i64, u64)]) -> Vec<Extrapolated> {
    rates
        .iter()
        .filter(|(_, rows, ms)| *rows > 0 && *ms > 0)
        .filter_map(|(table, rows, ms)| {
            let t = target.tables.values().find(|t| t.name.sql() == *table)?;
            let there = t.row_estimate?.max(0);
            let per_s = *rows as f64 * 1000.0 / *ms as f64;
            Some(Extrapolated {
                table: t.name.display(),
                rows: there,
                seconds: there as f64 / per_s,
            })
        })
        .collect()
}
