//! `CREATE SEQUENCE` options the catalog keeps (`AS`, `INCREMENT BY`) and the `ALTER
//! SEQUENCE` changes bellows plans (`INCREMENT BY`, `AS`, `RESTART`, `OWNED BY NONE`), read
//! on the tokens.

use super::annotations::{SequenceChange, SequenceOptions, sequence_type};
use super::ddl::Ddl;
use super::source::RawStatement;
use super::words::Words;

/// The integer types a sequence may have.
const TYPES: [&str; 3] = ["smallint", "integer", "bigint"];

/// `int4` → `integer`, ...; `None` for anything but the three integer types.
fn integer_type(word: &str) -> Option<&'static str> {
    Some(match word {
        "smallint" | "int2" => "smallint",
        "integer" | "int" | "int4" => "integer",
        "bigint" | "int8" => "bigint",
        _ => return None,
    })
}

/// A whole number of up to 64 bits, possibly negative, at the cursor.
fn number(w: &mut Words<'_>) -> Option<i64> {
    use sqlparser::tokenizer::Token;
    let negative = matches!(w.toks.get(w.pos).map(|t| &t.token), Some(Token::Minus));
    let at = w.pos + usize::from(negative);
    let Some(Token::Number(n, _)) = w.toks.get(at).map(|t| &t.token) else {
        return None;
    };
    let n: i64 = n.parse().ok()?;
    w.pos = at + 1;
    Some(if negative { -n } else { n })
}

/// `AS type` and `INCREMENT [BY] n` anywhere in a `CREATE SEQUENCE`.
pub(super) fn create_options(raw: &RawStatement) -> SequenceOptions {
    let mut w = Words::new(raw);
    let mut o = SequenceOptions::default();
    while !w.done() {
        if w.eat(&["AS"]) {
            if let Some(t) = w
                .name()
                .and_then(|n| n.last().and_then(|t| integer_type(t)))
            {
                o.data_type = sequence_type(t);
            }
        } else if w.eat(&["INCREMENT"]) {
            let _ = w.eat(&["BY"]);
            if let Some(n) = number(&mut w) {
                o.increment = (n != 1).then_some(n);
            }
        } else {
            w.pos += 1;
        }
    }
    o
}

/// `ALTER SEQUENCE [IF EXISTS] s` followed only by `INCREMENT [BY] n`, `AS type`, `RESTART
/// [[WITH] n]` and `OWNED BY NONE`; `None` for anything else.
pub(super) fn alter(raw: &RawStatement) -> Option<Ddl> {
    let mut w = Words::new(raw);
    if !w.eat(&["ALTER", "SEQUENCE"]) {
        return None;
    }
    let if_exists = w.eat(&["IF", "EXISTS"]);
    let name = w.qname()?;
    let mut changes = Vec::new();
    while !w.done() {
        let change = if w.eat(&["INCREMENT"]) {
            let _ = w.eat(&["BY"]);
            SequenceChange::Increment(number(&mut w)?)
        } else if w.eat(&["AS"]) {
            let t = integer_type(w.name()?.last()?)?;
            debug_assert!(TYPES.contains(&t));
            SequenceChange::As(t.to_string())
        } else if w.eat(&["RESTART"]) {
            let _ = w.eat(&["WITH"]);
            SequenceChange::Restart(number(&mut w))
        } else if w.eat(&["OWNED", "BY", "NONE"]) {
            SequenceChange::OwnedByNone
        } else {
            return None;
        };
        changes.push(change);
    }
    (!changes.is_empty()).then_some(Ddl::AlterSequence {
        name,
        changes,
        if_exists,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::QName;

    fn raw(text: &str) -> RawStatement {
        crate::sql::source::split("t.sql", text)
            .expect("splits")
            .remove(0)
    }

    #[test]
    fn options_and_changes_are_read() {
        let o = create_options(&raw(
            "CREATE SEQUENCE s AS integer START WITH 1 INCREMENT BY 5 NO MINVALUE CACHE 1;",
        ));
        assert_eq!(o.data_type.as_deref(), Some("integer"));
        assert_eq!(o.increment, Some(5));
        assert_eq!(
            create_options(&raw("CREATE SEQUENCE s AS bigint INCREMENT 1;")),
            SequenceOptions::default()
        );
        assert_eq!(
            alter(&raw(
                "ALTER SEQUENCE s INCREMENT BY -2 AS int8 RESTART WITH 10 OWNED BY NONE;"
            )),
            Some(Ddl::AlterSequence {
                name: QName::public("s"),
                changes: vec![
                    SequenceChange::Increment(-2),
                    SequenceChange::As("bigint".into()),
                    SequenceChange::Restart(Some(10)),
                    SequenceChange::OwnedByNone,
                ],
                if_exists: false,
            })
        );
        assert_eq!(alter(&raw("ALTER SEQUENCE s OWNED BY t.c;")), None);
        assert_eq!(alter(&raw("ALTER SEQUENCE s CACHE 10;")), None);
    }
}
