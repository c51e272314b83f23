//! `alter-type-rewrite`: ALTER COLUMN TYPE that rewrites the table.

use super::{Cx, Doc, Severity};
use crate::safety::DdlForm;

/// What the rule is about, for messages, `--explain` and the book.
pub(super) const DOC: Doc = Doc {
    id: "alter-type-rewrite",
    severity: Severity::Error,
    title: "ALTER COLUMN TYPE that rewrites the table",
    why: "Changing a column to a type that is not binary-coercible converts every row and rebuilds every index of the table under ACCESS EXCLUSIVE: nothing can read or write the table until it is done.",
    recipe: "a shadow column of the new type kept in sync by a trigger, a batched backfill, then a swap (`bellows plan` writes exactly this); changes that are binary-coercible (varchar(n) to a larger n or to text, numeric precision increases, ...) are safe as they are",
    setup: "CREATE TABLE orders (id bigint PRIMARY KEY, quantity integer);",
    bad: "ALTER TABLE orders ALTER COLUMN quantity TYPE bigint;",
    good: "ALTER TABLE orders ADD COLUMN quantity_new bigint;
-- then sync trigger, batched backfill, swap: see `bellows plan`",
};

/// Fires on `AlterTypeRewrite` on a table that existed before this migration.
pub(super) fn fires(cx: &Cx) -> bool {
    cx.existing
        && cx
            .subject
            .is_some_and(|s| matches!(s.form, DdlForm::AlterTypeRewrite))
}
