//! Constraint clauses sqlparser does not read: `UNIQUE (a) WITH (fillfactor=70)` (and on a
//! PRIMARY KEY), a column's `UNIQUE NULLS NOT DISTINCT`, and `ON DELETE SET NULL (a)`. They
//! are taken out of a CREATE TABLE or ALTER TABLE statement's tokens before it is parsed and
//! put back on the constraint they belong to (found by its kind and columns) afterwards.

use sqlparser::tokenizer::{Token, TokenWithSpan};

use super::ddl::{AlterAction, ConstraintDef, ConstraintKind, Ddl};
use super::error::SqlError;
use super::source::RawStatement;

/// Which constraints a clause belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Anchor {
    /// PRIMARY KEY or UNIQUE.
    Key,
    /// FOREIGN KEY / REFERENCES.
    Foreign,
}

/// Clauses taken out for one constraint.
#[derive(Debug, Clone)]
pub struct Extra {
    anchor: Anchor,
    columns: Vec<String>,
    with: Vec<String>,
    nulls_not_distinct: bool,
    set_columns: Vec<String>,
    /// The clause's text, for errors.
    text: String,
}

/// The statement without the clauses, and the clauses; `None` when it has none.
pub fn strip(raw: &RawStatement) -> Option<(RawStatement, Vec<Extra>)> {
    let sig: Vec<usize> = (0..raw.tokens.len())
        .filter(|&i| !matches!(raw.tokens[i].token, Token::Whitespace(_)))
        .collect();
    let toks: Vec<&TokenWithSpan> = sig.iter().map(|&i| &raw.tokens[i]).collect();
    let kw = |i: usize, k: &str| matches!(toks.get(i).map(|t| &t.token), Some(Token::Word(w)) if w.quote_style.is_none() && w.value.eq_ignore_ascii_case(k));
    let create = kw(0, "CREATE") && (1..4).any(|i| kw(i, "TABLE"));
    let alter = kw(0, "ALTER") && kw(1, "TABLE");
    if !create && !alter {
        return None;
    }
    let level: i32 = if create { 1 } else { 0 };
    let mut scan = Scan {
        toks: &toks,
        extras: Vec::new(),
        cut: Vec::new(),
    };
    let mut depth = 0;
    let mut item_start = alter;
    let mut column: Option<String> = None;
    let mut anchor: Option<usize> = None;
    let mut i = if alter { 2 } else { 0 };
    while i < toks.len() {
        match &toks[i].token {
            Token::LParen => {
                depth += 1;
                if depth == level {
                    item_start = true;
                }
                i += 1;
                continue;
            }
            Token::RParen => {
                depth -= 1;
                i += 1;
                continue;
            }
            Token::Comma if depth == level => {
                item_start = true;
                column = None;
                anchor = None;
                i += 1;
                continue;
            }
            _ if depth != level => {
                i += 1;
                continue;
            }
            _ => {}
        }
        if item_start {
            item_start = false;
            if alter {
                if !kw(i, "ADD") {
                    i += 1;
                    continue;
                }
                i += 1;
                if kw(i, "COLUMN") {
                    i += 1;
                }
                if kw(i, "IF") && kw(i + 1, "NOT") && kw(i + 2, "EXISTS") {
                    i += 3;
                }
            }
            let starts_constraint = [
                "CONSTRAINT",
                "UNIQUE",
                "PRIMARY",
                "FOREIGN",
                "CHECK",
                "EXCLUDE",
                "LIKE",
            ]
            .iter()
            .any(|k| kw(i, k));
            if !starts_constraint && let Some(name) = word(&toks, i) {
                column = Some(name);
                i += 1;
                continue;
            }
        }
        if kw(i, "CONSTRAINT") {
            i += 2;
            continue;
        }
        if kw(i, "UNIQUE") || (kw(i, "PRIMARY") && kw(i + 1, "KEY")) {
            i += if kw(i, "UNIQUE") { 1 } else { 2 };
            let mut nnd = false;
            let nulls_at = i;
            if kw(i, "NULLS") {
                nnd = kw(i + 1, "NOT");
                i += if nnd { 3 } else { 2 };
            }
            let table_level = matches!(toks.get(i).map(|t| &t.token), Some(Token::LParen));
            let columns = if table_level {
                name_list(&toks, i)
            } else {
                if i > nulls_at {
                    scan.cut.push((nulls_at, i));
                }
                column.clone().into_iter().collect()
            };
            let a = scan.push(Anchor::Key, columns, nulls_at);
            // sqlparser reads NULLS NOT DISTINCT on a table constraint itself.
            scan.extras[a].nulls_not_distinct = nnd && !table_level;
            anchor = Some(a);
            continue;
        }
        if kw(i, "FOREIGN") && kw(i + 1, "KEY") {
            let columns = name_list(&toks, i + 2);
            anchor = Some(scan.push(Anchor::Foreign, columns, i));
            i += 2;
            continue;
        }
        if kw(i, "REFERENCES") {
            if anchor.is_none_or(|a| scan.extras[a].anchor != Anchor::Foreign) {
                let columns = column.clone().into_iter().collect();
                anchor = Some(scan.push(Anchor::Foreign, columns, i));
            }
            i += 1;
            continue;
        }
        if kw(i, "CHECK") || kw(i, "EXCLUDE") || kw(i, "DEFAULT") || kw(i, "GENERATED") {
            anchor = None;
            i += 1;
            continue;
        }
        if let Some(a) = anchor {
            let open = |j: usize| matches!(toks.get(j).map(|t| &t.token), Some(Token::LParen));
            if scan.extras[a].anchor == Anchor::Key && kw(i, "WITH") && open(i + 1) {
                let end = close(&toks, i + 1);
                scan.extras[a].with = params(&toks[i + 2..end.saturating_sub(1)]);
                scan.cut.push((i, end));
                i = end;
                continue;
            }
            if scan.extras[a].anchor == Anchor::Foreign
                && kw(i, "SET")
                && (kw(i + 1, "NULL") || kw(i + 1, "DEFAULT"))
                && open(i + 2)
            {
                scan.extras[a].set_columns = name_list(&toks, i + 2);
                let end = close(&toks, i + 2);
                scan.cut.push((i + 2, end));
                i = end;
                continue;
            }
        }
        i += 1;
    }
    let extras: Vec<Extra> = scan
        .extras
        .into_iter()
        .filter(|e| !e.with.is_empty() || e.nulls_not_distinct || !e.set_columns.is_empty())
        .collect();
    if extras.is_empty() {
        return None;
    }
    let drop: Vec<usize> = scan
        .cut
        .iter()
        .flat_map(|&(a, b)| (a..b).map(|k| sig[k]))
        .collect();
    let mut shorter = raw.clone();
    shorter.tokens = raw
        .tokens
        .iter()
        .enumerate()
        .filter(|(k, _)| !drop.contains(k))
        .map(|(_, t)| t.clone())
        .collect();
    Some((shorter, extras))
}

