//! Whether the state schema can be trusted: its records decide which steps are skipped, so
//! it must be owned by the role that runs the plan and writable by nobody else (neither the
//! schema nor any table or column in it). Anything else is refused with the fix.

use sqlx::PgExecutor;

use super::error::ExecError;

/// Privileges that let a role change what the state tables say.
const WRITE_PRIVILEGES: &str = "'INSERT','UPDATE','DELETE','TRUNCATE','TRIGGER'";

/// Objects in schema `bellows` owned by another role: (object, owner), and the role that
/// runs the plan.
const OWNERS_SQL: &str = "SELECT 'schema bellows', pg_get_userbyid(n.nspowner)::text FROM pg_namespace n \
     WHERE n.nspname = 'bellows' AND n.nspowner <> (SELECT oid FROM pg_roles WHERE rolname = current_user) \
     UNION ALL SELECT 'bellows.' || quote_ident(c.relname), pg_get_userbyid(c.relowner)::text \
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
     WHERE n.nspname = 'bellows' AND c.relowner <> (SELECT oid FROM pg_roles WHERE rolname = current_user) \
     ORDER BY 1";

/// A grantee as SQL names it.
const GRANTEE: &str =
    "CASE WHEN g.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(g.grantee)::text) END";

/// Grants in schema `bellows` that let another role write: (object, grantee, privilege).
fn grants_sql() -> String {
    format!(
        "SELECT 'SCHEMA bellows', {GRANTEE}, g.privilege_type FROM pg_namespace n, aclexplode(n.nspacl) g \
         WHERE n.nspname = 'bellows' AND g.grantee <> n.nspowner AND g.privilege_type = 'CREATE' \
         UNION ALL SELECT 'TABLE bellows.' || quote_ident(c.relname), {GRANTEE}, g.privilege_type \
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace, aclexplode(c.relacl) g \
         WHERE n.nspname = 'bellows' AND g.grantee <> c.relowner AND g.privilege_type IN ({WRITE_PRIVILEGES}) \
         UNION ALL SELECT 'TABLE bellows.' || quote_ident(c.relname), {GRANTEE}, g.privilege_type \
         FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace, \
         aclexplode(a.attacl) g \
         WHERE n.nspname = 'bellows' AND g.grantee <> c.relowner AND g.privilege_type IN ({WRITE_PRIVILEGES}) \
         ORDER BY 1, 2, 3"
    )
}

/// A grant that lets another role write state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    /// `SCHEMA bellows` or `TABLE bellows.x`.
    pub object: String,
    /// The role (`PUBLIC` for everyone), quoted for SQL.
    pub grantee: String,
    /// The privilege.
    pub privilege: String,
}

/// Why the state schema cannot be trusted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Distrust {
    /// Objects owned by other roles: (object, owner).
    Owners(Vec<(String, String)>),
    /// Grants that let other roles write.
    Grants(Vec<Grant>),
}

impl Distrust {
    /// The refusal, with what to do.
    pub fn message(&self, me: &str) -> String {
        let me_q = crate::sql::quote_ident(me);
        match self {
            Distrust::Owners(list) => {
                let who: Vec<String> = list
                    .iter()
                    .map(|(o, r)| format!("{o} (owned by {r})"))
                    .collect();
                format!(
                    "the state schema bellows is not owned by {me_q}, who runs this plan: {}. \
                     Its records decide which steps are skipped and cannot be trusted, so nothing was changed. \
                     Check what it holds; then either drop it (DROP SCHEMA bellows CASCADE, which forgets the progress \
                     of every plan in this database) or, if those roles are trusted, give it to {me_q} \
                     (ALTER SCHEMA bellows OWNER TO {me_q}, and ALTER TABLE ... OWNER TO {me_q} for each table)",
                    who.join(", ")
                )
            }
            Distrust::Grants(list) => {
                let what: Vec<String> = list
                    .iter()
                    .map(|g| format!("{} on {} to {}", g.privilege, g.object, g.grantee))
                    .collect();
                let fix: Vec<String> = revokes(list);
                format!(
                    "the state schema bellows can be written by other roles ({}): anyone of them could mark steps done, \
                     so its records cannot be trusted and nothing was changed. Check what it holds; then revoke: {}",
                    what.join(", "),
                    fix.join("; ")
                )
            }
        }
    }
}

/// `REVOKE` statements that withdraw `grants`.
pub fn revokes(grants: &[Grant]) -> Vec<String> {
    let mut out: Vec<String> = grants
        .iter()
        .map(|g| {
            let what = if g.object.starts_with("SCHEMA") {
                "CREATE"
            } else {
                "ALL"
            };
            format!("REVOKE {what} ON {} FROM {}", g.object, g.grantee)
        })
        .collect();
    out.dedup();
    out
}

/// The grants on the state schema that let other roles write (read on `conn`).
pub async fn grants<'e>(conn: impl PgExecutor<'e>) -> Result<Vec<Grant>, sqlx::Error> {
    let rows: Vec<(String, String, String)> = sqlx::query_as(sqlx::AssertSqlSafe(grants_sql()))
        .fetch_all(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(object, grantee, privilege)| Grant {
            object,
            grantee,
            privilege,
        })
        .collect())
}

/// Is the state schema (when it exists) owned by the role that runs the plan, and writable
/// by nobody else? `Ok(None)` when it can be trusted or does not exist.
pub async fn check(conn: &mut sqlx::PgConnection) -> Result<Option<Distrust>, sqlx::Error> {
    let owners: Vec<(String, String)> = sqlx::query_as(OWNERS_SQL).fetch_all(&mut *conn).await?;
    if !owners.is_empty() {
        return Ok(Some(Distrust::Owners(owners)));
    }
    let list = grants(&mut *conn).await?;
    Ok((!list.is_empty()).then_some(Distrust::Grants(list)))
}

/// Refuse an untrusted state schema (exit 2, nothing changed).
pub async fn require(
    conn: &mut sqlx::PgConnection,
    target: &crate::env::Target,
) -> Result<(), ExecError> {
    let db = |e: sqlx::Error| {
        super::session::db_err(
            target,
            "cannot check the state schema's owner and grants",
            &e,
        )
    };
    if let Some(d) = check(conn).await.map_err(db)? {
        let me: String = sqlx::query_scalar("SELECT current_user::text")
            .fetch_one(&mut *conn)
            .await
            .map_err(db)?;
        return Err(ExecError::Precondition(d.message(&me)));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_refusals_say_what_to_run() {
        let g = vec![
            Grant {
                object: "SCHEMA bellows".into(),
                grantee: "PUBLIC".into(),
                privilege: "CREATE".into(),
            },
            Grant {
                object: "TABLE bellows.steps".into(),
                grantee: "PUBLIC".into(),
                privilege: "INSERT".into(),
            },
            Grant {
                object: "TABLE bellows.steps".into(),
                grantee: "PUBLIC".into(),
                privilege: "UPDATE".into(),
            },
        ];
        let m = Distrust::Grants(g).message("deployer");
        assert!(m.contains("REVOKE CREATE ON SCHEMA bellows FROM PUBLIC; REVOKE ALL ON TABLE bellows.steps FROM PUBLIC"), "{m}");
        assert!(m.contains("nothing was changed"), "{m}");
        let m =
            Distrust::Owners(vec![("schema bellows".into(), "mallory".into())]).message("Deployer");
        assert!(m.contains("owned by mallory"), "{m}");
        assert!(
            m.contains("ALTER SCHEMA bellows OWNER TO \"Deployer\""),
            "{m}"
        );
        assert!(m.contains("DROP SCHEMA bellows CASCADE"), "{m}");
    }
}
