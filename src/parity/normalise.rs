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
    casts_to(strip_outer_parens(expr), &[ty.to_string()])
}

/// `expr` with literal casts to one of `types` dropped: `'x'::text` → `'x'`, `(0)::numeric`
/// → `0` (type names compared without case; a type modifier on the column's type is not
/// required on the cast). Used with the types of the columns an expression's table has, so
/// the literal already meets a column of that type. Other casts stay.
pub fn casts_to(expr: &str, types: &[String]) -> String {
    let base = |t: &str| t.split('(').next().unwrap_or(t).trim().to_ascii_lowercase();
    let types: Vec<String> = types.iter().map(|t| base(t)).collect();
    let mut out = String::with_capacity(expr.len());
    let mut rest = expr;
    while let Some(i) = rest.find("::") {
        let (before, after) = (&rest[..i], &rest[i + 2..]);
        let end = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ' ' || c == '.'))
            .unwrap_or(after.len());
        // The longest prefix of the type words that names one of `types`.
        let words = after[..end].trim_end();
        let ty = (1..=words.len())
            .rev()
            .filter(|&n| words.is_char_boundary(n))
            .map(|n| &words[..n])
            .find(|t| {
                types.contains(&t.to_ascii_lowercase())
                    && after[t.len()..]
                        .chars()
                        .next()
                        .is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '_'))
            });
        let literal = literal_before(before);
        match (ty, literal) {
            (Some(ty), Some(start)) => {
                let lit = &before[start..];
                out.push_str(&before[..start]);
                out.push_str(
                    lit.strip_prefix('(')
                        .and_then(|l| l.strip_suffix(')'))
                        .unwrap_or(lit),
                );
                rest = &after[ty.len()..];
            }
            _ => {
                out.push_str(&rest[..i + 2]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Where the literal that `text` ends with starts: `'...'` or `(digits)`.
fn literal_before(text: &str) -> Option<usize> {
    if let Some(body) = text.strip_suffix('\'') {
        // Walk back over doubled quotes to the opening one.
        let mut i = body.len();
        loop {
            let j = body[..i].rfind('\'')?;
            if j > 0 && body[..j].ends_with('\'') {
                i = j - 1;
                continue;
            }
            return Some(j);
        }
    }
    let inner = text.strip_suffix(')')?;
    let open = inner.rfind('(')?;
    let n = &inner[open + 1..];
    let numeric = !n.is_empty()
        && n.trim_start_matches('-')
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.');
    numeric.then_some(open)
}

/// An expression (check, predicate, generation, policy) without outer parentheses.
pub fn expr(e: &str) -> String {
    strip_outer_parens(e).to_string()
}

/// A `PARTITION BY` key without space between the strategy and its `(`: a file keeps
/// `RANGE(at)` as written, `pg_get_partkeydef` prints `RANGE (at)`.
pub fn partition_key(key: &str) -> String {
    let key = key.trim();
    match key.split_once('(') {
        Some((strategy, rest)) if strategy.trim().chars().all(|c| c.is_ascii_alphabetic()) => {
            format!("{}({rest}", strategy.trim())
        }
        _ => key.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_partition_key_loses_only_the_space_before_its_parenthesis() {
        assert_eq!(partition_key("RANGE (created_at)"), "RANGE(created_at)");
        assert_eq!(partition_key("RANGE(created_at)"), "RANGE(created_at)");
        assert_eq!(partition_key("HASH (id)"), "HASH(id)");
    }

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
        // Each literal on its own.
        assert_eq!(default("'a'::text || 'b'::text", "text"), "'a' || 'b'");
        assert_eq!(default("now()", "timestamp with time zone"), "now()");
        assert_eq!(default("'x'::TEXT", "text"), "'x'");
    }

    #[test]
    fn literal_casts_to_a_columns_type_go_in_expressions() {
        let types = ["numeric(10,2)".to_string(), "text".to_string()];
        assert_eq!(casts_to("price >= (0)::NUMERIC", &types), "price >= 0");
        assert_eq!(casts_to("a <> ''::text", &types), "a <> ''");
        // Not a literal, or another type: kept.
        assert_eq!(casts_to("(b)::numeric > 0", &types), "(b)::numeric > 0");
        assert_eq!(casts_to("a = '1'::integer", &types), "a = '1'::integer");
        assert_eq!(casts_to("x = 'a''b'::text", &types), "x = 'a''b'");
    }
}
