//! From sqlparser's AST to [`Ddl`]: one function per statement family.

use sqlparser::ast::{self, Expr, Statement as Ast};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::Token;

use super::alter::alter_action;
use super::constraint::{collation_name, column_def, constraint, storage_params};
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
                None => Ddl::CreateSequence {
                    name,
                    options: Default::default(),
                },
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
        Ast::CreateExtension(e) => Ddl::CreateExtension {
            name: e.name.value.clone(),
            version: e.version.as_ref().map(|v| v.value.clone()),
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
