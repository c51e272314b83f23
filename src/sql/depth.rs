//! How deep a statement's expressions nest, estimated on its tokens before anything builds
//! a tree from them. sqlparser's trees recurse when printed, visited and dropped, so a
//! chain of thousands of `OR`/`AND`/`+`/`||` terms would exhaust the stack; bellows refuses
//! such a statement with a located error instead.

use sqlparser::tokenizer::Token;

/// The deepest expression bellows reads. The binary runs its work on a thread whose stack
/// holds about ten times this (see `main.rs`).
pub const MAX_DEPTH: usize = 1000;

/// An estimate of the expression depth of the statement made of `tokens`: at each
/// parenthesis level, the binary operators chained so far (a chain of n terms nests n − 1
/// deep), plus the levels open around it. A comma or a clause keyword starts a new chain.
pub fn estimate<'a>(tokens: impl IntoIterator<Item = &'a Token>) -> usize {
    let mut chains: Vec<usize> = vec![0];
    let mut deepest = 0;
    for t in tokens {
        match t {
            Token::LParen | Token::LBracket => chains.push(0),
            Token::RParen | Token::RBracket if chains.len() > 1 => {
                chains.pop();
            }
            Token::Comma => {
                if let Some(c) = chains.last_mut() {
                    *c = 0;
                }
            }
            Token::Word(w) if w.quote_style.is_none() && restarts(&w.value) => {
                if let Some(c) = chains.last_mut() {
                    *c = 0;
                }
            }
            t if binary(t) => {
                if let Some(c) = chains.last_mut() {
                    *c += 1;
                }
            }
            _ => {}
        }
        let depth = chains.iter().sum::<usize>() + chains.len() - 1;
        deepest = deepest.max(depth);
    }
    deepest
}

/// Keywords that end one expression and begin another at the same level.
fn restarts(word: &str) -> bool {
    const WORDS: &[&str] = &[
        "SELECT",
        "FROM",
        "WHERE",
        "GROUP",
        "HAVING",
        "ORDER",
        "UNION",
        "INTERSECT",
        "EXCEPT",
        "WHEN",
        "THEN",
        "ELSE",
        "END",
        "ON",
        "JOIN",
        "CHECK",
        "DEFAULT",
        "USING",
        "SET",
    ];
    WORDS.iter().any(|k| word.eq_ignore_ascii_case(k))
}

fn binary(t: &Token) -> bool {
    match t {
        Token::Word(w) => {
            w.quote_style.is_none()
                && ["AND", "OR", "IS", "LIKE", "ILIKE", "IN"]
                    .iter()
                    .any(|k| w.value.eq_ignore_ascii_case(k))
        }
        Token::Plus
        | Token::Minus
        | Token::Mul
        | Token::Div
        | Token::Mod
        | Token::StringConcat
        | Token::Eq
        | Token::Neq
        | Token::Lt
        | Token::Gt
        | Token::LtEq
        | Token::GtEq
        | Token::DoubleColon
        | Token::Caret
        | Token::Ampersand
        | Token::Pipe
        | Token::Arrow
        | Token::LongArrow
        | Token::HashArrow
        | Token::HashLongArrow
        | Token::AtArrow
        | Token::ArrowAt
        | Token::Tilde
        | Token::TildeAsterisk
        | Token::ExclamationMarkTilde
        | Token::ExclamationMarkTildeAsterisk => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlparser::dialect::PostgreSqlDialect;
    use sqlparser::tokenizer::Tokenizer;

    fn depth(sql: &str) -> usize {
        let toks = Tokenizer::new(&PostgreSqlDialect {}, sql)
            .tokenize()
            .expect("tokens");
        estimate(&toks)
    }

    #[test]
    fn a_flat_chain_is_as_deep_as_its_operators() {
        let chain: Vec<String> = (0..50).map(|i| format!("a = {i}")).collect();
        let d = depth(&format!("CHECK ({})", chain.join(" OR ")));
        assert!((99..=101).contains(&d), "{d}");
    }

    #[test]
    fn lists_and_branches_do_not_add_up() {
        let list: Vec<String> = (0..5000).map(|i| i.to_string()).collect();
        assert!(depth(&format!("SELECT a FROM t WHERE a IN ({})", list.join(", "))) < 5);
        let branches: Vec<String> = (0..2000)
            .map(|i| format!("WHEN a = {i} THEN {i}"))
            .collect();
        assert!(depth(&format!("SELECT CASE {} END FROM t", branches.join(" "))) < 5);
    }

    #[test]
    fn parentheses_add_a_level_each() {
        let open = "(".repeat(40);
        let close = ")".repeat(40);
        assert_eq!(depth(&format!("SELECT {open}1{close}")), 40);
    }
}
