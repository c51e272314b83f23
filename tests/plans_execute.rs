//! Every example plan runs statement by statement on a real PostgreSQL: all the way up,
//! and, in a second database, up to the contract phase and then rolled back to exactly the
//! schema it started from.

mod common;

use common::examples;

#[test]
fn every_example_plan_runs_up_and_rolls_back_on_a_real_server() {
    let cluster = common::cluster();
    let catalog = bellows::catalog::load_file(examples::SCHEMA).expect("schema");
    let changes: Vec<(String, String)> = examples::changes()
        .into_iter()
        .map(|(_, path)| {
            let text = std::fs::read_to_string(&path).expect("read example");
            (path, text)
        })
        .collect();
    assert!(changes.len() >= 20, "expected one example per recipe");
    let failures = common::exercise(
        &cluster,
        "small",
        &[examples::SCHEMA, "tests/fixtures/small-seed.sql"],
        &catalog,
        &changes,
    );
    assert!(
        failures.is_empty(),
        "{} example(s) failed:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

#[test]
fn every_production_example_runs_up_and_rolls_back_on_the_production_shaped_schema() {
    let cluster = common::cluster();
    let catalog = bellows::catalog::load_file(examples::PRODUCTION_SCHEMA).expect("schema");
    let changes: Vec<(String, String)> = examples::production_changes()
        .into_iter()
        .map(|(_, path)| {
            let text = std::fs::read_to_string(&path).expect("read example");
            (path, text)
        })
        .collect();
    assert!(
        changes.len() >= 12,
        "a dozen risky changes on the production dump"
    );
    let failures = common::exercise(
        &cluster,
        "prod",
        examples::PRODUCTION_FILES,
        &catalog,
        &changes,
    );
    assert!(
        failures.is_empty(),
        "{} production example(s) failed:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}
