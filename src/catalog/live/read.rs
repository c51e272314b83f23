//! Running the catalog queries and folding their rows into a [`Catalog`].

use std::collections::{BTreeMap, BTreeSet, HashMap};

use sqlx::postgres::types::Oid;
use sqlx::postgres::{PgConnection, PgRow, Postgres};
use sqlx::{AssertSqlSafe, Decode, Row, Type};

use super::decode;
use super::queries::Version;
use crate::catalog::error::CatalogError;
use crate::catalog::model::*;
use crate::sql::types::{canonical_text, quote_if_needed};
use crate::sql::{QName, expr};

type R<T> = Result<T, CatalogError>;

/// User relations by oid, by kind.
#[derive(Debug, Default)]
pub(super) struct Relations {
    /// Tables (plain and partitioned).
    pub tables: HashMap<u32, QName>,
    /// Views and materialized views.
    pub views: HashMap<u32, QName>,
    /// Sequences.
    pub sequences: HashMap<u32, QName>,
}

fn oids(map: &HashMap<u32, QName>) -> Vec<Oid> {
    let mut v: Vec<Oid> = map.keys().map(|&o| Oid(o)).collect();
    v.sort_by_key(|o| o.0);
    v
}

/// Run `sql` (with the relation oids as `$1`, when given) and return its rows.
pub(super) async fn fetch(
    conn: &mut PgConnection,
    what: &str,
    sql: String,
    rels: Option<&HashMap<u32, QName>>,
) -> R<Vec<PgRow>> {
    // The text is assembled only from this module's constant fragments.
    let mut q = sqlx::query(AssertSqlSafe(sql));
    if let Some(rels) = rels {
        q = q.bind(oids(rels));
    }
    q.fetch_all(conn)
        .await
        .map_err(|e| CatalogError::Database(format!("reading {what}: {e}")))
}

/// One column of a row, with the column named in the error.
pub(super) fn get<'r, T>(row: &'r PgRow, col: &str) -> R<T>
where
    T: Decode<'r, Postgres> + Type<Postgres>,
{
    row.try_get(col)
        .map_err(|e| CatalogError::Database(format!("decoding column {col}: {e}")))
}

pub(super) fn oid(row: &PgRow, col: &str) -> R<u32> {
    get::<Oid>(row, col).map(|o| o.0)
}

/// Schemas, then every relation; tables, views and sequences are created empty.
pub(super) async fn relations(
    conn: &mut PgConnection,
    v: Version,
    cat: &mut Catalog,
) -> R<Relations> {
    for row in fetch(conn, "schemas", v.schemas(), None).await? {
        cat.schemas.insert(get(&row, "name")?);
    }
    let mut rels = Relations::default();
    for row in fetch(conn, "relations", v.relations(), None).await? {
        let name = QName::new(get::<String>(&row, "schema")?, get::<String>(&row, "name")?);
        let oid = oid(&row, "oid")?;
        match get::<String>(&row, "kind")?.as_str() {
            "r" | "p" => {
                let mut t = Table::new(name.clone());
                t.row_estimate = decode::row_estimate(get(&row, "reltuples")?);
                t.row_security = get(&row, "row_security")?;
                t.comment = get(&row, "comment")?;
                t.replica_identity = decode::replica_identity(
                    &get::<String>(&row, "replident")?,
                    get(&row, "replident_index")?,
                );
                cat.tables.insert(name.clone(), t);
                rels.tables.insert(oid, name);
            }
            kind @ ("v" | "m") => {
                cat.views.insert(
                    name.clone(),
                    View {
                        name: name.clone(),
                        materialized: kind == "m",
                        depends: Default::default(),
                        definition: get(&row, "definition")?,
                        reads_views: Default::default(),
                        indexes: Default::default(),
                        options: decode::view_options(get(&row, "options")?),
                        comment: get(&row, "comment")?,
                    },
                );
                rels.views.insert(oid, name);
            }
            _ => {
                let seq = Sequence {
                    comment: get(&row, "comment")?,
                    increment: get(&row, "seq_increment")?,
                    data_type: get(&row, "seq_type")?,
                    ..Sequence::default()
                };
                cat.sequences.insert(name.clone(), seq);
                rels.sequences.insert(oid, name);
            }
        }
    }
    Ok(rels)
}

