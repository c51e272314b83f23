//! `add-column-generated-stored`: ADD COLUMN ... GENERATED ALWAYS AS (...) STORED on an existing table.

use super::{Cx, Doc, Severity};
use crate::safety::DdlForm;

/// What the rule is about, for messages, `--explain` and the book.
pub(super) const DOC: Doc = Doc {
    id: "add-column-generated-stored",
    severity: Severity::Error,
    title: "ADD COLUMN ... GENERATED ALWAYS AS (...) STORED on an existing table",
    why: "A stored generated column is computed and written for every row: the table is rewritten under ACCESS EXCLUSIVE.",
    recipe: "add a plain column, fill it with a trigger for new writes and a batched backfill for old rows",
    setup: "CREATE TABLE orders (id bigint PRIMARY KEY, net numeric, tax numeric);",
    bad: "ALTER TABLE orders ADD COLUMN gross numeric GENERATED ALWAYS AS (net + tax) STORED;",
    good: "ALTER TABLE orders ADD COLUMN gross numeric;
-- then a trigger that sets gross = net + tax, and a batched backfill: see `bellows plan`",
};

/// Fires on `AddColumnGeneratedStored` on a table that existed before this migration.
pub(super) fn fires(cx: &Cx) -> bool {
    cx.existing
        && cx
            .subject
            .is_some_and(|s| matches!(s.form, DdlForm::AddColumnGeneratedStored))
}
