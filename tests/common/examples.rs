//! The example change files and their plans: `examples/changes/` against the small example
//! schema, and `examples/production/` against the production-shaped dump.

#![allow(dead_code)]

use bellows::plan::Plan;
use bellows::planner::{self, Options};

/// Schema every example is written against.
pub const SCHEMA: &str = "examples/schema/small.sql";

/// The production-shaped dump `examples/production/` is written against.
pub const PRODUCTION_SCHEMA: &str = "examples/schema/production.sql";

/// What a fresh database needs before the production examples run: roles, schema, rows.
pub const PRODUCTION_FILES: &[&str] = &[
    "examples/schema/production-roles.sql",
    PRODUCTION_SCHEMA,
    "tests/fixtures/production-seed.sql",
];

/// (stem, path) of every example change, sorted.
pub fn changes() -> Vec<(String, String)> {
    changes_in("examples/changes")
}

/// (stem, path) of every production example change, sorted.
pub fn production_changes() -> Vec<(String, String)> {
    changes_in("examples/production")
}

fn changes_in(dir: &str) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = std::fs::read_dir(dir)
        .expect("examples directory")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "sql"))
        .map(|p| {
            (
                p.file_stem()
                    .map(|s| s.to_string_lossy().to_string())
                    .unwrap_or_default(),
                p.to_string_lossy().to_string(),
            )
        })
        .collect();
    v.sort();
    v
}

/// Plan one example (panics with the planner's message if it does not plan).
pub fn plan(path: &str) -> Plan {
    plan_against(SCHEMA, path)
}

/// Plan one example against `schema`.
pub fn plan_against(schema: &str, path: &str) -> Plan {
    let catalog = bellows::catalog::load_file(schema).expect("schema");
    let text = std::fs::read_to_string(path).expect("read example");
    planner::plan(path, &text, &catalog, &Options::default())
        .unwrap_or_else(|e| panic!("{path}: {e}"))
}
