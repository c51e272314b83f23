//! The console's state and its transitions: actions from keys, events from the executor.
//! Nothing here draws or touches the database.

use std::collections::BTreeMap;

use super::action::Effect;
pub use super::state::ShownState;
use crate::executor::undo::Undo;
use crate::executor::{Blocker, StepState};
use crate::plan::{Phase, Plan};

/// One step's live view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepView {
    /// State.
    pub state: ShownState,
    /// Attempts in this session.
    pub attempts: u32,
    /// Last error.
    pub last_error: Option<String>,
}

/// Backfill or verification progress.
#[derive(Debug, Clone, PartialEq)]
pub struct Progress {
    /// Step id.
    pub step: String,
    /// Rows done.
    pub rows_done: i64,
    /// Estimated rows in all.
    pub total: i64,
    /// Rows per second.
    pub rate: f64,
    /// Seconds left.
    pub eta_s: Option<f64>,
    /// Current batch size.
    pub batch_size: u32,
    /// Last batch duration.
    pub last_batch_ms: u64,
    /// The leaf partition under way (backfills that walk partitions one by one).
    pub partition: Option<String>,
    /// Recent rates, for the sparkline.
    pub history: Vec<u64>,
}

/// A step waiting for a lock.
#[derive(Debug, Clone, PartialEq)]
pub struct LockView {
    /// Step id.
    pub step: String,
    /// Attempt number.
    pub attempt: u32,
    /// Who holds it up.
    pub blockers: Vec<Blocker>,
    /// Milliseconds until the next retry, when one is scheduled.
    pub retry_in_ms: Option<u64>,
}

/// What covers the main screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    /// The plan, the step, the panels.
    Normal,
    /// Keys and what they do.
    Help,
    /// The review document.
    Explain {
        /// First line shown.
        scroll: u16,
    },
    /// Typing the confirmation for a gate.
    Gate {
        /// Gate step.
        step: String,
        /// What is being confirmed.
        text: String,
        /// What to type.
        confirm: String,
        /// Typed so far.
        input: String,
        /// Shown after a wrong entry.
        error: Option<String>,
    },
    /// Typing the confirmation for a rollback.
    Rollback {
        /// Typed so far.
        input: String,
    },
    /// Quitting while something runs.
    Quit,
}

/// The word a rollback must be confirmed with.
pub const ROLLBACK_WORD: &str = "rollback";

/// The whole console state.
#[derive(Debug, Clone)]
pub struct App {
    /// The plan.
    pub plan: Plan,
    /// One view per plan step, same order.
    pub steps: Vec<StepView>,
    /// Selected step.
    pub selected: usize,
    /// Latest progress.
    pub progress: Option<Progress>,
    /// Current lock wait.
    pub lock: Option<LockView>,
    /// Everything that happened.
    pub log: Vec<String>,
    /// Overlay or prompt.
    pub mode: Mode,
    /// The executor (or a rollback) is running.
    pub busy: bool,
    /// Batches are paused.
    pub paused: bool,
    /// Batch size to ask for.
    pub batch_size: u32,
    /// Pause between batches to ask for.
    pub pause_ms: u64,
    /// How the last run ended.
    pub outcome: Option<String>,
    /// Leave once the running step stops.
    pub quit_when_idle: bool,
    /// The review document, rendered once.
    pub explain: String,
    /// A line about the application load (the demo's simulated app), if any.
    pub load: Option<String>,
    /// The operator chose the batch size (flag or keys): keep it instead of adapting.
    pub batch_pinned: bool,
    /// The last run ended with a failed step.
    pub failed: bool,
    /// `--through`: no run started here goes past this phase.
    pub through: Option<Phase>,
}

