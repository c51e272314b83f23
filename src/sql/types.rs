//! Canonical type names, spelled as PostgreSQL's `format_type()` prints them (with
//! `search_path` empty), so a schema file and a live database describe types identically.

use super::ident::{DEFAULT_SCHEMA, fold};

/// Canonical spelling of a type as written in SQL (`varchar(20)`, `int8`, `timestamptz`,
/// `mood`, `text[]`). Serial pseudo-types map to their integer type.
pub fn canonical(dt: &sqlparser::ast::DataType) -> String {
    use sqlparser::ast::DataType;
    if let DataType::Custom(name, mods) = dt {
        let idents: Vec<&sqlparser::ast::Ident> =
            name.0.iter().filter_map(|p| p.as_ident()).collect();
        // `"char"` (quoted) is the one-byte internal type; unquoted `char` is character(1).
        if let [only] = idents.as_slice()
            && only.quote_style.is_some()
            && only.value == "char"
        {
            return "\"char\"".into();
        }
        let parts: Vec<String> = idents.iter().map(|i| fold(i)).collect();
        let base = parts.last().cloned().unwrap_or_default();
        let in_catalog = parts.len() == 1 || (parts.len() == 2 && parts[0] == "pg_catalog");
        if in_catalog && let Some(b) = builtin(&base, &mods.join(",")) {
            return b;
        }
        let schema = if parts.len() >= 2 {
            parts[parts.len() - 2].clone()
        } else {
            DEFAULT_SCHEMA.to_string()
        };
        let mut s = format!("{}.{}", quote_if_needed(&schema), quote_if_needed(&base));
        if !mods.is_empty() {
            s.push_str(&format!("({})", mods.join(",")));
        }
        return s;
    }
    if let DataType::Array(inner) = dt {
        use sqlparser::ast::ArrayElemTypeDef;
        match inner {
            ArrayElemTypeDef::SquareBracket(t, _)
            | ArrayElemTypeDef::AngleBracket(t)
            | ArrayElemTypeDef::Parenthesis(t) => {
                // PostgreSQL does not record dimensions: `int[][]` is `integer[]`.
                let elem = canonical(t);
                return if elem.ends_with("[]") {
                    elem
                } else {
                    format!("{elem}[]")
                };
            }
            _ => return canonical_text(&dt.to_string()),
        }
    }
    canonical_text(&dt.to_string())
}

/// Canonical spelling of a type given as text (e.g. from `format_type()` or a directive).
pub fn canonical_text(text: &str) -> String {
    let mut t = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut dims = 0;
    while let Some(s) = t.strip_suffix("[]") {
        t = s.trim_end().to_string();
        dims += 1;
    }
    let (base, mods) = match (t.find('('), t.rfind(')')) {
        (Some(a), Some(b)) if b > a => {
            let base = format!("{} {}", t[..a].trim(), t[b + 1..].trim());
            (base.trim().to_string(), t[a + 1..b].replace(' ', ""))
        }
        _ => (t.clone(), String::new()),
    };
    let lower = base.to_lowercase();
    let out = builtin(&lower, &mods).unwrap_or_else(|| {
        let unq = |p: &str| {
            if p.starts_with('"') {
                p.trim_matches('"').replace("\"\"", "\"")
            } else {
                p.to_lowercase()
            }
        };
        let (schema, name) = match base.rsplit_once('.') {
            Some((s, n)) => (unq(s), unq(n)),
            None => (DEFAULT_SCHEMA.to_string(), unq(&base)),
        };
        let mut s = format!("{}.{}", quote_if_needed(&schema), quote_if_needed(&name));
        if !mods.is_empty() {
            s.push_str(&format!("({mods})"));
        }
        s
    });
    let mut out = out;
    if dims > 0 {
        // PostgreSQL does not record dimensions: `int[][]` is `integer[]`.
        out.push_str("[]");
    }
    out
}

