//! Choosing object names: the way PostgreSQL does (`table_col_suffix`, at most 63 bytes,
//! made unique by a number when taken), to predict the names it gives; and bellows' own
//! names for the objects it creates, which stay distinct after truncation.

/// PostgreSQL's identifier limit in bytes (NAMEDATALEN - 1).
pub const MAX_IDENT: usize = 63;

/// Truncate to at most `max` bytes on a character boundary.
pub fn truncate(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// `name1_name2_label`, shortening the longer of `name1`/`name2` until it fits 63 bytes.
pub fn make_name(name1: &str, name2: &str, label: &str) -> String {
    let overhead = label.len() + 1 + if name2.is_empty() { 0 } else { 1 };
    let (mut l1, mut l2) = (name1.len(), name2.len());
    while l1 + l2 + overhead > MAX_IDENT {
        if l1 >= l2 {
            l1 -= 1;
        } else {
            l2 -= 1;
        }
    }
    let a = truncate(name1, l1);
    let b = truncate(name2, l2);
    if b.is_empty() {
        format!("{a}_{label}")
    } else {
        format!("{a}_{b}_{label}")
    }
}

/// Like [`make_name`], then `label1`, `label2`, ... until `taken` says no.
pub fn choose_name(name1: &str, name2: &str, label: &str, taken: impl Fn(&str) -> bool) -> String {
    first_free(label, |l| make_name(name1, name2, l), taken)
}

/// `make(label)`, else `make(label1)`, `make(label2)`, ... until `taken` says no.
fn first_free(label: &str, make: impl Fn(&str) -> String, taken: impl Fn(&str) -> bool) -> String {
    let first = make(label);
    if !taken(&first) {
        return first;
    }
    for n in 1.. {
        let candidate = make(&format!("{label}{n}"));
        if !taken(&candidate) {
            return candidate;
        }
    }
    unreachable!("the loop above returns")
}

/// `name` when it fits in 63 bytes; otherwise cut to fit with 8 hex digits of a hash of the
/// whole, so two long names that share a prefix stay distinct (PostgreSQL would cut both
/// to the same 63 bytes).
pub fn fit(name: &str) -> String {
    if name.len() <= MAX_IDENT {
        return name.to_string();
    }
    format!("{}_{}", truncate(name, MAX_IDENT - 9), digest(name))
}

/// A name bellows gives an object of its own: [`make_name`] when the whole fits, otherwise
/// shortened the same way around a label that carries 8 hex digits of a hash of the whole
/// name, so inputs that differ only past the cut still get different names.
pub fn own_name(name1: &str, name2: &str, label: &str) -> String {
    let sep = if name2.is_empty() { "" } else { "_" };
    let whole = format!("{name1}{sep}{name2}_{label}");
    if whole.len() <= MAX_IDENT {
        return whole;
    }
    make_name(name1, name2, &format!("{label}_{}", digest(&whole)))
}

/// Like [`own_name`], then `label1`, `label2`, ... until `taken` says no.
pub fn choose_own_name(
    name1: &str,
    name2: &str,
    label: &str,
    taken: impl Fn(&str) -> bool,
) -> String {
    first_free(label, |l| own_name(name1, name2, l), taken)
}

/// 8 hex digits of SHA-256.
fn digest(s: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(s.as_bytes()))[..8].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_fit_and_are_unique() {
        assert_eq!(make_name("users", "email", "key"), "users_email_key");
        let long = "a".repeat(80);
        assert!(make_name(&long, &long, "idx").len() <= MAX_IDENT);
        assert_eq!(choose_name("t", "c", "key", |n| n == "t_c_key"), "t_c_key1");
        assert_eq!(truncate("ééé", 3), "é");
    }

    #[test]
    fn own_names_are_plain_when_they_fit_and_distinct_when_cut() {
        assert_eq!(
            own_name("bellows_sync", "users_email", "fn"),
            "bellows_sync_users_email_fn"
        );
        let prefix = "customer_shipping_address_line_for_the_primary_warehouse_";
        let a = own_name("bellows_sync", &format!("{prefix}one"), "ins");
        let b = own_name("bellows_sync", &format!("{prefix}two"), "ins");
        assert!(a.len() <= MAX_IDENT && b.len() <= MAX_IDENT, "{a} {b}");
        assert_ne!(a, b);
        assert_ne!(
            fit(&format!("{prefix}index_one_bellows")),
            fit(&format!("{prefix}index_two_bellows"))
        );
        assert_eq!(fit("short_bellows"), "short_bellows");
        assert!(fit(&"é".repeat(40)).len() <= MAX_IDENT);
    }
}
