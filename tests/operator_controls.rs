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
