//! Spellings a schema file and a server write differently for the same thing. Only what is
//! provably the same is evened out: parentheses around a whole expression, and a cast of a
//! string literal to the column's own type (`'x'::text` on a `text` column is `'x'`).

/// `expr` without parentheses that enclose all of it (`((a > 0))` → `a > 0`).
pub fn strip_outer_parens(expr: &str) -> &str {
    let mut s = expr.trim();
    while s.starts_with('(') && s.ends_with(')') && encloses_all(s) {
        s = s[1..s.len() - 1].trim();
    }
    s
}

/// Does the `(` at the start of `s` close at its very end (outside string literals)?
fn encloses_all(s: &str) -> bool {
    let mut depth = 0usize;
    let mut in_str = false;
    let last = s.len() - 1;
    for (i, c) in s.char_indices() {
        match c {
            '\'' => in_str = !in_str,
            '(' if !in_str => depth += 1,
            ')' if !in_str => {
                depth = depth.saturating_sub(1);
                if depth == 0 && i != last {
                    return false;
                }
            }
            _ => {}
        }
    }
    depth == 0
}

/// A column default with a string literal cast to the column's own type `ty` written
/// without the cast; any other default only without outer parentheses.
pub fn default(expr: &str, ty: &str) -> String {
    let e = strip_outer_parens(expr);
    if let Some(lit) = e.strip_suffix(&format!("::{ty}"))
        && is_string_literal(lit)
    {
        return lit.to_string();
    }
    e.to_string()
}

/// An expression (check, predicate, generation, policy) without outer parentheses.
pub fn expr(e: &str) -> String {
    strip_outer_parens(e).to_string()
}

/// Is `s` exactly one single-quoted string literal (`'it''s'`)?
fn is_string_literal(s: &str) -> bool {
    let Some(inner) = s.strip_prefix('\'').and_then(|r| r.strip_suffix('\'')) else {
        return false;
    };
    // Inside, quotes come only doubled.
    inner.replace("''", "").find('\'').is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outer_parentheses_go_but_not_inner_ones() {
        assert_eq!(strip_outer_parens("((a > 0))"), "a > 0");
        assert_eq!(
            strip_outer_parens("(a > 0) AND (b > 0)"),
            "(a > 0) AND (b > 0)"
        );
        assert_eq!(strip_outer_parens("(')(')"), "')('");
    }

    #[test]
    fn a_literal_cast_to_the_columns_own_type_goes_and_no_other() {
        assert_eq!(default("'x'::text", "text"), "'x'");
        assert_eq!(default("'it''s'::text", "text"), "'it''s'");
        // A cast to another type changes the value's type: kept.
        assert_eq!(default("'x'::varchar", "text"), "'x'::varchar");
        // Not one literal: kept.
        assert_eq!(
            default("'a'::text || 'b'::text", "text"),
            "'a'::text || 'b'::text"
        );
        assert_eq!(default("now()", "timestamp with time zone"), "now()");
    }
}
