//! `rename-table`: RENAME TO (table) while running code uses the old name.

use super::{Cx, Doc, Severity};
use crate::safety::DdlForm;

/// What the rule is about, for messages, `--explain` and the book.
pub(super) const DOC: Doc = Doc {
    id: "rename-table",
    severity: Severity::Error,
    title: "RENAME TO (table) while running code uses the old name",
    why: "The rename is instant, but every query that still names the old table fails from that moment.",
    recipe: "rename, and leave an updatable view under the old name until every application instance uses the new one (`bellows plan` writes this)",
    setup: "CREATE TABLE accounts (id bigint PRIMARY KEY, email text);",
    bad: "ALTER TABLE accounts RENAME TO users;",
    good: "-- see `bellows plan`: rename plus a compatibility view with the old name, dropped after the deploy",
};

/// Fires on `RenameTable` on a table that existed before this migration.
pub(super) fn fires(cx: &Cx) -> bool {
    cx.existing
        && cx
            .subject
            .is_some_and(|s| matches!(s.form, DdlForm::RenameTable))
}
