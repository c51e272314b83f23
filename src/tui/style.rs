//! Colours, or none when `NO_COLOR` is set.

use ratatui::style::{Color, Modifier, Style};

/// The console's palette.
#[derive(Debug, Clone, Copy)]
pub struct Palette {
    color: bool,
}

impl Palette {
    /// From the environment (`NO_COLOR` set and not empty disables colour).
    pub fn from_env() -> Self {
        Self {
            color: std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        }
    }

    /// Without colour (for snapshots and NO_COLOR).
    pub fn plain() -> Self {
        Self { color: false }
    }

    fn fg(&self, c: Color) -> Style {
        if self.color {
            Style::default().fg(c)
        } else {
            Style::default()
        }
    }

    /// Done steps.
    pub fn done(&self) -> Style {
        self.fg(Color::Green)
    }
    /// Running steps.
    pub fn running(&self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }
    /// Waiting on a lock, or a gate.
    pub fn waiting(&self) -> Style {
        self.fg(Color::Yellow).add_modifier(Modifier::BOLD)
    }
    /// Failures and destructive things.
    pub fn bad(&self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }
    /// Secondary text.
    pub fn dim(&self) -> Style {
        if self.color {
            Style::default().fg(Color::DarkGray)
        } else {
            Style::default()
        }
    }
    /// The selected row.
    pub fn selected(&self) -> Style {
        Style::default().add_modifier(Modifier::REVERSED)
    }
    /// Headings.
    pub fn heading(&self) -> Style {
        Style::default().add_modifier(Modifier::BOLD)
    }
}
