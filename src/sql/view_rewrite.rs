//! A view's query read onto a renamed column, through sqlparser's AST: qualified references
//! (`t.col`, `s.t.col`, aliases) by their range variable, unqualified ones by the relations
//! in the same FROM. A bare reference in the select list keeps its output name
//! (`email` becomes `"email_address" AS "email"`), so the view's readers see no change.
//! Anything that cannot be resolved for certain is refused with the reason.

use std::ops::ControlFlow;

use sqlparser::ast::{self, Expr, Ident, Query, Select, SelectItem, SetExpr, TableFactor};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;

use super::ident::{QName, fold};

/// Whether relation `rel` has column `col`: `None` when bellows does not know the relation.
pub type HasColumn<'a> = &'a dyn Fn(&QName, &str) -> Option<bool>;

/// What the rewrite is about.
struct Target<'a> {
    table: &'a QName,
    old: &'a str,
    new: &'a str,
    has: HasColumn<'a>,
}

/// One FROM item: the name it is referred to by, and what it is.
struct RangeVar {
    name: String,
    rel: Rel,
}

enum Rel {
    Target,
    Known(QName),
    Unknown,
}

/// Parse a view's query text (`SELECT ...`, a trailing `;` allowed).
pub fn parse_query(text: &str) -> Result<Query, String> {
    let text = text.trim().trim_end_matches(';');
    let mut p = Parser::new(&PostgreSqlDialect {})
        .try_with_sql(text)
        .map_err(|e| e.to_string())?;
    let q = p.parse_query().map_err(|e| e.to_string())?;
    Ok(*q)
}

/// `text` (a view's query) reading `table.new` where it read `table.old`, output names kept.
pub fn rename_column(
    text: &str,
    table: &QName,
    old: &str,
    new: &str,
    has: HasColumn,
) -> Result<String, String> {
    let mut q = parse_query(text)?;
    let t = Target {
        table,
        old,
        new,
        has,
    };
    query(&mut q, &t)?;
    qualify_relations(&mut q, &t);
    Ok(q.to_string())
}

/// `text` (a view's query) as it is, with every relation `has` knows spelled with its
/// schema, so the view created again from it does not depend on the `search_path`.
pub fn qualify(text: &str, has: HasColumn) -> Result<String, String> {
    let mut q = parse_query(text)?;
    let none = QName::public("");
    let t = Target {
        table: &none,
        old: "",
        new: "",
        has,
    };
    qualify_relations(&mut q, &t);
    Ok(q.to_string())
}

/// Spell every table bellows knows with its schema (`users` → `public.users`, as the catalog
/// read it), so the replaced view does not depend on the running session's `search_path`.
/// Names of WITH queries and unknown relations (functions) are left alone.
fn qualify_relations(q: &mut Query, t: &Target) {
    let ctes: Vec<String> = q
        .with
        .iter()
        .flat_map(|w| w.cte_tables.iter().map(|c| fold(&c.alias.name)))
        .collect();
    let _ = ast::visit_relations_mut(q, |name| {
        if let [part] = name.0.as_slice()
            && let Some(i) = part.as_ident()
            && !ctes.contains(&fold(i))
            && (t.has)(&QName::public(fold(i)), t.old).is_some()
        {
            let i = i.clone();
            *name = ast::ObjectName::from(vec![Ident::new("public"), i]);
        }
        ControlFlow::<()>::Continue(())
    });
}

fn mentions(node: &impl ToString, col: &str) -> bool {
    // A word match: conservative (it may refuse where a closer reading would not).
    let text = node.to_string();
    text.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '"'))
        .any(|w| w.trim_matches('"').eq_ignore_ascii_case(col))
}

