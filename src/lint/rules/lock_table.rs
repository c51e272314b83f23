//! `lock-table`: LOCK TABLE in a mode that blocks writes, held to the end of the transaction.

use super::{Cx, Doc, Severity};
use crate::safety::DdlForm;

/// What the rule is about, for messages, `--explain` and the book.
pub(super) const DOC: Doc = Doc {
    id: "lock-table",
    severity: Severity::Error,
    title: "LOCK TABLE in a mode that blocks writes (or reads)",
    why: "An explicit LOCK TABLE (ACCESS EXCLUSIVE unless a mode is given) keeps its lock until the migration's transaction ends: everything after it in the transaction runs while the application waits, and it queues behind any long query first.",
    recipe: "leave locking to the statements themselves, each in a short transaction with `SET LOCAL lock_timeout`; if a lock must be taken, take the weakest mode that works, with a lock_timeout, right before the statement that needs it",
    setup: "CREATE TABLE accounts (id bigint PRIMARY KEY, email text);",
    bad: "BEGIN;\nLOCK TABLE accounts;\nALTER TABLE accounts ADD COLUMN note text;\nCOMMIT;",
    good: "BEGIN;\nSET LOCAL lock_timeout = '2s';\nALTER TABLE accounts ADD COLUMN note text;\nCOMMIT;",
};

/// Fires on a write-blocking LOCK TABLE of a table that existed before this migration.
pub(super) fn fires(cx: &Cx) -> bool {
    cx.existing
        && cx.subject.is_some_and(|s| {
            matches!(
                s.form,
                DdlForm::LockTableShare
                    | DdlForm::LockTableShareRowExclusive
                    | DdlForm::LockTableExclusive
                    | DdlForm::LockTableAccessExclusive
            )
        })
}
