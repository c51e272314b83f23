//! The console's state and its transitions: actions from keys, events from the executor.
//! Nothing here draws or touches the database.

use std::collections::BTreeMap;

use super::action::{Action, Effect};
use crate::executor::{Blocker, Command};
use crate::plan::{Phase, Plan};

/// Where a step stands, as the console shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepState {
    /// Not run yet.
    Pending,
    /// Running now.
    Running,
    /// Waiting for a lock.
    Waiting,
    /// Done.
    Done,
    /// Failed (the run stopped; running again resumes).
    Failed,
    /// A gate waiting for confirmation.
    Gate,
    /// Undone by a rollback.
    RolledBack,
    /// Found already applied (after a crash) and recorded without running again.
    Skipped,
}

impl StepState {
    /// From a state row of the `bellows` schema.
    pub fn from_row(s: &str) -> Self {
        match s {
            "done" => StepState::Done,
            "failed" => StepState::Failed,
            "waiting" => StepState::Gate,
            "rolled_back" => StepState::RolledBack,
            // Interrupted (a crash or a killed run): it simply runs again.
            "running" => StepState::Pending,
            _ => StepState::Pending,
        }
    }

    /// Short label.
    pub fn label(self) -> &'static str {
        match self {
            StepState::Pending => "pending",
            StepState::Running => "running",
            StepState::Waiting => "lock wait",
            StepState::Done => "done",
            StepState::Failed => "failed",
            StepState::Gate => "gate",
            StepState::RolledBack => "undone",
            StepState::Skipped => "skipped (already applied)",
        }
    }

    /// One-character marker.
    pub fn marker(self) -> &'static str {
        match self {
            StepState::Pending => " ",
            StepState::Running => ">",
            StepState::Waiting => "~",
            StepState::Done => "*",
            StepState::Failed => "!",
            StepState::Gate => "?",
            StepState::RolledBack => "<",
            StepState::Skipped => "-",
        }
    }
}

/// One step's live view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepView {
    /// State.
    pub state: StepState,
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
}

impl App {
    /// A console for `plan`, with step states read from the database (`id → state`).
    pub fn new(plan: Plan, states: &BTreeMap<String, String>) -> Self {
        let steps = plan
            .steps
            .iter()
            .map(|s| StepView {
                state: states
                    .get(&s.id)
                    .map(|x| StepState::from_row(x))
                    .unwrap_or(StepState::Pending),
                attempts: 0,
                last_error: None,
            })
            .collect();
        let batch_size = plan
            .steps
            .iter()
            .find_map(|s| s.backfill.as_ref().map(|b| b.batch.size))
            .unwrap_or(1000);
        let explain = crate::plan::render::markdown::render(&plan);
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
        self.steps
            .iter()
            .position(|s| !matches!(s.state, StepState::Done | StepState::Skipped))
    }

    /// Phase of the next step to run.
    pub fn current_phase(&self) -> Option<Phase> {
        self.next_pending().map(|i| self.plan.steps[i].phase)
    }

    /// A gate that waits for confirmation: (index, id).
    pub fn waiting_gate(&self) -> Option<usize> {
        self.steps.iter().position(|s| s.state == StepState::Gate)
    }

    /// Does a prompt take the keys as text?
    pub fn prompting(&self) -> bool {
        matches!(
            self.mode,
            Mode::Gate { .. } | Mode::Rollback { .. } | Mode::Quit
        )
    }

    pub(super) fn index(&self, id: &str) -> Option<usize> {
        self.plan.steps.iter().position(|s| s.id == id)
    }

    pub(super) fn note(&mut self, line: impl Into<String>) {
        self.log.push(line.into());
        if self.log.len() > 1000 {
            self.log.drain(..200);
        }
    }

    pub(super) fn set(&mut self, id: &str, state: StepState) {
        if let Some(i) = self.index(id) {
            self.steps[i].state = state;
        }
    }

