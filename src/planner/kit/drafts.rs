//! The drafts one statement becomes, with the warnings reviewers should read.

use super::Draft;

/// What a recipe produces for one statement.
#[derive(Debug, Default)]
pub struct Drafts {
    /// Steps, in the order written (dependencies by index).
    pub drafts: Vec<Draft>,
    /// Notes for reviewers.
    pub warnings: Vec<String>,
    /// Schemas new application code puts first on its `search_path` (versioned views).
    pub app_search_path: Vec<String>,
}

impl Drafts {
    /// Nothing to do, and why.
    pub fn nothing(warning: impl Into<String>) -> Self {
        Self {
            warnings: vec![warning.into()],
            ..Self::default()
        }
    }

    /// One step.
    pub fn one(d: Draft) -> Self {
        let mut out = Self::default();
        out.push(d);
        out
    }

    /// Append a draft and return its index.
    pub fn push(&mut self, d: Draft) -> usize {
        self.drafts.push(d);
        self.drafts.len() - 1
    }

    /// Add a note for reviewers.
    pub fn warn(&mut self, w: impl Into<String>) {
        self.warnings.push(w.into());
    }

    /// The phase of draft `i`.
    pub fn phase_of(&self, i: usize) -> crate::plan::Phase {
        self.drafts[i].phase
    }

    /// Append another recipe's output; its roots follow `after` (if given).
    pub fn extend(&mut self, other: Drafts, after: Option<usize>) {
        let base = self.drafts.len();
        for mut d in other.drafts {
            for a in &mut d.after {
                *a += base;
            }
            if d.after.is_empty()
                && let Some(p) = after
                && self.drafts.get(p).is_some_and(|x| x.phase <= d.phase)
            {
                d.after.push(p);
            }
            self.drafts.push(d);
        }
        self.warnings.extend(other.warnings);
    }
}
