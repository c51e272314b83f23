//! A rule explained: `bellows check --explain RULE` prints it, and the book's page for each
//! rule is exactly this text (a test keeps them equal).

use std::fmt::Write;

use super::check_output::{self, Summary};
use crate::catalog::Catalog;
use crate::lint::layout::{Layout, Unit, Wrap};
use crate::lint::rules::Rule;
use crate::lint::{Linter, Settings, planned};
use crate::safety::{DdlForm, claim};

/// The page for `rule`, in Markdown.
pub fn page(rule: Rule) -> String {
    let d = rule.doc();
    let mut out = String::new();
    let _ = writeln!(out, "# `{}`\n", d.id);
    let _ = writeln!(out, "{}.\n", d.title);
    let _ = writeln!(out, "Severity: **{}**.\n", d.severity.name());
    let _ = writeln!(out, "## Why\n\n{}\n", d.why);
    let forms: Vec<DdlForm> = DdlForm::ALL
        .iter()
        .copied()
        .filter(|f| fires_on_form(rule, *f))
        .collect();
    if !forms.is_empty() {
        let _ = writeln!(out, "## The lock (PostgreSQL 15)\n");
        let _ = writeln!(out, "| form | lock | blocks | held |\n|---|---|---|---|");
        for f in forms {
            let c = claim(f, 15);
            let _ = writeln!(
                out,
                "| {f:?} | {} | {} | {} |",
                c.mode.name(),
                c.mode.blocks(),
                c.duration.name()
            );
        }
        out.push('\n');
    }
    let _ = writeln!(out, "## Example\n");
    if !d.setup.is_empty() {
        let _ = writeln!(
            out,
            "Given an earlier migration:\n\n```sql\n{}\n```\n",
            d.setup
        );
    }
    let _ = writeln!(out, "this migration:\n\n```sql\n{}\n```\n", d.bad);
    let _ = writeln!(
        out,
        "gets from `bellows check`:\n\n```text\n{}```\n",
        lint_example(d.setup, d.bad)
    );
    let _ = writeln!(
        out,
        "## The safe way\n\n{}.\n",
        d.recipe.trim_end_matches('.')
    );
    let _ = writeln!(out, "```sql\n{}\n```\n", d.good);
    if planned(rule) {
        let _ = writeln!(
            out,
            "`bellows plan` on the statement above writes this recipe as a reviewable plan, and \
             `bellows run` carries it out step by step.\n"
        );
    }
    let _ = writeln!(
        out,
        "To accept a finding after review, put `-- bellows:ignore {}` on the line before the \
         statement, or disable the rule in `bellows.toml` (`[check] disable = [\"{}\"]`).",
        d.id, d.id
    );
    out
}

/// Does the rule fire on `form` alone (on an existing table, outside a transaction)? The
/// transaction rules never do: they need a transaction, an earlier lock or a parse error.
fn fires_on_form(rule: Rule, form: DdlForm) -> bool {
    let s = crate::lint::subject::Subject {
        form,
        table: None,
        action: String::new(),
        note: None,
    };
    rule.fires(&crate::lint::rules::Cx {
        subject: Some(&s),
        claim: claim(form, 15),
        existing: true,
        in_tx: false,
        own_tx: false,
        lock_timeout: true,
        earlier_blocking: None,
        unreadable: None,
    })
}

/// What `bellows check` prints for `bad` after `setup`, without colour.
pub fn lint_example(setup: &str, bad: &str) -> String {
    let unit = |path: &str, text: &str| Unit {
        path: path.into(),
        layout: Layout::Plain,
        label: "file".into(),
        wrap: Wrap::None,
        text: text.into(),
    };
    let mut l = Linter::new(Catalog::default(), Settings::default());
    let mut sum = Summary {
        files: 1,
        ..Summary::default()
    };
    if !setup.is_empty() && l.lint_unit(&unit("setup.sql", setup)).is_err() {
        return "(the setup does not parse)\n".into();
    }
    match l.lint_unit(&unit("migration.sql", bad)) {
        Ok((findings, n)) => {
            sum.statements = n;
            sum.count(&findings);
            check_output::text(&findings, &sum, false)
        }
        Err(e) => format!("{e}\n"),
    }
}
