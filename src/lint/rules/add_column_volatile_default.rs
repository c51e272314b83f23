//! `add-column-volatile-default`: ADD COLUMN with a default that rewrites the table (a volatile default; any default before PostgreSQL 11).

use super::{Cx, Doc, Severity};
use crate::safety::{DdlForm, Duration};

/// What the rule is about, for messages, `--explain` and the book.
pub(super) const DOC: Doc = Doc {
    id: "add-column-volatile-default",
    severity: Severity::Error,
    title: "ADD COLUMN with a default that rewrites the table (a volatile default; any default before PostgreSQL 11)",
    why: "A volatile default is computed for every existing row, so the table is rewritten under ACCESS EXCLUSIVE. (Since PostgreSQL 11 a constant default is stored in the catalog and costs nothing.)",
    recipe: "add the column without a default (or with a constant one), set the default for new rows, and backfill existing rows in batches",
    setup: "CREATE TABLE accounts (id bigint PRIMARY KEY);",
    bad: "ALTER TABLE accounts ADD COLUMN token uuid DEFAULT gen_random_uuid();",
    good: "ALTER TABLE accounts ADD COLUMN token uuid;
ALTER TABLE accounts ALTER COLUMN token SET DEFAULT gen_random_uuid();
-- then backfill existing rows in batches: see `bellows plan`",
};

/// Fires on `AddColumnVolatileDefault`, `AddColumnConstantDefault` on a table that existed before this migration.
/// A constant default counts only where it rewrites (before PostgreSQL 11).
pub(super) fn fires(cx: &Cx) -> bool {
    cx.existing
        && cx.subject.is_some_and(|s| {
            matches!(
                s.form,
                DdlForm::AddColumnVolatileDefault | DdlForm::AddColumnConstantDefault
            )
        })
        && cx.claim.duration == Duration::Rewrite
}
