//! What a view reads: the relations, aliases and column references of its query, so the
//! catalog knows which table columns a view depends on.

use sqlparser::ast::{self, Expr};

use super::ddl::ViewDef;
use super::error::SqlError;
use super::ident::{QName, fold};
use super::source::RawStatement;

/// What a view's query names: relations, aliases and column references.
pub(super) fn view_def(raw: &RawStatement, v: &ast::CreateView) -> Result<ViewDef, SqlError> {
    use std::ops::ControlFlow;
    let (name, materialized, query) = (&v.name, v.materialized, &*v.query);
    let mut relations = Vec::new();
    let _ = ast::visit_relations(query, |r| {
        if let Some(q) = QName::from_object(r)
            && !relations.contains(&q)
        {
            relations.push(q);
        }
        ControlFlow::<()>::Continue(())
    });
    let mut columns = Vec::new();
    let _ = ast::visit_expressions(query, |e| {
        match e {
            Expr::Identifier(i) => columns.push((None, fold(i))),
            Expr::CompoundIdentifier(parts) if parts.len() >= 2 => {
                let q = fold(&parts[parts.len() - 2]);
                columns.push((Some(q), fold(&parts[parts.len() - 1])));
            }
            _ => {}
        }
        ControlFlow::<()>::Continue(())
    });
    // Only `SELECT *` / `t.*` projection items expand to every column, not `count(*)` or
    // a multiplication.
    struct Star(bool);
    impl ast::Visitor for Star {
        type Break = ();
        fn pre_visit_select(&mut self, select: &ast::Select) -> ControlFlow<()> {
            if select.projection.iter().any(|item| {
                matches!(
                    item,
                    ast::SelectItem::Wildcard(_) | ast::SelectItem::QualifiedWildcard(..)
                )
            }) {
                self.0 = true;
                return ControlFlow::Break(());
            }
            ControlFlow::Continue(())
        }
    }
    let mut star = Star(false);
    let _ = ast::Visit::visit(query, &mut star);
    let star = star.0;
    let mut aliases = Vec::new();
    collect_aliases(query, &mut aliases);
    Ok(ViewDef {
        name: raw.qname(name)?,
        materialized,
        relations,
        columns,
        aliases,
        star,
        query: query.to_string(),
        options: options(&v.options),
    })
}

/// The view options bellows re-creates, as `name=value`; `None` for anything else (only
/// lower-case words as values, so the text is safe to write back).
pub fn view_option(name: &str, value: &str) -> Option<String> {
    let value = value.trim_matches('\'').to_ascii_lowercase();
    let known = ["check_option", "security_barrier", "security_invoker"];
    (known.contains(&name) && !value.is_empty() && value.chars().all(|c| c.is_ascii_lowercase()))
        .then(|| format!("{name}={value}"))
}

fn options(o: &ast::CreateTableOptions) -> Vec<String> {
    let ast::CreateTableOptions::With(list) = o else {
        return Vec::new();
    };
    let mut out: Vec<String> = list
        .iter()
        .filter_map(|opt| match opt {
            ast::SqlOption::KeyValue { key, value } => view_option(&fold(key), &value.to_string()),
            ast::SqlOption::Ident(i) => view_option(&fold(i), "true"),
            _ => None,
        })
        .collect();
    out.sort();
    out
}

fn collect_aliases(query: &ast::Query, out: &mut Vec<(String, QName)>) {
    fn factor(f: &ast::TableFactor, out: &mut Vec<(String, QName)>) {
        match f {
            ast::TableFactor::Table { name, alias, .. } => {
                if let Some(q) = QName::from_object(name) {
                    let a = alias
                        .as_ref()
                        .map(|a| fold(&a.name))
                        .unwrap_or_else(|| q.name.clone());
                    out.push((a, q));
                }
            }
            ast::TableFactor::Derived { subquery, .. } => collect_aliases(subquery, out),
            ast::TableFactor::NestedJoin {
                table_with_joins, ..
            } => twj(table_with_joins, out),
            _ => {}
        }
    }
    fn twj(t: &ast::TableWithJoins, out: &mut Vec<(String, QName)>) {
        factor(&t.relation, out);
        for j in &t.joins {
            factor(&j.relation, out);
        }
    }
    fn set_expr(s: &ast::SetExpr, out: &mut Vec<(String, QName)>) {
        match s {
            ast::SetExpr::Select(sel) => {
                for t in &sel.from {
                    twj(t, out);
                }
            }
            ast::SetExpr::Query(q) => collect_aliases(q, out),
            ast::SetExpr::SetOperation { left, right, .. } => {
                set_expr(left, out);
                set_expr(right, out);
            }
            _ => {}
        }
    }
    set_expr(&query.body, out);
}
