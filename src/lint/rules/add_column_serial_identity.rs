//! `add-column-serial-identity`: ADD COLUMN serial / GENERATED AS IDENTITY on an existing table.

use super::{Cx, Doc, Severity};
use crate::safety::DdlForm;

/// What the rule is about, for messages, `--explain` and the book.
pub(super) const DOC: Doc = Doc {
    id: "add-column-serial-identity",
    severity: Severity::Error,
    title: "ADD COLUMN serial / GENERATED AS IDENTITY on an existing table",
    why: "A serial or identity column is filled for every existing row from its sequence, rewriting the table under ACCESS EXCLUSIVE.",
    recipe: "add a plain nullable column, backfill it in batches from a sequence, then make it NOT NULL the proven way and attach the identity (`bellows plan` writes this)",
    setup: "CREATE TABLE events (uuid uuid PRIMARY KEY, payload text);",
    bad: "ALTER TABLE events ADD COLUMN seq bigserial;",
    good: "ALTER TABLE events ADD COLUMN id bigint;
-- then backfill from a sequence in batches, prove NOT NULL, ADD GENERATED AS IDENTITY: see `bellows plan`",
};

/// Fires on `AddColumnSerialOrIdentity` on a table that existed before this migration.
pub(super) fn fires(cx: &Cx) -> bool {
    cx.existing
        && cx
            .subject
            .is_some_and(|s| matches!(s.form, DdlForm::AddColumnSerialOrIdentity))
}
