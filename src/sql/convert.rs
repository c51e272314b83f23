//! From sqlparser's AST to [`Ddl`]: one function per statement family.

use sqlparser::ast::{
    self, AlterColumnOperation, AlterTableOperation, ColumnOption, DataType, Expr, GeneratedAs,
    Statement as Ast, TableConstraint,
};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::Token;

use super::ddl::*;
use super::depth;
use super::error::SqlError;
use super::expr::normalize_expr;
use super::fallback;
use super::ident::{QName, fold};
use super::key_extras;
use super::loc::Loc;
use super::source::RawStatement;
use super::types;

/// Interpret one raw statement.
pub fn statement(raw: &RawStatement) -> Result<Ddl, SqlError> {
    let depth = depth::estimate(raw.tokens.iter().map(|t| &t.token));
    if depth > depth::MAX_DEPTH {
        return Err(raw.error(format!(
            "this statement's expressions nest about {depth} levels deep (a chain of that many OR/AND/+/|| terms, or parentheses), and bellows reads at most {}",
            depth::MAX_DEPTH
        ))
        .with_hint("write long lists as `col IN (...)` or `col = ANY (ARRAY[...])`, or split the expression; PostgreSQL itself stops at max_stack_depth"));
    }
    match fallback::recognize(raw)? {
        Some(fallback::Recognized::Ddl(ddl)) => return Ok(ddl),
        Some(fallback::Recognized::Shorter(shorter)) => return statement(&shorter),
        None => {}
    }
    let stripped = key_extras::strip(raw);
    let source = stripped.as_ref().map_or(raw, |(s, _)| s);
    let dialect = PostgreSqlDialect {};
    let mut parser = Parser::new(&dialect).with_tokens_with_locations(source.tokens.clone());
    let parsed = parser
        .parse_statement()
        .and_then(|s| match parser.peek_token().token {
            Token::EOF => Ok(s),
            other => Err(ParserError::ParserError(format!(
                "Expected: end of statement, found: {other}{}",
                parser.peek_token().span.start
            ))),
        });
    let mut ddl = match parsed {
        Ok(ast) => from_ast(raw, ast)?,
        Err(e) => return Err(parse_error(raw, &e)),
    };
    if let Some((_, extras)) = &stripped {
        key_extras::restore(raw, &mut ddl, extras)?;
    }
    Ok(ddl)
}

/// Turn sqlparser's message ("... at Line: 3, Column: 5") into a located error.
fn parse_error(raw: &RawStatement, e: &ParserError) -> SqlError {
    let text = match e {
        ParserError::ParserError(s) | ParserError::TokenizerError(s) => s.clone(),
        ParserError::RecursionLimitExceeded => "statement nests too deeply".to_string(),
    };
    let (msg, loc) = match text.rfind(" at Line: ") {
        Some(i) => {
            let tail = &text[i + " at Line: ".len()..];
            let mut nums = tail
                .split(|c: char| !c.is_ascii_digit())
                .filter(|s| !s.is_empty())
                .filter_map(|s| s.parse::<u32>().ok());
            let loc = match (nums.next(), nums.next()) {
                (Some(line), Some(col)) => Loc { line, col },
                _ => raw.loc,
            };
            (text[..i].to_string(), loc)
        }
        None => (text, raw.loc),
    };
    let msg = msg.replace("Expected: ", "expected ");
    // sqlparser lists keywords of every dialect it knows; a long list helps nobody.
    let msg = match (msg.split_once("expected "), msg.rsplit_once("found: ")) {
        (Some((_, exp)), Some((_, found))) if exp.matches(", ").count() >= 3 => {
            format!("unexpected `{}`", found.trim())
        }
        _ => msg,
    };
    let loc = if msg.contains("EOF") {
        raw.tokens
            .iter()
            .rev()
            .find(|t| !matches!(t.token, Token::Whitespace(_)))
            .map(|t| Loc::from_sqlparser(t.span.end))
            .unwrap_or(loc)
    } else {
        loc
    };
    let msg = msg.replace("found: EOF", "found the end of the statement");
    SqlError::new(&raw.path, loc, format!("syntax error: {msg}"))
        .with_hint("fix the SQL here; bellows reads ordinary PostgreSQL DDL, one statement per `;`")
}

