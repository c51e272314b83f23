//! `several-blocking-statements`: Several statements that block reads or writes in one transaction.

use super::{Cx, Doc, Severity};

/// What the rule is about, for messages, `--explain` and the book.
pub(super) const DOC: Doc = Doc {
    id: "several-blocking-statements",
    severity: Severity::Warning,
    title: "Several statements that block reads or writes in one transaction",
    why: "Locks are held until the transaction ends: while the second statement waits for its lock, the first table stays locked and every query on it queues.",
    recipe: "one blocking statement per migration (or per transaction), each with a lock timeout, so a lock is never held while the next one waits",
    setup: "CREATE TABLE accounts (id bigint PRIMARY KEY, email text);
CREATE TABLE orders (id bigint PRIMARY KEY);",
    bad: "BEGIN;
SET LOCAL lock_timeout = '2s';
ALTER TABLE accounts ADD COLUMN plan text;
ALTER TABLE orders ADD COLUMN note text;
COMMIT;",
    good: "BEGIN;
SET LOCAL lock_timeout = '2s';
ALTER TABLE accounts ADD COLUMN plan text;
COMMIT;",
};

/// A statement that blocks reads or writes of an existing table, in a transaction that already
/// holds such a lock from an earlier statement.
pub(super) fn fires(cx: &Cx) -> bool {
    cx.existing && cx.blocks() && cx.earlier_blocking.is_some()
}
