//! `add-column-not-null-no-default`: ADD COLUMN ... NOT NULL without a default.

use super::{Cx, Doc, Severity};
use crate::safety::DdlForm;

/// What the rule is about, for messages, `--explain` and the book.
pub(super) const DOC: Doc = Doc {
    id: "add-column-not-null-no-default",
    severity: Severity::Error,
    title: "ADD COLUMN ... NOT NULL without a default",
    why: "On a table with rows it fails outright (existing rows would be NULL); a migration that passed on an empty development table breaks in production.",
    recipe: "add the column nullable (or with a constant default), backfill, then SET NOT NULL the proven way (`bellows plan` with `-- bellows:fill <value>` writes this)",
    setup: "CREATE TABLE accounts (id bigint PRIMARY KEY);",
    bad: "ALTER TABLE accounts ADD COLUMN plan text NOT NULL;",
    good: "ALTER TABLE accounts ADD COLUMN plan text NOT NULL DEFAULT 'free';",
};

/// Fires on `AddColumnNotNullNoDefault` on a table that existed before this migration.
pub(super) fn fires(cx: &Cx) -> bool {
    cx.existing
        && cx
            .subject
            .is_some_and(|s| matches!(s.form, DdlForm::AddColumnNotNullNoDefault))
}
