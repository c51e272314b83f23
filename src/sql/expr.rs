//! Expressions: normalizing their text, judging volatility, and rewriting column references.

use std::ops::ControlFlow;

use sqlparser::ast::{Expr, Ident, visit_expressions, visit_expressions_mut};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;

use super::ident::fold;

/// Parse an expression written in PostgreSQL syntax.
pub fn parse(text: &str) -> Result<Expr, String> {
    let tokens = sqlparser::tokenizer::Tokenizer::new(&PostgreSqlDialect {}, text)
        .tokenize_with_location()
        .map_err(|e| e.to_string())?;
    let depth = super::depth::estimate(tokens.iter().map(|t| &t.token));
    if depth > super::depth::MAX_DEPTH {
        return Err(format!(
            "the expression nests about {depth} levels deep, and bellows reads at most {}",
            super::depth::MAX_DEPTH
        ));
    }
    let mut p = Parser::new(&PostgreSqlDialect {}).with_tokens_with_locations(tokens);
    p.parse_expr()
        .and_then(|e| {
            p.expect_token(&sqlparser::tokenizer::Token::EOF)?;
            Ok(e)
        })
        .map_err(|e| e.to_string())
}

/// One spelling for an expression, whatever its source formatting. Text that sqlparser
/// cannot read is kept with its whitespace collapsed.
pub fn normalize(text: &str) -> String {
    match parse(text) {
        Ok(e) => strip_outer_parens(e).to_string(),
        Err(_) => text.split_whitespace().collect::<Vec<_>>().join(" "),
    }
}

/// `((a > 0))` and `a > 0` mean the same; PostgreSQL adds parentheses when it prints.
fn strip_outer_parens(mut e: Expr) -> Expr {
    while let Expr::Nested(inner) = e {
        e = *inner;
    }
    e
}

/// Normalize a parsed expression.
pub fn normalize_expr(e: &Expr) -> String {
    strip_outer_parens(e.clone()).to_string()
}

/// How an expression behaves when evaluated once per row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Volatility {
    /// Constant or stable (`now()`): PostgreSQL evaluates it once and stores it in the catalog.
    Constant,
    /// Differs per row (`random()`, `nextval()`, `gen_random_uuid()`), or a function bellows
    /// cannot vouch for: adding a column with it rewrites the table.
    Volatile(String),
}

const STABLE_FUNCTIONS: &[&str] = &[
    "now",
    "current_timestamp",
    "current_date",
    "current_time",
    "localtimestamp",
    "localtime",
    "transaction_timestamp",
    "statement_timestamp",
    "current_user",
    "session_user",
    "current_setting",
    "lower",
    "upper",
    "coalesce",
    "nullif",
    "greatest",
    "least",
    "length",
    "abs",
    "round",
    "trim",
    "btrim",
    "concat",
    "to_char",
    "to_timestamp",
    "to_date",
    "md5",
    "make_interval",
    "jsonb_build_object",
    "json_build_object",
    "array",
    "date_trunc",
    "timezone",
    "format",
    "replace",
    "substring",
    "substr",
];

/// Judge whether `text` yields the same value for every existing row.
pub fn volatility(text: &str) -> Volatility {
    let Ok(e) = parse(text) else {
        return Volatility::Volatile(format!("cannot read expression `{text}`"));
    };
    let mut verdict = Volatility::Constant;
    let _ = visit_expressions(&e, |x| {
        match x {
            Expr::Function(f) => {
                let name = f
                    .name
                    .0
                    .last()
                    .and_then(|p| p.as_ident())
                    .map(fold)
                    .unwrap_or_default();
                if !STABLE_FUNCTIONS.contains(&name.as_str()) {
                    verdict = Volatility::Volatile(format!("{name}()"));
                    return ControlFlow::Break(());
                }
            }
            Expr::Subquery(_) | Expr::Exists { .. } | Expr::InSubquery { .. } => {
                verdict = Volatility::Volatile("a subquery".into());
                return ControlFlow::Break(());
            }
            Expr::Identifier(_) | Expr::CompoundIdentifier(_) => {
                // A bare word such as CURRENT_TIMESTAMP parses as an identifier.
            }
            _ => {}
        }
        ControlFlow::Continue(())
    });
    verdict
}

