//! Reading the live catalog for the guard's facts: each fact that does not hold becomes a sentence, and the objects checked leave an identity (oids, row versions) so a later check can tell that nothing was swapped in between.

use sqlx::{PgConnection, Row};

use super::derive::{Fact, Known};
use crate::sql::QName;
use crate::sql::types::canonical_text;

/// What a probe found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// Facts that do not hold, one sentence each.
    pub problems: Vec<String>,
    /// One line per object checked: what it is and which catalog row version it is.
    pub identity: Vec<String>,
}

/// Check `facts` on `conn`, which must be inside a transaction: `search_path` is emptied for
/// the probe (so types print qualified, as plans spell them) and put back afterwards.
pub async fn probe(conn: &mut PgConnection, facts: &[Fact]) -> Result<Report, sqlx::Error> {
    let saved: String = sqlx::query_scalar("SELECT pg_catalog.current_setting('search_path')")
        .fetch_one(&mut *conn)
        .await?;
    sqlx::query("SELECT pg_catalog.set_config('search_path', '', true)")
        .execute(&mut *conn)
        .await?;
    let mut r = Report::default();
    for f in facts {
        one(conn, f, &mut r).await?;
    }
    sqlx::query("SELECT pg_catalog.set_config('search_path', $1, true)")
        .bind(saved)
        .execute(&mut *conn)
        .await?;
    Ok(r)
}

async fn one(conn: &mut PgConnection, f: &Fact, r: &mut Report) -> Result<(), sqlx::Error> {
    match f {
        Fact::Column {
            table,
            name,
            ty,
            not_null,
        } => {
            let row = sqlx::query(
                "SELECT pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull, a.attnum::int4 \
                 FROM pg_catalog.pg_attribute a \
                 WHERE a.attrelid = pg_catalog.to_regclass($1) AND a.attname = $2 AND NOT a.attisdropped",
            )
            .bind(table.sql())
            .bind(name)
            .fetch_optional(&mut *conn)
            .await?;
            let what = format!("column {}.{name}", table.display());
            let Some(row) = row else {
                r.problems
                    .push(format!("{what}, which holds the copy, does not exist"));
                return Ok(());
            };
            let (is, nn, num): (String, bool, i32) =
                (row.try_get(0)?, row.try_get(1)?, row.try_get(2)?);
            if canonical_text(&is) != canonical_text(ty) {
                r.problems
                    .push(format!("{what} is of type {is}, planned {ty}"));
            }
            if *not_null && !nn {
                r.problems
                    .push(format!("{what} accepts NULL, planned NOT NULL"));
            }
            r.identity.push(format!("{what} attnum {num}"));
        }
        Fact::Trigger {
            table,
            name,
            function,
        } => {
            let row = sqlx::query(
                "SELECT t.tgenabled::text, n.nspname::text, p.proname::text, t.oid::int8, t.xmin::text \
                 FROM pg_catalog.pg_trigger t JOIN pg_catalog.pg_proc p ON p.oid = t.tgfoid \
                 JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace \
                 WHERE t.tgrelid = pg_catalog.to_regclass($1) AND t.tgname = $2",
            )
            .bind(table.sql())
            .bind(name)
            .fetch_optional(&mut *conn)
            .await?;
            let what = format!("sync trigger {name} on {}", table.display());
            let Some(row) = row else {
                r.problems
                    .push(format!("{what} does not exist, so writes are not copied"));
                return Ok(());
            };
            let (enabled, schema, func, oid, xmin): (String, String, String, i64, String) = (
                row.try_get(0)?,
                row.try_get(1)?,
                row.try_get(2)?,
                row.try_get(3)?,
                row.try_get(4)?,
            );
            if !matches!(enabled.as_str(), "O" | "A") {
                r.problems.push(format!(
                    "{what} is disabled ({}), so writes are not copied",
                    match enabled.as_str() {
                        "D" => "DISABLE TRIGGER",
                        "R" => "fires only for replicas",
                        _ => "unknown state",
                    }
                ));
            }
            if QName::new(schema.clone(), func.clone()) != *function {
                r.problems.push(format!(
                    "{what} executes {schema}.{func}, planned {}",
                    function.display()
                ));
            }
            r.identity
                .push(format!("{what} oid {oid} version {xmin} state {enabled}"));
        }
        Fact::Index { index } => {
            let valid: Option<bool> = sqlx::query_scalar(
                "SELECT i.indisvalid FROM pg_catalog.pg_index i WHERE i.indexrelid = pg_catalog.to_regclass($1)",
            )
            .bind(index.sql())
            .fetch_optional(&mut *conn)
            .await?;
            match valid {
                None => r
                    .problems
                    .push(format!("index {} does not exist", index.display())),
                Some(false) => r
                    .problems
                    .push(format!("index {} is not valid", index.display())),
                Some(true) => {}
            }
        }
        Fact::Constraint {
            table,
            name,
            validated,
        } => {
            let v: Option<bool> = sqlx::query_scalar(
                "SELECT c.convalidated FROM pg_catalog.pg_constraint c \
                 WHERE c.conrelid = pg_catalog.to_regclass($1) AND c.conname = $2",
            )
            .bind(table.sql())
            .bind(name)
            .fetch_optional(&mut *conn)
            .await?;
            let what = format!("constraint {name} on {}", table.display());
            match v {
                None => r.problems.push(format!("{what} does not exist")),
                Some(false) if *validated => r.problems.push(format!("{what} is not validated")),
                Some(_) => {}
            }
        }
        Fact::NoDependants {
            table,
            column,
            known,
        } => {
            let found = dependants(conn, table, column.as_deref()).await?;
            let unplanned: Vec<String> = found
                .into_iter()
                .filter(|d| !d.accounted_for(known))
                .map(|d| d.describe)
                .collect();
            if !unplanned.is_empty() {
                let what = match column {
                    Some(c) => format!("{}.{c}", table.display()),
                    None => table.display(),
                };
                r.problems.push(format!(
                    "{} depend(s) on {what}, which the contract drops, and the plan does not account for them: {} (drop or change them first, each as its own planned change, then run again)",
                    unplanned.len(),
                    unplanned.join("; ")
                ));
            }
        }
    }
    Ok(())
}

