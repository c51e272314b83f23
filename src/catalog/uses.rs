//! Which index or constraint uses a column, and the small spellings the catalog shares:
//! a plain column's index key, an EXCLUDE definition as the server prints it.

use super::model::{Constraint, ConstraintKind, Index, IndexKey};
use crate::sql::expr;

/// An index key on a plain column.
pub fn plain_key(col: &str) -> IndexKey {
    IndexKey {
        expr: crate::sql::types::quote_if_needed(col),
        column: Some(col.to_string()),
        collation: None,
        opclass: None,
        desc: false,
        nulls_first: None,
        statistics: None,
    }
}

/// An EXCLUDE constraint as `pg_get_constraintdef()` prints it: without the leading
/// `CONSTRAINT name` that the statement's text carries, whitespace collapsed.
pub fn exclusion_definition(text: &str) -> String {
    let t = text.trim_start();
    let rest = match t.get(..11) {
        Some(head) if head.eq_ignore_ascii_case("constraint ") => {
            let name = t[11..].trim_start();
            if let Some(quoted) = name.strip_prefix('"') {
                // Skip to the closing quote; `""` is an escaped quote inside the name.
                let mut chars = quoted.char_indices().peekable();
                let mut end = quoted.len();
                while let Some((i, c)) = chars.next() {
                    if c == '"' {
                        if chars.peek().is_some_and(|&(_, n)| n == '"') {
                            chars.next();
                        } else {
                            end = i + 1;
                            break;
                        }
                    }
                }
                &quoted[end..]
            } else {
                name.find(char::is_whitespace).map_or("", |i| &name[i..])
            }
        }
        _ => t,
    };
    rest.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The name PostgreSQL derives from an index expression (the function name, else `expr`).
pub(super) fn expr_label(e: &str) -> String {
    match e.split_once('(') {
        Some((f, _))
            if !f.is_empty()
                && f.chars()
                    .all(|c| c.is_alphanumeric() || c == '_' || c == '.') =>
        {
            f.rsplit('.').next().unwrap_or("expr").to_lowercase()
        }
        _ => "expr".into(),
    }
}

/// Does this index use `col` (as a key, in an expression, predicate or INCLUDE)?
pub fn index_uses(i: &Index, col: &str) -> bool {
    i.keys.iter().any(|k| {
        k.column.as_deref() == Some(col)
            || (k.column.is_none() && expr::mentions_column(&k.expr, col))
    }) || i.include.iter().any(|c| c == col)
        || i.predicate
            .as_deref()
            .is_some_and(|p| expr::mentions_column(p, col))
}

/// Does this constraint (on its own table) use `col`?
pub fn constraint_uses(c: &Constraint, col: &str) -> bool {
    match &c.kind {
        ConstraintKind::Check { expr } => expr::mentions_column(expr, col),
        ConstraintKind::Exclude { definition } => {
            expr::mentions_column(definition, col) || definition.contains(col)
        }
        k => k.columns().iter().any(|c| c == col),
    }
}

#[cfg(test)]
mod tests {
    use super::exclusion_definition;

    #[test]
    fn exclusion_definitions_drop_the_constraint_name() {
        let want = "EXCLUDE USING gist (room WITH =, during WITH &&)";
        assert_eq!(
            exclusion_definition(
                "CONSTRAINT no_overlap EXCLUDE USING gist (room WITH =, during WITH &&)"
            ),
            want
        );
        assert_eq!(
            exclusion_definition(
                "CONSTRAINT \"No \"\"Overlap\" EXCLUDE  USING gist (room WITH =, during WITH &&)"
            ),
            want
        );
        assert_eq!(exclusion_definition(want), want);
    }
}
