//! Issue 10 without a database: control characters in file names and identifiers never
//! reach the terminal or a review document raw (review spoofing), and timeouts of 0 are
//! refused alike.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bellows(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bellows"))
        .args(args)
        .current_dir(dir)
        .env_remove("DATABASE_URL")
        .output()
        .expect("run bellows")
}

struct Workdir(PathBuf);

impl Drop for Workdir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn workdir(name: &str) -> Workdir {
    let d = std::env::temp_dir().join(format!("bellows-trust-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("temp dir");
    std::fs::copy("examples/schema/small.sql", d.join("schema.sql")).expect("schema");
    Workdir(d)
}

fn all(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Raw characters that rewrite a terminal line or hide text in a review.
fn has_raw_controls(text: &str) -> bool {
    text.chars().any(|c| {
        (c.is_control() && c != '\n' && c != '\t')
            || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
    })
}

const ESC_NAME: &str = "x\u{1b}[2K\u{1b}[1Gapproved\u{202e}.sql";

#[test]
fn a_change_file_named_with_control_characters_is_refused() {
    let d = workdir("name");
    std::fs::write(
        d.0.join(ESC_NAME),
        "ALTER TABLE users ADD COLUMN nickname text;\n",
    )
    .expect("write change");
    let out = bellows(
        &d.0,
        &[
            "plan",
            ESC_NAME,
            "--schema",
            "schema.sql",
            "--out",
            "p.toml",
        ],
    );
    let text = all(&out);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(text.contains("control characters"), "{text}");
    assert!(!has_raw_controls(&text), "raw controls in: {text:?}");
    assert!(!d.0.join("p.toml").exists(), "no plan is written");
}

#[test]
fn identifiers_with_control_characters_are_escaped_in_every_rendering() {
    let d = workdir("ident");
    std::fs::write(
        d.0.join("change.sql"),
        "ALTER TABLE users ADD COLUMN \"nick\u{1b}[31mname\u{202e}\" text;\n",
    )
    .expect("write change");
    let out = bellows(
        &d.0,
        &[
            "plan",
            "change.sql",
            "--schema",
            "schema.sql",
            "--out",
            "p.toml",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", all(&out));
    assert!(!has_raw_controls(&all(&out)), "{:?}", all(&out));
    for format in ["markdown", "mermaid", "dot", "json"] {
        let out = bellows(&d.0, &["explain", "p.toml", "--format", format]);
        let text = all(&out);
        assert_eq!(out.status.code(), Some(0), "{format}: {text}");
        assert!(!has_raw_controls(&text), "{format}: {text:?}");
        assert!(
            text.contains("\\u{1b}") || text.contains("\\u001b"),
            "{format}: the character is shown escaped: {text}"
        );
    }
}

#[test]
fn check_never_prints_a_control_character_from_a_file_name_or_statement() {
    let d = workdir("check");
    std::fs::write(
        d.0.join(ESC_NAME),
        "ALTER TABLE \"t\u{1b}[2J\" ALTER COLUMN a SET NOT NULL;\n",
    )
    .expect("write migration");
    for format in ["text", "github"] {
        let out = bellows(&d.0, &["check", ESC_NAME, "--format", format]);
        let text = all(&out);
        assert!(
            out.status.code() == Some(1) || out.status.code() == Some(0),
            "{format}: {text}"
        );
        assert!(!text.is_empty());
        assert!(!has_raw_controls(&text), "{format}: {text:?}");
    }
}

#[test]
fn a_zero_statement_timeout_is_refused_like_a_zero_lock_timeout() {
    let d = workdir("zero");
    let plan = std::fs::canonicalize("plans/05-add-column-nullable.toml").expect("plan");
    let plan = plan.to_string_lossy().to_string();
    for flag in ["--lock-timeout", "--statement-timeout"] {
        for value in ["0s", "0", "500us"] {
            let out = bellows(
                &d.0,
                &[
                    "run",
                    &plan,
                    "--headless",
                    flag,
                    value,
                    "--database-url",
                    "postgres://nobody@127.0.0.1:1/none",
                ],
            );
            let text = all(&out);
            assert_eq!(out.status.code(), Some(2), "{flag} {value}: {text}");
            assert!(
                text.contains(&format!("{flag} 0 means no limit")),
                "{flag} {value}: {text}"
            );
        }
    }
}
