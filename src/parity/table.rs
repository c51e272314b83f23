//! One table present on both sides: its own properties, then columns, constraints,
//! indexes, triggers and policies by name.

use std::collections::BTreeMap;

use super::defs;
use super::model::{Kind, Object, ObjectType, Report};
use super::normalise;
use super::presence::presence_named;
use crate::catalog::{Catalog, Column, Index, Table};
use crate::sql::QName;

/// Differences of table `a` (in A) and `b` (in B), both called the same.
///
/// `ca` and `cb` are the catalogs they come from: a schema file resolves an unqualified
/// trigger function it does not define to `public`, where the server names the built-in
/// (`pg_catalog`); see [`trigger_function`].
pub fn compare(a: &Table, b: &Table, ca: &Catalog, cb: &Catalog, r: &mut Report) {
    let name = a.name.to_string();
    let o = Object::new(ObjectType::Table, name.clone());
    let key = |t: &Table| {
        t.partition_key
            .as_deref()
            .map_or("none".into(), normalise::partition_key)
    };
    r.differs(&o, Kind::PartitionKey, key(a), key(b));
    r.differs(
        &o,
        Kind::Parent,
        defs::parent(&a.parent),
        defs::parent(&b.parent),
    );
    r.differs(
        &o,
        Kind::RowSecurity,
        on_off(a.row_security),
        on_off(b.row_security),
    );
    r.differs(
        &o,
        Kind::ReplicaIdentity,
        a.replica_identity.sql(),
        b.replica_identity.sql(),
    );
    r.differs(
        &o,
        Kind::Grants,
        defs::grants(&a.grants),
        defs::grants(&b.grants),
    );
    r.differs(
        &o,
        Kind::Comment,
        defs::opt(&a.comment),
        defs::opt(&b.comment),
    );
    let (types_a, types_b) = (types(a), types(b));
    columns(&name, a, b, r);
    constraints(&name, (a, &types_a), (b, &types_b), r);
    indexes(&name, (&a.indexes, &types_a), (&b.indexes, &types_b), r);
    let child = |n: &String| format!("{name}.{n}");
    presence_named(&a.triggers, &b.triggers, ObjectType::Trigger, r, child);
    for (n, ta) in &a.triggers {
        if let Some(tb) = b.triggers.get(n) {
            let def = |t: &crate::catalog::Trigger, cat: &Catalog| {
                let mut s = format!("EXECUTE FUNCTION {}", trigger_function(&t.function, cat));
                if !t.update_columns.is_empty() {
                    s.push_str(&format!(" ON UPDATE OF {}", t.update_columns.join(", ")));
                }
                s
            };
            r.differs(
                &Object::new(ObjectType::Trigger, child(n)),
                Kind::TriggerDefinition,
                def(ta, ca),
                def(tb, cb),
            );
            r.differs(
                &Object::new(ObjectType::Trigger, child(n)),
                Kind::TriggerFiring,
                ta.firing.label().to_string(),
                tb.firing.label().to_string(),
            );
        }
    }
    presence_named(&a.policies, &b.policies, ObjectType::Policy, r, child);
    for (n, pa) in &a.policies {
        if let Some(pb) = b.policies.get(n) {
            r.differs(
                &Object::new(ObjectType::Policy, child(n)),
                Kind::PolicyDefinition,
                defs::policy(pa),
                defs::policy(pb),
            );
        }
    }
}

/// A trigger's function. A schema file (no server version) resolves an unqualified name it
/// does not define to `public`; the only function it can then be is the built-in one, which
/// a server names `pg_catalog.NAME`.
fn trigger_function(f: &QName, cat: &Catalog) -> String {
    if cat.server_version.is_none() && f.schema == "public" && !cat.functions.contains(f) {
        format!("pg_catalog.{}", f.name)
    } else {
        f.to_string()
    }
}

fn on_off(b: bool) -> String {
    if b { "enabled" } else { "disabled" }.into()
}

