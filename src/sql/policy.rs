//! Row-level-security policies: `CREATE POLICY` read into [`PolicyDef`], and a policy's
//! column references renamed safely.

use std::ops::ControlFlow;

use serde::{Deserialize, Serialize};
use sqlparser::ast::{self, Expr, Ident, visit_expressions, visit_expressions_mut};

use super::error::SqlError;
use super::expr;
use super::ident::{QName, fold};
use super::source::RawStatement;

/// `AS PERMISSIVE` (the default) or `AS RESTRICTIVE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PolicyKind {
    /// Rows pass if any permissive policy lets them.
    Permissive,
    /// Rows pass only if every restrictive policy lets them too.
    Restrictive,
}

/// The command a policy applies to (`FOR ...`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PolicyCommand {
    /// `FOR ALL` (the default).
    All,
    /// `FOR SELECT`.
    Select,
    /// `FOR INSERT`.
    Insert,
    /// `FOR UPDATE`.
    Update,
    /// `FOR DELETE`.
    Delete,
}

impl PolicyCommand {
    /// SQL spelling.
    pub fn sql(self) -> &'static str {
        match self {
            Self::All => "ALL",
            Self::Select => "SELECT",
            Self::Insert => "INSERT",
            Self::Update => "UPDATE",
            Self::Delete => "DELETE",
        }
    }

    /// From `pg_policy.polcmd` (`*`, `r`, `a`, `w`, `d`).
    pub fn from_code(code: &str) -> Option<Self> {
        Some(match code {
            "*" => Self::All,
            "r" => Self::Select,
            "a" => Self::Insert,
            "w" => Self::Update,
            "d" => Self::Delete,
            _ => return None,
        })
    }
}

/// `CREATE POLICY`, as the catalog keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyDef {
    /// Policy name (unique per table).
    pub name: String,
    /// Table it guards.
    pub table: QName,
    /// Permissive or restrictive.
    pub kind: PolicyKind,
    /// Command it applies to.
    pub command: PolicyCommand,
    /// Roles (`PUBLIC`, `CURRENT_USER`, `CURRENT_ROLE`, `SESSION_USER` as keywords, else
    /// role names); empty means PUBLIC.
    pub roles: Vec<String>,
    /// `USING (...)`, normalized.
    pub using: Option<String>,
    /// `WITH CHECK (...)`, normalized.
    pub check: Option<String>,
}

impl PolicyDef {
    /// Does either expression read column `col` of the policy's table?
    pub fn mentions(&self, col: &str) -> bool {
        [&self.using, &self.check]
            .into_iter()
            .flatten()
            .any(|e| expr::mentions_column(e, col))
    }

    /// The same policy reading column `to` where it read `from`. Refused (with the reason)
    /// when a subquery in an expression mentions `from`: there the name may belong to
    /// another table, and bellows does not guess.
    pub fn renamed(&self, from: &str, to: &str) -> Result<PolicyDef, String> {
        let re = |e: &Option<String>| -> Result<Option<String>, String> {
            e.as_deref()
                .map(|t| rename_in_policy_expr(t, &self.table, from, to))
                .transpose()
        };
        Ok(PolicyDef {
            using: re(&self.using)?,
            check: re(&self.check)?,
            ..self.clone()
        })
    }
}

