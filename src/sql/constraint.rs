//! From sqlparser's column definitions and table constraints to [`ColumnDef`] and
//! [`ConstraintDef`]: types, defaults, identity, keys, checks and foreign keys with their
//! options (deferral, collations, storage parameters).

use sqlparser::ast::{self, ColumnOption, DataType, Expr, GeneratedAs, TableConstraint};

use super::ddl::*;
use super::error::SqlError;
use super::expr::normalize_expr;
use super::ident::fold;
use super::key_extras;
use super::source::RawStatement;
use super::types;

/// The plain column names of an index's or key's columns.
fn index_columns(raw: &RawStatement, cols: &[ast::IndexColumn]) -> Result<Vec<String>, SqlError> {
    cols.iter()
        .map(|c| match &c.column.expr {
            Expr::Identifier(i) => Ok(fold(i)),
            other => Err(raw.error(format!("expected a column name, found `{other}`"))),
        })
        .collect()
}

/// A table constraint.
pub(super) fn constraint(
    raw: &RawStatement,
    tc: &TableConstraint,
) -> Result<ConstraintDef, SqlError> {
    let (name, kind) = match tc {
        TableConstraint::PrimaryKey(pk) => (
            pk.name.as_ref().map(fold),
            ConstraintKind::PrimaryKey {
                columns: index_columns(raw, &pk.columns)?,
                index: KeyIndex {
                    include: pk.include.iter().map(fold).collect(),
                    with: Vec::new(),
                },
                deferral: deferral(&pk.characteristics),
            },
        ),
        TableConstraint::Unique(u) => (
            u.name.as_ref().map(fold),
            ConstraintKind::Unique {
                columns: index_columns(raw, &u.columns)?,
                nulls_not_distinct: matches!(
                    u.nulls_distinct,
                    ast::NullsDistinctOption::NotDistinct
                ),
                index: KeyIndex {
                    include: u.include.iter().map(fold).collect(),
                    with: Vec::new(),
                },
                deferral: deferral(&u.characteristics),
            },
        ),
        TableConstraint::ForeignKey(fk) => (
            fk.name.as_ref().map(fold),
            foreign_key(raw, fk.columns.iter().map(fold).collect(), fk)?,
        ),
        TableConstraint::Check(ck) => (
            ck.name.as_ref().map(fold),
            ConstraintKind::Check {
                expr: normalize_expr(&ck.expr),
            },
        ),
        TableConstraint::Exclude(ex) => (
            ex.name.as_ref().map(fold),
            ConstraintKind::Exclude {
                definition: tc.to_string(),
            },
        ),
        TableConstraint::PrimaryKeyUsingIndex(u) => (
            u.name.as_ref().map(fold),
            ConstraintKind::PrimaryKeyUsingIndex {
                index: fold(&u.index_name),
                deferral: deferral(&u.characteristics),
            },
        ),
        TableConstraint::UniqueUsingIndex(u) => (
            u.name.as_ref().map(fold),
            ConstraintKind::UniqueUsingIndex {
                index: fold(&u.index_name),
                deferral: deferral(&u.characteristics),
            },
        ),
        other => return Err(raw.error(format!("unsupported constraint `{other}`"))),
    };
    Ok(ConstraintDef { name, kind })
}

/// A FOREIGN KEY on `columns` (written on the table or on one column).
fn foreign_key(
    raw: &RawStatement,
    columns: Vec<String>,
    fk: &ast::ForeignKeyConstraint,
) -> Result<ConstraintKind, SqlError> {
    Ok(ConstraintKind::ForeignKey {
        columns,
        ref_table: raw.qname(&fk.foreign_table)?,
        ref_columns: fk.referred_columns.iter().map(fold).collect(),
        on_delete: fk.on_delete.map(|a| a.to_string()),
        on_update: fk.on_update.map(|a| a.to_string()),
        delete_set_columns: Vec::new(),
        match_full: matches!(fk.match_kind, Some(ast::ConstraintReferenceMatchKind::Full)),
        deferral: deferral(&fk.characteristics),
    })
}

/// `[NOT] DEFERRABLE [INITIALLY DEFERRED|IMMEDIATE]`.
fn deferral(c: &Option<ast::ConstraintCharacteristics>) -> Deferral {
    let Some(c) = c else {
        return Deferral::Immediate;
    };
    let deferred = matches!(c.initially, Some(ast::DeferrableInitial::Deferred));
    match (c.deferrable, deferred) {
        (_, true) => Deferral::Deferred,
        (Some(true), false) => Deferral::Deferrable,
        _ => Deferral::Immediate,
    }
}