fn query(q: &mut Query, t: &Target) -> Result<(), String> {
    if let Some(with) = &q.with
        && with.cte_tables.iter().any(|c| mentions(&c.query, t.old))
    {
        return Err(format!("a WITH query mentions {}", t.old));
    }
    let outputs = set_expr(&mut q.body, t)?;
    if let Some(ob) = &mut q.order_by {
        // ORDER BY a bare name means the output column of that name first; the output
        // names are kept, so only references to inputs change.
        if let ast::OrderByKind::Expressions(exprs) = &mut ob.kind {
            for e in exprs {
                if outputs
                    .as_ref()
                    .is_some_and(|(_, names)| names.iter().any(|n| n == t.old))
                    && matches!(&e.expr, Expr::Identifier(i) if fold(i) == t.old)
                {
                    continue;
                }
                match &outputs {
                    Some((vars, _)) => expr_in_scope(&mut e.expr, vars, t)?,
                    None if mentions(&e.expr, t.old) => {
                        return Err(format!("ORDER BY over a set operation mentions {}", t.old));
                    }
                    None => {}
                }
            }
        } else if mentions(ob, t.old) {
            return Err(format!("ORDER BY mentions {}", t.old));
        }
    }
    if q.limit_clause.as_ref().is_some_and(|l| mentions(l, t.old)) {
        return Err(format!("LIMIT mentions {}", t.old));
    }
    Ok(())
}

/// Rewrite one query body; for a plain SELECT, its range variables and output names.
/// A plain SELECT's range variables and output names.
type Scope = (Vec<RangeVar>, Vec<String>);

fn set_expr(s: &mut SetExpr, t: &Target) -> Result<Option<Scope>, String> {
    match s {
        SetExpr::Select(sel) => select(sel, t).map(Some),
        SetExpr::Query(q) => query(q, t).map(|_| None),
        SetExpr::SetOperation { left, right, .. } => {
            set_expr(left, t)?;
            set_expr(right, t)?;
            Ok(None)
        }
        other if mentions(other, t.old) => Err(format!(
            "a VALUES list or other query form mentions {}",
            t.old
        )),
        _ => Ok(None),
    }
}

fn select(sel: &mut Select, t: &Target) -> Result<Scope, String> {
    let mut vars = Vec::new();
    for twj in &sel.from {
        factor(&twj.relation, t, &mut vars)?;
        for j in &twj.joins {
            factor(&j.relation, t, &mut vars)?;
        }
    }
    for twj in &mut sel.from {
        for j in &mut twj.joins {
            join_constraint(&mut j.join_operator, &vars, t)?;
        }
    }
    let mut names = Vec::new();
    for item in &mut sel.projection {
        match item {
            SelectItem::UnnamedExpr(e) => {
                let before = output_name(e);
                let text = e.to_string();
                expr_in_scope(e, &vars, t)?;
                if before.as_deref() == Some(t.old) && e.to_string() != text {
                    *item = SelectItem::ExprWithAlias {
                        expr: e.clone(),
                        alias: Ident::with_quote('"', t.old),
                    };
                }
                names.extend(before);
            }
            SelectItem::ExprWithAlias { expr: e, alias } => {
                expr_in_scope(e, &vars, t)?;
                names.push(fold(alias));
            }
            SelectItem::Wildcard(_) | SelectItem::QualifiedWildcard(..) => {
                return Err(
                    "the view selects `*`, whose columns were fixed when it was created".into(),
                );
            }
            SelectItem::ExprWithAliases { .. } => return Err("a multi-alias select item".into()),
        }
    }
    if let Some(w) = &mut sel.selection {
        expr_in_scope(w, &vars, t)?;
    }
    if let Some(h) = &mut sel.having {
        expr_in_scope(h, &vars, t)?;
    }
    match &mut sel.group_by {
        ast::GroupByExpr::Expressions(exprs, _) => {
            for e in exprs {
                expr_in_scope(e, &vars, t)?;
            }
        }
        ast::GroupByExpr::All(_) => {}
    }
    if let Some(ast::Distinct::On(exprs)) = &mut sel.distinct {
        for e in exprs {
            expr_in_scope(e, &vars, t)?;
        }
    }
    if !sel.named_window.is_empty() && sel.named_window.iter().any(|w| mentions(w, t.old)) {
        return Err(format!("a WINDOW clause mentions {}", t.old));
    }
    Ok((vars, names))
}