/// Rename references to `table.from` in a policy expression: bare `from`, `t.from` and
/// `s.t.from`. Subqueries that mention `from` are refused.
fn rename_in_policy_expr(
    text: &str,
    table: &QName,
    from: &str,
    to: &str,
) -> Result<String, String> {
    let mut e = expr::parse(text)?;
    let mut in_subquery = false;
    let _ = visit_expressions(&e, |x| {
        let q = match x {
            Expr::Subquery(q) | Expr::Exists { subquery: q, .. } => Some(q),
            Expr::InSubquery { subquery, .. } => Some(subquery),
            _ => None,
        };
        if q.is_some_and(|q| expr::mentions_column(&q.to_string(), from)) {
            in_subquery = true;
            return ControlFlow::Break(());
        }
        ControlFlow::Continue(())
    });
    if in_subquery {
        return Err(format!(
            "a subquery in `{text}` mentions `{from}`, which may be a column of another table there"
        ));
    }
    let _ = visit_expressions_mut(&mut e, |x| {
        match x {
            Expr::Identifier(i) if fold(i) == from => *i = Ident::with_quote('"', to),
            Expr::CompoundIdentifier(parts) => {
                let names: Vec<String> = parts.iter().map(fold).collect();
                let ours = match names.as_slice() {
                    [t, c] => *t == table.name && c == from,
                    [s, t, c] => *s == table.schema && *t == table.name && c == from,
                    _ => false,
                };
                if ours && let Some(last) = parts.last_mut() {
                    *last = Ident::with_quote('"', to);
                }
            }
            _ => {}
        }
        ControlFlow::<()>::Continue(())
    });
    Ok(expr::normalize_expr(&e))
}

/// `CREATE POLICY` from sqlparser's AST.
pub(super) fn create(raw: &RawStatement, p: &ast::CreatePolicy) -> Result<PolicyDef, SqlError> {
    let roles =
        p.to.iter()
            .flatten()
            .map(|o| match o {
                ast::Owner::Ident(i) if fold(i) == "public" && i.quote_style.is_none() => {
                    "PUBLIC".to_string()
                }
                ast::Owner::Ident(i) => fold(i),
                ast::Owner::CurrentRole => "CURRENT_ROLE".into(),
                ast::Owner::CurrentUser => "CURRENT_USER".into(),
                ast::Owner::SessionUser => "SESSION_USER".into(),
            })
            .filter(|r| r != "PUBLIC")
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
    Ok(PolicyDef {
        name: fold(&p.name),
        table: raw.qname(&p.table_name)?,
        kind: match p.policy_type {
            Some(ast::CreatePolicyType::Restrictive) => PolicyKind::Restrictive,
            _ => PolicyKind::Permissive,
        },
        command: match p.command {
            None | Some(ast::CreatePolicyCommand::All) => PolicyCommand::All,
            Some(ast::CreatePolicyCommand::Select) => PolicyCommand::Select,
            Some(ast::CreatePolicyCommand::Insert) => PolicyCommand::Insert,
            Some(ast::CreatePolicyCommand::Update) => PolicyCommand::Update,
            Some(ast::CreatePolicyCommand::Delete) => PolicyCommand::Delete,
        },
        roles,
        using: p.using.as_ref().map(expr::normalize_expr),
        check: p.with_check.as_ref().map(expr::normalize_expr),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(using: &str) -> PolicyDef {
        PolicyDef {
            name: "own rows".into(),
            table: QName::public("docs"),
            kind: PolicyKind::Restrictive,
            command: PolicyCommand::Select,
            roles: vec!["Tenant".into(), "CURRENT_USER".into()],
            using: Some(using.into()),
            check: None,
        }
    }

    #[test]
    fn references_to_the_table_are_renamed_and_others_left() {
        let p = policy("owner = current_user AND docs.owner <> '' AND public.docs.owner IS NOT NULL AND other.owner = 1")
            .renamed("owner", "owner_name")
            .expect("renames");
        assert_eq!(
            p.using.as_deref(),
            Some(
                "\"owner_name\" = current_user AND docs.\"owner_name\" <> '' AND public.docs.\"owner_name\" IS NOT NULL AND other.owner = 1"
            )
        );
        assert!(p.mentions("owner_name"));
    }

    #[test]
    fn a_subquery_naming_the_column_is_refused() {
        let err = policy("team IN (SELECT team FROM members WHERE member = current_user)")
            .renamed("team", "team_id")
            .expect_err("refused");
        assert!(err.contains("subquery"), "{err}");
        // A subquery that does not mention it is fine.
        assert!(
            policy("team IN (SELECT t FROM members)")
                .renamed("team", "team_id")
                .is_ok()
        );
    }
}
