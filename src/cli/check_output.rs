//! `bellows check` output: text for people (coloured unless NO_COLOR), JSON for scripts,
//! SARIF for code-scanning dashboards, GitHub workflow commands for pull-request annotations.

use std::fmt::Write;

use crate::lint::rules::Rule;
use crate::lint::{Finding, Severity};
use crate::plan::escape;

/// Counts for the summary line.
#[derive(Debug, Default, serde::Serialize)]
pub struct Summary {
    /// Files read.
    pub files: usize,
    /// Statements read.
    pub statements: usize,
    /// Findings by severity.
    pub errors: usize,
    /// Warnings.
    pub warnings: usize,
    /// Notes.
    pub notes: usize,
}

impl Summary {
    /// Count `findings`.
    pub fn count(&mut self, findings: &[Finding]) {
        for f in findings {
            match f.severity {
                Severity::Error => self.errors += 1,
                Severity::Warning => self.warnings += 1,
                Severity::Note => self.notes += 1,
            }
        }
    }
}

fn plural(n: usize, one: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {one}s")
    }
}

/// Text, as a compiler prints diagnostics.
pub fn text(findings: &[Finding], sum: &Summary, color: bool) -> String {
    let paint = |code: &str, s: &str| {
        if color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    };
    let mut out = String::new();
    for f in findings {
        let sev = match f.severity {
            Severity::Error => paint("1;31", "error"),
            Severity::Warning => paint("1;33", "warning"),
            Severity::Note => paint("1;36", "note"),
        };
        let unit = match f.unit.as_str() {
            "file" | "up" => String::new(),
            u => format!(" ({u})"),
        };
        let _ = writeln!(
            out,
            "{}:{}:{}{unit}: {sev}[{}] {}",
            escape::line(&f.path),
            f.line,
            f.col,
            f.rule,
            escape::line(&f.message)
        );
        let width = (f.line as usize + 3).to_string().len();
        for (i, l) in f.statement.lines().take(4).enumerate() {
            let l = escape::line(l);
            let _ = writeln!(out, "  {:>width$} | {l}", f.line as usize + i);
        }
        if f.statement.lines().count() > 4 {
            let _ = writeln!(out, "  {:>width$} | ...", "");
        }
        if let Some(lock) = f.lock {
            let _ = writeln!(
                out,
                "  {:>width$} = lock: {lock}, blocks {}, duration: {}",
                "", f.blocks, f.duration
            );
        }
        let _ = writeln!(
            out,
            "  {:>width$} = {} {}",
            "",
            paint("1", "safe:"),
            f.recipe
        );
        if f.planned {
            let _ = writeln!(
                out,
                "  {:>width$} = `bellows plan` on this statement writes that recipe as a reviewable plan",
                ""
            );
        }
        let _ = writeln!(
            out,
            "  {:>width$} = to accept it, put `-- bellows:ignore {}` on the line before",
            "", f.rule
        );
        out.push('\n');
    }
    let total = sum.errors + sum.warnings + sum.notes;
    let _ = writeln!(
        out,
        "{} checked, {}: {}, {}, {}",
        plural(sum.files, "file"),
        plural(sum.statements, "statement"),
        plural(sum.errors, "error"),
        plural(sum.warnings, "warning"),
        plural(sum.notes, "note"),
    );
    if total == 0 {
        let _ = writeln!(out, "{}", paint("32", "no problems found"));
    }
    out
}

/// One JSON document.
pub fn json(findings: &[Finding], sum: &Summary) -> String {
    let v = serde_json::json!({ "summary": sum, "findings": findings });
    serde_json::to_string_pretty(&v).unwrap_or_default() + "\n"
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

/// SARIF 2.1.0.
pub fn sarif(findings: &[Finding]) -> String {
    let rules: Vec<_> = Rule::ALL
        .iter()
        .map(|r| {
            let d = r.doc();
            serde_json::json!({
                "id": d.id,
                "shortDescription": { "text": d.title },
                "fullDescription": { "text": d.why },
                "help": { "text": format!("Safe: {}", d.recipe) },
                "defaultConfiguration": { "level": level(d.severity) },
            })
        })
        .collect();
    let results: Vec<_> = findings
        .iter()
        .map(|f| {
            let index = Rule::ALL.iter().position(|r| r.id() == f.rule).unwrap_or(0);
            serde_json::json!({
                "ruleId": f.rule,
                "ruleIndex": index,
                "level": level(f.severity),
                "message": { "text": format!("{} Safe: {}", f.message, f.recipe) },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": f.path.replace('\\', "/") },
                        "region": { "startLine": f.line, "startColumn": f.col },
                    }
                }],
            })
        })
        .collect();
    let v = serde_json::json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "bellows",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "results": results,
        }],
    });
    serde_json::to_string_pretty(&v).unwrap_or_default() + "\n"
}

/// GitHub Actions workflow commands: `::error file=...,line=...::message`.
pub fn github(findings: &[Finding]) -> String {
    let data = |s: &str| {
        s.replace('%', "%25")
            .replace('\r', "%0D")
            .replace('\n', "%0A")
    };
    let prop = |s: &str| {
        data(&escape::line(s))
            .replace(':', "%3A")
            .replace(',', "%2C")
    };
    let mut out = String::new();
    for f in findings {
        let cmd = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "notice",
        };
        let _ = writeln!(
            out,
            "::{cmd} file={},line={},col={},title={}::{}",
            prop(&f.path),
            f.line,
            f.col,
            prop(&format!("bellows {}", f.rule)),
            data(&escape::block(&format!(
                "{}\nSafe: {}",
                f.message, f.recipe
            )))
        );
    }
    out
}
