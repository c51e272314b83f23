//! The shape of the tables a plan works on as the executor last left them, so every run
//! (not only the first) refuses drift: one line per column, constraint, index and trigger,
//! read by oid (a table the plan renames stays the same table) and independent of
//! `search_path`. It is recorded when a run starts and inside the transaction that marks a
//! step done or undone; a resumed run compares the live shape with the record.

use std::collections::BTreeSet;

use crate::plan::Plan;

/// The shape query over the oids in the SQL array expression `oids`, one line per row.
pub fn query(oids: &str) -> String {
    format!(
        "WITH t AS (SELECT x.oid AS rel, (SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) \
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = x.oid) AS name \
           FROM unnest({oids}) AS x(oid)) \
         SELECT line FROM ( \
           SELECT 'table ' || t.rel || ' ' || coalesce(t.name, '(dropped)') AS line FROM t \
           UNION ALL SELECT format('col %s %I %s nn=%s def=%s id=%s gen=%s', t.name, a.attname, \
             format_type(a.atttypid, a.atttypmod), a.attnotnull, a.atthasdef, a.attidentity, a.attgenerated) \
             FROM t JOIN pg_attribute a ON a.attrelid = t.rel WHERE a.attnum > 0 AND NOT a.attisdropped \
           UNION ALL SELECT format('con %s %I %s valid=%s keys=%s refs=%s%s', t.name, co.conname, co.contype, \
             co.convalidated, co.conkey, co.confrelid, co.confkey) \
             FROM t JOIN pg_constraint co ON co.conrelid = t.rel \
           UNION ALL SELECT format('idx %s %I valid=%s unique=%s keys=%s expr=%s partial=%s', t.name, ic.relname, \
             i.indisvalid, i.indisunique, i.indkey, i.indexprs IS NOT NULL, i.indpred IS NOT NULL) \
             FROM t JOIN pg_index i ON i.indrelid = t.rel JOIN pg_class ic ON ic.oid = i.indexrelid \
           UNION ALL SELECT format('trg %s %I enabled=%s type=%s fn=%s', t.name, tg.tgname, tg.tgenabled, \
             tg.tgtype, tg.tgfoid) \
             FROM t JOIN pg_trigger tg ON tg.tgrelid = t.rel WHERE NOT tg.tgisinternal \
         ) s ORDER BY line"
    )
}

/// The statement that records the shape of a run's watched tables (inside the transaction
/// that marks a step done or undone, so the record and the change commit together).
pub fn record_sql() -> String {
    format!(
        "UPDATE bellows.runs r SET shape = ARRAY({}) WHERE r.plan_hash = $1 AND r.watched IS NOT NULL",
        query("r.watched")
    )
}

/// The oids of the plan's existing tables (its fingerprints), in the live database.
pub const WATCHED_SQL: &str = "SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
     WHERE (n.nspname, c.relname) IN (SELECT * FROM unnest($1::text[], $2::text[]))";

/// Index names a step builds or drops outside a transaction: an interrupted run may leave
/// them half-done (an invalid index, or one built but not yet recorded), and the next run
/// repairs them itself, so their lines are not drift.
pub fn repaired_by_plan(plan: &Plan) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for s in &plan.steps {
        let non_tx = s.sql.iter().chain(s.rollback_sql.iter().flatten());
        for q in non_tx.filter(|q| q.to_uppercase().contains("CONCURRENTLY") || !s.transactional) {
            let words: Vec<&str> = q.split_whitespace().collect();
            for w in words.windows(2) {
                if w[0].eq_ignore_ascii_case("CONCURRENTLY") {
                    let mut name = w[1];
                    if name.eq_ignore_ascii_case("IF") {
                        // IF NOT EXISTS name / IF EXISTS name
                        name = words
                            .iter()
                            .skip_while(|x| !x.eq_ignore_ascii_case("EXISTS"))
                            .nth(1)
                            .copied()
                            .unwrap_or_default();
                    }
                    let last = name.rsplit('.').next().unwrap_or(name);
                    names.insert(last.trim_matches('"').replace("\"\"", "\""));
                }
            }
        }
    }
    names
}

/// Lines that differ between the recorded and the live shape, ignoring indexes the plan
/// repairs itself. Empty when they agree.
pub fn drift(recorded: &[String], live: &[String], repaired: &BTreeSet<String>) -> Vec<String> {
    let ignored = |l: &String| {
        l.starts_with("idx ")
            && repaired.iter().any(|n| {
                l.contains(&format!(" {} valid=", crate::sql::quote_ident(n)))
                    || l.contains(&format!(" {n} valid="))
            })
    };
    let was: BTreeSet<&String> = recorded.iter().filter(|l| !ignored(l)).collect();
    let is: BTreeSet<&String> = live.iter().filter(|l| !ignored(l)).collect();
    let mut out: Vec<String> = was
        .difference(&is)
        .map(|l| format!("    - last run left: {l}"))
        .collect();
    out.extend(
        is.difference(&was)
            .map(|l| format!("    + now:           {l}")),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drift_ignores_only_indexes_the_plan_builds_concurrently() {
        let rec = vec![
            "col public.t a integer nn=false def=false id= gen=".to_string(),
            "table 1 public.t".to_string(),
        ];
        let mut live = rec.clone();
        live.push(
            "idx public.t t_a_idx valid=false unique=false keys=2 expr=false partial=false".into(),
        );
        let repaired: BTreeSet<String> = ["t_a_idx".to_string()].into();
        assert!(drift(&rec, &live, &repaired).is_empty());
        live.push(
            "idx public.t other valid=true unique=false keys=2 expr=false partial=false".into(),
        );
        assert_eq!(drift(&rec, &live, &repaired).len(), 1);
        let gone = vec!["table 1 public.t".to_string()];
        let d = drift(&rec, &gone, &repaired);
        assert_eq!(d.len(), 1);
        assert!(d[0].contains("- last run left: col public.t a"), "{d:?}");
    }
}
