//! The rehearsal's starting point: a template database in the throwaway cluster holding the
//! schema (roles it names created first) and synthetic rows. Every run of the rehearsal
//! starts from a copy of it (`CREATE DATABASE ... TEMPLATE`), so each copy is identical.

use std::path::Path;

use super::error::RehearseError;
use crate::catalog::{Catalog, ConstraintKind};
use crate::env::Target;
use crate::executor::seed::{self, Seeded};
use crate::pgtemp::TempCluster;
use crate::plan::Plan;
use crate::synth;

/// The template database every copy is made from.
pub const TEMPLATE: &str = "bellows_rehearsal_base";

/// Most roles a schema file may name before loading gives up.
const MAX_ROLES: usize = 200;

/// The template, ready: its catalog, the catalog the plan leads to, the catalog its rows
/// were made from, and each table's outcome.
pub struct Prepared {
    /// The schema as loaded.
    pub before: Catalog,
    /// The schema the plan leads to.
    pub after: Catalog,
    /// What the synthetic rows satisfy ([`seed_catalog`]).
    pub seed: Catalog,
    /// Each table's rows, or why it has none.
    pub seeded: Vec<Seeded>,
}

/// Create the template: the roles `schema` names (as NOLOGIN roles), the schema, then
/// `rows` synthetic rows per table that also satisfy what `plan` adds.
pub async fn prepare(
    cluster: &TempCluster,
    schema: &Path,
    plan: &Plan,
    settings: &synth::Settings,
) -> Result<Prepared, RehearseError> {
    load_schema(cluster, schema)?;
    let url = cluster.url(TEMPLATE);
    let target = Target::parse(&url).map_err(|e| RehearseError::db("the template URL", e))?;
    let before = crate::catalog::live::introspect_target(&target)
        .await
        .map_err(|e| RehearseError::Catalog(e.to_string()))?;
    let after = super::after_plan(plan, &before);
    let cat = seed_catalog(&before, &after);
    let plans = synth::plan(&cat, settings);
    let seeded = seed::seed(&target, &plans)
        .await
        .map_err(|e| RehearseError::db("synthetic rows", e))?;
    cluster.psql(TEMPLATE, "ANALYZE")?;
    Ok(Prepared {
        before,
        after,
        seed: cat,
        seeded,
    })
}

/// The catalog synthetic rows are made from: `before`'s tables and columns, plus what the
/// plan's premise says the rows already satisfy: the CHECK, UNIQUE, PRIMARY KEY and FOREIGN
/// KEY constraints and unique indexes `after` adds over existing columns, and for a text
/// column the plan converts to another type (an enum, a number), values of that type.
pub fn seed_catalog(before: &Catalog, after: &Catalog) -> Catalog {
    let mut seed = before.clone();
    for (name, t) in seed.tables.iter_mut() {
        let Some(a) = after.tables.get(name) else {
            continue;
        };
        let new_columns: Vec<&str> = a
            .columns
            .iter()
            .filter(|c| t.column(&c.name).is_none())
            .map(|c| c.name.as_str())
            .collect();
        for (cn, c) in &a.constraints {
            let mentions_new = match &c.kind {
                ConstraintKind::Check { expr } => new_columns.iter().any(|n| mentions(expr, n)),
                _ => false,
            };
            if !t.constraints.contains_key(cn) && !mentions_new {
                t.constraints.insert(cn.clone(), c.clone());
            }
        }
        for (iname, i) in &a.indexes {
            if i.unique && !t.indexes.contains_key(iname) {
                t.indexes.insert(iname.clone(), i.clone());
            }
        }
        for c in t.columns.iter_mut() {
            if let Some(ac) = a.column(&c.name)
                && ac.ty != c.ty
                && is_text(&c.ty)
            {
                c.ty = ac.ty.clone();
            }
        }
    }
    for (n, labels) in &after.enums {
        seed.enums
            .entry(n.clone())
            .or_insert_with(|| labels.clone());
    }
    seed
}

/// Whether `expr` names `column` as a whole word (quoted or not).
fn mentions(expr: &str, column: &str) -> bool {
    let bytes = expr.as_bytes();
    expr.match_indices(column).any(|(i, _)| {
        let before = i.checked_sub(1).map(|j| bytes[j]);
        let after = bytes.get(i + column.len()).copied();
        let word = |b: Option<u8>| b.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_');
        !word(before) && !word(after)
    })
}

/// Text types, whose values any type's text form converts into on INSERT.
fn is_text(ty: &str) -> bool {
    let t = ty.to_ascii_lowercase();
    t == "text" || t.starts_with("character varying") || t.starts_with("varchar")
}

/// Load `schema` into a fresh template database, creating each missing role it names
/// (a `pg_dump` file grants to and is owned by roles that live outside it).
fn load_schema(cluster: &TempCluster, schema: &Path) -> Result<(), RehearseError> {
    for _ in 0..MAX_ROLES {
        let _ = cluster.drop_database(TEMPLATE);
        cluster.create_database(TEMPLATE)?;
        let error = match cluster.psql_file(TEMPLATE, schema) {
            Ok(_) => return Ok(()),
            Err(e) => e.to_string(),
        };
        match missing_role(&error) {
            Some(role) => {
                cluster.psql(
                    "postgres",
                    &format!("CREATE ROLE {} NOLOGIN", crate::sql::quote_ident(&role)),
                )?;
            }
            None => {
                return Err(RehearseError::Schema {
                    file: schema.display().to_string(),
                    error: first_error(&error),
                });
            }
        }
    }
    Err(RehearseError::Schema {
        file: schema.display().to_string(),
        error: format!("it names more than {MAX_ROLES} roles that do not exist"),
    })
}

/// The role of psql's `role "x" does not exist`.
fn missing_role(error: &str) -> Option<String> {
    let (_, rest) = error.split_once("role \"")?;
    let (name, tail) = rest.split_once('"')?;
    tail.trim_start()
        .starts_with("does not exist")
        .then(|| name.to_string())
}

/// psql's first `ERROR:` line (with the file and line psql names), or the whole text.
fn first_error(text: &str) -> String {
    text.lines()
        .find(|l| l.contains("ERROR:"))
        .unwrap_or(text)
        .trim()
        .to_string()
}

/// Make database `name` a fresh copy of the template; its URL.
pub fn copy(cluster: &TempCluster, name: &str) -> Result<String, RehearseError> {
    let _ = cluster.drop_database(name);
    cluster.psql(
        "postgres",
        &format!(
            "CREATE DATABASE {} TEMPLATE {}",
            crate::sql::quote_ident(name),
            crate::sql::quote_ident(TEMPLATE)
        ),
    )?;
    Ok(cluster.url(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_role_is_read_from_psqls_message() {
        let e = "psql:/tmp/s.sql:120: ERROR:  role \"helpdesk_app\" does not exist";
        assert_eq!(missing_role(e).as_deref(), Some("helpdesk_app"));
        assert_eq!(missing_role("ERROR:  relation \"x\" does not exist"), None);
        assert!(mentions("(\"email_address\" <> '')", "email_address"));
        assert!(!mentions("(email_address2 <> '')", "email_address"));
        assert_eq!(
            first_error("NOTICE: x\npsql:s.sql:3: ERROR:  syntax error\n"),
            "psql:s.sql:3: ERROR:  syntax error"
        );
    }
}
