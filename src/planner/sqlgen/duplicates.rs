//! The duplicate pre-check before a unique index build: one read that stops with the first
//! duplicated keys, so a build that could never succeed is not started.

use super::trigger::dollar_tag;
use crate::catalog::Index;
use crate::sql::{QName, quote_ident as q, quote_literal};

/// How many duplicated keys the pre-check names.
pub const SHOWN: usize = 5;

/// One key of `ix` as a value expression (a column, or the parenthesized expression).
fn key_value(k: &crate::catalog::IndexKey) -> String {
    match &k.column {
        Some(c) => q(c),
        None => format!("({})", k.expr),
    }
}

/// A `DO` block that raises (message, DETAIL with up to [`SHOWN`] duplicated keys and how
/// often each occurs, HINT with what to do) when rows of `table` share a key of `ix`.
///
/// Rows with a NULL key never conflict in a unique index, so they are left out (unless the
/// index is `NULLS NOT DISTINCT`, where they do, as GROUP BY counts them); a partial
/// index's predicate limits the rows as the index would.
pub fn duplicate_check(table: &QName, ix: &Index) -> String {
    let keys: Vec<String> = ix.keys.iter().map(key_value).collect();
    let list = keys.join(", ");
    let label = ix
        .keys
        .iter()
        .map(|k| k.column.clone().unwrap_or_else(|| k.expr.clone()))
        .collect::<Vec<_>>()
        .join(", ");
    let mut filter: Vec<String> = if ix.nulls_not_distinct {
        Vec::new()
    } else {
        keys.iter().map(|k| format!("{k} IS NOT NULL")).collect()
    };
    if let Some(p) = &ix.predicate {
        filter.push(format!("({p})"));
    }
    if filter.is_empty() {
        filter.push("true".into());
    }
    let as_text = keys
        .iter()
        .map(|k| format!("{k}::text"))
        .collect::<Vec<_>>()
        .join(", ");
    let message = format!(
        "{} has rows with the same ({label}), so the unique index {} cannot be built",
        table.display(),
        ix.name
    );
    let hint = format!(
        "change or delete the duplicate rows (SELECT {list}, count(*) FROM {} GROUP BY {list} HAVING count(*) > 1), then run the plan again; nothing was changed",
        table.sql()
    );
    let body = format!(
        "DECLARE\n  found text;\nBEGIN\n  SELECT string_agg(format('Key (%s)=(%s) occurs %s times.', {label_lit}, k, n), ' ') INTO found\n  FROM (SELECT concat_ws(', ', {as_text}) AS k, count(*) AS n FROM {table} WHERE {filter} GROUP BY {list} HAVING count(*) > 1 LIMIT {SHOWN}) d;\n  IF found IS NOT NULL THEN\n    RAISE EXCEPTION USING ERRCODE = 'unique_violation', MESSAGE = {message}, DETAIL = found, HINT = {hint};\n  END IF;\nEND\n",
        label_lit = quote_literal(&label),
        table = table.sql(),
        filter = filter.join(" AND "),
        message = quote_literal(&message),
        hint = quote_literal(&hint),
    );
    let tag = dollar_tag(&body);
    format!("DO {tag}\n{body}{tag}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_quoted_nulls_left_out_and_the_predicate_kept() {
        let t = QName::new("Shop", "user's");
        let first = crate::catalog::apply::plain_key("E mail");
        let second = crate::catalog::IndexKey {
            column: None,
            expr: "lower(name)".into(),
            ..first.clone()
        };
        let ix = Index {
            name: "u".into(),
            unique: true,
            method: "btree".into(),
            keys: vec![first, second],
            include: Vec::new(),
            predicate: Some("deleted_at IS NULL".into()),
            valid: true,
            constraint: None,
            nulls_not_distinct: false,
            with: Vec::new(),
            comment: None,
        };
        let sql = duplicate_check(&t, &ix);
        assert!(
            sql.contains("FROM \"Shop\".\"user's\" WHERE \"E mail\" IS NOT NULL AND (lower(name)) IS NOT NULL AND (deleted_at IS NULL) GROUP BY \"E mail\", (lower(name))"),
            "{sql}"
        );
        assert!(sql.contains("'Shop.user''s has rows"), "{sql}");
        assert!(sql.starts_with("DO $bellows$\n") && sql.ends_with("$bellows$"));

        // NULLS NOT DISTINCT: NULL keys conflict too, so they are counted.
        let nnd = Index {
            nulls_not_distinct: true,
            predicate: None,
            ..ix
        };
        let sql = duplicate_check(&t, &nnd);
        assert!(!sql.contains("\"E mail\" IS NOT NULL"), "{sql}");
        assert!(sql.contains("WHERE true GROUP BY"), "{sql}");
    }
}
