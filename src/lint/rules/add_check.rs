//! `add-check`: ADD CHECK that validates existing rows at once.

use super::{Cx, Doc, Severity};
use crate::safety::DdlForm;

/// What the rule is about, for messages, `--explain` and the book.
pub(super) const DOC: Doc = Doc {
    id: "add-check",
    severity: Severity::Error,
    title: "ADD CHECK that validates existing rows at once",
    why: "A validated CHECK is checked against every row while ACCESS EXCLUSIVE is held: reads and writes wait for the whole scan.",
    recipe: "`ADD CONSTRAINT ... CHECK (...) NOT VALID`, then `VALIDATE CONSTRAINT` in a later migration",
    setup: "CREATE TABLE orders (id bigint PRIMARY KEY, total numeric);",
    bad: "ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total > 0);",
    good: "ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total > 0) NOT VALID;
ALTER TABLE orders VALIDATE CONSTRAINT orders_total_positive;",
};

/// Fires on `AddCheck` on a table that existed before this migration.
pub(super) fn fires(cx: &Cx) -> bool {
    cx.existing
        && cx
            .subject
            .is_some_and(|s| matches!(s.form, DdlForm::AddCheck))
}
