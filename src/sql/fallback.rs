//! Statements sqlparser does not read but bellows must know (`DROP INDEX CONCURRENTLY`,
//! `REINDEX`, `CLUSTER`, pg_dump's `CREATE SEQUENCE` and `ALTER SEQUENCE ... OWNED BY`,
//! `ADD GENERATED ... AS IDENTITY (...)`, `... WITH NO DATA`), and statements that never
//! shape the catalog (GRANT, COMMENT, OWNER TO). Recognized on sqlparser's own tokens.

use sqlparser::tokenizer::Token;

use super::ddl::{AlterAction, Ddl, Identity, ReindexTarget};
use super::error::SqlError;
use super::ident::{DEFAULT_SCHEMA, QName};
use super::source::RawStatement;
use super::words::Words;

/// What the fallback made of a statement.
#[derive(Debug)]
pub enum Recognized {
    /// Read here.
    Ddl(Ddl),
    /// sqlparser reads this shorter statement (a clause it does not know removed).
    Shorter(RawStatement),
}

/// Recognize the statements this module owns; `None` means "let sqlparser read it".
pub fn recognize(raw: &RawStatement) -> Result<Option<Recognized>, SqlError> {
    if let Some(ddl) = read(raw)? {
        return Ok(Some(Recognized::Ddl(ddl)));
    }
    if let Some(ddl) = super::partition::read(raw) {
        return Ok(Some(Recognized::Ddl(ddl)));
    }
    Ok(without_data_clause(raw)
        .or_else(|| super::partition::without_only(raw))
        .or_else(|| super::partition::without_trigger_arguments(raw))
        .map(Recognized::Shorter))
}

/// Object kinds whose definitions never shape a table (`CREATE TEXT SEARCH ...`, ...).
const NOT_TABLE_SHAPING: [&str; 7] = [
    "TEXT",
    "AGGREGATE",
    "OPERATOR",
    "CAST",
    "COLLATION",
    "CONVERSION",
    "LANGUAGE",
];

