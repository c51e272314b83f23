//! `add-unique-or-primary-key`: ADD UNIQUE / PRIMARY KEY that builds its index inline.

use super::{Cx, Doc, Severity};
use crate::safety::DdlForm;

/// What the rule is about, for messages, `--explain` and the book.
pub(super) const DOC: Doc = Doc {
    id: "add-unique-or-primary-key",
    severity: Severity::Error,
    title: "ADD UNIQUE / PRIMARY KEY that builds its index inline",
    why: "The constraint's unique index is built while ACCESS EXCLUSIVE is held: reads and writes wait for the whole build.",
    recipe: "`CREATE UNIQUE INDEX CONCURRENTLY`, then `ADD CONSTRAINT ... UNIQUE USING INDEX` (or `PRIMARY KEY USING INDEX`)",
    setup: "CREATE TABLE accounts (id bigint PRIMARY KEY, email text);",
    bad: "ALTER TABLE accounts ADD CONSTRAINT accounts_email_key UNIQUE (email);",
    good: "CREATE UNIQUE INDEX CONCURRENTLY accounts_email_key ON accounts (email);
ALTER TABLE accounts ADD CONSTRAINT accounts_email_key UNIQUE USING INDEX accounts_email_key;",
};

/// Fires on `AddUniqueOrPrimaryKey` on a table that existed before this migration.
pub(super) fn fires(cx: &Cx) -> bool {
    cx.existing
        && cx
            .subject
            .is_some_and(|s| matches!(s.form, DdlForm::AddUniqueOrPrimaryKey))
}
