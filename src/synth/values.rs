//! SQL expressions over the row number `g` that make plausible values for a column, chosen
//! by its name and type; unique columns carry `g` itself so no two rows repeat.

use super::Settings;
use super::vocab::Vocab;
use crate::sql::quote_literal;

fn pick(list: &[String], index: &str) -> String {
    let arr = list
        .iter()
        .map(|w| quote_literal(w))
        .collect::<Vec<_>>()
        .join(", ");
    format!("(ARRAY[{arr}])[1 + ({index}) % {}]", list.len())
}

/// The row number shifted by the seed, for values that need not be unique.
pub fn mixed(s: &Settings) -> String {
    format!("((g * 7919 + {}) % 1000003)", s.seed % 1_000_003)
}

/// A value for column `name` of type `ty`, or None for a type bellows does not generate.
pub fn value(
    name: &str,
    ty: &str,
    unique: bool,
    labels: Option<&[String]>,
    s: &Settings,
) -> Option<String> {
    let n = name.to_ascii_lowercase();
    let t = ty.to_ascii_lowercase();
    let m = mixed(s);
    if let Some(labels) = labels.filter(|l| !l.is_empty()) {
        let list = labels
            .iter()
            .map(|l| quote_literal(l))
            .collect::<Vec<_>>()
            .join(", ");
        return Some(format!("(ARRAY[{list}])[1 + {m} % {}]::{ty}", labels.len()));
    }
    let base = t
        .split('(')
        .next()
        .unwrap_or("")
        .trim()
        .trim_end_matches("[]");
    let v = match base {
        "smallint" | "int2" => {
            if unique {
                "(g % 32767)::smallint".to_string()
            } else {
                format!("(1 + {m} % 100)::smallint")
            }
        }
        "integer" | "int" | "int4" | "bigint" | "int8" | "serial" | "bigserial" => {
            if unique {
                "g".to_string()
            } else {
                format!("1 + {m} % 1000")
            }
        }
        "numeric" | "decimal" | "real" | "double precision" | "float8" | "float4" | "money" => {
            let digits = precision_room(&t);
            format!("(({m} % {digits}) / 100.0 + 1)::{ty}")
        }
        "boolean" | "bool" => format!("({m} % 2 = 0)"),
        "uuid" => format!("md5('{}-' || g)::uuid", s.seed),
        "date" => format!("(date '2024-01-01' + ({m} % 730)::int)"),
        "timestamp with time zone"
        | "timestamptz"
        | "timestamp without time zone"
        | "timestamp" => {
            format!(
                "(timestamp '2024-01-01 00:00:00' + ({m} % 1051200) * interval '1 minute')::{ty}"
            )
        }
        "time without time zone" | "time" => {
            format!("(time '08:00' + ({m} % 600) * interval '1 minute')")
        }
        "interval" => format!("(({m} % 3600) * interval '1 second')"),
        "json" | "jsonb" => format!(
            "jsonb_build_object('n', g, 'tag', {})::{ty}",
            pick(&super::vocab::for_seed(s.seed).words, &m)
        ),
        "inet" | "cidr" => {
            "('10.' || (g / 65536) % 256 || '.' || (g / 256) % 256 || '.' || g % 256)::inet"
                .to_string()
        }
        "bytea" => "decode(md5(g::text), 'hex')".to_string(),
        "text" | "character varying" | "varchar" | "character" | "char" | "citext" | "name" => {
            let v = text_by_name(&n, &m, &super::vocab::for_seed(s.seed));
            let limit = length_limit(&t);
            let v = match limit {
                Some(l) => format!("left({v}, {l})"),
                None => v,
            };
            return Some(if base == "citext" {
                format!("({v})::citext")
            } else {
                v
            });
        }
        _ => return None,
    };
    Some(v)
}