/// The statements read here in full.
fn read(raw: &RawStatement) -> Result<Option<Ddl>, SqlError> {
    let mut w = Words::new(raw);
    let bad = |what: &str| raw.error(format!("cannot read {what}"));

    if (w.starts(&["GRANT"]) || w.starts(&["REVOKE"]))
        && let Some(ddl) = super::grant::read(raw)
    {
        return Ok(Some(ddl));
    }
    if w.starts(&["COMMENT", "ON", "COLUMN"])
        && let Some(ddl) = comment_on_column(raw)
    {
        return Ok(Some(ddl));
    }
    if w.starts(&["ALTER", "INDEX"])
        && let Some(ddl) = index_statistics(raw)
    {
        return Ok(Some(ddl));
    }
    if let Some(ddl) = super::catalog_only::read(raw) {
        return Ok(Some(ddl));
    }
    // Never shapes the catalog.
    if w.starts(&["COMMENT", "ON"])
        || w.starts(&["GRANT"])
        || w.starts(&["REVOKE"])
        || w.starts(&["ALTER", "DEFAULT", "PRIVILEGES"])
        || w.starts(&["SECURITY", "LABEL"])
    {
        return Ok(Some(Ddl::Ignored {
            what: "privileges or comments".into(),
        }));
    }
    // Objects no table depends on for its shape: they are created, altered and dropped
    // around the tables without changing what bellows plans.
    for kind in NOT_TABLE_SHAPING {
        if w.starts(&["CREATE", kind])
            || w.starts(&["CREATE", "OR", "REPLACE", kind])
            || w.starts(&["ALTER", kind])
            || w.starts(&["DROP", kind])
        {
            return Ok(Some(Ddl::Ignored {
                what: format!("{kind} definitions"),
            }));
        }
    }
    // `RENAME [COLUMN | CONSTRAINT] owner TO x` names something `owner`; it is no OWNER TO.
    let n = w.toks.len();
    if w.starts(&["ALTER"])
        && n >= 4
        && w.kw_at(n - 3, "OWNER")
        && w.kw_at(n - 2, "TO")
        && !["RENAME", "COLUMN", "CONSTRAINT"]
            .iter()
            .any(|kw| w.kw_at(n - 4, kw))
    {
        return Ok(Some(Ddl::Ignored {
            what: "OWNER TO".into(),
        }));
    }

    if w.eat(&["DROP", "INDEX", "CONCURRENTLY"]) {
        let if_exists = w.eat(&["IF", "EXISTS"]);
        let mut names = Vec::new();
        loop {
            names.push(w.qname().ok_or_else(|| bad("the index name"))?);
            if matches!(w.toks.get(w.pos).map(|t| &t.token), Some(Token::Comma)) {
                w.pos += 1;
            } else {
                break;
            }
        }
        let cascade = w.eat(&["CASCADE"]);
        let _ = w.eat(&["RESTRICT"]);
        if !w.done() {
            return Err(bad("DROP INDEX CONCURRENTLY (unexpected words at the end)"));
        }
        return Ok(Some(Ddl::DropIndex {
            names,
            concurrently: true,
            if_exists,
            cascade,
        }));
    }

    if w.eat(&["REINDEX"]) {
        if matches!(w.toks.get(w.pos).map(|t| &t.token), Some(Token::LParen)) {
            while !matches!(
                w.toks.get(w.pos).map(|t| &t.token),
                Some(Token::RParen) | None
            ) {
                w.pos += 1;
            }
            w.pos += 1;
        }
        let target = if w.eat(&["INDEX"]) {
            ReindexTarget::Index
        } else if w.eat(&["TABLE"]) {
            ReindexTarget::Table
        } else {
            return Ok(Some(Ddl::Unsupported {
                what: "REINDEX of a schema, database or system".into(),
            }));
        };
        let concurrently = w.eat(&["CONCURRENTLY"]);
        let name = w.qname().ok_or_else(|| bad("the REINDEX target"))?;
        return Ok(Some(Ddl::Reindex {
            target,
            name,
            concurrently,
        }));
    }

    if w.eat(&["CLUSTER"]) {
        let _ = w.eat(&["VERBOSE"]);
        let table = if w.done() { None } else { w.qname() };
        return Ok(Some(Ddl::Cluster { table }));
    }

    if w.eat(&["CREATE", "SEQUENCE"]) || w.eat(&["CREATE", "TEMPORARY", "SEQUENCE"]) {
        let _ = w.eat(&["IF", "NOT", "EXISTS"]);
        let name = w.qname().ok_or_else(|| bad("the sequence name"))?;
        let options = super::sequence::create_options(raw);
        // The catalog creates the sequence when it records who owns it.
        return Ok(Some(
            owned_by(&mut w, name.clone())?.unwrap_or(Ddl::CreateSequence { name, options }),
        ));
    }

    if let Some(ddl) = super::sequence::alter(raw) {
        return Ok(Some(ddl));
    }
    if w.eat(&["ALTER", "SEQUENCE"]) {
        let _ = w.eat(&["IF", "EXISTS"]);
        let name = w.qname().ok_or_else(|| bad("the sequence name"))?;
        return Ok(Some(owned_by(&mut w, name)?.unwrap_or(Ddl::Ignored {
            what: "ALTER SEQUENCE".into(),
        })));
    }

    if w.starts(&["ALTER", "TABLE"])
        && w.contains("GENERATED")
        && w.contains("IDENTITY")
        && w.contains("ADD")
    {
        let mut v = Words::new(raw);
        v.eat(&["ALTER", "TABLE"]);
        let _ = v.eat(&["IF", "EXISTS"]);
        let _ = v.eat(&["ONLY"]);
        if let Some(table) = v.qname() {
            let _ = v.eat(&["ALTER"]);
            let _ = v.eat(&["COLUMN"]);
            if let Some(col) = v.name()
                && v.eat(&["ADD", "GENERATED"])
            {
                let kind = if v.eat(&["ALWAYS"]) {
                    Identity::Always
                } else {
                    let _ = v.eat(&["BY", "DEFAULT"]);
                    Identity::ByDefault
                };
                return Ok(Some(Ddl::AlterTable {
                    table,
                    if_exists: false,
                    actions: vec![AlterAction::AddIdentity {
                        column: col.last().cloned().unwrap_or_default(),
                        kind,
                    }],
                }));
            }
        }
    }

    if w.starts(&["ALTER", "TABLE"])
        && (w.contains("STATISTICS") || w.contains("STORAGE") || w.contains("COMPRESSION"))
        && w.contains("SET")
    {
        let mut v = Words::new(raw);
        v.eat(&["ALTER", "TABLE"]);
        let _ = v.eat(&["IF", "EXISTS"]);
        let _ = v.eat(&["ONLY"]);
        if let Some(table) = v.qname() {
            let action = column_statistics(&mut v).unwrap_or(AlterAction::Ignored {
                what: "column storage settings".into(),
            });
            return Ok(Some(Ddl::AlterTable {
                table,
                if_exists: false,
                actions: vec![action],
            }));
        }
    }

    Ok(None)
}