impl App {
    /// A console for `plan`, with step states read from the database (`id → state`).
    pub fn new(plan: Plan, states: &BTreeMap<String, StepState>) -> Self {
        // What the console draws: control characters from identifiers shown escaped.
        let plan = crate::plan::escape::for_display(&plan);
        let states: BTreeMap<String, StepState> = states
            .iter()
            .map(|(k, v)| (crate::plan::escape::line(k).into_owned(), *v))
            .collect();
        let steps = plan
            .steps
            .iter()
            .map(|s| StepView {
                state: states
                    .get(&s.id)
                    .map(|x| ShownState::from(*x))
                    .unwrap_or(ShownState::Pending),
                attempts: 0,
                last_error: None,
            })
            .collect();
        let batch_size = plan
            .steps
            .iter()
            .find_map(|s| s.backfill.as_ref().map(|b| b.batch.size))
            .unwrap_or(1000);
        let explain = crate::plan::render::render(&plan, crate::plan::render::Format::Markdown);
        let mut app = Self {
            plan,
            steps,
            selected: 0,
            progress: None,
            lock: None,
            log: Vec::new(),
            mode: Mode::Normal,
            busy: false,
            paused: false,
            batch_size,
            pause_ms: 0,
            outcome: None,
            quit_when_idle: false,
            explain,
            load: None,
            batch_pinned: false,
            failed: false,
            through: None,
        };
        app.selected = app.next_pending().unwrap_or(0);
        app.log.push(format!(
            "opened {} ({} steps); press n to run the next step, ? for help",
            app.plan.name,
            app.plan.steps.len()
        ));
        app
    }

    /// Index of the next step to run.
    pub fn next_pending(&self) -> Option<usize> {
        self.steps.iter().position(|s| !s.state.is_done())
    }

    /// Phase of the next step to run.
    pub fn current_phase(&self) -> Option<Phase> {
        self.next_pending().map(|i| self.plan.steps[i].phase)
    }

    /// The next step's phase and the `--through` phase, when the next step lies beyond it.
    pub fn beyond_through(&self) -> Option<(Phase, Phase)> {
        let limit = self.through?;
        self.current_phase()
            .filter(|p| *p > limit)
            .map(|p| (p, limit))
    }

    pub(super) fn refuse_beyond_through(&mut self) {
        if let Some((next, limit)) = self.beyond_through() {
            self.note(format!(
                "--through {}: the next step belongs to phase {}; open the console without --through to go on",
                limit.name(),
                next.name()
            ));
        }
    }