/// Map a built-in type name (lower-case, modifiers apart) to `format_type` spelling.
fn builtin(base: &str, mods: &str) -> Option<String> {
    let m = |name: &str| {
        if mods.is_empty() {
            name.to_string()
        } else {
            format!("{name}({mods})")
        }
    };
    let tz = |name: &str, zone: &str| {
        if mods.is_empty() {
            format!("{name} {zone}")
        } else {
            format!("{name}({mods}) {zone}")
        }
    };
    let b = base.trim_start_matches("pg_catalog.");
    if let Some(fields) = b.strip_prefix("interval ")
        && fields
            .split_whitespace()
            .all(|w| ["year", "month", "day", "hour", "minute", "second", "to"].contains(&w))
    {
        // `interval day to second(3)`: the precision follows the fields.
        return Some(m(&format!(
            "interval {}",
            fields.split_whitespace().collect::<Vec<_>>().join(" ")
        )));
    }
    Some(match b {
        "int" | "int4" | "integer" | "serial" | "serial4" => "integer".into(),
        "int8" | "bigint" | "bigserial" | "serial8" => "bigint".into(),
        "int2" | "smallint" | "smallserial" | "serial2" => "smallint".into(),
        "bool" | "boolean" => "boolean".into(),
        "float8" | "double precision" | "double" => "double precision".into(),
        "float4" | "real" => "real".into(),
        "float" => match mods.parse::<u32>() {
            Ok(p) if p <= 24 => "real".into(),
            _ => "double precision".into(),
        },
        "decimal" | "numeric" | "dec" if !mods.is_empty() && !mods.contains(',') => {
            format!("numeric({mods},0)")
        }
        "decimal" | "numeric" | "dec" => m("numeric"),
        "varchar" | "character varying" | "char varying" => m("character varying"),
        // Without a length, `bpchar` is unbounded but `char` means one character.
        "bpchar" if mods.is_empty() => "bpchar".into(),
        "char" | "character" | "bpchar" => {
            if mods.is_empty() {
                "character(1)".into()
            } else {
                m("character")
            }
        }
        "\"char\"" => "\"char\"".into(),
        "text" | "bytea" | "uuid" | "json" | "jsonb" | "date" | "interval" | "inet" | "cidr"
        | "macaddr" | "macaddr8" | "money" | "xml" | "tsvector" | "tsquery" | "oid" | "name"
        | "regclass" | "regtype" | "point" | "line" | "box" | "circle" | "polygon" | "path"
        | "lseg" | "int4range" | "int8range" | "numrange" | "tsrange" | "tstzrange"
        | "daterange" | "bit" | "varbit" | "bit varying" | "pg_lsn" | "txid_snapshot"
        | "jsonpath" => match b {
            // Like char, `bit` without a length is bit(1).
            "bit" if mods.is_empty() => "bit(1)".into(),
            "bit" | "bit varying" | "varbit" | "interval" => {
                m(if b == "varbit" { "bit varying" } else { b })
            }
            _ => b.to_string(),
        },
        "timestamp" | "timestamp without time zone" => tz("timestamp", "without time zone"),
        "timestamptz" | "timestamp with time zone" => tz("timestamp", "with time zone"),
        "time" | "time without time zone" => tz("time", "without time zone"),
        "timetz" | "time with time zone" => tz("time", "with time zone"),
        _ => return None,
    })
}

/// Quote a name the way `format_type` does: only when it is not a plain lower-case word.
pub fn quote_if_needed(name: &str) -> String {
    let plain = !name.is_empty()
        && name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '$');
    if plain && !RESERVED.contains(&name) {
        name.to_string()
    } else {
        super::ident::quote_ident(name)
    }
}

/// Reserved words that always need quoting as type or column names.
const RESERVED: &[&str] = &[
    "all",
    "analyse",
    "analyze",
    "and",
    "any",
    "array",
    "as",
    "asc",
    "asymmetric",
    "both",
    "case",
    "cast",
    "check",
    "collate",
    "column",
    "constraint",
    "create",
    "current_catalog",
    "current_date",
    "current_role",
    "current_time",
    "current_timestamp",
    "current_user",
    "default",
    "deferrable",
    "desc",
    "distinct",
    "do",
    "else",
    "end",
    "except",
    "false",
    "fetch",
    "for",
    "foreign",
    "from",
    "grant",
    "group",
    "having",
    "in",
    "initially",
    "intersect",
    "into",
    "lateral",
    "leading",
    "limit",
    "localtime",
    "localtimestamp",
    "not",
    "null",
    "offset",
    "on",
    "only",
    "or",
    "order",
    "placing",
    "primary",
    "references",
    "returning",
    "select",
    "session_user",
    "some",
    "symmetric",
    "table",
    "then",
    "to",
    "trailing",
    "true",
    "union",
    "unique",
    "user",
    "using",
    "variadic",
    "when",
    "where",
    "window",
    "with",
];

