//! `set-not-null`: SET NOT NULL without a validated CHECK (col IS NOT NULL) that proves it.

use super::{Cx, Doc, Severity};
use crate::safety::DdlForm;

/// What the rule is about, for messages, `--explain` and the book.
pub(super) const DOC: Doc = Doc {
    id: "set-not-null",
    severity: Severity::Error,
    title: "SET NOT NULL without a validated CHECK (col IS NOT NULL) that proves it",
    why: "SET NOT NULL reads every row to prove there is no NULL while it holds ACCESS EXCLUSIVE: reads and writes wait for the whole scan, unless a validated CHECK (col IS NOT NULL) already proves it.",
    recipe: "`ADD CONSTRAINT c CHECK (col IS NOT NULL) NOT VALID`, `VALIDATE CONSTRAINT c`, then `SET NOT NULL` (PostgreSQL 12+ skips the scan) and drop the check",
    setup: "CREATE TABLE accounts (id bigint PRIMARY KEY, email text);",
    bad: "ALTER TABLE accounts ALTER COLUMN email SET NOT NULL;",
    good: "ALTER TABLE accounts ADD CONSTRAINT accounts_email_not_null CHECK (email IS NOT NULL) NOT VALID;
ALTER TABLE accounts VALIDATE CONSTRAINT accounts_email_not_null;
ALTER TABLE accounts ALTER COLUMN email SET NOT NULL;
ALTER TABLE accounts DROP CONSTRAINT accounts_email_not_null;",
};

/// Fires on `SetNotNull` on a table that existed before this migration.
pub(super) fn fires(cx: &Cx) -> bool {
    cx.existing
        && cx
            .subject
            .is_some_and(|s| matches!(s.form, DdlForm::SetNotNull))
}
