//! Row-level-security policies: `CREATE POLICY` written back from the catalog, `DROP POLICY`.

use crate::sql::policy::{PolicyDef, PolicyKind};
use crate::sql::quote_ident as q;

/// Role keywords written unquoted.
const ROLE_KEYWORDS: [&str; 4] = ["PUBLIC", "CURRENT_USER", "CURRENT_ROLE", "SESSION_USER"];

/// The `CREATE POLICY` statement that makes `p` (name, kind, command, roles, expressions).
pub fn create_policy(p: &PolicyDef) -> String {
    let roles: Vec<String> = if p.roles.is_empty() {
        vec!["PUBLIC".into()]
    } else {
        p.roles
            .iter()
            .map(|r| {
                if ROLE_KEYWORDS.contains(&r.as_str()) {
                    r.clone()
                } else {
                    q(r)
                }
            })
            .collect()
    };
    let mut s = format!(
        "CREATE POLICY {} ON {} AS {} FOR {} TO {}",
        q(&p.name),
        p.table.sql(),
        match p.kind {
            PolicyKind::Permissive => "PERMISSIVE",
            PolicyKind::Restrictive => "RESTRICTIVE",
        },
        p.command.sql(),
        roles.join(", ")
    );
    if let Some(u) = &p.using {
        s.push_str(&format!(" USING ({u})"));
    }
    if let Some(c) = &p.check {
        s.push_str(&format!(" WITH CHECK ({c})"));
    }
    s
}

/// `DROP POLICY "p" ON "s"."t"`.
pub fn drop_policy(p: &PolicyDef) -> String {
    format!("DROP POLICY {} ON {}", q(&p.name), p.table.sql())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::QName;
    use crate::sql::policy::PolicyCommand;

    #[test]
    fn the_statement_is_written_back_with_quoted_names() {
        let p = PolicyDef {
            name: "own rows".into(),
            table: QName::public("docs"),
            kind: PolicyKind::Restrictive,
            command: PolicyCommand::Select,
            roles: vec!["Tenant".into(), "CURRENT_USER".into()],
            using: Some("owner = current_user".into()),
            check: None,
        };
        assert_eq!(
            create_policy(&p),
            "CREATE POLICY \"own rows\" ON \"public\".\"docs\" AS RESTRICTIVE FOR SELECT TO \"Tenant\", CURRENT_USER USING (owner = current_user)"
        );
        assert_eq!(
            drop_policy(&p),
            "DROP POLICY \"own rows\" ON \"public\".\"docs\""
        );
    }
}
