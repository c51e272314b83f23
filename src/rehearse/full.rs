//! The full run of a rehearsal: a fresh copy, a snapshot of its rows, the application load
//! and the lock watcher started, the plan run up to contract, the backfills checked, then
//! the rest of the plan (the new code deployed at the gate), and the checks after it.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use super::drive::{self, Timeline};
use super::error::RehearseError;
use super::load::{self, Shared, Workload};
use super::report::{Application, Check, CheckKind, PhaseReport};
use super::{base, checks, locks};
use crate::catalog::Catalog;
use crate::executor::seed::Seeded;
use crate::pgtemp::TempCluster;
use crate::plan::{Phase, Plan};
use crate::sql::QName;
use crate::synth;

/// The copy the full run uses.
const DATABASE: &str = "bellows_rehearsal_full";

/// What the full run found.
#[derive(Debug)]
pub struct Full {
    /// Per phase.
    pub phases: Vec<PhaseReport>,
    /// The application.
    pub application: Application,
    /// Checks, in order.
    pub checks: Vec<Check>,
    /// Backfill rows and milliseconds per table.
    pub rates: Vec<(String, i64, u64)>,
}

/// Run `plan` on a fresh copy beside the application load; `after` is the schema the
/// plan leads to (new code uses it).
pub async fn run(
    cluster: &TempCluster,
    plan: &Plan,
    prepared: &base::Prepared,
    s: synth::Settings,
) -> Result<Full, RehearseError> {
    let (before, after) = (&prepared.before, &prepared.after);
    let url = base::copy(cluster, DATABASE)?;
    let snap = checks::snapshot(&url, before).await?;
    let shared = Arc::new(Shared::default());
    let filled: BTreeSet<String> = prepared
        .seeded
        .iter()
        .filter_map(|x| match x {
            Seeded::Filled { table, .. } => Some(table.clone()),
            Seeded::Left { .. } => None,
        })
        .collect();
    let tables: Vec<QName> = tables(plan, before)
        .into_iter()
        .filter(|t| filled.contains(&t.display()))
        .collect();
    let work = Arc::new(Workload::new(&tables, prepared, s, &plan.app_search_path));
    let app = tokio::spawn(load::run(url.clone(), work, shared.clone()));
    let watcher = tokio::spawn(locks::watch(url.clone(), shared.clone()));
    let mut tl = Timeline::default();
    let mut found = Vec::new();
    let ran = stages(plan, &url, &shared, &mut tl, &mut found).await;
    // The final shape under the new code for a moment, then stop everything.
    tokio::time::sleep(Duration::from_millis(200)).await;
    shared.stop.store(true, Ordering::Relaxed);
    let _ = app.await;
    let seen = watcher.await.unwrap_or_default();
    let application = shared.application();
    let mut out = vec![Check {
        check: CheckKind::PlanRan,
        passed: ran.is_ok(),
        evidence: ran.as_ref().err().cloned().into_iter().collect(),
    }];
    out.push(Check {
        check: CheckKind::Application,
        passed: application.failed == 0,
        evidence: if application.failed == 0 {
            vec![format!("{} statements", application.statements)]
        } else {
            application.failures.clone()
        },
    });
    out.extend(found);
    if ran.is_ok() {
        out.push(checks::unchanged(&url, &snap, before, after).await?);
    }
    let _ = cluster.drop_database(DATABASE);
    let phases = plan
        .phases
        .iter()
        .map(|p| {
            let (rows, bms) = tl.backfill.get(p).copied().unwrap_or((0, 0));
            let lock = seen.get(p);
            PhaseReport {
                phase: *p,
                ms: tl.ms.get(p).copied().unwrap_or(0),
                rows,
                rows_per_s: (bms > 0).then(|| rows as f64 * 1000.0 / bms as f64),
                strongest_lock: lock.map(locks::Seen::mode),
                longest_hold_ms: lock.map_or(0, |l| l.longest_ms),
                app_max_latency_ms: shared.worst_ms(*p),
            }
        })
        .collect();
    Ok(Full {
        phases,
        application,
        checks: out,
        rates: tl
            .by_table
            .iter()
            .map(|(t, (r, ms))| (t.clone(), *r, *ms))
            .collect(),
    })
}

/// Up to contract, the backfill check, then the rest; an executor error or a stop short
/// of the end is the error.
async fn stages(
    plan: &Plan,
    url: &str,
    shared: &Arc<Shared>,
    tl: &mut Timeline,
    found: &mut Vec<Check>,
) -> Result<(), String> {
    let pre = plan.phases.iter().copied().rfind(|p| *p < Phase::Contract);
    let has_contract = plan.phases.contains(&Phase::Contract);
    if let (Some(pre), true) = (pre, has_contract) {
        let o = drive::run(
            plan,
            url,
            drive::settings(Some(pre)),
            Some(shared.clone()),
            tl,
        )
        .await?;
        if !matches!(
            o,
            crate::executor::Outcome::Through(_) | crate::executor::Outcome::Done
        ) {
            return Err(format!("the run stopped before contract: {o:?}"));
        }
        found.push(
            checks::backfilled(url, plan)
                .await
                .map_err(|e| e.to_string())?,
        );
    }
    let o = drive::run(plan, url, drive::settings(None), Some(shared.clone()), tl).await?;
    if o != crate::executor::Outcome::Done {
        return Err(format!("the run stopped before its end: {o:?}"));
    }
    if !has_contract {
        found.push(
            checks::backfilled(url, plan)
                .await
                .map_err(|e| e.to_string())?,
        );
    }
    Ok(())
}

/// The tables of the plan (its fingerprint), as names of `before`.
fn tables(plan: &Plan, before: &Catalog) -> Vec<QName> {
    before
        .tables
        .keys()
        .filter(|n| plan.fingerprint.contains_key(&n.display()))
        .cloned()
        .collect()
}
