//! Properties every generated plan keeps: the zero-downtime rule, CONCURRENTLY never in a
//! transaction, a rollback for every step before contract, gates before destruction, an
//! acyclic graph whose dependencies never point to a later phase, round-trips, determinism.
//! Checked on every example and on randomly generated changes.

mod common;

use bellows::catalog::Catalog;
use bellows::plan::{self, Phase, Plan, StepKind};
use bellows::planner::{self, Options};
use bellows::safety;
use common::examples;
use proptest::prelude::*;

fn check(plan: &Plan, before: &Catalog) -> Result<(), String> {
    plan::load::validate(plan)?;
    if plan.hash != plan.compute_hash() {
        return Err("hash does not match content".into());
    }
    for s in &plan.steps {
        let on_existing = s
            .lock
            .tables
            .iter()
            .any(|t| t.parse().is_ok_and(|q| before.tables.contains_key(&q)));
        if on_existing && !s.blocking && !safety::zero_downtime_ok(s.lock.mode, s.lock.duration) {
            return Err(format!(
                "{} holds {} for {} on an existing table",
                s.id, s.lock.mode, s.lock.duration
            ));
        }
        if s.sql.iter().any(|q| q.contains("CONCURRENTLY")) && s.transactional {
            return Err(format!("{} runs CONCURRENTLY inside a transaction", s.id));
        }
        if s.kind == StepKind::DdlConcurrent && s.sql.len() != 1 {
            return Err(format!("{} has several non-transactional statements", s.id));
        }
        if s.phase != Phase::Contract
            && s.rollback_sql.is_none()
            && !s.id.ends_with("add-enum-value")
        {
            return Err(format!("{} has no rollback before contract", s.id));
        }
        if s.rollback_sql.is_none()
            && !s.id.ends_with("add-enum-value")
            && !behind_gate(plan, &s.id)
        {
            return Err(format!("irreversible step {} is not behind a gate", s.id));
        }
    }
    let toml_back = plan::parse("p.toml", &plan.to_toml()).map_err(|e| e.to_string())?;
    let json_back = plan::parse("p.json", &plan.to_json()).map_err(|e| e.to_string())?;
    if &toml_back != plan || &json_back != plan {
        return Err("plan does not survive a TOML/JSON round-trip".into());
    }
    Ok(())
}

/// Is there a gate among the transitive dependencies of `id`?
fn behind_gate(plan: &Plan, id: &str) -> bool {
    let mut todo = vec![id.to_string()];
    let mut seen = std::collections::HashSet::new();
    while let Some(x) = todo.pop() {
        let Some(s) = plan.step(&x) else { continue };
        for d in &s.depends_on {
            if plan.step(d).is_some_and(|g| g.kind == StepKind::Gate) {
                return true;
            }
            if seen.insert(d.clone()) {
                todo.push(d.clone());
            }
        }
    }
    false
}

#[test]
fn every_example_plan_keeps_the_properties() {
    let before = bellows::catalog::load_file(examples::SCHEMA).expect("schema");
    for (_, path) in examples::changes() {
        let plan = examples::plan(&path);
        check(&plan, &before).unwrap_or_else(|e| panic!("{path}: {e}"));
        let again = examples::plan(&path);
        assert_eq!(
            plan.to_toml(),
            again.to_toml(),
            "{path}: planning twice must give identical output"
        );
    }
}

/// One random statement against the small schema.
fn statement() -> impl Strategy<Value = String> {
    let tables = prop::sample::select(vec![
        ("users", vec!["email", "name", "created_at"]),
        ("orders", vec!["user_id", "status", "created_at"]),
        ("products", vec!["sku", "title", "price"]),
        ("order_items", vec!["quantity", "product_id"]),
    ]);
    let types = prop::sample::select(vec![
        "bigint",
        "text",
        "varchar(300)",
        "numeric",
        "integer",
        "timestamptz",
    ]);
    let defaults = prop::sample::select(vec![
        "",
        " DEFAULT 0",
        " DEFAULT now()",
        " DEFAULT gen_random_uuid()::text",
        " NOT NULL DEFAULT 'x'",
        " NOT NULL DEFAULT random()",
    ]);
    (tables, 0usize..3, 0usize..12, types, defaults, 0u32..1000).prop_map(|((t, cols), ci, kind, ty, def, n)| {
        let c = cols[ci % cols.len()];
        match kind {
            0 => format!("ALTER TABLE {t} RENAME COLUMN {c} TO {c}_{n};"),
            1 => format!("-- bellows:down {c}::text\nALTER TABLE {t} ALTER COLUMN {c} TYPE {ty} USING {c}::{ty};"),
            2 => format!("ALTER TABLE {t} ADD COLUMN extra_{n} {}{def};", if def.contains("uuid") || def.contains("'x'") { "text" } else if def.contains("now") { "timestamptz" } else if def.contains("random") { "double precision" } else { "integer" }),
            3 => format!("-- bellows:fill 'x'\nALTER TABLE {t} ALTER COLUMN {c} SET NOT NULL;"),
            4 => format!("CREATE INDEX {t}_{c}_{n}_idx ON {t} ({c});"),
            5 => format!("ALTER TABLE {t} ADD CONSTRAINT {t}_{c}_{n}_check CHECK ({c} IS NOT NULL);"),
            6 => format!("ALTER TABLE {t} ADD CONSTRAINT {t}_{c}_{n}_key UNIQUE ({c});"),
            7 => format!("ALTER TABLE {t} DROP COLUMN {c};"),
            8 => format!("ALTER TABLE {t} RENAME TO {t}_{n};"),
            9 => format!("ALTER TABLE {t} ALTER COLUMN {c} DROP NOT NULL;"),
            10 => format!("ALTER TABLE {t} ADD COLUMN ref_{n} bigint REFERENCES users (id);"),
            _ => format!("ALTER TABLE {t} ALTER COLUMN {c} TYPE {ty};"),
        }
    })
}

/// Random change sets (fixed seed, so failures reproduce): every plan keeps the rules, every
/// refusal is a proper message (never an internal error), and most sets do plan.
#[test]
fn generated_changes_keep_the_properties() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::deterministic_rng(RngAlgorithm::ChaCha),
    );
    let strategy = prop::collection::vec(statement(), 1..4);
    let before = bellows::catalog::load_file(examples::SCHEMA).expect("schema");
    let (mut planned, mut refused) = (0, 0);
    for _ in 0..400 {
        let stmts = strategy.new_tree(&mut runner).expect("generate").current();
        let text = stmts.join("\n");
        match planner::plan("random.sql", &text, &before, &Options::default()) {
            Ok(plan) => {
                planned += 1;
                if let Err(e) = check(&plan, &before) {
                    panic!("{e}\n--- change:\n{text}");
                }
            }
            Err(e) => {
                refused += 1;
                let msg = e.to_string();
                assert!(
                    !msg.contains("internal error"),
                    "{msg}\n--- change:\n{text}"
                );
                assert!(
                    e.hint().is_some(),
                    "a refusal must say what to do: {msg}\n--- change:\n{text}"
                );
            }
        }
    }
    assert!(
        planned >= 200,
        "only {planned} of 400 generated change sets planned ({refused} refused)"
    );
}
