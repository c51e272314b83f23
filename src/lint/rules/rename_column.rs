//! `rename-column`: RENAME COLUMN while running code uses the old name.

use super::{Cx, Doc, Severity};
use crate::safety::DdlForm;

/// What the rule is about, for messages, `--explain` and the book.
pub(super) const DOC: Doc = Doc {
    id: "rename-column",
    severity: Severity::Error,
    title: "RENAME COLUMN while running code uses the old name",
    why: "The rename itself is instant, but every running application instance that still says the old name starts failing the moment it commits.",
    recipe: "expand/contract: add the new column, keep both in sync with a trigger, backfill, move the application, then drop the old column (`bellows plan` writes this), or a view that offers both names",
    setup: "CREATE TABLE accounts (id bigint PRIMARY KEY, email text);",
    bad: "ALTER TABLE accounts RENAME COLUMN email TO email_address;",
    good: "ALTER TABLE accounts ADD COLUMN email_address text;
-- then sync trigger, backfill, deploy, drop: see `bellows plan`",
};

/// Fires on `RenameColumn` on a table that existed before this migration.
pub(super) fn fires(cx: &Cx) -> bool {
    cx.existing
        && cx
            .subject
            .is_some_and(|s| matches!(s.form, DdlForm::RenameColumn))
}
