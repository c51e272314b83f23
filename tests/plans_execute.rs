//! Every example plan runs statement by statement on a real PostgreSQL: all the way up,
//! and, in a second database, up to the contract phase and then rolled back to exactly the
//! schema it started from.

mod common;

use bellows::plan::Phase;
use bellows::planner::{self, Options};

const SCHEMA: &str = "examples/schema/small.sql";
const SEED: &str = "tests/fixtures/small-seed.sql";

#[test]
fn every_example_plan_runs_up_and_rolls_back_on_a_real_server() {
    let cluster = common::cluster();
    let rt = common::rt();
    let catalog = bellows::catalog::load_file(SCHEMA).expect("schema");
    let mut failures = Vec::new();
    let mut examples: Vec<_> = std::fs::read_dir("examples/changes")
        .expect("examples/changes")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "sql"))
        .collect();
    examples.sort();
    assert!(examples.len() >= 20, "expected one example per recipe");
    for (i, path) in examples.iter().enumerate() {
        let p = path.to_string_lossy().to_string();
        let text = std::fs::read_to_string(path).expect("read example");
        let plan = match planner::plan(&p, &text, &catalog, &Options::default()) {
            Ok(plan) => plan,
            Err(e) => {
                failures.push(format!("{p}: does not plan: {e}"));
                continue;
            }
        };
        // All the way up.
        let up = common::fresh_db(&cluster, &format!("up{i}"), &[SCHEMA, SEED]);
        if let Err(e) = rt.block_on(common::run_plan(&up, &plan, None)) {
            failures.push(format!("{p}: up: {e}"));
            continue;
        }
        // Up to contract, then back.
        let back = common::fresh_db(&cluster, &format!("back{i}"), &[SCHEMA, SEED]);
        let before = rt.block_on(common::shape(&back));
        let done = match rt.block_on(common::run_plan(&back, &plan, Some(Phase::Contract))) {
            Ok(d) => d,
            Err(e) => {
                failures.push(format!("{p}: up to contract: {e}"));
                continue;
            }
        };
        // The one pre-contract step PostgreSQL cannot undo: an enum label stays. The plan
        // must say so; everything else must roll back.
        let irreversible: Vec<_> = done.iter().filter(|s| s.rollback_sql.is_none()).collect();
        if !irreversible.is_empty() {
            if !irreversible
                .iter()
                .all(|s| s.id.ends_with("add-enum-value") && s.irreversible_reason.is_some())
            {
                failures.push(format!(
                    "{p}: irreversible steps before contract: {:?}",
                    irreversible.iter().map(|s| &s.id).collect::<Vec<_>>()
                ));
            }
            continue;
        }
        if let Err(e) = rt.block_on(common::rollback(&back, &done)) {
            failures.push(format!("{p}: rollback: {e}"));
            continue;
        }
        let after = rt.block_on(common::shape(&back));
        if before != after {
            let diff: Vec<String> = before
                .tables
                .iter()
                .filter(|(k, t)| after.tables.get(*k) != Some(*t))
                .map(|(k, t)| {
                    format!(
                        "{k}:\n before {}\n after  {}",
                        serde_json::to_string(t).unwrap_or_default(),
                        serde_json::to_string(&after.tables.get(k)).unwrap_or_default()
                    )
                })
                .collect();
            failures.push(format!(
                "{p}: rollback did not restore the schema: {}",
                if diff.is_empty() {
                    "non-table objects differ".to_string()
                } else {
                    diff.join("\n")
                }
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} example(s) failed:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}
