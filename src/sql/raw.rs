//! Statements bellows does not model but can run as a `-- bellows:raw` step: recognized on
//! the tokens only far enough to say which lock the statement takes and on which table.
//! Anything not recognized here has no lock claim, and a raw statement without one is
//! refused.

use sqlparser::tokenizer::Token;

use super::ident::QName;
use super::source::RawStatement;
use super::words::Words;

/// The kinds of raw statement bellows has a lock claim for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RawForm {
    /// `ALTER TABLE t SET | RESET (storage parameters)`, only the parameters in
    /// [`TABLE_PARAMETERS`].
    StorageParameters,
    /// `ALTER TABLE t CLUSTER ON idx` / `SET WITHOUT CLUSTER`.
    ClusterOn,
    /// `CREATE STATISTICS ... FROM t`.
    CreateStatistics,
    /// `ALTER TABLE t ALTER [COLUMN] c SET | RESET (n_distinct | n_distinct_inherited)`.
    ColumnOptions,
    /// `ALTER TABLE t OWNER TO role`.
    OwnerTo,
}

/// A recognized raw statement: its form and the table it locks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawKind {
    /// The form, which decides the lock.
    pub form: RawForm,
    /// The table it is taken on.
    pub table: QName,
}

/// Table storage parameters that take SHARE UPDATE EXCLUSIVE (observed on PostgreSQL 15);
/// the `toast.` ones too. `user_catalog_table` takes ACCESS EXCLUSIVE and is not here.
pub const TABLE_PARAMETERS: &[&str] = &[
    "fillfactor",
    "toast_tuple_target",
    "parallel_workers",
    "vacuum_index_cleanup",
    "vacuum_truncate",
    "log_autovacuum_min_duration",
    "autovacuum_enabled",
    "autovacuum_vacuum_threshold",
    "autovacuum_vacuum_scale_factor",
    "autovacuum_vacuum_insert_threshold",
    "autovacuum_vacuum_insert_scale_factor",
    "autovacuum_analyze_threshold",
    "autovacuum_analyze_scale_factor",
    "autovacuum_vacuum_cost_delay",
    "autovacuum_vacuum_cost_limit",
    "autovacuum_freeze_min_age",
    "autovacuum_freeze_max_age",
    "autovacuum_freeze_table_age",
    "autovacuum_multixact_freeze_min_age",
    "autovacuum_multixact_freeze_max_age",
    "autovacuum_multixact_freeze_table_age",
];

/// Column options (`ALTER COLUMN ... SET (...)`) that take SHARE UPDATE EXCLUSIVE.
const COLUMN_OPTIONS: &[&str] = &["n_distinct", "n_distinct_inherited"];

/// What `raw` is, when bellows has a lock claim for it.
pub fn classify(raw: &RawStatement) -> Option<RawKind> {
    let mut w = Words::new(raw);
    if w.eat(&["CREATE", "STATISTICS"]) {
        let from = (0..w.toks.len()).rev().find(|&i| w.kw_at(i, "FROM"))?;
        w.pos = from + 1;
        let table = w.qname()?;
        return w.done().then_some(RawKind {
            form: RawForm::CreateStatistics,
            table,
        });
    }
    if !w.eat(&["ALTER", "TABLE"]) {
        return None;
    }
    let _ = w.eat(&["IF", "EXISTS"]);
    let _ = w.eat(&["ONLY"]);
    let table = w.qname()?;
    let form = if w.eat(&["SET"]) || w.eat(&["RESET"]) {
        if w.eat(&["WITHOUT", "CLUSTER"]) {
            RawForm::ClusterOn
        } else {
            options(&mut w, |n| {
                let n = n.strip_prefix("toast.").unwrap_or(n);
                TABLE_PARAMETERS.contains(&n)
            })?;
            RawForm::StorageParameters
        }
    } else if w.eat(&["CLUSTER", "ON"]) {
        w.name()?;
        RawForm::ClusterOn
    } else if w.eat(&["OWNER", "TO"]) {
        w.name()?;
        RawForm::OwnerTo
    } else if w.eat(&["ALTER"]) {
        let _ = w.eat(&["COLUMN"]);
        w.name()?;
        if !(w.eat(&["SET"]) || w.eat(&["RESET"])) {
            return None;
        }
        options(&mut w, |n| COLUMN_OPTIONS.contains(&n))?;
        RawForm::ColumnOptions
    } else {
        return None;
    };
    w.done().then_some(RawKind { form, table })
}

/// Like [`classify`], for a statement's text.
pub fn classify_text(path: &str, text: &str) -> Option<RawKind> {
    let raws = super::source::split(path, text).ok()?;
    match raws.as_slice() {
        [one] => classify(one),
        _ => None,
    }
}

/// `( name [= value] [, ...] )` with every name accepted by `known`.
fn options(w: &mut Words<'_>, known: impl Fn(&str) -> bool) -> Option<()> {
    let tok = |w: &Words<'_>| w.toks.get(w.pos).map(|t| t.token.clone());
    if tok(w) != Some(Token::LParen) {
        return None;
    }
    w.pos += 1;
    loop {
        let name = w.name()?.join(".");
        if !known(&name) {
            return None;
        }
        if tok(w) == Some(Token::Eq) {
            w.pos += 1;
            // One value: a number (maybe negative), a word or a string.
            if tok(w) == Some(Token::Minus) {
                w.pos += 1;
            }
            w.pos += 1;
        }
        match tok(w)? {
            Token::Comma => w.pos += 1,
            Token::RParen => {
                w.pos += 1;
                return Some(());
            }
            _ => return None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(text: &str) -> Option<RawKind> {
        let raws = crate::sql::source::split("t.sql", text).expect("splits");
        classify(&raws[0])
    }

    #[test]
    fn known_forms_are_classified_and_the_rest_is_not() {
        let t = QName::public("t");
        let k = |form| {
            Some(RawKind {
                form,
                table: t.clone(),
            })
        };
        assert_eq!(
            kind(
                "ALTER TABLE t SET (autovacuum_vacuum_scale_factor = 0.01, toast.autovacuum_enabled = false);"
            ),
            k(RawForm::StorageParameters)
        );
        assert_eq!(
            kind("ALTER TABLE ONLY t RESET (fillfactor);"),
            k(RawForm::StorageParameters)
        );
        assert_eq!(
            kind("ALTER TABLE t CLUSTER ON t_a_idx;"),
            k(RawForm::ClusterOn)
        );
        assert_eq!(
            kind("ALTER TABLE t SET WITHOUT CLUSTER;"),
            k(RawForm::ClusterOn)
        );
        assert_eq!(kind("ALTER TABLE t OWNER TO app;"), k(RawForm::OwnerTo));
        assert_eq!(
            kind("ALTER TABLE t ALTER COLUMN a SET (n_distinct = -0.5);"),
            k(RawForm::ColumnOptions)
        );
        assert_eq!(
            kind("CREATE STATISTICS IF NOT EXISTS s (ndistinct) ON a, b FROM public.t;"),
            k(RawForm::CreateStatistics)
        );
        assert_eq!(kind("ALTER TABLE t SET (user_catalog_table = true);"), None);
        assert_eq!(
            kind("ALTER TABLE t SET (fillfactor = 70), OWNER TO app;"),
            None
        );
        assert_eq!(kind("ALTER TABLE t ALTER COLUMN a TYPE bigint;"), None);
        assert_eq!(kind("VACUUM t;"), None);
    }
}
