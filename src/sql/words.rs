//! A cursor over a statement's significant tokens: how the fallback readers recognize the
//! statements sqlparser does not read.

use sqlparser::tokenizer::{Token, TokenWithSpan};

use super::ident::{DEFAULT_SCHEMA, QName};
use super::source::RawStatement;

/// A cursor over the significant tokens of a statement.
pub(super) struct Words<'a> {
    /// The significant tokens.
    pub(super) toks: Vec<&'a TokenWithSpan>,
    /// The cursor.
    pub(super) pos: usize,
}

impl<'a> Words<'a> {
    pub(super) fn new(raw: &'a RawStatement) -> Self {
        Self {
            toks: raw.words().collect(),
            pos: 0,
        }
    }

    pub(super) fn kw_at(&self, i: usize, kw: &str) -> bool {
        matches!(self.toks.get(i).map(|t| &t.token), Some(Token::Word(w)) if w.quote_style.is_none() && w.value.eq_ignore_ascii_case(kw))
    }

    /// Consume the keywords if they all come next.
    pub(super) fn eat(&mut self, kws: &[&str]) -> bool {
        if kws
            .iter()
            .enumerate()
            .all(|(k, kw)| self.kw_at(self.pos + k, kw))
        {
            self.pos += kws.len();
            true
        } else {
            false
        }
    }

    pub(super) fn starts(&self, kws: &[&str]) -> bool {
        kws.iter().enumerate().all(|(k, kw)| self.kw_at(k, kw))
    }

    pub(super) fn ends(&self, kws: &[&str]) -> bool {
        let n = self.toks.len();
        n >= kws.len()
            && kws
                .iter()
                .enumerate()
                .all(|(k, kw)| self.kw_at(n - kws.len() + k, kw))
    }

    pub(super) fn contains(&self, kw: &str) -> bool {
        (0..self.toks.len()).any(|i| self.kw_at(i, kw))
    }

    /// A dotted name of one to three parts, case-folded.
    pub(super) fn name(&mut self) -> Option<Vec<String>> {
        let mut parts = Vec::new();
        loop {
            match self.toks.get(self.pos).map(|t| &t.token) {
                Some(Token::Word(w)) => {
                    parts.push(if w.quote_style.is_some() {
                        w.value.clone()
                    } else {
                        w.value.to_lowercase()
                    });
                    self.pos += 1;
                }
                _ => return None,
            }
            if matches!(
                self.toks.get(self.pos).map(|t| &t.token),
                Some(Token::Period)
            ) {
                self.pos += 1;
            } else {
                return Some(parts);
            }
        }
    }

    pub(super) fn qname(&mut self) -> Option<QName> {
        let p = self.name()?;
        match p.as_slice() {
            [n] => Some(QName::new(DEFAULT_SCHEMA, n.clone())),
            [.., s, n] => Some(QName::new(s.clone(), n.clone())),
            [] => None,
        }
    }

    /// A whole number, possibly negative.
    pub(super) fn integer(&mut self) -> Option<i32> {
        let negative = matches!(
            self.toks.get(self.pos).map(|t| &t.token),
            Some(Token::Minus)
        );
        let at = self.pos + usize::from(negative);
        let Some(Token::Number(n, _)) = self.toks.get(at).map(|t| &t.token) else {
            return None;
        };
        let n: i32 = n.parse().ok()?;
        self.pos = at + 1;
        Some(if negative { -n } else { n })
    }

    pub(super) fn done(&self) -> bool {
        self.pos >= self.toks.len()
    }
}
