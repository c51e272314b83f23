//! What differs between the plan bellows would generate and the plan it was given: the
//! steps (added, removed, changed, moved), phases, fingerprints and version. Warnings
//! (row counts) are information for reviewers and are not compared.

use super::escape;
use super::model::{Plan, Step};

/// One line per difference between `expected` (re-derived) and `given` (the file); empty
/// when the file runs exactly what bellows generates.
pub fn differences(expected: &Plan, given: &Plan) -> Vec<String> {
    let mut out = Vec::new();
    let id = |s: &str| escape::line(s).into_owned();
    for s in &given.steps {
        match expected.step(&s.id) {
            None => out.push(format!(
                "+ step {} ({}) is not one bellows generates: {}",
                id(&s.id),
                s.phase.name(),
                escape::line(&s.summary)
            )),
            Some(e) if loose(e) != loose(s) => out.push(format!(
                "~ step {} differs from what bellows generates ({})",
                id(&s.id),
                fields(e, s).join(", ")
            )),
            Some(_) => {}
        }
    }
    for e in &expected.steps {
        if given.step(&e.id).is_none() {
            out.push(format!(
                "- step {} ({}) is missing: {}",
                id(&e.id),
                e.phase.name(),
                escape::line(&e.summary)
            ));
        }
    }
    let order = |p: &Plan| p.steps.iter().map(|s| s.id.clone()).collect::<Vec<_>>();
    if out.is_empty() && order(expected) != order(given) {
        out.push(format!(
            "steps are in another order: bellows runs {}",
            order(expected)
                .iter()
                .map(|s| id(s))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if expected.phases != given.phases {
        out.push("the list of phases differs".into());
    }
    if expected.fingerprint.keys().ne(given.fingerprint.keys()) {
        out.push(format!(
            "the tables it fingerprints differ: bellows fingerprints {}",
            expected
                .fingerprint
                .keys()
                .map(|s| id(s))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if expected.pg_version != given.pg_version {
        out.push(format!(
            "pg_version is {}, bellows says {}",
            given.pg_version, expected.pg_version
        ));
    }
    for (what, a, b) in [
        ("name", &expected.name, &given.name),
        ("source_file", &expected.source_file, &given.source_file),
    ] {
        if a != b {
            out.push(format!("{what} differs"));
        }
    }
    out
}

/// A step as text in which a string literal's cast (`'pending'::text`) reads like the bare
/// literal: a live catalog spells column defaults with their casts, a schema file often
/// without, and the two mean the same default.
fn loose(s: &Step) -> String {
    strip_literal_casts(&serde_json::to_string(s).unwrap_or_default())
}

fn strip_literal_casts(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("'::") {
        out.push_str(&rest[..=i]);
        let after = &rest[i + 3..];
        let end = after
            .find(|c: char| {
                !(c.is_ascii_alphanumeric() || c == '_' || c == ' ' || c == '[' || c == ']')
            })
            .unwrap_or(after.len());
        let ty = &after[..end];
        let ty_trimmed = ty.trim_end();
        if ty_trimmed.is_empty() || !ty_trimmed.starts_with(|c: char| c.is_ascii_alphabetic()) {
            out.push_str("::");
            rest = after;
        } else {
            rest = &after[ty_trimmed.len()..];
            // A type modifier: `(3)` or `(10,2)`.
            if let Some(m) = rest.strip_prefix('(')
                && let Some(close) = m.find(')')
                && m[..close].chars().all(|c| c.is_ascii_digit() || c == ',')
            {
                rest = &m[close + 1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Which fields of a step differ.
fn fields(e: &Step, s: &Step) -> Vec<&'static str> {
    let mut f = Vec::new();
    let mut check = |name: &'static str, same: bool| {
        if !same {
            f.push(name);
        }
    };
    check("phase", e.phase == s.phase);
    check("kind", e.kind == s.kind);
    check("summary", e.summary == s.summary);
    check("why", e.why == s.why);
    check("sql", e.sql == s.sql);
    check("rollback_sql", e.rollback_sql == s.rollback_sql);
    check(
        "irreversible_reason",
        e.irreversible_reason == s.irreversible_reason,
    );
    check("transactional", e.transactional == s.transactional);
    check("lock", e.lock == s.lock);
    check("depends_on", e.depends_on == s.depends_on);
    check("statement", e.statement == s.statement);
    check("blocking", e.blocking == s.blocking);
    check("backfill", e.backfill == s.backfill);
    check("verify", e.verify == s.verify);
    check("gate", e.gate == s.gate);
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan() -> Plan {
        let cat = crate::catalog::load_file("examples/schema/small.sql").expect("schema");
        let text = std::fs::read_to_string("examples/changes/01-rename-column.sql").expect("ex");
        crate::planner::plan("01.sql", &text, &cat, &Default::default()).expect("plan")
    }

    #[test]
    fn added_removed_changed_and_moved_steps_are_named() {
        let p = plan();
        assert!(differences(&p, &p).is_empty());
        let mut q = p.clone();
        q.warnings.push("not compared".into());
        assert!(differences(&p, &q).is_empty());

        let mut q = p.clone();
        let mut extra = q.steps[0].clone();
        extra.id = "1.sneaky".into();
        extra.sql = vec!["DROP TABLE users".into()];
        q.steps.insert(1, extra);
        let d = differences(&p, &q);
        assert!(d.iter().any(|l| l.starts_with("+ step 1.sneaky")), "{d:?}");

        let mut q = p.clone();
        let gate = q.steps.iter().position(|s| s.gate.is_some()).expect("gate");
        let g = q.steps.remove(gate);
        let d = differences(&p, &q);
        assert!(
            d.iter().any(|l| l.starts_with(&format!("- step {}", g.id))),
            "{d:?}"
        );

        let mut q = p.clone();
        q.steps[0].sql.push("DROP TABLE orders".into());
        let d = differences(&p, &q);
        assert_eq!(
            d,
            vec![format!(
                "~ step {} differs from what bellows generates (sql)",
                p.steps[0].id
            )]
        );

        assert_eq!(
            strip_literal_casts("SET DEFAULT 'pending'::TEXT, 'a'::character varying(3) x"),
            "SET DEFAULT 'pending', 'a' x"
        );
        assert_eq!(strip_literal_casts("'a'::\"T\" b"), "'a'::\"T\" b");

        let mut q = p.clone();
        q.steps.swap(0, 1);
        let d = differences(&p, &q);
        assert!(d[0].starts_with("steps are in another order"), "{d:?}");
    }
}
