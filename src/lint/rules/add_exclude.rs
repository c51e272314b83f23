//! `add-exclude`: ADD EXCLUDE constraint on an existing table.

use super::{Cx, Doc, Severity};
use crate::safety::DdlForm;

/// What the rule is about, for messages, `--explain` and the book.
pub(super) const DOC: Doc = Doc {
    id: "add-exclude",
    severity: Severity::Error,
    title: "ADD EXCLUDE constraint on an existing table",
    why: "An exclusion constraint builds its index while ACCESS EXCLUSIVE is held, and cannot be built concurrently or attached from an existing index.",
    recipe: "there is no online way: schedule a maintenance window, or enforce the rule in a new table and move the data in batches",
    setup: "CREATE TABLE bookings (id bigint PRIMARY KEY, room int, during tsrange);",
    bad: "ALTER TABLE bookings ADD CONSTRAINT bookings_no_overlap EXCLUDE USING gist (room WITH =, during WITH &&);",
    good: "-- no online equivalent: plan a maintenance window, then
-- bellows:ignore add-exclude
ALTER TABLE bookings ADD CONSTRAINT bookings_no_overlap EXCLUDE USING gist (room WITH =, during WITH &&);",
};

/// Fires on `AddExclude` on a table that existed before this migration.
pub(super) fn fires(cx: &Cx) -> bool {
    cx.existing
        && cx
            .subject
            .is_some_and(|s| matches!(s.form, DdlForm::AddExclude))
}
