//! Catalog-only statements read on sqlparser's tokens: `COMMENT ON` a relation or a
//! constraint, `RENAME CONSTRAINT`, `ALTER INDEX ... RENAME TO`, `REPLICA IDENTITY`,
//! `SET STORAGE`, `SET COMPRESSION` and `ALTER TYPE ... RENAME VALUE`. Each is one action
//! bellows plans as one step; pg_dump writes several of them (`ALTER TABLE ONLY ...`).

use sqlparser::tokenizer::Token;

use super::ddl::{AlterAction, CommentObject, Compression, Ddl, ReplicaIdentity, Storage};
use super::source::RawStatement;
use super::words::Words;

/// The statement as one of the forms above, or `None` when it is not one of them.
pub(super) fn read(raw: &RawStatement) -> Option<Ddl> {
    let w = Words::new(raw);
    if w.starts(&["COMMENT", "ON"]) {
        return comment(raw);
    }
    if w.starts(&["ALTER", "INDEX"]) {
        return rename_index(raw);
    }
    if w.starts(&["ALTER", "TYPE"]) {
        return rename_value(raw);
    }
    if w.starts(&["ALTER", "TABLE"]) {
        return alter_table(raw);
    }
    None
}

/// A string literal (`'...'`, `E'...'`, `$$...$$`) at the cursor.
fn literal(v: &mut Words<'_>) -> Option<String> {
    let text = match v.toks.get(v.pos).map(|t| &t.token) {
        Some(Token::SingleQuotedString(s) | Token::EscapedStringLiteral(s)) => s.clone(),
        Some(Token::DollarQuotedString(d)) => d.value.clone(),
        _ => return None,
    };
    v.pos += 1;
    Some(text)
}

/// `COMMENT ON TABLE | VIEW | MATERIALIZED VIEW | INDEX | SEQUENCE name IS ...` and
/// `COMMENT ON CONSTRAINT name ON table IS ...`.
fn comment(raw: &RawStatement) -> Option<Ddl> {
    let mut v = Words::new(raw);
    v.eat(&["COMMENT", "ON"]);
    let object = if v.eat(&["TABLE"]) {
        CommentObject::Table(v.qname()?)
    } else if v.eat(&["VIEW"]) {
        CommentObject::View {
            name: v.qname()?,
            materialized: false,
        }
    } else if v.eat(&["MATERIALIZED", "VIEW"]) {
        CommentObject::View {
            name: v.qname()?,
            materialized: true,
        }
    } else if v.eat(&["INDEX"]) {
        CommentObject::Index(v.qname()?)
    } else if v.eat(&["SEQUENCE"]) {
        CommentObject::Sequence(v.qname()?)
    } else if v.eat(&["CONSTRAINT"]) {
        let [name] = v.name()?.try_into().ok()?;
        if !v.eat(&["ON"]) || v.kw_at(v.pos, "DOMAIN") {
            return None;
        }
        CommentObject::Constraint {
            table: v.qname()?,
            name,
        }
    } else {
        return None;
    };
    if !v.eat(&["IS"]) {
        return None;
    }
    let comment = if v.eat(&["NULL"]) {
        None
    } else {
        Some(literal(&mut v)?)
    };
    v.done().then_some(Ddl::CommentOn { object, comment })
}

/// `ALTER INDEX [IF EXISTS] name RENAME TO new`.
fn rename_index(raw: &RawStatement) -> Option<Ddl> {
    let mut v = Words::new(raw);
    v.eat(&["ALTER", "INDEX"]);
    let if_exists = v.eat(&["IF", "EXISTS"]);
    let index = v.qname()?;
    if !v.eat(&["RENAME", "TO"]) {
        return None;
    }
    let [to] = v.name()?.try_into().ok()?;
    v.done().then_some(Ddl::RenameIndex {
        index,
        to,
        if_exists,
    })
}

/// `ALTER TYPE name RENAME VALUE 'from' TO 'to'`.
fn rename_value(raw: &RawStatement) -> Option<Ddl> {
    let mut v = Words::new(raw);
    v.eat(&["ALTER", "TYPE"]);
    let name = v.qname()?;
    if !v.eat(&["RENAME", "VALUE"]) {
        return None;
    }
    let from = literal(&mut v)?;
    if !v.eat(&["TO"]) {
        return None;
    }
    let to = literal(&mut v)?;
    v.done().then_some(Ddl::RenameEnumValue { name, from, to })
}

