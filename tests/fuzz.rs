//! A bounded fuzz run: the example change files, schemas, migrations and plans, mutated
//! (bytes cut, ranges repeated, tokens and control characters inserted, files spliced),
//! go through every reader bellows has — the SQL reader (strict and lenient), the schema
//! loader, the planner, the linter with each layout, and the plan loader. None may panic;
//! every refusal must be an error value. The seed is fixed so a failure reproduces; proptest
//! shrinks it to a small input. `BELLOWS_FUZZ_CASES` runs more cases (default 1,500).

use std::panic::{AssertUnwindSafe, catch_unwind};

use bellows::catalog::Catalog;
use bellows::lint::layout::{self, Layout};
use bellows::lint::{Linter, Settings};
use bellows::planner::{self, Options};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

/// Pieces that stress a SQL reader: quoting, comments, dollar quotes, directives, nesting,
/// long names, control characters, multi-byte text.
const PIECES: &[&str] = &[
    "'",
    "\"",
    "$$",
    "$bellows$",
    "$x$",
    "--",
    "/*",
    "*/",
    "(",
    ")",
    "((",
    "))",
    ";",
    ",",
    " OR ",
    " AND ",
    "||",
    "::",
    "::int",
    "[",
    "]",
    "\n",
    "\r\n",
    "\t",
    "\0",
    "\u{7}",
    "\u{1b}[2J",
    "é",
    "名",
    "🦀",
    "\u{202e}",
    "-- bellows:fill ",
    "-- bellows:down ",
    "-- bellows:ignore ",
    "-- bellows:frobnicate",
    "-- migrate:up",
    "-- migrate:down",
    "-- +goose Up",
    "--changeset a:1",
    "BEGIN;",
    "COMMIT;",
    "ALTER TABLE ",
    "ADD COLUMN ",
    "DROP ",
    "CASCADE",
    "CONCURRENTLY",
    "NOT NULL",
    "DEFAULT ",
    "CHECK (",
    "REFERENCES ",
    "USING ",
    "GENERATED ALWAYS AS (",
    ") STORED",
    "IDENTITY",
    "PRIMARY KEY",
    "UNIQUE",
    "RENAME COLUMN ",
    " TO ",
    "TYPE ",
    "CREATE INDEX ",
    "ON ",
    "LOCK TABLE ",
    "SET UNLOGGED",
    "VACUUM FULL ",
    "TRUNCATE ",
    "users",
    "public.",
    "\"Mixed Case\"",
    "a_very_long_identifier_that_goes_on_and_on_well_past_sixty_three_bytes_of_postgres",
];

/// The real inputs the mutations start from.
fn corpus() -> Vec<(String, String)> {
    let mut files = Vec::new();
    for dir in ["examples/changes", "examples/schema", "plans"] {
        collect(std::path::Path::new(dir), &mut files);
    }
    collect(std::path::Path::new("examples/migrations"), &mut files);
    files
        .into_iter()
        .filter(|(p, t)| t.len() < 200_000 || p.ends_with("small.sql"))
        .collect()
}

fn collect(dir: &std::path::Path, out: &mut Vec<(String, String)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            collect(&p, out);
        } else if let Ok(t) = std::fs::read_to_string(&p) {
            out.push((p.display().to_string(), t));
        }
    }
}

/// One mutation of a text.
#[derive(Debug, Clone)]
enum Mutation {
    Cut {
        at: usize,
        len: usize,
    },
    Repeat {
        at: usize,
        len: usize,
        times: usize,
    },
    Insert {
        at: usize,
        piece: usize,
    },
    Splice {
        at: usize,
        other: usize,
        from: usize,
    },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 0usize..200).prop_map(|(at, len)| Mutation::Cut { at, len }),
        (any::<usize>(), 1usize..80, 1usize..40).prop_map(|(at, len, times)| Mutation::Repeat {
            at,
            len,
            times
        }),
        (any::<usize>(), 0..PIECES.len()).prop_map(|(at, piece)| Mutation::Insert { at, piece }),
        (any::<usize>(), any::<usize>(), any::<usize>())
            .prop_map(|(at, other, from)| Mutation::Splice { at, other, from }),
    ]
}

