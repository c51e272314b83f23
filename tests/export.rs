//! `bellows export`: every example plan, exported for every tool and applied the way that
//! tool would (its ordering and transaction rules), ends at the schema `bellows run` leaves;
//! the down files of the steps before the contract phase restore the original schema.

mod common;

use bellows::export::{self, File, Tool};
use bellows::plan::{Phase, Plan, StepKind};
use common::{examples, exec, tools};

/// Every file, separated by its name, for snapshots.
fn joined(files: &[File]) -> String {
    files
        .iter()
        .map(|f| format!("==> {} <==\n{}", f.path.display(), f.contents))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Small batches, so the exported loops run several batches over the seed rows.
fn small_batches(plan: &Plan) -> Plan {
    let mut p = plan.clone();
    for s in &mut p.steps {
        if let Some(b) = &mut s.backfill {
            b.batch.size = 7;
        }
    }
    p
}

/// Migration names start with their phase (Liquibase: with the changeset's label).
fn is_contract(m: &tools::Migration) -> bool {
    m.name.starts_with(Phase::Contract.name())
}

#[test]
fn every_example_plan_exports_and_applies_like_bellows_run() {
    let cluster = common::cluster();
    let template = "export_template";
    common::fresh_db(
        &cluster,
        template,
        &[examples::SCHEMA, "tests/fixtures/small-seed.sql"],
    );
    let mut n = 0;
    let mut db = |tag: &str| -> String {
        n += 1;
        let name = format!("export_{tag}_{n}");
        cluster
            .psql(
                "postgres",
                &format!("CREATE DATABASE {name} TEMPLATE {template}"),
            )
            .expect("create database from template");
        cluster.url(&name)
    };
    let rt = common::rt();
    let mut failures: Vec<String> = Vec::new();
    let changes = examples::changes();
    assert!(changes.len() >= 20, "expected one example per recipe");
    for (stem, path) in &changes {
        let plan = examples::plan(path);
        let by_executor = db("exec");
        let (r, _) = rt.block_on(exec::run(&by_executor, &plan, &exec::quick()));
        if let Err(e) = r {
            failures.push(format!("{stem}: bellows run: {e}"));
            continue;
        }
        let expected = rt.block_on(exec::app_shape(&by_executor));
        let original = rt.block_on(exec::app_shape(&db("orig")));
        let exported_plan = small_batches(&plan);
        let irreversible_before_contract = plan
            .steps
            .iter()
            .any(|s| s.phase < Phase::Contract && s.rollback_sql.is_none());
        for tool in Tool::ALL {
            let what = format!("{stem} / {}", tool.name());
            let files = match export::export(&exported_plan, tool) {
                Ok(f) => f,
                Err(e) => {
                    failures.push(format!("{what}: export: {e}"));
                    continue;
                }
            };
            let again = export::export(&exported_plan, tool).map(|f| joined(&f));
            if again.as_deref().ok() != Some(joined(&files).as_str()) {
                failures.push(format!("{what}: a second export differs"));
            }
            let ms = tools::migrations(tool, &files);
            let steps = plan
                .steps
                .iter()
                .filter(|s| s.kind != StepKind::Gate)
                .count();
            if ms.len() < steps {
                failures.push(format!("{what}: {} migrations for {steps} steps", ms.len()));
                continue;
            }
            // All the way up.
            let up = db("up");
            if let Err(e) = rt.block_on(tools::up(&up, &ms)) {
                failures.push(format!("{what}: {e}"));
                continue;
            }
            let got = rt.block_on(exec::app_shape(&up));
            if got != expected {
                failures.push(format!(
                    "{what}: the schema differs from bellows run's:\n exported {}\n run      {}",
                    serde_json::to_string(&got.tables).unwrap_or_default(),
                    serde_json::to_string(&expected.tables).unwrap_or_default()
                ));
            }
            // Up to the contract phase, then down again.
            let before: Vec<tools::Migration> =
                ms.iter().take_while(|m| !is_contract(m)).cloned().collect();
            let back = db("back");
            if let Err(e) = rt.block_on(tools::up(&back, &before)) {
                failures.push(format!("{what}: up to contract: {e}"));
                continue;
            }
            let undone = rt.block_on(tools::down(&back, &before));
            if irreversible_before_contract {
                // An enum label cannot be removed: its down file must refuse loudly.
                match undone {
                    Err(e) if e.contains("cannot be undone") => {}
                    other => failures.push(format!(
                        "{what}: the down files of an irreversible step did not refuse: {other:?}"
                    )),
                }
                continue;
            }
            if let Err(e) = undone {
                failures.push(format!("{what}: {e}"));
                continue;
            }
            let restored = rt.block_on(exec::app_shape(&back));
            if restored != original {
                failures.push(format!(
                    "{what}: down files did not restore the schema:\n after  {}\n before {}",
                    serde_json::to_string(&restored.tables).unwrap_or_default(),
                    serde_json::to_string(&original.tables).unwrap_or_default()
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failure(s):\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

#[test]
fn the_down_file_of_a_contract_step_fails_on_purpose() {
    let plan = examples::plan("examples/changes/19-drop-column.sql");
    let files = export::export(&plan, Tool::Sqlx).expect("export");
    let irreversible: Vec<&File> = files
        .iter()
        .filter(|f| f.path.to_string_lossy().ends_with(".down.sql"))
        .filter(|f| {
            f.contents
                .contains("RAISE EXCEPTION 'bellows: step % cannot be undone")
        })
        .collect();
    assert!(
        !irreversible.is_empty(),
        "a dropped column's down file must refuse"
    );
}

#[test]
fn exported_files_match_their_snapshots() {
    let plan = examples::plan("examples/changes/01-rename-column.sql");
    for tool in Tool::ALL {
        let files = export::export(&plan, tool).expect("export");
        insta::assert_snapshot!(
            format!("export-01-rename-column-{}", tool.name()),
            joined(&files)
        );
    }
}

fn bellows(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_bellows"))
        .args(args)
        .env_remove("DATABASE_URL")
        .output()
        .expect("run bellows")
}

#[test]
fn the_command_writes_files_refuses_a_non_empty_dir_and_a_bad_plan() {
    let dir = std::env::temp_dir().join(format!("bellows-export-cli-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let out_dir = dir.join("migrations");
    let out = out_dir.to_string_lossy().to_string();
    let plan = "plans/16-create-index.toml";
    let first = bellows(&["export", plan, "--to", "sqlx", "--out", &out]);
    assert_eq!(first.status.code(), Some(0), "{first:?}");
    let said = String::from_utf8_lossy(&first.stdout);
    let written = std::fs::read_dir(&out_dir).expect("out dir").count();
    assert!(written >= 2, "expected up and down files, got {written}");
    assert!(
        said.contains(&format!("wrote {written} sqlx file(s)")) && said.contains(&out),
        "prints the count and the directory: {said}"
    );
    let p = bellows::plan::load_file(plan).expect("plan");
    let expected = export::export(&p, Tool::Sqlx).expect("export");
    for f in &expected {
        let on_disk = std::fs::read_to_string(out_dir.join(&f.path)).expect("written file");
        assert_eq!(on_disk, f.contents, "{}", f.path.display());
    }

    let again = bellows(&["export", plan, "--to", "sqlx", "--out", &out]);
    assert_eq!(again.status.code(), Some(2), "a non-empty dir is refused");
    assert!(String::from_utf8_lossy(&again.stderr).contains("--force"));
    let forced = bellows(&["export", plan, "--to", "sqlx", "--out", &out, "--force"]);
    assert_eq!(forced.status.code(), Some(0), "{forced:?}");

    let bad = dir.join("bad.toml");
    std::fs::write(&bad, "name = 3\n").expect("write bad plan");
    let bad_s = bad.to_string_lossy().to_string();
    let other = dir.join("other").to_string_lossy().to_string();
    let refused = bellows(&["export", &bad_s, "--to", "flyway", "--out", &other]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains(&bad_s));
    assert!(
        !dir.join("other").exists(),
        "nothing written for a bad plan"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
