//! `concurrently-in-transaction`: A statement that cannot run in a transaction (CONCURRENTLY) inside one.

use super::{Cx, Doc, Severity};

/// What the rule is about, for messages, `--explain` and the book.
pub(super) const DOC: Doc = Doc {
    id: "concurrently-in-transaction",
    severity: Severity::Error,
    title: "A statement that cannot run in a transaction (CONCURRENTLY) inside one",
    why: r#"PostgreSQL refuses CONCURRENTLY inside a transaction block, so the migration fails when it runs; the usual "fix" of dropping CONCURRENTLY locks the table instead."#,
    recipe: "put the statement in a migration of its own that the tool runs outside a transaction: Flyway `executeInTransaction=false` (.sql.conf), dbmate `-- migrate:up transaction:false`, sqlx `-- no-transaction`, Liquibase `runInTransaction:false`, golang-migrate one statement per file",
    setup: "CREATE TABLE accounts (id bigint PRIMARY KEY, email text);",
    bad: "BEGIN;
CREATE INDEX CONCURRENTLY accounts_email_idx ON accounts (email);
COMMIT;",
    good: "CREATE INDEX CONCURRENTLY accounts_email_idx ON accounts (email);",
};

/// A statement PostgreSQL refuses inside a transaction block, inside one (explicit BEGIN, the
/// tool's own transaction, or golang-migrate's implicit one).
pub(super) fn fires(cx: &Cx) -> bool {
    cx.subject.is_some() && !cx.claim.transactional && cx.in_tx
}
