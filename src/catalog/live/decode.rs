//! Turning `pg_catalog` codes and deparsed text into the catalog's spelling. Pure functions,
//! so they are tested without a database.

use crate::sql::ddl::{Deferral, Identity, ReplicaIdentity};
use crate::sql::expr;

/// `pg_index.indoption` bit: the key sorts descending.
const INDOPTION_DESC: i32 = 1;
/// `pg_index.indoption` bit: NULLs sort first.
const INDOPTION_NULLS_FIRST: i32 = 2;

/// The expression of a CHECK constraint from `pg_get_constraintdef()`, which prints
/// `CHECK ((expr))`, possibly followed by ` NO INHERIT` and ` NOT VALID`.
pub(super) fn check_expr(definition: &str) -> String {
    let mut def = definition.trim();
    for suffix in [" NOT VALID", " NO INHERIT"] {
        def = def.strip_suffix(suffix).unwrap_or(def).trim_end();
    }
    let inner = def
        .strip_prefix("CHECK ")
        .map(str::trim_start)
        .and_then(|s| s.strip_prefix('('))
        .and_then(|s| s.strip_suffix(')'))
        .unwrap_or(def);
    expr::normalize(inner)
}

/// A view's `pg_class.reloptions` (`name=value` each) → the options bellows re-creates.
pub(super) fn view_options(reloptions: Option<Vec<String>>) -> Vec<String> {
    let mut out: Vec<String> = reloptions
        .unwrap_or_default()
        .iter()
        .filter_map(|o| o.split_once('='))
        .filter_map(|(k, v)| crate::sql::view::view_option(k, v))
        .collect();
    out.sort();
    out
}

/// `pg_constraint.confdeltype` / `confupdtype` → the action as the file loader spells it
/// (`None` for NO ACTION, the default).
pub(super) fn fk_action(code: &str) -> Option<String> {
    match code {
        "c" => Some("CASCADE".into()),
        "n" => Some("SET NULL".into()),
        "d" => Some("SET DEFAULT".into()),
        "r" => Some("RESTRICT".into()),
        _ => None,
    }
}

/// `pg_constraint.condeferrable` / `condeferred` → when the constraint is checked.
pub(super) fn deferral(deferrable: bool, deferred: bool) -> Deferral {
    match (deferrable, deferred) {
        (true, true) => Deferral::Deferred,
        (true, false) => Deferral::Deferrable,
        _ => Deferral::Immediate,
    }
}

/// `pg_class.relreplident` (`d`, `f`, `n`, `i`) and the index marked `indisreplident`.
pub(super) fn replica_identity(code: &str, index: Option<String>) -> ReplicaIdentity {
    match (code, index) {
        ("f", _) => ReplicaIdentity::Full,
        ("n", _) => ReplicaIdentity::Nothing,
        ("i", Some(i)) => ReplicaIdentity::Index(i),
        _ => ReplicaIdentity::Default,
    }
}

/// `pg_attribute.attidentity` → identity kind.
pub(super) fn identity(code: &str) -> Option<Identity> {
    match code {
        "a" => Some(Identity::Always),
        "d" => Some(Identity::ByDefault),
        _ => None,
    }
}

/// `pg_index.indoption` of one key → (`desc`, `nulls_first`), where `nulls_first` is only
/// set when it differs from the default for the direction (NULLS FIRST for DESC, LAST for ASC).
pub(super) fn sort_order(option: i32) -> (bool, Option<bool>) {
    let desc = option & INDOPTION_DESC != 0;
    let nulls_first = option & INDOPTION_NULLS_FIRST != 0;
    let explicit = match (desc, nulls_first) {
        (true, true) | (false, false) => None,
        (true, false) => Some(false),
        (false, true) => Some(true),
    };
    (desc, explicit)
}

/// A relation's row estimate from `pg_class.reltuples` (negative means "never analyzed").
pub(super) fn row_estimate(reltuples: f64) -> Option<i64> {
    // `as` saturates; reltuples is a float estimate, so rounding is what we want.
    (reltuples >= 0.0).then(|| reltuples.round() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_expressions_are_unwrapped() {
        assert_eq!(check_expr("CHECK ((quantity > 0))"), "quantity > 0");
        assert_eq!(check_expr("CHECK ((a > 0)) NOT VALID"), "a > 0");
        assert_eq!(check_expr("CHECK ((a > 0)) NO INHERIT NOT VALID"), "a > 0");
        assert_eq!(
            check_expr("CHECK (((a > 0) AND (b < 1)))"),
            expr::normalize("((a > 0) AND (b < 1))")
        );
    }

    #[test]
    fn codes_are_decoded() {
        assert_eq!(fk_action("c").as_deref(), Some("CASCADE"));
        assert_eq!(fk_action("n").as_deref(), Some("SET NULL"));
        assert_eq!(fk_action("d").as_deref(), Some("SET DEFAULT"));
        assert_eq!(fk_action("r").as_deref(), Some("RESTRICT"));
        assert_eq!(fk_action("a"), None);
        assert_eq!(identity("a"), Some(Identity::Always));
        assert_eq!(identity("d"), Some(Identity::ByDefault));
        assert_eq!(identity(""), None);
    }

    #[test]
    fn sort_order_follows_indoption() {
        assert_eq!(sort_order(0), (false, None));
        assert_eq!(sort_order(2), (false, Some(true)));
        assert_eq!(sort_order(3), (true, None));
        assert_eq!(sort_order(1), (true, Some(false)));
    }

    #[test]
    fn row_estimates() {
        assert_eq!(row_estimate(-1.0), None);
        assert_eq!(row_estimate(0.0), Some(0));
        assert_eq!(row_estimate(1234.4), Some(1234));
    }
}