/// Text chosen by the column's name; every value holds `g`, so it is also unique.
fn text_by_name(n: &str, m: &str, v: &Vocab) -> String {
    let has = |w: &str| n.contains(w);
    let m7 = format!("({m} / 7)");
    if has("email") {
        return format!("lower({}) || '.' || g || '@example.com'", pick(&v.first, m));
    }
    if has("phone") || has("mobile") {
        return "'+1-555-' || lpad((g % 10000)::text, 4, '0') || '-' || g".to_string();
    }
    if has("url") || has("website") || has("link") {
        return format!(
            "'https://example.com/' || {} || '/' || g",
            pick(&v.words, m)
        );
    }
    if has("company") || has("organization") || has("organisation") || has("employer") {
        return format!("{} || ' ' || g", pick(&v.companies, m));
    }
    if has("first_name") {
        return format!("{} || ' ' || g", pick(&v.first, m));
    }
    if has("last_name") || has("surname") {
        return format!("{} || ' ' || g", pick(&v.last, m));
    }
    if has("city") || has("town") {
        return format!("{} || ' ' || g", pick(&v.cities, m));
    }
    if has("country") {
        return format!("{} || ' ' || g", pick(&v.countries, m));
    }
    if has("address") || has("street") {
        return format!("g || ' ' || {}", pick(&v.streets, m));
    }
    if has("name") || has("author") || has("owner") || has("user") {
        return format!(
            "{} || ' ' || {} || ' ' || g",
            pick(&v.first, m),
            pick(&v.last, &m7)
        );
    }
    if has("slug") || has("sku") || has("code") || has("key") || has("isbn") {
        return format!("{} || '-' || g", pick(&v.words, m));
    }
    format!(
        "{} || ' ' || {} || ' ' || g",
        pick(&v.words, m),
        pick(&v.words, &m7)
    )
}

/// `varchar(32)` → 32.
fn length_limit(t: &str) -> Option<u32> {
    let inner = t.split_once('(')?.1.split(')').next()?;
    inner.trim().parse().ok()
}

/// Room for a numeric's digits (`numeric(10,2)` → 10^(10-2) / a bit), as a modulus.
fn precision_room(t: &str) -> u64 {
    let Some(inner) = t.split_once('(').and_then(|(_, r)| r.split(')').next()) else {
        return 100_000;
    };
    let mut parts = inner
        .split(',')
        .map(|p| p.trim().parse::<u32>().unwrap_or(0));
    let (p, sc) = (parts.next().unwrap_or(10), parts.next().unwrap_or(0));
    let whole = p.saturating_sub(sc).min(6);
    10u64.pow(whole).saturating_mul(10).clamp(10, 100_000)
}

/// A reference to a parent row filled 1..rows. The `place`-th column of a key of several
/// columns takes the `place`-th digit of the row number in base `rows`, so the key's
/// combinations never repeat (for up to rows^columns rows).
pub fn reference(ty: &str, place: Option<u32>, s: &Settings) -> String {
    let rows = s.rows.max(1);
    match place {
        Some(p) => format!(
            "(1 + ((g - 1) / {}) % {rows})::{ty}",
            rows.saturating_pow(p).max(1)
        ),
        None => format!("(1 + {} % {rows})::{ty}", mixed(s)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: Settings = Settings { rows: 10, seed: 1 };

    #[test]
    fn values_follow_the_column_name_and_type() {
        assert!(
            value("email", "text", true, None, &S)
                .expect("text")
                .contains("@example.com")
        );
        assert_eq!(value("id", "bigint", true, None, &S).as_deref(), Some("g"));
        assert!(
            value("sku", "varchar(32)", true, None, &S)
                .expect("v")
                .starts_with("left(")
        );
        assert!(value("x", "tsvector", false, None, &S).is_none());
        // Names, cities and companies come from the seed's word lists.
        let v = super::super::vocab::for_seed(1);
        let name = value("full_name", "text", false, None, &S).expect("name");
        assert!(name.contains(&quote_literal(&v.first[0])), "{name}");
        assert!(name.contains(&quote_literal(&v.last[0])), "{name}");
        let city = value("city", "text", false, None, &S).expect("city");
        assert!(city.contains(&quote_literal(&v.cities[0])), "{city}");
        let company = value("company_name", "text", false, None, &S).expect("company");
        assert!(
            company.contains(&quote_literal(&v.companies[0])),
            "{company}"
        );
        let labels = vec!["new".to_string(), "open".to_string()];
        assert!(
            value("status", "public.state", false, Some(&labels), &S)
                .expect("enum")
                .ends_with("::public.state")
        );
    }
}
