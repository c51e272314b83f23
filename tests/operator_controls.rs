//! Operator controls on a real server: `bellows run --confirm GATE` passes exactly the gates
//! named (repeatable), stops at any other (exit 3), and refuses an id that is not one of the
//! plan's gates (exit 2, naming them, nothing changed).

mod common;

use std::process::{Command, Output};

/// A plan with two gates (2.gate, 3.gate) planned against `small.sql`.
const PLAN: &str = "plans/28-rename-index-and-constraint.toml";

fn bellows(args: &[&str], url: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bellows"))
        .args(args)
        .env("DATABASE_URL", url)
        .output()
        .expect("run bellows")
}

fn text(o: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn confirm_passes_only_the_gates_it_names() {
    let cluster = common::cluster();
    let url = common::fresh_db(&cluster, "confirm", &[common::examples::SCHEMA]);
    let q = |sql: &str| {
        cluster
            .psql("confirm", sql)
            .expect("psql")
            .trim()
            .to_string()
    };

    // Not a gate of this plan: refused before anything is created.
    let o = bellows(&["run", PLAN, "--headless", "--confirm", "9.gate"], &url);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o)
            .contains("--confirm 9.gate: the plan has no gate 9.gate; its gates: 2.gate, 3.gate"),
        "{}",
        text(&o)
    );
    assert_eq!(q("SELECT to_regnamespace('bellows') IS NULL"), "t");

    // The first gate confirmed in advance: the run goes through it and stops at the second.
    let o = bellows(
        &[
            "run",
            PLAN,
            "--headless",
            "--confirm",
            "2.gate",
            "--operator",
            "alice",
        ],
        &url,
    );
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    assert!(text(&o).contains("3.gate"), "{}", text(&o));
    assert_eq!(
        q(
            "SELECT string_agg(step_id || ' ' || confirmed_by, ',' ORDER BY step_id) FROM bellows.gate_confirmations"
        ),
        "2.gate alice"
    );
    // Named again with the second: both pass, the plan ends.
    let o = bellows(
        &[
            "run",
            PLAN,
            "--headless",
            "--confirm",
            "2.gate",
            "--confirm",
            "3.gate",
            "--operator",
            "bob",
        ],
        &url,
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(
        q(
            "SELECT string_agg(step_id || ' ' || confirmed_by, ',' ORDER BY step_id) FROM bellows.gate_confirmations"
        ),
        "2.gate alice,3.gate bob"
    );
}

/// `rollback --to PHASE` undoes only the steps of later phases: after a rename ran through
/// backfill, `--to expand` removes the sync trigger (dual_write) and the backfill's work but
/// keeps the new column (expand); the preview lists exactly those steps.
#[test]
fn rollback_to_a_phase_keeps_that_phase_and_earlier() {
    let cluster = common::cluster();
    let url = common::fresh_db(&cluster, "rollback_to", &[common::examples::SCHEMA]);
    let q = |sql: &str| {
        cluster
            .psql("rollback_to", sql)
            .expect("psql")
            .trim()
            .to_string()
    };
    let plan = "plans/01-rename-column.toml";
    let o = bellows(&["run", plan, "--headless", "--through", "backfill"], &url);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let column = "SELECT count(*) FROM information_schema.columns WHERE table_name = 'users' AND column_name = 'email_address'";
    let trigger =
        "SELECT count(*) FROM pg_trigger WHERE tgrelid = 'users'::regclass AND NOT tgisinternal";
    assert_eq!(q(column), "1");
    let triggers_before: i64 = q(trigger).parse().expect("count");

    let o = bellows(&["rollback", plan, "--to", "expand"], &url);
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    let preview = String::from_utf8_lossy(&o.stdout).to_string();
    assert!(
        preview.contains("rollback --to expand would undo") && preview.contains("1.sync-trigger"),
        "{preview}"
    );
    assert!(!preview.contains("1.add-column"), "{preview}");

    let o = bellows(&["rollback", plan, "--to", "expand", "--yes"], &url);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(q(column), "1", "the expand phase's column stays");
    let triggers_after: i64 = q(trigger).parse().expect("count");
    assert!(triggers_after < triggers_before, "the sync trigger is gone");
    assert_eq!(
        q(
            "SELECT string_agg(step_id, ',' ORDER BY step_id) FROM bellows.steps WHERE state = 'done'"
        ),
        "1.add-column"
    );
    // A plain rollback then undoes the rest.
    let o = bellows(&["rollback", plan, "--yes"], &url);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(q(column), "0");
    // Not a phase: exit 2.
    let o = bellows(&["rollback", plan, "--to", "sideways", "--yes"], &url);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
}
