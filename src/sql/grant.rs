//! `GRANT` / `REVOKE` of table and sequence privileges, read on the tokens (sqlparser's
//! reading drops the distinctions that matter here). Anything else (schemas, functions,
//! column lists, `ALL TABLES IN SCHEMA`, role membership, `WITH GRANT OPTION`) is left to
//! the caller, which ignores it.

use sqlparser::tokenizer::Token;

use super::annotations::GrantOn;
use super::ddl::Ddl;
use super::ident::{DEFAULT_SCHEMA, QName};
use super::source::RawStatement;

/// Every table privilege `ALL` stands for (PostgreSQL 15).
const ALL: &[&str] = &[
    "SELECT",
    "INSERT",
    "UPDATE",
    "DELETE",
    "TRUNCATE",
    "REFERENCES",
    "TRIGGER",
];

/// Every sequence privilege `ALL` stands for.
const ALL_SEQUENCE: &[&str] = &["USAGE", "SELECT", "UPDATE"];

/// The statement as a [`Ddl::Grant`], or `None` when it is not a grant of table privileges.
pub fn read(raw: &RawStatement) -> Option<Ddl> {
    let toks: Vec<&Token> = raw.words().map(|t| &t.token).collect();
    let word = |i: usize| match toks.get(i) {
        Some(Token::Word(w)) if w.quote_style.is_none() => Some(w.value.to_uppercase()),
        _ => None,
    };
    let revoke = word(0)? == "REVOKE";
    let mut i = 1;
    if revoke && word(1).as_deref() == Some("GRANT") {
        return None; // REVOKE GRANT OPTION FOR: privileges stay.
    }
    // Privilege words as written (`ALL` expanded once the object kind is known).
    let mut words = Vec::new();
    loop {
        let w = word(i)?;
        words.push(w.clone());
        i += 1;
        if w == "ALL" && word(i).as_deref() == Some("PRIVILEGES") {
            i += 1;
        }
        match toks.get(i) {
            Some(Token::Comma) => i += 1,
            Some(Token::LParen) => return None, // a column grant
            _ => break,
        }
    }
    if word(i)? != "ON" {
        return None;
    }
    i += 1;
    let on = match word(i).as_deref() {
        Some("SEQUENCE") => {
            i += 1;
            GrantOn::Sequence
        }
        Some("TABLE") => {
            i += 1;
            GrantOn::Table
        }
        _ => GrantOn::Table,
    };
    let known = match on {
        GrantOn::Table => ALL,
        GrantOn::Sequence => ALL_SEQUENCE,
    };
    let mut privileges: Vec<String> = Vec::new();
    for w in words {
        match w.as_str() {
            "ALL" => privileges.extend(known.iter().map(|p| p.to_string())),
            p if known.contains(&p) => privileges.push(p.to_string()),
            _ => return None,
        }
    }
    let mut tables = Vec::new();
    loop {
        let (name, next) = qualified(&toks, i)?;
        tables.push(name);
        i = next;
        match toks.get(i) {
            Some(Token::Comma) => i += 1,
            _ => break,
        }
    }
    if word(i)? != if revoke { "FROM" } else { "TO" } {
        return None;
    }
    i += 1;
    let mut grantees = Vec::new();
    loop {
        if word(i).as_deref() == Some("GROUP") {
            i += 1;
        }
        let grantee = match toks.get(i)? {
            Token::Word(w) if w.quote_style.is_none() && w.value.eq_ignore_ascii_case("PUBLIC") => {
                "PUBLIC".to_string()
            }
            Token::Word(w) if w.quote_style.is_none() => w.value.to_lowercase(),
            Token::Word(w) => w.value.clone(),
            _ => return None,
        };
        grantees.push(grantee);
        i += 1;
        match toks.get(i) {
            Some(Token::Comma) => i += 1,
            _ => break,
        }
    }
    if i < toks.len() {
        return None; // WITH GRANT OPTION, GRANTED BY, CASCADE: not modelled.
    }
    Some(Ddl::Grant {
        on,
        tables,
        privileges,
        grantees,
        revoke,
    })
}

/// `[schema.]name` at `i`: the name and the index after it.
fn qualified(toks: &[&Token], i: usize) -> Option<(QName, usize)> {
    let part = |t: &Token| match t {
        Token::Word(w) if w.quote_style.is_none() => Some(w.value.to_lowercase()),
        Token::Word(w) => Some(w.value.clone()),
        _ => None,
    };
    let first = part(toks.get(i)?)?;
    if matches!(toks.get(i + 1), Some(Token::Period)) {
        let second = part(toks.get(i + 2)?)?;
        return Some((QName::new(first, second), i + 3));
    }
    Some((QName::new(DEFAULT_SCHEMA, first), i + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant(text: &str) -> Option<Ddl> {
        let raws = crate::sql::source::split("t.sql", text).expect("splits");
        read(&raws[0])
    }

    #[test]
    fn table_grants_are_read_and_the_rest_is_left_alone() {
        assert_eq!(
            grant("GRANT SELECT, INSERT ON TABLE public.users, orders TO app, \"Report Role\";"),
            Some(Ddl::Grant {
                on: GrantOn::Table,
                tables: vec![QName::public("users"), QName::public("orders")],
                privileges: vec!["SELECT".into(), "INSERT".into()],
                grantees: vec!["app".into(), "Report Role".into()],
                revoke: false,
            })
        );
        assert!(matches!(
            grant("REVOKE ALL ON t FROM PUBLIC;"),
            Some(Ddl::Grant { revoke: true, privileges, grantees, .. }) if privileges.len() == 7 && grantees == ["PUBLIC"]
        ));
        assert_eq!(grant("GRANT USAGE ON SCHEMA s TO app;"), None);
        assert_eq!(grant("GRANT SELECT (email) ON users TO app;"), None);
        assert_eq!(grant("GRANT ALL ON FUNCTION f() TO app;"), None);
        assert_eq!(
            grant("GRANT SELECT ON ALL TABLES IN SCHEMA public TO app;"),
            None
        );
        assert_eq!(grant("GRANT app TO alice;"), None);
        assert!(matches!(
            grant("GRANT ALL ON SEQUENCE s TO app;"),
            Some(Ddl::Grant { on: GrantOn::Sequence, privileges, .. }) if privileges == ["USAGE", "SELECT", "UPDATE"]
        ));
        assert_eq!(grant("GRANT USAGE ON TABLE t TO app;"), None);
        assert_eq!(grant("GRANT SELECT ON t TO app WITH GRANT OPTION;"), None);
    }
}
