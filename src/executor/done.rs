//! Which steps count as done: recorded done, and every step they depend on (transitively)
//! done too. A record that says otherwise was not written by this executor's order of
//! work, so the step runs again (or, for a rollback, is not undone).

use std::collections::HashSet;

use crate::plan::Plan;

/// The steps of `plan` that count as done given the `recorded` ones, and a note for each
/// record set aside.
pub fn trusted(plan: &Plan, recorded: &HashSet<String>) -> (HashSet<String>, Vec<String>) {
    let mut done = HashSet::new();
    let mut notes = Vec::new();
    // Plans are validated so every dependency comes earlier in the file.
    for s in &plan.steps {
        if !recorded.contains(&s.id) {
            continue;
        }
        match s.depends_on.iter().find(|d| !done.contains(*d)) {
            None => {
                done.insert(s.id.clone());
            }
            Some(d) => notes.push(format!(
                "step {} is recorded done, but {d}, which it depends on, is not: it is not treated as done",
                s.id
            )),
        }
    }
    (done, notes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_step_is_done_only_with_everything_it_depends_on() {
        let cat = crate::catalog::load_file("examples/schema/small.sql").expect("schema");
        let text = std::fs::read_to_string("examples/changes/01-rename-column.sql").expect("ex");
        let p = crate::planner::plan("01.sql", &text, &cat, &Default::default()).expect("plan");
        let all: HashSet<String> = p.steps.iter().map(|s| s.id.clone()).collect();
        assert_eq!(trusted(&p, &all).0, all);
        // Forged: everything but the first step recorded done.
        let mut forged = all.clone();
        forged.remove(&p.steps[0].id);
        let (done, notes) = trusted(&p, &forged);
        for s in &p.steps {
            let needs_first = s.id == p.steps[0].id || !s.depends_on.is_empty();
            if needs_first {
                assert!(!done.contains(&s.id) || s.depends_on.is_empty(), "{}", s.id);
            }
        }
        assert!(!notes.is_empty());
        assert!(done.len() < forged.len());
    }
}
