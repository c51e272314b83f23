//! Rollback at each phase boundary before contract: on a fresh copy each time, the plan run
//! through the phase, every completed step undone, and the catalog compared with the copy's
//! catalog before the run by the parity engine: it must be identical.

use super::base;
use super::drive::{self, Timeline};
use super::error::RehearseError;
use super::report::{Boundary, BoundaryOutcome};
use crate::catalog::{Catalog, live};
use crate::env::Target;
use crate::executor::{self, Event, RollbackOutcome};
use crate::parity;
use crate::pgtemp::TempCluster;
use crate::plan::{Phase, Plan};

/// Every phase of `plan` before contract, each rolled back on its own copy.
pub async fn all(cluster: &TempCluster, plan: &Plan) -> Result<Vec<Boundary>, RehearseError> {
    let mut out = Vec::new();
    for (i, phase) in plan
        .phases
        .iter()
        .copied()
        .filter(|p| *p < Phase::Contract)
        .enumerate()
    {
        let db = format!("bellows_rehearsal_b{i}");
        let url = base::copy(cluster, &db)?;
        let outcome = one(plan, &url, phase).await?;
        let _ = cluster.drop_database(&db);
        out.push(Boundary {
            after: phase,
            outcome,
        });
    }
    Ok(out)
}

async fn catalog(target: &Target) -> Result<Catalog, RehearseError> {
    live::introspect_target(target)
        .await
        .map_err(|e| RehearseError::Catalog(e.to_string()))
}

/// Through `phase`, back, compared.
async fn one(plan: &Plan, url: &str, phase: Phase) -> Result<BoundaryOutcome, RehearseError> {
    let target = Target::parse(url).map_err(|e| RehearseError::db("the copy's URL", e))?;
    let before = catalog(&target).await?;
    let mut tl = Timeline::default();
    if let Err(e) = drive::run(plan, url, drive::settings(Some(phase)), None, &mut tl).await {
        return Ok(BoundaryOutcome::Failed {
            error: format!("the run through {} failed: {e}", phase.name()),
        });
    }
    let (tx, mut events) = tokio::sync::mpsc::unbounded_channel::<Event>();
    let set = drive::settings(None);
    let back = executor::rollback::rollback(plan, &target, &set, tx).await;
    events.close();
    match back {
        Err(e) => {
            return Ok(BoundaryOutcome::Failed {
                error: format!("the rollback failed: {e}"),
            });
        }
        Ok(RollbackOutcome::StoppedAt { step, reason, .. }) => {
            return Ok(BoundaryOutcome::Irreversible { step, reason });
        }
        Ok(_) => {}
    }
    let after = catalog(&target).await?;
    let report = parity::compare(&before, &after);
    Ok(if report.is_identical() {
        BoundaryOutcome::Identical
    } else {
        BoundaryOutcome::Differs {
            differences: parity::render::lines(&report)
                .into_iter()
                .map(|l| {
                    l.replace("only in A", "gone after the rollback")
                        .replace("only in B", "left behind by the rollback")
                        .replace("A=", "before=")
                        .replace("B=", "after=")
                })
                .collect(),
        }
    })
}
