//! Which SQL and PL/pgSQL functions still name a column or a table: the lines a person must
//! check before a change drops or moves what they name.

use super::model::Catalog;
use crate::sql::QName;

/// One line of a function body that names something.
#[derive(Debug, Clone, PartialEq)]
pub struct Mention {
    /// The function.
    pub function: QName,
    /// The line, counted from the body's first line.
    pub line: usize,
    /// The line's text, trimmed.
    pub text: String,
}

impl std::fmt::Display for Mention {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} (body line {}: `{}`)",
            self.function.display(),
            self.line,
            self.text
        )
    }
}

/// Does `text` hold `word` as a whole identifier (any case)?
fn has_word(text: &str, word: &str) -> bool {
    let is_ident = |c: char| c.is_alphanumeric() || c == '_' || c == '$';
    let lower = text.to_lowercase();
    let word = word.to_lowercase();
    lower.match_indices(&word).any(|(at, _)| {
        let before = lower[..at].chars().next_back();
        let after = lower[at + word.len()..].chars().next();
        !before.is_some_and(is_ident) && !after.is_some_and(is_ident)
    })
}

impl Catalog {
    /// Lines naming `word` in the functions that concern `table`: the functions its
    /// triggers call, and any function whose body names the table.
    pub fn function_mentions(&self, table: &QName, word: &str) -> Vec<Mention> {
        let triggers: Vec<&QName> = self
            .tables
            .get(table)
            .map(|t| t.triggers.values().map(|tr| &tr.function).collect())
            .unwrap_or_default();
        let mut out = Vec::new();
        for (name, bodies) in &self.function_bodies {
            for body in bodies {
                if !triggers.contains(&name) && !has_word(body, &table.name) {
                    continue;
                }
                for (i, line) in body.lines().enumerate() {
                    if has_word(line, word) {
                        out.push(Mention {
                            function: name.clone(),
                            line: i + 1,
                            text: line.trim().chars().take(120).collect(),
                        });
                    }
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_whole_identifiers() {
        assert!(has_word("NEW.email := lower(NEW.Email);", "email"));
        assert!(!has_word("NEW.email_address := 1;", "email"));
        assert!(!has_word("v_email := 1;", "email"));
    }

    #[test]
    fn trigger_functions_and_functions_naming_the_table_are_searched() {
        let cat = crate::catalog::load_str(
            "s.sql",
            "CREATE TABLE users (id int PRIMARY KEY, email text);
             CREATE TABLE other (id int PRIMARY KEY, email text);
             CREATE FUNCTION norm() RETURNS trigger LANGUAGE plpgsql AS $$
             begin
               NEW.email := lower(NEW.email);
               return NEW;
             end $$;
             CREATE TRIGGER users_norm BEFORE INSERT ON users FOR EACH ROW EXECUTE FUNCTION norm();
             CREATE FUNCTION report() RETURNS bigint LANGUAGE sql AS 'SELECT count(email) FROM users';
             CREATE FUNCTION unrelated() RETURNS bigint LANGUAGE sql AS 'SELECT count(email) FROM other';",
        )
        .expect("schema");
        let found: Vec<String> = cat
            .function_mentions(&QName::public("users"), "email")
            .iter()
            .map(|m| m.to_string())
            .collect();
        assert_eq!(
            found,
            [
                "public.norm (body line 3: `NEW.email := lower(NEW.email);`)",
                "public.report (body line 1: `SELECT count(email) FROM users`)"
            ]
        );
    }
}