fn columns(table: &str, a: &Table, b: &Table, r: &mut Report) {
    fn by_name(t: &Table) -> BTreeMap<&str, &Column> {
        t.columns.iter().map(|c| (c.name.as_str(), c)).collect()
    }
    let (ca, cb) = (by_name(a), by_name(b));
    let child = |n: &&str| format!("{table}.{n}");
    presence_named(&ca, &cb, ObjectType::Column, r, child);
    for (n, x) in &ca {
        let Some(y) = cb.get(n) else { continue };
        let o = Object::new(ObjectType::Column, child(n));
        r.differs(&o, Kind::ColumnType, x.ty.clone(), y.ty.clone());
        r.differs(
            &o,
            Kind::Nullability,
            x.not_null.to_string(),
            y.not_null.to_string(),
        );
        let default = |c: &Column| {
            c.default
                .as_deref()
                .map(|d| normalise::default(d, &c.ty))
                .unwrap_or_else(|| "none".into())
        };
        r.differs(&o, Kind::Default, default(x), default(y));
        r.differs(
            &o,
            Kind::Collation,
            defs::opt(&x.collation),
            defs::opt(&y.collation),
        );
        let identity = |c: &Column| c.identity.map_or("none", |i| i.sql()).to_string();
        r.differs(&o, Kind::Identity, identity(x), identity(y));
        let generated = |c: &Column| {
            c.generated
                .as_deref()
                .map_or("none".into(), normalise::expr)
        };
        r.differs(&o, Kind::Generated, generated(x), generated(y));
        r.differs(
            &o,
            Kind::Comment,
            defs::opt(&x.comment),
            defs::opt(&y.comment),
        );
    }
}

/// Constraints of table `table`, each side with its column types (for literal casts).
fn constraints(
    table: &str,
    (a, ta): (&Table, &[String]),
    (b, tb): (&Table, &[String]),
    r: &mut Report,
) {
    let child = |n: &String| format!("{table}.{n}");
    presence_named(
        &a.constraints,
        &b.constraints,
        ObjectType::Constraint,
        r,
        child,
    );
    for (n, x) in &a.constraints {
        let Some(y) = b.constraints.get(n) else {
            continue;
        };
        let o = Object::new(ObjectType::Constraint, format!("{table}.{n}"));
        r.differs(
            &o,
            Kind::ConstraintDefinition,
            defs::constraint(&x.kind, ta),
            defs::constraint(&y.kind, tb),
        );
        let valid = |v: bool| if v { "valid" } else { "NOT VALID" }.to_string();
        r.differs(&o, Kind::Validated, valid(x.validated), valid(y.validated));
        r.differs(
            &o,
            Kind::Deferrable,
            defs::deferral(x.kind.deferral()),
            defs::deferral(y.kind.deferral()),
        );
        r.differs(
            &o,
            Kind::Comment,
            defs::opt(&x.comment),
            defs::opt(&y.comment),
        );
    }
}

/// The types of `t`'s columns.
fn types(t: &Table) -> Vec<String> {
    t.columns.iter().map(|c| c.ty.clone()).collect()
}

/// Indexes of the table (or materialized view) called `owner`, each side with its column
/// types (for literal casts in predicates).
pub fn indexes(
    owner: &str,
    (a, ta): (&BTreeMap<String, Index>, &[String]),
    (b, tb): (&BTreeMap<String, Index>, &[String]),
    r: &mut Report,
) {
    let child = |n: &String| format!("{owner}.{n}");
    presence_named(a, b, ObjectType::Index, r, child);
    for (n, x) in a {
        let Some(y) = b.get(n) else { continue };
        let o = Object::new(ObjectType::Index, format!("{owner}.{n}"));
        r.differs(&o, Kind::IndexDefinition, defs::index(x), defs::index(y));
        let pred = |i: &Index, types: &[String]| {
            i.predicate.as_deref().map_or("none".into(), |p| {
                normalise::casts_to(&normalise::expr(p), types)
            })
        };
        r.differs(&o, Kind::IndexPredicate, pred(x, ta), pred(y, tb));
        let valid = |v: bool| if v { "valid" } else { "invalid" }.to_string();
        r.differs(&o, Kind::IndexValid, valid(x.valid), valid(y.valid));
        r.differs(
            &o,
            Kind::Comment,
            defs::opt(&x.comment),
            defs::opt(&y.comment),
        );
    }
}