/// A collation's name as the catalog spells it: quoted where needed, schema-qualified
/// unless it is in `pg_catalog`.
pub(super) fn collation_name(n: &ast::ObjectName) -> String {
    let parts: Vec<String> = n.0.iter().filter_map(|p| p.as_ident()).map(fold).collect();
    let q = |s: &str| types::quote_if_needed(s);
    match parts.as_slice() {
        [schema, name] if schema != "pg_catalog" => format!("{}.{}", q(schema), q(name)),
        [.., name] => q(name),
        [] => String::new(),
    }
}

/// `WITH (name = value, ...)` of CREATE INDEX, as `pg_class.reloptions` spells it.
pub(super) fn storage_params(with: &[Expr]) -> Vec<String> {
    with.iter()
        .filter_map(|e| {
            let (name, value) = match e {
                Expr::BinaryOp { left, right, .. } => (left.as_ref(), Some(right.as_ref())),
                other => (other, None),
            };
            let Expr::Identifier(name) = name else {
                return None;
            };
            let value = match value {
                None => "true".to_string(),
                Some(Expr::Value(v)) => match &v.value {
                    ast::Value::SingleQuotedString(s) => s.clone(),
                    other => other.to_string(),
                },
                Some(Expr::Identifier(i)) => fold(i),
                Some(other) => other.to_string(),
            };
            Some(key_extras::storage_param(&fold(name), &value))
        })
        .collect()
}

/// A column definition, its inline constraints kept on it.
pub(super) fn column_def(raw: &RawStatement, c: &ast::ColumnDef) -> Result<ColumnDef, SqlError> {
    let serial = types::serial_kind(&c.data_type);
    let ty = match serial {
        Some(t) => t.to_string(),
        None => types::canonical(&c.data_type),
    };
    let name = fold(&c.name);
    let mut col = ColumnDef {
        name: name.clone(),
        ty,
        not_null: serial.is_some(),
        default: None,
        serial: serial.is_some(),
        identity: None,
        generated: None,
        collation: None,
        constraints: Vec::new(),
    };
    for opt in &c.options {
        let cname = opt.name.as_ref().map(fold);
        match &opt.option {
            ColumnOption::NotNull => col.not_null = true,
            ColumnOption::Null => col.not_null = false,
            ColumnOption::Default(e) => col.default = Some(normalize_expr(e)),
            ColumnOption::Generated {
                generated_as,
                generation_expr,
                ..
            } => match generation_expr {
                Some(e) => col.generated = Some(normalize_expr(e)),
                None => {
                    col.identity = Some(match generated_as {
                        GeneratedAs::Always => Identity::Always,
                        _ => Identity::ByDefault,
                    });
                    col.not_null = true;
                }
            },
            ColumnOption::PrimaryKey(pk) => {
                col.not_null = true;
                col.constraints.push(ConstraintDef {
                    name: cname,
                    kind: ConstraintKind::PrimaryKey {
                        columns: vec![name.clone()],
                        index: KeyIndex::default(),
                        deferral: deferral(&pk.characteristics),
                    },
                })
            }
            ColumnOption::Unique(u) => col.constraints.push(ConstraintDef {
                name: cname,
                kind: ConstraintKind::Unique {
                    columns: vec![name.clone()],
                    nulls_not_distinct: matches!(
                        u.nulls_distinct,
                        ast::NullsDistinctOption::NotDistinct
                    ),
                    index: KeyIndex::default(),
                    deferral: deferral(&u.characteristics),
                },
            }),
            ColumnOption::ForeignKey(fk) => col.constraints.push(ConstraintDef {
                name: cname.or_else(|| fk.name.as_ref().map(fold)),
                kind: foreign_key(raw, vec![name.clone()], fk)?,
            }),
            ColumnOption::Check(ck) => col.constraints.push(ConstraintDef {
                name: cname.or_else(|| ck.name.as_ref().map(fold)),
                kind: ConstraintKind::Check {
                    expr: normalize_expr(&ck.expr),
                },
            }),
            ColumnOption::Collation(c) => col.collation = Some(collation_name(c)),
            ColumnOption::Comment(_) | ColumnOption::Options(_) => {}
            other => {
                return Err(raw.error(format!(
                    "unsupported column option `{other}` on column `{name}`"
                )));
            }
        }
    }
    Ok(col)
}

/// A type a column can be changed to (not `serial`).
pub(super) fn type_checked(raw: &RawStatement, dt: &DataType) -> Result<String, SqlError> {
    if types::serial_kind(dt).is_some() {
        return Err(raw
            .error("serial is not a type that a column can be changed to")
            .with_hint("change to integer/bigint and set a default from a sequence"));
    }
    Ok(types::canonical(dt))
}