fn from_ast(raw: &RawStatement, ast: Ast) -> Result<Ddl, SqlError> {
    if let Some(d) = super::drop::drop_other(raw, &ast)? {
        return Ok(d);
    }
    Ok(match ast {
        Ast::CreateTable(ct) => create_table(raw, &ct)?,
        Ast::CreateSchema { schema_name, .. } => {
            let s = schema_name.to_string();
            Ddl::CreateSchema(s.trim_matches('"').to_string())
        }
        Ast::CreateType {
            name,
            representation,
        } => match representation {
            Some(ast::UserDefinedTypeRepresentation::Enum { labels }) => Ddl::CreateEnum {
                name: raw.qname(&name)?,
                labels: labels.iter().map(|l| l.value.clone()).collect(),
            },
            _ => Ddl::Ignored {
                what: "CREATE TYPE (not an enum)".into(),
            },
        },
        Ast::CreateDomain(d) => Ddl::CreateDomain {
            name: raw.qname(&d.name)?,
            base: types::canonical(&d.data_type),
        },
        Ast::CreateSequence { name, owned_by, .. } => {
            let name = raw.qname(&name)?;
            match owned_by.as_ref().and_then(owned_by_parts) {
                Some((table, column)) => Ddl::SequenceOwnedBy {
                    sequence: name,
                    table,
                    column,
                },
                None => Ddl::CreateSequence { name },
            }
        }
        Ast::CreateFunction(f) => Ddl::CreateFunction {
            name: raw.qname(&f.name)?,
            body: super::routine::body(&f),
            replace: f.or_replace,
        },
        Ast::CreateTrigger(t) => create_trigger(raw, &t)?,
        Ast::CreateView(v) => Ddl::CreateView(super::view::view_def(raw, &v)?),
        Ast::CreateIndex(ci) => Ddl::CreateIndex(index_def(raw, &ci)?),
        Ast::CreatePolicy(p) => Ddl::CreatePolicy(super::policy::create(raw, &p)?),
        Ast::DropPolicy(p) => Ddl::DropPolicy {
            name: fold(&p.name),
            table: raw.qname(&p.table_name)?,
            if_exists: p.if_exists,
        },
        Ast::AlterTable(at) => {
            let table = raw.qname(&at.name)?;
            let mut actions = Vec::new();
            for op in &at.operations {
                actions.push(alter_action(raw, op)?);
            }
            Ddl::AlterTable {
                table,
                actions,
                if_exists: at.if_exists,
            }
        }
        Ast::Drop {
            object_type,
            if_exists,
            names,
            cascade,
            ..
        } => super::drop::drop(raw, object_type, if_exists, &names, cascade)?,
        Ast::AlterType(at) => alter_type(raw, at)?,
        Ast::Vacuum(v) if v.full => Ddl::VacuumFull {
            table: v.table_name.as_ref().and_then(QName::from_object),
        },
        Ast::Vacuum(_) => Ddl::Ignored {
            what: "VACUUM".into(),
        },
        Ast::Truncate(t) => Ddl::Truncate {
            tables: t
                .table_names
                .iter()
                .map(|n| raw.qname(&n.name))
                .collect::<Result<Vec<_>, _>>()?,
        },
        Ast::Lock(l) => lock_table(raw, &l)?,
        Ast::Set(_) => Ddl::Ignored { what: "SET".into() },
        Ast::Comment { .. } => Ddl::Ignored {
            what: "COMMENT".into(),
        },
        Ast::Grant(_) | Ast::Revoke(_) => Ddl::Ignored {
            what: "GRANT/REVOKE".into(),
        },
        Ast::CreateExtension(_) => Ddl::Ignored {
            what: "CREATE EXTENSION".into(),
        },
        Ast::AlterSchema(_) => Ddl::Ignored {
            what: "ALTER SCHEMA".into(),
        },
        Ast::StartTransaction { .. } | Ast::Commit { .. } | Ast::Rollback { .. } => Ddl::Ignored {
            what: "transaction control".into(),
        },
        Ast::Query(q) if is_set_config(&q) => Ddl::Ignored {
            what: "set_config".into(),
        },
        Ast::Query(_) => Ddl::Data {
            what: "a query (SELECT)".into(),
        },
        Ast::Insert(_) => Ddl::Data {
            what: "INSERT".into(),
        },
        Ast::Update(_) => Ddl::Data {
            what: "UPDATE".into(),
        },
        Ast::Delete(_) => Ddl::Data {
            what: "DELETE".into(),
        },
        other => Ddl::Unsupported {
            what: other
                .to_string()
                .split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" "),
        },
    })
}