/// The table a row's `rel` column names, if it is one of ours.
pub(super) fn table_of<'c>(
    cat: &'c mut Catalog,
    rels: &Relations,
    row: &PgRow,
) -> R<Option<&'c mut Table>> {
    let rel = oid(row, "rel")?;
    Ok(rels.tables.get(&rel).and_then(|n| cat.tables.get_mut(n)))
}

/// Table and sequence privileges granted to roles other than the owner.
pub(super) async fn grants(
    conn: &mut PgConnection,
    v: Version,
    rels: &Relations,
    cat: &mut Catalog,
) -> R<()> {
    for row in fetch(conn, "grants", v.grants(), Some(&rels.tables)).await? {
        let Some(t) = table_of(cat, rels, &row)? else {
            continue;
        };
        let grantee = get::<Option<String>>(&row, "grantee")?.unwrap_or_else(|| "PUBLIC".into());
        t.grants
            .entry(grantee)
            .or_default()
            .insert(get(&row, "privilege")?);
    }
    for row in fetch(conn, "sequence grants", v.grants(), Some(&rels.sequences)).await? {
        let rel = oid(&row, "rel")?;
        let Some(s) = rels
            .sequences
            .get(&rel)
            .and_then(|n| cat.sequences.get_mut(n))
        else {
            continue;
        };
        let grantee = get::<Option<String>>(&row, "grantee")?.unwrap_or_else(|| "PUBLIC".into());
        s.grants
            .entry(grantee)
            .or_default()
            .insert(get(&row, "privilege")?);
    }
    Ok(())
}

/// Columns in physical order.
pub(super) async fn columns(
    conn: &mut PgConnection,
    v: Version,
    rels: &Relations,
    cat: &mut Catalog,
) -> R<()> {
    for row in fetch(conn, "columns", v.columns(), Some(&rels.tables)).await? {
        let Some(t) = table_of(cat, rels, &row)? else {
            continue;
        };
        let expression = get::<Option<String>>(&row, "default_expr")?.map(|e| expr::normalize(&e));
        let is_generated = get::<String>(&row, "generated")? == "s";
        t.columns.push(Column {
            name: get(&row, "name")?,
            ty: canonical_text(&get::<String>(&row, "ty")?),
            not_null: get(&row, "not_null")?,
            default: if is_generated {
                None
            } else {
                expression.clone()
            },
            identity: decode::identity(&get::<String>(&row, "identity")?),
            generated: if is_generated { expression } else { None },
            collation: get(&row, "collation")?,
            comment: get(&row, "comment")?,
            statistics: get(&row, "statistics")?,
            storage: get::<Option<String>>(&row, "storage")?
                .as_deref()
                .and_then(Storage::parse),
            compression: get::<Option<String>>(&row, "compression")?
                .as_deref()
                .and_then(Compression::parse),
        });
    }
    Ok(())
}

/// PRIMARY KEY, UNIQUE, CHECK, FOREIGN KEY and EXCLUDE constraints.
pub(super) async fn constraints(
    conn: &mut PgConnection,
    v: Version,
    rels: &Relations,
    cat: &mut Catalog,
) -> R<()> {
    for row in fetch(conn, "constraints", v.constraints(), Some(&rels.tables)).await? {
        let Some(t) = table_of(cat, rels, &row)? else {
            continue;
        };
        let name: String = get(&row, "name")?;
        let columns: Vec<String> = get(&row, "columns")?;
        let deferral = decode::deferral(get(&row, "deferrable")?, get(&row, "deferred")?);
        let index = KeyIndex {
            include: get(&row, "include")?,
            with: get(&row, "with_options")?,
        };
        let kind = match get::<String>(&row, "kind")?.as_str() {
            "p" => ConstraintKind::PrimaryKey {
                columns,
                index,
                deferral,
            },
            "u" => ConstraintKind::Unique {
                columns,
                nulls_not_distinct: get(&row, "nulls_not_distinct")?,
                index,
                deferral,
            },
            "c" => ConstraintKind::Check {
                expr: decode::check_expr(&get::<String>(&row, "definition")?),
            },
            "f" => ConstraintKind::ForeignKey {
                columns,
                ref_table: QName::new(
                    get::<Option<String>>(&row, "ref_schema")?.unwrap_or_default(),
                    get::<Option<String>>(&row, "ref_name")?.unwrap_or_default(),
                ),
                ref_columns: get(&row, "ref_columns")?,
                on_delete: decode::fk_action(&get::<String>(&row, "on_delete")?),
                on_update: decode::fk_action(&get::<String>(&row, "on_update")?),
                delete_set_columns: get(&row, "delete_set_columns")?,
                match_full: get::<String>(&row, "match_type")? == "f",
                deferral,
            },
            _ => ConstraintKind::Exclude {
                definition: get(&row, "definition")?,
            },
        };
        t.constraints.insert(
            name.clone(),
            Constraint {
                name,
                kind,
                validated: get(&row, "validated")?,
                comment: get(&row, "comment")?,
            },
        );
    }
    Ok(())
}

