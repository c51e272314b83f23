//! Cutting SQL text into statements on sqlparser's tokens, keeping locations and directives.

use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::tokenizer::{Token, TokenWithSpan, Tokenizer, Whitespace};

use super::directive::{self, Directives};
use super::error::SqlError;
use super::ident::QName;
use super::loc::Loc;

/// One statement as it stands in the file, before interpretation.
#[derive(Debug, Clone)]
pub struct RawStatement {
    /// File the statement came from.
    pub path: String,
    /// Where its first token starts.
    pub loc: Loc,
    /// The exact text, without the terminating semicolon.
    pub text: String,
    /// Its tokens (no trailing semicolon), with absolute locations.
    pub tokens: Vec<TokenWithSpan>,
    /// `-- bellows:` directives in the comments right before it.
    pub directives: Directives,
}

impl RawStatement {
    /// The significant (non-whitespace) tokens.
    pub fn words(&self) -> impl Iterator<Item = &TokenWithSpan> {
        self.tokens
            .iter()
            .filter(|t| !matches!(t.token, Token::Whitespace(_)))
    }

    /// An error located at this statement.
    pub fn error(&self, message: impl Into<String>) -> SqlError {
        SqlError::new(&self.path, self.loc, message)
    }

    /// A schema-qualified name from sqlparser's, or an error located at this statement.
    pub fn qname(&self, name: &sqlparser::ast::ObjectName) -> Result<QName, SqlError> {
        QName::from_object(name).ok_or_else(|| self.error(format!("cannot read the name `{name}`")))
    }
}

/// Byte offsets of line starts, to slice statement text from token locations.
struct Lines<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Self { text, starts }
    }

    fn offset(&self, loc: sqlparser::tokenizer::Location) -> usize {
        let line = usize::try_from(loc.line).unwrap_or(0).max(1) - 1;
        let Some(&start) = self.starts.get(line) else {
            return self.text.len();
        };
        let rest = &self.text[start..];
        let col = usize::try_from(loc.column).unwrap_or(1).max(1) - 1;
        rest.char_indices()
            .nth(col)
            .map(|(i, _)| start + i)
            .unwrap_or(self.text.len())
    }
}

