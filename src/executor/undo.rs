//! What a rollback undoes: the completed steps, newest first, up to the first one that has
//! no rollback. Pure, so the executor, the command line's preview and the console agree.

use crate::plan::{Plan, Step};

/// The steps a rollback would undo, and the irreversible step it would stop before.
#[derive(Debug, Clone, PartialEq)]
pub struct Undo<'p> {
    /// Completed reversible steps, newest first.
    pub steps: Vec<&'p Step>,
    /// The newest completed step without a rollback, where undoing stops.
    pub blocked: Option<&'p Step>,
}

impl<'p> Undo<'p> {
    /// Which steps of `plan` a rollback undoes, given which are recorded done.
    pub fn of(plan: &'p Plan, done: impl Fn(&Step) -> bool) -> Self {
        let mut steps = Vec::new();
        for step in plan.steps.iter().rev() {
            if !done(step) {
                continue;
            }
            if step.rollback_sql.is_none() {
                return Self {
                    steps,
                    blocked: Some(step),
                };
            }
            steps.push(step);
        }
        Self {
            steps,
            blocked: None,
        }
    }

    /// Nothing to undo and nothing in the way.
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty() && self.blocked.is_none()
    }
}

/// Why `step` cannot be undone, for people.
pub fn why_irreversible(step: &Step) -> String {
    step.irreversible_reason
        .clone()
        .unwrap_or_else(|| "it has no rollback".into())
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
    fn newest_first_and_stops_before_the_irreversible() {
        let p = plan();
        let ids = |u: &Undo| u.steps.iter().map(|s| s.id.clone()).collect::<Vec<_>>();
        let none = Undo::of(&p, |_| false);
        assert!(none.is_empty());
        let first_two: Vec<&str> = p.steps.iter().take(2).map(|s| s.id.as_str()).collect();
        let u = Undo::of(&p, |s| first_two.contains(&s.id.as_str()));
        assert_eq!(ids(&u), vec![first_two[1], first_two[0]]);
        assert_eq!(u.blocked, None);
        let all = Undo::of(&p, |_| true);
        let b = all.blocked.expect("the contract drops the old column");
        assert!(b.rollback_sql.is_none());
        assert!(
            all.steps
                .iter()
                .all(|s| p.steps.iter().position(|x| x.id == s.id)
                    > p.steps.iter().position(|x| x.id == b.id)),
            "only steps newer than the irreversible one are undone"
        );
        assert!(!why_irreversible(b).is_empty());
    }
}
