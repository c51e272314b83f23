//! Bugs found by reviewing the tool as users would, pinned so they stay fixed.

mod common;

use bellows::planner::{self, Options};
use common::examples;

fn plan(text: &str) -> Result<bellows::plan::Plan, String> {
    let cat = bellows::catalog::load_file(examples::SCHEMA).expect("schema");
    planner::plan("r.sql", text, &cat, &Options::default()).map_err(|e| e.to_string())
}

#[test]
fn if_not_exists_on_existing_objects_plans_nothing_destructive() {
    let p = plan("CREATE TABLE IF NOT EXISTS users (id int);").expect("plans");
    assert!(
        p.steps.is_empty(),
        "an existing table must not get a DROP TABLE rollback"
    );
    assert!(p.warnings.iter().any(|w| w.contains("already exists")));
    let p =
        plan("CREATE INDEX IF NOT EXISTS orders_user_id_idx ON orders (status);").expect("plans");
    assert!(
        p.steps.is_empty(),
        "an existing index must not be rebuilt or dropped on rollback"
    );
}

#[test]
fn constraint_using_index_waits_for_not_null_from_an_earlier_statement() {
    let p = plan(
        "ALTER TABLE events ALTER COLUMN payload SET NOT NULL;\nCREATE UNIQUE INDEX events_payload_key ON events (payload);\nALTER TABLE events ADD PRIMARY KEY USING INDEX events_payload_key;",
    )
    .expect("plans");
    let pos = |id: &str| {
        p.steps
            .iter()
            .position(|s| s.id == id)
            .unwrap_or_else(|| panic!("no step {id}"))
    };
    assert!(
        pos("3.add-constraint") > pos("1.set-payload-not-null"),
        "USING INDEX before SET NOT NULL would scan under ACCESS EXCLUSIVE"
    );
}

#[test]
fn regression_plans_run_on_a_real_server() {
    let cluster = common::cluster();
    let cat = bellows::catalog::load_file(examples::SCHEMA).expect("schema");
    let changes: Vec<(String, String)> = [
        ("truncate-related-tables", "TRUNCATE order_items, orders;"),
        ("not-null-then-primary-key", "ALTER TABLE events ALTER COLUMN payload SET NOT NULL;\nCREATE UNIQUE INDEX events_payload_key ON events (payload);\nALTER TABLE events ADD PRIMARY KEY USING INDEX events_payload_key;"),
        ("row-dependent-fill", "-- bellows:fill 'user-' || id\nALTER TABLE users ADD COLUMN handle text NOT NULL;"),
        ("drop-two-related-tables", "DROP TABLE order_items, orders;"),
    ]
    .iter()
    .map(|(n, t)| (format!("regression/{n}.sql"), t.to_string()))
    .collect();
    let failures = common::exercise(
        &cluster,
        "reg",
        &[examples::SCHEMA, "tests/fixtures/small-seed.sql"],
        &cat,
        &changes,
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
