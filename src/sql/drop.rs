//! `DROP` statements: tables, indexes and views (which bellows plans), and the other objects
//! a schema file drops (pg_dump's `--clean` preamble), which the catalog follows.

use sqlparser::ast::{self, ObjectType, Statement as Ast};

use super::ddl::{Ddl, DropKind};
use super::error::SqlError;
use super::ident::{QName, fold};
use super::source::RawStatement;

/// `DROP TABLE | INDEX | [MATERIALIZED] VIEW | SEQUENCE | TYPE | SCHEMA | COLLATION`.
pub fn drop(
    raw: &RawStatement,
    object_type: ObjectType,
    if_exists: bool,
    names: &[ast::ObjectName],
    cascade: bool,
) -> Result<Ddl, SqlError> {
    let names = names
        .iter()
        .map(|n| raw.qname(n))
        .collect::<Result<Vec<_>, _>>()?;
    let other = |kind| Ddl::DropObject {
        kind,
        names: names.clone(),
        table: None,
        if_exists,
    };
    Ok(match object_type {
        ObjectType::Table => Ddl::DropTable {
            names,
            if_exists,
            cascade,
        },
        ObjectType::Index => Ddl::DropIndex {
            names,
            concurrently: false,
            if_exists,
            cascade,
        },
        ObjectType::View | ObjectType::MaterializedView => Ddl::DropView {
            names,
            cascade,
            if_exists,
        },
        ObjectType::Sequence => other(DropKind::Sequence),
        ObjectType::Type => other(DropKind::Type),
        ObjectType::Schema => other(DropKind::Schema),
        ObjectType::Collation => other(DropKind::Collation),
        other => Ddl::Unsupported {
            what: format!("DROP {other}"),
        },
    })
}

/// The drops sqlparser gives statements of their own: functions, procedures, triggers,
/// domains, extensions (policies are read with `CREATE POLICY`). `None` for any other statement.
pub fn drop_other(raw: &RawStatement, st: &Ast) -> Result<Option<Ddl>, SqlError> {
    let object = |kind, names: Vec<QName>, table: Option<QName>, if_exists| {
        Some(Ddl::DropObject {
            kind,
            names,
            table,
            if_exists,
        })
    };
    let functions = |descs: &[ast::FunctionDesc]| {
        descs
            .iter()
            .map(|d| raw.qname(&d.name))
            .collect::<Result<Vec<_>, _>>()
    };
    Ok(match st {
        Ast::DropFunction(f) => object(
            DropKind::Function,
            functions(&f.func_desc)?,
            None,
            f.if_exists,
        ),
        Ast::DropProcedure {
            if_exists,
            proc_desc,
            ..
        } => object(DropKind::Function, functions(proc_desc)?, None, *if_exists),
        Ast::DropTrigger(t) => {
            let table = t.table_name.as_ref().map(|n| raw.qname(n)).transpose()?;
            let name = t.trigger_name.0.last().and_then(|p| p.as_ident()).map(fold);
            let names = name.into_iter().map(QName::public).collect();
            object(DropKind::Trigger, names, table, t.if_exists)
        }
        Ast::DropDomain(d) => object(
            DropKind::Domain,
            vec![raw.qname(&d.name)?],
            None,
            d.if_exists,
        ),
        Ast::DropExtension(e) => object(
            DropKind::Extension,
            e.names.iter().map(|n| QName::public(fold(n))).collect(),
            None,
            e.if_exists,
        ),
        _ => None,
    })
}
