//! `add-foreign-key`: ADD FOREIGN KEY that validates existing rows at once.

use super::{Cx, Doc, Severity};
use crate::safety::DdlForm;

/// What the rule is about, for messages, `--explain` and the book.
pub(super) const DOC: Doc = Doc {
    id: "add-foreign-key",
    severity: Severity::Error,
    title: "ADD FOREIGN KEY that validates existing rows at once",
    why: "Adding a validated foreign key takes SHARE ROW EXCLUSIVE on both tables and checks every existing row while it holds them: writes to both tables wait for the whole scan.",
    recipe: "`ADD CONSTRAINT ... FOREIGN KEY ... NOT VALID`, then `VALIDATE CONSTRAINT` in a later migration",
    setup: "CREATE TABLE customers (id bigint PRIMARY KEY);
CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint);",
    bad: "ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id);",
    good: "ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID;
ALTER TABLE orders VALIDATE CONSTRAINT orders_customer_fk;",
};

/// Fires on `AddForeignKey` on a table that existed before this migration.
pub(super) fn fires(cx: &Cx) -> bool {
    cx.existing
        && cx
            .subject
            .is_some_and(|s| matches!(s.form, DdlForm::AddForeignKey))
}
