//! Putting NOT NULL back after a window in which a column allowed NULL: a read that stops
//! first, changing nothing, when rows were written with NULL meanwhile.

use super::trigger::dollar_tag;
use crate::sql::{QName, quote_ident as q, quote_literal};

/// How many rows with NULL the check names.
pub const SHOWN: usize = 5;

/// A `DO` block that raises (DETAIL: the keys of up to [`SHOWN`] rows of `table` with
/// `column` NULL; HINT: what to do) and `SET NOT NULL`, in this order: one transaction that
/// either restores NOT NULL or changes nothing. Without a key, rows are named by ctid.
pub fn restore_not_null(table: &QName, column: &str, key: &[String]) -> Vec<String> {
    let c = q(column);
    let (label, row) = if key.is_empty() {
        ("ctid".to_string(), "ctid::text".to_string())
    } else {
        (
            key.join(", "),
            key.iter()
                .map(|k| format!("{}::text", q(k)))
                .collect::<Vec<_>>()
                .join(", "),
        )
    };
    let message = format!(
        "{}.{column} has NULLs written while the plan allowed them, so NOT NULL cannot be put back",
        table.display()
    );
    let hint = format!(
        "give those rows a value (UPDATE {} SET {c} = ... WHERE {c} IS NULL) and roll back again; or roll forward instead: nothing was changed by this step",
        table.sql()
    );
    let body = format!(
        "DECLARE\n  found text;\nBEGIN\n  SELECT string_agg('(' || k || ')', ', ') INTO found\n  FROM (SELECT concat_ws(', ', {row}) AS k FROM {table} WHERE {c} IS NULL LIMIT {SHOWN}) d;\n  IF found IS NOT NULL THEN\n    RAISE EXCEPTION USING ERRCODE = 'not_null_violation', MESSAGE = {message}, DETAIL = {detail} || found, HINT = {hint};\n  END IF;\nEND\n",
        table = table.sql(),
        message = quote_literal(&message),
        detail = quote_literal(&format!("rows with ({label}) = ")),
        hint = quote_literal(&hint),
    );
    let tag = dollar_tag(&body);
    vec![
        format!("DO {tag}\n{body}{tag}"),
        super::set_not_null(table, column),
    ]
}
