//! The statements a backfill batch and a verification batch run, over a keyset range.

use super::cols;
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
        key_range(key)
    )
}

/// The batched verification query.
pub fn verify_query(table: &QName, key: &[String], violation: &str) -> String {
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
}
