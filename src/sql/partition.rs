//! Partitioning and inheritance statements sqlparser does not read: `ALTER TABLE ... ATTACH
//! PARTITION` / `DETACH PARTITION`, `ALTER INDEX ... ATTACH PARTITION`, `CREATE INDEX ... ON
//! ONLY`; and pg_dump's `CREATE TRIGGER ... EXECUTE FUNCTION f('literal', ...)`, whose
//! arguments sqlparser cannot read either.

use sqlparser::tokenizer::{Token, TokenWithSpan};

use super::ddl::{AlterAction, Ddl};
use super::source::RawStatement;
use super::words::Words;

/// `ALTER TABLE ... ATTACH|DETACH PARTITION` and `ALTER INDEX ... ATTACH PARTITION`.
pub fn read(raw: &RawStatement) -> Option<Ddl> {
    let mut w = Words::new(raw);
    if w.eat(&["ALTER", "INDEX"]) {
        let _ = w.eat(&["IF", "EXISTS"]);
        let parent = w.qname()?;
        if !w.eat(&["ATTACH", "PARTITION"]) {
            return None;
        }
        let child = w.qname()?;
        return w.done().then_some(Ddl::AttachIndex { parent, child });
    }
    if !w.eat(&["ALTER", "TABLE"]) {
        return None;
    }
    let if_exists = w.eat(&["IF", "EXISTS"]);
    let _ = w.eat(&["ONLY"]);
    let table = w.qname()?;
    let action = if w.eat(&["ATTACH", "PARTITION"]) {
        let child = w.qname()?;
        AlterAction::AttachPartition {
            child,
            bound: spelled(&w.toks[w.pos..]),
        }
    } else if w.eat(&["DETACH", "PARTITION"]) {
        let child = w.qname()?;
        let _ = w.eat(&["CONCURRENTLY"]) || w.eat(&["FINALIZE"]);
        if !w.done() {
            return None;
        }
        AlterAction::DetachPartition { child }
    } else {
        return None;
    };
    Some(Ddl::AlterTable {
        table,
        actions: vec![action],
        if_exists,
    })
}

/// Tokens spelled back as SQL, with spaces between words and before an opening parenthesis.
fn spelled(toks: &[&TokenWithSpan]) -> String {
    let mut out = String::new();
    let mut prev_word = false;
    for t in toks {
        let word = !matches!(
            t.token,
            Token::LParen | Token::RParen | Token::Comma | Token::Period
        );
        let opens = matches!(t.token, Token::LParen);
        if (word || opens) && prev_word {
            out.push(' ');
        }
        if matches!(t.token, Token::Comma) {
            out.push_str(", ");
            prev_word = false;
            continue;
        }
        out.push_str(&t.token.to_string());
        prev_word = word || matches!(t.token, Token::RParen);
    }
    out
}

/// `CREATE [UNIQUE] INDEX ... ON ONLY table ...` without `ONLY` (the index is the
/// partitioned table's own; pg_dump attaches the partitions' indexes to it afterwards).
pub fn without_only(raw: &RawStatement) -> Option<RawStatement> {
    let w = Words::new(raw);
    if !(w.starts(&["CREATE", "INDEX"]) || w.starts(&["CREATE", "UNIQUE", "INDEX"])) {
        return None;
    }
    let at = (1..w.toks.len()).find(|&i| w.kw_at(i - 1, "ON") && w.kw_at(i, "ONLY"))?;
    Some(without(raw, &w.toks[at..=at]))
}

/// `CREATE TRIGGER ... EXECUTE FUNCTION|PROCEDURE f(args)` with the arguments removed: the
/// catalog needs the function's name, and sqlparser reads only argument types there.
pub fn without_trigger_arguments(raw: &RawStatement) -> Option<RawStatement> {
    let w = Words::new(raw);
    let trigger = w.starts(&["CREATE", "TRIGGER"])
        || w.starts(&["CREATE", "CONSTRAINT", "TRIGGER"])
        || w.starts(&["CREATE", "OR", "REPLACE", "TRIGGER"]);
    if !trigger {
        return None;
    }
    let exec = (1..w.toks.len()).find(|&i| {
        w.kw_at(i - 1, "EXECUTE") && (w.kw_at(i, "FUNCTION") || w.kw_at(i, "PROCEDURE"))
    })?;
    let open = (exec..w.toks.len()).find(|&i| matches!(w.toks[i].token, Token::LParen))?;
    let close = w.toks.len() - 1;
    let args = matches!(w.toks[close].token, Token::RParen) && close > open + 1;
    args.then(|| without(raw, &w.toks[open + 1..close]))
}

/// `raw` without the given tokens.
fn without(raw: &RawStatement, drop: &[&TokenWithSpan]) -> RawStatement {
    let mut shorter = raw.clone();
    shorter
        .tokens
        .retain(|t| !drop.iter().any(|d| d.span == t.span));
    shorter
}

#[cfg(test)]
mod tests {
    use crate::sql::ddl::{AlterAction, Ddl};
    use crate::sql::{QName, parse_file};

    fn one(sql: &str) -> Ddl {
        parse_file("t.sql", sql, false).expect("reads")[0]
            .ddl
            .clone()
    }

    #[test]
    fn attach_and_detach_partition_are_read() {
        match one(
            "ALTER TABLE ONLY public.events ATTACH PARTITION public.events_2024 FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');",
        ) {
            Ddl::AlterTable { table, actions, .. } => {
                assert_eq!(table, QName::public("events"));
                assert_eq!(
                    actions,
                    vec![AlterAction::AttachPartition {
                        child: QName::public("events_2024"),
                        bound: "FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')".into()
                    }]
                );
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            one("ALTER TABLE events DETACH PARTITION events_2024 CONCURRENTLY;"),
            Ddl::AlterTable { actions, .. } if matches!(&actions[..], [AlterAction::DetachPartition { .. }])
        ));
        assert_eq!(
            one("ALTER INDEX public.events_at_idx ATTACH PARTITION public.events_2024_at_idx;"),
            Ddl::AttachIndex {
                parent: QName::public("events_at_idx"),
                child: QName::public("events_2024_at_idx")
            }
        );
    }

    #[test]
    fn an_index_on_only_the_partitioned_table_is_read() {
        match one("CREATE UNIQUE INDEX events_key ON ONLY public.events USING btree (id, at);") {
            Ddl::CreateIndex(ix) => {
                assert_eq!(ix.table, QName::public("events"));
                assert!(ix.unique);
                assert_eq!(ix.keys.len(), 2);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_trigger_calling_a_function_with_literal_arguments_is_read() {
        match one(
            "CREATE TRIGGER t BEFORE INSERT OR UPDATE ON artists FOR EACH ROW EXECUTE PROCEDURE tsvector_update_trigger('other_names_index', 'public.danbooru', 'other_names');",
        ) {
            Ddl::CreateTrigger(t) => {
                assert_eq!(t.table, QName::public("artists"));
                assert_eq!(t.function, QName::public("tsvector_update_trigger"));
            }
            other => panic!("{other:?}"),
        }
    }
}