/// An object that depends on a column or table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dependant {
    /// Which catalog it lives in.
    pub kind: DepKind,
    /// The relation it belongs to (a view's own relation for its rule).
    pub owner: Option<QName>,
    /// Its name (a rule's, constraint's, trigger's, policy's or relation's).
    pub name: String,
    /// PostgreSQL's description of it (`pg_describe_object`), or `view NAME`.
    pub describe: String,
}

/// The catalogs a dependant can live in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DepKind {
    /// A view's or a rule's query.
    Rule,
    /// A constraint of another table (a foreign key).
    Constraint,
    /// A trigger.
    Trigger,
    /// A row-level security policy.
    Policy,
    /// Another column's default or generation expression.
    Default,
    /// A sequence owned by the column.
    Sequence,
    /// A function with an SQL-standard body.
    Function,
    /// Anything else.
    Other,
}

impl DepKind {
    fn of(text: &str) -> Self {
        match text {
            "rule" => DepKind::Rule,
            "constraint" => DepKind::Constraint,
            "trigger" => DepKind::Trigger,
            "policy" => DepKind::Policy,
            "default" => DepKind::Default,
            "sequence" => DepKind::Sequence,
            "function" => DepKind::Function,
            _ => DepKind::Other,
        }
    }
}

impl Dependant {
    /// Is this one of the objects the plan itself drops or moves?
    pub fn accounted_for(&self, known: &[Known]) -> bool {
        known.iter().any(|k| match (k, self.kind) {
            (Known::Trigger { table, name }, DepKind::Trigger)
            | (Known::Constraint { table, name }, DepKind::Constraint) => {
                self.owner.as_ref() == Some(table) && self.name == *name
            }
            (Known::Sequence(s), DepKind::Sequence) => self.owner.as_ref() == Some(s),
            (Known::View(v), DepKind::Rule) => self.owner.as_ref() == Some(v),
            (Known::Policy { table, name }, DepKind::Policy) => {
                self.owner.as_ref() == Some(table) && self.name == *name
            }
            (Known::Table(t), _) => self.owner.as_ref() == Some(t),
            _ => false,
        })
    }
}

