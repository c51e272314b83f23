//! Identifiers: case folding, schema-qualified names and quoting for generated SQL.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The schema an unqualified name resolves to (PostgreSQL's default `search_path`).
pub const DEFAULT_SCHEMA: &str = "public";

/// `"col" = expr, ...` for an UPDATE's SET list, columns quoted.
pub fn assignments<'a>(pairs: impl IntoIterator<Item = (&'a String, &'a String)>) -> String {
    pairs
        .into_iter()
        .map(|(c, e)| format!("{} = {e}", quote_ident(c)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Quote an identifier for PostgreSQL, always, doubling embedded quotes.
pub fn quote_ident(name: &str) -> String {
    let mut s = String::with_capacity(name.len() + 2);
    s.push('"');
    for c in name.chars() {
        if c == '"' {
            s.push('"');
        }
        s.push(c);
    }
    s.push('"');
    s
}

/// Quote a string literal (standard_conforming_strings on).
pub fn quote_literal(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

/// Fold an identifier as PostgreSQL does: unquoted names are lower-cased.
pub fn fold(ident: &sqlparser::ast::Ident) -> String {
    if ident.quote_style.is_some() {
        ident.value.clone()
    } else {
        ident.value.to_lowercase()
    }
}

/// A schema-qualified relation, type or function name, already case-folded.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct QName {
    /// Schema name.
    pub schema: String,
    /// Object name.
    pub name: String,
}

impl QName {
    /// A name in `schema`.
    pub fn new(schema: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            schema: schema.into(),
            name: name.into(),
        }
    }

    /// A name in the default schema.
    pub fn public(name: impl Into<String>) -> Self {
        Self::new(DEFAULT_SCHEMA, name)
    }

    /// From a sqlparser object name (`a` or `s.a`; a database prefix is dropped).
    pub fn from_object(name: &sqlparser::ast::ObjectName) -> Option<Self> {
        let parts: Vec<String> = name
            .0
            .iter()
            .filter_map(|p| p.as_ident().map(fold))
            .collect();
        match parts.as_slice() {
            [n] => Some(Self::public(n.clone())),
            [.., s, n] => Some(Self::new(s.clone(), n.clone())),
            [] => None,
        }
    }

    /// `"schema"."name"`, for SQL.
    pub fn sql(&self) -> String {
        format!("{}.{}", quote_ident(&self.schema), quote_ident(&self.name))
    }

    /// `schema.name` for people (unquoted, `public.` kept).
    pub fn display(&self) -> String {
        format!("{}.{}", self.schema, self.name)
    }

    /// A sibling object (same schema) called `name`.
    pub fn sibling(&self, name: impl Into<String>) -> Self {
        Self::new(self.schema.clone(), name)
    }
}

impl fmt::Display for QName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.schema, self.name)
    }
}

/// Parse `schema.name` or `name` written by a person (as in plan files).
impl std::str::FromStr for QName {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.split_once('.') {
            Some((a, b)) if !a.is_empty() && !b.is_empty() => Ok(Self::new(a, b)),
            None if !s.is_empty() => Ok(Self::public(s)),
            _ => Err(format!("not a table name: {s:?}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_doubles_quotes_and_keeps_case() {
        assert_eq!(quote_ident("Mixed Case"), "\"Mixed Case\"");
        assert_eq!(quote_ident("a\"b"), "\"a\"\"b\"");
        assert_eq!(quote_ident("user"), "\"user\"");
        assert_eq!(quote_literal("it's"), "'it''s'");
    }

    #[test]
    fn qualified_sql_is_quoted() {
        assert_eq!(QName::public("Users").sql(), "\"public\".\"Users\"");
        assert_eq!(
            "billing.x".parse::<QName>().unwrap(),
            QName::new("billing", "x")
        );
    }
}
