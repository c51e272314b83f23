//! `missing-lock-timeout`: A lock-taking statement with no lock_timeout, in a transaction the file manages itself.

use super::{Cx, Doc, Severity};

/// What the rule is about, for messages, `--explain` and the book.
pub(super) const DOC: Doc = Doc {
    id: "missing-lock-timeout",
    severity: Severity::Warning,
    title: "A lock-taking statement with no lock_timeout, in a transaction the file manages itself",
    why: "Even a brief ACCESS EXCLUSIVE lock waits behind every running transaction on the table, and while it waits every new query queues behind it: one slow report query turns a millisecond change into an outage. A lock timeout makes the migration give up instead.",
    recipe: "`SET LOCAL lock_timeout = '2s'` right after BEGIN (and retry the migration when it times out)",
    setup: "CREATE TABLE accounts (id bigint PRIMARY KEY, email text);",
    bad: "BEGIN;
ALTER TABLE accounts ADD COLUMN plan text;
COMMIT;",
    good: "BEGIN;
SET LOCAL lock_timeout = '2s';
ALTER TABLE accounts ADD COLUMN plan text;
COMMIT;",
};

/// A statement that blocks reads or writes of an existing table, inside a transaction the file
/// opens itself, with no lock_timeout set before it.
pub(super) fn fires(cx: &Cx) -> bool {
    cx.existing && cx.blocks() && cx.own_tx && !cx.lock_timeout
}
