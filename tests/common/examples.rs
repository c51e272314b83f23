//! The example change files and their plans against the small example schema.

#![allow(dead_code)]

use bellows::plan::Plan;
use bellows::planner::{self, Options};

/// Schema every example is written against.
pub const SCHEMA: &str = "examples/schema/small.sql";

/// (stem, path) of every example change, sorted.
pub fn changes() -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = std::fs::read_dir("examples/changes")
        .expect("examples/changes")
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
    let catalog = bellows::catalog::load_file(SCHEMA).expect("schema");
    let text = std::fs::read_to_string(path).expect("read example");
    planner::plan(path, &text, &catalog, &Options::default())
        .unwrap_or_else(|e| panic!("{path}: {e}"))
}