fn factor(f: &TableFactor, t: &Target, vars: &mut Vec<RangeVar>) -> Result<(), String> {
    match f {
        TableFactor::Table {
            name, alias, args, ..
        } if args.is_none() => {
            let qn = QName::from_object(name).ok_or("an unnamed relation")?;
            let rel = if &qn == t.table {
                Rel::Target
            } else {
                Rel::Known(qn.clone())
            };
            if let Some(a) = alias
                && !a.columns.is_empty()
            {
                return Err(format!(
                    "{} renames its columns with an alias list",
                    qn.display()
                ));
            }
            vars.push(RangeVar {
                name: alias.as_ref().map(|a| fold(&a.name)).unwrap_or(qn.name),
                rel,
            });
        }
        TableFactor::NestedJoin {
            table_with_joins, ..
        } => {
            factor(&table_with_joins.relation, t, vars)?;
            for j in &table_with_joins.joins {
                factor(&j.relation, t, vars)?;
            }
        }
        other => {
            if mentions(other, t.old) {
                return Err(format!("a subquery or function in FROM mentions {}", t.old));
            }
            let name = match other {
                TableFactor::Derived { alias, .. } | TableFactor::Function { alias, .. } => {
                    alias.as_ref().map(|a| fold(&a.name)).unwrap_or_default()
                }
                _ => String::new(),
            };
            vars.push(RangeVar {
                name,
                rel: Rel::Unknown,
            });
        }
    }
    Ok(())
}

fn join_constraint(
    op: &mut ast::JoinOperator,
    vars: &[RangeVar],
    t: &Target,
) -> Result<(), String> {
    use ast::JoinOperator as J;
    let c = match op {
        J::Join(c)
        | J::Inner(c)
        | J::Left(c)
        | J::LeftOuter(c)
        | J::Right(c)
        | J::RightOuter(c)
        | J::FullOuter(c) => c,
        other if mentions(&format!("{other:?}"), t.old) => {
            return Err(format!("a join mentions {}", t.old));
        }
        _ => return Ok(()),
    };
    match c {
        ast::JoinConstraint::On(e) => expr_in_scope(e, vars, t),
        ast::JoinConstraint::Using(cols) if cols.iter().any(|c| mentions(c, t.old)) => {
            Err(format!("JOIN ... USING joins on {}", t.old))
        }
        ast::JoinConstraint::Natural => Err(format!(
            "a NATURAL JOIN may join on {} once it is renamed",
            t.old
        )),
        _ => Ok(()),
    }
}

/// The name PostgreSQL gives an unaliased select item, when it is a column's name.
fn output_name(e: &Expr) -> Option<String> {
    match e {
        Expr::Identifier(i) => Some(fold(i)),
        Expr::CompoundIdentifier(parts) => parts.last().map(fold),
        Expr::Cast { expr, .. } | Expr::Nested(expr) => output_name(expr),
        _ => None,
    }
}

