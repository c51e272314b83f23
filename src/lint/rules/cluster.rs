//! `cluster`: CLUSTER in a migration.

use super::{Cx, Doc, Severity};
use crate::safety::DdlForm;

/// What the rule is about, for messages, `--explain` and the book.
pub(super) const DOC: Doc = Doc {
    id: "cluster",
    severity: Severity::Error,
    title: "CLUSTER in a migration",
    why: "CLUSTER rewrites the whole table in index order under ACCESS EXCLUSIVE: nothing reads or writes it until it is done.",
    recipe: "an online repacking tool (pg_repack) outside the migration, or accept the physical order as it is",
    setup: "CREATE TABLE events (id bigint PRIMARY KEY);",
    bad: "CLUSTER events USING events_pkey;",
    good: "-- leave the physical order alone, or repack online outside the migration",
};

/// Fires on `Cluster` on a table that existed before this migration.
pub(super) fn fires(cx: &Cx) -> bool {
    cx.existing
        && cx
            .subject
            .is_some_and(|s| matches!(s.form, DdlForm::Cluster))
}
