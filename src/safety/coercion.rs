//! Type changes PostgreSQL makes without rewriting the table (binary-coercible, or a
//! relaxed length/precision limit).

/// Split `character varying(20)` into (`character varying`, Some("20")).
fn split(ty: &str) -> (&str, Option<&str>) {
    match (ty.find('('), ty.rfind(')')) {
        (Some(a), Some(b))
            if b > a
                && !ty.ends_with("[]")
                && !ty.contains(" with")
                && !ty.contains(" without") =>
        {
            (ty[..a].trim(), Some(&ty[a + 1..b]))
        }
        _ => (ty, None),
    }
}

/// Can column type `from` become `to` without a table rewrite? Both in canonical spelling
/// ([`crate::sql::types::canonical_text`]). `utc` says whether the session time zone is UTC
/// (which makes timestamp → timestamptz catalog-only on PostgreSQL 12+).
pub fn binary_coercible(from: &str, to: &str, pg_version: u32, utc: bool) -> bool {
    if from == to {
        return true;
    }
    let (fb, fm) = split(from);
    let (tb, tm) = split(to);
    let num = |s: Option<&str>| {
        s.and_then(|m| m.split(',').next())
            .and_then(|p| p.trim().parse::<u32>().ok())
    };
    let scale = |s: Option<&str>| {
        s.and_then(|m| m.split(',').nth(1))
            .map(|x| x.trim().to_string())
            .unwrap_or_else(|| "0".into())
    };
    match (fb, tb) {
        ("character varying", "character varying") => match (num(fm), num(tm)) {
            (Some(a), Some(b)) => b >= a,
            (_, None) => true,
            (None, Some(_)) => false,
        },
        ("character varying", "text") | ("text", "character varying") if tm.is_none() => true,
        ("character varying", "text") => true,
        ("numeric", "numeric") => match (fm, tm) {
            (_, None) => true,
            (None, Some(_)) => false,
            (Some(_), Some(_)) => scale(fm) == scale(tm) && num(tm) >= num(fm),
        },
        ("bit varying", "bit varying") => match (num(fm), num(tm)) {
            (Some(a), Some(b)) => b >= a,
            (_, None) => true,
            _ => false,
        },
        ("cidr", "inet") => true,
        ("timestamp without time zone", "timestamp with time zone") => pg_version >= 12 && utc,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::binary_coercible as bc;

    #[test]
    fn known_safe_and_unsafe_changes() {
        assert!(bc(
            "character varying(10)",
            "character varying(20)",
            15,
            false
        ));
        assert!(!bc(
            "character varying(20)",
            "character varying(10)",
            15,
            false
        ));
        assert!(bc("character varying(20)", "text", 15, false));
        assert!(bc("text", "character varying", 15, false));
        assert!(!bc("text", "character varying(10)", 15, false));
        assert!(bc("numeric(10,2)", "numeric(12,2)", 15, false));
        assert!(!bc("numeric(10,2)", "numeric(12,3)", 15, false));
        assert!(bc("numeric(10,2)", "numeric", 15, false));
        assert!(!bc("integer", "bigint", 15, false));
        assert!(bc("cidr", "inet", 15, false));
        assert!(!bc(
            "timestamp without time zone",
            "timestamp with time zone",
            15,
            false
        ));
    }
}