/// Does `text` mention column `col` (unqualified or as the last part of a qualified name)?
pub fn mentions_column(text: &str, col: &str) -> bool {
    let Ok(e) = parse(text) else {
        return text.contains(col);
    };
    let mut found = false;
    let _ = visit_expressions(&e, |x| {
        let hit = match x {
            Expr::Identifier(i) => fold(i) == col,
            Expr::CompoundIdentifier(parts) => parts.last().is_some_and(|i| fold(i) == col),
            _ => false,
        };
        if hit {
            found = true;
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    });
    found
}

/// Replace every reference to column `col` in `text` with `replacement` (an expression).
/// Returns the normalized result.
pub fn substitute_column(text: &str, col: &str, replacement: &str) -> Result<String, String> {
    let mut e = parse(text)?;
    let rep = parse(replacement)?;
    let _ = visit_expressions_mut(&mut e, |x| {
        let hit = match x {
            Expr::Identifier(i) => fold(i) == col,
            Expr::CompoundIdentifier(parts) => {
                parts.len() == 2 && parts.last().is_some_and(|i| fold(i) == col)
            }
            _ => false,
        };
        if hit {
            *x = Expr::Nested(Box::new(rep.clone()));
        }
        ControlFlow::<()>::Continue(())
    });
    Ok(tidy(normalize_expr(&e)))
}

/// Rename column `from` to `to` wherever `text` mentions it.
pub fn rename_column(text: &str, from: &str, to: &str) -> Result<String, String> {
    let mut e = parse(text)?;
    let _ = visit_expressions_mut(&mut e, |x| {
        match x {
            Expr::Identifier(i) if fold(i) == from => *i = Ident::with_quote('"', to),
            Expr::CompoundIdentifier(parts) => {
                if let Some(last) = parts.last_mut()
                    && fold(last) == from
                {
                    *last = Ident::with_quote('"', to);
                }
            }
            _ => {}
        }
        ControlFlow::<()>::Continue(())
    });
    Ok(normalize_expr(&e))
}

/// `(("a"))` → `("a")`: substitution wraps replacements in parentheses; drop doubled ones.
fn tidy(s: String) -> String {
    let mut s = s;
    while s.contains("((") && s.contains("))") {
        let t = s.replacen("((", "(", 1).replacen("))", ")", 1);
        if parse(&t).map(|e| e.to_string()) == parse(&s).map(|e| e.to_string()) {
            s = t;
        } else {
            break;
        }
    }
    s
}

/// A column reference in an expression: `"col"`.
pub fn column_ref(col: &str) -> String {
    super::ident::quote_ident(col)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn volatility_is_judged() {
        assert_eq!(volatility("now()"), Volatility::Constant);
        assert_eq!(volatility("'x'::text"), Volatility::Constant);
        assert_eq!(volatility("CURRENT_TIMESTAMP"), Volatility::Constant);
        assert!(matches!(
            volatility("gen_random_uuid()"),
            Volatility::Volatile(_)
        ));
        assert!(matches!(
            volatility("nextval('s'::regclass)"),
            Volatility::Volatile(_)
        ));
    }

    #[test]
    fn columns_are_substituted_and_renamed() {
        assert_eq!(
            substitute_column("price::numeric(12,2)", "price", "NEW.\"p\"").unwrap(),
            "(NEW.\"p\")::NUMERIC(12,2)"
        );
        assert_eq!(
            rename_column("email <> ''", "email", "mail").unwrap(),
            "\"mail\" <> ''"
        );
        assert!(mentions_column("lower(email)", "email"));
        assert!(!mentions_column("lower(emails)", "email"));
        assert_eq!(
            normalize("((a  >  (0)::numeric))"),
            normalize("a > (0)::numeric")
        );
    }
}
