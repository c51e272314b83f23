//! Loading refuses inconsistent plans even when their hash was recomputed.

use bellows::plan::{self, Plan};
use bellows::planner::{self, Options};

fn sample() -> Plan {
    let cat = bellows::catalog::load_file("examples/schema/small.sql").expect("schema");
    planner::plan(
        "c.sql",
        "ALTER TABLE users RENAME COLUMN email TO email_address;",
        &cat,
        &Options::default(),
    )
    .expect("plan")
}

fn refused(mut p: Plan, needle: &str) {
    p.seal();
    let err = plan::parse("p.toml", &p.to_toml())
        .expect_err("must be refused")
        .to_string();
    assert!(err.contains(needle), "expected {needle:?} in {err}");
}

#[test]
fn cycles_missing_dependencies_and_phase_order_are_refused() {
    let mut p = sample();
    let last = p.steps.last().expect("steps").id.clone();
    p.steps[0].depends_on.push(last.clone());
    refused(p, "later phase");

    let mut p = sample();
    let a = p.steps[1].id.clone();
    p.steps[0].phase = p.steps[1].phase;
    p.steps[0].depends_on.push(a);
    refused(p, "cycle");

    let mut p = sample();
    p.steps[2].depends_on.push("9.nope".into());
    refused(p, "not in the plan");

    let mut p = sample();
    p.steps[1].id = p.steps[0].id.clone();
    refused(p, "share the id");

    let mut p = sample();
    p.steps[0].rollback_sql = None;
    p.steps[0].irreversible_reason = None;
    refused(p, "no rollback and no reason");

    let mut p = sample();
    p.format_version = 99;
    refused(p, "format version 99");
}

#[test]
fn a_sound_plan_round_trips_in_both_formats() {
    let p = sample();
    assert_eq!(plan::parse("p.toml", &p.to_toml()).expect("toml"), p);
    assert_eq!(plan::parse("p.json", &p.to_json()).expect("json"), p);
}
