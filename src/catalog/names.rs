//! Choosing object names the way PostgreSQL does: `table_col_suffix`, at most 63 bytes,
//! and made unique by a number when taken.

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
    let first = make_name(name1, name2, label);
    if !taken(&first) {
        return first;
    }
    for n in 1.. {
        let candidate = make_name(name1, name2, &format!("{label}{n}"));
        if !taken(&candidate) {
            return candidate;
        }
    }
    unreachable!("the loop above returns")
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
}