/// Indexes with their keys, INCLUDE columns and predicates.
pub(super) async fn indexes(
    conn: &mut PgConnection,
    v: Version,
    rels: &Relations,
    cat: &mut Catalog,
) -> R<()> {
    // Tables and materialized views: both have indexes.
    let mut owners = rels.tables.clone();
    owners.extend(
        rels.views
            .iter()
            .filter(|(_, n)| cat.views.get(*n).is_some_and(|v| v.materialized))
            .map(|(o, n)| (*o, n.clone())),
    );
    // Index oid → (table or materialized view, index name, number of key columns).
    let mut found: HashMap<u32, (QName, String, usize)> = HashMap::new();
    for row in fetch(conn, "indexes", v.indexes(), Some(&owners)).await? {
        let rel = oid(&row, "rel")?;
        let Some(table) = owners.get(&rel) else {
            continue;
        };
        let Some(indexes) = index_map(cat, table) else {
            continue;
        };
        let name: String = get(&row, "name")?;
        let nkey = usize::try_from(get::<i32>(&row, "nkey")?).unwrap_or(0);
        found.insert(oid(&row, "idx")?, (table.clone(), name.clone(), nkey));
        indexes.insert(
            name.clone(),
            Index {
                name,
                unique: get(&row, "is_unique")?,
                method: get(&row, "method")?,
                keys: Vec::new(),
                include: Vec::new(),
                nulls_not_distinct: get(&row, "nulls_not_distinct")?,
                with: get(&row, "with_options")?,
                predicate: get::<Option<String>>(&row, "predicate")?.map(|p| expr::normalize(&p)),
                valid: get(&row, "valid")?,
                constraint: get(&row, "constraint_name")?,
                comment: get(&row, "comment")?,
            },
        );
    }
    for row in fetch(conn, "index columns", v.index_columns(), Some(&owners)).await? {
        let Some((table, name, nkey)) = found.get(&oid(&row, "idx")?) else {
            continue;
        };
        let Some(ix) = index_map(cat, table).and_then(|m| m.get_mut(name)) else {
            continue;
        };
        let position = usize::try_from(get::<i32>(&row, "position")?).unwrap_or(0);
        let column: Option<String> = get(&row, "column_name")?;
        if position > *nkey {
            ix.include.extend(column);
            continue;
        }
        let attnum: i32 = get(&row, "attnum")?;
        let (column, expr) = match column {
            Some(c) if attnum != 0 => (Some(c.clone()), quote_if_needed(&c)),
            _ => (
                None,
                expr::normalize(&get::<Option<String>>(&row, "expr")?.unwrap_or_default()),
            ),
        };
        let opclass = match get::<Option<bool>>(&row, "opclass_default")? {
            Some(false) => get::<Option<String>>(&row, "opclass")?.map(|o| o.to_lowercase()),
            _ => None,
        };
        let (desc, nulls_first) = decode::sort_order(get(&row, "options")?);
        ix.keys.push(IndexKey {
            expr,
            column,
            collation: get(&row, "collation")?,
            opclass,
            desc,
            nulls_first,
            statistics: get(&row, "statistics")?,
        });
    }
    Ok(())
}

/// The indexes of a table or a materialized view.
fn index_map<'c>(cat: &'c mut Catalog, rel: &QName) -> Option<&'c mut BTreeMap<String, Index>> {
    if let Some(t) = cat.tables.get_mut(rel) {
        return Some(&mut t.indexes);
    }
    cat.views.get_mut(rel).map(|v| &mut v.indexes)
}