/// Is this a serial pseudo-type (which implies a sequence and a default)?
pub fn serial_kind(dt: &sqlparser::ast::DataType) -> Option<&'static str> {
    let s = dt.to_string().to_lowercase();
    match s.as_str() {
        "serial" | "serial4" => Some("integer"),
        "bigserial" | "serial8" => Some("bigint"),
        "smallserial" | "serial2" => Some("smallint"),
        _ => None,
    }
}

/// The storage strategy PostgreSQL gives a column of built-in type `ty` (canonical
/// spelling) unless told otherwise (`pg_type.typstorage`), or `None` for a type it does not
/// know (user types, extension types).
pub fn default_storage(ty: &str) -> Option<super::ddl::Storage> {
    use super::ddl::Storage as S;
    if ty.ends_with("[]") {
        return Some(S::Extended);
    }
    let mut base = String::new();
    let mut depth = 0;
    for ch in ty.chars() {
        match ch {
            '(' => depth += 1,
            ')' => depth -= 1,
            c if depth == 0 => base.push(c),
            _ => {}
        }
    }
    let base = base.split_whitespace().collect::<Vec<_>>().join(" ");
    Some(match base.as_str() {
        "text" | "character varying" | "character" | "bpchar" | "bytea" | "json" | "jsonb"
        | "xml" | "tsvector" | "bit" | "bit varying" => S::Extended,
        "numeric" | "inet" | "cidr" => S::Main,
        "smallint"
        | "integer"
        | "bigint"
        | "real"
        | "double precision"
        | "boolean"
        | "date"
        | "time without time zone"
        | "time with time zone"
        | "timestamp without time zone"
        | "timestamp with time zone"
        | "uuid"
        | "money"
        | "oid"
        | "macaddr"
        | "point"
        | "tsquery"
        | "\"char\"" => S::Plain,
        b if b.starts_with("interval") => S::Plain,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_storage_follows_typstorage() {
        use crate::sql::ddl::Storage as S;
        assert_eq!(default_storage("character varying(20)"), Some(S::Extended));
        assert_eq!(default_storage("numeric(12,2)"), Some(S::Main));
        assert_eq!(
            default_storage("timestamp(3) with time zone"),
            Some(S::Plain)
        );
        assert_eq!(default_storage("interval day to second"), Some(S::Plain));
        assert_eq!(default_storage("integer[]"), Some(S::Extended));
        assert_eq!(default_storage("public.citext"), None);
    }

    #[test]
    fn aliases_become_format_type_spelling() {
        for (a, b) in [
            ("varchar(20)", "character varying(20)"),
            ("character varying(20)", "character varying(20)"),
            ("int8", "bigint"),
            ("timestamptz", "timestamp with time zone"),
            ("timestamp(3) with time zone", "timestamp(3) with time zone"),
            ("TIMESTAMP", "timestamp without time zone"),
            ("numeric(12, 2)", "numeric(12,2)"),
            ("text[]", "text[]"),
            ("mood", "public.mood"),
            ("billing.\"Kind\"", "billing.\"Kind\""),
            ("char(2)", "character(2)"),
            // As format_type() prints them.
            ("bit", "bit(1)"),
            ("bit(1)", "bit(1)"),
            ("numeric(5)", "numeric(5,0)"),
            ("bpchar", "bpchar"),
            ("\"char\"", "\"char\""),
            ("int[][]", "integer[]"),
            ("pg_catalog.int4", "integer"),
            ("interval day to second", "interval day to second"),
            ("interval day to second(3)", "interval day to second(3)"),
            ("interval(2)", "interval(2)"),
            // Extension types resolve like any other unqualified name (to public).
            ("citext", "public.citext"),
        ] {
            assert_eq!(canonical_text(a), b, "{a}");
        }
    }
}
