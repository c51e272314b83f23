//! Test support for recipes and step fragments: plan a change's statements one by one
//! against a small schema and render the last statement's drafts as text, compact enough
//! for an inline snapshot.

use std::fmt::Write;

use super::Options;
use super::{Ctx, Drafts, Rollback};
use crate::catalog::Evolving;
use crate::sql::SqlError;

/// Plan every statement of `change` against `schema` (SQL) with `recipe`, advancing the
/// schema after each; the last statement's drafts, rendered (or its refusal).
pub fn plan(
    schema: &str,
    change: &str,
    recipe: impl Fn(&Ctx) -> Result<Drafts, SqlError>,
) -> String {
    let cat = crate::catalog::load_str("schema.sql", schema).expect("the test schema loads");
    let mut evolving = Evolving::new(cat);
    let opts = Options::default();
    let statements =
        crate::sql::parse_file("change.sql", change, false).expect("the change parses");
    let mut rendered = String::new();
    for (i, st) in statements.iter().enumerate() {
        let ctx = Ctx::new("change.sql", &evolving, &opts, st);
        rendered = match recipe(&ctx) {
            Ok(out) => render(&out),
            Err(e) => format!(
                "refused: {}\nhint: {}\n",
                e.message(),
                e.hint().unwrap_or("-")
            ),
        };
        // The last statement may be a refusal the schema could not take either.
        if i + 1 < statements.len() {
            evolving
                .advance("change.sql", st.loc, &st.ddl)
                .expect("the change fits the schema");
        }
    }
    rendered
}

/// The drafts as text: one block per draft (index, slug, phase, kind, lock form, summary,
/// SQL, undo, tables, order), then the warnings.
pub fn render(out: &Drafts) -> String {
    let mut s = String::new();
    for (i, d) in out.drafts.iter().enumerate() {
        let _ = writeln!(
            s,
            "{i} {} [{} {} {:?}] {}",
            d.slug,
            d.phase.name(),
            d.kind.name(),
            d.form,
            d.summary
        );
        for q in &d.sql {
            let _ = writeln!(s, "  do: {}", q.replace('\n', "\n      "));
        }
        match &d.rollback {
            Rollback::Sql(undo) => {
                for q in undo {
                    let _ = writeln!(s, "  undo: {}", q.replace('\n', "\n        "));
                }
            }
            Rollback::Nothing => {}
            Rollback::Irreversible(why) => {
                let _ = writeln!(s, "  irreversible: {why}");
            }
        }
        let on: Vec<String> = d.tables.iter().map(|t| t.display()).collect();
        if !on.is_empty() {
            let _ = writeln!(s, "  on: {}", on.join(", "));
        }
        if !d.after.is_empty() {
            let after: Vec<String> = d.after.iter().map(|a| a.to_string()).collect();
            let _ = writeln!(s, "  after: {}", after.join(", "));
        }
    }
    for w in &out.warnings {
        let _ = writeln!(s, "warning: {w}");
    }
    s
}