/// What depends on `table.column` (or on `table`), leaving out what belongs to the table itself
/// and goes with the column harmlessly: its indexes, its own constraints (carried over by the
/// plan, or the drift check's business), its own default, extended statistics.
pub async fn dependants(
    conn: &mut PgConnection,
    table: &QName,
    column: Option<&str>,
) -> Result<Vec<Dependant>, sqlx::Error> {
    let rows = sqlx::query(DEPENDANTS)
        .bind(table.sql())
        .bind(column)
        .fetch_all(&mut *conn)
        .await?;
    let mut out = Vec::new();
    for row in rows {
        let kind: String = row.try_get(0)?;
        let schema: Option<String> = row.try_get(1)?;
        let rel: Option<String> = row.try_get(2)?;
        let name: String = row.try_get(3)?;
        let describe: String = row.try_get(4)?;
        let own: bool = row.try_get(5)?;
        if own {
            continue;
        }
        let owner = match (schema, rel) {
            (Some(s), Some(n)) => Some(QName::new(s, n)),
            _ => None,
        };
        let kind = DepKind::of(&kind);
        let describe = match (&kind, &owner) {
            (DepKind::Rule, Some(v)) if name == "_RETURN" => format!("view {}", v.display()),
            _ => describe,
        };
        let d = Dependant {
            kind,
            owner,
            name,
            describe,
        };
        if !out.contains(&d) {
            out.push(d);
        }
    }
    Ok(out)
}

/// Dependants from `pg_depend`: for a column, normal and automatic dependencies on it; for a
/// table, normal dependencies on it or its row type. `own` marks what belongs to the table
/// and goes with it harmlessly.
const DEPENDANTS: &str = "\
WITH tgt AS (SELECT pg_catalog.to_regclass($1) AS rel), \
col AS (SELECT a.attnum FROM pg_catalog.pg_attribute a, tgt \
        WHERE a.attrelid = tgt.rel AND a.attname = $2 AND NOT a.attisdropped), \
dep AS ( \
  SELECT d.classid, d.objid, d.objsubid, d.refobjsubid FROM pg_catalog.pg_depend d, tgt \
  WHERE d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.refobjid = tgt.rel \
    AND (($2::text IS NULL AND d.deptype = 'n') \
      OR ($2::text IS NOT NULL AND d.deptype IN ('n', 'a') AND d.refobjsubid = (SELECT attnum FROM col))) \
  UNION \
  SELECT d.classid, d.objid, d.objsubid, 0 FROM pg_catalog.pg_depend d, tgt, pg_catalog.pg_class c \
  WHERE $2::text IS NULL AND c.oid = tgt.rel AND d.refclassid = 'pg_catalog.pg_type'::pg_catalog.regclass \
    AND d.refobjid = c.reltype AND d.deptype = 'n' \
), \
obj AS ( \
  SELECT dep.*, \
    CASE dep.classid \
      WHEN 'pg_catalog.pg_rewrite'::pg_catalog.regclass THEN 'rule' \
      WHEN 'pg_catalog.pg_constraint'::pg_catalog.regclass THEN 'constraint' \
      WHEN 'pg_catalog.pg_trigger'::pg_catalog.regclass THEN 'trigger' \
      WHEN 'pg_catalog.pg_policy'::pg_catalog.regclass THEN 'policy' \
      WHEN 'pg_catalog.pg_attrdef'::pg_catalog.regclass THEN 'default' \
      WHEN 'pg_catalog.pg_proc'::pg_catalog.regclass THEN 'function' \
      WHEN 'pg_catalog.pg_statistic_ext'::pg_catalog.regclass THEN 'statistics' \
      WHEN 'pg_catalog.pg_class'::pg_catalog.regclass THEN \
        CASE (SELECT relkind FROM pg_catalog.pg_class WHERE oid = dep.objid) WHEN 'S' THEN 'sequence' WHEN 'i' THEN 'index' WHEN 'I' THEN 'index' ELSE 'relation' END \
      ELSE 'other' END AS kind, \
    CASE dep.classid \
      WHEN 'pg_catalog.pg_rewrite'::pg_catalog.regclass THEN (SELECT ev_class FROM pg_catalog.pg_rewrite WHERE oid = dep.objid) \
      WHEN 'pg_catalog.pg_constraint'::pg_catalog.regclass THEN (SELECT conrelid FROM pg_catalog.pg_constraint WHERE oid = dep.objid) \
      WHEN 'pg_catalog.pg_trigger'::pg_catalog.regclass THEN (SELECT tgrelid FROM pg_catalog.pg_trigger WHERE oid = dep.objid) \
      WHEN 'pg_catalog.pg_policy'::pg_catalog.regclass THEN (SELECT polrelid FROM pg_catalog.pg_policy WHERE oid = dep.objid) \
      WHEN 'pg_catalog.pg_attrdef'::pg_catalog.regclass THEN (SELECT adrelid FROM pg_catalog.pg_attrdef WHERE oid = dep.objid) \
      WHEN 'pg_catalog.pg_statistic_ext'::pg_catalog.regclass THEN (SELECT stxrelid FROM pg_catalog.pg_statistic_ext WHERE oid = dep.objid) \
      WHEN 'pg_catalog.pg_class'::pg_catalog.regclass THEN \
        coalesce((SELECT indrelid FROM pg_catalog.pg_index WHERE indexrelid = dep.objid), dep.objid) \
      END AS owner, \
    coalesce(CASE dep.classid \
      WHEN 'pg_catalog.pg_rewrite'::pg_catalog.regclass THEN (SELECT rulename::text FROM pg_catalog.pg_rewrite WHERE oid = dep.objid) \
      WHEN 'pg_catalog.pg_constraint'::pg_catalog.regclass THEN (SELECT conname::text FROM pg_catalog.pg_constraint WHERE oid = dep.objid) \
      WHEN 'pg_catalog.pg_trigger'::pg_catalog.regclass THEN (SELECT tgname::text FROM pg_catalog.pg_trigger WHERE oid = dep.objid) \
      WHEN 'pg_catalog.pg_policy'::pg_catalog.regclass THEN (SELECT polname::text FROM pg_catalog.pg_policy WHERE oid = dep.objid) \
      WHEN 'pg_catalog.pg_class'::pg_catalog.regclass THEN (SELECT relname::text FROM pg_catalog.pg_class WHERE oid = dep.objid) \
      END, '') AS name, \
    (SELECT adnum FROM pg_catalog.pg_attrdef WHERE oid = dep.objid AND dep.classid = 'pg_catalog.pg_attrdef'::pg_catalog.regclass) AS adnum \
  FROM dep \
) \
SELECT obj.kind, n.nspname::text, c.relname::text, obj.name, \
  coalesce(pg_catalog.pg_describe_object(obj.classid, obj.objid, obj.objsubid), obj.kind), \
  coalesce(obj.owner = (SELECT rel FROM tgt) AND ( \
      ($2::text IS NULL AND obj.kind <> 'other') \
   OR obj.kind IN ('index', 'constraint', 'statistics') \
   OR (obj.kind = 'default' AND obj.adnum = obj.refobjsubid)), false) AS own \
FROM obj LEFT JOIN pg_catalog.pg_class c ON c.oid = obj.owner \
LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
ORDER BY 5";