/// Put the clauses back on their constraints.
pub fn restore(raw: &RawStatement, ddl: &mut Ddl, extras: &[Extra]) -> Result<(), SqlError> {
    for e in extras {
        let mut defs: Vec<&mut ConstraintDef> = match ddl {
            Ddl::CreateTable(t) => t
                .constraints
                .iter_mut()
                .chain(t.columns.iter_mut().flat_map(|c| c.constraints.iter_mut()))
                .collect(),
            Ddl::AlterTable { actions, .. } => actions
                .iter_mut()
                .flat_map(|a| match a {
                    AlterAction::AddConstraint { def, .. } => vec![def],
                    AlterAction::AddColumn { column, .. } => {
                        column.constraints.iter_mut().collect()
                    }
                    _ => Vec::new(),
                })
                .collect(),
            _ => Vec::new(),
        };
        let placed = defs
            .iter_mut()
            .any(|d| d.kind.columns() == e.columns.as_slice() && apply(&mut d.kind, e));
        if !placed {
            return Err(raw
                .error(format!(
                    "cannot tell which constraint `{}` belongs to",
                    e.text
                ))
                .with_hint("write the constraint on its own: `ALTER TABLE t ADD CONSTRAINT name UNIQUE (cols) WITH (...)`"));
        }
    }
    Ok(())
}