/// `ALTER [COLUMN] c SET STATISTICS n` as the only action.
fn column_statistics(v: &mut Words<'_>) -> Option<AlterAction> {
    if !v.eat(&["ALTER"]) {
        return None;
    }
    let _ = v.eat(&["COLUMN"]);
    let column = v.name()?.pop()?;
    if !v.eat(&["SET", "STATISTICS"]) {
        return None;
    }
    let target = v.integer()?;
    v.done().then_some(AlterAction::SetStatistics {
        column,
        target: (target >= 0).then_some(target),
    })
}

/// `ALTER INDEX [IF EXISTS] idx ALTER [COLUMN] n SET STATISTICS target`.
fn index_statistics(raw: &RawStatement) -> Option<Ddl> {
    let mut v = Words::new(raw);
    v.eat(&["ALTER", "INDEX"]);
    let _ = v.eat(&["IF", "EXISTS"]);
    let index = v.qname()?;
    if !v.eat(&["ALTER"]) {
        return None;
    }
    let _ = v.eat(&["COLUMN"]);
    let column = usize::try_from(v.integer()?).ok()?;
    if !v.eat(&["SET", "STATISTICS"]) {
        return None;
    }
    let target = v.integer()?;
    v.done().then_some(Ddl::IndexStatistics {
        index,
        column,
        target: (target >= 0).then_some(target),
    })
}

/// `COMMENT ON COLUMN [schema.]table.column IS 'text' | NULL`.
fn comment_on_column(raw: &RawStatement) -> Option<Ddl> {
    let mut v = Words::new(raw);
    v.eat(&["COMMENT", "ON", "COLUMN"]);
    let parts = v.name()?;
    let (table, column) = match parts.as_slice() {
        [t, c] => (QName::new(DEFAULT_SCHEMA, t.clone()), c.clone()),
        [s, t, c] => (QName::new(s.clone(), t.clone()), c.clone()),
        _ => return None,
    };
    if !v.eat(&["IS"]) {
        return None;
    }
    let comment = if v.eat(&["NULL"]) {
        None
    } else {
        let text = match v.toks.get(v.pos).map(|t| &t.token) {
            Some(Token::SingleQuotedString(s) | Token::EscapedStringLiteral(s)) => s.clone(),
            Some(Token::DollarQuotedString(d)) => d.value.clone(),
            _ => return None,
        };
        v.pos += 1;
        Some(text)
    };
    v.done().then_some(Ddl::CommentOnColumn {
        table,
        column,
        comment,
    })
}

/// `CREATE MATERIALIZED VIEW ... WITH [NO] DATA`, which sqlparser cannot read, without the
/// clause (it does not shape the catalog).
fn without_data_clause(raw: &RawStatement) -> Option<RawStatement> {
    let w = Words::new(raw);
    if w.starts(&["CREATE", "MATERIALIZED", "VIEW"])
        && (w.ends(&["WITH", "NO", "DATA"]) || w.ends(&["WITH", "DATA"]))
    {
        let cut = if w.ends(&["WITH", "NO", "DATA"]) {
            3
        } else {
            2
        };
        let keep = w.toks.len() - cut;
        let last_kept = w.toks[keep - 1].span.end;
        let mut shorter = raw.clone();
        shorter
            .tokens
            .retain(|t| t.span.start < last_kept || t.span.end <= last_kept);
        shorter.tokens.truncate(
            shorter
                .tokens
                .iter()
                .rposition(|t| t.span.end <= last_kept)
                .map_or(0, |i| i + 1),
        );
        return Some(shorter);
    }

    None
}

/// `... OWNED BY [schema.]table.column` anywhere after the name.
fn owned_by(w: &mut Words<'_>, sequence: QName) -> Result<Option<Ddl>, SqlError> {
    while !w.done() {
        if w.eat(&["OWNED", "BY"]) {
            if w.eat(&["NONE"]) {
                return Ok(None);
            }
            let parts = w.name().unwrap_or_default();
            let (table, column) = match parts.as_slice() {
                [t, c] => (QName::public(t.clone()), c.clone()),
                [.., s, t, c] => (QName::new(s.clone(), t.clone()), c.clone()),
                _ => return Ok(None),
            };
            return Ok(Some(Ddl::SequenceOwnedBy {
                sequence,
                table,
                column,
            }));
        }
        w.pos += 1;
    }
    Ok(None)
}
