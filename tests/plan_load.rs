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

/// Issue 10, item 2: a plan whose hash was recomputed after an edit is still refused when
/// its steps are out of order, its phases are shuffled, or its batch settings are out of
/// range (`min_size` above `max_size` made the executor panic).
#[test]
fn edited_order_and_batch_settings_are_refused_even_when_resealed() {
    // Dependency later in the file (same phase, so no other check catches it).
    let mut p = sample();
    let i = p
        .steps
        .iter()
        .position(|s| {
            s.depends_on
                .iter()
                .any(|d| p.step(d).is_some_and(|x| x.phase == s.phase))
        })
        .expect("a step depending on one of its own phase");
    let dep = p.steps[i].depends_on[0].clone();
    let j = p.steps.iter().position(|s| s.id == dep).expect("dep");
    let moved = p.steps.remove(j);
    p.steps.insert(i, moved);
    refused(p, "comes after it in the file");

    // Phases out of order in the file.
    let mut p = sample();
    let last = p.steps.pop().expect("a contract step");
    assert!(last.depends_on.len() <= 1);
    let mut last = last;
    last.depends_on.clear();
    p.steps.insert(0, last);
    refused(p, "comes after a step of the later phase");

    let with_batch = |f: &dyn Fn(&mut plan::BatchSettings)| {
        let mut p = sample();
        let b = p
            .steps
            .iter_mut()
            .find_map(|s| s.backfill.as_mut())
            .expect("a backfill step");
        f(&mut b.batch);
        p
    };
    refused(
        with_batch(&|b| {
            b.min_size = 60_000;
        }),
        "min_size 60000 is above max_size 50000",
    );
    refused(
        with_batch(&|b| b.min_size = 0),
        "min_size must be at least 1",
    );
    refused(with_batch(&|b| b.size = 10), "size 10 is outside");
    refused(with_batch(&|b| b.target_ms = 0), "target_ms 0");
    refused(
        with_batch(&|b| b.max_size = u32::MAX),
        "is above 10000000 rows",
    );
}

/// Issue 10, item 2: control characters in the plan name (from the change file name) are
/// refused when a plan is loaded.
#[test]
fn control_characters_in_the_plan_name_are_refused() {
    let mut p = sample();
    p.name = "c\u{1b}[2J\u{1b}[31mAPPROVED".into();
    refused(p.clone(), "holds control characters");
    let mut p = sample();
    p.source_file = "evil\u{202e}lqs.sql".into();
    refused(p, "holds control characters");
}

#[test]
fn allowing_edits_skips_only_the_hash() {
    let mut p = sample();
    p.steps[0].summary.push_str(" (edited)");
    let text = p.to_toml();
    let dir = std::env::temp_dir().join(format!("bellows-edit-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let path = dir.join("p.toml");
    std::fs::write(&path, text).expect("write");
    let path = path.to_string_lossy().to_string();
    assert!(plan::load_file(&path).is_err(), "stale hash is refused");
    let l = plan::load::load_file_allowing_edits(&path).expect("edited, but sound");
    assert!(!l.hash_matched);
    assert_eq!(l.plan.hash, l.plan.compute_hash());
    let mut q = l.plan.clone();
    q.steps[0].depends_on.push("9.nope".into());
    q.seal();
    std::fs::write(&path, q.to_toml()).expect("write");
    assert!(plan::load::load_file_allowing_edits(&path).is_err());
    let _ = std::fs::remove_dir_all(&dir);
}