/// Triggers that users created (not the ones behind foreign keys).
pub(super) async fn triggers(
    conn: &mut PgConnection,
    v: Version,
    rels: &Relations,
    cat: &mut Catalog,
) -> R<()> {
    for row in fetch(conn, "triggers", v.triggers(), Some(&rels.tables)).await? {
        let Some(t) = table_of(cat, rels, &row)? else {
            continue;
        };
        let name: String = get(&row, "name")?;
        t.triggers.insert(
            name.clone(),
            Trigger {
                name,
                function: QName::new(
                    get::<String>(&row, "fn_schema")?,
                    get::<String>(&row, "fn_name")?,
                ),
                update_columns: get(&row, "update_columns")?,
                firing: crate::catalog::model::TriggerFiring::from_code(&get::<String>(
                    &row, "enabled",
                )?),
            },
        );
    }
    Ok(())
}

/// Row-level-security policies, with their expressions as `pg_get_expr()` prints them.
pub(super) async fn policies(
    conn: &mut PgConnection,
    v: Version,
    rels: &Relations,
    cat: &mut Catalog,
) -> R<()> {
    for row in fetch(conn, "policies", v.policies(), Some(&rels.tables)).await? {
        let Some(t) = table_of(cat, rels, &row)? else {
            continue;
        };
        let name: String = get(&row, "name")?;
        let code: String = get(&row, "command")?;
        let command = PolicyCommand::from_code(&code).ok_or_else(|| {
            CatalogError::Database(format!("policy {name}: unknown command code {code}"))
        })?;
        let kind = if get(&row, "permissive")? {
            PolicyKind::Permissive
        } else {
            PolicyKind::Restrictive
        };
        let text = |col: &str| -> R<Option<String>> {
            Ok(get::<Option<String>>(&row, col)?.map(|e| expr::normalize(&e)))
        };
        let policy = PolicyDef {
            name: name.clone(),
            table: t.name.clone(),
            kind,
            command,
            roles: get(&row, "roles")?,
            using: text("using_expr")?,
            check: text("check_expr")?,
        };
        t.policies.insert(name, policy);
    }
    Ok(())
}

/// The table columns each view uses, from its rewrite rule's dependencies.
pub(super) async fn view_dependencies(
    conn: &mut PgConnection,
    v: Version,
    rels: &Relations,
    cat: &mut Catalog,
) -> R<()> {
    for row in fetch(
        conn,
        "view dependencies",
        v.view_dependencies(),
        Some(&rels.views),
    )
    .await?
    {
        let Some(view) = rels.views.get(&oid(&row, "view")?) else {
            continue;
        };
        if let Some(read) = rels.views.get(&oid(&row, "rel")?) {
            if let Some(v) = cat.views.get_mut(view) {
                v.reads_views.insert(read.clone());
            }
            continue;
        }
        let Some(table) = rels.tables.get(&oid(&row, "rel")?) else {
            continue;
        };
        let Some(view) = cat.views.get_mut(view) else {
            continue;
        };
        let cols: &mut BTreeSet<String> = view.depends.entry(table.clone()).or_default();
        cols.extend(get::<Option<String>>(&row, "column_name")?);
    }
    Ok(())
}

/// `OWNED BY` of sequences (serial and identity columns).
pub(super) async fn sequence_owners(
    conn: &mut PgConnection,
    v: Version,
    rels: &Relations,
    cat: &mut Catalog,
) -> R<()> {
    for row in fetch(
        conn,
        "sequence owners",
        v.sequence_owners(),
        Some(&rels.sequences),
    )
    .await?
    {
        let Some(seq) = rels.sequences.get(&oid(&row, "seq")?) else {
            continue;
        };
        if let Some(s) = cat.sequences.get_mut(seq) {
            let table = QName::new(get::<String>(&row, "schema")?, get::<String>(&row, "name")?);
            s.owned_by = Some((table, get(&row, "column_name")?));
        }
    }
    Ok(())
}

/// Enums, domains and functions.
pub(super) async fn types_and_functions(
    conn: &mut PgConnection,
    v: Version,
    cat: &mut Catalog,
) -> R<()> {
    let qname = |row: &PgRow| -> R<QName> {
        Ok(QName::new(
            get::<String>(row, "schema")?,
            get::<String>(row, "name")?,
        ))
    };
    for row in fetch(conn, "enums", v.enums(), None).await? {
        cat.enums.insert(qname(&row)?, get(&row, "labels")?);
    }
    for row in fetch(conn, "domains", v.domains(), None).await? {
        cat.domains
            .insert(qname(&row)?, canonical_text(&get::<String>(&row, "base")?));
    }
    for row in fetch(conn, "functions", v.functions(), None).await? {
        cat.functions.insert(qname(&row)?);
    }
    Ok(())
}
