//! What a key means, and what the loop must do about it.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::executor::Command;
use crate::plan::Phase;

/// Something the operator asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Select the previous step.
    Up,
    /// Select the next step.
    Down,
    /// Run the next pending step.
    RunNext,
    /// Run the rest of the current phase.
    RunPhase,
    /// Pause or resume batches.
    TogglePause,
    /// Larger batches.
    BatchUp,
    /// Smaller batches.
    BatchDown,
    /// Longer pause between batches.
    PauseUp,
    /// Shorter pause between batches.
    PauseDown,
    /// Start confirming the gate that waits.
    ConfirmGate,
    /// Start confirming a rollback.
    Rollback,
    /// Show or hide the review document (what `bellows explain` shows).
    Explain,
    /// Show or hide help.
    Help,
    /// Quit (asks first when a step is running).
    Quit,
    /// A character typed into a prompt.
    Input(char),
    /// Delete the last character of a prompt.
    Backspace,
    /// Submit a prompt.
    Submit,
    /// Close a prompt or overlay.
    Cancel,
    /// Scroll an overlay.
    ScrollDown,
    /// Scroll an overlay back.
    ScrollUp,
}

/// Work for the event loop (the only place that touches the executor).
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Start the executor: all remaining steps, through a phase, or a number of steps.
    Run {
        /// Stop after this phase.
        through: Option<Phase>,
        /// Stop after this many steps.
        steps: Option<usize>,
    },
    /// Send a command to the running executor.
    Send(Command),
    /// Start a rollback.
    Rollback,
    /// Leave the console.
    Exit,
}

/// Map a key to an action. `prompting` means a prompt takes the keys as text.
pub fn key_to_action(key: KeyEvent, prompting: bool) -> Option<Action> {
    if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c') {
        return Some(Action::Quit);
    }
    if prompting {
        return match key.code {
            KeyCode::Enter => Some(Action::Submit),
            KeyCode::Esc => Some(Action::Cancel),
            KeyCode::Backspace => Some(Action::Backspace),
            KeyCode::Char(c) => Some(Action::Input(c)),
            _ => None,
        };
    }
    Some(match key.code {
        KeyCode::Up | KeyCode::Char('k') => Action::Up,
        KeyCode::Down | KeyCode::Char('j') => Action::Down,
        KeyCode::Char('n') => Action::RunNext,
        KeyCode::Char('r') => Action::RunPhase,
        KeyCode::Char(' ') | KeyCode::Char('p') => Action::TogglePause,
        KeyCode::Char('+') | KeyCode::Char('=') => Action::BatchUp,
        KeyCode::Char('-') => Action::BatchDown,
        KeyCode::Char(']') => Action::PauseUp,
        KeyCode::Char('[') => Action::PauseDown,
        KeyCode::Char('g') => Action::ConfirmGate,
        KeyCode::Char('b') => Action::Rollback,
        KeyCode::Char('e') => Action::Explain,
        KeyCode::Char('?') => Action::Help,
        KeyCode::Char('q') => Action::Quit,
        KeyCode::Esc => Action::Cancel,
        KeyCode::PageDown => Action::ScrollDown,
        KeyCode::PageUp => Action::ScrollUp,
        _ => return None,
    })
}
