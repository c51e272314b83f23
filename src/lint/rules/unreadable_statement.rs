//! `unreadable-statement`: A statement bellows could not read (or read but has no rule for),
//! so it was not checked.

use super::{Cx, Doc, Severity};

/// What the rule is about, for messages, `--explain` and the book.
pub(super) const DOC: Doc = Doc {
    id: "unreadable-statement",
    severity: Severity::Warning,
    title: "A statement bellows could not read or judge, so it was not checked",
    why: "bellows does not guess: a statement it cannot read, or reads but has no rule for, is reported as a warning so nobody takes silence for approval (and a CI gate on warnings stops until someone has looked).",
    recipe: "check it by hand, or write it in a form bellows reads (and report the statement so bellows learns it)",
    setup: "",
    bad: "ALTER TABLE accounts FROBNICATE email;",
    good: "ALTER TABLE accounts ALTER COLUMN email SET STATISTICS 500;",
};

/// A statement bellows could not read.
pub(super) fn fires(cx: &Cx) -> bool {
    cx.unreadable.is_some()
}