#[cfg(test)]
mod tests {
    use super::*;

    fn dep(kind: DepKind, owner: &str, name: &str) -> Dependant {
        Dependant {
            kind,
            owner: Some(QName::new("public", owner)),
            name: name.into(),
            describe: String::new(),
        }
    }

    #[test]
    fn only_what_the_plan_drops_or_moves_is_accounted_for() {
        let known = vec![
            Known::Trigger {
                table: QName::new("public", "users"),
                name: "bellows_sync_email_upd".into(),
            },
            Known::Constraint {
                table: QName::new("public", "orders"),
                name: "orders_user_fkey".into(),
            },
            Known::Table(QName::new("public", "events")),
        ];
        assert!(dep(DepKind::Trigger, "users", "bellows_sync_email_upd").accounted_for(&known));
        assert!(!dep(DepKind::Trigger, "users", "audit").accounted_for(&known));
        assert!(dep(DepKind::Constraint, "orders", "orders_user_fkey").accounted_for(&known));
        assert!(
            !dep(DepKind::Trigger, "orders", "orders_user_fkey").accounted_for(&known),
            "kinds must match"
        );
        assert!(!dep(DepKind::Rule, "users_view", "_RETURN").accounted_for(&known));
        assert!(dep(DepKind::Rule, "events", "r").accounted_for(&known));
        assert!(!dep(DepKind::Policy, "users", "p").accounted_for(&[]));
    }

    #[test]
    fn catalog_kinds_are_a_closed_set() {
        assert_eq!(DepKind::of("policy"), DepKind::Policy);
        assert_eq!(DepKind::of("relation"), DepKind::Other);
        assert_eq!(DepKind::of("statistics"), DepKind::Other);
    }
}