/// Split `text` into statements. Comments directly before a statement are read for
/// `-- bellows:` directives; psql meta-commands (`\restrict ...`, `\connect ...`) are skipped.
pub fn split(path: &str, text: &str) -> Result<Vec<RawStatement>, SqlError> {
    let dialect = PostgreSqlDialect {};
    let tokens = Tokenizer::new(&dialect, text)
        .tokenize_with_location()
        .map_err(|e| {
            SqlError::new(
                path,
                Loc::from_sqlparser(e.location),
                format!("syntax error: {}", e.message.to_lowercase()),
            )
            .with_hint("check quoting and dollar-quoted bodies near this point")
        })?;
    let lines = Lines::new(text);
    let mut out = Vec::new();
    let mut current: Vec<TokenWithSpan> = Vec::new();
    let mut significant = false;
    let mut comments: Vec<(String, Loc)> = Vec::new();
    let mut in_meta = false;

    let mut finish = |current: &mut Vec<TokenWithSpan>,
                      comments: &mut Vec<(String, Loc)>,
                      significant: &mut bool|
     -> Result<(), SqlError> {
        if *significant {
            let first = current
                .iter()
                .find(|t| !matches!(t.token, Token::Whitespace(_)));
            let last = current
                .iter()
                .rev()
                .find(|t| !matches!(t.token, Token::Whitespace(_)));
            if let (Some(first), Some(last)) = (first, last) {
                let a = lines.offset(first.span.start);
                let b = lines.offset(last.span.end).max(a);
                let directives = directive::parse(path, comments)?;
                out.push(RawStatement {
                    path: path.to_string(),
                    loc: Loc::from_sqlparser(first.span.start),
                    text: text[a..b].to_string(),
                    tokens: std::mem::take(current),
                    directives,
                });
            }
        }
        current.clear();
        comments.clear();
        *significant = false;
        Ok(())
    };

    for tok in tokens {
        if in_meta {
            if matches!(tok.token, Token::Whitespace(Whitespace::Newline)) {
                in_meta = false;
            }
            continue;
        }
        match &tok.token {
            Token::SemiColon => finish(&mut current, &mut comments, &mut significant)?,
            Token::EOF => {}
            Token::Backslash if !significant => in_meta = true,
            Token::Whitespace(Whitespace::SingleLineComment { comment, .. }) if !significant => {
                comments.push((comment.clone(), Loc::from_sqlparser(tok.span.start)));
            }
            Token::Whitespace(Whitespace::MultiLineComment(comment)) if !significant => {
                for line in comment.lines() {
                    comments.push((line.to_string(), Loc::from_sqlparser(tok.span.start)));
                }
            }
            Token::Whitespace(_) => {
                if significant {
                    current.push(tok);
                }
            }
            _ => {
                significant = true;
                current.push(tok);
            }
        }
    }
    finish(&mut current, &mut comments, &mut significant)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_respecting_dollar_bodies_and_locations() {
        let sql = "SET x = 1;\n\\restrict abc\nCREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;\n  -- bellows:fill 0\nALTER TABLE t ALTER COLUMN c SET NOT NULL";
        let s = split("f.sql", sql).unwrap();
        assert_eq!(s.len(), 3);
        assert_eq!(s[0].text, "SET x = 1");
        assert!(s[1].text.ends_with("LANGUAGE sql"));
        assert_eq!(s[1].loc, Loc { line: 3, col: 1 });
        assert_eq!(s[2].loc, Loc { line: 5, col: 1 });
        assert_eq!(s[2].directives.fill.as_deref(), Some("0"));
    }

    #[test]
    fn unterminated_string_is_located() {
        let e = split("bad.sql", "SELECT 1;\nSELECT 'oops").unwrap_err();
        assert_eq!(e.loc.line, 2);
    }
}

/// Every name a statement's text mentions, qualified names whole (`public.users`) and bare
/// ones in the default schema; string literals, numbers and operators are not names. For
/// statements bellows could not read: which objects they might concern.
pub fn names_in(text: &str) -> Vec<QName> {
    let Ok(tokens) = Tokenizer::new(&PostgreSqlDialect {}, text).tokenize() else {
        return Vec::new();
    };
    let words: Vec<&Token> = tokens
        .iter()
        .filter(|t| !matches!(t, Token::Whitespace(_)))
        .collect();
    let word = |t: &Token| match t {
        Token::Word(w) if w.quote_style.is_some() => Some(w.value.clone()),
        Token::Word(w) => Some(w.value.to_lowercase()),
        _ => None,
    };
    let mut out = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let Some(first) = word(words[i]) else {
            i += 1;
            continue;
        };
        let dotted = matches!(words.get(i + 1), Some(Token::Period));
        match words.get(i + 2).and_then(|t| word(t)) {
            Some(second) if dotted => {
                out.push(QName::new(first, second));
                i += 3;
            }
            _ => {
                out.push(QName::public(first));
                i += 1;
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod names_tests {
    use super::*;

    #[test]
    fn names_in_keeps_qualified_names_whole_and_skips_literals() {
        let n = names_in(
            "CREATE TRIGGER t BEFORE INSERT ON public.\"Artists\" FOR EACH ROW \
             EXECUTE PROCEDURE tsvector_update_trigger('other_names_index', 'public.danbooru', x)",
        );
        assert!(n.contains(&QName::new("public", "Artists")));
        assert!(n.contains(&QName::public("x")));
        assert!(
            !n.iter()
                .any(|q| q.name == "other_names_index" || q.name == "danbooru")
        );
    }
}
