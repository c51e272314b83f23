//! Data fix-up directives: rows repaired before a constraint validates.
//!
//! - `-- bellows:fix-rows col = expr[, col = expr]`: before a CHECK validates, rows that
//!   violate it are updated with these assignments.
//! - `-- bellows:fix-orphans null|delete`: before a FOREIGN KEY validates, rows whose key has
//!   no referenced row get NULL in the key columns, or are deleted.
//! - `-- bellows:fix-duplicates keep lowest|highest <column>`: before a unique index is built,
//!   all rows but one of each duplicated key are deleted, keeping the one with the lowest (or
//!   highest) value of the column.

/// One fix-up, as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fix {
    /// Assignments (column, expression) for the rows that violate a CHECK.
    Rows(Vec<(String, String)>),
    /// What happens to referencing rows without a referenced row.
    Orphans(Orphans),
    /// Which row of each duplicated key stays.
    Duplicates {
        /// Lowest or highest.
        keep: Keep,
        /// The column that decides (ties: the batching key decides).
        column: String,
    },
}

impl Fix {
    /// The directive's name, for messages.
    pub fn directive(&self) -> &'static str {
        match self {
            Fix::Rows(_) => "fix-rows",
            Fix::Orphans(_) => "fix-orphans",
            Fix::Duplicates { .. } => "fix-duplicates",
        }
    }
}

/// `fix-orphans` actions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Orphans {
    /// Set the referencing columns to NULL.
    SetNull,
    /// Delete the referencing rows.
    Delete,
}

/// `fix-duplicates` choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keep {
    /// The row with the lowest value stays.
    Lowest,
    /// The row with the highest value stays.
    Highest,
}

/// Read the value of a fix directive named `key`; `Err` is what to write instead.
pub fn parse(key: &str, value: &str) -> Result<Fix, String> {
    let value = value.trim().trim_end_matches(';').trim();
    match key {
        "fix-rows" => rows(value).map(Fix::Rows),
        "fix-orphans" => match value.to_ascii_lowercase().as_str() {
            "null" | "set null" => Ok(Fix::Orphans(Orphans::SetNull)),
            "delete" => Ok(Fix::Orphans(Orphans::Delete)),
            _ => {
                Err("write `-- bellows:fix-orphans null` or `-- bellows:fix-orphans delete`".into())
            }
        },
        "fix-duplicates" => duplicates(value),
        _ => Err(format!("`{key}` is not a fix-up directive")),
    }
}

fn duplicates(value: &str) -> Result<Fix, String> {
    let how = "write `-- bellows:fix-duplicates keep lowest <column>` (or `keep highest <column>`)";
    let words: Vec<&str> = value.split_whitespace().collect();
    let [kw, which, column] = words.as_slice() else {
        return Err(how.into());
    };
    if !kw.eq_ignore_ascii_case("keep") {
        return Err(how.into());
    }
    let keep = match which.to_ascii_lowercase().as_str() {
        "lowest" | "first" | "min" => Keep::Lowest,
        "highest" | "last" | "max" => Keep::Highest,
        _ => return Err(how.into()),
    };
    Ok(Fix::Duplicates {
        keep,
        column: column_name(column).ok_or_else(|| how.to_string())?,
    })
}

/// `a = expr, "B" = expr`: split at top-level commas, each at its first top-level `=`.
fn rows(value: &str) -> Result<Vec<(String, String)>, String> {
    let how = "write `-- bellows:fix-rows <column> = <expression>[, <column> = <expression>]`";
    let mut out = Vec::new();
    for part in top_level(value, ',') {
        let Some((col, expr)) = split_once_top(part, '=') else {
            return Err(how.into());
        };
        let (col, expr) = (col.trim(), expr.trim());
        let Some(col) = column_name(col) else {
            return Err(how.into());
        };
        if expr.is_empty() || out.iter().any(|(c, _): &(String, String)| *c == col) {
            return Err(how.into());
        }
        out.push((col, expr.to_string()));
    }
    if out.is_empty() {
        return Err(how.into());
    }
    Ok(out)
}

/// A plain or double-quoted column name, as PostgreSQL folds it.
fn column_name(s: &str) -> Option<String> {
    if let Some(inner) = s.strip_prefix('"').and_then(|r| r.strip_suffix('"')) {
        return (!inner.is_empty()).then(|| inner.replace("\"\"", "\""));
    }
    let ok = !s.is_empty()
        && s.chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '$')
        && !s.starts_with(|c: char| c.is_ascii_digit() || c == '$');
    ok.then(|| s.to_lowercase())
}

/// Pieces of `s` separated by `sep` outside parentheses and quotes.
fn top_level(s: &str, sep: char) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in outside(s) {
        if c == sep {
            out.push(&s[start..i]);
            start = i + c.len_utf8();
        }
    }
    out.push(&s[start..]);
    out
}

/// `s` split at the first `sep` outside parentheses and quotes (not part of `<=`, `>=`, `!=`).
fn split_once_top(s: &str, sep: char) -> Option<(&str, &str)> {
    let bytes = s.as_bytes();
    outside(s)
        .find(|&(i, c)| {
            c == sep
                && !(i > 0 && matches!(bytes[i - 1], b'<' | b'>' | b'!'))
                && bytes.get(i + 1) != Some(&b'>')
        })
        .map(|(i, c)| (&s[..i], &s[i + c.len_utf8()..]))
}

/// The characters of `s` at depth 0 and outside '...' and "...", with their byte offsets.
fn outside(s: &str) -> impl Iterator<Item = (usize, char)> + '_ {
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    s.char_indices().filter(move |&(_, c)| {
        if let Some(qc) = quote {
            if c == qc {
                quote = None;
            }
            return false;
        }
        match c {
            '\'' | '"' => {
                quote = Some(c);
                false
            }
            '(' | '[' => {
                depth += 1;
                false
            }
            ')' | ']' => {
                depth -= 1;
                false
            }
            _ => depth == 0,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fix_rows_reads_assignments_with_commas_and_comparisons_inside() {
        assert_eq!(
            parse(
                "fix-rows",
                "price = greatest(price, 0), \"Note\" = CASE WHEN a >= 1 THEN 'x,y' END;"
            ),
            Ok(Fix::Rows(vec![
                ("price".into(), "greatest(price, 0)".into()),
                ("Note".into(), "CASE WHEN a >= 1 THEN 'x,y' END".into()),
            ]))
        );
        assert!(parse("fix-rows", "greatest(price, 0)").is_err());
        assert!(parse("fix-rows", "a = 1, a = 2").is_err(), "a column twice");
    }

    #[test]
    fn fix_orphans_and_duplicates_read_their_words() {
        assert_eq!(
            parse("fix-orphans", "NULL"),
            Ok(Fix::Orphans(Orphans::SetNull))
        );
        assert_eq!(
            parse("fix-orphans", "delete"),
            Ok(Fix::Orphans(Orphans::Delete))
        );
        assert!(parse("fix-orphans", "cascade").is_err());
        assert_eq!(
            parse("fix-duplicates", "keep highest Updated_At"),
            Ok(Fix::Duplicates {
                keep: Keep::Highest,
                column: "updated_at".into()
            })
        );
        assert!(parse("fix-duplicates", "keep newest id").is_err());
        assert!(parse("fix-duplicates", "lowest id").is_err());
    }
}
