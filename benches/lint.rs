//! Linter benchmark (prints numbers; not a test): `bellows check` over a generated corpus of
//! migration folders in four tools' layouts. Run: `cargo bench --bench lint`
//! (BELLOWS_BENCH_FILES sets the corpus size, default 600).

use std::fmt::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

/// One migration's statements: table `n` is created, then changed by later migrations.
fn migration(i: usize) -> String {
    let t = i / 4;
    let mut s = String::new();
    match i % 4 {
        0 => {
            let _ = writeln!(
                s,
                "CREATE TABLE t{t} (\n    id bigint PRIMARY KEY,\n    email varchar(100),\n    qty integer,\n    note text\n);\nCREATE INDEX t{t}_email_idx ON t{t} (email);\nCOMMENT ON TABLE t{t} IS 'table {t}';"
            );
        }
        1 => {
            let _ = writeln!(
                s,
                "SET lock_timeout = '2s';\nALTER TABLE t{t} ADD COLUMN created_at timestamptz DEFAULT now();\nALTER TABLE t{t} ALTER COLUMN email TYPE varchar(200);\nALTER TABLE t{t} ADD CONSTRAINT t{t}_qty_pos CHECK (qty > 0) NOT VALID;\nALTER TABLE t{t} VALIDATE CONSTRAINT t{t}_qty_pos;\nINSERT INTO t{t} (id, email) VALUES (1, 'a@example.com');"
            );
        }
        2 => {
            let _ = writeln!(
                s,
                "CREATE INDEX t{t}_qty_idx ON t{t} (qty);\nALTER TABLE t{t} ALTER COLUMN qty TYPE bigint;\nALTER TABLE t{t} ALTER COLUMN note SET NOT NULL;\nUPDATE t{t} SET note = '' WHERE note IS NULL;"
            );
        }
        _ => {
            let _ = writeln!(
                s,
                "ALTER TABLE t{t} RENAME COLUMN note TO remark;\nALTER TABLE t{t} ADD COLUMN token uuid DEFAULT gen_random_uuid();\nCREATE OR REPLACE VIEW t{t}_view AS SELECT id, email FROM t{t};\nDROP INDEX t{t}_email_idx;"
            );
        }
    }
    s
}

/// Write `n` migrations spread over Flyway, golang-migrate, sqlx and dbmate folders.
fn corpus(dir: &Path, n: usize) -> (usize, usize) {
    let (mut files, mut lines) = (0, 0);
    for tool in ["flyway", "golang-migrate", "sqlx", "dbmate"] {
        std::fs::create_dir_all(dir.join(tool)).expect("mkdir");
    }
    for i in 0..n {
        let body = migration(i);
        let (path, text) = match i % 4 {
            0 => (format!("flyway/V{}__m{i}.sql", i + 1), body),
            1 => (format!("golang-migrate/{:06}_m{i}.up.sql", i + 1), body),
            2 => (
                format!("sqlx/{:014}_m{i}.sql", 20240101000000u64 + i as u64),
                body,
            ),
            _ => (
                format!("dbmate/{:014}_m{i}.sql", 20240101000000u64 + i as u64),
                format!("-- migrate:up\n{body}\n-- migrate:down\nSELECT 1;\n"),
            ),
        };
        lines += text.lines().count();
        std::fs::write(dir.join(path), text).expect("write");
        files += 1;
    }
    (files, lines)
}

fn main() {
    let n: usize = std::env::var("BELLOWS_BENCH_FILES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(600);
    let dir = std::env::temp_dir().join(format!("bellows-lint-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let (files, lines) = corpus(&dir, n);
    let exe = env!("CARGO_BIN_EXE_bellows");
    let mut times = Vec::new();
    let mut findings = 0;
    for _ in 0..5 {
        let t = Instant::now();
        let out = Command::new(exe)
            .args(["check", "--format", "json", "--fail-on", "never"])
            .args(["flyway", "golang-migrate", "sqlx", "dbmate"].map(|d| dir.join(d)))
            .stderr(Stdio::inherit())
            .output()
            .expect("run bellows check");
        times.push(t.elapsed().as_secs_f64());
        assert!(out.status.success(), "bellows check failed");
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        findings = v["findings"].as_array().map(Vec::len).unwrap_or(0);
    }
    times.sort_by(|a, b| a.total_cmp(b));
    let median = times[times.len() / 2];
    println!("lint benchmark: {files} migration files ({lines} lines) in four tools' layouts");
    println!(
        "  bellows check (release, whole process, median of 5): {:.3} s = {:.0} files/s, {findings} findings",
        median,
        files as f64 / median
    );
    let _ = std::fs::remove_dir_all(&dir);
}
