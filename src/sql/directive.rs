//! `-- bellows:` directives: what SQL cannot say, written in a comment before a statement.
//!
//! - `-- bellows:down <expr>`: the reverse conversion for a type change, in terms of the new
//!   column (written as the column's name).
//! - `-- bellows:fill <expr>`: the value for existing NULLs before SET NOT NULL (or for rows
//!   that predate a NOT NULL column without a default).
//! - `-- bellows:ignore <rule>[, <rule>]`: silence lint rules for the next statement.
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
    /// `-- bellows:raw`: run the statement verbatim, unmodelled.
    pub raw: bool,
    /// `-- bellows:raw-down <statement>`: the rollback of a raw statement.
    pub raw_down: Option<String>,
}

/// Names a person can write after `bellows:`.
pub const KNOWN: &[&str] = &["down", "fill", "ignore", "raw", "raw-down"];

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
