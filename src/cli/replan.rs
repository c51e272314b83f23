//! The planner as the executor's re-derivation ([`crate::executor::settings::Replan`]): a
//! plan's own source SQL planned again against the live schema, with the options the plan
//! records (blocking steps allowed when it has any, its backfill batch settings).

use crate::catalog::Catalog;
use crate::plan::Plan;
use crate::planner::{self, Options};

/// What bellows generates from `plan`'s source SQL for a database whose schema is `live`
/// and whose server is PostgreSQL `major`.
pub fn replan(plan: &Plan, live: &Catalog, major: u32) -> Result<Plan, String> {
    let opts = Options {
        pg_version: major,
        allow_blocking: plan.steps.iter().any(|s| s.blocking),
        batch: plan
            .steps
            .iter()
            .find_map(|s| s.backfill.as_ref().map(|b| b.batch.clone()))
            .unwrap_or_default(),
    };
    planner::plan(&plan.source_file, &plan.source_sql, live, &opts).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plan_re_derives_to_itself_and_an_edit_does_not() {
        let cat = crate::catalog::load_file("examples/schema/small.sql").expect("schema");
        let text = std::fs::read_to_string("examples/changes/01-rename-column.sql").expect("ex");
        let p =
            planner::plan("01-rename-column.sql", &text, &cat, &Options::default()).expect("plan");
        let again = replan(&p, &cat, 15).expect("replans");
        assert!(crate::plan::diff::differences(&again, &p).is_empty());
        let mut edited = p.clone();
        edited.steps.retain(|s| s.gate.is_none());
        assert!(!crate::plan::diff::differences(&again, &edited).is_empty());
    }
}
