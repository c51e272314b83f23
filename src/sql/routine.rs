//! The body of a `CREATE FUNCTION` / `CREATE PROCEDURE` in SQL or PL/pgSQL: kept so that a
//! change can say which function still names a column it moves or drops.

use sqlparser::ast::{self, CreateFunctionBody, Expr, Value};

/// The body text of `f` when it is written in SQL or PL/pgSQL (other languages' bodies
/// are not SQL bellows could read).
pub fn body(f: &ast::CreateFunction) -> Option<String> {
    let language = f.language.as_ref()?.value.to_lowercase();
    if language != "plpgsql" && language != "sql" {
        return None;
    }
    let expr = match f.function_body.as_ref()? {
        CreateFunctionBody::AsBeforeOptions { body, .. }
        | CreateFunctionBody::AsAfterOptions(body) => body,
        CreateFunctionBody::AsBeginEnd(b) => return Some(b.to_string()),
        CreateFunctionBody::Return(e) | CreateFunctionBody::AsReturnExpr(e) => {
            return Some(e.to_string());
        }
        CreateFunctionBody::AsReturnSelect(s) => return Some(s.to_string()),
    };
    Some(match expr {
        Expr::Value(v) => match &v.value {
            Value::DollarQuotedString(d) => d.value.clone(),
            Value::SingleQuotedString(s) => s.clone(),
            other => other.to_string(),
        },
        other => other.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use crate::sql::{Ddl, parse_file};

    #[test]
    fn plpgsql_and_sql_bodies_are_kept_and_c_bodies_are_not() {
        let st = parse_file(
            "f.sql",
            "CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$\nbegin\n  NEW.email := lower(NEW.email);\n  return NEW;\nend $$;\n\
             CREATE FUNCTION g(int) RETURNS int LANGUAGE sql AS 'SELECT $1 + 1';\n\
             CREATE FUNCTION h(internal) RETURNS internal LANGUAGE c STRICT AS '$libdir/x', 'h';",
            false,
        )
        .expect("reads");
        let bodies: Vec<Option<String>> = st
            .iter()
            .map(|s| match &s.ddl {
                Ddl::CreateFunction { body, .. } => body.clone(),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(
            bodies[0].as_deref(),
            Some("\nbegin\n  NEW.email := lower(NEW.email);\n  return NEW;\nend ")
        );
        assert_eq!(bodies[1].as_deref(), Some("SELECT $1 + 1"));
        assert_eq!(bodies[2], None);
    }
}
