//! `set-logged`: SET LOGGED / SET UNLOGGED rewrites the table.

use super::{Cx, Doc, Severity};
use crate::safety::DdlForm;

/// What the rule is about, for messages, `--explain` and the book.
pub(super) const DOC: Doc = Doc {
    id: "set-logged",
    severity: Severity::Error,
    title: "SET LOGGED or SET UNLOGGED on an existing table",
    why: "Changing a table's persistence rewrites it under ACCESS EXCLUSIVE (SET LOGGED also writes all of it to the WAL, which replicas must replay): nothing reads or writes it until it is done.",
    recipe: "a maintenance window, or a new table with the persistence you want, filled in batches and swapped in by name",
    setup: "CREATE TABLE events (id bigint PRIMARY KEY);",
    bad: "ALTER TABLE events SET UNLOGGED;",
    good: "CREATE UNLOGGED TABLE events_scratch (id bigint PRIMARY KEY);",
};

/// Fires on `SetLogged` on a table that existed before this migration.
pub(super) fn fires(cx: &Cx) -> bool {
    cx.existing
        && cx
            .subject
            .is_some_and(|s| matches!(s.form, DdlForm::SetLogged))
}
