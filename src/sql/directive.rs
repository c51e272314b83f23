//! `-- bellows:` directives: what SQL cannot say, written in a comment before a statement.
//!
//! - `-- bellows:down <expr>`: the reverse conversion for a type change, in terms of the new
//!   column (written as the column's name).
//! - `-- bellows:fill <expr>`: the value for existing NULLs before SET NOT NULL (or for rows
//!   that predate a NOT NULL column without a default).
//! - `-- bellows:ignore <rule>[, <rule>]`: silence lint rules for the next statement.
//! - `-- bellows:up <expr>`: the value of a new nullable column for existing rows and for rows
//!   old code writes, computed from the row's other columns.
//! - `-- bellows:fix-rows`, `fix-orphans`, `fix-duplicates`: data fix-ups before a
//!   constraint validates ([`super::fixup`]).
//! - `-- bellows:versioned-views <schema>`: RENAME COLUMN through views, nothing copied.
//! - `-- bellows:raw`: run the next statement verbatim as one step (a statement bellows does
//!   not model); `-- bellows:raw-down <statement>` is its rollback.

use super::error::SqlError;
use super::loc::Loc;

/// Directives attached to one statement.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Directives {
    /// Reverse conversion expression for a type change.
    pub down: Option<String>,
    /// Value for existing NULL rows.
    pub fill: Option<String>,
    /// Lint rules to ignore for this statement.
    pub ignore: Vec<String>,
    /// Value of a new nullable column, over the row's other columns.
    pub up: Option<String>,
    /// A data fix-up before the constraint validates.
    pub fix: Option<super::fixup::Fix>,
    /// `versioned-views <schema>`: rename through views in this schema instead of a copy.
    pub versioned: Option<String>,
    /// `-- bellows:raw`: run the statement verbatim, unmodelled.
    pub raw: bool,
    /// `-- bellows:raw-down <statement>`: the rollback of a raw statement.
    pub raw_down: Option<String>,
}

/// Names a person can write after `bellows:`.
pub const KNOWN: &[&str] = &[
    "down",
    "fill",
    "ignore",
    "up",
    "fix-rows",
    "fix-orphans",
    "fix-duplicates",
    "versioned-views",
    "raw",
    "raw-down",
];

/// A schema name: plain (folded to lower case) or double-quoted.
fn schema_name(value: &str) -> Option<String> {
    let v = value.trim().trim_end_matches(';').trim();
    if let Some(inner) = v.strip_prefix('"').and_then(|r| r.strip_suffix('"')) {
        return (!inner.is_empty() && !inner.contains('"')).then(|| inner.to_string());
    }
    let ok = !v.is_empty()
        && v.chars().all(|c| c.is_alphanumeric() || c == '_')
        && !v.starts_with(|c: char| c.is_ascii_digit());
    ok.then(|| v.to_lowercase())
}

/// Read the directives out of the comments that precede a statement.
pub fn parse(path: &str, comments: &[(String, Loc)]) -> Result<Directives, SqlError> {
    let mut d = Directives::default();
    for (comment, loc) in comments {
        let body = comment.trim().trim_start_matches('*').trim();
        let Some(rest) = body
            .get(..8)
            .filter(|p| p.eq_ignore_ascii_case("bellows:"))
            .map(|_| body[8..].trim_start())
        else {
            continue;
        };
        let (key, value) = rest
            .split_once(char::is_whitespace)
            .map(|(k, v)| (k, v.trim()))
            .unwrap_or((rest, ""));
        let key = key.to_ascii_lowercase();
        let key = key.as_str();
        if key == "raw" {
            if !value.is_empty() {
                return Err(SqlError::new(
                    path,
                    *loc,
                    "`bellows:raw` takes nothing after it",
                )
                .with_hint("write the statement itself after the comment; its rollback goes in `-- bellows:raw-down <statement>`"));
            }
            d.raw = true;
            continue;
        }
        let slot = match key {
            "down" => &mut d.down,
            "raw-down" => &mut d.raw_down,
            "fill" => &mut d.fill,
            "up" => &mut d.up,
            "versioned-views" => {
                let schema = schema_name(value).ok_or_else(|| {
                    SqlError::new(path, *loc, format!("cannot read `bellows:versioned-views {value}`"))
                        .with_hint("write the schema new code's views go to, e.g. `-- bellows:versioned-views app_v2`")
                })?;
                d.versioned = Some(schema);
                continue;
            }
            "fix-rows" | "fix-orphans" | "fix-duplicates" => {
                if let Some(f) = &d.fix {
                    return Err(SqlError::new(
                        path,
                        *loc,
                        format!(
                            "`bellows:{key}` after `bellows:{}`: one fix-up per statement",
                            f.directive()
                        ),
                    ));
                }
                let fix = super::fixup::parse(key, value).map_err(|how| {
                    SqlError::new(path, *loc, format!("cannot read `bellows:{key} {value}`"))
                        .with_hint(how)
                })?;
                d.fix = Some(fix);
                continue;
            }
            "ignore" => {
                d.ignore.extend(
                    value
                        .split([',', ' '])
                        .filter(|s| !s.is_empty())
                        .map(str::to_string),
                );
                continue;
            }
            other => {
                return Err(SqlError::new(
                    path,
                    *loc,
                    format!("unknown directive `bellows:{other}`"),
                )
                .with_hint(format!("known directives: {}", KNOWN.join(", "))));
            }
        };
        if value.is_empty() {
            return Err(
                SqlError::new(path, *loc, format!("`bellows:{key}` needs an expression"))
                    .with_hint(format!(
                        "write e.g. `-- bellows:{key} <sql {}>`",
                        if key == "raw-down" {
                            "statement"
                        } else {
                            "expression"
                        }
                    )),
            );
        }
        if slot.is_some() {
            return Err(SqlError::new(
                path,
                *loc,
                format!("`bellows:{key}` given twice"),
            ));
        }
        *slot = Some(value.trim_end_matches(';').trim().to_string());
    }
    Ok(d)
}

#[cfg(test)]
mod raw_tests {
    use super::*;

    fn read(comments: &[&str]) -> Result<Directives, SqlError> {
        let c: Vec<(String, Loc)> = comments
            .iter()
            .map(|c| (c.to_string(), Loc { line: 1, col: 1 }))
            .collect();
        parse("c.sql", &c)
    }

    #[test]
    fn raw_is_a_flag_and_raw_down_a_statement() {
        let d = read(&[
            " bellows:raw",
            " bellows:raw-down ALTER TABLE t RESET (fillfactor);",
        ])
        .expect("reads");
        assert!(d.raw);
        assert_eq!(
            d.raw_down.as_deref(),
            Some("ALTER TABLE t RESET (fillfactor)")
        );
        let e = read(&[" bellows:raw ALTER TABLE t"]).expect_err("refused");
        assert!(e.message().contains("takes nothing"), "{e}");
        let e = read(&[" bellows:raw-down"]).expect_err("refused");
        assert!(e.hint().unwrap_or("").contains("statement"), "{e}");
    }
}
