//! `--through PHASE` never runs a step of a later phase, also when the plan has no step in
//! PHASE (issue 9, item 0: a contract-only plan run `--through expand` dropped its table).
//! Real server; the library and the command line.

mod common;

use std::process::Command;

use bellows::executor::{Event, Outcome};
use bellows::plan::{Phase, Plan};
use common::{examples, exec};

const FILES: &[&str] = &[examples::SCHEMA, "tests/fixtures/small-seed.sql"];

/// Names of the steps that started or whose gate was confirmed.
fn touched(events: &[Event]) -> Vec<String> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::StepStarted { step, .. }
            | Event::StepSkipped { step, .. }
            | Event::GateConfirmed { step, .. }
            | Event::GateReached { step, .. } => Some(step.clone()),
            _ => None,
        })
        .collect()
}

fn phase_of(plan: &Plan, id: &str) -> Phase {
    plan.step(id).map(|s| s.phase).expect("a step of the plan")
}

#[test]
fn a_drop_table_plan_run_through_an_earlier_phase_drops_nothing() {
    let cluster = common::cluster();
    let rt = common::rt();
    let plan = examples::plan("examples/changes/20-drop-table.sql");
    assert_eq!(
        plan.phases,
        vec![Phase::Contract],
        "the example has only a contract phase"
    );
    for (i, through) in [Phase::Expand, Phase::DualWrite, Phase::Backfill]
        .into_iter()
        .enumerate()
    {
        let url = common::fresh_db(&cluster, &format!("drop{i}"), FILES);
        let mut set = exec::quick();
        set.through = Some(through);
        let (r, events) = rt.block_on(exec::run(&url, &plan, &set));
        assert_eq!(
            r.expect("the run stops cleanly"),
            Outcome::Through(through),
            "through {}",
            through.name()
        );
        assert!(
            touched(&events).is_empty(),
            "through {}: no step may run, yet: {:?}",
            through.name(),
            touched(&events)
        );
        let rows = rt.block_on(exec::scalar_i64(&url, "SELECT count(*) FROM events"));
        assert_eq!(
            rows,
            100,
            "through {}: events keeps its rows",
            through.name()
        );
    }
}

#[test]
fn a_rename_table_plan_run_through_a_missing_phase_keeps_its_view() {
    let cluster = common::cluster();
    let rt = common::rt();
    let plan = examples::plan("examples/changes/18-rename-table.sql");
    assert!(
        !plan.phases.contains(&Phase::DualWrite) && !plan.phases.contains(&Phase::Backfill),
        "the example lacks dual_write and backfill: {:?}",
        plan.phases
    );
    for (i, through) in [Phase::Expand, Phase::DualWrite, Phase::Backfill]
        .into_iter()
        .enumerate()
    {
        let url = common::fresh_db(&cluster, &format!("rename{i}"), FILES);
        let before = rt.block_on(exec::scalar_i64(&url, "SELECT count(*) FROM order_items"));
        let mut set = exec::quick();
        set.through = Some(through);
        let (r, events) = rt.block_on(exec::run(&url, &plan, &set));
        assert_eq!(
            r.expect("the run stops cleanly"),
            Outcome::Through(through),
            "through {}",
            through.name()
        );
        let late: Vec<String> = touched(&events)
            .into_iter()
            .filter(|id| phase_of(&plan, id) > through)
            .collect();
        assert!(
            late.is_empty(),
            "through {}: steps of later phases ran: {late:?}",
            through.name()
        );
        let view = rt.block_on(exec::scalar_i64(
            &url,
            "SELECT count(*) FROM pg_views WHERE schemaname = 'public' AND viewname = 'order_items'",
        ));
        assert_eq!(
            view,
            1,
            "through {}: the compatibility view stays",
            through.name()
        );
        let after = rt.block_on(exec::scalar_i64(&url, "SELECT count(*) FROM order_items"));
        assert_eq!(
            after,
            before,
            "through {}: every row still reads",
            through.name()
        );
    }
}

#[test]
fn the_command_line_through_an_absent_phase_changes_nothing() {
    let cluster = common::cluster();
    let rt = common::rt();
    let url = common::fresh_db(&cluster, "cli_drop", FILES);
    let out = Command::new(env!("CARGO_BIN_EXE_bellows"))
        .args([
            "run",
            "plans/20-drop-table.toml",
            "--yes",
            "--through",
            "expand",
            "--headless",
            "--database-url",
            &url,
        ])
        .output()
        .expect("run bellows");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("stopped after phase expand"),
        "the outcome names the phase asked for: {text}"
    );
    assert!(!text.contains("1.drop-table"), "{text}");
    let rows = rt.block_on(exec::scalar_i64(&url, "SELECT count(*) FROM events"));
    assert_eq!(rows, 100, "the table and its rows are still there");
}