/// Put `e`'s clauses on `kind` if it is of the anchor's kind and has none yet.
fn apply(kind: &mut ConstraintKind, e: &Extra) -> bool {
    match (kind, e.anchor) {
        (ConstraintKind::PrimaryKey { index, .. }, Anchor::Key)
            if index.with.is_empty() && !e.nulls_not_distinct =>
        {
            index.with = e.with.clone();
            true
        }
        (
            ConstraintKind::Unique {
                index,
                nulls_not_distinct,
                ..
            },
            Anchor::Key,
        ) if index.with.is_empty() => {
            index.with = e.with.clone();
            *nulls_not_distinct |= e.nulls_not_distinct;
            true
        }
        (
            ConstraintKind::ForeignKey {
                delete_set_columns, ..
            },
            Anchor::Foreign,
        ) if delete_set_columns.is_empty() => {
            *delete_set_columns = e.set_columns.clone();
            true
        }
        _ => false,
    }
}

struct Scan<'a> {
    toks: &'a [&'a TokenWithSpan],
    extras: Vec<Extra>,
    /// Ranges of significant tokens to take out.
    cut: Vec<(usize, usize)>,
}

impl Scan<'_> {
    fn push(&mut self, anchor: Anchor, columns: Vec<String>, at: usize) -> usize {
        let text = self.toks[at..self.toks.len().min(at + 12)]
            .iter()
            .map(|t| t.token.to_string())
            .collect::<Vec<_>>()
            .join(" ");
        self.extras.push(Extra {
            anchor,
            columns,
            with: Vec::new(),
            nulls_not_distinct: false,
            set_columns: Vec::new(),
            text,
        });
        self.extras.len() - 1
    }
}

/// A name token, case-folded.
fn word(toks: &[&TokenWithSpan], i: usize) -> Option<String> {
    match toks.get(i).map(|t| &t.token) {
        Some(Token::Word(w)) if w.quote_style.is_some() => Some(w.value.clone()),
        Some(Token::Word(w)) => Some(w.value.to_lowercase()),
        _ => None,
    }
}

/// The index just past the parenthesis that closes the one at `open`.
fn close(toks: &[&TokenWithSpan], open: usize) -> usize {
    let mut depth = 0;
    for (k, t) in toks.iter().enumerate().skip(open) {
        match t.token {
            Token::LParen => depth += 1,
            Token::RParen => {
                depth -= 1;
                if depth == 0 {
                    return k + 1;
                }
            }
            _ => {}
        }
    }
    toks.len()
}

/// The names in the parenthesized list at `open`.
fn name_list(toks: &[&TokenWithSpan], open: usize) -> Vec<String> {
    let end = close(toks, open);
    (open + 1..end.saturating_sub(1))
        .filter_map(|k| word(toks, k))
        .collect()
}

/// `name [= value], ...` as `name=value` (a bare name is `name=true`), the way
/// `pg_class.reloptions` spells them.
fn params(toks: &[&TokenWithSpan]) -> Vec<String> {
    toks.split(|t| matches!(t.token, Token::Comma))
        .filter_map(|p| {
            let name = word(p, 0)?;
            let value = match p.get(2).map(|t| &t.token) {
                Some(Token::SingleQuotedString(s)) => s.clone(),
                Some(Token::Number(n, _)) => n.clone(),
                Some(Token::Word(_)) => word(p, 2).unwrap_or_default(),
                _ => "true".to_string(),
            };
            Some(storage_param(&name, &value))
        })
        .collect()
}

/// One storage parameter as `pg_class.reloptions` spells it.
pub fn storage_param(name: &str, value: &str) -> String {
    format!("{name}={value}")
}

#[cfg(test)]
#[path = "key_extras_tests.rs"]
mod tests;