/// Rename references to the target's old column in one expression of a SELECT whose FROM
/// items are `vars`. Subqueries that mention the column are refused.
fn expr_in_scope(e: &mut Expr, vars: &[RangeVar], t: &Target) -> Result<(), String> {
    let mut err = None;
    let _ = ast::visit_expressions(&*e, |x| {
        let sub = match x {
            Expr::Subquery(q) | Expr::Exists { subquery: q, .. } => Some(q),
            Expr::InSubquery { subquery, .. } => Some(subquery),
            _ => None,
        };
        if sub.is_some_and(|q| mentions(q, t.old)) {
            err = Some(format!("a subquery mentions {}", t.old));
            return ControlFlow::Break(());
        }
        ControlFlow::Continue(())
    });
    if let Some(e) = err {
        return Err(e);
    }
    let unqualified_is_ours = || -> Result<bool, String> {
        let mut ours = false;
        let mut others = Vec::new();
        for v in vars {
            match &v.rel {
                Rel::Target => ours = true,
                Rel::Known(q) => match (t.has)(q, t.old) {
                    Some(false) => {}
                    Some(true) => others.push(q.display()),
                    None => others.push(format!("{} (not known to bellows)", q.display())),
                },
                Rel::Unknown => others.push(format!("{} (a subquery or function)", v.name)),
            }
        }
        match (ours, others.is_empty()) {
            (true, true) => Ok(true),
            (false, _) => Ok(false),
            (true, false) => Err(format!(
                "an unqualified {} could also mean a column of {}",
                t.old,
                others.join(", ")
            )),
        }
    };
    let mut result = Ok(());
    let _ = ast::visit_expressions_mut(e, |x| {
        match x {
            Expr::Identifier(i) if fold(i) == t.old => match unqualified_is_ours() {
                Ok(true) => *i = Ident::with_quote('"', t.new),
                Ok(false) => {}
                Err(why) => {
                    result = Err(why);
                    return ControlFlow::Break(());
                }
            },
            Expr::CompoundIdentifier(parts) => {
                let names: Vec<String> = parts.iter().map(fold).collect();
                let ours = match names.as_slice() {
                    [q, c] => {
                        c == t.old
                            && vars
                                .iter()
                                .any(|v| v.name == *q && matches!(v.rel, Rel::Target))
                    }
                    [s, n, c] => c == t.old && *s == t.table.schema && *n == t.table.name,
                    _ => false,
                };
                if ours && let Some(last) = parts.last_mut() {
                    *last = Ident::with_quote('"', t.new);
                }
            }
            _ => {}
        }
        ControlFlow::<()>::Continue(())
    });
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn has(q: &QName, c: &str) -> Option<bool> {
        match q.name.as_str() {
            "users" => Some(["id", "email", "name"].contains(&c)),
            "orders" => Some(["id", "user_id", "total"].contains(&c)),
            "audit" => Some(["id", "email"].contains(&c)),
            _ => None,
        }
    }

    fn ren(text: &str) -> Result<String, String> {
        rename_column(
            text,
            &QName::public("users"),
            "email",
            "email_address",
            &has,
        )
    }

    #[test]
    fn bare_and_qualified_references_keep_their_output_names() {
        assert_eq!(
            ren("SELECT id, email, u2.email AS mail, lower(email) AS low, email::text FROM users AS u2 WHERE email <> '' ORDER BY email").unwrap(),
            "SELECT id, \"email_address\" AS \"email\", u2.\"email_address\" AS mail, lower(\"email_address\") AS low, \"email_address\"::TEXT AS \"email\" FROM public.users AS u2 WHERE \"email_address\" <> '' ORDER BY email"
        );
        // As pg_get_viewdef prints it.
        assert_eq!(
            ren(" SELECT users.id,\n    users.email\n   FROM public.users;").unwrap(),
            "SELECT users.id, users.\"email_address\" AS \"email\" FROM public.users"
        );
    }

    #[test]
    fn joins_resolve_unqualified_names_by_the_tables_columns() {
        assert_eq!(
            ren("SELECT o.id, email, total FROM public.orders o JOIN public.users u ON u.id = o.user_id")
                .unwrap(),
            "SELECT o.id, \"email_address\" AS \"email\", total FROM public.orders o JOIN public.users u ON u.id = o.user_id"
        );
        let err = ren("SELECT u.id, email FROM users u JOIN audit a ON a.id = u.id").unwrap_err();
        assert!(err.contains("public.audit"), "{err}");
        // The other table's column of the same name is left alone.
        assert_eq!(
            ren("SELECT a.email FROM public.users u JOIN public.audit a ON a.id = u.id").unwrap(),
            "SELECT a.email FROM public.users u JOIN public.audit a ON a.id = u.id"
        );
    }

    #[test]
    fn what_cannot_be_resolved_is_refused() {
        for text in [
            "SELECT * FROM users",
            "SELECT id FROM users WHERE email IN (SELECT email FROM audit)",
            "SELECT x.email FROM (SELECT email FROM users) x",
            "SELECT id, email FROM users JOIN unknown_view v USING (id)",
            "SELECT id FROM users JOIN audit USING (email)",
        ] {
            assert!(ren(text).is_err(), "{text}");
        }
    }
}