/// The nearest character boundary at or before `i` (mod the length).
fn boundary(s: &str, i: usize) -> usize {
    if s.is_empty() {
        return 0;
    }
    let mut i = i % (s.len() + 1);
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn apply(text: &str, m: &Mutation, corpus: &[(String, String)]) -> String {
    match *m {
        Mutation::Cut { at, len } => {
            let a = boundary(text, at);
            let b = boundary(text, a + len.min(text.len() - a));
            format!("{}{}", &text[..a], &text[b.max(a)..])
        }
        Mutation::Repeat { at, len, times } => {
            let a = boundary(text, at);
            let b = boundary(text, a + len.min(text.len() - a)).max(a);
            format!("{}{}{}", &text[..a], text[a..b].repeat(times), &text[a..])
        }
        Mutation::Insert { at, piece } => {
            let a = boundary(text, at);
            format!("{}{}{}", &text[..a], PIECES[piece], &text[a..])
        }
        Mutation::Splice { at, other, from } => {
            let o = &corpus[other % corpus.len()].1;
            let a = boundary(text, at);
            let f = boundary(o, from);
            format!("{}{}", &text[..a], &o[f..])
        }
    }
}

/// Every reader on one input; a panic anywhere is the failure.
fn every_reader(path: &str, text: &str, small: &Catalog) -> Result<(), String> {
    let run = || {
        let _ = bellows::sql::parse_file(path, text, false);
        let _ = bellows::sql::parse_file(path, text, true);
        let _ = bellows::catalog::load_str(path, text);
        let _ = planner::plan(path, text, small, &Options::default());
        let _ = planner::plan(
            path,
            text,
            small,
            &Options {
                allow_blocking: true,
                pg_version: 11,
                ..Options::default()
            },
        );
        for l in [
            Layout::detect(path, text),
            Layout::Flyway,
            Layout::Dbmate,
            Layout::Liquibase,
        ] {
            let mut linter = Linter::new(small.clone(), Settings::default());
            for unit in layout::units(path, text, l, None) {
                let _ = linter.lint_unit(&unit);
                let _ = linter.lint_detached(&unit);
            }
        }
        if let Ok(plan) = bellows::plan::parse("fuzzed.toml", text) {
            let _ = bellows::plan::render::markdown::render(&plan);
        }
    };
    catch_unwind(AssertUnwindSafe(run)).map_err(|e| {
        e.downcast_ref::<String>()
            .cloned()
            .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "panic".into())
    })
}

#[test]
fn mutated_real_inputs_never_panic_any_reader() {
    let cases: u32 = std::env::var("BELLOWS_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1500);
    // Deep (but bounded) expressions recurse in sqlparser's printer; run with the stack the
    // binary gives its work.
    let worker = std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(move || {
            let small = bellows::catalog::load_file("examples/schema/small.sql").expect("schema");
            let corpus = corpus();
            assert!(
                corpus.len() > 50,
                "the corpus is the repository's examples and plans"
            );
            let mut runner = TestRunner::new_with_rng(
                Config {
                    cases,
                    failure_persistence: None,
                    ..Config::default()
                },
                TestRng::deterministic_rng(RngAlgorithm::ChaCha),
            );
            let strategy = (0..corpus.len(), prop::collection::vec(mutation(), 1..6));
            let result = runner.run(&strategy, |(file, mutations)| {
                let (path, original) = &corpus[file];
                let mut text = original.clone();
                for m in &mutations {
                    text = apply(&text, m, &corpus);
                }
                every_reader(path, &text, &small).map_err(|e| {
                    TestCaseError::fail(format!("{path} mutated by {mutations:?} panicked: {e}"))
                })
            });
            if let Err(e) = result {
                panic!("{e}");
            }
        })
        .expect("fuzz thread");
    worker
        .join()
        .expect("the fuzz run found a panic (see above)");
}