/// `ALTER TABLE [IF EXISTS] [ONLY] t` with one of `RENAME CONSTRAINT a TO b`, `REPLICA
/// IDENTITY ...`, `ALTER [COLUMN] c SET STORAGE s`, `ALTER [COLUMN] c SET COMPRESSION m`.
fn alter_table(raw: &RawStatement) -> Option<Ddl> {
    let mut v = Words::new(raw);
    v.eat(&["ALTER", "TABLE"]);
    let if_exists = v.eat(&["IF", "EXISTS"]);
    let _ = v.eat(&["ONLY"]);
    let table = v.qname()?;
    let action = if v.eat(&["RENAME", "CONSTRAINT"]) {
        let [from] = v.name()?.try_into().ok()?;
        if !v.eat(&["TO"]) {
            return None;
        }
        let [to] = v.name()?.try_into().ok()?;
        AlterAction::RenameConstraint { from, to }
    } else if v.eat(&["REPLICA", "IDENTITY"]) {
        AlterAction::ReplicaIdentity(if v.eat(&["DEFAULT"]) {
            ReplicaIdentity::Default
        } else if v.eat(&["FULL"]) {
            ReplicaIdentity::Full
        } else if v.eat(&["NOTHING"]) {
            ReplicaIdentity::Nothing
        } else if v.eat(&["USING", "INDEX"]) {
            let [i] = v.name()?.try_into().ok()?;
            ReplicaIdentity::Index(i)
        } else {
            return None;
        })
    } else if v.eat(&["ALTER"]) {
        let _ = v.eat(&["COLUMN"]);
        let [column] = v.name()?.try_into().ok()?;
        let word = |v: &mut Words<'_>| -> Option<String> {
            let w = v.name()?;
            match w.as_slice() {
                [one] => Some(one.clone()),
                _ => None,
            }
        };
        if v.eat(&["SET", "STORAGE"]) {
            AlterAction::SetStorage {
                column,
                storage: Storage::parse(&word(&mut v)?)?,
            }
        } else if v.eat(&["SET", "COMPRESSION"]) {
            let m = word(&mut v)?;
            AlterAction::SetCompression {
                column,
                method: match m.as_str() {
                    "default" => None,
                    other => Some(Compression::parse(other)?),
                },
            }
        } else {
            return None;
        }
    } else {
        return None;
    };
    v.done().then_some(Ddl::AlterTable {
        table,
        actions: vec![action],
        if_exists,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::QName;

    fn read_one(text: &str) -> Option<Ddl> {
        let raws = crate::sql::source::split("t.sql", text).expect("splits");
        read(&raws[0])
    }

    fn alter(table: &str, a: AlterAction) -> Option<Ddl> {
        Some(Ddl::AlterTable {
            table: QName::public(table),
            actions: vec![a],
            if_exists: false,
        })
    }

    #[test]
    fn comments_on_relations_and_constraints() {
        assert_eq!(
            read_one("COMMENT ON TABLE public.\"Users\" IS 'people';"),
            Some(Ddl::CommentOn {
                object: CommentObject::Table(QName::public("Users")),
                comment: Some("people".into())
            })
        );
        assert_eq!(
            read_one("COMMENT ON CONSTRAINT users_email_key ON users IS NULL;"),
            Some(Ddl::CommentOn {
                object: CommentObject::Constraint {
                    table: QName::public("users"),
                    name: "users_email_key".into()
                },
                comment: None
            })
        );
        assert!(matches!(
            read_one("COMMENT ON MATERIALIZED VIEW s.mv IS $$it's$$;"),
            Some(Ddl::CommentOn { object: CommentObject::View { materialized: true, .. }, comment: Some(c) }) if c == "it's"
        ));
        assert_eq!(
            read_one("COMMENT ON CONSTRAINT c ON DOMAIN d IS 'x';"),
            None
        );
        assert_eq!(read_one("COMMENT ON FUNCTION f() IS 'x';"), None);
    }

    #[test]
    fn renames_identity_storage_and_compression() {
        assert_eq!(
            read_one("ALTER TABLE ONLY users RENAME CONSTRAINT a TO \"B\";"),
            alter(
                "users",
                AlterAction::RenameConstraint {
                    from: "a".into(),
                    to: "B".into()
                }
            )
        );
        assert_eq!(
            read_one("ALTER INDEX IF EXISTS s.i RENAME TO j;"),
            Some(Ddl::RenameIndex {
                index: QName::new("s", "i"),
                to: "j".into(),
                if_exists: true
            })
        );
        assert_eq!(
            read_one("ALTER TYPE mood RENAME VALUE 'a' TO 'b';"),
            Some(Ddl::RenameEnumValue {
                name: QName::public("mood"),
                from: "a".into(),
                to: "b".into()
            })
        );
        assert_eq!(
            read_one("ALTER TABLE t REPLICA IDENTITY USING INDEX t_key;"),
            alter(
                "t",
                AlterAction::ReplicaIdentity(ReplicaIdentity::Index("t_key".into()))
            )
        );
        assert_eq!(
            read_one("ALTER TABLE t ALTER COLUMN b SET STORAGE external;"),
            alter(
                "t",
                AlterAction::SetStorage {
                    column: "b".into(),
                    storage: Storage::External
                }
            )
        );
        assert_eq!(
            read_one("ALTER TABLE t ALTER b SET COMPRESSION DEFAULT;"),
            alter(
                "t",
                AlterAction::SetCompression {
                    column: "b".into(),
                    method: None
                }
            )
        );
        assert_eq!(
            read_one("ALTER TABLE t ALTER b SET STORAGE sideways;"),
            None
        );
        assert_eq!(read_one("ALTER INDEX i SET TABLESPACE x;"), None);
    }
}