    /// Apply an action; returns what the loop must do.
    pub fn update(&mut self, a: Action) -> Vec<Effect> {
        let mode = std::mem::replace(&mut self.mode, Mode::Normal);
        match mode {
            Mode::Normal => self.normal(a),
            Mode::Gate {
                step,
                text,
                confirm,
                mut input,
                mut error,
            } => match a {
                Action::Input(c) => {
                    input.push(c);
                    self.mode = Mode::Gate {
                        step,
                        text,
                        confirm,
                        input,
                        error,
                    };
                    Vec::new()
                }
                Action::Backspace => {
                    input.pop();
                    self.mode = Mode::Gate {
                        step,
                        text,
                        confirm,
                        input,
                        error,
                    };
                    Vec::new()
                }
                Action::Submit if input.trim() == confirm => {
                    self.note(format!("gate {step} confirmed"));
                    if self.busy {
                        vec![Effect::Send(Command::ConfirmGate(step))]
                    } else {
                        self.busy = true;
                        vec![
                            Effect::Run {
                                through: None,
                                steps: Some(1),
                            },
                            Effect::Send(Command::ConfirmGate(step)),
                        ]
                    }
                }
                Action::Submit => {
                    error = Some(format!("type `{confirm}` exactly to confirm"));
                    input.clear();
                    self.mode = Mode::Gate {
                        step,
                        text,
                        confirm,
                        input,
                        error,
                    };
                    Vec::new()
                }
                Action::Cancel => Vec::new(),
                Action::Quit => self.normal(Action::Quit),
                _ => {
                    self.mode = Mode::Gate {
                        step,
                        text,
                        confirm,
                        input,
                        error,
                    };
                    Vec::new()
                }
            },
            Mode::Rollback { mut input } => match a {
                Action::Input(c) => {
                    input.push(c);
                    self.mode = Mode::Rollback { input };
                    Vec::new()
                }
                Action::Backspace => {
                    input.pop();
                    self.mode = Mode::Rollback { input };
                    Vec::new()
                }
                Action::Submit if input.trim() == ROLLBACK_WORD => {
                    self.busy = true;
                    self.note("rolling back completed steps, newest first");
                    vec![Effect::Rollback]
                }
                Action::Submit => {
                    self.mode = Mode::Rollback {
                        input: String::new(),
                    };
                    Vec::new()
                }
                Action::Cancel => Vec::new(),
                _ => {
                    self.mode = Mode::Rollback { input };
                    Vec::new()
                }
            },
            Mode::Quit => match a {
                Action::Input('s') => {
                    self.quit_when_idle = true;
                    self.note("stopping after the current batch; the console closes when it stops");
                    vec![Effect::Send(Command::StopAfterBatch)]
                }
                Action::Input('y') => vec![Effect::Exit],
                Action::Cancel | Action::Input('n') => Vec::new(),
                _ => {
                    self.mode = Mode::Quit;
                    Vec::new()
                }
            },
            Mode::Help => match a {
                Action::Help | Action::Cancel | Action::Quit => Vec::new(),
                _ => {
                    self.mode = Mode::Help;
                    Vec::new()
                }
            },
            Mode::Explain { scroll } => {
                self.mode = match a {
                    Action::Explain | Action::Cancel | Action::Quit => Mode::Normal,
                    Action::ScrollDown | Action::Down => Mode::Explain {
                        scroll: scroll.saturating_add(10),
                    },
                    Action::ScrollUp | Action::Up => Mode::Explain {
                        scroll: scroll.saturating_sub(10),
                    },
                    _ => Mode::Explain { scroll },
                };
                Vec::new()
            }
        }
    }

    fn normal(&mut self, a: Action) -> Vec<Effect> {
        let mut fx = Vec::new();
        match a {
            Action::Up => self.selected = self.selected.saturating_sub(1),
            Action::Down => {
                self.selected = (self.selected + 1).min(self.steps.len().saturating_sub(1))
            }
            Action::Help => self.mode = Mode::Help,
            Action::Explain => self.mode = Mode::Explain { scroll: 0 },
            Action::RunNext | Action::RunPhase if self.busy && self.waiting_gate().is_some() => {
                self.open_gate()
            }
            Action::RunNext | Action::RunPhase if self.busy => {
                self.note("a step is already running")
            }
            Action::RunNext | Action::RunPhase if self.waiting_gate().is_some() => self.open_gate(),
            Action::RunNext => match self.next_pending() {
                Some(_) => {
                    self.busy = true;
                    fx.push(Effect::Run {
                        through: None,
                        steps: Some(1),
                    });
                }
                None => self.note("every step is done"),
            },
            Action::RunPhase => match self.current_phase() {
                Some(p) => {
                    self.busy = true;
                    self.note(format!("running the rest of phase {}", p.name()));
                    fx.push(Effect::Run {
                        through: Some(p),
                        steps: None,
                    });
                }
                None => self.note("every step is done"),
            },
            Action::TogglePause => {
                if self.busy {
                    self.paused = !self.paused;
                    fx.push(Effect::Send(if self.paused {
                        Command::Pause
                    } else {
                        Command::Resume
                    }));
                } else {
                    self.note("nothing is running");
                }
            }
            Action::BatchUp => fx = self.tune_batch(true),
            Action::BatchDown => fx = self.tune_batch(false),
            Action::PauseUp | Action::PauseDown => {
                self.pause_ms = if a == Action::PauseUp {
                    (self.pause_ms + 50).min(10_000)
                } else {
                    self.pause_ms.saturating_sub(50)
                };
                fx.push(Effect::Send(Command::SetPause(
                    std::time::Duration::from_millis(self.pause_ms),
                )));
                self.note(format!("pause between batches: {} ms", self.pause_ms));
            }
            Action::ConfirmGate => {
                if self.waiting_gate().is_some() {
                    self.open_gate();
                } else {
                    self.note("no gate is waiting");
                }
            }
            Action::Rollback => {
                if self.busy {
                    self.note("wait for the running step to stop before rolling back");
                } else {
                    self.mode = Mode::Rollback {
                        input: String::new(),
                    };
                }
            }
            Action::Quit => {
                if self.busy {
                    self.mode = Mode::Quit;
                } else {
                    fx.push(Effect::Exit);
                }
            }
            Action::Input(_)
            | Action::Backspace
            | Action::Submit
            | Action::Cancel
            | Action::ScrollDown
            | Action::ScrollUp => {}
        }
        fx
    }

    /// Change the batch size by a factor (up: ×2, down: ÷2).
    pub fn tune_batch(&mut self, up: bool) -> Vec<Effect> {
        self.batch_pinned = true;
        self.batch_size = if up {
            (self.batch_size.saturating_mul(2)).min(1_000_000)
        } else {
            (self.batch_size / 2).max(1)
        };
        self.note(format!("batch size: {} rows", self.batch_size));
        vec![Effect::Send(Command::SetBatchSize(self.batch_size))]
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

    /// The running task ended with this outcome.
    pub fn task_done(&mut self, outcome: String) -> Vec<Effect> {
        self.busy = false;
        self.paused = false;
        self.lock = None;
        for s in &mut self.steps {
            if matches!(s.state, StepState::Running | StepState::Waiting) {
                s.state = StepState::Pending;
            }
        }
        if !outcome.is_empty() {
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