    /// What a rollback would undo now, from the states shown (the executor decides the
    /// same way from the state tables).
    pub fn undo(&self) -> Undo<'_> {
        Undo::of(&self.plan, |s| {
            self.index(&s.id)
                .is_some_and(|i| self.steps[i].state.is_done())
        })
    }

    /// A gate that waits for confirmation: (index, id).
    pub fn waiting_gate(&self) -> Option<usize> {
        self.steps
            .iter()
            .position(|s| s.state == ShownState::AtGate)
    }

    /// Does a prompt take the keys as text?
    pub fn prompting(&self) -> bool {
        matches!(
            self.mode,
            Mode::Gate { .. } | Mode::Rollback { .. } | Mode::Quit
        )
    }

    pub(super) fn index(&self, id: &str) -> Option<usize> {
        let id = crate::plan::escape::line(id);
        self.plan.steps.iter().position(|s| s.id == id)
    }

    pub(super) fn note(&mut self, line: impl Into<String>) {
        self.log
            .push(crate::plan::escape::line(&line.into()).into_owned());
        if self.log.len() > 1000 {
            self.log.drain(..200);
        }
    }

    pub(super) fn set(&mut self, id: &str, state: ShownState) {
        if let Some(i) = self.index(id) {
            self.steps[i].state = state;
        }
    }

    pub(super) fn open_gate(&mut self) {
        if let Some(i) = self.waiting_gate() {
            let s = &self.plan.steps[i];
            let g = s.gate.clone().unwrap_or(crate::plan::Gate {
                text: s.summary.clone(),
                confirm: "confirm".into(),
            });
            self.selected = i;
            self.mode = Mode::Gate {
                step: s.id.clone(),
                text: g.text,
                confirm: g.confirm,
                input: String::new(),
                error: None,
            };
        }
    }

    /// Time passed (for the retry countdown).
    pub fn tick(&mut self, ms: u64) {
        if let Some(l) = &mut self.lock
            && let Some(r) = &mut l.retry_in_ms
        {
            *r = r.saturating_sub(ms);
        }
    }

    /// The running task ended; `outcome` is its note, if it has one worth a line.
    pub fn task_done(&mut self, outcome: Option<String>) -> Vec<Effect> {
        self.busy = false;
        self.paused = false;
        self.lock = None;
        for s in &mut self.steps {
            if matches!(s.state, ShownState::Running | ShownState::LockWait) {
                s.state = ShownState::Pending;
            }
        }
        if let Some(outcome) = outcome {
            self.note(format!("stopped: {outcome}"));
            self.outcome = Some(outcome);
        }
        if self.quit_when_idle {
            vec![Effect::Exit]
        } else {
            Vec::new()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::action::Action;

    fn plan(example: &str) -> Plan {
        let cat = crate::catalog::load_file("examples/schema/small.sql").expect("schema");
        let path = format!("examples/changes/{example}.sql");
        let text = std::fs::read_to_string(&path).expect("example");
        crate::planner::plan(&path, &text, &cat, &Default::default()).expect("plan")
    }

    #[test]
    fn recorded_states_become_shown_states_without_strings() {
        let p = plan("01-rename-column");
        let ids: Vec<String> = p.steps.iter().map(|s| s.id.clone()).collect();
        let states: BTreeMap<String, StepState> = [
            (ids[0].clone(), StepState::Done),
            (ids[1].clone(), StepState::Running),
            (ids[2].clone(), StepState::Failed),
            (ids[3].clone(), StepState::WaitingAtGate),
            (ids[4].clone(), StepState::RolledBack),
        ]
        .into_iter()
        .collect();
        let a = App::new(p, &states);
        let shown: Vec<ShownState> = a.steps.iter().take(6).map(|v| v.state).collect();
        assert_eq!(
            shown,
            vec![
                ShownState::Done,
                ShownState::Pending,
                ShownState::Failed,
                ShownState::AtGate,
                ShownState::RolledBack,
                ShownState::Pending,
            ],
            "an interrupted (running) step runs again; a stored gate is a gate, not a lock wait"
        );
        assert_eq!(a.waiting_gate(), Some(3));
        assert_eq!(a.next_pending(), Some(1));
        for s in StepState::ALL {
            assert_eq!(
                ShownState::from(s).is_done(),
                s == StepState::Done,
                "{s}: only a done step counts as done"
            );
        }
    }

    #[test]
    fn a_lock_wait_is_not_a_gate_and_ends_with_the_task() {
        let mut a = App::new(plan("01-rename-column"), &BTreeMap::new());
        let id = a.plan.steps[0].id.clone();
        a.busy = true;
        a.on_event(&crate::executor::Event::LockWait {
            step: id.clone(),
            attempt: 1,
            blockers: Vec::new(),
        });
        assert_eq!(a.steps[0].state, ShownState::LockWait);
        assert_eq!(a.waiting_gate(), None, "a lock wait opens no gate prompt");
        assert_eq!(a.mode, Mode::Normal);
        assert!(a.task_done(None).is_empty());
        assert_eq!(a.steps[0].state, ShownState::Pending);
        assert_eq!(a.outcome, None, "no note, no outcome line");
    }

    #[test]
    fn runs_started_here_never_pass_the_through_phase() {
        // 20-drop-table has only a contract phase: --through expand must start nothing.
        let mut a = App::new(plan("20-drop-table"), &BTreeMap::new());
        a.through = Some(Phase::Expand);
        assert_eq!(a.beyond_through(), Some((Phase::Contract, Phase::Expand)));
        assert!(a.update(Action::RunNext).is_empty());
        assert!(a.update(Action::RunPhase).is_empty());
        assert!(!a.busy);
        assert!(
            a.log
                .last()
                .is_some_and(|l| l.contains("--through expand") && l.contains("contract")),
            "{:?}",
            a.log.last()
        );
        // Without the limit, or with one that covers the next step, n runs a step.
        a.through = Some(Phase::Contract);
        assert_eq!(
            a.update(Action::RunNext),
            vec![Effect::Run {
                through: None,
                steps: Some(1)
            }]
        );
    }

    #[test]
    fn the_rollback_preview_counts_skipped_steps_as_done() {
        let mut a = App::new(plan("16-create-index"), &BTreeMap::new());
        let id = a.plan.steps[0].id.clone();
        a.on_event(&crate::executor::Event::StepSkipped {
            step: id.clone(),
            reason: "index already exists and is valid".into(),
        });
        assert_eq!(a.steps[0].state, ShownState::Skipped);
        let undo = a.undo();
        assert_eq!(
            undo.steps.iter().map(|s| s.id.clone()).collect::<Vec<_>>(),
            vec![id],
            "a step recorded done after a crash is undone like any other"
        );
    }
}