fn is_set_config(q: &ast::Query) -> bool {
    q.to_string().to_lowercase().contains("set_config(")
}

fn owned_by_parts(n: &ast::ObjectName) -> Option<(QName, String)> {
    let parts: Vec<String> = n.0.iter().filter_map(|p| p.as_ident().map(fold)).collect();
    match parts.as_slice() {
        [t, c] => Some((QName::public(t.clone()), c.clone())),
        [.., s, t, c] => Some((QName::new(s.clone(), t.clone()), c.clone())),
        _ => None,
    }
}

fn column_def(raw: &RawStatement, c: &ast::ColumnDef) -> Result<ColumnDef, SqlError> {
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

fn index_columns(raw: &RawStatement, cols: &[ast::IndexColumn]) -> Result<Vec<String>, SqlError> {
    cols.iter()
        .map(|c| match &c.column.expr {
            Expr::Identifier(i) => Ok(fold(i)),
            other => Err(raw.error(format!("expected a column name, found `{other}`"))),
        })
        .collect()
}

/// A table constraint.
fn constraint(raw: &RawStatement, tc: &TableConstraint) -> Result<ConstraintDef, SqlError> {
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
fn collation_name(n: &ast::ObjectName) -> String {
    let parts: Vec<String> = n.0.iter().filter_map(|p| p.as_ident()).map(fold).collect();
    let q = |s: &str| types::quote_if_needed(s);
    match parts.as_slice() {
        [schema, name] if schema != "pg_catalog" => format!("{}.{}", q(schema), q(name)),
        [.., name] => q(name),
        [] => String::new(),
    }
}

/// `WITH (name = value, ...)` of CREATE INDEX, as `pg_class.reloptions` spells it.
fn storage_params(with: &[Expr]) -> Vec<String> {
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

fn alter_action(raw: &RawStatement, op: &AlterTableOperation) -> Result<AlterAction, SqlError> {
    use AlterTableOperation as O;
    Ok(match op {
        O::AddColumn {
            column_def,
            if_not_exists,
            ..
        } => AlterAction::AddColumn {
            column: self::column_def(raw, column_def)?,
            if_not_exists: *if_not_exists,
        },
        O::DropColumn {
            column_names,
            if_exists,
            drop_behavior,
            ..
        } => {
            let [name] = column_names.as_slice() else {
                return Err(raw.error("drop one column per DROP COLUMN"));
            };
            AlterAction::DropColumn {
                name: fold(name),
                if_exists: *if_exists,
                cascade: matches!(drop_behavior, Some(ast::DropBehavior::Cascade)),
            }
        }
        O::RenameColumn {
            old_column_name,
            new_column_name,
        } => AlterAction::RenameColumn {
            from: fold(old_column_name),
            to: fold(new_column_name),
        },
        O::RenameTable { table_name } => {
            let n = match table_name {
                ast::RenameTableNameKind::As(n) | ast::RenameTableNameKind::To(n) => n,
            };
            let to =
                n.0.last()
                    .and_then(|p| p.as_ident())
                    .map(fold)
                    .unwrap_or_default();
            AlterAction::RenameTable { to }
        }
        O::AlterColumn { column_name, op } => {
            let column = fold(column_name);
            match op {
                AlterColumnOperation::SetNotNull => AlterAction::SetNotNull { column },
                AlterColumnOperation::DropNotNull => AlterAction::DropNotNull { column },
                AlterColumnOperation::SetDefault { value } => AlterAction::SetDefault {
                    column,
                    expr: normalize_expr(value),
                },
                AlterColumnOperation::DropDefault => AlterAction::DropDefault { column },
                AlterColumnOperation::SetDataType {
                    data_type, using, ..
                } => AlterAction::SetType {
                    column,
                    ty: type_checked(raw, data_type)?,
                    using: using.as_ref().map(normalize_expr),
                },
                AlterColumnOperation::AddGenerated { generated_as, .. } => {
                    AlterAction::AddIdentity {
                        column,
                        kind: match generated_as {
                            Some(GeneratedAs::Always) => Identity::Always,
                            _ => Identity::ByDefault,
                        },
                    }
                }
            }
        }
        O::AddConstraint {
            constraint: c,
            not_valid,
        } => AlterAction::AddConstraint {
            def: constraint(raw, c)?,
            not_valid: *not_valid,
        },
        O::ValidateConstraint { name } => AlterAction::ValidateConstraint { name: fold(name) },
        O::DropConstraint {
            name,
            if_exists,
            drop_behavior,
        } => AlterAction::DropConstraint {
            name: fold(name),
            if_exists: *if_exists,
            cascade: matches!(drop_behavior, Some(ast::DropBehavior::Cascade)),
        },
        O::SetLogged => AlterAction::SetLogged { logged: true },
        O::SetUnlogged => AlterAction::SetLogged { logged: false },
        O::OwnerTo { .. } => AlterAction::Ignored {
            what: "OWNER TO".into(),
        },
        O::EnableRowLevelSecurity => AlterAction::RowSecurity { enable: true },
        O::DisableRowLevelSecurity => AlterAction::RowSecurity { enable: false },
        O::EnableTrigger { .. }
        | O::DisableTrigger { .. }
        | O::EnableAlwaysTrigger { .. }
        | O::EnableReplicaTrigger { .. }
        | O::ForceRowLevelSecurity
        | O::NoForceRowLevelSecurity
        | O::ReplicaIdentity { .. } => AlterAction::Ignored {
            what: op.to_string(),
        },
        other => AlterAction::Unsupported {
            what: other.to_string(),
        },
    })
}

fn type_checked(raw: &RawStatement, dt: &DataType) -> Result<String, SqlError> {
    if types::serial_kind(dt).is_some() {
        return Err(raw
            .error("serial is not a type that a column can be changed to")
            .with_hint("change to integer/bigint and set a default from a sequence"));
    }
    Ok(types::canonical(dt))
}

fn index_def(raw: &RawStatement, ci: &ast::CreateIndex) -> Result<IndexDef, SqlError> {
    let mut keys = Vec::new();
    for c in &ci.columns {
        let (key, collation) = match &c.column.expr {
            Expr::Collate { expr, collation } => (expr.as_ref(), Some(collation_name(collation))),
            other => (other, None),
        };
        let key = match key {
            Expr::Nested(inner) if collation.is_some() => inner.as_ref(),
            other => other,
        };
        let column = match key {
            Expr::Identifier(i) => Some(fold(i)),
            _ => None,
        };
        let expr = match &column {
            Some(c) => types::quote_if_needed(c),
            None => normalize_expr(key),
        };
        let desc = matches!(c.column.options.sort, Some(ast::OrderBySort::Desc));
        keys.push(IndexKey {
            expr,
            column,
            collation,
            opclass: c
                .operator_class
                .as_ref()
                .map(|o| o.to_string().to_lowercase()),
            desc,
            // Only what differs from the direction's default, as the server reports it.
            nulls_first: c.column.options.nulls_first.filter(|&first| first != desc),
            statistics: None,
        });
    }
    let method = ci
        .using
        .as_ref()
        .map(|m| m.to_string().to_lowercase())
        .unwrap_or_else(|| "btree".into());
    Ok(IndexDef {
        name: ci
            .name
            .as_ref()
            .and_then(|n| n.0.last().and_then(|p| p.as_ident()).map(fold)),
        table: raw.qname(&ci.table_name)?,
        unique: ci.unique,
        method,
        keys,
        include: ci.include.iter().map(fold).collect(),
        nulls_not_distinct: ci.nulls_distinct == Some(false),
        with: storage_params(&ci.with),
        predicate: ci.predicate.as_ref().map(normalize_expr),
        concurrently: ci.concurrently,
        if_not_exists: ci.if_not_exists,
    })
}

/// `CREATE TABLE`.
fn create_table(raw: &RawStatement, ct: &ast::CreateTable) -> Result<Ddl, SqlError> {
    let name = raw.qname(&ct.name)?;
    let mut columns = Vec::new();
    for c in &ct.columns {
        columns.push(column_def(raw, c)?);
    }
    let mut constraints = Vec::new();
    for tc in &ct.constraints {
        constraints.push(constraint(raw, tc)?);
    }
    let parent = match (&ct.partition_of, &ct.inherits) {
        (Some(p), _) => Some(Parent::Partition {
            table: raw.qname(p)?,
            bound: ct
                .for_values
                .as_ref()
                .map(|v| v.to_string())
                .unwrap_or_default(),
        }),
        (None, Some(ps)) if !ps.is_empty() => Some(Parent::Inherits {
            tables: ps
                .iter()
                .map(|p| raw.qname(p))
                .collect::<Result<Vec<_>, _>>()?,
        }),
        _ => None,
    };
    Ok(Ddl::CreateTable(TableDef {
        name,
        columns,
        constraints,
        if_not_exists: ct.if_not_exists,
        parent,
        partition_key: ct.partition_by.as_ref().map(|e| e.to_string()),
    }))
}

/// `CREATE TRIGGER`: its name, table, function and `UPDATE OF` columns.
fn create_trigger(raw: &RawStatement, t: &ast::CreateTrigger) -> Result<Ddl, SqlError> {
    let mut update_columns = Vec::new();
    for ev in &t.events {
        if let ast::TriggerEvent::Update(cols) = ev {
            update_columns.extend(cols.iter().map(fold));
        }
    }
    let function = t
        .exec_body
        .as_ref()
        .and_then(|b| QName::from_object(&b.func_desc.name))
        .unwrap_or_else(|| QName::public("?"));
    let name = t
        .name
        .0
        .last()
        .and_then(|p| p.as_ident())
        .map(fold)
        .unwrap_or_default();
    Ok(Ddl::CreateTrigger(TriggerDef {
        name,
        table: raw.qname(&t.table_name)?,
        function,
        update_columns,
    }))
}

/// `LOCK TABLE`: the tables and the mode (ACCESS EXCLUSIVE when none is given).
fn lock_table(raw: &RawStatement, l: &ast::Lock) -> Result<Ddl, SqlError> {
    use ast::LockTableMode as L;
    let tables = l
        .tables
        .iter()
        .map(|t| raw.qname(&t.name))
        .collect::<Result<Vec<_>, _>>()?;
    let mode = match l.lock_mode {
        Some(L::AccessShare) => TableLock::AccessShare,
        Some(L::RowShare) => TableLock::RowShare,
        Some(L::RowExclusive) => TableLock::RowExclusive,
        Some(L::ShareUpdateExclusive) => TableLock::ShareUpdateExclusive,
        Some(L::Share) => TableLock::Share,
        Some(L::ShareRowExclusive) => TableLock::ShareRowExclusive,
        Some(L::Exclusive) => TableLock::Exclusive,
        Some(L::AccessExclusive) | None => TableLock::AccessExclusive,
    };
    Ok(Ddl::LockTable { tables, mode })
}

/// `ALTER TYPE ... ADD VALUE`; other forms are not planned.
fn alter_type(raw: &RawStatement, at: ast::AlterType) -> Result<Ddl, SqlError> {
    Ok(match at.operation {
        ast::AlterTypeOperation::AddValue(av) => Ddl::AddEnumValue {
            name: raw.qname(&at.name)?,
            value: av.value.value.clone(),
            position: av.position.map(|p| match p {
                ast::AlterTypeAddValuePosition::Before(i) => {
                    format!("BEFORE '{}'", i.value.replace('\'', "''"))
                }
                ast::AlterTypeAddValuePosition::After(i) => {
                    format!("AFTER '{}'", i.value.replace('\'', "''"))
                }
            }),
            if_not_exists: av.if_not_exists,
        },
        _ => Ddl::Unsupported {
            what: "ALTER TYPE (other than ADD VALUE)".into(),
        },
    })
}

#[cfg(test)]
#[path = "convert_tests.rs"]
mod tests;
