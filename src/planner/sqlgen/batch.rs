//! The statements a backfill batch and a verification batch run, over a keyset range (or,
//! with no key, a range of physical pages).

use super::cols;
use crate::plan::PAGE_RANGE;
use crate::sql::QName;

/// Keyset range condition over `key` for parameters starting at `$1`:
/// `("a", "b") > ($1, $2) AND ("a", "b") <= ($3, $4)`.
pub fn key_range(key: &[String]) -> String {
    let n = key.len();
    let lower: Vec<String> = (1..=n).map(|i| format!("${i}")).collect();
    let upper: Vec<String> = (n + 1..=2 * n).map(|i| format!("${i}")).collect();
    format!(
        "({k}) > ({}) AND ({k}) <= ({})",
        lower.join(", "),
        upper.join(", "),
        k = cols(key)
    )
}

/// The batch range over `key`, or over pages when there is no key.
pub fn batch_range(key: &[String]) -> String {
    if key.is_empty() {
        PAGE_RANGE.to_string()
    } else {
        key_range(key)
    }
}

/// The per-batch UPDATE of a backfill.
pub fn batch_update(
    table: &QName,
    key: &[String],
    set: &[(String, String)],
    filter: &str,
) -> String {
    format!(
        "UPDATE {} SET {} WHERE {} AND ({filter})",
        table.sql(),
        crate::sql::assignments(set.iter().map(|(c, e)| (c, e))),
        batch_range(key)
    )
}

/// The batched verification query.
pub fn verify_query(table: &QName, key: &[String], violation: &str) -> String {
    if key.is_empty() {
        return format!(
            "SELECT ctid FROM {} WHERE {} AND ({violation}) LIMIT 10",
            table.sql(),
            PAGE_RANGE
        );
    }
    format!(
        "SELECT {k} FROM {} WHERE {} AND ({violation}) ORDER BY {k} LIMIT 10",
        table.sql(),
        key_range(key),
        k = cols(key)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_composite_key_range_numbers_its_parameters_in_order() {
        assert_eq!(
            key_range(&["a".into(), "b".into()]),
            r#"("a", "b") > ($1, $2) AND ("a", "b") <= ($3, $4)"#
        );
    }

    #[test]
    fn without_a_key_batches_are_page_ranges() {
        let t = QName::public("t");
        assert_eq!(
            batch_update(&t, &[], &[("b".into(), "a".into())], r#""b" IS NULL"#),
            r#"UPDATE "public"."t" SET "b" = a WHERE ctid >= $1::tid AND ctid < $2::tid AND ("b" IS NULL)"#
        );
        assert_eq!(
            verify_query(&t, &[], "x"),
            r#"SELECT ctid FROM "public"."t" WHERE ctid >= $1::tid AND ctid < $2::tid AND (x) LIMIT 10"#
        );
    }
}
