//! The console's key handling: [`App::update`] turns an [`Action`] into state changes and
//! the [`Effect`]s the event loop must carry out (the prompts, the normal screen, batch tuning).

use super::action::{Action, Effect};
use super::app::{App, Mode, ROLLBACK_WORD};
use crate::executor::Command;

impl App {
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
            Action::RunNext | Action::RunPhase if self.beyond_through().is_some() => {
                self.refuse_beyond_through()
            }
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
}
